r"""The zero-point strain coupling (3.8), (3.9) on the nodes of the soft-potential quadrature
(:mod:`dynamics.populations`): folded over the mirror image, and integrated exactly across the
jumps of the zero-point shift (docs/physics.md §11.5).

**Mirror.** The quadrature holds :math:`\tilde t \ge 0` and doubles each node's area for
:math:`-\tilde t`. The mirror :math:`x \to -x` maps :math:`(\tilde\eta, -\tilde t)` with the
zero-point force :math:`\chi` onto :math:`(\tilde\eta, \tilde t)` with :math:`-\chi`: the roots of
(3.3) obey :math:`\delta(\chi, \tilde\eta, -\tilde t) = -\delta(-\chi, \tilde\eta, \tilde t)`, so
(3.8) at :math:`-\tilde t` is (3.8) at :math:`\tilde t` with :math:`-\chi`, and (3.9) times the
mirrored :math:`\langle x^3\rangle` (odd in :math:`\tilde t`) is (3.9) at :math:`\tilde t` with
:math:`-\chi` times :math:`\langle x^3\rangle` at :math:`\tilde t`. A node carries the mean of
the couplings with :math:`\pm\chi` (:func:`mirror_folded_coupling`); the terms odd in
:math:`\chi` cancel, as between the two mirror members of the bins (:mod:`dynamics.exact.bins`).

**Jumps.** :math:`\delta` is the real root of smallest modulus of (3.3) (:mod:`dynamics.coupling`),
a convention of the model (the root that continues the series (3.5)). Along a row of fixed
:math:`\tilde\eta` it jumps where the root it follows stops being real (the discriminant of (3.3)
vanishes: a cubic in :math:`\tilde t`, :func:`jump_candidates`) or where a root of the opposite
sign and equal modulus takes over (:math:`\delta = \pm(-\tilde\eta/2)^{1/2}`, at
:math:`\tilde t = -2\chi/3\tilde\eta`). With :math:`\chi = 4` both happen inside the domain
(near :math:`\tilde\eta = -2`, :math:`\tilde t = 4/3` for :math:`\chi`; along
:math:`\tilde t \approx \tilde\eta^2/12` for :math:`-\chi`), and there the coupling jumps, by up
to two orders of magnitude. The integrand of :math:`K\alpha` is then discontinuous, and a
Gauss panel across the jump converges only like its width. The levels, however, are smooth, so
in a panel that holds a jump the nodes' moments are interpolated by their Lagrange polynomial
:math:`\ell_i` in the panel's variable :math:`u` and the coupling :math:`g` is integrated
against it exactly, piece by piece between the jumps (product integration):

.. math:: g_i^\mathrm{eff} = \int \ell_i(u)\,g(u)\,du \Big/ \int \ell_i(u)\,du ,

which makes :math:`\sum_i w_i f_i g_i^\mathrm{eff} = \int (\text{interpolant of } f)\,g\,du`
exact for the jump. Panels without a jump keep the pointwise coupling.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dynamics.coupling import deta_dstrain, dt_dstrain, zero_point_shift
from dynamics.populations import (
    PANEL_ASINH,
    PANEL_LOG,
    DomainQuadrature,
)

FloatArray = NDArray[np.float64]

#: Gauss–Legendre points per piece of a panel split at the jumps (at least the panel's nodes,
#: so that the pieces integrate each Lagrange polynomial exactly). [1]
PIECE_POINTS = 16


def mirror_folded_coupling(
    c: float, eta_L: float, chi: float, eta: FloatArray, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""The zero-point coupling (3.8), (3.9) of nodes at :math:`\tilde t \ge 0` that stand for
    both signs of :math:`\tilde t`: the mean of the couplings with :math:`\pm\chi` (module
    docstring).

    Parameters
    ----------
    c, eta_L, chi
        Strain coupling (3.7), :math:`\eta_L` (2.4), zero-point force constant (3.2). [1]
    eta, t
        The nodes, :math:`\tilde\eta \ne 0`, :math:`\tilde t \ge 0`. [1]

    Returns
    -------
    (deta, dt)
        :math:`\partial\tilde\eta/\partial\varepsilon`, :math:`\partial\tilde t/\partial\varepsilon`
        averaged over a node and its mirror image. [1]
    """
    deta = np.zeros(np.shape(eta))
    dt = np.zeros(np.shape(eta))
    for force in (chi, -chi):
        delta = zero_point_shift(force, eta, t)
        deta += 0.5 * deta_dstrain(c, eta_L, eta, t, delta)
        dt += 0.5 * dt_dstrain(c, eta_L, eta, delta)
    return deta, dt


