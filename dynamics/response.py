r"""Linear response to a small heat step, vectorised over temperatures and durations.

After an infinitesimal step :math:`\Delta T` at :math:`t = 0` every TLS relaxes exactly,
:math:`\delta n/\Delta T = (\partial n_{eq}/\partial T)(1 - e^{-kt})` with :math:`k = p\,r(E, T)`
(PHYSICS.md §5, §6), so

.. math:: \alpha_j(T, t) = -\frac1K\sum_{b\in j} w_b D_b\,\frac{\partial n_{eq}}{\partial T}
          (1 - e^{-k_bt}), \qquad
          C_j(T, t) = \sum_{b\in j} w_b E_b\,\frac{\partial n_{eq}}{\partial T}(1 - e^{-k_bt}),

:math:`C_j(\infty)` the same with every TLS relaxed (bins and the closed-form tail), and
:math:`\Gamma = K\alpha/C(\tau_\mathrm{expt})` or :math:`K\alpha/C(\infty)`.

:func:`step_response` evaluates these for many temperatures and durations in one call, on the
very bins :func:`dynamics.ensemble.build_ensemble` makes for each temperature (a run at constant
:math:`T` lasting the longest :math:`\tau_\mathrm{expt}`), so it equals the per-temperature path
(:func:`dynamics.propagation.linear_response` and
:func:`dynamics.propagation.equilibrium_heat_capacity`) to rounding, about 1e-13 relative
(tests/test_response.py). What makes it fast:

* the inputs are validated once per call, and the model's density, deformation potential and
  rate constants are evaluated once per call on the bins of all temperatures together;
* temperatures whose quadratures have the same shape (the same number of energy and p panels) are
  stacked into one regular array, so every operation is one numpy call for all of them;
* the per-bin arithmetic of the soft-potential glass shares :math:`L` and :math:`L^{1/3}`
  between density, deformation potential and rate, and takes every factor that depends on
  (T, E) only out of it;
* the bins are built and relaxed in chunks small enough to stay in the CPU cache;
* no xarray (that belongs to :mod:`protocols`).

This module is the home of :math:`\alpha`, :math:`C` and :math:`\Gamma` after a step.
Models with bins of their own (the exact spectra of :mod:`dynamics.exact`) go through
:func:`~dynamics.ensemble.build_ensemble` per temperature, with the same reduction.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.deformation import KAPPA1, KAPPA1_PRIME, KAPPA2
from dynamics.density import DENSITY_PREFACTOR
from dynamics.electrons import electron_rate_suppression
from dynamics.ensemble import Resolution, build_ensemble, p_floor
from dynamics.glass import Glass, TLSModel
from dynamics.propagation import equilibrium_heat_capacity, linear_response
from dynamics.thermal import occupation_temperature_derivative
from dynamics.units import K_B
from dynamics.validation import ParameterError, check_positive, check_range

FloatArray = NDArray[np.float64]

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
    L = np.log(glass.W_energy / e) + 0.5 * s
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
    fast = type(model) is Glass
    weights_of = _glass_weights if fast else _model_weights
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
    if hasattr(model, "ensemble"):  # bins of its own (dynamics.exact.ExactGlass)
        for i, t in enumerate(temps):
            ens = build_ensemble(model, float(t), float(t), t_end, res)
            alpha[:, i], heat[:, i] = linear_response(ens, float(t), tau)
            equilibrium[:, i] = equilibrium_heat_capacity(ens, float(t))
    else:
        for idx, kind, weights, rate, c_eq in _chunks(model, temps, t_end, res):
            relaxed = _relaxed(weights, rate, tau)
            alpha[kind, idx] = relaxed[:, 0]
            heat[kind, idx] = relaxed[:, 1]
            equilibrium[kind, idx] = c_eq
    return StepResponse(
        temperature=temps,
        tau_expt=tau,
        alpha_by_type=alpha,
        heat_capacity_by_type=heat,
        heat_capacity_equilibrium_by_type=equilibrium,
        tls_types=tuple(model.tls_types),
        bulk_modulus=float(model.bulk_modulus),
    )
