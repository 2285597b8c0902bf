r"""The glass's response: strain, heat, α, C and Γ from the relaxing TLS, the phonons and the
conduction electrons (docs/physics.md §6).

This module is the one home of the response physics; the runs, sweeps, fits and the metallic
glass experiment of :mod:`protocols` call it and only wire its arrays into datasets.

* A **trajectory** (:class:`Trajectory`) is what a temperature history does to the glass: the
  TLS strain and heat per type from the engine (:mod:`dynamics.propagation`), plus the heat of
  what follows the temperature at once: the phonons, the electrons of a metallic glass, and the
  instantaneous parts of a soft-potential glass (:mod:`dynamics.instantaneous`).
* :func:`step_coefficients` and :func:`staircase_coefficients` read α, C and Γ off a step or
  a staircase (docs/physics.md §6: α = ε/ΔT, C = U/ΔT, Γ = Kα/C, and Γ with the equilibrium C
  of the same step, the paper's convention).
* :func:`step_response` is the linear response to an infinitesimal step at many temperatures
  and durations in one call; :func:`gamma_point` is the same at one temperature. Every
  Γ(τ_expt), sweep, metallic-glass and fit computation goes through them; :func:`gruneisen`
  is the one place where :math:`\Gamma = K\alpha/C` is formed.

**The linear response.** After an infinitesimal step :math:`\Delta T` at :math:`t = 0` every
TLS relaxes exactly, :math:`\delta n/\Delta T = (\partial n_{eq}/\partial T)(1 - e^{-kt})` with
the bin's rate :math:`k(T)` (:mod:`dynamics.rates`), so

.. math:: \alpha_j(T, t) = -\frac1K\sum_{b\in j} w_b D_b\,\frac{\partial n_{eq}}{\partial T}
          (1 - e^{-k_bt}), \qquad
          C_j(T, t) = \sum_{b\in j} w_b E_b\,\frac{\partial n_{eq}}{\partial T}(1 - e^{-k_bt}),

:math:`C_j(\infty)` the same with every TLS relaxed (bins and the closed-form tail), and
:math:`\Gamma = K\alpha/C(\tau_\mathrm{expt})` or :math:`K\alpha/C(\infty)`.

**One kernel for both spectra.** :func:`step_response` evaluates these at each temperature on
the very bins :func:`dynamics.ensemble.build_ensemble` makes for it (a run at constant
:math:`T` lasting the longest :math:`\tau_\mathrm{expt}`), exact or asymptotic alike: the rows
of the ensemble's observation matrix (strain and heat of each type per bin) times
:math:`\partial n_{eq}/\partial T` are the weights, reduced against
:math:`1 - e^{-k_b\tau}` for every :math:`\tau` at once
(:func:`dynamics.propagation._linear_response`); further rows (e.g. bins classed by their
mechanism) would add rows to that matrix, not a kernel. The bins are those of the glass's
*reference* (:func:`response_scale`): ``c``, ``eta_L``, ``N0``, ``psi`` and ``K`` only scale
the response, so glasses that differ in them share one reference, and a sweep or a fit over
them builds its bins once per temperature. No xarray (that belongs to :mod:`protocols`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.electrons import (
    bcs_gap,
    electron_expansion_coefficient,
    electron_heat_capacity,
    electron_heat_content,
    electron_heat_content_function,
    electron_strain,
)
from dynamics.ensemble import build_ensemble
from dynamics.glass import Glass, GlassModel, TLSModel, TunnellingGlass, has_instantaneous_parts
from dynamics.propagation import (
    Response,
    _equilibrium_heat_capacity,
    _linear_response,
    _observe_relaxation,
    _occupation_derivative,
    propagate_isolated,
)
from dynamics.quadrature import Ensemble, Resolution, has_activation
from dynamics.rates import _rates, activation_dominates, tau_min
from dynamics.thermal import debye_heat_content, occupation_difference
from dynamics.validation import ParameterError, check_positive, check_range

if TYPE_CHECKING:
    from dynamics.instantaneous import PartCurves

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
    heat_instantaneous
        Heat held by each instantaneous part (:data:`dynamics.instantaneous.INSTANTANEOUS_PARTS`)
        relative to the start, shape (parts, time); ``None`` for a glass without them. [J m-3]
    strain_instantaneous
        Volume strain of each instantaneous part relative to the start, shape (parts, time);
        ``None`` for a glass without them. [1]
    """

    response: Response
    heat_phonon: FloatArray
    heat_electron: FloatArray | None = None
    heat_to_bath: FloatArray | None = None
    heat_instantaneous: FloatArray | None = None
    strain_instantaneous: FloatArray | None = None


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
        debye_heat_content(temperature, beta) - debye_heat_content(initial_temperature, beta),
        dtype=float,
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
    u = electron_heat_content(
        np.concatenate([[initial_temperature], np.asarray(temperature, dtype=float)]),
        electron_dos=dos,
        critical_temperature=model.critical_temperature,
    )
    return np.asarray(u[1:] - u[0], dtype=float)


