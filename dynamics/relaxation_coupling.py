r"""How the mirror partners of a TLS relax: the relaxation coupling (docs/exact.md).

The soft potentials :math:`(\tilde\eta, \pm\tilde t)` (type 1) and :math:`(\tilde t, \pm\tilde R)`
(type 2) are *mirror partners*: the paper maps them to one :math:`(E, p)`, and their deformation
potentials :math:`D_\pm = D_\mathrm{even} \pm D_\mathrm{odd}` differ by the large odd part (4.4),
(4.9), 100–1000 times the even part. The coupling to phonons is the matrix element
:math:`M = \langle 0|\partial H/\partial\varepsilon|1\rangle`; in the two-level form

.. math:: M_\pm = \tfrac12\Big[\frac{\Delta_0}{E}\frac{\partial\Delta_\pm}{\partial\varepsilon}
          - \frac{\Delta_\pm}{E}\frac{\partial\Delta_0}{\partial\varepsilon}\Big],

where :math:`\partial\Delta/\partial\varepsilon` has a part even under the mirror (the
:math:`\chi` term of (4.3), which gives :math:`\gamma_1` (4.4)) and a part odd (the
:math:`\tilde t` terms), and :math:`\Delta_\pm = \pm|\Delta|`. The two interfere:
:math:`M_+ \ne M_-`, by a relative :math:`r \approx |\Delta||\tilde\eta|/(2W\chi)` for type 1, a
few per cent for thermal TLS. Since the partner rates multiply :math:`\pm D_\mathrm{odd}`, a few
per cent of rate difference times the odd part is of the order of the even part itself.

Physically the rate is a sum over phonon branches of the squared coupling to the whole strain
tensor. The hydrostatic coupling :math:`c` of (3.7) is only the mean of the longitudinal part;
the shear couplings of the :math:`x^2` and :math:`x^3` terms are independent local tensors, and
their cross term averages out. Only the part of the rate correlated with :math:`c`, a fraction
:math:`f`, carries the interference. Hence two settings (``Glass.relaxation_coupling``):

* ``"symmetric"`` (default): every partner relaxes with the mean coupling of its group
  (:math:`\overline{M^2/p}`), the paper's rate law (the rate depends on :math:`E, p` only);
* ``"interference"`` with :math:`f\in[0,1]`: coupling :math:`(1-f)\overline{M^2/p} + f M_\pm^2/p`.

:func:`interference_fraction_estimate` gives :math:`f` from :math:`\gamma_l, \gamma_t, v_l, v_t`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.deformation import (
    dasymmetry_dstrain_type1,
    dasymmetry_dstrain_type2,
    deformation_odd_type1,
    deformation_odd_type2,
    dtunnel_dstrain_type1,
    dtunnel_dstrain_type2,
)
from dynamics.soft_potential import type1_parameters, type2_parameters
from dynamics.validation import ParameterError, check_positive, check_range

FloatArray = NDArray[np.float64]

__all__ = [
    "asymptotic_partner_couplings",
    "asymptotic_partners",
    "correlated_fraction_isotropic",
    "interference_fraction_estimate",
    "longitudinal_share",
    "mix_partner_couplings",
]


def mix_partner_couplings(
    coupling: FloatArray, keep: NDArray[np.bool_], fraction: float
) -> FloatArray:
    r"""Couplings of the members of each partner group under the relaxation coupling ``fraction``.

    :math:`g_m \to (1-f)\,\bar g + f g_m`, :math:`\bar g` the mean over the kept members of the
    group. ``fraction`` 1 returns ``coupling`` itself and 0 the mean, with no other arithmetic
    (so the limits are bit for bit the interference-only and the symmetric couplings).

    Parameters
    ----------
    coupling
        Per member, shape (members, groups): :math:`M^2/p` (in any unit common to the group).
    keep
        Which members are bins (the others are ignored in the mean), same shape.
    fraction
        :math:`f` in [0, 1]. [1]

    Returns
    -------
    ndarray
        The couplings to relax with, shape of ``coupling`` (undefined where not ``keep``).
    """
    f = float(
        check_range("interference_fraction", fraction, 0.0, 1.0, low_open=False, high_open=False)
    )
    if f == 1.0:
        return coupling
    kept = np.where(keep, coupling, 0.0)
    count = np.maximum(keep.sum(axis=0), 1)
    mean = np.broadcast_to(kept.sum(axis=0) / count, coupling.shape)
    if f == 0.0:
        return np.array(mean)
    return (1.0 - f) * mean + f * coupling


def asymptotic_partner_couplings(
    kind: int, energy: ArrayLike, p: ArrayLike, *, W_J: float, c: float, eta_L: float, chi: float
) -> tuple[FloatArray, FloatArray]:
    r"""Asymptotic couplings :math:`|M_+|, |M_-|` of the two mirror partners at :math:`(E, p)`.

    Two-level identity :math:`M = \tfrac12[(\Delta_0/E)\,\partial\Delta/\partial\varepsilon -
    (\Delta/E)\,\partial\Delta_0/\partial\varepsilon]` with the paper's derivatives: type 1,
    (4.2) and (4.3) at :math:`(\tilde\eta, \pm\tilde t)` of (2.8), (2.9); type 2, (4.7) and
    (4.8) at :math:`(\tilde t, \pm\tilde R)` of (2.11), (2.13). The partner "+" has
    :math:`\Delta > 0` and :math:`D = D_\mathrm{even} + D_\mathrm{odd}` (odd parts as in
    :func:`dynamics.deformation.deformation_odd_type1`, ``_type2``). Their mean square is
    :math:`p\gamma_j^2(1 + r^2)`, :math:`\gamma_j` of (4.4), (4.9).

    Type 2 inherits the paper's omission in (4.7): :math:`\Delta_0` depends on :math:`\tilde R`
    at first order (docs/exact.md), so the exact :math:`\partial\Delta_0/\partial\varepsilon`
    and the partner asymmetry of type 2 are larger than these.

    Parameters
    ----------
    kind
        0 (type 1) or 1 (type 2).
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
    (M_plus, M_minus)
        :math:`|M_\pm|`. [J]
    """
    e = np.asarray(energy, dtype=float)
    p_a = np.asarray(p, dtype=float)
    d0_e = np.sqrt(p_a)  # Delta0 / E
    asym_e = np.sqrt(1.0 - p_a)  # |Delta| / E
    if kind == 0:
        eta, t = type1_parameters(e, p_a, W_J)
        dd0 = dtunnel_dstrain_type1(eta, W_J=W_J, c=c, eta_L=eta_L)
        dasym = (
            dasymmetry_dstrain_type1(eta, t, W_J=W_J, c=c, eta_L=eta_L, chi=chi),
            dasymmetry_dstrain_type1(eta, -t, W_J=W_J, c=c, eta_L=eta_L, chi=chi),
        )
    elif kind == 1:
        t, R = type2_parameters(e, p_a, W_J)
        dd0 = dtunnel_dstrain_type2(t, W_J=W_J, c=c, eta_L=eta_L, chi=chi)
        dasym = (
            dasymmetry_dstrain_type2(t, R, W_J=W_J, c=c, eta_L=eta_L, chi=chi),
            dasymmetry_dstrain_type2(t, -R, W_J=W_J, c=c, eta_L=eta_L, chi=chi),
        )
    else:
        raise ParameterError(f"kind = {kind!r} is not allowed; use 0 (type 1) or 1 (type 2)")
    plus = 0.5 * np.abs(d0_e * dasym[0] - asym_e * dd0)
    minus = 0.5 * np.abs(d0_e * dasym[1] + asym_e * dd0)
    return plus, minus


def asymptotic_partners(
    kind: int,
    energy: ArrayLike,
    p: ArrayLike,
    fraction: float,
    *,
    W_J: float,
    c: float,
    eta_L: float,
    chi: float,
) -> tuple[FloatArray, FloatArray]:
    r"""The asymptotic mirror partners of the bins at :math:`(E, p)` under interference ``f``.

    Parameters
    ----------
    kind
        0 (type 1) or 1 (type 2).
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2`. [1]
    fraction
        :math:`f` in [0, 1]. [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]

    Returns
    -------
    (odd, rate_factor)
        :math:`D_\mathrm{odd}` of the "+" partner (4.4), (4.9) [J] (the "-" partner has
        :math:`-D_\mathrm{odd}`), and the factors of the paper's rate for "+" and "-", shape
        (2, n): :math:`(1-f) + f M_\pm^2/\overline{M^2}` (their mean is 1). [1]
    """
    f = float(
        check_range("interference_fraction", fraction, 0.0, 1.0, low_open=False, high_open=False)
    )
    if kind == 0:
        odd = deformation_odd_type1(energy, p, W_J=W_J, c=c, eta_L=eta_L, chi=chi)
    else:
        odd = deformation_odd_type2(energy, p, W_J=W_J, c=c, eta_L=eta_L)
    plus, minus = asymptotic_partner_couplings(kind, energy, p, W_J=W_J, c=c, eta_L=eta_L, chi=chi)
    m2 = np.stack([plus**2, minus**2])
    return odd, (1.0 - f) + f * m2 / m2.mean(axis=0)


def longitudinal_share(gamma_l: float, gamma_t: float, v_l: float, v_t: float) -> float:
    r"""Share of longitudinal phonons in the one-phonon rate,
    :math:`(\gamma_l^2/v_l^5)/(\gamma_l^2/v_l^5 + 2\gamma_t^2/v_t^5)` (docs/physics.md §5).

    Parameters
    ----------
    gamma_l, gamma_t
        Longitudinal and transverse deformation potentials (any common unit). [J]
    v_l, v_t
        Sound velocities. [m s-1]

    Returns
    -------
    float
        In [0, 1]. [1]
    """
    for name, value in (("gamma_l", gamma_l), ("gamma_t", gamma_t)):
        if not math.isfinite(value) or value < 0:
            raise ParameterError(f"{name} = {value!r} is outside the allowed range [0, inf)")
    check_positive("v_l", v_l, "m s-1")
    check_positive("v_t", v_t, "m s-1")
    longitudinal = gamma_l**2 / v_l**5
    total = longitudinal + 2.0 * gamma_t**2 / v_t**5
    if total == 0:
        raise ParameterError("gamma_l = gamma_t = 0: no one-phonon rate to share")
    return float(longitudinal / total)


def correlated_fraction_isotropic(gamma_l: float, gamma_t: float) -> float:
    r"""Fraction of the longitudinal coupling that is hydrostatic, hence correlated with
    :math:`c`, for an isotropic random coupling tensor:
    :math:`\max(0, 1 - \tfrac43\gamma_t^2/\gamma_l^2)`.

    A coupling tensor :math:`\gamma_{ij} = \gamma_h\delta_{ij} + d_{ij}` with an isotropic random
    traceless part has :math:`\langle d_{nn}^2\rangle = \tfrac43\langle d_{nm}^2\rangle`, so
    :math:`\gamma_l^2 = \gamma_h^2 + \tfrac43\gamma_t^2`; :math:`\gamma_h` is the coupling of the
    dilatation, the one :math:`c` describes.

    Parameters
    ----------
    gamma_l, gamma_t
        Longitudinal and transverse deformation potentials (common unit), ``gamma_l > 0``. [J]

    Returns
    -------
    float
        :math:`\gamma_h^2/\gamma_l^2` in [0, 1]. [1]
    """
    check_positive("gamma_l", gamma_l)
    if not math.isfinite(gamma_t) or gamma_t < 0:
        raise ParameterError(f"gamma_t = {gamma_t!r} is outside the allowed range [0, inf)")
    return max(0.0, 1.0 - 4.0 * gamma_t**2 / (3.0 * gamma_l**2))


def interference_fraction_estimate(
    gamma_l: float, gamma_t: float, v_l: float, v_t: float, correlated: float | None = None
) -> float:
    r"""Estimate of the interference fraction :math:`f` of a glass: the longitudinal share of the
    one-phonon rate times the fraction of the longitudinal coupling correlated with :math:`c`.

    Parameters
    ----------
    gamma_l, gamma_t
        Longitudinal and transverse deformation potentials (common unit). [J]
    v_l, v_t
        Sound velocities. [m s-1]
    correlated
        Fraction of the longitudinal coupling correlated with :math:`c`, in [0, 1]; by default
        :func:`correlated_fraction_isotropic` (1 gives the upper bound, the longitudinal share).
        [1]

    Returns
    -------
    float
        :math:`f` in [0, 1]. [1]
    """
    share = longitudinal_share(gamma_l, gamma_t, v_l, v_t)
    rho = (
        correlated_fraction_isotropic(gamma_l, gamma_t)
        if correlated is None
        else float(check_range("correlated", correlated, 0.0, 1.0, low_open=False, high_open=False))
    )
    return share * rho
