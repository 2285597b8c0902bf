r"""The soft anharmonic potential and its two kinds of two-level systems (paper Sec. II).

The potential (2.1) is :math:`V(x) = \mathscr{C}_a[\eta(x/a)^2 + t(x/a)^3 + (x/a)^4]`. In the
dimensionless variables (2.5), :math:`\tilde\eta = \eta/\eta_L`, :math:`\tilde t = t/\eta_L^{1/2}`,
energies are measured in units of :math:`W` (2.7).

Type 1: near :math:`t = 0`, :math:`\eta < 0` (almost symmetric double well), (2.8), (2.9).
Type 2: near the parabola :math:`\eta = t^2/4`, :math:`\tilde R = \tilde\eta - \tilde t^2/4`,
(2.11),
(2.13). The map (2.10) relates points of the plane that describe the same potential.

The asymptotic formulas hold for :math:`\ln(W/\Delta_0) \gg 1`; (2.8) gets the logarithm right
but not :math:`\Delta_0` itself (the paper: at :math:`\tilde\eta = -6` it gives ~1e-3 W against
0.04 W numerically). :mod:`dynamics.exact.solver` solves the potential exactly.

Signs: the asymmetries returned here are signed (the paper prints their moduli):
:math:`\Delta = 2^{-1/2} W \tilde t |\tilde\eta|^{3/2}` and :math:`\Delta = W \tilde R \tilde
t^2/4`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.units import HBAR
from dynamics.validation import ParameterError, check_finite, check_p, check_positive

FloatArray = NDArray[np.float64]

#: Exponent coefficient of (2.8): ln(W/Δ0) = (√2/3)|η̃|^{3/2}.
TYPE1_EXPONENT = np.sqrt(2.0) / 3.0
#: Exponent coefficient of (2.11): ln(W/Δ0) = |t̃|³/48.
TYPE2_EXPONENT = 1.0 / 48.0


def energy_scale_W(atomic_energy: float, mass: float, length: float) -> float:
    r"""Energy scale of the soft potentials, (2.3): :math:`W = \hbar^{4/3}\mathscr{C}_a^{1/3}
    / (2^{2/3} M^{2/3} a^{4/3})`.

    Parameters
    ----------
    atomic_energy
        :math:`\mathscr{C}_a`, the atomic energy (~30 eV in the paper). [J]
    mass
        Mass :math:`M` of the tunnelling entity. [kg]
    length
        Atomic length :math:`a` (~1 Å). [m]

    Returns
    -------
    float
        :math:`W`. [J]
    """
    c_a = float(check_positive("atomic_energy", atomic_energy, "J"))
    m = float(check_positive("mass", mass, "kg"))
    a = float(check_positive("length", length, "m"))
    return HBAR ** (4 / 3) * c_a ** (1 / 3) / (2 ** (2 / 3) * m ** (2 / 3) * a ** (4 / 3))


def adiabatic_parameter_eta_L(atomic_energy: float, mass: float, length: float) -> float:
    r"""Small parameter of the model, (2.4): :math:`\eta_L = (\hbar^2/2Ma^2\mathscr{C}_a)^{1/3}`.

    Note :math:`W = \mathscr{C}_a \eta_L^2` exactly, by (2.3) and (2.4).

    Parameters
    ----------
    atomic_energy
        :math:`\mathscr{C}_a`. [J]
    mass
        :math:`M`. [kg]
    length
        :math:`a`. [m]

    Returns
    -------
    float
        :math:`\eta_L`. [1]
    """
    c_a = float(check_positive("atomic_energy", atomic_energy, "J"))
    m = float(check_positive("mass", mass, "kg"))
    a = float(check_positive("length", length, "m"))
    return (HBAR**2 / (2.0 * m * a**2 * c_a)) ** (1 / 3)


def tunnel_splitting_type1(eta: ArrayLike, W_J: float) -> FloatArray:
    r"""Tunnel splitting of a type-1 TLS, (2.8): :math:`\Delta_0 =
    W\exp[-(\sqrt2/3)|\tilde\eta|^{3/2}]`.

    Parameters
    ----------
    eta
        :math:`\tilde\eta < 0`. [1]
    W_J
        Energy scale. [J]

    Returns
    -------
    ndarray
        :math:`\Delta_0`. [J]
    """
    eta_arr = check_finite("eta", eta)
    if np.any(eta_arr >= 0):
        raise ParameterError(
            f"eta = {float(eta_arr[eta_arr >= 0].flat[0]):.6g} is outside the allowed range "
            "(-inf, 0) [1] for a type-1 double well"
        )
    check_positive("W_J", W_J, "J")
    return W_J * np.exp(-TYPE1_EXPONENT * np.abs(eta_arr) ** 1.5)


def asymmetry_type1(eta: ArrayLike, t: ArrayLike, W_J: float) -> FloatArray:
    r"""Signed asymmetry of a type-1 TLS, (2.9): :math:`\Delta = 2^{-1/2} W\tilde
    t|\tilde\eta|^{3/2}`.

    Valid for weak asymmetry, :math:`|\tilde t| \ll |\tilde\eta|^{-3/2}`.

    Parameters
    ----------
    eta
        :math:`\tilde\eta < 0`. [1]
    t
        :math:`\tilde t`. [1]
    W_J
        Energy scale. [J]

    Returns
    -------
    ndarray
        :math:`\Delta` (sign of :math:`\tilde t`). [J]
    """
    eta_arr = check_finite("eta", eta)
    t_arr = check_finite("t", t)
    check_positive("W_J", W_J, "J")
    return 2.0**-0.5 * W_J * t_arr * np.abs(eta_arr) ** 1.5


def tunnel_splitting_type2(t: ArrayLike, W_J: float) -> FloatArray:
    r"""Tunnel splitting of a type-2 TLS, (2.11): :math:`\Delta_0 = W\exp(-|\tilde t|^3/48)`.

    Parameters
    ----------
    t
        :math:`\tilde t`. [1]
    W_J
        Energy scale. [J]

    Returns
    -------
    ndarray
        :math:`\Delta_0`. [J]
    """
    t_arr = check_finite("t", t)
    check_positive("W_J", W_J, "J")
    return W_J * np.exp(-TYPE2_EXPONENT * np.abs(t_arr) ** 3)


def asymmetry_type2(t: ArrayLike, R: ArrayLike, W_J: float) -> FloatArray:
    r"""Signed asymmetry of a type-2 TLS, (2.13): :math:`\Delta = W\tilde R\tilde t^2/4`.

    Valid for :math:`|\tilde R| \ll \tilde t^{-2}` (2.12).

    Parameters
    ----------
    t
        :math:`\tilde t`. [1]
    R
        :math:`\tilde R = \tilde\eta - \tilde t^2/4`. [1]
    W_J
        Energy scale. [J]

    Returns
    -------
    ndarray
        :math:`\Delta` (sign of :math:`\tilde R`). [J]
    """
    t_arr = check_finite("t", t)
    r_arr = check_finite("R", R)
    check_positive("W_J", W_J, "J")
    return W_J * r_arr * t_arr**2 / 4.0


def equivalent_point(eta: ArrayLike, t: ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""The map (2.10) between points of the :math:`(\eta, t)` plane with the same potential.

    :math:`\eta' = [9t^2 - 32\eta - 3t(9t^2-32\eta)^{1/2}]/16`,
    :math:`t' = [(9t^2-32\eta)^{1/2} - t]/2`.

    It re-expands :math:`\eta x^2 + t x^3 + x^4` about its other stationary point
    :math:`x_s = [-3t + (9t^2-32\eta)^{1/2}]/8`, so the two potentials differ only by a shift of
    :math:`x` and a constant. The formula has the same form in the dimensionless variables (2.5).

    Parameters
    ----------
    eta
        :math:`\tilde\eta` (or :math:`\eta`). [1]
    t
        :math:`\tilde t` (or :math:`t`). [1]

    Returns
    -------
    (eta_prime, t_prime)
        The equivalent point. [1]
    """
    eta_arr = check_finite("eta", eta)
    t_arr = check_finite("t", t)
    disc = 9.0 * t_arr**2 - 32.0 * eta_arr
    if np.any(disc < 0):
        bad = float(eta_arr[np.broadcast_to(disc < 0, eta_arr.shape)].flat[0])
        raise ParameterError(
            f"eta = {bad:.6g} has no equivalent point: the map (2.10) needs 9 t^2 - 32 eta >= 0"
        )
    root = np.sqrt(disc)
    return (disc - 3.0 * t_arr * root) / 16.0, (root - t_arr) / 2.0


