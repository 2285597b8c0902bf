"""dynamics.response: the step response (the reference glass's bins, scaled by the parameters
that only scale it) equals the per-temperature path on the glass itself (build_ensemble +
linear_response + equilibrium_heat_capacity, with c, eta_L, N0, psi and K in the bins), and a
temperature gives the same bits alone and in a batch."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dynamics import ParameterError, default_glass, get_glass
from dynamics.ensemble import Resolution, build_ensemble
from dynamics.propagation import equilibrium_heat_capacity, linear_response
from dynamics.response import response_scale, step_response

COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5)
# 1e-12: the step response scales the reference glass's sums (c/eta_L = 1, N0 = 1, K = 1) where
# the per-temperature path has the factors in every bin: a few ulp (1e-16) per bin and sum; the
# sums cancel between types and signs of D by at most a factor ~100, so 1e-12 has a wide margin
# while any wrong factor, bin or power would show at 1e-3 or more.
RTOL = 1e-12


def per_point(model, temperatures, tau, resolution):
    """alpha, C, C(inf) per type on the glass's own bins, and the sums of the magnitudes of the
    bins' contributions to alpha (the scale of its rounding error)."""
    alpha, heat, c_eq, magnitude = [], [], [], []
    for t in temperatures:
        ens = build_ensemble(model, t, t, float(np.max(tau)), resolution)
        a, c = linear_response(ens, t, tau)
        alpha.append(a)
        heat.append(c)
        c_eq.append(equilibrium_heat_capacity(ens, t))
        absolute = dataclasses.replace(ens, deformation=np.abs(ens.deformation))
        magnitude.append(np.abs(linear_response(absolute, t, tau)[0]))
    return np.stack(alpha, 1), np.stack(heat, 1), np.stack(c_eq, 1), np.stack(magnitude, 1)


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
        (
            default_glass(spectrum="asymptotic").replace(
                c=-3.0, eta_L=0.02, N0=2e45, psi=0.3, bulk_modulus=5e10
            ),
            COARSE,
        ),  # every scale factor away from its reference value, c negative
        (
            default_glass(spectrum="asymptotic").replace(
                relaxation_coupling="interference", interference_fraction=0.3, c=7.0
            ),
            COARSE,
        ),  # mirror partners with their own rates
        (default_glass().replace(c=7.0, eta_L=0.03, N0=5e45, psi=0.4), COARSE),  # exact spectra
    ],
    ids=["default", "coarse", "ratio", "zrcu", "stm", "scaled", "interference", "exact"],
)
def test_equals_per_temperature_path(model, resolution):
    # temperatures spanning the energy cap (W/e) and several p-panel counts, unsorted
    temperatures = np.array([0.3, 0.02, 1.5, 0.07, 0.3, 0.9])
    tau = np.array([1e-9, 1e-3, 0.0, 10.0, 1e5])
    got = step_response(model, temperatures, tau, resolution=resolution)
    alpha, heat, c_eq, magnitude = per_point(model, temperatures, tau, resolution)
    # alpha sums D of both signs: mirror partners' odd parts cancel (by up to 5e6 on exact
    # spectra and with interference), so its rounding scales with the sum of the magnitudes of
    # the bins' contributions, not with alpha: 1e-13 of that is ~500 ulp
    np.testing.assert_array_less(np.abs(got.alpha_by_type - alpha), 1e-13 * magnitude + 1e-300)
    np.testing.assert_allclose(got.heat_capacity_by_type, heat, rtol=RTOL, atol=0)
    np.testing.assert_allclose(got.heat_capacity_equilibrium_by_type, c_eq, rtol=RTOL)
    k = model.bulk_modulus
    total = magnitude.sum(0)  # the scale of alpha's rounding, as above
    with np.errstate(divide="ignore", invalid="ignore"):  # tau = 0: C = 0
        np.testing.assert_allclose(
            got.gruneisen,
            k * alpha.sum(0) / heat.sum(0),
            rtol=RTOL,
            atol=np.nanmax(1e-13 * k * total / heat.sum(0)),
            equal_nan=True,
        )
    np.testing.assert_allclose(
        got.gruneisen_equilibrium,
        k * alpha.sum(0) / c_eq.sum(0)[:, None],
        rtol=RTOL,
        atol=np.max(1e-13 * k * total / c_eq.sum(0)[:, None]),
    )


@pytest.mark.parametrize("spectrum", ["asymptotic", "exact"])
def test_one_temperature_equals_many(spectrum):
    """A temperature alone gives the same bits as inside a batch (sweeps rely on this)."""
    glass = default_glass(spectrum=spectrum)
    tau = np.logspace(-8, 4, 5)
    many = step_response(glass, [0.05, 0.1, 0.3], tau, resolution=COARSE)
    one = step_response(glass, [0.1], tau, resolution=COARSE)
    np.testing.assert_array_equal(one.alpha_by_type[:, 0], many.alpha_by_type[:, 1])
    np.testing.assert_array_equal(one.heat_capacity_by_type[:, 0], many.heat_capacity_by_type[:, 1])
    np.testing.assert_array_equal(
        one.heat_capacity_equilibrium_by_type[:, 0], many.heat_capacity_equilibrium_by_type[:, 1]
    )


def test_glasses_differing_in_scale_factors_share_one_reference():
    base = default_glass()
    other = base.replace(c=2.5, eta_L=0.2, N0=1e44, psi=0.9, bulk_modulus=1e9, phonon_gruneisen=3.0)
    ref_a, _ = response_scale(base)
    ref_b, scale_b = response_scale(other)
    assert ref_a == ref_b
    # the factors: alpha_j ~ (c / eta_L) n_j / K, C_j ~ n_j, n = (N0, psi N0)
    assert scale_b.heat == pytest.approx((1e44, 0.9e44), rel=1e-15)
    assert scale_b.strain[1] == pytest.approx(2.5 / 0.2 * 0.9e44 / 1e9, rel=1e-15)
    reference = step_response(ref_a, [0.2], [1.0, 1e3], resolution=COARSE)
    direct = step_response(other, [0.2], [1.0, 1e3], resolution=COARSE)
    np.testing.assert_array_equal(reference.scaled(scale_b).alpha, direct.alpha)


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
