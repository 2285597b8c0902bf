r"""Parameters of a glass, validated on construction.

:class:`Glass` is the soft-potential (KKI) glass of the paper, with two TLS types, on exact
spectra of its soft potentials (``spectrum="exact"``, the default) or on the paper's asymptotic
formulas (``spectrum="asymptotic"``); :class:`TunnellingGlass` is the standard tunnelling model
(AHVP) used as a baseline. Both expose the same small interface (:class:`TLSModel`) from which
:func:`dynamics.ensemble.build_ensemble` builds their bins: per type, the density of states, the
even deformation potential and the relaxation constants as functions of :math:`(E, p)`.

Every parameter is declared once, with its unit, range and names: the numbers in
:data:`GLASS_PARAMETERS`, :data:`TUNNELLING_PARAMETERS` and :data:`EXACT_SPECTRUM_PARAMETERS`,
the named choices in :data:`GLASS_CHOICES`.

Units follow docs/physics.md §1: ``W`` in kelvin (:math:`W/k_B`), ``N0`` in J-1 m-3,
``bulk_modulus`` in Pa, ``A`` in s-1 K-3. Inside, energies are joules.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeGuard

import numpy as np
from numpy.typing import NDArray

from dynamics.activation import ACTIVATIONS
from dynamics.deformation import deformation_even_type1, deformation_even_type2
from dynamics.density import (
    DENSITY_PREFACTOR,
    kki_density_of_states,
    kki_density_tail,
    stm_density_of_states,
)
from dynamics.populations import (
    BOSON_PEAK_CLOSURES,
    DENSITY_LAWS,
    DOUBLET_ENERGY_CAP,
    POPULATIONS,
)
from dynamics.rates import type2_rate_constant
from dynamics.units import K_B
from dynamics.validation import ArgumentTypeError, ParameterError, check_range, plain_number

FloatArray = NDArray[np.float64]


#: Relaxation couplings of the mirror partners of a TLS (``Glass.relaxation_coupling``).
RELAXATION_COUPLINGS = ("symmetric", "interference")

#: Where a soft-potential glass takes the parameters of its TLS (``Glass.spectrum``): exact
#: spectra of its soft potentials (the default; :mod:`dynamics.exact`, docs/exact.md) or the
#: paper's leading-order asymptotic formulas (2.8)-(2.13), (4.5), (4.11).
SPECTRA = ("exact", "asymptotic")

#: How strain couples to the single wells (the soft vibrations) of the soft-potential population
#: (``Glass.vibration_coupling``): GGP's direct term only, with the zero-point terms of (3.8),
#: (3.9), or an independent coupling of their own (``c_vib``).
VIBRATION_COUPLINGS = ("direct", "zero-point", "independent")

#: Where exact ensembles take their two-level values: the spectral table
#: (:mod:`dynamics.exact.tables`; shipped with the package for the default solver resolution,
#: built in memory once per process for another) or direct solves of every node.
SPECTRUM_SOURCES = ("table", "direct")


def _check_relaxation_coupling(coupling: Any, fraction: Any) -> None:
    _field_check("interference_fraction", fraction, 0.0, 1.0, low_open=False, high_open=False)
    if coupling == "symmetric" and fraction != 0:
        raise ParameterError(
            f"interference_fraction = {fraction!r} needs relaxation_coupling = 'interference' "
            "(with 'symmetric' it must be 0)"
        )


def relaxation_label(coupling: str, fraction: float) -> str:
    """``"symmetric"`` or ``"interference (f = 0.25)"``: a relaxation coupling in words."""
    return coupling if coupling == "symmetric" else f"{coupling} (f = {fraction:.6g})"


def _field_check(
    name: str,
    value: Any,
    low: float,
    high: float = math.inf,
    *,
    low_open: bool = True,
    high_open: bool = True,
    unit: str = "",
) -> None:
    value = plain_number(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"{name} = {value!r} must be a real number")
    v = float(value)
    inside = (low < v if low_open else low <= v) and (v < high if high_open else v <= high)
    if inside and math.isfinite(v):
        return  # the common case in a few comparisons; check_range words any failure
    check_range(name, value, low, high, low_open=low_open, high_open=high_open, unit=unit)


@dataclass(frozen=True)
class ParameterSpec:
    """The one declaration of a glass parameter: unit, allowed range and names. Validation
    (``Glass.__post_init__``), the dataset variable registry (:mod:`protocols.variables`), the
    units of the ``glass`` attribute and the fit's default bounds (:mod:`protocols.fit`) all
    read it.

    Parameters
    ----------
    unit
        UDUNITS string ("1" for dimensionless).
    low, high
        Allowed range. [unit]
    low_open, high_open
        Whether the ends are excluded.
    label
        Short name, the ``long_name`` of the dataset variable.
    description
        What it is, with its equation (the variable's ``comment``).
    """

    unit: str
    low: float
    high: float
    label: str
    description: str
    low_open: bool = True
    high_open: bool = True

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`ParameterError` naming ``name``, ``value`` and the range if ``value``
        is not a real number inside it."""
        _field_check(
            name,
            value,
            self.low,
            self.high,
            low_open=self.low_open,
            high_open=self.high_open,
            unit="" if self.unit == "1" else self.unit,
        )


@dataclass(frozen=True)
class ChoiceSpec:
    """The one declaration of a glass setting that is a named choice: its allowed values (which
    validation checks) and what it chooses. A choice has no unit (the dataset attributes record
    its value in the ``glass`` JSON, without a ``glass_units`` entry).

    Parameters
    ----------
    choices
        The allowed values; the first is the default.
    label
        Short name.
    description
        What it chooses.
    """

    choices: tuple[str, ...]
    label: str
    description: str

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`ParameterError` naming ``name``, ``value`` and the choices if ``value``
        is not one of them."""
        if not isinstance(value, str) or value not in self.choices:
            raise ParameterError(f"{name} = {value!r} is not allowed; use one of {self.choices}")


_INF = math.inf

#: Every numeric parameter of :class:`Glass`, declared once (``type2_rate_ratio`` may also be
#: the word ``"kki"``).
GLASS_PARAMETERS: dict[str, ParameterSpec] = {
    "W": ParameterSpec("K", 0.0, _INF, "W/k_B", "soft-potential energy scale W/k_B (2.3)"),
    "eta_L": ParameterSpec(
        "1", 0.0, 1.0, "eta_L", "small parameter eta_L of the soft-potential model (2.4)"
    ),
    "c": ParameterSpec(
        "1", -_INF, _INF, "strain coupling c", "mean strain coupling c of eta (3.7)"
    ),
    "chi": ParameterSpec(
        "1", -_INF, _INF, "force constant chi", "zero-point force constant chi (3.2)"
    ),
    "psi": ParameterSpec(
        "1",
        0.0,
        _INF,
        "psi_2/psi_1",
        "density of type-2 over type-1 soft potentials, psi_2/psi_1",
        low_open=False,
    ),
    "N0": ParameterSpec(
        "J-1 m-3",
        0.0,
        _INF,
        "TLS density scale N0",
        "TLS density scale N0 = psi_1 eta_L^(3/2)/W (7.5)",
    ),
    "bulk_modulus": ParameterSpec("Pa", 0.0, _INF, "bulk modulus", "bulk modulus K (1.6)"),
    "A": ParameterSpec(
        "s-1 K-3",
        0.0,
        _INF,
        "one-phonon constant A",
        "one-phonon relaxation constant of type-1 TLS",
    ),
    "type2_rate_ratio": ParameterSpec(
        "1", 0.0, _INF, "type-2 rate ratio", "one-phonon constant of type-2 TLS over A"
    ),
    "debye_coefficient": ParameterSpec(
        "J m-3 K-4",
        0.0,
        _INF,
        "Debye coefficient beta",
        "phonon heat capacity coefficient beta of C_ph = beta T^3",
        low_open=False,
    ),
    "phonon_gruneisen": ParameterSpec(
        "1", -_INF, _INF, "phonon Grueneisen parameter", "Grueneisen parameter of the Debye phonons"
    ),
    "electron_dos": ParameterSpec(
        "J-1 m-3",
        0.0,
        _INF,
        "electron density of states",
        "density of conduction-electron states at the Fermi level",
        low_open=False,
    ),
    "electron_deformation_slope": ParameterSpec(
        "1", -_INF, _INF, "electron slope Lambda'", "electron deformation slope Lambda' (7.2)"
    ),
    "critical_temperature": ParameterSpec(
        "K",
        0.0,
        _INF,
        "critical temperature T_c",
        "superconducting critical temperature T_c",
        low_open=False,
    ),
    "electron_rate_constant": ParameterSpec(
        "s-1 K-1",
        0.0,
        _INF,
        "electron rate constant B",
        "normal-state electron relaxation constant B of the TLS",
        low_open=False,
    ),
}

#: The numeric settings of exact spectra (used only with ``spectrum="exact"``), declared once.
EXACT_SPECTRUM_PARAMETERS: dict[str, ParameterSpec] = {
    "energy_margin": ParameterSpec(
        "1",
        1.0,
        _INF,
        "energy grid margin",
        "exact spectra: extension of the asymptotic energy grid",
        low_open=False,
    ),
    "p_margin": ParameterSpec(
        "1", 1.0, _INF, "p grid margin", "exact spectra: extension of the p grid", low_open=False
    ),
    "spectrum_resolution": ParameterSpec(
        "1", 0.0, _INF, "spectrum resolution", "exact spectra: convergence knob of the solver"
    ),
}

#: The numeric settings of the soft-potential population (used only with
#: ``population="soft-potential"``), declared once.
SOFT_POTENTIAL_PARAMETERS: dict[str, ParameterSpec] = {
    "boson_peak_energy": ParameterSpec(
        "K",
        0.0,
        _INF,
        "boson-peak crossover energy E_b/k_B",
        "soft-potential population: energy E_b/k_B where the boson-peak closure turns the E^4 "
        "density of soft vibrations into E^1 (docs/physics.md §11)",
    ),
    "c_vib": ParameterSpec(
        "1",
        -_INF,
        _INF,
        "strain coupling of the vibrations c_vib",
        "soft-potential population: strain coupling of the single wells with "
        "vibration_coupling = 'independent' (d eta/d eps = c_vib/eta_L)",
    ),
}

#: The settings of :class:`Glass` that are named choices, declared once.
GLASS_CHOICES: dict[str, ChoiceSpec] = {
    "spectrum": ChoiceSpec(SPECTRA, "TLS spectrum", "where the TLS parameters come from"),
    "relaxation_coupling": ChoiceSpec(
        RELAXATION_COUPLINGS,
        "relaxation coupling",
        "how the mirror partners of a TLS relax (docs/exact.md)",
    ),
    "density_law": ChoiceSpec(
        DENSITY_LAWS,
        "density of soft potentials",
        "exact spectra: density of soft potentials in the (eta, t) plane",
    ),
    "spectrum_source": ChoiceSpec(
        SPECTRUM_SOURCES,
        "source of the two-level values",
        "exact spectra: the spectral table or direct solves",
    ),
    "population": ChoiceSpec(
        POPULATIONS,
        "population of soft potentials",
        "the paper's two TLS types, or every soft potential once with all its levels "
        "(docs/physics.md §11)",
    ),
    "activation": ChoiceSpec(
        ACTIVATIONS,
        "relaxation over barriers",
        "thermally activated relaxation of double wells added to tunnelling (none: the paper's)",
    ),
    "boson_peak_closure": ChoiceSpec(
        BOSON_PEAK_CLOSURES,
        "boson-peak closure",
        "soft-potential population: where the E^4 density of soft vibrations stops",
    ),
    "vibration_coupling": ChoiceSpec(
        VIBRATION_COUPLINGS,
        "strain coupling of the vibrations",
        "soft-potential population: how strain couples to the single wells",
    ),
}

#: The settings that only exact spectra use (an asymptotic glass keeps them at their defaults).
EXACT_SETTINGS = ("density_law", *EXACT_SPECTRUM_PARAMETERS, "spectrum_source")
#: The settings that only the soft-potential population uses (the paper's keeps them at their
#: defaults).
SOFT_POTENTIAL_SETTINGS = ("boson_peak_closure", "vibration_coupling", *SOFT_POTENTIAL_PARAMETERS)


#: The parameters of :class:`TunnellingGlass` of its own (the others are those of
#: :data:`GLASS_PARAMETERS`), declared once.
TUNNELLING_PARAMETERS: dict[str, ParameterSpec] = {
    "P_bar": ParameterSpec(
        "J-1 m-3",
        0.0,
        _INF,
        "STM density of states",
        "density of states P_bar of the standard tunnelling model",
    ),
    "gamma": ParameterSpec(
        "J",
        -_INF,
        _INF,
        "STM deformation potential",
        "mean deformation potential of the standard tunnelling model",
    ),
    "energy_max": ParameterSpec(
        "K",
        0.0,
        _INF,
        "STM largest E/k_B",
        "largest TLS energy E/k_B kept (standard tunnelling model)",
    ),
}


class TLSModel(Protocol):
    """What the ensemble builder needs from a model of the TLS spectrum."""

    @property
    def name(self) -> str: ...

    @property
    def bulk_modulus(self) -> float: ...

    @property
    def A(self) -> float: ...

    @property
    def debye_coefficient(self) -> float: ...

    @property
    def phonon_gruneisen(self) -> float: ...

    @property
    def critical_temperature(self) -> float: ...

    @property
    def tls_types(self) -> tuple[str, ...]: ...

    @property
    def energy_cap(self) -> float: ...

    def density(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray: ...

    def deformation_even(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray: ...

    def phonon_constant(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray: ...

    def electron_constant(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray: ...

    def density_tail(self, kind: int, energy: FloatArray, p_low: FloatArray) -> FloatArray: ...

    def to_dict(self) -> dict[str, Any]: ...

    @property
    def spectrum(self) -> str: ...

    @property
    def spectrum_label(self) -> str: ...


@dataclass(frozen=True)
class Glass:
    r"""A glass in the soft-potential model (Galperin, Gurevich & Parshin 1985).

    Parameters
    ----------
    W
        Soft-potential energy scale :math:`W/k_B` (2.3). [K]
    eta_L
        Small parameter :math:`\eta_L` (2.4), in (0, 1). [1]
    c
        Mean strain coupling of :math:`\eta` (3.7); its sign is the sign of the expansion. [1]
    chi
        Zero-point force constant (3.2). [1]
    psi
        :math:`\psi = \psi_2/\psi_1`, density of type-2 over type-1 soft potentials (6.4). [1]
    N0
        TLS density scale :math:`\psi_1\eta_L^{3/2}/W` (7.5). [J-1 m-3]
    bulk_modulus
        Bulk modulus :math:`K` (1.6). [Pa]
    A
        One-phonon relaxation constant of type-1 TLS. [s-1 K-3]
    name
        Label, e.g. the preset's name.
    type2_rate_ratio
        Type-2 one-phonon constant over ``A``: a number > 0, or ``"kki"`` for
        :math:`(\gamma_2/\gamma_1)^2 = (3L/\chi)^2` per TLS (4.10). [1]
    debye_coefficient
        Phonon heat capacity :math:`\beta` in :math:`C_{ph} = \beta T^3`. [J m-3 K-4]
    phonon_gruneisen
        Grüneisen parameter of the Debye phonons (order 1); 0 leaves their expansion out. [1]
    electron_dos
        Density of conduction-electron states at the Fermi level :math:`\nu(\mu)`; 0 for an
        insulator. [J-1 m-3]
    electron_deformation_slope
        :math:`\Lambda'` of (7.2); -2/3 for free electrons. [1]
    critical_temperature
        Superconducting :math:`T_c`; 0 for a normal metal or an insulator. [K]
    electron_rate_constant
        Normal-state electron relaxation constant :math:`B` in :math:`p\,B(E/k_B)\coth(E/2k_BT)`.
        [s-1 K-1]
    relaxation_coupling
        How the mirror partners of a TLS relax (:mod:`dynamics.relaxation_coupling`,
        docs/exact.md): ``"symmetric"`` (the paper's rate law: both partners at the pair's mean
        coupling) or ``"interference"`` (a fraction ``interference_fraction`` of the rate follows
        each partner's own matrix element, where the even and odd parts of
        :math:`\partial H/\partial\varepsilon` interfere).
    interference_fraction
        :math:`f` in [0, 1] of ``"interference"``; 0 with ``"symmetric"``. [1]
    spectrum
        Where the TLS take their parameters: ``"exact"`` (the default; exact spectra of their
        soft potentials, :mod:`dynamics.exact`, docs/exact.md; ``chi`` must be nonzero, it sets
        the type-1 coupling (4.4)) or ``"asymptotic"`` (the paper's leading-order formulas
        (2.8)-(2.13), (4.5), (4.11), the model of its closed forms). The settings below are
        those of exact spectra; an asymptotic glass keeps them at their defaults.
    density_law
        ``"constant"`` (:math:`\psi_j`, the paper) or ``"abs_eta"`` (:math:`\psi_j|\tilde\eta|`).
    energy_margin
        Factor by which the asymptotic energy grid extends below the run's lowest energy, >= 1.
        [1]
    p_margin
        Factor by which the asymptotic p grid extends below the run's bound of p, >= 1. [1]
    spectrum_resolution
        Convergence knob of the spectrum solver, > 0 (1: the levels converged to ~1e-12 W). [1]
    spectrum_source
        ``"table"`` (interpolated in the spectral table, :mod:`dynamics.exact.tables`: shipped
        with the package for resolution 1, built in memory once per process for another) or
        ``"direct"`` (every node solved; 20-40 s per ensemble). They agree to ~1e-7 in the
        two-level values (docs/tables.md).
    population
        Which soft potentials the glass holds (docs/physics.md §11): ``"ggp1985"`` (the paper's
        two TLS types with independent densities ``N0`` and ``psi * N0``, two levels each) or
        ``"soft-potential"`` (every potential shape once: single wells, the soft vibrations, and
        double wells about their barrier top, with all their levels; needs exact spectra and
        ``psi = 0``; its density scale :math:`S = N_0 W` is :math:`P_s\eta_L^{5/2}` with
        ``density_law="abs_eta"``).
    activation
        ``"none"`` (the paper's: double wells relax by one-phonon tunnelling only) or
        ``"arrhenius"`` (thermal activation over the exact barrier added,
        :mod:`dynamics.activation`).
    boson_peak_closure
        Soft-potential population: ``"none"`` (the :math:`E^4` density of soft vibrations goes
        on) or ``"crossover"`` (it turns into :math:`E^1` above ``boson_peak_energy``,
        :func:`dynamics.populations.boson_peak_factor`).
    boson_peak_energy
        :math:`E_b/k_B` of the ``"crossover"`` closure. [K]
    vibration_coupling
        Soft-potential population, single wells: ``"direct"`` (GGP's direct term
        :math:`\partial\tilde\eta/\partial\varepsilon = c/\eta_L` only, the default),
        ``"zero-point"`` (with the :math:`\chi` terms of (3.8), (3.9), which rest on a zero-point
        shift derived for double wells) or ``"independent"`` (``c_vib`` instead of ``c``).
    c_vib
        Strain coupling of the single wells with ``vibration_coupling="independent"``. [1]
    description
        Free text: what the parameter set represents.
    """

    W: float
    eta_L: float
    c: float
    chi: float
    psi: float
    N0: float
    bulk_modulus: float
    A: float
    name: str = "custom"
    type2_rate_ratio: float | str = "kki"
    debye_coefficient: float = 0.0
    phonon_gruneisen: float = 0.0
    electron_dos: float = 0.0
    electron_deformation_slope: float = -2.0 / 3.0
    critical_temperature: float = 0.0
    electron_rate_constant: float = 0.0
    relaxation_coupling: str = "symmetric"
    interference_fraction: float = 0.0
    spectrum: str = "exact"
    density_law: str = "constant"
    energy_margin: float = 300.0
    p_margin: float = 1e5
    spectrum_resolution: float = 1.0
    spectrum_source: str = "table"
    population: str = "ggp1985"
    activation: str = "none"
    boson_peak_closure: str = "none"
    boson_peak_energy: float = 40.0
    vibration_coupling: str = "direct"
    c_vib: float = 0.0
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError(f"name = {self.name!r} must be a non-empty string")
        for name, choice in GLASS_CHOICES.items():
            choice.check(name, getattr(self, name))
        ratio = self.type2_rate_ratio
        if isinstance(ratio, str):
            if ratio != "kki":
                raise ParameterError(
                    f"type2_rate_ratio = {ratio!r} is not allowed; "
                    "use a number in (0, inf) or 'kki'"
                )
            if self.chi == 0:
                raise ParameterError(
                    "chi = 0 is not allowed with type2_rate_ratio = 'kki' (needs chi != 0)"
                )
        for name, spec in GLASS_PARAMETERS.items():
            if not (name == "type2_rate_ratio" and isinstance(ratio, str)):
                object.__setattr__(self, name, plain_number(getattr(self, name)))  # np.float32
                spec.check(name, getattr(self, name))
        _check_relaxation_coupling(self.relaxation_coupling, self.interference_fraction)
        object.__setattr__(self, "interference_fraction", float(self.interference_fraction))
        for name, spec in (EXACT_SPECTRUM_PARAMETERS | SOFT_POTENTIAL_PARAMETERS).items():
            object.__setattr__(self, name, plain_number(getattr(self, name)))
            spec.check(name, getattr(self, name))
        self._check_spectrum_settings()
        self._check_population_settings()

    def _check_population_settings(self) -> None:
        """The soft-potential population needs exact spectra and ``psi = 0`` (it counts every
        double well once, with no second type); the paper's keeps the soft-potential settings at
        their defaults (it does not use them)."""
        if self.population == "soft-potential":
            if self.spectrum != "exact":
                raise ParameterError(
                    "population = 'soft-potential' needs spectrum = 'exact' (its double wells "
                    "reach far beyond the asymptotic formulas)"
                )
            if self.psi != 0:
                raise ParameterError(
                    f"psi = {self.psi!r} is not allowed with population = 'soft-potential' "
                    "(allowed: 0; it counts each double well once, with no second TLS type)"
                )
            return
        for name in SOFT_POTENTIAL_SETTINGS:
            value = getattr(self, name)
            if value != _SOFT_POTENTIAL_DEFAULTS[name]:
                raise ParameterError(
                    f"{name} = {value!r} applies only to population = 'soft-potential'; this "
                    f"glass has population = {self.population!r}"
                )

    def _check_spectrum_settings(self) -> None:
        """Exact spectra need ``chi != 0``; an asymptotic glass keeps the exact spectrum's
        settings at their defaults (it does not use them)."""
        if self.spectrum == "exact":
            if self.chi == 0:
                raise ParameterError(
                    "chi = 0 is not allowed for exact spectra (it sets the type-1 coupling "
                    "(4.4)); use spectrum = 'asymptotic'"
                )
            return
        for name in EXACT_SETTINGS:
            value = getattr(self, name)
            if value != _EXACT_DEFAULTS[name]:
                raise ParameterError(
                    f"{name} = {value!r} applies only to exact spectra; this glass has "
                    f"spectrum = {self.spectrum!r}"
                )

    # --- derived quantities -------------------------------------------------------------
    @property
    def W_J(self) -> float:
        """:math:`W` in joules. [J]"""
        return self.W * K_B

    @property
    def tls_types(self) -> tuple[str, ...]:
        """Names of the TLS types, in the order of the ``kind`` index: the paper's two types, or
        the double wells of the soft-potential population (one type: each counted once)."""
        return ("double_well",) if self.population == "soft-potential" else ("type1", "type2")

    @property
    def density_scale_volume(self) -> float:
        r""":math:`S = N_0 W`, soft potentials per unit area of the reduced
        :math:`(\tilde\eta, \tilde t)` plane per volume (:math:`P_s\eta_L^{5/2}` with the
        :math:`|\eta|` law, :math:`\psi_1\eta_L^{3/2}` with the constant one). [m-3]"""
        return self.N0 * self.W_J

    @property
    def relaxation_label(self) -> str:
        """The relaxation coupling in words, e.g. ``"interference (f = 0.25)"``."""
        return relaxation_label(self.relaxation_coupling, self.interference_fraction)

    @property
    def spectrum_label(self) -> str:
        """How the TLS parameters are obtained, for titles and summaries."""
        if self.spectrum == "exact":
            return "exact spectra"
        return "asymptotic spectra (the paper's leading order)"

    @property
    def energy_cap(self) -> float:
        r"""Largest TLS energy kept: :math:`W/e` for the paper's population (so that :math:`L \ge
        1` for every TLS), :data:`dynamics.populations.DOUBLET_ENERGY_CAP` W for the
        soft-potential population (its slow doublets, with :math:`L_a \ge 1` imposed on
        :math:`p` instead, :meth:`p_ceiling`). [J]"""
        if self.population == "soft-potential":
            return DOUBLET_ENERGY_CAP * self.W_J
        return self.W_J / math.e

    def p_ceiling(self, energy: FloatArray) -> FloatArray:
        r"""Largest :math:`p` of the TLS at each energy: 1, or for the soft-potential population
        above :math:`W/e` the :math:`p_a = (W/eE_a)^2` of :math:`L_a = 1` (the shallower double
        wells follow T at once, docs/physics.md §11). [1]"""
        e = np.asarray(energy, dtype=float)
        if self.population != "soft-potential":
            return np.ones(e.shape)
        return np.minimum(1.0, (self.W_J / (math.e * e)) ** 2)

    def density_scale(self, kind: int) -> float:
        """:math:`\\psi_j\\eta_L^{3/2}/W`: ``N0`` for type 1, ``psi * N0`` for type 2. [J-1 m-3]"""
        return self.N0 if kind == 0 else self.psi * self.N0

    # --- the TLSModel interface ------------------------------------------------------------
    def density(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray:
        """Density of states (5.1) of type ``kind`` (0 or 1). [J-1 m-3]"""
        scale = self.density_scale(kind)
        if scale == 0.0:
            return np.zeros(np.broadcast_shapes(np.shape(energy), np.shape(p)))
        return kki_density_of_states(energy, p, density_scale=scale, W_J=self.W_J)

    def deformation_even(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray:
        """Even deformation potential (4.5) or (4.11). [J]"""
        fn = deformation_even_type1 if kind == 0 else deformation_even_type2
        return fn(energy, p, W_J=self.W_J, c=self.c, eta_L=self.eta_L, chi=self.chi)

    def phonon_constant(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray:
        """One-phonon constant of each TLS. [s-1 K-3]"""
        if kind == 0:
            return np.full(np.broadcast_shapes(np.shape(energy), np.shape(p)), self.A)
        return type2_rate_constant(
            self.A, self.type2_rate_ratio, energy, p, W_J=self.W_J, chi=self.chi
        )

    def electron_constant(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray:
        """Normal-state electron relaxation constant of each TLS. [s-1 K-1]"""
        return np.full(
            np.broadcast_shapes(np.shape(energy), np.shape(p)), self.electron_rate_constant
        )

    def density_tail(self, kind: int, energy: FloatArray, p_low: FloatArray) -> FloatArray:
        r""":math:`\int_0^{p_\ell} N_j\,dp`, the TLS below :math:`p_\ell` at each energy. [J-1
        m-3]"""
        integral = kki_density_tail(energy, p_low, W_J=self.W_J)
        return DENSITY_PREFACTOR * self.density_scale(kind) * integral

    def to_dict(self) -> dict[str, Any]:
        """The fields that make its results as a JSON-serialisable dict (with ``model``): every
        field, but the exact spectrum's settings only on exact spectra (an asymptotic glass
        does not use them)."""
        fields = dataclasses.asdict(self)
        if self.spectrum != "exact":
            fields = {k: v for k, v in fields.items() if k not in EXACT_SETTINGS}
        if self.population != "soft-potential":
            fields = {k: v for k, v in fields.items() if k not in SOFT_POTENTIAL_SETTINGS}
        return {"model": "kki", **fields}

    def to_json(self) -> str:
        """The fields as JSON text (for dataset attributes)."""
        return json.dumps(self.to_dict(), sort_keys=True)

    def replace(self, **changes: Any) -> Glass:
        """A copy with some fields changed (validated)."""
        return _replace(self, changes)

    def with_spectrum(self, spectrum: str) -> Glass:
        """The same glass on ``spectrum`` (:data:`SPECTRA`): the exact spectrum's settings are
        kept on exact spectra and reset to their defaults on asymptotic ones."""
        if spectrum == "exact":
            return self.replace(spectrum=spectrum)
        return self.replace(spectrum=spectrum, **_EXACT_DEFAULTS)


@dataclass(frozen=True)
class TunnellingGlass:
    r"""The standard tunnelling model (AHVP) as a baseline, in the same interface as :class:`Glass`.

    Density :math:`\bar P/(2p\sqrt{1-p})`, constant in :math:`E`; deformation potential
    :math:`D = 2\gamma\Delta/E = 2\gamma(1-p)^{1/2}` (1.7) with a mean :math:`\gamma` of one sign,
    uncorrelated with :math:`E` (which gives the temperature-independent :math:`\alpha` of Sec. I).

    Parameters
    ----------
    P_bar
        :math:`\bar P`. [J-1 m-3]
    gamma
        Mean deformation potential :math:`\gamma` of (1.3), (1.7); 0 for a pure heat-capacity
        model. [J]
    bulk_modulus
        :math:`K`. [Pa]
    A
        One-phonon constant. [s-1 K-3]
    name
        Label.
    energy_max
        Largest TLS energy :math:`E/k_B` kept. [K]
    debye_coefficient
        :math:`\beta` of :math:`C_{ph} = \beta T^3`. [J m-3 K-4]
    """

    P_bar: float
    gamma: float
    bulk_modulus: float
    A: float
    name: str = "stm"
    energy_max: float = 1e3
    debye_coefficient: float = 0.0
    phonon_gruneisen: float = 0.0
    critical_temperature: float = 0.0
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for name, spec in (TUNNELLING_PARAMETERS | GLASS_PARAMETERS).items():
            if hasattr(self, name):
                object.__setattr__(self, name, plain_number(getattr(self, name)))
                spec.check(name, getattr(self, name))

    @property
    def tls_types(self) -> tuple[str, ...]:
        return ("stm",)

    @property
    def spectrum(self) -> str:
        """``"tunnelling-model"``: the TLS parameters of the standard tunnelling model."""
        return "tunnelling-model"

    @property
    def relaxation_label(self) -> str:
        """``"symmetric"``: one rate per TLS (the model has no mirror partners)."""
        return "symmetric"

    @property
    def spectrum_label(self) -> str:
        """How the TLS parameters are obtained, for titles and summaries."""
        return "standard tunnelling model"

    @property
    def energy_cap(self) -> float:
        return self.energy_max * K_B

    def density(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray:
        return np.broadcast_to(
            stm_density_of_states(p, P_bar=self.P_bar),
            np.broadcast_shapes(np.shape(energy), np.shape(p)),
        ).astype(float)

    def deformation_even(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray:
        return np.broadcast_to(
            2.0 * self.gamma * np.sqrt(1.0 - np.asarray(p, dtype=float)),
            np.broadcast_shapes(np.shape(energy), np.shape(p)),
        ).astype(float)

    def phonon_constant(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray:
        return np.full(np.broadcast_shapes(np.shape(energy), np.shape(p)), self.A)

    def electron_constant(self, kind: int, energy: FloatArray, p: FloatArray) -> FloatArray:
        return np.zeros(np.broadcast_shapes(np.shape(energy), np.shape(p)))

    def density_tail(self, kind: int, energy: FloatArray, p_low: FloatArray) -> FloatArray:
        """The STM density diverges as p -> 0: its equilibrium heat capacity is infinite."""
        return np.full(np.broadcast_shapes(np.shape(energy), np.shape(p_low)), np.inf)

    def to_dict(self) -> dict[str, Any]:
        return {"model": "stm", **dataclasses.asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def replace(self, **changes: Any) -> TunnellingGlass:
        """A copy with some fields changed (validated)."""
        return _replace(self, changes)


#: Every glass the tool simulates: the soft-potential glass (on exact or asymptotic spectra) and
#: the standard tunnelling model.
GlassModel = Glass | TunnellingGlass

#: The defaults of the exact spectrum's settings (:data:`EXACT_SETTINGS`).
_EXACT_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(Glass) if f.name in EXACT_SETTINGS
}
_SOFT_POTENTIAL_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(Glass) if f.name in SOFT_POTENTIAL_SETTINGS
}


def _replace(glass: Any, changes: dict[str, Any]) -> Any:
    """``dataclasses.replace`` with unknown field names reported as a :class:`ParameterError`."""
    fields = {f.name for f in dataclasses.fields(glass) if f.init}
    unknown = sorted(set(changes) - fields)
    if unknown:
        raise ParameterError(
            f"{unknown[0]} = {changes[unknown[0]]!r} is not a parameter of "
            f"{type(glass).__name__}; allowed: {', '.join(sorted(fields))}"
        )
    return dataclasses.replace(glass, **changes)


def has_instantaneous_parts(glass: object) -> TypeGuard[Glass]:
    """Whether ``glass`` has parts that follow the temperature at once beyond the phonons and
    electrons (:mod:`dynamics.instantaneous`): a soft-potential population (the paper's
    two-level population and the standard tunnelling model have none)."""
    return isinstance(glass, Glass) and glass.population == "soft-potential"
