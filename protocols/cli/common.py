"""What every command shares: the parser and its glass, output and time options, the glass
from the arguments, output paths, progress bars and one-line errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dynamics.exact import ExactGlass
from dynamics.glass import RELAXATION_COUPLINGS, Glass
from dynamics.presets import DEFAULT_PRESET
from protocols.checks import check_interval
from protocols.config import (
    make_glass,
    parse_overrides,
    quantity_type,
    read_config,
    split_overrides,
    time_range,
)
from protocols.cost import (
    log_count,
)
from protocols.histories import (
    log_times,
)

EXIT_USAGE = 2

#: Default top of a temperature scan, as a fraction of W/k_B: the two-level description holds
#: below k_B T = 0.1 W (dynamics.validation.warn_two_level_range).
TWO_LEVEL_LIMIT = 0.1


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Warnings as one clean line on stderr: ``tls-expansion: warning: <message>``."""
    print(f"tls-expansion: warning: {message}", file=sys.stderr)


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


class GlassField(argparse.Action):
    """``--option VALUE`` as ``--set FIELD=VALUE`` (``const`` is the glass field)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        items = [*(getattr(namespace, self.dest, None) or []), f"{self.const}={values}"]
        setattr(namespace, self.dest, items)


def add_glass_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--glass",
        default=None,
        metavar="PRESET",
        help=f"glass preset (default {DEFAULT_PRESET}, zrcu for 'metallic'; see 'tls-expansion "
        f"glasses')",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a glass or protocol parameter, e.g. --set c=5, --set T0=300mK, "
        "--set tau_link=15min (repeatable; plain numbers are SI or kelvin)",
    )
    parser.add_argument("--config", default=None, metavar="FILE", help="TOML configuration file")
    parser.add_argument(
        "--spectrum",
        choices=("asymptotic", "exact"),
        default=None,
        help="TLS parameters from exact spectra of the soft potential (the default for "
        "soft-potential glasses; dynamics.exact with the spectral atlas, docs/exact.md, "
        "docs/atlas.md) or from the paper's leading-order asymptotic formulas (2.8)-(2.13), "
        "(4.5), (4.11)",
    )
    parser.add_argument(
        "--relaxation-coupling",
        choices=RELAXATION_COUPLINGS,
        action=GlassField,
        const="relaxation_coupling",
        dest="overrides",
        help="how the mirror partners of a TLS relax: 'symmetric' (default: the paper's rate "
        "law, one rate per pair) or 'interference' (a fraction F of the rate follows each "
        "partner's own matrix element; docs/exact.md); same as --set relaxation_coupling=...",
    )
    parser.add_argument(
        "--interference-fraction",
        type=float,
        action=GlassField,
        const="interference_fraction",
        dest="overrides",
        metavar="F",
        help="F in [0, 1] for --relaxation-coupling interference (default 0, which is "
        "'symmetric'); about 0.06 for silica (docs/exact.md)",
    )


def add_yes_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes",
        action="store_true",
        help="run even if the work is estimated above the limit (10 min; docs: protocols.cost)",
    )


def add_output_options(parser: argparse.ArgumentParser) -> None:
    add_yes_option(parser)
    parser.add_argument(
        "--out",
        default=None,
        metavar="PATH",
        help="netCDF file to write (the PNG goes beside it); default under outputs/",
    )
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def glass_from_args(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    config = read_config(args.config, tables=("glass",)) if args.config else {}
    glass_table = dict(config.get("glass", {}))
    preset = args.glass or glass_table.pop("preset", None)
    glass_table.pop("preset", None)
    overrides = parse_overrides(args.overrides)
    glass = make_glass(preset, {**glass_table, **overrides}, args.spectrum)
    return with_spectrum(glass, args.spectrum), config


def glass_and_changes(
    args: argparse.Namespace, config: dict[str, Any], protocol_fields: set[str]
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The glass of a command that also takes a protocol (``--glass``, ``[glass]`` of
    ``--config``, ``--set``, ``--spectrum``), and the ``--set`` values split between the glass
    and the protocol.

    Parameters
    ----------
    args
        The parsed arguments.
    config
        The ``--config`` file's tables (empty without one).
    protocol_fields
        Names of the protocol's parameters, which ``--set`` may give (empty for none).

    Returns
    -------
    tuple
        (the glass, its ``--set`` changes, the protocol's ``--set`` changes).
    """
    glass_table = dict(config.get("glass", {}))
    preset = args.glass or glass_table.pop("preset", None)
    glass_table.pop("preset", None)
    overrides = parse_overrides(args.overrides)
    base = with_spectrum(make_glass(preset, glass_table, args.spectrum), args.spectrum)
    glass_changes, protocol_changes = split_overrides(overrides, base, protocol_fields)
    if not glass_changes:
        return base, glass_changes, protocol_changes
    glass = make_glass(preset, {**glass_table, **glass_changes}, args.spectrum)
    return with_spectrum(glass, args.spectrum), glass_changes, protocol_changes