def _instantaneous_parts(
    model: TLSModel,
    temperature: FloatArray,
    initial_temperature: float,
    curves: PartCurves | None = None,
) -> dict[str, FloatArray]:
    """Heat [J m-3] and strain [1] of each instantaneous part from ``initial_temperature`` [K] to
    ``temperature`` [K] (:func:`dynamics.instantaneous.instantaneous_heat`,
    :func:`~dynamics.instantaneous.instantaneous_strain`) as :class:`Trajectory` fields, from
    one set of the glass's part curves (``curves``, computed if omitted); empty for a glass
    without them."""
    if not has_instantaneous_parts(model):
        return {}
    # the level table only where needed
    from dynamics.instantaneous import glass_part_curves, instantaneous_heat, instantaneous_strain

    own = curves if curves is not None else glass_part_curves(model)
    return {
        "heat_instantaneous": instantaneous_heat(model, temperature, initial_temperature, own),
        "strain_instantaneous": instantaneous_strain(model, temperature, initial_temperature, own),
    }


def imposed_trajectory(
    model: TLSModel, response: Response, initial_temperature: float
) -> Trajectory:
    """The trajectory of a glass whose temperature is imposed: what follows it at once (phonons,
    electrons, the instantaneous parts of a soft-potential glass) takes its heat from it.

    Parameters
    ----------
    model
        The glass.
    response
        The TLS response from :func:`dynamics.propagation.propagate`.
    initial_temperature
        Equilibrium temperature before t = 0. [K]
    """
    temps = response.temperature
    return Trajectory(
        response=response,
        heat_phonon=phonon_heat(temps, initial_temperature, model),
        heat_electron=electron_heat(temps, initial_temperature, model),
        **_instantaneous_parts(model, temps, initial_temperature),
    )


def isolated_trajectory(
    model: TLSModel,
    ensemble: Ensemble,
    bath_temperature: float,
    heat_density: float,
    times: ArrayLike,
    *,
    temperature_high: float,
    link_conductance: float = 0.0,
    rtol: float = 1e-6,
    progress: Callable[[float], None] | None = None,
) -> Trajectory:
    r"""The trajectory of an isolated sample after a heat pulse
    (:func:`dynamics.propagation.propagate_isolated`): the reservoir that takes the heat at once
    holds the phonons and :math:`U_r(T)`, the conduction electrons (BCS below :math:`T_c`) and
    the instantaneous parts of a soft-potential glass, and their heats are read off the same
    functions the energy balance used, so that the account closes to rounding.

    Parameters
    ----------
    model
        The glass.
    ensemble
        Its bins.
    bath_temperature
        :math:`T_b`. [K]
    heat_density
        Heat deposited per volume at t = 0. [J m-3]
    times
        Output times > 0. [s]
    temperature_high
        An upper bound of the sample temperature (the phonons' alone after the deposit). [K]
    link_conductance
        Conductance of the link to the bath per volume. [W m-3 K-1]
    rtol
        Relative tolerance of a step. [1]
    progress
        Called with the fraction done.
    """
    u_e = _electron_heat_content_function(model, bath_temperature, temperature_high)
    u_i, curves = None, None
    if has_instantaneous_parts(model):
        from dynamics.instantaneous import glass_part_curves, instantaneous_heat_content_function

        curves = glass_part_curves(model)
        u_i = instantaneous_heat_content_function(model, curves)
    reservoir = [u for u in (u_e, u_i) if u is not None]
    iso = propagate_isolated(
        ensemble,
        bath_temperature,
        heat_density,
        model.debye_coefficient,
        times,
        link_conductance=link_conductance,
        reservoir_heat_content=(lambda t: sum(u(t) for u in reservoir)) if reservoir else None,
        rtol=rtol,
        progress=progress,
    )
    temps = iso.temperature
    return Trajectory(
        response=iso,
        heat_phonon=iso.heat_phonon,
        heat_electron=None
        if u_e is None
        else np.array([u_e(x) - u_e(bath_temperature) for x in temps]),
        heat_to_bath=iso.heat_to_bath,
        **_instantaneous_parts(model, temps, bath_temperature, curves),
    )


