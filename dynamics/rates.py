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

import dataclasses
from dataclasses import dataclass
from functools import cached_property

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
    return 1.0 / np.tanh(0.5 * (e / K_B) / t)


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
    ek = check_positive("energy", energy, "J") / K_B
    t = check_positive("temperature", temperature, "K")
    return _tunnelling_rate(a * (ek * ek * ek), None, 1.0, 0.5 * ek, t)


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


def _type2_kki_constant(A: float, L: FloatArray, chi: float) -> FloatArray:
    r"""The "kki" type-2 one-phonon constant :math:`A(3L/\chi)^2` (4.10), unchecked. [s-1 K-3]"""
    x = (3.0 / chi) * L
    return np.asarray(A * (x * x), dtype=float)


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
    pp = check_p(p)
    ek = check_positive("energy", energy, "J") / K_B
    t = check_positive("temperature", temperature, "K")
    return _tunnelling_rate(0.0 * ek, pp * b * ek, 1.0, 0.5 * ek, t)


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
        return np.broadcast_to(_type2_kki_constant(a, L, chi_v), shape).astype(float)
    r = float(check_positive("type2_rate_ratio", ratio))
    return np.full(shape, a * r)


# ---------------------------------------------------------------------------------------------
# the rate of a bin: one formula, constants per bin computed once


def _tunnelling_rate(
    phonon: FloatArray,
    electron: FloatArray | None,
    suppression: FloatArray | float,
    half_energy: FloatArray,
    temperature: FloatArray | float,
) -> FloatArray:
    r"""THE tunnelling rate, :math:`p[A(E/k_B)^3 + s(T)B(E/k_B)]\coth(E/2k_BT)`, from its
    per-bin constants (unchecked: the callers validated them).

    Parameters
    ----------
    phonon
        :math:`pA(E/k_B)^3`. [s-1]
    electron
        :math:`pB(E/k_B)`, or None for no electrons. [s-1]
    suppression
        :math:`s(T)` of the electron rate (1 in the normal state). [1]
    half_energy
        :math:`E/2k_B`. [K]
    temperature
        :math:`T`. [K]
    """
    bracket = phonon if electron is None else phonon + suppression * electron
    return np.asarray(bracket / np.tanh(half_energy / temperature), dtype=float)


def _activated_rate(
    attempt_rate: FloatArray, barrier: FloatArray, temperature: float
) -> FloatArray:
    r""":math:`\sum_i \nu_i e^{-V_i/k_BT}` over the two wells (first axis), unchecked.

    Parameters
    ----------
    attempt_rate
        :math:`\nu_i`, shape (2, n). [s-1]
    barrier
        :math:`V_i/k_B`, shape (2, n). [K]
    temperature
        :math:`T`. [K]
    """
    term = attempt_rate * np.exp(-barrier / temperature)
    return np.asarray(term[0] + term[1], dtype=float)


@dataclass(frozen=True)
class RateConstants:
    r"""The constants of the relaxation rate of each bin, computed once per ensemble, so that the
    rate at a temperature is one vectorised expression (:func:`relaxation_rates`):

    .. math:: k(T) = p\,[A(E/k_B)^3 + s(T)\,B(E/k_B)]\coth\frac{E}{2k_BT}
              + \sum_{i=1,2}\nu_i\,e^{-V_i/k_BT}

    (one-phonon and conduction-electron tunnelling, docs/physics.md §5, §8; thermal activation
    of each well :math:`i` over its barrier :math:`V_i` with attempt rate :math:`\nu_i`,
    :mod:`dynamics.activation`). Make one with :func:`rate_constants`.

    Attributes
    ----------
    phonon
        :math:`pA(E/k_B)^3`. [s-1]
    electron
        :math:`pB(E/k_B)`. [s-1]
    half_energy
        :math:`E/2k_B`. [K]
    attempt_rate
        :math:`\nu_i` of both wells, shape (2, n); 0: no activation. [s-1]
    barrier
        :math:`V_i/k_B` of both wells, shape (2, n). [K]
    critical_temperature
        Superconducting :math:`T_c` that suppresses the electron rate by :math:`s(T)` (0:
        normal). [K]
    """

    phonon: FloatArray
    electron: FloatArray
    half_energy: FloatArray
    attempt_rate: FloatArray
    barrier: FloatArray
    critical_temperature: float = 0.0

    @cached_property
    def has_electrons(self) -> bool:
        """Whether any bin relaxes by conduction electrons."""
        return bool(np.any(self.electron > 0))

    @cached_property
    def has_activation(self) -> bool:
        """Whether any well of any bin is thermally activated."""
        return bool(np.any(self.attempt_rate > 0))


