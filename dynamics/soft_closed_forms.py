r"""Closed forms of the soft-potential population beyond two levels, derived here for the
checks of docs/physics.md §11 (each is a limit the full model must approach).

Units: :math:`\theta = k_BT/W`; :math:`S` is the density scale (:math:`P_s\eta_L^{5/2}` with the
:math:`|\eta|` law) [m-3]; heat capacities per volume [J m-3 K-1].

**Soft vibrations at** :math:`k_BT \gg W` (single wells, :math:`|\eta|` law, no boson-peak
closure). A single well :math:`\tilde\eta > 0` is harmonic for :math:`\tilde\eta \gg 1`, with
spacing :math:`\hbar\omega = 2W\tilde\eta^{1/2}`; the cubic coefficient ranges over
:math:`|\tilde t| < (32\tilde\eta/9)^{1/2}`, so the density of vibrations is
:math:`g(E) = S\,(\sqrt2/6)\,E^4/W^5` and

.. math:: C_5 = S k_B\,(\sqrt2/6)\,6!\,\zeta(6)\,\theta^5 = 120\sqrt2\,\zeta(6)\,S k_B\,\theta^5 .

The next term: the levels of a weakly anharmonic well are :math:`E_n = \hbar\omega(n + \tfrac12)
+ A(n^2 + n) + \text{const}` with :math:`A = 3/(2\tilde\eta) - 15\tilde t^2/(8\tilde\eta^2)`
(first-order quartic, second-order cubic perturbation theory); averaged over the uniform
:math:`\tilde t` range, :math:`\langle A\rangle = -(13/18)/\tilde\eta`. The free energy shifts by
:math:`A\cdot 2\bar n(\bar n + 1) = A/(2\sinh^2(\hbar\omega/2k_BT))`; integrating over the
population (:math:`\int_0^\infty y^2/\sinh^2 y\,dy = \pi^2/6`) gives
:math:`\Delta F = -S\,K\,\theta^3` with :math:`K = (208\sqrt2/108)(\pi^2/6)`, so

.. math:: C = 120\sqrt2\,\zeta(6)\,S k_B\,\theta^5 + 6K\,S k_B\,\theta^2 + O(\theta) .

**Their Grüneisen parameter** at :math:`k_BT \gg W` with the direct coupling
:math:`\partial\tilde\eta/\partial\varepsilon = c/\eta_L`: each mode has
:math:`\gamma = -\partial\ln\omega/\partial\varepsilon = -(c/2\eta_L)/\tilde\eta =
-(c/2\eta_L)(2W/\hbar\omega)^2`, and the :math:`g\propto E^4` average weighted by the mode heat
capacity is

.. math:: \Gamma_\mathrm{vib} = -\frac{c}{2\eta_L}\,\frac{4\cdot 4!\,\zeta(4)}{6!\,\zeta(6)}\,
          \theta^{-2} .

**Relaxators** (deep, weakly asymmetric double wells, :math:`|\eta|` law): with the barrier
:math:`V = W\tilde\eta^2/4` and asymmetry :math:`\Delta = 2^{-1/2}W\tilde t|\tilde\eta|^{3/2} =
2W\tilde t\,(V/W)^{3/4}`, both signs of :math:`\tilde t` folded into :math:`\Delta \ge 0`, the
density per unit barrier and asymmetry is

.. math:: n(V, \Delta) = 2S\,(V/W)^{-3/4}/W^2

(from :math:`d\tilde\eta = (V/W)^{-1/2}dV/W`, :math:`d\tilde t = d\Delta/(2W(V/W)^{3/4})`,
:math:`|\tilde\eta| = 2(V/W)^{1/2}`): the :math:`V^{-3/4}` law.

**Activated heat capacity.** If every relaxator with barrier below
:math:`V^* = k_BT\ln(\nu\tau_\mathrm{expt})` has relaxed and none above, its heat capacity grows
with the duration as

.. math:: \frac{\partial C}{\partial\ln\tau_\mathrm{expt}} = \frac{\pi^2}{3}\,S k_B\,\theta^2\,
          (V^*/W)^{-3/4},

against :math:`\propto T` (Black's law, :math:`C \propto T\ln t`) for tunnelling: the crossover of
the :math:`\tau_\mathrm{expt}` dependence (:math:`\int_0^\infty x^2e^x/(e^x+1)^2dx = \pi^2/6`).

**Grüneisen parameter of the activated increment.** A deep well's splitting is its asymmetry,
:math:`E = \Delta = 2^{-1/2}W\tilde t|\tilde\eta|^{3/2}`; with the direct coupling
:math:`\partial\tilde\eta/\partial\varepsilon = c/\eta_L` (:math:`\tilde\eta < 0`),
:math:`D = \partial E/\partial\varepsilon = -\tfrac32(c/\eta_L)\,E/|\tilde\eta|`, the same
fraction of :math:`E` for every well of one depth, so the relaxators that relax between
:math:`\tau` and :math:`\tau + d\tau` (barrier :math:`V^*`, :math:`|\tilde\eta| =
2(V^*/W)^{1/2}`) have

.. math:: \frac{\partial(K\alpha)/\partial\ln\tau_\mathrm{expt}}
          {\partial C/\partial\ln\tau_\mathrm{expt}} = \frac{3c}{4\eta_L}\,(V^*/W)^{-1/2}

(with :math:`K\alpha = -\sum w D\,\partial n/\partial T`): positive, and falling as
:math:`(\ln\tau_\mathrm{expt})^{-1/2}`, where the tunnelling systems' Γ is negative.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.units import K_B

FloatArray = NDArray[np.float64]

_ZETA4 = math.pi**4 / 90.0
_ZETA6 = math.pi**6 / 945.0
#: 120 sqrt(2) zeta(6): C_5 = this S k_B theta^5. [1]
SOFT_VIBRATION_T5 = 120.0 * math.sqrt(2.0) * _ZETA6
#: 6 K, K = (208 sqrt2/108)(pi^2/6): the theta^2 term of the soft vibrations' C. [1]
SOFT_VIBRATION_T2 = 6.0 * (208.0 * math.sqrt(2.0) / 108.0) * (math.pi**2 / 6.0)
#: 4 * 4! zeta(4) / (6! zeta(6)): <(2W/hbar omega)^2> of the soft vibrations times theta^2. [1]
SOFT_VIBRATION_GAMMA = 4.0 * 24.0 * _ZETA4 / (720.0 * _ZETA6)


def soft_vibration_heat_capacity(
    theta: ArrayLike, density_scale: float, *, next_term: bool = True
) -> FloatArray:
    r"""The soft vibrations' heat capacity at :math:`k_BT \gg W` (module docstring):
    :math:`120\sqrt2\,\zeta(6)\,Sk_B\theta^5`, plus :math:`6K\,Sk_B\theta^2` with
    ``next_term``.

    Parameters
    ----------
    theta
        :math:`k_BT/W`. [1]
    density_scale
        :math:`S = P_s\eta_L^{5/2}`. [m-3]
    next_term
        Add the first anharmonic correction.

    Returns
    -------
    ndarray
        [J m-3 K-1]
    """
    th = np.asarray(theta, dtype=float)
    c = SOFT_VIBRATION_T5 * th**5
    if next_term:
        c = c + SOFT_VIBRATION_T2 * th**2
    return np.asarray(density_scale * K_B * c, dtype=float)


def soft_vibration_gruneisen(theta: ArrayLike, c: float, eta_L: float) -> FloatArray:
    r"""The soft vibrations' Grüneisen parameter at :math:`k_BT \gg W` with the direct coupling
    :math:`c/\eta_L` (module docstring): :math:`-(c/2\eta_L)\,4\cdot4!\zeta(4)/(6!\zeta(6))\,
    \theta^{-2}`. [1]"""
    th = np.asarray(theta, dtype=float)
    return np.asarray(-(c / (2.0 * eta_L)) * SOFT_VIBRATION_GAMMA / th**2, dtype=float)


def relaxator_density(barrier: ArrayLike, density_scale: float, W_J: float) -> FloatArray:
    r"""Density of relaxators per unit barrier height and unit asymmetry (:math:`\Delta \ge 0`),
    :math:`2S\,(V/W)^{-3/4}/W^2`, for deep weakly asymmetric double wells with the :math:`|\eta|`
    law (module docstring). [J-2 m-3]

    Parameters
    ----------
    barrier
        :math:`V`. [J]
    density_scale
        :math:`S`. [m-3]
    W_J
        :math:`W`. [J]
    """
    v = np.asarray(barrier, dtype=float) / W_J
    return np.asarray(2.0 * density_scale * v**-0.75 / W_J**2, dtype=float)


def activated_heat_capacity_slope(
    theta: ArrayLike, barrier_reached: ArrayLike, density_scale: float
) -> FloatArray:
    r""":math:`\partial C/\partial\ln\tau_\mathrm{expt}` of relaxators whose barriers up to
    :math:`V^*` have relaxed: :math:`(\pi^2/3)Sk_B\theta^2(V^*/W)^{-3/4}` (module docstring).

    Parameters
    ----------
    theta
        :math:`k_BT/W`. [1]
    barrier_reached
        :math:`V^*/W = \theta\ln(\nu\tau_\mathrm{expt})`. [1]
    density_scale
        :math:`S`. [m-3]

    Returns
    -------
    ndarray
        [J m-3 K-1]
    """
    th = np.asarray(theta, dtype=float)
    v = np.asarray(barrier_reached, dtype=float)
    return np.asarray((math.pi**2 / 3.0) * density_scale * K_B * th**2 * v**-0.75, dtype=float)


def activated_gruneisen(barrier_reached: ArrayLike, c: float, eta_L: float) -> FloatArray:
    r""":math:`\partial(K\alpha)/\partial C` of the relaxators that relax at the barrier
    :math:`V^*`: :math:`(3c/4\eta_L)(V^*/W)^{-1/2}` (module docstring). [1]

    Parameters
    ----------
    barrier_reached
        :math:`V^*/W`. [1]
    c
        Strain coupling :math:`c` of the glass. [1]
    eta_L
        :math:`\eta_L`. [1]
    """
    v = np.asarray(barrier_reached, dtype=float)
    return np.asarray(0.75 * (c / eta_L) / np.sqrt(v), dtype=float)
