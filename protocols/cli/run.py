"""``tls-expansion run``: simulate a protocol; the main job."""

from __future__ import annotations

import argparse
from typing import Any

from protocols.cli.common import (
    FEWER_TIMES,
    UsageError,
    add_glass_options,
    add_output_options,
    add_time_window_options,
    glass_and_changes,
    output_paths,
    output_times,
    progress_bar,
    time_span,
    write_outputs,
)
from protocols.config import (
    read_config,
)
from protocols.cost import (
    check_cost,
    estimate_run_seconds,
    format_duration,
)
from protocols.histories import (
    DEFAULT_PROTOCOL,
    PROTOCOLS,
    Schedule,
    TemperatureHistory,
    make_protocol,
)
from protocols.provenance import model_summary


def _cmd_run(args: argparse.Namespace) -> int:
    from protocols.run import run

    config = read_config(args.config) if args.config else {}
    kind = args.protocol or config.get("protocol", {}).get("kind") or DEFAULT_PROTOCOL
    if kind not in PROTOCOLS:
        raise UsageError(
            f"protocol = {kind!r} is not known; choose one of {', '.join(sorted(PROTOCOLS))}"
        )
    glass, _, protocol_changes = glass_and_changes(args, config, PROTOCOLS[kind].field_names())
    protocol_table = {k: v for k, v in config.get("protocol", {}).items() if k != "kind"}
    params = {**protocol_table, **protocol_changes}
    protocol: TemperatureHistory
    if kind == "schedule" and args.schedule:
        protocol = Schedule.from_csv(args.schedule, params.pop("T_start", None))
        if params:
            raise UsageError(
                f"schedule from a file takes no other parameters; got {sorted(params)}"
            )
    else:
        if args.schedule:
            raise UsageError("--schedule goes with the 'schedule' protocol")
        protocol = make_protocol(kind, **params)
    nc, png = output_paths(args, kind.replace("-", "_"))
    # resolved once: a pulse given by its heat density gets its rise here, not in every step
    protocol = protocol.resolved(glass)
    t_end, count = time_span(args, glass, protocol, config.get("run"))
    seconds = estimate_run_seconds(glass, protocol, t_end, count)
    rows = f" of {len(protocol.breakpoints)} rows" if isinstance(protocol, Schedule) else ""
    hint = FEWER_TIMES + (", or a schedule of fewer rows" if rows else "")
    check_cost(f"{kind}{rows} with {count} output times", seconds, yes=args.yes, hint=hint)
    times = output_times(args, glass, protocol, config.get("run"))
    build = None if args.quiet else progress_bar(f"TLS ensemble of {glass.name}")
    label = f"{kind} on {glass.name} (est. {format_duration(seconds)})"
    progress = None if args.quiet else progress_bar(label)
    try:
        ds = run(glass, protocol, times, progress=progress, build_progress=build, yes=True)
    finally:
        for bar in (build, progress):
            if bar is not None:
                bar.close()
    written = write_outputs(args, ds, nc, _figure(args), png)
    if not args.quiet:
        from protocols.plots import strain_excursion

        peak = strain_excursion(ds)
        strain = (
            f"largest strain excursion {peak[1]:.4g} at {peak[0]:.4g} s"
            if peak is not None
            else f"strain {float(ds.strain[-1]):.4g} at the end"
        )
        print(written)
        print(
            f"{kind} on {glass.name} ({model_summary(glass)}): {ds.sizes['time']} times from "
            f"{float(ds.time[0]):.3g} to {float(ds.time[-1]):.3g} s; {strain}; "
            f"tau_min({float(ds.tau_min_temperature):.4g} K) = {float(ds.tau_min):.4g} s"
        )
    return 0


def _figure(args: argparse.Namespace) -> Any:
    """:func:`protocols.plots.plot_run`, or None with ``--no-plot`` (pyplot is imported only
    where a figure is drawn)."""
    if args.no_plot:
        return None
    from protocols.plots import plot_run

    return plot_run


def add_command(sub: Any) -> None:
    """Register the command on the sub-command parsers of the CLI."""
    rn = sub.add_parser(
        "run",
        help="simulate a protocol; writes a netCDF dataset and a PNG under outputs/",
        description="Simulate a heating protocol on a glass. Protocol parameters are set with "
        "--set NAME=VALUE or a [protocol] table in --config; see docs/protocols.md.",
    )
    rn.add_argument(
        "protocol",
        nargs="?",
        default=None,
        help=f"one of {', '.join(sorted(PROTOCOLS))} (default {DEFAULT_PROTOCOL})",
    )
    add_glass_options(rn)
    add_output_options(rn)
    rn.add_argument(
        "--schedule",
        default=None,
        metavar="CSV",
        help="for 'schedule': a CSV of time_s, temperature_K",
    )
    add_time_window_options(rn)
    rn.set_defaults(func=_cmd_run)
