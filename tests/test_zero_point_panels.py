"""The zero-point coupling on the quadrature's nodes (dynamics.zero_point_panels): the mirror
fold against the coupling evaluated at -t directly, the jumps of the zero-point shift found, and
the product integration across them against scipy's adaptive quadrature."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from dynamics.coupling import deta_dstrain, dt_dstrain, zero_point_shift
from dynamics.populations import (
    PANEL_ASINH,
    PANEL_LOG,
    SLOW_DOUBLE,
    QuadratureSpec,
    domain_quadrature,
)
from dynamics.zero_point_panels import (
    jumps,
    mirror_folded_coupling,
    zero_point_node_coupling,
)

C, ETA_L, CHI = 1.3, 0.7, 4.0  # any values: the relations below hold for each [1]


def test_mirror_fold_is_the_coupling_at_plus_and_minus_t() -> None:
    # the node at t >= 0 stands for t and -t; at -t the coupling is (3.8), (3.9) with the root
    # of (3.3) at -t, and <x^3> changes sign (odd in t), so the mean over the pair is
    # (g(t) + g(-t))/2 for d eta/d eps and (g(t) - g(-t))/2 for d t/d eps
    rng = np.random.default_rng(3)
    eta = rng.uniform(-30.0, 30.0, 200)
    t = rng.uniform(0.0, 20.0, 200)
    d_plus = zero_point_shift(CHI, eta, t)
    d_minus = zero_point_shift(CHI, eta, -t)
    deta, dt = mirror_folded_coupling(C, ETA_L, CHI, eta, t)
    want_eta = 0.5 * (
        deta_dstrain(C, ETA_L, eta, t, d_plus) + deta_dstrain(C, ETA_L, eta, -t, d_minus)
    )
    want_t = 0.5 * (dt_dstrain(C, ETA_L, eta, d_plus) - dt_dstrain(C, ETA_L, eta, d_minus))
    # the same roots by another route (the mirror identity of the cubic): rounding only
    np.testing.assert_allclose(deta, want_eta, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dt, want_t, rtol=1e-9, atol=1e-12)


def test_every_jump_of_the_zero_point_shift_is_found() -> None:
    # along rows of fixed eta, scan t finely: wherever delta(+-chi) changes by more than a smooth
    # root can between neighbours (1e-2 at a step of 2e-4 in t), a reported jump lies within
    # the step
    eta = np.array([-1.0, -2.0, -3.0, -5.0, -8.0, 0.5, 3.0])
    t = np.linspace(0.0, 40.0, 200_001)
    found = jumps(CHI, eta)
    for row, e in enumerate(eta):
        reported = found[row][np.isfinite(found[row])]
        for force in (CHI, -CHI):
            d = zero_point_shift(force, np.full(t.size, e), t)
            steps = np.flatnonzero(np.abs(np.diff(d)) > 1e-2)
            for k in steps:
                assert np.any((reported >= t[k] - 1e-12) & (reported <= t[k + 1] + 1e-12)), (
                    e,
                    t[k],
                )
    # chi = 4 has a jump near eta = -2, t = 4/3 (the lead's example)
    assert np.any(np.abs(found[1] - 4.0 / 3.0) < 0.05)


def _panel_map(kind: int):
    if kind == PANEL_LOG:
        return np.log, np.exp
    if kind == PANEL_ASINH:
        return np.arcsinh, np.sinh
    return (lambda x: x), (lambda x: x)


def _adaptive(eta: float, to_t, lo: float, hi: float, cut: list[float], which: int, degree: int):
    """int_lo^hi F(u) g(u) du by scipy's quad, with F = (1 + (u - lo)/(hi - lo))^degree and g
    the folded coupling (``which``: 0 d eta/d eps, 1 d t/d eps) at t = to_t(u)."""

    def integrand(u: float) -> float:
        g = mirror_folded_coupling(C, ETA_L, CHI, np.array([eta]), to_t(np.array([u])))
        return (1.0 + (u - lo) / (hi - lo)) ** degree * float(g[which][0])

    return quad(integrand, lo, hi, points=cut, limit=400, epsabs=1e-13, epsrel=1e-11)[0]


def test_product_integration_across_a_jump_is_exact_for_polynomials() -> None:
    # in a panel that holds a jump, sum_i w_i F(u_i) g_i equals int F(u) g(u) du for F of
    # degree < nodes in the panel's variable u; the reference is scipy's adaptive quad told the
    # jumps (tolerance: quad's 1e-11; measured 3e-11, a Gauss piece across a jump misses by
    # ~1e-3)
    q = domain_quadrature(QuadratureSpec())
    nodes = q.region >= SLOW_DOUBLE
    deta, dt = zero_point_node_coupling(q, nodes, C, ETA_L, CHI)
    index = np.flatnonzero(nodes)
    point_eta, point_t = mirror_folded_coupling(C, ETA_L, CHI, q.eta[index], q.t[index])
    split = np.unique(q.panel[index][(deta != point_eta) | (dt != point_t)])
    assert split.size > 0
    for p in split[:: max(1, split.size // 3)][:3]:
        members = np.flatnonzero(q.panel == p)
        rows = np.searchsorted(index, members)
        to_u, to_t = _panel_map(int(q.panel_variable[p]))
        lo, hi = float(to_u(q.panel_lower[p])), float(to_u(q.panel_upper[p]))
        x, w = np.polynomial.legendre.leggauss(members.size)
        u_nodes = 0.5 * (lo + hi) + 0.5 * (hi - lo) * x
        np.testing.assert_allclose(to_u(q.t[members]), u_nodes, rtol=1e-12, atol=1e-12)
        weights = 0.5 * (hi - lo) * w
        eta = float(q.eta[members[0]])
        cut = [float(to_u(c)) for c in jumps(CHI, np.array([eta]))[0] if np.isfinite(c)]
        cut = [c for c in cut if lo < c < hi]
        for g_nodes, which in ((deta[rows], 0), (dt[rows], 1)):
            for degree in (0, members.size - 1):
                f = (1.0 + (u_nodes - lo) / (hi - lo)) ** degree
                got = float(np.sum(weights * f * g_nodes))
                want = _adaptive(eta, to_t, lo, hi, cut, which, degree)
                assert got == pytest.approx(want, rel=1e-8), (p, which, degree)
