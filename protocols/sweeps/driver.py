"""The sweep: check the request, run its blocks, stack the dataset."""

from __future__ import annotations

import math
import os
import time
import uuid
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

from dynamics.ensemble import Resolution
from dynamics.glass import Glass, TunnellingGlass
from dynamics.validation import (
    check_positive,
)
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
from protocols.sweeps.grid import make_spec
from protocols.sweeps.points import compute_block

if TYPE_CHECKING:  # xarray and dask are imported when used: a light CLI start
    import xarray as xr

Model = Glass | TunnellingGlass


def sweep(
    glass: Model,
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
    """
    spec = make_spec(glass, grid, tau_expt, protocol, times, resolution, rtol)
    remote, workers, chunk = check_options(client, scheduler, workers, chunk_size)
    cluster_timeout = float(check_positive("cluster_timeout", cluster_timeout, "s"))
    own_client = client_for(scheduler) if scheduler is not None and remote else None
    active = client if client is not None else own_client
    n = spec.size
    report, close = progress_reporter(progress, n)
    try:
        first: list[dict[str, Any]] = []
        if active is not None:
            n_workers, local = cluster_threads(active), ""
        else:
            n_workers = workers or os.cpu_count() or 1
            local = scheduler or "processes"
            if scheduler is None and (n_workers == 1 or n == 1):
                local = "synchronous"  # nothing to share out: no worker processes to start
            elif scheduler is None:
                # time the first points in-process (the second one warm): worker processes pay
                # only when the rest takes longer serially than twice their start-up
                for probe in range(min(2, n)):
                    began = time.perf_counter()
                    first.append(compute_block(spec, probe, probe + 1, False))
                    report(probe + 1)
                    if (n - probe - 1) * (time.perf_counter() - began) < 2.0 * PROCESS_START_S:
                        local = "synchronous"
                        break
        done = len(first)
        if chunk is None:
            share = math.ceil((n - done) / (BLOCKS_PER_WORKER * n_workers))
            chunk = max(1, min(MAX_AUTO_CHUNK, share))
        bounds = [(lo, min(n, lo + chunk)) for lo in range(done, n, chunk)]
        capture = active is not None or local == "processes"

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
        if not tasks:
            blocks = first
        elif active is not None:
            if getattr(glass, "spectrum_source", None) == "atlas":
                from dynamics.atlas import AtlasGrid
                from dynamics.atlas_store import ship_atlas

                # remote workers get the table instead of building it
                resolution_knob = float(getattr(glass, "spectrum_resolution", 1.0))
                ship_atlas(active, AtlasGrid(spectrum_resolution=resolution_knob))
            blocks = first + run_distributed(active, tasks, sizes, report, done, cluster_timeout)
        else:
            blocks = first + run_local(tasks, sizes, local, workers, report, done)
    finally:
        close()
        if own_client is not None:
            own_client.close(timeout=CLUSTER_POLL_S * 5)
    seen: set[tuple[type, str]] = set()
    for block in blocks:
        for category, message in block["warnings"]:
            if (category, message) not in seen:
                seen.add((category, message))
                warnings.warn(message, category, stacklevel=2)
    ds = assemble_gamma(spec, blocks) if spec.mode == "gamma" else assemble_protocol(spec, blocks)
    ds.attrs.update(attributes(spec))
    from protocols.variables import annotate

    return annotate(ds)
