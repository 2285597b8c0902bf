"""``tls-expansion fit``: fit a glass to measured data (:mod:`protocols.fit`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dynamics.validation import ParameterError
from protocols.cli.common import (
    add_glass_options,
    add_output_options,
    output_paths,
    progress_bar,
    write_outputs,
)
from protocols.config import quantity_type
from protocols.cost import (
    check_cost,
    estimate_gamma_seconds,
    estimate_run_seconds,
    format_duration,
)
from protocols.fit import FIT_PARAMETERS
from protocols.fitdata import Measurement
from protocols.provenance import model_summary

# ----------------------------------------------------------------------------------------------
# the command


def _parse_bounds(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    out = {}
    for item in items:
        name, sep, rng = item.partition("=")
        low, colon, high = rng.partition(":")
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
        read_data(d, args.quantity, tau_expt=args.tau_expt, temperature=args.temperature)
        for d in args.data
    ]
    vary = [v.strip() for v in args.vary.split(",") if v.strip()]
    bounds = _parse_bounds(args.bounds)
    nc, png = output_paths(args, "fit")
    seconds = _fit_seconds(glass, data, len(vary), spectrum)
    check_cost(f"a fit of {len(vary)} parameters", seconds, yes=args.yes)
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


#: Model evaluations a fit is estimated to take, per free parameter plus one: leastsq evaluates
#: n + 1 points per Jacobian, about ten times (22-29 evaluations for 2 parameters in
#: docs/fitting.md's example, 57 for 3 in benchmarks/bench_fit.py: 20 (n + 1) is above both). [1]
EVALUATIONS_PER_PARAMETER = 20


#: Building the exact-spectrum bins of one temperature, per evaluation of a step quantity
#: (measured 0.056 s of CPU per temperature on the 2-core test machine: 1.35 s for α(T) of silica
#: at 24 temperatures, τ_expt = 100 s; rounded up). [s]
EXACT_SECONDS_PER_TEMPERATURE = 0.1


def _fit_seconds(glass: Any, data: Sequence[Measurement], n_vary: int, spectrum: str) -> float:
    """Estimated duration of a fit of ``n_vary`` parameters to ``data`` (an order of magnitude,
    :mod:`protocols.cost`): the model at every point, :data:`EVALUATIONS_PER_PARAMETER`
    (n_vary + 1) times; on exact spectra with the bins of each temperature built anew
    (:data:`EXACT_SECONDS_PER_TEMPERATURE`). [s]"""
    per_evaluation = 0.0
    for m in data:
        if m.time is not None and m.protocol is not None:
            per_evaluation += estimate_run_seconds(glass, m.protocol, float(m.time.max()), m.size)
        elif m.temperature is not None and m.tau_expt is not None:
            temperatures = np.unique(m.temperature)
            per_evaluation += estimate_gamma_seconds(
                glass, temperatures, float(m.tau_expt.max()), np.unique(m.tau_expt).size
            )
            if spectrum == "exact":
                per_evaluation += EXACT_SECONDS_PER_TEMPERATURE * temperatures.size
    return per_evaluation * EVALUATIONS_PER_PARAMETER * (n_vary + 1)


def _evaluation_reporter(progress: Any) -> Callable[[int, float], None]:
    """The fit's progress callback, shown as one step of ``progress`` per evaluation."""

    def report(evaluations: int, chi_square: float) -> None:
        progress.step(f"chi2 = {chi_square:.4g}")

    return report


def add_command(sub: Any) -> None:
    """Register ``tls-expansion fit`` on the sub-command parsers of the CLI."""
    add_fit_command(sub, add_glass_options, add_output_options)
