"""Configs and the command line: every documented config key honoured, every unknown
table or key refused in one line; units where a person types them; the example config runs as
written; tau_expt range options; the glasses table; clean warnings; scheduler failures."""

from __future__ import annotations

import json
import re
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from protocols.cli import main
from protocols.histories import log_times

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "example_config.toml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


def test_the_example_config_runs_as_written(tmp_path: Path, capsys) -> None:
    out = tmp_path / "example.nc"
    assert main(["run", "--config", str(EXAMPLE), "--out", str(out), "--no-plot"]) == 0
    ds = xr.open_dataset(out)
    glass, protocol = json.loads(ds.attrs["glass"]), json.loads(ds.attrs["protocol"])
    # the file says preset silica, c = 5, W = "4 K"; heat-pulse at 300mK, 1ms, 10mK
    assert glass["c"] == 5.0 and glass["W"] == 4.0 and glass["name"] == "silica+custom"
    assert protocol == {
        "kind": "heat-pulse",
        "T_bath": pytest.approx(0.3, rel=1e-12),
        "tau_link": pytest.approx(1e-3, rel=1e-12),
        "delta_T": pytest.approx(0.01, rel=1e-12),
        "heat_density": None,
    }
    # [run]: t_start = "1ns", t_stop = "1min", times_per_decade = 4
    np.testing.assert_allclose(ds["time"].values, log_times(1e-9, 60.0, 4), rtol=1e-12)
    assert "error" not in capsys.readouterr().err


