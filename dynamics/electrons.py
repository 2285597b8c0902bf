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

from dynamics.units import EULER_GAMMA, K_B
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


def electron_heat_capacity(
    temperature: ArrayLike, *, electron_dos: float, critical_temperature: float = 0.0
) -> FloatArray:
    r"""Electronic heat capacity per volume: :math:`(\pi^2/3)\nu k_B^2T` in the normal state, BCS
    below :math:`T_c`:

    .. math:: C_{es} = \frac{\nu}{k_BT^2}\int_0^\infty 2\,d\xi\, f(1-f)\Big[E^2 -
              \frac{T}{2}\frac{d\Delta_s^2}{dT}\Big], \quad E = \sqrt{\xi^2 + \Delta_s^2}.

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    electron_dos
        :math:`\nu(\mu)`, both spins. [J-1 m-3]
    critical_temperature
        :math:`T_c` (0: normal). [K]

    Returns
    -------
    ndarray
        :math:`C_e`. [J m-3 K-1]
    """
    from scipy.integrate import quad

    t = check_positive("temperature", temperature, "K")
    nu = float(check_range("electron_dos", electron_dos, 0.0, low_open=False, unit="J-1 m-3"))
    tc = float(
        check_range("critical_temperature", critical_temperature, 0.0, low_open=False, unit="K")
    )
    normal = np.pi**2 / 3.0 * nu * K_B**2 * t
    if tc == 0.0:
        return normal
    out = normal.copy().ravel()
    for i, temp in enumerate(t.ravel()):
        if temp >= tc:
            continue
        gap = float(bcs_gap(temp, tc)) * K_B  # [J]
        h = 1e-4 * temp
        d_gap2 = (
            (float(bcs_gap(temp + h, tc)) ** 2 - float(bcs_gap(temp - h, tc)) ** 2)
            * K_B**2
            / (2 * h)
        )
        kt = K_B * temp

        def integrand(
            xi: float, gap: float = gap, kt: float = kt, temp: float = temp, d_gap2: float = d_gap2
        ) -> float:
            e = math.hypot(xi, gap)
            x = e / kt
            f1f = math.exp(-x) / (1.0 + math.exp(-x)) ** 2 if x < 700 else 0.0
            return 2.0 * f1f * (e * e - 0.5 * temp * d_gap2)

        val = quad(integrand, 0.0, 60.0 * kt + 2 * gap, limit=200, epsrel=1e-10)[0]
        out[i] = nu / (K_B * temp**2) * val
    return out.reshape(t.shape)


def electron_energy(
    temperature: ArrayLike, *, electron_dos: float, critical_temperature: float = 0.0
) -> FloatArray:
    r"""Electronic energy per volume above :math:`T = 0`, :math:`\int_0^T C_e\,dT'`. [J m-3]

    Normal: :math:`(\pi^2/6)\nu k_B^2T^2`; below :math:`T_c` the BCS heat capacity is integrated
    (the transition is second order: no latent heat).
    """
    from scipy.integrate import quad

    t = check_positive("temperature", temperature, "K")
    nu = float(check_range("electron_dos", electron_dos, 0.0, low_open=False, unit="J-1 m-3"))
    tc = float(
        check_range("critical_temperature", critical_temperature, 0.0, low_open=False, unit="K")
    )
    normal = np.pi**2 / 6.0 * nu * K_B**2 * t**2
    if tc == 0.0:
        return normal
    out = normal.copy().ravel()

    def c_es(x: float) -> float:
        return float(electron_heat_capacity(x, electron_dos=nu, critical_temperature=tc))

    u_tc = np.pi**2 / 6.0 * nu * K_B**2 * tc**2
    for i, temp in enumerate(t.ravel()):
        if temp < tc:
            out[i] = u_tc - quad(c_es, temp, tc, limit=200, epsrel=1e-9)[0]
    return out.reshape(t.shape)


def electron_strain(
    temperature: ArrayLike,
    reference_temperature: float,
    *,
    electron_dos: float,
    deformation_slope: float,
    bulk_modulus: float,
    critical_temperature: float = 0.0,
) -> FloatArray:
    r"""Volume strain of the conduction electrons relative to ``reference_temperature``.

    :math:`\alpha_e = -\Lambda' C_e/K` (in the normal state this is (7.3)), so
    :math:`\varepsilon_e = -(\Lambda'/K)[U_e(T) - U_e(T_0)]`. Electrons follow the temperature at
    once. Below :math:`T_c` the BCS :math:`C_{es}` makes :math:`\alpha_e` fall exponentially,
    as the paper proposes; the volume dependence of :math:`T_c` (which adds a jump of
    :math:`\alpha` at :math:`T_c` by Ehrenfest's relation) is not included.

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    reference_temperature
        :math:`T_0`. [K]
    electron_dos
        :math:`\nu(\mu)`. [J-1 m-3]
    deformation_slope
        :math:`\Lambda'` (7.2). [1]
    bulk_modulus
        :math:`K`. [Pa]
    critical_temperature
        :math:`T_c` (0: normal). [K]

    Returns
    -------
    ndarray
        :math:`\varepsilon_e`. [1]
    """
    lam = float(check_range("deformation_slope", deformation_slope, unit="1"))
    k = float(check_positive("bulk_modulus", bulk_modulus, "Pa"))
    u = electron_energy(
        temperature, electron_dos=electron_dos, critical_temperature=critical_temperature
    )
    u0 = electron_energy(
        reference_temperature, electron_dos=electron_dos, critical_temperature=critical_temperature
    )
    return -lam / k * (u - u0)
