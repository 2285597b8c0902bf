"""Faults of the environment (issue 23, classes 2, 3 and 5): a scheduler that accepts
connections and stays silent, a full disk, signals during a write, two writers of one output,
names too long for the file system, Ctrl-C during start-up.

Every fault is made deterministic (a local server that never answers, a file-size limit, a lock
held by the test, a signal sent once the writer is known to be writing); where a process could
hang, it runs in a subprocess with a bound that honest work cannot reach (HANG_BOUND_S), so a
hang fails the test instead of the suite, and no verdict depends on how long anything took.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
#: A bound no honest run of these commands reaches on a loaded machine (they take seconds). [s]
HANG_BOUND_S = 240.0


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A TCP server on localhost that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1]), accepted
    finally:
        stop.set()
        thread.join(5)
        for conn in accepted:
            conn.close()
        server.close()


def test_a_scheduler_that_accepts_and_never_answers_is_abandoned(silent_server, tmp_path) -> None:
    # it ran until killed: distributed bounds the TCP connection but not its handshake
    port, accepted = silent_server
    argv = [BIN / "tls-expansion", "sweep", "--grid", "temperature=0.3", "--spectrum"]
    argv += ["asymptotic", "--scheduler", f"tcp://127.0.0.1:{port}", "--cluster-timeout", "2"]
    argv += ["--quiet", "--out", str(tmp_path / "x.nc")]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=HANG_BOUND_S)
    except subprocess.TimeoutExpired:
        raise AssertionError("the sweep hangs on a scheduler that never answers") from None
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "accepted the connection but did not answer within 2 s" in done.stderr
    assert accepted  # the server did accept: the fault was silence, not a refusal
    assert not list(tmp_path.iterdir())


def _limited_file_size() -> None:
    """preexec_fn: files of at most 4 kB (a netCDF file takes more), as on a full disk."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path) -> None:
    # was "RuntimeError: NetCDF: HDF error (an unexpected failure: please report it ...)"
    argv = [BIN / "tls-expansion", "run", "heat-step", "--spectrum", "asymptotic"]
    argv += ["--points-per-decade", "2", "--quiet", "--out", str(tmp_path / "x.nc")]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=HANG_BOUND_S,
        preexec_fn=_limited_file_size,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "x.nc' could not be written: the file is larger than a limit allows" in done.stderr
    assert "please report" not in done.stderr
    assert not list(tmp_path.iterdir())  # no half-written file, no temporary


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--times", "1e-300:1e300"], "--times stop = 1e+300 is outside the allowed range"),
        (["run", "--t-start", "1e-320"], "--t-start = 9.99989e-321 is outside the allowed range"),
        (
            ["gamma", "--tau-expt-min", "1e-300", "--tau-expt-max", "1e300"],
            "--tau-expt-max = 1e+300 is outside the allowed range [1e-300, 1e+100] [s]",
        ),
        (["run", "heat-pulse", "--set", "tau_link=1e300"], "tau_link = 1e+300 is outside"),
        (["metallic", "--tau-expt", "1", "1e300"], "--tau-expt = 1e+300 is outside"),
    ],
)
def test_extreme_time_bounds_name_the_option(tmp_path, capsys, monkeypatch, argv, message):
    # were "OverflowError: cannot convert float infinity to integer (... please report it)", or
    # an overflow in the engine
    from protocols.cli import main

    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--quiet", "--out", "x.nc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not list(tmp_path.iterdir())


def test_a_damaged_netcdf_input_is_one_line(tmp_path, capsys, monkeypatch) -> None:
    from protocols import open_dataset
    from protocols.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.nc").write_text("not a netCDF file")
    with pytest.raises(ValueError, match="cannot be read as a netCDF dataset"):
        open_dataset(tmp_path / "data.nc")
    assert main(["fit", "data.nc", "--vary", "c", "--quiet", "--out", "f.nc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be read as a netCDF dataset" in err, err
