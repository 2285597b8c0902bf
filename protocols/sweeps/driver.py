"""The sweep: check the request, run its blocks, stack the dataset."""

from __future__ import annotations

import dataclasses
import math
import os
import time
import uuid
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

from dynamics.ensemble import Resolution
from dynamics.glass import Glass, GlassModel
from dynamics.validation import (
    check_positive,
)
from protocols.checks import check_flag
from protocols.cost import check_cost, sweep_point_work
from protocols.histories import (
    TemperatureHistory,
)
from protocols.sweeps.assembly import assemble_gamma, assemble_protocol, attributes
from protocols.sweeps.execution import (
    BLOCKS_PER_WORKER,
    CLUSTER_POLL_S,
    CLUSTER_TIMEOUT_S,
    MAX_AUTO_CHUNK,
    PROCESS_START_S,
    ProgressCallback,
    check_options,
    client_for,
    cluster_threads,
    progress_reporter,
    run_distributed,
    run_local,
)
from protocols.sweeps.grid import SweepSpec, make_spec
from protocols.sweeps.points import compute_block, responses_computed

if TYPE_CHECKING:  # xarray and dask are imported when used: a light CLI start
    import xarray as xr


def sweep(
    glass: GlassModel,
    grid: Mapping[str, ArrayLike],
    *,
    tau_expt: ArrayLike | None = None,
    protocol: str | TemperatureHistory | None = None,
    times: ArrayLike | None = None,
    resolution: Resolution | None = None,
    rtol: float = 1e-6,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool | ProgressCallback = False,
    cluster_timeout: float = CLUSTER_TIMEOUT_S,
    yes: bool = False,
) -> xr.Dataset:
    r"""Γ(τ_expt), or a protocol, at every point of a grid of parameters, computed on dask.

    Parameters
    ----------
    glass
        The base glass; swept glass fields replace its values point by point (validated).
    grid
        Parameter name -> 1-D sequence of distinct, finite values; every combination is a grid
        point. Names: glass fields (``W`` [K], ``c`` [1], ``chi`` [1], ``psi`` [1], ``N0``
        [J-1 m-3], ``A`` [s-1 K-3], ``eta_L`` [1], ...), ``temperature`` [K] (Γ mode, required
        there) or the protocol's parameters (protocol mode, e.g. ``T1`` [K]); ``glass.`` or
        ``protocol.`` may prefix a name. The swept parameters become dimensions, in this order.
    tau_expt
        Γ mode: durations of the experiment, non-decreasing; ``log_times(1e-8, 1e5, 5)`` if
        omitted. [s]
    protocol
        ``None`` for Γ(τ_expt) mode; else a protocol kind (``"heat-step"``, ... with its default
        parameters) or a protocol of :mod:`protocols.histories` whose parameters the grid may
        sweep.
    times
        Protocol mode (required): output times shared by every point, non-decreasing. [s]
    resolution
        Quadrature resolution of the (E, p) bins (the converged default if omitted).
    rtol
        Protocol mode: tolerance of the integrator where T(t) varies continuously. [1]
    client
        A :class:`distributed.Client` of an existing cluster to compute on.
    scheduler
        ``"tcp://host:port"``: the address of a ``dask.distributed`` scheduler; or a local dask
        scheduler, ``"processes"`` (the default: it scales with the cores), ``"threads"`` or
        ``"synchronous"``.
    workers
        Local schedulers: number of worker processes or threads (the number of cores if
        omitted). [1]
    chunk_size
        Grid points per dask task; if omitted, enough blocks for about four per worker, at most
        64 points each. [1]
    progress
        ``True``: a tqdm progress bar on stderr; or a callable called with (points done, points
        in all) as blocks finish.
    cluster_timeout
        On a cluster: give up with :class:`ClusterError` once the scheduler has been unreachable,
        or without any worker, for this long (:data:`CLUSTER_TIMEOUT_S`). [s]
    yes
        Compute even if the work is estimated above :data:`protocols.cost.MAX_ESTIMATE_S` (on a
        local scheduler shared by its workers; on a cluster, per worker thread); refused
        otherwise, before any work (:func:`protocols.cost.sweep_point_work`).

    Returns
    -------
    xarray.Dataset
        Γ mode: ``gruneisen`` [1], ``gruneisen_equilibrium`` [1], ``alpha_over_temperature``
        [K-2] and ``heat_capacity_over_temperature`` [J m-3 K-2] with dims ``(*swept, tau_expt)``;
        ``heat_capacity_equilibrium`` [J m-3 K-1] and ``tau_min`` [s] with dims ``(*swept)``.
        Protocol mode: every variable of :func:`protocols.run.run` with the swept dimensions in
        front (a variable missing at some points is NaN there). Every variable is registered in
        :mod:`protocols.variables`; the attributes record the glass, the grid, the protocol and
        the resolution.

    Raises
    ------
    dynamics.ParameterError
        Naming the parameter: unknown grid name, empty or non-finite values, a value the glass
        or the protocol rejects, Γ mode without ``temperature``, a bad scheduler address, ...

    Examples
    --------
    Γ over temperature x c, on the paper's asymptotic spectra (where Γ is proportional to c):

    >>> import dynamics, protocols
    >>> glass = dynamics.default_glass(spectrum="asymptotic")
    >>> grid = {"temperature": [0.2, 0.3], "c": [4.0, 6.0]}
    >>> ds = protocols.sweep(glass, grid, tau_expt=[1.0], scheduler="synchronous")
    >>> dict(ds.sizes)
    {'temperature': 2, 'c': 2, 'tau_expt': 1}
    >>> ratio = ds.gruneisen_equilibrium.sel(c=6.0) / ds.gruneisen_equilibrium.sel(c=4.0)
    >>> ratio.round(12).values.ravel().tolist()
    [1.5, 1.5]
    """
    spec = make_spec(glass, grid, tau_expt, protocol, times, resolution, rtol)
    remote, workers, chunk = check_options(client, scheduler, workers, chunk_size)
    cluster_timeout = float(check_positive("cluster_timeout", cluster_timeout, "s"))
    share = 1 if remote or scheduler == "synchronous" else (workers or os.cpu_count() or 1)
    check_cost(
        f"a sweep of {spec.size} points",
        sweep_point_work(spec).scaled(spec.size / share).seconds,
        yes=check_flag("yes", yes),
        override="yes=True",
    )
    own_client = (
        client_for(scheduler, cluster_timeout) if scheduler is not None and remote else None
    )
    active = client if client is not None else own_client
    report, close = progress_reporter(progress, spec.size)
    try:
        blocks = _compute(spec, active, scheduler, workers, chunk, report, cluster_timeout)
    finally:
        close()
        if own_client is not None:
            own_client.close(timeout=CLUSTER_POLL_S * 5)
    # the points' warnings, each once; inline so that stacklevel=2 names the caller of sweep
    seen: set[tuple[type, str]] = set()
    for block in blocks:
        for category, message in block["warnings"]:
            if (category, message) not in seen:
                seen.add((category, message))
                warnings.warn(message, category, stacklevel=2)
    return _dataset(spec, blocks)


