"""``tls-expansion closed-form``: the paper's closed-form Γ(τ_expt) (6.4) as a table."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from dynamics.closed_forms import closed_form_gruneisen
from dynamics.glass import Glass
from dynamics.validation import (
    check_temperature,
)
from protocols.cli.common import (
    UsageError,
    add_glass_options,
    add_tau_expt_range,
    add_yes_option,
    check_tau_expt_range,
    glass_from_args,
)
from protocols.config import (
    quantity_type,
)
from protocols.cost import (
    SECONDS_PER_CLOSED_FORM_POINT,
    check_cost,
)
from protocols.provenance import model_summary


def _cmd_closed_form(args: argparse.Namespace) -> int:
    glass, _ = glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("closed-form needs a soft-potential glass (the STM has no (6.4))")
    check_temperature("--temperature", args.temperature)
    check_tau_expt_range(args)
    seconds = args.points * SECONDS_PER_CLOSED_FORM_POINT
    check_cost(f"closed-form with {args.points} points", seconds, yes=args.yes)
    tau = np.logspace(np.log10(args.tau_expt_min), np.log10(args.tau_expt_max), args.points)
    table = closed_form_gruneisen(glass, args.temperature, tau, smooth=not args.sharp)
    print(
        f"# Grüneisen parameter (6.4) of glass {glass.name!r} at T = {args.temperature:g} K; "
        f"tau_min(T) = tau_m(E = k_B T, T) = {float(table['tau_min']):.4g} s"
    )
    print(
        "# (6.4) is the paper's closed form: asymptotic spectrum, relaxation coupling symmetric "
        f"(whatever the glass: {model_summary(glass)})"
    )
    print("# derived: coefficients from (6.1)-(6.3); printed: the paper's 0.55 and 0.037")
    print(
        f"# {'tau_expt [s]':>14} {'ratio in (6.4)':>15} {'Gamma derived':>14} {'Gamma printed':>14}"
    )
    for i in range(tau.size):
        print(
            f"  {table['tau_expt'][i]:14.4e} {table['tau_ratio'][i]:15.4e} "
            f"{table['derived'][i]:14.4f} {table['printed'][i]:14.4f}"
        )
    return 0


def add_command(sub: Any) -> None:
    """Register the command on the sub-command parsers of the CLI."""
    cf = sub.add_parser("closed-form", help="print the closed-form Gamma(tau_expt) of (6.4)")
    add_glass_options(cf)
    cf.add_argument(
        "--temperature",
        type=quantity_type("K", "--temperature"),
        default=0.3,
        metavar="T",
        help="temperature, e.g. 0.3 or 300mK [K] (0.3)",
    )
    add_tau_expt_range(cf)
    cf.add_argument("--points", type=int, default=14, help="number of tau_expt values")
    cf.add_argument(
        "--sharp",
        action="store_true",
        help="insert tau_expt/tau_min as printed instead of the smooth-relaxation b_Gamma mapping",
    )
    add_yes_option(cf)
    cf.set_defaults(func=_cmd_closed_form)
