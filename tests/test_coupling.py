"""Sec. III: zero-point shift (3.3), expansions (3.5), (3.6); strain derivatives (3.8)-(3.11)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from dynamics.coupling import (
    deta_dstrain,
    dR_dstrain_type2_series,
    dt_dstrain,
    dt_dstrain_type2_series,
    zero_point_shift,
    zero_point_shift_type1_series,
    zero_point_shift_type2_series,
)
from dynamics.validation import ParameterError

CHI = 4.0


def cubic(delta, chi, eta, t):
    return chi + 2 * eta * delta - 3 * t * delta**2 + 4 * delta**3


def test_exact_shift_solves_the_cubic_and_is_the_smallest_root() -> None:
    rng = np.random.default_rng(3)
    eta = rng.uniform(-30, 30, 200)
    t = rng.uniform(-10, 10, 200)
    delta = zero_point_shift(CHI, eta, t)
    scale = 1 + np.abs(eta * delta) + np.abs(t) * delta**2 + np.abs(delta) ** 3
    assert np.max(np.abs(cubic(delta, CHI, eta, t)) / scale) < 1e-13  # two Newton polishes
    for e, tt, d in zip(eta, t, delta, strict=True):
        roots = np.roots([4.0, -3.0 * tt, 2.0 * e, CHI])
        real = roots[np.abs(roots.imag) < 1e-9].real
        assert abs(d) <= np.min(np.abs(real)) * (1 + 1e-9)


def test_type1_series_error_is_the_next_order_chi3_over_4eta4() -> None:
    # At t = 0 the cubic is 4d^3 + 2 eta d + chi = 0; iterating once more than (3.5) gives
    # d = -chi/(2 eta) + chi^3/(4 eta^4) + O(eta^-7): the error of (3.5) over chi^3/(4 eta^4) -> 1.
    eta = -np.array([10.0, 20.0, 40.0, 80.0])
    err = zero_point_shift(CHI, eta, 0.0) - zero_point_shift_type1_series(CHI, eta, 0.0)
    ratio = err / (CHI**3 / (4 * eta**4))
    # the next correction to d is O(chi^5/eta^7), i.e. O(chi^2/eta^3) relative to chi^3/(4 eta^4)
    assert np.all(np.abs(ratio - 1.0) <= 3 * CHI**2 / np.abs(eta) ** 3)


def test_where_the_expansions_stop_holding() -> None:
    # (3.5) needs |eta| >> chi^(2/3): relative error < 1% from |eta| = 12, > 10% at |eta| <= 4
    # for chi = 4 (the table in docs/closed_forms.md).
    def rel(eta: float, t: float) -> float:
        exact = zero_point_shift(CHI, eta, t)
        return float(abs(zero_point_shift_type1_series(CHI, eta, t) / exact - 1))

    assert all(rel(e, 0.05) < 0.01 for e in (-12.0, -20.0, -40.0))
    assert all(rel(e, 0.05) > 0.10 for e in (-4.0, -3.0))
    # (3.6) near the parabola eta = t^2/4 + R: good at |t| >= 8 (type-2 TLS have |t| = (48 L)^1/3).
    for t, tol in ((8.0, 0.02), (12.0, 0.005), (16.0, 0.002)):
        R = 0.1 / t**2
        exact = zero_point_shift(CHI, t * t / 4 + R, t)
        assert abs(zero_point_shift_type2_series(CHI, t, R) / exact - 1) < tol


def _renormalised(eta0: float, t0: float, delta_guess: float) -> tuple[float, float]:
    """Renormalised (eta, t) of a bare potential, expanded about its stationary point."""

    def dV(d):
        return CHI + 2 * eta0 * d + 3 * t0 * d**2 + 4 * d**3

    d = brentq(dV, delta_guess - 0.05, delta_guess + 0.05, xtol=1e-15)
    return eta0 + 3 * t0 * d + 6 * d * d, t0 + 4 * d


@pytest.mark.parametrize(("eta", "t"), [(-8.0, 0.02), (-15.0, -0.01), (16.0, 8.0), (25.0, -10.0)])
def test_strain_derivatives_are_exact_with_the_exact_shift(eta: float, t: float) -> None:
    # Independent check of (3.8), (3.9): strain adds (c/eta_L) eps to the BARE eta_0 (3.7);
    # re-find the stationary point and the renormalised (eta, t), and difference numerically.
    c, eta_L = 1.0, 1.0
    delta = float(zero_point_shift(CHI, eta, t))
    eta0, t0 = eta - 3 * t * delta + 6 * delta**2, t - 4 * delta  # (3.4)
    h = 1e-6
    plus = _renormalised(eta0 + c / eta_L * h, t0, delta)
    minus = _renormalised(eta0 - c / eta_L * h, t0, delta)
    fd_eta = (plus[0] - minus[0]) / (2 * h)
    fd_t = (plus[1] - minus[1]) / (2 * h)
    # central differences: error ~ h^2 * (third derivative) ~ 1e-12, plus rounding 1e-16/h ~ 1e-10
    assert fd_eta == pytest.approx(float(deta_dstrain(c, eta_L, eta, t, delta)), rel=1e-8, abs=1e-9)
    assert fd_t == pytest.approx(float(dt_dstrain(c, eta_L, eta, delta)), rel=1e-7, abs=1e-9)


def test_type2_series_derivatives_and_the_misprinted_coefficient() -> None:
    c, eta_L = 1.0, 1.0
    t = 14.0
    for R in (0.0, 2e-3, -2e-3):
        eta = t * t / 4 + R
        delta = float(zero_point_shift(CHI, eta, t))
        exact_R = c / eta_L * (1 - t * delta / eta)  # exact dR/deps = deta/deps - (t/2) dt/deps
        assert float(dR_dstrain_type2_series(c, eta_L, t, R, delta)) == pytest.approx(
            exact_R, rel=1e-6
        )

    # (3.11): d/dR of [dt/deps * eta_L t^4 / (32 c chi)] at R = 0, times t^2, is the coefficient
    # of R/t^2 in the bracket: the exact derivative gives -8 (+ O(chi/t^3)), the print has -4.
    def bracket(R: float, series: bool) -> float:
        eta = t * t / 4 + R
        if series:
            val = dt_dstrain_type2_series(c, eta_L, CHI, t, R)
        else:
            val = dt_dstrain(c, eta_L, eta, zero_point_shift(CHI, eta, t))
        return float(val) * eta_L * t**4 / (32 * c * CHI)

    h = 1e-4
    exact_coef = (bracket(h, False) - bracket(-h, False)) / (2 * h) * t**2
    printed_coef = (bracket(h, True) - bracket(-h, True)) / (2 * h) * t**2
    assert exact_coef == pytest.approx(-8.0, abs=192 * CHI / t**3 + 0.05)  # next term 192 chi/t^3
    assert printed_coef == pytest.approx(-4.0 + 192 * CHI / t**3, rel=1e-6)
    # The R-even part, 1 - 12 chi/t^3, agrees with the exact derivative up to the next term,
    # measured to tend to -256 chi^2/t^6 (-247, -253, -255 chi^2/t^6 at t = 14, 20, 28).
    assert bracket(0.0, True) - bracket(0.0, False) == pytest.approx(-256 * CHI**2 / t**6, rel=0.05)


def test_bad_input_is_named() -> None:
    with pytest.raises(ParameterError, match="eta = nan"):
        zero_point_shift(CHI, float("nan"), 0.0)
    with pytest.raises(ParameterError, match="eta_L = 0"):
        deta_dstrain(1.0, 0.0, -5.0, 0.0, 0.1)


def test_zero_point_shift_is_the_smallest_real_root_of_3_3() -> None:
    """The fast root (Newton from (3.5), deflation) against numpy.roots of each cubic (an
    independent eigenvalue method) over a broad range, shallow and deep, both signs of chi.
    Tolerance 1e-11 relative: both are polished roots of the same cubic (rounding ~1e-15,
    amplified near double roots)."""
    from dynamics.coupling import zero_point_shift

    rng = np.random.default_rng(7)
    chi = rng.choice([-4.0, 0.5, 4.0, 10.0], 400) * rng.uniform(0.5, 1.5, 400)
    eta = np.concatenate([rng.uniform(-40, 40, 200), rng.uniform(-3, 3, 200)])
    t = np.concatenate([rng.uniform(-15, 15, 200), rng.uniform(-1, 1, 200)])
    got = zero_point_shift(chi, eta, t)
    for k in range(chi.size):
        roots = np.roots([4.0, -3.0 * t[k], 2.0 * eta[k], chi[k]])
        real = roots[np.abs(roots.imag) <= 1e-9 * np.maximum(np.abs(roots), 1.0)].real
        want = real[np.argmin(np.abs(real))]
        assert abs(got[k] - want) <= 1e-11 * max(abs(want), 1e-3), (chi[k], eta[k], t[k])
