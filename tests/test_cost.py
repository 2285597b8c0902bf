"""Cost estimates against the work the code really does (issue 23, class 2): every estimate of
protocols.cost is compared with the units it predicts, counted while the code runs (ensembles
built and their bins, pieces of T(t) integrated, output times, evaluations of a fit), never
with a duration. Then the issue's requests that ran until killed are refused at once, from the
command line and from the Python API alike.

Tolerances: a factor 2 on bin counts (the estimate counts panels from the resolution; the real
p floor depends on E, and exact spectra have 3.7-7.4 times the asymptotic bins, estimated as
5); the counts of pieces and of temperatures are exact; a fit's evaluations are bounded by its
cap plus lmfit's few evaluations for the covariance and the best fit's own.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import pytest

import dynamics.propagation
import dynamics.response
from dynamics import ParameterError, default_glass, get_glass
from dynamics.ensemble import build_ensemble
from protocols import alpha_through_tc, fit, gruneisen_vs_tau, run, sweep
from protocols.cli import main
from protocols.cost import (
    FIT_EVALUATION_CAP,
    FIT_METHODS,
    estimate_bins,
    fit_evaluations,
    run_work,
    step_work,
)
from protocols.fitdata import measurement
from protocols.histories import (
    HeatPulse,
    HeatStep,
    IsolatedPulse,
    Ramp,
    Schedule,
    Staircase,
    log_times,
)

ASYM = default_glass(spectrum="asymptotic")
#: the modules (the package's names ``protocols.run`` and ``protocols.fit`` are the functions)
RUN_MODULE = importlib.import_module("protocols.run")
FIT_MODULE = importlib.import_module("protocols.fit")


class Counter:
    """Counts what the engine does: ensembles built (and their bins), pieces of T(t)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bins: list[int] = []
        self.constant = 0
        self.varying = 0
        for module in (dynamics.response, RUN_MODULE):
            monkeypatch.setattr(module, "build_ensemble", self._build)
        constant, varying = (
            dynamics.propagation._relax_constant,
            dynamics.propagation._relax_continuous,
        )

        def relax_constant(*args: Any, **kw: Any) -> Any:
            self.constant += 1
            return constant(*args, **kw)

        def relax_varying(*args: Any, **kw: Any) -> Any:
            self.varying += 1
            return varying(*args, **kw)

        monkeypatch.setattr(dynamics.propagation, "_relax_constant", relax_constant)
        monkeypatch.setattr(dynamics.propagation, "_relax_continuous", relax_varying)

    def _build(self, *args: Any, **kw: Any) -> Any:
        ens = build_ensemble(*args, **kw)
        self.bins.append(int(ens.size))
        return ens


def _within_two(estimate: float, actual: float) -> None:
    assert 0.5 <= estimate / actual <= 2.0, (estimate, actual)


@pytest.mark.parametrize(
    ("t_low", "t_high", "t_end"), [(0.3, 0.33, 1e5), (0.01, 1.0, 10.0), (1.0, 1.0, 1e5)]
)
def test_exact_bins_are_estimated_within_a_factor_two(t_low, t_high, t_end) -> None:
    glass = default_glass()
    actual = build_ensemble(glass, t_low, t_high, t_end).size
    _within_two(estimate_bins(glass, t_low, t_high, t_end), actual)


@pytest.mark.parametrize(
    "protocol",
    [
        HeatStep(),
        HeatPulse(),
        Staircase(0.1, 0.02, 12, 5.0),
        Ramp(0.1, 0.3, 1e-2),
        Schedule(tuple(np.arange(40.0)), tuple(0.3 + 0.02 * np.sin(np.arange(40.0)))),
        Schedule((0.0, 10.0, 20.0, 1e6), (0.3, 0.3, 0.35, 0.35)),
    ],
    ids=lambda p: p.kind,
)
def test_run_work_is_the_work_the_engine_does(monkeypatch, protocol) -> None:
    # a schedule of 200k rows ran until killed: the estimate counted output times, not pieces
    counter = Counter(monkeypatch)
    times = log_times(1e-3, 3.0 * protocol.default_stop(), 4)
    ds = run(ASYM, protocol, times)
    est = run_work(ASYM, protocol, float(times[-1]), times.size)
    bins = counter.bins[0]
    assert est.varying_segments / estimate_bins(ASYM, *_range(protocol, times)) == counter.varying
    assert est.constant_segments / estimate_bins(ASYM, *_range(protocol, times)) == counter.constant
    points = est.varying_points + est.constant_points
    _within_two(points, bins * ds.sizes["time"])
    pieces = est.varying_segments + est.constant_segments
    _within_two(pieces, bins * (counter.varying + counter.constant))


def _range(protocol, times) -> tuple[float, float, float]:
    lo, hi = protocol.resolved(ASYM).temperature_range(ASYM, float(times[-1]))
    return lo, hi, float(times[-1])


