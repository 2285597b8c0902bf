"""``tls-expansion sweep``: Γ(τ_expt) or a protocol over a grid of parameters, on dask."""

from __future__ import annotations

import argparse
import logging
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynamics.glass import Glass
from dynamics.validation import ParameterError, check_temperature
from protocols.cli.common import (
    add_glass_options,
    add_output_options,
    add_tau_expt_range,
    add_time_window_options,
    glass_and_changes,
    output_paths,
    output_times,
    refuse_options,
    tau_expt_count,
    tau_expt_defaults,
    tau_expt_values,
    time_span,
    write_outputs,
)
from protocols.config import read_config
from protocols.cost import (
    check_cost,
    estimate_gamma_seconds,
    estimate_run_seconds,
    format_duration,
)
from protocols.histories import PROTOCOLS, TemperatureHistory, make_protocol
from protocols.provenance import model_summary
from protocols.sweeps.assembly import grid_names
from protocols.sweeps.driver import sweep
from protocols.sweeps.execution import (
    CLUSTER_TIMEOUT_S,
    LOCAL_SCHEDULERS,
    ProgressCallback,
    check_count,
    check_options,
)
from protocols.sweeps.grid import FloatArray, make_spec, parse_grid

if TYPE_CHECKING:
    import xarray as xr


def _silence_distributed_logging() -> None:
    """Keep distributed's log records (tracebacks while it reconnects) off stderr: a lost
    cluster is reported in one line, by :class:`ClusterError`."""

    import distributed  # noqa: F401  (configures its loggers on import)

    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in _NOISY_LOGGERS]
    for name in {*names, *_NOISY_LOGGERS}:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


_NOISY_LOGGERS = ("distributed", "tornado", "asyncio")


def _cli_progress(estimate: str = "") -> tuple[ProgressCallback, Callable[[], None]]:
    from protocols.progress import Progress

    report = Progress(f"sweep (est. {estimate})" if estimate else "sweep")
    return report.counted, report.close


#: Options of one mode of the sweep, refused in the other (they would be ignored).
_PROTOCOL_OPTIONS = ("t_start", "t_stop", "times_per_decade")
_GAMMA_OPTIONS = ("tau_expt_min", "tau_expt_max", "tau_expt_per_decade")
_ONLY_PROTOCOL = "is for a protocol sweep (tls-expansion sweep PROTOCOL ...), not Gamma(tau_expt)"
_ONLY_GAMMA = "is for a Gamma(tau_expt) sweep (no PROTOCOL); a protocol sweep takes output times"
#: tau_expt values per decade of a Gamma(tau_expt) sweep by default. [1]
TAU_EXPT_PER_DECADE = 5


@dataclass(frozen=True)
class _Request:
    """A sweep as the command line asks for it, checked (the arguments of
    :func:`protocols.sweeps.sweep`), with its estimated cost."""

    kind: str | None  # the protocol kind; None for Gamma(tau_expt)
    glass: Any
    grid: dict[str, list[float]]  # name -> values, in the parameter's unit
    protocol: TemperatureHistory | None
    tau_expt: FloatArray | None  # [s]
    times: FloatArray | None  # [s]
    seconds_per_point: float  # estimated computing time of one grid point [s]


def _cmd_sweep(args: argparse.Namespace) -> int:
    """Run ``tls-expansion sweep``: read and check the request, check its cost, compute it, write
    the dataset (and its figure) and print a summary unless ``--quiet``.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        0; bad input raises, and :func:`protocols.cli.main` reports it in one line (exit 2).
    """
    from protocols.plots import plot_sweep

    request = _read_request(args)
    nc, png = output_paths(
        args, f"sweep_{request.kind.replace('-', '_')}" if request.kind else "sweep"
    )
    seconds = _check_sweep_cost(args, request)
    ds = _run_sweep(args, request, seconds)
    written = write_outputs(args, ds, nc, plot_sweep, png)
    if not args.quiet:
        _print_summary(ds, request, written)
    return 0


