"""Runs of a soft-potential glass include the parts that follow the temperature at once
(dynamics.instantaneous, docs/physics.md §11) in strain and heat, and a heat pulse balances its
energy with them; the temperature range of each population (dynamics.parts.check_model_temperature).
Each check is against an independent calculation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.integrate import quad

import protocols
from dynamics.instantaneous import (
    INSTANTANEOUS_PARTS,
    evaluate_parts,
    glass_part_curves,
    instantaneous_heat,
    instantaneous_strain,
)
from dynamics.parts import PARTS, check_model_temperature, part_response, two_level_share
from dynamics.presets import get_glass
from dynamics.response import pulse_rise
from dynamics.units import K_B
from dynamics.validation import ParameterError, TwoLevelRangeWarning

W = 3.5  # K, silica's W of the later literature (an estimate; docs/physics.md §11)


def _soft_glass():
    return get_glass("silica").replace(
        W=W,
        psi=0.0,
        N0=4e22 / (W * K_B),
        population="soft-potential",
        density_law="abs_eta",
    )


@pytest.mark.parametrize(("t0", "t1"), [(2.0, 2.5), (5.0, 6.0), (0.5, 30.0)])
def test_strain_and_heat_of_the_instantaneous_parts_integrate_their_alpha_and_c(t0, t1) -> None:
    # the strain and heat come from the interpolated <dE/d strain> and U; alpha and C from the
    # separately interpolated K alpha and C of the same levels: integrated over T by quad they
    # agree to the interpolation's error (measured <= 2e-5 relative on 60 points per decade;
    # 1e-4 allows for the other glasses' curves)
    glass = _soft_glass()
    curves = glass_part_curves(glass)
    strain = instantaneous_strain(glass, [t1], t0, curves)[:, 0]
    heat = instantaneous_heat(glass, [t1], t0, curves)[:, 0]
    for k in range(len(INSTANTANEOUS_PARTS)):

        def at(temperature: float, name: str, k: int = k) -> float:
            return float(getattr(evaluate_parts(curves, np.array([temperature / W])), name)[k, 0])

        ka = quad(at, t0, t1, args=("thermal_stress",), epsabs=0, epsrel=1e-9, limit=200)[0]
        c = quad(at, t0, t1, args=("heat_capacity",), epsabs=0, epsrel=1e-9, limit=200)[0]
        assert strain[k] == pytest.approx(ka / glass.bulk_modulus, rel=1e-4)
        assert heat[k] == pytest.approx(c, rel=1e-4)


def test_a_heat_step_at_5_k_expands_by_the_equilibrium_alpha_of_every_part() -> None:
    # a step of 1 mK at 5 K = 1.4 W: long after it, the strain over the step is the equilibrium
    # alpha of all parts at the mid temperature (part_response: an independent route through
    # K alpha and the linear response of the bins); the midpoint rule errs by ~(dT/T)^2 = 4e-8,
    # the interpolations by <= 2e-5 (above), the integrator by its rtol 1e-6
    glass = _soft_glass()
    step = protocols.HeatStep(T0=5.0, T1=5.001)
    ds = protocols.run(glass, step, protocols.log_times(1e-9, 1e6, 2))
    assert list(ds.instantaneous_part.values) == list(INSTANTANEOUS_PARTS)
    parts = part_response(glass, [5.0005], [1e6])
    total = float(parts.thermal_expansion[PARTS.index("total"), 0, 0])
    instant = parts.thermal_expansion[[PARTS.index(p) for p in INSTANTANEOUS_PARTS], 0, 0]
    assert float(ds.strain[-1]) / 1e-3 == pytest.approx(total, rel=2e-4)
    np.testing.assert_allclose(ds.strain_instantaneous[:, -1] / 1e-3, instant, rtol=2e-4)
    # the instantaneous parts follow the step at once: the same strain at the first and last time
    np.testing.assert_array_equal(ds.strain_instantaneous[:, 0], ds.strain_instantaneous[:, -1])
    assert ds.strain_instantaneous.attrs["units"] == "1" and ds.heat_instantaneous.attrs["units"]
    heat = (
        ds.heat_tls.sum("tls_type")
        + ds.heat_phonon
        + ds.heat_instantaneous.sum("instantaneous_part")
    )
    np.testing.assert_allclose(ds.heat, heat, rtol=1e-14)


def test_an_isolated_pulse_at_5_k_conserves_energy_with_the_instantaneous_parts() -> None:
    # the heat deposited is held by the phonons, TLS, instantaneous parts and link at every time
    # (the balance's solve converges to 1e-14 in T: dynamics.isolated); the instantaneous parts
    # take most of it at 5 K (their C is ~10x the phonons' there)
    glass = _soft_glass()
    pulse = protocols.IsolatedPulse(T_bath=5.0, heat_density=1.0)
    ds = protocols.run(glass, pulse, protocols.log_times(1e-6, 1e3, 2))
    held = (
        ds.heat_phonon
        + ds.heat_tls.sum("tls_type")
        + ds.heat_instantaneous.sum("instantaneous_part")
        + ds.heat_to_bath
    )
    np.testing.assert_allclose(held, 1.0, rtol=1e-9)
    assert float(ds.heat_instantaneous.sum("instantaneous_part")[0]) > 0.5


def test_a_pulse_given_by_its_heat_rises_by_it_over_the_c_of_every_part() -> None:
    # Delta T = Q / C with C everything that equilibrates within tau_link: part_response's total
    # at tau_expt = tau_link is the same sum by another route (1e-12: the same bins, summed in
    # another order)
    glass = _soft_glass()
    c_total = part_response(glass, [5.0], [1e-3]).heat_capacity[PARTS.index("total"), 0, 0]
    assert pulse_rise(glass, 5.0, 1e-3, 2.0) == pytest.approx(2.0 / c_total, rel=1e-12)


def test_the_soft_potential_population_runs_to_ten_w_and_refuses_beyond() -> None:
    glass = _soft_glass()
    check_model_temperature("temperature", 10.0 * W, glass)  # the top of the tables
    with pytest.raises(ParameterError, match=r"^temperature = 35.1 K is outside the allowed"):
        check_model_temperature("temperature", 35.1, glass)


def test_the_two_level_population_warns_by_the_share_it_leaves_out() -> None:
    glass = get_glass("ggp1985")  # W = 30 K
    with warnings.catch_warnings():
        warnings.simplefilter("error", TwoLevelRangeWarning)
        check_model_temperature("temperature", 3.5, glass)  # k_B T/W = 0.12: share ~1e-5
    share = two_level_share(glass, 12.0)
    assert share > 0.01  # k_B T/W = 0.4
    with pytest.warns(TwoLevelRangeWarning, match=f"leaves out {100 * share:.3g} %"):
        check_model_temperature("temperature", 12.0, glass)
    with pytest.raises(ParameterError, match="population = 'soft-potential' goes to 10 W"):
        check_model_temperature("temperature", 30.0, glass)