def log_tunnel_ratio(energy: ArrayLike, p: ArrayLike, W_J: float) -> FloatArray:
    r""":math:`L = \ln(W/E p^{1/2}) = \ln(W/\Delta_0)`, (4.6).

    Parameters
    ----------
    energy
        Level splitting :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2` in (0, 1]. [1]
    W_J
        Energy scale. [J]

    Returns
    -------
    ndarray
        :math:`L`, required > 0 (:math:`\Delta_0 < W`). [1]
    """
    e = check_positive("energy", energy, "J")
    p_arr = check_p(p)
    check_positive("W_J", W_J, "J")
    L = np.log(W_J / e) - 0.5 * np.log(p_arr)
    if np.any(L <= 0):
        bad = float(np.broadcast_to(e, L.shape)[L <= 0].flat[0])
        raise ParameterError(
            f"energy = {bad:.6g} J is beyond the two-level range: the tunnel splitting "
            f"E p^1/2 must be below W = {W_J:.6g} J (L = ln(W/E p^1/2) > 0)"
        )
    return L


def _log_tunnel_ratio(energy: FloatArray, p: FloatArray, W_J: float) -> FloatArray:
    """:func:`log_tunnel_ratio` unchecked (:math:`E` > 0 [J], :math:`p` in (0, 1], W [J]); the
    same line as there, which stays as it is because its text is part of the spectral table's
    key (:data:`dynamics.exact.tables.KEY_SOURCES`). [1]"""
    return np.asarray(np.log(W_J / energy) - 0.5 * np.log(p), dtype=float)


