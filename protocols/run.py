"""Runs: a glass, a protocol and output times in, an :class:`xarray.Dataset` out."""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from dynamics import __version__
from dynamics.closed_forms import gruneisen_kki, gruneisen_time_constant
from dynamics.electrons import electron_energy, electron_energy_function
from dynamics.ensemble import Ensemble, Resolution, build_ensemble
from dynamics.glass import Glass, TunnellingGlass
from dynamics.propagation import (
    Response,
    equilibrium_heat_capacity,
    linear_response,
    propagate,
    propagate_isolated,
)
from dynamics.rates import tau_min
from dynamics.thermal import debye_energy, occupation_difference
from dynamics.units import PAPER_DOI, PAPER_REFERENCE
from dynamics.validation import ParameterError, check_positive, check_range, warn_two_level_range
from protocols.histories import (
    HeatPulse,
    HeatStep,
    IsolatedPulse,
    Protocol,
    Ramp,
    Schedule,
    Staircase,
    log_times,
)
from protocols.variables import TAU_MIN_DEFINITION, annotate

FloatArray = NDArray[np.float64]
Model = Glass | TunnellingGlass


def default_times(glass: Model, protocol: Protocol, points_per_decade: int = 20) -> FloatArray:
    """Output times for a protocol: from 1e-2 tau_min at its highest temperature to a stop that
    suits it (a day after a step or an isolated pulse, 30 tau_link after a heat pulse, the end of
    a staircase, three times a ramp or schedule), ``points_per_decade`` per decade. [s]"""
    if isinstance(protocol, IsolatedPulse):
        hot = (
            protocol.peak_temperature(glass.debye_coefficient)
            if glass.debye_coefficient > 0
            else protocol.T_bath
        )
    else:
        resolved = _resolved(glass, protocol)
        assert not isinstance(resolved, IsolatedPulse)
        hot = resolved.temperature_range(0.0)[1]
    start = 1e-2 * float(tau_min(hot, glass.A))
    if isinstance(protocol, HeatPulse):
        stop = 30.0 * protocol.tau_link
    elif isinstance(protocol, Staircase):
        stop = float(protocol.dwell_ends[-1])
    elif isinstance(protocol, Ramp):
        stop = 3.0 * protocol.duration
    elif isinstance(protocol, Schedule):
        stop = 3.0 * protocol.times[-1] if protocol.times[-1] > 0 else 1e5
    else:
        stop = 1e5
    return log_times(start, max(stop, 10 * start), points_per_decade)


def _check_model(glass: Any) -> Model:
    if not isinstance(glass, Glass | TunnellingGlass):
        raise ParameterError(
            f"glass = {glass!r} must be a dynamics.Glass or dynamics.TunnellingGlass"
        )
    return glass


def _resolved(glass: Model, protocol: Protocol) -> Protocol:
    """A heat pulse given by its energy, with delta_T = energy / C(tau_link) at T_bath."""
    if isinstance(protocol, HeatPulse) and protocol.energy is not None:
        t = protocol.T_bath
        ens = build_ensemble(glass, t, t, protocol.tau_link)
        _, c_tls = linear_response(ens, t, np.array([protocol.tau_link]))
        c_total = float(c_tls.sum()) + glass.debye_coefficient * t**3
        return protocol.with_energy_resolved(c_total)
    return protocol


def _step_quantities(ens: Ensemble, t_low: float, t_high: float) -> float:
    """Equilibrium heat of all TLS (bins and tail) between two temperatures, per volume. [J m-3]"""
    bins = ens.number_density * ens.energy * occupation_difference(ens.energy, t_high, t_low)
    tail = (
        ens.tail_number_density
        * ens.tail_energy
        * occupation_difference(ens.tail_energy, t_high, t_low)
    )
    if not np.all(np.isfinite(tail)):  # the standard tunnelling model has no finite C(inf)
        return math.nan
    return float(bins.sum() + tail.sum())


