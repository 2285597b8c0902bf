"""Sec. IV: deformation potentials (4.1)-(4.11), their coefficients and the ratio (4.10)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dynamics import deformation as dp
from dynamics.coupling import deta_dstrain, dt_dstrain, zero_point_shift_type1_series
from dynamics.soft_potential import (
    asymmetry_type1,
    tunnel_splitting_type1,
    type1_parameters,
    type2_parameters,
)
from dynamics.units import K_B
from dynamics.validation import ParameterError

W_J = 30.0 * K_B
KW = {"W_J": W_J, "c": 2.0, "eta_L": 0.01, "chi": 4.0}
ENERGY = np.array([0.05, 0.3, 1.0, 3.0]) * K_B
P = np.array([1e-12, 1e-4, 0.2, 0.97])


def test_closed_form_coefficients_round_to_the_printed_ones() -> None:
    # The paper prints 2 significant digits (0.2: one); each closed form must lie within half a
    # unit of the last printed digit.
    half_unit = {
        "kappa1": 0.005,
        "kappa1_prime": 0.05,
        "kappa2": 0.0005,
        "two_thirds": 0.005,
        "odd_type1": 0.005,
        "odd_type2": 0.005,
    }
    for key, printed in dp.PRINTED_COEFFICIENTS.items():
        assert abs(dp.DERIVED_COEFFICIENTS[key] - printed) <= half_unit[key], key
    assert dp.KAPPA1 == pytest.approx(6 ** (1 / 3) / 2, rel=1e-15)
    assert dp.KAPPA2 == pytest.approx(dp.KAPPA1 / 24, rel=1e-14)  # an exact identity


@pytest.mark.parametrize("i", range(4))
def test_type1_even_and_odd_parts_are_assembled_from_42_43(i: int) -> None:
    # (4.1) with (4.2), (4.3) at the potential (eta, +-t) of the TLS (E, p); the t -> -t
    # symmetric/antisymmetric parts are D_even (4.5) and D_odd. Equal to rounding (the algebra
    # is exact given the inverse map).
    e, p = ENERGY[i], P[i]
    eta, t = type1_parameters(e, p, W_J)
    d0 = tunnel_splitting_type1(eta, W_J)
    out = []
    for sign in (1.0, -1.0):
        asym = asymmetry_type1(eta, sign * t, W_J)
        d_d0 = dp.dtunnel_dstrain_type1(eta, W_J=W_J, c=KW["c"], eta_L=KW["eta_L"])
        d_asym = dp.dasymmetry_dstrain_type1(eta, sign * t, **KW)
        out.append(float(dp.deformation_potential(d0, asym, d_d0, d_asym)))
    even, odd = 0.5 * (out[0] + out[1]), 0.5 * (out[0] - out[1])
    assert even == pytest.approx(float(dp.deformation_even_type1(e, p, **KW)), rel=1e-10)
    assert odd == pytest.approx(float(dp.deformation_odd_type1(e, p, **KW)), rel=1e-10)


@pytest.mark.parametrize("i", range(4))
def test_type2_even_and_odd_parts_are_assembled_from_47_48(i: int) -> None:
    e, p = ENERGY[i], P[i]
    t, R = type2_parameters(e, p, W_J)
    d0 = W_J * math.exp(-(t**3) / 48)
    out = []
    for sign in (1.0, -1.0):
        asym = W_J * sign * R * t * t / 4
        d_d0 = dp.dtunnel_dstrain_type2(t, **KW)
        d_asym = dp.dasymmetry_dstrain_type2(t, sign * R, **KW)
        out.append(float(dp.deformation_potential(d0, asym, d_d0, d_asym)))
    even, odd = 0.5 * (out[0] + out[1]), 0.5 * (out[0] - out[1])
    assert even == pytest.approx(float(dp.deformation_even_type2(e, p, **KW)), rel=1e-10)
    assert odd == pytest.approx(
        float(dp.deformation_odd_type2(e, p, W_J=W_J, c=2.0, eta_L=0.01)), rel=1e-10
    )


def test_type1_D_from_finite_differences_of_E() -> None:
    # From scratch: E(eps) = |(Delta0, Delta)| of (2.8), (2.9) at eta(eps), t(eps) moved by (3.8),
    # (3.9) with delta of (3.5); D = dE/deps by central differences, even part over t -> -t.
    # It differs from (4.5) only by the terms the paper drops: O(t^2) ~ (1-p) E^2/W^2 eta^-3
    # relative, and the odd-in-t parts of (3.8) which feed D_even at O(chi t)^2.
    e, p = 0.3 * K_B, 0.4
    eta, t = type1_parameters(e, p, W_J)
    c, eta_L, chi = KW["c"], KW["eta_L"], KW["chi"]

    def energy_at(eps: float, sign: float) -> float:
        tt = sign * t
        delta = zero_point_shift_type1_series(chi, eta, tt)
        eta_e = eta + eps * float(deta_dstrain(c, eta_L, eta, tt, delta))
        t_e = tt + eps * float(dt_dstrain(c, eta_L, eta, delta))
        return float(np.hypot(tunnel_splitting_type1(eta_e, W_J), asymmetry_type1(eta_e, t_e, W_J)))

    h = 1e-9
    d = [(energy_at(h, s) - energy_at(-h, s)) / (2 * h) for s in (1.0, -1.0)]
    even = 0.5 * (d[0] + d[1])
    assert even == pytest.approx(float(dp.deformation_even_type1(e, p, **KW)), rel=2e-3)


def test_gamma_ratio_is_about_20_over_chi_at_W_over_Delta0_600() -> None:
    # (4.10) and the paper: "If W/Delta0 = 600 ... the numerator in Eq. (4.10) is about 20."
    d0 = W_J / 600
    assert float(dp.gamma_ratio(d0, W_J=W_J, chi=1.0)) == pytest.approx(
        20, rel=0.05
    )  # 3 ln 600 = 19.2
    ratio = dp.gamma_type2(d0, W_J=W_J, c=1.0, eta_L=0.01) / dp.gamma_type1(
        d0, W_J=W_J, c=1.0, eta_L=0.01, chi=4.0
    )
    assert float(ratio) == pytest.approx(float(dp.gamma_ratio(d0, W_J=W_J, chi=4.0)), rel=1e-13)
    # gamma ~ W/eta_L ~ 0.3 eV for the paper's estimates (c chi of order 1)
    g1 = float(dp.gamma_type1(d0, W_J=W_J, c=1.0, eta_L=0.01, chi=1.0)) / 1.602176634e-19
    assert 0.05 < g1 < 0.5


def test_bad_input_names_the_parameter() -> None:
    with pytest.raises(ParameterError, match=r"p = 0 is outside"):
        dp.deformation_even_type1(K_B, 0.0, **KW)
    with pytest.raises(ParameterError, match=r"eta_L = -1"):
        dp.deformation_even_type2(K_B, 0.5, W_J=W_J, c=1.0, eta_L=-1.0, chi=4.0)
    with pytest.raises(ParameterError, match=r"c = inf"):
        dp.deformation_even_type1(K_B, 0.5, W_J=W_J, c=math.inf, eta_L=0.01, chi=4.0)
