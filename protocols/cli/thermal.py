"""``tls-expansion thermal``: heat capacity, thermal expansion and Grüneisen parameter of a glass,
part by part, from 0.05 to 20 K (:mod:`protocols.thermal`, docs/physics.md §11)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from dynamics.parts import DEFAULT_TEMPERATURE_RANGE
from dynamics.validation import check_positive
from protocols.checks import check_temperature_interval
from protocols.cli.common import (
    add_glass_options,
    add_output_options,
    glass_from_args,
    output_paths,
    progress_bar,
    table_rows,
    write_outputs,
)
from protocols.config import quantity_type
from protocols.cost import check_cost, estimate_gamma_seconds
from protocols.histories import log_count
from protocols.provenance import model_summary
from protocols.thermal import DEFAULT_TAU_EXPT

#: The default grid of the command: dynamics.parts.DEFAULT_TEMPERATURE_RANGE, per decade.
(T_LOW, T_HIGH), PER_DECADE = DEFAULT_TEMPERATURE_RANGE, 30
#: The glass of the command unless told otherwise: the soft-potential model of silica, which has
#: every part (the paper's two-level ``ggp1985`` has only the TLS and phonons).
DEFAULT_GLASS = "silica-spm"


def _cmd_thermal(args: argparse.Namespace) -> int:
    from protocols.plots import plot_thermal
    from protocols.thermal import thermal

    if args.glass is None:
        args.glass = DEFAULT_GLASS
    glass, _ = glass_from_args(args)
    nc, png = output_paths(args, "thermal")
    t_low, t_high = args.temperature_min, args.temperature_max
    check_temperature_interval("--temperature-min", t_low, "--temperature-max", t_high)
    check_positive("--tau-expt", args.tau_expt, "s")
    count = log_count(t_low, t_high, args.temperatures_per_decade)
    # the slow doublets' response at every temperature dominates (the bins of the highest)
    seconds = count * estimate_gamma_seconds(
        glass, [t_high], max(args.tau_expt), len(args.tau_expt)
    )
    check_cost(f"thermal with {count} temperatures", seconds, yes=args.yes)
    temps = np.geomspace(t_low, t_high, count)
    tau = np.unique(np.asarray(args.tau_expt, dtype=float))
    progress = None if args.quiet else progress_bar(f"thermal curves of {glass.name}")
    try:
        ds = thermal(glass, temps, tau, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    written = write_outputs(args, ds, nc, plot_thermal, png)
    if not args.quiet:
        print(written)
        _print_table(ds, glass, tau)
    return 0


def _print_table(ds: Any, glass: Any, tau: Any) -> None:
    """C/T^3 of each part and the total Gamma at the longest tau_expt, rows at both ends, every
    other decade and around the C/T^3 minimum and maximum (the rows that carry the claim)."""
    total = ds["heat_capacity"].sel(part="total", tau_expt=tau[-1]).values
    temps = ds.temperature.values
    ratio = total / temps**3
    low = int(np.argmin(ratio))  # the C/T^3 minimum, then the boson-peak maximum above it
    marks = (float(temps[low]), float(temps[low + int(np.argmax(ratio[low:]))]))
    print(f"# glass {glass.name} ({model_summary(glass)}), population {glass.population}")
    print(f"# C/T^3 [J m-3 K-4] by part and Gamma at tau_expt = {tau[-1]:g} s")
    parts = [str(p) for p in ds.part.values if p != "total"]
    print("# T [K]  " + "  ".join(f"{p[:12]:>12}" for p in parts) + "        total   Gamma")
    for i in table_rows(temps, max_rows=12, marks=marks):
        row = ds["heat_capacity"].isel(temperature=i).sel(tau_expt=tau[-1])
        cells = "  ".join(f"{float(row.sel(part=p)) / temps[i] ** 3:12.4g}" for p in parts)
        gamma = float(ds["gruneisen"].isel(temperature=i).sel(part="total", tau_expt=tau[-1]))
        print(f"  {temps[i]:6.4g} {cells} {ratio[i]:12.4g} {gamma:7.3g}")


def add_command(sub: Any) -> None:
    """Register the command on the sub-command parsers of the CLI."""
    th = sub.add_parser(
        "thermal",
        help="heat capacity, thermal expansion and Gamma by part from 0.05 to 20 K: dataset and "
        "figure (C/T^3 and Gamma(T) of each part)",
    )
    add_glass_options(th)
    add_output_options(th)
    th.add_argument(
        "--temperature-min",
        type=quantity_type("K", "--temperature-min"),
        default=T_LOW,
        metavar="T",
        help=f"lowest temperature [K] ({T_LOW:g})",
    )
    th.add_argument(
        "--temperature-max",
        type=quantity_type("K", "--temperature-max"),
        default=T_HIGH,
        metavar="T",
        help=f"highest temperature [K] ({T_HIGH:g})",
    )
    th.add_argument(
        "--temperatures-per-decade",
        type=int,
        default=PER_DECADE,
        metavar="N",
        help=f"temperatures per decade, log-spaced, both ends included ({PER_DECADE})",
    )
    th.add_argument(
        "--tau-expt",
        type=quantity_type("s", "--tau-expt"),
        nargs="+",
        default=list(DEFAULT_TAU_EXPT),
        metavar="T",
        help="durations of the experiment, e.g. 1ms 10s 1000s 1day [s] ("
        + " ".join(f"{t:g}" for t in DEFAULT_TAU_EXPT)
        + ")",
    )
    th.set_defaults(func=_cmd_thermal)
