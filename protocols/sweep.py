r"""Parameter sweeps on dask: Γ(τ_expt), or a whole protocol, over a grid of glass parameters,
temperatures and protocol parameters.

A sweep takes a base glass and a ``grid``, a dict of parameter name -> 1-D sequence of values;
every combination of values is a grid point. The points are cut into blocks (contiguous in the
C order of the grid), each block is one dask task that computes its points one after the other
with exactly the serial functions of :mod:`protocols.run` and :mod:`dynamics`, and the results
are stacked into one :class:`xarray.Dataset` whose swept parameters are dimensions, in the order
of the grid. Every point is computed alone, so the result is identical, bit for bit, to
computing each point alone with the serial functions, whatever the scheduler, the number of
workers or the block size (tested).

Two modes:

* **Γ(τ_expt)** (``protocol=None``): at every point, the linear response to an infinitesimal
  heat step at ``temperature`` (which must be in the grid), as in
  :func:`protocols.run.gruneisen_vs_tau`: ``gruneisen``, ``gruneisen_equilibrium``,
  ``alpha_over_temperature`` (α/T) and ``heat_capacity_over_temperature`` (C/T) along
  ``tau_expt``, and ``heat_capacity_equilibrium`` and ``tau_min`` per point.
* **protocol** (``protocol`` a kind name or instance): at every point,
  :func:`protocols.run.run` at the shared output ``times``; every variable of the run (strain,
  heat, temperature, α and Γ where defined, ...) gains the swept dimensions in front.

Where the work runs:

* by default, locally: a pool of worker *processes* (dask's ``processes`` scheduler, one per
  core). The kernels spend most of their time in small numpy calls under the GIL, so threads
  do not scale (measured in ``docs/sweeps.md``); a sweep of a single block runs in-process.
  Scripts need the usual ``if __name__ == "__main__":`` guard (the workers are spawned);
* ``scheduler="threads" | "processes" | "synchronous"`` chooses a local scheduler,
  ``workers`` its number of workers;
* on a ``dask.distributed`` cluster: ``client=`` an existing :class:`distributed.Client`, or
  ``scheduler="tcp://host:port"`` (a client is opened and closed around the sweep). The workers
  must have this package installed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import math
import os
import re
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.ensemble import Resolution
from dynamics.glass import Glass, TunnellingGlass
from dynamics.response import gamma_point
from dynamics.validation import (
    ParameterError,
    check_positive,
    check_range,
    check_temperature,
    warn_two_level_range,
)
from protocols.histories import (
    PROTOCOLS,
    TemperatureHistory,
    log_times,
    make_protocol,
)
from protocols.provenance import model_summary, provenance

if TYPE_CHECKING:  # xarray, dask and the registry are imported when used: a light CLI start
    import xarray as xr
    from matplotlib.figure import Figure

FloatArray = NDArray[np.float64]
Model = Glass | TunnellingGlass
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
#: Variables of a Γ(τ_expt) sweep.
GAMMA_VARIABLES = (
    "gruneisen",
    "gruneisen_equilibrium",
    "alpha_over_temperature",
    "heat_capacity_over_temperature",
    "heat_capacity_equilibrium",
    "tau_min",
)
#: Protocol parameters that cannot be swept: tables, and the number of staircase steps (it sets
#: the length of the ``step`` dimension).
_NOT_SWEPT = frozenset({"times", "temperatures", "steps"})
_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")
#: Largest number of glass or protocol combinations validated before the computation starts.
_MAX_VALIDATED = 100_000


# ---------------------------------------------------------------------------------------------
# what a sweep computes


@dataclass(frozen=True)
class _Spec:
    """Everything a block of grid points needs (picklable; sent once to the workers)."""

    mode: str  # "gamma" or "protocol"
    glass: Model
    protocol: TemperatureHistory | None
    names: tuple[str, ...]
    targets: tuple[str, ...]  # per name: "temperature", "glass" or "protocol"
    values: tuple[FloatArray, ...]
    tau_expt: FloatArray | None
    times: FloatArray | None
    resolution: Resolution | None
    rtol: float

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(v.size for v in self.values)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def point(self, flat: int) -> dict[str, float]:
        """Values of the swept parameters at grid point ``flat`` (C order)."""
        index = np.unravel_index(flat, self.shape)
        return {n: float(v[i]) for n, v, i in zip(self.names, self.values, index, strict=True)}

    def split(self, values: Mapping[str, float]) -> tuple[float | None, dict[str, float], dict]:
        """(temperature, glass changes, protocol changes) of a point."""
        temperature = None
        glass: dict[str, float] = {}
        protocol: dict[str, float] = {}
        for name, target in zip(self.names, self.targets, strict=True):
            if target == "temperature":
                temperature = values[name]
            elif target == "glass":
                glass[name] = values[name]
            else:
                protocol[name] = values[name]
        return temperature, glass, protocol


def _glass_at(base: Model, changes: Mapping[str, float]) -> Model:
    return base.replace(**changes) if changes else base


def _protocol_at(base: TemperatureHistory, changes: Mapping[str, float]) -> TemperatureHistory:
    """``base`` with some parameters changed (validated)."""
    return base.replace(**changes) if changes else base


def _protocol_point(spec: _Spec, values: Mapping[str, float]) -> tuple[dict, dict]:
    """One point of a protocol sweep: ({variable: (dims, values)}, {coordinate: values})."""
    from protocols.run import run

    _, glass_changes, protocol_changes = spec.split(values)
    assert spec.protocol is not None
    ds = run(
        _glass_at(spec.glass, glass_changes),
        _protocol_at(spec.protocol, protocol_changes),
        spec.times,
        resolution=spec.resolution,
        rtol=spec.rtol,
    )
    data = {
        str(k): (tuple(str(d) for d in v.dims), v.values)
        for k, v in ds.data_vars.items()
        if k not in spec.names  # e.g. a staircase's delta_T when it is swept: the coordinate
    }
    coords = {str(k): v.values for k, v in ds.coords.items()}
    return data, coords


def compute_block(spec: _Spec, start: int, stop: int, capture_warnings: bool) -> dict[str, Any]:
    """Compute grid points ``start`` to ``stop - 1`` (C order) of a sweep: one dask task.

    Warnings are recorded and returned when ``capture_warnings`` (in worker processes, where
    they would be lost) so that :func:`sweep` re-issues them.
    """
    if not capture_warnings:  # in-process: warnings reach the caller as they are
        return {**_block(spec, start, stop), "warnings": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = _block(spec, start, stop)
    return {**out, "warnings": [(w.category, str(w.message)) for w in caught]}


def _block(spec: _Spec, start: int, stop: int) -> dict[str, Any]:
    if spec.mode == "gamma":
        return {"gamma": _gamma_block(spec, start, stop)}
    return {"points": [_protocol_point(spec, spec.point(i)) for i in range(start, stop)]}


def _gamma_block(spec: _Spec, start: int, stop: int) -> dict[str, FloatArray]:
    assert spec.tau_expt is not None
    n, n_tau = stop - start, spec.tau_expt.size
    block = {
        name: np.empty((n, n_tau) if name not in ("heat_capacity_equilibrium", "tau_min") else n)
        for name in GAMMA_VARIABLES
    }
    glasses: dict[tuple[tuple[str, float], ...], Model] = {}
    for row, flat in enumerate(range(start, stop)):
        temperature, glass_changes, _ = spec.split(spec.point(flat))
        key = tuple(glass_changes.items())
        if key not in glasses:
            glasses[key] = _glass_at(spec.glass, glass_changes)
        glass = glasses[key]
        assert isinstance(glass, Glass) and temperature is not None
        point = gamma_point(glass, temperature, spec.tau_expt, spec.resolution)
        block["gruneisen"][row] = point.gruneisen
        block["gruneisen_equilibrium"][row] = point.gruneisen_equilibrium
        block["alpha_over_temperature"][row] = point.alpha / temperature
        block["heat_capacity_over_temperature"][row] = point.heat_capacity / temperature
        block["heat_capacity_equilibrium"][row] = point.heat_capacity_equilibrium
        block["tau_min"][row] = point.tau_min
    return block


# ---------------------------------------------------------------------------------------------
# checking what was asked


def _sweepable(glass: Model, protocol: TemperatureHistory | None, gamma: bool) -> dict[str, str]:
    """Names that may be swept -> "temperature", "glass" or "protocol"."""
    out: dict[str, str] = {}
    if gamma:
        out["temperature"] = "temperature"
    for f in dataclasses.fields(glass):
        value = getattr(glass, f.name)
        if f.name not in ("name", "description") and not isinstance(value, str | bool):
            out[f.name] = "glass"
    if glass.__class__ is Glass:
        out["type2_rate_ratio"] = "glass"  # numeric values replace "kki"
    if protocol is not None:
        for f in dataclasses.fields(protocol):  # type: ignore[arg-type]
            if f.name not in _NOT_SWEPT:
                out.setdefault(f.name, "protocol")
    from protocols.variables import VARIABLES

    return {k: v for k, v in out.items() if k in VARIABLES}


def _grid_values(name: str, values: Any) -> FloatArray:
    if isinstance(values, str | bytes) or isinstance(values, Mapping):
        raise ParameterError(f"{name} = {values!r} must be a 1-D sequence of numbers")
    items = np.atleast_1d(np.asarray(values, dtype=object))
    if items.ndim != 1:
        raise ParameterError(f"{name}: grid values must be a 1-D sequence (got {items.ndim}-D)")
    if items.size == 0:
        raise ParameterError(f"{name}: the grid needs at least one value (got none)")
    for item in items:
        if isinstance(item, bool | np.bool_) or not isinstance(
            item, int | float | np.integer | np.floating
        ):
            raise ParameterError(f"{name} = {item!r} is not a number (grid value)")
    arr = check_range(name, items.astype(float)).astype(np.float64)
    if np.unique(arr).size != arr.size:
        raise ParameterError(f"{name}: the grid values must be distinct (got {arr.tolist()})")
    return arr


def _resolve_protocol(protocol: Any) -> TemperatureHistory:
    if isinstance(protocol, str):
        return make_protocol(protocol)
    if not isinstance(protocol, TemperatureHistory):
        raise ParameterError(
            f"protocol = {protocol!r} must be a protocol kind "
            f"({', '.join(sorted(PROTOCOLS))}) or a protocol of protocols.histories"
        )
    return protocol


def _check_combinations(
    spec: _Spec, target: str, build: Callable[[dict[str, float]], Any]
) -> list[Any]:
    """Build every combination of the swept parameters of one kind (validating them)."""
    names = [n for n, t in zip(spec.names, spec.targets, strict=True) if t == target]
    values = [v for v, t in zip(spec.values, spec.targets, strict=True) if t == target]
    for name, vals in zip(names, values, strict=True):
        for v in vals:  # one parameter at a time first: the message names it
            build({name: float(v)})
    if not names or math.prod(v.size for v in values) > _MAX_VALIDATED:
        return []
    return [
        build(dict(zip(names, map(float, combo), strict=True)))
        for combo in itertools.product(*values)
    ]


def _make_spec(
    glass: Any,
    grid: Any,
    tau_expt: ArrayLike | None,
    protocol: Any,
    times: ArrayLike | None,
    resolution: Resolution | None,
    rtol: float,
) -> _Spec:
    if not isinstance(glass, Glass | TunnellingGlass):
        raise ParameterError(
            f"glass = {glass!r} must be a dynamics.Glass or dynamics.TunnellingGlass"
        )
    if resolution is not None and not isinstance(resolution, Resolution):
        raise ParameterError(f"resolution = {resolution!r} must be a dynamics.ensemble.Resolution")
    if not isinstance(grid, Mapping) or not grid:
        raise ParameterError(
            "grid must be a non-empty dict of parameter name -> values, e.g. "
            "{'temperature': [0.1, 0.3], 'c': [4, 6]}"
        )
    gamma = protocol is None
    base_protocol = None if gamma else _resolve_protocol(protocol)
    allowed = _sweepable(glass, base_protocol, gamma)
    names: list[str] = []
    targets: list[str] = []
    values: list[FloatArray] = []
    for key, vals in grid.items():
        if not isinstance(key, str):
            raise ParameterError(f"grid name {key!r} must be a string")
        name, target = key, None
        for prefix in ("glass.", "protocol."):
            if key.startswith(prefix):
                name, target = key[len(prefix) :], prefix[:-1]
        what = (
            "the glass or temperature"
            if base_protocol is None
            else f"the glass or protocol {base_protocol.kind!r}"
        )
        if name in _NOT_SWEPT and base_protocol is not None and hasattr(base_protocol, name):
            raise ParameterError(
                f"{name} cannot be swept: "
                + (
                    "the number of steps sets the length of the step dimension"
                    if name == "steps"
                    else "a schedule's table is one parameter; sweep glass fields instead"
                )
            )
        if name not in allowed or (target is not None and allowed[name] != target):
            raise ParameterError(
                f"{name} is not a parameter of {what} that can be swept; allowed: "
                f"{', '.join(sorted(allowed))}"
            )
        if name in names:
            raise ParameterError(f"{name} appears twice in the grid")
        names.append(name)
        targets.append(allowed[name])
        values.append(_grid_values(name, vals))
    tau = tms = None
    if gamma:
        if not isinstance(glass, Glass):
            raise ParameterError(
                "a Gamma(tau_expt) sweep needs a soft-potential glass (dynamics.Glass)"
            )
        if "temperature" not in names:
            raise ParameterError(
                "temperature: a Gamma(tau_expt) sweep needs temperature in the grid [K]"
            )
        if times is not None:
            raise ParameterError("times: only for a protocol sweep; a Gamma sweep takes tau_expt")
        values[names.index("temperature")] = check_temperature(
            "temperature", values[names.index("temperature")]
        )
        raw = log_times(1e-8, 1e5, 5) if tau_expt is None else tau_expt
        tau = np.atleast_1d(check_positive("tau_expt", raw, "s")).astype(np.float64)
        if tau.ndim != 1 or tau.size == 0 or np.any(np.diff(tau) < 0):
            raise ParameterError("tau_expt must be a non-empty, non-decreasing 1-D list [s]")
    else:
        if tau_expt is not None:
            raise ParameterError("tau_expt: only for a Gamma sweep; a protocol sweep takes times")
        if times is None:
            raise ParameterError("times: a protocol sweep needs its output times (shared) [s]")
        tms = check_range(
            "times", np.asarray(times, dtype=float), 0.0, low_open=False, unit="s"
        ).astype(np.float64)
        if tms.ndim != 1 or tms.size == 0 or np.any(np.diff(tms) < 0):
            raise ParameterError("times must be a non-empty, non-decreasing 1-D list [s]")
    rtol = float(check_range("rtol", rtol, 0.0, 1.0))
    spec = _Spec(
        mode="gamma" if gamma else "protocol",
        glass=glass,
        protocol=base_protocol,
        names=tuple(names),
        targets=tuple(targets),
        values=tuple(values),
        tau_expt=tau,
        times=tms,
        resolution=resolution,
        rtol=rtol,
    )
    glasses = _check_combinations(spec, "glass", lambda ch: _glass_at(glass, ch)) or [glass]
    if gamma:
        t_max = float(values[names.index("temperature")].max())
        for w in sorted({float(g.W) for g in glasses if isinstance(g, Glass)}):
            warn_two_level_range(t_max, w)
    else:
        assert base_protocol is not None and tms is not None
        protocols = _check_combinations(
            spec, "protocol", lambda ch: _protocol_at(base_protocol, ch)
        ) or [base_protocol]
        reference = base_protocol.output_times(tms)
        for p in protocols:
            if not np.array_equal(p.output_times(tms), reference):
                raise ParameterError(
                    f"times: a {p.kind} adds times of its own to the output times (a "
                    "staircase, the end of each dwell) and they differ between grid points; "
                    "include them all in times [s]"
                )
    return spec


# ---------------------------------------------------------------------------------------------
# running the blocks on dask


def _check_count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ParameterError(f"{name} = {value!r} is outside the allowed range [1, inf) (integer)")
    return int(value)


def _check_options(
    client: Any, scheduler: Any, workers: Any, chunk_size: Any
) -> tuple[bool, int | None, int | None]:
    """(on a cluster?, workers, chunk_size), checked."""
    workers = _check_count("workers", workers)
    chunk = _check_count("chunk_size", chunk_size)
    if client is not None and scheduler is not None:
        raise ParameterError("give either client or scheduler, not both")
    if scheduler is not None and not isinstance(scheduler, str):
        raise ParameterError(f"scheduler = {scheduler!r} must be a string")
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


def _progress_reporter(progress: bool | ProgressCallback, total: int) -> tuple[Any, Any]:
    """(report(done), close()) for ``progress``."""
    if callable(progress):
        return (lambda done: progress(done, total)), (lambda: None)
    if not progress:
        return (lambda done: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(total=total, desc="sweep", unit="point", file=sys.stderr, mininterval=0.5)

    def report(done: int) -> None:
        bar.update(done - bar.n)

    return report, bar.close


def _run_local(
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


def _run_distributed(
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
            problem = _cluster_problem(client)
            if problem is None:
                lost_since = None
                continue
            lost_since = time.monotonic() if lost_since is None else lost_since
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


def _cluster_problem(client: Any) -> str | None:
    """What is wrong with the cluster (scheduler unreachable, no worker), or None."""
    if client.status != "running":
        return f"the scheduler {client.scheduler.address} cannot be reached"
    try:
        info = client.sync(client.scheduler.identity, n_workers=-1, callback_timeout=CLUSTER_POLL_S)
    except Exception:
        return f"the scheduler {client.scheduler.address} does not answer"
    return None if info.get("workers") else "the cluster has no worker"


def _client_for(address: str) -> Any:
    """A client of the scheduler at ``address``; any failure to reach it or to speak with it
    (nothing listening, a timeout, something else listening there) is a ParameterError."""
    from distributed import Client

    client = Client.__new__(Client)
    try:
        Client.__init__(client, address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except Exception as exc:  # distributed raises many kinds, even MemoryError on garbage
        with contextlib.suppress(Exception):
            client.close(timeout=1)  # else its __del__ waits 20 s and prints a traceback
        if isinstance(exc, MemoryError):  # it decoded an absurd frame length from garbage
            reason = "what listens there does not speak the dask protocol"
        else:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ParameterError(
            f"scheduler = {address!r} cannot be reached or is not a dask scheduler: {reason}"
        ) from None
    return client


def _cluster_threads(client: Any) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # a size hint only
        return 1


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
    spec = _make_spec(glass, grid, tau_expt, protocol, times, resolution, rtol)
    remote, workers, chunk = _check_options(client, scheduler, workers, chunk_size)
    cluster_timeout = float(check_positive("cluster_timeout", cluster_timeout, "s"))
    own_client = _client_for(scheduler) if scheduler is not None and remote else None
    active = client if client is not None else own_client
    n = spec.size
    report, close = _progress_reporter(progress, n)
    try:
        first: list[dict[str, Any]] = []
        if active is not None:
            n_workers, local = _cluster_threads(active), ""
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
            blocks = first + _run_distributed(active, tasks, sizes, report, done, cluster_timeout)
        else:
            blocks = first + _run_local(tasks, sizes, local, workers, report, done)
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
    ds = _assemble_gamma(spec, blocks) if spec.mode == "gamma" else _assemble_protocol(spec, blocks)
    ds.attrs.update(_attributes(spec))
    from protocols.variables import annotate

    return annotate(ds)


# ---------------------------------------------------------------------------------------------
# the dataset


def _assemble_gamma(spec: _Spec, blocks: list[dict[str, Any]]) -> xr.Dataset:
    import xarray as xr

    assert spec.tau_expt is not None
    dims = spec.names
    data = {}
    for name in GAMMA_VARIABLES:
        stacked = np.concatenate([b["gamma"][name] for b in blocks])
        if stacked.ndim == 1:
            data[name] = (dims, stacked.reshape(spec.shape))
        else:
            data[name] = ((*dims, "tau_expt"), stacked.reshape((*spec.shape, spec.tau_expt.size)))
    coords = {n: v for n, v in zip(spec.names, spec.values, strict=True)}
    return xr.Dataset(data, coords={**coords, "tau_expt": spec.tau_expt})


def _assemble_protocol(spec: _Spec, blocks: list[dict[str, Any]]) -> xr.Dataset:
    import xarray as xr

    points = [p for b in blocks for p in b["points"]]
    first_coords = points[0][1]
    for _, other in points[1:]:
        if other.keys() != first_coords.keys() or not all(
            np.array_equal(other[k], first_coords[k]) for k in other
        ):
            raise ParameterError(
                "times: the grid points give different output times or coordinates, which "
                "cannot be stacked; choose times that every point keeps [s]"
            )
    layout: dict[str, tuple[tuple[str, ...], tuple[int, ...], np.dtype]] = {}
    for data, _ in points:
        for name, (dims, values) in data.items():
            if name not in layout:
                layout[name] = (dims, np.shape(values), np.asarray(values).dtype)
    arrays = {}
    for name, (dims, shape, dtype) in layout.items():
        kind = np.result_type(dtype, np.float64) if dtype.kind in "iub" else dtype
        full = np.full((spec.size, *shape), np.nan, dtype=kind)
        for i, (data, _) in enumerate(points):
            if name in data:
                if np.shape(data[name][1]) != shape:
                    raise ParameterError(
                        f"{name}: its shape differs between grid points and cannot be stacked"
                    )
                full[i] = data[name][1]
        arrays[name] = ((*spec.names, *dims), full.reshape((*spec.shape, *shape)))
    coords: dict[str, Any] = {n: v for n, v in zip(spec.names, spec.values, strict=True)}
    coords.update(first_coords)
    return xr.Dataset(arrays, coords=coords)


def _attributes(spec: _Spec) -> dict[str, Any]:
    glass = spec.glass
    over = ", ".join(spec.names)
    grid = {n: v.tolist() for n, v in zip(spec.names, spec.values, strict=True)}
    base = "The glass attribute is the base glass; the swept fields replace its values."
    if spec.protocol is None:
        return provenance(
            title=f"Grueneisen parameter against tau_expt over {over}, glass {glass.name}",
            call=f"protocols.sweep(gamma, glass {glass.name}, over {over})",
            comment=f"Linear response to an infinitesimal step at t = 0 at each grid point. {base}",
            glass=glass,
            resolution=spec.resolution,
            source="parameter sweep on dask",
            grid=json.dumps(grid),
        )
    kind = spec.protocol.kind
    return provenance(
        title=f"{kind} over {over}, glass {glass.name}",
        call=f"protocols.sweep({kind}, glass {glass.name}, over {over})",
        comment="Strain and heat are relative to the equilibrium before t = 0, at each grid "
        f"point. {base}",
        glass=glass,
        resolution=spec.resolution,
        source="parameter sweep on dask",
        grid=json.dumps(grid),
        protocol=spec.protocol.to_dict(),
        integrator_rtol=spec.rtol,
    )


def plot_sweep(ds: xr.Dataset, *, max_lines: int = 8) -> Figure:
    """Γ against log τ_expt (Γ mode) or strain against log time (protocol mode), one line per
    value of the first swept parameter (at most ``max_lines``, evenly picked), the other swept
    parameters at their first value."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    swept = [str(d) for d in ds.dims if d not in ("tau_expt", "time", "tls_type", "step")]
    if not swept:
        raise ParameterError("plot_sweep needs a dataset from protocols.sweep.sweep")
    first, rest = swept[0], swept[1:]
    sel = ds.isel({d: 0 for d in rest})
    n = sel.sizes[first]
    picks = sorted({round(i) for i in np.linspace(0, n - 1, min(n, max_lines))})
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    gamma = "tau_expt" in ds.dims
    x_name, y_name = ("tau_expt", "gruneisen") if gamma else ("time", "strain")
    units = ds[first].attrs.get("units", "")
    for k, i in enumerate(picks):
        line = sel.isel({first: i})
        keep = line[x_name].values > 0
        label = f"{first} = {float(line[first]):.4g}" + (
            f" {units}" if units not in ("", "1") else ""
        )
        ax.plot(line[x_name].values[keep], line[y_name].values[keep], color=f"C{k}", label=label)
        if gamma:
            ax.plot(
                line[x_name].values[keep],
                line["gruneisen_equilibrium"].values[keep],
                color=f"C{k}",
                ls="--",
                lw=0.9,
            )
    ax.set_xscale("log")
    if gamma:
        ax.set_xlabel(r"$\tau_{expt}$ [s]")
        ax.set_ylabel(r"$\Gamma$ [1] (solid: C($\tau_{expt}$); dashed: C($\infty$))")
    else:
        ax.set_xlabel("time t [s]")
        ax.set_ylabel("volume strain [1]")
    fixed = ", ".join(
        f"{d} = {float(sel[d]):.4g}"
        + (f" {sel[d].attrs['units']}" if sel[d].attrs.get("units", "1") != "1" else "")
        for d in rest
    )
    ax.set_title(ds.attrs.get("title", "sweep") + (f"\n({fixed})" if fixed else ""), fontsize=9)
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# command line


