"""Worker processes that end with the command that started them (no orphans).

A local process sweep (dask's ``processes`` scheduler) starts worker processes; if the command
is killed outright (SIGKILL, the OOM killer), nothing in it runs to stop them, and they would
live on holding its pipes. Every worker therefore runs :func:`die_with_parent` when it starts:

* on Linux it asks the kernel for SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``);
* on every system a daemon thread checks every :data:`WATCH_INTERVAL_S` seconds that its parent
  is still the process that started it, and ends the worker (``os._exit``) otherwise;
* it checks once at once, for a parent that died before the worker got this far.

A worker thus outlives its parent by at most :data:`WATCH_INTERVAL_S` (by nothing on Linux).
The multiprocessing ``resource_tracker`` ends by itself once the last process holding its pipe
(the command and its workers) has ended.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

#: How often a worker's watchdog checks that its parent lives. [s]
WATCH_INTERVAL_S = 1.0
#: ``PR_SET_PDEATHSIG`` of ``<linux/prctl.h>``.
_PR_SET_PDEATHSIG = 1


def _request_death_signal() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent dies; whether it worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent_pid:
            os._exit(1)


def die_with_parent(parent_pid: int, interval: float = WATCH_INTERVAL_S) -> None:
    """Make this (worker) process end when the process ``parent_pid`` ends.

    Parameters
    ----------
    parent_pid
        Process id of the parent that started this worker.
    interval
        Period of the watchdog's check. [s]
    """
    _request_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent_pid, interval), name="tls-lifeline", daemon=True
    ).start()


def worker_initializer() -> Callable[[], None]:
    """An initialiser for worker processes started by this process: :func:`init_worker` bound
    to this process's id (picklable, for spawned workers)."""
    return functools.partial(init_worker, os.getpid())


def init_worker(parent_pid: int) -> None:
    """Set up a local sweep worker: it dies with ``parent_pid`` (:func:`die_with_parent`) and
    computes on one thread (the processes are the parallelism; no thread pool nested in them,
    :mod:`dynamics.parallel`)."""
    from dynamics.parallel import ENV_VAR

    os.environ[ENV_VAR] = "1"
    die_with_parent(parent_pid)