def _read_request(args: argparse.Namespace) -> _Request:
    """The sweep the arguments ask for, every part checked before anything is computed or
    written (the grid's glasses and protocols too; their warnings come with the sweep).

    Parameters
    ----------
    args
        The parsed arguments of ``tls-expansion sweep``.

    Returns
    -------
    _Request
        The checked sweep; refused (:func:`protocols.cost.check_cost`) if one point is estimated
        above the limit and ``--yes`` is not given.

    Raises
    ------
    dynamics.ParameterError
        Naming the option or parameter, its value and what is allowed.
    """
    grid = _grid_from_args(args)
    config = read_config(args.config, tables=("glass", "protocol")) if args.config else {}
    kind = args.protocol or config.get("protocol", {}).get("kind")
    if kind is not None and kind not in PROTOCOLS:
        raise ParameterError(
            f"protocol = {kind!r} is not known; choose one of {', '.join(sorted(PROTOCOLS))}"
        )
    fields: set[str] = PROTOCOLS[kind].field_names() if kind else set()
    glass, glass_changes, protocol_changes = glass_and_changes(args, config, fields)
    for name in grid:
        bare = name.split(".", 1)[1] if name.startswith(("glass.", "protocol.")) else name
        if bare in glass_changes or bare in protocol_changes:
            raise ParameterError(f"{bare} is both set (--set) and swept (--grid); choose one")
    protocol = tau = times = None
    if kind is None:
        refuse_options(args, _PROTOCOL_OPTIONS, _ONLY_PROTOCOL)
        tau_expt_defaults(args, TAU_EXPT_PER_DECADE)
        per_point = _gamma_point_cost(args, glass, grid)
        tau = tau_expt_values(args)
    else:
        refuse_options(args, _GAMMA_OPTIONS, _ONLY_GAMMA)
        table = {k: v for k, v in config.get("protocol", {}).items() if k != "kind"}
        protocol = make_protocol(kind, **{**table, **protocol_changes})
        per_point = _protocol_point_cost(args, glass, protocol)
        times = _protocol_times(args, glass, protocol)
    with warnings.catch_warnings():  # every check before anything is written; warned below
        warnings.simplefilter("ignore")
        make_spec(glass, grid, tau, protocol, times, None, 1e-6)
    check_options(None, args.scheduler, args.workers, args.chunk_size)
    return _Request(kind, glass, grid, protocol, tau, times, per_point)


def _grid_from_args(args: argparse.Namespace) -> dict[str, list[float]]:
    """The ``--grid`` options as name -> values, with the per-decade counts checked first.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    dict
        Swept parameter -> its values, in the parameter's unit, in the order given.

    Raises
    ------
    dynamics.ParameterError
        No ``--grid``, a count that is not a positive integer, or a malformed ``--grid``.
    """
    if not args.grid:
        raise ParameterError("--grid: give at least one NAME=VALUES (e.g. temperature=0.1,0.3)")
    check_count("--tau-expt-per-decade", args.tau_expt_per_decade)
    check_count("--times-per-decade", args.times_per_decade)
    return parse_grid(args.grid)


def _gamma_point_cost(args: argparse.Namespace, glass: Any, grid: dict[str, list[float]]) -> float:
    """Check a Gamma(tau_expt) sweep's options, and refuse it if one point is estimated above
    the limit (without ``--yes``).

    Parameters
    ----------
    args
        The parsed arguments (``--tau-expt-min``/``--tau-expt-max`` [s], ``--tau-expt-per-decade``
        [1]).
    glass
        The base glass: a soft-potential glass.
    grid
        Swept parameter -> values; the temperatures [K] are checked.

    Returns
    -------
    float
        Estimated computing time of one point, at the hottest temperature. [s]
    """
    if not isinstance(glass, Glass):
        raise ParameterError("a Gamma sweep needs a soft-potential glass (the STM has no Γ)")
    n_tau = tau_expt_count(args)
    if "temperature" in grid:
        check_temperature("temperature", grid["temperature"])
    hottest = max(grid.get("temperature", [1.0]), default=1.0)
    per_point = estimate_gamma_seconds(glass, [hottest], args.tau_expt_max, n_tau)
    check_cost(f"a sweep point with {n_tau} tau_expt values", per_point, yes=args.yes)
    return per_point


