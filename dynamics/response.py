r"""The glass's response: strain, heat, α, C and Γ from the relaxing TLS, the phonons and the
conduction electrons (docs/physics.md §6).

This module is the one home of the response physics; the runs, sweeps, fits and the metallic
glass experiment of :mod:`protocols` call it and only wire its arrays into datasets.

* A **trajectory** (:class:`Trajectory`) is what a temperature history does to the glass: the
  TLS strain and heat per type from the engine (:mod:`dynamics.propagation`), plus the heat of
  the phonons and of the electrons, which follow the temperature at once.
* :func:`step_coefficients` and :func:`staircase_coefficients` read α, C and Γ off a step or
  a staircase (docs/physics.md §6: α = ε/ΔT, C = U/ΔT, Γ = Kα/C, and Γ with the equilibrium C
  of the same step, the paper's convention).
* :func:`step_response` is the linear response to an infinitesimal step at many temperatures
  and durations in one call; :func:`gamma_point` is the same at one temperature. Every
  Γ(τ_expt), sweep, metallic-glass and fit computation goes through them.

**The linear response.** After an infinitesimal step :math:`\Delta T` at :math:`t = 0` every
TLS relaxes exactly, :math:`\delta n/\Delta T = (\partial n_{eq}/\partial T)(1 - e^{-kt})` with
:math:`k = p\,r(E, T)` (docs/physics.md §5, §6), so

.. math:: \alpha_j(T, t) = -\frac1K\sum_{b\in j} w_b D_b\,\frac{\partial n_{eq}}{\partial T}
          (1 - e^{-k_bt}), \qquad
          C_j(T, t) = \sum_{b\in j} w_b E_b\,\frac{\partial n_{eq}}{\partial T}(1 - e^{-k_bt}),

:math:`C_j(\infty)` the same with every TLS relaxed (bins and the closed-form tail), and
:math:`\Gamma = K\alpha/C(\tau_\mathrm{expt})` or :math:`K\alpha/C(\infty)`.

:func:`step_response` evaluates these on the very bins :func:`dynamics.ensemble.build_ensemble`
makes for each temperature (a run at constant :math:`T` lasting the longest
:math:`\tau_\mathrm{expt}`), so it equals the per-temperature path
(:func:`dynamics.propagation.linear_response` and
:func:`dynamics.propagation.equilibrium_heat_capacity`) to rounding, about 1e-13 relative
(tests/test_response.py). What makes it fast:

* the inputs are validated once per call, and the model's density, deformation potential and
  rate constants are evaluated once per call on the bins of all temperatures together;
* temperatures whose quadratures have the same shape (the same number of energy and p panels) are
  stacked into one regular array, so every operation is one numpy call for all of them;
* for the soft-potential glass on asymptotic spectra with the symmetric relaxation coupling, the
  per-bin arithmetic shares :math:`L` and :math:`L^{1/3}` between density (5.1), deformation
  potential (4.5), (4.11) and rate (4.10), and takes every factor that depends on (T, E) only out
  of it. This kernel (:func:`_glass_weights`) writes those formulas a second time, for speed;
  tests/test_response.py holds it to the model's own methods to 1e-12;
* the bins are built and relaxed in chunks small enough to stay in the CPU cache;
* no xarray (that belongs to :mod:`protocols`).

Models with bins of their own (exact spectra, :mod:`dynamics.exact`; mirror partners with an
interference coupling) go through :func:`~dynamics.ensemble.build_ensemble` per temperature,
with the same reduction.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.deformation import KAPPA1, KAPPA1_PRIME, KAPPA2
from dynamics.density import DENSITY_PREFACTOR
from dynamics.electrons import (
    bcs_gap,
    electron_expansion_coefficient,
    electron_heat_capacity,
    electron_heat_content,
    electron_rate_suppression,
    electron_strain,
)
from dynamics.ensemble import build_ensemble
from dynamics.glass import Glass, TLSModel, TunnellingGlass
from dynamics.propagation import Response, equilibrium_heat_capacity, linear_response
from dynamics.quadrature import Ensemble, Resolution, p_floor
from dynamics.rates import tau_min
from dynamics.thermal import (
    debye_heat_content,
    occupation_difference,
    occupation_temperature_derivative,
)
from dynamics.units import K_B
from dynamics.validation import ParameterError, check_positive, check_range

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
# the linear response to an infinitesimal step, vectorised

_LN10 = math.log(10.0)


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
    """

    temperature: FloatArray
    tau_expt: FloatArray
    alpha_by_type: FloatArray
    heat_capacity_by_type: FloatArray
    heat_capacity_equilibrium_by_type: FloatArray
    tls_types: tuple[str, ...]
    bulk_modulus: float

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
        return self.bulk_modulus * self.alpha / self.heat_capacity

    @property
    def gruneisen_equilibrium(self) -> FloatArray:
        """:math:`\\Gamma = K\\alpha/C(\\infty)` (the paper's convention), (n_T, n_tau). [1]"""
        return self.bulk_modulus * self.alpha / self.heat_capacity_equilibrium[:, None]


