"""dynamics.response: the vectorised step response equals the per-temperature path
(build_ensemble + linear_response + equilibrium_heat_capacity), which is the independent
reference here: it evaluates the model through its own density / deformation / rate methods, bin
by bin, one temperature at a time, sharing no arithmetic with the vectorised kernel."""

from __future__ import annotations

import numpy as np
import pytest

from dynamics import ParameterError, default_glass, get_glass
from dynamics.ensemble import Resolution, build_ensemble
from dynamics.propagation import equilibrium_heat_capacity, linear_response
from dynamics.response import step_response

COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5)
# 1e-12: the vectorised kernel computes L^(1/3), L^(-4/3), ... from one cube root instead of
# pow, s instead of -ln p, and sums in another order: each a few ulp (1e-16) per bin; the sums
# cancel between types and signs of D by at most a factor ~100, so 1e-12 has a wide margin
# while any wrong factor, bin or power would show at 1e-3 or more.
RTOL = 1e-12


def per_point(model, temperatures, tau, resolution):
    alpha, heat, c_eq = [], [], []
    for t in temperatures:
        ens = build_ensemble(model, t, t, float(np.max(tau)), resolution)
        a, c = linear_response(ens, t, tau)
        alpha.append(a)
        heat.append(c)
        c_eq.append(equilibrium_heat_capacity(ens, t))
    return np.stack(alpha, 1), np.stack(heat, 1), np.stack(c_eq, 1)


@pytest.mark.parametrize(
    ("model", "resolution"),
    [
        (
            default_glass(spectrum="asymptotic"),
            None,
        ),  # the converged default resolution, as the benchmark
        (default_glass(spectrum="asymptotic"), COARSE),
        (
            default_glass(spectrum="asymptotic").replace(type2_rate_ratio=3.0, psi=0.5),
            COARSE,
        ),  # fixed type-2 ratio
        (
            get_glass("zrcu", spectrum="asymptotic"),
            COARSE,
        ),  # metallic: electron relaxation, superconducting T_c
        (get_glass("stm-silica"), COARSE),  # the generic path through the model's interface
    ],
    ids=["default", "coarse", "ratio", "zrcu", "stm"],
)
def test_equals_per_temperature_path(model, resolution):
    # temperatures spanning the energy cap (W/e) and several p-panel counts, unsorted
    temperatures = np.array([0.3, 0.02, 1.5, 0.07, 0.3, 0.9])
    tau = np.array([1e-9, 1e-3, 0.0, 10.0, 1e5])
    got = step_response(model, temperatures, tau, resolution=resolution)
    alpha, heat, c_eq = per_point(model, temperatures, tau, resolution)
    np.testing.assert_allclose(got.alpha_by_type, alpha, rtol=RTOL, atol=0)
    np.testing.assert_allclose(got.heat_capacity_by_type, heat, rtol=RTOL, atol=0)
    np.testing.assert_allclose(got.heat_capacity_equilibrium_by_type, c_eq, rtol=RTOL)
    k = model.bulk_modulus
    with np.errstate(divide="ignore", invalid="ignore"):  # tau = 0: C = 0
        np.testing.assert_allclose(
            got.gruneisen, k * alpha.sum(0) / heat.sum(0), rtol=RTOL, equal_nan=True
        )
    np.testing.assert_allclose(
        got.gruneisen_equilibrium, k * alpha.sum(0) / c_eq.sum(0)[:, None], rtol=RTOL
    )


def test_one_temperature_equals_many():
    """A temperature alone gives the same numbers as inside a batch (sweeps rely on this)."""
    tau = np.logspace(-8, 4, 5)
    many = step_response(
        default_glass(spectrum="asymptotic"), [0.05, 0.1, 0.3], tau, resolution=COARSE
    )
    one = step_response(default_glass(spectrum="asymptotic"), [0.1], tau, resolution=COARSE)
    np.testing.assert_allclose(one.alpha[0], many.alpha[1], rtol=1e-14)
    np.testing.assert_allclose(one.heat_capacity[0], many.heat_capacity[1], rtol=1e-14)


@pytest.mark.parametrize(
    ("temperature", "tau", "match"),
    [
        ([0.1, -0.2], [1.0], "temperature = -0.2"),
        ([0.1, np.nan], [1.0], "temperature = nan"),
        ([0.1], [1.0, -1.0], "tau_expt = -1"),
        ([0.1], [0.0], "tau_expt = 0 s everywhere"),
        ([], [1.0], "at least one"),
    ],
)
def test_bad_input_named(temperature, tau, match):
    with pytest.raises(ParameterError, match=match):
        step_response(default_glass(spectrum="asymptotic"), temperature, tau)
