r"""Γ(τ_expt) split per TLS type into the even part of :math:`D` and the odd part (docs/exact.md).

In a group of mirror partners (``Ensemble.partner_group``) with number densities :math:`w_m`,
deformation potentials :math:`D_m` and responses :math:`\delta n_m` to a step, write
:math:`D_m = \bar D + (D_m - \bar D)` with :math:`\bar D = \sum w_m D_m/\sum w_m`, the even part.
Since :math:`\sum_m w_m (D_m - \bar D) = 0`,

.. math:: \sum_m w_m D_m\,\delta n_m = \bar D \sum_m w_m\,\delta n_m
          + \sum_m w_m (D_m - \bar D)(\delta n_m - \overline{\delta n}),

the even part times the partners' mean relaxation, plus the odd part times the differences of the
partners' relaxation (their rates; for the exact type-2 :math:`\pm\tilde R` partners also their
energies). Both parts go through the engine's own linear response
(:func:`dynamics.propagation.linear_response`), on the ensemble that
:func:`protocols.run.gruneisen_vs_tau` builds for the same glass, temperature and
:math:`\tau_\mathrm{expt}`, with :math:`D` replaced by :math:`\bar D` and by :math:`D - \bar D`;
they add up to its Γ to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.ensemble import Ensemble, Resolution, build_ensemble
from dynamics.glass import Glass
from dynamics.propagation import equilibrium_heat_capacity, linear_response
from dynamics.validation import ParameterError, check_positive

FloatArray = NDArray[np.float64]

__all__ = ["GruneisenParts", "decompose_ensemble", "even_odd_deformation", "gruneisen_parts"]


def even_odd_deformation(ensemble: Ensemble) -> tuple[FloatArray, FloatArray]:
    r"""Even part (the partner group's weighted mean :math:`\bar D`) and odd part
    (:math:`D - \bar D`) of every bin's deformation potential.

    Parameters
    ----------
    ensemble
        The bins; ``partner_group`` empty means every bin alone (odd part 0).

    Returns
    -------
    (even, odd)
        Per bin. [J]
    """
    d = ensemble.deformation
    groups = ensemble.partner_group
    if groups.size == 0:
        return d.copy(), np.zeros_like(d)
    if groups.size != d.size:
        raise ParameterError(
            f"partner_group has {groups.size} entries for {d.size} bins: not an ensemble's"
        )
    w = ensemble.number_density
    with np.errstate(invalid="ignore", divide="ignore"):  # numbers of groups without bins
        mean = np.bincount(groups, weights=w * d) / np.bincount(groups, weights=w)
    alone = np.bincount(groups)[groups] == 1
    even = np.where(alone, d, mean[groups])  # a bin alone is its own even part, exactly
    return even, d - even


@dataclass(frozen=True)
class GruneisenParts:
    r"""Γ(τ_expt) per TLS type in two parts (module docstring); ``even + odd`` summed over the
    types is the total Γ.

    Attributes
    ----------
    tau_expt
        Durations of the experiment. [s]
    tls_types
        Names of the types (first axis).
    even, odd
        :math:`K\alpha_{j}/C` of each part, shape (types, tau_expt). [1]
    heat_capacity
        The :math:`C` they are divided by, per :math:`\tau_\mathrm{expt}`. [J m-3 K-1]
    """

    tau_expt: FloatArray
    tls_types: tuple[str, ...]
    even: FloatArray
    odd: FloatArray
    heat_capacity: FloatArray

    @property
    def total(self) -> FloatArray:
        """Γ of all types, per :math:`\\tau_\\mathrm{expt}`: the sum of both parts. [1]"""
        return np.asarray((self.even + self.odd).sum(axis=0))


def gruneisen_parts(
    glass: Glass,
    temperature: float,
    tau_expt: ArrayLike,
    *,
    resolution: Resolution | None = None,
    heat_capacity: Literal["equilibrium", "expt"] = "equilibrium",
) -> GruneisenParts:
    r"""Γ(τ_expt) after an infinitesimal step at ``temperature``, split per type into the even part
    of :math:`D` times the mean relaxation and the odd part times the partner differences.

    Parameters
    ----------
    glass
        A soft-potential glass (asymptotic or exact spectra, any relaxation coupling).
    temperature
        :math:`T`. [K]
    tau_expt
        Non-decreasing durations of the experiment. [s]
    resolution
        Quadrature resolution (the converged default if omitted).
    heat_capacity
        ``"equilibrium"``: divide by :math:`C(\infty)` (the paper's convention, footnote 44);
        ``"expt"``: by :math:`C(\tau_\mathrm{expt})`.

    Returns
    -------
    GruneisenParts
    """
    if not isinstance(glass, Glass):
        raise ParameterError(f"glass = {glass!r} must be a soft-potential dynamics.Glass")
    if heat_capacity not in ("equilibrium", "expt"):
        raise ParameterError(
            f"heat_capacity = {heat_capacity!r} is not allowed; use 'equilibrium' or 'expt'"
        )
    t = float(check_positive("temperature", temperature, "K"))
    tau = np.atleast_1d(check_positive("tau_expt", tau_expt, "s")).astype(float)
    if np.any(np.diff(tau) < 0):
        raise ParameterError("tau_expt must be non-decreasing [s]")
    ens = build_ensemble(glass, t, t, float(tau[-1]), resolution)  # as gruneisen_vs_tau
    return decompose_ensemble(ens, t, tau, heat_capacity=heat_capacity)


def decompose_ensemble(
    ens: Ensemble,
    temperature: float,
    tau_expt: ArrayLike,
    *,
    heat_capacity: Literal["equilibrium", "expt"] = "equilibrium",
) -> GruneisenParts:
    r"""The parts of Γ(τ_expt) of given bins (:func:`gruneisen_parts` without building them).

    Parameters
    ----------
    ens
        The bins of a run at ``temperature`` lasting at least the longest ``tau_expt``.
    temperature
        :math:`T`. [K]
    tau_expt
        Durations of the experiment. [s]
    heat_capacity
        ``"equilibrium"`` (:math:`C(\infty)`) or ``"expt"`` (:math:`C(\tau_\mathrm{expt})`).

    Returns
    -------
    GruneisenParts
    """
    t = float(check_positive("temperature", temperature, "K"))
    tau = np.atleast_1d(check_positive("tau_expt", tau_expt, "s")).astype(float)
    even_d, odd_d = even_odd_deformation(ens)
    alpha_even, c_tau = linear_response(replace(ens, deformation=even_d), t, tau)
    alpha_odd, _ = linear_response(replace(ens, deformation=odd_d), t, tau)
    if heat_capacity == "equilibrium":
        c = np.full(tau.size, equilibrium_heat_capacity(ens, t).sum())
    else:
        c = c_tau.sum(axis=0)
    k = ens.bulk_modulus
    return GruneisenParts(
        tau_expt=tau,
        tls_types=ens.tls_types,
        even=k * alpha_even / c,
        odd=k * alpha_odd / c,
        heat_capacity=c,
    )
