"""The relaxation engine: bins, exact propagation, integrator, strain, heat and Γ."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import reference as ref
import test_closed_forms as tcf
from scipy.integrate import solve_ivp
from scipy.optimize import minimize_scalar

from dynamics import closed_forms as cf
from dynamics import default_glass
from dynamics.ensemble import Ensemble, Resolution, build_ensemble
from dynamics.glass import TunnellingGlass
from dynamics.propagation import (
    Segment,
    bin_rates,
    equilibrium_heat_capacity,
    linear_response,
    propagate,
)
from dynamics.rates import tau_min
from dynamics.thermal import equilibrium_occupation
from dynamics.units import K_B
from dynamics.validation import ParameterError

GLASS = default_glass(spectrum="asymptotic")
T0 = 0.3
TAU_MIN = float(tau_min(T0, GLASS.A))


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return build_ensemble(GLASS, T0, T0 * 1.1, TAU_MIN * 1e16)


def _one_bin(energy_K: float, p: float) -> Ensemble:
    e = np.array([energy_K * K_B])
    return Ensemble(
        energy=e,
        p=np.array([p]),
        kind=np.array([0]),
        number_density=np.array([1.0]),
        deformation=np.array([1e-20]),
        phonon_constant=np.array([GLASS.A]),
        electron_constant=np.array([0.0]),
        tail_energy=e,
        tail_kind=np.array([0]),
        tail_number_density=np.array([0.0]),
        tls_types=("type1",),
        bulk_modulus=1.0,
    )


def test_one_bin_follows_the_exact_exponential() -> None:
    ens = _one_bin(0.5, 0.3)
    t = np.logspace(-12, -4, 30)
    r = propagate(ens, 0.3, [Segment(0.0, math.inf, 0.4)], t)
    rate = 0.3 * GLASS.A * 0.5**3 / math.tanh(0.5 / (2 * 0.4))
    n0, n1 = equilibrium_occupation(ens.energy, 0.3)[0], equilibrium_occupation(ens.energy, 0.4)[0]
    expected = (n1 - n0) * -np.expm1(-rate * t) * ens.energy[0]
    np.testing.assert_allclose(r.heat[0], expected, rtol=1e-13)  # rounding only


def test_detailed_balance_of_the_one_phonon_rate() -> None:
    # k n_eq must be the absorption rate p A (E/k_B)^3 n_Bose(E): the equilibrium it relaxes to
    # is the one of the phonon bath.
    ens = _one_bin(0.7, 0.6)
    for t in (0.05, 0.3, 2.0):
        k = bin_rates(ens, t)[0]
        x = 0.7 / t
        n_eq = equilibrium_occupation(ens.energy, t)[0]
        assert k * n_eq == pytest.approx(0.6 * GLASS.A * 0.7**3 / math.expm1(x), rel=1e-13)
        assert k * (1 - n_eq) == pytest.approx(
            0.6 * GLASS.A * 0.7**3 * (1 + 1 / math.expm1(x)), rel=1e-13
        )


def test_equilibrium_is_a_fixed_point(ensemble: Ensemble) -> None:
    t = TAU_MIN * np.logspace(-2, 16, 40)
    for seg in (Segment(0.0, math.inf, T0), Segment(0.0, math.inf, lambda s: np.full_like(s, T0))):
        r = propagate(ensemble, T0, [seg], t)
        assert np.all(r.strain == 0.0) and np.all(r.heat == 0.0)


def test_step_up_then_down_returns_to_the_start(ensemble: Ensemble) -> None:
    # Up at 0, down at t1: every bin's departure is d(1 - e^{-k t1}) e^{-k (t - t1)} exactly,
    # so the heat decays back to 0 like t1/t (the TLS density is dp/p).
    t1 = 100 * TAU_MIN
    segs = [Segment(0.0, t1, T0 * 1.01), Segment(t1, math.inf, T0)]
    t = t1 * np.logspace(-4, 8, 25)
    r = propagate(ensemble, T0, segs, t)
    occ = equilibrium_occupation(ensemble.energy, T0 * 1.01) - equilibrium_occupation(
        ensemble.energy, T0
    )
    k_up, k_down = bin_rates(ensemble, T0 * 1.01), bin_rates(ensemble, T0)
    dn = np.where(
        t[:, None] < t1,
        occ * -np.expm1(-k_up * t[:, None]),
        occ * -np.expm1(-k_up * t1) * np.exp(-k_down * np.maximum(t[:, None] - t1, 0)),
    )
    heat = dn @ (ensemble.number_density * ensemble.energy)
    np.testing.assert_allclose(r.heat.sum(0), heat, rtol=1e-10, atol=1e-12 * heat.max())
    late = t > 1e3 * t1
    assert np.all(np.abs(r.heat.sum(0)[late]) <= 3 * t1 / t[late] * heat.max())


def test_linear_regime_gamma_does_not_depend_on_the_step(ensemble: Ensemble) -> None:
    # A step dT gives Gamma = K eps/U = Gamma_linear + O(dT/T): a tenfold smaller step must bring
    # it tenfold closer to the exact linear response.
    t = TAU_MIN * np.logspace(-2, 16, 19)
    alpha, heat_capacity = linear_response(ensemble, T0, t)
    gamma_lin = GLASS.bulk_modulus * alpha.sum(0) / heat_capacity.sum(0)
    dev = []
    for rel in (1e-3, 1e-4):
        r = propagate(ensemble, T0, [Segment(0.0, math.inf, T0 * (1 + rel))], t)
        gamma = GLASS.bulk_modulus * r.strain.sum(0) / r.heat.sum(0)
        dev.append(np.max(np.abs(gamma / gamma_lin - 1)))
    assert dev[0] < 5e-3
    assert dev[1] == pytest.approx(dev[0] / 10, rel=0.05)


@pytest.mark.parametrize("decades", [-2, 0, 4, 10, 16])
def test_response_against_independent_quadrature(ensemble: Ensemble, decades: int) -> None:
    # The engine's Gauss-Legendre bins against adaptive quadrature of the same integrals
    # (tests/reference.py). Tolerance 1e-4: the engine's documented resolution target.
    t = TAU_MIN * 10.0**decades
    a1, a2, c1, c2 = ref.linear_response(GLASS, T0, t)
    alpha, heat_capacity = linear_response(ensemble, T0, np.array([t]))
    assert alpha[0, 0] == pytest.approx(a1, rel=1e-4)
    assert alpha[1, 0] == pytest.approx(a2, rel=1e-4)
    assert heat_capacity[0, 0] == pytest.approx(c1, rel=1e-4)
    assert heat_capacity[1, 0] == pytest.approx(c2, rel=1e-4)


def test_contraction_then_slow_expansion_with_the_minimum_near_tau_min(ensemble: Ensemble) -> None:
    # c > 0, chi = 4, psi = 1/7 (the default glass, Sec. VI): on heating the strain falls to a
    # minimum, then creeps back up; |Gamma| falls with tau_expt.
    def strain(log_t: float) -> float:
        return float(linear_response(ensemble, T0, np.array([TAU_MIN * 10**log_t]))[0].sum())

    t_min = TAU_MIN * 10 ** minimize_scalar(strain, bracket=(-1, 0, 1), tol=1e-8).x
    # independent: the minimum of the quadrature reference (same integrals, adaptive quadrature)
    ref_min = (
        TAU_MIN
        * 10
        ** minimize_scalar(
            lambda u: sum(ref.linear_response(GLASS, T0, TAU_MIN * 10**u)[:2]),
            bracket=(-0.5, 0, 0.5),
            tol=1e-4,
        ).x
    )
    # a flat minimum: a 1e-5 error in eps moves it by ~sqrt(1e-5) ~ 0.3%; allow 1%
    assert t_min == pytest.approx(ref_min, rel=0.01)
    assert 0.5 < t_min / TAU_MIN < 2.0  # "near tau_min(T)": here 0.95 tau_min
    t = TAU_MIN * np.logspace(-2, 16, 73)
    alpha, heat_capacity = linear_response(ensemble, T0, t)
    eps = alpha.sum(0)
    assert np.all(eps < 0)  # contraction throughout, for these parameters
    before, after = t < t_min, t > t_min
    assert np.all(np.diff(eps[before]) < 0) and np.all(np.diff(eps[after]) > 0)
    gamma = GLASS.bulk_modulus * eps / heat_capacity.sum(0)
    # |Gamma| falls as tau_expt grows beyond tau_min (below ~0.1 tau_min it still rises by 1%)
    assert np.all(np.diff(np.abs(gamma[t >= t_min])) < 0)


@pytest.mark.parametrize("W_over_kT", [1e2, 1e4, 1e6])
def test_long_times_approach_the_closed_forms(W_over_kT: float) -> None:
    # With tau_expt -> b_Gamma tau_expt (smooth relaxation as a sharp cutoff, docs/closed_forms.md)
    # the tau-dependent part of (6.1) is matched to O(1/L0^2) (second order of the cutoff
    # mapping); the chi^2 part and C(inf) keep their leading-log errors (tcf.chi2_bound, 1/L).
    g = tcf.glass_at(W_over_kT)
    t_min = float(tau_min(tcf.T, g.A))
    ratios = np.array([1e4, 1e8, 1e16, 1e24])
    ens = build_ensemble(g, tcf.T, tcf.T, t_min * ratios[-1])
    alpha, _ = linear_response(ens, tcf.T, t_min * ratios)
    c_eq = equilibrium_heat_capacity(ens, tcf.T)
    big_l = math.log(W_over_kT)
    closed_c = float(cf.heat_capacity_kki(tcf.T, W_J=g.W_J, density_scale=g.N0))
    assert abs(c_eq[0] / closed_c - 1) <= 1 / big_l
    for i, r in enumerate(ratios):
        cl = tcf._closed(g, r * cf.gruneisen_time_constant())
        bound = abs(cl["alpha1_tau"]) / cl["L0"] ** 2 + abs(cl["alpha1_chi"]) * tcf.chi2_bound(
            big_l
        )
        assert abs(alpha[0, i] - cl["alpha1"]) <= bound


def test_standard_tunnelling_model_follows_blacks_law() -> None:
    # C(t) = (pi^2/12) P_bar k_B^2 T ln(b t/tau_min), b = 92.65 for tau_min = tau_m(k_BT, T)
    # (docs/closed_forms.md). Neglected: O(tau_min/t) (E_1(y) and the (1-p)^{-1/2} end), seen
    # as 0.02 tau_min/t; bound 0.05 tau_min/t + 1e-6 (the engine's quadrature).
    stm = TunnellingGlass(P_bar=1e45, gamma=0.0, bulk_modulus=3e10, A=5e7)
    t_m = float(tau_min(T0, stm.A))
    ens = build_ensemble(stm, T0, T0, t_m * 1e13)
    t = t_m * np.logspace(1, 12, 12)
    _, heat_capacity = linear_response(ens, T0, t)
    black = math.pi**2 / 12 * stm.P_bar * K_B**2 * T0 * np.log(cf.black_time_constant() * t / t_m)
    assert np.all(np.abs(heat_capacity[0] / black - 1) <= 0.05 * t_m / t + 1e-6)


def test_standard_tunnelling_model_expansion_is_temperature_independent() -> None:
    # D = 2 gamma (1-p)^{1/2}, uncorrelated with E: at a fixed tau_expt/tau_min(T) alpha is the
    # same at every T (Sec. I: "the temperature-independent coefficient of thermal expansion").
    stm = TunnellingGlass(P_bar=1e45, gamma=1.6e-19, bulk_modulus=3e10, A=5e7)
    values = []
    for temp in (0.05, 0.2, 1.0):
        t_m = float(tau_min(temp, stm.A))
        ens = build_ensemble(stm, temp, temp, t_m * 1e9)
        values.append(linear_response(ens, temp, np.array([1e8 * t_m]))[0][0, 0])
    np.testing.assert_allclose(values, values[0], rtol=1e-5)  # engine resolution
    assert values[0] < 0  # gamma > 0 raises E under strain: contraction on heating


def test_exponential_integrator_against_solve_ivp() -> None:
    # A continuous history (the sample relaxing back through a link) on a small ensemble, against
    # a stiff ODE solver at tight tolerance: the error is controlled by rtol.
    res = Resolution(energy_panel_decades=2.0, energy_nodes=4, p_panel_decades=4.0, p_nodes=3)
    tau_link = 1e-5

    def temperature(s):
        return T0 * (1 + 0.2 * np.exp(-np.asarray(s) / tau_link))

    ens = build_ensemble(GLASS, T0, 1.2 * T0, 1e-3, res)
    t = np.logspace(-10, -3, 15)
    matrix = ens.observation_matrix

    def rhs(s, n):
        temp = float(temperature(s))
        return -bin_rates(ens, temp) * (n - equilibrium_occupation(ens.energy, temp))

    n0 = equilibrium_occupation(ens.energy, T0)
    sol = solve_ivp(
        rhs,
        (0, t[-1]),
        n0,
        method="Radau",
        t_eval=t,
        rtol=1e-12,
        atol=1e-16,
        jac=lambda s, n: np.diag(-bin_rates(ens, float(temperature(s)))),
    )
    exact = matrix @ (sol.y - n0[:, None])
    scale = np.abs(matrix) @ np.abs(sol.y - n0[:, None])
    for rtol in (1e-5, 1e-8):
        r = propagate(ens, T0, [Segment(0.0, math.inf, temperature)], t, rtol=rtol)
        got = np.vstack([r.strain, r.heat])
        # local errors are held below rtol x scale per step; accumulated over the run: 10 rtol
        assert np.all(np.abs(got - exact) <= 10 * rtol * scale.max(axis=1, keepdims=True))


def test_default_resolution_is_converged() -> None:
    # Refining every knob by 2 changes strain, heat and Gamma by < 1e-4 (relative to their largest
    # magnitude over the run) from 1e-2 tau_min to the end (the study:
    # benchmarks/bench_convergence.py)
    t = TAU_MIN * np.logspace(-2, 17, 39)
    out = []
    for res in (Resolution(), Resolution().refined(2.0)):
        ens = build_ensemble(GLASS, T0, T0, t[-1], res)
        alpha, heat_capacity = linear_response(ens, T0, t)
        out.append((alpha.sum(0), heat_capacity.sum(0), alpha.sum(0) / heat_capacity.sum(0)))
    for coarse, fine in zip(*out, strict=True):
        assert np.max(np.abs(coarse - fine)) <= 1e-4 * np.max(np.abs(fine))


def test_bad_histories_and_times_are_rejected(ensemble: Ensemble) -> None:
    with pytest.raises(ParameterError, match="times must be non-decreasing"):
        propagate(ensemble, T0, [Segment(0.0, math.inf, T0)], [2.0, 1.0])
    with pytest.raises(ParameterError, match=r"times = -1 is outside"):
        propagate(ensemble, T0, [Segment(0.0, math.inf, T0)], [-1.0])
    with pytest.raises(ParameterError, match="gap or overlap"):
        propagate(ensemble, T0, [Segment(0.0, 1.0, T0), Segment(2.0, math.inf, T0)], [1.0])
    with pytest.raises(ParameterError, match="extend to t = inf"):
        propagate(ensemble, T0, [Segment(0.0, 1.0, T0)], [0.5])
    with pytest.raises(ParameterError, match=r"initial_temperature = 0"):
        propagate(ensemble, 0.0, [Segment(0.0, math.inf, T0)], [0.5])
    with pytest.raises(ParameterError, match=r"energy_nodes = 0"):
        dataclasses.replace(Resolution(), energy_nodes=0)
