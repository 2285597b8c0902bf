"""The engine's kernels: the one rate formula with its per-bin constants (one-phonon, electrons,
thermal activation), the checks of an ensemble on construction, and the occupation kernel of the
integrator, each against an independent computation."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from dynamics import default_glass
from dynamics.ensemble import Ensemble, Resolution, build_ensemble
from dynamics.propagation import Segment, _Integrator, bin_rates, linear_response, propagate
from dynamics.rates import RateConstants, rate_constants, relaxation_rates
from dynamics.thermal import _OccupationShift, equilibrium_occupation, occupation_difference
from dynamics.units import K_B
from dynamics.validation import ParameterError

GLASS = default_glass(spectrum="asymptotic")
COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5)


def _bins(n: int = 3, **changes: object) -> Ensemble:
    energy = np.linspace(0.2, 0.9, n) * K_B
    fields: dict[str, object] = {
        "energy": energy,
        "p": np.linspace(0.2, 0.8, n),
        "kind": np.zeros(n, dtype=np.int64),
        "number_density": np.full(n, 1e20),
        "deformation": np.full(n, 1e-20),
        "phonon_constant": np.full(n, GLASS.A),
        "electron_constant": np.zeros(n),
        "tail_energy": energy,
        "tail_kind": np.zeros(n, dtype=np.int64),
        "tail_number_density": np.zeros(n),
        "tls_types": ("type1",),
        "bulk_modulus": 3e10,
    }
    fields.update(changes)
    return Ensemble(**fields)  # type: ignore[arg-type]


def test_the_rate_is_the_formula_of_the_paper() -> None:
    # k = p A (E/k_B)^3 coth(E/2 k_B T) + p B (E/k_B) coth(...), written out here in math
    ens = _bins(electron_constant=np.full(3, 2e5))
    for t in (0.03, 0.3, 3.0):
        ek = ens.energy / K_B
        coth = np.array([1.0 / math.tanh(x / (2.0 * t)) for x in ek])
        expected = ens.p * (GLASS.A * ek**3 + 2e5 * ek) * coth
        np.testing.assert_allclose(bin_rates(ens, t), expected, rtol=4e-16 * 8)  # a few ulp


def test_activation_adds_both_wells_and_relaxes_exactly() -> None:
    # one bin, both wells activated: at constant T it relaxes as e^{-(k_tunnel + k_1 + k_2) t}
    nu = np.array([[3e9], [5e8]])  # attempt rates [s-1]
    barrier = np.array([[2.0], [3.5]]) * K_B  # V_i [J]
    plain = _bins(1)
    active = dataclasses.replace(plain, attempt_rate=nu, barrier=barrier)
    t_bath = 0.4
    tunnel = float(bin_rates(plain, t_bath)[0])
    arrhenius = 3e9 * math.exp(-2.0 / t_bath) + 5e8 * math.exp(-3.5 / t_bath)
    assert bin_rates(active, t_bath)[0] == pytest.approx(tunnel + arrhenius, rel=1e-15)
    times = np.logspace(-12, -5, 15)
    r = propagate(active, 0.3, [Segment(0.0, math.inf, t_bath)], times)
    dn_eq = (
        equilibrium_occupation(active.energy, t_bath)[0]
        - equilibrium_occupation(active.energy, 0.3)[0]
    )
    expected = dn_eq * -np.expm1(-(tunnel + arrhenius) * times) * 1e20 * active.energy[0]
    np.testing.assert_allclose(r.heat[0], expected, rtol=1e-13)  # rounding only


def test_zero_attempt_rates_change_nothing() -> None:
    ens = build_ensemble(GLASS, 0.3, 0.33, 1e5, COARSE)
    zero = dataclasses.replace(
        ens, attempt_rate=np.zeros((2, ens.size)), barrier=np.full((2, ens.size), K_B)
    )
    times = np.logspace(-6, 5, 12)
    for t in (0.1, 0.3, 1.0):
        np.testing.assert_array_equal(bin_rates(zero, t), bin_rates(ens, t))
    a = propagate(ens, 0.3, [Segment(0.0, math.inf, lambda s: 0.3 + 0.03 * np.exp(-s))], times)
    b = propagate(zero, 0.3, [Segment(0.0, math.inf, lambda s: 0.3 + 0.03 * np.exp(-s))], times)
    np.testing.assert_array_equal(a.strain, b.strain)
    np.testing.assert_array_equal(
        linear_response(ens, 0.3, times)[0], linear_response(zero, 0.3, times)[0]
    )


def test_rate_constants_of_the_public_function_equal_the_ensembles() -> None:
    ens = build_ensemble(GLASS, 0.3, 0.3, 1e3, COARSE)
    constants = rate_constants(ens.energy, ens.p, ens.phonon_constant, ens.electron_constant)
    assert isinstance(constants, RateConstants)
    np.testing.assert_array_equal(relaxation_rates(constants, 0.2), bin_rates(ens, 0.2))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"p": np.array([0.2, 1.5, 0.3])}, "p = 1.5"),
        ({"energy": np.array([1e-23, -1e-23, 1e-23])}, "energy = -1e-23"),
        ({"number_density": np.array([1.0, np.nan, 1.0])}, "number_density = nan"),
        ({"phonon_constant": np.full(3, -1.0)}, "phonon_constant = -1"),
        ({"deformation": np.array([0.0, np.inf, 0.0])}, "deformation = inf"),
        ({"kind": np.array([0, 1, 0])}, "kind must index tls_types"),
        ({"p": np.array([0.5, 0.5])}, r"Ensemble.p has shape \(2,\)"),
        ({"attempt_rate": np.ones((2, 3)), "barrier": np.ones(3)}, "attempt_rate and barrier"),
        ({"attempt_rate": -np.ones((2, 3)), "barrier": np.ones((2, 3))}, "attempt_rate = -1"),
        ({"bulk_modulus": 0.0}, "bulk_modulus = 0"),
    ],
)
def test_an_ensemble_is_checked_on_construction(changes: dict, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        _bins(**changes)


def test_a_history_turning_nonpositive_is_refused_by_name() -> None:
    ens = _bins()
    segments = [Segment(0.0, math.inf, lambda t: 0.3 - np.asarray(t))]
    with pytest.raises(ParameterError, match=r"temperature = -0\.\d+ is outside"):
        propagate(ens, 0.3, segments, [0.5, 2.0])


@pytest.mark.parametrize("reference", [1e-3, 0.3, 50.0])
def test_the_integrators_occupation_kernel_equals_occupation_difference(reference: float) -> None:
    # the engine's kernel against the public function (which shares none of its shortcuts), for
    # temperatures within a factor 2 (the exact-gap branch), far apart, equal, and extreme
    energy = np.geomspace(1e-6, 1e3, 400) * K_B
    shift = _OccupationShift(energy / K_B, reference)
    for factor in (1e-6, 0.3, 0.5, 0.9, 1.0 - 1e-12, 1.0, 1.0 + 1e-15, 1.7, 2.0, 2.5, 1e4):
        t = reference * factor
        expected = occupation_difference(energy, t, reference)
        got = shift.at(t)
        # a few ulp of the larger term: the shared factors are rounded once instead of per bin
        np.testing.assert_allclose(got, expected, rtol=2e-15, atol=0)


def test_the_integrator_equilibrium_uses_the_kernel() -> None:
    ens = build_ensemble(GLASS, 0.3, 0.33, 1e5, COARSE)
    integ = _Integrator(ens, 0.3, 1e-6)
    np.testing.assert_allclose(
        integ.eq(0.33), occupation_difference(ens.energy, 0.33, 0.3), rtol=2e-15, atol=0
    )


@pytest.mark.parametrize(("n_bins", "n_times"), [(1, 1), (7, 3), (70_000, 3), (20_000, 40)])
def test_the_relaxation_reduction_is_the_plain_sum(n_bins: int, n_times: int) -> None:
    # the chunked, blocked, threaded reduction against the sum written out in one expression
    # (blocks of bins beyond 2^16, chunks of times, a short last block); rounding only
    from dynamics.propagation import _observe_relaxation

    rng = np.random.default_rng(7)
    weights = rng.standard_normal((4, n_bins))
    rates = 10 ** rng.uniform(-6, 6, n_bins)
    times = np.logspace(-4, 4, n_times)
    out = np.empty((4, n_times))
    _observe_relaxation(weights, rates, times, out)
    expected = weights @ -np.expm1(-np.multiply.outer(rates, times))
    scale = np.abs(weights) @ np.ones((n_bins, n_times))
    np.testing.assert_array_less(np.abs(out - expected), 1e-13 * scale)


def test_builders_parts_may_carry_the_activation_of_both_wells() -> None:
    # what the ensemble builders hand to ensemble_from_parts: per type, (2, n) arrays
    from dynamics.quadrature import PART_NAMES, ensemble_from_parts

    parts: dict[str, list] = {k: [] for k in PART_NAMES}
    for kind, n in ((0, 2), (1, 3)):
        parts["energy"].append(np.full(n, 0.4 * K_B))
        parts["p"].append(np.full(n, 0.5))
        parts["kind"].append(np.full(n, kind))
        parts["number_density"].append(np.ones(n))
        parts["deformation"].append(np.zeros(n))
        parts["phonon"].append(np.full(n, GLASS.A))
        parts["electron"].append(np.zeros(n))
        parts["partner_group"].append(np.arange(n))
    plain = ensemble_from_parts(parts, GLASS)
    assert plain.attempt_rate.shape == (2, 0) and not plain.rate_constants.has_activation
    parts["attempt_rate"] = [np.full((2, 2), 1e9), np.zeros((2, 3))]
    parts["barrier"] = [np.full((2, 2), 2.0 * K_B), np.zeros((2, 3))]
    active = ensemble_from_parts(parts, GLASS)
    assert active.attempt_rate.shape == (2, 5)
    extra = bin_rates(active, 0.5) - bin_rates(plain, 0.5)
    np.testing.assert_allclose(extra[:2], 2e9 * math.exp(-2.0 / 0.5), rtol=1e-12)
    assert np.all(extra[2:] == 0.0)
