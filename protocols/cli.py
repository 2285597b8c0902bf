"""The ``tls-expansion`` command line.

Errors in what the user asked for (unknown names, out-of-range values, unreadable files) print
one line on stderr and exit with status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from dynamics import __version__
from dynamics.glass import Glass
from dynamics.presets import DEFAULT_PRESET, PRESETS
from dynamics.validation import ParameterError, TwoLevelRangeWarning
from protocols.analytic import closed_form_gruneisen
from protocols.config import ConfigError, make_glass, parse_overrides, read_config

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _add_glass_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--glass",
        default=None,
        metavar="PRESET",
        help=f"glass preset (default {DEFAULT_PRESET}; see 'tls-expansion glasses')",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a glass or protocol parameter, e.g. --set c=5 (repeatable)",
    )
    parser.add_argument("--config", default=None, metavar="FILE", help="TOML configuration file")


def _glass_from_args(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    config = read_config(args.config) if args.config else {}
    glass_table = dict(config.get("glass", {}))
    preset = args.glass or glass_table.pop("preset", None)
    glass_table.pop("preset", None)
    overrides = parse_overrides(args.overrides)
    return make_glass(preset, {**glass_table, **overrides}), config


def _cmd_closed_form(args: argparse.Namespace) -> int:
    glass, _ = _glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("closed-form needs a soft-potential glass (the STM has no (6.4))")
    tau = np.logspace(np.log10(args.tau_min_s), np.log10(args.tau_max_s), args.points)
    table = closed_form_gruneisen(glass, args.temperature, tau, smooth=not args.sharp)
    print(
        f"# Grüneisen parameter (6.4) of glass {glass.name!r} at T = {args.temperature:g} K; "
        f"tau_min(T) = tau_m(E = k_B T, T) = {float(table['tau_min']):.4g} s"
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


def _cmd_glasses(args: argparse.Namespace) -> int:
    for name, preset in sorted(PRESETS.items()):
        marker = " (default)" if name == DEFAULT_PRESET else ""
        print(f"{name}{marker}: {preset.glass.description}")
        for key, value in preset.glass.to_dict().items():
            if key in ("model", "name", "description"):
                continue
            source = preset.sources.get(key, "model default")
            print(f"    {key:28s} = {value!s:24s} {source}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tls-expansion``."""
    parser = _Parser(
        prog="tls-expansion",
        description="Low-temperature thermal expansion of glasses: two-level systems of the "
        "soft-potential model relaxing after heating (Galperin, Gurevich & Parshin 1985).",
    )
    parser.add_argument("--version", action="version", version=f"tls-expansion {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cf = sub.add_parser("closed-form", help="print the closed-form Gamma(tau_expt) of (6.4)")
    _add_glass_options(cf)
    cf.add_argument("--temperature", type=float, default=0.3, metavar="K", help="T [K] (0.3)")
    cf.add_argument(
        "--tau-min-s", type=float, default=1e-8, metavar="S", help="shortest tau_expt [s]"
    )
    cf.add_argument(
        "--tau-max-s", type=float, default=1e5, metavar="S", help="longest tau_expt [s]"
    )
    cf.add_argument("--points", type=int, default=14, help="number of tau_expt values")
    cf.add_argument(
        "--sharp",
        action="store_true",
        help="insert tau_expt/tau_min as printed instead of the smooth-relaxation b_Gamma mapping",
    )
    cf.set_defaults(func=_cmd_closed_form)

    gl = sub.add_parser("glasses", help="list the glass presets with their sources")
    gl.set_defaults(func=_cmd_glasses)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``tls-expansion``; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "points", 1) < 1:
            raise UsageError(f"--points = {args.points} is outside the allowed range [1, inf)")
        with warnings.catch_warnings():
            warnings.simplefilter("always", TwoLevelRangeWarning)
            return int(args.func(args))
    except (UsageError, ConfigError, ParameterError, OSError) as exc:
        print(f"tls-expansion: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tls-expansion: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
