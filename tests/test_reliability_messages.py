"""Refusals name what the user gave, its value and the allowed range, in the user's units, not
internals (issue 23, class 4): each case below used to report an energy in joules, "A = nan",
"numerical failure: overflow", an internal variable or a row index."""

from __future__ import annotations

import pytest

from protocols.cli import main

CASES = [
    # (argv, what the message must say, internals it must not show)
    (
        ["gamma", "--temperature", "1e4"],
        "temperature = 10000 K is outside the allowed range [1e-09, 30) [K]",
        ["energy", " J ", "J)"],
    ),
    (
        ["closed-form", "--temperature", "1e4"],
        "temperature = 10000 K is outside the allowed range [1e-09, 30) [K]",
        ["energy", " J "],
    ),
    (
        ["gamma", "--temperature", "1e-6"],
        "temperature = 1e-06 K is outside the allowed range [1.5e-06, inf) [K] of exact spectra",
        ["A = nan", "nan"],
    ),
    (
        ["metallic", "--temperature-min", "1e-6", "--temperatures-per-decade", "3"],
        "temperature = 1e-06 K is outside the allowed range [1.5e-06, inf) [K]",
        ["A = nan"],
    ),
    (
        ["run", "--spectrum", "asymptotic", "--set", "N0=1e300"],
        "N0 = 1e+300 (preset ggp1985: 1e+46)",
        ["numerical failure"],
    ),
    (
        ["run", "--spectrum", "asymptotic", "--set", "psi=1e300"],
        "psi = 1e+300 (preset ggp1985: 0.142857)",
        [],
    ),
    (
        ["run", "--spectrum", "asymptotic", "--set", "A=1e300"],
        "A = 1e+300 s-1 K-3 gives tau_min(0.33 K) = 1.286e-299 s",
        ["t_start"],
    ),
    (
        ["run", "--spectrum", "asymptotic", "heat-pulse", "--set", "heat_density=1e10"],
        "the highest temperature of the heat-pulse = 6.43739e+09 K is outside the allowed range",
        [],
    ),
    (
        ["run", "schedule", "--schedule", "first.csv"],
        "schedule file 'first.csv', line 2: the first time is 10 s; a schedule starts at time 0",
        ["times[0]"],
    ),
    (
        ["run", "schedule", "--schedule", "semicolon.csv"],
        "schedule file 'semicolon.csv', line 1: '0;0,3' separates columns with ';'",
        ["times[0]"],
    ),
]


@pytest.mark.parametrize(("argv", "says", "hidden"), CASES, ids=lambda c: str(c)[:40])
def test_refusals_name_what_the_user_gave(tmp_path, capsys, monkeypatch, argv, says, hidden):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "first.csv").write_text("time [s],temperature [K]\n10,0.3\n20,0.4\n")
    (tmp_path / "semicolon.csv").write_text("0;0,3\n10;0,4\n")
    extra = [] if argv[0] == "closed-form" else ["--times-per-decade", "2"] * (argv[0] == "run")
    out = [] if argv[0] == "closed-form" else ["--quiet", "--no-plot", "--out", "x.nc"]
    assert main([*argv, *extra, *out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tls-expansion: error: "), err
    assert says in err, err
    assert "please report" not in err, err
    for word in hidden:
        assert word not in err, (word, err)
    assert not list(tmp_path.glob("*.nc"))
