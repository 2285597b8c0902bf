r"""The glass's response: strain, heat, α, C and Γ from the relaxing TLS, the phonons and the
conduction electrons (docs/physics.md §6).

This module is the one home of the response physics; the runs, sweeps, fits and the metallic
glass experiment of :mod:`protocols` call it and only wire its arrays into datasets.

* A **trajectory** (:class:`Trajectory`) is what a temperature history does to the glass: the
  TLS strain and heat per type from the engine (:mod:`dynamics.propagation`), plus the heat of
  the phonons and of the electrons, which follow the temperature at once.
* :func:`step_coefficients` and :func:`staircase_coefficients` read α, C and Γ off a step or
  a staircase (docs/physics.md §6: α = ε/ΔT, C = U/ΔT, Γ = Kα/C, and Γ with the equilibrium C of the
  same step, the paper's convention).
* :func:`gamma_point` is Γ(τ_expt) at one temperature, the linear response to an infinitesimal
  step: every Γ(τ_expt), sweep, metallic-glass and fit computation goes through it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.electrons import (
    bcs_gap,
    electron_energy,
    electron_expansion_coefficient,
    electron_heat_capacity,
    electron_strain,
)
from dynamics.ensemble import Ensemble, Resolution, build_ensemble
from dynamics.glass import Glass, TLSModel
from dynamics.propagation import Response, equilibrium_heat_capacity, linear_response
from dynamics.rates import tau_min
from dynamics.thermal import debye_energy, occupation_difference
from dynamics.validation import check_positive

FloatArray = NDArray[np.float64]


# ---------------------------------------------------------------------------------------------
# trajectories


@dataclass(frozen=True)
class Trajectory:
    """What a temperature history did to the glass, at the output times.

    Attributes
    ----------
    response
        The TLS: times [s], temperature [K], strain [1] and heat [J m-3] per type.
    heat_phonon
        Heat held by the phonons relative to the start. [J m-3]
    heat_electron
        Heat held by the conduction electrons relative to the start; ``None`` for an
        insulating glass. [J m-3]
    heat_to_bath
        Heat that left an isolated sample through its link since t = 0; ``None`` where the
        temperature is imposed. [J m-3]
    """

    response: Response
    heat_phonon: FloatArray
    heat_electron: FloatArray | None = None
    heat_to_bath: FloatArray | None = None


def phonon_heat(temperature: ArrayLike, initial_temperature: float, model: TLSModel) -> FloatArray:
    r"""Debye phonon heat relative to :math:`T_0`: :math:`\beta(T^4 - T_0^4)/4`.

    Parameters
    ----------
    temperature
        Temperatures. [K]
    initial_temperature
        :math:`T_0`. [K]
    model
        The glass (its ``debye_coefficient`` :math:`\beta` [J m-3 K-4]).

    Returns
    -------
    ndarray
        [J m-3]
    """
    beta = model.debye_coefficient
    return np.asarray(
        debye_energy(temperature, beta) - debye_energy(initial_temperature, beta), dtype=float
    )


def electron_heat(
    temperature: ArrayLike, initial_temperature: float, model: TLSModel
) -> FloatArray | None:
    r"""Conduction-electron heat relative to :math:`T_0`, :math:`U_e(T) - U_e(T_0)` (BCS below
    :math:`T_c`); ``None`` for an insulating glass.

    Parameters
    ----------
    temperature
        Temperatures. [K]
    initial_temperature
        :math:`T_0`. [K]
    model
        The glass (``electron_dos`` [J-1 m-3], ``critical_temperature`` [K]).

    Returns
    -------
    ndarray or None
        [J m-3]
    """
    dos = _electron_dos(model)
    if dos == 0.0:
        return None
    u = electron_energy(
        np.concatenate([[initial_temperature], np.asarray(temperature, dtype=float)]),
        electron_dos=dos,
        critical_temperature=model.critical_temperature,
    )
    return np.asarray(u[1:] - u[0], dtype=float)


def imposed_trajectory(
    model: TLSModel, response: Response, initial_temperature: float
) -> Trajectory:
    """The trajectory of a glass whose temperature is imposed: phonons and electrons follow it.

    Parameters
    ----------
    model
        The glass.
    response
        The TLS response from :func:`dynamics.propagation.propagate`.
    initial_temperature
        Equilibrium temperature before t = 0. [K]
    """
    return Trajectory(
        response=response,
        heat_phonon=phonon_heat(response.temperature, initial_temperature, model),
        heat_electron=electron_heat(response.temperature, initial_temperature, model),
    )


def phonon_strain(heat_phonon: ArrayLike, model: TLSModel) -> FloatArray:
    r"""Strain of the phonons, :math:`\varepsilon_{ph} = \gamma_{ph} U_{ph}/K` (Grüneisen's law).

    Parameters
    ----------
    heat_phonon
        Phonon heat relative to the start. [J m-3]
    model
        The glass (``phonon_gruneisen`` [1], ``bulk_modulus`` [Pa]).

    Returns
    -------
    ndarray
        [1]
    """
    return np.asarray(model.phonon_gruneisen * np.asarray(heat_phonon) / model.bulk_modulus)


def conduction_electron_strain(
    temperature: ArrayLike, initial_temperature: float, model: TLSModel
) -> FloatArray | None:
    r"""Strain of the conduction electrons relative to :math:`T_0`,
    :math:`\varepsilon_e = -(\Lambda'/K)[U_e(T) - U_e(T_0)]`; ``None`` for an insulating glass.

    Parameters
    ----------
    temperature
        Temperatures. [K]
    initial_temperature
        :math:`T_0`. [K]
    model
        The glass.

    Returns
    -------
    ndarray or None
        [1]
    """
    if not isinstance(model, Glass) or model.electron_dos == 0:
        return None
    return np.asarray(
        electron_strain(
            temperature,
            initial_temperature,
            electron_dos=model.electron_dos,
            deformation_slope=model.electron_deformation_slope,
            bulk_modulus=model.bulk_modulus,
            critical_temperature=model.critical_temperature,
        ),
        dtype=float,
    )


def _electron_dos(model: TLSModel) -> float:
    return float(model.electron_dos) if isinstance(model, Glass) else 0.0


# ---------------------------------------------------------------------------------------------
# reading α, C and Γ off steps


def step_heat(ensemble: Ensemble, temperature_low: float, temperature_high: float) -> float:
    r"""Equilibrium heat of all TLS (bins and frozen tail) between two temperatures,
    :math:`\sum N E\,[n_{eq}(T_{high}) - n_{eq}(T_{low})]` per volume.

    Parameters
    ----------
    ensemble
        The bins.
    temperature_low, temperature_high
        The step's ends. [K]

    Returns
    -------
    float
        [J m-3]; NaN where the tail has no finite heat (the standard tunnelling model, whose
        :math:`C(\infty)` diverges).
    """
    bins = (
        ensemble.number_density
        * ensemble.energy
        * occupation_difference(ensemble.energy, temperature_high, temperature_low)
    )
    tail = (
        ensemble.tail_number_density
        * ensemble.tail_energy
        * occupation_difference(ensemble.tail_energy, temperature_high, temperature_low)
    )
    if not np.all(np.isfinite(tail)):
        return math.nan
    return float(bins.sum() + tail.sum())


@dataclass(frozen=True)
class StepCoefficients:
    """α, C and Γ read off a step (along time) or a staircase (along its steps).

    Attributes
    ----------
    alpha
        :math:`\\varepsilon/\\Delta T` of the TLS. [K-1]
    heat_capacity
        :math:`U/\\Delta T` of the TLS. [J m-3 K-1]
    gruneisen
        :math:`K\\alpha/C`. [1]
    heat_capacity_equilibrium
        Equilibrium heat of the same step over :math:`\\Delta T`. [J m-3 K-1]
    gruneisen_equilibrium
        :math:`K\\alpha/C(\\infty)`, the paper's convention. [1]
    """

    alpha: FloatArray
    heat_capacity: FloatArray
    gruneisen: FloatArray
    heat_capacity_equilibrium: FloatArray
    gruneisen_equilibrium: FloatArray


def step_coefficients(
    strain: ArrayLike,
    heat: ArrayLike,
    delta_T: float,
    heat_equilibrium: ArrayLike,
    bulk_modulus: float,
) -> StepCoefficients:
    r"""α, C and Γ of a step :math:`\Delta T` from the TLS strain and heat it caused
    (docs/physics.md §6).

    Parameters
    ----------
    strain
        TLS strain caused by the step. [1]
    heat
        TLS heat taken up. [J m-3]
    delta_T
        The step, signed. [K]
    heat_equilibrium
        Equilibrium TLS heat of the same step (:func:`step_heat`, signed like ``delta_T``).
        [J m-3]
    bulk_modulus
        :math:`K`. [Pa]

    Returns
    -------
    StepCoefficients
        Γ is NaN where no heat has been taken up yet.
    """
    eps = np.asarray(strain, dtype=float)
    u = np.asarray(heat, dtype=float)
    c_eq = np.asarray(heat_equilibrium, dtype=float) / delta_T
    with np.errstate(divide="ignore", invalid="ignore"):
        gruneisen = np.where(u != 0, bulk_modulus * eps / np.where(u != 0, u, 1.0), np.nan)
    return StepCoefficients(
        alpha=eps / delta_T,
        heat_capacity=u / delta_T,
        gruneisen=gruneisen,
        heat_capacity_equilibrium=c_eq,
        gruneisen_equilibrium=bulk_modulus * eps / (c_eq * delta_T),
    )


def staircase_coefficients(
    ensemble: Ensemble,
    strain_at_ends: ArrayLike,
    heat_at_ends: ArrayLike,
    start_temperature: float,
    delta_T: float,
    levels: ArrayLike,
    bulk_modulus: float,
) -> StepCoefficients:
    r"""α, C and Γ of each step of a staircase, from the change of TLS strain and heat over its
    dwell (what a dilatometer reads at the end of each dwell).

    Parameters
    ----------
    ensemble
        The bins (for the equilibrium heat of each step).
    strain_at_ends, heat_at_ends
        TLS strain [1] and heat [J m-3] at the end of each dwell, relative to t = 0.
    start_temperature
        Equilibrium temperature before the first step. [K]
    delta_T
        Size of each step, signed. [K]
    levels
        Temperature of each dwell. [K]
    bulk_modulus
        :math:`K`. [Pa]

    Returns
    -------
    StepCoefficients
        Along the steps.
    """
    t = np.asarray(levels, dtype=float)
    before = np.concatenate([[start_temperature], t[:-1]])
    d_eps = np.diff(np.concatenate([[0.0], np.asarray(strain_at_ends, dtype=float)]))
    d_heat = np.diff(np.concatenate([[0.0], np.asarray(heat_at_ends, dtype=float)]))
    heat_eq = np.array(
        [step_heat(ensemble, min(a, b), max(a, b)) for a, b in zip(before, t, strict=True)]
    )
    c_eq = heat_eq / np.abs(t - before)
    return StepCoefficients(
        alpha=d_eps / delta_T,
        heat_capacity=d_heat / delta_T,
        gruneisen=bulk_modulus * d_eps / d_heat,
        heat_capacity_equilibrium=c_eq,
        gruneisen_equilibrium=bulk_modulus * d_eps / (c_eq * delta_T),
    )


def pulse_rise(model: TLSModel, bath_temperature: float, tau_link: float, energy: float) -> float:
    r"""Temperature rise of a heat pulse given by its energy: :math:`\Delta T = Q/C`, with
    :math:`C` the heat capacity that equilibrates within the link's time constant (phonons plus
    the TLS relaxed by :math:`\tau_{link}`, at the bath temperature).

    Parameters
    ----------
    model
        The glass.
    bath_temperature
        :math:`T_{bath}`. [K]
    tau_link
        Time constant of the link. [s]
    energy
        Heat deposited per volume :math:`Q`. [J m-3]

    Returns
    -------
    float
        :math:`\Delta T`. [K]
    """
    t = float(check_positive("T_bath", bath_temperature, "K"))
    ens = build_ensemble(model, t, t, tau_link)
    _, c_tls = linear_response(ens, t, np.array([tau_link]))
    c_total = float(c_tls.sum()) + model.debye_coefficient * t**3
    return float(energy) / c_total


# ---------------------------------------------------------------------------------------------
# Γ(τ_expt) at one temperature


@dataclass(frozen=True)
class GammaPoint:
    """The linear response at one temperature, summed over TLS types.

    Attributes
    ----------
    alpha
        α(τ_expt). [K-1]
    heat_capacity
        C(τ_expt). [J m-3 K-1]
    gruneisen
        Kα/C(τ_expt). [1]
    gruneisen_equilibrium
        Kα/C(∞). [1]
    heat_capacity_equilibrium
        C(∞). [J m-3 K-1]
    tau_min
        τ_m(E = k_BT, T). [s]
    """

    alpha: FloatArray
    heat_capacity: FloatArray
    gruneisen: FloatArray
    gruneisen_equilibrium: FloatArray
    heat_capacity_equilibrium: float
    tau_min: float


def gamma_point(
    glass: Glass,
    temperature: float,
    tau_expt: FloatArray,
    resolution: Resolution | None = None,
) -> GammaPoint:
    r"""Γ(τ_expt) at one temperature: the response to an infinitesimal heat step at t = 0.

    :math:`\alpha(\tau) = \varepsilon(\tau)/\Delta T`, :math:`C(\tau) = U(\tau)/\Delta T`
    (:func:`dynamics.propagation.linear_response`, exact for exponential relaxation),
    :math:`\Gamma = K\alpha/C` with :math:`C(\tau_{expt})` and with :math:`C(\infty)` (the
    paper's footnote 44).

    Parameters
    ----------
    glass
        A soft-potential glass (asymptotic or exact spectra).
    temperature
        :math:`T`. [K]
    tau_expt
        Durations of the experiment, non-decreasing (checked by the caller). [s]
    resolution
        Quadrature resolution (the converged default if omitted).

    Returns
    -------
    GammaPoint
    """
    t = float(temperature)
    ens = build_ensemble(glass, t, t, float(tau_expt[-1]), resolution)
    alpha, heat_capacity = linear_response(ens, t, tau_expt)
    a, c = alpha.sum(0), heat_capacity.sum(0)
    c_eq = float(equilibrium_heat_capacity(ens, t).sum())
    return GammaPoint(
        alpha=a,
        heat_capacity=c,
        gruneisen=glass.bulk_modulus * a / c,
        gruneisen_equilibrium=glass.bulk_modulus * a / c_eq,
        heat_capacity_equilibrium=c_eq,
        tau_min=float(tau_min(t, glass.A)),
    )


# ---------------------------------------------------------------------------------------------
# a metallic glass through T_c (paper Sec. VII)


@dataclass(frozen=True)
class MetallicResponse:
    """TLS and conduction electrons of a metallic glass against temperature (rows) and τ_expt
    (columns).

    Attributes
    ----------
    alpha_tls, heat_capacity
        TLS α [K-1] and C [J m-3 K-1] after a small step, relaxed over τ_expt.
    alpha_electron, heat_capacity_electron
        Electron α [K-1] and C [J m-3 K-1] (instantaneous; BCS below :math:`T_c`).
    alpha_total
        TLS and electrons. [K-1]
    gruneisen
        TLS alone, :math:`K\\alpha/C`. [1]
    gruneisen_total
        :math:`K\\alpha_{total}/(C_{TLS} + C_e)`. [1]
    superconducting_gap
        BCS gap :math:`\\Delta_s/k_B` (0 in the normal state). [K]
    tau_min
        τ_min at each temperature. [s]
    """

    alpha_tls: FloatArray
    heat_capacity: FloatArray
    alpha_electron: FloatArray
    heat_capacity_electron: FloatArray
    alpha_total: FloatArray
    gruneisen: FloatArray
    gruneisen_total: FloatArray
    superconducting_gap: FloatArray
    tau_min: FloatArray


def metallic_response(
    glass: Glass,
    temperature: FloatArray,
    tau_expt: FloatArray,
    resolution: Resolution | None = None,
) -> MetallicResponse:
    r"""α and Γ of a metallic glass at each temperature: the TLS respond to a small step over
    τ_expt (relaxing by phonons and, in the normal state, by electrons) while the electrons
    follow at once, :math:`\alpha_e = -\Lambda' C_e/K` ((7.3) with the BCS :math:`C_e` below
    :math:`T_c`; the volume dependence of :math:`T_c` is neglected).

    Parameters
    ----------
    glass
        A soft-potential glass with ``electron_dos`` > 0 (checked by the caller).
    temperature
        Temperatures. [K]
    tau_expt
        Durations of the experiment, non-decreasing. [s]
    resolution
        Quadrature resolution.

    Returns
    -------
    MetallicResponse
    """
    temps = np.asarray(temperature, dtype=float)
    points = [gamma_point(glass, t, tau_expt, resolution) for t in temps]
    a_tls = np.array([p.alpha for p in points])
    c_tls = np.array([p.heat_capacity for p in points])
    kw = {"electron_dos": glass.electron_dos, "critical_temperature": glass.critical_temperature}
    c_e = electron_heat_capacity(temps, **kw)
    a_e = electron_expansion_coefficient(
        temps,
        deformation_slope=glass.electron_deformation_slope,
        bulk_modulus=glass.bulk_modulus,
        **kw,
    )
    gap = (
        bcs_gap(temps, glass.critical_temperature)
        if glass.critical_temperature > 0
        else np.zeros_like(temps)
    )
    total = a_tls + a_e[:, None]
    return MetallicResponse(
        alpha_tls=a_tls,
        heat_capacity=c_tls,
        alpha_electron=a_e,
        heat_capacity_electron=c_e,
        alpha_total=total,
        gruneisen=glass.bulk_modulus * a_tls / c_tls,
        gruneisen_total=glass.bulk_modulus * total / (c_tls + c_e[:, None]),
        superconducting_gap=gap,
        tau_min=np.asarray(tau_min(temps, glass.A), dtype=float),
    )