@pytest.mark.parametrize("glass", [ASYM, default_glass()], ids=["asymptotic", "exact"])
def test_step_work_is_the_work_the_engine_does(monkeypatch, glass) -> None:
    # Gamma and metallic scans: exact spectra build one ensemble per temperature, which the
    # estimate left out (metallic scans ran ~200 times longer than estimated)
    counter = Counter(monkeypatch)
    temps, tau = [0.1, 0.2, 0.4], log_times(1e-6, 1e3, 2)
    gruneisen_vs_tau(glass, temps, tau)
    est = step_work(glass, max(temps), len(temps), float(tau[-1]), tau.size)
    if glass.spectrum == "exact":
        assert len(counter.bins) == len(temps)
        _within_two(est.exact_bins, sum(counter.bins))
        _within_two(est.step_points, sum(counter.bins) * tau.size)
    else:
        assert est.exact_bins == 0
        actual = sum(build_ensemble(glass, t, t, float(tau[-1])).size for t in temps) * tau.size
        _within_two(est.step_points, actual)


def test_a_fit_does_at_most_its_capped_evaluations_of_the_estimated_work(monkeypatch) -> None:
    calls: list[int] = []
    predict = FIT_MODULE.predict

    def counted(model, data, **kw):
        calls.append(data.size)
        return predict(model, data, **kw)

    monkeypatch.setattr(FIT_MODULE, "predict", counted)
    temps = np.linspace(0.1, 0.3, 8)
    truth = FIT_MODULE.predict(
        ASYM.replace(c=7.0), measurement("alpha", np.zeros(8), temperature=temps, tau_expt=100.0)
    )
    data = measurement("alpha", truth, temperature=temps, tau_expt=100.0)
    calls.clear()
    result = fit(data, ASYM, ["c"])
    assert len(calls) <= FIT_EVALUATION_CAP * fit_evaluations("leastsq", 1) + 2 * (1 + 1) + 1
    assert result.values["c"] == pytest.approx(7.0, rel=1e-4)
    # the cap is enforced: a minimiser allowed 3 evaluations stops and says so
    monkeypatch.setitem(FIT_METHODS, "leastsq", 1)
    monkeypatch.setattr(FIT_MODULE, "FIT_EVALUATION_CAP", 1)
    calls.clear()
    stopped = fit(data, ASYM.replace(c=3.0), ["c"])
    # beyond the cap: lmfit's evaluations for the covariance (two per free parameter and one)
    # and the best fit's own
    assert len(calls) <= fit_evaluations("leastsq", 1) + 2 * (1 + 1) + 1
    assert any("stopped before converging" in w for w in stopped.warnings), stopped.warnings


def test_an_unknown_fit_method_is_refused() -> None:
    data = measurement("alpha", [1e-9, 2e-9, 3e-9], temperature=[0.1, 0.2, 0.3], tau_expt=1.0)
    with pytest.raises(ParameterError, match="method = 'newton-raphson' is not a fit method"):
        fit(data, ASYM, ["c"], method="newton-raphson")


def _big_files(folder) -> None:
    rows = "".join(f"{i},{0.3 + 0.01 * (i % 7):.4f}\n" for i in range(200_000))
    (folder / "sched.csv").write_text("time [s],temperature [K]\n" + rows)
    points = "".join(f"{80 + 0.05 * i:.3f},-1e-9\n" for i in range(5000))
    (folder / "fit.csv").write_text("# tau_expt = 100 s\ntemperature [mK],alpha [1/K]\n" + points)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["metallic", "--temperatures-per-decade", "1000000"], "temperatures would take"),
        (["run", "schedule", "--schedule", "sched.csv"], "schedule of 200000 rows with"),
        (["sweep", "--grid", "temperature=log:0.1:1:200000"], "a sweep of 200000 points"),
        (["fit", "fit.csv", "--vary", "c"], "a fit of 5000 data points"),
    ],
)
def test_requests_that_ran_until_killed_are_refused_at_once(
    tmp_path, capsys, monkeypatch, argv, message
) -> None:
    monkeypatch.chdir(tmp_path)
    _big_files(tmp_path)
    assert main([*argv, "--quiet", "--out", "x.nc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "give --yes" in err, err
    assert not (tmp_path / "x.nc").exists()


@pytest.mark.parametrize(
    "call",
    [
        # an isolated pulse solves its energy balance at every step: 18k output times suffice
        lambda: run(ASYM, IsolatedPulse(), log_times(1e-6, 1e3, 2000)),
        lambda: gruneisen_vs_tau(ASYM, np.linspace(0.1, 1.0, 100_000), log_times(1e-8, 1e5, 5)),
        lambda: alpha_through_tc(get_glass("zrcu"), np.geomspace(0.3, 3.0, 100_000), [1.0]),
        lambda: sweep(ASYM, {"temperature": np.geomspace(0.1, 1.0, 200_000)}, scheduler="threads"),
    ],
    ids=["run", "gamma", "metallic", "sweep"],
)
def test_api_entry_points_refuse_long_work_naming_yes_true(call) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ParameterError, match=r"pass yes=True to run it anyway") as info:
            call()
    assert "--yes" not in str(info.value)
