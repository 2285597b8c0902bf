"""A sweep on a dask.distributed cluster that loses it: one line, exit 2,
within the documented bound (``--cluster-timeout`` plus a few seconds), never a hang.

A real ``dask scheduler`` and ``dask worker`` run as processes; the test kills them with
SIGKILL in the middle of a sweep run by the command line in another process.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

BIN = Path(sys.executable).parent
#: long enough that a healthy scheduler on a loaded machine (3 busy processes per core) always
#: answers within it, so the sweep never gives up before the cluster is really lost
CLUSTER_TIMEOUT = 15.0
#: the bound: the timeout, one poll and one health check, closing the client (<= 5 s), and 60 s
#: that honest work on a loaded machine cannot use up: only a hang fails it
BOUND_S = CLUSTER_TIMEOUT + 60.0
#: longest wait for the sweep to start computing (a precondition, not a verdict) [s]
START_WAIT_S = 300.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kill_tree(proc: subprocess.Popen) -> None:
    try:
        family = [*psutil.Process(proc.pid).children(recursive=True), psutil.Process(proc.pid)]
    except psutil.NoSuchProcess:
        return
    for p in family:
        try:
            p.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    proc.wait()


@pytest.fixture
def cluster():
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [BIN / "dask", "scheduler", "--port", str(port), "--no-dashboard"], **quiet
    )
    worker = subprocess.Popen(
        [BIN / "dask", "worker", address, "--nthreads", "1", "--no-dashboard"], **quiet
    )
    from distributed import Client

    client = Client(address, timeout=30, set_as_default=False)
    try:
        client.wait_for_workers(1, timeout=60)
        yield address, scheduler, worker, client
    finally:
        client.close(timeout=5)
        _kill_tree(worker)
        _kill_tree(scheduler)


def _start_sweep(address: str, tmp_path: Path) -> subprocess.Popen:
    # asymptotic spectra: the test is about losing the cluster, and they are the cheapest
    argv = [BIN / "tls-expansion", "sweep", "--scheduler", address, "--quiet", "--no-plot"]
    argv += ["--spectrum", "asymptotic"]
    argv += ["--grid", "temperature=log:0.05:1:600", "--grid", "c=4:8:4", "--chunk-size", "2"]
    argv += ["--cluster-timeout", str(CLUSTER_TIMEOUT), "--out", str(tmp_path / "x.nc")]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until_computing(client, sweep: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline:
        assert sweep.poll() is None, sweep.communicate()
        if any(client.processing().values()):
            time.sleep(1.0)
            return
        time.sleep(0.2)
    raise AssertionError("the sweep never started computing on the cluster")


def _one_line_within_bound(sweep: subprocess.Popen, killed_at: float, phrase: str) -> None:
    try:
        _, err = sweep.communicate(timeout=BOUND_S + 30.0)
    except subprocess.TimeoutExpired:
        sweep.kill()
        raise AssertionError("the sweep hangs after losing its cluster") from None
    took = time.monotonic() - killed_at
    assert sweep.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("tls-expansion: error: "), err
    assert phrase in err, err
    assert took <= BOUND_S, took


def test_losing_every_worker_ends_in_one_line(cluster, tmp_path) -> None:
    address, _, worker, client = cluster
    sweep = _start_sweep(address, tmp_path)
    try:
        _wait_until_computing(client, sweep)
        _kill_tree(worker)
        _one_line_within_bound(sweep, time.monotonic(), "the cluster has no worker")
    finally:
        if sweep.poll() is None:
            sweep.kill()
    assert not (tmp_path / "x.nc").exists()


def test_losing_the_scheduler_ends_in_one_line(cluster, tmp_path) -> None:
    address, scheduler, _, client = cluster
    sweep = _start_sweep(address, tmp_path)
    try:
        _wait_until_computing(client, sweep)
        _kill_tree(scheduler)
        _one_line_within_bound(sweep, time.monotonic(), "the scheduler tcp://127.0.0.1")
    finally:
        if sweep.poll() is None:
            sweep.kill()
    assert not (tmp_path / "x.nc").exists()
