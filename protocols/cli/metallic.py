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
    write_outputs,
)
from protocols.config import (
    quantity_type,
)
from protocols.cost import (
    check_cost,
    step_work,
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
    output_paths(args, "metallic")
    t_high = args.t_high if args.t_high is not None else TWO_LEVEL_LIMIT * glass.W
    check_temperature_interval("--t-low", args.t_low, "--t-high", t_high)
    check_time("--tau-expt", args.tau_expt)
    # one linear response per temperature, each given the bins of the highest (the most)
    work = step_work(glass, t_high, args.points, max(args.tau_expt), len(args.tau_expt))
    check_cost(f"metallic with {args.points} temperatures", work.seconds, yes=args.yes)
    temps = np.geomspace(args.t_low, t_high, args.points)
    progress = None if args.quiet else progress_bar(f"alpha through T_c of {glass.name}")
    try:
        ds = alpha_through_tc(glass, temps, args.tau_expt, progress=progress, yes=True)
    finally:
        if progress is not None:
            progress.close()
    written = write_outputs(args, ds, plot_through_tc)
    if not args.quiet:
        print(written)
        print(
            f"# glass {glass.name} ({model_summary(glass)}), T_c = {glass.critical_temperature:g} K"
        )
        print(
            "# T [K]  alpha_e [K-1]  " + "  ".join(f"alpha_total({t:g} s)" for t in args.tau_expt)
        )
        for i in range(0, temps.size, max(1, temps.size // 10)):
            row = "  ".join(
                f"{float(ds.alpha_total[i, j]):17.4e}" for j in range(len(args.tau_expt))
            )
            print(f"  {temps[i]:6.3f} {float(ds.alpha_electron[i]):13.4e}  {row}")
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
        "--t-low",
        type=quantity_type("K", "--t-low"),
        default=0.3,
        metavar="T",
        help="lowest temperature [K] (0.3)",
    )
    mt.add_argument(
        "--t-high",
        type=quantity_type("K", "--t-high"),
        default=None,
        metavar="T",
        help="highest temperature [K] (0.1 W/k_B of the glass, the top of the two-level range: "
        "3 K for zrcu)",
    )
    mt.add_argument("--points", type=int, default=40, help="temperatures, log-spaced (40)")
    mt.add_argument(
        "--tau-expt",
        type=quantity_type("s", "--tau-expt"),
        nargs="+",
        default=[1e-6, 1.0, 1e3],
        metavar="T",
        help="durations of the experiment, e.g. 1us 1s 1000s [s] (1e-6 1 1e3)",
    )
    mt.set_defaults(func=_cmd_metallic)
