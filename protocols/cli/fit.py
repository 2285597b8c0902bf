"""``tls-expansion fit``: fit a glass to measured data (:mod:`protocols.fit`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from dynamics.validation import ParameterError
from protocols.cli.common import (
    add_glass_options,
    add_output_options,
    output_paths,
    progress_bar,
    write_outputs,
)
from protocols.config import quantity_type
from protocols.cost import format_duration
from protocols.fit import FIT_PARAMETERS, estimate_fit_seconds
from protocols.fitdata import DATA_PARTS
from protocols.provenance import model_summary
from protocols.quantities import decimal_comma_message, has_decimal_comma

# ----------------------------------------------------------------------------------------------
# the command


def _parse_bounds(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    out = {}
    for item in items:
        name, sep, rng = item.partition("=")
        low, colon, high = rng.partition(":")
        for text in (low, high):
            if has_decimal_comma(text):
                raise ParameterError(f"--bounds {decimal_comma_message(name.strip(), text)}")
        try:
            if not sep or not colon:
                raise ValueError
            out[name.strip()] = (float(low), float(high))
        except ValueError:
            raise ParameterError(f"--bounds {item!r} must have the form NAME=LOW:HIGH") from None
    return out


def add_fit_command(
    subparsers: Any,
    add_glass_options: Callable[[argparse.ArgumentParser], None],
    add_output_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Register ``tls-expansion fit`` on the sub-command parsers of the CLI."""
    ft = subparsers.add_parser(
        "fit",
        help="fit glass parameters to measured data (CSV or netCDF); dataset, plot and report",
        description="Fit parameters of a glass (--vary) to one or more data sets at once with "
        "lmfit. DATA: CSV with a header 'quantity [unit],...' (docs/fitting.md) or a netCDF "
        "dataset. Start values: the preset (--glass) with --set NAME=VALUE.",
    )
    ft.add_argument("data", nargs="+", metavar="DATA", help="CSV or netCDF files")
    ft.add_argument(
        "--vary",
        required=True,
        metavar="NAME[,NAME...]",
        help=f"parameters to fit, among {', '.join(FIT_PARAMETERS)}",
    )
    ft.add_argument(
        "--bounds",
        action="append",
        default=[],
        metavar="NAME=LOW:HIGH",
        help="bounds of a varied parameter (default: its validated range); repeatable",
    )
    ft.add_argument(
        "--tau-expt",
        type=quantity_type("s", "--tau-expt"),
        default=None,
        metavar="T",
        help="duration of the experiment for data that give none, e.g. 100s or 2h [s]",
    )
    ft.add_argument(
        "--temperature",
        type=quantity_type("K", "--temperature"),
        default=None,
        metavar="T",
        help="temperature for data against tau_expt that give none, e.g. 300mK [K]",
    )
    ft.add_argument(
        "--parts",
        choices=DATA_PARTS,
        default="tls",
        help="what the data hold: 'tls' (default: the slow two-level systems, phonons and "
        "electrons subtracted) or 'total' (the whole glass, every part: what a calorimeter or "
        "dilatometer measures)",
    )
    ft.add_argument(
        "--quantity",
        default=None,
        help="the variable to fit in a netCDF dataset that holds several",
    )
    add_glass_options(ft)
    add_output_options(ft)
    ft.set_defaults(func=_cmd_fit)


def _cmd_fit(args: argparse.Namespace) -> int:
    from protocols.config import make_glass, parse_overrides, read_config
    from protocols.fit import fit
    from protocols.fitdata import read_data
    from protocols.plots import plot_fit

    config = read_config(args.config) if args.config else {}
    glass_table = dict(config.get("glass", {}))
    preset = args.glass or glass_table.pop("preset", None)
    glass_table.pop("preset", None)
    # the same default and checks as every other command: exact spectra for a soft-potential
    # glass unless --spectrum asymptotic
    glass = make_glass(preset, {**glass_table, **parse_overrides(args.overrides)}, args.spectrum)
    spectrum = str(glass.spectrum)
    data = [
        read_data(
            d,
            args.quantity,
            tau_expt=args.tau_expt,
            temperature=args.temperature,
            parts=args.parts,
        )
        for d in args.data
    ]
    vary = [v.strip() for v in args.vary.split(",") if v.strip()]
    bounds = _parse_bounds(args.bounds)
    nc, png = output_paths(args, "fit")
    seconds = estimate_fit_seconds(data, glass, vary, yes=args.yes, override="--yes")
    progress = (
        None
        if args.quiet
        else progress_bar(
            f"fit of {','.join(vary)} on {spectrum} spectra (est. {format_duration(seconds)})",
            unit="evaluations",
        )
    )
    try:
        result = fit(
            data,
            glass,
            vary,
            bounds=bounds,
            progress=None if progress is None else _evaluation_reporter(progress),
            yes=True,
        )
    finally:
        if progress is not None:
            progress.close()
    written = write_outputs(args, result.to_dataset(), nc, plot_fit, png)
    if not args.quiet:
        n_points = sum(m.size for m in data)
        print(
            f"# fit of {', '.join(vary)} to {n_points} points on {spectrum} spectra, from glass "
            f"{glass.name} ({model_summary(glass)})"
        )
        print(result.report)
        for text in result.warnings:
            print(f"warning: {text}")
        print(written)
    return 0


def _evaluation_reporter(progress: Any) -> Callable[[int, float], None]:
    """The fit's progress callback, shown as one step of ``progress`` per evaluation."""

    def report(evaluations: int, chi_square: float) -> None:
        progress.step(f"chi2 = {chi_square:.4g}")

    return report


def add_command(sub: Any) -> None:
    """Register ``tls-expansion fit`` on the sub-command parsers of the CLI."""
    add_fit_command(sub, add_glass_options, add_output_options)
