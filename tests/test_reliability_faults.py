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
