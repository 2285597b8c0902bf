"""Basis plan of the soft-potential solver: window, layout and DVR blocks per potential.

Part of :mod:`dynamics.exact.solver` (eq. (2.6) of the paper; method in ``docs/spectrum.md``). For
each potential V(x) = eta x^2 + t x^3 + x^4 with t >= 0, a WKB picture of the wells at an
estimate of the fourth level fixes the window where the low-lying wave functions live (the
classically allowed region plus a tail of fixed WKB action), and the window fixes the layout:
a sinc lattice anchored at the barrier top when one window piece holds both wells, one
Gauss–Hermite block per well otherwise, and even/odd (parity) or mirror blocks when t = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# The four lowest levels of the pure quartic oscillator [W]; used only to size the basis.
_QUARTIC_LEVELS = (1.0603620904841829, 3.7996730298013941, 7.4556979379867383, 11.644745511378162)

# Default convergence parameters (resolution = 1). Calibrated in docs/spectrum.md.
_TAIL_ACTION = 12.0  # WKB action of the wave-function tail kept beyond the turning points [1]
_MOMENTUM_FACTOR = 2.75  # basis momentum / largest classical momentum [1]
_SINC_MOMENTUM_BOOST = 1.1  # extra lattice density of sinc layouts (two-well windows) [1]
_HERMITE_MARGIN = 0.8  # Gauss-Hermite points = margin * R^2 / 2 (phase-space disk) ... [1]
_HERMITE_QUARTIC = 0.5  # ... plus this * R^2 / 2 for a purely quartic well bottom [1]
_TUNNEL_MARGIN = 1.3  # ... times this when a tunnelling doublet is likely [1]
_BLOCK_QUANTUM = 2  # block sizes are rounded up to a multiple of this [1]
_MIN_BLOCK = 8  # smallest DVR block [1]
_AUX_POINTS = 200  # points of the auxiliary grid used to map the WKB action [1]

# Layouts of one potential.
SINC_SINGLE = 0  # one sinc lattice anchored at x_b (both wells in one window)
SINC_PARITY = 1  # t = 0: even and odd sinc blocks on the half-integer lattice
HERM_SINGLE = 2  # one well (one allowed interval) in the window: one Gauss-Hermite block
HERM_DOUBLE = 3  # two wells behind a thick barrier: one Gauss-Hermite block each
HERM_MIRROR = 4  # t = 0 and a thick barrier: the right well is solved, the left is its mirror
HERM_PARITY = 5  # t = 0, one piece: even and odd Gauss-Hermite blocks centred at x = 0

# Kinds of DVR blocks: sinc (plain, even, odd) and Gauss–Hermite (full, even, odd halves).
KIND_PLAIN, KIND_EVEN, KIND_ODD, KIND_HERM, KIND_HERM_EVEN, KIND_HERM_ODD = range(6)
HERM_KINDS = (KIND_HERM, KIND_HERM_EVEN, KIND_HERM_ODD)


def potential(x: NDArray, eta: NDArray, t: NDArray) -> NDArray:
    """V(x) = eta x^2 + t x^3 + x^4 of eq. (2.6) on float arrays (no checks). [W]"""
    return x * x * (eta + x * (t + x))


def landscape(eta: NDArray, t: NDArray) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """Barrier top and wells for t >= 0.

    Returns x_b, x_left_min, x_right_min, has_left, has_right. A single well lies right of
    x_b = -3t/8 when t > 0; when t = 0 it is reported on both sides (x_l = x_r = x_b = 0).
    """
    disc = 9.0 * t * t - 32.0 * eta
    root = np.sqrt(np.maximum(disc, 0.0))
    sa = (-3.0 * t - root) / 8.0
    sb = (-3.0 * t + root) / 8.0
    three = disc > 0
    centre = eta <= 0  # x = 0 is the middle stationary point (barrier or inflection)
    xb = np.where(three, np.where(centre, 0.0, sb), -3.0 * t / 8.0)
    xl = np.where(three, sa, 0.0)
    xr = np.where(three, np.where(centre, sb, 0.0), 0.0)
    vb = potential(xb, eta, t)
    has_l = np.where(three, vb - potential(xl, eta, t) > 0, xl <= xb)
    has_r = np.where(three, vb - potential(xr, eta, t) > 0, xr >= xb)
    return xb, xl, xr, has_l, has_r


def _reference_energy(
    eta: NDArray, t: NDArray, xl: NDArray, xr: NDArray, has_l: NDArray, has_r: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """Energy that sizes the basis, the potential minimum, and a likely tunnelling doublet.

    Each well i (minimum V_i, curvature 2 k_i) gets level estimates
    e_n = V_i + sqrt((2n + 1)^2 k_i + q_n^2), n = 0..3, interpolating between the harmonic and
    the quartic oscillator (q_n: quartic levels). The returned energy is the estimated fourth
    level of the highest well that holds one of the three lowest estimated levels.
    """
    vmin = np.full(eta.shape, np.inf)
    same = (xl == xr) & has_l  # a single well reported on both sides (t = 0)
    per_well = []
    for x, has in ((xl, has_l), (xr, has_r & ~same)):
        k = np.maximum(eta + 3.0 * t * x + 6.0 * x * x, 0.0)
        v = potential(x, eta, t)
        vmin = np.where(has, np.minimum(vmin, v), vmin)
        per_well.append(
            np.array(
                [
                    np.where(has, v + np.sqrt((2 * n + 1) ** 2 * k + q * q), np.inf)
                    for n, q in enumerate(_QUARTIC_LEVELS)
                ]
            )
        )
    third = np.sort(np.concatenate(per_well, axis=0), axis=0)[2]
    etop = np.full(eta.shape, -np.inf)
    for est in per_well:
        hosts = est[0] <= third
        etop = np.where(hosts, np.maximum(etop, est[3]), etop)
    # the two lowest estimated levels lie in different wells: a tunnelling doublet is likely
    est_l, est_r = per_well
    tunnel = np.maximum(est_l[0], est_r[0]) < np.minimum(est_l[1], est_r[1])
    return etop, vmin, tunnel


def _action_map(
    eta: NDArray, t: NDArray, etop: NDArray, xlo: NDArray, xhi: NDArray
) -> tuple[NDArray, NDArray]:
    """WKB action S(x) from the classically allowed region {V <= etop} on an auxiliary grid."""
    s = np.linspace(0.0, 1.0, _AUX_POINTS)
    x = xlo[:, None] + (xhi - xlo)[:, None] * s[None, :]
    q = potential(x, eta[:, None], t[:, None]) - etop[:, None]
    kap = np.sqrt(np.maximum(q, 0.0))
    dx = ((xhi - xlo) / (_AUX_POINTS - 1))[:, None]
    c = np.zeros_like(x)
    np.cumsum(0.5 * (kap[:, 1:] + kap[:, :-1]) * dx, axis=1, out=c[:, 1:])
    allowed = q <= 0
    last = np.maximum.accumulate(np.where(allowed, c, -np.inf), axis=1)
    nxt = np.minimum.accumulate(np.where(allowed, c, np.inf)[:, ::-1], axis=1)[:, ::-1]
    return x, np.minimum(c - last, nxt - c)


def _round_up(n: NDArray) -> NDArray:
    n = np.maximum(n.astype(np.int64), _MIN_BLOCK)
    return ((n + _BLOCK_QUANTUM - 1) // _BLOCK_QUANTUM) * _BLOCK_QUANTUM


@dataclass(frozen=True)
class _Window:
    """Where the low-lying wave functions of each potential live (t >= 0), from a WKB picture.

    The window is the set of x whose WKB action at the reference energy, from the classically
    allowed region, is below the tail action tau. It has one or two connected pieces.

    Attributes
    ----------
    x : ndarray, shape (n, _AUX_POINTS)
        Auxiliary grid covering the window. [1]
    action : ndarray, shape (n, _AUX_POINTS)
        WKB action from the nearest classically allowed point (0 inside the region). [1]
    gap : ndarray of bool
        The window has two pieces (a barrier too thick for the tails to cross it).
    a1, b1 : ndarray
        Ends of the first (left, or only) piece, one grid step outside. [1]
    a2, b2 : ndarray
        Ends of the second piece (the last piece; equal to the first when there is no gap). [1]
    """

    x: NDArray[np.float64]
    action: NDArray[np.float64]
    gap: NDArray[np.bool_]
    a1: NDArray[np.float64]
    b1: NDArray[np.float64]
    a2: NDArray[np.float64]
    b2: NDArray[np.float64]


@dataclass(frozen=True)
class _HermiteCandidate:
    """Gauss–Hermite blocks that would represent each potential (used by the Hermite layouts).

    Block A covers the single piece, or the left piece (the right one for a mirror layout);
    block B covers the right piece of a two-piece window.

    Attributes
    ----------
    c_a, c_b : ndarray
        Centres of the blocks. [1]
    s_a, s_b : ndarray
        Scales of the blocks (nodes c + s z_k). [1]
    r2_a, r2_b : ndarray
        Radius^2 of the phase-space disk each block must cover (0 for an absent block B). [1]
    n_a, n_b : ndarray of int
        Points the blocks need at the default resolution. [1]
    """

    c_a: NDArray[np.float64]
    s_a: NDArray[np.float64]
    r2_a: NDArray[np.float64]
    n_a: NDArray[np.int64]
    c_b: NDArray[np.float64]
    s_b: NDArray[np.float64]
    r2_b: NDArray[np.float64]
    n_b: NDArray[np.int64]


@dataclass(frozen=True)
class _SincCandidate:
    """Sinc lattice x = anchor + (j + offset) h that would represent a one-piece window.

    Attributes
    ----------
    h : ndarray
        Lattice spacing. [1]
    ja : ndarray of int
        First lattice index inside the window (0 for the parity lattice, offset 1/2). [1]
    n_points : ndarray of int
        Lattice points inside the window. [1]
    n_rounded : ndarray of int
        The same, rounded up to a block size. [1]
    """

    h: NDArray[np.float64]
    ja: NDArray[np.int64]
    n_points: NDArray[np.int64]
    n_rounded: NDArray[np.int64]


@dataclass(frozen=True)
class Plan:
    """Layout and DVR blocks of each potential of a chunk (t >= 0); all arrays of shape (n,).

    Attributes
    ----------
    layout : ndarray of int
        One of SINC_SINGLE, SINC_PARITY, HERM_SINGLE, HERM_DOUBLE, HERM_MIRROR,
        HERM_PARITY.
    xb, xl, xr : ndarray
        Barrier top x_b (see :func:`barrier_position`), left and right minima. [1]
    has_l, has_r : ndarray of bool
        A well exists left / right of x_b (both for the single well at t = 0).
    h, anchor, offset : ndarray
        Sinc lattice x = anchor + (j + offset) h (sinc layouts; h unused otherwise). [1]
    ja : ndarray of int
        First lattice index of the sinc block. [1]
    kind_a : ndarray of int
        Kind (_KIND_*) of block A; block B's kind follows from the layout.
    size_a, size_b : ndarray of int
        Points of block A and block B (0 when there is no block B). [1]
    edge_lo, edge_hi : ndarray
        Outer edges of the window (tail action tau beyond the outermost turning points). [1]
    tail_a, tail_b : ndarray, shape (2, n)
        Points left and right of the allowed interval of piece A / B where the DVR still
        resolves the tails (WKB action ~ tau / 2). [1]
    c_a, s_a, c_b, s_b : ndarray
        Centres and scales of Hermite blocks A and B (0 and 1 where unused; s_b of a Hermite
        parity layout is s_a). [1]
    """

    layout: NDArray[np.int64]
    xb: NDArray[np.float64]
    xl: NDArray[np.float64]
    xr: NDArray[np.float64]
    has_l: NDArray[np.bool_]
    has_r: NDArray[np.bool_]
    h: NDArray[np.float64]
    anchor: NDArray[np.float64]
    offset: NDArray[np.float64]
    ja: NDArray[np.int64]
    kind_a: NDArray[np.int64]
    size_a: NDArray[np.int64]
    size_b: NDArray[np.int64]
    edge_lo: NDArray[np.float64]
    edge_hi: NDArray[np.float64]
    tail_a: NDArray[np.float64]
    tail_b: NDArray[np.float64]
    c_a: NDArray[np.float64]
    s_a: NDArray[np.float64]
    c_b: NDArray[np.float64]
    s_b: NDArray[np.float64]


def plan_basis(eta: NDArray, t: NDArray, basis_size: int | None, resolution: float) -> Plan:
    """Window, layout and DVR blocks of each potential (t >= 0).

    A window piece with two allowed intervals (two wells and the barrier between them) is
    represented on a sinc lattice anchored at x_b; a piece with one allowed interval gets a
    Gauss–Hermite DVR centred on it (see :func:`_choose_layout`).
    """
    xb, xl, xr, has_l, has_r = landscape(eta, t)
    etop, vmin, tunnel_like = _reference_energy(eta, t, xl, xr, has_l, has_r)
    tau = _TAIL_ACTION * resolution
    mf = _MOMENTUM_FACTOR * math.sqrt(resolution)
    span = np.maximum(etop - vmin, 1e-3)
    lo_w = np.where(has_l, xl, xr)
    hi_w = np.where(has_r, xr, xl)
    win = _window(eta, t, etop, span, np.minimum(lo_w, xb), np.maximum(hi_w, xb), tau)
    sym = t == 0.0
    both = has_l & has_r & ~((xl == xr) & has_l)  # two distinct wells
    # windows that may hold a tunnelling doublet need accurate wave functions (the Wronskian
    # routes use psi and psi' at the minima), not only accurate levels: larger blocks
    doublet = win.gap | (both & tunnel_like)
    herm = _hermite_candidate(eta, t, win, xl, xr, etop, span, mf, doublet)
    sinc = _sinc_candidate(win, xb, sym, span, mf, basis_size)
    two_minima = both & (potential(xl, eta, t) < etop) & (potential(xr, eta, t) < etop)
    layout = _choose_layout(win, xb, sym, two_minima, herm.n_a, sinc.n_rounded)
    if basis_size is None:
        n_sinc, n_a, n_b = sinc.n_rounded, herm.n_a, herm.n_b
    else:
        n_sinc, n_a, n_b = _fixed_sizes(layout, basis_size, herm)
    kind_a, size_a, size_b = _blocks_of_layout(layout, n_sinc, n_a, n_b)
    par = layout == SINC_PARITY
    mir = layout == HERM_MIRROR
    dbl = layout == HERM_DOUBLE
    hermite = (layout != SINC_SINGLE) & ~par
    tail_a = _tail_points(
        win.x, win.action, eta, t, np.where(mir, win.a2, win.a1), np.where(mir, win.b2, win.b1), tau
    )
    return Plan(
        layout=layout,
        xb=xb,
        xl=xl,
        xr=xr,
        has_l=has_l,
        has_r=has_r,
        h=sinc.h,
        # the sinc block is centred on the window: the rounding's extra points split evenly
        anchor=np.where(par, 0.0, xb),
        offset=np.where(par, 0.5, 0.0),
        ja=np.where(par, 0, sinc.ja - (n_sinc - sinc.n_points) // 2),
        kind_a=kind_a,
        size_a=size_a,
        size_b=size_b,
        edge_lo=np.where(mir, -win.b2, win.a1),
        edge_hi=np.where(win.gap, win.b2, win.b1),
        tail_a=np.stack(tail_a),
        tail_b=np.stack(_tail_points(win.x, win.action, eta, t, win.a2, win.b2, tau)),
        c_a=np.where(hermite, herm.c_a, 0.0),
        s_a=np.where(hermite, herm.s_a, 1.0),
        c_b=np.where(dbl, herm.c_b, 0.0),
        s_b=np.where(dbl, herm.s_b, np.where(layout == HERM_PARITY, herm.s_a, 1.0)),
    )


def _window(
    eta: NDArray, t: NDArray, etop: NDArray, span: NDArray, lo: NDArray, hi: NDArray, tau: float
) -> _Window:
    """The window around [lo, hi] (wells and barrier top) at the reference energy ``etop``.

    The auxiliary grid is widened (reach doubled, at most 8 times) until the action at both
    of its ends exceeds the tail action ``tau``; then the pieces are read off.
    """
    n = eta.size
    reach = 1.5 * span**0.25 + (3.0 * tau / (4.0 * np.maximum(span, 0.5) ** 0.375)) ** (2.0 / 3.0)
    reach = reach + 0.5
    for _ in range(8):
        xlo = lo - reach
        xhi = hi + reach
        xa, sa = _action_map(eta, t, etop, xlo, xhi)
        short = (sa[:, 0] < tau) | (sa[:, -1] < tau)
        if not short.any():
            break
        reach = np.where(short, 2.0 * reach, reach)
    sel = sa < tau
    m = _AUX_POINTS
    dxa = (xhi - xlo) / (m - 1)
    idx = np.arange(m)[None, :]
    first = np.argmax(sel, axis=1)
    last = m - 1 - np.argmax(sel[:, ::-1], axis=1)
    gap = sel.sum(axis=1) < (last - first + 1)
    gap_lo = np.argmax(~sel & (idx > first[:, None]), axis=1)  # first point of the gap
    gap_hi = m - 1 - np.argmax((~sel & (idx < last[:, None]))[:, ::-1], axis=1)
    rows = np.arange(n)
    return _Window(
        x=xa,
        action=sa,
        gap=gap,
        a1=xa[rows, first] - dxa,
        b1=np.where(gap, xa[rows, gap_lo - 1], xa[rows, last]) + dxa,
        a2=xa[rows, np.minimum(gap_hi + 1, m - 1)] - dxa,
        b2=xa[rows, last] + dxa,
    )


def _hermite_candidate(
    eta: NDArray,
    t: NDArray,
    win: _Window,
    xl: NDArray,
    xr: NDArray,
    etop: NDArray,
    span: NDArray,
    mf: float,
    doublet: NDArray,
) -> _HermiteCandidate:
    """Gauss–Hermite blocks A (single, left or -- mirror -- right piece) and B (right piece).

    ``doublet`` marks windows that may hold a tunnelling doublet: their blocks get
    _TUNNEL_MARGIN times more points.
    """
    n = eta.size
    gap, a1, b1, a2, b2 = win.gap, win.a1, win.b1, win.a2, win.b2
    sym = t == 0.0
    q_aux = (mf * mf) * np.maximum(etop[:, None] - potential(win.x, eta[:, None], t[:, None]), 0.0)
    mir_c = gap & sym
    ca_lo = np.where(mir_c, a2, a1)
    ca_hi = np.where(mir_c, b2, b1)
    c_a = np.where(sym & ~gap, 0.0, 0.5 * (ca_lo + ca_hi))  # exactly symmetric when t = 0
    s_a, r2_a = _hermite_scale(win.x, q_aux, ca_lo, ca_hi, c_a, span, mf)
    c_b = 0.5 * (a2 + b2)
    s_b, r2_b = np.ones(n), np.zeros(n)
    gi = np.nonzero(gap)[0]
    if gi.size:
        s_b[gi], r2_b[gi] = _hermite_scale(
            win.x[gi], q_aux[gi], a2[gi], b2[gi], c_b[gi], span[gi], mf
        )
    extra = np.where(doublet, _TUNNEL_MARGIN, 1.0)
    n_a = _round_up(np.ceil(extra * _hermite_margin(eta, t, xl, xr, ca_lo, ca_hi) * r2_a / 2.0))
    n_b = _round_up(np.ceil(extra * _hermite_margin(eta, t, xl, xr, a2, b2) * r2_b / 2.0))
    return _HermiteCandidate(
        c_a=c_a, s_a=s_a, r2_a=r2_a, n_a=n_a, c_b=c_b, s_b=s_b, r2_b=r2_b, n_b=n_b
    )


def _sinc_candidate(
    win: _Window, xb: NDArray, sym: NDArray, span: NDArray, mf: float, basis_size: int | None
) -> _SincCandidate:
    """Sinc lattice over the single piece: anchored at x_b, or at 0 with offset 1/2 (t = 0).

    The spacing resolves mf times the largest classical momentum (times a small boost); a
    fixed ``basis_size`` instead spreads that many points over the piece.
    """
    h = np.pi / (_SINC_MOMENTUM_BOOST * mf * np.sqrt(span))
    if basis_size is not None:
        h = (win.b1 - win.a1) / float(basis_size)
    par_c = sym & ~win.gap
    offset = np.where(par_c, 0.5, 0.0)
    anchor = np.where(par_c, 0.0, xb)
    ja = np.ceil((win.a1 - anchor) / h - offset).astype(np.int64)
    jb = np.floor((win.b1 - anchor) / h - offset).astype(np.int64)
    ja = np.where(par_c, 0, ja)
    n_points = jb - ja + 1
    return _SincCandidate(h=h, ja=ja, n_points=n_points, n_rounded=_round_up(n_points))


def _choose_layout(
    win: _Window,
    xb: NDArray,
    sym: NDArray,
    two_minima: NDArray,
    n_hermite: NDArray,
    n_sinc: NDArray,
) -> NDArray:
    """Layout code of each potential.

    Two window pieces get one Hermite block each (HERM_DOUBLE; HERM_MIRROR when t = 0). One
    piece holding x_b gets the sinc lattice (SINC_SINGLE; SINC_PARITY when t = 0) when it
    has two classically allowed intervals, or two minima below the reference energy and a
    sinc block smaller than the Hermite one; otherwise one Hermite block (HERM_SINGLE;
    HERM_PARITY when t = 0).
    """
    gap = win.gap
    allowed = win.action == 0.0
    n_allowed = allowed[:, 0].astype(np.int64) + np.sum(allowed[:, 1:] & ~allowed[:, :-1], axis=1)
    par_c = sym & ~gap
    use_sinc = (
        ~gap
        & (win.a1 <= xb)
        & (xb <= win.b1)
        & ((n_allowed >= 2) | (two_minima & (np.where(par_c, 2, 1) * n_sinc < n_hermite)))
    )
    return np.where(
        gap,
        np.where(sym, HERM_MIRROR, HERM_DOUBLE),
        np.where(
            use_sinc,
            np.where(sym, SINC_PARITY, SINC_SINGLE),
            np.where(sym, HERM_PARITY, HERM_SINGLE),
        ),
    )


def _fixed_sizes(
    layout: NDArray, basis_size: int, herm: _HermiteCandidate
) -> tuple[NDArray, NDArray, NDArray]:
    """Points of the sinc block and of Hermite blocks A, B for a fixed total ``basis_size``.

    Parity layouts split it evenly; a two-piece window in proportion to the phase-space areas
    r2_a, r2_b of its blocks (each at least _MIN_BLOCK).
    """
    par = layout == SINC_PARITY
    hpar = layout == HERM_PARITY
    mir = layout == HERM_MIRROR
    dbl = layout == HERM_DOUBLE
    n_sinc = np.where(par, basis_size // 2, basis_size)
    wa, wb = herm.r2_a, np.where(dbl, herm.r2_b, 0.0)
    n_a = np.where(mir, basis_size // 2, np.round(basis_size * wa / (wa + wb)).astype(np.int64))
    n_a = np.where(hpar, 2 * (basis_size // 2), np.maximum(n_a, _MIN_BLOCK))
    n_b = np.maximum(basis_size - n_a, _MIN_BLOCK)
    return n_sinc, n_a, n_b


def _blocks_of_layout(
    layout: NDArray, n_sinc: NDArray, n_a: NDArray, n_b: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """Kind of block A and the sizes of blocks A and B of each layout.

    SINC_SINGLE: one plain sinc block; SINC_PARITY: even (A) and odd (B) sinc blocks of
    n_sinc points each; HERM_SINGLE: one Hermite block; HERM_DOUBLE: Hermite blocks A and B;
    HERM_MIRROR: block A only (the left well is its mirror image); HERM_PARITY: even (A)
    and odd (B) halves of an n_a-point Hermite DVR.
    """
    par = layout == SINC_PARITY
    sinc = (layout == SINC_SINGLE) | par
    hpar = layout == HERM_PARITY
    dbl = layout == HERM_DOUBLE
    kind_a = np.where(
        sinc, np.where(par, KIND_EVEN, KIND_PLAIN), np.where(hpar, KIND_HERM_EVEN, KIND_HERM)
    )
    size_a = np.where(sinc, n_sinc, np.where(hpar, n_a // 2, n_a))
    size_b = np.where(par, n_sinc, np.where(dbl, n_b, np.where(hpar, n_a // 2, 0)))
    return kind_a, size_a, size_b


def _hermite_margin(
    eta: NDArray, t: NDArray, xl: NDArray, xr: NDArray, lo: NDArray, hi: NDArray
) -> NDArray:
    """Points per unit R^2 / 2 of a Hermite block: more for flat (quartic-like) well bottoms.

    The weight of the quartic term in the level estimate of the well in [lo, hi],
    w = q_3^2 / (49 k + q_3^2) (k: half the curvature at the minimum), interpolates between a
    harmonic well (w = 0) and the pure quartic (w = 1), whose squarer phase-space region needs
    more Hermite functions.
    """
    x = np.where((xl >= lo) & (xl <= hi), xl, xr)
    k = np.maximum(eta + 3.0 * t * x + 6.0 * x * x, 0.0)
    q2 = _QUARTIC_LEVELS[3] ** 2
    return _HERMITE_MARGIN + _HERMITE_QUARTIC * q2 / (49.0 * k + q2)


def _tail_points(
    xa: NDArray, sa: NDArray, eta: NDArray, t: NDArray, lo: NDArray, hi: NDArray, tau: float
) -> tuple[NDArray, NDArray]:
    """Points left and right of the allowed interval in [lo, hi] at WKB action ~ tau / 2.

    There the DVR still resolves the tails (relative size ~exp(-tau/2)) and the WKB solution
    is already accurate. Linear turning-point estimate d = (1.5 S / sqrt|V'|)^(2/3).
    """
    inside = (xa >= lo[:, None]) & (xa <= hi[:, None]) & (sa == 0.0)
    m = xa.shape[1]
    first = np.argmax(inside, axis=1)
    last = m - 1 - np.argmax(inside[:, ::-1], axis=1)
    rows = np.arange(xa.shape[0])
    xl_t, xr_t = xa[rows, first], xa[rows, last]
    out = []
    for xt, sgn in ((xl_t, -1.0), (xr_t, 1.0)):
        slope = np.abs(xt * (2.0 * eta + xt * (3.0 * t + 4.0 * xt))) + 1e-3
        d = (0.75 * tau / np.sqrt(slope)) ** (2.0 / 3.0)
        out.append(np.clip(xt + sgn * d, lo, hi))
    return out[0], out[1]


def _hermite_scale(
    xa: NDArray, q: NDArray, lo: NDArray, hi: NDArray, centre: NDArray, span: NDArray, mf: float
) -> tuple[NDArray, NDArray]:
    """Scale s of a Gauss–Hermite block and the radius^2 of the phase-space disk it must cover.

    A block of N points with scale s resolves the disk ((x - c)/s)^2 + (p s)^2 <= 2N + 1. The
    region to cover is the window [lo, hi] with the momentum bound p^2 <= q(x) (mf^2 times the
    classical p^2 at the reference energy); s minimises the largest radius^2 R^2 over it.
    """
    inside = (xa >= lo[:, None]) & (xa <= hi[:, None])
    dx2 = np.where(inside, (xa - centre[:, None]) ** 2, 0.0)
    qq = np.where(inside, q, 0.0)
    # the window edges themselves must fit too (the grid may miss them)
    edge2 = np.maximum((lo - centre) ** 2, (hi - centre) ** 2)
    s = np.sqrt(np.sqrt(edge2) / np.maximum(np.sqrt(qq.max(axis=1)), 1e-3))
    best_r2 = np.full(lo.shape, np.inf)
    best_s = s.copy()
    for step in (2.0**0.5, 2.0**0.25, 2.0**0.125):  # coarse-to-fine search in ln s
        for f in (1.0 / step, 1.0, step):
            sc = best_s * f if np.isfinite(best_r2).all() else s * f
            r2 = np.maximum(
                np.max(dx2 / (sc * sc)[:, None] + qq * (sc * sc)[:, None], axis=1),
                edge2 / (sc * sc),
            )
            better = r2 < best_r2
            best_r2 = np.where(better, r2, best_r2)
            best_s = np.where(better, sc, best_s)
    return best_s, best_r2
