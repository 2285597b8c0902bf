"""Where a sweep runs: local dask schedulers or a ``dask.distributed`` cluster, with progress,
workers that die with the command, and a bounded wait on a lost cluster."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from dynamics.validation import (
    ArgumentTypeError,
    ParameterError,
    as_count,
)

#: ``progress`` callback: called with (points done, points in all). [1]
ProgressCallback = Callable[[int, int], None]
#: Local dask schedulers accepted by ``scheduler=``.
LOCAL_SCHEDULERS = ("processes", "threads", "synchronous")
#: Start-up of a local worker process (spawn, then import numpy, scipy, xarray and this package),
#: measured 1.5-3 s on the 2-core test machine; the default local scheduler starts processes only
#: when the serial work left exceeds twice this. [s]
PROCESS_START_S = 2.5
#: How long to try to reach a scheduler given by its address. [s]
CONNECT_TIMEOUT_S = 10.0
#: How long a sweep on a cluster waits, once the scheduler cannot be reached or has no worker
#: left, before it gives up with a :class:`ClusterError` (``cluster_timeout=``,
#: ``--cluster-timeout``); a sweep therefore ends at most this long (plus one poll, one health
#: check and the client's closing, a few seconds) after losing its cluster. [s]
CLUSTER_TIMEOUT_S = 30.0
#: How often a sweep on a cluster checks its progress and the cluster's health. [s]
CLUSTER_POLL_S = 1.0


class ClusterError(ConnectionError):
    """The cluster of a sweep was lost: its scheduler unreachable, or no worker left, for longer
    than the sweep's ``cluster_timeout``."""


#: Largest block chosen automatically (grid points per dask task). [1]
MAX_AUTO_CHUNK = 64
#: Blocks per worker aimed at by the automatic block size (load balance against overhead). [1]
BLOCKS_PER_WORKER = 4
_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")


def check_count(name: str, value: Any) -> int | None:
    """``value`` as an int >= 1 (numpy integers and 0-d arrays accepted), or None."""
    if value is None:
        return None
    return as_count(name, value, 1)


def check_options(
    client: Any, scheduler: Any, workers: Any, chunk_size: Any
) -> tuple[bool, int | None, int | None]:
    """(on a cluster?, workers, chunk_size), checked."""
    workers = check_count("workers", workers)
    chunk = check_count("chunk_size", chunk_size)
    if client is not None and scheduler is not None:
        raise ParameterError("give either client or scheduler, not both")
    if scheduler is not None and not isinstance(scheduler, str):
        raise ArgumentTypeError(f"scheduler = {scheduler!r} must be a string")
    remote = client is not None or (scheduler is not None and scheduler not in LOCAL_SCHEDULERS)
    if scheduler is not None and remote and not _ADDRESS.match(scheduler):
        raise ParameterError(
            f"scheduler = {scheduler!r} is neither a scheduler address (tcp://host:port) nor "
            f"one of {', '.join(LOCAL_SCHEDULERS)}"
        )
    if remote and workers is not None:
        raise ParameterError("workers: only for a local scheduler; a cluster has its own workers")
    if client is not None:
        from distributed import Client

        if not isinstance(client, Client):
            raise ParameterError(f"client = {client!r} must be a distributed.Client")
    return remote, workers, chunk


def progress_reporter(progress: bool | ProgressCallback, total: int) -> tuple[Any, Any]:
    """(report(done), close()) for ``progress``."""
    if not (callable(progress) or isinstance(progress, bool | np.bool_)):
        raise ArgumentTypeError(
            f"progress = {progress!r} must be True, False or a function (done, total)"
        )
    if callable(progress):
        return (lambda done: progress(done, total)), (lambda: None)
    if not progress:
        return (lambda done: None), (lambda: None)
    from protocols.progress import Progress

    bar = Progress("sweep")
    return (lambda done: bar.counted(done, total)), bar.close


def run_local(
    tasks: list[Any],
    sizes: dict[str, int],
    scheduler: str,
    workers: int | None,
    report: Callable[[int], None],
    done: int = 0,
) -> list[dict[str, Any]]:
    import dask
    from dask.callbacks import Callback

    class _Count(Callback):  # type: ignore[misc]
        def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
            nonlocal done
            if str(key) in sizes:
                done += sizes[str(key)]
                report(done)

    options: dict[str, Any] = {"scheduler": scheduler, "optimize_graph": False}
    if scheduler != "synchronous":
        options["num_workers"] = workers or os.cpu_count() or 1
    if scheduler == "processes":
        from protocols.lifeline import worker_initializer

        options["chunksize"] = 1  # the blocks are coarse already: no batching, best balance
        options["initializer"] = worker_initializer()  # workers end with this process
    with _Count():
        return list(dask.compute(*tasks, **options))


