"""Metallic glasses (paper Sec. VII): electron expansion, BCS, T_c scan, relaxation."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.special import zeta

from dynamics import get_glass
from dynamics.closed_forms import alpha_free_electron
from dynamics.electrons import (
    BCS_GAP_RATIO,
    bcs_gap,
    electron_expansion_coefficient,
    electron_heat_capacity,
    electron_heat_content,
    electron_rate_suppression,
)
from dynamics.ensemble import Resolution, build_ensemble
from dynamics.propagation import bin_rates, linear_response
from dynamics.units import K_B
from dynamics.validation import TwoLevelRangeWarning
from protocols.histories import IsolatedPulse, log_times
from protocols.metallic import alpha_through_tc
from protocols.run import run

ZRCU = get_glass("zrcu", spectrum="asymptotic")
NU = ZRCU.electron_dos
COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5)


def test_normal_state_electron_expansion_is_74() -> None:
    t = np.array([0.5, 3.0, 10.0])
    a = electron_expansion_coefficient(
        t, electron_dos=NU, deformation_slope=-2 / 3, bulk_modulus=1e11
    )
    np.testing.assert_allclose(
        a, alpha_free_electron(t, electron_dos=NU, bulk_modulus=1e11), rtol=1e-13
    )


def test_bcs_gap_limits() -> None:
    # Delta(0) = pi e^{-gamma} k_B T_c = 1.764 k_B T_c; near T_c,
    # Delta = 3.063 k_B T_c (1 - T/T_c)^1/2 (weak-coupling BCS; the next term is O(1 - T/T_c)
    # relative).
    tc = 2.6
    assert BCS_GAP_RATIO == pytest.approx(1.764, abs=5e-4)
    assert float(bcs_gap(1e-3 * tc, tc)) == pytest.approx(BCS_GAP_RATIO * tc, rel=1e-6)
    for frac in (1e-3, 1e-2):
        assert float(bcs_gap((1 - frac) * tc, tc)) == pytest.approx(
            math.sqrt(8 * math.pi**2 / (7 * zeta(3))) * tc * math.sqrt(frac), rel=2 * frac + 1e-4
        )
    assert float(bcs_gap(tc, tc)) == 0.0 and float(bcs_gap(2 * tc, tc)) == 0.0


def test_bcs_heat_capacity_jump_and_exponential_tail() -> None:
    tc = 2.6
    c_n = math.pi**2 / 3 * NU * K_B**2 * tc
    c_below = float(
        electron_heat_capacity(tc * (1 - 1e-5), electron_dos=NU, critical_temperature=tc)
    )
    # the BCS jump Delta C/C_n = 12/(7 zeta(3)) = 1.426
    assert (c_below - c_n) / c_n == pytest.approx(12 / (7 * zeta(3)), rel=2e-3)
    # far below T_c, C_es ~ exp(-Delta(0)/k_BT): the log slope against 1/T tends to -Delta(0)
    t1, t2 = 0.12 * tc, 0.1 * tc
    c1 = float(electron_heat_capacity(t1, electron_dos=NU, critical_temperature=tc))
    c2 = float(electron_heat_capacity(t2, electron_dos=NU, critical_temperature=tc))
    slope = -math.log(c1 / c2) / (1 / t1 - 1 / t2)
    assert slope == pytest.approx(
        BCS_GAP_RATIO * tc, rel=0.1
    )  # prefactor T^-3/2 changes it by ~10%
    # the electrons' energy is continuous at T_c (second-order transition)
    u = electron_heat_content(
        np.array([tc * (1 - 1e-6), tc]), electron_dos=NU, critical_temperature=tc
    )
    assert u[0] == pytest.approx(u[1], rel=1e-5)


def test_electron_relaxation_freezes_out_below_tc() -> None:
    tc = ZRCU.critical_temperature
    assert float(electron_rate_suppression(tc * 1.01, tc)) == 1.0
    assert float(electron_rate_suppression(0.1 * tc, tc)) == pytest.approx(
        2 / (1 + math.exp(float(bcs_gap(0.1 * tc, tc)) / (0.1 * tc))), rel=1e-12
    )
    ens = build_ensemble(ZRCU, 0.3, 5.0, 1.0, COARSE)

    def phonon_only(temp: float) -> np.ndarray:
        x = ens.energy / K_B
        return ens.p * ens.phonon_constant * x**3 / np.tanh(x / (2 * temp))

    above = bin_rates(ens, 3.0) / phonon_only(3.0)
    below = bin_rates(ens, 0.3) / phonon_only(0.3)
    # type-1 thermal TLS relax mostly by electrons in the normal state (the phonon rate, E^3,
    # wins far above k_BT, and for type 2, coupled (3L/chi)^2 ~ 100-1000 times more strongly)
    thermal = (ens.energy < 2 * K_B * 3.0) & (ens.kind == 0)
    assert np.min(above[thermal]) > 10
    # frozen out at 0.3 K (suppression 2/(1 + e^{Delta/k_BT}) = 5e-7) for thermal TLS; far below
    # k_BT the phonon rate (E^3) is so small that even the suppressed electrons still win
    cold = (ens.energy > 0.5 * K_B * 0.3) & (ens.energy < 3 * K_B * 0.3)
    assert np.max(below[cold]) < 1.01


def test_alpha_through_tc_changes_sign_and_its_time_dependence_changes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwoLevelRangeWarning)
        ds = alpha_through_tc(ZRCU, np.geomspace(0.3, 5.0, 24), [1e-6, 1.0], resolution=COARSE)
    total = ds["alpha_total"].sel(tau_expt=1.0).values
    # the paper's proposal: TLS (negative, c > 0) win at low T, electrons above: a sign change
    assert total[0] < 0 < total[-1]
    # the electron term collapses below T_c relative to the normal-state law (7.4)
    t = ds["temperature"].values
    normal = alpha_free_electron(t, electron_dos=NU, bulk_modulus=ZRCU.bulk_modulus)
    ratio = ds["alpha_electron"].values / normal
    assert ratio[0] < 1e-3 and np.all(np.abs(ratio[t > 2.6] - 1) < 1e-12)
    # with electron relaxation above T_c the TLS have relaxed much further by 1e-6 s
    hot = ds["alpha_tls"].sel(tau_expt=1e-6).values / ds["alpha_tls"].sel(tau_expt=1.0).values
    np.testing.assert_array_less(0, hot[t > 3])


def test_isolated_pulse_in_a_metal_conserves_energy_with_the_electrons() -> None:
    for bath in (0.3, 3.0):  # superconducting and normal
        p = IsolatedPulse(bath, 1e-3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TwoLevelRangeWarning)
            ds = run(ZRCU, p, log_times(1e-9, 1.0, 3), resolution=COARSE)
        total = (
            ds["heat_phonon"]
            + ds["heat_electron"]
            + ds["heat_tls"].sum("tls_type")
            + ds["heat_to_bath"]
        )
        assert float(np.max(np.abs(total / p.heat_density - 1))) < 1e-9


def test_metallic_step_includes_electron_strain() -> None:
    from protocols.histories import HeatStep

    ds = run(
        get_glass("pdsicu", spectrum="asymptotic"),
        HeatStep(0.3, 0.31),
        log_times(1e-9, 1.0, 2),
        resolution=COARSE,
    )
    expected = (
        -ZRCU.electron_deformation_slope
        / get_glass("pdsicu", spectrum="asymptotic").bulk_modulus
        * (
            math.pi**2
            / 6
            * get_glass("pdsicu", spectrum="asymptotic").electron_dos
            * K_B**2
            * (0.31**2 - 0.3**2)
        )
    )
    np.testing.assert_allclose(ds["strain_electron"].values, expected, rtol=1e-12)
    np.testing.assert_allclose(
        ds["strain"].values,
        ds["strain_tls"].sum("tls_type").values + ds["strain_electron"].values + 0.0,
        rtol=1e-12,
    )
    assert linear_response  # the TLS part is tested in test_engine