def run(
    glass: Model,
    protocol: Protocol,
    times: ArrayLike | None = None,
    *,
    resolution: Resolution | None = None,
    rtol: float = 1e-6,
    progress: Callable[[float], None] | None = None,
) -> xr.Dataset:
    """Simulate a glass under a temperature protocol.

    Parameters
    ----------
    glass
        :class:`dynamics.Glass` (soft-potential model) or :class:`dynamics.TunnellingGlass`.
    protocol
        One of the protocols of :mod:`protocols.histories`.
    times
        Non-decreasing output times; :func:`default_times` if omitted. [s]
    resolution
        Quadrature resolution of the (E, p) bins (the converged default if omitted).
    rtol
        Tolerance of the integrator where T(t) varies continuously. [1]
    progress
        Called with the fraction done.

    Returns
    -------
    xarray.Dataset
        Coordinates ``time`` [s] and ``tls_type``; temperature, strain, length change, heat and
        their parts; ``alpha``, ``heat_capacity``, ``gruneisen`` and ``gruneisen_equilibrium``
        for a heat step (along ``time``) or a staircase (along ``step``); ``tau_min``. Every
        variable has ``units`` and ``long_name``; the attributes record the glass, the protocol
        and the package version.
    """
    model = _check_model(glass)
    if not isinstance(protocol, HeatStep | HeatPulse | Staircase | Ramp | Schedule | IsolatedPulse):
        raise ParameterError(f"protocol = {protocol!r} is not a protocol of protocols.histories")
    given = _resolved(model, protocol)
    out_t = (
        default_times(model, given)
        if times is None
        else check_range(
            "times", np.asarray(times, dtype=float).ravel(), 0.0, low_open=False, unit="s"
        )
    )
    if out_t.size == 0 or np.any(np.diff(out_t) < 0):
        raise ParameterError("times must be a non-empty, non-decreasing list of times [s]")
    if isinstance(given, Staircase):
        out_t = np.union1d(out_t, given.dwell_ends)
    t0 = given.initial_temperature
    if isinstance(given, IsolatedPulse):
        if model.debye_coefficient <= 0:
            raise ParameterError(
                "debye_coefficient = 0: an isolated pulse needs phonons to take the heat "
                "(> 0) [J m-3 K-4]"
            )
        t_lo, t_hi = given.T_bath, given.peak_temperature(model.debye_coefficient)
    else:
        t_lo, t_hi = given.temperature_range(float(out_t[-1]))
    if isinstance(model, Glass):
        warn_two_level_range(t_hi, model.W)
    ens = build_ensemble(model, t_lo, t_hi, float(out_t[-1]), resolution)
    electron_dos = model.electron_dos if isinstance(model, Glass) else 0.0
    critical_temperature = model.critical_temperature
    metal = electron_dos > 0
    if isinstance(given, IsolatedPulse):
        u_e = (
            electron_energy_function(
                t_lo, t_hi, electron_dos=electron_dos, critical_temperature=critical_temperature
            )
            if metal
            else None
        )
        iso = propagate_isolated(
            ens,
            given.T_bath,
            given.energy,
            model.debye_coefficient,
            out_t,
            link_conductance=given.link_conductance,
            electron_energy=u_e,
            rtol=rtol,
            progress=progress,
        )
        response: Response = iso
        heat_phonon = iso.heat_phonon
    else:
        response = propagate(ens, t0, given.segments(), out_t, rtol=rtol, progress=progress)
        heat_phonon = debye_energy(response.temperature, model.debye_coefficient) - debye_energy(
            t0, model.debye_coefficient
        )
    ds = _assemble(
        model,
        given,
        ens,
        response.times,
        response.temperature,
        response.strain,
        response.heat,
        heat_phonon,
    )
    if isinstance(given, IsolatedPulse):
        ds["heat_to_bath"] = ("time", iso.heat_to_bath)
        if metal:
            ds["heat_electron"] = ("time", iso.heat_electron)
            ds["heat"] = ds["heat"] + ds["heat_electron"]
    elif metal:
        u = electron_energy(
            np.concatenate([[t0], response.temperature]),
            electron_dos=electron_dos,
            critical_temperature=critical_temperature,
        )
        ds["heat_electron"] = ("time", u[1:] - u[0])
        ds["heat"] = ds["heat"] + ds["heat_electron"]
    _add_step_quantities(ds, model, given, ens)
    ds.attrs.update(_provenance(model, given, resolution or Resolution(), rtol, ens))
    return annotate(ds)


def _electron_strain(model: Model, temperature: FloatArray, t0: float) -> FloatArray | None:
    """Strain of the conduction electrons, int alpha_e dT from t0 (instantaneous)."""
    if not isinstance(model, Glass) or model.electron_dos == 0:
        return None
    from dynamics.electrons import electron_strain

    return electron_strain(
        temperature,
        t0,
        electron_dos=model.electron_dos,
        deformation_slope=model.electron_deformation_slope,
        bulk_modulus=model.bulk_modulus,
        critical_temperature=model.critical_temperature,
    )


