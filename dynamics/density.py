r"""Densities of TLS states in :math:`(E, p)` (paper Sec. V) and of the standard tunnelling model.

Soft-potential (KKI) model, (5.1): from a constant density :math:`\psi_j` in the
:math:`(\eta, t)` plane (type 1) or :math:`(t, R)` plane (type 2), the map (2.8), (2.9) or (2.11),
(2.13) to :math:`(E, p)` gives for both types the same form

.. math:: N_j(E, p) = n_0\,\frac{\psi_j\eta_L^{3/2}}{W}\,p^{-1}(1-p)^{-1/2}L^{-4/3}, \qquad
          n_0 = \tfrac23(4/3)^{1/3} = 2^{5/3}3^{-4/3},

counting both signs of the asymmetry (and, for type 2, both branches :math:`\pm\tilde t`). With
:math:`N_0 = \psi_1\eta_L^{3/2}/W`: :math:`N_1 = n_0 N_0 p^{-1}(1-p)^{-1/2}L^{-4/3}`,
:math:`N_2 = \psi N_1`.

The :math:`p` integral converges only as :math:`L^{-1/3}`:
:math:`\int_0^{p_\ell} p^{-1}(1-p)^{-1/2}L^{-4/3}dp = 6L(p_\ell)^{-1/3} + \dots`, so TLS with
:math:`p` far below any reachable relaxation bound still hold a large share of the equilibrium
heat capacity.

Standard tunnelling model (AHVP): :math:`P(E, p) = \bar P/(2p\sqrt{1-p})`, i.e. a constant
density :math:`\bar P` per unit :math:`\Delta \ge 0` and :math:`\ln\Delta_0` (1.2) (Black's
normalisation, in which Black's law reads
:math:`C = (\pi^2/12)\bar Pk_B^2T\ln(bt/\tau_\mathrm{min})`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.soft_potential import log_tunnel_ratio
from dynamics.validation import check_p, check_positive

FloatArray = NDArray[np.float64]

#: :math:`n_0 = (2/3)(4/3)^{1/3}` of (5.1).
DENSITY_PREFACTOR: float = (2.0 / 3.0) * (4.0 / 3.0) ** (1.0 / 3.0)


def kki_density_of_states(
    energy: ArrayLike, p: ArrayLike, *, density_scale: float, W_J: float
) -> FloatArray:
    r"""Density of TLS states of one type in the soft-potential model, (5.1).

    Parameters
    ----------
    energy
        Level splitting :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2` in (0, 1). [1]
    density_scale
        :math:`\psi_j\eta_L^{3/2}/W`: :math:`N_0` for type 1, :math:`\psi N_0` for type 2.
        [J-1 m-3]
    W_J
        Soft-potential energy scale. [J]

    Returns
    -------
    ndarray
        :math:`N_j(E, p)` per unit energy, unit :math:`p` and volume. [J-1 m-3]
    """
    scale = float(check_positive("density_scale", density_scale, "J-1 m-3"))
    L = log_tunnel_ratio(energy, p, W_J)
    return _kki_density(L, np.asarray(p, dtype=float), scale)


def _kki_density(L: FloatArray, p: FloatArray, density_scale: float) -> FloatArray:
    r""":func:`kki_density_of_states` (5.1) from :math:`L` [1] and :math:`p` [1], unchecked:
    :math:`L^{-4/3} = 1/(L\,L^{1/3})` by a cube root (a power costs four exponentials).
    [J-1 m-3]"""
    return np.asarray(
        (DENSITY_PREFACTOR * density_scale) / (p * np.sqrt(1.0 - p)) / (L * np.cbrt(L)),
        dtype=float,
    )


def kki_density_tail(
    energy: ArrayLike, p_low: ArrayLike, *, W_J: float, terms: int = 4
) -> FloatArray:
    r"""Closed-form :math:`\int_0^{p_\ell} p^{-1}(1-p)^{-1/2}L^{-4/3}\,dp`: the TLS below
    :math:`p_\ell`.

    With :math:`L_\ell = \ln(W/Ep_\ell^{1/2})` and :math:`(1-p)^{-1/2} = \sum_k b_k p^k`,
    :math:`b_k = \binom{2k}{k}4^{-k}`,

    .. math:: 6L_\ell^{-1/3} + L_\ell^{-4/3}\sum_{k\ge1} b_k\,\frac{p_\ell^k}{k}
              \Big[1 - \frac{2}{3kL_\ell}\Big] ,

    where the first term is exact and each term of the sum is expanded to first order in
    :math:`1/(kL_\ell)`. The error is below :math:`p_\ell L_\ell^{-10/3}`, negligible for the
    small :math:`p_\ell` at which it is used.

    Parameters
    ----------
    energy
        :math:`E`. [J]
    p_low
        Upper end :math:`p_\ell` of the tail, in (0, 1); a few tenths at most. [1]
    W_J
        Energy scale. [J]
    terms
        Number of terms of the series kept. [1]

    Returns
    -------
    ndarray
        The integral; multiply by :math:`n_0\psi_j\eta_L^{3/2}/W` for a density per energy. [1]
    """
    L = log_tunnel_ratio(energy, p_low, W_J)
    pl = np.asarray(p_low, dtype=float)
    series = np.zeros_like(L)
    power = np.ones_like(pl)
    for k in range(1, terms + 1):
        power = power * pl  # p_l^k
        series = series + math.comb(2 * k, k) / 4.0**k * power / k * (1.0 - 2.0 / (3.0 * k * L))
    inv_cbrt = 1.0 / np.cbrt(L)
    return 6.0 * inv_cbrt + inv_cbrt / L * series


def stm_density_of_states(p: ArrayLike, *, P_bar: float) -> FloatArray:
    r"""Standard tunnelling model density, :math:`P(E, p) = \bar P/(2p\sqrt{1-p})` (from (1.2)).

    Parameters
    ----------
    p
        :math:`(\Delta_0/E)^2` in (0, 1). [1]
    P_bar
        :math:`\bar P`, density per unit asymmetry and unit :math:`\ln\Delta_0`. [J-1 m-3]

    Returns
    -------
    ndarray
        :math:`P(E, p)`, independent of :math:`E`. [J-1 m-3]
    """
    scale = float(check_positive("P_bar", P_bar, "J-1 m-3"))
    p_arr = check_p(p)
    return scale / (2.0 * p_arr * np.sqrt(1.0 - p_arr))
