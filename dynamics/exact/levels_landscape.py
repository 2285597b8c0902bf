"""Landscape of the soft potential V(x) = eta x^2 + t x^3 + x^4, eq. (2.6): stationary points,
minima, barrier, barrier heights and curvatures, in closed form and vectorised.

Part of :mod:`dynamics.exact.levels` (the multi-level spectrum; ``docs/levels.md``). All
quantities are dimensionless as in eq. (2.6): x is x-tilde [1], V and energies are in units of
W, curvatures V'' in W per unit x-tilde squared (written [W]).

V'(x) = x (4 x^2 + 3 t x + 2 eta) vanishes at x = 0 and at x = (-3t -+ sqrt(9t^2 - 32 eta)) / 8
(real when 9 t^2 > 32 eta). With three distinct real stationary points V is a double well (two
minima around a barrier top); otherwise it has one minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


def potential(x: NDArray, eta: NDArray, t: NDArray) -> NDArray:
    """V(x) = eta x^2 + t x^3 + x^4 of eq. (2.6) on float arrays (no checks). [W]"""
    return x * x * (eta + x * (t + x))


def curvature(x: NDArray, eta: NDArray, t: NDArray) -> NDArray:
    """V''(x) = 2 eta + 6 t x + 12 x^2 on float arrays (no checks). [W]"""
    return 2.0 * eta + x * (6.0 * t + 12.0 * x)


def branch_root(
    eta: NDArray, t: NDArray, level: NDArray, steps: int, inside: NDArray, outside: NDArray
) -> NDArray:
    """x with V(x) = ``level`` between ``inside`` (V < level) and ``outside`` (V >= level), V
    monotone in between: ``steps`` bisections (the bracket shrinks by 2^-steps). [1]"""
    a, b = inside.copy(), outside.copy()
    for _ in range(steps):
        mid = 0.5 * (a + b)
        low = potential(mid, eta, t) < level
        a = np.where(low, mid, a)
        b = np.where(low, b, mid)
    return 0.5 * (a + b)


def outer_reach(x_min: NDArray, eta: NDArray, t: NDArray, rise: NDArray) -> NDArray:
    """A distance y with V(x_min -+ y) >= V(x_min) + ``rise`` on both sides of a minimum. [1]

    About x_min, V = V(x_min) + k y^2 + t' y^3 + y^4 with k >= 0 and t' = t + 4 x_min, and
    y^4 - |t'| y^3 >= rise for y >= |t'| + rise^(1/4).
    """
    return np.abs(t + 4.0 * x_min) + np.maximum(rise, 0.0) ** 0.25 + 1e-12 * (1.0 + np.abs(x_min))


def stationary_points(eta: NDArray, t: NDArray) -> NDArray:
    """The real roots of V'(x) = x (4x^2 + 3tx + 2 eta), sorted, NaN for a complex pair.

    Parameters
    ----------
    eta, t
        Coefficients of eq. (2.6), finite float arrays of one shape. [1]

    Returns
    -------
    ndarray, shape (..., 3)
        Stationary points in ascending order; the last two are NaN when 9 t^2 < 32 eta (the
        two roots of the quadratic factor are complex). A double root appears twice. [1]
    """
    disc = 9.0 * t * t - 32.0 * eta
    root = np.sqrt(np.where(disc >= 0.0, disc, np.nan))
    # the quadratic's roots without cancellation: q = -(3t + sign(t) root)/2, roots q/4, 2 eta/q
    sgn = np.where(t >= 0.0, 1.0, -1.0)
    q = -0.5 * (3.0 * t + sgn * root)
    with np.errstate(invalid="ignore", divide="ignore"):
        r1 = q / 4.0
        r2 = np.where(q != 0.0, 2.0 * eta / np.where(q != 0.0, q, 1.0), 0.0)
    pts = np.stack([np.zeros_like(eta), r1, r2], axis=-1)
    return np.sort(pts, axis=-1)  # NaN sorts last


@dataclass(frozen=True)
class PotentialLandscape:
    """Minima, barrier top and their energies and curvatures of soft potentials, eq. (2.6).

    All arrays have the broadcast shape of ``(eta, t)``. Fields of the local minimum and the
    barrier are NaN for single wells. The *global* minimum is the deeper one; for t = 0 (two
    equal wells) it is the left one (x < 0), the limit t -> 0+ (for t < 0 the deep well lies
    at x > 0, by the mirror x -> -x).

    Attributes
    ----------
    double_well : ndarray of bool
        V has two minima (three distinct real stationary points, 9 t^2 > 32 eta, eta != 0 or
        t != 0). [1]
    x_global_min, x_local_min, x_barrier : ndarray
        Positions of the global minimum, the other (local) minimum and the barrier top. [1]
    v_global_min, v_local_min, v_barrier : ndarray
        V at these points. [W]
    barrier_from_global, barrier_from_local : ndarray
        Barrier height measured from the global / local minimum, V(x_barrier) - V(x_min). [W]
    curvature_global_min, curvature_local_min, curvature_barrier : ndarray
        V'' at these points (negative at the barrier top). [W]
    harmonic_energy : ndarray
        sqrt(2 V''(x_global_min)), the level spacing of the harmonic approximation of the
        global minimum (H = p^2 + V''/2 y^2 has hbar omega = 2 sqrt(V''/2)). [W]
    """

    double_well: NDArray[np.bool_]
    x_global_min: NDArray[np.float64]
    x_local_min: NDArray[np.float64]
    x_barrier: NDArray[np.float64]
    v_global_min: NDArray[np.float64]
    v_local_min: NDArray[np.float64]
    v_barrier: NDArray[np.float64]
    barrier_from_global: NDArray[np.float64]
    barrier_from_local: NDArray[np.float64]
    curvature_global_min: NDArray[np.float64]
    curvature_local_min: NDArray[np.float64]
    curvature_barrier: NDArray[np.float64]
    harmonic_energy: NDArray[np.float64]

    @property
    def left_min(self) -> NDArray[np.float64]:
        """The left minimum of a double well; the minimum of a single well. [1]"""
        both = np.fmin(self.x_global_min, self.x_local_min)
        return np.where(self.double_well, both, self.x_global_min)

    @property
    def right_min(self) -> NDArray[np.float64]:
        """The right minimum of a double well; the minimum of a single well. [1]"""
        both = np.fmax(self.x_global_min, self.x_local_min)
        return np.where(self.double_well, both, self.x_global_min)

    @property
    def divide(self) -> NDArray[np.float64]:
        """The barrier top of a double well; the minimum of a single well. [1]"""
        return np.where(self.double_well, self.x_barrier, self.x_global_min)


def landscape_of(eta: NDArray, t: NDArray) -> PotentialLandscape:
    """Landscape of V for finite float arrays ``eta``, ``t`` of one shape (no checks).

    Double well: three distinct stationary points; the middle one is the barrier top, the
    outer ones are minima. For t >= 0 the left minimum is the deeper (V(x) - V(-x) = 2 t x^3),
    so the global minimum is the left one when t >= 0 and the right one when t < 0. Single
    well: the one minimum (for 9 t^2 < 32 eta it is x = 0; for eta = 0 it is -3t/4, the other
    stationary point x = 0 being an inflection).
    """
    pts = stationary_points(eta, t)
    lo, mid, hi = pts[..., 0], pts[..., 1], pts[..., 2]
    double = np.isfinite(hi) & (lo < mid) & (mid < hi)
    v_lo, v_hi = potential(lo, eta, t), potential(hi, eta, t)
    left_deep = (v_lo < v_hi) | ((v_lo == v_hi) & (t >= 0.0))
    x_g2 = np.where(left_deep, lo, hi)
    x_l2 = np.where(left_deep, hi, lo)
    # single well: the stationary point with the lowest V (inflection points are never lower)
    v_pts = np.where(
        np.isfinite(pts), potential(np.nan_to_num(pts), eta[..., None], t[..., None]), np.inf
    )
    x_single = np.take_along_axis(pts, np.argmin(v_pts, axis=-1)[..., None], axis=-1)[..., 0]
    nan = np.full(eta.shape, np.nan)
    x_g = np.where(double, x_g2, x_single)
    x_l = np.where(double, x_l2, nan)
    x_b = np.where(double, mid, nan)
    v_g, v_l, v_b = (potential(x, eta, t) for x in (x_g, x_l, x_b))
    c_g = curvature(x_g, eta, t)
    return PotentialLandscape(
        double_well=double,
        x_global_min=x_g,
        x_local_min=x_l,
        x_barrier=x_b,
        v_global_min=v_g,
        v_local_min=v_l,
        v_barrier=v_b,
        barrier_from_global=v_b - v_g,
        barrier_from_local=v_b - v_l,
        curvature_global_min=c_g,
        curvature_local_min=curvature(x_l, eta, t),
        curvature_barrier=curvature(x_b, eta, t),
        harmonic_energy=np.sqrt(2.0 * np.maximum(c_g, 0.0)),
    )
