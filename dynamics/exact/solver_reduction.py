"""Two-level reduction of the soft-potential solver (Wronskian method).

Part of :mod:`dynamics.exact.solver` (eq. (2.6); method and error model in ``docs/spectrum.md``).
For u_0, u_1 spanning the lowest doublet and x_b the barrier top, A_ij = int_{-inf}^{x_b} u_i u_j
dx and Wr = u_0 u_1' - u_1 u_0' at x_b obey Wr = (h_00 - h_11) A_01 + h_01 (A_11 - A_00)
exactly; in the basis that diagonalises A, Delta0 = 2 |Wr| / (lambda_+ - lambda_-) and Delta =
h_RR - h_LL. Each potential takes one route (METHOD_*): the resolved DVR doublet, the Wronskian
of the localised or of the eigen states reconstructed at x_b, or (both states in one well) a
formal reduction from WKB tails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dynamics.exact.solver_dvr import (
    Candidates,
    Columns,
    basis_at,
    hermite_partial_overlaps,
    partial_overlaps,
)
from dynamics.exact.solver_magnus import (
    bucketed_magnus,
    log_add,
    magnus,
    overlap_integral,
    path_nodes,
    wronskian,
)
from dynamics.exact.solver_plan import (
    HERM_DOUBLE,
    HERM_MIRROR,
    HERM_PARITY,
    HERM_SINGLE,
    SINC_PARITY,
    SINC_SINGLE,
    Plan,
    potential,
)

# Route codes stored in SoftPotentialSpectrum.method.
METHOD_DIRECT = 0  # Delta0, Delta from the resolved DVR doublet and its P matrix
METHOD_LOCALISED = 1  # Wr from the localised states (near-degenerate tunnelling doublet)
METHOD_SAME_WELL = 2  # both states on one side of x_b (formal reduction, exponential tails)
METHOD_EIGEN = 3  # Wr from the eigenstates' traces at x_b (resolved tunnelling doublet)

# Route selection for doublets in one block (estimated relative errors of Delta0).
_DIRECT_LEAK = 1e-6  # same-well doublets use the DVR P matrix when they leak more than this
_EIGEN_SPLIT = 1e-6  # eigenstate route only when E_1 - E_0 > this * max(1, |E_0|)
_EIGEN_MAX_P = 0.1  # ... and p is below this (far-side directions off resonance)
_LOCALISED_MAX_LEAK = 1e-3  # localised route only when the states leak less than this
_EPS_LEVEL = 1e-13  # absolute accuracy of E_1 - E_0 per unit max(1, |E_0|) [W]
_EPS_OVERLAP = 1e-8  # absolute accuracy of the DVR partial overlaps A_ij [1]
_EPS_WRONSKIAN = 1e-10  # relative accuracy of a reconstructed Wronskian [1]
_EPS_RESONANCE = 5e-12  # eigenstate route: error ~ p * this / E^2 near resonance [W^2]
_LEAK_SQUARED = 300.0  # localised route: residual coupling error ~ this * leak^2 [1]


@dataclass(frozen=True)
class Reduction:
    """Levels, observables and two-level reduction of the potentials of a chunk (t >= 0).

    Attributes are those of :class:`SoftPotentialSpectrum` with the same names and units, for
    the potentials as solved (|t|, before the reflection x -> -x of the t < 0 ones); arrays of
    shape (n,), or (n, 3) for ``levels``, ``x2`` and ``x3``.
    """

    levels: NDArray[np.float64]
    x2: NDArray[np.float64]
    x3: NDArray[np.float64]
    x2_01: NDArray[np.float64]
    x3_01: NDArray[np.float64]
    splitting: NDArray[np.float64]
    tunnel_splitting: NDArray[np.float64]
    asymmetry: NDArray[np.float64]
    p: NDArray[np.float64]
    log_tunnel_splitting: NDArray[np.float64]
    method: NDArray[np.int64]


@dataclass(frozen=True)
class _Doublet:
    """Working state of the two-level reduction of a chunk (arrays of shape (n, ...)).

    The route functions fill these arrays in place, each on the rows of its own route; the
    dataclass is frozen only in the sense that its fields keep pointing at the same arrays.

    Attributes
    ----------
    levels : ndarray, shape (n, 3)
        The three lowest eigenvalues. [W]
    vectors : ndarray, shape (n, 3, w)
        Their DVR vectors (columns of :class:`Columns`). [1]
    order : ndarray of int, shape (n, 3)
        Candidate index (:class:`Candidates`) of each of the three states.
    e0, e1 : ndarray
        Energies of the doublet states psi_0, psi_1. [W]
    psi0, psi1 : ndarray, shape (n, w)
        The doublet's DVR vectors; their signs are fixed by the route functions. [1]
    method : ndarray of int
        Route (METHOD_*).
    left0, left1 : ndarray of bool
        psi_0 (or L) / psi_1 lives left of x_b.
    lam_diff : ndarray
        lambda_+ - lambda_-, the eigenvalue difference of the P matrix A_ij (1 where the
        route does not use it). [1]
    a00, a11, a01 : ndarray
        Partial overlaps A_ij = int_{-inf}^{x_b} psi_i psi_j dx (one-block layouts). [1]
    fa, fb : ndarray, shape (n, w)
        Localised-route states L (left) and R (right). [1]
    ea, eb : ndarray
        Their energies h_LL, h_RR. [W]
    """

    levels: NDArray[np.float64]
    vectors: NDArray[np.float64]
    order: NDArray[np.int64]
    e0: NDArray[np.float64]
    e1: NDArray[np.float64]
    psi0: NDArray[np.float64]
    psi1: NDArray[np.float64]
    method: NDArray[np.int64]
    left0: NDArray[np.bool_]
    left1: NDArray[np.bool_]
    lam_diff: NDArray[np.float64]
    a00: NDArray[np.float64]
    a11: NDArray[np.float64]
    a01: NDArray[np.float64]
    fa: NDArray[np.float64]
    fb: NDArray[np.float64]
    ea: NDArray[np.float64]
    eb: NDArray[np.float64]


@dataclass(frozen=True)
class _Splitting:
    """Logarithmic two-level parameters of the rows of one route.

    Attributes
    ----------
    log_d0 : ndarray
        ln(Delta0 / W). [1]
    delta : ndarray
        Delta. [W]
    log_e : ndarray
        ln(E / W). [1]
    """

    log_d0: NDArray[np.float64]
    delta: NDArray[np.float64]
    log_e: NDArray[np.float64]


def two_level(
    eta: NDArray,
    t: NDArray,
    plan: Plan,
    cols: Columns,
    cand: Candidates,
    phase_step: float,
    force: int | None = None,
) -> Reduction:
    """Doublet reduction (Delta0, Delta, E, p) and the observables of the three states.

    Chooses a route per potential (one-block layouts: from the P matrix of the DVR doublet;
    two-block layouts: from the blocks), reconstructs the Wronskian at x_b where the route
    needs it, and reduces. ``force`` (a testing hook: METHOD_DIRECT, METHOD_EIGEN or
    METHOD_LOCALISED) imposes the route of the tunnelling doublets of one-block layouts.
    """
    lay = plan.layout
    d = _lowest_states(cand, lay == HERM_MIRROR)
    one_block = np.nonzero(
        (lay == SINC_SINGLE) | (lay == SINC_PARITY) | (lay == HERM_SINGLE) | (lay == HERM_PARITY)
    )[0]
    if one_block.size:
        _one_block_overlaps(plan, cols, d, one_block)
        _one_block_routes(eta, t, plan, d, one_block, force)
    two_block = np.nonzero(lay == HERM_DOUBLE)[0]
    if two_block.size:
        _two_block_routes(d, two_block)
    d.method[lay == HERM_MIRROR] = METHOD_LOCALISED  # fa = left (mirror), fb = right ground

    log_wr = np.zeros(eta.size)
    tails = np.zeros((eta.size, 2, 3))  # (ln|psi_n(x_b)|, sign psi_n(x_b), psi_n'/psi_n) at x_b
    rows = np.nonzero(d.method == METHOD_LOCALISED)[0]
    if rows.size:
        log_wr[rows] = _localised_wronskian(eta, t, plan, cols, d, rows, phase_step)
    rows = np.nonzero(d.method == METHOD_EIGEN)[0]
    if rows.size:
        tails[rows], log_wr[rows] = _eigen_traces(eta, t, plan, cols, d, rows, phase_step)
    rows = np.nonzero(d.method == METHOD_SAME_WELL)[0]
    if rows.size:
        tails[rows] = _same_well_tails(eta, t, plan, cols, d, rows)
    return _reduce(eta, t, plan, cols, d, log_wr, tails)


def _lowest_states(cand: Candidates, mirror: NDArray) -> _Doublet:
    """The three lowest candidates; initial route METHOD_DIRECT.

    A mirror layout's states are the left ground state (mirror image), the right ground state
    and the even combination of the two first excited states.
    """
    n = mirror.size
    r2 = 1.0 / math.sqrt(2.0)
    order = np.argsort(cand.energy, axis=1, kind="stable")
    o3 = order[:, :3].copy()
    o3[mirror] = np.array([3, 0, 1])
    ene = np.take_along_axis(cand.energy, o3, axis=1)
    vec = cand.vectors[np.arange(n)[:, None], o3]
    vec[mirror, 2] = (cand.vectors[mirror, 1] + cand.vectors[mirror, 4]) * r2
    e0, e1 = ene[:, 0].copy(), ene[:, 1].copy()
    psi0, psi1 = vec[:, 0].copy(), vec[:, 1].copy()
    return _Doublet(
        levels=ene,
        vectors=vec,
        order=o3,
        e0=e0,
        e1=e1,
        psi0=psi0,
        psi1=psi1,
        method=np.full(n, METHOD_DIRECT),
        left0=np.zeros(n, dtype=bool),
        left1=np.zeros(n, dtype=bool),
        lam_diff=np.ones(n),
        a00=np.ones(n),
        a11=np.zeros(n),
        a01=np.zeros(n),
        fa=psi0.copy(),
        fb=psi1.copy(),
        ea=e0.copy(),
        eb=e1.copy(),
    )


def _one_block_overlaps(plan: Plan, cols: Columns, d: _Doublet, rows: NDArray) -> None:
    """Exact partial overlaps A_ij of the doublet of one-block layouts (fills d.a00, a11, a01).

    Sinc layouts: :func:`partial_overlaps`; Hermite layouts (a parity layout is a full
    2n-point Hermite DVR in column order): :func:`hermite_partial_overlaps`.
    """
    lay = plan.layout
    xb = plan.xb
    si = rows[(lay[rows] == SINC_SINGLE) | (lay[rows] == SINC_PARITY)]
    if si.size:
        hh = plan.h[si]
        jfull = np.rint(
            (cols.x[si] - plan.anchor[si, None]) / hh[:, None] - plan.offset[si, None]
        ).astype(np.int64)
        d.a00[si], d.a11[si], d.a01[si] = partial_overlaps(
            d.psi0[si], d.psi1[si], cols.x[si], xb[si], hh, jfull
        )
    hsingle = (lay == HERM_SINGLE) | (lay == HERM_PARITY)
    size_a = np.where(lay == HERM_PARITY, 2, 1) * plan.size_a
    for nn in np.unique(size_a[hsingle]):
        hi = np.nonzero(hsingle & (size_a == nn))[0]
        nn = int(nn)
        d.a00[hi], d.a11[hi], d.a01[hi] = hermite_partial_overlaps(
            d.psi0[hi, :nn], d.psi1[hi, :nn], nn, plan.c_a[hi], plan.s_a[hi], xb[hi]
        )


def _one_block_routes(
    eta: NDArray, t: NDArray, plan: Plan, d: _Doublet, sm: NDArray, force: int | None
) -> None:
    """Route of the doublets of one-block layouts, from their P matrix.

    The eigenvalues lambda_+- of A_ij tell whether the doublet tunnels (one state on each
    side of x_b) or lies in one well; among the routes valid for it the one with the smallest
    estimated error of Delta0 (:func:`_route_errors`) is taken. Fills d.method, d.left0,
    d.left1, d.lam_diff and, for the localised route, the states L, R (eigenvectors of the P
    matrix) and their energies. ``force``: see :func:`two_level`.
    """
    b00, b11, b01 = d.a00[sm], d.a11[sm], d.a01[sm]
    mean = 0.5 * (b00 + b11)
    rad = np.hypot(0.5 * (b00 - b11), b01)
    lp, lm = mean + rad, mean - rad
    ld = np.maximum(np.hypot(b00 - b11, 2.0 * b01), 1e-300)
    d.lam_diff[sm] = ld
    tun = (lp > 0.5) & (lm < 0.5) & plan.has_l[sm] & plan.has_r[sm]
    s_left = (lm >= 0.5) & plan.has_l[sm]
    s_right = (lp <= 0.5) & plan.has_r[sm]
    leak = np.where(tun, np.maximum(1.0 - lp, lm), np.where(s_left, 1.0 - lm, lp))
    p_dir = (np.minimum(2.0 * np.abs(b01), ld) / ld) ** 2
    e0, e1 = d.e0[sm], d.e1[sm]
    kap2 = np.maximum(potential(plan.xb[sm], eta[sm], t[sm]) - 0.5 * (e0 + e1), 1e-12)
    errors = _route_errors(e0, e1, p_dir, leak, tun, kap2)
    best = np.argmin(errors, axis=0)
    m_eig = best == 1
    m_loc = best == 2
    m_same = ~tun & (s_left | s_right) & (leak <= _DIRECT_LEAK)
    if force is not None:
        m_eig = tun & (force == METHOD_EIGEN)
        m_loc = tun & (force == METHOD_LOCALISED)
    d.method[sm[m_eig]] = METHOD_EIGEN
    d.method[sm[m_loc]] = METHOD_LOCALISED
    d.method[sm[m_same]] = METHOD_SAME_WELL
    d.left0[sm] = np.where(tun, b00 >= b11, s_left)
    d.left1[sm] = np.where(tun, b00 < b11, s_left)
    tj = sm[m_loc]
    if tj.size:  # localised basis: eigenvectors of the P matrix
        chi = 0.5 * np.arctan2(2.0 * d.a01[tj], d.a00[tj] - d.a11[tj])
        cc, ss = np.cos(chi), np.sin(chi)
        d.fa[tj] = cc[:, None] * d.psi0[tj] + ss[:, None] * d.psi1[tj]
        d.fb[tj] = -ss[:, None] * d.psi0[tj] + cc[:, None] * d.psi1[tj]
        d.ea[tj] = cc * cc * d.e0[tj] + ss * ss * d.e1[tj]
        d.eb[tj] = ss * ss * d.e0[tj] + cc * cc * d.e1[tj]


def _route_errors(
    e0: NDArray, e1: NDArray, p_dir: NDArray, leak: NDArray, tun: NDArray, kap2: NDArray
) -> NDArray:
    """Estimated relative errors of Delta0 by the direct, eigenstate and localised routes.

    Parameters: the doublet's energies e0, e1 [W]; p_dir, p from the DVR P matrix [1]; leak,
    the weight of the states on the wrong side of x_b [1]; tun, the doublet tunnels;
    kap2 = V(x_b) - (e0 + e1) / 2 (at least 1e-12) [W]. Returns shape (3, n), inf where a
    route does not apply (see docs/spectrum.md for the error model).
    """
    split = e1 - e0
    scale = np.maximum(1.0, np.abs(e0))
    resolved = split > _EIGEN_SPLIT * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        err_d = _EPS_LEVEL * scale / split + _EPS_OVERLAP / np.sqrt(p_dir)
        err_e = np.where(
            tun & resolved & (p_dir < _EIGEN_MAX_P),
            _EPS_WRONSKIAN + p_dir * _EPS_RESONANCE / split**2,
            np.inf,
        )
        err_l = np.where(
            tun & (leak <= _LOCALISED_MAX_LEAK),
            _EPS_WRONSKIAN
            + _LEAK_SQUARED * leak**2
            + 0.5 * split * np.sqrt(p_dir * np.maximum(1.0 - p_dir, 0.0)) / kap2,
            np.inf,
        )
    err_d = np.where(np.isfinite(err_d), err_d, np.inf)
    return np.stack([err_d, err_e, err_l])


def _two_block_routes(d: _Doublet, dm: NDArray) -> None:
    """Route of the doublets of two-block layouts (HERM_DOUBLE): the blocks tell the side.

    One state in each block: localised route with L, R the two block states; both in one
    block: same-well route.
    """
    in_a = d.order[dm, :2] < 3
    tun = in_a[:, 0] != in_a[:, 1]
    d.method[dm] = np.where(tun, METHOD_LOCALISED, METHOD_SAME_WELL)
    d.left0[dm] = in_a[:, 0]
    d.left1[dm] = in_a[:, 1]
    td = dm[tun]
    swap = ~in_a[tun, 0]  # state 0 is the right-well state
    d.fa[td] = np.where(swap[:, None], d.psi1[td], d.psi0[td])
    d.fb[td] = np.where(swap[:, None], d.psi0[td], d.psi1[td])
    d.ea[td] = np.where(swap, d.e1[td], d.e0[td])
    d.eb[td] = np.where(swap, d.e0[td], d.e1[td])


def _reduce(
    eta: NDArray,
    t: NDArray,
    plan: Plan,
    cols: Columns,
    d: _Doublet,
    log_wr: NDArray,
    tails: NDArray,
) -> Reduction:
    """Delta0, Delta, E per route, the doublet states' signs, and the observables."""
    n = eta.size
    levels = d.levels.copy()
    log_d0 = np.empty(n)
    delta = np.empty(n)
    log_e = np.empty(n)

    def put(rows: NDArray, part: _Splitting) -> None:
        log_d0[rows], delta[rows], log_e[rows] = part.log_d0, part.delta, part.log_e

    rows = np.nonzero((d.method == METHOD_DIRECT) | (d.method == METHOD_EIGEN))[0]
    if rows.size:
        put(rows, _resolved_doublets(d, rows))
    rows = np.nonzero(d.method == METHOD_EIGEN)[0]
    if rows.size:
        put(rows, _eigen_doublets(d, rows, log_wr[rows], delta[rows]))
    rows = np.nonzero(d.method == METHOD_LOCALISED)[0]
    if rows.size:
        part = _localised_doublets(d, rows, log_wr[rows])
        put(rows, part)
        esp = np.exp(part.log_e)
        mean = 0.5 * (d.ea[rows] + d.eb[rows])
        levels[rows, 0] = mean - 0.5 * esp
        levels[rows, 1] = mean + 0.5 * esp
    rows = np.nonzero(d.method == METHOD_SAME_WELL)[0]
    if rows.size:
        put(rows, _same_well_doublets(eta, t, plan, d, rows, tails[rows]))
    return _observables(cols, d, levels, log_d0, delta, log_e)


