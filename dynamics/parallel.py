"""The one place that decides how many threads the package uses.

Every threaded loop of the package (chunks of the spectrum solver, chunks of output times of the
relaxation engine) calls :func:`map_threads`, which runs on one shared
:class:`~concurrent.futures.ThreadPoolExecutor` with at most :func:`thread_count` threads at a
time. numpy releases the GIL in its ufuncs and in LAPACK, so threads give real speed-ups; results
never depend on the number of threads (each work item is computed alone, and callers choose
their work items without looking at the thread count).

The number of threads is, in order of precedence:

1. an explicit ``threads=`` argument of :func:`map_threads` (for example the ``workers=``
   argument of :func:`dynamics.exact.solver.solve_soft_potential`);
2. the innermost :func:`using_threads` / :func:`single_threaded` context;
3. the environment variable ``TLS_EXPANSION_THREADS`` (a positive integer), read at each call;
4. the default ``min(2, CPUs available to the process)``.

Nested calls (a work item that itself calls :func:`map_threads`) run serially in the calling
thread: thread pools are never nested.

Process pools
-------------
A process pool (dask's ``processes`` scheduler, a ``distributed`` cluster,
``multiprocessing``) already puts one worker on every core; threads inside each worker would
oversubscribe the machine. A worker process should therefore use one thread, either by setting
the environment before the workers start::

    os.environ["TLS_EXPANSION_THREADS"] = "1"   # inherited by spawned workers

or by running each task inside :func:`single_threaded`::

    def task(block):
        with dynamics.parallel.single_threaded():
            return compute(block)

The shared pool is created lazily in each process and dropped in a forked child (its threads do
not survive ``fork``).
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import TypeVar

import numpy as np

from dynamics.validation import ParameterError

__all__ = [
    "ENV_VAR",
    "map_threads",
    "single_threaded",
    "single_threaded_blas",
    "thread_count",
    "using_threads",
]

#: Environment variable that sets the number of threads (a positive integer). [1]
ENV_VAR = "TLS_EXPANSION_THREADS"
#: Largest default number of threads (more rarely pays on the small arrays involved). [1]
DEFAULT_MAX_THREADS = 2

_T = TypeVar("_T")
_R = TypeVar("_R")

_override: list[int] = []  # stack of thread counts set by ``using_threads()`` contexts
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_local = threading.local()  # ``busy`` is True inside a work item run by map_threads


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ParameterError(f"{name} = {value!r} is outside the allowed range [1, inf) [1]")
    return int(value)


def _available_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def thread_count() -> int:
    """Number of threads the package's threaded loops use now.

    Returns
    -------
    int
        The innermost :func:`using_threads` context, else ``TLS_EXPANSION_THREADS``, else
        ``min(2, CPUs available to the process)``. [1]

    Raises
    ------
    ParameterError
        If ``TLS_EXPANSION_THREADS`` is set but not a positive integer.
    """
    if _override:
        return _override[-1]
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        try:
            value = int(env)
        except ValueError:
            value = 0
        if value < 1:
            raise ParameterError(f"{ENV_VAR} = {env!r} is outside the allowed range [1, inf) [1]")
        return value
    return min(DEFAULT_MAX_THREADS, _available_cpus())


@contextmanager
def using_threads(count: int) -> Iterator[None]:
    """Use ``count`` threads inside the ``with`` block (process-wide; contexts nest).

    Parameters
    ----------
    count
        Number of threads, >= 1. [1]
    """
    _override.append(_check_count("threads", count))
    try:
        yield
    finally:
        _override.pop()


@contextmanager
def single_threaded() -> Iterator[None]:
    """Run every threaded loop of the package serially inside the ``with`` block."""
    with using_threads(1):
        yield


def _executor(size: int) -> ThreadPoolExecutor:
    """The shared pool, grown to at least ``size`` threads."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < size:
            old = _pool
            _pool, _pool_size = ThreadPoolExecutor(max_workers=size), size
            if old is not None:
                old.shutdown(wait=False)  # running items finish; new ones go to the new pool
        return _pool


def _forget_pool() -> None:
    global _pool, _pool_size
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def map_threads(
    func: Callable[[_T], _R], items: Sequence[_T], threads: int | None = None
) -> list[_R]:
    """``[func(item) for item in items]``, on at most ``threads`` threads at a time.

    The items are dealt round-robin to ``min(threads, len(items))`` tasks of the shared pool,
    each running its items in order; a call from inside a work item runs serially.

    Parameters
    ----------
    func
        Function of one item; must not depend on which thread runs it.
    items
        Work items.
    threads
        Number of threads, >= 1 (default: :func:`thread_count`). [1]

    Returns
    -------
    list
        The results, in the order of ``items``.
    """
    count = thread_count() if threads is None else _check_count("threads", threads)
    count = min(count, len(items))
    if count <= 1 or getattr(_local, "busy", False):
        return [func(item) for item in items]
    results: list[_R | None] = [None] * len(items)

    def task(first: int) -> None:
        _local.busy = True
        try:
            for i in range(first, len(items), count):
                results[i] = func(items[i])
        finally:
            _local.busy = False

    pool = _executor(count)
    futures = [pool.submit(task, first) for first in range(count)]
    wait(futures)  # all finish before an error is raised
    for future in futures:
        future.result()
    return results  # type: ignore[return-value]


_BLAS_LOCAL_THREADS: Callable[[int], int] | None = None
_BLAS_PROBED = False


def _blas_thread_setter() -> Callable[[int], int] | None:
    """``openblas_set_num_threads_local`` of the OpenBLAS bundled with numpy, if any.

    OpenBLAS's own threading makes batched ``eigh`` of 30-60 point matrices up to 50 times
    slower on small machines; the thread-local setting (OpenBLAS >= 0.3.27) switches it off for
    the calling thread only, without touching the rest of the process.
    """
    global _BLAS_LOCAL_THREADS, _BLAS_PROBED
    if not _BLAS_PROBED:
        _BLAS_PROBED = True
        libdir = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
        for path in sorted(glob.glob(os.path.join(libdir, "*openblas*"))):
            try:
                func = ctypes.CDLL(path).openblas_set_num_threads_local
            except (OSError, AttributeError):
                continue
            func.argtypes = [ctypes.c_int]
            func.restype = ctypes.c_int
            _BLAS_LOCAL_THREADS = func
            break
    return _BLAS_LOCAL_THREADS


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Switch OpenBLAS's own threads off for the calling thread inside the ``with`` block.

    The package's threads come from :func:`map_threads`; BLAS threads inside them would compete
    with them. Without numpy's bundled OpenBLAS (>= 0.3.27) this does nothing.
    """
    setter = _blas_thread_setter()
    if setter is None:
        yield
        return
    old = setter(1)
    try:
        yield
    finally:
        setter(old)