def jump_candidates(chi: float, eta: FloatArray) -> FloatArray:
    r"""The :math:`\tilde t \ge 0` of each row :math:`\tilde\eta` where the zero-point shift of
    :math:`\pm\chi` may jump (module docstring): the real roots of the discriminant of (3.3),

    .. math:: 108\chi\tilde t^3 + 36\tilde\eta^2\tilde t^2 - 432\tilde\eta\chi\tilde t
              - 128\tilde\eta^3 - 432\chi^2 = 0,

    for both signs of :math:`\chi`, and the tie :math:`\tilde t = 2|\chi|/3|\tilde\eta|` of
    :math:`\delta = \pm(-\tilde\eta/2)^{1/2}` (double wells). Every jump is among them; a
    candidate where :math:`\delta` does not jump costs only a split panel. NaN fills the rest.

    Parameters
    ----------
    chi
        :math:`\chi`, nonzero. [1]
    eta
        The rows, shape (rows,). [1]

    Returns
    -------
    ndarray
        Shape (rows, 7). [1]
    """
    out = np.full((eta.size, 7), np.nan)
    for k, force in enumerate((chi, -chi)):
        companion = np.zeros((eta.size, 3, 3))
        lead = 108.0 * force
        companion[:, 0, 0] = -36.0 * eta**2 / lead
        companion[:, 0, 1] = 432.0 * eta * force / lead
        companion[:, 0, 2] = (128.0 * eta**3 + 432.0 * force**2) / lead
        companion[:, 1, 0] = 1.0
        companion[:, 2, 1] = 1.0
        roots = np.linalg.eigvals(companion)
        real = np.abs(roots.imag) <= 1e-9 * np.maximum(np.abs(roots), 1.0)
        out[:, 3 * k : 3 * k + 3] = np.where(real & (roots.real >= 0.0), roots.real, np.nan)
    tie = 2.0 * abs(chi) / (3.0 * np.abs(eta))
    out[:, 6] = np.where(eta < 0.0, tie, np.nan)
    return out


def _panel_variable(t: FloatArray, kind: int) -> FloatArray:
    """The Gauss variable u of a panel of ``kind``: t (:data:`~dynamics.populations.PANEL_LINEAR`),
    asinh t or ln t."""
    if kind == PANEL_LOG:
        return np.log(t)
    if kind == PANEL_ASINH:
        return np.arcsinh(t)
    return np.asarray(t, dtype=float)


def _panel_t(u: FloatArray, kind: int) -> FloatArray:
    """Inverse of :func:`_panel_variable`."""
    if kind == PANEL_LOG:
        return np.exp(u)
    if kind == PANEL_ASINH:
        return np.sinh(u)
    return u


def _lagrange(nodes: FloatArray, u: FloatArray) -> FloatArray:
    """Lagrange basis polynomials of ``nodes`` at ``u`` (none of them a node), shape
    (nodes, u), in the barycentric form."""
    gaps = nodes[:, None] - nodes[None, :]
    np.fill_diagonal(gaps, 1.0)
    weights = 1.0 / np.prod(gaps, axis=1)
    terms = weights[:, None] / (u[None, :] - nodes[:, None])
    basis: FloatArray = terms / terms.sum(axis=0)
    return basis


def _pieces(cuts: FloatArray, points: int) -> tuple[FloatArray, FloatArray]:
    """Points and weights of ``points`` per piece between consecutive ``cuts``: Gauss–Legendre
    in s on [0, 1] with u = lo + h (3s^2 - 2s^3). At a jump where the followed root stops
    being real, the coupling goes like a square root of the distance to the cut; the map makes
    that analytic in s (u - lo ~ s^2), so the pieces converge geometrically."""
    x, w = np.polynomial.legendre.leggauss(points)
    s, ws = 0.5 * (x + 1.0), 0.5 * w
    step, slope = s * s * (3.0 - 2.0 * s), 6.0 * s * (1.0 - s) * ws
    h = np.diff(cuts)
    return (cuts[:-1, None] + h[:, None] * step).ravel(), (h[:, None] * slope).ravel()


