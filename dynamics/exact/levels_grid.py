"""Sinc-DVR lattices for the multi-level spectrum of the soft potential, sized by WKB.

Part of :mod:`dynamics.exact.levels` (method and measured accuracy in ``docs/levels.md``). For each
potential V(x) = eta x^2 + t x^3 + x^4 with t >= 0 (the caller mirrors t < 0):

1. **Top energy.** E_top is the WKB estimate of level ``levels`` (one above the highest level
   asked for): the action S(E) = 2 sum_intervals int sqrt(E - V) dx (Gauss–Chebyshev quadrature
   between the exact turning points) equals 2 pi (levels + 1/2).
2. **Window.** Beyond every turning point at E_top the window keeps a tail of WKB action
   ``tail_action`` (int sqrt(V - E_top) dx); wave functions of levels <= E_top have decayed
   there by at least exp(-tail_action). If the two wells of a double well are separated, at
   E_top, by a barrier of action above 2 ``tail_action``, the window has two pieces (their
   coupling is below exp(-2 tail_action)).
3. **Spacing.** The sinc lattice of a piece resolves momenta up to pi / h. The momentum
   distribution of a level at E decays beyond p_0 = sqrt(E - V_min) like exp(-int Im z(p) dp),
   where z(p) solves V(x_min + z) - V_min = -(p^2 - p_0^2) (the WKB tail in momentum space);
   p_max is where that action reaches ``momentum_action``, with V about the piece's stiffest
   minimum modelled as k z^2 + z^4. Then h = pi / p_max.

Sizes are rounded up to multiples of 4 points per piece (8 in all), widening the window; the
lattice of a piece is centred on it, so a symmetric potential (t = 0) gets a symmetric lattice.
Everything here depends on one potential only, never on the batch it is solved in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dynamics.exact.levels_landscape import PotentialLandscape, branch_root, outer_reach, potential

# Defaults at resolution 1 (calibrated in docs/levels.md; both scale with resolution).
TAIL_ACTION = 16.0  # WKB action of the tails kept beyond the turning points at E_top [1]
MOMENTUM_ACTION = 16.0  # WKB action in momentum space kept beyond p_0 at E_top [1]
_QUANTUM = 4  # lattice points of a piece are rounded up to a multiple of this [1]
_MIN_POINTS = 8  # smallest lattice of a piece [1]
_ROOT_STEPS = 44  # bisection steps for a turning point (bracket / 2^44 ~ 6e-14) [1]
_ENERGY_STEPS = 16  # bisection steps for E_top (1.5e-5 of the bracket) [1]
_CHEB = 48  # Gauss–Chebyshev nodes of the WKB action integrals [1]
_TAIL_NODES = 96  # nodes of the outward tail integration [1]


@dataclass(frozen=True)
class Lattice:
    """Sinc lattice(s) of each potential: up to two pieces x = centre + (j - (n - 1)/2) h.

    All arrays have shape (n_potentials,); piece 2 has ``n2 == 0`` when the window is one
    piece.

    Attributes
    ----------
    top_energy : ndarray
        E_top, the WKB estimate of level ``levels`` that sized the window. [W]
    v_min : ndarray
        Global minimum of V (energies are diagonalised relative to it). [W]
    centre1, centre2 : ndarray
        Centres of the pieces. [1]
    h1, h2 : ndarray
        Lattice spacings. [1]
    n1, n2 : ndarray of int
        Points per piece. [1]
    """

    top_energy: NDArray[np.float64]
    v_min: NDArray[np.float64]
    centre1: NDArray[np.float64]
    centre2: NDArray[np.float64]
    h1: NDArray[np.float64]
    h2: NDArray[np.float64]
    n1: NDArray[np.int64]
    n2: NDArray[np.int64]

    @property
    def size(self) -> NDArray[np.int64]:
        """Total lattice points of each potential. [1]"""
        return self.n1 + self.n2

    def points(self, rows: NDArray) -> NDArray:
        """Lattice points of the potentials ``rows`` (all of one total size), shape (m, N). [1]"""
        n1, n2 = self.n1[rows], self.n2[rows]
        size = int(n1[0] + n2[0])
        j = np.arange(size)[None, :]
        first = j < n1[:, None]
        k = np.where(first, j, j - n1[:, None])
        n = np.where(first, n1[:, None], n2[:, None])
        centre = np.where(first, self.centre1[rows, None], self.centre2[rows, None])
        h = np.where(first, self.h1[rows, None], self.h2[rows, None])
        return centre + (k - 0.5 * (n - 1)) * h


@dataclass(frozen=True)
class _Intervals:
    """Classically allowed intervals {V < E}: one or two, [a1, b1] and [a2, b2].

    ``two`` marks two intervals (a double well below its barrier with both wells allowed);
    otherwise [a2, b2] repeats [a1, b1].
    """

    a1: NDArray[np.float64]
    b1: NDArray[np.float64]
    a2: NDArray[np.float64]
    b2: NDArray[np.float64]
    two: NDArray[np.bool_]


def allowed_intervals(
    eta: NDArray, t: NDArray, land: PotentialLandscape, energy: NDArray
) -> _Intervals:
    """The classically allowed intervals at ``energy`` (> the global minimum of V)."""
    dw = land.double_well
    xl, xr = land.left_min, land.right_min
    vl, vr = potential(xl, eta, t), potential(xr, eta, t)
    xb = land.divide
    above = ~dw | (energy >= land.v_barrier)
    left_ok, right_ok = vl < energy, vr < energy
    reach_l = outer_reach(xl, eta, t, energy - vl)
    reach_r = outer_reach(xr, eta, t, energy - vr)
    outer_l = branch_root(eta, t, energy, _ROOT_STEPS, np.where(left_ok, xl, xr), xl - reach_l)
    outer_r = branch_root(eta, t, energy, _ROOT_STEPS, np.where(right_ok, xr, xl), xr + reach_r)
    # inner roots: on [xl, xb] for the left well, on [xb, xr] for the right well
    inner_l = branch_root(eta, t, energy, _ROOT_STEPS, xl, xb)
    inner_r = branch_root(eta, t, energy, _ROOT_STEPS, xr, xb)
    two = ~above & left_ok & right_ok
    only_left = ~above & left_ok & ~right_ok
    only_right = ~above & ~left_ok & right_ok
    a1 = np.where(only_right, branch_root(eta, t, energy, _ROOT_STEPS, xr, xb), outer_l)
    b1 = np.where(two | only_left, inner_l, outer_r)
    a2 = np.where(two, inner_r, a1)
    b2 = np.where(two, outer_r, b1)
    return _Intervals(a1=a1, b1=b1, a2=a2, b2=b2, two=two)


def _chebyshev_u(n: int) -> tuple[NDArray, NDArray]:
    """Nodes and weights of int_{-1}^{1} sqrt(1 - u^2) f(u) du (Gauss–Chebyshev, 2nd kind)."""
    k = np.arange(1, n + 1)
    ang = k * math.pi / (n + 1)
    return np.cos(ang), math.pi / (n + 1) * np.sin(ang) ** 2


def _root_action(eta: NDArray, t: NDArray, energy: NDArray, a: NDArray, b: NDArray) -> NDArray:
    """int_a^b sqrt(|energy - V|) dx between two simple roots a < b of V = energy.

    |E - V| = (x - a)(b - x) Q(x) with Q > 0 on [a, b]: with x = c + s u the integral is
    s^2 int sqrt(1 - u^2) sqrt(Q) du, exact for smooth Q (Gauss–Chebyshev of the 2nd kind).
    """
    u, w = _chebyshev_u(_CHEB)
    c, s = 0.5 * (a + b), 0.5 * (b - a)
    x = c[:, None] + s[:, None] * u[None, :]
    gap = np.abs(energy[:, None] - potential(x, eta[:, None], t[:, None]))
    q = gap / np.maximum(s[:, None] ** 2 * (1.0 - u * u)[None, :], 1e-300)
    return s * s * (np.sqrt(q) @ w)


def wkb_action(eta: NDArray, t: NDArray, land: PotentialLandscape, energy: NDArray) -> NDArray:
    """S(E) = 2 int_{V < E} sqrt(E - V) dx, the WKB action of one period(s) at ``energy``. [1]"""
    iv = allowed_intervals(eta, t, land, energy)
    s = _root_action(eta, t, energy, iv.a1, iv.b1)
    s = s + np.where(iv.two, _root_action(eta, t, energy, iv.a2, iv.b2), 0.0)
    return 2.0 * s


def top_energy(eta: NDArray, t: NDArray, land: PotentialLandscape, level: int) -> NDArray:
    """WKB estimate of level ``level`` (0 = ground state): S(E) = 2 pi (level + 1/2). [W]

    Bisection between V_min and V_min + D, D doubled until the action exceeds the target; the
    first D is the WKB estimate of a harmonic-plus-quartic well that bounds V from above.
    """
    target = 2.0 * math.pi * (level + 0.5)
    v0 = land.v_global_min
    k_up = 0.5 * land.curvature_global_min + 0.25 * (t + 4.0 * land.x_global_min) ** 2
    quartic = (math.pi * (level + 1.0) / 1.748) ** (4.0 / 3.0)  # int sqrt(1 - u^4) = 1.748
    span = 2.0 * np.sqrt(k_up) * (level + 1.0) + 2.0 * quartic
    for _ in range(60):
        short = wkb_action(eta, t, land, v0 + span) < target
        if not short.any():
            break
        span = np.where(short, 2.0 * span, span)
    lo, hi = np.zeros_like(span), span
    for _ in range(_ENERGY_STEPS):
        mid = 0.5 * (lo + hi)
        below = wkb_action(eta, t, land, v0 + mid) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return v0 + hi


def _tail_distance(
    eta: NDArray, t: NDArray, energy: NDArray, start: NDArray, sign: float, action: float
) -> NDArray:
    """Distance d from the turning point ``start`` in direction ``sign`` where the WKB action
    int sqrt(V - energy) dx reaches ``action``. [1]

    Trapezoidal rule on y = d_max u^2 (resolves the sqrt onset at the turning point); d_max
    starts at three times the linear-turning-point estimate (1.5 action / sqrt|V'|)^(2/3) and
    doubles where the action is not reached.
    """
    slope = np.abs(start * (2.0 * eta + start * (3.0 * t + 4.0 * start)))
    d_max = 3.0 * (1.5 * action / np.sqrt(slope + 1e-6)) ** (2.0 / 3.0)
    u = np.linspace(0.0, 1.0, _TAIL_NODES)
    out = np.full(start.shape, np.nan)
    todo = np.ones(start.shape, dtype=bool)
    for _ in range(40):
        idx = np.flatnonzero(todo)
        if idx.size == 0:
            break
        y = d_max[idx, None] * u[None, :] ** 2
        x = start[idx, None] + sign * y
        gap = potential(x, eta[idx, None], t[idx, None]) - energy[idx, None]
        kappa = np.sqrt(np.maximum(gap, 0.0)) * (2.0 * d_max[idx, None] * u[None, :])
        du = u[1] - u[0]
        cum = np.concatenate(
            [np.zeros((idx.size, 1)), np.cumsum(0.5 * (kappa[:, 1:] + kappa[:, :-1]) * du, axis=1)],
            axis=1,
        )
        done = cum[:, -1] >= action
        j = np.argmax(cum >= action, axis=1)  # first node past the target
        rows = np.arange(idx.size)
        c0, c1 = cum[rows, np.maximum(j - 1, 0)], cum[rows, j]
        y0, y1 = y[rows, np.maximum(j - 1, 0)], y[rows, j]
        frac = np.where(c1 > c0, (action - c0) / np.where(c1 > c0, c1 - c0, 1.0), 1.0)
        out[idx[done]] = (y0 + frac * (y1 - y0))[done]
        todo[idx[done]] = False
        d_max[idx[~done]] *= 2.0
    return out


@dataclass(frozen=True)
class _Window:
    """Window pieces [lo1, hi1] and, when ``split``, [lo2, hi2] (else a copy of piece 1).

    ``vmin1``, ``vmin2`` are the lowest V in each piece [W]; ``k1``, ``k2`` the largest half
    curvature V''/2 at a minimum inside each piece [W].
    """

    lo1: NDArray[np.float64]
    hi1: NDArray[np.float64]
    lo2: NDArray[np.float64]
    hi2: NDArray[np.float64]
    split: NDArray[np.bool_]
    vmin1: NDArray[np.float64]
    vmin2: NDArray[np.float64]
    k1: NDArray[np.float64]
    k2: NDArray[np.float64]


def window(
    eta: NDArray, t: NDArray, land: PotentialLandscape, energy: NDArray, action: float
) -> _Window:
    """The window at ``energy`` = E_top: allowed intervals plus tails of WKB action ``action``.

    Two allowed intervals separated by a barrier of action >= 2 ``action`` give two pieces;
    otherwise the window is one piece (holding the barrier when there are two intervals).
    """
    iv = allowed_intervals(eta, t, land, energy)
    barrier = np.where(iv.two, _root_action(eta, t, energy, iv.b1, iv.a2), 0.0)
    split = iv.two & (barrier >= 2.0 * action)
    lo1 = iv.a1 - _tail_distance(eta, t, energy, iv.a1, -1.0, action)
    hi2 = iv.b2 + _tail_distance(eta, t, energy, iv.b2, 1.0, action)
    hi1 = np.where(split, iv.b1 + _tail_distance(eta, t, energy, iv.b1, 1.0, action), hi2)
    lo2 = np.where(split, iv.a2 - _tail_distance(eta, t, energy, iv.a2, -1.0, action), lo1)
    dw = land.double_well
    xg, xl = land.x_global_min, np.where(dw, land.x_local_min, land.x_global_min)
    kg, kl = 0.5 * land.curvature_global_min, np.where(dw, 0.5 * land.curvature_local_min, 0.0)
    vg, vl = land.v_global_min, np.where(dw, land.v_local_min, np.inf)

    def piece_stats(lo: NDArray, hi: NDArray) -> tuple[NDArray, NDArray]:
        in_g = (xg >= lo) & (xg <= hi)
        in_l = (xl >= lo) & (xl <= hi)
        vmin = np.minimum(np.where(in_g, vg, np.inf), np.where(in_l, vl, np.inf))
        kmax = np.maximum(np.where(in_g, kg, 0.0), np.where(in_l, kl, 0.0))
        return vmin, kmax

    vmin1, k1 = piece_stats(lo1, hi1)
    vmin2, k2 = piece_stats(lo2, hi2)
    return _Window(
        lo1=lo1, hi1=hi1, lo2=lo2, hi2=hi2, split=split, vmin1=vmin1, vmin2=vmin2, k1=k1, k2=k2
    )


def momentum_cutoff(p0: NDArray, k: NDArray, action: float) -> NDArray:
    """Momentum p_max > p0 where the momentum-space WKB action from p0 reaches ``action``. [1]

    For a well k z^2 + z^4 (k >= 0) the tail of a level at p0^2 above the minimum decays like
    exp(-int_{p0}^{p} Im z dp') with z^2 = (-k + sqrt(k^2 - 4 w)) / 2, w = p'^2 - p0^2
    (complex square roots: the root of V(x) = E - p^2 nearest the real axis). Bisection in
    p / p0 on a Gauss–Legendre rule in sqrt(p - p0) (which resolves the onset).
    """
    g, gw = np.polynomial.legendre.leggauss(24)
    v = 0.5 * (g + 1.0)  # in (0, 1)

    def act(p: NDArray) -> NDArray:
        span = np.sqrt(p - p0)
        s = span[:, None] * v[None, :]  # p' = p0 + s^2, dp' = 2 s ds
        pp = p0[:, None] + s * s
        w = pp * pp - (p0 * p0)[:, None]
        kk = k[:, None].astype(complex)
        z2 = 0.5 * (-kk + np.sqrt(kk * kk - 4.0 * w))
        im = np.abs(np.sqrt(z2).imag)
        return 0.5 * span * ((im * 2.0 * s) @ gw)

    lo = p0.copy()
    hi = p0 + 1.0
    for _ in range(60):
        short = act(hi) < action
        if not short.any():
            break
        hi = np.where(short, p0 + 2.0 * (hi - p0), hi)
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        below = act(mid) < action
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return hi


def _points(width: NDArray, h: NDArray) -> NDArray:
    """Lattice points covering ``width`` at spacing ``h``, rounded up to a multiple of 4."""
    n = np.maximum(np.ceil(width / h).astype(np.int64) + 1, _MIN_POINTS)
    return ((n + _QUANTUM - 1) // _QUANTUM) * _QUANTUM


def plan_lattice(
    eta: NDArray,
    t: NDArray,
    land: PotentialLandscape,
    levels: int,
    tail_action: float,
    momentum_action: float,
) -> Lattice:
    """Sinc lattice(s) of each potential (t >= 0) for ``levels`` levels (see module doc)."""
    e_top = top_energy(eta, t, land, levels)
    win = window(eta, t, land, e_top, tail_action)
    p1 = momentum_cutoff(np.sqrt(np.maximum(e_top - win.vmin1, 0.0)), win.k1, momentum_action)
    p2 = momentum_cutoff(np.sqrt(np.maximum(e_top - win.vmin2, 0.0)), win.k2, momentum_action)
    h1, h2 = math.pi / p1, math.pi / p2
    c1, c2 = 0.5 * (win.lo1 + win.hi1), 0.5 * (win.lo2 + win.hi2)
    w1, w2 = win.hi1 - win.lo1, win.hi2 - win.lo2
    # a symmetric potential (t = 0) gets a lattice symmetric about x = 0: one piece centred
    # there, or two mirror-image pieces
    sym = t == 0.0
    one_sym = sym & ~win.split
    two_sym = sym & win.split
    w1 = np.where(
        one_sym, 2.0 * np.maximum(-win.lo1, win.hi1), np.where(two_sym, np.maximum(w1, w2), w1)
    )
    w2 = np.where(two_sym, w1, w2)
    c2 = np.where(two_sym, 0.5 * (c2 - c1), c2)
    c1 = np.where(one_sym, 0.0, np.where(two_sym, -c2, c1))
    h2 = np.where(two_sym, h1, h2)
    n1 = _points(w1, h1)
    n2 = np.where(win.split, _points(w2, h2), 0)
    n1 = np.where((n1 + n2) % 8 != 0, n1 + _QUANTUM, n1)
    return Lattice(
        top_energy=e_top,
        v_min=land.v_global_min,
        centre1=c1,
        centre2=c2,
        h1=h1,
        h2=h2,
        n1=n1,
        n2=n2,
    )