def _protocol_point_cost(args: argparse.Namespace, glass: Any, protocol: Any) -> float:
    """Refuse a protocol sweep if one point is estimated above the limit (without ``--yes``).

    Parameters
    ----------
    args
        The parsed arguments (``--t-start``/``--t-stop`` [s], ``--times-per-decade`` [1]).
    glass
        The base glass.
    protocol
        The base protocol.

    Returns
    -------
    float
        Estimated computing time of one point. [s]
    """
    last, n_times = time_span(args, glass, protocol)
    per_point = estimate_run_seconds(glass, protocol, last, n_times)
    check_cost(f"a sweep point with {n_times} output times", per_point, yes=args.yes)
    return per_point


def _protocol_times(args: argparse.Namespace, glass: Any, protocol: Any) -> FloatArray:
    """The output times of a protocol sweep: :func:`protocols.run.default_times` without
    ``--t-start``/``--t-stop``, else :func:`protocols.cli.common.output_times`. [s]

    Without either option the default times are taken as they are, not rebuilt from their ends
    as ``output_times`` would (their last bits may differ).

    Parameters
    ----------
    args
        The parsed arguments (``--t-start``/``--t-stop`` [s], ``--times-per-decade`` [1]).
    glass
        The base glass.
    protocol
        The base protocol.

    Returns
    -------
    numpy.ndarray
        Non-decreasing output times. [s]
    """
    if args.t_start is None and args.t_stop is None:
        from protocols.run import default_times

        return default_times(glass, protocol, args.times_per_decade or 20)
    return output_times(args, glass, protocol)


def _check_sweep_cost(args: argparse.Namespace, request: _Request) -> float:
    """Refuse the whole sweep if it is estimated above the limit (without ``--yes``).

    Parameters
    ----------
    args
        The parsed arguments (``--scheduler``, ``--workers`` [1], ``--yes``).
    request
        The checked sweep.

    Returns
    -------
    float
        Estimated duration: on a local scheduler, shared by its workers; on a cluster, per
        worker thread. [s]
    """
    n_points = math.prod(len(v) for v in request.grid.values())
    local = args.scheduler is None or args.scheduler in LOCAL_SCHEDULERS
    share = (
        (args.workers or os.cpu_count() or 1) if local and args.scheduler != "synchronous" else 1
    )
    seconds = n_points * request.seconds_per_point / share
    where = f"on {share} local workers" if local else "per cluster worker thread"
    check_cost(f"a sweep of {n_points} points ({where})", seconds, yes=args.yes)
    return seconds


def _run_sweep(args: argparse.Namespace, request: _Request, seconds: float) -> xr.Dataset:
    """Compute the sweep, with a progress bar unless ``--quiet``.

    Parameters
    ----------
    args
        The parsed arguments (``--scheduler``, ``--workers``, ``--chunk-size``,
        ``--cluster-timeout`` [s], ``--quiet``).
    request
        The checked sweep.
    seconds
        Its estimated duration, shown on the progress bar. [s]

    Returns
    -------
    xarray.Dataset
        As :func:`protocols.sweeps.sweep` returns it.
    """
    report, close = (None, None) if args.quiet else _cli_progress(format_duration(seconds))
    if args.scheduler is not None and args.scheduler not in LOCAL_SCHEDULERS:
        _silence_distributed_logging()
    try:
        return sweep(
            request.glass,
            request.grid,
            tau_expt=request.tau_expt,
            protocol=request.protocol,
            times=request.times,
            scheduler=args.scheduler,
            workers=args.workers,
            chunk_size=args.chunk_size,
            progress=report or False,
            cluster_timeout=args.cluster_timeout,
            yes=True,  # checked by _check_sweep_cost, with the command line's wording
        )
    finally:
        if close is not None:
            close()


