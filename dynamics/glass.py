r"""Parameters of a glass, validated on construction.

:class:`Glass` is the soft-potential (KKI) glass of the paper, with two TLS types;
:class:`TunnellingGlass` is the standard tunnelling model (AHVP) used as a baseline. Both
expose the same small interface (:class:`TLSModel`) from which :mod:`dynamics.ensemble` builds
its bins: per type, the density of states, the even deformation potential and the relaxation
constants as functions of :math:`(E, p)`.

Units follow docs/physics.md §1: ``W`` in kelvin (:math:`W/k_B`), ``N0`` in J-1 m-3,
``bulk_modulus`` in Pa, ``A`` in s-1 K-3. Inside, energies are joules.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from dynamics.deformation import deformation_even_type1, deformation_even_type2
from dynamics.density import (
    DENSITY_PREFACTOR,
    kki_density_of_states,
    kki_density_tail,
    stm_density_of_states,
)
from dynamics.rates import type2_rate_constant
from dynamics.units import K_B
from dynamics.validation import ArgumentTypeError, ParameterError, check_range, plain_number

if TYPE_CHECKING:
    from dynamics.ensemble import Ensemble, Resolution

FloatArray = NDArray[np.float64]


#: Relaxation couplings of the mirror partners of a TLS (``Glass.relaxation_coupling``).
RELAXATION_COUPLINGS = ("symmetric", "interference")


def _check_relaxation_coupling(coupling: Any, fraction: Any) -> None:
    if coupling not in RELAXATION_COUPLINGS:
        raise ParameterError(
            f"relaxation_coupling = {coupling!r} is not allowed; use one of {RELAXATION_COUPLINGS}"
        )
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

    def ensemble(
        self, temperature_low: float, temperature_high: float, t_end: float, resolution: Resolution
    ) -> Ensemble: ...

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
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError(f"name = {self.name!r} must be a non-empty string")
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

    # --- derived quantities -------------------------------------------------------------
    @property
    def W_J(self) -> float:
        """:math:`W` in joules. [J]"""
        return self.W * K_B

    @property
    def tls_types(self) -> tuple[str, ...]:
        """Names of the TLS types, in the order of the ``kind`` index."""
        return ("type1", "type2")

    @property
    def spectrum(self) -> str:
        """Where the TLS parameters come from: ``"asymptotic"`` (the paper's formulas)."""
        return "asymptotic"

    @property
    def relaxation_label(self) -> str:
        """The relaxation coupling in words, e.g. ``"interference (f = 0.25)"``."""
        return relaxation_label(self.relaxation_coupling, self.interference_fraction)

    @property
    def spectrum_label(self) -> str:
        """How the TLS parameters are obtained, for titles and summaries."""
        return "asymptotic spectra (the paper's leading order)"

    @property
    def energy_cap(self) -> float:
        r"""Largest TLS energy kept, :math:`W/e` (so that :math:`L \ge 1` for every TLS). [J]"""
        return self.W_J / math.e

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
        """All fields as a JSON-serialisable dict (with ``model``)."""
        return {"model": "kki", **dataclasses.asdict(self)}

    def to_json(self) -> str:
        """The fields as JSON text (for dataset attributes)."""
        return json.dumps(self.to_dict(), sort_keys=True)

    def ensemble(
        self, temperature_low: float, temperature_high: float, t_end: float, resolution: Resolution
    ) -> Ensemble:
        """The bins for a run, on the asymptotic spectra
        (:func:`dynamics.ensemble.asymptotic_ensemble`)."""
        from dynamics.ensemble import asymptotic_ensemble  # the ensemble module uses glasses

        return asymptotic_ensemble(self, temperature_low, temperature_high, t_end, resolution)

    def replace(self, **changes: Any) -> Glass:
        """A copy with some fields changed (validated)."""
        return _replace(self, changes)


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

    def ensemble(
        self, temperature_low: float, temperature_high: float, t_end: float, resolution: Resolution
    ) -> Ensemble:
        """The bins for a run, on the asymptotic spectra
        (:func:`dynamics.ensemble.asymptotic_ensemble`)."""
        from dynamics.ensemble import asymptotic_ensemble  # the ensemble module uses glasses

        return asymptotic_ensemble(self, temperature_low, temperature_high, t_end, resolution)

    def replace(self, **changes: Any) -> TunnellingGlass:
        """A copy with some fields changed (validated)."""
        return _replace(self, changes)


#: Every glass the tool simulates: the soft-potential glass (asymptotic spectra; its subclass
#: dynamics.exact.ExactGlass for exact spectra) and the standard tunnelling model.
GlassModel = Glass | TunnellingGlass


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
