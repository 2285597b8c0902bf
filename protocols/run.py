"""Runs: a glass, a protocol and output times in, an :class:`xarray.Dataset` out.

This module only wires: the protocol (:mod:`protocols.histories`) says what it does to the
glass and what it reads off the result, :mod:`dynamics.response` computes the response, and
the variable registry (:mod:`protocols.variables`) names every variable.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.closed_forms import closed_form_gruneisen, gruneisen_time_constant
from dynamics.ensemble import Ensemble, Resolution, build_ensemble
from dynamics.glass import Glass, GlassModel, TunnellingGlass
from dynamics.parts import check_model_temperature
from dynamics.rates import tau_min
from dynamics.response import (
    Trajectory,
    conduction_electron_strain,
    phonon_strain,
    step_response,
)
from dynamics.validation import (
    MAX_TIME_S,
    MIN_TIME_S,
    ArgumentTypeError,
    ParameterError,
    check_all_finite,
    check_temperature,
    check_time,
)
from protocols.checks import check_callback, check_flag, check_resolution
from protocols.cost import check_cost, check_step_cost, run_work
from protocols.histories import PROTOCOLS, TemperatureHistory
from protocols.plausibility import check_plausible, finite_or_refused
from protocols.provenance import provenance
from protocols.variables import annotate

if TYPE_CHECKING:  # xarray is imported where a dataset is made or read: a light start
    import xarray as xr

FloatArray = NDArray[np.float64]


def check_model(glass: Any) -> GlassModel:
    """``glass`` if it is a glass the tool simulates, else a :class:`ParameterError`."""
    if not isinstance(glass, Glass | TunnellingGlass):
        raise ArgumentTypeError(
            f"glass = {glass!r} must be a dynamics.Glass or dynamics.TunnellingGlass"
        )
    return glass


def check_protocol(protocol: Any) -> TemperatureHistory:
    """``protocol`` if it is a protocol of :mod:`protocols.histories`, else a
    :class:`ParameterError`."""
    if not isinstance(protocol, TemperatureHistory):
        raise ArgumentTypeError(
            f"protocol = {protocol!r} must be a protocol of protocols.histories "
            f"({', '.join(sorted(PROTOCOLS))})"
        )
    return protocol


def default_times(
    glass: GlassModel, protocol: TemperatureHistory, points_per_decade: int = 20
) -> FloatArray:
    """Output times for a protocol: from 1e-2 τ_min at its highest temperature
    (:func:`first_output_time`) to the protocol's default stop (a day after a step or an
    isolated pulse, 30 τ_link after a heat pulse, the end of a staircase, three times a ramp or
    schedule), ``points_per_decade`` per decade; a staircase resolves every dwell alike
    (:meth:`protocols.histories.TemperatureHistory.default_output_times`). [s]

    Examples
    --------
    >>> import dynamics, protocols
    >>> glass = dynamics.default_glass(spectrum="asymptotic")
    >>> times = protocols.default_times(glass, protocols.HeatStep(T0=0.3, T1=0.303), 2)
    >>> f"{times[0]:.3g} s to {times[-1]:.3g} s, {times.size} times"
    '9.71e-11 s to 1e+05 s, 32 times'
    """
    history = check_protocol(protocol).resolved(glass)
    return history.default_output_times(first_output_time(glass, history), points_per_decade)


def default_time_count(
    glass: GlassModel, protocol: TemperatureHistory, points_per_decade: int = 20
) -> int:
    """How many :func:`default_times` gives (at most), without making them. [1]"""
    history = check_protocol(protocol).resolved(glass)
    return history.default_output_count(first_output_time(glass, history), points_per_decade)


def first_output_time(glass: GlassModel, protocol: TemperatureHistory) -> float:
    """The first default output time: 1e-2 τ_min at the protocol's highest temperature, well
    before the fastest thermal TLS relaxes. [s]"""
    hot = protocol.temperature_range(glass, 0.0)[1]
    fastest = float(tau_min(hot, glass.A))
    start = 1e-2 * fastest
    if not MIN_TIME_S <= start <= MAX_TIME_S / 10:
        raise ParameterError(
            f"A = {glass.A:g} s-1 K-3 gives tau_min({hot:.4g} K) = {fastest:.4g} s, so the default "
            f"output times (from 1e-2 tau_min) leave the times the tool handles, [{MIN_TIME_S:g}, "
            f"{MAX_TIME_S:g}] s; give the output times (--t-start, --t-stop; times=)"
        )
    return start


def run(
    glass: GlassModel,
    protocol: TemperatureHistory,
    times: ArrayLike | None = None,
    *,
    resolution: Resolution | None = None,
    rtol: float = 1e-6,
    progress: Callable[[float], None] | None = None,
    build_progress: Callable[[float], None] | None = None,
    yes: bool = False,
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
        Called with the fraction of the time integration done.
    build_progress
        Called with the fraction of the ensemble built (before the integration; it takes
        seconds to minutes on exact spectra, milliseconds otherwise).
    yes
        Run even if the work is estimated above :data:`protocols.cost.MAX_ESTIMATE_S`
        (refused otherwise, before any work: :func:`protocols.cost.run_work`).

    Returns
    -------
    xarray.Dataset
        Coordinates ``time`` [s] and ``tls_type``; temperature, strain, length change, heat and
        their parts; ``alpha``, ``heat_capacity``, ``gruneisen`` and ``gruneisen_equilibrium``
        for a heat step (along ``time``) or a staircase (along ``step``); ``tau_min``. Every
        variable has ``units`` and ``long_name``; the attributes record the glass, the protocol
        and the package version.

    Examples
    --------
    A small heat step on the default glass (exact spectra): the glass first contracts, as the
    fast, nearly symmetric TLS relax (GGP Sec. VI), then expands back as slower ones follow.

    >>> import dynamics, protocols
    >>> glass = dynamics.default_glass()
    >>> times = protocols.log_times(1e-9, 1.0, 2)  # 19 output times [s]
    >>> ds = protocols.run(glass, protocols.HeatStep(T0=0.3, T1=0.303), times)
    >>> ds.sizes["time"], ds.strain.attrs["units"]
    (19, '1')
    >>> bool(ds.strain.min() < 0 and ds.strain[-1] > ds.strain.min())  # contracts, then expands
    True
    >>> print(ds.attrs["title"])
    tls-expansion: heat-step on glass ggp1985 (exact spectra, relaxation coupling symmetric)
    """
    model = check_model(glass)
    history = check_protocol(protocol).resolved(model)
    _check_extras(resolution, progress, build_progress)
    out_t = history.output_times(
        default_times(model, history) if times is None else _check_times(times)
    )
    T_low, T_high = history.temperature_range(model, float(out_t[-1]))
    check_model_temperature(f"the highest temperature of the {history.kind}", T_high, model)
    work = run_work(model, history, float(out_t[-1]), out_t.size, resolution)
    check_cost(
        f"protocols.run of a {history.kind} with {out_t.size} output times",
        work.seconds,
        yes=check_flag("yes", yes),
        hint="fewer output times",
        override="yes=True",
    )
    what = f"the {history.kind} run"
    with finite_or_refused(what, model, history):
        ens = build_ensemble(model, T_low, T_high, float(out_t[-1]), resolution, build_progress)
        trajectory = history.simulate(model, ens, out_t, rtol=rtol, progress=progress)
        where = f"the {history.kind} run of glass {model.name!r}"
        check_all_finite("temperature", trajectory.response.temperature, where)
        check_all_finite("strain_tls", trajectory.response.strain, where)
        check_all_finite("heat_tls", trajectory.response.heat, where)
        ds = _dataset(model, history, ens, trajectory)
    readout = history.read_out(model, ens, trajectory)
    ds = ds.assign_coords(readout.coords)
    for name, (dims, values) in readout.variables.items():
        ds[name] = (dims, values)
    ds["tau_min"] = float(tau_min(readout.reference_temperature, model.A))
    ds["tau_min_temperature"] = readout.reference_temperature
    ds.attrs.update(
        provenance(
            title=f"{history.kind} on glass {model.name}",
            call=f"protocols.run({history.kind}, glass {model.name})",
            comment="Strain and heat are relative to the equilibrium before t = 0.",
            glass=model,
            resolution=resolution,
            protocol=history.to_dict(),
            integrator_rtol=rtol,
            bins=int(ens.size),
        )
    )
    check_plausible(ds, what, model, history)
    return annotate(ds)