def _resolved_doublets(d: _Doublet, rows: NDArray) -> _Splitting:
    """Resolved doublets (P matrix from the DVR): E = E1 - E0, Delta = E cos(2 chi).

    Also signs the states: psi0 positive at its largest component, psi1 such that A01 <= 0.
    """
    split = d.e1[rows] - d.e0[rows]
    ld = d.lam_diff[rows]
    delta = split * (d.a00[rows] - d.a11[rows]) / ld
    with np.errstate(divide="ignore"):
        log_e = np.log(split)
        log_d0 = log_e + np.log(np.abs(2.0 * d.a01[rows]) / ld)
    big = np.argmax(np.abs(d.psi0[rows]), axis=1)
    s0 = np.sign(d.psi0[rows][np.arange(big.size), big])
    d.psi0[rows] *= s0[:, None]
    d.psi1[rows] *= np.where(d.a01[rows] * s0 > 0, -1.0, 1.0)[:, None]
    return _Splitting(log_d0=log_d0, delta=delta, log_e=log_e)


def _eigen_doublets(d: _Doublet, rows: NDArray, log_wr: NDArray, delta: NDArray) -> _Splitting:
    """Eigenstate route: Delta0 = 2 |Wr| / (lambda_+ - lambda_-); E from Delta and Delta0.

    ``delta`` is the resolved doublet's Delta [W]; ``log_wr`` is ln|Wr(x_b)| [1].
    """
    ld0 = math.log(2.0) + log_wr - np.log(d.lam_diff[rows])
    with np.errstate(divide="ignore"):
        ldl = np.log(np.abs(delta))
    return _Splitting(log_d0=ld0, delta=delta, log_e=0.5 * log_add(2.0 * ld0, 2.0 * ldl))


