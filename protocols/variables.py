"""The registry of output variables: every dataset variable is declared here once, with its
``long_name`` and ``units`` (UDUNITS strings), and datasets take their attributes from it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dynamics.glass import (
    EXACT_SPECTRUM_PARAMETERS,
    GLASS_PARAMETERS,
    SOFT_POTENTIAL_PARAMETERS,
    TUNNELLING_PARAMETERS,
)
from protocols.histories import PROTOCOLS, declared_parameters

if TYPE_CHECKING:  # xarray is imported where a dataset is made or read: a light start
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


def protocol_parameter_variables() -> dict[str, Variable]:
    """The registry's entries of the protocol parameters, from their one declaration
    (:class:`protocols.histories.ProtocolParameter`): ``long_name`` the label, ``units`` the
    unit, ``comment`` the description, prefixed by the protocol where several protocols declare
    the same name (they must agree on its unit).

    Raises
    ------
    ValueError
        Two protocols declare one name with different units.
    """
    declared: dict[str, list[tuple[str, Any]]] = {}
    for kind, cls in PROTOCOLS.items():
        for name, spec in declared_parameters(cls).items():
            declared.setdefault(name, []).append((kind, spec))
    out = {}
    for name, specs in declared.items():
        units = {spec.unit for _, spec in specs}
        if len(units) > 1:
            raise ValueError(f"protocol parameter {name!r} is declared with units {units}")
        texts = {spec.description for _, spec in specs}
        comment = (
            specs[0][1].description
            if len(texts) == 1
            else "; ".join(
                f"{kind}: {spec.description[0].lower()}{spec.description[1:]}"
                for kind, spec in specs
            )
        )
        out[name] = Variable(specs[0][1].label, specs[0][1].unit, comment)
    return out


#: The registry (read-only): every dataset variable and every glass or protocol parameter, by
#: name, with its short ``long_name``, UDUNITS ``units`` and a ``comment``.
VARIABLES: MappingProxyType[str, Variable] = MappingProxyType(
    {
        # the protocol parameters: their one declaration (protocols.histories); a dataset
        # variable of the same name (delta_T) below takes their place
        **protocol_parameter_variables(),
        "time": Variable(
            "time since start",
            "s",
            "time since the start of the protocol (t = 0: the heat step or pulse)",
        ),
        "tls_type": Variable(
            "TLS type",
            "1",
            (
                "type of two-level system: type1 near t = 0, eta < 0; type2 near eta = t^2/4 "
                "(Galperin, Gurevich & Parshin 1985, Sec. II); stm: standard tunnelling model"
            ),
        ),
        "instantaneous_part": Variable(
            "instantaneous part",
            "1",
            (
                "part of a soft-potential glass that follows the temperature at once: "
                "double_well_excitations (every level of a double well beyond its slow "
                "doublet), soft_vibrations (single wells); docs/physics.md section 11"
            ),
        ),
        "step": Variable("staircase step", "1", "number of the step of the staircase"),
        "tau_expt": Variable(
            "experiment duration tau_expt",
            "s",
            "duration of the experiment: time after a small temperature step",
        ),
        "temperature": Variable(
            "sample temperature", "K", "temperature of the sample (phonon bath)"
        ),
        "strain": Variable(
            "volume strain dV/V",
            "1",
            (
                "volume strain Delta V/V relative to the start, all contributions; TLS (sum over "
                "tls_type) + phonons + conduction electrons + instantaneous parts (sum over "
                "instantaneous_part)"
            ),
        ),
        "length_change": Variable(
            "length change dL/L", "1", "relative length change Delta L/L = strain/3"
        ),
        "strain_tls": Variable(
            "TLS volume strain",
            "1",
            (
                "volume strain from each type of two-level system; -(1/K) sum N D_even (n - "
                "n(0)), docs/physics.md section 6"
            ),
        ),
        "strain_phonon": Variable(
            "phonon volume strain",
            "1",
            "volume strain from the Debye phonons; phonon_gruneisen * heat_phonon / K",
        ),
        "strain_electron": Variable(
            "electron volume strain", "1", "volume strain from the conduction electrons"
        ),
        "strain_instantaneous": Variable(
            "instantaneous-part volume strain",
            "1",
            (
                "volume strain from each part that follows the temperature at once; "
                "-(1/K)[<dE/d strain>(T) - <dE/d strain>(T0)], docs/physics.md section 11"
            ),
        ),
        "heat": Variable(
            "heat taken up",
            "J m-3",
            (
                "heat taken up per volume since the start: TLS, phonons, electrons and "
                "instantaneous parts"
            ),
        ),
        "heat_tls": Variable(
            "TLS heat", "J m-3", "heat taken up per volume by each type of two-level system"
        ),
        "heat_phonon": Variable(
            "phonon heat", "J m-3", "heat held by the Debye phonons above their start"
        ),
        "heat_electron": Variable(
            "electron heat", "J m-3", "heat held by the conduction electrons above their start"
        ),
        "heat_instantaneous": Variable(
            "instantaneous-part heat",
            "J m-3",
            "heat held by each part that follows the temperature at once above its start",
        ),
        "heat_to_bath": Variable(
            "heat lost to bath", "J m-3", "heat that has left the sample through the link"
        ),
        "alpha": Variable(
            "TLS expansion coefficient",
            "K-1",
            "volume expansion coefficient of the two-level systems, strain_tls/Delta T",
        ),
        "alpha_by_type": Variable(
            "expansion coeff. per TLS type", "K-1", "volume expansion coefficient of each TLS type"
        ),
        "heat_capacity": Variable(
            "heat capacity C(t)",
            "J m-3 K-1",
            (
                "heat capacity per volume after a small step, relaxed over the time since it: of "
                "the two-level systems in run and gamma datasets (heat_tls/Delta T), of each part "
                "(coordinate part) in thermal datasets"
            ),
        ),
        "heat_capacity_equilibrium": Variable(
            "heat capacity C(inf)",
            "J m-3 K-1",
            (
                "equilibrium heat capacity per volume, C(infinity): of all two-level systems "
                "(all p in (0, 1], including those too slow to relax in the run, closed-form "
                "tail) in run and gamma datasets, of each part in thermal datasets"
            ),
        ),
        "gruneisen": Variable(
            "Grueneisen parameter, C(t)",
            "1",
            (
                "Grueneisen parameter K alpha/C with the heat capacity measured over the same "
                "time: of the two-level systems in run and gamma datasets, of each part in "
                "thermal datasets"
            ),
        ),
        "gruneisen_equilibrium": Variable(
            "Grueneisen parameter, C(inf)",
            "1",
            (
                "Grueneisen parameter K alpha/C(infinity) with the equilibrium heat capacity (the "
                "paper's convention, its footnote 44): of the two-level systems in run and gamma "
                "datasets, of each part in thermal datasets"
            ),
        ),
        "part": Variable(
            "part of the glass",
            "1",
            (
                "tls and relaxators (slow tunnelling doublets, tunnelling- or activation-"
                "dominated), double_well_excitations and soft_vibrations (in equilibrium at "
                "once), phonons (Debye), electrons (metallic glasses) and their total; "
                "docs/physics.md section 11"
            ),
        ),
        "thermal_expansion": Variable(
            "volume expansion coefficient alpha",
            "K-1",
            (
                "volume thermal expansion coefficient (1/V) dV/dT of each part after a small "
                "step, relaxed over tau_expt (a dilatometer's linear coefficient is alpha/3)"
            ),
        ),
        "gruneisen_closed_form": Variable(
            "Grueneisen (6.4), derived",
            "1",
            (
                "Grueneisen parameter of the closed form (6.4) with derived coefficients; "
                "tau_expt/tau_min inserted as b_Gamma tau_expt/tau_min (smooth relaxation), "
                "docs/closed_forms.md"
            ),
        ),
        "gruneisen_closed_form_printed": Variable(
            "Grueneisen (6.4), printed",
            "1",
            "Grueneisen parameter of (6.4) with the paper's printed coefficients 0.55, 0.037",
        ),
        "step_temperature": Variable(
            "step temperature", "K", "temperature of each step of the staircase"
        ),
        "step_end": Variable("end of dwell", "s", "end of each dwell, where the dilatometer reads"),
        "delta_T": Variable("temperature step", "K"),
        "tau_min": Variable(
            "tau_min", "s", "fastest relaxation time of a thermal TLS: " + TAU_MIN_DEFINITION
        ),
        "tau_min_temperature": Variable(
            "temperature of tau_min", "K", "temperature at which tau_min is given"
        ),
        "alpha_electron": Variable(
            "electron expansion coeff.", "K-1", "expansion coefficient of the conduction electrons"
        ),
        "alpha_tls": Variable(
            "TLS expansion coefficient", "K-1", "expansion coefficient of the two-level systems"
        ),
        "alpha_total": Variable(
            "total expansion coefficient", "K-1", "total expansion coefficient, TLS and electrons"
        ),
        "gruneisen_total": Variable(
            "total Grueneisen parameter", "1", "Grueneisen parameter of TLS and electrons together"
        ),
        "superconducting_gap": Variable(
            "BCS gap Delta_s/k_B", "K", "BCS gap Delta_s/k_B of the electrons"
        ),
        "heat_capacity_electron": Variable(
            "electron heat capacity",
            "J m-3 K-1",
            "heat capacity per volume of the conduction electrons (BCS below T_c)",
        ),
        "alpha_over_temperature": Variable(
            "TLS alpha/T",
            "K-2",
            "volume expansion coefficient of the two-level systems over temperature, alpha/T",
        ),
        "heat_capacity_over_temperature": Variable(
            "TLS C/T",
            "J m-3 K-2",
            "heat capacity per volume of the two-level systems over temperature, C/T",
        ),
        "alpha_over_cube": Variable(
            "alpha/T^3",
            "K-4",
            "volume expansion coefficient over the cube of the temperature, alpha/T^3 (of the "
            "parts a measurement holds: the slow TLS or the whole glass)",
        ),
        "heat_capacity_over_cube": Variable(
            "C/T^3",
            "J m-3 K-4",
            "heat capacity per volume over the cube of the temperature, C/T^3 (of the parts a "
            "measurement holds: the slow TLS or the whole glass)",
        ),
        # the glass parameters: their one declaration (dynamics.glass)
        **{
            name: Variable(spec.label, spec.unit, spec.description)
            for name, spec in (
                GLASS_PARAMETERS
                | EXACT_SPECTRUM_PARAMETERS
                | SOFT_POTENTIAL_PARAMETERS
                | TUNNELLING_PARAMETERS
            ).items()
        },
        "interference_fraction": Variable(
            "interference fraction f",
            "1",
            "fraction of the relaxation rate that follows each mirror partner's own coupling "
            "(relaxation_coupling = interference), docs/exact.md",
        ),
    }
)


class UnregisteredVariableError(KeyError):
    """A dataset variable has no entry in the registry."""


#: Keys of a glass's or protocol's dict that name it rather than give a quantity.
LABEL_KEYS = frozenset({"model", "name", "description", "kind"})

#: Global attributes holding parameters as JSON; each gets a ``<name>_units`` companion.
PARAMETER_ATTRIBUTES = ("glass", "protocol")


def parameter_units(parameters: Mapping[str, Any]) -> dict[str, str]:
    """Units of the quantities in a glass's or protocol's ``to_dict()``, from the registry.

    Parameters
    ----------
    parameters
        Parameter name to value. The labels ``model``, ``name``, ``description`` and ``kind``
        are skipped, and so are unregistered parameters whose value is a string (a named
        choice such as ``density_law = "constant"``, which has no unit).

    Returns
    -------
    dict
        Parameter name to its UDUNITS string.

    Raises
    ------
    UnregisteredVariableError
        A parameter that is not a string has no entry in :data:`VARIABLES`.
    """
    out = {}
    for key, value in parameters.items():
        if key in LABEL_KEYS or (key not in VARIABLES and isinstance(value, str)):
            continue
        try:
            out[key] = VARIABLES[key].units
        except KeyError:
            raise UnregisteredVariableError(
                f"parameter {key!r} is not in the registry of variables"
            ) from None
    return out


def annotate(dataset: xr.Dataset) -> xr.Dataset:
    """Set ``long_name``, ``units`` (and comment, standard_name) of every variable from the
    registry, and give each JSON parameter attribute (``glass``, ``protocol``) a companion
    ``glass_units``/``protocol_units`` with the unit of each parameter; raise
    :class:`UnregisteredVariableError` for any variable or parameter not in the registry."""
    for attr in PARAMETER_ATTRIBUTES:
        if attr in dataset.attrs:
            units = parameter_units(json.loads(dataset.attrs[attr]))
            dataset.attrs[f"{attr}_units"] = json.dumps(units, sort_keys=True)
    for name in list(dataset.variables):
        try:
            meta = VARIABLES[str(name)]
        except KeyError:
            raise UnregisteredVariableError(
                f"dataset variable {name!r} is not in the registry"
            ) from None
        dataset[name].attrs.update(meta.attrs())
    return dataset
