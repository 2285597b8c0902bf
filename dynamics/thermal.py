r"""Thermal occupation of a two-level system, and the phonon (Debye) background.

The upper level of a TLS of splitting :math:`E` is occupied with probability
:math:`n_{eq} = 1/(e^{E/k_BT} + 1)`; its temperature derivative
:math:`\partial n_{eq}/\partial T = E/(4k_BT^2\cosh^2(E/2k_BT))` is the weight of (1.5).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.units import K_B
from dynamics.validation import check_positive, check_range

FloatArray = NDArray[np.float64]


def equilibrium_occupation(energy: ArrayLike, temperature: ArrayLike) -> FloatArray:
    r"""Thermal occupation of the upper level, :math:`n_{eq} = 1/(e^{E/k_BT}+1)`.

    Parameters
    ----------
    energy
        Level splitting :math:`E`. [J]
    temperature
        Temperature :math:`T`. [K]

    Returns
    -------
    ndarray
        :math:`n_{eq}` in (0, 1/2). [1]
    """
    from scipy.special import expit

    e = check_positive("energy", energy, "J")
    t = check_positive("temperature", temperature, "K")
    with np.errstate(over="ignore"):
        return np.asarray(expit(-(e / K_B) / t), dtype=float)


def reduced_occupation_difference(
    x: ArrayLike, y: ArrayLike, gap: ArrayLike | None = None
) -> FloatArray:
    r""":math:`n(x) - n(y)` for :math:`n(x) = 1/(e^x + 1)`, to rounding for all :math:`x, y \ge 0`.

    Written as

    .. math:: n(x) - n(y) = \frac{e^{-x} - e^{-y}}{(1 + e^{-x})(1 + e^{-y})}
              = \operatorname{sgn}(d)\,\frac{e^{-\min(x, y)}\,\mathrm{expm1}(-|d|)}
                {(1 + e^{-x})(1 + e^{-y})},\qquad d = x - y,

    every factor is a single correctly rounded operation with a bounded argument: the
    exponentials only ever see :math:`-x, -y, -|d| \le 0` (no overflow for any pair, however far
    apart; the result underflows gradually only where it is below the smallest normal number),
    and ``expm1`` keeps the relative accuracy when :math:`x \approx y` (no cancellation). The
    relative error is a few units in the last place of the result, or one subnormal spacing
    (:math:`2^{-1074}`) where the result is subnormal.

    Parameters
    ----------
    x, y
        Reduced energies :math:`E/k_BT` and :math:`E/k_BT_\mathrm{ref}`, >= 0 (``inf`` allowed:
        an empty upper level). [1]
    gap
        :math:`x - y` if it is known more accurately than the difference of the rounded
        ``x`` and ``y`` (as :func:`occupation_difference` knows it); default ``x - y``. [1]

    Returns
    -------
    ndarray
        :math:`n(x) - n(y)`, in (-1/2, 1/2). [1]
    """
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    if gap is None:
        with np.errstate(invalid="ignore"):
            d = np.where(a == b, 0.0, a - b)  # inf - inf: both upper levels empty
    else:
        d = np.asarray(gap, dtype=float)
    ea = np.exp(-a)
    eb = np.exp(-b)
    return np.sign(d) * np.exp(-np.minimum(a, b)) * np.expm1(-np.abs(d)) / ((1.0 + ea) * (1.0 + eb))


def occupation_difference(
    energy: ArrayLike, temperature: ArrayLike, reference: ArrayLike
) -> FloatArray:
    r""":math:`n_{eq}(E, T) - n_{eq}(E, T_\mathrm{ref})`, to rounding for any two temperatures.

    :func:`reduced_occupation_difference` of :math:`x = E/k_BT`, :math:`y = E/k_BT_\mathrm{ref}`,
    with the gap taken from the temperatures,
    :math:`x - y = x\,(T_\mathrm{ref} - T)/T_\mathrm{ref}` within a factor 2, so that a step of
    :math:`\Delta T/T = 10^{-15}` keeps its relative accuracy (the difference of the rounded
    :math:`x` and :math:`y` would lose :math:`\log_{10}(T/\Delta T)` digits). Heating and
    cooling by any factor (:math:`x - y` up to :math:`\pm\infty`) are free of overflow. The
    remaining error is that of rounding :math:`x` itself: a relative
    :math:`\sim \max(x, y)\,\epsilon` from :math:`e^{-x}`, the condition number of the
    occupation, not of the method.

    Parameters
    ----------
    energy
        :math:`E`. [J]
    temperature
        :math:`T`. [K]
    reference
        :math:`T_\mathrm{ref}`. [K]

    Returns
    -------
    ndarray
        The difference of occupations, in (-1/2, 1/2). [1]
    """
    e = check_positive("energy", energy, "J")
    t = check_positive("temperature", temperature, "K")
    tref = check_positive("reference", reference, "K")
    return _occupation_difference(e / K_B, t, tref)


def _occupation_difference(
    energy_kelvin: FloatArray, temperature: FloatArray, reference: FloatArray
) -> FloatArray:
    """:func:`occupation_difference` of :math:`E/k_B` [K], unchecked (the engine's kernel)."""
    with np.errstate(over="ignore", invalid="ignore"):
        x = energy_kelvin / temperature
        y = energy_kelvin / reference
        # Within a factor 2, T_ref - T is exact (Sterbenz) and x (T_ref - T)/T_ref is accurate;
        # farther apart x - y has no cancellation (and x == y == inf: both levels empty).
        t, tref = temperature, reference
        close = (t <= 2.0 * tref) & (tref <= 2.0 * t)
        gap = np.where(x == y, 0.0, np.where(close, x * ((tref - t) / tref), x - y))
    return reduced_occupation_difference(x, y, gap)


class _OccupationShift:
    r""":math:`n_{eq}(E, T) - n_{eq}(E, T_0)` of fixed bins against a fixed reference
    :math:`T_0`, at one temperature after another (the engine's kernel, unchecked).

    The same expression as :func:`reduced_occupation_difference`, with what depends on the bins
    and :math:`T_0` only computed once (:math:`y = E/k_BT_0`, :math:`e^{-y}`), and what a scalar
    :math:`T` makes common to every bin taken out of the arrays: the sign of :math:`x - y` is
    that of :math:`T_0 - T`, and :math:`\min(x, y)` is :math:`x` for every bin if :math:`T > T_0`,
    else :math:`y`. The gap :math:`x - y` is taken as in :func:`occupation_difference`. Two
    transcendental functions per bin and call (:math:`e^{-x}`, ``expm1``) instead of three.

    Parameters
    ----------
    energy_kelvin
        :math:`E/k_B` of the bins, > 0. [K]
    reference
        :math:`T_0` > 0. [K]
    """

    def __init__(self, energy_kelvin: FloatArray, reference: float) -> None:
        self.energy_kelvin = energy_kelvin
        self.reference = reference
        with np.errstate(over="ignore"):
            self.y = energy_kelvin / reference
        self.exp_y = np.exp(-self.y)
        self.one_plus_exp_y = 1.0 + self.exp_y

    def at(self, temperature: float) -> FloatArray:
        """The difference of occupations at ``temperature`` [K] > 0. [1]"""
        t, tref = temperature, self.reference
        if t == tref:
            return np.zeros_like(self.y)
        with np.errstate(over="ignore", invalid="ignore"):
            x = self.energy_kelvin / t
            if t <= 2.0 * tref and tref <= 2.0 * t:
                gap = x * (abs(tref - t) / tref)
            else:
                gap = np.abs(x - self.y)
            exp_x = np.exp(-x)
            smaller = exp_x if t > tref else self.exp_y  # e^{-min(x, y)}
            out = np.expm1(-gap)
            out *= smaller
            out /= (1.0 + exp_x) * self.one_plus_exp_y
        return out if tref > t else np.negative(out, out=out)


def occupation_temperature_derivative(energy: ArrayLike, temperature: ArrayLike) -> FloatArray:
    r""":math:`\partial n_{eq}/\partial T = E/(4k_BT^2\cosh^2(E/2k_BT))`, the weight of (1.5).

    Parameters
    ----------
    energy
        :math:`E`. [J]
    temperature
        :math:`T`. [K]

    Returns
    -------
    ndarray
        :math:`\partial n_{eq}/\partial T`. [K-1]
    """
    e = check_positive("energy", energy, "J")
    t = check_positive("temperature", temperature, "K")
    return _occupation_derivative(e / K_B, t)


def _occupation_derivative(
    energy_kelvin: FloatArray, temperature: FloatArray | float
) -> FloatArray:
    """:func:`occupation_temperature_derivative` of :math:`E/k_B` [K], unchecked (the
    response's kernel). [K-1]"""
    t = temperature
    with np.errstate(over="ignore"):
        x = energy_kelvin / t
    # 1/(4 cosh²(x/2)) = e^{-x}/(1+e^{-x})², safe for large x; x e^{-x} is 0 where x is
    # infinite (T -> 0), and dividing by t only after the product keeps it finite.
    ex = np.exp(-x)
    with np.errstate(invalid="ignore"):
        weight = np.where(np.isinf(x), 0.0, x * ex / ((1.0 + ex) * (1.0 + ex)))
    with np.errstate(over="ignore"):
        return np.asarray(weight / t, dtype=float)


def debye_heat_content(temperature: ArrayLike, debye_coefficient: float) -> FloatArray:
    r"""Phonon energy per volume above :math:`T = 0`: :math:`U_{ph} = \beta T^4/4`.

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    debye_coefficient
        :math:`\beta`. [J m-3 K-4]

    Returns
    -------
    ndarray
        :math:`U_{ph}`. [J m-3]
    """
    beta = float(check_range("debye_coefficient", debye_coefficient, 0.0, low_open=False))
    return beta * check_positive("temperature", temperature, "K") ** 4 / 4.0


def debye_temperature_after_deposit(
    temperature: float, heat: float, debye_coefficient: float
) -> float:
    r"""Temperature of the phonons alone after ``heat`` is deposited at ``temperature``: the
    inverse of :func:`debye_heat_content`, :math:`T' = (T^4 + 4Q/\beta)^{1/4}`.

    Parameters
    ----------
    temperature
        :math:`T` before the deposit. [K]
    heat
        :math:`Q`, heat deposited per volume (negative for heat removed, down to
        :math:`-\beta T^4/4`). [J m-3]
    debye_coefficient
        :math:`\beta > 0`. [J m-3 K-4]

    Returns
    -------
    float
        :math:`T'`. [K]
    """
    beta = float(check_positive("debye_coefficient", debye_coefficient, "J m-3 K-4"))
    t = float(check_positive("temperature", temperature, "K"))
    q = float(check_range("heat", heat, -beta * t**4 / 4.0, unit="J m-3"))
    return float((t**4 + 4.0 * q / beta) ** 0.25)


def debye_coefficient_from_temperature(debye_temperature: float, atom_density: float) -> float:
    r""":math:`\beta = (12\pi^4/5)\,n k_B/\Theta_D^3`, the Debye :math:`T^3` law's coefficient.

    Parameters
    ----------
    debye_temperature
        :math:`\Theta_D`. [K]
    atom_density
        Number of atoms per volume :math:`n`. [m-3]

    Returns
    -------
    float
        :math:`\beta`. [J m-3 K-4]
    """
    theta = float(check_positive("debye_temperature", debye_temperature, "K"))
    n = float(check_positive("atom_density", atom_density, "m-3"))
    return 12.0 * np.pi**4 / 5.0 * n * K_B / theta**3


def debye_coefficient_from_sound(v_l: float, v_t: float) -> float:
    r"""Debye :math:`T^3` coefficient from the sound velocities (elastic Debye model):
    :math:`\beta = (2\pi^2/5)\,k_B^4/(\hbar^3 v_D^3)` with :math:`3/v_D^3 = 1/v_l^3 + 2/v_t^3`.

    Parameters
    ----------
    v_l, v_t
        Longitudinal and transverse sound velocities. [m s-1]

    Returns
    -------
    float
        :math:`\beta` in :math:`C_{ph} = \beta T^3`. [J m-3 K-4]
    """
    from dynamics.units import HBAR

    vl = float(check_positive("v_l", v_l, "m s-1"))
    vt = float(check_positive("v_t", v_t, "m s-1"))
    inv_vd3 = (1.0 / vl**3 + 2.0 / vt**3) / 3.0
    return 2.0 * np.pi**2 / 5.0 * K_B**4 * inv_vd3 / HBAR**3
