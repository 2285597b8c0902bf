"""No process outlives the command, no stale temporary outlives its writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from protocols.lifeline import WATCH_INTERVAL_S
from protocols.output import clean_stale_temporaries, write_netcdf

CLI = str(Path(sys.executable).with_name("tls-expansion"))


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def test_sigkill_of_a_process_sweep_leaves_no_worker(tmp_path) -> None:
    # A local process sweep (2 workers) killed outright: its workers and the multiprocessing
    # resource_tracker must end too (before the fix all three lived on for > 11 minutes).
    # asymptotic spectra: the cheapest points (the test is about the processes, not the physics)
    argv = [CLI, "sweep", "--scheduler", "processes", "--workers", "2", "--quiet", "--no-plot"]
    argv += ["--spectrum", "asymptotic"]
    argv += ["--grid", "temperature=log:0.05:1:400", "--grid", "c=4:8:5", "--out"]  # ~10 s
    parent = subprocess.Popen(
        [*argv, str(tmp_path / "k.nc")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 300.0  # a precondition: the workers have started
        while time.monotonic() < deadline and parent.poll() is None:
            children = psutil.Process(parent.pid).children(recursive=True)
            if len(children) >= 3:  # resource_tracker and two workers
                break
            time.sleep(0.1)
        assert parent.poll() is None, "the sweep ended before it could be killed"
        assert len(children) >= 3, children
        time.sleep(0.5)  # the workers are computing
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        # PR_SET_PDEATHSIG ends the workers at once; the watchdog within WATCH_INTERVAL_S; the
        # resource tracker once its pipe closes
        # (60 s more than that: a loaded machine may be slow to reap, a real orphan never ends)
        deadline = time.monotonic() + 3 * WATCH_INTERVAL_S + 60.0
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = _alive(children)
        assert not survivors, [p.cmdline() for p in survivors]
    finally:
        if parent.poll() is None:
            parent.kill()
        for p in _alive(children):  # never leave the test's own orphans behind
            p.kill()


def test_a_worker_whose_parent_is_gone_ends_itself() -> None:
    # die_with_parent with a parent id that is not the real parent: the process ends at once
    code = "from protocols.lifeline import die_with_parent; die_with_parent(1); print('alive')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stdout == ""


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path) -> None:
    from dynamics import default_glass
    from dynamics.ensemble import Resolution
    from protocols.histories import HeatStep
    from protocols.run import run

    dead = _dead_pid()
    stale = tmp_path / f".x.nc.{dead}.tmp"
    stale_png = tmp_path / f".x.png.{dead}.tmp.png"
    live = tmp_path / f".x.nc.{os.getppid()}.tmp"  # a writer that still runs: left alone
    other = tmp_path / f".y.nc.{dead}.tmp"  # another file's temporary: left alone
    for path in (stale, stale_png, live, other):
        path.write_bytes(b"partial")
    assert clean_stale_temporaries(tmp_path / "x.png") == [stale_png]
    ds = run(
        default_glass(spectrum="asymptotic"),
        HeatStep(0.3, 0.33),
        [1e-3, 1.0],
        resolution=Resolution(energy_nodes=4, p_nodes=3),
    )
    write_netcdf(ds, tmp_path / "x.nc")
    assert not stale.exists()
    assert live.exists() and other.exists()
    assert (tmp_path / "x.nc").exists()