def type1_parameters(energy: ArrayLike, p: ArrayLike, W_J: float) -> tuple[FloatArray, FloatArray]:
    r"""Invert (2.8), (2.9): the type-1 potential :math:`(\tilde\eta, \tilde t)` of a TLS (E, p).

    :math:`|\tilde\eta| = (3L/\sqrt2)^{2/3}`, :math:`\tilde\eta < 0`;
    :math:`\tilde t = \sqrt2\,\Delta/(W|\tilde\eta|^{3/2})` with :math:`\Delta = E(1-p)^{1/2} \ge
    0`.

    Parameters
    ----------
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2`. [1]
    W_J
        Energy scale. [J]

    Returns
    -------
    (eta, t)
        :math:`\tilde\eta < 0` and :math:`\tilde t \ge 0`. [1]
    """
    L = log_tunnel_ratio(energy, p, W_J)
    eta_abs = (L / TYPE1_EXPONENT) ** (2.0 / 3.0)
    asym = np.asarray(energy, dtype=float) * np.sqrt(1.0 - np.asarray(p, dtype=float))
    return -eta_abs, np.sqrt(2.0) * asym / (W_J * eta_abs**1.5)


def type2_parameters(energy: ArrayLike, p: ArrayLike, W_J: float) -> tuple[FloatArray, FloatArray]:
    r"""Invert (2.11), (2.13): the type-2 potential :math:`(\tilde t, \tilde R)` of a TLS (E, p).

    :math:`|\tilde t| = (48L)^{1/3}` (the branch :math:`\tilde t > 0` is returned; the mirror
    :math:`\tilde t < 0` is equivalent), :math:`\tilde R = 4\Delta/(W\tilde t^2)`.

    Parameters
    ----------
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2`. [1]
    W_J
        Energy scale. [J]

    Returns
    -------
    (t, R)
        :math:`\tilde t > 0` and :math:`\tilde R \ge 0`. [1]
    """
    L = log_tunnel_ratio(energy, p, W_J)
    t_abs = (L / TYPE2_EXPONENT) ** (1.0 / 3.0)
    asym = np.asarray(energy, dtype=float) * np.sqrt(1.0 - np.asarray(p, dtype=float))
    return t_abs, 4.0 * asym / (W_J * t_abs**2)


def asymptotic_potentials(
    kind: int, energy: FloatArray, p: FloatArray, W_J: float
) -> tuple[FloatArray, FloatArray]:
    r"""The potentials :math:`(\tilde\eta, \tilde t)` that the asymptotic maps
    (:func:`type1_parameters`, :func:`type2_parameters`) put at :math:`(E_a, p_a)`, one per sign.

    Type 1: :math:`(\tilde\eta, \pm\tilde t)`. Type 2: :math:`(\pm\tilde t, \tilde t^2/4 \pm
    \tilde R)` (2.12) in the order (+t, +R), (-t, +R), (+t, -R), (-t, -R).

    Parameters
    ----------
    kind
        0 for type 1, 1 for type 2.
    energy
        :math:`E_a`. [J]
    p
        :math:`p_a`. [1]
    W_J
        :math:`W`. [J]

    Returns
    -------
    (eta, t)
        Each of shape (signs, n). [1]
    """
    if kind == 0:
        eta, t = type1_parameters(energy, p, W_J)
        return np.stack([eta, eta]), np.stack([t, -t])
    t, R = type2_parameters(energy, p, W_J)
    plus, minus = R + t**2 / 4, -R + t**2 / 4
    return np.stack([plus, plus, minus, minus]), np.stack([t, -t, t, -t])
