"""``tls-expansion sweep``: Γ(τ_expt) or a protocol over a grid of parameters, on dask."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

from dynamics.glass import Glass
from dynamics.validation import ParameterError, check_temperature
from protocols.cli.common import (
    add_glass_options,
    add_output_options,
    check_tau_expt_range,
    output_paths,
)
from protocols.histories import PROTOCOLS, log_times, make_protocol
from protocols.plots import plot_sweep
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
from protocols.sweeps.grid import make_spec, parse_grid


def _silence_distributed_logging() -> None:
    """Keep distributed's log records (tracebacks while it reconnects) off stderr: a lost
    cluster is reported in one line, by :class:`ClusterError`."""

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
    check_count("--tau-points-per-decade", args.tau_points_per_decade)
    check_count("--points-per-decade", args.points_per_decade)
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
    from protocols.cli.common import with_spectrum

    base = with_spectrum(make_glass(preset, glass_table, args.spectrum), args.spectrum)
    fields: set[str] = PROTOCOLS[kind].field_names() if kind else set()  # type: ignore[attr-defined]
    glass_changes, protocol_changes = split_overrides(overrides, base, fields)
    glass = (
        with_spectrum(
            make_glass(preset, {**glass_table, **glass_changes}, args.spectrum), args.spectrum
        )
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
        check_tau_expt_range(args)
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
        make_spec(glass, grid, tau, protocol, times, None, 1e-6)
    check_options(None, args.scheduler, args.workers, args.chunk_size)
    nc, png = output_paths(args, f"sweep_{kind.replace('-', '_')}" if kind else "sweep")
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
    from protocols.cli.common import add_tau_expt_range

    add_tau_expt_range(sw)
    sw.add_argument(
        "--tau-points-per-decade", type=int, default=5, help="tau_expt values per decade (5)"
    )
    from protocols.cli.common import add_time_window_options

    add_time_window_options(sw, "protocol: ")
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


def add_command(sub: Any) -> None:
    """Register ``tls-expansion sweep`` on the sub-command parsers of the CLI."""
    add_sweep_command(sub, add_glass_options, add_output_options)
