"""Multi-level thermodynamics, its exact split into doublet and rest, the soft-potential domain's
quadrature and the activated rate: each against an independent calculation."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from dynamics.activation import activated_rate, activation_constants
from dynamics.exact.levels import solve_levels
from dynamics.multilevel import level_moments, relevant_levels
from dynamics.populations import (
    BEYOND_CAP,
    DOUBLET_ENERGY_CAP,
    ETA_C,
    SINGLE_WELL,
    SLOW_DOUBLE,
    boson_peak_factor,
    domain_quadrature,
    population_weights,
    slow_cubic_limit,
)
from dynamics.units import HBAR, K_B


def _harmonic(omega: float, n: int) -> tuple[np.ndarray, ...]:
    e = omega * (np.arange(n) + 0.5)
    return e[None, :], np.zeros((1, n)), np.zeros((1, n))


def test_all_levels_give_the_harmonic_oscillator_heat_capacity() -> None:
    # exact: C/k_B = (w/2T)^2 / sinh^2(w/2T); 200 levels leave e^-200 w/theta, far below 1e-13
    omega = 2.0
    theta = np.array([0.2, 1.0, 5.0])
    m = level_moments(*_harmonic(omega, 200), theta)
    x = omega / (2.0 * theta)
    np.testing.assert_allclose(m.heat_capacity[0], (x / np.sinh(x)) ** 2, rtol=1e-12)
    # mean energy above the ground level: w / (e^{w/T} - 1)
    np.testing.assert_allclose(m.energy[0], omega / np.expm1(omega / theta), rtol=1e-12)


def test_the_rest_is_the_total_minus_the_doublet() -> None:
    # at temperatures where nothing cancels, rest = all - (levels 0 and 1 alone) to rounding
    s = solve_levels([-6.0, -9.0, 2.0], [0.3, 1.0, 0.5], levels=30)
    theta = np.array([0.5, 2.0, 8.0])
    rest = level_moments(s.energy, s.x2, s.x3, theta, without_doublet=True)
    full = level_moments(s.energy, s.x2, s.x3, theta)
    two = level_moments(s.energy[:, :2], s.x2[:, :2], s.x3[:, :2], theta)
    for name in ("energy", "heat_capacity", "x2", "x3", "x2_slope", "x3_slope"):
        diff = getattr(full, name) - getattr(two, name)
        # 1e-10 of the larger of the two terms: the subtraction's own rounding
        scale = np.maximum(np.abs(getattr(full, name)), np.abs(getattr(two, name)))
        np.testing.assert_allclose(getattr(rest, name), diff, rtol=0, atol=1e-10 * scale.max())


def test_the_rest_keeps_its_digits_where_the_difference_loses_them() -> None:
    # Three levels 0, E, G with G >> theta: the rest's heat capacity against 50-digit arithmetic
    # of Var_all - Var_A (the plain double difference is pure rounding here).
    e_levels = [0.0, 0.3, 6.0]
    theta = 0.12
    with mpmath.workdps(50):
        b = [mpmath.e ** (-mpmath.mpf(x) / theta) for x in e_levels]

        def var(levels: list[float], weights: list[mpmath.mpf]) -> mpmath.mpf:
            z = sum(weights)
            m1 = sum(w * x for w, x in zip(weights, levels, strict=True)) / z
            m2 = sum(w * x * x for w, x in zip(weights, levels, strict=True)) / z
            return m2 - m1 * m1

        exact = (var(e_levels, b) - var(e_levels[:2], b[:2])) / theta**2
    energy = np.array([e_levels])
    zeros = np.zeros_like(energy)
    got = level_moments(energy, zeros, zeros, np.array([theta]), without_doublet=True)
    assert float(exact) > 0
    # 1e-12 relative: the rest is computed from pi_B (~e^-48) without cancellation
    assert got.heat_capacity[0, 0] == pytest.approx(float(exact), rel=1e-12)


def test_thermal_stress_is_minus_the_temperature_derivative_of_the_mean_coupling() -> None:
    # x2_slope = d<x2>/dtheta: central differences of <x2> (step 1e-4: error ~1e-8 relative)
    s = solve_levels([-4.0, 1.5], [0.7, 0.2], levels=30)
    theta, h = np.array([0.7, 3.0]), 1e-4
    for rest in (False, True):
        m = level_moments(s.energy, s.x2, s.x3, theta, without_doublet=rest)
        up = level_moments(s.energy, s.x2, s.x3, theta + h, without_doublet=rest)
        down = level_moments(s.energy, s.x2, s.x3, theta - h, without_doublet=rest)
        for k in ("x2", "x3"):
            slope = (getattr(up, k) - getattr(down, k)) / (2 * h)
            np.testing.assert_allclose(getattr(m, f"{k}_slope"), slope, rtol=1e-6, atol=1e-12)
        c = (up.energy - down.energy) / (2 * h)
        np.testing.assert_allclose(m.heat_capacity, c, rtol=1e-6, atol=1e-12)


def test_relevant_levels_counts_the_thermal_window() -> None:
    energy = np.array([[0.0, 1.0, 60.0, 200.0], [5.0, 500.0, 900.0, 1e4]])
    assert relevant_levels(energy, 1.0).tolist() == [2, 1]
    assert relevant_levels(energy, 10.0).tolist() == [4, 2]


def test_the_domain_counts_each_region_once_and_is_exact_for_polynomials() -> None:
    q = domain_quadrature()
    # single wells: int_0^0.01 d eta 2 t_b = (16 sqrt2/9) 0.01^(3/2), t_b = sqrt(32 eta/9)
    inner = (q.region == SINGLE_WELL) & (q.eta <= 1e-2)
    assert q.area[inner].sum() == pytest.approx((16 * math.sqrt(2) / 9) * 1e-3, rel=1e-12)
    # the slow double wells: int d eta 2 t_cap(eta) over [eta_c, 2e4], against scipy's quad
    from scipy.integrate import quad

    def strip(a: float) -> float:
        return 2.0 * float(slow_cubic_limit(np.array([a]))[0])

    expected = quad(strip, ETA_C, 2e4, limit=400, epsrel=1e-12)[0]
    assert q.area[q.region == SLOW_DOUBLE].sum() == pytest.approx(expected, rel=1e-9)
    # every slow node lies inside the asymptotic cap, every node beyond it outside
    cap_ok = q.t <= slow_cubic_limit(np.minimum(q.eta, -ETA_C)) * (1 + 1e-12)
    assert np.all(cap_ok[q.region == SLOW_DOUBLE])
    assert not np.any(cap_ok[q.region == BEYOND_CAP])
    assert np.all(q.eta[q.region == SLOW_DOUBLE] <= -ETA_C)
    assert np.all(q.t >= 0)


def test_slow_cubic_limit_is_the_asymptotic_energy_cap() -> None:
    # E_a = (Delta_a^2 + Delta0_a^2)^1/2 with (2.8), (2.9) equals the cap on the line
    eta = -np.array([ETA_C, 3.0, 10.0])
    t = slow_cubic_limit(eta)
    delta = t * np.abs(eta) ** 1.5 / math.sqrt(2.0)
    delta0 = np.exp(-(math.sqrt(2.0) / 3.0) * np.abs(eta) ** 1.5)
    np.testing.assert_allclose(np.hypot(delta, delta0), DOUBLET_ENERGY_CAP, rtol=1e-13)


def test_boson_peak_crossover_turns_e4_into_e1() -> None:
    e = np.array([1e-3, 1e3])
    f = boson_peak_factor(e, "crossover", 1.0)
    assert f[0] == pytest.approx(1.0, rel=1e-8)
    assert e[1] ** 4 * f[1] == pytest.approx(e[1], rel=1e-8)
    assert np.all(boson_peak_factor(e, "none", 1.0) == 1.0)


def test_population_weights_multiply_law_and_closure() -> None:
    q = domain_quadrature()
    base = population_weights(q, "constant", "none", 1.0)
    np.testing.assert_array_equal(base, q.area)
    with_law = population_weights(q, "abs_eta", "none", 1.0)
    np.testing.assert_allclose(with_law, q.area * np.abs(q.eta), rtol=1e-15)


def test_activation_of_a_symmetric_double_well() -> None:
    # t = 0: minima at x^2 = -eta/2, V'' = -4 eta, barrier eta^2/4 above each minimum
    eta = np.array([-20.0])
    c = activation_constants(eta, np.array([0.0]))
    spacing = math.sqrt(2.0 * 80.0)
    assert c.attempt_left[0] == pytest.approx(spacing / (2 * math.pi), rel=1e-12)
    assert c.barrier_left[0] == pytest.approx(100.0 - spacing / 2, rel=1e-12)
    assert c.barrier_right[0] == pytest.approx(c.barrier_left[0], rel=1e-12)
    W_J = 3.5 * K_B
    theta = np.array([2.0, 5.0])
    rate = activated_rate(c, theta, W_J)
    expected = 2 * (W_J / HBAR) * spacing / (2 * math.pi) * np.exp(-(100.0 - spacing / 2) / theta)
    np.testing.assert_allclose(rate, expected, rtol=1e-12)


def test_activation_of_an_asymmetric_well_and_of_a_single_well() -> None:
    c = activation_constants(np.array([-10.0, 3.0]), np.array([2.0, 0.0]))
    # the shallow (right, for t > 0) well has the lower barrier
    assert c.barrier_right[0] < c.barrier_left[0]
    assert c.attempt_left[1] == 0.0 and c.attempt_right[1] == 0.0
    assert np.all(activated_rate(c, np.array([1.0]), K_B)[1] == 0.0)


def _small_table():
    from dynamics.exact.level_table import LevelTable
    from dynamics.populations import QuadratureSpec

    spec = QuadratureSpec(eta_nodes=2, eta_panel_efolds=6.0, tau_nodes=2, t_nodes=2,
                          t_panel_width=4.0, slow_t_nodes=2)  # fmt: skip
    q = domain_quadrature(spec)
    s = solve_levels(q.eta, q.t, levels=24)
    return LevelTable(q, s.energy, s.x2, s.x3), s


def test_part_curves_at_grid_points_and_between() -> None:
    from dynamics.instantaneous import evaluate_parts, moment_grid, part_curves

    table, s = _small_table()
    grid = moment_grid(table)
    q = table.quadrature
    weights = 1e22 * population_weights(q, "abs_eta", "none", 1.0)
    deta, dt = np.full(q.size, 50.0), np.full(q.size, 3.0)
    curves = part_curves(grid, weights, deta, dt, 3.0 * K_B)
    # at the grid's own points the interpolation returns the sums (rounding of exp(log))
    at_nodes = evaluate_parts(curves, grid.theta[100:110])
    np.testing.assert_allclose(at_nodes.heat_capacity, curves.heat_capacity[:, 100:110], rtol=1e-13)
    # between them, against the moments computed directly at those temperatures: 1e-4 (the
    # cubic Hermite error at 60 points per decade; measured 5e-5 on this coarse 2-node table,
    # whose totals are sums of few sharp node curves, and ~2e-6 on the converged table)
    theta = np.array([0.05, 0.37, 1.3, 7.7])
    got = evaluate_parts(curves, theta)
    slow = q.region == SLOW_DOUBLE
    for part, sel in ((1, q.region == SINGLE_WELL), (0, q.region != SINGLE_WELL)):
        c = np.zeros(theta.size)
        for rest in (False, True):
            pick = sel & (slow == rest)
            m = level_moments(s.energy[pick], s.x2[pick], s.x3[pick], theta, without_doublet=rest)
            c += K_B * (weights[pick] @ m.heat_capacity)
        np.testing.assert_allclose(got.heat_capacity[part], c, rtol=1e-4)


def test_parts_vanish_below_the_grid_and_are_refused_above_it() -> None:
    from dynamics.instantaneous import evaluate_parts, moment_grid, part_curves
    from dynamics.validation import ParameterError

    table, _ = _small_table()
    grid = moment_grid(table)
    q = table.quadrature
    curves = part_curves(grid, population_weights(q, "abs_eta", "none", 1.0),
                         np.ones(q.size), np.zeros(q.size), K_B)  # fmt: skip
    low = evaluate_parts(curves, np.array([1e-5]))
    assert np.all(low.heat_capacity == 0) and np.all(low.energy == 0)
    with pytest.raises(ParameterError, match="k_B T/W = 20"):
        evaluate_parts(curves, np.array([20.0]))


def test_activated_floor_is_where_activation_reaches_the_cutoff() -> None:
    from dynamics.activation import _type1_map, activated_p_floor

    W_J = 3.5 * K_B
    e = np.array([1e-2, 0.3, 3.0])
    theta, t_end, eps = 2.0, 1e5, 1e-7
    p = activated_p_floor(e, theta, t_end, W_J, eps)
    eta, t = _type1_map(e, -np.log(p))
    k = activated_rate(activation_constants(eta, t), np.array(theta), W_J)
    # the floor is the deep end of a bisection bracket 4e-4 wide in s (dynamics.activation.
    # BISECTIONS): there k t_end is at most eps and within a few 1e-4 of it (measured 3e-4)
    assert np.all(k * t_end <= eps) and np.all(k * t_end > eps * (1 - 2e-3))
    # colder runs reach shallower wells only
    assert np.all(activated_p_floor(e, 0.5, t_end, W_J, eps) > p)