def _assemble(
    model: Model,
    protocol: Protocol,
    ens: Ensemble,
    times: FloatArray,
    temperature: FloatArray,
    strain_tls: FloatArray,
    heat_tls: FloatArray,
    heat_phonon: FloatArray,
) -> xr.Dataset:
    strain_phonon = model.phonon_gruneisen * heat_phonon / model.bulk_modulus
    strain = strain_tls.sum(0) + strain_phonon
    data: dict[str, Any] = {
        "temperature": ("time", temperature),
        "strain": ("time", strain),
        "length_change": ("time", strain / 3.0),
        "strain_tls": (("tls_type", "time"), strain_tls),
        "strain_phonon": ("time", strain_phonon),
        "heat": ("time", heat_tls.sum(0) + heat_phonon),
        "heat_tls": (("tls_type", "time"), heat_tls),
        "heat_phonon": ("time", heat_phonon),
    }
    electron = _electron_strain(model, temperature, protocol.initial_temperature)
    if electron is not None:
        data["strain_electron"] = ("time", electron)
        data["strain"] = ("time", strain + electron)
        data["length_change"] = ("time", (strain + electron) / 3.0)
    return xr.Dataset(data, coords={"time": times, "tls_type": list(ens.tls_types)})


def _add_step_quantities(ds: xr.Dataset, model: Model, protocol: Protocol, ens: Ensemble) -> None:
    k = model.bulk_modulus
    if isinstance(protocol, HeatStep):
        dt = protocol.T1 - protocol.T0
        eps = ds["strain_tls"].sum("tls_type")
        heat = ds["heat_tls"].sum("tls_type")
        c_eq = _step_quantities(ens, protocol.T0, protocol.T1) / dt
        ds["delta_T"] = dt
        ds["alpha"] = eps / dt
        ds["alpha_by_type"] = ds["strain_tls"] / dt
        ds["heat_capacity"] = heat / dt
        with np.errstate(divide="ignore", invalid="ignore"):
            ds["gruneisen"] = k * eps / heat.where(heat != 0)
        ds["heat_capacity_equilibrium"] = c_eq
        ds["gruneisen_equilibrium"] = k * eps / (c_eq * dt)
        reference_t = protocol.T1
    elif isinstance(protocol, Staircase):
        ends = protocol.dwell_ends
        at_end = ds.sel(time=ends)
        eps_end = at_end["strain_tls"].sum("tls_type").values
        heat_end = at_end["heat_tls"].sum("tls_type").values
        d_eps = np.diff(np.concatenate([[0.0], eps_end]))
        d_heat = np.diff(np.concatenate([[0.0], heat_end]))
        levels = protocol.levels
        before = np.concatenate([[protocol.T_start], levels[:-1]])
        heat_eq = np.array(
            [
                _step_quantities(ens, min(a, b), max(a, b))
                for a, b in zip(before, levels, strict=True)
            ]
        )
        c_eq_steps = heat_eq / np.abs(levels - before)
        steps = np.arange(1, protocol.steps + 1, dtype=np.int32)  # CF 1.8 has no int64
        ds.coords["step"] = steps
        ds["step_temperature"] = ("step", levels)
        ds["step_end"] = ("step", ends)
        ds["delta_T"] = protocol.delta_T
        ds["alpha"] = ("step", d_eps / protocol.delta_T)
        ds["heat_capacity"] = ("step", d_heat / protocol.delta_T)
        ds["gruneisen"] = ("step", k * d_eps / d_heat)
        ds["heat_capacity_equilibrium"] = ("step", c_eq_steps)
        ds["gruneisen_equilibrium"] = ("step", k * d_eps / (c_eq_steps * protocol.delta_T))
        reference_t = float(levels[0])
    else:
        reference_t = float(ds["temperature"].max())
    ds["tau_min"] = float(tau_min(reference_t, model.A))
    ds["tau_min_temperature"] = reference_t


def _provenance(
    model: Model, protocol: Protocol, resolution: Resolution, rtol: float, ens: Ensemble
) -> dict[str, Any]:
    return {
        "Conventions": "CF-1.8",
        "title": f"tls-expansion: {protocol.kind} on glass {model.name}, {model.spectrum_label}",
        "institution": "tls-expansion",
        "source": f"tls-expansion {__version__} (two-level systems of the soft-potential model)",
        "references": PAPER_REFERENCE,
        "paper_doi": PAPER_DOI,
        "history": f"tls-expansion {__version__}: "
        f"protocols.run({protocol.kind}, glass {model.name})",
        "comment": "Strain and heat are relative to the equilibrium before t = 0. "
        + TAU_MIN_DEFINITION,
        "tls_expansion_version": __version__,
        "glass": json.dumps(model.to_dict(), sort_keys=True),
        "protocol": json.dumps(protocol.to_dict(), sort_keys=True),
        "resolution": json.dumps(resolution.__dict__, sort_keys=True),
        "integrator_rtol": rtol,
        "bins": int(ens.size),
        "tau_min_definition": TAU_MIN_DEFINITION,
    }


