"""The relaxation coupling of mirror partners: settings, limits, the asymptotic
partners, the decomposition of Γ, and what every output says about the model.

Independent references: the eigen/two-level matrix elements of single potentials
(dynamics.exact.exact_couplings at the potentials the asymptotic map gives), a hand derivation of
the asymptotic partner couplings from (4.2)-(4.4), exactly rounded sums (math.fsum) of the bins'
contributions, and the silica constants of Berret & Meissner.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from dynamics.decomposition import decompose_ensemble, even_odd_deformation, gruneisen_parts
from dynamics.deformation import gamma_type1
from dynamics.ensemble import Resolution, build_ensemble
from dynamics.exact import (
    exact_couplings,
    exact_two_level,
)
from dynamics.exact.bins import assemble_exact_ensemble, exact_members
from dynamics.glass import Glass
from dynamics.presets import default_glass, preset_interference_fraction
from dynamics.propagation import bin_rates
from dynamics.relaxation_coupling import (
    asymptotic_partner_couplings,
    asymptotic_partners,
    correlated_fraction_isotropic,
    interference_fraction_estimate,
    longitudinal_share,
)
from dynamics.soft_potential import type1_parameters
from dynamics.thermal import occupation_temperature_derivative
from dynamics.units import ELECTRON_VOLT, K_B
from dynamics.validation import ParameterError

GLASS = default_glass(spectrum="asymptotic")
COARSE = Resolution(energy_nodes=4, p_nodes=4, p_panel_decades=3.0, energy_panel_decades=1.5)
W_J = GLASS.W * K_B


def _interference(glass, f: float):  # type: ignore[no-untyped-def]
    return glass.replace(relaxation_coupling="interference", interference_fraction=f)


@pytest.fixture(scope="module")
def exact() -> Glass:
    # direct solves: the tests below compare with exact_two_level at single potentials to
    # rounding (the spectral table interpolates them to ~1e-7, tests/test_tables.py)
    return GLASS.with_spectrum("exact").replace(spectrum_source="direct")


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"relaxation_coupling": "partial"}, "relaxation_coupling"),
        ({"relaxation_coupling": "interference", "interference_fraction": 1.5}, "interference"),
        ({"relaxation_coupling": "interference", "interference_fraction": -0.1}, "interference"),
        ({"relaxation_coupling": "interference", "interference_fraction": math.nan}, "interf"),
        ({"interference_fraction": 0.3}, "needs relaxation_coupling = 'interference'"),
    ],
)
def test_bad_relaxation_coupling_raises(change: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        GLASS.replace(**change)


def test_default_is_symmetric_and_recorded(exact: Glass) -> None:
    assert GLASS.relaxation_coupling == "symmetric" and GLASS.interference_fraction == 0.0
    assert exact.relaxation_label == "symmetric"
    assert _interference(exact, 1).interference_fraction == 1.0  # stored as a float
    assert _interference(exact, 0.25).relaxation_label == "interference (f = 0.25)"
    assert json.loads(_interference(exact, 0.25).to_json())["interference_fraction"] == 0.25


# --- the exact ensemble ------------------------------------------------------------------------


#: The run of the module's exact ensembles (shared with the Γ tests through the engine's cache).
T_END = 1e5  # [s]


@pytest.fixture(scope="module")
def members(exact: Glass) -> tuple:
    return exact_members(exact, 0.3, 0.3, T_END, COARSE)


@pytest.fixture(scope="module")
def exact_ensembles(exact: Glass, members: tuple) -> dict:
    return {
        f: assemble_exact_ensemble(members, exact if f is None else _interference(exact, f))
        for f in (None, 0.0, 1.0)
    }


def test_symmetric_partners_share_their_coupling_and_rates(exact_ensembles: dict) -> None:
    """Symmetric: all members of a node have one coupling (identical bits), so mirror images
    (same E, p) relax at identical rates; type-2 +-R partners differ only through E and p."""
    ens = exact_ensembles[None]
    rates = bin_rates(ens, 0.3)
    groups = ens.partner_group
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        assert np.all(ens.phonon_constant[members] == ens.phonon_constant[members[0]])
        same = (ens.energy[members] == ens.energy[members[0]]) & (
            ens.p[members] == ens.p[members[0]]
        )
        assert np.all(rates[members][same] == rates[members[0]])
    type1 = np.unique(groups[ens.kind == 0])
    assert np.bincount(groups[ens.kind == 0])[type1].min() == 2  # both mirror images kept


def test_symmetric_coupling_is_the_mean_of_the_partners_matrix_elements(
    exact_ensembles: dict, members: tuple
) -> None:
    """Independent: M of (eta, +t) and (eta, -t) from exact_couplings at the potentials of a few
    type-1 nodes, solved alone; the bins' constant is A <M^2>/(p gamma_1^2) (4.4) when symmetric
    and A M+-^2/(p gamma_1^2) with f = 1. Tolerance 1e-12: the same numbers through different
    code paths (rounding only)."""
    ens = exact_ensembles[None]
    type1 = members[0]
    picks = np.flatnonzero(type1.keep.all(axis=0))[::97][:5]
    for i in picks:
        eta, t = type1_parameters(type1.energy_a[i], type1.p_a[i], W_J)
        tls = exact_two_level([eta, eta], [t, -t])
        _, m = exact_couplings(tls, c=GLASS.c, eta_L=GLASS.eta_L, chi=GLASS.chi)
        gamma = gamma_type1(
            type1.energy_a[i] * np.sqrt(type1.p_a[i]),
            W_J=W_J,
            c=GLASS.c,
            eta_L=GLASS.eta_L,
            chi=GLASS.chi,
        )
        own = GLASS.A * (m * W_J) ** 2 / (tls.p[0] * gamma**2)
        bins = np.flatnonzero((ens.kind == 0) & (ens.energy == type1.energy[0, i]))
        assert bins.size == 2  # (eta, +t) then (eta, -t)
        assert ens.phonon_constant[bins] == pytest.approx(own.mean(), rel=1e-12)
        one = exact_ensembles[1.0]  # interference f = 1: each its own
        assert one.phonon_constant[bins] == pytest.approx(own, rel=1e-12)


def test_fraction_limits_are_bit_for_bit(exact_ensembles: dict, members: tuple) -> None:
    """f = 0 is 'symmetric' and f = 1 every potential with its own coupling M^2/(p gamma_a^2)
    (the original exact model), bit for bit; the asymptotic ensemble likewise at f = 0."""
    sym, zero, one = exact_ensembles[None], exact_ensembles[0.0], exact_ensembles[1.0]
    for name in ("energy", "p", "number_density", "deformation", "phonon_constant"):
        assert np.array_equal(getattr(sym, name), getattr(zero, name)), name
        assert np.array_equal(getattr(sym, name), getattr(one, name)) == (name != "phonon_constant")
    own = np.concatenate(
        [(m.phonon_a * m.coupling[s])[m.keep[s]] for m in members for s in range(m.energy.shape[0])]
    )
    assert np.array_equal(one.phonon_constant, own)
    a_sym = build_ensemble(GLASS, 0.3, 0.3, T_END, COARSE)
    a_zero = build_ensemble(_interference(GLASS, 0.0), 0.3, 0.3, T_END, COARSE)
    for name in ("energy", "p", "number_density", "deformation", "phonon_constant"):
        assert np.array_equal(getattr(a_sym, name), getattr(a_zero, name)), name


@pytest.mark.parametrize("spectrum", ["asymptotic", "exact"])
def test_gamma_is_smooth_and_monotone_in_the_fraction(spectrum: str, exact: Glass) -> None:
    """Γ(C(∞)) at 0.3 K against f = 0, 1/4, ..., 1: monotone, and smooth (second differences
    below 5 % of the whole change: the rates are linear in f, Γ nearly so)."""
    base = GLASS if spectrum == "asymptotic" else exact
    tau = np.array([1e-8, 1.0, 1e5])
    fractions = np.linspace(0.0, 1.0, 5)
    gammas = np.array(
        [
            gruneisen_parts(_interference(base, f), 0.3, tau, resolution=COARSE).total
            for f in fractions
        ]
    )
    steps = np.diff(gammas, axis=0)
    assert np.all(steps > 0)  # c > 0: the slow partner is the contracting one (docs/exact.md)
    span = gammas[-1] - gammas[0]
    assert np.all(np.abs(np.diff(gammas, 2, axis=0)) < 0.05 * span)


# --- the asymptotic partners ---------------------------------------------------------------------


def test_asymptotic_partner_couplings_by_hand() -> None:
    """Type 1 from (4.2)-(4.4) by hand: M+- = p^1/2 gamma_1 |1 -+ r|, r = [3/4 |eta| t +
    3/4 chi^2 t/eta^2]/chi + t |eta|^{5/2}/(2^{3/2} chi) (eta, t of (2.8), (2.9)). Tolerance
    1e-12 (rounding)."""
    e = np.array([0.01, 0.05, 0.2]) * W_J
    p = np.array([0.9, 0.3, 1e-4])
    plus, minus = asymptotic_partner_couplings(
        0, e, p, W_J=W_J, c=GLASS.c, eta_L=GLASS.eta_L, chi=GLASS.chi
    )
    eta, t = type1_parameters(e, p, W_J)
    a, chi = np.abs(eta), GLASS.chi
    r = (0.75 * a * t + 0.75 * chi**2 * t / a**2) / chi + t * a**2.5 / (2**1.5 * chi)
    g = np.sqrt(p) * gamma_type1(e * np.sqrt(p), W_J=W_J, c=GLASS.c, eta_L=GLASS.eta_L, chi=chi)
    np.testing.assert_allclose(plus, g * np.abs(1 - r), rtol=1e-12)
    np.testing.assert_allclose(minus, g * np.abs(1 + r), rtol=1e-12)
    odd, factor = asymptotic_partners(
        0, e, p, 0.5, W_J=W_J, c=GLASS.c, eta_L=GLASS.eta_L, chi=GLASS.chi
    )
    np.testing.assert_allclose(factor.mean(axis=0), 1.0, rtol=1e-15)  # the mean rate is the paper's
    assert np.all(odd > 0) and np.all(factor[0] < factor[1])  # contracting partner is slower


def test_asymptotic_interference_matches_the_exact_one(exact: Glass) -> None:
    """The odd type-1 part of Γ with f = 1 from the asymptotic M+- against the exact spectra
    (independent numerics): within 10 % at 0.1 and 1 K (coarse grid; measured 3-6 %)."""
    for temperature in (0.1, 1.0):
        parts = [
            gruneisen_parts(_interference(g, 1.0), temperature, [1.0, T_END], resolution=COARSE)
            for g in (GLASS, exact)
        ]
        assert parts[0].odd[0, 0] == pytest.approx(parts[1].odd[0, 0], rel=0.1)


# --- the decomposition -------------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.1, 1.0])
@pytest.mark.parametrize("model", ["asymptotic", "asymptotic-f1", "exact", "exact-f1"])
def test_decomposition_adds_up_to_gamma(model: str, temperature: float, exact: Glass) -> None:
    """even + odd = Γ of protocols.run.gruneisen_vs_tau, both heat-capacity conventions.

    Tolerance: 1e-12 |Γ| plus 1e-15 times the scale S = K sum |w D dn/dT (1 - e^-kt)| / C: Γ is a
    sum whose terms reach 2e4 |Γ| (odd parts), so the engine's own Γ carries rounding of order
    1e-16 S (measured against math.fsum: up to 1.4e-11 |Γ| at 0.1 K, f = 1); where S ~ |Γ| the
    check is 1e-12 relative."""
    from protocols.run import gruneisen_vs_tau

    glass = GLASS if model.startswith("asymptotic") else exact
    glass = _interference(glass, 1.0) if model.endswith("f1") else glass
    tau = np.array([1e-8, 1e-4, 1.0, 1e5])
    ds = gruneisen_vs_tau(glass, [temperature], tau, resolution=COARSE)
    ens = build_ensemble(glass, temperature, temperature, tau[-1], COARSE)
    x = occupation_temperature_derivative(ens.energy, temperature)[:, None] * -np.expm1(
        -np.multiply.outer(bin_rates(ens, temperature), tau)
    )
    terms = (ens.number_density * ens.deformation)[:, None] * x
    exact_sum = np.array([math.fsum(terms[:, j]) for j in range(tau.size)])
    for convention, name in (("equilibrium", "gruneisen_equilibrium"), ("expt", "gruneisen")):
        parts = gruneisen_parts(
            glass, temperature, tau, resolution=COARSE, heat_capacity=convention
        )
        gamma = ds[name].values.ravel()
        scale = np.abs(terms).sum(0) / np.abs(exact_sum) * np.abs(gamma)
        assert np.all(np.abs(parts.total - gamma) <= 1e-12 * np.abs(gamma) + 1e-15 * scale)
    if model == "asymptotic":
        assert np.all(parts.odd == 0.0)  # every bin alone: no odd part


def test_type1_odd_part_vanishes_with_symmetric_coupling(exact: Glass) -> None:
    """Symmetric: mirror images relax identically, so the type-1 odd part is rounding only
    (< 1e-10 of the even part, whose terms are typically 300 times smaller than the odd ones); the
    type-2 +-R partners keep an odd part through their different exact energies."""
    ens = build_ensemble(exact, 0.3, 0.3, T_END, COARSE)
    even, odd = even_odd_deformation(ens)
    type1 = ens.kind == 0
    assert np.median(np.abs(odd[type1]) / np.abs(even[type1])) > 100  # measured 336
    parts = decompose_ensemble(ens, 0.3, [1.0])
    assert abs(parts.odd[0, 0]) < 1e-10 * abs(parts.even[0, 0])
    assert abs(parts.odd[1, 0]) > 1e-3 * abs(parts.total[0])


# --- the interference fraction of a glass -------------------------------------------------------


def test_interference_fraction_of_silica_by_hand() -> None:
    """Silica, Berret & Meissner: gamma_l, gamma_t = 1.04, 0.65 eV, v_l, v_t = 5800, 3800 m/s:
    longitudinal share 4.230e-57 / (4.230e-57 + 2.7375e-56) = 0.1338 (docs/presets_research.md),
    hydrostatic fraction 1 - (4/3)(0.65/1.04)^2 = 0.4792, f = 0.0641."""
    gl, gt = 1.04 * ELECTRON_VOLT, 0.65 * ELECTRON_VOLT
    assert longitudinal_share(gl, gt, 5800, 3800) == pytest.approx(0.1338, abs=1e-4)
    assert correlated_fraction_isotropic(gl, gt) == pytest.approx(1 - 4 / 3 * 0.390625, rel=1e-12)
    assert interference_fraction_estimate(gl, gt, 5800, 3800) == pytest.approx(0.0641, abs=1e-4)
    assert interference_fraction_estimate(gl, gt, 5800, 3800, correlated=1.0) == pytest.approx(
        0.1338, abs=1e-4
    )
    assert preset_interference_fraction("silica") == pytest.approx(0.0641, abs=1e-4)
    assert preset_interference_fraction("ggp1985") is None
    with pytest.raises(ParameterError, match="v_l"):
        longitudinal_share(gl, gt, -1.0, 3800)


# --- what every output says ------------------------------------------------------------------


def test_datasets_and_titles_name_the_model(exact: Glass) -> None:
    from protocols.histories import HeatStep
    from protocols.run import gruneisen_vs_tau, run

    ds = gruneisen_vs_tau(_interference(GLASS, 0.25), [0.3], [1.0], resolution=COARSE)
    assert ds.attrs["spectrum"] == "asymptotic"
    assert ds.attrs["relaxation_coupling"] == "interference"
    assert ds.attrs["interference_fraction"] == 0.25
    assert "relaxation coupling interference (f = 0.25)" in ds.attrs["title"]
    assert "asymptotic spectra" in ds.attrs["title"]
    step = run(GLASS, HeatStep(0.3, 0.33), [1e-6, 1.0], resolution=COARSE)
    assert (
        step.attrs["spectrum"] == "asymptotic" and step.attrs["relaxation_coupling"] == "symmetric"
    )
    assert "relaxation coupling symmetric" in step.attrs["title"]


def test_cli_options_and_summary_name_the_model(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import xarray as xr

    from protocols.cli import main

    out = tmp_path / "g.nc"
    argv = ["gamma", "--temperature", "0.3", "--tau-expt-min", "1", "--tau-expt-max", "10"]
    argv += ["--tau-expt-per-decade", "1", "--out", str(out), "--no-plot"]
    code = main([*argv, "--relaxation-coupling", "interference", "--interference-fraction", "0.5"])
    assert code == 0
    summary = capsys.readouterr().out
    assert "exact spectra, relaxation coupling interference (f = 0.5)" in summary
    with xr.open_dataset(out) as ds:
        assert ds.attrs["relaxation_coupling"] == "interference"
        assert json.loads(ds.attrs["glass"])["interference_fraction"] == 0.5
    assert main([*argv, "--interference-fraction", "0.5", "--force"]) == 2
    assert "needs relaxation_coupling = 'interference'" in capsys.readouterr().err


def test_toml_glass_table_sets_the_coupling(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from protocols.config import make_glass, read_config

    path = tmp_path / "glass.toml"
    path.write_text(
        '[glass]\npreset = "silica"\nrelaxation_coupling = "interference"\n'
        "interference_fraction = 0.064\n"
    )
    table = dict(read_config(path)["glass"])
    glass = make_glass(table.pop("preset"), table)
    assert glass.relaxation_label == "interference (f = 0.064)"  # type: ignore[union-attr]
    path.write_text('[glass]\nrelaxation_coupling = "partial"\n')
    with pytest.raises(ParameterError, match="relaxation_coupling = 'partial'"):
        make_glass(None, read_config(path)["glass"])
