"""The command line under hostile input: one line and exit 2, never a traceback, a
NaN, a hang, an orphan or half a pair of output files."""

from __future__ import annotations

import numpy as np
import pytest

from protocols.cli import main
from protocols.output import open_dataset


@pytest.mark.parametrize(
    "args",
    [
        ["heat-step", "--set", "T0=1", "--set", "T1=0.01"],
        ["heat-step", "--set", "T0=0.3", "--set", "T1=0.014"],
        ["ramp", "--set", "T_start=1", "--set", "T_end=0.01", "--set", "ramp_rate=1"],
        ["staircase", "--set", "T_start=3", "--set", "delta_T=-0.333", "--set", "steps=9"],
    ],
)
def test_cooling_runs_write_finite_datasets(tmp_path, capsys, args) -> None:
    # These wrote all-NaN strain (exit 0) or never finished before the fix.
    out = tmp_path / "cool.nc"
    assert (
        main(["run", *args, "--no-plot", "--quiet", "--times-per-decade", "4", "--out", str(out)])
        == 0
    )
    ds = open_dataset(out)
    for name in ("strain", "heat", "strain_tls", "heat_tls", "temperature"):
        assert np.all(np.isfinite(ds[name].values)), name


def test_schedule_from_3_kelvin_to_1_millikelvin(tmp_path) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text("time_s,temperature_K\n0,3\n10,0.3\n100,0.001\n")
    out = tmp_path / "s.nc"
    argv = ["run", "schedule", "--schedule", str(csv), "--no-plot", "--quiet"]
    assert main([*argv, "--times-per-decade", "4", "--out", str(out)]) == 0
    assert np.all(np.isfinite(open_dataset(out)["strain"].values))


def _configs(folder) -> dict[str, str]:
    files = {
        "glass5.toml": b"glass = 5\n",
        "protocol_string.toml": b'protocol = "heat-step"\n',
        "kind_list.toml": b'[protocol]\nkind = ["heat-step"]\n',
        "latin1.toml": b"[glass]\nc = 4\n# caf\xe9\n",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: str(folder / name) for name in files}


CONFIG_CASES = [
    ("glass5.toml", "glass = 5 must be a table"),
    ("protocol_string.toml", "protocol = 'heat-step' must be a table"),
    ("kind_list.toml", "kind = ['heat-step'] must be a string"),
    ("latin1.toml", "is not UTF-8 text"),
]