def rate_constants(
    energy: ArrayLike,
    p: ArrayLike,
    phonon_constant: ArrayLike,
    electron_constant: ArrayLike = 0.0,
    *,
    attempt_rate: ArrayLike | None = None,
    barrier: ArrayLike | None = None,
    critical_temperature: float = 0.0,
) -> RateConstants:
    r"""The :class:`RateConstants` of TLS bins, checked.

    Parameters
    ----------
    energy
        :math:`E` of each bin. [J]
    p
        :math:`(\Delta_0/E)^2` in (0, 1]. [1]
    phonon_constant
        :math:`A` (scalar or per bin), >= 0. [s-1 K-3]
    electron_constant
        :math:`B` (scalar or per bin), >= 0. [s-1 K-1]
    attempt_rate
        :math:`\nu_i` of both wells, shape (2, n), >= 0; None: no activation. [s-1]
    barrier
        :math:`V_i` of both wells, shape (2, n), >= 0 (with ``attempt_rate``). [J]
    critical_temperature
        :math:`T_c`, >= 0. [K]

    Returns
    -------
    RateConstants
    """
    ek = np.atleast_1d(check_positive("energy", energy, "J")).ravel() / K_B
    pp = np.broadcast_to(check_p(p), ek.shape)
    a = check_range("A", phonon_constant, 0.0, low_open=False, unit="s-1 K-3")
    b = check_range("B", electron_constant, 0.0, low_open=False, unit="s-1 K-1")
    if attempt_rate is None:
        nu, v = np.zeros((2, ek.size)), np.zeros((2, ek.size))
    else:
        nu = check_range("attempt_rate", attempt_rate, 0.0, low_open=False, unit="s-1")
        v = check_range(
            "barrier", 0.0 if barrier is None else barrier, 0.0, low_open=False, unit="J"
        )
        if nu.shape != (2, ek.size) or v.shape != (2, ek.size):
            raise ParameterError(
                f"attempt_rate and barrier have shapes {nu.shape} and {v.shape}; "
                f"give one value per well and bin, shape (2, {ek.size})"
            )
    tc = float(check_range("critical_temperature", critical_temperature, 0.0, low_open=False))
    return constants_of_bins(ek, pp, np.broadcast_to(a, ek.shape), np.broadcast_to(b, ek.shape),
                             nu, v / K_B, tc)  # fmt: skip


def constants_of_bins(
    energy_kelvin: FloatArray,
    p: FloatArray,
    phonon_constant: FloatArray,
    electron_constant: FloatArray,
    attempt_rate: FloatArray,
    barrier_kelvin: FloatArray,
    critical_temperature: float,
) -> RateConstants:
    r"""The :class:`RateConstants` of bins whose arrays were checked by their owner (the
    :class:`dynamics.quadrature.Ensemble`, or :func:`rate_constants`): :math:`E/k_B` [K],
    :math:`p` [1], :math:`A` [s-1 K-3], :math:`B` [s-1 K-1], :math:`\nu_i` [s-1] and
    :math:`V_i/k_B` [K] of shape (2, n), :math:`T_c` [K]."""
    ek = energy_kelvin
    return RateConstants(
        phonon=p * phonon_constant * (ek * ek * ek),
        electron=p * electron_constant * ek,
        half_energy=0.5 * ek,
        attempt_rate=attempt_rate,
        barrier=barrier_kelvin,
        critical_temperature=critical_temperature,
    )


def relaxation_rates(constants: RateConstants, temperature: float) -> FloatArray:
    r"""The relaxation rate :math:`k(T)` of every bin (:class:`RateConstants`).

    Parameters
    ----------
    constants
        The bins' constants.
    temperature
        :math:`T`. [K]

    Returns
    -------
    ndarray
        :math:`k`. [s-1]
    """
    return _rates(constants, float(check_positive("temperature", temperature, "K")))


def _rates(constants: RateConstants, temperature: float) -> FloatArray:
    """:func:`relaxation_rates` unchecked: the engine's kernel (``temperature`` > 0 [K])."""
    c = constants
    electron = c.electron if c.has_electrons else None
    suppression = (
        _electron_suppression(temperature, c.critical_temperature) if c.has_electrons else 1.0
    )
    rate = _tunnelling_rate(c.phonon, electron, suppression, c.half_energy, temperature)
    if c.has_activation:
        rate = rate + _activated_rate(c.attempt_rate, c.barrier, temperature)
    return rate


def activation_dominates(constants: RateConstants, temperature: float) -> NDArray[np.bool_]:
    r"""Which bins are *relaxators* at ``temperature`` [K]: their thermally activated rate
    :math:`\sum_i\nu_i e^{-V_i/k_BT}` exceeds their tunnelling rate (docs/physics.md §11.7);
    none without activation. Unchecked (``temperature`` > 0), as :func:`_rates`."""
    if not constants.has_activation:
        return np.zeros(constants.phonon.shape, dtype=bool)
    activated = _activated_rate(constants.attempt_rate, constants.barrier, temperature)
    tunnelling = _rates(
        dataclasses.replace(constants, attempt_rate=np.zeros_like(constants.attempt_rate)),
        temperature,
    )
    return np.asarray(activated > tunnelling)


def _electron_suppression(temperature: float, critical_temperature: float) -> float:
    """:func:`dynamics.electrons.electron_rate_suppression` (1 in the normal state). [1]"""
    if critical_temperature == 0.0 or temperature >= critical_temperature:
        return 1.0
    from dynamics.electrons import electron_rate_suppression

    return float(electron_rate_suppression(temperature, critical_temperature))
