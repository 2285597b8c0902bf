"""Protocols: validation, T(t) against segments, and the physics of each run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dynamics import ParameterError, default_glass
from dynamics.ensemble import Resolution, build_ensemble
from dynamics.propagation import linear_response
from dynamics.rates import tau_min
from protocols.histories import (
    HeatPulse,
    HeatStep,
    IsolatedPulse,
    Ramp,
    Schedule,
    Staircase,
    log_times,
    make_protocol,
    protocol_from_dict,
)
from protocols.run import gruneisen_vs_tau, run

GLASS = default_glass(spectrum="asymptotic")
COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: HeatStep(-0.3, 0.4),
            r"T0 = -0.3 is outside the allowed range \[1e-09, inf\) \[K\]",
        ),
        (lambda: HeatStep(0.3, 0.3), r"T1 = 0.3 must differ from T0"),
        (lambda: HeatStep(0.3, math.nan), r"T1 = nan is not a finite number"),
        (lambda: HeatPulse(0.3, 10.0, delta_T=None, heat_density=None), "exactly one of delta_T"),
        (lambda: HeatPulse(0.3, 10.0, delta_T=0.1, heat_density=1.0), "exactly one of delta_T"),
        (lambda: HeatPulse(0.3, -1.0), r"tau_link = -1 is outside"),
        (lambda: HeatPulse(0.3, 1.0, delta_T=-0.5), r"delta_T = -0.5 must be nonzero and keep"),
        (
            lambda: Staircase(0.1, 0.01, 0, 10.0),
            r"steps = 0 is outside the allowed range \[1, 10000\]",
        ),
        (lambda: Staircase(0.1, 0.0, 3, 10.0), r"delta_T = 0 is not allowed"),
        (lambda: Staircase(0.1, -0.05, 3, 10.0), r"it must stay > 0"),
        (lambda: Staircase(0.1, 0.01, 3, 0.0), r"dwell = 0 is outside"),
        (lambda: Ramp(0.1, 0.2, 0.0), r"ramp_rate = 0 is outside"),
        (lambda: Ramp(0.1, 0.1, 1.0), r"T_end = 0.1 must differ"),
        (
            lambda: Schedule((0.0, 2.0, 1.0), (0.3, 0.3, 0.3)),
            r"non-monotonic schedule\): times\[2\] = 1 s",
        ),
        (lambda: Schedule((1.0, 2.0), (0.3, 0.3)), r"times\[0\] = 1 s must be 0"),
        (lambda: Schedule((0.0, 1.0), (0.3,)), r"two columns of the same length"),
        (lambda: Schedule((0.0, 1.0), (0.3, -0.1)), r"temperatures = -0.1 is outside"),
        (lambda: IsolatedPulse(0.1, 0.0), r"heat_density = 0 is outside"),
        (lambda: IsolatedPulse(0.1, 1e-4, -1.0), r"link_conductance = -1 is outside"),
        (lambda: make_protocol("quench"), r"protocol = 'quench' is not known"),
        (
            lambda: make_protocol("heat-step", T2=1.0),
            r"T2 is not a parameter of protocol 'heat-step'",
        ),
        (lambda: log_times(1.0, 0.5), r"t_stop = 0.5 s must exceed t_start"),
    ],
)
def test_protocols_reject_bad_input_naming_the_parameter(make, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        make()


def test_schedule_from_csv(tmp_path) -> None:
    good = tmp_path / "t.csv"
    good.write_text("time_s,temperature_K\n0,0.3\n10,0.4\n# comment\n20,0.4\n")
    s = Schedule.from_csv(good)
    assert s.times == (0.0, 10.0, 20.0) and s.temperatures == (0.3, 0.4, 0.4)
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,temperature_K\n0,0.3\n10,warm\n")
    with pytest.raises(ParameterError, match="line 3"):
        Schedule.from_csv(bad)
    with pytest.raises(ParameterError, match="cannot be read"):
        Schedule.from_csv(tmp_path / "missing.csv")
    backwards = tmp_path / "back.csv"
    backwards.write_text("0,0.3\n5,0.3\n2,0.3\n")
    with pytest.raises(ParameterError, match="non-monotonic"):
        Schedule.from_csv(backwards)


@pytest.mark.parametrize(
    "protocol",
    [
        HeatStep(),
        HeatPulse(),
        Staircase(0.1, 0.02, 4, 5.0),
        Ramp(0.1, 0.3, 0.05),
        Schedule((0.0, 1.0, 3.0, 4.0), (0.2, 0.25, 0.25, 0.22)),
    ],
)
def test_temperature_agrees_with_the_segments_and_round_trips(protocol) -> None:
    t = np.concatenate([[0.0], np.logspace(-3, 2, 200)])
    segs = protocol.segments()
    from_segments = np.array(
        [next(s for s in segs if s.start <= x < s.stop).temperature_at(x) for x in t]
    )
    np.testing.assert_allclose(from_segments, protocol.temperature(t), rtol=1e-13)
    assert protocol_from_dict(protocol.to_dict()) == protocol


def test_heat_step_quantities_and_linear_response() -> None:
    # alpha, C and Gamma of a 1e-3 step against the exact linear response (differences O(dT/T));
    # C(inf) of the step against the equilibrium heat capacity at the mid temperature (O(dT^2)).
    t0, t1 = 0.3, 0.3003
    times = log_times(1e-9, 1e4, 4)
    ds = run(GLASS, HeatStep(t0, t1), times)
    ens = build_ensemble(GLASS, t0, t1, times[-1])
    alpha, heat_capacity = linear_response(ens, t0, times)
    np.testing.assert_allclose(ds["alpha"].values, alpha.sum(0), rtol=5e-3)
    np.testing.assert_allclose(ds["heat_capacity"].values, heat_capacity.sum(0), rtol=5e-3)
    np.testing.assert_allclose(
        ds["gruneisen"], GLASS.bulk_modulus * ds["alpha"] / ds["heat_capacity"], rtol=1e-12
    )
    from dynamics.propagation import equilibrium_heat_capacity

    c_mid = equilibrium_heat_capacity(ens, 0.5 * (t0 + t1)).sum()
    assert float(ds["heat_capacity_equilibrium"]) == pytest.approx(c_mid, rel=1e-5)
    assert float(ds["tau_min"]) == pytest.approx(float(tau_min(t1, GLASS.A)), rel=1e-14)


def test_default_heat_pulse_contracts_then_expands_slowly() -> None:
    # Sec. VI: on heating the glass first contracts (fast TLS, D > 0), reaches a minimum near
    # tau_min, then expands slowly as slow TLS thermalise, until the link cools it back.
    p = HeatPulse()
    ds = run(GLASS, p, resolution=COARSE)
    strain = ds["strain"].values
    t = ds["time"].values
    i = int(np.argmin(strain))
    t_min = float(tau_min(p.T_bath + p.delta_T, GLASS.A))
    assert strain[i] < 0
    assert 0.3 < t[i] / t_min < 3
    rising = (t > t[i]) & (t < 0.1 * p.tau_link)
    assert np.all(np.diff(strain[rising]) > 0)
    # by 0.1 tau_link (T still near its peak) more than half the contraction has come back
    assert 0.5 * strain[i] < strain[np.searchsorted(t, 0.1 * p.tau_link)] < 0


def test_staircase_reads_alpha_at_the_end_of_each_dwell() -> None:
    # One step: identical to a heat step read at t = dwell. Several: in the linear regime the
    # strain is the superposition of step responses, eps(t) = dT sum_k alpha_lin(t - k dwell).
    dwell, dt = 3.0, 3e-4
    one = run(GLASS, Staircase(0.3, dt, 1, dwell), log_times(1e-9, dwell, 3), resolution=COARSE)
    step = run(GLASS, HeatStep(0.3, 0.3 + dt), log_times(1e-9, dwell, 3), resolution=COARSE)
    assert float(one["alpha"][0]) == pytest.approx(float(step["alpha"].sel(time=dwell)), rel=1e-12)
    stair = run(
        GLASS, Staircase(0.3, dt, 3, dwell), log_times(1e-9, 3 * dwell, 3), resolution=COARSE
    )
    ens = build_ensemble(GLASS, 0.3, 0.3 + 3 * dt, 3 * dwell, COARSE)

    def eps(t: float) -> float:
        lags = [t - k * dwell for k in range(3) if t - k * dwell > 0]
        return dt * sum(linear_response(ens, 0.3, np.array([lag]))[0].sum() for lag in lags)

    ends = [dwell, 2 * dwell, 3 * dwell]
    expected = [(eps(b) - eps(b - dwell if b > dwell else 0.0)) / dt for b in ends]
    expected[0] = eps(dwell) / dt
    np.testing.assert_allclose(stair["alpha"].values, expected, rtol=1e-2)  # O(dT/T) + O(3dT/T)
    assert list(stair["step_temperature"].values) == pytest.approx(
        [0.3 + dt * k for k in (1, 2, 3)]
    )


def test_ramp_equals_the_same_schedule() -> None:
    ramp = Ramp(0.2, 0.3, 0.01)
    sched = Schedule((0.0, ramp.duration), (0.2, 0.3))
    times = log_times(1e-6, 30.0, 5)
    a = run(GLASS, ramp, times, resolution=COARSE)
    b = run(GLASS, sched, times, resolution=COARSE)
    # the same physics; T(t) is evaluated by different formulas, so equal to rounding
    np.testing.assert_allclose(a["strain"].values, b["strain"].values, rtol=1e-12)


@pytest.mark.parametrize("link", [0.0, 1e-3])
def test_isolated_pulse_conserves_energy(link: float) -> None:
    p = IsolatedPulse(0.1, 1e-4, link)
    times = log_times(1e-9, 1e3, 4)
    ds = run(GLASS, p, times, resolution=COARSE)
    total = ds["heat_phonon"] + ds["heat_tls"].sum("tls_type") + ds["heat_to_bath"]
    assert float(np.max(np.abs(total / p.heat_density - 1))) < 1e-9  # the target
    temp = ds["temperature"].values
    assert temp[0] < p.peak_temperature(GLASS.debye_coefficient)
    assert np.all(np.diff(temp) <= 1e-12 * temp[:-1])  # the sample only cools
    if link == 0.0:
        assert temp[-1] > p.T_bath  # heat stays in the sample
        assert float(ds["heat_to_bath"].max()) == 0.0


def test_heat_pulse_given_by_heat_density_resolves_delta_T() -> None:
    p = HeatPulse(0.3, 10.0, delta_T=None, heat_density=1e-3)
    ds = run(GLASS, p, log_times(1e-9, 1.0, 2), resolution=COARSE)
    peak = float(ds["temperature"][0]) - 0.3
    ens = build_ensemble(GLASS, 0.3, 0.3, 10.0)
    c = linear_response(ens, 0.3, np.array([10.0]))[1].sum() + GLASS.debye_coefficient * 0.3**3
    assert peak == pytest.approx(1e-3 / c, rel=1e-6)


def test_gruneisen_vs_tau_dataset() -> None:
    ds = gruneisen_vs_tau(GLASS, [0.1, 0.3], np.logspace(-7, 3, 6), resolution=COARSE)
    assert ds["gruneisen"].dims == ("temperature", "tau_expt")
    ratio = GLASS.bulk_modulus * ds["alpha"] / ds["heat_capacity"]
    np.testing.assert_allclose(ds["gruneisen"], ratio, rtol=1e-12)
    # |Gamma| falls as tau_expt grows (Sec. VI)
    assert np.all(np.diff(np.abs(ds["gruneisen_equilibrium"].values), axis=1) < 0)