def _localised_doublets(d: _Doublet, rows: NDArray, log_wr: NDArray) -> _Splitting:
    """Localised route: Delta0 from the Wronskian of L, R; Delta = h_RR - h_LL.

    Sets the doublet states psi0 = c L + s R, psi1 = -s L + c R with tan(phi) = Delta0 /
    Delta, c = cos(phi / 2), computed without cancellation.
    """
    ld0 = math.log(2.0) + log_wr - np.log(d.lam_diff[rows])
    dl = d.eb[rows] - d.ea[rows]
    with np.errstate(divide="ignore"):
        ldl = np.log(np.abs(dl))
    le = 0.5 * log_add(2.0 * ld0, 2.0 * ldl)
    rd = np.sign(dl) * np.exp(ldl - le)  # Delta / E
    rd0 = np.exp(ld0 - le)  # Delta0 / E
    pos = dl >= 0
    c = np.sqrt(0.5 * (1.0 + np.where(pos, rd, -1.0)))
    s = np.sqrt(0.5 * (1.0 - np.where(pos, 1.0, rd)))
    c = np.where(pos, c, rd0 / (2.0 * np.maximum(s, 1e-300)))
    s = np.where(pos, rd0 / (2.0 * np.maximum(c, 1e-300)), s)
    d.psi0[rows] = c[:, None] * d.fa[rows] + s[:, None] * d.fb[rows]
    d.psi1[rows] = -s[:, None] * d.fa[rows] + c[:, None] * d.fb[rows]
    return _Splitting(log_d0=ld0, delta=dl, log_e=le)