def _one_line_exit_2(capsys, argv: list[str], message: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("tls-expansion: error: ")
    assert "Traceback" not in err
    assert message in err, err


@pytest.mark.parametrize(("name", "message"), CONFIG_CASES)
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_config_of_the_wrong_shape_is_one_line(
    tmp_path, capsys, monkeypatch, command, name, message
):
    monkeypatch.chdir(tmp_path)
    paths = _configs(tmp_path)
    argv = [command, "--config", paths[name], "--quiet", "--out", "x.nc"]
    if command == "sweep":
        argv += ["--grid", "temperature=0.3"]
    _one_line_exit_2(capsys, argv, message)
    assert not list(tmp_path.glob("*.nc")) and not list(tmp_path.glob("*.png"))


HOSTILE = [
    (["gamma", "--temperature", "0.3", "0.3"], "temperature = [0.3, 0.3] has repeated values"),
    (
        ["metallic", "--temperature-min", "0"],
        "--temperature-min = 0 is outside the allowed range [1e-09, inf) [K]",
    ),
    (
        ["metallic", "--temperature-min", "-1"],
        "--temperature-min = -1 is outside the allowed range",
    ),
    (
        ["metallic", "--temperature-min", "1e-300"],
        "--temperature-min = 1e-300 is outside the allowed range",
    ),
    (
        ["metallic", "--temperature-min", "3", "--temperature-max", "2"],
        "--temperature-max = 2 K must exceed --temperature-min = 3 K",
    ),
    (["gamma", "--temperature", "1e-300"], "temperature = 1e-300 is outside the allowed range"),
    (["sweep", "--grid", "temperature=1e-300"], "temperature = 1e-300 is outside"),
    (
        ["closed-form", "--tau-expt-min", "-1"],
        "--tau-expt-min = -1 is outside the allowed range [1e-300, 1e+100] [s]",
    ),
    (
        ["closed-form", "--tau-expt-min", "1e3", "--tau-expt-max", "1e-3"],
        "--tau-expt-max = 0.001 s must exceed --tau-expt-min = 1000 s",
    ),
    (
        ["gamma", "--tau-expt-min", "1e3", "--tau-expt-max", "1e-3"],
        "--tau-expt-max = 0.001 s must exceed --tau-expt-min = 1000 s",
    ),
    (
        ["sweep", "--grid", "temperature=0.3", "--tau-expt-min", "1e3", "--tau-expt-max", "1e-3"],
        "--tau-expt-max = 0.001 s must exceed --tau-expt-min = 1000 s",
    ),
    (["closed-form", "--temperature", "1e-300"], "--temperature = 1e-300 is outside"),
    (["run", "heat-step", "--set", "T0=1e-300"], "T0 = 1e-300 is outside the allowed range"),
    (
        ["run", "ramp", "--set", "ramp_rate=1e-320"],
        "K s-1 makes the ramp from 0.1 K to 0.5 K last for ever",
    ),
]


@pytest.mark.parametrize(("argv", "message"), HOSTILE)
def test_hostile_arguments_give_one_line_and_no_files(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    extra = [] if argv[0] == "closed-form" else ["--quiet", "--out", "x.nc"]
    _one_line_exit_2(capsys, [*argv, *extra], message)
    assert not list(tmp_path.iterdir())


def test_an_out_path_that_is_not_utf8_is_refused_before_computing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = "\udcff.nc"  # a file name byte 0xff, as Python sees it
    argv = ["gamma", "--temperature", "0.3", "--quiet", "--out", bad]
    _one_line_exit_2(capsys, argv, "is not a valid UTF-8 path")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: (d / "x.nc").mkdir(), "is a folder"),
        (lambda d: (d / "x.png").mkdir(), "is a folder"),
        (lambda d: (d / "sub").write_text("a file"), "is a file, not a folder"),
        (lambda d: (d / "x.png").write_text("old plot"), "x.png exists; give --force"),
    ],
)
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_output_location_is_checked_before_the_work(
    tmp_path, capsys, monkeypatch, setup, message, command
):
    monkeypatch.chdir(tmp_path)
    setup(tmp_path)
    out = "sub/x.nc" if "not a folder" in message else "x.nc"
    argv = [command, "--quiet", "--no-plot", "--out", out]
    argv += ["--grid", "temperature=0.3"] if command == "sweep" else ["--times-per-decade", "2"]
    _one_line_exit_2(capsys, argv, message)


def test_a_readonly_folder_is_refused_before_the_work(tmp_path, capsys, monkeypatch):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes anywhere: no read-only folder to test with")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        argv = ["run", "--quiet", "--out", str(folder / "x.nc")]
        _one_line_exit_2(capsys, argv, "is not writable")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_no_plot_with_force_removes_a_stale_plot(tmp_path, monkeypatch, command):
    # Both commands treat an old PNG alike: refused without --force (above); with --force the
    # new dataset replaces the old one and the old plot, which no longer matches, goes.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.png").write_text("old plot")
    argv = [command, "--quiet", "--no-plot", "--force", "--out", "x.nc"]
    argv += ["--grid", "temperature=0.3"] if command == "sweep" else ["--times-per-decade", "2"]
    assert main(argv) == 0
    assert (tmp_path / "x.nc").exists() and not (tmp_path / "x.png").exists()


def test_a_failing_plot_leaves_neither_file(tmp_path, monkeypatch, capsys):
    import protocols.plots

    def broken(ds):
        raise OSError("disk full while drawing")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(protocols.plots, "plot_run", broken)
    assert main(["run", "--quiet", "--times-per-decade", "2", "--out", "x.nc"]) == 2
    assert "disk full" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # neither x.nc nor x.png nor a temporary


