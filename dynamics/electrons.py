r"""Conduction electrons of a metallic glass (paper Sec. VII) and their superconducting gap.

Below :math:`T_c` the BCS gap :math:`\Delta_s(T)` opens. It is the root of the BCS gap equation
in the weak-coupling limit,

.. math:: \ln\frac{\Delta_s(0)}{\Delta_s} = 2\int_0^\infty \frac{d\xi}{E}\,
          \frac{1}{e^{E/k_BT} + 1}, \qquad E = \sqrt{\xi^2 + \Delta_s^2},

with :math:`\Delta_s(0) = \pi e^{-\gamma_E} k_BT_c = 1.764\,k_BT_c`. :math:`\Delta_s/k_BT_c`
is a universal function of :math:`T/T_c`: it is solved once on 400 points and interpolated by a
cubic spline in :math:`u = (1 - T/T_c)^{1/2}` (in which it is smooth; error < 1e-9).

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

from dynamics.units import EULER_GAMMA, K_B
from dynamics.validation import check_positive, check_range

FloatArray = NDArray[np.float64]

#: :math:`\Delta_s(0)/k_BT_c = \pi e^{-\gamma_E}` in weak-coupling BCS. [1]
BCS_GAP_RATIO: float = math.pi * math.exp(-EULER_GAMMA)


def _gap_equation(reduced_gap: float, reduced_temperature: float) -> float:
    """ln(Delta_0/Delta) - 2 int_0^inf f(E)/E dxi, E = (xi^2 + Delta^2)^1/2, in units of k_B T_c.

    The standard finite-temperature form of the weak-coupling gap equation; with Delta_0 =
    pi e^{-gamma} k_B T_c it holds at every T < T_c and its integrand decays like e^{-E/k_BT}.
    """
    from scipy.integrate import quad

    t = reduced_temperature

    def integrand(xi: float) -> float:
        e = math.hypot(xi, reduced_gap)
        x = e / t
        return 0.0 if x > 700 else 1.0 / (math.exp(x) + 1.0) / e

    upper = reduced_gap + 50.0 * t
    integral = quad(
        integrand, 0.0, upper, limit=200, epsabs=0.0, epsrel=1e-12, points=[reduced_gap]
    )[0]
    return math.log(BCS_GAP_RATIO / reduced_gap) - 2.0 * integral


def _solve_reduced_gap(reduced_temperature: float) -> float:
    if reduced_temperature >= 1.0:
        return 0.0
    if BCS_GAP_RATIO / reduced_temperature > 600:  # f(E) < e^-600: the T = 0 gap to rounding
        return BCS_GAP_RATIO
    from scipy.optimize import brentq  # the gap spline is built once per process

    return brentq(
        _gap_equation, 1e-12, BCS_GAP_RATIO, args=(reduced_temperature,), xtol=1e-15, rtol=1e-14
    )


@cache
def _gap_spline():
    """Cubic spline of Delta_s/(k_B T_c) against u = (1 - T/T_c)^1/2 on [0, 1]."""
    from scipy.interpolate import CubicSpline

    u = np.linspace(0.0, 1.0, 400)
    values = [0.0] + [_solve_reduced_gap(1.0 - x * x) for x in u[1:-1]] + [BCS_GAP_RATIO]
    return CubicSpline(u, np.array(values))


def _reduced_gap_and_slope(reduced_temperature: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Delta_s/(k_B T_c) and its derivative with respect to T/T_c (0 above T_c)."""
    t = np.asarray(reduced_temperature, dtype=float)
    below = t < 1.0
    u = np.sqrt(np.clip(1.0 - t, 0.0, 1.0))
    spline = _gap_spline()
    gap = np.where(below, spline(u), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(below & (u > 0), -spline(u, 1) / (2.0 * np.where(u > 0, u, 1.0)), 0.0)
    return gap, slope


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
    return _reduced_gap_and_slope(t / tc)[0] * tc


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
    from scipy.special import expit  # superconducting metals only: imported here

    return np.asarray(2.0 * expit(-(gap / t)), dtype=float)  # 2/(1+e^x), no overflow


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
        h = min(1e-4 * temp, 0.5 * (tc - temp))  # a central difference that stays below T_c
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


def electron_heat_content(
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
    u = electron_heat_content(
        temperature, electron_dos=electron_dos, critical_temperature=critical_temperature
    )
    u0 = electron_heat_content(
        reference_temperature, electron_dos=electron_dos, critical_temperature=critical_temperature
    )
    return -lam / k * (u - u0)


def electron_expansion_coefficient(
    temperature: ArrayLike,
    *,
    electron_dos: float,
    deformation_slope: float,
    bulk_modulus: float,
    critical_temperature: float = 0.0,
) -> FloatArray:
    r"""Expansion coefficient of the conduction electrons, :math:`\alpha_e = -\Lambda' C_e/K`.

    In the normal state this is (7.3), and (7.4) for free electrons (:math:`\Lambda' = -2/3`);
    below :math:`T_c` the BCS heat capacity makes it fall exponentially (the volume dependence of
    :math:`T_c` is not included).

    Parameters
    ----------
    temperature
        :math:`T`. [K]
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
        :math:`\alpha_e`. [K-1]
    """
    lam = float(check_range("deformation_slope", deformation_slope, unit="1"))
    k = float(check_positive("bulk_modulus", bulk_modulus, "Pa"))
    c_e = electron_heat_capacity(
        temperature, electron_dos=electron_dos, critical_temperature=critical_temperature
    )
    return -lam * c_e / k


def electron_heat_content_function(
    temperature_low: float,
    temperature_high: float,
    *,
    electron_dos: float,
    critical_temperature: float = 0.0,
):
    r"""A fast :math:`U_e(T)` [J m-3] for repeated calls between two temperatures [K]: closed
    form in the normal state, a dense table (cubic-spline interpolation, relative error < 1e-9)
    of the BCS energy below :math:`T_c`."""
    from scipy.interpolate import CubicSpline

    nu = float(check_range("electron_dos", electron_dos, 0.0, low_open=False, unit="J-1 m-3"))
    tc = float(
        check_range("critical_temperature", critical_temperature, 0.0, low_open=False, unit="K")
    )
    lo = float(check_positive("temperature_low", temperature_low, "K"))
    hi = float(check_positive("temperature_high", temperature_high, "K"))
    normal = np.pi**2 / 6.0 * nu * K_B**2
    if tc == 0.0 or lo >= tc:
        return lambda t: normal * t * t
    grid = np.linspace(0.5 * lo, min(max(hi, lo), tc), 400)
    table = electron_heat_content(grid, electron_dos=nu, critical_temperature=tc)
    spline = CubicSpline(grid, table)

    def energy(t: float) -> float:
        return float(spline(t)) if t < tc else normal * t * t

    return energy