def _same_well_doublets(
    eta: NDArray, t: NDArray, plan: Plan, d: _Doublet, rows: NDArray, tails: NDArray
) -> _Splitting:
    """Same-well route (formal reduction): the P matrix from exponential tails beyond x_b.

    ``tails`` holds per state (ln|psi_n(x_b)|, sign, psi_n'/psi_n at x_b). E = E1 - E0. Signs
    psi1 so that A01 <= 0 (psi0 > 0 was fixed by :func:`_same_well_tails`).
    """
    lv0, sg0, q0 = tails[:, 0, 0], tails[:, 0, 1], tails[:, 0, 2]
    lv1, sg1, q1 = tails[:, 1, 0], tails[:, 1, 1], tails[:, 1, 2]
    left = d.left0[rows]
    e0, e1 = d.e0[rows], d.e1[rows]
    vbx = potential(plan.xb[rows], eta[rows], t[rows])
    # decay constants away from the well; exponential tails give the P matrix
    k0 = np.where(left, -q0, q0)
    k1 = np.where(left, -q1, q1)
    k0 = np.where(k0 > 0, k0, np.sqrt(np.maximum(vbx - e0, 1e-12)))
    k1 = np.where(k1 > 0, k1, np.sqrt(np.maximum(vbx - e1, 1e-12)))
    big = np.maximum(lv0, lv1)
    r0, r1 = np.exp(lv0 - big), np.exp(lv1 - big)
    t00, t11, t01 = r0 * r0 / (2.0 * k0), r1 * r1 / (2.0 * k1), r0 * r1 / (k0 + k1)
    den = (t00 - t11) ** 2 + 4.0 * t01 * t01
    log_p = np.minimum(
        math.log(4.0) + 2.0 * (lv0 + lv1 - 2.0 * big - np.log(k0 + k1)) - np.log(den), 0.0
    )
    split = e1 - e0
    log_e = np.log(split)
    sgn = np.where(left, np.sign(t11 - t00), np.sign(t00 - t11))
    prod = sg0 * sg1
    flip1 = np.where(left, prod < 0, prod > 0)
    d.psi1[rows] *= np.where(flip1, -1.0, 1.0)[:, None]
    return _Splitting(
        log_d0=log_e + 0.5 * log_p,
        delta=sgn * split * np.sqrt(-np.expm1(np.minimum(log_p, -1e-300))),
        log_e=log_e,
    )