def run_distributed(
    client: Any,
    tasks: list[Any],
    sizes: dict[str, int],
    report: Callable[[int], None],
    done: int = 0,
    cluster_timeout: float = CLUSTER_TIMEOUT_S,
) -> list[dict[str, Any]]:
    """Compute ``tasks`` on a cluster, watching it: a :class:`ClusterError` once the scheduler
    has been unreachable, or without a worker, for ``cluster_timeout`` seconds."""
    futures = client.compute(tasks)
    pending = list(futures)
    lost_since: float | None = None
    checked = time.monotonic()
    try:
        while pending:
            # the futures' states are kept up to date by the client's own loop: polling them
            # asks nothing of the scheduler
            ready = [f for f in pending if f.done()]
            if not ready:
                time.sleep(min(0.05, CLUSTER_POLL_S))
            for future in ready:
                pending.remove(future)
                if future.status == "error":
                    future.result()  # raises the worker's exception here
                if future.status != "finished":
                    raise ClusterError(
                        f"the cluster lost a block of the sweep ({future.status}): the scheduler "
                        f"{client.scheduler.address} was lost or restarted"
                    )
                done += sizes.get(str(future.key), 0)
                report(done)
            if ready:
                lost_since = None
                continue
            if time.monotonic() - checked < CLUSTER_POLL_S:
                continue
            checked = time.monotonic()
            # a busy scheduler may take seconds to answer: it counts as lost only once it has
            # been silent for the whole cluster_timeout, never after one short poll
            problem = cluster_problem(client, max(CLUSTER_POLL_S, cluster_timeout))
            if problem is None:
                lost_since = None
                continue
            lost_since = checked if lost_since is None else lost_since
            if time.monotonic() - lost_since >= cluster_timeout:
                raise ClusterError(
                    f"{problem} for {cluster_timeout:g} s (cluster_timeout); the sweep is "
                    f"abandoned with {done} points done"
                )
        return list(client.gather(futures))
    except BaseException:
        if client.status == "running":
            with contextlib.suppress(Exception):
                client.cancel(futures)
        raise


def cluster_problem(client: Any, answer_timeout: float = CLUSTER_POLL_S) -> str | None:
    """What is wrong with the cluster (scheduler unreachable, silent for ``answer_timeout``
    seconds, or without a worker), or None."""
    if client.status != "running":
        return f"the scheduler {client.scheduler.address} cannot be reached"
    try:
        info = client.sync(client.scheduler.identity, n_workers=-1, callback_timeout=answer_timeout)
    except Exception:
        return f"the scheduler {client.scheduler.address} does not answer"
    return None if info.get("workers") else "the cluster has no worker"


def client_for(address: str, timeout: float = CONNECT_TIMEOUT_S) -> Any:
    """A client of the scheduler at ``address``; any failure to reach it or to speak with it
    (nothing listening, a timeout, something else listening there, or a listener that accepts
    the connection and never answers) is a ParameterError, within about ``timeout`` seconds.

    Parameters
    ----------
    address
        ``tcp://host:port``.
    timeout
        How long to try to reach it (at most :data:`CONNECT_TIMEOUT_S`). [s]
    """
    from distributed import Client

    wait = min(CONNECT_TIMEOUT_S, timeout)
    check_scheduler_answers(address, wait)
    client = Client.__new__(Client)
    try:
        Client.__init__(client, address, timeout=wait, set_as_default=False)
    except Exception as exc:  # distributed raises many kinds, even MemoryError on garbage
        with contextlib.suppress(Exception):
            client.close(timeout=1)  # else its __del__ waits 20 s and prints a traceback
        raise ParameterError(
            f"scheduler = {address!r} cannot be reached or is not a dask scheduler: {_reason(exc)}"
        ) from None
    return client


def _reason(exc: BaseException) -> str:
    """Why connecting failed, in one line."""
    if isinstance(exc, MemoryError):  # it decoded an absurd frame length from garbage
        return "what listens there does not speak the dask protocol"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def check_scheduler_answers(address: str, timeout: float) -> None:
    """Connect to ``address`` and complete dask's handshake within ``timeout`` (plus 1 s), or
    raise a ParameterError.

    ``distributed`` bounds the TCP connection by its timeout but waits for the handshake for
    ever: a listener that accepts and stays silent (a hung scheduler, a firewall, another
    service) would hang the sweep. The probe runs on an event loop of its own in a daemon
    thread, so it works whether or not the caller runs an event loop.

    Parameters
    ----------
    address
        ``tcp://host:port``.
    timeout
        How long the connection may take. [s]
    """
    import asyncio
    import threading

    from distributed.comm import connect

    outcome: dict[str, BaseException | None] = {}

    async def probe() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout + 1.0)
        await comm.close()

    def attempt() -> None:
        try:
            asyncio.run(probe())
        except BaseException as exc:  # reported below, in the caller's thread
            outcome["error"] = exc
        else:
            outcome["error"] = None

    thread = threading.Thread(target=attempt, name="tls-scheduler-probe", daemon=True)
    thread.start()
    thread.join(timeout + 5.0)
    error = outcome.get("error", TimeoutError())
    if error is None:
        return
    if isinstance(error, TimeoutError) and "Timed out trying to connect" not in str(error):
        raise ParameterError(
            f"scheduler = {address!r} accepted the connection but did not answer within "
            f"{timeout:g} s: it is not a dask scheduler, or it hangs"
        )
    raise ParameterError(
        f"scheduler = {address!r} cannot be reached or is not a dask scheduler: {_reason(error)}"
    )


def cluster_threads(client: Any) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # a size hint only
        return 1
