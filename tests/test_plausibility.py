"""Results outside the regime the model describes are refused or warned about, never returned
or written silently (issue 23, class 1): property-based tests of the rules of
protocols.plausibility, and the issue's examples end to end (a tiny bulk modulus, a huge c, a tiny
eta_L, N0 = 1e300, exact spectra at 1e-6 K, a temperature of 1e4 K)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynamics import ParameterError, default_glass
from protocols.cli import main
from protocols.plausibility import (
    GRUNEISEN_WARNED,
    STRAIN_REFUSED,
    STRAIN_WARNED,
    ImplausibleResultError,
    PlausibilityWarning,
    changed_parameters,
    check_plausible,
)

GLASS = default_glass(spectrum="asymptotic")
CUSTOM = GLASS.replace(N0=2e46)
QUICK = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))

magnitudes = st.one_of(
    st.floats(min_value=-1e300, max_value=1e300, allow_nan=False),
    st.sampled_from([STRAIN_REFUSED, STRAIN_WARNED, -STRAIN_REFUSED, 0.0, 1e-300]),
)


def _verdict(dataset: xr.Dataset) -> str:
    """ "refused", "warned" or "silent": what check_plausible does with ``dataset``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_plausible(dataset, "the test", CUSTOM)
        except ImplausibleResultError:
            return "refused"
    return "warned" if any(w.category is PlausibilityWarning for w in caught) else "silent"


def _expected(largest: float) -> str:
    """The rule, stated independently: refused from 1e-2, warned from 1e-4, silent below."""
    if largest >= STRAIN_REFUSED:
        return "refused"
    return "warned" if largest >= STRAIN_WARNED else "silent"


@QUICK
@given(
    values=st.lists(magnitudes, min_size=1, max_size=6),
    name=st.sampled_from(["strain", "strain_tls", "length_change"]),
)
def test_strains_are_refused_or_warned_by_their_largest_magnitude(values, name) -> None:
    ds = xr.Dataset({name: ("time", np.array(values))}, coords={"time": np.arange(len(values))})
    assert _verdict(ds) == _expected(max(abs(v) for v in values))


@QUICK
@given(
    alpha=st.lists(st.floats(min_value=-1e10, max_value=1e10), min_size=2, max_size=2),
    temps=st.lists(st.floats(min_value=1e-9, max_value=30.0), min_size=2, max_size=2, unique=True),
)
def test_expansion_coefficients_are_judged_by_alpha_times_temperature(alpha, temps) -> None:
    ds = xr.Dataset({"alpha": ("temperature", np.array(alpha))}, coords={"temperature": temps})
    assert _verdict(ds) == _expected(max(abs(a) * t for a, t in zip(alpha, temps, strict=True)))


@QUICK
@given(
    value=st.sampled_from([np.inf, -np.inf, np.nan]),
    name=st.sampled_from(["strain", "heat", "alpha", "gruneisen", "gruneisen_equilibrium"]),
)
def test_non_finite_values_are_refused_unless_nan_means_undefined(value, name) -> None:
    ds = xr.Dataset({name: ("time", np.array([0.0, value]))}, coords={"time": [0.0, 1.0]})
    undefined_nan = np.isnan(value) and name in ("gruneisen", "gruneisen_equilibrium")
    assert _verdict(ds) == ("silent" if undefined_nan else "refused")


@QUICK
@given(gamma=st.floats(min_value=-1e8, max_value=1e8))
def test_equilibrium_gruneisen_beyond_any_glass_is_warned(gamma) -> None:
    ds = xr.Dataset({"gruneisen_equilibrium": ("time", [gamma])}, coords={"time": [0.0]})
    assert _verdict(ds) == ("warned" if abs(gamma) >= GRUNEISEN_WARNED else "silent")


def test_messages_name_the_parameters_changed_from_the_preset() -> None:
    assert changed_parameters(GLASS) == ""
    assert changed_parameters(CUSTOM) == "N0 = 2e+46 (preset ggp1985: 1e+46)"
    ds = xr.Dataset({"strain": ("time", [0.5])}, coords={"time": [0.0]})
    with pytest.raises(ImplausibleResultError, match=r"N0 = 2e\+46 .* strain up to 0.5"):
        check_plausible(ds, "the test", CUSTOM)


def _run(tmp_path, monkeypatch, *extra: str) -> list[str]:
    monkeypatch.chdir(tmp_path)
    return [
        "run",
        "heat-step",
        "--spectrum",
        "asymptotic",
        "--times-per-decade",
        "2",
        "--quiet",
        "--no-plot",
        "--out",
        "x.nc",
        *extra,
    ]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        # each wrote strains of order 1 to 1e300 with exit 0, or "numerical failure: overflow"
        ("bulk_modulus=1e-300", "bulk_modulus = 1e-300 (preset ggp1985: 3.69397e+10)"),
        ("c=1e30", "c = 1e+30 (preset ggp1985: 6)"),
        ("eta_L=1e-300", "eta_L = 1e-300 (preset ggp1985: 0.01)"),
        ("N0=1e300", "N0 = 1e+300 (preset ggp1985: 1e+46)"),
    ],
)
def test_parameters_at_legal_extremes_are_refused_naming_them(
    tmp_path, capsys, monkeypatch, setting, message
) -> None:
    assert main(_run(tmp_path, monkeypatch, "--set", setting)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert "outside the range" in err and "please report" not in err
    assert not list(tmp_path.iterdir())


def test_a_strain_beyond_the_warning_level_is_written_with_a_warning(
    tmp_path, capsys, monkeypatch
) -> None:
    assert main(_run(tmp_path, monkeypatch, "--set", "bulk_modulus=1e4")) == 0
    err = capsys.readouterr().err
    assert "tls-expansion: warning: " in err and "beyond 0.0001" in err, err
    assert (tmp_path / "x.nc").exists()


def test_exact_spectra_below_their_resolution_are_refused_naming_the_temperature() -> None:
    # returned NaN alpha from the Python API; "A = nan" from 'metallic'
    from protocols import gruneisen_vs_tau

    with pytest.raises(
        ParameterError, match=r"temperature = 1e-06 K is outside the allowed range \[1.5e-06"
    ):
        gruneisen_vs_tau(default_glass(), 1e-6, [1.0])


def test_a_temperature_beyond_w_names_the_temperature(tmp_path, capsys, monkeypatch) -> None:
    # was "energy = 1.4e-19 J is beyond the two-level range"
    monkeypatch.chdir(tmp_path)
    argv = ["gamma", "--temperature", "1e4", "--quiet", "--out", "x.nc"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "temperature = 10000 K is outside the allowed range [1e-09, 30) [K]" in err, err
    assert "energy" not in err
