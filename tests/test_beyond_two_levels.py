"""The soft-potential population beyond two levels against the limits derived for it
(dynamics.soft_closed_forms, docs/physics.md §11): each check could fail."""

from __future__ import annotations

import numpy as np

from dynamics.instantaneous import INSTANTANEOUS_PARTS, evaluate_parts, glass_part_curves
from dynamics.parts import PARTS, part_response
from dynamics.presets import get_glass
from dynamics.response import step_response
from dynamics.soft_closed_forms import soft_vibration_gruneisen, soft_vibration_heat_capacity
from dynamics.units import K_B

VIB = INSTANTANEOUS_PARTS.index("soft_vibrations")


def _soft_glass(**changes):
    base = get_glass("silica").replace(
        W=3.5,
        psi=0.0,
        N0=4e22 / (3.5 * K_B),
        c=6.0,
        population="soft-potential",
        density_law="abs_eta",
    )
    return base.replace(**changes)


def test_soft_vibrations_follow_the_t5_law_and_its_correction() -> None:
    # C = 120 sqrt2 zeta(6) S k_B theta^5 + 6K S k_B theta^2 + O(theta): the two-term form's
    # error must be O(theta^-4) relative, while the leading term alone is off by O(theta^-3)
    glass = _soft_glass()
    theta = np.array([3.0, 4.0, 6.0, 8.0])
    c = evaluate_parts(glass_part_curves(glass), theta).heat_capacity[VIB]
    s = glass.density_scale_volume
    two = soft_vibration_heat_capacity(theta, s)
    one = soft_vibration_heat_capacity(theta, s, next_term=False)
    err_two = np.abs(two / c - 1)
    err_one = np.abs(one / c - 1)
    # measured 1.2e-3 at theta = 3 (the O(theta) term); 3e-3 leaves room, 1e-5 is the
    # interpolation's and the quadrature's floor
    assert err_two[0] < 3e-3
    assert np.all(err_two < err_one / 3)
    # the remainder falls like theta^-4: from 4 to 8 by 16 (a factor 8 to 32 allowed: the next
    # order and the 2e-6 interpolation floor at theta = 8)
    assert 8 < err_two[1] / err_two[3] < 32


def test_soft_vibrations_gruneisen_approaches_the_harmonic_limit() -> None:
    # Gamma_vib -> -(c/2 eta_L) 4 4! zeta(4)/(6! zeta(6)) / theta^2 with the direct coupling; the
    # anharmonic correction is O(theta^-2) relative (measured 2.8 % at 5, 0.67 % at 10)
    glass = _soft_glass()
    theta = np.array([5.0, 10.0])
    curves = evaluate_parts(glass_part_curves(glass), theta)
    gamma = curves.thermal_stress[VIB] / curves.heat_capacity[VIB]
    limit = soft_vibration_gruneisen(theta, glass.c, glass.eta_L)
    rel = np.abs(gamma / limit - 1)
    assert rel[1] < 0.01 and rel[0] < 0.04
    assert 3 < rel[0] / rel[1] < 5.5  # ~ (10/5)^2


def test_vibration_coupling_options_scale_the_vibrations_alone() -> None:
    # independent coupling c_vib: the soft vibrations' K alpha scales by c_vib/c, their C and
    # every other part are unchanged (one mechanism switched at a time)
    glass = _soft_glass()
    other = glass.replace(vibration_coupling="independent", c_vib=1.5)
    theta = np.array([0.5, 2.0])
    a = evaluate_parts(glass_part_curves(glass), theta)
    b = evaluate_parts(glass_part_curves(other), theta)
    np.testing.assert_allclose(b.thermal_stress[VIB], a.thermal_stress[VIB] * 1.5 / 6.0, rtol=1e-12)
    np.testing.assert_array_equal(b.heat_capacity, a.heat_capacity)
    np.testing.assert_array_equal(b.thermal_stress[1 - VIB], a.thermal_stress[1 - VIB])


def test_boson_peak_closure_lowers_only_what_lies_above_its_energy() -> None:
    glass = _soft_glass()
    closed = glass.replace(boson_peak_closure="crossover", boson_peak_energy=40.0)
    # k_B T = 1 K and 10 K against E_b = 40 K: the vibrations there have E_h ~ 3-10 k_B T
    a = evaluate_parts(glass_part_curves(glass), np.array([0.3, 3.0])).heat_capacity[VIB]
    b = evaluate_parts(glass_part_curves(closed), np.array([0.3, 3.0])).heat_capacity[VIB]
    lowered = 1 - b / a
    assert 0 < lowered[0] < 0.06  # (E_h/E_b)^3 ~ (3.7/11.4)^3 = 3.4 % at 1 K (measured 4 %)
    assert lowered[1] > 0.3


def test_at_low_temperature_the_full_model_is_the_two_level_one() -> None:
    # k_B T << W: the excited levels and the vibrations carry e^-(gap/k_B T) (gap >= 0.3 W), and
    # the doublets are the bins of the two-level model with the same population; at
    # k_B T = 0.01 W they differ by less than 1e-12 of the total
    glass = _soft_glass()
    temps = np.array([0.02, 0.035])  # K, k_B T/W = 0.006-0.01
    tau = np.array([1.0, 100.0])
    full = part_response(glass, temps, tau)
    two = step_response(glass, temps, tau)
    tls = PARTS.index("tls")
    np.testing.assert_allclose(full.heat_capacity[tls], two.heat_capacity, rtol=1e-13)
    extra = full.heat_capacity[[PARTS.index(p) for p in INSTANTANEOUS_PARTS]].sum(0)
    assert np.all(extra < 1e-12 * two.heat_capacity)
