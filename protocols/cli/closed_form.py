"""``tls-expansion closed-form``: the paper's closed-form Γ(τ_expt) (6.4) as a table."""

from __future__ import annotations

import argparse
from typing import Any

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
    glass_from_args,
    tau_expt_count,
    tau_expt_values,
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
    # (6.4) is the closed form of the paper's asymptotic model: the glass's asymptotic
    # calibration is the one that goes with it
    glass, _ = glass_from_args(args, spectrum="asymptotic")
    if not isinstance(glass, Glass):
        raise UsageError("closed-form needs a soft-potential glass (the STM has no (6.4))")
    check_temperature("--temperature", args.temperature)
    n_tau = tau_expt_count(args)
    seconds = n_tau * len(args.temperature) * SECONDS_PER_CLOSED_FORM_POINT
    check_cost(f"closed-form with {n_tau} tau_expt values", seconds, yes=args.yes)
    tau = tau_expt_values(args)
    print(
        f"# Grüneisen parameter (6.4) of glass {glass.name!r}: the paper's closed form, on its "
        f"asymptotic spectra with the glass's asymptotic calibration ({model_summary(glass)})"
    )
    print("# derived: coefficients from (6.1)-(6.3); printed: the paper's 0.55 and 0.037")
    for temperature in args.temperature:
        table = closed_form_gruneisen(glass, temperature, tau, smooth=not args.sharp)
        print(
            f"# T = {temperature:g} K: tau_min(T) = tau_m(E = k_B T, T) = "
            f"{float(table['tau_min']):.4g} s"
        )
        print(
            f"# {'tau_expt [s]':>14} {'ratio in (6.4)':>15} {'Gamma derived':>14} "
            f"{'Gamma printed':>14}"
        )
        for i in range(tau.size):
            print(
                f"  {table['tau_expt'][i]:14.4e} {table['tau_ratio'][i]:15.4e} "
                f"{table['derived'][i]:14.4f} {table['printed'][i]:14.4f}"
            )
    return 0


def add_command(sub: Any) -> None:
    """Register the command on the sub-command parsers of the CLI."""
    cf = sub.add_parser(
        "closed-form",
        help="print the closed-form Gamma(tau_expt) of (6.4)",
        description="The paper's closed form (6.4) of Gamma(tau_expt), as a table: the "
        "asymptotic model, whatever the spectrum of the glass (so no --spectrum) and with the "
        "glass's asymptotic calibration.",
    )
    add_glass_options(cf, spectrum=False)
    cf.add_argument(
        "--temperature",
        type=quantity_type("K", "--temperature"),
        nargs="+",
        default=[0.3],
        metavar="T",
        help="one or more temperatures, e.g. 0.3 or 300mK [K] (0.3)",
    )
    add_tau_expt_range(cf, per_decade=1)
    cf.add_argument(
        "--sharp",
        action="store_true",
        help="insert tau_expt/tau_min as printed instead of the smooth-relaxation b_Gamma mapping",
    )
    add_yes_option(cf)
    cf.set_defaults(func=_cmd_closed_form)
