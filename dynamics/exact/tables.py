r"""Spectral tables: the exact two-level quantities of every soft potential an ensemble can use,
tabulated on a grid and interpolated.

Every quantity of :class:`dynamics.exact.ExactTwoLevel` depends only on the dimensionless point
of the potential, and :func:`dynamics.exact.bins.build_exact_ensemble` reaches the
potentials only through the asymptotic map
(:func:`dynamics.soft_potential.asymptotic_potentials`) of its nodes :math:`(E_a, p_a)`, which
depends on :math:`E_a/W` and :math:`p_a` alone. So the table has three *sheets* —
type 1 :math:`(\tilde\eta, +\tilde t)`, type 2 :math:`(+\tilde t, \tilde t^2/4 + \tilde R)` and
:math:`(+\tilde t, \tilde t^2/4 - \tilde R)` — over the coordinates

.. math:: u = \ln(E_a/W), \qquad s = -\ln p_a ,

and the glass (:math:`W`, :math:`\eta_L`, :math:`c`, :math:`\chi`, :math:`\psi`, ...) only scales,
weights and combines what it returns. The other signs are mirror images (same spectrum).

**Interpolation.** The plane is cut into rectangular panels (:class:`TableGrid`): in :math:`u`
panels of 2–4 units; in :math:`s` panels up to :math:`s = 4` in :math:`\sigma = s^{1/2}` (the
potential's :math:`\tilde t` or :math:`\tilde R` is analytic in :math:`\sigma` at :math:`p_a = 1`,
not in :math:`s`), then panels of 4–12 units of :math:`s`, widening with :math:`s`. Each
panel holds a tensor product of ``nodes`` × ``nodes`` Chebyshev points (first kind, so that no
node sits on :math:`p_a = 1`, where ratios to :math:`\Delta_a` are 0/0), and a value anywhere in
it is the barycentric Lagrange interpolant of those nodes (Berrut & Trefethen, SIAM Rev. 46, 501
(2004), eq. (4.2) with the weights of first-kind points, eq. (5.3)). What is tabulated are smooth
transforms, never :math:`E` or :math:`p` themselves (:math:`E = (\Delta^2 + \Delta_0^2)^{1/2}`
turns over where :math:`\Delta \approx \Delta_0`, a kink a polynomial resolves slowly):

* :math:`\ln(\Delta_0/\Delta_{0a})` and :math:`\Delta/\Delta_a` (:math:`\Delta_{0a} = E_a
  p_a^{1/2}`, :math:`\Delta_a = E_a(1-p_a)^{1/2}`); :math:`E` and :math:`p` are recomputed from
  them as the solver does (:math:`\ln E = \tfrac12\ln(\Delta^2+\Delta_0^2)`, :math:`p =
  \min(1, \Delta_0^2/E^2)`);
* :math:`\tfrac12\partial E^2/\partial\tilde\eta\,/E_a^2 = E\langle x^2\rangle_{10}/E_a^2` and
  the same for :math:`\tilde t` (sums of smooth terms, :math:`\Delta\partial\Delta +
  \Delta_0^2\partial\ln\Delta_0`);
* :math:`E\langle 0|x^k|1\rangle/(\Delta_0 E_a)` for :math:`k = 2, 3` (in the two-level picture
  :math:`\tfrac12[\partial\Delta - \Delta\partial\ln\Delta_0]/E_a`), the pair signed so that
  :math:`\langle 0|x^3|1\rangle \ge 0` (the solver's sign of :math:`\psi_1` is not resolved in
  localised doublets and flips from node to node; only :math:`M = |\langle 0|\partial
  H/\partial\varepsilon|1\rangle|` uses them);
* :math:`\ln(E_2 - E_0)`, and the forward differences :math:`\partial\ln\Delta_0/\partial\tilde
  \eta`, :math:`\partial\ln\Delta_0/\partial\tilde t` (same step :data:`dynamics.exact.FD_STEP`,
  so the table returns what the direct solve returns, not a better derivative).

The forward differences are tabulated only in panels where some node has :math:`p < 0.9`; like
the direct path, the table returns them only where :math:`p < 1/2` (where the coupling uses
them) and NaN elsewhere. The accuracy against direct solves is measured in
``tests/test_tables.py`` and ``docs/tables.md``.

**Outside the table** (:math:`u` or :math:`s` beyond the grid, e.g. a run at :math:`k_BT <
10^{-4}W`, or an extreme :math:`p` floor), and wherever a queried :math:`p < 1/2` falls in a panel
without tabulated differences, the points are solved directly: never extrapolated.

**What produced a table** is its key (:func:`table_key`): a digest of the code of the solver and
of the functions that build and encode the table (:data:`KEY_SOURCES`, read as the package's
resources; comments, docstrings and the Python version do not count,
:mod:`dynamics.exact.source_key`), of the grid and of the layout.

This module is pure: :func:`build_table` computes a table from its grid, and
:func:`table_two_level` interpolates in it. The table of the default grid ships with the package
and is read by :mod:`dynamics.exact.shipped`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.exact.source_key import source_digest
from dynamics.exact.two_level import (
    _MIXED_P,
    FD_STEP,
    ExactTwoLevel,
    _log_derivatives,
    _with_derivatives,
    exact_two_level,
)
from dynamics.glass import FloatArray
from dynamics.soft_potential import asymptotic_potentials
from dynamics.validation import ParameterError

__all__ = [
    "DEFAULT_GRID",
    "FIELDS",
    "KEY_SOURCES",
    "LAYOUT_VERSION",
    "SHEETS",
    "WIDE_GRID",
    "SpectralTable",
    "TableGrid",
    "build_table",
    "direct_two_level",
    "sheet_potentials",
    "table_key",
    "table_two_level",
]

#: Version of the layout of a table's values (part of the key).
LAYOUT_VERSION = 1

#: The sheets: type 1 (eta, +t); type 2 (+t, +R); type 2 (+t, -R).
SHEETS = ("type1", "type2_plus_R", "type2_minus_R")

#: Tabulated transforms (module docstring), in this order.
FIELDS = (
    "log_d0_ratio",
    "asymmetry_ratio",
    "log_third_level",
    "half_dE2_deta",
    "half_dE2_dt",
    "dlnD0_deta",
    "dlnD0_dt",
    "x2_01_scaled",
    "x3_01_scaled",
)

#: Forward differences are tabulated in panels where some node has p below this. [1]
_FD_PANEL_P = 0.9
#: Queries this far beyond the grid's edge in u or s still count as inside (rounding). [1]
_EDGE_SLACK = 1e-9


#: s edges from 100 on (:math:`p_a = e^{-100}` to :math:`e^{-400}`), shared by the default and
#: the wide grid: the deep double wells that only thermal activation relaxes
#: (:func:`dynamics.activation.activated_p_floor` searches to s = 400; a glass with W = 1.7 K at
#: 20 K and a day's run reaches s = 363). Their values are smooth there (ln Delta0 is nearly
#: linear in s), so the panels are wide; the accuracy is tested against direct solves.
_DEEP_S_EDGES = (100.0, 130.0, 165.0, 205.0, 250.0, 300.0, 350.0, 400.0)


@dataclass(frozen=True)
class TableGrid:
    r"""Panels and nodes of a spectral table.

    Parameters
    ----------
    u_edges
        Panel edges in :math:`u = \ln(E_a/W)`, increasing; the last must be :math:`\le -1`
        (:math:`E_a \le W/e`, the model's energy cap). [1]
    s_edges
        Panel edges in :math:`s = -\ln p_a`, increasing, starting at 0. A first panel
        :math:`[0, s_1]` is interpolated in :math:`\sigma = s^{1/2}`. [1]
    nodes
        Chebyshev points per panel and direction, in [3, 32].
    sigma_limit
        Panels of s that end at or below this are interpolated in :math:`\sigma = s^{1/2}`
        (quantities are analytic in :math:`\sigma`, with a branch point at :math:`s = 0` in
        :math:`s`). [1]
    spectrum_resolution
        Convergence knob of the spectrum solver, > 0 (``Glass.spectrum_resolution``). [1]
    shear
        False: the panels are rectangles in :math:`(u, s)` and :math:`u \le -1`. True: a *wide*
        grid beyond the energy :math:`W/e`, for the double wells of the soft-potential population
        (:math:`L_a \ge 1` but :math:`E_a > W/e`, docs/physics.md §11): its first u edge is -1 and
        its second coordinate is :math:`s' = s - 2(u + 1) = 2(L_a - 1) \ge 0`, so that the panels
        are rectangles in :math:`(u, s')` covering exactly the valid region.
    sheets
        The sheets tabulated (the others are NaN and always solved directly).
    """

    u_edges: tuple[float, ...] = (-22.0, -18.0, -14.0, -10.0, -7.0, -5.0, -3.0, -1.0)
    s_edges: tuple[float, ...] = (0.0, 1.0, 4.0, 8.0, 13.0, 19.0, 26.0, 34.0, 43.0, 53.0, 64.0,
                                  76.0, 88.0, *_DEEP_S_EDGES)  # fmt: skip
    nodes: int = 12
    sigma_limit: float = 4.0
    spectrum_resolution: float = 1.0
    shear: bool = False
    sheets: tuple[int, ...] = (0, 1, 2)

    def __post_init__(self) -> None:
        for name in ("u_edges", "s_edges"):
            edges = np.asarray(getattr(self, name), dtype=float)
            if edges.ndim != 1 or edges.size < 2 or not np.all(np.diff(edges) > 0):
                raise ParameterError(f"{name} = {getattr(self, name)!r} must increase (>= 2 edges)")
            if not np.all(np.isfinite(edges)):
                raise ParameterError(f"{name} = {getattr(self, name)!r} must be finite")
        if self.shear and self.u_edges[0] != -1.0:
            raise ParameterError(
                f"u_edges[0] = {self.u_edges[0]!r} must be -1 for a wide (sheared) grid (E_a = W/e)"
            )
        if not self.shear and self.u_edges[-1] > -1.0:
            raise ParameterError(
                f"u_edges[-1] = {self.u_edges[-1]!r} is outside the allowed range (-inf, -1] "
                "(E_a <= W/e)"
            )
        if not set(self.sheets) <= {0, 1, 2} or len(set(self.sheets)) != len(self.sheets):
            raise ParameterError(f"sheets = {self.sheets!r} must be distinct sheets of (0, 1, 2)")
        if self.s_edges[0] != 0.0:
            raise ParameterError(f"s_edges[0] = {self.s_edges[0]!r} must be 0 (p_a = 1)")
        n = self.nodes
        if isinstance(n, bool) or not isinstance(n, int) or not 3 <= n <= 32:
            raise ParameterError(f"nodes = {n!r} is outside the allowed range [3, 32] (integer)")
        r = self.spectrum_resolution
        if not (isinstance(r, int | float) and math.isfinite(r) and r > 0):
            raise ParameterError(
                f"spectrum_resolution = {r!r} is outside the allowed range (0, inf)"
            )

    @property
    def u_nodes(self) -> FloatArray:
        """All node coordinates in u, panel after panel. [1]"""
        return _panel_nodes(np.asarray(self.u_edges), self.nodes)

    @property
    def sigma_panels(self) -> NDArray[np.bool_]:
        """Which s panels are interpolated in sigma = s^1/2."""
        return np.asarray(self.s_edges[1:]) <= self.sigma_limit

    @property
    def s_nodes(self) -> FloatArray:
        """All node coordinates in s, panel after panel. [1]"""
        edges = np.asarray(self.s_edges, dtype=float)
        sig = np.repeat(self.sigma_panels, self.nodes)
        return np.where(
            sig, _panel_nodes(np.sqrt(edges), self.nodes) ** 2, _panel_nodes(edges, self.nodes)
        )

    @property
    def size(self) -> int:
        """Nodes per sheet."""
        return (len(self.u_edges) - 1) * (len(self.s_edges) - 1) * self.nodes**2

    def physical_s(self, u: FloatArray, s_grid: FloatArray) -> FloatArray:
        r""":math:`s = -\ln p_a` of grid coordinates ``(u, s_grid)`` (``s_grid`` is :math:`s'`
        on a sheared grid). [1]"""
        return s_grid + 2.0 * (u + 1.0) if self.shear else s_grid

    def grid_s(self, u: FloatArray, s: FloatArray) -> FloatArray:
        """The grid's second coordinate of the point :math:`(u, s)`. [1]"""
        return s - 2.0 * (u + 1.0) if self.shear else s

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable fields (``shear`` and ``sheets`` only where not the default)."""
        out: dict[str, Any] = {
            "u_edges": list(self.u_edges),
            "s_edges": list(self.s_edges),
            "nodes": self.nodes,
            "sigma_limit": self.sigma_limit,
            "spectrum_resolution": self.spectrum_resolution,
        }
        if self.shear:
            out["shear"] = True
        if self.sheets != (0, 1, 2):
            out["sheets"] = list(self.sheets)
        return out


#: The grid every run uses unless told otherwise: u from -22 (E_a = 2.8e-10 W; a run at
#: k_BT = 1e-4 W with x_min = 1e-3 and energy_margin 300 reaches 3.3e-10 W) to -1 (W/e), s to 400
#: (p_a = 1.9e-174; the default glass's ensembles reach s = 75 by tunnelling; with thermal
#: activation the bins reach the deep wells beyond s = 100).
DEFAULT_GRID = TableGrid()

#: The wide grid beyond W/e for the double wells of the soft-potential population (type-1 sheet
#: only): u from -1 to 1.5 (E_a up to 4.5 W, past the slow doublets' cap of 4 W,
#: dynamics.populations.DOUBLET_ENERGY_CAP), s' = 2(L_a - 1) from 0 to 400. Its first panels
#: are narrow: at L_a ~ 1 (the shallowest double wells) the values vary fastest, and at the corner
#: (u, s') = (-1, 0), p_a = 1, where the potential's t is a square root of the distance to it.
#: s' edges of the wide grid: narrow first panels (L_a ~ 1), then as the default grid's s edges.
_WIDE_S_EDGES = (0.0, 0.25, 0.75, 2.0, 5.0, 10.0, 17.0, 25.0, 34.0, 43.0, 53.0, 64.0, 76.0,
                 88.0, *_DEEP_S_EDGES)  # fmt: skip
WIDE_GRID = TableGrid(
    u_edges=(-1.0, -0.8, -0.3, 0.2, 0.7, 1.1, 1.5),
    s_edges=_WIDE_S_EDGES,
    sigma_limit=0.0,
    shear=True,
    sheets=(0,),
)


def _chebyshev_points(n: int) -> FloatArray:
    """First-kind Chebyshev points on [0, 1], increasing."""
    j = np.arange(n)
    return 0.5 * (1.0 - np.cos((2 * j + 1) * np.pi / (2 * n)))


def _chebyshev_weights(n: int) -> FloatArray:
    """Barycentric weights of :func:`_chebyshev_points` (Berrut & Trefethen eq. (5.3))."""
    j = np.arange(n)
    weights: FloatArray = np.where(j % 2 == 0, 1.0, -1.0) * np.sin((2 * j + 1) * np.pi / (2 * n))
    return weights


def _panel_nodes(edges: FloatArray, n: int) -> FloatArray:
    x = _chebyshev_points(n)
    return (edges[:-1, None] + np.diff(edges)[:, None] * x[None, :]).ravel()


def _barycentric(local: FloatArray, n: int) -> FloatArray:
    """Lagrange weights (queries, n) of the points ``local`` in [0, 1] on one panel."""
    x = _chebyshev_points(n)
    w = _chebyshev_weights(n)
    d = local[:, None] - x[None, :]
    hit = d == 0.0
    if hit.any():  # a query on a node: its weights are that node's indicator
        d[hit] = 1.0
        c = w[None, :] / d
        rows = hit.any(axis=1)
        c[rows] = hit[rows].astype(float)
    else:
        c = w[None, :] / d
    result: FloatArray = c / c.sum(axis=1, keepdims=True)
    return result


def sheet_potentials(
    sheet: int, energy_ratio: FloatArray, p: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""The potential :math:`(\tilde\eta, \tilde t)` of a sheet at :math:`(E_a/W, p_a)`.

    :func:`dynamics.soft_potential.asymptotic_potentials`, the rows that build_exact_ensemble
    solves (type 1: :math:`+\tilde t`; type 2: :math:`(+\tilde t, +\tilde R)` or
    :math:`(+\tilde t, -\tilde R)`), so that table and direct solve see the same potentials (to
    rounding).
    """
    etas, ts = asymptotic_potentials(0 if sheet == 0 else 1, energy_ratio, p, 1.0)
    row = 2 if sheet == 2 else 0
    return etas[row], ts[row]


def _scales(u: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    r""":math:`\ln(\Delta_{0a}/W)`, :math:`\Delta_a/W`, :math:`E_a/W` at :math:`(u, s)`."""
    e_a = np.exp(u)
    return u - 0.5 * s, e_a * np.sqrt(-np.expm1(-s)), e_a


def encode(tls: Any, u: FloatArray, s: FloatArray) -> FloatArray:
    """The tabulated transforms (:data:`FIELDS`, first axis) of direct solves ``tls``."""
    log_d0a, asym_a, e_a = _scales(u, s)
    e = tls.splitting
    # The overall sign of psi_1 (A_01 <= 0) is not resolved where the doublet is localised and
    # flips from node to node there; only |x2_01 d_eta + x3_01 d_t| is used (the coupling M),
    # so the pair is signed with x3_01 >= 0, as for every tunnelling doublet of the +t sheets.
    flip = np.where(tls.x3_01 < 0, -1.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d0_over = flip * np.exp(-tls.log_tunnel_splitting)
        return np.stack(
            [
                tls.log_tunnel_splitting - log_d0a,
                np.where(asym_a > 0, tls.asymmetry / asym_a, 0.0),
                np.log(tls.third_level),
                e * tls.dE_deta / e_a**2,
                e * tls.dE_dt / e_a**2,
                tls.dlnD0_deta,
                tls.dlnD0_dt,
                e * tls.x2_01 * d0_over / e_a,
                e * tls.x3_01 * d0_over / e_a,
            ]
        )


def decode(values: FloatArray, u: FloatArray, s: FloatArray) -> dict[str, FloatArray]:
    """The :class:`dynamics.exact.ExactTwoLevel` arrays (without eta, t, method) from
    interpolated transforms ``values`` (fields, points)."""
    log_d0a, asym_a, e_a = _scales(u, s)
    log_d0 = values[0] + log_d0a
    asym = values[1] * asym_a
    with np.errstate(divide="ignore", over="ignore"):
        log_e = 0.5 * np.logaddexp(2.0 * np.log(np.abs(asym)), 2.0 * log_d0)
        e = np.exp(log_e)
        d0 = np.exp(log_d0)
        p = np.minimum(np.exp(2.0 * (log_d0 - log_e)), 1.0)
    mixed = p < _MIXED_P
    return {
        "splitting": e,
        "tunnel_splitting": d0,
        "asymmetry": asym,
        "p": p,
        "log_tunnel_splitting": log_d0,
        "third_level": np.exp(values[2]),
        "dE_deta": values[3] * e_a**2 / e,
        "dE_dt": values[4] * e_a**2 / e,
        "dlnD0_deta": np.where(mixed, values[5], np.nan),
        "dlnD0_dt": np.where(mixed, values[6], np.nan),
        "x2_01": values[7] * e_a * d0 / e,
        "x3_01": values[8] * e_a * d0 / e,
    }


@dataclass(frozen=True, eq=False)
class SpectralTable:
    """A spectral table: its grid and the tabulated transforms.

    Attributes
    ----------
    grid
        Panels and nodes.
    values
        Shape (sheets, fields, u nodes, s nodes): :data:`FIELDS` at every node; NaN where
        forward differences were not tabulated. Read-only.
    """

    grid: TableGrid
    values: FloatArray

    def __post_init__(self) -> None:
        expected = (len(SHEETS), len(FIELDS), self.grid.u_nodes.size, self.grid.s_nodes.size)
        if self.values.shape != expected:
            raise ParameterError(
                f"values have shape {self.values.shape}; the grid's table has {expected}"
            )
        self.values.flags.writeable = False

    @property
    def nbytes(self) -> int:
        """Size of the table. [bytes]"""
        return int(self.values.nbytes)

    @cached_property
    def panel_rows(self) -> FloatArray:
        """The values laid out for interpolation, once per table: shape (sheets, panels, u
        nodes of a panel, fields x s nodes of a panel), panels numbered u-panel-major, so that
        the sum over a panel's u nodes is one matrix product (:func:`_interpolate`)."""
        g = self.grid
        n, n_f = g.nodes, len(FIELDS)
        n_u, n_s = len(g.u_edges) - 1, len(g.s_edges) - 1
        rows = self.values.reshape(len(SHEETS), n_f, n_u, n, n_s, n).transpose(0, 2, 4, 3, 1, 5)
        out = np.ascontiguousarray(rows).reshape(len(SHEETS), n_u * n_s, n, n_f * n)
        out.flags.writeable = False
        return out


def _inside(g: TableGrid, u: FloatArray, s: FloatArray) -> NDArray[np.bool_]:
    """Which points :math:`(u, s)` lie on the grid (within rounding of its edges)."""
    sg = g.grid_s(u, s)
    return (
        (u >= g.u_edges[0] - _EDGE_SLACK)
        & (u <= g.u_edges[-1] + _EDGE_SLACK)
        & (sg >= -_EDGE_SLACK)
        & (sg <= g.s_edges[-1] + _EDGE_SLACK)
    )


def _interpolate(table: SpectralTable, sheet: int, u: FloatArray, s: FloatArray) -> FloatArray:
    """Interpolated transforms, shape (fields, points), at points inside the grid (module
    docstring: barycentric Lagrange interpolation in each panel).

    The sum over the u nodes is taken once per distinct (u, panel) pair (the points of one
    energy node share it: ~600 pairs for ~8000 points of an ensemble), as one matrix product
    per panel on the table's rows (:attr:`SpectralTable.panel_rows`); the sum over the s nodes
    per point. The same products as one per point, so the same bits."""
    g = table.grid
    n = g.nodes
    s = g.grid_s(u, s)
    u_edges = np.asarray(g.u_edges)
    s_edges = np.asarray(g.s_edges)
    iu = np.clip(np.searchsorted(u_edges, u, side="right") - 1, 0, len(u_edges) - 2)
    iv = np.clip(np.searchsorted(s_edges, s, side="right") - 1, 0, len(s_edges) - 2)
    lu = np.clip((u - u_edges[iu]) / (u_edges[iu + 1] - u_edges[iu]), 0.0, 1.0)
    root = np.sqrt(np.maximum(s, 0.0))
    r_edges = np.sqrt(s_edges)
    ls = np.where(
        g.sigma_panels[iv],
        (root - r_edges[iv]) / (r_edges[iv + 1] - r_edges[iv]),
        (s - s_edges[iv]) / (s_edges[iv + 1] - s_edges[iv]),
    )
    ls = np.clip(ls, 0.0, 1.0)
    n_f = len(FIELDS)
    n_panels = (len(u_edges) - 1) * (len(s_edges) - 1)
    panel = iu * (len(s_edges) - 1) + iv
    _, u_index = np.unique(u, return_inverse=True)
    _, first, pair = np.unique(u_index * n_panels + panel, return_index=True, return_inverse=True)
    cu = _barycentric(lu[first], n)
    cs = _barycentric(ls, n)
    rows = table.panel_rows[sheet]
    pair_panel = panel[first]
    order = np.argsort(pair_panel, kind="stable")
    sorted_panels = pair_panel[order]
    starts = np.flatnonzero(np.diff(sorted_panels, prepend=-1))
    left = np.empty((first.size, n_f * n))
    for lo, hi in zip(starts.tolist(), [*starts[1:].tolist(), first.size], strict=True):
        q = order[lo:hi]
        # sum_a cu[q, a] values[f, a, b] for every field f and s node b, as one matrix product
        left[q] = cu[q] @ rows[sorted_panels[lo]]
    per_point = left[pair.ravel()].reshape(u.size, n_f, n)
    return np.asarray(np.matmul(per_point, cs[:, :, None])[:, :, 0].T, dtype=float)


#: The modules of the soft-potential solver: the key counts their whole code
#: (``tests/test_tables.py`` checks that the list holds every module they import from dynamics,
#: but for threads and input checks, which do not change a value).
SOLVER_MODULES = (
    "dynamics.exact.solver",
    "dynamics.exact.solver_plan",
    "dynamics.exact.solver_dvr",
    "dynamics.exact.solver_magnus",
    "dynamics.exact.solver_reduction",
)

#: What a table's values depend on, by module: ``None`` for the whole module, else the
#: top-level names (functions, classes, constants) that produce, place and encode the values.
KEY_SOURCES: dict[str, tuple[str, ...] | None] = {
    **{name: None for name in SOLVER_MODULES},
    "dynamics.soft_potential": (
        "log_tunnel_ratio",
        "type1_parameters",
        "type2_parameters",
        "asymptotic_potentials",
    ),
    "dynamics.exact.two_level": ("FD_STEP", "exact_two_level", "_log_derivatives"),
    "dynamics.exact.tables": (
        "LAYOUT_VERSION",
        "SHEETS",
        "FIELDS",
        "_FD_PANEL_P",
        "TableGrid",
        "_chebyshev_points",
        "_panel_nodes",
        "sheet_potentials",
        "_scales",
        "encode",
        "_solve_nodes",
        "_difference_nodes",
        "_with_node_differences",
        "build_table",
    ),
}


def _module_source(module: str) -> str:
    """The source text of a module of this package, read as a package resource."""
    package, _, name = module.rpartition(".")
    return files(package).joinpath(f"{name}.py").read_text(encoding="utf-8")


def table_key(grid: TableGrid) -> str:
    """SHA-256 (hex) of everything a table's values depend on: the code of
    :data:`KEY_SOURCES` (:func:`dynamics.exact.source_key.source_digest`: no comments,
    docstrings or Python version), the grid and the layout. A table whose stored key differs
    from this one is stale."""
    digest = hashlib.sha256()
    for module, names in KEY_SOURCES.items():
        digest.update(f"{module}:{source_digest(_module_source(module), names)}\n".encode())
    layout = {"layout": LAYOUT_VERSION, "grid": grid.to_dict(), "fields": FIELDS, "sheets": SHEETS}
    digest.update(json.dumps(layout, sort_keys=True).encode())
    return digest.hexdigest()


def _solve_nodes(
    grid: TableGrid,
    sheet: int,
    u: FloatArray,
    s: FloatArray,
    chunk: int,
    tick: Callable[[int], None],
) -> ExactTwoLevel:
    """The first pass of :func:`build_table` on one sheet: the exact two-level values, without
    derivatives, of the potentials at the nodes ``(u, s)``, ``chunk`` potentials per solver call;
    ``tick`` is told how many were solved."""
    eta, t = sheet_potentials(sheet, np.exp(u), np.exp(-s))
    parts = []
    for lo in range(0, u.size, chunk):
        sl = slice(lo, lo + chunk)
        parts.append(
            exact_two_level(eta[sl], t[sl], derivatives=False, resolution=grid.spectrum_resolution)
        )
        tick(parts[-1].eta.size)
    return _concatenate(parts)


def _difference_nodes(grid: TableGrid, p: FloatArray) -> NDArray[np.bool_]:
    """The nodes that get forward differences: every node of a panel where some node has
    :math:`p <` :data:`_FD_PANEL_P` (``p`` of every node, in node order)."""
    n = grid.nodes
    shape = (grid.u_nodes.size, grid.s_nodes.size)
    panel_min = p.reshape(shape).reshape(shape[0] // n, n, shape[1] // n, n).min(axis=(1, 3))
    want: NDArray[np.bool_] = np.repeat(
        np.repeat(panel_min < _FD_PANEL_P, n, axis=0), n, axis=1
    ).ravel()
    return want


def _with_node_differences(
    grid: TableGrid,
    tls: ExactTwoLevel,
    want: NDArray[np.bool_],
    chunk: int,
    tick: Callable[[int], None],
) -> ExactTwoLevel:
    r"""``tls`` with the forward differences of :math:`\ln\Delta_0` (step
    :data:`dynamics.exact.two_level.FD_STEP`, two solves per node) at the nodes of ``want``, NaN
    at the others; ``tick`` is told how many spectra were solved."""
    idx = np.flatnonzero(want)
    d_eta = np.full(want.size, np.nan)
    d_t = np.full(want.size, np.nan)
    for lo in range(0, idx.size, chunk // 2):
        sel = idx[lo : lo + chunk // 2]
        de, dt = _log_derivatives(
            tls.eta[sel],
            np.abs(tls.t[sel]),
            tls.log_tunnel_splitting[sel],
            np.ones(sel.size),
            np.ones(sel.size, dtype=bool),
            FD_STEP,
            grid.spectrum_resolution,
        )
        d_eta[sel], d_t[sel] = de, dt
        tick(2 * sel.size)
    return dataclasses.replace(tls, dlnD0_deta=d_eta, dlnD0_dt=d_t)


def build_table(
    grid: TableGrid = DEFAULT_GRID,
    *,
    progress: Callable[[float], None] | None = None,
    chunk: int = 4096,
) -> SpectralTable:
    """Solve every node of ``grid`` on every sheet and tabulate the transforms (pure: the same
    grid gives the same table, bit for bit).

    Parameters
    ----------
    grid
        Panels and nodes.
    progress
        Called with the fraction of the spectra solved so far, 1 at the end. Until the first
        pass has decided where forward differences are needed (about 40 % of the work) the
        total counted is its upper bound, three spectra per node.
    chunk
        Potentials per solver call (bounds memory). [1]

    Returns
    -------
    SpectralTable
    """
    u_n, s_n = grid.u_nodes, grid.s_nodes
    U, S = np.meshgrid(u_n, s_n, indexing="ij")
    u = U.ravel()
    s = grid.physical_s(u, S.ravel())
    n_sheets = len(grid.sheets)
    values = np.full((len(SHEETS), len(FIELDS), u_n.size, s_n.size), np.nan)
    count = {"done": 0, "total": n_sheets * u.size * 3}

    def tick(solved: int) -> None:
        count["done"] += solved
        if progress is not None:
            progress(min(1.0, count["done"] / count["total"]))

    first = [_solve_nodes(grid, k, u, s, chunk, tick) for k in grid.sheets]
    wants = [_difference_nodes(grid, tls.p) for tls in first]
    count["total"] = n_sheets * u.size + 2 * int(sum(w.sum() for w in wants))
    for i, k in enumerate(grid.sheets):
        full = _with_node_differences(grid, first[i], wants[i], chunk, tick)
        values[k] = encode(full, u, s).reshape(len(FIELDS), u_n.size, s_n.size)
    if progress is not None:
        progress(1.0)
    return SpectralTable(grid=grid, values=values)


def _concatenate(parts: list[ExactTwoLevel]) -> ExactTwoLevel:
    first = parts[0]
    return dataclasses.replace(
        first,
        **{
            f.name: np.concatenate([getattr(p, f.name) for p in parts])
            for f in dataclasses.fields(first)
        },
    )


def direct_two_level(eta: FloatArray, t: FloatArray, resolution: float = 1.0) -> ExactTwoLevel:
    r"""What a table returns, solved directly: :func:`dynamics.exact.exact_two_level` of the
    potentials, with the forward differences of :math:`\ln\Delta_0` where :math:`p < 1/2`
    (NaN elsewhere). Points off a table's grid get these values.

    Parameters
    ----------
    eta, t
        The potentials (e.g. of :func:`sheet_potentials`). [1]
    resolution
        Convergence knob of the solver, > 0. [1]
    """
    solved = exact_two_level(eta, t, derivatives=False, resolution=resolution)
    return _with_derivatives(solved, solved.p < _MIXED_P, FD_STEP, resolution)


def table_two_level(
    table: SpectralTable | tuple[SpectralTable, ...],
    sheet: int,
    energy_ratio: ArrayLike,
    p: ArrayLike,
) -> ExactTwoLevel:
    r"""Exact two-level quantities of the potentials a sheet puts at :math:`(E_a, p_a)`.

    A drop-in for :func:`dynamics.exact.exact_two_level` on the potentials
    :func:`sheet_potentials` followed by the forward differences where :math:`p < 1/2`
    (``_with_derivatives``): same fields, same potentials, same sign conventions. Points off the
    grids, and points with :math:`p < 1/2` in panels without tabulated differences, are solved
    directly. The last few results are remembered (:func:`_interpolated`).

    Parameters
    ----------
    table
        The table, or several (a point takes the first table whose grid holds it and tabulates
        the sheet: the default grid, then the wide one beyond W/e).
    sheet
        0: type 1 :math:`(\tilde\eta, +\tilde t)`; 1: type 2 :math:`+\tilde R`; 2: type 2
        :math:`-\tilde R`.
    energy_ratio
        :math:`E_a/W`, > 0 with :math:`L_a > 0`. [1]
    p
        :math:`p_a`, in (0, 1]. [1]

    Returns
    -------
    ExactTwoLevel
        1-D read-only arrays; ``method`` is -1 where the values were interpolated.
    """
    tables = table if isinstance(table, tuple) else (table,)
    e_r = np.ascontiguousarray(energy_ratio, dtype=float).ravel()
    p_a = np.ascontiguousarray(p, dtype=float).ravel()
    return _interpolated(tables, sheet, e_r.tobytes(), p_a.tobytes())


@lru_cache(maxsize=6)
def _interpolated(
    tables: tuple[SpectralTable, ...], sheet: int, e_bytes: bytes, p_bytes: bytes
) -> Any:
    """:func:`table_two_level` at the points given as float64 bytes, remembered for the last
    six queries: a sweep over glass parameters other than W and the temperatures (c, say) asks
    for the same nodes point after point (measured: 27 of 36 queries of a 3 T x 4 c sweep)."""
    e_r = np.frombuffer(e_bytes)
    p_a = np.frombuffer(p_bytes)
    u = np.log(e_r)
    s = -np.log(p_a)
    eta, t = sheet_potentials(sheet, e_r, p_a)
    fields = {f.name: np.full(u.size, np.nan) for f in dataclasses.fields(ExactTwoLevel)}
    fields["eta"], fields["t"] = eta, t
    fields["method"] = np.full(u.size, -1, dtype=np.int64)
    done = np.zeros(u.size, dtype=bool)
    for table in tables:
        inside = ~done & _inside(table.grid, u, s) & (sheet in table.grid.sheets)
        if inside.any():
            got = decode(_interpolate(table, sheet, u[inside], s[inside]), u[inside], s[inside])
            for name, value in got.items():
                fields[name][inside] = value
            done |= inside
    missing = done & (fields["p"] < _MIXED_P) & np.isnan(fields["dlnD0_deta"])
    direct = ~done | missing
    if direct.any():
        solved = direct_two_level(eta[direct], t[direct], tables[0].grid.spectrum_resolution)
        for f in dataclasses.fields(ExactTwoLevel):
            fields[f.name][direct] = getattr(solved, f.name)
    for value in fields.values():
        value.flags.writeable = False
    return ExactTwoLevel(**fields)
