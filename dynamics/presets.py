"""Glass presets; every value cites its source and says whether it is measured, fitted, derived,
recalled or estimated.

Status words used in the sources:

* **measured**: an experimental value found in a citable source;
* **derived**: computed here from other values of the same preset (the code shows how);
* **fit**: chosen here so that the simulation reproduces a measured quantity (a test re-derives
  it: ``tests/test_presets.py``). A fitted value has two calibrations, one per spectrum: the
  glass of the preset holds the fit on the paper's asymptotic spectra (``spectrum="asymptotic"``),
  and :attr:`Preset.exact_fit` the fit to the same target on exact spectra, which
  :func:`get_glass` applies for ``spectrum="exact"`` (the default); :attr:`Preset.fit_targets`
  says what each reproduces (``benchmarks/refit_presets.py`` refits both, docs/presets.md);
* **recalled**: a literature value quoted from memory of the named paper and not checked
  against it here (docs/presets.md lists what to verify);
* **estimate**: an order of magnitude (the paper's own estimates, or ours, with the reasoning).

``DEFAULT_PRESET`` is the paper's own set of order-of-magnitude estimates, the glass the paper's
claims (Γ of order 100, the contraction minimum near 1e-8 s at 0.3 K, ...) refer to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dynamics.glass import EXACT_SETTINGS, SPECTRA, Glass, TunnellingGlass
from dynamics.rates import COTH_HALF, one_phonon_constant
from dynamics.thermal import debye_coefficient_from_sound
from dynamics.units import ELECTRON_VOLT, HBAR, K_B
from dynamics.validation import ParameterError

PAPER = "Galperin, Gurevich & Parshin, PRB 32, 6873 (1985)"
BERRET_MEISSNER = "Berret & Meissner, Z. Phys. B 70, 65 (1988)"


def bulk_modulus_from_sound(density: float, v_l: float, v_t: float) -> float:
    """K = rho (v_l^2 - 4 v_t^2/3). [Pa]"""
    return density * (v_l**2 - 4.0 * v_t**2 / 3.0)


def electron_rate_constant(coupling: float) -> float:
    r"""B of the electron relaxation rate p B (E/k_B) coth(E/2k_BT) for a dimensionless
    electron-TLS coupling K_el (Black's (pi/4) K_el p (E/hbar) coth): (pi/4) K_el k_B/hbar.
    [s-1 K-1]"""
    return 3.141592653589793 / 4.0 * coupling * K_B / HBAR


def electron_dos_from_sommerfeld(gamma_el: float, molar_volume: float) -> float:
    """nu(mu) = 3 gamma_el/(pi^2 k_B^2 V_m), both spins, from the Sommerfeld coefficient
    gamma_el [J mol-1 K-2] and the volume per mole of atoms V_m [m3 mol-1]. [J-1 m-3]"""
    return 3.0 * gamma_el / (3.141592653589793**2 * K_B**2 * molar_volume)


#: The quantities a preset value can be fitted to (:class:`FitTarget`): Γ = Kα(τ_expt)/C(∞)
#: after an infinitesimal step (the paper's convention, footnote 44) [1], and the TLS heat
#: capacity over temperature C(τ_expt)/T [J m-3 K-2], both of the slow TLS
#: (:func:`dynamics.response.step_response`); the same two of everything the glass adds to its
#: phonons (all parts of :func:`dynamics.parts.part_response` but ``phonons``: the measured
#: linear specific heat c1 and Γ are what is left after the phonons' T³ is subtracted) [1],
#: [J m-3 K-2]; and the temperature of the maximum of the whole glass's C(τ_expt)/T³ (the
#: calorimetric boson peak) [K].
FIT_QUANTITIES = (
    "gruneisen_equilibrium",
    "heat_capacity_over_temperature",
    "gruneisen_equilibrium_non_phonon",
    "heat_capacity_over_temperature_non_phonon",
    "heat_capacity_over_cube_maximum",
)


@dataclass(frozen=True)
class FitTarget:
    """The measured quantity a fitted preset value reproduces.

    Parameters
    ----------
    quantity
        One of :data:`FIT_QUANTITIES`.
    value
        The measured value. [1] for Γ, [J m-3 K-2] for C/T
    temperature
        Where it is reproduced. [K]
    tau_expt
        Duration of the experiment (the measuring time). [s]
    """

    quantity: str
    value: float
    temperature: float
    tau_expt: float

    def __post_init__(self) -> None:
        if self.quantity not in FIT_QUANTITIES:
            raise ParameterError(
                f"quantity = {self.quantity!r} is not allowed; use one of {FIT_QUANTITIES}"
            )

    @property
    def label(self) -> str:
        """E.g. ``"Gamma(C_inf) = -70 at 0.3 K, tau_expt = 100 s"``."""
        if self.quantity == "heat_capacity_over_cube_maximum":
            return f"max of C/T^3 at T = {self.value:g} K, tau_expt = {self.tau_expt:g} s"
        name = {
            "gruneisen_equilibrium": "Gamma(C_inf)",
            "heat_capacity_over_temperature": "C/T [J m-3 K-2]",
            "gruneisen_equilibrium_non_phonon": "Gamma(C_inf), non-phonon",
            "heat_capacity_over_temperature_non_phonon": "C/T non-phonon [J m-3 K-2]",
        }[self.quantity]
        return f"{name} = {self.value:g} at {self.temperature:g} K, tau_expt = {self.tau_expt:g} s"


@dataclass(frozen=True)
class Preset:
    """A named glass with a source for every value.

    Parameters
    ----------
    glass
        The parameter set; fitted values are the fits on the paper's asymptotic spectra.
    sources
        Field name -> "source; status; note".
    fit_targets
        Fitted field name -> what the fit reproduces (both calibrations reproduce the same).
    exact_fit
        Fitted field name -> its value fitted to the same target on exact spectra (applied by
        :func:`get_glass` with ``spectrum="exact"``).
    exact_sources
        Field name of :attr:`exact_fit` -> "source; status; note" of the exact fit.
    """

    glass: Glass | TunnellingGlass
    sources: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    fit_targets: MappingProxyType[str, FitTarget] = field(
        default_factory=lambda: MappingProxyType({})
    )
    exact_fit: MappingProxyType[str, float] = field(default_factory=lambda: MappingProxyType({}))
    exact_sources: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        fields = set(self.glass.to_dict())
        for mapping in ("fit_targets", "exact_fit", "exact_sources"):
            unknown = set(getattr(self, mapping)) - fields
            if unknown:
                raise ParameterError(f"{mapping} of {self.glass.name!r} names no field: {unknown}")
        if set(self.exact_fit) != set(self.exact_sources) or not set(self.exact_fit) <= set(
            self.fit_targets
        ):
            raise ParameterError(
                f"preset {self.glass.name!r}: every exact fit needs a source and a fit target"
            )


#: (gamma_l [eV], gamma_t [eV], v_l, v_t [m s-1]) behind the one-phonon constant A of the presets
#: that have them (the values cited in their "A" sources).
PHONON_COUPLINGS: MappingProxyType[str, tuple[float, float, float, float]] = MappingProxyType(
    {
        "silica": (1.04, 0.65, 5800.0, 3800.0),
        "pmma": (0.39, 0.27, 3150.0, 1570.0),
        "pdsicu": (0.3, 0.2, 4600.0, 1800.0),
        "zrcu": (0.3, 0.2, 4750.0, 2150.0),
    }
)


def preset_interference_fraction(name: str) -> float | None:
    """Estimate of the interference fraction f of a preset from its gamma_l, gamma_t, v_l, v_t
    (:func:`dynamics.relaxation_coupling.interference_fraction_estimate`; None without them).
    [1]"""
    from dynamics.relaxation_coupling import interference_fraction_estimate

    if name not in PHONON_COUPLINGS:
        return None
    gl, gt, vl, vt = PHONON_COUPLINGS[name]
    return interference_fraction_estimate(gl * ELECTRON_VOLT, gt * ELECTRON_VOLT, vl, vt)


def _coupling_source(name: str) -> str:
    f = preset_interference_fraction(name)
    estimate = (
        f"an 'interference' estimate for this glass is f = {f:.3g} (longitudinal share of the "
        "one-phonon rate times its hydrostatic fraction 1 - 4 gamma_t^2/(3 gamma_l^2), from the "
        "gamma_l, gamma_t, v_l, v_t of A)"
        if f is not None
        else "no gamma_l, gamma_t here to estimate an 'interference' fraction (silica's: 0.064)"
    )
    return (
        "model: 'symmetric', the paper's rate law (mirror partners relax alike; docs/exact.md); "
        + estimate
    )


def _exact_fit_note(key: str, value: float) -> str:
    """What ``tls-expansion glasses`` appends to the source of a value with an exact fit."""
    return (
        f" [this value: the fit on asymptotic spectra; the fit to the same target on exact "
        f"spectra is {key} = {value:.4g} (Preset.exact_fit, applied by get_glass; "
        "docs/presets.md)]"
    )


#: The source of the exact spectrum's settings in every soft-potential preset.
_EXACT_SETTING_SOURCE = (
    "model: the default of exact spectra, converged (docs/exact.md, docs/tables.md); used only "
    "on exact spectra"
)


#: The source of the ``spectrum`` of every soft-potential preset's glass.
_SPECTRUM_SOURCE = (
    "model: the preset's glass holds its calibration on the paper's asymptotic spectra; "
    "get_glass(name) gives exact spectra (the default) with the exact calibration (exact_fit)"
)


_GGP_POPULATION_SOURCE = (
    f"{PAPER}, Sec. II: TLS of type 1 and type 2 with independent densities psi_1, psi_2, two "
    "levels each; model (the paper's)"
)
_NO_ACTIVATION_SOURCE = (
    f"{PAPER}: TLS relax by one-phonon tunnelling only; model (the paper's, valid at k_B T << W)"
)
_ARRHENIUS_SOURCE = (
    "thermal activation over the exact barrier of each double well added to tunnelling "
    "(dynamics.activation, docs/physics.md §11); model"
)


def _preset(
    glass: Glass | TunnellingGlass,
    sources: dict[str, str],
    *,
    fit_targets: dict[str, FitTarget] | None = None,
    exact_fit: dict[str, tuple[float, str]] | None = None,
) -> Preset:
    """A :class:`Preset`; ``exact_fit`` maps a fitted field to (value on exact spectra, source)."""
    extra = {}
    if isinstance(glass, Glass) and "relaxation_coupling" not in sources:
        extra["relaxation_coupling"] = _coupling_source(glass.name)
    if isinstance(glass, Glass):
        extra |= {k: _EXACT_SETTING_SOURCE for k in EXACT_SETTINGS if k not in sources}
        extra.setdefault("spectrum", _SPECTRUM_SOURCE)
        if glass.population == "ggp1985":
            extra.setdefault("population", _GGP_POPULATION_SOURCE)
        extra.setdefault(
            "activation",
            _NO_ACTIVATION_SOURCE if glass.activation == "none" else _ARRHENIUS_SOURCE,
        )
    exact = exact_fit or {}
    noted = {k: sources[k] + _exact_fit_note(k, v) for k, (v, _) in exact.items()}
    return Preset(
        glass,
        MappingProxyType({**sources, **extra, **noted}),
        MappingProxyType(fit_targets or {}),
        MappingProxyType({k: v for k, (v, _) in exact.items()}),
        MappingProxyType({k: src for k, (_, src) in exact.items()}),
    )


# --- the paper's estimates -------------------------------------------------------------------

_GGP_TAU_MIN_AT_0P3K = 1e-8  # [s] Secs. VI, VII: "tau_min(T) ~ 1e-8 sec ... about 0.3 K"
# vitreous silica at room temperature: E = 73 GPa, G = 31 GPa, rho = 2200 kg m-3 give
# v_t = (G/rho)^1/2 = 3754 m/s and v_l = 5990 m/s; the common rounded pair is 5970 / 3760
_SILICA_RT = {"density": 2200.0, "v_l": 5970.0, "v_t": 3760.0}
_SILICA_RT_SOURCE = (
    "vitreous silica, rho = 2200 kg m-3, E = 73 GPa, G = 31 GPa at room temperature (measured; "
    "MakeItFrom 'Fused Silica'), v_l = 5970, v_t = 3760 m/s"
)

_GGP_SOURCES = {
    "W": f"{PAPER}, Sec. II: W ~ hbar omega_D eta_L^1/2 ~ 30 K; estimate",
    "eta_L": f"{PAPER}, (2.4): eta_L ~ (hbar omega_D/C_a)^2/3 ~ 1e-2; estimate",
    "c": f"{PAPER}, Sec. VI: c = 5-7 reproduces Gamma ~ -70 of fused silica with the printed "
    "(6.4); estimate (with the derived coefficients c ~ 40 is needed: see the 'silica' preset)",
    "chi": f"{PAPER}, Sec. VI: gamma2/gamma1 ~ 5 at 1 GHz with (4.10) gives chi ~ 4; estimate",
    "psi": f"{PAPER}, Sec. VI: strongly coupled (type-2) TLS are far rarer (ref. 42); "
    "the value 1/7 is the project's reading of the paper's 'factor of 7'; estimate",
    "N0": f"{PAPER}, after (7.5): N0 ~ 1e33 erg-1 cm-3 = 1e46 J-1 m-3; estimate",
    "A": f"{PAPER}, Secs. VI-VII: tau_min(0.3 K) ~ 1e-8 s, with tau_min = tau_m(E = k_B T, T) "
    "= 1/(A T^3 coth 1/2); estimate (silica's one-phonon A gives 3.5e-7 s at 0.3 K: the "
    "paper's 1e-8 s is silica's value at ~1 K)",
    "type2_rate_ratio": f"{PAPER}, (4.10): (gamma2/gamma1)^2 = (3L/chi)^2 per TLS; model",
    "bulk_modulus": f"derived: rho (v_l^2 - 4 v_t^2/3) from {_SILICA_RT_SOURCE}",
    "debye_coefficient": f"derived: elastic Debye model (2 pi^2/5) k_B^4/(hbar^3 v_D^3) from "
    f"{_SILICA_RT_SOURCE}",
}

GGP1985 = _preset(
    Glass(
        name="ggp1985",
        spectrum="asymptotic",  # this calibration; get_glass applies exact_fit on exact spectra
        W=30.0,
        eta_L=1e-2,
        c=6.0,
        chi=4.0,
        psi=1.0 / 7.0,
        N0=1e46,
        bulk_modulus=bulk_modulus_from_sound(**_SILICA_RT),
        A=1.0 / (_GGP_TAU_MIN_AT_0P3K * 0.3**3 * COTH_HALF),
        type2_rate_ratio="kki",
        debye_coefficient=debye_coefficient_from_sound(_SILICA_RT["v_l"], _SILICA_RT["v_t"]),
        description="The paper's own order-of-magnitude estimates (a generic dielectric glass); "
        "elastic and phonon constants of vitreous silica, the glass it compares with.",
    ),
    _GGP_SOURCES,
)

# --- the fits on exact spectra (benchmarks/refit_presets.py; tests/test_presets.py) ----------

_EXACT_C_SOURCE = (
    "fit: the same target as the asymptotic fit (simulated Gamma with the equilibrium heat "
    "capacity = {target} at T = 0.3 K, tau_expt = 100 s), on exact spectra with the default "
    "(symmetric) relaxation coupling; Gamma is linear in c there too"
)
_EXACT_N0_SOURCE = (
    "fit: the same target as the asymptotic fit (simulated TLS heat capacity at tau = 1 s, "
    "T = 0.3 K = {target} J m-3 K-2), on exact spectra (fewer TLS at a given E: docs/exact.md); "
    "independent of c"
)
_SILICA_EXACT_C = 25.35  # [1]
_SILICA_EXACT_N0 = 1.070e46  # [J-1 m-3]
_PMMA_EXACT_C = 6.331  # [1]
_PMMA_EXACT_N0 = 1.776e46  # [J-1 m-3]

#: The fitted values of the soft-potential presets, as ``benchmarks/refit_presets.py`` prints
#: them (c [1], N0 [J-1 m-3], boson_peak_energy [K]); tests/test_presets.py checks that they
#: reproduce their targets.
SPM_FITS: MappingProxyType[str, dict[str, float]] = MappingProxyType(
    {
        "silica-spm": {"c": 149.055, "N0": 1.74176e45, "boson_peak_energy": 34.6876},
        "pmma-spm": {"c": 5.5458, "N0": 3.76427e45, "boson_peak_energy": 12.9384},
        "polystyrene-spm": {"c": 4.7973, "N0": 3.33764e45, "boson_peak_energy": 10.3289},
        "b2o3-spm": {"c": 14.3981, "N0": 1.18966e45, "boson_peak_energy": 25.9572},
    }
)

# --- vitreous silica ---------------------------------------------------------------------------

_SILICA_A = one_phonon_constant(1.04 * ELECTRON_VOLT, 0.65 * ELECTRON_VOLT, 2200.0, 5800.0, 3800.0)

SILICA = _preset(
    Glass(
        name="silica",
        spectrum="asymptotic",  # this calibration; get_glass applies exact_fit on exact spectra
        W=30.0,
        eta_L=1e-2,
        c=40.5,
        chi=4.0,
        psi=1.0 / 7.0,
        N0=6.2e45,
        bulk_modulus=bulk_modulus_from_sound(**_SILICA_RT),
        A=_SILICA_A,
        type2_rate_ratio="kki",
        debye_coefficient=debye_coefficient_from_sound(_SILICA_RT["v_l"], _SILICA_RT["v_t"]),
        description="Vitreous silica (Suprasil-like): measured elastic and one-phonon constants; "
        "the soft-potential scales of the paper; c and N0 fitted to silica's Grueneisen parameter "
        "and specific heat.",
    ),
    {
        **{
            k: v
            for k, v in _GGP_SOURCES.items()
            if k in ("W", "eta_L", "chi", "psi", "type2_rate_ratio")
        },
        "c": "fit: the simulated Gamma with the equilibrium heat capacity (the paper's convention) "
        "is -70, fused silica's value quoted by the paper (Sec. VI, from Ackerman et al., PRB "
        "29, 966 "
        "(1984) and White), at T = 0.3 K and tau_expt = 100 s (our assumption of the conditions); "
        "the derived closed form (6.4) needs c = 28 and the printed one c = 14 at the same point; "
        "another dilatometer (Lyon, Salinger & Swenson, PRB 19, 4231 (1979), identification ours) "
        "reports Gamma ~ -16, which would give c ~ 9",
        "N0": "fit: the simulated TLS heat capacity at tau = 1 s, T = 0.3 K equals silica's linear "
        "specific heat c1 = 1.2e-6 J g-1 K-2 = 2.64 J m-3 K-2 (Zeller & Pohl, PRB 4, 2029 (1971); "
        "recalled)",
        "A": f"derived: (gamma_l^2/v_l^5 + 2 gamma_t^2/v_t^5) k_B^3/(2 pi rho hbar^4) with "
        f"gamma_l = 1.04 eV, "
        f"gamma_t = 0.65 eV, v_l = 5800, v_t = 3800 m/s, rho = 2200 kg m-3 ({BERRET_MEISSNER}; "
        "recalled)",
        "bulk_modulus": _GGP_SOURCES["bulk_modulus"],
        "debye_coefficient": _GGP_SOURCES["debye_coefficient"],
    },
    fit_targets={
        "c": FitTarget("gruneisen_equilibrium", -70.0, 0.3, 100.0),
        "N0": FitTarget("heat_capacity_over_temperature", 2.64, 0.3, 1.0),
    },
    exact_fit={
        "c": (_SILICA_EXACT_C, _EXACT_C_SOURCE.format(target="-70")),
        "N0": (_SILICA_EXACT_N0, _EXACT_N0_SOURCE.format(target="2.64")),
    },
)

# --- PMMA --------------------------------------------------------------------------------------

_PMMA = {"density": 1180.0, "v_l": 3150.0, "v_t": 1570.0}
_PMMA_SOURCE = (
    f"PMMA, rho = 1180 kg m-3 (measured), low-temperature v_l = 3150, v_t = 1570 m/s "
    f"({BERRET_MEISSNER}; recalled)"
)

PMMA = _preset(
    Glass(
        name="pmma",
        spectrum="asymptotic",  # this calibration; get_glass applies exact_fit on exact spectra
        W=30.0,
        eta_L=1e-2,
        c=10.8,
        chi=4.0,
        psi=1.0 / 7.0,
        N0=1.04e46,
        bulk_modulus=bulk_modulus_from_sound(**_PMMA),
        A=one_phonon_constant(0.39 * ELECTRON_VOLT, 0.27 * ELECTRON_VOLT, **_PMMA),
        type2_rate_ratio="kki",
        debye_coefficient=debye_coefficient_from_sound(_PMMA["v_l"], _PMMA["v_t"]),
        description="Polymethylmethacrylate: low-temperature elastic and one-phonon constants; "
        "the soft-potential scales of the paper; c and N0 fitted to measured Gamma and "
        "specific heat.",
    ),
    {
        **{
            k: v
            for k, v in _GGP_SOURCES.items()
            if k in ("W", "eta_L", "chi", "psi", "type2_rate_ratio")
        },
        "c": "fit: simulated Gamma (equilibrium C) = -16 at T = 0.3 K, tau_expt = 100 s; Gamma "
        "~ -16 "
        "for PMMA and fused silica from a capacitance dilatometer to 1.2 K (Lyon, Salinger & "
        "Swenson, PRB 19, 4231 (1979), identification ours)",
        "N0": "fit: simulated TLS heat capacity at 1 s, 0.3 K equals c1 ~ 4e-6 J g-1 K-2 = "
        "4.72 J m-3 K-2 "
        "(Stephens, PRB 8, 2896 (1973), whose range is 7-50 erg g-1 K-2; the PMMA value recalled)",
        "A": f"derived: one-phonon constant with gamma_l = 0.39 eV, gamma_t = 0.27 eV and "
        f"{_PMMA_SOURCE}",
        "bulk_modulus": f"derived: rho (v_l^2 - 4 v_t^2/3), {_PMMA_SOURCE}",
        "debye_coefficient": f"derived: elastic Debye model, {_PMMA_SOURCE}",
    },
    fit_targets={
        "c": FitTarget("gruneisen_equilibrium", -16.0, 0.3, 100.0),
        "N0": FitTarget("heat_capacity_over_temperature", 4.72, 0.3, 1.0),
    },
    exact_fit={
        "c": (_PMMA_EXACT_C, _EXACT_C_SOURCE.format(target="-16")),
        "N0": (_PMMA_EXACT_N0, _EXACT_N0_SOURCE.format(target="4.72")),
    },
)

# --- metallic glasses --------------------------------------------------------------------------

_PDSICU = {"density": 10500.0, "v_l": 4600.0, "v_t": 1800.0}
_PDSICU_SOURCE = "Pd77.5Cu6Si16.5: rho = 10500 kg m-3, v_l = 4600, v_t = 1800 m/s (estimates "
"for Pd-based glasses)"
_PDSICU_MOLAR_VOLUME = 90.92e-3 / 10500.0  # [m3 per mole of atoms], M = 90.92 g/mol (derived)

PDSICU = _preset(
    Glass(
        name="pdsicu",
        spectrum="asymptotic",  # this calibration; get_glass applies exact_fit on exact spectra
        W=30.0,
        eta_L=1e-2,
        c=6.0,
        chi=4.0,
        psi=1.0 / 7.0,
        N0=1e46,
        bulk_modulus=bulk_modulus_from_sound(**_PDSICU),
        A=one_phonon_constant(0.3 * ELECTRON_VOLT, 0.2 * ELECTRON_VOLT, **_PDSICU),
        type2_rate_ratio="kki",
        debye_coefficient=debye_coefficient_from_sound(_PDSICU["v_l"], _PDSICU["v_t"]),
        electron_dos=electron_dos_from_sommerfeld(1.3e-3, _PDSICU_MOLAR_VOLUME),
        electron_deformation_slope=-2.0 / 3.0,
        electron_rate_constant=electron_rate_constant(0.01),
        description="The metallic glass Pd77.5Cu6Si16.5 (normal metal): conduction electrons add "
        "a positive expansion and relax the TLS. Mostly estimates: see the sources.",
    ),
    {
        **{
            k: v
            for k, v in _GGP_SOURCES.items()
            if k in ("W", "eta_L", "c", "chi", "psi", "N0", "type2_rate_ratio")
        },
        "A": f"derived: one-phonon constant with gamma_l = 0.3, gamma_t = 0.2 eV (estimates, of "
        f"order W/eta_L, {PAPER}) and {_PDSICU_SOURCE}",
        "bulk_modulus": f"derived from {_PDSICU_SOURCE}",
        "debye_coefficient": f"derived: elastic Debye model, {_PDSICU_SOURCE}",
        "electron_dos": "derived: 3 gamma_el/(pi^2 k_B^2 V_m) with gamma_el = 1.3e-3 J mol-1 K-2 "
        "(Chen et al., low-temperature specific heats of glassy Pd-Si-Cu alloys; recalled) and "
        "V_m = 8.66e-6 m3 mol-1",
        "electron_deformation_slope": f"{PAPER}, (7.4): free electrons, Lambda' = -2/3; model",
        "electron_rate_constant": "estimate: (pi/4) K_el k_B/hbar with K_el = 0.01, from the TLS "
        "decay rate in PdSiCu ~1e4 times an insulator's at 10 mK (Golding, Graebner, Kane & Black, "
        "PRL 41, 1487 (1978), measured), reasoning in docs/presets.md",
    },
)

_ZRCU = {"density": 6700.0, "v_l": 4750.0, "v_t": 2150.0}
_ZRCU_SOURCE = (
    "a-Zr70Cu30: rho = 6700 kg m-3, v_l = 4750, v_t = 2150 m/s (estimates for Zr-Cu glasses)"
)
_ZRCU_MOLAR_VOLUME = 82.92e-3 / 6700.0

ZRCU = _preset(
    Glass(
        name="zrcu",
        spectrum="asymptotic",  # this calibration; get_glass applies exact_fit on exact spectra
        W=30.0,
        eta_L=1e-2,
        c=6.0,
        chi=4.0,
        psi=1.0 / 7.0,
        N0=1e46,
        bulk_modulus=bulk_modulus_from_sound(**_ZRCU),
        A=one_phonon_constant(0.3 * ELECTRON_VOLT, 0.2 * ELECTRON_VOLT, **_ZRCU),
        type2_rate_ratio="kki",
        debye_coefficient=debye_coefficient_from_sound(_ZRCU["v_l"], _ZRCU["v_t"]),
        electron_dos=electron_dos_from_sommerfeld(3.4e-3, _ZRCU_MOLAR_VOLUME),
        electron_deformation_slope=-2.0 / 3.0,
        critical_temperature=2.6,
        electron_rate_constant=electron_rate_constant(0.1),
        description="The superconducting amorphous metal Zr70Cu30 (T_c = 2.6 K): the experiment "
        "the paper proposes in Sec. VII. Mostly estimates: see the sources.",
    ),
    {
        **{
            k: v
            for k, v in _GGP_SOURCES.items()
            if k in ("W", "eta_L", "c", "chi", "psi", "N0", "type2_rate_ratio")
        },
        "A": f"derived: one-phonon constant with gamma_l = 0.3, gamma_t = 0.2 eV (estimates) "
        f"and {_ZRCU_SOURCE}",
        "bulk_modulus": f"derived from {_ZRCU_SOURCE}",
        "debye_coefficient": f"derived: elastic Debye model, {_ZRCU_SOURCE}",
        "electron_dos": "derived: 3 gamma_el/(pi^2 k_B^2 V_m) with gamma_el = 3.4e-3 J mol-1 K-2 "
        "(Bakonyi, J. Non-Cryst. Solids 180, 131 (1995); recalled) and V_m = 1.24e-5 m3 mol-1",
        "electron_deformation_slope": f"{PAPER}, (7.4): free electrons, Lambda' = -2/3; model",
        "critical_temperature": "T_c = 2.6 K of amorphous Zr70Cu30 (Duran, Esquinazi, Luzuriaga & "
        "Brandt, Phys. Lett. A 123, 485 (1987)); measured",
        "electron_rate_constant": "estimate: (pi/4) K_el k_B/hbar with K_el = 0.1 (typical "
        "electron-"
        "TLS coupling of metallic glasses, range 0.01-0.3)",
    },
)

STANDARD_TUNNELLING = _preset(
    TunnellingGlass(
        name="stm-silica",
        P_bar=8e44,
        gamma=0.0,
        bulk_modulus=bulk_modulus_from_sound(**_SILICA_RT),
        A=_SILICA_A,
        energy_max=1e3,
        debye_coefficient=debye_coefficient_from_sound(_SILICA_RT["v_l"], _SILICA_RT["v_t"]),
        description="Standard tunnelling model with vitreous-silica constants (the baseline).",
    ),
    {
        "P_bar": f"vitreous silica, P-bar = 0.8e45 J-1 m-3 from acoustic data "
        f"({BERRET_MEISSNER}; recalled)",
        "gamma": "0: no mean deformation potential (AHVP with both signs equally likely); model",
        "A": SILICA.sources["A"],
        "bulk_modulus": _GGP_SOURCES["bulk_modulus"],
        "debye_coefficient": _GGP_SOURCES["debye_coefficient"],
        "energy_max": "1000 K: no upper limit within the range of any run; model",
    },
)

# --- soft-potential presets: the later literature's W, every level, activation, boson peak ---
#
# The stored c, N0 and boson_peak_energy are what benchmarks/refit_presets.py prints (the single
# source of these values: re-run it after a change of the model or the quadrature, then copy).

_NOT_READ = "estimate, not read in a source: "
_SPM_W_SOURCE = (
    _NOT_READ + "recalled from the soft-potential fits of Gil, Ramos, Bringer & Buchenau, PRL "
    "70, 182 (1993) and Ramos & Buchenau, PRB 55, 5749 (1997) (research note "
    "spm_literature.md: {note}); the tables were not read"
)
_SPM_SOURCES = {
    "population": "model: every soft potential once (single wells and double wells with all "
    "their levels), the model of the later literature (docs/physics.md §11)",
    "density_law": "model: P(eta, t) = P_s |eta|, the later literature's law (Buchenau et al., "
    "PRB 46, 2798 (1992); recalled); N0 W = P_s eta_L^5/2",
    "activation": _ARRHENIUS_SOURCE,
    "boson_peak_closure": "model: the E^4 density of soft vibrations turns into E^1 above "
    "boson_peak_energy (Gurevich, Parshin & Schober, PRB 67, 094203 (2003); recalled)",
    "vibration_coupling": "model: GGP's direct term only (docs/physics.md §11)",
    "eta_L": f"{PAPER}, (2.4): eta_L ~ 1e-2; estimate (read there: the paper's theory estimate)",
    "psi": "model: 0, the soft-potential population counts every potential once (no second type)",
    "chi": _GGP_SOURCES["chi"],
    "type2_rate_ratio": "model: the default; unused by the soft-potential population (one type "
    "of double well, each counted once)",
    "spectrum": "model: exact spectra (the soft-potential population needs them; these presets "
    "have no calibration on asymptotic spectra)",
}
_SPM_FIT_NOTE = (
    "fit (benchmarks/refit_presets.py, brentq; c, then N0 and boson_peak_energy together): "
)


def _spm_fit_sources(targets: dict[str, FitTarget], reasons: dict[str, str]) -> dict[str, str]:
    """The sources of the three fitted values of a soft-potential preset: the target of each and
    where the target comes from."""
    return {key: f"{_SPM_FIT_NOTE}{targets[key].label}; {reasons[key]}" for key in targets}


def _spm_targets(gamma: float, c1: float, t_peak: float) -> dict[str, FitTarget]:
    """Γ (non-phonon, equilibrium C) at 0.3 K, 100 s; non-phonon C/T at 0.3 K, 1 s; the maximum
    of the whole C/T³ at 1 s."""
    return {
        "c": FitTarget("gruneisen_equilibrium_non_phonon", gamma, 0.3, 100.0),
        "N0": FitTarget("heat_capacity_over_temperature_non_phonon", c1, 0.3, 1.0),
        "boson_peak_energy": FitTarget("heat_capacity_over_cube_maximum", t_peak, t_peak, 1.0),
    }


def _spm_glass(
    name: str,
    *,
    W: float,
    sound: dict[str, float],
    gammas: tuple[float, float],
    description: str,
    A: float | None = None,
) -> Glass:
    """A glass of the soft-potential population with the settings every such preset shares,
    its fitted values (:data:`SPM_FITS`), and K, A and the Debye coefficient from its density and
    sound velocities ``sound`` [kg m-3, m s-1] and deformation potentials ``gammas`` = (gamma_l,
    gamma_t) [eV] (``A`` [s-1 K-3] given instead where it comes from other velocities)."""
    one_phonon = one_phonon_constant(gammas[0] * ELECTRON_VOLT, gammas[1] * ELECTRON_VOLT, **sound)
    return Glass(
        name=name,
        W=W,
        eta_L=1e-2,
        chi=4.0,
        psi=0.0,
        c=SPM_FITS[name]["c"],
        N0=SPM_FITS[name]["N0"],
        boson_peak_energy=SPM_FITS[name]["boson_peak_energy"],
        bulk_modulus=bulk_modulus_from_sound(**sound),
        A=one_phonon if A is None else A,
        type2_rate_ratio="kki",
        debye_coefficient=debye_coefficient_from_sound(sound["v_l"], sound["v_t"]),
        population="soft-potential",
        density_law="abs_eta",
        activation="arrhenius",
        boson_peak_closure="crossover",
        description=description,
    )


def _elastic_sources(sound_source: str, gammas_note: str) -> dict[str, str]:
    """Sources of A, K and the Debye coefficient derived from ``sound_source`` (density and
    sound velocities) and the deformation potentials of ``gammas_note``."""
    return {
        "A": f"derived: one-phonon constant with {gammas_note} and {sound_source}",
        "bulk_modulus": f"derived: rho (v_l^2 - 4 v_t^2/3), {sound_source}",
        "debye_coefficient": f"derived: elastic Debye model, {sound_source}",
    }


_SILICA_SPM_TARGETS = _spm_targets(-70.0, 2.64, 10.0)
SILICA_SPM = _preset(
    _spm_glass(
        "silica-spm",
        W=3.7,
        sound=_SILICA_RT,
        gammas=(1.04, 0.65),
        A=_SILICA_A,
        description="Vitreous silica in the soft-potential model from 0.05 to 20 K: W of the "
        "later literature (an estimate), every level, activation and the boson peak; c, N0 and "
        "the boson-peak energy fitted to Gamma, c1 and the C/T^3 maximum.",
    ),
    {
        **_SPM_SOURCES,
        "W": _SPM_W_SOURCE.format(note="W/k_B ~ 3.5-4 K"),
        **_spm_fit_sources(
            _SILICA_SPM_TARGETS,
            {
                "c": "the measured Gamma ~ -70 of fused silica (" + PAPER + ", Sec. VI, read)",
                "N0": "c1 = 2.64 J m-3 K-2 as the 'silica' preset (recalled; its N0 source)",
                "boson_peak_energy": "C/T^3 maximum ~ 10 K, read: Ruffle, Parshin, Courtens & "
                "Vacher, arXiv 0711.0461, p. 1: 'specific heat anomaly of glasses at "
                "temperatures T ~ hbar Omega_BP/5k_B ~ 10 K [Zel71]' (Zeller & Pohl 1971)",
            },
        ),
        "A": SILICA.sources["A"],
        "bulk_modulus": _GGP_SOURCES["bulk_modulus"],
        "debye_coefficient": _GGP_SOURCES["debye_coefficient"],
    },
    fit_targets=_SILICA_SPM_TARGETS,
)

_PMMA_SPM_TARGETS = _spm_targets(-16.0, 4.72, 3.5)
PMMA_SPM = _preset(
    _spm_glass(
        "pmma-spm",
        W=2.0,
        sound=_PMMA,
        gammas=(0.39, 0.27),
        description="PMMA in the soft-potential model from 0.05 to 20 K (W and the boson peak "
        "are estimates); c, N0 and the boson-peak energy fitted.",
    ),
    {
        **_SPM_SOURCES,
        "W": _SPM_W_SOURCE.format(note="W/k_B ~ 2 K, low confidence"),
        **_spm_fit_sources(
            _PMMA_SPM_TARGETS,
            {
                "c": "Gamma ~ -16 as the 'pmma' preset (Lyon, Salinger & Swenson, PRB 19, 4231 "
                "(1979); identification ours)",
                "N0": "c1 = 4.72 J m-3 K-2 as the 'pmma' preset (recalled)",
                "boson_peak_energy": _NOT_READ + "C/T^3 maximum at 3-4 K for PMMA, recalled "
                "(research note spm_literature.md)",
            },
        ),
        "A": PMMA.sources["A"],
        "bulk_modulus": PMMA.sources["bulk_modulus"],
        "debye_coefficient": PMMA.sources["debye_coefficient"],
    },
    fit_targets=_PMMA_SPM_TARGETS,
)

# polystyrene: rho read (room temperature), sound velocities estimates
_PS = {"density": 1050.0, "v_l": 2500.0, "v_t": 1150.0}
_PS_SOURCE = (
    "polystyrene, rho = 1050 kg m-3 (read: riplastics.com property list, 'Density 1.05 g/cm3', "
    "room temperature); v_l = 2500, v_t = 1150 m/s (" + _NOT_READ + "recalled ranges "
    "2400-2800 and 1100-1600 m/s, research note spm_literature.md)"
)
_PS_SPM_TARGETS = _spm_targets(-16.0, 4.2, 2.75)
POLYSTYRENE_SPM = _preset(
    _spm_glass(
        "polystyrene-spm",
        W=1.7,
        sound=_PS,
        gammas=(0.39, 0.27),
        description="Polystyrene in the soft-potential model from 0.05 to 20 K: mostly "
        "estimates (see the sources); c, N0 and the boson-peak energy fitted to estimated "
        "targets.",
    ),
    {
        **_SPM_SOURCES,
        "W": _SPM_W_SOURCE.format(note="W/k_B ~ 1.5-2 K, low confidence"),
        **_spm_fit_sources(
            _PS_SPM_TARGETS,
            {
                "c": _NOT_READ + "no Gamma of polystyrene found; PMMA's -16 taken for another "
                "polymer",
                "N0": _NOT_READ + "c1 = 4e-6 J g-1 K-2 (PMMA's per gram) times rho = 1050 kg m-3",
                "boson_peak_energy": _NOT_READ + "C/T^3 maximum at 2.5-3 K for polystyrene, "
                "recalled (research note spm_literature.md)",
            },
        ),
        **_elastic_sources(
            _PS_SOURCE,
            f"gamma_l = 0.39 eV, gamma_t = 0.27 eV ({_NOT_READ}PMMA's values taken for "
            "polystyrene)",
        ),
    },
    fit_targets=_PS_SPM_TARGETS,
)

# B2O3: every elastic value an estimate
_B2O3 = {"density": 1820.0, "v_l": 3350.0, "v_t": 1880.0}
_B2O3_SOURCE = (
    "vitreous B2O3, rho = 1820 kg m-3, v_l = 3350, v_t = 1880 m/s (" + _NOT_READ + "recalled "
    "ranges 1800-1840 kg m-3, 3300-3400 and 1800-1900 m/s, research note spm_literature.md)"
)
_B2O3_SPM_TARGETS = _spm_targets(-16.0, 2.18, 7.5)
B2O3_SPM = _preset(
    _spm_glass(
        "b2o3-spm",
        W=2.7,
        sound=_B2O3,
        gammas=(1.04, 0.65),
        description="Vitreous B2O3 in the soft-potential model from 0.05 to 20 K: mostly "
        "estimates (see the sources); the boson peak derived from its Raman peak.",
    ),
    {
        **_SPM_SOURCES,
        "W": _SPM_W_SOURCE.format(note="W/k_B ~ 2.5-3 K, low confidence"),
        **_spm_fit_sources(
            _B2O3_SPM_TARGETS,
            {
                "c": _NOT_READ + "no Gamma of B2O3 found; the -16 of silica and PMMA (Lyon, "
                "Salinger & Swenson 1979) taken",
                "N0": _NOT_READ + "c1 = 1.2e-6 J g-1 K-2 (silica's per gram) times rho = 1820 "
                "kg m-3",
                "boson_peak_energy": "derived: T_max ~ hbar Omega_BP/5 k_B (the rule read in "
                "Ruffle et al., arXiv 0711.0461) with the Raman boson peak '26 cm-1 observed in "
                "normal vitreous B2O3' (read: Philos. Mag. 95, 2596 (2015), abstract): 37.4 K/5 "
                "= 7.5 K; a calorimetric 5-6 K is recalled, not read",
            },
        ),
        **_elastic_sources(
            _B2O3_SOURCE,
            f"gamma_l = 1.04 eV, gamma_t = 0.65 eV ({_NOT_READ}silica's values taken for B2O3)",
        ),
    },
    fit_targets=_B2O3_SPM_TARGETS,
)

#: The glass presets by name (read-only): each a :class:`Preset`, its glass and the source and
#: status of every value (``tls-expansion glasses`` prints them).
PRESETS: MappingProxyType[str, Preset] = MappingProxyType(
    {
        p.glass.name: p
        for p in (
            GGP1985,
            SILICA,
            PMMA,
            PDSICU,
            ZRCU,
            STANDARD_TUNNELLING,
            SILICA_SPM,
            PMMA_SPM,
            POLYSTYRENE_SPM,
            B2O3_SPM,
        )
    }
)
#: Name of the default preset: the paper's own order-of-magnitude estimates.
DEFAULT_PRESET = "ggp1985"


def get_preset(name: str) -> Preset:
    """The preset called ``name``; a :class:`ParameterError` lists the known names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ParameterError(
            f"glass = {name!r} is not a known preset; choose one of {', '.join(sorted(PRESETS))}"
        ) from None


def get_glass(name: str = DEFAULT_PRESET, *, spectrum: str = "exact") -> Glass | TunnellingGlass:
    """The glass of the preset called ``name`` (default: the paper's estimates).

    Parameters
    ----------
    name
        A preset name (:data:`PRESETS`).
    spectrum
        ``"exact"`` (default): soft-potential glasses on exact spectra (``Glass.spectrum``,
        the spectral table of :mod:`dynamics.exact`) with the fitted values of their exact
        calibration (:attr:`Preset.exact_fit`); ``"asymptotic"``: the paper's leading-order
        formulas (2.8)-(2.13), (4.5), (4.11), the model of its closed forms, with the fitted
        values of the preset's glass. The standard tunnelling model has no soft potentials and
        ignores it.

    Examples
    --------
    A fitted value has one calibration per spectrum (``tls-expansion glasses`` prints both):

    >>> import dynamics
    >>> silica = dynamics.get_glass("silica")  # exact spectra, the default
    >>> silica.c, silica.W
    (25.35, 30.0)
    >>> dynamics.get_glass("silica", spectrum="asymptotic").c  # the paper's model
    40.5
    >>> dynamics.get_glass("pyrex")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dynamics.validation.ParameterError: glass = 'pyrex' is not a known preset; choose one of ...
    """
    if spectrum not in SPECTRA:
        raise ParameterError(f"spectrum = {spectrum!r} is not allowed; use one of {SPECTRA}")
    preset = get_preset(name)
    glass = preset.glass
    if spectrum not in preset_spectra(name):
        raise ParameterError(
            f"spectrum = {spectrum!r} is not allowed for glass {name!r}: its population "
            "'soft-potential' needs exact spectra; use spectrum = 'exact'"
        )
    if spectrum == "exact" and isinstance(glass, Glass):
        return glass.replace(spectrum="exact", **preset.exact_fit)
    return glass


def preset_spectra(name: str) -> tuple[str, ...]:
    """The spectra the preset called ``name`` has a calibration for: both, or ``("exact",)``
    for a glass of the soft-potential population (it needs exact spectra)."""
    glass = get_preset(name).glass
    if isinstance(glass, Glass) and glass.population == "soft-potential":
        return ("exact",)
    return SPECTRA


def default_glass(*, spectrum: str = "exact") -> Glass:
    """The default glass: the paper's own estimates (``ggp1985``), on exact spectra unless
    ``spectrum="asymptotic"`` (see :func:`get_glass`)."""
    glass = get_glass(DEFAULT_PRESET, spectrum=spectrum)
    assert isinstance(glass, Glass)
    return glass


def preset_table(spectrum: str | None = None) -> list[dict[str, Any]]:
    """One row per preset, field and calibration: preset, field, value, source, spectrum.

    Parameters
    ----------
    spectrum
        ``"exact"`` or ``"asymptotic"``: the values a run on that spectrum uses, those of
        :func:`get_glass` with ``spectrum`` (one row per field, each with the source of that
        calibration; the exact spectrum's settings only for ``"exact"``). ``None`` (default):
        the values of both calibrations, ``spectrum`` being ``"both"`` for a value the two
        share and ``"asymptotic"`` and ``"exact"`` for the two values of a field that differs
        (the exact row after the asymptotic one); the settings only exact spectra use are rows
        of ``"exact"`` alone.

    Returns
    -------
    list of dict
        Rows in the order of the presets' names, then of the glass's fields (``model``,
        ``name``, ``description`` and ``spectrum`` are not rows: the column says it).
    """
    if spectrum is not None and spectrum not in SPECTRA:
        raise ParameterError(f"spectrum = {spectrum!r} is not allowed; use one of {SPECTRA}")
    rows: list[dict[str, Any]] = []
    for name, preset in sorted(PRESETS.items()):
        values = {s: get_glass(name, spectrum=s).to_dict() for s in preset_spectra(name)}
        if spectrum is not None and spectrum not in values:
            continue
        values.setdefault("asymptotic", {})
        for key in values["exact"]:
            if key in ("model", "name", "description", "spectrum"):
                continue
            exact_only = not values["asymptotic"]
            kinds = ("exact",) if exact_only else None
            for calibration in kinds or _calibrations(
                spectrum, key in values["asymptotic"], key, values
            ):
                shown = values[calibration if calibration != "both" else "exact"][key]
                source = (
                    preset.exact_sources[key]
                    if calibration == "exact" and key in preset.exact_fit
                    else preset.sources.get(key, "default of the model")
                )
                rows.append(
                    {
                        "preset": name,
                        "field": key,
                        "value": shown,
                        "source": source,
                        "spectrum": calibration if spectrum is None else spectrum,
                    }
                )
    return rows


def _calibrations(
    spectrum: str | None, in_asymptotic: bool, key: str, values: dict[str, dict[str, Any]]
) -> tuple[str, ...]:
    """The rows of field ``key`` of :func:`preset_table`: one for the calibration asked for, or,
    for both, ``("both",)`` where they agree and ``("asymptotic", "exact")`` where they differ
    (none for a setting only exact spectra use)."""
    if spectrum is not None:
        return (spectrum,) if spectrum == "exact" or in_asymptotic else ()
    if not in_asymptotic:
        return ()
    if values["asymptotic"][key] == values["exact"][key]:
        return ("both",)
    return ("asymptotic", "exact")


#: The status words of the sources, from the most to the least certain.
SOURCE_STATUSES = ("measured", "derived", "fit", "recalled", "estimate", "model")


def source_status(source: str) -> str:
    """The status word of a preset value's source text ("source; status; note").

    Parameters
    ----------
    source
        A value of :attr:`Preset.sources`, or ``""`` for a value left at the model's default.

    Returns
    -------
    str
        One of :data:`SOURCE_STATUSES`: the text's first word if it is one (``"derived: ..."``),
        else the first ``;``-separated part that starts with one; ``"default"`` for an empty
        source; ``"unstated"`` if none is found.
    """
    if not source.strip():
        return "default"
    parts = [part.strip() for part in source.split(";")]
    for i, part in enumerate(parts):
        words = part.split()
        word = words[0].strip(":,.()").lower() if words else ""
        if word in SOURCE_STATUSES and (i > 0 or part.lower().startswith(word)):
            return word
    return "unstated"