def test_an_interrupt_while_plotting_leaves_the_old_pair(tmp_path, monkeypatch):
    import protocols.plots

    monkeypatch.chdir(tmp_path)
    assert main(["run", "--quiet", "--times-per-decade", "2", "--out", "x.nc"]) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(before) == {"x.nc", "x.png"}

    def interrupted(ds):
        raise KeyboardInterrupt

    monkeypatch.setattr(protocols.plots, "plot_run", interrupted)
    argv = ["run", "--quiet", "--times-per-decade", "3", "--force", "--out", "x.nc"]
    assert main(argv) == 130
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_schedule_row_at_1e20_seconds_finishes(tmp_path) -> None:
    # 0.1 K over 1e20 s: T(t) moves by less than its own rounding per step; the integrator
    # stopped with "step size underflows" before its error floor (TEMPERATURE_RESOLUTION)
    csv = tmp_path / "s.csv"
    csv.write_text("0,0.3\n1e20,0.4\n")
    out = tmp_path / "s.nc"
    argv = ["run", "schedule", "--schedule", str(csv), "--no-plot", "--quiet"]
    assert main([*argv, "--times-per-decade", "2", "--out", str(out)]) == 0
    ds = open_dataset(out)
    assert np.all(np.isfinite(ds["strain"].values))
    assert float(ds["temperature"].max()) <= 0.4


HUGE = [
    (["run", "--times-per-decade", "100000000"], "heat-pulse with 1460129933 output times"),
    (
        ["closed-form", "--tau-expt-per-decade", "100000000"],
        "closed-form with 1300000001 tau_expt values",
    ),
    (["gamma", "--tau-expt-per-decade", "100000000"], "gamma with 1300000001 tau_expt values"),
    (
        ["metallic", "--temperatures-per-decade", "100000000"],
        "metallic with 100000001 temperatures",
    ),
    (
        ["sweep", "--workers", "2", "--grid", "temperature=log:0.1:1:2000", "--grid", "c=1:9:2000"],
        "a sweep of 4000000 points (on 2 local workers) would take about",
    ),
    (
        ["sweep", "heat-step", "--times-per-decade", "10000000", "--grid", "T1=0.4"],
        "a sweep point with 151241782 output times",
    ),
]


@pytest.mark.parametrize(("argv", "message"), HUGE)
def test_requests_that_would_run_for_hours_are_refused_at_once(
    tmp_path, capsys, monkeypatch, argv, message
):
    monkeypatch.chdir(tmp_path)
    extra = [] if argv[0] == "closed-form" else ["--quiet", "--out", "x.nc"]
    _one_line_exit_2(capsys, [*argv, *extra], message)
    assert not list(tmp_path.iterdir())


def test_the_refusal_says_how_to_override_and_yes_overrides(tmp_path, capsys, monkeypatch):
    import protocols.cost

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(protocols.cost, "MAX_ESTIMATE_S", 1e-9)
    argv = ["run", "--quiet", "--times-per-decade", "2", "--out", "x.nc"]
    _one_line_exit_2(capsys, argv, "give --yes to run it anyway")
    assert main([*argv, "--yes"]) == 0
    assert (tmp_path / "x.nc").exists()


@pytest.mark.parametrize(
    ("t_low", "t_high", "t_end"), [(0.3, 0.33, 1e5), (0.01, 1.0, 10.0), (1e-3, 3.0, 1e8)]
)
def test_the_bin_estimate_is_within_a_factor_two_of_the_ensemble(t_low, t_high, t_end) -> None:
    # the estimate counts panels from the resolution; the ensemble built for real is the
    # independent count (the p floor depends on E, hence the factor 2 allowed)
    from dynamics import default_glass
    from dynamics.ensemble import build_ensemble
    from protocols.cost import estimate_bins

    glass = default_glass(spectrum="asymptotic")
    actual = build_ensemble(glass, t_low, t_high, t_end).size
    assert 0.5 <= estimate_bins(glass, t_low, t_high, t_end) / actual <= 2.0


def test_a_schedule_file_that_is_not_text_is_one_line(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.csv").write_bytes(b"0,0.3\n1,\xff\xfe\n")
    argv = ["run", "schedule", "--schedule", "s.csv", "--quiet", "--out", "x.nc"]
    _one_line_exit_2(capsys, argv, "schedule file 's.csv' is not text")
