"""Parameter sweeps on dask: identical, bit for bit, to the serial functions point by
point, on every scheduler (local threads, processes, a real dask.distributed cluster); registered
variables and a lossless file round trip; bad input named; the ``sweep`` command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from dynamics import ParameterError, TwoLevelRangeWarning, __version__, default_glass
from dynamics.ensemble import Resolution
from protocols.cli import common as cli
from protocols.cli.sweep import add_sweep_command
from protocols.config import ConfigError
from protocols.histories import HeatStep, Staircase, log_times
from protocols.output import open_dataset, write_netcdf
from protocols.run import gruneisen_vs_tau, run
from protocols.sweeps import GAMMA_VARIABLES, parse_grid, sweep
from protocols.variables import VARIABLES

GLASS = default_glass(spectrum="asymptotic")
COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5)
TEMPERATURES = [0.1, 0.3]
C_VALUES = [4.0, 6.0]
TAU = [1e-8, 1.0, 1e4]
GRID = {"temperature": TEMPERATURES, "c": C_VALUES}
TIMES = log_times(1e-9, 1e3, 2)


def gamma_sweep(**kwargs: object) -> xr.Dataset:
    return sweep(GLASS, GRID, tau_expt=TAU, resolution=COARSE, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def serial_gamma() -> dict[tuple[float, float], xr.Dataset]:
    """Each grid point alone, through the serial function protocols.run.gruneisen_vs_tau."""
    return {
        (t, c): gruneisen_vs_tau(GLASS.replace(c=c), [t], TAU, resolution=COARSE).isel(
            temperature=0
        )
        for t in TEMPERATURES
        for c in C_VALUES
    }


def assert_equals_serial(ds: xr.Dataset, serial: dict[tuple[float, float], xr.Dataset]) -> None:
    """Exact equality (no tolerance: the sweep runs the same operations on the same numbers)."""
    for (t, c), ref in serial.items():
        point = ds.sel(temperature=t, c=c)
        np.testing.assert_array_equal(point["gruneisen"].values, ref["gruneisen"].values)
        np.testing.assert_array_equal(
            point["gruneisen_equilibrium"].values, ref["gruneisen_equilibrium"].values
        )
        np.testing.assert_array_equal(
            point["alpha_over_temperature"].values, ref["alpha"].values / t
        )
        np.testing.assert_array_equal(
            point["heat_capacity_over_temperature"].values, ref["heat_capacity"].values / t
        )
        np.testing.assert_array_equal(
            point["heat_capacity_equilibrium"].values, ref["heat_capacity_equilibrium"].values
        )
        np.testing.assert_array_equal(point["tau_min"].values, ref["tau_min"].values)


@pytest.fixture(scope="module")
def default_result() -> xr.Dataset:
    return gamma_sweep()


def test_default_local_sweep_equals_serial_points(
    default_result: xr.Dataset, serial_gamma: dict[tuple[float, float], xr.Dataset]
) -> None:
    assert_equals_serial(default_result, serial_gamma)


@pytest.mark.parametrize(
    ("scheduler", "workers", "chunk_size"),
    [("processes", 2, 1), ("threads", 2, 3), ("synchronous", None, 2)],
)
def test_every_local_scheduler_and_block_size_gives_the_same_bits(
    scheduler: str,
    workers: int | None,
    chunk_size: int,
    default_result: xr.Dataset,
    serial_gamma: dict[tuple[float, float], xr.Dataset],
) -> None:
    ds = gamma_sweep(scheduler=scheduler, workers=workers, chunk_size=chunk_size)
    assert_equals_serial(ds, serial_gamma)
    xr.testing.assert_identical(ds, default_result)


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        scheduler_port=0,  # dask picks free ports: safe under pytest-xdist
        dashboard_address=":0",  # a free port: no clash under xdist (None means :8787)
    )
    try:
        yield cluster
    finally:
        cluster.close()


def test_distributed_cluster_gives_the_same_bits(
    cluster: object, serial_gamma: dict[tuple[float, float], xr.Dataset]
) -> None:
    from distributed import Client

    seen: list[tuple[int, int]] = []
    with Client(cluster, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        ds = gamma_sweep(client=client, chunk_size=1, progress=lambda d, n: seen.append((d, n)))
        assert client.status == "running"  # a client we were given is left open
    assert_equals_serial(ds, serial_gamma)
    assert seen[-1] == (4, 4) and len(seen) == 4  # one report per finished block
    by_address = gamma_sweep(scheduler=cluster.scheduler_address)  # type: ignore[attr-defined]
    assert_equals_serial(by_address, serial_gamma)
    xr.testing.assert_identical(by_address, ds)


def test_protocol_sweep_on_the_cluster_equals_individual_runs(cluster: object) -> None:
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    ds = sweep(
        GLASS,
        {"T1": [0.31, 0.35], "c": C_VALUES},
        protocol=HeatStep(0.3, 0.33),
        times=TIMES,
        resolution=COARSE,
        scheduler=address,
    )
    local = sweep(
        GLASS,
        {"T1": [0.31, 0.35], "c": C_VALUES},
        protocol=HeatStep(0.3, 0.33),
        times=TIMES,
        resolution=COARSE,
    )
    xr.testing.assert_identical(ds, local)


def test_warnings_in_worker_processes_reach_the_caller(cluster: object) -> None:
    from distributed import Client

    with (
        Client(cluster, set_as_default=False) as client,  # type: ignore[no-untyped-call]
        # W = 3 K at 0.6 K: the two levels leave out 4.2 % (> LEFT_OUT_SHARE = 1 %) of C
        pytest.warns(TwoLevelRangeWarning, match="leaves out"),
    ):
        sweep(
            GLASS.replace(W=3.0),
            {"T1": [0.6]},
            protocol=HeatStep(0.3, 0.33),
            times=TIMES,
            resolution=COARSE,
            client=client,
        )


def test_protocol_sweep_equals_individual_runs() -> None:
    t1_values = [0.31, 0.35]
    ds = sweep(
        GLASS,
        {"T1": t1_values, "c": C_VALUES},
        protocol=HeatStep(0.3, 0.33),
        times=TIMES,
        resolution=COARSE,
        chunk_size=1,
    )
    assert ds["strain"].dims == ("T1", "c", "time")
    assert ds["strain_tls"].dims == ("T1", "c", "tls_type", "time")
    assert ds["heat_capacity_equilibrium"].dims == ("T1", "c")
    for t1 in t1_values:
        for c in C_VALUES:
            ref = run(GLASS.replace(c=c), HeatStep(0.3, t1), TIMES, resolution=COARSE)
            point = ds.sel(T1=t1, c=c)
            np.testing.assert_array_equal(point["time"].values, ref["time"].values)
            assert set(ref.data_vars) == set(ds.data_vars)
            for name in ref.data_vars:  # strain, heat, temperature, alpha, gruneisen, ...
                np.testing.assert_array_equal(point[name].values, ref[name].values)
    assert json.loads(ds.attrs["protocol"]) == {"kind": "heat-step", "T0": 0.3, "T1": 0.33}


def test_protocol_by_name_and_a_swept_staircase_parameter() -> None:
    ds = sweep(
        GLASS,
        {"delta_T": [0.01, 0.02]},
        protocol="staircase",
        times=np.union1d(TIMES, Staircase().dwell_ends),
        resolution=COARSE,
    )
    assert ds["alpha"].dims == ("delta_T", "step")
    assert "delta_T" not in ds.data_vars  # the coordinate, not a copy of it
    ref = run(GLASS, Staircase(delta_T=0.02), ds["time"].values, resolution=COARSE)
    np.testing.assert_array_equal(ds["gruneisen"].sel(delta_T=0.02).values, ref["gruneisen"])


def test_dims_coords_registry_and_attributes(default_result: xr.Dataset) -> None:
    ds = default_result
    assert list(ds.dims) == ["temperature", "c", "tau_expt"]
    assert set(ds.data_vars) == set(GAMMA_VARIABLES)
    for name in ("gruneisen", "gruneisen_equilibrium", "alpha_over_temperature"):
        assert ds[name].dims == ("temperature", "c", "tau_expt")
    assert ds["tau_min"].dims == ("temperature", "c")
    np.testing.assert_array_equal(ds["temperature"].values, TEMPERATURES)
    np.testing.assert_array_equal(ds["c"].values, C_VALUES)
    np.testing.assert_array_equal(ds["tau_expt"].values, TAU)
    for name, var in ds.variables.items():  # annotate() raised for anything unregistered
        assert name in VARIABLES
        assert var.attrs["units"] == VARIABLES[str(name)].units and var.attrs["long_name"]
    assert ds["alpha_over_temperature"].attrs["units"] == "K-2"
    assert ds["heat_capacity_over_temperature"].attrs["units"] == "J m-3 K-2"
    assert ds["c"].attrs["units"] == "1"
    attrs = ds.attrs
    assert attrs["Conventions"] == "CF-1.8"
    assert attrs["paper_doi"] == "10.1103/PhysRevB.32.6873"
    assert json.loads(attrs["grid"]) == GRID
    assert json.loads(attrs["glass"])["name"] == "ggp1985"
    assert json.loads(attrs["resolution"])["energy_nodes"] == 6
    assert "tau_m(E = k_B T, T)" in attrs["tau_min_definition"]
    assert attrs["history"] == (  # no time stamp: the same inputs give the same file
        f"tls-expansion {__version__}: protocols.sweep(gamma, glass ggp1985, over temperature, c)"
    )


def test_glass_coordinates_are_registered_with_the_glass_units() -> None:
    units = {"W": "K", "c": "1", "chi": "1", "psi": "1", "N0": "J-1 m-3", "A": "s-1 K-3"}
    units |= {"eta_L": "1", "temperature": "K", "tau_expt": "s", "T1": "K", "tau_link": "s"}
    for name, unit in units.items():
        assert VARIABLES[name].units == unit


def test_netcdf_round_trip_is_identical(tmp_path: Path, default_result: xr.Dataset) -> None:
    protocol_ds = sweep(
        GLASS, {"T1": [0.31]}, protocol=HeatStep(0.3, 0.33), times=TIMES, resolution=COARSE
    )
    for i, ds in enumerate([default_result, protocol_ds]):
        path = write_netcdf(ds, tmp_path / f"sweep{i}.nc")
        xr.testing.assert_identical(open_dataset(path), ds)
        with pytest.raises(ParameterError, match="exists"):
            write_netcdf(ds, path)


@pytest.mark.parametrize(
    ("grid", "kwargs", "message"),
    [
        ({"temperature": [0.3], "colour": [1.0]}, {}, "colour is not a parameter"),
        ({"temperature": [0.3], "c": []}, {}, "c: the grid needs at least one value"),
        ({"temperature": [0.3], "c": [4.0, float("nan")]}, {}, "c = nan is not a finite"),
        ({"temperature": [0.3, float("inf")]}, {}, "temperature = inf is not a finite"),
        ({"c": [4.0, 6.0]}, {}, "temperature: a Gamma"),
        ({"temperature": [-0.3]}, {}, "temperature = -0.3 is outside"),
        ({"temperature": [0.3], "eta_L": [0.01, 2.0]}, {}, "eta_L = 2 is outside"),
        ({"temperature": [0.3], "c": [4.0, 4.0]}, {}, "c: the grid values must be distinct"),
        ({"temperature": [0.3], "c": ["big"]}, {}, "c = 'big' is not a number"),
        ({"temperature": [[0.3, 0.4]]}, {}, "temperature: grid values must be a 1-D"),
        ({}, {}, "grid must be a non-empty dict"),
        ({"temperature": [0.3]}, {"tau_expt": [1.0, 1e-3]}, "tau_expt must be"),
        ({"temperature": [0.3]}, {"times": [1.0]}, "times: only for a protocol sweep"),
        ({"temperature": [0.3]}, {"workers": 0}, "workers = 0 is outside"),
        ({"temperature": [0.3]}, {"chunk_size": 0}, "chunk_size = 0 is outside"),
        ({"temperature": [0.3]}, {"scheduler": "fast"}, "scheduler = 'fast' is neither"),
        ({"temperature": [0.3]}, {"client": "tcp://x:1"}, "client = 'tcp://x:1' must be"),
        ({"temperature": [0.3]}, {"scheduler": "tcp://127.0.0.1:9", "workers": 2}, "workers:"),
        ({"T1": [0.31]}, {"protocol": "heat-step"}, "times: a protocol sweep needs"),
        ({"T1": [0.31, -1.0]}, {"protocol": "heat-step", "times": TIMES}, "T1 = -1 is outside"),
        ({"T1": [0.3]}, {"protocol": "heat-step", "times": TIMES}, "T1 = 0.3 must differ"),
        ({"temperature": [0.3]}, {"protocol": "heat-step", "times": TIMES}, "temperature is not"),
        ({"steps": [2, 3]}, {"protocol": "staircase", "times": TIMES}, "steps cannot be swept"),
        ({"dwell": [10.0, 20.0]}, {"protocol": "staircase", "times": TIMES}, "times: a staircase"),
        ({"T1": [0.31]}, {"protocol": "boil", "times": TIMES}, "protocol = 'boil' is not known"),
    ],
)
def test_bad_input_names_the_parameter(grid: dict, kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        sweep(GLASS, grid, resolution=COARSE, **kwargs)


def test_an_unreachable_scheduler_is_a_parameter_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(sys.modules["protocols.sweeps.execution"], "CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(ParameterError, match=r"scheduler = 'tcp://127\.0\.0\.1:9' cannot be"):
        sweep(GLASS, {"temperature": [0.3]}, scheduler="tcp://127.0.0.1:9", resolution=COARSE)


def test_two_level_range_warning_reaches_the_caller() -> None:
    # W = 30 K at 10 K: the two levels leave out 1.8 % (> LEFT_OUT_SHARE = 1 %) of C
    with pytest.warns(TwoLevelRangeWarning, match="leaves out"):
        sweep(GLASS, {"temperature": [10.0]}, tau_expt=[1.0], resolution=COARSE)


def test_grid_text_lists_ranges_and_log_ranges() -> None:
    grid = parse_grid(["temperature=0.1,0.3,1", "c=4:8:5", "W=log:1:100:3", "psi=0.2"])
    assert list(grid) == ["temperature", "c", "W", "psi"]
    assert grid["temperature"] == [0.1, 0.3, 1.0]
    assert grid["c"] == [4.0, 5.0, 6.0, 7.0, 8.0]
    np.testing.assert_allclose(grid["W"], [1.0, 10.0, 100.0], rtol=1e-15)
    assert grid["psi"] == [0.2]
    for bad, message in [
        ("c=4:8", "a range is start:stop:num"),
        ("c=4:8:x", "num an integer"),
        ("c=4:8:0", "num = 0 must be >= 1"),
        ("W=log:0:10:3", "a log range needs start, stop > 0"),
        ("c=", "c: the grid needs at least one value"),
        ("c=4,nan", "c = nan is not a finite number"),
        ("c", "must have the form NAME=VALUES"),
        ("c=big", "c = 'big' is not a number"),
    ]:
        with pytest.raises(ParameterError, match=message):
            parse_grid([bad])


# --- the command line: add_sweep_command on a parser built like protocols.cli.build_parser ---


def sweep_main(argv: list[str]) -> int:
    """protocols.cli.main with only the sweep command: errors are one line and exit 2."""
    parser = cli.Parser(prog="tls-expansion")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=cli.Parser)
    add_sweep_command(sub, cli.add_glass_options, cli.add_output_options)
    try:
        args, extras = parser.parse_known_args(argv)
        cli.check_unrecognized(args.command, extras)
        return int(args.func(args))
    except (cli.UsageError, ConfigError, ParameterError, OSError) as exc:
        print(f"tls-expansion: error: {exc}", file=sys.stderr)
        return cli.EXIT_USAGE


def test_sweep_command_writes_the_dataset_and_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep.nc"
    argv = ["sweep", "--grid", "temperature=0.1,0.3", "--grid", "c=4:6:2", "--out", str(out)]
    argv += ["--tau-expt-min", "1e-8", "--tau-expt-max", "1e4", "--tau-expt-per-decade", "1"]
    argv += ["--spectrum", "asymptotic"]  # the reference below is the asymptotic API glass
    assert sweep_main(argv) == 0
    assert out.exists() and out.with_suffix(".png").exists()
    assert "wrote" in capsys.readouterr().out
    ds = open_dataset(out)
    assert list(ds.dims) == ["temperature", "c", "tau_expt"]
    tau = log_times(1e-8, 1e4, 1)
    ref = sweep(GLASS, {"temperature": [0.1, 0.3], "c": [4.0, 6.0]}, tau_expt=tau)
    xr.testing.assert_identical(ds, ref)
    assert sweep_main(argv) == 2  # exists: never overwritten without --force
    assert "give --force" in capsys.readouterr().err
    assert sweep_main(["sweep", "--grid", "c=4", "--out", str(out)]) == 2  # input checked first
    assert "temperature: a Gamma" in capsys.readouterr().err
    assert sweep_main([*argv, "--force", "--quiet", "--no-plot"]) == 0


def test_sweep_command_protocol_mode_defaults_under_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["sweep", "heat-step", "--set", "T0=0.2", "--grid", "T1=0.21,0.25"]
    argv += ["--t-start", "1e-6", "--t-stop", "10", "--times-per-decade", "2", "--quiet"]
    argv += ["--spectrum", "asymptotic"]  # the reference below is the asymptotic API glass
    assert sweep_main(argv) == 0
    ds = open_dataset(tmp_path / "outputs" / "sweep_heat_step.nc")
    assert (tmp_path / "outputs" / "sweep_heat_step.png").exists()
    ref = sweep(
        GLASS, {"T1": [0.21, 0.25]}, protocol=HeatStep(0.2, 0.33), times=log_times(1e-6, 10, 2)
    )
    xr.testing.assert_identical(ds, ref)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--grid", "colour=1,2"], "colour is not a parameter"),
        (["--grid", "c=4:8"], "a range is start:stop:num"),
        (["--grid", "c=4,nan"], "c = nan is not a finite number"),
        (["--grid", "c=4"], "temperature: a Gamma"),
        ([], "--grid: give at least one"),
        (["--grid", "temperature=0.3", "--workers", "0"], "workers = 0 is outside"),
        (["--grid", "temperature=0.3", "--scheduler", "fast"], "scheduler = 'fast' is neither"),
        (["--grid", "temperature=0.3", "--set", "colour=2"], "colour is not a parameter"),
        (["--grid", "temperature=0.3", "--grid", "c=4", "--set", "c=5"], "both set"),
        (["boil", "--grid", "temperature=0.3"], "protocol = 'boil' is not known"),
        (["--protocol", "heat-step"], "--protocol was renamed a first argument, as for run"),
        (["--grid", "temperature=0.3", "--out", "x.txt"], "must end in .nc"),
        (["--grid", "temperature=0.3", "--workers", "two"], "invalid int value"),
    ],
)
def test_sweep_command_bad_input_is_one_line_exit_2_nothing_written(
    extra: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert sweep_main(["sweep", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tls-expansion: error:")
    assert message in err
    assert not any(tmp_path.rglob("*.nc")) and not any(tmp_path.rglob("*.png"))


def test_sweep_command_is_wired_into_the_cli_when_registered() -> None:
    from protocols.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "sweep" not in sub.choices:
        pytest.skip("protocols.cli.build_parser does not register 'sweep' yet")
    from protocols.cli import main

    assert main(["sweep", "--grid", "c=4"]) == 2  # the same command through the real CLI


def test_a_sweep_over_scale_factors_builds_each_temperature_once(monkeypatch) -> None:
    # c and N0 only scale the response: one reference response per temperature, however many
    # values of c and N0 (and the points keep the bits of the serial function, tested above)
    from protocols.sweeps import points

    points._reference_point.cache_clear()
    temperatures: list[float] = []
    real = points.step_response
    monkeypatch.setattr(
        points, "step_response", lambda *a, **k: temperatures.extend(a[1]) or real(*a, **k)
    )
    grid = {"temperature": [0.1, 0.3], "c": [2.0, 4.0, 6.0], "N0": [1e45, 2e45]}
    ds = sweep(GLASS, grid, tau_expt=TAU, resolution=COARSE, scheduler="synchronous")
    assert sorted(temperatures) == [0.1, 0.3]
    assert ds.sizes == {"temperature": 2, "c": 3, "N0": 2, "tau_expt": 3}
