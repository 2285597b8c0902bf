"""Glass presets: sources, derived values, and the fits that fix c and N0."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dynamics import PRESETS, get_glass
from dynamics.closed_forms import gruneisen_kki, gruneisen_time_constant
from dynamics.ensemble import build_ensemble
from dynamics.propagation import equilibrium_heat_capacity, linear_response
from dynamics.rates import one_phonon_constant, tau_min
from dynamics.thermal import debye_coefficient_from_sound, debye_coefficient_from_temperature
from dynamics.units import AVOGADRO, ELECTRON_VOLT

STATUS = ("measured", "derived", "fit", "recalled", "estimate", "model")


def test_at_least_silica_two_other_glasses_and_the_papers_estimates() -> None:
    assert {"ggp1985", "silica", "pmma", "pdsicu", "zrcu", "stm-silica"} <= set(PRESETS)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_value_cites_a_source_with_its_status(name: str) -> None:
    preset = PRESETS[name]
    defaults = {"name", "description", "model"}
    for key, value in preset.glass.to_dict().items():
        if key in defaults or value in (0, 0.0):
            continue
        if (
            key == "electron_deformation_slope"
            and preset.glass.to_dict().get("electron_dos", 0) == 0
        ):
            continue
        source = preset.sources.get(key, "")
        assert source, f"{name}.{key} has no source"
        assert any(word in source for word in STATUS), f"{name}.{key}: {source}"


def test_silica_one_phonon_constant_and_tau_min() -> None:
    # A = (gl^2/vl^5 + 2 gt^2/vt^5) k^3/(2 pi rho hbar^4), recomputed here with the constants:
    # gamma_l = 1.04 eV, gamma_t = 0.65 eV, 5800/3800 m/s, 2200 kg m-3 -> 4.87e7 s-1 K-3, so
    # tau_min is 9.5e-9 s at 1 K and 3.5e-7 s at 0.3 K (the paper's "1e-8 s at 0.3 K" is 1 K).
    from scipy.constants import hbar, k, pi

    gl, gt = 1.04 * ELECTRON_VOLT, 0.65 * ELECTRON_VOLT
    a = (gl**2 / 5800**5 + 2 * gt**2 / 3800**5) * k**3 / (2 * pi * 2200 * hbar**4)
    assert get_glass("silica", spectrum="asymptotic").A == pytest.approx(a, rel=1e-13)
    assert one_phonon_constant(gl, gt, 2200, 5800, 3800) == pytest.approx(4.87e7, rel=0.01)
    assert float(tau_min(1.0, a)) == pytest.approx(9.5e-9, rel=0.01)
    assert float(tau_min(0.3, a)) == pytest.approx(3.5e-7, rel=0.01)


def test_debye_coefficient_two_ways() -> None:
    # From the sound velocities, and from silica's Debye temperature 342 K counted per SiO2 unit
    # (n = rho N_A/M): the two elastic estimates agree to the 5% between their velocity sets.
    from_sound = debye_coefficient_from_sound(5800.0, 3800.0)
    per_unit = debye_coefficient_from_temperature(342.0, 2200.0 / 60.08e-3 * AVOGADRO)
    assert from_sound == pytest.approx(per_unit, rel=0.05)
    assert from_sound == pytest.approx(1.70, rel=0.01)


def test_silica_c_reproduces_gamma_minus_70_with_derived_coefficients() -> None:
    # The fit stated in the preset: simulated Gamma with the equilibrium heat capacity (the
    # paper's convention) is -70 at 0.3 K, tau_expt = 100 s; c is stored to 3 digits -> 0.2%.
    g = get_glass("silica", spectrum="asymptotic")
    ens = build_ensemble(g, 0.3, 0.3, 100.0)
    alpha, _ = linear_response(ens, 0.3, np.array([100.0]))
    gamma = g.bulk_modulus * alpha.sum() / equilibrium_heat_capacity(ens, 0.3).sum()
    assert gamma == pytest.approx(-70.0, rel=2e-3)
    # the closed forms at the same point: the derived (6.4) needs c ~ 28, the printed one ~ 14,
    # against the paper's "c = 5-7" (its printed formula at its own rounded logarithms)
    kw = {"W": g.W_energy, "eta_L": g.eta_L, "chi": g.chi, "psi": g.psi}
    t_min = float(tau_min(0.3, g.A))
    derived = float(gruneisen_kki(0.3, gruneisen_time_constant() * 100 / t_min, c=1.0, **kw))
    printed = float(gruneisen_kki(0.3, 100 / t_min, c=1.0, coefficients="printed", **kw))
    assert -70 / derived == pytest.approx(28, abs=1)
    assert -70 / printed == pytest.approx(14, abs=1)


@pytest.mark.parametrize(("name", "c1"), [("silica", 2.64), ("pmma", 4.72)])
def test_N0_reproduces_the_linear_specific_heat(name: str, c1: float) -> None:
    # C_TLS(tau = 1 s, T = 0.3 K)/T equals c1 (per volume), the fit stated in the preset;
    # N0 is stored to 2-3 digits -> 1%.
    g = get_glass(name, spectrum="asymptotic")
    ens = build_ensemble(g, 0.3, 0.3, 1.0)
    _, heat_capacity = linear_response(ens, 0.3, np.array([1.0]))
    assert heat_capacity.sum() / 0.3 == pytest.approx(c1, rel=0.01)


def test_pmma_c_reproduces_gamma_minus_16() -> None:
    g = get_glass("pmma", spectrum="asymptotic")
    ens = build_ensemble(g, 0.3, 0.3, 100.0)
    alpha, _ = linear_response(ens, 0.3, np.array([100.0]))
    gamma = g.bulk_modulus * alpha.sum() / equilibrium_heat_capacity(ens, 0.3).sum()
    assert gamma == pytest.approx(-16.0, rel=5e-3)


def test_metallic_presets_have_electrons() -> None:
    pd, zr = get_glass("pdsicu", spectrum="asymptotic"), get_glass("zrcu", spectrum="asymptotic")
    assert pd.electron_dos > 0 and pd.critical_temperature == 0
    assert zr.critical_temperature == 2.6
    # nu from the Sommerfeld coefficient: gamma_el = (pi^2/3) k^2 nu V_m, inverted and checked
    from scipy.constants import k

    v_m = 82.92e-3 / 6700.0
    assert math.pi**2 / 3 * k**2 * zr.electron_dos * v_m == pytest.approx(3.4e-3, rel=1e-12)