def _check_extras(resolution: Any, *callbacks: Any) -> None:
    """Refuse a resolution that is not a Resolution, or a progress callback that is not a
    function (:class:`dynamics.validation.ArgumentTypeError`)."""
    check_resolution(resolution)
    for name, callback in zip(("progress", "build_progress"), callbacks, strict=False):
        check_callback(name, callback)


def _check_times(times: ArrayLike) -> FloatArray:
    out = check_time("times", times, allow_zero=True)
    if out.ndim > 1:
        raise ParameterError(f"times has shape {out.shape}; give a 1-D list of output times [s]")
    out = out.ravel()
    if out.size == 0 or np.any(np.diff(out) < 0):
        raise ParameterError("times must be a non-empty, non-decreasing list of times [s]")
    return out


def _dataset(
    model: GlassModel, history: TemperatureHistory, ens: Ensemble, trajectory: Trajectory
) -> xr.Dataset:
    """The time series every run has: temperature, strain and heat, in all and by part."""
    import xarray as xr

    response = trajectory.response
    strain_phonon = phonon_strain(trajectory.heat_phonon, model)
    strain = response.strain.sum(0) + strain_phonon
    heat = response.heat.sum(0) + trajectory.heat_phonon
    data: dict[str, Any] = {
        "temperature": ("time", response.temperature),
        "strain_tls": (("tls_type", "time"), response.strain),
        "strain_phonon": ("time", strain_phonon),
        "heat_tls": (("tls_type", "time"), response.heat),
        "heat_phonon": ("time", trajectory.heat_phonon),
    }
    electron = conduction_electron_strain(response.temperature, history.initial_temperature, model)
    if electron is not None:
        data["strain_electron"] = ("time", electron)
        strain = strain + electron
    coords: dict[str, Any] = {"time": response.times, "tls_type": list(ens.tls_types)}
    instant = trajectory.strain_instantaneous
    if trajectory.heat_instantaneous is not None and instant is not None:
        from dynamics.instantaneous import INSTANTANEOUS_PARTS

        parts = ("instantaneous_part", "time")
        data["strain_instantaneous"] = (parts, instant)
        data["heat_instantaneous"] = (parts, trajectory.heat_instantaneous)
        strain = strain + instant.sum(0)
        heat = heat + trajectory.heat_instantaneous.sum(0)
        coords["instantaneous_part"] = list(INSTANTANEOUS_PARTS)
    if trajectory.heat_to_bath is not None:
        data["heat_to_bath"] = ("time", trajectory.heat_to_bath)
    if trajectory.heat_electron is not None:
        data["heat_electron"] = ("time", trajectory.heat_electron)
        heat = heat + trajectory.heat_electron
    data["strain"] = ("time", strain)
    data["length_change"] = ("time", strain / 3.0)
    data["heat"] = ("time", heat)
    return xr.Dataset(data, coords=coords)


