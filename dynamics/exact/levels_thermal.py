"""Canonical thermodynamics of one soft potential, eq. (2.6): quantum (from its levels) and
classical (a quadrature over x, with the first Wigner–Kirkwood correction).

Part of :mod:`dynamics.exact.levels` (``docs/levels.md``). Units as in eq. (2.6)–(2.7): energies and
the temperature theta = k_B T / W in units of W, heat capacities in units of k_B, x-tilde
dimensionless. For H = p^2 + V(x) (hbar = 1, 2m = 1 in these units):

* quantum: Z = sum_n exp(-E_n / theta); C = Var(E) / theta^2; <x^k> = sum_n w_n <n|x^k|n>
  (= dF/deta, dF/dt for k = 2, 3) and d<x^k>/dtheta = Cov(<n|x^k|n>, E_n) / theta^2, the
  n-level form of GGP eq. (1.5) (the thermal stress of a potential is -(d eta/d eps) d<x^2>/dtheta
  - (dt/d eps) d<x^3>/dtheta, up to the factor theta);
* classical: Z_cl = (1/2 pi) int int exp(-(p^2 + V)/theta) dp dx
  = (1/2 pi) sqrt(pi theta) int exp(-V/theta) dx; C_cl = 1/2 + Var(V)/theta^2;
* Wigner–Kirkwood (Wigner, Phys. Rev. 40, 749 (1932); Kirkwood, Phys. Rev. 44, 31 (1933)):
  ln Z = ln Z_cl - beta^2 <V''>_cl / 12 + O(beta^4) with beta = 1/theta (hbar^2/(24 m) = 1/12
  here); every other quantity is a derivative of this ln Z, written with classical moments.
  Check: for V = k x^2 (hbar omega = 2 sqrt k) it gives ln Z = ln(theta/omega) - omega^2/(24
  theta^2), the expansion of -ln(2 sinh(omega / 2 theta)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dynamics.exact.levels_landscape import (
    PotentialLandscape,
    branch_root,
    curvature,
    outer_reach,
    potential,
)

_SPAN = 40.0  # the quadrature stops where (V - V_min) / theta = 40 (weight e^-40 = 4e-18) [1]
_PANELS = 4  # Gauss–Legendre panels per monotone segment of V [1]
_NODES = 24  # nodes per panel [1]
_ROOT_STEPS = 60  # bisection steps of the segment ends [1]


@dataclass(frozen=True)
class ThermalProperties:
    """Canonical thermodynamics of soft potentials at a reduced temperature theta.

    All arrays have the broadcast shape of the potentials and ``theta``.

    Attributes
    ----------
    theta : ndarray
        k_B T / W. [W]
    log_partition_function : ndarray
        ln Z (energies measured from the zero of eq. (2.6), not from the minimum). [1]
    free_energy : ndarray
        F = -theta ln Z. [W]
    energy : ndarray
        Mean energy U = -d ln Z / d(1/theta). [W]
    heat_capacity : ndarray
        C = dU/dtheta. [k_B]
    x2, x3 : ndarray
        <x^2> = dF/deta and <x^3> = dF/dt, the thermal averages. [1]
    x2_slope, x3_slope : ndarray
        d<x^2>/dtheta and d<x^3>/dtheta (the thermal stress of the potential per unit strain
        derivative of eta and t). [1/W]
    """

    theta: NDArray[np.float64]
    log_partition_function: NDArray[np.float64]
    free_energy: NDArray[np.float64]
    energy: NDArray[np.float64]
    heat_capacity: NDArray[np.float64]
    x2: NDArray[np.float64]
    x3: NDArray[np.float64]
    x2_slope: NDArray[np.float64]
    x3_slope: NDArray[np.float64]


def quantum_properties(
    energy: NDArray, x2: NDArray, x3: NDArray, theta: NDArray
) -> ThermalProperties:
    """Canonical averages over levels (last axis) at ``theta`` (broadcast over the rest).

    Energies are measured from the ground level inside (E_n - E_0 >= 0), so nothing overflows.
    """
    th = theta[..., None]
    gap = energy - energy[..., :1]
    w = np.exp(-gap / th)
    z = w.sum(axis=-1, keepdims=True)
    p = w / z

    def mean(a: NDArray) -> NDArray:
        return np.sum(p * a, axis=-1)

    de = gap - mean(gap)[..., None]
    m2, m3 = mean(x2), mean(x3)
    return ThermalProperties(
        theta=theta,
        log_partition_function=-energy[..., 0] / theta + np.log(z[..., 0]),
        free_energy=energy[..., 0] - theta * np.log(z[..., 0]),
        energy=energy[..., 0] + mean(gap),
        heat_capacity=mean(de * de) / theta**2,
        x2=m2,
        x3=m3,
        x2_slope=mean((x2 - m2[..., None]) * de) / theta**2,
        x3_slope=mean((x3 - m3[..., None]) * de) / theta**2,
    )


def _segments(
    eta: NDArray, t: NDArray, land: PotentialLandscape, theta: NDArray
) -> tuple[NDArray, NDArray]:
    """Ends (a, b) of the monotone segments of V that carry the Boltzmann weight, shape (n, 4).

    From each minimum m outwards until V - V(m) = 40 theta, or the barrier top. Single wells
    have two segments; the other two are empty (a = b).
    """
    dw = land.double_well
    xl, xr = land.left_min, land.right_min
    xb = land.divide
    vl, vr = potential(xl, eta, t), potential(xr, eta, t)
    top_l, top_r = vl + _SPAN * theta, vr + _SPAN * theta
    far_l = branch_root(eta, t, top_l, _ROOT_STEPS, xl, xl - outer_reach(xl, eta, t, top_l - vl))
    far_r = branch_root(eta, t, top_r, _ROOT_STEPS, xr, xr + outer_reach(xr, eta, t, top_r - vr))
    vb = potential(xb, eta, t)
    near_l = np.where(dw & (vb > top_l), branch_root(eta, t, top_l, _ROOT_STEPS, xl, xb), xb)
    near_r = np.where(dw & (vb > top_r), branch_root(eta, t, top_r, _ROOT_STEPS, xr, xb), xb)
    a = np.stack([far_l, xl, near_r, xr], axis=-1)
    b = np.stack([xl, near_l, xr, far_r], axis=-1)
    # single wells: the middle two segments are empty
    b[:, 1] = np.where(dw, b[:, 1], a[:, 1])
    a[:, 2] = np.where(dw, a[:, 2], b[:, 2])
    return a, b


def _nodes(a: NDArray, b: NDArray) -> tuple[NDArray, NDArray]:
    """Composite Gauss–Legendre nodes and weights on every segment, shape (n, 4 * P * K)."""
    g, gw = np.polynomial.legendre.leggauss(_NODES)
    edges = np.linspace(0.0, 1.0, _PANELS + 1)
    u = (edges[:-1, None] + 0.5 * (g[None, :] + 1.0) / _PANELS).ravel()  # (P K,) in (0, 1)
    wu = np.tile(0.5 * gw / _PANELS, _PANELS)
    x = a[..., None] + (b - a)[..., None] * u
    w = (b - a)[..., None] * wu
    count = 4 * _PANELS * _NODES
    return x.reshape(a.shape[0], count), w.reshape(a.shape[0], count)


def classical_properties(
    eta: NDArray, t: NDArray, land: PotentialLandscape, theta: NDArray, quantum_correction: bool
) -> ThermalProperties:
    """Classical thermodynamics of flat arrays of potentials (no checks); see the module doc.

    With ``quantum_correction`` the first Wigner–Kirkwood term is added to ln Z and to every
    derivative of it (formulas in the code, each a derivative of -beta^2 <V''> / 12).
    """
    a, b = _segments(eta, t, land, theta)
    x, w = _nodes(a, b)
    e, tt, th = eta[:, None], t[:, None], theta[:, None]
    v = potential(x, e, tt)
    vg = land.v_global_min[:, None]
    weight = w * np.exp(-(v - vg) / th)
    integral = weight.sum(axis=1)
    p = weight / integral[:, None]

    def mean(f: NDArray) -> NDArray:
        return np.sum(p * f, axis=1)

    dv = v - vg - mean(v - vg)[:, None]
    x2, x3 = x * x, x * x * x
    m2, m3 = mean(x2), mean(x3)
    beta = 1.0 / theta
    log_z = np.log(np.sqrt(math.pi * theta) / (2.0 * math.pi) * integral) - land.v_global_min * beta
    u = land.v_global_min + mean(v - vg) + 0.5 * theta
    c = 0.5 + beta**2 * mean(dv * dv)
    s2 = beta**2 * mean((x2 - m2[:, None]) * dv)
    s3 = beta**2 * mean((x3 - m3[:, None]) * dv)
    if quantum_correction:
        vpp = curvature(x, e, tt)
        big_a = mean(vpp)
        dvpp = vpp - big_a[:, None]
        c1, c2 = mean(dvpp * dv), mean(dvpp * dv * dv)
        log_z = log_z - beta**2 * big_a / 12.0
        u = u + (2.0 * beta * big_a - beta**2 * c1) / 12.0
        c = c - beta**2 * (2.0 * big_a - 4.0 * beta * c1 + beta**2 * c2) / 12.0
        cov2, cov3 = mean(dvpp * (x2 - m2[:, None])), mean(dvpp * (x3 - m3[:, None]))
        t2 = mean(dvpp * (x2 - m2[:, None]) * dv)
        t3 = mean(dvpp * (x3 - m3[:, None]) * dv)
        m1 = mean(x)
        cov1 = mean((x - m1[:, None]) * dv)
        s2 = s2 - beta**2 * (2.0 - 2.0 * beta * cov2 + beta**2 * t2) / 12.0
        s3 = s3 - beta**2 * (6.0 * m1 - 6.0 * beta * cov1 - 2.0 * beta * cov3 + beta**2 * t3) / 12.0
        m2 = m2 + beta * (2.0 - beta * cov2) / 12.0
        m3 = m3 + beta * (6.0 * m1 - beta * cov3) / 12.0
    return ThermalProperties(
        theta=theta,
        log_partition_function=log_z,
        free_energy=-theta * log_z,
        energy=u,
        heat_capacity=c,
        x2=m2,
        x3=m3,
        x2_slope=s2,
        x3_slope=s3,
    )