def _compute(
    spec: SweepSpec,
    client: Any,
    scheduler: str | None,
    workers: int | None,
    chunk: int | None,
    report: Callable[[int], None],
    cluster_timeout: float,
) -> list[dict[str, Any]]:
    """Compute every point of a sweep, in blocks, on a cluster or a local dask scheduler.

    Parameters
    ----------
    spec
        The checked sweep.
    client
        A :class:`distributed.Client` to compute on, or ``None`` to compute locally.
    scheduler
        The local dask scheduler asked for, or ``None`` to choose (:func:`_local_scheduler`).
    workers
        Local schedulers: number of workers, or ``None`` for the number of cores. [1]
    chunk
        Grid points per block, or ``None`` to choose (:func:`_block_bounds`). [1]
    report
        Called with the number of points done so far.
    cluster_timeout
        On a cluster: how long it may be unreachable or without a worker. [s]

    Returns
    -------
    list of dict
        The blocks' results (:func:`protocols.sweeps.points.compute_block`), in grid order.
    """
    first: list[dict[str, Any]] = []
    if client is not None:
        n_workers, local = cluster_threads(client), ""
    else:
        n_workers = workers or os.cpu_count() or 1
        local, first = _local_scheduler(spec, scheduler, n_workers, report)
    done = len(first)
    bounds = _block_bounds(spec.size, done, chunk, n_workers)
    capture = client is not None or local == "processes"
    tasks, sizes = _block_tasks(_with_tables(spec) if capture else spec, bounds, capture)
    if not tasks:
        return first
    if client is not None:
        return first + run_distributed(client, tasks, sizes, report, done, cluster_timeout)
    return first + run_local(tasks, sizes, local, workers, report, done)


