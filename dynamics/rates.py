r"""Relaxation rates of TLS occupations (rates ∝ p from τ_min(E), docs/physics.md §5).

One-phonon relaxation of a TLS of splitting :math:`E` and tunnelling fraction
:math:`p = (\Delta_0/E)^2`:

.. math:: \tau^{-1} = p\,\tau_m^{-1}(E, T), \qquad
          \tau_m^{-1}(E, T) = A\,(E/k_B)^3\coth(E/2k_BT),

with :math:`A = (\gamma_l^2/v_l^5 + 2\gamma_t^2/v_t^5)\,k_B^3/(2\pi\rho\hbar^4)`.

**Convention.** :math:`\tau_\mathrm{min}(T)` means :math:`\tau_m(E = k_BT, T) =
1/(A T^3\coth\tfrac12)`, the fastest relaxation time of a thermal TLS (:math:`p = 1`, :math:`E =
k_BT`). Every dataset states it.

Type-2 TLS couple to phonons :math:`(\gamma_2/\gamma_1)^2 = (3L/\chi)^2` times more strongly
(4.10); the glass's ``type2_rate_ratio`` chooses either a fixed ratio or this one ("kki").

Conduction electrons in a metallic glass relax TLS at the Korringa-like rate
:math:`p\,B\,(E/k_B)\coth(E/2k_BT)` in the normal state (docs/physics.md §8).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.soft_potential import log_tunnel_ratio
from dynamics.units import HBAR, K_B
from dynamics.validation import ParameterError, check_finite, check_p, check_positive, check_range

FloatArray = NDArray[np.float64]

COTH_HALF: float = 1.0 / np.tanh(0.5)


def one_phonon_constant(
    gamma_l: float, gamma_t: float, density: float, v_l: float, v_t: float
) -> float:
    r"""One-phonon constant :math:`A = (\gamma_l^2/v_l^5 +
    2\gamma_t^2/v_t^5)k_B^3/(2\pi\rho\hbar^4)`.

    Parameters
    ----------
    gamma_l, gamma_t
        Longitudinal and transverse deformation potentials :math:`\gamma`. [J]
    density
        Mass density :math:`\rho`. [kg m-3]
    v_l, v_t
        Longitudinal and transverse sound velocities. [m s-1]

    Returns
    -------
    float
        :math:`A`. [s-1 K-3]
    """
    gl = float(check_positive("gamma_l", gamma_l, "J"))
    gt = float(check_positive("gamma_t", gamma_t, "J"))
    rho = float(check_positive("density", density, "kg m-3"))
    vl = float(check_positive("v_l", v_l, "m s-1"))
    vt = float(check_positive("v_t", v_t, "m s-1"))
    return (gl**2 / vl**5 + 2.0 * gt**2 / vt**5) * K_B**3 / (2.0 * np.pi * rho * HBAR**4)


def coth_half_ratio(energy: ArrayLike, temperature: ArrayLike) -> FloatArray:
    r""":math:`\coth(E/2k_BT)`, the detailed-balance factor of one-phonon and electron rates.

    Parameters
    ----------
    energy
        :math:`E`. [J]
    temperature
        :math:`T`. [K]

    Returns
    -------
    ndarray
        :math:`\coth(E/2k_BT) \ge 1`. [1]
    """
    e = check_positive("energy", energy, "J")
    t = check_positive("temperature", temperature, "K")
    return 1.0 / np.tanh(e / (2.0 * K_B * t))


def maximal_relaxation_rate(energy: ArrayLike, temperature: ArrayLike, A: ArrayLike) -> FloatArray:
    r""":math:`\tau_m^{-1}(E, T) = A(E/k_B)^3\coth(E/2k_BT)`: the rate of a symmetric TLS
    (:math:`p=1`).

    Parameters
    ----------
    energy
        :math:`E`. [J]
    temperature
        :math:`T`. [K]
    A
        One-phonon constant (scalar, or one per TLS). [s-1 K-3]

    Returns
    -------
    ndarray
        :math:`\tau_m^{-1}`. [s-1]
    """
    a = check_positive("A", A, "s-1 K-3")
    e = check_positive("energy", energy, "J")
    return a * (e / K_B) ** 3 * coth_half_ratio(energy, temperature)


def relaxation_rate(
    energy: ArrayLike, p: ArrayLike, temperature: ArrayLike, A: ArrayLike
) -> FloatArray:
    r"""One-phonon relaxation rate :math:`\tau^{-1} = pA(E/k_B)^3\coth(E/2k_BT)`.

    Parameters
    ----------
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2` in (0, 1]. [1]
    temperature
        :math:`T`. [K]
    A
        One-phonon constant. [s-1 K-3]

    Returns
    -------
    ndarray
        :math:`\tau^{-1}`. [s-1]
    """
    return check_p(p) * maximal_relaxation_rate(energy, temperature, A)


def tau_min(temperature: ArrayLike, A: float) -> FloatArray:
    r""":math:`\tau_\mathrm{min}(T) = \tau_m(E=k_BT, T) = 1/(AT^3\coth\tfrac12)` (the convention).

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    A
        One-phonon constant. [s-1 K-3]

    Returns
    -------
    ndarray
        :math:`\tau_\mathrm{min}`. [s]
    """
    t = check_positive("temperature", temperature, "K")
    a = float(check_positive("A", A, "s-1 K-3"))
    return 1.0 / (a * t**3 * COTH_HALF)


def type2_rate_constant(
    A: float, ratio: float | str, energy: ArrayLike, p: ArrayLike, *, W_J: float, chi: float
) -> FloatArray:
    r"""One-phonon constant of type-2 TLS.

    ``ratio`` a number: :math:`A_2 = \mathrm{ratio}\cdot A`. ``ratio = "kki"``:
    :math:`A_2 = A\,(\gamma_2/\gamma_1)^2 = A\,(3L/\chi)^2` per TLS, (4.10).

    Parameters
    ----------
    A
        Type-1 constant. [s-1 K-3]
    ratio
        Positive number, or ``"kki"``. [1]
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2`. [1]
    W_J
        Energy scale. [J]
    chi
        Zero-point force constant, nonzero for ``"kki"``. [1]

    Returns
    -------
    ndarray
        :math:`A_2`, broadcast to the shape of ``energy`` and ``p``. [s-1 K-3]
    """
    a = float(check_positive("A", A, "s-1 K-3"))
    shape = np.broadcast_shapes(np.shape(energy), np.shape(p))
    if isinstance(ratio, str):
        if ratio != "kki":
            raise ParameterError(
                f"type2_rate_ratio = {ratio!r} is not allowed; use a number > 0 or 'kki'"
            )
        chi_v = float(check_finite("chi", chi))
        if chi_v == 0:
            raise ParameterError(
                "chi = 0 is not allowed with type2_rate_ratio='kki' (needs chi != 0)"
            )
        L = log_tunnel_ratio(energy, p, W_J)
        return np.broadcast_to(a * (3.0 * L / chi_v) ** 2, shape).astype(float)
    r = float(check_positive("type2_rate_ratio", ratio))
    return np.full(shape, a * r)


def electron_relaxation_rate(
    energy: ArrayLike, p: ArrayLike, temperature: ArrayLike, B: ArrayLike
) -> FloatArray:
    r"""Normal-state conduction-electron relaxation rate :math:`p\,B\,(E/k_B)\coth(E/2k_BT)`.

    Parameters
    ----------
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2`. [1]
    temperature
        :math:`T`. [K]
    B
        Electron relaxation constant (scalar, or one per TLS), >= 0. [s-1 K-1]

    Returns
    -------
    ndarray
        Rate. [s-1]
    """
    b = check_range("B", B, 0.0, low_open=False, unit="s-1 K-1")
    return (
        check_p(p)
        * b
        * np.asarray(energy, dtype=float)
        / K_B
        * coth_half_ratio(energy, temperature)
    )