def parse_grid_values(name: str, text: str) -> list[float]:
    """Values of ``--grid NAME=TEXT``: ``a,b,c``; ``start:stop:num`` (evenly spaced, both ends
    included); ``log:start:stop:num`` (evenly spaced in log, start and stop > 0). Values may
    carry units (``T1=310mK,330mK``, ``temperature=log:50mK:1K:20``); plain numbers are in the
    parameter's unit."""
    from protocols.config import parse_value, typed_value

    spec = text.strip()
    if not spec:
        raise ParameterError(f"{name}: the grid needs at least one value (got none)")
    parts = spec.split(":")
    if len(parts) == 1:
        items = [typed_value(name, parse_value(item.strip(), name)) for item in spec.split(",")]
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise ParameterError(f"{name} = {item!r} is not a number (--grid)")
        return [float(v) for v in items]
    log = parts[0].strip().lower() == "log"
    numbers = parts[1:] if log else parts
    if len(numbers) != 3:
        raise ParameterError(
            f"{name} = {text!r}: a range is start:stop:num or log:start:stop:num (--grid)"
        )
    try:
        start, stop = (float(typed_value(name, parse_value(v.strip(), name))) for v in numbers[:2])
        num = int(numbers[2])
    except ValueError:
        raise ParameterError(
            f"{name} = {text!r}: a range is start:stop:num with num an integer (--grid)"
        ) from None
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise ParameterError(f"{name} = {text!r} is not a finite range (--grid)")
    if num < 1:
        raise ParameterError(f"{name} = {text!r}: num = {num} must be >= 1 (--grid)")
    if log:
        if start <= 0 or stop <= 0:
            raise ParameterError(f"{name} = {text!r}: a log range needs start, stop > 0 (--grid)")
        return np.logspace(math.log10(start), math.log10(stop), num).tolist()
    return np.linspace(start, stop, num).tolist()


