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

#: Deepest :math:`s = -\ln p_a` the activated floor of exact bins reaches: the end of the
#: spectral tables' grids (:mod:`dynamics.exact.tables`, ``s_edges`` up to 400, a barrier of
#: ~10^3 W; checked by tests/test_tables.py). Deeper nodes would be solved directly (~15 s of CPU
#: per temperature); the wells below enter only :math:`C(\infty)`, through the frozen tail
#: (docs/physics.md §11.4). At 100, the end of the earlier tables, the relaxators' C was 1 % low
#: at 10 K and 2-12 % low at 20 K for W = 3.5 K. [1]
EXACT_ACTIVATED_S_MAX = 400.0

#: Bisection steps of :func:`activated_p_floor` in s over [0, 400]: to ~4e-4. [1]
BISECTIONS = 20


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


def bin_activation(eta: FloatArray, t: FloatArray, W_J: float) -> tuple[FloatArray, FloatArray]:
    r"""The activation parts of bins (:attr:`dynamics.quadrature.Ensemble.attempt_rate` and
    ``barrier``) from their potentials: :math:`\nu_i = (\hbar\omega_i/2\pi W)\,W/\hbar` and
    :math:`V_i = (V_i/W)\,W` of both wells (:func:`activation_constants`), so that the engine's
    :math:`\sum_i\nu_i e^{-V_i/k_BT}` is :func:`activated_rate`.

    Parameters
    ----------
    eta, t
        Potentials of eq. (2.6), finite float arrays of one shape. [1]
    W_J
        :math:`W`. [J]

    Returns
    -------
    (attempt_rate, barrier)
        Each of shape ``(2, *eta.shape)``, left well first: [s-1] and [J].
    """
    c = activation_constants(eta, t)
    attempt = np.stack([c.attempt_left, c.attempt_right]) * (W_J / HBAR)
    barrier = np.stack([c.barrier_left, c.barrier_right]) * W_J
    return np.asarray(attempt, dtype=float), np.asarray(barrier, dtype=float)


def activated_p_floor(
    energy_ratio: FloatArray,
    theta_high: float,
    t_end: float,
    W_J: float,
    cutoff: float,
    *,
    s_top: float = 400.0,
) -> FloatArray:
    r"""The smallest :math:`p_a` of type-1 double wells that activation still relaxes: where
    :math:`k_\mathrm{act}\,t_\mathrm{end}` at the highest temperature falls to ``cutoff`` (the
    analogue of the tunnelling floor of :func:`dynamics.quadrature.p_floor`). Deeper wells (smaller
    :math:`p_a`, larger :math:`L_a` and barrier) relax more slowly, so the floor is found by
    bisection in :math:`s = -\ln p_a` along the asymptotic map (2.8), (2.9) at each energy.

    Parameters
    ----------
    energy_ratio
        :math:`E_a/W` of the energy nodes. [1]
    theta_high
        :math:`k_BT_\mathrm{high}/W`. [1]
    t_end
        Last time of the run. [s]
    W_J
        :math:`W`. [J]
    cutoff
        :math:`\epsilon` of the floor (``Resolution.relaxation_cutoff``). [1]
    s_top
        Largest :math:`s` searched (:math:`p_a = e^{-400}`, a barrier of ~10^3 W). [1]

    Returns
    -------
    ndarray
        :math:`p_a` floor per energy, in :math:`[e^{-s_\mathrm{top}}, 1]`. [1]
    """
    e = np.asarray(energy_ratio, dtype=float)
    # lower end: the shallowest double well the bins hold at this energy (L_a = 1, or p_a = 1)
    lo = np.maximum(0.0, 2.0 * (np.log(e) + 1.0)) + 1e-9
    hi = np.full(e.shape, s_top)

    def relaxed(s: FloatArray) -> NDArray[np.bool_]:
        eta, t = _type1_map(e, s)
        k = activated_rate(activation_constants(eta, t), np.asarray(theta_high), W_J)
        return np.asarray(k * t_end >= cutoff)

    # the bracket shrinks to 400 * 2^-20 ~ 4e-4 in s (p_a to 0.04 %): the floor is a bound on
    # the bins' range, returned at its deep end; finer would only cost (20 of the 48 iterations
    # of an earlier version, which bisected to 1e-12 for no change a result shows)
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        fast = relaxed(mid)
        lo = np.where(fast, mid, lo)
        hi = np.where(fast, hi, mid)
    return np.asarray(np.exp(-hi), dtype=float)


def _type1_map(energy_ratio: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    r"""(2.8), (2.9) inverted in reduced units: :math:`|\tilde\eta| = (3L/\sqrt2)^{2/3}` with
    :math:`L = -\ln(E_a/W) + s/2`, :math:`\tilde t = \sqrt2\,\Delta_a/|\tilde\eta|^{3/2}`
    (:func:`dynamics.soft_potential.type1_parameters` without its checks, for the bisection)."""
    L = np.maximum(-np.log(energy_ratio) + 0.5 * s, 1e-12)
    a = (3.0 * L / math.sqrt(2.0)) ** (2.0 / 3.0)
    delta = energy_ratio * np.sqrt(-np.expm1(-s))
    return -a, math.sqrt(2.0) * delta / a**1.5