def _observables(
    cols: Columns,
    d: _Doublet,
    levels: NDArray,
    log_d0: NDArray,
    delta: NDArray,
    log_e: NDArray,
) -> Reduction:
    """Hellmann–Feynman and off-diagonal elements of the (signed) states; E, Delta0, p."""
    xfull = cols.x
    x2f = np.where(cols.valid, xfull * xfull, 0.0)
    x3f = x2f * xfull
    states = np.stack([d.psi0, d.psi1, d.vectors[:, 2]], axis=1)
    with np.errstate(over="ignore"):
        d0 = np.exp(log_d0)
        p = np.minimum(np.exp(2.0 * (log_d0 - log_e)), 1.0)
    return Reduction(
        levels=levels,
        x2=np.einsum("nsw,nsw,nw->ns", states, states, x2f),
        x3=np.einsum("nsw,nsw,nw->ns", states, states, x3f),
        x2_01=np.einsum("nw,nw,nw->n", d.psi0, d.psi1, x2f),
        x3_01=np.einsum("nw,nw,nw->n", d.psi0, d.psi1, x3f),
        splitting=np.exp(log_e),
        tunnel_splitting=d0,
        asymmetry=delta,
        p=p,
        log_tunnel_splitting=log_d0,
        method=d.method,
    )