def parse_grid(items: Sequence[str]) -> dict[str, list[float]]:
    """``["temperature=0.1,0.3", "c=4:8:5"]`` -> ``{"temperature": [0.1, 0.3], "c": [4.0, ...]}``,
    in the order given."""
    grid: dict[str, list[float]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--grid {item!r} must have the form NAME=VALUES")
        if name in grid:
            raise ParameterError(f"{name} appears twice in --grid")
        grid[name] = parse_grid_values(name, text)
    return grid


def _sweep_outputs(args: argparse.Namespace, default_stem: str) -> tuple[Path, Path]:
    nc = Path(args.out) if args.out else Path("outputs") / f"{default_stem}.nc"
    if nc.suffix != ".nc":
        raise ParameterError(f"out = {str(nc)!r} must end in .nc")
    from protocols.output import check_output_location

    return check_output_location(nc, force=args.force)


def _silence_distributed_logging() -> None:
    """Keep distributed's log records (tracebacks while it reconnects) off stderr: a lost
    cluster is reported in one line, by :class:`ClusterError`."""
    import logging

    import distributed  # noqa: F401  (configures its loggers on import)

    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in _NOISY_LOGGERS]
    for name in {*names, *_NOISY_LOGGERS}:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


_NOISY_LOGGERS = ("distributed", "tornado", "asyncio")


