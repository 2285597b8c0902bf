r"""Conduction electrons of a metallic glass (paper Sec. VII) and their superconducting gap.

Below :math:`T_c` the BCS gap :math:`\Delta_s(T)` opens. It is the root of the BCS gap equation
in the weak-coupling limit,

.. math:: \ln\frac{T_c}{T} = 2\sum_{n\ge0}\Big[\frac{1}{2n+1}
          - \frac{1}{\sqrt{(2n+1)^2 + (\Delta_s/\pi k_BT)^2}}\Big],

(Matsubara form), with :math:`\Delta_s(0) = \pi e^{-\gamma_E} k_BT_c = 1.764\,k_BT_c`.

Conduction electrons relax a TLS of splitting :math:`E` at :math:`p\,B(E/k_B)\coth(E/2k_BT)` in
the normal state. In the superconductor only thermally excited quasiparticles remain; for
:math:`E \ll \Delta_s` the rate is multiplied by :math:`2/(1 + e^{\Delta_s/k_BT})` (Black &
Fulde, Phys. Rev. Lett. 43, 453 (1979)), which is 1 at :math:`T_c` and vanishes exponentially
below.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from dynamics.units import EULER_GAMMA
from dynamics.validation import check_positive, check_range

FloatArray = NDArray[np.float64]

#: :math:`\Delta_s(0)/k_BT_c = \pi e^{-\gamma_E}` in weak-coupling BCS. [1]
BCS_GAP_RATIO: float = math.pi * math.exp(-EULER_GAMMA)


def _gap_equation(reduced_gap: float, reduced_temperature: float, terms: int = 4000) -> float:
    """ln(1/t) - 2 sum[1/(2n+1) - 1/sqrt((2n+1)^2 + y^2)], y = Δ/(π k_B T), t = T/T_c."""
    odd = 2.0 * np.arange(terms) + 1.0
    y = reduced_gap / (math.pi * reduced_temperature)
    partial = float(np.sum(1.0 / odd - 1.0 / np.sqrt(odd**2 + y**2)))
    # Tail of the sum beyond `terms`: sum over large m of y^2/(2 m^3) ≈ y^2/(4 M^2), M = 2*terms.
    tail = y**2 / (4.0 * (2.0 * terms) ** 2)
    return math.log(1.0 / reduced_temperature) - 2.0 * (partial + tail)


@cache
def _reduced_gap(reduced_temperature: float) -> float:
    if reduced_temperature >= 1.0:
        return 0.0
    if reduced_temperature < 1e-3:
        return BCS_GAP_RATIO
    return brentq(_gap_equation, 1e-12, 2.0, args=(reduced_temperature,), xtol=1e-14)


def bcs_gap(temperature: ArrayLike, critical_temperature: float) -> FloatArray:
    r"""Weak-coupling BCS gap :math:`\Delta_s(T)/k_B` from the gap equation (module docstring).

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    critical_temperature
        :math:`T_c > 0`. [K]

    Returns
    -------
    ndarray
        :math:`\Delta_s/k_B`, 0 at and above :math:`T_c`. [K]
    """
    t = check_positive("temperature", temperature, "K")
    tc = float(check_positive("critical_temperature", critical_temperature, "K"))
    reduced = np.vectorize(lambda x: _reduced_gap(round(float(x), 12)))(t / tc)
    return np.asarray(reduced, dtype=float) * tc


def electron_rate_suppression(temperature: ArrayLike, critical_temperature: float) -> FloatArray:
    r"""Factor :math:`2/(1+e^{\Delta_s(T)/k_BT})` on the electron relaxation rate (1 if normal).

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    critical_temperature
        :math:`T_c`; 0 for a normal metal. [K]

    Returns
    -------
    ndarray
        Suppression in (0, 1]. [1]
    """
    t = check_positive("temperature", temperature, "K")
    tc = float(
        check_range("critical_temperature", critical_temperature, 0.0, low_open=False, unit="K")
    )
    if tc == 0.0:
        return np.ones_like(t)
    gap = bcs_gap(t, tc)
    return 2.0 / (1.0 + np.exp(gap / t))