def _state_data(
    plan: Plan, cols: Columns, rows: NDArray, f: NDArray, x0: NDArray
) -> tuple[NDArray, NDArray]:
    """psi(x0) and psi'(x0) of DVR vectors f (one per row ``rows`` of the chunk)."""
    bval, bder = basis_at(plan, rows, cols.x[rows], cols.valid[rows], x0)
    return np.sum(f * bval, axis=1), np.sum(f * bder, axis=1)


def _localised_wronskian(
    eta: NDArray,
    t: NDArray,
    plan: Plan,
    cols: Columns,
    d: _Doublet,
    rows: NDArray,
    phase_step: float,
) -> NDArray:
    """ln Wr(x_b) of a near-degenerate tunnelling doublet from localised states L = fa, R = fb.

    L's trace at x_b is alpha_L e_L: e_L is the direction of a solution at energy h_LL grown
    from the right well towards x_b, and alpha_L follows from the Wronskian of L with a solution
    G_L started at the left minimum, W(L, G_L)(x_b) = W(L, G_L)(x_l) + h_LR int G_L R dx (the
    integral is the coupling correction, iterated in :func:`_coupled_wronskian`). Likewise for
    R. All four paths are integrated in the direction in which their solutions grow.
    Neglected: terms of order (h_LR / kappa^2) (h_RR - h_LL) / E, small for near-degenerate
    doublets only. Signs d.fa, d.fb so that L(x_l) > 0 and R(x_r) > 0.
    """
    xb, xl, xr = plan.xb[rows], plan.xl[rows], plan.xr[rows]
    er, etr = eta[rows], t[rows]
    L, R = d.fa[rows], d.fb[rows]
    vl, sl = _state_data(plan, cols, rows, L, xl)
    vr, sr = _state_data(plan, cols, rows, R, xr)
    flip_l = np.where(vl < 0, -1.0, 1.0)
    flip_r = np.where(vr < 0, -1.0, 1.0)
    d.fa[rows] = L * flip_l[:, None]
    d.fb[rows] = R * flip_r[:, None]
    vl, sl, vr, sr = vl * flip_l, sl * flip_l, vr * flip_r, sr * flip_r
    hl, hr = d.ea[rows], d.eb[rows]
    m = rows.size
    one, zero = np.ones(m), np.zeros(m)
    mid = 0.5 * (hl + hr)
    nodes = path_nodes(
        np.tile(er, 2),
        np.tile(etr, 2),
        np.tile(mid, 2),
        np.concatenate([xl, xr]),
        np.tile(xb, 2),
        phase_step,
        32,
        8192,
    )
    nodes = np.concatenate([nodes[:m], nodes[m:], nodes[m:], nodes[:m]])
    ys = np.concatenate(
        [
            np.stack([-sl, vl], axis=1),  # G_L: from the left minimum, energy h_LL
            np.stack([zero, -one], axis=1),  # e_L: from the right minimum, energy h_LL
            np.stack([-sr, vr], axis=1),  # G_R: from the right minimum, energy h_RR
            np.stack([zero, one], axis=1),  # e_R: from the left minimum, energy h_RR
        ]
    )
    es = np.concatenate([hl, hl, hr, hr])
    yend, lend, trace = magnus(np.tile(er, 4), np.tile(etr, 4), es, nodes, ys, record=True)
    assert trace is not None
    return _coupled_wronskian(
        [yend[i * m : (i + 1) * m] for i in range(4)],
        [lend[i * m : (i + 1) * m] for i in range(4)],
        [trace[:, i * m : (i + 1) * m] for i in range(4)],
        nodes,
        (vl * vl + sl * sl, vr * vr + sr * sr),
        d.lam_diff[rows],
    )