def _electron_heat_content_function(
    model: TLSModel, temperature_low: float, temperature_high: float
) -> Callable[[float], float] | None:
    """:func:`dynamics.electrons.electron_heat_content_function` of a metallic glass between two
    temperatures [K]; None for an insulator."""
    dos = _electron_dos(model)
    if dos == 0.0:
        return None
    return electron_heat_content_function(
        temperature_low,
        temperature_high,
        electron_dos=dos,
        critical_temperature=model.critical_temperature,
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
    return StepCoefficients(
        alpha=eps / delta_T,
        heat_capacity=u / delta_T,
        gruneisen=gruneisen(bulk_modulus, eps, u),
        heat_capacity_equilibrium=c_eq,
        gruneisen_equilibrium=gruneisen(bulk_modulus, eps, c_eq * delta_T),
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
        gruneisen=gruneisen(bulk_modulus, d_eps, d_heat),
        heat_capacity_equilibrium=c_eq,
        gruneisen_equilibrium=gruneisen(bulk_modulus, d_eps, c_eq * delta_T),
    )


def pulse_rise(model: TLSModel, bath_temperature: float, tau_link: float, energy: float) -> float:
    r"""Temperature rise of a heat pulse given by its energy: :math:`\Delta T = Q/C`, with
    :math:`C` the heat capacity that equilibrates within the link's time constant at the bath
    temperature: the TLS relaxed by :math:`\tau_{link}`, and what follows the temperature at
    once (phonons, the electrons of a metallic glass, the instantaneous parts of a
    soft-potential glass).

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
    c_tls = float(step_response(model, [t], [tau_link]).heat_capacity[0, 0])
    c_total = c_tls + model.debye_coefficient * t**3
    dos = _electron_dos(model)
    if dos > 0:
        c_total += float(
            electron_heat_capacity(
                t, electron_dos=dos, critical_temperature=model.critical_temperature
            )
        )
    if has_instantaneous_parts(model):
        from dynamics.instantaneous import instantaneous_heat_capacity

        c_total += float(instantaneous_heat_capacity(model, t)[0])
    return float(energy) / c_total


# ---------------------------------------------------------------------------------------------
# the linear response to an infinitesimal step, at many temperatures and durations


def gruneisen(bulk_modulus: float, alpha: ArrayLike, heat_capacity: ArrayLike) -> FloatArray:
    r"""The Grüneisen parameter :math:`\Gamma = K\alpha/C` (docs/physics.md §6; the one place it
    is computed), NaN where :math:`C = 0` (no heat taken up yet).

    Parameters
    ----------
    bulk_modulus
        :math:`K`. [Pa]
    alpha
        Volume expansion coefficient (or strain). [K-1] (or [1])
    heat_capacity
        Heat capacity (or heat, in the same proportion as ``alpha``). [J m-3 K-1] (or [J m-3])

    Returns
    -------
    ndarray
        :math:`\Gamma`. [1]
    """
    numerator = bulk_modulus * np.asarray(alpha, dtype=float)
    c = np.asarray(heat_capacity, dtype=float)
    out = np.full(np.broadcast_shapes(numerator.shape, c.shape), np.nan)
    return np.divide(numerator, c, out=out, where=c != 0)


@dataclass(frozen=True)
class StepResponse:
    r"""Response per unit step, on a grid of temperatures and durations.

    Attributes
    ----------
    temperature
        :math:`T`, shape (n_T,). [K]
    tau_expt
        :math:`\tau_\mathrm{expt}`, shape (n_tau,). [s]
    alpha_by_type
        :math:`\alpha_j(T, \tau_\mathrm{expt})`, shape (n_types, n_T, n_tau). [K-1]
    heat_capacity_by_type
        :math:`C_j(T, \tau_\mathrm{expt})`, shape (n_types, n_T, n_tau). [J m-3 K-1]
    heat_capacity_equilibrium_by_type
        :math:`C_j(T, \infty)`, shape (n_types, n_T). [J m-3 K-1]
    tls_types
        Names of the types.
    bulk_modulus
        :math:`K`. [Pa]
    relaxators
        The share of the *relaxators* in the arrays above (the bins whose thermally activated
        rate exceeds their tunnelling rate at each temperature,
        :func:`dynamics.rates.activation_dominates`), as a response of the same shape; ``None``
        for a glass without activation (no relaxators).
    """

    temperature: FloatArray
    tau_expt: FloatArray
    alpha_by_type: FloatArray
    heat_capacity_by_type: FloatArray
    heat_capacity_equilibrium_by_type: FloatArray
    tls_types: tuple[str, ...]
    bulk_modulus: float
    relaxators: StepResponse | None = None

    @property
    def alpha(self) -> FloatArray:
        """:math:`\\alpha` of all TLS, shape (n_T, n_tau). [K-1]"""
        return np.asarray(self.alpha_by_type.sum(0))

    @property
    def heat_capacity(self) -> FloatArray:
        """:math:`C(\\tau_\\mathrm{expt})` of all TLS, shape (n_T, n_tau). [J m-3 K-1]"""
        return np.asarray(self.heat_capacity_by_type.sum(0))

    @property
    def heat_capacity_equilibrium(self) -> FloatArray:
        """:math:`C(\\infty)` of all TLS, shape (n_T,). [J m-3 K-1]"""
        return np.asarray(self.heat_capacity_equilibrium_by_type.sum(0))

    @property
    def gruneisen(self) -> FloatArray:
        """:math:`\\Gamma = K\\alpha/C(\\tau_\\mathrm{expt})`, shape (n_T, n_tau). [1]"""
        return gruneisen(self.bulk_modulus, self.alpha, self.heat_capacity)

    @property
    def gruneisen_equilibrium(self) -> FloatArray:
        """:math:`\\Gamma = K\\alpha/C(\\infty)` (the paper's convention), (n_T, n_tau). [1]"""
        return gruneisen(self.bulk_modulus, self.alpha, self.heat_capacity_equilibrium[:, None])

    def scaled(self, scale: ResponseScale) -> StepResponse:
        """The response of a glass whose scale factors (:func:`response_scale`) are ``scale``,
        from this response of its reference glass: α and C of each type times their factor
        (the relaxators' share too)."""
        return dataclasses.replace(
            self,
            relaxators=None if self.relaxators is None else self.relaxators.scaled(scale),
            alpha_by_type=self.alpha_by_type * np.asarray(scale.strain)[:, None, None],
            heat_capacity_by_type=self.heat_capacity_by_type
            * np.asarray(scale.heat)[:, None, None],
            heat_capacity_equilibrium_by_type=self.heat_capacity_equilibrium_by_type
            * np.asarray(scale.heat)[:, None],
            bulk_modulus=scale.bulk_modulus,
        )


@dataclass(frozen=True)
class ResponseScale:
    r"""What the parameters that only scale the TLS response do to it (:func:`response_scale`).

    Attributes
    ----------
    strain
        Factor on :math:`\alpha_j` of each type. [1]
    heat
        Factor on :math:`C_j` of each type (and on the number densities). [1]
    bulk_modulus
        :math:`K` of the glass. [Pa]
    """

    strain: tuple[float, ...]
    heat: tuple[float, ...]
    bulk_modulus: float


#: The fields of a soft-potential glass that enter the TLS response only as factors, and their
#: values in its reference glass (:func:`response_scale`): the deformation potential is
#: proportional to c/eta_L ((4.5), (4.11); the exact D and M through (3.8), (3.9)), the number
#: densities to N0 (type 2: psi N0, (5.1)), the strain to 1/K; the rates and the spectrum
#: depend on none of them (the coupling factor M^2/(p gamma_a^2) is a ratio). The phonon and
#: electron parameters do not enter the TLS at all.
SCALE_FIELDS: dict[str, float] = {
    "c": 0.5,
    "eta_L": 0.5,
    "N0": 1.0,
    "bulk_modulus": 1.0,
    "debye_coefficient": 0.0,
    "phonon_gruneisen": 0.0,
    "electron_dos": 0.0,
    "electron_deformation_slope": -2.0 / 3.0,
}
#: The same for the standard tunnelling model: its density P_bar and deformation potential gamma.
_STM_SCALE_FIELDS: dict[str, float] = {
    "P_bar": 1.0,
    "gamma": 1.0,
    "bulk_modulus": 1.0,
    "debye_coefficient": 0.0,
    "phonon_gruneisen": 0.0,
}


def scale_fields(model: TLSModel) -> frozenset[str]:
    """Names of the fields of ``model`` that only scale its TLS response (:func:`response_scale`;
    ``psi`` only while it stays > 0)."""
    if isinstance(model, TunnellingGlass):
        return frozenset(_STM_SCALE_FIELDS)
    return frozenset({*SCALE_FIELDS, "psi"})


def response_scale(model: TLSModel) -> tuple[GlassModel, ResponseScale]:
    r"""The reference glass of ``model`` and the factors that make its TLS response ``model``'s.

    Parameters that only scale the response (:data:`SCALE_FIELDS`) are set to fixed values in
    the reference (``psi`` to 1 unless it is 0), so that glasses differing only in them share
    one reference, whose bins are built once (a sweep or fit over ``c`` or ``N0``):

    .. math:: \alpha_j = \frac{c/\eta_L\;n_j}{K}\,\alpha_j^\mathrm{ref}, \qquad
              C_j = n_j\,C_j^\mathrm{ref}, \qquad n_1 = N_0,\ n_2 = \psi N_0

    (the reference has :math:`c/\eta_L = 1`, :math:`N_0 = 1`, :math:`K = 1`). Every response
    goes through it (:func:`step_response`), so a point of a sweep and the same glass alone give
    the same bits.

    Parameters
    ----------
    model
        The glass.

    Returns
    -------
    (reference, scale)
    """
    if isinstance(model, TunnellingGlass):
        reference: GlassModel = model.replace(name="reference", **_STM_SCALE_FIELDS)
        density: tuple[float, ...] = (model.P_bar,)
        strain: tuple[float, ...] = (model.gamma * model.P_bar / model.bulk_modulus,)
        return reference, ResponseScale(strain, density, float(model.bulk_modulus))
    assert isinstance(model, Glass)
    psi_ref = 1.0 if model.psi > 0 else 0.0
    reference = model.replace(name="reference", psi=psi_ref, **SCALE_FIELDS)
    density = (model.N0, model.psi * model.N0)
    coupling = model.c / model.eta_L
    strain = tuple(coupling * n / model.bulk_modulus for n in density)
    return reference, ResponseScale(strain, density, float(model.bulk_modulus))


def step_response(
    model: TLSModel,
    temperature: ArrayLike,
    tau_expt: ArrayLike,
    *,
    resolution: Resolution | None = None,
    progress: Callable[[float], None] | None = None,
) -> StepResponse:
    r""":math:`\alpha`, :math:`C(\tau_\mathrm{expt})` and :math:`C(\infty)` of each TLS type
    after an infinitesimal heat step, at every temperature and duration (module docstring).

    At each temperature the bins are those of a run at constant :math:`T` lasting
    :math:`\max\tau_\mathrm{expt}` (as :func:`protocols.run.gruneisen_vs_tau`), built for the
    reference glass (:func:`response_scale`) and scaled.

    Parameters
    ----------
    model
        A glass (:class:`dynamics.Glass` on either spectrum, or
        :class:`dynamics.TunnellingGlass`).
    temperature
        Temperatures, > 0, any order. [K]
    tau_expt
        Durations of the experiment, >= 0 (the longest > 0), any order. [s]
    resolution
        Quadrature resolution (the converged default if omitted).
    progress
        Called with the fraction of the temperatures done.

    Returns
    -------
    StepResponse
        Per type, on the grid temperature x tau_expt.
    """
    res = resolution if resolution is not None else Resolution()
    temps = np.atleast_1d(check_positive("temperature", temperature, "K")).astype(float).ravel()
    tau = check_range("tau_expt", tau_expt, 0.0, low_open=False, unit="s").astype(float)
    tau = np.atleast_1d(tau).ravel()
    if tau.size == 0 or temps.size == 0:
        raise ParameterError("temperature and tau_expt need at least one value each")
    if float(tau.max()) <= 0:
        raise ParameterError("tau_expt = 0 s everywhere; the longest must be > 0 [s]")
    reference, scale = response_scale(model)
    return _reference_response(reference, temps, tau, res, progress).scaled(scale)


def _reference_response(
    model: TLSModel,
    temperature: FloatArray,
    tau: FloatArray,
    resolution: Resolution,
    progress: Callable[[float], None] | None,
) -> StepResponse:
    r""":func:`step_response` of checked arrays: at each temperature :math:`T` the bins of a run
    at :math:`T` lasting :math:`\max\tau` (:func:`dynamics.ensemble.build_ensemble`, either
    spectrum), reduced by the observation matrix to the relaxed strain and heat of each type
    (:func:`dynamics.propagation._linear_response`) and :math:`C_j(\infty)`. Each temperature
    alone, the same operations whatever the others: a temperature gives the same bits alone or
    in a batch. With activation, the relaxators' share (:attr:`StepResponse.relaxators`) is the
    same reduction over the bins that :func:`dynamics.rates.activation_dominates` picks (the
    frozen tail counts as tunnelling systems)."""
    n_types = len(model.tls_types)
    alpha = np.zeros((n_types, temperature.size, tau.size))
    heat = np.zeros((n_types, temperature.size, tau.size))
    equilibrium = np.zeros((n_types, temperature.size))
    split = None
    if has_activation(model):
        split = [np.zeros_like(alpha), np.zeros_like(heat), np.zeros_like(equilibrium)]
    t_end = float(tau.max())
    for i, t in enumerate(temperature.tolist()):
        ens = build_ensemble(model, t, t, t_end, resolution)
        rows = _linear_response(ens, t, tau)
        alpha[:, i], heat[:, i] = rows[:n_types], rows[n_types:]
        equilibrium[:, i] = _equilibrium_heat_capacity(ens, t)
        if split is not None:
            rows, split[2][:, i] = _relaxator_rows(ens, t, tau)
            split[0][:, i], split[1][:, i] = rows[:n_types], rows[n_types:]
        if progress is not None:
            progress((i + 1) / temperature.size)
    relaxators = None
    if split is not None:
        a_r, c_r, eq_r = split
        relaxators = StepResponse(temperature, tau, a_r, c_r, eq_r, tuple(model.tls_types),
                                  float(model.bulk_modulus))  # fmt: skip
    return StepResponse(
        temperature=temperature,
        tau_expt=tau,
        alpha_by_type=alpha,
        heat_capacity_by_type=heat,
        heat_capacity_equilibrium_by_type=equilibrium,
        tls_types=tuple(model.tls_types),
        bulk_modulus=float(model.bulk_modulus),
        relaxators=relaxators,
    )


def _relaxator_rows(
    ensemble: Ensemble, temperature: float, tau: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""The rows of :func:`dynamics.propagation._linear_response` (strain, then heat, of each
    type; (rows, n_tau)) and :math:`C_j(\infty)` (n_types,) of the relaxators alone: the bins
    whose activated rate exceeds their tunnelling rate at ``temperature`` [K]."""
    constants = ensemble.rate_constants
    pick = activation_dominates(constants, temperature)
    weights = ensemble.observation_matrix[:, pick] * _occupation_derivative(
        ensemble.energy_kelvin[pick], temperature
    )
    rows = np.zeros((weights.shape[0], tau.size))
    if pick.any():
        _observe_relaxation(weights, _rates(constants, temperature)[pick], tau, rows)
    return rows, weights[len(ensemble.tls_types) :].sum(axis=1)


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
    r"""Γ(τ_expt) at one temperature: :func:`step_response` summed over the TLS types.

    :math:`\alpha(\tau) = \varepsilon(\tau)/\Delta T`, :math:`C(\tau) = U(\tau)/\Delta T`,
    :math:`\Gamma = K\alpha/C` with :math:`C(\tau_{expt})` and with :math:`C(\infty)` (the
    paper's footnote 44).

    Parameters
    ----------
    glass
        A soft-potential glass (asymptotic or exact spectra).
    temperature
        :math:`T`. [K]
    tau_expt
        Durations of the experiment. [s]
    resolution
        Quadrature resolution (the converged default if omitted).

    Returns
    -------
    GammaPoint
    """
    response = step_response(glass, [temperature], tau_expt, resolution=resolution)
    return GammaPoint(
        alpha=response.alpha[0],
        heat_capacity=response.heat_capacity[0],
        gruneisen=response.gruneisen[0],
        gruneisen_equilibrium=response.gruneisen_equilibrium[0],
        heat_capacity_equilibrium=float(response.heat_capacity_equilibrium[0]),
        tau_min=float(tau_min(float(temperature), glass.A)),
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
    progress: Callable[[float], None] | None = None,
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
    progress
        Called with the fraction done (:func:`step_response`).

    Returns
    -------
    MetallicResponse
    """
    temps = np.asarray(temperature, dtype=float)
    response = step_response(glass, temps, tau_expt, resolution=resolution, progress=progress)
    a_tls, c_tls = response.alpha, response.heat_capacity
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
        gruneisen=gruneisen(glass.bulk_modulus, a_tls, c_tls),
        gruneisen_total=gruneisen(glass.bulk_modulus, total, c_tls + c_e[:, None]),
        superconducting_gap=gap,
        tau_min=np.asarray(tau_min(temps, glass.A), dtype=float),
    )
