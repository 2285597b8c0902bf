"""Metallic glasses through the superconducting transition (paper Sec. VII).

The paper proposes measuring the expansion of a superconducting metallic glass: below T_c the
electrons' positive term dies out as the gap opens, leaving the TLS term, so α may change
sharply, even in sign, near T_c. :func:`alpha_through_tc` simulates that experiment: at each
temperature, the TLS respond to a small step (relaxing by phonons and, in the normal state, by
electrons) over τ_expt, while the electrons follow at once.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from dynamics import __version__
from dynamics.electrons import bcs_gap, electron_expansion_coefficient, electron_heat_capacity
from dynamics.ensemble import Resolution, build_ensemble
from dynamics.glass import Glass
from dynamics.propagation import linear_response
from dynamics.rates import tau_min
from dynamics.units import PAPER_DOI, PAPER_REFERENCE
from dynamics.validation import ParameterError, check_positive, warn_two_level_range
from protocols.variables import TAU_MIN_DEFINITION, annotate


def alpha_through_tc(
    glass: Glass,
    temperature: ArrayLike,
    tau_expt: ArrayLike,
    *,
    resolution: Resolution | None = None,
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

    Returns
    -------
    xarray.Dataset
        Along ``temperature`` (and ``tau_expt``): ``alpha_tls``, ``heat_capacity`` (TLS),
        ``alpha_electron``, ``heat_capacity_electron``, ``alpha_total``, ``gruneisen`` (TLS
        alone, C(τ_expt)), ``gruneisen_total`` (K α_total/(C_TLS + C_e)),
        ``superconducting_gap`` and ``tau_min``.
    """
    if not isinstance(glass, Glass):
        raise ParameterError("alpha_through_tc needs a soft-potential glass (dynamics.Glass)")
    if glass.electron_dos <= 0:
        raise ParameterError(
            f"electron_dos = {glass.electron_dos} must be > 0 for a metallic glass [J-1 m-3]"
        )
    temps = np.atleast_1d(check_positive("temperature", temperature, "K")).astype(float)
    tau = np.atleast_1d(check_positive("tau_expt", tau_expt, "s")).astype(float)
    if np.any(np.diff(temps) <= 0) or np.any(np.diff(tau) < 0):
        raise ParameterError("temperature must increase strictly and tau_expt must not decrease")
    warn_two_level_range(temps.max(), glass.W)
    a_tls = np.empty((temps.size, tau.size))
    c_tls = np.empty((temps.size, tau.size))
    for i, t in enumerate(temps):
        ens = build_ensemble(glass, t, t, float(tau[-1]), resolution)
        a, c = linear_response(ens, t, tau)
        a_tls[i], c_tls[i] = a.sum(0), c.sum(0)
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
    dims = ("temperature", "tau_expt")
    ds = xr.Dataset(
        {
            "alpha_tls": (dims, a_tls),
            "heat_capacity": (dims, c_tls),
            "alpha_electron": ("temperature", a_e),
            "heat_capacity_electron": ("temperature", c_e),
            "alpha_total": (dims, total),
            "gruneisen": (dims, glass.bulk_modulus * a_tls / c_tls),
            "gruneisen_total": (dims, glass.bulk_modulus * total / (c_tls + c_e[:, None])),
            "superconducting_gap": ("temperature", gap),
            "tau_min": ("temperature", tau_min(temps, glass.A)),
        },
        coords={"temperature": temps, "tau_expt": tau},
    )
    ds.attrs.update(
        {
            "Conventions": "CF-1.8",
            "title": f"tls-expansion: expansion of metallic glass {glass.name} through T_c, "
            f"{glass.spectrum_label}",
            "institution": "tls-expansion",
            "source": f"tls-expansion {__version__}",
            "references": PAPER_REFERENCE,
            "paper_doi": PAPER_DOI,
            "history": f"tls-expansion {__version__}: "
            f"protocols.metallic.alpha_through_tc(glass {glass.name})",
            "comment": "TLS: linear response to a small step, relaxing by phonons and (normal "
            "state) "
            "electrons; electrons: alpha_e = -Lambda' C_e/K with the BCS C_e below T_c, the volume "
            "dependence of T_c neglected. " + TAU_MIN_DEFINITION,
            "tls_expansion_version": __version__,
            "glass": json.dumps(glass.to_dict(), sort_keys=True),
            "tau_min_definition": TAU_MIN_DEFINITION,
        }
    )
    return annotate(ds)
