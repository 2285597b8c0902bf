r"""The parts of a soft-potential glass that follow the temperature at once: the soft
vibrations (single wells) and the double-well excitations (every level of a double well that is
not its slow tunnelling doublet), docs/physics.md §11.

From the levels of the fixed quadrature of the soft-potential domain
(:mod:`dynamics.populations`; the shipped :mod:`dynamics.exact.level_table`), each node's
thermal moments are computed once per process on a fixed grid of :math:`\theta = k_BT/W`
(:data:`THETA_GRID`, glass-independent: :func:`moment_grid`); a glass weights them with its
density law, boson-peak closure and strain coupling (:func:`part_curves`), and the curves are
interpolated in :math:`\ln\theta`
(:func:`evaluate_parts`). Per part, with the density scale :math:`S` [m-3] and node weights
:math:`w`:

.. math:: C = S k_B\sum w\,C_\mathrm{node}, \quad
          K\alpha = -S k_B\sum w\,(a\,\partial_\theta\langle x^2\rangle
                    + b\,\partial_\theta\langle x^3\rangle), \quad
          U = S W\sum w\,\langle e\rangle, \quad
          \langle\partial E/\partial\varepsilon\rangle = S W\sum w\,(a\langle x^2\rangle'
                    + b\langle x^3\rangle'),

:math:`a = \partial\tilde\eta/\partial\varepsilon`, :math:`b = \partial\tilde t/\partial\varepsilon`
per node, the primes marking averages relative to the ground level (so that the strain is zero at
:math:`T = 0`: :math:`\varepsilon = -\langle\partial E/\partial\varepsilon\rangle/K`).

**Interpolation.** :math:`\ln C` and :math:`\ln U` (positive; in :math:`1/\theta`, where their
leading term :math:`-\mathrm{gap}/\theta` is linear) and the ratios :math:`K\alpha/C`,
:math:`\langle\partial E/\partial\varepsilon\rangle/U` (smooth, bounded; in :math:`\ln\theta`) are
interpolated by cubic Hermite splines on the grid's 60 points per decade; below the grid every
part is zero (its lowest gap is above 0.3 W, so its weight is below :math:`e^{-300}`); above it
(:math:`\theta > 10`, where 40 levels no longer converge) a call is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.exact.level_table import LevelTable, level_table
from dynamics.glass import Glass
from dynamics.multilevel import PartMoments, level_moments
from dynamics.populations import (
    BEYOND_CAP,
    SHALLOW_DOUBLE,
    SINGLE_WELL,
    SLOW_DOUBLE,
    DomainQuadrature,
    population_weights,
)
from dynamics.units import K_B
from dynamics.validation import ParameterError
from dynamics.zero_point_panels import zero_point_node_coupling

FloatArray = NDArray[np.float64]

#: Reduced temperatures theta = k_B T / W of the moment grid: 60 per decade on [1e-3, 10]. [1]
THETA_GRID = np.geomspace(1e-3, 10.0, 241)
#: Parts that follow the temperature at once, in order.
INSTANTANEOUS_PARTS = ("double_well_excitations", "soft_vibrations")
_CHUNK = 256  # nodes per moment computation (bounds the (nodes, theta, levels) temporaries) [1]


@dataclass(frozen=True)
class MomentGrid:
    """Thermal moments of every node on :data:`THETA_GRID`: the rest without the doublet for
    slow double wells, all levels for the others; x2, x3 relative to the ground level.

    Attributes
    ----------
    quadrature
        The nodes.
    theta
        The grid. [1]
    moments
        Shape (nodes, theta) each.
    """

    quadrature: DomainQuadrature
    theta: FloatArray
    moments: PartMoments


def moment_grid(table: LevelTable, theta: FloatArray = THETA_GRID) -> MomentGrid:
    """The moments of every node of ``table`` on ``theta`` (see :class:`MomentGrid`)."""
    q = table.quadrature
    slow = q.region == SLOW_DOUBLE
    names = ("energy", "heat_capacity", "x2", "x3", "x2_slope", "x3_slope")
    out = {k: np.empty((q.size, theta.size)) for k in names}
    for lo in range(0, q.size, _CHUNK):
        rows = np.arange(lo, min(lo + _CHUNK, q.size))
        for rest in (False, True):
            sel = rows[slow[rows] == rest]
            if sel.size == 0:
                continue
            m = level_moments(
                table.energy[sel], table.x2[sel], table.x3[sel], theta, without_doublet=rest
            )
            for k in names:
                out[k][sel] = getattr(m, k)
            if not rest:  # averages relative to the ground level (zero at T = 0)
                out["x2"][sel] -= table.x2[sel, :1]
                out["x3"][sel] -= table.x3[sel, :1]
    return MomentGrid(q, theta, PartMoments(**out))


def part_of_region(region: NDArray[np.int64]) -> NDArray[np.int64]:
    """Index into :data:`INSTANTANEOUS_PARTS` of each node: soft vibrations for single wells,
    double-well excitations for every double-well region."""
    double = (region == SHALLOW_DOUBLE) | (region == SLOW_DOUBLE) | (region == BEYOND_CAP)
    return np.where(region == SINGLE_WELL, 1, np.where(double, 0, -1)).astype(np.int64)


@dataclass(frozen=True)
class PartCurves:
    """The instantaneous parts of one glass on the theta grid, shape (parts, theta).

    Attributes
    ----------
    theta
        :math:`k_BT/W`. [1]
    heat_capacity
        :math:`C`. [J m-3 K-1]
    thermal_stress
        :math:`K\\alpha`. [Pa K-1]
    energy
        :math:`U(T) - U(0)`. [J m-3]
    stress
        :math:`\\langle\\partial E/\\partial\\varepsilon\\rangle(T) - (T = 0)` per volume; the
        strain is its negative over K. [Pa]
    """

    theta: FloatArray
    heat_capacity: FloatArray
    thermal_stress: FloatArray
    energy: FloatArray
    stress: FloatArray


def part_curves(
    grid: MomentGrid, weights: FloatArray, deta: FloatArray, dt: FloatArray, W_J: float
) -> PartCurves:
    r"""The instantaneous parts of a glass on the grid (module docstring).

    Parameters
    ----------
    grid
        From :func:`moment_grid`.
    weights
        Potentials per volume at each node: the density scale [m-3] times
        :func:`dynamics.populations.population_weights`. [m-3]
    deta, dt
        :math:`\partial\tilde\eta/\partial\varepsilon`, :math:`\partial\tilde t/\partial\varepsilon`
        at each node (the glass's strain coupling). [1]
    W_J
        :math:`W`. [J]

    Returns
    -------
    PartCurves
    """
    m = grid.moments
    part = part_of_region(grid.quadrature.region)
    n_parts = len(INSTANTANEOUS_PARTS)
    sums = {k: np.zeros((n_parts, grid.theta.size)) for k in ("c", "ka", "u", "s")}
    for k in range(n_parts):
        sel = part == k
        w = weights[sel]
        sums["c"][k] = K_B * (w @ m.heat_capacity[sel])
        sums["ka"][k] = -K_B * ((w * deta[sel]) @ m.x2_slope[sel] + (w * dt[sel]) @ m.x3_slope[sel])
        sums["u"][k] = W_J * (w @ m.energy[sel])
        sums["s"][k] = W_J * ((w * deta[sel]) @ m.x2[sel] + (w * dt[sel]) @ m.x3[sel])
    return PartCurves(grid.theta, sums["c"], sums["ka"], sums["u"], sums["s"])


def _hermite(s_grid: FloatArray, values: FloatArray, s: FloatArray) -> FloatArray:
    """Cubic Hermite interpolation of rows ``values`` (parts, grid) at ``s`` (slopes by central
    differences, one-sided at the ends), for ``s`` inside the grid."""
    h = np.diff(s_grid)
    slope = np.gradient(values, s_grid, axis=-1)
    i = np.clip(np.searchsorted(s_grid, s, side="right") - 1, 0, s_grid.size - 2)
    u = (s - s_grid[i]) / h[i]
    h00 = (1 + 2 * u) * (1 - u) ** 2
    h10 = u * (1 - u) ** 2
    h01 = u * u * (3 - 2 * u)
    h11 = u * u * (u - 1)
    return (
        h00 * values[:, i]
        + h10 * h[i] * slope[:, i]
        + h01 * values[:, i + 1]
        + h11 * h[i] * slope[:, i + 1]
    )


def evaluate_parts(curves: PartCurves, theta: FloatArray) -> PartCurves:
    """The curves at other reduced temperatures ``theta`` (module docstring: ln C, ln U and the
    ratios K alpha/C and stress/U in ln theta; zero below the grid; refused above it).

    Raises
    ------
    ParameterError
        If some theta is above the grid's top (10): 40 levels do not converge there.
    """
    th = np.asarray(theta, dtype=float).ravel()
    top = float(curves.theta[-1])
    if np.any(th > top * (1 + 1e-12)):
        bad = float(th[th > top][0])
        raise ParameterError(
            f"k_B T/W = {bad:.6g} is outside the allowed range (0, {top:g}] of the multi-level "
            "tables (40 levels converge to 1e-6 there; docs/levels.md)"
        )
    below = th < curves.theta[0]
    clipped = np.clip(th, curves.theta[0], top)
    s, s_grid = np.log(clipped), np.log(curves.theta)
    # ln C and ln U in beta = 1/theta, descending to ascending: their leading term -gap * beta is
    # linear there, so the cubic interpolates it exactly and only the slow prefactor is left
    b, b_grid = -1.0 / clipped, -1.0 / curves.theta
    tiny = np.finfo(float).tiny
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.exp(_hermite(b_grid, np.log(np.maximum(curves.heat_capacity, tiny)), b))
        u = np.exp(_hermite(b_grid, np.log(np.maximum(curves.energy, tiny)), b))
        ratio_ka = np.where(
            curves.heat_capacity > 0, curves.thermal_stress / curves.heat_capacity, 0.0
        )
        ratio_s = np.where(curves.energy > 0, curves.stress / curves.energy, 0.0)
    ka = c * _hermite(s_grid, ratio_ka, s)
    st = u * _hermite(s_grid, ratio_s, s)
    zero = np.zeros_like(c)
    keep = ~below[None, :]
    return PartCurves(
        th,
        np.where(keep, c, zero),
        np.where(keep, ka, zero),
        np.where(keep, u, zero),
        np.where(keep, st, zero),
    )


@functools.cache
def shipped_moment_grid() -> MomentGrid:
    """:func:`moment_grid` of the shipped level table, computed once per process (~2 s, 60 MB)."""
    return moment_grid(level_table())


def node_strain_coupling(
    quadrature: DomainQuadrature, glass: Glass
) -> tuple[FloatArray, FloatArray]:
    r""":math:`(\partial\tilde\eta/\partial\varepsilon, \partial\tilde t/\partial\varepsilon)` of
    each node under the glass's strain coupling (docs/physics.md §11.5):

    * double wells whose doublet the TLS picture covers (:math:`|\tilde\eta| \ge \eta_c`: the
      slow region and beyond the energy cap) couple as the TLS do, with the zero-point terms of
      (3.8), (3.9), folded over the mirror image and integrated across the jumps of the
      zero-point shift (:func:`dynamics.zero_point_panels.zero_point_node_coupling`);
    * the shallow double wells (:math:`|\tilde\eta| < \eta_c`) take GGP's direct term
      :math:`c/\eta_L` alone: the zero-point shift is derived for :math:`|\tilde\eta| \gg 1`
      and diverges as :math:`\tilde\eta \to 0`;
    * single wells (the soft vibrations) take ``glass.vibration_coupling``: ``"direct"``
      (:math:`c/\eta_L`, the default), ``"zero-point"`` (as the TLS) or ``"independent"``
      (:math:`c_\mathrm{vib}/\eta_L`). [1]
    """
    q = quadrature
    deep = (q.region == SLOW_DOUBLE) | (q.region == BEYOND_CAP)
    single = q.region == SINGLE_WELL
    zp = deep | (single & (glass.vibration_coupling == "zero-point") & (q.eta != 0.0))
    deta = np.full(q.size, glass.c / glass.eta_L)
    dt = np.zeros(q.size)
    if glass.vibration_coupling == "independent":
        deta[single] = glass.c_vib / glass.eta_L
    if zp.any():
        deta[zp], dt[zp] = zero_point_node_coupling(q, zp, glass.c, glass.eta_L, glass.chi)
    return deta, dt


def glass_part_curves(glass: Glass, grid: MomentGrid | None = None) -> PartCurves:
    """The instantaneous parts of a soft-potential glass on the theta grid: its density scale
    :math:`S = N_0 W` times the population weights (density law, boson-peak closure) and its
    strain coupling per node (:func:`node_strain_coupling`).

    Parameters
    ----------
    glass
        A glass with ``population == "soft-potential"``.
    grid
        The moment grid (the shipped table's, :func:`shipped_moment_grid`, if omitted).
    """
    g = grid if grid is not None else shipped_moment_grid()
    q = g.quadrature
    closure_energy = glass.boson_peak_energy / glass.W  # E_b/W [1]
    weights = glass.density_scale_volume * population_weights(
        q, glass.density_law, glass.boson_peak_closure, closure_energy
    )
    deta, dt = node_strain_coupling(q, glass)
    return part_curves(g, weights, deta, dt, glass.W_J)


def _curves_at(glass: Glass, temperature: FloatArray, curves: PartCurves | None) -> PartCurves:
    """:func:`evaluate_parts` of the glass's curves at ``temperature`` [K]."""
    own = curves if curves is not None else glass_part_curves(glass)
    return evaluate_parts(own, np.asarray(temperature, dtype=float) / glass.W)


def instantaneous_heat(
    glass: Glass,
    temperature: ArrayLike,
    initial_temperature: float,
    curves: PartCurves | None = None,
) -> FloatArray:
    r"""Heat held by each instantaneous part relative to :math:`T_0`,
    :math:`U(T) - U(T_0)` (module docstring), per part of :data:`INSTANTANEOUS_PARTS`.

    Parameters
    ----------
    glass
        A soft-potential glass.
    temperature
        Temperatures, shape (n,). [K]
    initial_temperature
        :math:`T_0`. [K]
    curves
        The glass's :func:`glass_part_curves` (computed if omitted).

    Returns
    -------
    ndarray
        Shape (parts, n). [J m-3]
    """
    return _change_since(glass, temperature, initial_temperature, curves, "energy")


def instantaneous_strain(
    glass: Glass,
    temperature: ArrayLike,
    initial_temperature: float,
    curves: PartCurves | None = None,
) -> FloatArray:
    r"""Strain of each instantaneous part relative to :math:`T_0`,
    :math:`\varepsilon = -[\langle\partial E/\partial\varepsilon\rangle(T)
    - \langle\partial E/\partial\varepsilon\rangle(T_0)]/K` per volume (module docstring), per
    part of :data:`INSTANTANEOUS_PARTS`; its slope in T is :math:`K\alpha/K`. Parameters as
    :func:`instantaneous_heat` (temperatures [K], :math:`T_0` [K]); shape (parts, n). [1]
    """
    stress = _change_since(glass, temperature, initial_temperature, curves, "stress")
    return np.asarray(-stress / glass.bulk_modulus, dtype=float)


def _change_since(
    glass: Glass,
    temperature: ArrayLike,
    initial_temperature: float,
    curves: PartCurves | None,
    field: str,
) -> FloatArray:
    """``field`` of the glass's part curves at ``temperature`` [K] less its value at
    ``initial_temperature`` [K], shape (parts, n), in the field's unit."""
    temps = np.atleast_1d(np.asarray(temperature, dtype=float))
    values = getattr(
        _curves_at(glass, np.concatenate([[initial_temperature], temps]), curves), field
    )
    return np.asarray(values[:, 1:] - values[:, :1], dtype=float)


def instantaneous_heat_capacity(glass: Glass, temperature: ArrayLike) -> FloatArray:
    """Heat capacity of all instantaneous parts together at each temperature [K]
    (:func:`evaluate_parts`). [J m-3 K-1]"""
    temps = np.atleast_1d(np.asarray(temperature, dtype=float))
    return np.asarray(_curves_at(glass, temps, None).heat_capacity.sum(0), dtype=float)


def instantaneous_heat_content_function(
    glass: Glass, curves: PartCurves | None = None
) -> Callable[[float], float]:
    r"""A fast :math:`U(T) - U(0)` [J m-3] of all instantaneous parts together, for the energy
    balance of an isolated sample (:mod:`dynamics.isolated`): one scalar temperature [K] in,
    the interpolated curves of :func:`evaluate_parts` out (the glass's
    :func:`glass_part_curves`, ``curves``, computed if omitted)."""
    curves = curves if curves is not None else glass_part_curves(glass)

    def energy(temperature: float) -> float:
        return float(evaluate_parts(curves, np.array([temperature / glass.W])).energy.sum())

    return energy
