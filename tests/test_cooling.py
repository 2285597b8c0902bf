"""Cooling by large factors: steps, staircases, ramps and schedules to 1 mK.

The reference is detailed balance: once every bin has relaxed, each bin's occupation is the
equilibrium one at the final temperature whatever the path, so the long-time TLS strain and heat
of a cooling history are minus those of the same history run backwards (heating, which never
overflowed), and equal the equilibrium difference summed over the bins, computed here from the
plain occupations (no cancellation at these large factors).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dynamics import NumericalError, ParameterError, default_glass
from dynamics.ensemble import Ensemble, Resolution, build_ensemble
from dynamics.propagation import Segment, _Integrator, propagate
from dynamics.thermal import equilibrium_occupation
from protocols.histories import HeatStep, Ramp, Schedule, Staircase, TemperatureHistory
from protocols.output import check_dataset_finite, write_netcdf
from protocols.run import run

GLASS = default_glass(spectrum="asymptotic")
#: coarse bins: the identity holds bin by bin, at any resolution
RES = Resolution(energy_nodes=4, p_nodes=3)
#: The bins are built for runs of up to BUILT_FOR seconds (p above the floor that such a run
#: resolves); by LATE even the slowest of them (k >~ 1e-30 s-1 at 1 mK) has relaxed completely.
BUILT_FOR = 1e3
LATE = 1e100
TIMES = np.array([1e-6, 1e-3, 1.0, 10.0, 1e3, 1e6, LATE])

PAIRS = [(1.0, 0.01), (0.3, 0.014), (3.0, 1e-3)]


def _ensemble(protocol: TemperatureHistory) -> Ensemble:
    lo, hi = protocol.temperature_range(GLASS, BUILT_FOR)
    return build_ensemble(GLASS, lo, hi, BUILT_FOR, RES)


def _equilibrium_difference(ens: Ensemble, t_from: float, t_to: float) -> np.ndarray:
    """sum over bins of the observation row times n_eq(E, t_to) - n_eq(E, t_from), plain."""
    dn = equilibrium_occupation(ens.energy, t_to) - equilibrium_occupation(ens.energy, t_from)
    return ens.observation_matrix @ dn


def _response(ens: Ensemble, protocol: TemperatureHistory, times: np.ndarray) -> np.ndarray:
    r = propagate(ens, protocol.initial_temperature, protocol.segments(), times)
    out = np.concatenate([r.strain, r.heat])
    assert np.all(np.isfinite(out))
    return out


def _check(cool: TemperatureHistory, heat: TemperatureHistory, t_hi: float, t_lo: float) -> None:
    ens = _ensemble(cool)
    got_cool = _response(ens, cool, TIMES)
    got_heat = _response(ens, heat, TIMES)
    expected = _equilibrium_difference(ens, t_hi, t_lo)
    # Every bin's late value is its equilibrium difference to rounding (1 - e^{-kt} = 1 for
    # every bin at t = 1e100 s); sums over ~1e3 bins of terms of mixed sign: 1e-12 relative
    # to each observable's magnitude (the plain difference of occupations is exact to 1e-16
    # absolute, no cancellation at these factors).
    np.testing.assert_allclose(got_cool[:, -1], expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(got_cool[:, -1], -got_heat[:, -1], rtol=1e-12, atol=0)
    # on the way: bounded by the equilibrium departure of the whole path (heat of each type
    # moves monotonically towards it for a monotonic cooling)
    n = len(ens.tls_types)
    assert np.all(np.abs(got_cool[n:]) <= 1.000001 * np.abs(expected[n:, None]))
    # and the dataset of the same run through protocols.run is finite and can be written
    check_dataset_finite(run(GLASS, cool, TIMES[:-1], resolution=RES))


@pytest.mark.parametrize(("t_hi", "t_lo"), PAIRS)
def test_cooling_step_is_the_heating_step_backwards(t_hi: float, t_lo: float) -> None:
    _check(HeatStep(t_hi, t_lo), HeatStep(t_lo, t_hi), t_hi, t_lo)


@pytest.mark.parametrize(("t_hi", "t_lo"), PAIRS)
def test_cooling_ramp_is_the_heating_ramp_backwards(t_hi: float, t_lo: float) -> None:
    _check(Ramp(t_hi, t_lo, 1.0), Ramp(t_lo, t_hi, 1.0), t_hi, t_lo)


@pytest.mark.parametrize(("t_hi", "t_lo"), PAIRS)
def test_cooling_schedule_is_the_heating_schedule_backwards(t_hi: float, t_lo: float) -> None:
    cool = Schedule((0.0, 5.0, 100.0), (t_hi, 0.5 * (t_hi + t_lo), t_lo))
    heat = Schedule((0.0, 5.0, 100.0), (t_lo, 0.5 * (t_hi + t_lo), t_hi))
    _check(cool, heat, t_hi, t_lo)


def test_cooling_staircase_from_3_kelvin_to_1_millikelvin() -> None:
    # 3 K down to 1 mK in 8 steps; 1 mK up to 3 K backwards (same levels in reverse)
    levels = np.linspace(3.0, 1e-3, 9)
    delta = float(levels[1] - levels[0])
    cool = Staircase(3.0, delta, 8, 10.0)
    t_end = float(cool.levels[-1])
    heat = Staircase(t_end, -delta, 8, 10.0)
    ens = _ensemble(cool)
    times = np.array([1e-3, 1.0, 10.0, 80.0, 1e3, LATE])
    got_cool = _response(ens, cool, times)
    got_heat = _response(ens, heat, times)
    expected = _equilibrium_difference(ens, 3.0, t_end)
    np.testing.assert_allclose(got_cool[:, -1], expected, rtol=1e-12)
    # the heating staircase ends at 3 K up to the rounding of its levels (a few ulps of 3 K,
    # relative 1e-15 in T, amplified by E/k_BT <= 40 in the occupations): 1e-12
    np.testing.assert_allclose(got_cool[:, -1], -got_heat[:, -1], rtol=1e-12)
    check_dataset_finite(run(GLASS, cool, times[:-1], resolution=RES))


def test_a_history_turning_nan_fails_at_once() -> None:
    # A history whose temperature turns NaN half way: one error, not an endless loop.
    ens = build_ensemble(GLASS, 0.1, 0.3, 10.0, RES)

    def broken(t: np.ndarray) -> np.ndarray:
        return np.where(np.asarray(t) < 1.0, 0.3 - 0.01 * np.asarray(t), np.nan)

    segments = [Segment(0.0, 5.0, broken), Segment(5.0, math.inf, 0.25)]
    with pytest.raises(ParameterError, match="temperature = nan"):
        propagate(ens, 0.3, segments, [0.5, 2.0, 10.0])


def test_the_integrator_reports_a_nan_error_estimate() -> None:
    ens = build_ensemble(GLASS, 0.1, 0.3, 10.0, RES)
    integ = _Integrator(ens, 0.3, 1e-6)
    dn = np.zeros(ens.size)
    dn[0] = np.nan
    with pytest.raises(NumericalError, match="occupation state"):
        integ.advance(dn, Segment(0.0, 1.0, lambda t: 0.3 + 0.0 * t), 0.0, 1.0, 0.1)


def test_a_dataset_with_nan_is_refused_in_one_line(tmp_path) -> None:
    ds = run(GLASS, HeatStep(0.3, 0.33), TIMES[:3], resolution=RES)
    bad = ds.copy()
    bad["strain"] = bad["strain"].copy(data=np.where(bad.time > 1e-4, np.nan, 0.0))
    with pytest.raises(NumericalError, match=r"variable 'strain' has 2 non-finite") as info:
        write_netcdf(bad, tmp_path / "x.nc")
    assert "\n" not in str(info.value)
    assert not list(tmp_path.iterdir())
    # NaN as "undefined" is allowed only where documented (Gruneisen where the heat is 0)
    ok = ds.copy()
    ok["gruneisen"] = ok["gruneisen"].copy(data=np.full(ok["gruneisen"].shape, np.nan))
    write_netcdf(ok, tmp_path / "ok.nc")
    ok["gruneisen"] = ok["gruneisen"].copy(data=np.full(ok["gruneisen"].shape, np.inf))
    with pytest.raises(NumericalError, match="gruneisen"):
        write_netcdf(ok, tmp_path / "inf.nc")


def test_an_isolated_pulse_at_10_millikelvin_finishes() -> None:
    # Wrote NaN before (cooling overflow in the bracket search), then found no balancing
    # temperature for a first step longer than the TLS take to swallow the pulse (now a
    # rejected step), and took > 100 s on a busy machine (a BLAS-threaded 1-D dot ~25 times per
    # step). The energy balance holds at every output time.
    from dynamics.thermal import debye_heat_content
    from protocols.histories import IsolatedPulse

    pulse = IsolatedPulse(T_bath=0.01)
    ds = run(GLASS, pulse, [1e-6, 1e-3, 1.0, 1e3], resolution=RES)
    check_dataset_finite(ds)
    # deposited energy = phonons above the bath + TLS heat (no link): to the solver's 1e-13
    # relative tolerance on T, amplified by C/U ~ 4 (phonons)
    phonon = debye_heat_content(
        ds["temperature"].values, GLASS.debye_coefficient
    ) - debye_heat_content(0.01, GLASS.debye_coefficient)
    total = phonon + ds["heat_tls"].sum("tls_type").values
    np.testing.assert_allclose(total, pulse.heat_density, rtol=1e-9)