def with_spectrum(glass: Any, spectrum: str | None) -> Any:
    """``glass`` on exact spectra if ``spectrum == "exact"``, or if it is ``None`` (the default)
    and the glass is a soft-potential glass; the STM has no soft potentials and stays as it is
    unless exact spectra are asked for by name (an error)."""
    if spectrum == "asymptotic" or isinstance(glass, ExactGlass):
        return glass
    if not isinstance(glass, Glass):
        if spectrum == "exact":
            raise UsageError("--spectrum exact needs a soft-potential glass (not the STM)")
        return glass
    return ExactGlass.from_glass(glass)


def progress_bar(label: str) -> Any:
    """A tqdm bar on stderr (hidden when stderr is not a terminal), as a 0..1 callback.

    The bar appears at the first report, so its elapsed time and ETA count only its own work
    (not a build before it), and not at all if that first report is already 1 (work that was
    instant or cached); it closes at 1 so that a following bar starts on its own line.
    """
    from tqdm import tqdm

    state: dict[str, Any] = {"bar": None, "finished": False}

    def update(fraction: float) -> None:
        if state["finished"]:
            return
        if state["bar"] is None:
            if fraction >= 1.0:
                state["finished"] = True
                return
            state["bar"] = tqdm(
                total=1000,
                desc=label,
                unit="‰",
                file=sys.stderr,
                disable=None,
                mininterval=0.5,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
            )
        bar = state["bar"]
        bar.update(max(0, round(1000 * fraction) - bar.n))
        if fraction >= 1.0:
            close()

    def close() -> None:
        state["finished"] = True
        if state["bar"] is not None:
            state["bar"].close()

    update.close = close  # type: ignore[attr-defined]
    return update


def output_paths(args: argparse.Namespace, default_stem: str) -> tuple[Any, Any]:
    """The output pair of a command, checked and locked before its work.

    ``--out PATH`` is the user's file: refused if it exists, unless ``--force``. Without it the
    command writes its own scratch result ``outputs/<default_stem>.nc`` (and ``.png``), which
    the next run of the same command replaces (:func:`write_outputs` says so). Either way the
    output's lock is taken now (:mod:`protocols.guards`; released when the command ends), so a
    second process writing the same output refuses at once.

    Returns
    -------
    (Path, Path)
        The dataset's and the plot's paths.
    """
    from pathlib import Path

    from protocols import guards
    from protocols.output import check_output_location

    nc = Path(args.out) if args.out else Path("outputs") / f"{default_stem}.nc"
    if nc.suffix != ".nc":
        raise UsageError(f"--out = {str(nc)!r} must end in .nc")
    replace = bool(args.force) or args.out is None
    pair = check_output_location(nc, force=replace, flag="--force")
    guards.acquire(pair[0])
    args.output_pair, args.output_replace = pair, replace
    return pair


