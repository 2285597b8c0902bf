"""Cost estimates made before any work, and the limit above which a request asks for ``--yes``
(API: ``yes=True``).

**Work units.** The work of every request is counted in units that the code really performs,
each with its own cost per unit measured on the 2-core test machine and rounded up
(``benchmarks/bench_cost.py`` prints each measured figure, and every estimate beside the
measured duration):

==============================  ==========================================================
``exact_bins``                  bins of an ensemble built from exact spectra (one build per
                                run, per temperature of a Γ or metallic computation, per
                                evaluation of a fit)
``step_points``                 bins × τ_expt values of a linear response (Γ, metallic, fit)
``constant_points``             bins × output times where T is constant
``varying_points``              bins × output times where T(t) varies
``varying_segments``            bins × pieces of T(t) that vary (the integrator restarts at
                                each breakpoint: a schedule of 200k rows is 200k of them)
``constant_segments``           bins × constant pieces (a staircase's dwells)
``isolated_points``             bins × output times of an isolated pulse (energy balance solved
                                at every step)
``closed_form_points``          values of the closed-form Γ printed
==============================  ==========================================================

A fit multiplies the work of one evaluation of its model by the number of evaluations its
minimiser typically needs (:data:`FIT_METHODS`), and the minimiser is stopped at
:data:`FIT_EVALUATION_CAP` times that number, so that no fit runs far beyond its estimate. A sweep
is its points times the work of one point, shared by the local workers.

The bin count is estimated from the resolution without building the ensemble (building exact
spectra is itself expensive): :math:`n_E \\times n_p` per TLS type, with :math:`n_E` the energy
nodes over :math:`[x_{min} k_BT_{low}, x_{max} k_BT_{high}]` and :math:`n_p` the p nodes over
:math:`[c\\,\\tau_{min}(T_{high})/t_{end}, 1]`; exact spectra have
:data:`EXACT_BINS_PER_ASYMPTOTIC` times as many (their wider grid and mirror partners; measured
3.7-7.4 on every preset). ``tests/test_cost.py`` checks every estimate against the units the code
performs, counted, not against time.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dynamics.ensemble import Resolution
from dynamics.rates import tau_min
from dynamics.validation import ParameterError

#: Work estimated above this is refused without ``--yes`` (``yes=True``). [s]
MAX_ESTIMATE_S = 600.0
#: Seconds per unit of each kind of work (module docstring), measured on the 2-core test machine
#: by ``benchmarks/bench_cost.py`` and rounded up. [s]
SECONDS_PER_UNIT: dict[str, float] = {
    "exact_bins": 6e-6,  # measured 3.4-4.7e-6 s per bin built (spectral atlas loaded)
    "step_points": 2e-8,  # measured 4-11e-9
    "constant_points": 1e-8,  # measured 3-6e-9
    "varying_points": 1e-7,  # measured 7-9e-8
    "varying_segments": 3e-6,  # measured 1-2.6e-6 (200-3000 pieces)
    "constant_segments": 1e-7,  # measured 2-5e-8
    "isolated_points": 1e-5,  # measured 2e-6 at 0.1 K, more at lower bath temperatures
    "closed_form_points": 2e-5,  # measured ~1e-5
}
#: One value of closed-form Γ computed and printed. [s]
SECONDS_PER_CLOSED_FORM_POINT = SECONDS_PER_UNIT["closed_form_points"]
#: Bins of an exact-spectrum ensemble per bin of the asymptotic estimate (measured 3.7-7.4). [1]
EXACT_BINS_PER_ASYMPTOTIC = 5.0
#: Fit minimisers allowed (lmfit names) -> evaluations of the model they typically need per free
#: parameter plus one (measured on docs/fit_example_alpha.csv with 1-3 free parameters:
#: leastsq 2.5-13, least_squares 3-13, nelder 21-56, powell 22-33, lbfgsb 5-44). [1]
FIT_METHODS: dict[str, int] = {
    "leastsq": 15,
    "least_squares": 15,
    "nelder": 60,
    "powell": 60,
    "lbfgsb": 50,
}
#: A fit's minimiser is stopped after this many times its typical number of evaluations. [1]
FIT_EVALUATION_CAP = 4


@dataclass(frozen=True)
class Work:
    """The countable work of a request (module docstring); each field a number of units. [1]"""

    exact_bins: float = 0.0
    step_points: float = 0.0
    constant_points: float = 0.0
    varying_points: float = 0.0
    varying_segments: float = 0.0
    constant_segments: float = 0.0
    isolated_points: float = 0.0
    closed_form_points: float = 0.0

    def __add__(self, other: Work) -> Work:
        return Work(**{f: getattr(self, f) + getattr(other, f) for f in _FIELDS})

    def scaled(self, factor: float) -> Work:
        """This work ``factor`` times."""
        return Work(**{f: getattr(self, f) * factor for f in _FIELDS})

    @property
    def seconds(self) -> float:
        """Estimated duration, :data:`SECONDS_PER_UNIT` per unit. [s]"""
        return float(sum(getattr(self, f) * SECONDS_PER_UNIT[f] for f in _FIELDS))


_FIELDS = tuple(f.name for f in dataclasses.fields(Work))


def format_duration(seconds: float) -> str:
    """``"42 s"``, ``"12 min"``, ``"4.6 h"``, ``"3.1 d"``."""
    if seconds < 120:
        return f"{seconds:.2g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.3g} h"
    return f"{seconds / 86400:.3g} d"


def is_exact(model: Any) -> bool:
    """Whether ``model`` builds its bins from exact spectra."""
    return getattr(model, "spectrum", "asymptotic") == "exact"


def estimate_bins(
    model: Any, t_low: float, t_high: float, t_end: float, resolution: Resolution | None = None
) -> int:
    """Approximate number of (E, p) bins of a run (module docstring). [1]

    Parameters
    ----------
    model
        The glass (its ``A``, ``tls_types`` and spectrum).
    t_low, t_high
        Temperature range of the run. [K]
    t_end
        Last output time. [s]
    resolution
        Quadrature resolution (default if omitted).
    """
    res = resolution or Resolution()
    e_decades = math.log10(res.x_max / res.x_min) + math.log10(t_high) - math.log10(t_low)
    n_e = res.energy_nodes * max(1, math.ceil(e_decades / res.energy_panel_decades))
    fastest = float(tau_min(t_high, model.A))
    span = math.log10(max(t_end, fastest)) - math.log10(res.relaxation_cutoff * fastest)
    p_decades = max(1.0, span)
    n_p = res.p_nodes * max(1, math.ceil(min(p_decades, 300.0) / res.p_panel_decades))
    bins = len(model.tls_types) * n_e * n_p
    return int(bins * EXACT_BINS_PER_ASYMPTOTIC) if is_exact(model) else bins


def log_count(start: float, stop: float, points_per_decade: float) -> int:
    """Number of times :func:`protocols.histories.log_times` gives, without making them. [1]"""
    from protocols.histories import log_count as count

    return count(start, stop, points_per_decade)


def _segment_counts(history: Any, t_end: float) -> tuple[int, int] | None:
    """(varying, constant) pieces of T(t) that start before ``t_end``; None for a history that
    propagates itself (the isolated pulse)."""
    try:
        segments = history.segments()
    except NotImplementedError:
        return None
    started = [s for s in segments if s.start <= t_end]  # propagate stops after t_end's
    varying = sum(1 for s in started if not s.is_constant)
    return varying, len(started) - varying


def run_work(
    model: Any, protocol: Any, t_end: float, n_times: int, resolution: Resolution | None = None
) -> Work:
    """The work of :func:`protocols.run.run` of ``protocol`` with ``n_times`` output times up to
    ``t_end`` [s] (module docstring)."""
    history = protocol.resolved(model)  # a heat pulse given by its energy: its delta_T
    try:
        lo, hi = history.temperature_range(model, t_end)
    except ParameterError:  # refused by the run itself, with its own message
        lo = hi = history.initial_temperature
    bins = estimate_bins(model, lo, hi, max(t_end, 1e-300), resolution)
    built = Work(exact_bins=bins) if is_exact(model) else Work()
    counts = _segment_counts(history, t_end)
    own = history.output_times(np.array([float(t_end)])).size - 1  # a staircase's dwell ends
    n = max(n_times, 1) + own
    if counts is None:
        return built + Work(isolated_points=bins * n)
    varying, constant = counts
    points = Work(varying_points=bins * n) if varying else Work(constant_points=bins * n)
    pieces = Work(varying_segments=bins * varying, constant_segments=bins * constant)
    return built + points + pieces


def step_work(
    model: Any,
    hottest: float,
    n_temperatures: int,
    tau_max: float,
    n_tau: int,
    resolution: Resolution | None = None,
) -> Work:
    """The work of a linear response at ``n_temperatures`` temperatures up to ``hottest`` [K],
    ``n_tau`` durations up to ``tau_max`` [s] (:func:`dynamics.response.step_response`: one
    ensemble per temperature). An upper bound: every temperature is given the bins of the
    hottest (cooler ones have fewer p decades)."""
    bins = estimate_bins(model, hottest, hottest, tau_max, resolution)
    built = Work(exact_bins=bins * n_temperatures) if is_exact(model) else Work()
    return built + Work(step_points=bins * n_temperatures * n_tau)


def measurement_work(model: Any, data: Any, resolution: Resolution | None = None) -> Work:
    """The work of one evaluation of the model at every point of a fit's data set
    (:func:`protocols.fit.predict`)."""
    if data.time is not None and data.protocol is not None:
        n_times = int(np.unique(data.time).size)
        return run_work(model, data.protocol, float(np.max(data.time)), n_times, resolution)
    temps, taus = np.unique(data.temperature), np.unique(data.tau_expt)
    return step_work(model, float(temps.max()), temps.size, float(taus.max()), taus.size)


def fit_evaluations(method: str, n_vary: int) -> int:
    """Typical number of evaluations of the model by the fit minimiser ``method`` with
    ``n_vary`` free parameters (:data:`FIT_METHODS`), the best fit's own included. [1]"""
    return FIT_METHODS[method] * (n_vary + 1) + 1


