r"""Thermal occupation of a two-level system, and the phonon (Debye) background.

The upper level of a TLS of splitting :math:`E` is occupied with probability
:math:`n_{eq} = 1/(e^{E/k_BT} + 1)`; its temperature derivative
:math:`\partial n_{eq}/\partial T = E/(4k_BT^2\cosh^2(E/2k_BT))` is the weight of (1.5).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

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
    e = check_positive("energy", energy, "J")
    t = check_positive("temperature", temperature, "K")
    return expit(-e / (K_B * t))


def occupation_difference(
    energy: ArrayLike, temperature: ArrayLike, reference: ArrayLike
) -> FloatArray:
    r""":math:`n_{eq}(E, T) - n_{eq}(E, T_\mathrm{ref})` without cancellation.

    With :math:`a = E/k_BT`, :math:`b = E/k_BT_\mathrm{ref}`:
    :math:`-e^{-a}\,\mathrm{expm1}(a-b)/[(1+e^{-a})(1+e^{-b})]`, exact, accurate to rounding for
    any :math:`T - T_\mathrm{ref}` and free of overflow.

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
        The difference of occupations. [1]
    """
    e = check_positive("energy", energy, "J")
    a = e / (K_B * check_positive("temperature", temperature, "K"))
    b = e / (K_B * check_positive("reference", reference, "K"))
    ea = np.exp(-a)
    return -ea * np.expm1(a - b) / ((1.0 + ea) * (1.0 + np.exp(-b)))


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
    x = e / (K_B * t)
    # 1/(4 cosh²(x/2)) = e^{-x}/(1+e^{-x})², safe for large x.
    ex = np.exp(-x)
    return x / t * ex / (1.0 + ex) ** 2


def debye_heat_capacity(temperature: ArrayLike, debye_coefficient: float) -> FloatArray:
    r"""Phonon heat capacity per volume at :math:`T \ll \Theta_D`: :math:`C_{ph} = \beta T^3`.

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    debye_coefficient
        :math:`\beta = (12\pi^4/5) n k_B/\Theta_D^3` for :math:`n` atoms per volume. [J m-3 K-4]

    Returns
    -------
    ndarray
        :math:`C_{ph}`. [J m-3 K-1]
    """
    beta = float(check_range("debye_coefficient", debye_coefficient, 0.0, low_open=False))
    return beta * check_positive("temperature", temperature, "K") ** 3


def debye_energy(temperature: ArrayLike, debye_coefficient: float) -> FloatArray:
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
