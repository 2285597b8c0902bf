"""Glass parameters: validation on construction, presets with sources, serialisation."""

from __future__ import annotations

import json
import math

import pytest

from dynamics import PRESETS, Glass, ParameterError, TunnellingGlass, default_glass, get_glass
from dynamics.presets import get_preset, preset_table
from dynamics.rates import tau_min

GOOD = {
    "W": 30.0,
    "eta_L": 0.01,
    "c": 6.0,
    "chi": 4.0,
    "psi": 0.1,
    "N0": 1e46,
    "bulk_modulus": 3e10,
    "A": 1e9,
    "spectrum": "asymptotic",  # these tests were written for the paper's formulas
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("W", -1.0, r"W = -1 is outside the allowed range \(0, inf\) \[K\]"),
        ("W", math.nan, r"W = nan is not a finite number"),
        ("eta_L", 1.5, r"eta_L = 1.5 is outside the allowed range \(0, 1\)"),
        ("c", math.inf, r"c = inf is not a finite number"),
        ("psi", -0.1, r"psi = -0.1 is outside the allowed range \[0, inf\)"),
        ("N0", 0.0, r"N0 = 0 is outside the allowed range \(0, inf\) \[J-1 m-3\]"),
        ("bulk_modulus", -3.0, r"bulk_modulus = -3"),
        ("A", "fast", r"A = 'fast' must be a real number"),
        ("type2_rate_ratio", "big", r"type2_rate_ratio = 'big' is not allowed"),
        ("type2_rate_ratio", 0.0, r"type2_rate_ratio = 0 is outside"),
        ("critical_temperature", -1.0, r"critical_temperature = -1"),
        ("debye_coefficient", -1.0, r"debye_coefficient = -1"),
    ],
)
def test_glass_rejects_bad_fields_naming_them(field: str, value: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Glass(**{**GOOD, field: value})  # type: ignore[arg-type]


def test_kki_type2_needs_nonzero_chi() -> None:
    with pytest.raises(ParameterError, match="chi = 0"):
        Glass(**{**GOOD, "chi": 0.0})
    assert Glass(**{**GOOD, "chi": 0.0, "type2_rate_ratio": 1.0}).chi == 0.0


def test_default_preset_is_the_papers_estimates_with_sources() -> None:
    g = default_glass(spectrum="asymptotic")
    assert g.name == "ggp1985"
    # tau_min(0.3 K) = 1e-8 s is how A was chosen (Secs. VI-VII); W, eta_L, chi, N0 as in the paper
    assert float(tau_min(0.3, g.A)) == pytest.approx(1e-8, rel=1e-12)
    assert (g.W, g.eta_L, g.chi, g.N0) == (30.0, 1e-2, 4.0, 1e46)
    preset = get_preset("ggp1985")
    for field in ("W", "eta_L", "c", "chi", "psi", "N0", "bulk_modulus", "A", "debye_coefficient"):
        assert preset.sources[field], field
        assert any(tag in preset.sources[field] for tag in ("estimate", "measured", "fit", "model"))


def test_every_preset_cites_every_physical_value() -> None:
    for name, preset in PRESETS.items():
        for row in preset_table():
            if row["preset"] == name and row["value"] not in (0, 0.0, -2 / 3, "kki", 1e3):
                assert row["source"] != "default of the model", (name, row["field"])
        assert isinstance(preset.glass, Glass | TunnellingGlass)


def test_glass_serialises_to_json_and_back() -> None:
    g = get_glass("ggp1985", spectrum="asymptotic")
    data = json.loads(g.to_json())
    assert data.pop("model") == "kki"
    assert Glass(**data) == g


def test_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(
        ParameterError, match=r"glass = 'pyrex' is not a known preset; choose one of"
    ):
        get_glass("pyrex", spectrum="asymptotic")


def test_every_parameter_is_declared_once_and_documented_with_its_unit() -> None:
    """GLASS_PARAMETERS is the one declaration of each numeric glass parameter: validation,
    the variable registry and the fit bounds read it; the docstring (numpydoc, read by people
    and by Sphinx) must state the same unit, in brackets at the end of the entry."""
    import re

    from dynamics.glass import (
        EXACT_SPECTRUM_PARAMETERS,
        GLASS_PARAMETERS,
        TUNNELLING_PARAMETERS,
        Glass,
        TunnellingGlass,
    )
    from protocols.fit import FIT_PARAMETERS
    from protocols.variables import VARIABLES

    for cls, table in (
        (Glass, GLASS_PARAMETERS | EXACT_SPECTRUM_PARAMETERS),
        (TunnellingGlass, TUNNELLING_PARAMETERS),
    ):
        doc = cls.__doc__ or ""
        for name, spec in table.items():
            assert VARIABLES[name].units == spec.unit and VARIABLES[name].long_name == spec.label
            if name not in EXACT_SPECTRUM_PARAMETERS:  # numerical settings are not fitted
                assert FIT_PARAMETERS[name].high == spec.high
            else:
                assert name not in FIT_PARAMETERS
            entry = re.search(rf"\n    {name}\n(.*?)(?=\n    \w|\Z)", doc, re.S)
            if entry is None:  # the STM's docstring names only its own parameters
                assert cls is TunnellingGlass
                continue
            units = re.findall(r"\[([^\]]+)\]", entry.group(1))
            assert units, f"{cls.__name__}.{name}: no unit in its docstring entry"
            assert units[-1] == spec.unit, (cls.__name__, name, units[-1], spec.unit)


# --- the spectrum is a field ------------------------------------------------------------------


def test_a_glass_is_on_exact_spectra_unless_it_says_otherwise() -> None:
    """One default everywhere: Glass(...) and get_glass() are exact; the spectrum is a field
    like any other, in to_dict() and so in every dataset's glass attribute."""
    exact = Glass(**{**GOOD, "spectrum": "exact"})
    default = Glass(**{k: v for k, v in GOOD.items() if k != "spectrum"})
    assert default == exact and default.spectrum == "exact"
    assert get_glass("silica").spectrum == "exact" == default_glass().spectrum
    assert exact.to_dict()["spectrum"] == "exact" and exact.spectrum_label == "exact spectra"
    paper = Glass(**GOOD)
    assert paper.to_dict()["spectrum"] == "asymptotic"
    assert paper.spectrum_label.startswith("asymptotic")
    assert paper.with_spectrum("exact") == exact and exact.with_spectrum("asymptotic") == paper


def test_the_exact_settings_are_recorded_only_where_they_are_used() -> None:
    """An exact glass records the settings of its spectra; an asymptotic one neither records
    nor accepts them (they would change nothing)."""
    exact = Glass(**{**GOOD, "spectrum": "exact"}).replace(density_law="abs_eta")
    data = exact.to_dict()
    assert data["density_law"] == "abs_eta" and data["spectrum_source"] == "table"
    assert {"energy_margin", "p_margin", "spectrum_resolution"} <= set(data)
    paper = Glass(**GOOD)
    assert "density_law" not in paper.to_dict() and "spectrum_source" not in paper.to_dict()
    with pytest.raises(ParameterError, match="density_law = 'abs_eta' applies only to exact"):
        paper.replace(density_law="abs_eta")
    assert exact.with_spectrum("asymptotic") == paper  # settings back at their defaults


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"spectrum": "numerical"}, r"spectrum = 'numerical' is not allowed; use one of"),
        ({"spectrum": "exact", "chi": 0.0, "type2_rate_ratio": 1.0}, "chi = 0 is not allowed"),
        ({"spectrum": "exact", "spectrum_source": "atlas"}, "spectrum_source = 'atlas'"),
        ({"spectrum": "exact", "energy_margin": 0.5}, r"energy_margin = 0.5 is outside"),
        ({"spectrum": "exact", "spectrum_resolution": 0.0}, "spectrum_resolution = 0"),
    ],
)
def test_spectrum_settings_are_validated_naming_them(change: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Glass(**{**GOOD, **change})
