r"""Deformation potentials :math:`D = \partial E/\partial\varepsilon` of the two TLS types (Sec.
IV).

:math:`D` splits into a large part odd in :math:`\tilde t` (type 1) or :math:`\tilde R` (type 2),
which averages out of the expansion but couples the TLS to phonons, and a small part even in
them, proportional to :math:`E` within log accuracy, which alone makes the expansion:

.. math::
    D_{1,\mathrm{even}} = \frac{cE}{\eta_L}\Big[\kappa_1\big(pL^{1/3} - (1-p)L^{-2/3}\big)
        - \kappa_1'\chi^2(1-p)L^{-8/3}\Big] \quad (4.5)

    D_{2,\mathrm{even}} = \frac{cE}{\eta_L}\,\kappa_2\chi^2\Big[pL^{-5/3}
        + \tfrac23(1-p)L^{-8/3}\Big] \quad (4.11)

with :math:`L = \ln(W/Ep^{1/2})` (4.6). The paper prints rounded coefficients; their closed forms
follow from (2.8), (2.9), (2.11), (2.13) and (3.5)-(3.11):

============  =========  =====================================  ==========
coefficient   printed    closed form                            value
============  =========  =====================================  ==========
κ1            0.91       (3/4)^{1/3} = 6^{1/3}/2                0.908560
κ1'           0.2        2^{1/3} 3^{-5/3}                       0.201902
κ2            0.038      24 · 48^{-5/3} = κ1/24                 0.037857
2/3           0.67       2/3                                    0.666667
odd, type 1   1.10       2 · 6^{-1/3}  (times χ, over L^{1/3})  1.100642
odd, type 2   3.30       2 (9/2)^{1/3} (times L^{2/3})          3.301927
============  =========  =====================================  ==========

The odd term of (4.5) is garbled in the OCR text ("1.10(1-p)^{1/2} sgn t / L^{2/3}"); derived
from (4.3)-(4.4) it is :math:`1.10\,\chi(1-p)^{1/2}\,\mathrm{sgn}\,t/L^{1/3}`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.soft_potential import log_tunnel_ratio
from dynamics.validation import check_finite, check_positive

FloatArray = NDArray[np.float64]

KAPPA1: float = (3.0 / 4.0) ** (1.0 / 3.0)
KAPPA1_PRIME: float = 2.0 ** (1.0 / 3.0) * 3.0 ** (-5.0 / 3.0)
KAPPA2: float = 24.0 * 48.0 ** (-5.0 / 3.0)
ODD_TYPE1: float = 2.0 * 6.0 ** (-1.0 / 3.0)
ODD_TYPE2: float = 2.0 * 4.5 ** (1.0 / 3.0)

#: Coefficients as printed in (4.5), (4.11), keyed like the closed forms above.
PRINTED_COEFFICIENTS: dict[str, float] = {
    "kappa1": 0.91,
    "kappa1_prime": 0.2,
    "kappa2": 0.038,
    "two_thirds": 0.67,
    "odd_type1": 1.10,
    "odd_type2": 3.30,
}
#: The same coefficients in closed form.
DERIVED_COEFFICIENTS: dict[str, float] = {
    "kappa1": KAPPA1,
    "kappa1_prime": KAPPA1_PRIME,
    "kappa2": KAPPA2,
    "two_thirds": 2.0 / 3.0,
    "odd_type1": ODD_TYPE1,
    "odd_type2": ODD_TYPE2,
}


def _check_couplings(W_J: float, eta_L: float, c: float, chi: float) -> None:
    check_positive("W_J", W_J, "J")
    check_positive("eta_L", eta_L)
    check_finite("c", c)
    check_finite("chi", chi)


def deformation_even_type1(
    energy: ArrayLike, p: ArrayLike, *, W_J: float, c: float, eta_L: float, chi: float
) -> FloatArray:
    r"""Even deformation potential of type-1 TLS, (4.5) with closed-form coefficients.

    Parameters
    ----------
    energy
        Level splitting :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2` in (0, 1]. [1]
    W_J
        Soft-potential energy scale. [J]
    c
        Strain coupling (3.7); its sign is the sign of the expansion. [1]
    eta_L
        :math:`\eta_L` (2.4). [1]
    chi
        Zero-point force constant (3.2). [1]

    Returns
    -------
    ndarray
        :math:`D_{1,\mathrm{even}}`. [J]
    """
    _check_couplings(W_J, eta_L, c, chi)
    L = log_tunnel_ratio(energy, p, W_J)
    p_arr = np.asarray(p, dtype=float)
    return _deformation_even_type1(np.asarray(energy, dtype=float), p_arr, L, c, eta_L, chi)


def _deformation_even_type1(
    energy: FloatArray, p: FloatArray, L: FloatArray, c: float, eta_L: float, chi: float
) -> FloatArray:
    r""":func:`deformation_even_type1` (4.5) from :math:`E` [J], :math:`p` [1] and :math:`L`
    [1], unchecked; the powers of :math:`L` from one cube root. [J]"""
    cbrt = np.cbrt(L)
    l_m23 = 1.0 / (cbrt * cbrt)  # L^-2/3
    q = 1.0 - p
    bracket = KAPPA1 * (p * cbrt - q * l_m23) - (KAPPA1_PRIME * chi * chi) * (q * l_m23 / (L * L))
    return np.asarray(c * energy / eta_L * bracket, dtype=float)


def deformation_even_type2(
    energy: ArrayLike, p: ArrayLike, *, W_J: float, c: float, eta_L: float, chi: float
) -> FloatArray:
    r"""Even deformation potential of type-2 TLS, (4.11) with closed-form coefficients.

    Parameters
    ----------
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2` in (0, 1]. [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings (3.7), (2.4), (3.2). [1]

    Returns
    -------
    ndarray
        :math:`D_{2,\mathrm{even}}`. [J]
    """
    _check_couplings(W_J, eta_L, c, chi)
    L = log_tunnel_ratio(energy, p, W_J)
    p_arr = np.asarray(p, dtype=float)
    return _deformation_even_type2(np.asarray(energy, dtype=float), p_arr, L, c, eta_L, chi)


def _deformation_even_type2(
    energy: FloatArray, p: FloatArray, L: FloatArray, c: float, eta_L: float, chi: float
) -> FloatArray:
    r""":func:`deformation_even_type2` (4.11) from :math:`E` [J], :math:`p` [1] and :math:`L`
    [1], unchecked; the powers of :math:`L` from one cube root. [J]"""
    cbrt = np.cbrt(L)
    l_m53 = 1.0 / (cbrt * cbrt * L)  # L^-5/3
    bracket = p * l_m53 + (2.0 / 3.0) * ((1.0 - p) * l_m53 / L)
    return np.asarray(c * energy / eta_L * (KAPPA2 * chi * chi) * bracket, dtype=float)


def deformation_odd_type1(
    energy: ArrayLike, p: ArrayLike, *, W_J: float, c: float, eta_L: float, chi: float
) -> FloatArray:
    r"""Odd deformation potential of type-1 TLS for :math:`\mathrm{sgn}\,t = +1`:
    :math:`2(\Delta/E)\gamma_1 = 2\cdot6^{-1/3}c\chi(W/\eta_L)(1-p)^{1/2}L^{-1/3}`, (4.4), (4.5).

    Parameters
    ----------
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2`. [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]

    Returns
    -------
    ndarray
        :math:`D_{1,\mathrm{odd}}`. [J]
    """
    _check_couplings(W_J, eta_L, c, chi)
    L = log_tunnel_ratio(energy, p, W_J)
    return (
        ODD_TYPE1 * c * chi * W_J / eta_L * np.sqrt(1 - np.asarray(p, dtype=float)) * L ** (-1 / 3)
    )


def deformation_odd_type2(
    energy: ArrayLike, p: ArrayLike, *, W_J: float, c: float, eta_L: float
) -> FloatArray:
    r"""Odd deformation potential of type-2 TLS for :math:`\mathrm{sgn}\,R = +1`:
    :math:`2(\Delta/E)\gamma_2 = 2(9/2)^{1/3}c(W/\eta_L)(1-p)^{1/2}L^{2/3}`, (4.9), (4.11).

    Parameters
    ----------
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2`. [1]
    W_J
        Energy scale. [J]
    c, eta_L
        Couplings. [1]

    Returns
    -------
    ndarray
        :math:`D_{2,\mathrm{odd}}`. [J]
    """
    _check_couplings(W_J, eta_L, c, 0.0)
    L = log_tunnel_ratio(energy, p, W_J)
    return ODD_TYPE2 * c * W_J / eta_L * np.sqrt(1 - np.asarray(p, dtype=float)) * L ** (2 / 3)


def gamma_type1(
    tunnel_splitting: ArrayLike, *, W_J: float, c: float, eta_L: float, chi: float
) -> FloatArray:
    r"""AHVP deformation potential of type 1, (4.4):
    :math:`\gamma_1 = 6^{-1/3}c\chi(W/\eta_L)\ln^{-1/3}(W/\Delta_0)` (for
    :math:`\mathrm{sgn}\,t=+1`).

    Parameters
    ----------
    tunnel_splitting
        :math:`\Delta_0 < W`. [J]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]

    Returns
    -------
    ndarray
        :math:`\gamma_1`. [J]
    """
    _check_couplings(W_J, eta_L, c, chi)
    L = log_tunnel_ratio(tunnel_splitting, 1.0, W_J)
    return 6.0 ** (-1 / 3) * c * chi * W_J / eta_L * L ** (-1 / 3)


def gamma_type2(tunnel_splitting: ArrayLike, *, W_J: float, c: float, eta_L: float) -> FloatArray:
    r"""AHVP deformation potential of type 2, (4.9):
    :math:`\gamma_2 = (9/2)^{1/3}c(W/\eta_L)\ln^{2/3}(W/\Delta_0)` (for :math:`\mathrm{sgn}\,R=+1`).

    Parameters
    ----------
    tunnel_splitting
        :math:`\Delta_0 < W`. [J]
    W_J
        Energy scale. [J]
    c, eta_L
        Couplings. [1]

    Returns
    -------
    ndarray
        :math:`\gamma_2`. [J]
    """
    _check_couplings(W_J, eta_L, c, 0.0)
    L = log_tunnel_ratio(tunnel_splitting, 1.0, W_J)
    return 4.5 ** (1 / 3) * c * W_J / eta_L * L ** (2 / 3)


def gamma_ratio(tunnel_splitting: ArrayLike, *, W_J: float, chi: float) -> FloatArray:
    r"""Ratio of the two couplings to phonons, (4.10): :math:`\gamma_2/\gamma_1 =
    3\ln(W/\Delta_0)/\chi`.

    Parameters
    ----------
    tunnel_splitting
        :math:`\Delta_0 < W`. [J]
    W_J
        Energy scale. [J]
    chi
        Zero-point force constant, nonzero. [1]

    Returns
    -------
    ndarray
        :math:`\gamma_2/\gamma_1`. [1]
    """
    check_finite("chi", chi)
    L = log_tunnel_ratio(tunnel_splitting, 1.0, W_J)
    return 3.0 * L / chi


# --- The derivatives of Δ0 and Δ from which (4.5) and (4.11) are assembled -----------------


def dtunnel_dstrain_type1(eta: ArrayLike, *, W_J: float, c: float, eta_L: float) -> FloatArray:
    r""":math:`\partial\Delta_0/\partial\varepsilon` of type 1, (4.2):
    :math:`(c/\sqrt2)(W/\eta_L)|\tilde\eta|^{1/2}\exp[-(\sqrt2/3)|\tilde\eta|^{3/2}]`.

    Parameters
    ----------
    eta
        :math:`\tilde\eta < 0`. [1]
    W_J
        Energy scale. [J]
    c, eta_L
        Couplings. [1]

    Returns
    -------
    ndarray
        :math:`\partial\Delta_0/\partial\varepsilon`. [J]
    """
    _check_couplings(W_J, eta_L, c, 0.0)
    a = np.abs(check_finite("eta", eta))
    return c / np.sqrt(2.0) * W_J / eta_L * np.sqrt(a) * np.exp(-np.sqrt(2.0) / 3.0 * a**1.5)


def dasymmetry_dstrain_type1(
    eta: ArrayLike, t: ArrayLike, *, W_J: float, c: float, eta_L: float, chi: float
) -> FloatArray:
    r""":math:`\partial\Delta/\partial\varepsilon` of type 1 for the signed :math:`\Delta` of
    (2.9), (4.3):
    :math:`\sqrt2\,c(W/\eta_L)|\tilde\eta|^{-1/2}[\chi - \tfrac34|\tilde\eta|\tilde t
    - \tfrac34\chi^2\tilde t/\tilde\eta^2]`.

    Parameters
    ----------
    eta
        :math:`\tilde\eta < 0`. [1]
    t
        :math:`\tilde t`. [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]

    Returns
    -------
    ndarray
        :math:`\partial\Delta/\partial\varepsilon`. [J]
    """
    _check_couplings(W_J, eta_L, c, chi)
    a = np.abs(check_finite("eta", eta))
    t_a = check_finite("t", t)
    return (
        np.sqrt(2.0)
        * c
        * W_J
        / eta_L
        / np.sqrt(a)
        * (chi - 0.75 * a * t_a - 0.75 * chi**2 * t_a / a**2)
    )


def dtunnel_dstrain_type2(
    t: ArrayLike, *, W_J: float, c: float, eta_L: float, chi: float
) -> FloatArray:
    r"""Even part of :math:`\partial\Delta_0/\partial\varepsilon` of type 2, (4.7):
    :math:`24c\chi^2(W/\eta_L)|\tilde t|^{-5}\exp(-|\tilde t|^3/48)`.

    Parameters
    ----------
    t
        :math:`\tilde t`, nonzero. [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]

    Returns
    -------
    ndarray
        :math:`\partial\Delta_0/\partial\varepsilon`. [J]
    """
    _check_couplings(W_J, eta_L, c, chi)
    a = np.abs(check_finite("t", t))
    return 24.0 * c * chi**2 * W_J / eta_L * a**-5 * np.exp(-(a**3) / 48.0)


def dasymmetry_dstrain_type2(
    t: ArrayLike, R: ArrayLike, *, W_J: float, c: float, eta_L: float, chi: float
) -> FloatArray:
    r""":math:`\partial\Delta/\partial\varepsilon` of type 2 for the signed :math:`\Delta` of
    (2.13), (4.8):
    :math:`c(W/\eta_L)[\tilde t^2/4 + 192\chi^2\tilde R\tilde t^{-6}]` (odd terms in
    :math:`\tilde R` of higher order dropped, as in the paper).

    Parameters
    ----------
    t
        :math:`\tilde t`, nonzero. [1]
    R
        :math:`\tilde R`. [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]

    Returns
    -------
    ndarray
        :math:`\partial\Delta/\partial\varepsilon`. [J]
    """
    _check_couplings(W_J, eta_L, c, chi)
    t_a = check_finite("t", t)
    return c * W_J / eta_L * (t_a**2 / 4.0 + 192.0 * chi**2 * check_finite("R", R) / t_a**6)


def deformation_potential(
    tunnel_splitting: ArrayLike,
    asymmetry: ArrayLike,
    dtunnel_dstrain: ArrayLike,
    dasymmetry_dstrain: ArrayLike,
) -> FloatArray:
    r""":math:`D = (\Delta_0/E)\,\partial\Delta_0/\partial\varepsilon +
    (\Delta/E)\,\partial\Delta/\partial\varepsilon`, (4.1).

    Parameters
    ----------
    tunnel_splitting
        :math:`\Delta_0 > 0`. [J]
    asymmetry
        :math:`\Delta` (signed). [J]
    dtunnel_dstrain, dasymmetry_dstrain
        Strain derivatives of :math:`\Delta_0` and :math:`\Delta`. [J]

    Returns
    -------
    ndarray
        :math:`D`. [J]
    """
    d0 = check_positive("tunnel_splitting", tunnel_splitting, "J")
    d = check_finite("asymmetry", asymmetry, "J")
    e = np.hypot(d0, d)
    return (
        d0 * check_finite("dtunnel_dstrain", dtunnel_dstrain)
        + d * check_finite("dasymmetry_dstrain", dasymmetry_dstrain)
    ) / e