def _coupled_wronskian(
    ends: list[NDArray],
    log_ends: list[NDArray],
    traces: list[NDArray],
    nodes: NDArray,
    w0: tuple[NDArray, NDArray],
    lam_diff: NDArray,
) -> NDArray:
    """ln|Wr(x_b)| of L and R from the four paths G_L, e_L, G_R, e_R (in that order).

    ``ends``/``log_ends``: normalised end vectors (psi, psi') at x_b and the logs of their
    scales; ``traces``: the recorded paths; ``nodes``: their nodes (m rows per path);
    ``w0``: W(L, G_L) and W(R, G_R) at the minima; ``lam_diff``: lambda_+ - lambda_- [1].
    The coupling h_LR = -Wr / lam_diff feeds back through the overlap integrals of G_L e_R and
    G_R e_L; three iterations.
    """
    m = lam_diff.size
    g_l, e_l, g_r, e_r = ends
    lg_l, le_l, lg_r, le_r = log_ends
    w0l, w0r = w0
    wl = wronskian(e_l, g_l)
    wr_ = wronskian(e_r, g_r)
    wlr = wronskian(e_l, e_r)
    # integrals of G_L e_R (left side) and G_R e_L (right side), e's scaled to unit end vector
    i_left = overlap_integral(traces[0], traces[3], -le_r, nodes[:m])
    i_right = overlap_integral(traces[2], traces[1], -le_l, nodes[m : 2 * m])
    wl_b, wr_b = w0l, w0r
    log_wr = np.zeros(m)
    for _ in range(3):
        log_al = np.log(np.abs(wl_b)) - lg_l - np.log(np.abs(wl))
        log_ar = np.log(np.abs(wr_b)) - lg_r - np.log(np.abs(wr_))
        sign = np.sign(wl_b) * np.sign(wl) * np.sign(wr_b) * np.sign(wr_) * np.sign(wlr)
        log_wr = log_al + log_ar + np.log(np.abs(wlr))
        h_lr = -sign * np.exp(log_wr) / lam_diff
        alpha_l = np.sign(wl_b) * np.sign(wl) * np.exp(log_al)
        alpha_r = np.sign(wr_b) * np.sign(wr_) * np.exp(log_ar)
        wl_b = w0l + h_lr * alpha_r * i_left
        wr_b = w0r - h_lr * alpha_l * i_right
    return log_wr


def _same_well_tails(
    eta: NDArray, t: NDArray, plan: Plan, cols: Columns, d: _Doublet, rows: NDArray
) -> NDArray:
    """Tails at x_b of two states in the same well (formal reduction), WKB-continued.

    psi_n is taken from the DVR at x_m, a point on the x_b side where the tail is still well
    resolved (WKB action about half the tail action beyond the turning point, or x_b itself
    when it is closer), and continued to x_b with the WKB solution
    psi ~ kappa^(-1/2) exp(-int kappa dx), kappa = sqrt(V - E_n), accurate to ~1 % there.
    Returns per state (ln|psi_n(x_b)|, sign, psi_n'/psi_n at x_b). Signs d.psi0 positive at
    its largest component (nodeless in its well).
    """
    lay = plan.layout[rows]
    lf = d.left0[rows]
    xb = plan.xb[rows]
    er, etr = eta[rows], t[rows]
    in_b = (lay == HERM_DOUBLE) & ~lf  # both states in the right-well block
    tail = np.where(in_b, plan.tail_b[:, rows], plan.tail_a[:, rows])
    xm = np.where(lf, np.minimum(xb, tail[1]), np.maximum(xb, tail[0]))
    bval, _ = basis_at(plan, rows, cols.x[rows], cols.valid[rows], xm)
    big = np.argmax(np.abs(d.psi0[rows]), axis=1)
    s0 = np.sign(d.psi0[rows][np.arange(rows.size), big])
    d.psi0[rows] *= s0[:, None]
    gl_x, gl_w = np.polynomial.legendre.leggauss(16)
    half = 0.5 * (xb - xm)
    xq = 0.5 * (xb + xm)[:, None] + half[:, None] * gl_x[None, :]
    vq = potential(xq, er[:, None], etr[:, None])
    vb = potential(xb, er, etr)
    vm = potential(xm, er, etr)
    dvb = xb * (2.0 * er + xb * (3.0 * etr + 4.0 * xb))
    out = np.empty((rows.size, 2, 3))
    for j, (f, en) in enumerate(((d.psi0[rows], d.e0[rows]), (d.psi1[rows], d.e1[rows]))):
        v = np.sum(f * bval, axis=1)
        action = np.abs(half) * np.sum(np.sqrt(np.maximum(vq - en[:, None], 0.0)) * gl_w, axis=1)
        kb = np.maximum(vb - en, 1e-12)
        km = np.maximum(vm - en, 1e-12)
        with np.errstate(divide="ignore"):
            out[:, j, 0] = np.log(np.abs(v)) + 0.25 * (np.log(km) - np.log(kb)) - action
        out[:, j, 1] = np.sign(v)
        out[:, j, 2] = np.where(lf, -1.0, 1.0) * np.sqrt(kb) - dvb / (4.0 * kb)
    return out


