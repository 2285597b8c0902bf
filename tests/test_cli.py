"""The command line end to end, in a temporary folder; errors are one line and exit 2."""

from __future__ import annotations

import numpy as np
import pytest

from dynamics import default_glass
from dynamics.closed_forms import gruneisen_kki, gruneisen_time_constant
from dynamics.rates import tau_min
from protocols.cli import main


def test_closed_form_table_prints_derived_and_printed_gamma(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["closed-form", "--temperature", "0.3", "--tau-expt-min", "1e-6", "--tau-expt-max"]
    assert main([*argv, "1e-4", "--tau-expt-per-decade", "1"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if not line.startswith("#")]
    assert len(rows) == 3
    g = default_glass(spectrum="asymptotic")
    tau, ratio, derived, printed = (float(v) for v in rows[-1])
    # the printed numbers are (6.4) at tau_expt b_Gamma / tau_min: recompute them independently
    assert ratio == pytest.approx(
        tau * gruneisen_time_constant() / float(tau_min(0.3, g.A)), rel=1e-4
    )
    kw = {"W_J": g.W_J, "c": g.c, "eta_L": g.eta_L, "chi": g.chi, "psi": g.psi}
    assert derived == pytest.approx(float(gruneisen_kki(0.3, ratio, **kw)), rel=1e-4)  # 4 decimals
    assert printed == pytest.approx(
        float(gruneisen_kki(0.3, ratio, coefficients="printed", **kw)), rel=1e-4
    )


def test_glasses_lists_presets_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["glasses"]) == 0
    out = capsys.readouterr().out
    assert "ggp1985 (default)" in out and "estimate" in out


def test_glasses_prints_the_values_a_run_uses_and_both_calibrations(capsys) -> None:
    """silica: the value column is what get_glass (and so every run) uses, c = 25.35 on exact
    spectra; the line under it the asymptotic calibration, c = 40.5 (it printed 40.5 alone)."""
    from dynamics import get_glass

    assert main(["glasses"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("silica:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    rows = [line.split() for line in lines[start + 2 : end]]
    runs, paper = get_glass("silica"), get_glass("silica", spectrum="asymptotic")
    values = {row[0]: row[1] for row in rows if not line_is_asymptotic(row)}
    for key, value in runs.to_dict().items():
        if isinstance(value, float):
            assert float(values[key]) == pytest.approx(value, rel=5e-4), key  # 4 digits
    below = {rows[i - 1][0]: rows[i][3] for i, row in enumerate(rows) if line_is_asymptotic(row)}
    assert set(below) == {"c", "N0"}
    assert float(below["c"]) == paper.c == 40.5 and float(values["c"]) == runs.c == 25.35
    assert float(below["N0"]) == pytest.approx(paper.N0, rel=5e-4)


def line_is_asymptotic(row: list[str]) -> bool:
    return row[:3] == ["on", "asymptotic", "spectra"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["closed-form", "--temperature", "-0.3"],
            "temperature = -0.3 is outside the allowed range",
        ),
        (["closed-form", "--set", "c=nan"], "c = nan is not a finite number"),
        (["closed-form", "--set", "colour=blue"], "colour is not a parameter of glass"),
        (["closed-form", "--glass", "pyrex"], "glass = 'pyrex' is not a known preset"),
        (["closed-form", "--config", "/nonexistent.toml"], "no such file"),
        (
            ["closed-form", "--temperature", "warm"],
            "--temperature = 'warm' is not a number with a unit",
        ),
        (["closed-form", "--tau-expt-per-decade", "0"], "--tau-expt-per-decade = 0"),
        (["closed-form", "--points", "3"], "--points was renamed --tau-expt-per-decade"),
        (["closed-form", "--spectrum", "exact"], "unrecognized arguments: --spectrum"),
        (["closed-form", "--temp", "0.3"], "unrecognized arguments: --temp"),  # no abbreviations
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_config_file_sets_the_glass(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "glass.toml"
    cfg.write_text('[glass]\npreset = "ggp1985"\nc = 3.0\n')
    assert main(["closed-form", "--config", str(cfg), "--tau-expt-per-decade", "1"]) == 0
    out = capsys.readouterr().out
    assert "ggp1985+custom" in out
    bad = tmp_path / "bad.toml"
    bad.write_text("[glas]\nc = 1\n")
    assert main(["closed-form", "--config", str(bad)]) == 2
    assert "unknown table" in capsys.readouterr().err


QUICK = ["--quiet", "--times-per-decade", "2"]


def test_run_with_no_arguments_is_the_main_job(tmp_path, monkeypatch) -> None:
    import xarray as xr

    from protocols.output import open_dataset

    monkeypatch.chdir(tmp_path)
    assert main(["run", "--quiet"]) == 0
    nc, png = tmp_path / "outputs" / "heat_pulse.nc", tmp_path / "outputs" / "heat_pulse.png"
    assert nc.exists() and png.exists()
    ds = open_dataset(nc)
    assert isinstance(ds, xr.Dataset) and '"kind": "heat-pulse"' in ds.attrs["protocol"]
    assert "exact spectra" in ds.attrs["title"]  # the default model, named
    # an interior extremum: the strain changes as the TLS relax and returns as the sample cools;
    # a contraction first, as the paper predicts for c > 0 (on exact spectra with the symmetric
    # relaxation coupling too, docs/exact.md)
    i = int(np.argmax(np.abs(ds["strain"].values)))
    assert 0 < i < ds.sizes["time"] - 1
    assert float(ds["strain"][i]) < 0
    # the main job a second time: the default output is replaced (a path given with --out is
    # never replaced without --force), and nothing else is written
    assert main(["run", "--quiet", "--times-per-decade", "2"]) == 0
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == [
        "heat_pulse.nc",
        "heat_pulse.png",
    ]
    assert open_dataset(nc).sizes["time"] < ds.sizes["time"]  # the new one
    assert main(["run", "--quiet", "--force", "--no-plot", "--times-per-decade", "2"]) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "heat-step", "--set", "T1=0.4", "--set", "c=3"],
        ["run", "staircase", "--set", "steps=2", "--set", "dwell=1"],
        ["run", "ramp", "--set", "ramp_rate=0.1", "--t-stop", "10"],
        ["run", "isolated-pulse", "--set", "link_conductance=1e-3", "--t-stop", "1e-3"],
        ["run", "heat-pulse", "--set", "heat_density=1e-3", "--t-stop", "1"],
    ],
)
def test_run_every_protocol(argv: list[str], tmp_path) -> None:
    out = tmp_path / "r.nc"
    assert main([*argv, "--out", str(out), *QUICK]) == 0, argv
    assert out.exists() and out.with_suffix(".png").exists()


def test_run_schedule_from_csv_and_config(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text("time_s,temperature_K\n0,0.2\n1,0.25\n2,0.25\n")
    assert (
        main(["run", "schedule", "--schedule", str(csv), "--out", str(tmp_path / "s.nc"), *QUICK])
        == 0
    )
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[glass]\npreset = "ggp1985"\npsi = 0.2\n'
        '[protocol]\nkind = "heat-step"\nT0 = 0.2\nT1 = 0.21\n'
    )
    assert main(["run", "--config", str(cfg), "--out", str(tmp_path / "c.nc"), *QUICK]) == 0
    from protocols.output import open_dataset

    ds = open_dataset(tmp_path / "c.nc")
    assert '"psi": 0.2' in ds.attrs["glass"] and '"T1": 0.21' in ds.attrs["protocol"]
    backwards = tmp_path / "b.csv"
    backwards.write_text("0,0.2\n2,0.25\n1,0.25\n")
    assert (
        main(["run", "schedule", "--schedule", str(backwards), "--out", str(tmp_path / "b.nc")])
        == 2
    )
    assert "non-monotonic" in capsys.readouterr().err
    assert not (tmp_path / "b.nc").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "heat-step", "--set", "T1=0"], "T1 = 0 is outside the allowed range"),
        (["run", "quench"], "protocol = 'quench' is not known"),
        (["run", "heat-step", "--set", "tau_link=3"], "tau_link is not a parameter"),
        (["run", "schedule", "--schedule", "/nonexistent.csv"], "cannot be read"),
        (["run", "--out", "x.txt"], "must end in .nc"),
        (["run", "--times-per-decade", "0"], "--times-per-decade = 0"),
        (["run", "--points-per-decade", "2"], "--points-per-decade was renamed --times-per-decade"),
        (["gamma", "--temperature", "-1"], "temperature = -1 is outside"),
        (["gamma", "--temperatures", "1"], "--temperatures was renamed --temperature"),
        (["gamma", "--glass", "stm-silica"], "needs a soft-potential glass"),
    ],
)
def test_run_and_gamma_errors_write_nothing(argv, message, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "outputs").exists() or not any((tmp_path / "outputs").iterdir())


def test_gamma_writes_dataset_and_plot(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.nc"
    argv = [
        "gamma",
        "--temperature",
        "0.3",
        "--tau-expt-min",
        "1e-6",
        "--tau-expt-max",
        "1",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert out.exists() and out.with_suffix(".png").exists()
    assert "(6.4) derived" in capsys.readouterr().out


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--help"],
        ["run", "--help"],
        ["gamma", "--help"],
        ["closed-form", "--help"],
        ["glasses", "--help"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
    assert "--set NAME=VALUE" in capsys.readouterr().out