@functools.cache
def _gauss_legendre(n: int) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights on [0, 1] (as :mod:`dynamics.ensemble`)."""
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _energy_grid(
    temperature: FloatArray, energy_cap: float, resolution: Resolution
) -> list[tuple[NDArray[np.intp], FloatArray, FloatArray]]:
    """Energy nodes [J] and ln-E weights [1] of :func:`dynamics.ensemble.energy_nodes` for a run
    at each temperature, grouped by the number of panels: [(indices, energy, weight)], each of
    energy and weight of shape (n_group, n_E)."""
    e_low = resolution.x_min * K_B * temperature
    e_high = np.minimum(resolution.x_max * K_B * temperature, energy_cap)
    empty = e_high <= e_low * 1.0001
    if np.any(empty):
        bad = float(temperature[empty][0])
        raise ParameterError(
            f"temperature = {bad:.6g} K leaves no TLS energies inside the model's "
            f"range (0, {energy_cap / K_B:.6g} K]"
        )
    start, stop = np.log(e_low), np.log(e_high)
    width = resolution.energy_panel_decades * _LN10
    n_panels = np.maximum(1, np.ceil((stop - start) / width - 1e-9)).astype(int)
    x, w = _gauss_legendre(resolution.energy_nodes)
    groups = []
    for n in np.unique(n_panels):
        idx = np.flatnonzero(n_panels == n)
        edges = np.linspace(start[idx], stop[idx], n + 1, axis=-1)
        h = np.diff(edges, axis=-1)
        u = (edges[:, :-1, None] + h[:, :, None] * x).reshape(idx.size, -1)
        weight = (h[:, :, None] * w).reshape(idx.size, -1)
        groups.append((idx, np.exp(u), weight))
    return groups


#: Bins (temperatures x energies x p nodes) built at once: small enough for the temporaries to
#: stay in the CPU cache, large enough that numpy's per-call overhead does not dominate. [1]
CHUNK_BINS = 1 << 15


def _p_grid(s_max: FloatArray, n_panels: int, resolution: Resolution) -> tuple[FloatArray, ...]:
    r""":func:`dynamics.ensemble.p_nodes` for rows of energies that all have ``n_panels`` panels:
    ``(s, w_over_p)``, each of shape s_max.shape + (n_p,), with :math:`s = -\ln p` and the
    weight of :math:`\int f\,dp` over :math:`p` (the weight is :math:`w\,p`, so :math:`w/p` is
    the Gauss-Legendre weight in :math:`s`, or :math:`2\sigma w` on the first panel)."""
    xg, wg = _gauss_legendre(resolution.p_nodes)
    shape = (*s_max.shape, xg.size)
    h = (s_max - 1.0) / n_panels
    s_rest = (1.0 + h[..., None] * np.arange(n_panels))[..., None] + h[..., None, None] * xg
    w_rest = np.broadcast_to((h[..., None] * wg)[..., None, :], s_rest.shape)
    s = np.concatenate([np.broadcast_to(xg**2, shape), s_rest.reshape(*s_max.shape, -1)], -1)
    w = np.concatenate(
        [np.broadcast_to(2.0 * xg * wg, shape), w_rest.reshape(*s_max.shape, -1)], -1
    )
    return s, w


@dataclass(frozen=True)
class _Nodes:
    """What depends on (T, E) only, shape (g, n_E, 1): computed once per energy node."""

    temperature: FloatArray  # [K]
    energy: FloatArray  # [J]
    ek: FloatArray  # E/k_B [K]
    ln_weight: FloatArray  # weight of int f d ln E [1]
    dndt: FloatArray  # d n_eq/dT [K-1]
    tanh: FloatArray  # tanh(E/2k_BT) [1]


def _glass_weights(
    glass: Glass, kind: int, nodes: _Nodes, s: FloatArray, w_over_p: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Strain and heat weights [K-1], [J m-3 K-1] and rates [s-1] of soft-potential bins, with
    every factor that depends on (T, E) only taken out of the per-bin arithmetic.

    Density (5.1) :math:`n_0N_j p^{-1}(1-p)^{-1/2}L^{-4/3}`, even deformation potential (4.5) or
    (4.11), one-phonon constant :math:`A` or :math:`A(3L/\chi)^2` (4.10), :math:`L = \ln(W/E)
    + s/2` (4.6); the same numbers as :meth:`Glass.density`, :meth:`Glass.deformation_even` and
    :meth:`Glass.phonon_constant` to rounding (tests/test_response.py)."""
    e, ek = nodes.energy, nodes.ek
    L = np.log(glass.W_J / e) + 0.5 * s
    p = np.exp(-s)
    q = 1.0 - p
    cbrt = np.cbrt(L)
    inv_l = 1.0 / L
    l_m23 = 1.0 / (cbrt * cbrt)  # L^-2/3
    l_m83 = l_m23 * inv_l * inv_l  # L^-8/3
    # n0 N_j w_p (1-p)^-1/2 L^-4/3 / p, times the energy weight E w_E
    density = w_over_p / np.sqrt(q) * (inv_l / cbrt)
    node_density = DENSITY_PREFACTOR * glass.density_scale(kind) * nodes.ln_weight * e
    heat = density * (node_density * e * nodes.dndt)
    strain_node = -node_density * (glass.c * e / glass.eta_L) / glass.bulk_modulus * nodes.dndt
    if kind == 0:
        bracket = KAPPA1 * (p * cbrt - q * l_m23) - (KAPPA1_PRIME * glass.chi**2) * (q * l_m83)
        strain = density * bracket * strain_node
        relax = p
    else:
        bracket = p * (l_m23 * inv_l) + (2.0 / 3.0) * (q * l_m83)
        strain = density * bracket * (strain_node * (KAPPA2 * glass.chi**2))
        ratio = glass.type2_rate_ratio
        relax = p * (L * L) * (3.0 / glass.chi) ** 2 if isinstance(ratio, str) else p * ratio
    node_rate = glass.A * ek**3 / nodes.tanh
    rate = relax * node_rate
    if glass.electron_rate_constant > 0:
        suppression = electron_rate_suppression(nodes.temperature, glass.critical_temperature)
        rate = rate + p * (suppression * glass.electron_rate_constant * ek / nodes.tanh)
    return strain, heat, rate