def _cli_progress(estimate: str = "") -> tuple[ProgressCallback, Callable[[], None]]:
    from tqdm import tqdm

    desc = f"sweep (est. {estimate})" if estimate else "sweep"
    bar = tqdm(desc=desc, unit="point", file=sys.stderr, disable=None, mininterval=0.5)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update, bar.close


def _cmd_sweep(args: argparse.Namespace) -> int:
    from protocols.config import make_glass, parse_overrides, read_config, split_overrides
    from protocols.cost import (
        check_cost,
        estimate_gamma_seconds,
        estimate_run_seconds,
        format_duration,
        log_count,
    )
    from protocols.output import write_pair
    from protocols.run import default_times

    if not args.grid:
        raise ParameterError("--grid: give at least one NAME=VALUES (e.g. temperature=0.1,0.3)")
    _check_count("--tau-points-per-decade", args.tau_points_per_decade)
    _check_count("--points-per-decade", args.points_per_decade)
    grid = parse_grid(args.grid)
    config = read_config(args.config, tables=("glass", "protocol")) if args.config else {}
    kind = args.protocol or config.get("protocol", {}).get("kind")
    if kind is not None and kind not in PROTOCOLS:
        raise ParameterError(
            f"protocol = {kind!r} is not known; choose one of {', '.join(sorted(PROTOCOLS))}"
        )
    glass_table = dict(config.get("glass", {}))
    preset = args.glass or glass_table.pop("preset", None)
    glass_table.pop("preset", None)
    overrides = parse_overrides(args.overrides)
    from protocols.cli import with_spectrum

    base = with_spectrum(make_glass(preset, glass_table), args.spectrum)
    fields: set[str] = PROTOCOLS[kind].field_names() if kind else set()  # type: ignore[attr-defined]
    glass_changes, protocol_changes = split_overrides(overrides, base, fields)
    glass = (
        with_spectrum(make_glass(preset, {**glass_table, **glass_changes}), args.spectrum)
        if glass_changes
        else base
    )
    for name in grid:
        bare = name.split(".", 1)[1] if name.startswith(("glass.", "protocol.")) else name
        if bare in glass_changes or bare in protocol_changes:
            raise ParameterError(f"{bare} is both set (--set) and swept (--grid); choose one")
    if kind is None:
        if not isinstance(glass, Glass):
            raise ParameterError("a Gamma sweep needs a soft-potential glass (the STM has no Γ)")
        from protocols.checks import check_interval

        check_interval(
            "--tau-expt-min", args.tau_expt_min, "--tau-expt-max", args.tau_expt_max, "s"
        )
        n_tau = log_count(args.tau_expt_min, args.tau_expt_max, args.tau_points_per_decade)
        if "temperature" in grid:
            check_temperature("temperature", grid["temperature"])
        hottest = max(grid.get("temperature", [1.0]), default=1.0)
        per_point = estimate_gamma_seconds(glass, [hottest], args.tau_expt_max, n_tau)
        check_cost(f"a sweep point with {n_tau} tau_expt values", per_point, yes=args.yes)
        tau = log_times(args.tau_expt_min, args.tau_expt_max, args.tau_points_per_decade)
        protocol, times = None, None
    else:
        table = {k: v for k, v in config.get("protocol", {}).items() if k != "kind"}
        protocol = make_protocol(kind, **{**table, **protocol_changes})
        span = default_times(glass, protocol, 1)
        first = args.t_start if args.t_start is not None else float(span[0])
        last = args.t_stop if args.t_stop is not None else float(span[-1])
        from protocols.checks import check_interval

        check_interval("--t-start", first, "--t-stop", last, "s")
        n_times = log_count(first, last, args.points_per_decade)
        per_point = estimate_run_seconds(glass, protocol, last, n_times)
        check_cost(f"a sweep point with {n_times} output times", per_point, yes=args.yes)
        if args.t_start is None and args.t_stop is None:
            times = default_times(glass, protocol, args.points_per_decade)
        else:
            default = default_times(glass, protocol, 1)
            start = args.t_start if args.t_start is not None else float(default[0])
            stop = args.t_stop if args.t_stop is not None else float(default[-1])
            times = log_times(start, stop, args.points_per_decade)
        tau = None
    with warnings.catch_warnings():  # every check before anything is written; warned below
        warnings.simplefilter("ignore")
        _make_spec(glass, grid, tau, protocol, times, None, 1e-6)
    _check_options(None, args.scheduler, args.workers, args.chunk_size)
    nc, png = _sweep_outputs(args, f"sweep_{kind.replace('-', '_')}" if kind else "sweep")
    n_points = math.prod(len(v) for v in grid.values())
    local = args.scheduler is None or args.scheduler in LOCAL_SCHEDULERS
    share = (
        (args.workers or os.cpu_count() or 1) if local and args.scheduler != "synchronous" else 1
    )
    seconds = n_points * per_point / share
    where = f"on {share} local workers" if local else "per cluster worker thread"
    check_cost(f"a sweep of {n_points} points ({where})", seconds, yes=args.yes)
    report, close = (None, None) if args.quiet else _cli_progress(format_duration(seconds))
    if args.scheduler is not None and args.scheduler not in LOCAL_SCHEDULERS:
        _silence_distributed_logging()
    try:
        ds = sweep(
            glass,
            grid,
            tau_expt=tau,
            protocol=protocol,
            times=times,
            scheduler=args.scheduler,
            workers=args.workers,
            chunk_size=args.chunk_size,
            progress=report or False,
            cluster_timeout=args.cluster_timeout,
        )
    finally:
        if close is not None:
            close()
    write_pair(ds, nc, None if args.no_plot else plot_sweep, overwrite=args.force)
    if not args.quiet:
        dims = " x ".join(f"{n} ({ds.sizes[n]})" for n in grid_names(ds))
        print(f"wrote {nc}" + ("" if args.no_plot else f" and {png}"))
        print(
            f"sweep of {kind or 'Gamma(tau_expt)'} on {glass.name} ({model_summary(glass)}) "
            f"over {dims}"
        )
        if kind is None:
            g = ds["gruneisen_equilibrium"].isel(tau_expt=-1)
            print(
                f"Gamma with C(inf) at tau_expt = {float(ds.tau_expt[-1]):.4g} s: from "
                f"{float(g.min()):.4g} to {float(g.max()):.4g}"
            )
    return 0


