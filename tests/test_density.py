"""Sec. V: the densities of states (5.1) from the Jacobians of the maps, and the p tail."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference as ref

from dynamics.density import (
    DENSITY_PREFACTOR,
    kki_density_of_states,
    kki_density_tail,
    stm_density_of_states,
)
from dynamics.soft_potential import type1_parameters, type2_parameters
from dynamics.units import K_B
from dynamics.validation import ParameterError

W_J = 30.0 * K_B
ETA_L = 0.01


def _jacobian(fn, e: float, p: float) -> float:
    """|det d(a, b)/d(E, p)| of an inverse map (E, p) -> (a, b), by central differences."""
    he, hp = e * 1e-6, min(p, 1 - p) * 1e-6
    de = (np.array(fn(e + he, p, W_J)) - np.array(fn(e - he, p, W_J))) / (2 * he)
    dpp = (np.array(fn(e, p + hp, W_J)) - np.array(fn(e, p - hp, W_J))) / (2 * hp)
    return abs(de[0] * dpp[1] - de[1] * dpp[0])


@pytest.mark.parametrize(("e_K", "p"), [(0.1, 1e-6), (0.5, 0.01), (1.0, 0.5), (2.0, 0.9)])
def test_type1_density_is_the_jacobian_of_the_eta_t_plane(e_K: float, p: float) -> None:
    # Constant density psi1 per unit eta and t: N1 = psi1 eta_L^{3/2} |d(eta~,t~)/d(E,p)| x 2
    # (both signs of t). Central differences: relative error ~1e-10; we allow 1e-6.
    e = e_K * K_B
    psi1 = 1.0
    expected = 2 * psi1 * ETA_L**1.5 * _jacobian(type1_parameters, e, p)
    scale = psi1 * ETA_L**1.5 / W_J
    assert float(kki_density_of_states(e, p, density_scale=scale, W_J=W_J)) == pytest.approx(
        expected, rel=1e-6
    )


@pytest.mark.parametrize(("e_K", "p"), [(0.1, 1e-6), (0.5, 0.01), (1.0, 0.5), (2.0, 0.9)])
def test_type2_density_is_the_jacobian_of_the_t_R_plane(e_K: float, p: float) -> None:
    # Per unit t and R (d eta = dR at fixed t), both signs of R and both branches +-t: factor 4.
    e = e_K * K_B
    expected = 4 * ETA_L**1.5 * _jacobian(type2_parameters, e, p)
    assert float(
        kki_density_of_states(e, p, density_scale=ETA_L**1.5 / W_J, W_J=W_J)
    ) == pytest.approx(expected, rel=1e-6)


def test_density_prefactor_closed_form() -> None:
    assert pytest.approx(2 ** (5 / 3) * 3 ** (-4 / 3), rel=1e-15) == DENSITY_PREFACTOR
    assert DENSITY_PREFACTOR == pytest.approx(0.73, abs=0.005)  # (2/3)(4/3)^{1/3} ~ 0.734


@pytest.mark.parametrize(("e_K", "p_low"), [(0.3, 1e-3), (0.3, 1e-12), (3.0, 1e-6), (0.01, 0.05)])
def test_tail_integral_against_quadrature(e_K: float, p_low: float) -> None:
    # int_0^{p_low} p^-1 (1-p)^-1/2 L^-4/3 dp: quadrature in v = L^{-1/3} (reference.py) against
    # the closed form; the closed form's error bound is p_low L^{-10/3} (docstring).
    e = e_K * K_B
    dens = ref.density_kernel(type("G", (), {"W_J": W_J})())
    total = ref.p_integral(dens, np.array([e]), np.array([0.0]), W_J)[0]
    above = ref.p_integral(dens, np.array([e]), np.array([p_low]), W_J)[0]
    L = math.log(W_J / e) - 0.5 * math.log(p_low)
    assert float(kki_density_tail(e, p_low, W_J=W_J)) == pytest.approx(
        total - above, abs=p_low * L ** (-10 / 3) + 1e-9
    )


def test_full_p_integral_is_6_over_L_to_the_third_in_leading_order() -> None:
    # (6.3) uses int_0^1 ... dp = 6 L_E^{-1/3} + O(L^{-4/3}); the O term is 2 ln 2 L^{-4/3}.
    for e_K in (1e-3, 1e-2):
        e = e_K * K_B
        dens = ref.density_kernel(type("G", (), {"W_J": W_J})())
        total = ref.p_integral(dens, np.array([e]), np.array([0.0]), W_J)[0]
        L = math.log(W_J / e)
        assert total == pytest.approx(
            6 * L ** (-1 / 3) + 2 * math.log(2) * L ** (-4 / 3), rel=2 / L**2
        )


def test_stm_density_is_constant_per_asymmetry_and_log_tunnel_splitting() -> None:
    # P(Delta, ln Delta0) = P_bar for Delta >= 0 (Black's normalisation, which gives Black's law
    # C = (pi^2/12) P_bar k_B^2 T ln(b t/tau_min))
    # <=>  P(E, p) = P_bar |d(Delta, ln Delta0)/d(E, p)|
    for e, p in ((1e-23, 0.3), (2e-23, 0.01)):

        def inv(e, p, _W):
            return (e * math.sqrt(1 - p), math.log(e * math.sqrt(p)))

        assert float(stm_density_of_states(p, P_bar=1.0)) == pytest.approx(
            _jacobian(inv, e, p), rel=1e-6
        )
    with pytest.raises(ParameterError, match=r"P_bar = -1"):
        stm_density_of_states(0.5, P_bar=-1.0)
