r"""Equilibrium thermodynamics of soft potentials with all their levels, and its exact split
into the tunnelling doublet and the rest (docs/physics.md §11).

For one potential with levels :math:`E_n` (units of W, :math:`e_n = E_n - E_0`) at
:math:`\theta = k_BT/W`, Boltzmann weights :math:`b_n = e^{-e_n/\theta}`:

* heat capacity :math:`C = k_B\,\mathrm{Var}(e)/\theta^2`;
* thermal stress per unit strain coupling, the n-level form of GGP (1.5):
  :math:`K\alpha = -\partial\langle\partial E/\partial\varepsilon\rangle/\partial T
  = -k_B\,\mathrm{Cov}(d, e)/\theta^2` with :math:`d_n = \partial E_n/\partial\varepsilon / W
  = \langle x^2\rangle_n\,\partial\tilde\eta/\partial\varepsilon + \langle x^3\rangle_n\,
  \partial\tilde t/\partial\varepsilon` (Hellmann–Feynman);
* energy :math:`\langle e\rangle` and strain derivative :math:`\langle d\rangle` (what a run
  needs as functions of T).

**The split is exact.** Where the lowest doublet (levels 0, 1) relaxes in the engine, the rest of
the potential is :math:`F_\mathrm{all} - F_2`, whose moments follow from the law of total
variance between group A (levels 0, 1) and group B (levels 2, 3, ...), with
:math:`\pi_B = Z_B/(Z_A + Z_B)`:

.. math:: \mathrm{Var}_\mathrm{all} - \mathrm{Var}_A
          = \pi_B(\mathrm{Var}_B - \mathrm{Var}_A) + \pi_A\pi_B(\mu_A - \mu_B)^2,

and the same for covariances and (without the last term) for means. Written this way nothing
cancels: at low temperature the rest is :math:`\propto\pi_B`, computed to full relative
precision, where the difference of two nearly equal totals would lose every digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Levels with e_n above this many k_B T carry a weight below e^-50 = 2e-22 and are dropped. [1]
LEVEL_SPAN = 50.0


@dataclass(frozen=True)
class PartMoments:
    r"""Thermal moments of soft potentials (or of a part of each), shape (potentials, theta).

    Attributes
    ----------
    energy
        :math:`\langle e\rangle`, energy above the ground level. [W]
    heat_capacity
        :math:`\mathrm{Var}(e)/\theta^2`. [k_B]
    x2, x3
        :math:`\langle x^2\rangle`, :math:`\langle x^3\rangle` (the strain derivative of the
        free energy per unit :math:`\partial\tilde\eta/\partial\varepsilon`,
        :math:`\partial\tilde t/\partial\varepsilon`, in W). [1]
    x2_slope, x3_slope
        :math:`\mathrm{Cov}(x^k, e)/\theta^2 = \partial\langle x^k\rangle/\partial\theta`. [1/W]
    """

    energy: FloatArray
    heat_capacity: FloatArray
    x2: FloatArray
    x3: FloatArray
    x2_slope: FloatArray
    x3_slope: FloatArray


@dataclass(frozen=True)
class _Group:
    """Partition sum and moments of a group of levels, shape (potentials, theta)."""

    z: FloatArray
    e: FloatArray
    x2: FloatArray
    x3: FloatArray
    var: FloatArray
    cov2: FloatArray
    cov3: FloatArray


def _group(gap: FloatArray, x2: FloatArray, x3: FloatArray, theta: FloatArray) -> _Group:
    """Moments over the last axis (levels) of ``gap`` [W], ``x2``, ``x3`` (potentials, levels)
    at every ``theta`` [W]; an empty or fully suppressed group has z = 0 and zero moments."""
    w = np.exp(-gap[:, None, :] / theta[None, :, None])
    z = w.sum(axis=-1)
    p = w / np.where(z > 0, z, 1.0)[..., None]
    e = np.einsum("ptl,pl->pt", p, gap)
    m2 = np.einsum("ptl,pl->pt", p, x2)
    m3 = np.einsum("ptl,pl->pt", p, x3)
    de = gap[:, None, :] - e[..., None]
    pde = p * de
    return _Group(
        z=z,
        e=e,
        x2=m2,
        x3=m3,
        var=np.einsum("ptl,ptl->pt", pde, de),
        cov2=np.einsum("ptl,pl->pt", pde, x2),
        cov3=np.einsum("ptl,pl->pt", pde, x3),
    )


def _moments_of(g: _Group, theta: FloatArray) -> PartMoments:
    th2 = theta[None, :] ** 2
    return PartMoments(g.e, g.var / th2, g.x2, g.x3, g.cov2 / th2, g.cov3 / th2)


def _rest(a: _Group, b: _Group, theta: FloatArray) -> PartMoments:
    """The moments of all levels minus those of group A alone, from the two groups (module
    docstring), without cancellation."""
    pi_b = b.z / (a.z + b.z)
    pi_a = 1.0 - pi_b
    both = pi_a * pi_b
    de = b.e - a.e
    th2 = theta[None, :] ** 2
    return PartMoments(
        energy=pi_b * de,
        heat_capacity=(pi_b * (b.var - a.var) + both * de * de) / th2,
        x2=pi_b * (b.x2 - a.x2),
        x3=pi_b * (b.x3 - a.x3),
        x2_slope=(pi_b * (b.cov2 - a.cov2) + both * (b.x2 - a.x2) * de) / th2,
        x3_slope=(pi_b * (b.cov3 - a.cov3) + both * (b.x3 - a.x3) * de) / th2,
    )


def level_moments(
    energy: FloatArray,
    x2: FloatArray,
    x3: FloatArray,
    theta: FloatArray,
    *,
    without_doublet: bool = False,
) -> PartMoments:
    r"""Thermal moments of potentials from their levels, all of them or without the doublet.

    Parameters
    ----------
    energy
        Levels :math:`E_n`, ascending along the last axis, shape (potentials, levels). [W]
    x2, x3
        :math:`\langle n|x^2|n\rangle`, :math:`\langle n|x^3|n\rangle`, same shape. [1]
    theta
        :math:`k_BT/W`, shape (n_theta,), > 0. [1]
    without_doublet
        False: all levels. True: :math:`F_\mathrm{all} - F_2`, the rest of each potential
        once its two lowest levels are taken out (module docstring).

    Returns
    -------
    PartMoments
        Shape (potentials, n_theta).
    """
    gap = energy - energy[:, :1]
    if not without_doublet:
        return _moments_of(_group(gap, x2, x3, theta), theta)
    a = _group(gap[:, :2], x2[:, :2], x3[:, :2], theta)
    b = _group(gap[:, 2:], x2[:, 2:], x3[:, 2:], theta)
    return _rest(a, b, theta)


def relevant_levels(energy: FloatArray, theta_max: float) -> NDArray[np.int64]:
    """How many levels of each potential lie within :data:`LEVEL_SPAN` k_B T of its ground level
    at the highest temperature ``theta_max`` [W] (at least 1). [1]"""
    gap = energy - energy[:, :1]
    return np.maximum(1, (gap <= LEVEL_SPAN * theta_max).sum(axis=1)).astype(np.int64)