def _print_summary(ds: xr.Dataset, request: _Request, written: str) -> None:
    """Print what was written and what was swept; for Gamma(tau_expt), the range of Γ with the
    equilibrium heat capacity at the longest tau_expt.

    Parameters
    ----------
    ds
        The sweep's dataset.
    request
        The sweep.
    written
        What was written (:func:`protocols.cli.common.write_outputs`).
    """
    dims = " x ".join(f"{n} ({ds.sizes[n]})" for n in grid_names(ds))
    print(written)
    glass = request.glass
    print(
        f"sweep of {request.kind or 'Gamma(tau_expt)'} on {glass.name} ({model_summary(glass)}) "
        f"over {dims}"
    )
    if request.kind is None:
        g = ds["gruneisen_equilibrium"].isel(tau_expt=-1)
        print(
            f"Gamma with C(inf) at tau_expt = {float(ds.tau_expt[-1]):.4g} s: from "
            f"{float(g.min()):.4g} to {float(g.max()):.4g}"
        )


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
        "default) or a protocol (tls-expansion sweep PROTOCOL ...) over a grid; computed in "
        "blocks on "
        "dask, locally or on a dask.distributed cluster (--scheduler). Values: a,b,c; a range "
        "start:stop:num; or log:start:stop:num. See docs/sweeps.md.",
    )
    add_glass_options(sw)
    add_output_options(sw)
    _add_grid_options(sw)
    _add_dask_options(sw)
    sw.set_defaults(func=_cmd_sweep)


def _add_grid_options(parser: argparse.ArgumentParser) -> None:
    """Add what is swept and along what: ``--grid`` and the protocol; for Gamma(tau_expt),
    ``--tau-expt-min``/``--tau-expt-max`` [s] and ``--tau-expt-per-decade`` [1]; for a
    protocol, ``--t-start``/``--t-stop`` [s] and ``--times-per-decade`` [1]."""
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=VALUES",
        help="a swept parameter and its values, e.g. --grid temperature=0.1,0.3,1 "
        "--grid c=4:8:5 --grid W=log:2:30:4 (repeatable; the order gives the dimensions)",
    )
    parser.add_argument(
        "protocol",
        nargs="?",
        default=None,
        metavar="PROTOCOL",
        help="sweep a protocol instead of Gamma(tau_expt), as 'run' takes it: one of "
        f"{', '.join(sorted(PROTOCOLS))}",
    )
    add_tau_expt_range(parser, per_decade=TAU_EXPT_PER_DECADE, context="Gamma(tau_expt): ")
    add_time_window_options(parser, "protocol: ")


def _add_dask_options(parser: argparse.ArgumentParser) -> None:
    """Add where the sweep runs: ``--scheduler``, ``--workers``, ``--chunk-size`` and
    ``--cluster-timeout`` [s]."""
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="dask.distributed scheduler, e.g. tcp://10.0.0.5:8786; or a local scheduler: "
        "processes (default), threads, synchronous",
    )
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N", help="local worker processes (cores)"
    )
    parser.add_argument(
        "--chunk-size", type=int, default=None, metavar="N", help="grid points per dask task"
    )
    parser.add_argument(
        "--cluster-timeout",
        type=float,
        default=CLUSTER_TIMEOUT_S,
        metavar="S",
        help="on a cluster: give up, in one line, once the scheduler has been unreachable or "
        f"without workers this long [s] ({CLUSTER_TIMEOUT_S:g})",
    )


def add_command(sub: Any) -> None:
    """Register ``tls-expansion sweep`` on the sub-command parsers of the CLI."""
    add_sweep_command(sub, add_glass_options, add_output_options)
