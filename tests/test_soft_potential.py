"""Sec. II: the soft potential, the two TLS types, the map (2.10) and the inverse maps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dynamics.soft_potential import (
    adiabatic_parameter_eta_L,
    asymmetry_type1,
    asymmetry_type2,
    energy_scale_W,
    equivalent_point,
    log_tunnel_ratio,
    tunnel_splitting_type1,
    tunnel_splitting_type2,
    type1_parameters,
    type2_parameters,
)
from dynamics.units import ELECTRON_VOLT, HBAR, K_B
from dynamics.validation import ParameterError

W_J = 30.0 * K_B


def test_energy_scale_and_eta_L_obey_W_equals_Ca_eta_L_squared() -> None:
    # (2.3) and (2.4) imply W = C_a eta_L^2 exactly; check it and the paper's estimates:
    # C_a = 30 eV, a = 1 Å, M = 20 u (mean atomic mass of SiO2) give eta_L ~ 1e-2, W ~ tens of K.
    c_a, mass, a = 30 * ELECTRON_VOLT, 20 * 1.66053906660e-27, 1e-10
    W_val = energy_scale_W(c_a, mass, a)
    eta_L = adiabatic_parameter_eta_L(c_a, mass, a)
    assert W_val == pytest.approx(c_a * eta_L**2, rel=1e-13)  # rounding only
    assert eta_L**3 == pytest.approx(HBAR**2 / (2 * mass * a**2 * c_a), rel=1e-13)
    assert 0.005 < eta_L < 0.03  # the paper's "~1e-2"
    assert 10 < W_val / K_B < 200  # the paper's "~30 K"


def test_equivalent_point_is_the_same_potential_reexpanded() -> None:
    # Independent check of (2.10): V(x_s + y) - V(x_s) = eta' y^2 + t' y^3 + y^4 for all y,
    # with x_s the other stationary point of V = eta x^2 + t x^3 + x^4.
    rng = np.random.default_rng(1)
    for eta, t in [(-6.0, 0.1), (-3.0, 1.5), (1.0, 3.0), (-0.5, -2.0)]:
        eta_p, t_p = equivalent_point(eta, t)
        x_s = (-3 * t + math.sqrt(9 * t * t - 32 * eta)) / 8

        def V(x: np.ndarray, eta: float = eta, t: float = t) -> np.ndarray:
            return eta * x**2 + t * x**3 + x**4

        y = rng.uniform(-2, 2, 20)
        lhs = V(x_s + y) - V(np.array(x_s))
        rhs = eta_p * y**2 + t_p * y**3 + y**4
        np.testing.assert_allclose(lhs, rhs, rtol=0, atol=1e-11 * (1 + np.abs(lhs).max()))


def test_equivalent_point_of_symmetric_well_lies_on_the_parabola() -> None:
    # The paper: A' = (t = 0, eta) maps to A = (sqrt(-8 eta), -2 eta), on eta = t^2/4.
    eta_p, t_p = equivalent_point(-6.0, 0.0)
    assert t_p == pytest.approx(math.sqrt(48.0), rel=1e-15)
    assert eta_p == pytest.approx(12.0, rel=1e-15)
    assert eta_p == pytest.approx(t_p**2 / 4, rel=1e-15)


def test_type1_inverse_map_round_trip() -> None:
    energy = np.array([0.1, 0.5, 2.0]) * K_B
    p = np.array([1e-9, 0.3, 0.999])
    eta, t = type1_parameters(energy, p, W_J)
    d0 = tunnel_splitting_type1(eta, W_J)
    d = asymmetry_type1(eta, t, W_J)
    np.testing.assert_allclose(np.hypot(d0, d), energy, rtol=1e-12)  # rounding of exp/log
    np.testing.assert_allclose((d0 / np.hypot(d0, d)) ** 2, p, rtol=1e-10)


def test_type2_inverse_map_round_trip() -> None:
    energy = np.array([0.1, 0.5, 2.0]) * K_B
    p = np.array([1e-9, 0.3, 0.999])
    t, R = type2_parameters(energy, p, W_J)
    d0 = tunnel_splitting_type2(t, W_J)
    d = asymmetry_type2(t, R, W_J)
    np.testing.assert_allclose(np.hypot(d0, d), energy, rtol=1e-12)
    np.testing.assert_allclose((d0 / np.hypot(d0, d)) ** 2, p, rtol=1e-10)


def test_type1_splitting_at_eta_minus_6_is_the_papers_1e_minus_3() -> None:
    # The paper: (2.8) at eta = -6 gives Delta0/W ~ 1e-3 (numerics: 0.04, dynamics.exact.solver).
    assert tunnel_splitting_type1(-6.0, 1.0) == pytest.approx(1e-3, rel=0.2)  # "~1e-3"


def test_log_tunnel_ratio_rejects_the_non_two_level_range() -> None:
    with pytest.raises(ParameterError, match=r"energy .* beyond the two-level range"):
        log_tunnel_ratio(40 * K_B, 1.0, W_J)
    with pytest.raises(ParameterError, match=r"p = 0 is outside the allowed range \(0, 1\]"):
        log_tunnel_ratio(K_B, 0.0, W_J)
    with pytest.raises(ParameterError, match=r"p = 1.5"):
        log_tunnel_ratio(K_B, 1.5, W_J)
    with pytest.raises(ParameterError, match=r"energy = nan"):
        log_tunnel_ratio(float("nan"), 0.5, W_J)
    with pytest.raises(ParameterError, match=r"energy = -1"):
        log_tunnel_ratio(-1.0, 0.5, W_J)


def test_type1_formulas_reject_single_wells() -> None:
    with pytest.raises(ParameterError, match=r"eta = 2 is outside the allowed range"):
        tunnel_splitting_type1(2.0, W_J)
    with pytest.raises(ParameterError, match=r"9 t\^2 - 32 eta"):
        equivalent_point(1.0, 0.0)
