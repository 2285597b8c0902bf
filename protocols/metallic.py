"""Metallic glasses through the superconducting transition (paper Sec. VII).

The paper proposes measuring the expansion of a superconducting metallic glass: below T_c the
electrons' positive term dies out as the gap opens, leaving the TLS term, so α may change
sharply, even in sign, near T_c. :func:`alpha_through_tc` simulates that experiment: at each
temperature, the TLS respond to a small step (relaxing by phonons and, in the normal state, by
electrons) over τ_expt, while the electrons follow at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from dynamics.ensemble import Resolution
from dynamics.glass import Glass
from dynamics.parts import check_model_temperature
from dynamics.response import metallic_response
from dynamics.validation import (
    ArgumentTypeError,
    ParameterError,
    check_temperature,
    check_time,
)
from protocols.checks import check_callback, check_flag, check_resolution
from protocols.cost import check_step_cost
from protocols.plausibility import check_plausible, finite_or_refused
from protocols.provenance import provenance
from protocols.variables import annotate

if TYPE_CHECKING:  # xarray is imported where a dataset is made or read: a light start
    import xarray as xr


def alpha_through_tc(
    glass: Glass,
    temperature: ArrayLike,
    tau_expt: ArrayLike,
    *,
    resolution: Resolution | None = None,
    progress: Callable[[float], None] | None = None,
    yes: bool = False,
) -> xr.Dataset:
    """Expansion coefficient and Grüneisen parameter of a metallic glass against temperature.

    Parameters
    ----------
    glass
        A soft-potential glass with ``electron_dos`` > 0 (and ``critical_temperature`` > 0 for
        a superconductor).
    temperature
        Temperatures, increasing. [K]
    tau_expt
        Durations of the experiment after a small step. [s]
    resolution
        Quadrature resolution.
    progress
        Called with the fraction of the temperatures done.
    yes
        Compute even if the work is estimated above :data:`protocols.cost.MAX_ESTIMATE_S`
        (refused otherwise, before any work: :func:`protocols.cost.step_work`).

    Returns
    -------
    xarray.Dataset
        Along ``temperature`` (and ``tau_expt``): ``alpha_tls``, ``heat_capacity`` (TLS),
        ``alpha_electron``, ``heat_capacity_electron``, ``alpha_total``, ``gruneisen`` (TLS
        alone, C(τ_expt)), ``gruneisen_total`` (K α_total/(C_TLS + C_e)),
        ``superconducting_gap`` and ``tau_min``.
    """
    import xarray as xr

    if not isinstance(glass, Glass):
        raise ArgumentTypeError(
            f"glass = {glass!r}: alpha_through_tc needs a soft-potential glass (dynamics.Glass)"
        )
    check_resolution(resolution)
    check_callback("progress", progress)
    if glass.electron_dos <= 0:
        raise ParameterError(
            f"electron_dos = {glass.electron_dos} must be > 0 for a metallic glass [J-1 m-3]"
        )
    temps = np.atleast_1d(check_temperature("temperature", temperature)).astype(float)
    tau = np.atleast_1d(check_time("tau_expt", tau_expt)).astype(float)
    if temps.ndim != 1 or temps.size == 0 or tau.ndim != 1 or tau.size == 0:
        raise ParameterError(
            "temperature [K] and tau_expt [s] must each be a non-empty 1-D list of values"
        )
    if np.any(np.diff(temps) <= 0) or np.any(np.diff(tau) < 0):
        raise ParameterError("temperature must increase strictly and tau_expt must not decrease")
    check_model_temperature("temperature", temps.max(), glass)
    what = f"alpha_through_tc at {temps.size} temperatures"
    check_step_cost(what, glass, temps, tau, resolution, check_flag("yes", yes))
    with finite_or_refused("alpha through T_c", glass):
        response = metallic_response(glass, temps, tau, resolution, progress)
    dims = ("temperature", "tau_expt")
    by_temperature = ("alpha_electron", "heat_capacity_electron", "superconducting_gap", "tau_min")
    ds = xr.Dataset(
        {
            f.name: ("temperature" if f.name in by_temperature else dims, getattr(response, f.name))
            for f in dataclasses.fields(response)
        },
        coords={"temperature": temps, "tau_expt": tau},
    )
    ds.attrs.update(
        provenance(
            title=f"expansion of metallic glass {glass.name} through T_c",
            call=f"protocols.metallic.alpha_through_tc(glass {glass.name})",
            comment="TLS: linear response to a small step, relaxing by phonons and (normal "
            "state) electrons; electrons: alpha_e = -Lambda' C_e/K with the BCS C_e below T_c, "
            "the volume dependence of T_c neglected.",
            glass=glass,
            resolution=resolution,
        )
    )
    check_plausible(ds, "alpha through T_c", glass)
    return annotate(ds)