def jumps(chi: float, eta: FloatArray) -> FloatArray:
    r"""The :math:`\tilde t \ge 0` of each row where the zero-point shift of :math:`\chi` or
    of :math:`-\chi` jumps: the :func:`jump_candidates` across which it changes by more than
    1e-4 (a smooth root moves by ~1e-7 between the two sides probed). NaN fills the rest;
    parameters and shape (rows, 7) as :func:`jump_candidates`. [1]
    """
    cand = jump_candidates(chi, eta)
    rows, cols = np.nonzero(np.isfinite(cand))
    t_c, e_c = cand[rows, cols], eta[rows]
    real = np.zeros(rows.size, dtype=bool)
    for force in (chi, -chi):
        below = zero_point_shift(force, e_c, t_c * (1.0 - 1e-7))
        above = zero_point_shift(force, e_c, t_c * (1.0 + 1e-7))
        real |= np.abs(above - below) > 1e-4 * (1.0 + np.abs(below))
    out = np.full(cand.shape, np.nan)
    out[rows[real], cols[real]] = t_c[real]
    return out


def zero_point_node_coupling(
    quadrature: DomainQuadrature, nodes: NDArray[np.bool_], c: float, eta_L: float, chi: float
) -> tuple[FloatArray, FloatArray]:
    r"""The zero-point coupling of the selected nodes: folded over the mirror image, and
    product-integrated in every panel that holds a jump of the zero-point shift (module
    docstring).

    Parameters
    ----------
    quadrature
        The nodes and their t panels.
    nodes
        Which nodes couple through the zero-point shift (:math:`\tilde\eta \ne 0`); whole panels.
    c, eta_L, chi
        Strain coupling (3.7), :math:`\eta_L` (2.4), zero-point force constant (3.2). [1]

    Returns
    -------
    (deta, dt)
        :math:`\partial\tilde\eta/\partial\varepsilon`, :math:`\partial\tilde t/\partial\varepsilon`
        of the selected nodes, in their order. [1]
    """
    q = quadrature
    index = np.flatnonzero(nodes)
    deta, dt = mirror_folded_coupling(c, eta_L, chi, q.eta[index], q.t[index])
    if chi == 0.0 or index.size == 0:
        return deta, dt
    panels, first = np.unique(q.panel[index], return_index=True)
    cut = jumps(chi, q.eta[index[first]])
    lower, upper = q.panel_lower[panels, None], q.panel_upper[panels, None]
    with np.errstate(invalid="ignore"):
        inside = (cut > lower) & (cut < upper)
    split = np.flatnonzero(inside.any(axis=1))
    if split.size == 0:
        return deta, dt
    # the nodes of a panel are consecutive (panel-major order, DomainQuadrature)
    starts = np.searchsorted(q.panel, np.arange(q.panel_lower.size + 1))
    members, points, weights, where = [], [], [], []
    for row in split:
        p = int(panels[row])
        m = np.arange(starts[p], starts[p + 1])
        kind = int(q.panel_variable[p])
        cuts = np.unique(np.concatenate([lower[row], cut[row, inside[row]], upper[row]]))
        u, v = _pieces(_panel_variable(cuts, kind), max(PIECE_POINTS, m.size))
        members.append(m)
        points.append(np.stack([np.full(u.size, q.eta[m[0]]), _panel_t(u, kind)]))
        weights.append(_lagrange(_panel_variable(q.t[m], kind), u) * v)
        where.append(u.size)
    eta_t = np.concatenate(points, axis=1)
    g_eta, g_t = mirror_folded_coupling(c, eta_L, chi, eta_t[0], eta_t[1])
    bounds = np.cumsum([0, *where])
    for m, basis, lo, hi in zip(members, weights, bounds[:-1], bounds[1:], strict=True):
        norm = basis.sum(axis=1)
        rows = np.searchsorted(index, m)
        deta[rows] = basis @ g_eta[lo:hi] / norm
        dt[rows] = basis @ g_t[lo:hi] / norm
    return deta, dt


__all__ = [
    "PIECE_POINTS",
    "jump_candidates",
    "jumps",
    "mirror_folded_coupling",
    "zero_point_node_coupling",
]