def write_outputs(args: argparse.Namespace, dataset: Any, figure: Any) -> str:
    """Write the dataset and its plot (unless ``--no-plot``) to the pair of
    :func:`output_paths`; the line to print: ``"wrote X and Y"``, or ``"replaced X and Y"``
    when an earlier result was there."""
    from protocols.output import write_pair

    nc, png = args.output_pair
    existed = nc.exists() or png.exists()
    write_pair(
        dataset,
        nc,
        None if args.no_plot else figure,
        overwrite=args.output_replace,
        flag="--force",
    )
    verb = "replaced" if existed else "wrote"
    return f"{verb} {nc}" + ("" if args.no_plot else f" and {png}")


def check_tau_expt_range(args: argparse.Namespace) -> None:
    check_interval("--tau-expt-min", args.tau_expt_min, "--tau-expt-max", args.tau_expt_max, "s")


FEWER_TIMES = "fewer --points-per-decade or a shorter --t-start..--t-stop"


def time_bounds(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None
) -> tuple[float, float, int]:
    """(first, last output time [s], per decade): ``--times``, else ``--t-start``/``--t-stop``,
    else the ``[run]`` table's ``t_start``/``t_stop``, else :func:`protocols.run.default_times`;
    per decade ``--points-per-decade``, else ``[run] points_per_decade``, else 20."""
    from protocols.run import default_times

    table = run_table or {}
    start = args.t_start if args.t_start is not None else table.get("t_start")
    stop = args.t_stop if args.t_stop is not None else table.get("t_stop")
    names = ("--t-start", "--t-stop")
    if getattr(args, "times", None) is not None:
        start, stop = time_range(args.times)
        names = ("--times start", "--times stop")
    per_decade = args.points_per_decade or table.get("points_per_decade") or 20
    default = default_times(glass, protocol, 1)
    start = start if start is not None else float(default[0])
    stop = stop if stop is not None else float(default[-1])
    check_interval(names[0], start, names[1], stop, "s")
    return start, stop, per_decade


def output_times(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None = None
) -> Any:
    """The output times (:func:`time_bounds`), log-spaced. [s]"""
    return log_times(*time_bounds(args, glass, protocol, run_table))


def time_span(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None = None
) -> tuple[float, int]:
    """(last output time [s], number of output times) that :func:`output_times` will give, without
    making them (a huge request is refused before it takes the memory)."""
    start, stop, per_decade = time_bounds(args, glass, protocol, run_table)
    return stop, log_count(start, stop, per_decade)


def add_tau_expt_range(parser: argparse.ArgumentParser) -> None:
    """``--tau-expt-min`` and ``--tau-expt-max``: the range of the duration of the experiment
    tau_expt (not the physical tau_min of the TLS), with units."""
    parser.add_argument(
        "--tau-expt-min",
        type=quantity_type("s", "--tau-expt-min"),
        default=1e-8,
        metavar="T",
        help="shortest duration of the experiment tau_expt, e.g. 1e-8 or 10ns [s] (1e-8)",
    )
    parser.add_argument(
        "--tau-expt-max",
        type=quantity_type("s", "--tau-expt-max"),
        default=1e5,
        metavar="T",
        help="longest tau_expt, e.g. 1e5 or 1day [s] (1e5)",
    )


def one_line(exc: BaseException) -> str:
    """The exception's message on one line."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def add_time_window_options(parser: argparse.ArgumentParser, context: str = "") -> None:
    """Add ``--t-start`` and ``--t-stop``, the first and last output time, with units. [s]"""
    for option, which, example in (("--t-start", "first", "1ns"), ("--t-stop", "last", "1day")):
        parser.add_argument(
            option,
            type=quantity_type("s", option),
            default=None,
            metavar="T",
            help=f"{context}{which} output time, e.g. {example} [s]",
        )
