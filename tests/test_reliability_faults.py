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
    argv += ["--times-per-decade", "2", "--quiet", "--out", str(tmp_path / "x.nc")]
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
        (["run", "--t-stop", "1e300"], "--t-stop = 1e+300 is outside the allowed range"),
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


# ---------------------------------------------------------------------------------------------
# outputs: one writer, nothing half written, names checked first (class 5)


def test_the_default_output_is_replaced_and_says_so(tmp_path, capsys, monkeypatch) -> None:
    # the README's main job, repeated: the command's own scratch result is replaced
    from protocols.cli import main

    monkeypatch.chdir(tmp_path)
    argv = ["run", "heat-step", "--spectrum", "asymptotic", "--times-per-decade", "2"]
    assert main(argv) == 0
    assert "wrote outputs/heat_step.nc and outputs/heat_step.png" in capsys.readouterr().out
    assert main([*argv, "--set", "T1=0.31"]) == 0
    assert "replaced outputs/heat_step.nc and outputs/heat_step.png" in capsys.readouterr().out
    from protocols import open_dataset

    assert '"T1": 0.31' in open_dataset(tmp_path / "outputs" / "heat_step.nc").attrs["protocol"]
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == [
        "heat_step.nc",
        "heat_step.png",
    ]


def test_an_out_path_that_exists_needs_force(tmp_path, capsys, monkeypatch) -> None:
    from protocols.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.nc").write_text("precious")
    argv = ["run", "heat-step", "--spectrum", "asymptotic", "--quiet", "--out", "x.nc"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x.nc exists; give --force to replace it" in err, err
    assert "overwrite=True" not in err
    assert (tmp_path / "x.nc").read_text() == "precious"


def _sleeper() -> subprocess.Popen:
    """A live process other than the test, to hold a lock as another writer would."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


def test_a_held_lock_refuses_a_second_writer_before_its_work(tmp_path, capsys, monkeypatch):
    # two runs writing the same output both exited 0, one silently replacing the other
    import importlib

    from protocols.cli import main
    from protocols.guards import _start_time

    monkeypatch.chdir(tmp_path)
    run_module = importlib.import_module("protocols.run")

    def no_work(*args, **kwargs):
        raise AssertionError("the work started although the output is locked")

    monkeypatch.setattr(run_module, "run", no_work)
    holder = _sleeper()
    try:
        lock = tmp_path / ".x.nc.lock"
        lock.write_text(f"{holder.pid} {_start_time(holder.pid)}\n")
        argv = ["run", "heat-step", "--spectrum", "asymptotic", "--quiet", "--out", "x.nc"]
        assert main([*argv, "--force"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert f"another tls-expansion process (pid {holder.pid}) is writing x.nc" in err
        assert lock.read_text().split()[0] == str(holder.pid)  # the holder's lock is untouched
    finally:
        holder.kill()
        holder.wait()
    # its holder gone, the lock is stale: the next writer removes it and writes
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--force", "--times-per-decade", "2"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.nc", "x.png"]


def test_the_api_holds_the_lock_and_creates_exclusively(tmp_path) -> None:
    from dynamics import default_glass
    from protocols import HeatStep, run, write_netcdf
    from protocols.guards import OutputBusyError, _start_time
    from protocols.output import OutputExistsError

    ds = run(default_glass(spectrum="asymptotic"), HeatStep(), [1.0, 10.0])
    target = tmp_path / "step.nc"
    write_netcdf(ds, target)
    with pytest.raises(FileExistsError, match="pass overwrite=True to replace it") as info:
        write_netcdf(ds, target)
    assert isinstance(info.value, OutputExistsError) and "--force" not in str(info.value)
    holder = _sleeper()
    try:
        (tmp_path / ".step.nc.lock").write_text(f"{holder.pid} {_start_time(holder.pid)}\n")
        with pytest.raises(OutputBusyError, match=f"pid {holder.pid}"):
            write_netcdf(ds, target, overwrite=True)
    finally:
        holder.kill()
        holder.wait()
    write_netcdf(ds, target, overwrite=True)  # stale now
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step.nc"]


def test_a_file_that_appears_during_the_write_is_not_replaced(tmp_path, monkeypatch) -> None:
    # the exclusive create: another writer's file, made after the check, survives
    from dynamics import default_glass
    from protocols import HeatStep, output, run, write_netcdf

    ds = run(default_glass(spectrum="asymptotic"), HeatStep(), [1.0, 10.0])
    target = tmp_path / "step.nc"
    write = output._write_file_form

    def racing(dataset, path, final):
        write(dataset, path, final)
        final.write_text("the other writer's result")

    monkeypatch.setattr(output, "_write_file_form", racing)
    with pytest.raises(FileExistsError):
        write_netcdf(ds, target)
    assert target.read_text() == "the other writer's result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step.nc"]  # no temporary, no lock


SIGTERM_WHILE_PLOTTING = """
import os, signal, sys
import protocols.plots
from protocols.cli import main

def plot(ds):
    os.kill(os.getpid(), signal.SIGTERM)  # the dataset's temporary is written by now
    raise AssertionError("SIGTERM did not stop the write")

protocols.plots.plot_run = plot
sys.exit(main(sys.argv[1:]))
"""


def test_sigterm_while_writing_leaves_no_temporary_and_the_old_pair(tmp_path) -> None:
    # SIGTERM while writing left hidden temporaries (Python's default action ends at once)
    from protocols.cli import main

    argv = ["run", "heat-step", "--spectrum", "asymptotic", "--times-per-decade", "2"]
    argv += ["--quiet", "--out", str(tmp_path / "x.nc")]
    assert main(argv) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    script = tmp_path.parent / f"{tmp_path.name}_sigterm.py"
    script.write_text(SIGTERM_WHILE_PLOTTING)
    done = subprocess.run(
        [sys.executable, str(script), *argv, "--force"],
        capture_output=True,
        text=True,
        timeout=HANG_BOUND_S,
    )
    assert done.returncode == 143, done.stderr
    assert done.stderr == "tls-expansion: terminated\n", done.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temporary, lock


def test_stale_temporaries_are_removed_at_the_next_start(tmp_path, capsys, monkeypatch) -> None:
    from protocols.cli import main

    monkeypatch.chdir(tmp_path)
    dead = 2**22 + 12345  # above Linux's pid_max: no such process
    for name in (f".x.nc.{dead}.tmp", f".x.png.{dead}.tmp.png", f".x.nc.{dead}.tmp.lock"):
        (tmp_path / name).write_text("left by a killed writer")
    (tmp_path / ".x.nc.lock").write_text(f"{dead} 1.0\n")
    # refused after the outputs are checked (its cost): the work never starts, yet the
    # leftovers of the dead writer are gone
    argv = ["run", "--times-per-decade", "100000000", "--quiet", "--out", "x.nc"]
    assert main(argv) == 2
    assert "would take about" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_an_output_name_too_long_for_the_file_system_is_refused_first(
    tmp_path, capsys, monkeypatch
) -> None:
    # a legal name whose temporaries are too long failed only after the work
    from protocols.cli import main
    from protocols.guards import OutputNameError

    monkeypatch.chdir(tmp_path)
    name = "a" * 240 + ".nc"  # legal (243 bytes), but '.<name>.png.<pid>.tmp.png' is not
    assert main(["run", "--times-per-decade", "2", "--quiet", "--out", name]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the name is too long for the file system" in err, err
    assert not list(tmp_path.iterdir())
    from dynamics import default_glass
    from protocols import HeatStep, run, write_netcdf

    ds = run(default_glass(spectrum="asymptotic"), HeatStep(), [1.0, 10.0])
    with pytest.raises(OutputNameError):
        write_netcdf(ds, tmp_path / name)


INTERRUPTED_IMPORT = """
import importlib.abc, sys

class Interrupted(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("protocols", "dynamics"):
            raise KeyboardInterrupt  # as Ctrl-C during the packages' imports

sys.meta_path.insert(0, Interrupted())
import tls_expansion_cli
sys.exit(tls_expansion_cli.main(["--help"]))
"""


def test_ctrl_c_while_the_packages_import_is_one_line() -> None:
    # Ctrl-C during start-up printed a 38-line traceback of the imports it interrupted
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "tls-expansion: interrupted\n", done.stderr


@pytest.mark.parametrize("delay", [0.2, 1.0, 2.5])
def test_sigint_at_any_moment_of_start_up_is_at_most_one_line(tmp_path, delay) -> None:
    # wherever the signal lands (the interpreter, the imports, the parser, the work), never a
    # traceback; the delays only spread where it lands, the verdict does not depend on them
    import signal
    import time

    argv = [BIN / "tls-expansion", "run", "--spectrum", "asymptotic", "--quiet"]
    proc = subprocess.Popen(
        [*argv, "--out", str(tmp_path / "x.nc")], stderr=subprocess.PIPE, text=True
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=HANG_BOUND_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("the command hangs after Ctrl-C") from None
    assert "Traceback" not in err, err
    assert err.count("\n") <= 1, err
    assert proc.returncode in (0, 2, 130, -signal.SIGINT), (proc.returncode, err)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_spawned_worker_asks_to_die_with_its_parent_before_importing_the_packages() -> None:
    # workers outlived a SIGKILL of the command during their start-up by seconds: the death
    # signal was requested only once their imports were done
    code = (
        "import ctypes, sys; sys.argv.append('--multiprocessing-fork'); import tls_expansion_cli;"
        "libc = ctypes.CDLL(None); sig = ctypes.c_int(0);"
        "libc.prctl(2, ctypes.byref(sig), 0, 0, 0);"  # PR_GET_PDEATHSIG
        "print(sig.value, 'protocols' in sys.modules, 'numpy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["9", "False", "False"], (done.stdout, done.stderr)


def test_sigkill_while_the_workers_start_leaves_no_worker(tmp_path) -> None:
    # killed as soon as the first worker process exists (it is still importing): with the
    # death signal requested by the launcher before those imports, none lives on
    import signal
    import time

    import psutil

    argv = [BIN / "tls-expansion", "sweep", "--scheduler", "processes", "--workers", "2"]
    argv += ["--spectrum", "asymptotic", "--quiet", "--no-plot", "--out", str(tmp_path / "k.nc")]
    argv += ["--grid", "temperature=log:0.05:1:400", "--grid", "c=4:8:5"]
    parent = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + HANG_BOUND_S  # a precondition: a worker was spawned
        while not workers and parent.poll() is None and time.monotonic() < deadline:
            workers = [
                p
                for p in psutil.Process(parent.pid).children(recursive=True)
                if "--multiprocessing-fork" in " ".join(p.cmdline())
            ]
            time.sleep(0.02)
        assert workers, "no worker was started"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 60.0  # a loaded machine may be slow to reap
        while time.monotonic() < deadline and any(_running(p) for p in workers):
            time.sleep(0.1)
        assert not [p.pid for p in workers if _running(p)]
    finally:
        if parent.poll() is None:
            parent.kill()
        for p in workers:
            if _running(p):
                p.kill()


def _running(process) -> bool:
    import psutil

    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--config", "/dev/zero"], "config = '/dev/zero' is not a regular file"),
        (["run", "schedule", "--schedule", "/dev/zero"], "'/dev/zero' is not a regular file"),
        (["fit", "/dev/zero", "--vary", "c"], "data = '/dev/zero' is not a regular file"),
        (["run", "schedule", "--schedule", "pipe"], "schedule file 'pipe' is not a regular file"),
        (
            ["sweep", "--grid", "temperature=log:0.1:1:1000000000"],
            "num = 1000000000 is outside the allowed range [1, 10000000]",
        ),
    ],
)
def test_inputs_that_never_end_are_refused_before_reading(
    tmp_path, capsys, monkeypatch, argv, message
) -> None:
    # /dev/zero as a file, or a pipe nobody writes, was read until memory ran out or for ever;
    # a grid range of 1e9 values took gigabytes before the cost estimate could refuse it
    import os

    from protocols.cli import main

    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    assert main([*argv, "--quiet", "--out", "x.nc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