def _model_weights(
    model: TLSModel, kind: int, nodes: _Nodes, s: FloatArray, w_over_p: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """As :func:`_glass_weights`, for any model, through its interface (and its validation)."""
    p = np.exp(-s)
    energy = np.broadcast_to(nodes.energy, p.shape)
    weight = model.density(kind, energy, p) * (w_over_p * p) * (nodes.ln_weight * nodes.energy)
    deformation = model.deformation_even(kind, energy, p)
    strain = -weight * deformation / model.bulk_modulus * nodes.dndt
    heat = weight * nodes.energy * nodes.dndt
    rate = p * model.phonon_constant(kind, energy, p) * nodes.ek**3
    electron = model.electron_constant(kind, energy, p)
    if np.any(electron > 0):
        suppression = electron_rate_suppression(nodes.temperature, model.critical_temperature)
        rate = rate + suppression * (p * electron * nodes.ek)
    return strain, heat, rate / nodes.tanh


def _chunks(
    model: TLSModel, temperature: FloatArray, t_end: float, resolution: Resolution
) -> Iterator[tuple[NDArray[np.intp], int, FloatArray, FloatArray, FloatArray]]:
    """The bins of :func:`dynamics.ensemble.build_ensemble` (a run at constant T lasting
    ``t_end``) at every temperature, in chunks of temperatures with quadratures of one shape:
    (indices, kind, weights (g, 2, n_bins), rates (g, n_bins), C(inf) of the type (g,))."""
    weights_of = _glass_weights if _fast_kernel(model) else _model_weights
    width = resolution.p_panel_decades * _LN10
    for idx_e, e_nodes, e_weights in _energy_grid(temperature, model.energy_cap, resolution):
        t_col = temperature[idx_e][:, None]
        ek_nodes = e_nodes / K_B
        dndt_nodes = occupation_temperature_derivative(e_nodes, t_col)
        tanh_nodes = np.tanh(ek_nodes / (2.0 * t_col))
        for kind in range(len(model.tls_types)):
            p_min = p_floor(model, kind, e_nodes, t_col, t_end, resolution)  # type: ignore[arg-type]
            s_max = -np.log(p_min)
            tail = model.density_tail(kind, e_nodes, p_min) * e_weights * e_nodes
            tail_heat = (tail * e_nodes * dndt_nodes).sum(1)
            n_p = np.maximum(1, np.ceil((s_max.max(axis=1) - 1.0) / width - 1e-9)).astype(int)
            for n in np.unique(n_p):
                rows = np.flatnonzero(n_p == n)
                per_row = e_nodes.shape[1] * (int(n) + 1) * resolution.p_nodes
                step = max(1, CHUNK_BINS // per_row)
                for first in range(0, rows.size, step):
                    sub = rows[first : first + step]
                    nodes = _Nodes(
                        temperature=t_col[sub][:, :, None],
                        energy=e_nodes[sub][:, :, None],
                        ek=ek_nodes[sub][:, :, None],
                        ln_weight=e_weights[sub][:, :, None],
                        dndt=dndt_nodes[sub][:, :, None],
                        tanh=tanh_nodes[sub][:, :, None],
                    )
                    s, w_over_p = _p_grid(s_max[sub], int(n), resolution)
                    strain, heat, rate = weights_of(model, kind, nodes, s, w_over_p)  # type: ignore[arg-type]
                    g = sub.size
                    weights = np.stack([strain.reshape(g, -1), heat.reshape(g, -1)], axis=1)
                    equilibrium = weights[:, 1].sum(1) + tail_heat[sub]
                    yield idx_e[sub], kind, weights, rate.reshape(g, -1), equilibrium


def _fast_kernel(model: TLSModel) -> bool:
    """Whether :func:`_glass_weights` holds: the soft-potential glass on asymptotic spectra, each
    bin relaxing at the mean rate of its mirror partners (the symmetric coupling)."""
    return (
        isinstance(model, Glass)
        and model.spectrum == "asymptotic"
        and model.interference_fraction == 0.0
    )


def _asymptotic_bins(model: TLSModel) -> bool:
    """Whether :func:`_chunks` reproduces the model's bins: asymptotic spectra, no mirror
    partners split apart (else the bins come from :func:`~dynamics.ensemble.build_ensemble`)."""
    return isinstance(model, TunnellingGlass) or _fast_kernel(model)


def _relaxed(weights: FloatArray, rate: FloatArray, tau: FloatArray) -> FloatArray:
    r""":math:`\sum_b w_{ob}(1 - e^{-k_bt})` for both rows of weights: (g, 2, n_tau)."""
    g, n_b = rate.shape
    out = np.empty((g, 2, tau.size))
    rows = max(1, CHUNK_BINS * 2 // max(1, n_b * tau.size))
    buffer = np.empty((min(rows, g), n_b, tau.size))
    for first in range(0, g, rows):
        sl = slice(first, first + rows)
        buf = buffer[: rate[sl].shape[0]]
        np.multiply.outer(rate[sl], -tau, out=buf)
        np.expm1(buf, out=buf)  # e^{-k t} - 1
        out[sl] = -np.einsum("gob,gbt->got", weights[sl], buf)
    return out


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
    :math:`\max\tau_\mathrm{expt}` (as :func:`protocols.run.gruneisen_vs_tau`).

    Parameters
    ----------
    model
        A glass (:class:`dynamics.Glass`, :class:`dynamics.TunnellingGlass` or an exact glass).
    temperature
        Temperatures, > 0, any order. [K]
    tau_expt
        Durations of the experiment, >= 0 (the longest > 0), any order. [s]
    resolution
        Quadrature resolution (the converged default if omitted).
    progress
        Called with the fraction of the temperatures done (models with bins of their own, one
        ensemble per temperature), or with 1 at the end.

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
    t_end = float(tau.max())
    if t_end <= 0:
        raise ParameterError("tau_expt = 0 s everywhere; the longest must be > 0 [s]")
    n_types = len(model.tls_types)
    alpha = np.zeros((n_types, temps.size, tau.size))
    heat = np.zeros((n_types, temps.size, tau.size))
    equilibrium = np.zeros((n_types, temps.size))
    if not _asymptotic_bins(model):  # bins of its own (exact spectra, split mirror partners)
        for i, t in enumerate(temps):
            ens = build_ensemble(model, float(t), float(t), t_end, res)
            alpha[:, i], heat[:, i] = linear_response(ens, float(t), tau)
            equilibrium[:, i] = equilibrium_heat_capacity(ens, float(t))
            if progress is not None:
                progress((i + 1) / temps.size)
    else:
        for idx, kind, weights, rate, c_eq in _chunks(model, temps, t_end, res):
            relaxed = _relaxed(weights, rate, tau)
            alpha[kind, idx] = relaxed[:, 0]
            heat[kind, idx] = relaxed[:, 1]
            equilibrium[kind, idx] = c_eq
        if progress is not None:
            progress(1.0)
    return StepResponse(
        temperature=temps,
        tau_expt=tau,
        alpha_by_type=alpha,
        heat_capacity_by_type=heat,
        heat_capacity_equilibrium_by_type=equilibrium,
        tls_types=tuple(model.tls_types),
        bulk_modulus=float(model.bulk_modulus),
    )


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
        gruneisen=glass.bulk_modulus * a_tls / c_tls,
        gruneisen_total=glass.bulk_modulus * total / (c_tls + c_e[:, None]),
        superconducting_gap=gap,
        tau_min=np.asarray(tau_min(temps, glass.A), dtype=float),
    )