def test_run_table_is_honoured_and_the_command_line_wins(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        '[protocol]\nkind = "heat-step"\nT0 = "300mK"\nT1 = 0.33\n'
        '[run]\nt_start = 1e-8\nt_stop = "10 s"\ntimes_per_decade = 2\n',
    )
    out = tmp_path / "a.nc"
    assert main(["run", "--config", str(config), "--out", str(out), "--no-plot", "--quiet"]) == 0
    np.testing.assert_allclose(
        xr.open_dataset(out)["time"].values, log_times(1e-8, 10.0, 2), rtol=1e-12
    )
    out2 = tmp_path / "b.nc"
    argv = ["run", "--config", str(config), "--out", str(out2), "--no-plot", "--quiet"]
    assert main([*argv, "--t-start", "1us", "--t-stop", "1min", "--times-per-decade", "1"]) == 0
    np.testing.assert_allclose(
        xr.open_dataset(out2)["time"].values, log_times(1e-6, 60.0, 1), rtol=1e-12
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[output]\nx = 1\n", "unknown table [output]; allowed here: [glass], [protocol], [run]"),
        ("[run]\nt_end = 5\n", "unknown key 't_end' in [run]; allowed: t_start, t_stop"),
        ("[run]\ntimes_per_decade = 0\n", "times_per_decade = 0 in [run] must be an integer"),
        ("[run]\npoints_per_decade = 2\n", "[run] points_per_decade was renamed times_per_decade"),
        ("[glass]\nfoo = 1\n", "foo is not a parameter of glass 'ggp1985'"),
        ('[protocol]\nkind = "heat-step"\nT2 = 1\n', "T2 is not a parameter of protocol"),
        ('[glass]\nW = "3 s"\n', "W = '3 s' has the wrong dimension: expected a value in K"),
        ('[run]\nt_stop = "1 K"\n', "t_stop = '1 K' has the wrong dimension"),
    ],
)
def test_unknown_or_bad_config_entries_are_one_line_exit_2(
    tmp_path: Path, capsys, text: str, message: str
) -> None:
    config = _write(tmp_path, text)
    out = tmp_path / "x.nc"
    assert main(["run", "--config", str(config), "--out", str(out), "--no-plot"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not out.exists()


def test_other_commands_refuse_tables_they_do_not_use(tmp_path: Path, capsys) -> None:
    config = _write(tmp_path, "[run]\ntimes_per_decade = 3\n")
    assert main(["gamma", "--config", str(config), "--out", str(tmp_path / "g.nc")]) == 2
    assert "unknown table [run]; allowed here: [glass]" in capsys.readouterr().err


def test_units_on_the_command_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "u.nc"
    argv = ["run", "heat-pulse", "--set", "T_bath=300mK", "--set", "tau_link=15min"]
    argv += ["--set", "delta_T=3mK", "--t-start", "1e-9s", "--t-stop", "1day"]
    argv += ["--times-per-decade", "1"]
    assert main([*argv, "--out", str(out), "--no-plot", "--quiet"]) == 0
    ds = xr.open_dataset(out)
    protocol = json.loads(ds.attrs["protocol"])
    assert protocol["T_bath"] == pytest.approx(0.3, rel=1e-12)
    assert protocol["tau_link"] == 900.0 and protocol["delta_T"] == pytest.approx(3e-3)
    np.testing.assert_allclose(ds["time"].values, log_times(1e-9, 86400.0, 1), rtol=1e-12)
    assert main(["run", "--set", "tau_link=3K", "--out", str(tmp_path / "v.nc")]) == 2
    assert "tau_link = '3K' has the wrong dimension: expected a value in s" in (
        capsys.readouterr().err
    )


def test_tau_expt_range_options_are_renamed_and_take_units(tmp_path: Path, capsys) -> None:
    assert main(["closed-form", "--tau-min-s", "1e-8"]) == 2
    assert "unrecognized arguments: --tau-min-s" in capsys.readouterr().err
    argv = ["closed-form", "--temperature", "300mK", "--tau-expt-min", "1us"]
    assert main([*argv, "--tau-expt-max", "1s", "--tau-expt-per-decade", "1"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line[:1] != "#"]
    assert [float(r[0]) for r in rows] == pytest.approx(np.logspace(-6, 0, 7), rel=1e-4)
    assert main(["closed-form", "--tau-expt-min", "1s", "--tau-expt-max", "1ms"]) == 2
    assert "--tau-expt-max = 0.001 s must exceed --tau-expt-min = 1 s" in capsys.readouterr().err


def test_glasses_prints_units_digits_and_status(capsys) -> None:
    from dynamics import PRESETS

    assert main(["glasses"]) == 0
    out = capsys.readouterr().out
    out = out[out.index("\nggp1985") :]  # the paper's preset (others sort before it)
    line = next(x for x in out.splitlines() if x.strip().startswith("bulk_modulus"))
    _name, value, unit, status = line.split()[:4]
    assert unit == "Pa" and status == "derived"
    # four significant figures of the preset's own value
    assert float(value) == pytest.approx(PRESETS["ggp1985"].glass.bulk_modulus, rel=5e-4)
    assert len(value.replace(".", "").split("e")[0].lstrip("0")) <= 4
    assert not re.search(r"\d{8,}", out.split("source")[1].split("\n", 2)[1])
    a_line = next(x for x in out.splitlines() if x.strip().startswith("A "))
    assert "s-1 K-3" in a_line and "estimate" in a_line


def test_default_metallic_run_does_not_warn_and_warnings_are_one_line(
    tmp_path: Path, capsys
) -> None:
    argv = ["metallic", "--temperatures-per-decade", "3", "--tau-expt", "1s", "--no-plot"]
    argv += ["--quiet"]
    with _no_python_warnings():
        assert main([*argv, "--out", str(tmp_path / "m.nc")]) == 0
    assert capsys.readouterr().err == ""
    # With W = 3 K the two levels leave out 2.6 % of zrcu's heat capacity at 0.6 K (more than
    # dynamics.parts.LEFT_OUT_SHARE = 1 %): the computed share warns, in one line.
    argv_w = [*argv, "--set", "W=3", "--temperature-max", "0.6K"]
    assert main([*argv_w, "--out", str(tmp_path / "n.nc")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("tls-expansion: warning: at T = 0.6 K (k_B T / W = 0.2) the two-level")
    from dynamics.parts import two_level_share
    from dynamics.presets import get_glass

    share = two_level_share(get_glass("zrcu").replace(W=3.0), 0.6)  # the glass the CLI runs
    assert f"leaves out {100 * share:.3g} % of the heat capacity" in err
    assert err.count("\n") == 1


class _no_python_warnings:
    def __enter__(self) -> None:
        import warnings

        self._ctx = warnings.catch_warnings(record=True)
        self._log = self._ctx.__enter__()
        warnings.simplefilter("always")

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)
        assert [str(w.message) for w in self._log] == []


def _garbage_server() -> tuple[socket.socket, int]:
    """Something that is not a dask scheduler, listening on a local port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            try:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 50)
            except OSError:
                pass
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


def test_a_non_dask_server_at_the_scheduler_address_is_one_line(tmp_path: Path, capsys) -> None:
    pytest.importorskip("distributed")
    server, port = _garbage_server()
    try:
        argv = ["sweep", "--grid", "temperature=0.3", "--scheduler", f"tcp://127.0.0.1:{port}"]
        assert main([*argv, "--out", str(tmp_path / "s.nc")]) == 2
    finally:
        server.close()
    err = capsys.readouterr().err
    assert err.startswith(f"tls-expansion: error: scheduler = 'tcp://127.0.0.1:{port}' cannot")
    assert err.count("\n") == 1
    assert not (tmp_path / "s.nc").exists()


def test_the_first_two_documented_sweep_commands_write_different_files() -> None:
    text = (ROOT / "docs" / "sweeps.md").read_text()
    block = text.split("## Command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = re.split(r"\n(?=tls-expansion )", block.replace("\\\n", " ").strip())
    outs = []
    for command in commands[:2]:
        m = re.search(r"--out (\S+)", command)
        outs.append(m.group(1) if m else "outputs/sweep.nc")
    assert outs[0] != outs[1], outs


def test_set_of_a_named_choice_keeps_its_text() -> None:
    """--set activation=none is the choice "none", not Python's None (it was refused as
    'activation = None is not allowed' before)."""
    from protocols.config import make_glass, parse_overrides

    assert parse_overrides(["activation=none", "boson_peak_closure=none", "c=5"]) == {
        "activation": "none",
        "boson_peak_closure": "none",
        "c": 5,
    }
    glass = make_glass("silica-spm", parse_overrides(["activation=none"]), None)
    assert glass.activation == "none"  # type: ignore[union-attr]
