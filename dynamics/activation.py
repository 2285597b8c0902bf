r"""Thermally activated relaxation of a double well over its barrier (docs/physics.md §11).

A double well relaxes not only by one-phonon tunnelling of its lowest doublet
(:mod:`dynamics.rates`) but also by thermal activation over the barrier. The rate is taken from
the exact potential :math:`V = W(\tilde\eta\tilde x^2 + \tilde t\tilde x^3 + \tilde x^4)`
(:mod:`dynamics.exact.levels_landscape`), as classical transition-state theory with the attempt
frequency of each well (Arrhenius; Kramers' high-friction corrections are left out):

.. math:: k_\mathrm{act}(T) = \sum_{i = \mathrm{left},\,\mathrm{right}}
          \frac{\omega_i}{2\pi}\,\exp\!\Big(-\frac{V_i}{k_BT}\Big), \qquad
          \hbar\omega_i = W\,(2V''_i)^{1/2},\quad
          V_i = V_b - V_{\mathrm{min},i} - \tfrac12\hbar\omega_i ,

the barrier measured from each well's zero-point level (:math:`V_i \ge 0`; a well whose
zero-point level is above the barrier top relaxes at its attempt frequency). The occupation of
the doublet relaxes at :math:`k = k_\mathrm{tunnel} + k_\mathrm{act}` towards its equilibrium
:math:`n_\mathrm{eq}(E, T)`, which keeps detailed balance whatever the rates.

The other option the issue names, thermally assisted tunnelling through the excited doublets, is
not built: it needs the tunnel splittings of every excited doublet of every potential, which the
multi-level tables do not resolve (docs/levels.md); docs/physics.md §11 says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dynamics.exact.levels_landscape import landscape_of
from dynamics.units import HBAR

FloatArray = NDArray[np.float64]

#: Activation models of a glass (``Glass.activation``): none (the paper's model) or Arrhenius.
ACTIVATIONS = ("none", "arrhenius")


@dataclass(frozen=True)
class ActivationConstants:
    """Per double well: attempt frequencies and barriers of its two wells (reduced units).

    Attributes
    ----------
    attempt_left, attempt_right
        :math:`\\hbar\\omega_i/(2\\pi W)`; times :math:`W/\\hbar` it is the attempt rate. [1]
    barrier_left, barrier_right
        :math:`V_i/W`, from the well's zero-point level to the barrier top, >= 0. [1]
    """

    attempt_left: FloatArray
    attempt_right: FloatArray
    barrier_left: FloatArray
    barrier_right: FloatArray


def activation_constants(eta: FloatArray, t: FloatArray) -> ActivationConstants:
    r"""The wells of double wells :math:`(\tilde\eta, \tilde t)` (module docstring); single wells
    get attempt frequency 0 (they have no barrier to cross).

    Parameters
    ----------
    eta, t
        Potentials of eq. (2.6), finite float arrays of one shape. [1]

    Returns
    -------
    ActivationConstants
    """
    land = landscape_of(np.asarray(eta, dtype=float), np.asarray(t, dtype=float))
    dw = land.double_well
    out = {}
    for side, x_min in (("left", land.left_min), ("right", land.right_min)):
        xm = np.where(dw, x_min, 0.0)
        curv = np.where(dw, 2.0 * eta + xm * (6.0 * t + 12.0 * xm), 0.0)
        spacing = np.sqrt(2.0 * np.maximum(curv, 0.0))
        v_min = xm * xm * (eta + xm * (t + xm))
        barrier = np.where(dw, land.v_barrier - v_min - 0.5 * spacing, 0.0)
        out[f"attempt_{side}"] = np.where(dw, spacing / (2.0 * math.pi), 0.0)
        out[f"barrier_{side}"] = np.maximum(barrier, 0.0)
    return ActivationConstants(**out)


def activated_rate(constants: ActivationConstants, theta: FloatArray, W_J: float) -> FloatArray:
    r""":math:`k_\mathrm{act}` of every double well at :math:`\theta = k_BT/W` (module
    docstring), broadcast over the constants' shape and ``theta``.

    Parameters
    ----------
    constants
        From :func:`activation_constants`.
    theta
        :math:`k_BT/W`, > 0. [1]
    W_J
        :math:`W`. [J]

    Returns
    -------
    ndarray
        Rate. [s-1]
    """
    th = np.asarray(theta, dtype=float)
    scale = W_J / HBAR
    left = constants.attempt_left * np.exp(-constants.barrier_left / th)
    right = constants.attempt_right * np.exp(-constants.barrier_right / th)
    return np.asarray(scale * (left + right), dtype=float)
