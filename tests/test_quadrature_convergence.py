"""The default (eta, t) quadrature is converged in t: along a few rows of fixed eta (the same rows
in both specs) the row integrals of the heat capacity and of the thermal stress with the
zero-point coupling change little when every t panel is halved and the t node counts doubled.
The whole-domain figures are benchmarks/bench_quadrature.py's (docs/physics.md §11.10)."""

from __future__ import annotations

import dataclasses

import numpy as np

from dynamics.exact.levels import solve_levels
from dynamics.instantaneous import node_strain_coupling
from dynamics.multilevel import level_moments
from dynamics.populations import SLOW_DOUBLE, QuadratureSpec, domain_quadrature
from dynamics.presets import get_glass

#: Rows: a single well, a shallow double well, the double well where the zero-point root of
#: chi = 4 jumps (eta ~ -2, t ~ 4/3), a deep double well. [1]
ROW_ETA = (1.0, -1.0, -2.0, -10.0)
THETA = np.array([0.05, 0.3, 1.0, 5.0])


def _t_refined(spec: QuadratureSpec) -> QuadratureSpec:
    return dataclasses.replace(
        spec,
        tau_nodes=2 * spec.tau_nodes,
        t_panel_width=spec.t_panel_width / 2,
        slow_t_nodes=2 * spec.slow_t_nodes,
    )


def _row_integrals(spec: QuadratureSpec) -> tuple[np.ndarray, np.ndarray]:
    """Per row and theta: sum over the row's nodes of area x C and of area x K alpha / K_B
    (the integrand of dynamics.instantaneous.part_curves, zero-point coupling, chi = 4)."""
    q = domain_quadrature(spec)
    glass = get_glass("silica").replace(
        psi=0.0, population="soft-potential", vibration_coupling="zero-point"
    )
    deta, dt = node_strain_coupling(q, glass)
    c_rows, k_rows = [], []
    for target in ROW_ETA:
        row_eta = q.eta[np.argmin(np.abs(q.eta - target))]
        row = np.flatnonzero(q.eta == row_eta)
        levels = solve_levels(q.eta[row], q.t[row], levels=40)
        c, k = np.zeros(THETA.size), np.zeros(THETA.size)
        for rest in (False, True):
            sel = (q.region[row] == SLOW_DOUBLE) == rest
            if not sel.any():
                continue
            m = level_moments(
                levels.energy[sel], levels.x2[sel], levels.x3[sel], THETA, without_doublet=rest
            )
            a = q.area[row][sel]
            c += a @ m.heat_capacity
            k -= (a * deta[row][sel]) @ m.x2_slope + (a * dt[row][sel]) @ m.x3_slope
        c_rows.append(c)
        k_rows.append(k)
    return np.array(c_rows), np.array(k_rows)


def test_rows_of_the_default_quadrature_are_converged_in_t() -> None:
    spec = QuadratureSpec()
    fine = _t_refined(spec)
    # the rows are the same eta in both specs (only t changes)
    for target in ROW_ETA:
        a, b = domain_quadrature(spec).eta, domain_quadrature(fine).eta
        assert a[np.argmin(np.abs(a - target))] == b[np.argmin(np.abs(b - target))]
    c0, k0 = _row_integrals(spec)
    c1, k1 = _row_integrals(fine)
    # tolerance: relative to the largest of the four rows at each theta. Measured 2.9e-3 (C) and
    # 5.2e-3 (K alpha), both on the shallow row at theta = 0.05, a row that holds ~1e-9 of the
    # glass's total there; the whole domain's figures are 8e-6 and 2e-3 of the total
    # (benchmarks/bench_quadrature.py).
    assert np.all(np.abs(c0 - c1) < 1e-2 * np.abs(c1).max(axis=0)), np.abs(c0 - c1) / np.abs(
        c1
    ).max(axis=0)
    assert np.all(np.abs(k0 - k1) < 1e-2 * np.abs(k1).max(axis=0)), np.abs(k0 - k1) / np.abs(
        k1
    ).max(axis=0)