def fit_work(
    data: Sequence[Any], model: Any, n_vary: int, method: str, resolution: Resolution | None
) -> Work:
    """The work of a fit: :func:`fit_evaluations` times one evaluation of every data set."""
    one = Work()
    for m in data:
        one = one + measurement_work(model, m, resolution)
    return one.scaled(fit_evaluations(method, n_vary))


def sweep_point_work(spec: Any) -> Work:
    """The work of one point of a sweep (:class:`protocols.sweeps.grid.SweepSpec`): Γ mode, a
    linear response at the hottest swept temperature; protocol mode, a run of the base protocol
    over the sweep's output times, on the base glass."""
    if spec.mode == "gamma":
        hottest = max(
            float(v.max())
            for v, t in zip(spec.values, spec.targets, strict=True)
            if t == "temperature"
        )
        tau = spec.tau_expt
        return step_work(spec.glass, hottest, 1, float(tau.max()), tau.size, spec.resolution)
    times = spec.times
    return run_work(spec.glass, spec.protocol, float(times[-1]), times.size, spec.resolution)


def estimate_run_seconds(model: Any, protocol: Any, t_end: float, n_times: int) -> float:
    """Estimated duration of :func:`protocols.run.run` (:func:`run_work`). [s]"""
    return run_work(model, protocol, t_end, n_times).seconds


