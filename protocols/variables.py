"""The registry of output variables: every dataset variable is declared here once, with its
``long_name`` and ``units`` (UDUNITS strings), and datasets take their attributes from it."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import xarray as xr


@dataclass(frozen=True)
class Variable:
    """An output variable's metadata.

    Parameters
    ----------
    long_name
        What it is, in words.
    units
        UDUNITS unit string ("1" for dimensionless).
    comment
        Definition or convention worth stating in the file, if any.
    standard_name
        CF standard name, where one exists.
    """

    long_name: str
    units: str
    comment: str = ""
    standard_name: str = ""

    def attrs(self) -> dict[str, str]:
        out = {"long_name": self.long_name, "units": self.units}
        if self.standard_name:
            out["standard_name"] = self.standard_name
        if self.comment:
            out["comment"] = self.comment
        return out


TAU_MIN_DEFINITION = (
    "tau_min(T) = tau_m(E = k_B T, T) = 1/(A T^3 coth(1/2)): the relaxation time of a symmetric "
    "(p = 1) type-1 TLS with E = k_B T, the fastest of the thermal TLS"
)

VARIABLES: MappingProxyType[str, Variable] = MappingProxyType(
    {
        # coordinates
        "time": Variable(
            "time since the start of the protocol (t = 0: the heat step or pulse)", "s"
        ),
        "tls_type": Variable(
            "type of two-level system: type1 near t = 0, eta < 0; type2 near eta = t^2/4 "
            "(Galperin, Gurevich & Parshin 1985, Sec. II); stm: standard tunnelling model",
            "1",
        ),
        "step": Variable("number of the step of the staircase", "1"),
        "tau_expt": Variable(
            "duration of the experiment: time after a small temperature step", "s"
        ),
        "temperature": Variable("temperature of the sample (phonon bath)", "K"),
        # time series
        "strain": Variable(
            "volume strain Delta V/V relative to the start, all contributions",
            "1",
            "TLS (sum over tls_type) + phonons + conduction electrons",
        ),
        "length_change": Variable("relative length change Delta L/L = strain/3", "1"),
        "strain_tls": Variable(
            "volume strain from each type of two-level system",
            "1",
            "-(1/K) sum N D_even (n - n(0)), docs/physics.md section 6",
        ),
        "strain_phonon": Variable(
            "volume strain from the Debye phonons", "1", "phonon_gruneisen * heat_phonon / K"
        ),
        "strain_electron": Variable("volume strain from the conduction electrons", "1"),
        "heat": Variable(
            "heat taken up per volume since the start, TLS, phonons and electrons", "J m-3"
        ),
        "heat_tls": Variable("heat taken up per volume by each type of two-level system", "J m-3"),
        "heat_phonon": Variable("heat held by the Debye phonons above their start", "J m-3"),
        "heat_electron": Variable(
            "heat held by the conduction electrons above their start", "J m-3"
        ),
        "heat_to_bath": Variable("heat that has left the sample through the link", "J m-3"),
        # step quantities
        "alpha": Variable(
            "volume expansion coefficient of the two-level systems, strain_tls/Delta T", "K-1"
        ),
        "alpha_by_type": Variable("volume expansion coefficient of each TLS type", "K-1"),
        "heat_capacity": Variable(
            "heat capacity per volume of the two-level systems after the step, heat_tls/Delta T",
            "J m-3 K-1",
        ),
        "heat_capacity_equilibrium": Variable(
            "equilibrium heat capacity per volume of all two-level systems, C(infinity)",
            "J m-3 K-1",
            "all p in (0, 1], including the TLS too slow to relax in the run (closed-form tail)",
        ),
        "gruneisen": Variable(
            "Grueneisen parameter K alpha/C of the two-level systems, with the heat capacity "
            "measured over the same time",
            "1",
        ),
        "gruneisen_equilibrium": Variable(
            "Grueneisen parameter K alpha/C(infinity) of the two-level systems, with the "
            "equilibrium heat capacity (the paper's convention, its footnote 44)",
            "1",
        ),
        "gruneisen_closed_form": Variable(
            "Grueneisen parameter of the closed form (6.4) with derived coefficients",
            "1",
            "tau_expt/tau_min inserted as b_Gamma tau_expt/tau_min (smooth relaxation), "
            "docs/closed_forms.md",
        ),
        "gruneisen_closed_form_printed": Variable(
            "Grueneisen parameter of (6.4) with the paper's printed coefficients 0.55, 0.037", "1"
        ),
        "step_temperature": Variable("temperature of each step of the staircase", "K"),
        "step_end": Variable("end of each dwell, where the dilatometer reads", "s"),
        "delta_T": Variable("temperature step", "K"),
        "tau_min": Variable("fastest relaxation time of a thermal TLS", "s", TAU_MIN_DEFINITION),
        "tau_min_temperature": Variable("temperature at which tau_min is given", "K"),
        "alpha_electron": Variable("expansion coefficient of the conduction electrons", "K-1"),
        "alpha_tls": Variable("expansion coefficient of the two-level systems", "K-1"),
        "alpha_total": Variable("total expansion coefficient, TLS and electrons", "K-1"),
        "gruneisen_total": Variable("Grueneisen parameter of TLS and electrons together", "1"),
        "superconducting_gap": Variable("BCS gap Delta_s/k_B of the electrons", "K"),
        "heat_capacity_electron": Variable(
            "heat capacity per volume of the conduction electrons (BCS below T_c)", "J m-3 K-1"
        ),
        # protocols.sweep: quantities of a sweep, and the swept parameters as coordinates
        "alpha_over_temperature": Variable(
            "volume expansion coefficient of the two-level systems over temperature, alpha/T",
            "K-2",
        ),
        "heat_capacity_over_temperature": Variable(
            "heat capacity per volume of the two-level systems over temperature, C/T",
            "J m-3 K-2",
        ),
        "W": Variable("soft-potential energy scale W/k_B (2.3)", "K"),
        "eta_L": Variable("small parameter eta_L of the soft-potential model (2.4)", "1"),
        "c": Variable("mean strain coupling c of eta (3.7)", "1"),
        "chi": Variable("zero-point force constant chi (3.2)", "1"),
        "psi": Variable("density of type-2 over type-1 soft potentials, psi_2/psi_1", "1"),
        "N0": Variable("TLS density scale N0 = psi_1 eta_L^(3/2)/W (7.5)", "J-1 m-3"),
        "bulk_modulus": Variable("bulk modulus K (1.6)", "Pa"),
        "A": Variable("one-phonon relaxation constant of type-1 TLS", "s-1 K-3"),
        "type2_rate_ratio": Variable("one-phonon constant of type-2 TLS over A", "1"),
        "debye_coefficient": Variable(
            "phonon heat capacity coefficient beta of C_ph = beta T^3", "J m-3 K-4"
        ),
        "phonon_gruneisen": Variable("Grueneisen parameter of the Debye phonons", "1"),
        "electron_dos": Variable(
            "density of conduction-electron states at the Fermi level", "J-1 m-3"
        ),
        "electron_deformation_slope": Variable("electron deformation slope Lambda' (7.2)", "1"),
        "critical_temperature": Variable("superconducting critical temperature T_c", "K"),
        "electron_rate_constant": Variable(
            "normal-state electron relaxation constant B of the TLS", "s-1 K-1"
        ),
        "interference_fraction": Variable(
            "interference fraction f of the relaxation coupling of mirror partners", "1"
        ),
        "P_bar": Variable("density of states P_bar of the standard tunnelling model", "J-1 m-3"),
        "gamma": Variable("mean deformation potential of the standard tunnelling model", "J"),
        "energy_max": Variable("largest TLS energy E/k_B kept (standard tunnelling model)", "K"),
        "T0": Variable("heat step: equilibrium temperature before the step", "K"),
        "T1": Variable("heat step: temperature after the step", "K"),
        "T_bath": Variable("bath temperature, the equilibrium before the pulse", "K"),
        "tau_link": Variable("time constant of the thermal link to the bath", "s"),
        "energy": Variable("heat deposited per volume by the pulse", "J m-3"),
        "T_start": Variable("equilibrium temperature before t = 0 (staircase, ramp)", "K"),
        "dwell": Variable("staircase: time at each temperature", "s"),
        "T_end": Variable("ramp: temperature at the end of the ramp", "K"),
        "rate": Variable("ramp: magnitude of dT/dt", "K s-1"),
        "link_conductance": Variable(
            "isolated pulse: thermal conductance of the link per sample volume", "W m-3 K-1"
        ),
    }
)


class UnregisteredVariableError(KeyError):
    """A dataset variable has no entry in the registry."""


def annotate(dataset: xr.Dataset) -> xr.Dataset:
    """Set ``long_name``, ``units`` (and comment, standard_name) of every variable from the
    registry; raise :class:`UnregisteredVariableError` for any variable not in it."""
    for name in list(dataset.variables):
        try:
            meta = VARIABLES[str(name)]
        except KeyError:
            raise UnregisteredVariableError(
                f"dataset variable {name!r} is not in the registry"
            ) from None
        dataset[name].attrs.update(meta.attrs())
    return dataset
