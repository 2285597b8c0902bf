"""``tls-expansion gamma``: Γ(τ_expt) from the simulation and (6.4)."""

from __future__ import annotations

import argparse
from typing import Any

from dynamics.glass import Glass
from dynamics.validation import (
    check_temperature,
)
from protocols.cli.common import (
    UsageError,
    add_glass_options,
    add_output_options,
    add_tau_expt_range,
    check_tau_expt_range,
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
    estimate_gamma_seconds,
    log_count,
)
from protocols.histories import (
    log_times,
)
from protocols.provenance import model_summary


def _cmd_gamma(args: argparse.Namespace) -> int:
    from protocols.plots import plot_gruneisen
    from protocols.run import gruneisen_vs_tau

    glass, _ = glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("gamma needs a soft-potential glass (the STM has no (6.4))")
    output_paths(args, "gruneisen")
    check_tau_expt_range(args)
    check_temperature("temperature", args.temperatures)
    n_tau = log_count(args.tau_expt_min, args.tau_expt_max, args.points_per_decade)
    seconds = estimate_gamma_seconds(glass, args.temperatures, args.tau_expt_max, n_tau)
    check_cost(f"gamma with {n_tau} tau_expt values", seconds, yes=args.yes)
    tau = log_times(args.tau_expt_min, args.tau_expt_max, args.points_per_decade)
    progress = None if args.quiet else progress_bar(f"Gamma(tau_expt) of {glass.name}")
    try:
        ds = gruneisen_vs_tau(glass, args.temperatures, tau, progress=progress, yes=True)
    finally:
        if progress is not None:
            progress.close()
    written = write_outputs(args, ds, plot_gruneisen)
    if not args.quiet:
        print(written)
        print(
            f"# Grüneisen parameter of glass {glass.name} ({model_summary(glass)}); "
            "(6.4) is the paper's closed form"
        )
        print(
            "# T [K]   tau_expt [s]   Gamma C(inf)   Gamma C(tau)   (6.4) derived   (6.4) printed"
        )
        for temp in ds.temperature.values:
            sel = ds.sel(temperature=temp)
            for j in range(0, ds.sizes["tau_expt"], max(1, ds.sizes["tau_expt"] // 6)):
                print(
                    f"  {temp:6.3g} {float(sel.tau_expt[j]):13.4g} "
                    f"{float(sel.gruneisen_equilibrium[j]):14.4f} "
                    f"{float(sel.gruneisen[j]):14.4f} {float(sel.gruneisen_closed_form[j]):15.4f} "
                    f"{float(sel.gruneisen_closed_form_printed[j]):15.4f}"
                )
    return 0


def add_command(sub: Any) -> None:
    """Register the command on the sub-command parsers of the CLI."""
    gm = sub.add_parser(
        "gamma", help="Gamma(tau_expt) from the simulation and (6.4): dataset and plot"
    )
    add_glass_options(gm)
    add_output_options(gm)
    gm.add_argument(
        "--temperatures",
        type=quantity_type("K", "--temperatures"),
        nargs="+",
        default=[0.1, 0.3, 1.0],
        metavar="T",
        help="temperatures, e.g. 0.1 0.3 1 or 100mK 300mK 1K [K] (0.1 0.3 1)",
    )
    add_tau_expt_range(gm)
    gm.add_argument(
        "--points-per-decade", type=int, default=5, help="tau_expt values per decade (5)"
    )
    gm.set_defaults(func=_cmd_gamma)