def estimate_gamma_seconds(model: Any, temperatures: Any, tau_max: float, n_tau: int) -> float:
    """Estimated duration of Γ(τ_expt) at ``temperatures`` [K], ``n_tau`` durations up to
    ``tau_max`` [s] (:func:`step_work`). [s]"""
    temps = np.atleast_1d(np.asarray(temperatures, dtype=float))
    return step_work(model, float(temps.max()), temps.size, tau_max, n_tau).seconds


def check_cost(
    what: str, seconds: float, *, yes: bool, hint: str = "fewer points", override: str = "--yes"
) -> None:
    """Refuse work estimated above :data:`MAX_ESTIMATE_S` unless ``yes``.

    Parameters
    ----------
    what
        The request, for the message (e.g. ``"run with 1.5e9 output times"``).
    seconds
        Its estimated duration. [s]
    yes
        The user's override.
    hint
        How to make the request smaller.
    override
        How the user overrides: ``"--yes"`` on the command line, ``"yes=True"`` in the API.

    Raises
    ------
    ParameterError
        One line with the estimate, the limit and how to override.
    """
    if seconds > MAX_ESTIMATE_S and not yes:
        verb = "give" if override.startswith("-") else "pass"
        raise ParameterError(
            f"{what} would take about {format_duration(seconds)} (estimate; the limit without "
            f"confirmation is {format_duration(MAX_ESTIMATE_S)}): {verb} {override} to run it "
            f"anyway, or ask for {hint}"
        )


def check_step_cost(
    what: str, model: Any, temperatures: Any, tau: Any, resolution: Any, yes: bool
) -> None:
    """Refuse a linear response (Γ, metallic) of the API estimated above the limit unless
    ``yes`` (:func:`step_work`; the message names ``yes=True``).

    Parameters
    ----------
    what
        The request, for the message.
    model
        The glass.
    temperatures, tau
        Its temperatures [K] and durations of the experiment [s], checked 1-D arrays.
    resolution
        Quadrature resolution, or None.
    yes
        The user's override.
    """
    n_t, n_tau = int(np.size(temperatures)), int(np.size(tau))
    work = step_work(model, float(np.max(temperatures)), n_t, float(np.max(tau)), n_tau, resolution)
    check_cost(what, work.seconds, yes=yes, override="yes=True")