def _eigen_traces(
    eta: NDArray,
    t: NDArray,
    plan: Plan,
    cols: Columns,
    d: _Doublet,
    rows: NDArray,
    phase_step: float,
) -> tuple[NDArray, NDArray]:
    """Traces (psi, psi') at x_b of the eigenstates psi_0, psi_1, and ln|Wr(x_b)|.

    Each eigenstate satisfies the Schrödinger equation at its own energy exactly. The
    direction of its trace at x_b is that of the solution decaying on the far side, integrated
    from the far edge of the window (WKB decaying tail; the action from the turning point is at
    least the tail action there, so the start is exact to ~exp(-2 tau)) towards x_b. Its size
    follows from the Wronskian with a solution G_n started at the near-side minimum with
    (-psi_n', psi_n): W(psi_n, G_n) = psi_n^2 + psi_n'^2 is constant. Returns per state
    (ln|psi_n(x_b)|, sign psi_n(x_b), psi_n'/psi_n at x_b) and ln|W(psi_0, psi_1)(x_b)|.
    Signs d.psi0 positive at its near-side minimum.
    """
    xb = plan.xb[rows]
    er, etr = eta[rows], t[rows]
    m = rows.size
    starts, ys, ens, near = [], [], [], []
    for f, en, left in ((d.psi0, d.e0, d.left0), (d.psi1, d.e1, d.left1)):
        lf = left[rows]
        xn = np.where(lf, plan.xl[rows], plan.xr[rows])
        v, s = _state_data(plan, cols, rows, f[rows], xn)
        near.append((v, s))
        starts.append(xn)
        ys.append(np.stack([-s, v], axis=1))
        ens.append(en[rows])
        xf = np.where(lf, plan.edge_hi[rows], plan.edge_lo[rows])
        kap = np.sqrt(np.maximum(potential(xf, er, etr) - en[rows], 1e-300))
        starts.append(xf)
        ys.append(np.stack([np.ones(m), np.where(lf, -kap, kap)], axis=1))
        ens.append(en[rows])
    flip0 = np.where(near[0][0] < 0, -1.0, 1.0)
    d.psi0[rows] *= flip0[:, None]
    npath = len(starts)
    yend, lend = bucketed_magnus(
        np.tile(er, npath),
        np.tile(etr, npath),
        np.concatenate(ens),
        np.concatenate(starts),
        np.tile(xb, npath),
        np.concatenate(ys),
        phase_step,
        32,
        8192,
    )
    g0, f0, g1, f1 = (yend[i * m : (i + 1) * m] for i in range(4))
    lg0, lg1 = lend[:m], lend[2 * m : 3 * m]
    out = np.empty((m, 2, 3))
    log_alpha = []
    for j, (g, f, lg, (v, s)) in enumerate(((g0, f0, lg0, near[0]), (g1, f1, lg1, near[1]))):
        w = wronskian(f, g)
        la = np.log(v * v + s * s) - lg - np.log(np.abs(w))
        log_alpha.append(la)
        with np.errstate(divide="ignore"):
            out[:, j, 0] = la + np.log(np.abs(f[:, 0]))
        sgn = np.sign(w) * (flip0 if j == 0 else 1.0)
        out[:, j, 1] = sgn * np.sign(f[:, 0])
        out[:, j, 2] = f[:, 1] / np.where(f[:, 0] == 0, 1e-300, f[:, 0])
    log_wr = log_alpha[0] + log_alpha[1] + np.log(np.abs(wronskian(f0, f1)))
    return out, log_wr