def grid_names(ds: xr.Dataset) -> list[str]:
    """The swept dimensions of a sweep dataset, in order."""
    grid = json.loads(ds.attrs.get("grid", "{}"))
    return [str(n) for n in grid]


def add_sweep_command(
    subparsers: Any,
    add_glass_options: Callable[[argparse.ArgumentParser], None],
    add_output_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Register ``tls-expansion sweep`` on the sub-command parsers of the CLI.

    Parameters
    ----------
    subparsers
        What ``ArgumentParser.add_subparsers`` returned.
    add_glass_options
        Adds ``--glass``, ``--set`` and ``--config`` to a parser.
    add_output_options
        Adds ``--out``, ``--force``, ``--no-plot`` and ``--quiet`` to a parser.
    """
    sw = subparsers.add_parser(
        "sweep",
        help="Gamma(tau_expt) or a protocol over a grid of parameters, on dask",
        description="Sweep glass parameters and temperature (Gamma(tau_expt) mode, the "
        "default) or protocol parameters (--protocol KIND) over a grid; computed in blocks on "
        "dask, locally or on a dask.distributed cluster (--scheduler). Values: a,b,c; a range "
        "start:stop:num; or log:start:stop:num. See docs/sweeps.md.",
    )
    add_glass_options(sw)
    add_output_options(sw)
    sw.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=VALUES",
        help="a swept parameter and its values, e.g. --grid temperature=0.1,0.3,1 "
        "--grid c=4:8:5 --grid W=log:2:30:4 (repeatable; the order gives the dimensions)",
    )
    sw.add_argument(
        "--protocol",
        default=None,
        metavar="KIND",
        help=f"sweep a protocol instead of Gamma(tau_expt): one of {', '.join(sorted(PROTOCOLS))}",
    )
    from protocols.cli import add_tau_expt_range

    add_tau_expt_range(sw)
    sw.add_argument(
        "--tau-points-per-decade", type=int, default=5, help="tau_expt values per decade (5)"
    )
    from protocols.config import quantity_type

    sw.add_argument(
        "--t-start",
        type=quantity_type("s", "--t-start"),
        default=None,
        metavar="T",
        help="protocol: first output time, e.g. 1ns [s]",
    )
    sw.add_argument(
        "--t-stop",
        type=quantity_type("s", "--t-stop"),
        default=None,
        metavar="T",
        help="protocol: last output time, e.g. 1day [s]",
    )
    sw.add_argument(
        "--points-per-decade", type=int, default=20, help="protocol: output times per decade (20)"
    )
    sw.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="dask.distributed scheduler, e.g. tcp://10.0.0.5:8786; or a local scheduler: "
        "processes (default), threads, synchronous",
    )
    sw.add_argument(
        "--workers", type=int, default=None, metavar="N", help="local worker processes (cores)"
    )
    sw.add_argument(
        "--chunk-size", type=int, default=None, metavar="N", help="grid points per dask task"
    )
    sw.add_argument(
        "--cluster-timeout",
        type=float,
        default=CLUSTER_TIMEOUT_S,
        metavar="S",
        help="on a cluster: give up, in one line, once the scheduler has been unreachable or "
        f"without workers this long [s] ({CLUSTER_TIMEOUT_S:g})",
    )
    sw.set_defaults(func=_cmd_sweep)
