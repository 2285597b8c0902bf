"""Exact two-level parameters, deformation potentials and the microscopic ensemble.

Independent references: finite differences of the exact splitting along the strain path
(for the Hellmann–Feynman deformation potential), the eigenstates' matrix element (for the
two-level coupling formula), a numerical Jacobian of the asymptotic maps (for the ensemble
weights), and the paper's asymptotic formulas in the limit where they hold.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from dynamics.coupling import deta_dstrain, dt_dstrain, zero_point_shift
from dynamics.decomposition import decompose_ensemble, even_odd_deformation
from dynamics.deformation import (
    deformation_even_type1,
    deformation_even_type2,
    gamma_type1,
)
from dynamics.density import kki_density_of_states
from dynamics.ensemble import Resolution, build_ensemble
from dynamics.exact import (
    exact_couplings,
    exact_deformation_type1,
    exact_deformation_type2,
    exact_two_level,
)
from dynamics.exact.bins import exact_members
from dynamics.exact.solver import solve_soft_potential
from dynamics.mechanisms import (
    MECHANISM_LABELS,
    MECHANISM_STEPS,
    mechanism_ensemble,
    mechanism_rows,
)
from dynamics.presets import default_glass
from dynamics.soft_potential import (
    asymmetry_type1,
    asymmetry_type2,
    type1_parameters,
    type2_parameters,
)
from dynamics.units import K_B
from dynamics.validation import ParameterError

GLASS = default_glass(spectrum="asymptotic")
COARSE = Resolution(energy_nodes=4, p_nodes=4, p_panel_decades=3.0, energy_panel_decades=1.5)


def test_deformation_equals_finite_difference_of_exact_splitting() -> None:
    """D from Hellmann–Feynman and (3.8), (3.9) = dE/d(strain) by central differences of the
    exact splitting along (eta + e d_eta, t + e d_t). Tolerance 1e-5 relative: step 1e-4 in
    strain units of eta_L/c, truncation ~1e-8, level noise 1e-12 W / (2e-4 * 1e-2 W) ~ 5e-7."""
    eta = np.array([-6.0, -8.0, -9.0, -7.0])
    t = np.array([0.05, -0.2, 0.3, 1.0])
    tls = exact_two_level(eta, t)
    D, _ = exact_couplings(tls, c=GLASS.c, eta_L=GLASS.eta_L, chi=GLASS.chi)
    delta = zero_point_shift(GLASS.chi, eta, t)
    d_eta = deta_dstrain(GLASS.c, GLASS.eta_L, eta, t, delta)
    d_t = dt_dstrain(GLASS.c, GLASS.eta_L, eta, delta)
    h = 1e-4 * GLASS.eta_L / GLASS.c
    up = solve_soft_potential(eta + h * d_eta, t + h * d_t, resolution=1.5).splitting
    down = solve_soft_potential(eta - h * d_eta, t - h * d_t, resolution=1.5).splitting
    assert np.allclose(D, (up - down) / (2 * h), rtol=1e-5, atol=0)


def test_two_level_coupling_formula_agrees_with_eigenstate_matrix_element() -> None:
    """M = (1/2)[(D0/E) dDelta - (Delta/E) dD0] (used for p < 1/2) against
    <0|dH/de|1> of the exact eigenstates, where both are resolved (p from 0.1 to 0.95).
    Tolerance 1e-3: forward differences of ln Delta0 (step 1e-3, error ~1e-4) and the neglected
    frame term of relative order (E/W)^2."""
    eta = np.full(5, -7.0)
    t = np.array([2e-4, 3e-4, 5e-4, 1e-3, 2e-3])
    tls = exact_two_level(eta, t)
    assert np.all((tls.p > 0.1) & (tls.p < 0.95))
    delta = zero_point_shift(GLASS.chi, eta, t)
    d_eta = deta_dstrain(GLASS.c, GLASS.eta_L, eta, t, delta)
    d_t = dt_dstrain(GLASS.c, GLASS.eta_L, eta, delta)
    eigen = np.abs(tls.x2_01 * d_eta + tls.x3_01 * d_t)
    low_p = exact_couplings(
        tls.__class__(**{**tls.__dict__, "p": np.full(5, 0.0)}),
        c=GLASS.c,
        eta_L=GLASS.eta_L,
        chi=GLASS.chi,
    )[1]
    assert np.allclose(low_p, eigen, rtol=1e-3)


def test_mirror_image_has_the_same_spectrum_and_opposite_odd_parts() -> None:
    """(eta, -t) is the image x -> -x of (eta, t): same E and p; dE/dt changes sign."""
    a = exact_two_level([-8.0, -8.0], [0.1, -0.1])
    # the solver sees |t| for both; rows of one batch may differ in the last bit (BLAS)
    assert np.allclose(a.splitting[0], a.splitting[1], rtol=1e-14, atol=0)
    assert np.allclose(a.p[0], a.p[1], rtol=1e-13, atol=0)
    assert np.allclose(a.dE_dt[0], -a.dE_dt[1], rtol=1e-12, atol=0)
    assert np.allclose(a.asymmetry[0], -a.asymmetry[1], rtol=1e-12, atol=0)
    m = exact_two_level(-8.0, 0.1).mirrored()
    assert np.allclose(m.dE_dt, a.dE_dt[1], rtol=1e-12, atol=0) and m.t == -0.1


@pytest.mark.parametrize("t", [1e-3, 1e-2])
def test_even_deformation_type1_approaches_4_5(t: float) -> None:
    """Exact D_even / (4.5) at the exact (E, p) tends to 1 as |eta| grows (the corrections are
    of relative order 1/L). Measured: 0.81 at eta = -10, 0.90 at -16, 0.94 at -25; we require
    monotone approach and |ratio - 1| < 0.1 at eta = -25."""
    etas = np.array([-10.0, -16.0, -25.0])
    even, _ = exact_deformation_type1(etas, np.full(3, t), GLASS)
    tls = exact_two_level(etas, np.full(3, t))
    w = GLASS.W * K_B
    paper = deformation_even_type1(
        tls.splitting * w, tls.p, W_J=w, c=GLASS.c, eta_L=GLASS.eta_L, chi=GLASS.chi
    )
    gap = np.abs(even / paper - 1)
    assert np.all(np.diff(gap) < 0) and gap[-1] < 0.1


def test_even_deformation_type1_symmetric_wells_approach_4_5() -> None:
    """p = 1: D_even = dDelta0/de -> (cE/eta_L) kappa1 L^{1/3} of (4.5). Measured ratio
    1.097, 1.058, 1.033, 1.019 at eta = -6, -10, -16, -25: within 10 %, decreasing."""
    etas = np.array([-6.0, -10.0, -16.0, -25.0])  # -16, -25: doublet unresolved, D = dDelta0/de
    even, _ = exact_deformation_type1(etas, np.zeros(4), GLASS)
    tls = exact_two_level(etas, np.zeros(4))
    w = GLASS.W * K_B
    paper = deformation_even_type1(
        tls.splitting * w, tls.p, W_J=w, c=GLASS.c, eta_L=GLASS.eta_L, chi=GLASS.chi
    )
    ratio = even / paper
    assert np.all(np.abs(ratio - 1) < 0.1) and np.all(np.diff(np.abs(ratio - 1)) < 0)


def test_even_deformation_type2_is_well_defined() -> None:
    """Type 2 (t, +-R): the even part. (4.11) keeps only the chi^2 terms; the exact even part
    also holds the O(R^2) asymmetry that (2.13) drops, so only sign and order of magnitude are
    required here: finite, nonzero (docs/exact.md tables the ratio)."""
    t = np.array([5.0, 6.0, 7.0])
    R = np.array([1e-3, 1e-3, 1e-3])
    even, odd = exact_deformation_type2(t, R, GLASS)
    tls = exact_two_level(R + t**2 / 4, t)
    w = GLASS.W * K_B
    paper = deformation_even_type2(
        tls.splitting * w, tls.p, W_J=w, c=GLASS.c, eta_L=GLASS.eta_L, chi=GLASS.chi
    )
    assert np.all(np.isfinite(even)) and np.all(np.isfinite(odd)) and np.all(even != 0)
    assert np.all(np.isfinite(even / paper))


def test_asymmetry_approaches_2_9_and_2_13() -> None:
    """Delta exact / (2.9) -> 1 as |eta| grows (measured 0.948, 0.973, 0.988, 0.993 at
    eta = -8, -12, -20, -30); |Delta| / |(2.13)| -> 1 as t grows (0.74, 0.92, 0.96, 0.986 at
    t = 5, 7, 9, 12; the solver's sign of Delta is opposite to (2.13)'s for type 2).
    Required: monotone approach, within 1 % (type 1) and 2 % (type 2) at the deepest point."""
    etas = np.array([-8.0, -12.0, -20.0, -30.0])
    t = np.full(4, 1e-3)
    tls = exact_two_level(etas, t)
    gap = np.abs(tls.asymmetry / asymmetry_type1(etas, t, 1.0) - 1)
    assert np.all(np.diff(gap) < 0) and gap[-1] < 0.01
    ts = np.array([5.0, 7.0, 9.0, 12.0])
    R = np.full(4, 1e-4)
    tls2 = exact_two_level(R + ts**2 / 4, ts)
    gap2 = np.abs(np.abs(tls2.asymmetry) / np.abs(asymmetry_type2(ts, R, 1.0)) - 1)
    assert np.all(np.diff(gap2) < 0) and gap2[-1] < 0.02


def test_tunnel_splitting_log_approaches_2_8_and_2_11() -> None:
    """ln(W/Delta0) exact / asymptotic -> 1 for type 1 (2.8) and type 2 (2.11) as the wells
    deepen; the ratio of Delta0 themselves grows (the asymptotic laws drop the prefactor):
    measured Delta0 / (2.8) = 42 at eta = -6 (the paper: 0.04 against ~1e-3)."""
    etas = np.array([-6.0, -12.0, -20.0, -30.0])
    tls = exact_two_level(etas, np.zeros(4))
    asym = (np.sqrt(2) / 3) * np.abs(etas) ** 1.5
    ratio = -tls.log_tunnel_splitting / asym
    assert np.all(np.diff(ratio) > 0) and 0.9 < ratio[-1] < 1.0
    assert 30 < tls.tunnel_splitting[0] / np.exp(-asym[0]) < 60
    ts = np.array([8.0, 10.0, 12.0, 14.0])  # measured ratios 0.609, 0.770, 0.854, 0.901
    tls2 = exact_two_level(ts**2 / 4, ts)
    asym2 = ts**3 / 48
    ratio2 = -tls2.log_tunnel_splitting / asym2
    assert np.all(np.diff(ratio2) > 0) and 0.85 < ratio2[-1] < 1.0


@pytest.mark.parametrize("kind", [0, 1])
def test_ensemble_weights_are_the_jacobian_of_the_asymptotic_map(kind: int) -> None:
    """The bins' weight N_j(E_a, p_a) dE dp is psi_j eta_L^{3/2} |d(eta, t)/d(E, p)| dE dp
    times the number of sign images (2 for type 1: +-t; 4 for type 2: +-t, +-R): checked with a
    numerical Jacobian of the inverse maps (2.8)-(2.13). Tolerance 1e-7: central differences
    with relative step 1e-6."""
    fn = type1_parameters if kind == 0 else type2_parameters
    images = 2 if kind == 0 else 4
    for E, p in ((1e-3, 0.5), (1e-2, 1e-4), (1e-5, 0.9)):
        h = 1e-6
        de = (np.array(fn(E * (1 + h), p, 1.0)) - np.array(fn(E * (1 - h), p, 1.0))) / (2 * h * E)
        dp = (np.array(fn(E, p * (1 + h), 1.0)) - np.array(fn(E, p * (1 - h), 1.0))) / (2 * h * p)
        jac = abs(de[0] * dp[1] - de[1] * dp[0])
        density = kki_density_of_states(E, p, density_scale=1.0, W_J=1.0)
        assert density == pytest.approx(images * jac, rel=1e-7)


@pytest.fixture(scope="module")
def ensembles() -> tuple:
    exact = GLASS.with_spectrum("exact")
    return (
        exact,
        build_ensemble(exact, 0.3, 0.3, 1e3, COARSE),
        build_ensemble(GLASS, 0.3, 0.3, 1e3, COARSE),
    )


def test_exact_ensemble_is_a_glass_and_routes_through_build_ensemble(ensembles: tuple) -> None:
    """The spectrum is a field of the one Glass: build_ensemble builds the exact bins for it
    (the same bins again: nothing is remembered between calls), and every copy, dataset and
    comparison carries it."""
    exact, ens, asymptotic = ensembles
    again = build_ensemble(exact, 0.3, 0.3, 1e3, COARSE)
    assert again is not ens and np.array_equal(again.energy, ens.energy)
    assert np.array_equal(again.deformation, ens.deformation)
    assert ens.size != asymptotic.size  # exact bins, not the asymptotic ones
    assert exact.with_spectrum("asymptotic") == GLASS and exact != GLASS
    data = json.loads(exact.to_json())
    assert (data["model"], data["spectrum"], data["spectrum_source"]) == ("kki", "exact", "table")
    assert exact.replace(c=3.0).c == 3.0 and exact.replace(c=3.0).spectrum == "exact"


def test_exact_bins_lie_in_the_energy_window_with_valid_values(ensembles: tuple) -> None:
    _, ens, _ = ensembles
    assert ens.energy.min() >= COARSE.x_min * K_B * 0.3 * (1 - 1e-12)
    assert ens.energy.max() <= 40 * K_B * 0.3 * (1 + 1e-12)
    assert np.all((ens.p > 0) & (ens.p <= 1))
    assert np.all(np.isfinite(ens.deformation)) and np.all(ens.phonon_constant > 0)
    assert np.all(ens.number_density > 0)


def test_exact_phonon_constants_reduce_to_the_glass_in_deep_wells(ensembles: tuple) -> None:
    """The coupling factor M^2 / (p gamma_a^2) tends to 1 where the asymptotics hold: for
    type-1 bins with small p (deep, asymmetric wells) the median is within 15 % of A."""
    _, ens, _ = ensembles
    deep = (ens.kind == 0) & (ens.p < 1e-10)
    assert deep.sum() > 10
    assert np.median(ens.phonon_constant[deep]) / GLASS.A == pytest.approx(1.0, abs=0.15)


def test_reference_gamma1_matches_its_formula() -> None:
    """gamma_type1 at L = 10: 6^{-1/3} c chi W / eta_L L^{-1/3} (4.4), by hand."""
    w = GLASS.W * K_B
    value = gamma_type1(w * np.exp(-10.0), W_J=w, c=GLASS.c, eta_L=GLASS.eta_L, chi=GLASS.chi)
    hand = 6 ** (-1 / 3) * GLASS.c * GLASS.chi * w / GLASS.eta_L * 10 ** (-1 / 3)
    assert value == pytest.approx(hand, rel=1e-14)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"chi": 0.0, "type2_rate_ratio": 1.0}, "chi = 0"),
        ({"density_law": "flat"}, "density_law"),
        ({"energy_margin": 0.5}, "energy_margin"),
        ({"p_margin": float("nan")}, "p_margin"),
        ({"spectrum_resolution": -1.0}, "spectrum_resolution"),
    ],
)
def test_bad_settings_raise(change: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        GLASS.with_spectrum("exact").replace(**change)


def test_bad_potential_input_raises() -> None:
    with pytest.raises(ParameterError, match="eta"):
        exact_two_level(float("nan"), 0.1)
    with pytest.raises(ParameterError, match="fd_step"):
        exact_two_level(-8.0, 0.1, fd_step=0.5)


def test_exact_assembly_with_asymptotic_values_reproduces_the_asymptotic_ensemble() -> None:
    """What the exact ensemble's assembly alone does: the density psi_j on the (eta, t) plane
    times the Jacobian of the asymptotic map, the sign images, windows and tail, fed with the
    asymptotic E, p, D_even and rate law (mechanism step "plane", margins 1 so that the grids
    coincide), give the asymptotic Gamma to rounding (measured 1e-15; tolerance 1e-12). This
    shows the assembly is an exact change of variables; it does not say which exact quantity
    changes Gamma: the next test and docs/exact.md swap one at a time."""
    from protocols.run import gruneisen_vs_tau

    exact = GLASS.with_spectrum("exact").replace(energy_margin=1.0, p_margin=1.0)
    tau = np.array([1e-8, 1.0, 1e5])
    members = exact_members(exact, 0.3, 0.3, tau[-1], COARSE)
    got = decompose_ensemble(mechanism_ensemble(members, exact, "plane"), 0.3, tau)
    want = gruneisen_vs_tau(GLASS, [0.3], tau_expt=tau, resolution=COARSE)
    np.testing.assert_allclose(got.total, want["gruneisen_equilibrium"].values.ravel(), rtol=1e-12)


def test_each_mechanism_step_swaps_one_quantity(ensembles: tuple) -> None:
    """The steps of dynamics.mechanisms change, cumulatively, exactly the quantity they name:
    exact E, p (then the bins are the exact ensemble's), the even D of type 1, of type 2, the
    coupling (then the rates are the exact model's), and the odd parts (then it is the exact
    model, whose type-1 even part is the mean over the mirror pair)."""
    exact, full, _ = ensembles
    members = exact_members(exact, 0.3, 0.3, 1e3, COARSE)
    steps = {s: mechanism_ensemble(members, exact, s) for s in MECHANISM_STEPS}
    assert np.array_equal(steps["full"].phonon_constant, full.phonon_constant)
    names = ("energy", "p", "number_density", "partner_group")
    changed = {
        "even_type1": ("deformation", 0),
        "even_type2": ("deformation", 1),
        "rate": ("phonon_constant", None),
        "full": ("deformation", None),
    }
    order = list(MECHANISM_STEPS)
    for name in names:
        for step in order[1:]:
            assert np.array_equal(getattr(steps[step], name), getattr(full, name)), (step, name)
    for step, (quantity, kind) in changed.items():
        before, after = steps[order[order.index(step) - 1]], steps[step]
        for other in ("deformation", "phonon_constant"):
            same = np.equal(getattr(before, other), getattr(after, other))
            if other != quantity:
                assert same.all(), (step, other)
            elif kind is not None:
                assert same[before.kind != kind].all() and not same[before.kind == kind].all()
            else:
                assert not same.all()
    type1 = full.kind == 0
    even, _ = even_odd_deformation(full)
    # the group mean of D+- against (D+ + D-)/2: rounding of the odd parts, up to 1e4 D_even,
    # so measured against the size of the terms, |D| + |D_even| (D itself can be 50 times
    # smaller than D_even where they cancel: 1.07e-14 of such a D was measured, 9e-38 absolute)
    difference = np.abs(even[type1] - steps["rate"].deformation[type1])
    scale = np.abs(full.deformation[type1]) + np.abs(even[type1])
    assert np.all(difference <= 1e-14 * scale)


def _docs_table(header: str) -> list[list[str]]:
    """The rows (cells) of the markdown table in docs/exact.md whose header starts so."""
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "exact.md").read_text()
    rows: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("| " + header):
            inside = True
            continue
        if inside and not line.startswith("|"):
            break
        if inside and not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def test_mechanism_and_convergence_tables_in_docs() -> None:
    """Recompute the 0.3 K column of the mechanism table of docs/exact.md (every row) and the
    default row of its convergence table, at the default resolution, from one set of spectra
    (benchmarks/bench_mechanisms.py and bench_exact_convergence.py print the whole tables).
    Tolerance 1e-3 absolute or relative, the printed digits; the default resolution agrees
    with Resolution().refined(2) to 1e-4 (the convergence table, which this also checks)."""
    rows = _docs_table("step")
    computed = dict(mechanism_rows(GLASS, 0.3))
    assert len(rows) == len(computed)
    for label, *cells in rows:
        parts = decompose_ensemble(computed[label], 0.3, [1.0])
        assert float(parts.total[0]) == pytest.approx(float(cells[1]), rel=1e-3, abs=1e-3), label
    convergence = _docs_table("ensemble")
    values = np.array([[float(x) for x in r[1].split(",")] for r in convergence])
    np.testing.assert_allclose(values, np.broadcast_to(values[-1], values.shape), rtol=2e-4)
    default = computed[MECHANISM_LABELS["full"]]
    tau = np.array([1e-8, 1e-4, 1.0, 60.0, 86400.0])
    got = decompose_ensemble(default, 0.3, tau).total
    np.testing.assert_allclose(got, values[0], rtol=1e-4)
