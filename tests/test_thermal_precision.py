"""Occupations to rounding for every pair of temperatures.

The reference is mpmath at 60 significant digits, evaluating a different exact form of the same
difference, :math:`n(x) - n(y) = \\sinh((y - x)/2) / (2\\cosh(x/2)\\cosh(y/2))`, with mpmath's
unbounded exponent range (so no overflow or underflow in the reference). The grid spans
:math:`E/k_BT` from 1e-200 to 1e5, steps of both signs, :math:`|\\Delta T/T|` from 1e-15 to
cooling by 3000x (3 K -> 1 mK) and heating by as much.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamics.thermal import (
    equilibrium_occupation,
    occupation_difference,
    occupation_temperature_derivative,
    reduced_occupation_difference,
)
from dynamics.units import K_B

mpmath.mp.dps = 60
EPS = np.finfo(float).eps
#: smallest subnormal: where the exact result is below the smallest normal number, the float
#: result can only be as good as the subnormal spacing
TINY = 2.0**-1074

X_GRID = np.concatenate([np.logspace(-200, 5, 42), [1.0, 30.0, 700.0, 710.0, 745.0, 800.0]])
#: T/T_ref: tiny steps of both signs, moderate steps, cooling and heating by up to 3000x
RATIOS = [
    1 + 1e-15, 1 - 1e-15, 1 + 1e-12, 1 - 1e-12, 1 + 1e-6, 1 - 1e-6, 1.5, 1 / 1.5,
    0.05, 20.0, 0.014 / 0.3, 0.3 / 0.014, 1e-3 / 3, 3 / 1e-3, 1e-3, 1e3,
]  # fmt: skip


def _exact(x: mpmath.mpf, y: mpmath.mpf) -> mpmath.mpf:
    return mpmath.sinh((y - x) / 2) / (2 * mpmath.cosh(x / 2) * mpmath.cosh(y / 2))


def _ulps(value: float, exact: mpmath.mpf) -> float:
    """Error in units of the exact value's ulp, with the subnormal floor."""
    scale = max(abs(float(exact)) * EPS, TINY)
    return float(abs(mpmath.mpf(value) - exact)) / scale


def test_reduced_difference_is_exact_to_rounding() -> None:
    # For float inputs x, y the method's own error: 7 roundings (three exponentials, expm1,
    # one addition in each (1 + e^-x), the product and the quotient), each <= 1 ulp in
    # numpy's exp/expm1 and 0.5 ulp in IEEE arithmetic: 8 ulps bounds them with margin.
    worst = 0.0
    for x in X_GRID:
        for r in RATIOS:
            y = float(x / r)
            got = float(reduced_occupation_difference(x, y))
            assert math.isfinite(got)
            worst = max(worst, _ulps(got, _exact(mpmath.mpf(x), mpmath.mpf(y))))
    assert worst <= 8.0, worst


def test_occupation_difference_of_temperatures_is_exact_to_rounding() -> None:
    # Inputs E, T, T_ref as given (floats), the reference with exact x = E/k_B T. Beyond the
    # method's 8 ulps, rounding x = E/k_B/T (2 roundings, relative eps) moves e^{-x} by a
    # relative x*eps: the occupation's condition number, unavoidable in double precision.
    # The gap x - y comes from (T_ref - T)/T/T_ref (<= 5 roundings, relative 2.5 eps), so
    # |dT/T| = 1e-15 keeps its accuracy (the old form lost ~1e-4 at 1e-12).
    k = mpmath.mpf(K_B)
    for x in X_GRID:
        t_ref = 0.7
        energy = float(x * K_B * t_ref)
        if energy == 0.0:
            continue
        for r in RATIOS:
            t = t_ref * r
            got = float(occupation_difference(energy, t, t_ref))
            assert math.isfinite(got)
            xe = mpmath.mpf(energy) / k / mpmath.mpf(t)
            ye = mpmath.mpf(energy) / k / mpmath.mpf(t_ref)
            allowed = 12.0 + 2.0 * float(max(xe, ye))
            assert _ulps(got, _exact(xe, ye)) <= allowed, (x, r, got)


@pytest.mark.parametrize(("t_high", "t_low"), [(1.0, 0.01), (0.3, 0.014), (3.0, 1e-3)])
def test_cooling_by_large_factors_is_finite_and_antisymmetric(t_high: float, t_low: float) -> None:
    # The cases that once returned NaN: E/k_B T - E/k_B T_ref > 709.
    energy = K_B * np.logspace(-4, 2, 61)
    cool = occupation_difference(energy, t_low, t_high)
    heat = occupation_difference(energy, t_high, t_low)
    assert np.all(np.isfinite(cool))
    np.testing.assert_array_equal(cool, -heat)  # the formula is symmetric in its two arguments
    # against the plain difference, whose own error is <= 1 ulp of 1/2 per term (2 eps abs)
    plain = equilibrium_occupation(energy, t_low) - equilibrium_occupation(energy, t_high)
    np.testing.assert_allclose(cool, plain, rtol=0, atol=2 * EPS)


positive_floats = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(energy_k=positive_floats, t=positive_floats, t_ref=positive_floats)
def test_occupation_difference_properties(energy_k: float, t: float, t_ref: float) -> None:
    energy = energy_k * K_B
    if energy == 0.0:
        return
    d = float(occupation_difference(energy, t, t_ref))
    assert math.isfinite(d)
    assert -0.5 <= d <= 0.5
    # antisymmetric to rounding (the gap is formed from T_ref or from T: 8 ulps each way)
    assert abs(d + float(occupation_difference(energy, t_ref, t))) <= 16 * EPS * abs(d) + TINY
    # the sign of a heating or cooling step (a higher temperature fills the upper level)
    if t > t_ref:
        assert d >= 0.0
    elif t < t_ref:
        assert d <= 0.0
    else:
        assert d == 0.0
    # against the plain difference of occupations: error of the latter <= 2 ulp of 1/2
    plain = float(equilibrium_occupation(energy, t) - equilibrium_occupation(energy, t_ref))
    assert abs(d - plain) <= 2 * EPS


@settings(max_examples=100, deadline=None)
@given(energy_k=positive_floats, t=positive_floats)
def test_occupation_and_derivative_properties(energy_k: float, t: float) -> None:
    energy = energy_k * K_B
    if energy == 0.0:
        return
    n = float(equilibrium_occupation(energy, t))
    assert 0.0 <= n <= 0.5
    w = float(occupation_temperature_derivative(energy, t))
    assert math.isfinite(w)
    assert w >= 0.0


@settings(max_examples=100, deadline=None)
@given(
    energy_k=st.floats(min_value=1e-6, max_value=1e3),
    t1=st.floats(min_value=1e-3, max_value=1e2),
    t2=st.floats(min_value=1e-3, max_value=1e2),
    t3=st.floats(min_value=1e-3, max_value=1e2),
)
def test_occupation_difference_is_additive(
    energy_k: float, t1: float, t2: float, t3: float
) -> None:
    # n(T1) - n(T3) = [n(T1) - n(T2)] + [n(T2) - n(T3)]: three results each within 8 ulps
    # (plus the x*eps of rounding x, <= 1e6 eps here) of values bounded by 1/2.
    energy = energy_k * K_B
    lhs = float(occupation_difference(energy, t1, t3))
    rhs = float(occupation_difference(energy, t1, t2) + occupation_difference(energy, t2, t3))
    assert abs(lhs - rhs) <= 1e-9 * max(abs(lhs), abs(rhs)) + 4 * EPS