def _closed_form(
    temperature: float,
    ratio: FloatArray,
    params: tuple[float, float, float, float, float],
    coefficients: Literal["derived", "printed"],
) -> FloatArray:
    w, c, eta_l, chi, psi = params
    return gruneisen_kki(
        temperature, ratio, W=w, c=c, eta_L=eta_l, chi=chi, psi=psi, coefficients=coefficients
    )


def gruneisen_vs_tau(
    glass: Glass,
    temperature: ArrayLike,
    tau_expt: ArrayLike,
    *,
    resolution: Resolution | None = None,
) -> xr.Dataset:
    """Γ(τ_expt) after an infinitesimal heat step, with the derived closed form (6.4) beside it.

    Parameters
    ----------
    glass
        A soft-potential glass.
    temperature
        One or more temperatures. [K]
    tau_expt
        Durations of the experiment. [s]
    resolution
        Quadrature resolution.

    Returns
    -------
    xarray.Dataset
        Along ``temperature`` and ``tau_expt``: ``gruneisen``, ``gruneisen_equilibrium``,
        ``alpha``, ``heat_capacity``, ``gruneisen_closed_form`` (derived coefficients) and
        ``gruneisen_closed_form_printed``; ``heat_capacity_equilibrium`` and ``tau_min`` per
        temperature.
    """
    model = _check_model(glass)
    if not isinstance(model, Glass):
        raise ParameterError("gruneisen_vs_tau needs a soft-potential glass (dynamics.Glass)")
    temps = np.atleast_1d(check_positive("temperature", temperature, "K")).astype(float)
    tau = np.atleast_1d(check_positive("tau_expt", tau_expt, "s")).astype(float)
    if np.any(np.diff(tau) < 0):
        raise ParameterError("tau_expt must be non-decreasing [s]")
    warn_two_level_range(temps.max(), model.W)
    shape = (temps.size, tau.size)
    out = {k: np.empty(shape) for k in ("alpha", "c", "g", "g_eq", "cf", "cf_p")}
    c_eq = np.empty(temps.size)
    t_min = np.empty(temps.size)
    for i, t in enumerate(temps):
        ens = build_ensemble(model, t, t, float(tau[-1]), resolution)
        alpha, heat_capacity = linear_response(ens, t, tau)
        a, c = alpha.sum(0), heat_capacity.sum(0)
        c_eq[i] = equilibrium_heat_capacity(ens, t).sum()
        t_min[i] = float(tau_min(t, model.A))
        out["alpha"][i], out["c"][i] = a, c
        out["g"][i] = model.bulk_modulus * a / c
        out["g_eq"][i] = model.bulk_modulus * a / c_eq[i]
        ratio = np.maximum(tau * gruneisen_time_constant() / t_min[i], 1.0)
        params = (model.W_energy, model.c, model.eta_L, model.chi, model.psi)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out["cf"][i] = _closed_form(t, ratio, params, "derived")
            out["cf_p"][i] = _closed_form(t, ratio, params, "printed")
    dims = ("temperature", "tau_expt")
    ds = xr.Dataset(
        {
            "alpha": (dims, out["alpha"]),
            "heat_capacity": (dims, out["c"]),
            "gruneisen": (dims, out["g"]),
            "gruneisen_equilibrium": (dims, out["g_eq"]),
            "gruneisen_closed_form": (dims, out["cf"]),
            "gruneisen_closed_form_printed": (dims, out["cf_p"]),
            "heat_capacity_equilibrium": ("temperature", c_eq),
            "tau_min": ("temperature", t_min),
        },
        coords={"temperature": temps, "tau_expt": tau},
    )
    ds.attrs.update(
        {
            "Conventions": "CF-1.8",
            "title": "tls-expansion: Grueneisen parameter against tau_expt, glass "
            f"{model.name}, {model.spectrum_label}",
            "institution": "tls-expansion",
            "source": f"tls-expansion {__version__}",
            "references": PAPER_REFERENCE,
            "paper_doi": PAPER_DOI,
            "history": f"tls-expansion {__version__}: "
            f"protocols.gruneisen_vs_tau(glass {model.name})",
            "comment": "Linear response to an infinitesimal step at t = 0. " + TAU_MIN_DEFINITION,
            "tls_expansion_version": __version__,
            "glass": json.dumps(model.to_dict(), sort_keys=True),
            "resolution": json.dumps((resolution or Resolution()).__dict__, sort_keys=True),
            "tau_min_definition": TAU_MIN_DEFINITION,
            "b_gamma": gruneisen_time_constant(),
        }
    )
    return annotate(ds)
