"""``tls-expansion metallic``: a metallic glass through its superconducting T_c."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from dynamics.glass import Glass
from dynamics.validation import (
    check_time,
)
from protocols.checks import check_temperature_interval
from protocols.cli.common import (
    TWO_LEVEL_LIMIT,
    UsageError,
    add_glass_options,
    add_output_options,
    glass_from_args,
    output_paths,
    progress_bar,
    table_rows,
    write_outputs,
)
from protocols.config import (
    quantity_type,
)
from protocols.cost import (
    check_cost,
    estimate_gamma_seconds,
    log_count,
)
from protocols.provenance import model_summary


def _cmd_metallic(args: argparse.Namespace) -> int:
    from protocols.metallic import alpha_through_tc
    from protocols.plots import plot_through_tc

    if args.glass is None:
        args.glass = "zrcu"
    glass, _ = glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("metallic needs a soft-potential glass")
    nc, png = output_paths(args, "metallic")
    T_low = args.temperature_min
    T_high = args.temperature_max if args.temperature_max is not None else TWO_LEVEL_LIMIT * glass.W
    check_temperature_interval("--temperature-min", T_low, "--temperature-max", T_high)
    check_time("--tau-expt", args.tau_expt)
    count = log_count(T_low, T_high, args.temperatures_per_decade)
    # each temperature a Gamma point, at the highest temperature (the most bins)
    seconds = count * estimate_gamma_seconds(
        glass, [T_high], max(args.tau_expt), len(args.tau_expt)
    )
    check_cost(f"metallic with {count} temperatures", seconds, yes=args.yes)
    temps = np.geomspace(T_low, T_high, count)
    progress = None if args.quiet else progress_bar(f"alpha through T_c of {glass.name}")
    try:
        ds = alpha_through_tc(glass, temps, args.tau_expt, progress=progress, yes=True)
    finally:
        if progress is not None:
            progress.close()
    written = write_outputs(args, ds, nc, plot_through_tc, png)
    if not args.quiet:
        print(written)
        print(
            f"# glass {glass.name} ({model_summary(glass)}), T_c = {glass.critical_temperature:g} K"
        )
        print(
            "# T [K]  alpha_e [K-1]  " + "  ".join(f"alpha_total({t:g} s)" for t in args.tau_expt)
        )
        tc = glass.critical_temperature
        for i in table_rows(temps, max_rows=10, marks=(tc,) if tc > 0 else ()):
            row = "  ".join(
                f"{float(ds.alpha_total[i, j]):17.4e}" for j in range(len(args.tau_expt))
            )
            side = "" if tc <= 0 else ("  (above T_c)" if temps[i] > tc else "  (below T_c)")
            print(f"  {temps[i]:6.3f} {float(ds.alpha_electron[i]):13.4e}  {row}{side}")
    return 0


def add_command(sub: Any) -> None:
    """Register the command on the sub-command parsers of the CLI."""
    mt = sub.add_parser(
        "metallic",
        help="a metallic glass through its superconducting T_c: alpha and Gamma against T",
    )
    add_glass_options(mt)
    add_output_options(mt)
    mt.add_argument(
        "--temperature-min",
        type=quantity_type("K", "--temperature-min"),
        default=0.3,
        metavar="T",
        help="lowest temperature [K] (0.3)",
    )
    mt.add_argument(
        "--temperature-max",
        type=quantity_type("K", "--temperature-max"),
        default=None,
        metavar="T",
        help="highest temperature [K] (0.1 W/k_B of the glass, the top of the two-level range: "
        "3 K for zrcu)",
    )
    mt.add_argument(
        "--temperatures-per-decade",
        type=int,
        default=40,
        metavar="N",
        help="temperatures per decade, log-spaced, both ends included (40)",
    )
    mt.add_argument(
        "--tau-expt",
        type=quantity_type("s", "--tau-expt"),
        nargs="+",
        default=[1e-6, 1.0, 1e3],
        metavar="T",
        help="durations of the experiment, e.g. 1us 1s 1000s [s] (1e-6 1 1e3)",
    )
    mt.set_defaults(func=_cmd_metallic)