def _local_scheduler(
    spec: SweepSpec, scheduler: str | None, n_workers: int, report: Callable[[int], None]
) -> tuple[str, list[dict[str, Any]]]:
    """The local dask scheduler of a sweep, and the points computed in-process to choose it.

    Unless a scheduler is asked for, worker processes start only if they pay: not for one worker
    or one point; else the first points are computed in-process until two distinct computations
    (:attr:`SweepSpec.response_count`: a Γ point whose reference response is known costs
    nothing) have been timed (the second one warm), and the sweep stays in-process when the
    computations left take less serially than twice the workers' start-up
    (:data:`PROCESS_START_S`). The points computed are kept, not computed again.

    Parameters
    ----------
    spec
        The checked sweep.
    scheduler
        ``"processes"``, ``"threads"`` or ``"synchronous"`` if asked for; ``None`` to choose.
    n_workers
        Number of local workers. [1]
    report
        Called with the number of points done so far.

    Returns
    -------
    tuple
        (the scheduler, the blocks of the points computed to choose it, one point each).
    """
    n = spec.size
    first: list[dict[str, Any]] = []
    if scheduler is not None:
        return scheduler, first
    if n_workers == 1 or n == 1:
        return "synchronous", first  # nothing to share out: no worker processes to start
    timed = 0  # distinct computations timed (a point whose reference response is known is free)
    while len(first) < n and timed < 2:
        began = time.perf_counter()
        before = responses_computed(spec, len(first))
        first.append(compute_block(spec, len(first), len(first) + 1, False))
        report(len(first))
        new = responses_computed(spec, len(first)) - before
        if new == 0:
            continue
        timed += new
        per_computation = (time.perf_counter() - began) / new
        if (spec.response_count - timed) * per_computation < 2.0 * PROCESS_START_S:
            return "synchronous", first
    return ("synchronous" if len(first) == n else "processes"), first


def _block_bounds(n: int, done: int, chunk: int | None, n_workers: int) -> list[tuple[int, int]]:
    """The blocks of the points not done yet, as (first, past-the-last) flat indices.

    Parameters
    ----------
    n
        Number of grid points. [1]
    done
        Points already computed (the first ones). [1]
    chunk
        Points per block; ``None``: enough blocks for :data:`BLOCKS_PER_WORKER` per worker, at
        most :data:`MAX_AUTO_CHUNK` points each. [1]
    n_workers
        Number of workers (local workers, or the threads of a cluster). [1]

    Returns
    -------
    list of tuple of int
        Contiguous blocks covering ``done``..``n`` in C order.
    """
    if chunk is None:
        share = math.ceil((n - done) / (BLOCKS_PER_WORKER * n_workers))
        chunk = max(1, min(MAX_AUTO_CHUNK, share))
    return [(lo, min(n, lo + chunk)) for lo in range(done, n, chunk)]


def _block_tasks(
    spec: SweepSpec, bounds: list[tuple[int, int]], capture: bool
) -> tuple[list[Any], dict[str, int]]:
    """One dask task per block, with unique keys; ``spec`` is one node that every task shares.

    Parameters
    ----------
    spec
        The checked sweep.
    bounds
        The blocks (:func:`_block_bounds`).
    capture
        Whether the blocks capture their warnings (to replay them here), as worker processes
        and cluster workers must.

    Returns
    -------
    tuple
        (the tasks, their keys -> number of points of the block [1]).
    """
    import dask

    token = uuid.uuid4().hex
    spec_node = dask.delayed(spec, pure=False, traverse=False)
    task = dask.delayed(compute_block, pure=True)
    keys = [f"sweep-block-{token}-{i}" for i in range(len(bounds))]
    tasks = [
        task(spec_node, lo, hi, capture, dask_key_name=key)
        for key, (lo, hi) in zip(keys, bounds, strict=True)
    ]
    sizes = {key: hi - lo for key, (lo, hi) in zip(keys, bounds, strict=True)}
    return tasks, sizes


def _with_tables(spec: SweepSpec) -> SweepSpec:
    """``spec`` carrying the spectral table its glass needs when no file ships it (exact spectra
    at another solver resolution): built here once, sent with the tasks and kept by every
    worker process, instead of built by each. Workers read the shipped table themselves.

    Parameters
    ----------
    spec
        The checked sweep.
    """
    glass = spec.glass
    if not (
        isinstance(glass, Glass) and glass.spectrum == "exact" and glass.spectrum_source == "table"
    ):
        return spec
    from dynamics.exact.shipped import SHIPPED_TABLES, spectral_table, two_level_grid

    grid = two_level_grid(glass.spectrum_resolution)
    if any(entry.grid == grid for entry in SHIPPED_TABLES.values()):
        return spec
    return dataclasses.replace(spec, tables=(spectral_table(grid),))


def _dataset(spec: SweepSpec, blocks: list[dict[str, Any]]) -> xr.Dataset:
    """The sweep's dataset: the blocks stacked, with the sweep's attributes, every variable
    registered (:func:`protocols.variables.annotate`).

    Parameters
    ----------
    spec
        The checked sweep.
    blocks
        The blocks' results, in grid order.

    Returns
    -------
    xarray.Dataset
        As :func:`sweep` returns it.
    """
    ds = assemble_gamma(spec, blocks) if spec.mode == "gamma" else assemble_protocol(spec, blocks)
    ds.attrs.update(attributes(spec))
    from protocols.plausibility import check_plausible
    from protocols.variables import annotate

    if spec.mode == "gamma":  # a protocol sweep's points are each checked by protocols.run
        check_plausible(ds, "the Gamma(tau_expt) sweep", spec.glass)
    return annotate(ds)