def _one_d(name: str, values: FloatArray, unit: str) -> FloatArray:
    """``values`` as a non-empty 1-D float array (a scalar becomes one value)."""
    arr = np.atleast_1d(values).astype(float)
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(
            f"{name} has shape {arr.shape}; give a non-empty 1-D list of values [{unit}]"
        )
    return arr


def gruneisen_vs_tau(
    glass: Glass,
    temperature: ArrayLike,
    tau_expt: ArrayLike,
    *,
    resolution: Resolution | None = None,
    progress: Callable[[float], None] | None = None,
    yes: bool = False,
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
    progress
        Called with the fraction done (the ensembles' builds, one per temperature, dominate).
    yes
        Compute even if the work is estimated above :data:`protocols.cost.MAX_ESTIMATE_S`
        (refused otherwise, before any work: :func:`protocols.cost.step_work`).

    Returns
    -------
    xarray.Dataset
        Along ``temperature`` and ``tau_expt``: ``gruneisen``, ``gruneisen_equilibrium``,
        ``alpha``, ``heat_capacity``, ``gruneisen_closed_form`` (derived coefficients) and
        ``gruneisen_closed_form_printed``; ``heat_capacity_equilibrium`` and ``tau_min`` per
        temperature.

    Examples
    --------
    Γ falls in magnitude as the experiment lasts longer (GGP Sec. VI: at τ_expt ~ 1 s about
    half to a third of its value at 1e-8 s):

    >>> import dynamics, protocols
    >>> glass = dynamics.default_glass()
    >>> ds = protocols.gruneisen_vs_tau(glass, [0.3], tau_expt=[1e-8, 1.0, 1e5])
    >>> gamma = ds.gruneisen_equilibrium.sel(temperature=0.3)  # Γ with C(∞), the paper's
    >>> [f"{g:.2g}" for g in gamma.values]
    ['-34', '-17', '-13']
    """
    import xarray as xr

    model = check_model(glass)
    if not isinstance(model, Glass):
        raise ArgumentTypeError("gruneisen_vs_tau needs a soft-potential glass (dynamics.Glass)")
    _check_extras(resolution, progress)
    temps = _one_d("temperature", check_temperature("temperature", temperature), "K")
    tau = _one_d("tau_expt", check_time("tau_expt", tau_expt), "s")
    if np.any(np.diff(tau) < 0):
        raise ParameterError("tau_expt must be non-decreasing [s]")
    if np.unique(temps).size != temps.size:
        raise ParameterError(
            f"temperature = {temps.tolist()} has repeated values; give distinct temperatures [K]"
        )
    check_model_temperature("temperature", temps.max(), model)
    what = f"gruneisen_vs_tau at {temps.size} temperatures and {tau.size} tau_expt values"
    check_step_cost(what, model, temps, tau, resolution, check_flag("yes", yes))
    with finite_or_refused("Gamma(tau_expt)", model):
        response = step_response(model, temps, tau, resolution=resolution, progress=progress)
    with warnings.catch_warnings():  # the closed form warns where it leaves its validity
        warnings.simplefilter("ignore")
        closed = [closed_form_gruneisen(model, t, tau) for t in temps]
    dims = ("temperature", "tau_expt")
    ds = xr.Dataset(
        {
            "alpha": (dims, response.alpha),
            "heat_capacity": (dims, response.heat_capacity),
            "gruneisen": (dims, response.gruneisen),
            "gruneisen_equilibrium": (dims, response.gruneisen_equilibrium),
            "gruneisen_closed_form": (dims, np.array([c["derived"] for c in closed])),
            "gruneisen_closed_form_printed": (dims, np.array([c["printed"] for c in closed])),
            "heat_capacity_equilibrium": ("temperature", response.heat_capacity_equilibrium),
            "tau_min": ("temperature", tau_min(temps, model.A)),
        },
        coords={"temperature": temps, "tau_expt": tau},
    )
    ds.attrs.update(
        provenance(
            title=f"Grueneisen parameter against tau_expt, glass {model.name}",
            call=f"protocols.gruneisen_vs_tau(glass {model.name})",
            comment="Linear response to an infinitesimal step at t = 0.",
            glass=model,
            resolution=resolution,
            b_gamma=gruneisen_time_constant(),
        )
    )
    check_plausible(ds, "Gamma(tau_expt)", model)
    return annotate(ds)
