"""What every command shares: the parser and its glass, output and time options, the glass
from the arguments, output paths, progress bars and one-line errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dynamics.glass import RELAXATION_COUPLINGS
from dynamics.presets import DEFAULT_PRESET
from protocols.checks import check_interval
from protocols.config import (
    make_glass,
    parse_overrides,
    quantity_type,
    read_config,
    split_overrides,
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


#: Options renamed after 0.1.0 (CHANGELOG.md), per command: old -> new. An old option is refused
#: with its new name; one name per concept across the commands (docs/reference/cli.md).
RENAMED_OPTIONS: dict[str, dict[str, str]] = {
    "run": {
        "--points-per-decade": "--times-per-decade",
        "--times": "--t-start and --t-stop",
    },
    "gamma": {
        "--temperatures": "--temperature",
        "--points-per-decade": "--tau-expt-per-decade",
    },
    "closed-form": {"--points": "--tau-expt-per-decade"},
    "metallic": {
        "--t-low": "--temperature-min",
        "--t-high": "--temperature-max",
        "--points": "--temperatures-per-decade",
    },
    "sweep": {
        "--tau-points-per-decade": "--tau-expt-per-decade",
        "--points-per-decade": "--times-per-decade",
        "--protocol": "a first argument, as for run (tls-expansion sweep heat-step ...)",
    },
}


def check_unrecognized(command: str, extras: list[str]) -> None:
    """Refuse arguments the command does not take, naming the new name of a renamed option
    (:data:`RENAMED_OPTIONS`).

    Raises
    ------
    UsageError
        ``extras`` is not empty.
    """
    if not extras:
        return
    renamed = RENAMED_OPTIONS.get(command, {})
    for option in (item.split("=", 1)[0] for item in extras):
        if option in renamed:
            raise UsageError(
                f"tls-expansion {command}: {option} was renamed {renamed[option]} (CHANGELOG.md)"
            )
    raise UsageError(f"tls-expansion {command}: unrecognized arguments: {' '.join(extras)}")


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (:class:`UsageError`) and that takes no
    abbreviated options (an abbreviation would change meaning when an option is added)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

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


def add_glass_options(parser: argparse.ArgumentParser, *, spectrum: bool = True) -> None:
    """``--glass``, ``--set`` and ``--config``; with ``spectrum``, also the model's options
    (``--spectrum``, ``--relaxation-coupling``, ``--interference-fraction``), which a command
    that does not use them (``closed-form``: the paper's closed form) does not accept."""
    parser.add_argument(
        "--glass",
        default=None,
        metavar="PRESET",
        help=f"glass preset (default {DEFAULT_PRESET}, zrcu for 'metallic', silica-spm for "
        "'thermal'; see 'tls-expansion glasses')",
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
    if not spectrum:
        return
    parser.add_argument(
        "--spectrum",
        choices=("asymptotic", "exact"),
        default=None,
        help="TLS parameters from exact spectra of the soft potential (the default for "
        "soft-potential glasses; dynamics.exact with the shipped spectral table, docs/exact.md, "
        "docs/tables.md) or from the paper's leading-order asymptotic formulas (2.8)-(2.13), "
        "(4.5), (4.11); same as --set spectrum=...",
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
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the files named by --out if they exist (the default output, without "
        "--out, is replaced by the next run of the same command)",
    )
    parser.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def glass_from_args(
    args: argparse.Namespace, spectrum: str | None = None
) -> tuple[Any, dict[str, Any]]:
    """The glass of ``--glass``, ``[glass]`` of ``--config`` and ``--set``, on the spectra of
    ``--spectrum`` (or of ``spectrum`` for a command without that option), and the config."""
    config = read_config(args.config, tables=("glass",)) if args.config else {}
    glass_table = dict(config.get("glass", {}))
    preset = args.glass or glass_table.pop("preset", None)
    glass_table.pop("preset", None)
    overrides = parse_overrides(args.overrides)
    spectrum = spectrum or getattr(args, "spectrum", None)
    return make_glass(preset, {**glass_table, **overrides}, spectrum), config


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
    base = make_glass(preset, glass_table, args.spectrum)
    glass_changes, protocol_changes = split_overrides(overrides, base, protocol_fields)
    if not glass_changes:
        return base, glass_changes, protocol_changes
    glass = make_glass(preset, {**glass_table, **glass_changes}, args.spectrum)
    return glass, glass_changes, protocol_changes


def progress_bar(label: str, unit: str = "") -> Any:
    """The progress of a wait on stderr (:class:`protocols.progress.Progress`): a bar on a
    terminal, a few log lines otherwise; nothing for work that was instant or cached."""
    from protocols.progress import Progress

    return Progress(label, unit=unit)


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
    pair = check_output_location(nc, force=replaces_existing(args), flag="--force")
    guards.acquire(pair[0])
    return pair


def replaces_existing(args: argparse.Namespace) -> bool:
    """Whether existing output files may be replaced: always the default output (no ``--out``),
    which the next run of the same command replaces; a file named with ``--out`` only with
    ``--force``."""
    return bool(args.force or args.out is None)


def write_outputs(args: argparse.Namespace, dataset: Any, nc: Any, figure: Any, png: Any) -> str:
    """Write the dataset and its figure (none with ``--no-plot``) as a pair
    (:func:`protocols.output.write_pair`), and say what was done: ``"wrote ..."`` or
    ``"replaced ..."`` (an output of an earlier run replaced)."""
    from protocols.output import write_pair

    replaced = nc.exists() or (not args.no_plot and png.exists())
    write_pair(
        dataset,
        nc,
        None if args.no_plot else figure,
        overwrite=replaces_existing(args),
        flag="--force",
    )
    return f"{'replaced' if replaced else 'wrote'} {nc}" + ("" if args.no_plot else f" and {png}")


def check_tau_expt_range(args: argparse.Namespace) -> None:
    check_interval("--tau-expt-min", args.tau_expt_min, "--tau-expt-max", args.tau_expt_max, "s")


def tau_expt_values(args: argparse.Namespace) -> Any:
    """The durations of ``--tau-expt-min``, ``--tau-expt-max`` and ``--tau-expt-per-decade``,
    log-spaced, both ends included (checked). [s]"""
    check_tau_expt_range(args)
    return log_times(args.tau_expt_min, args.tau_expt_max, args.tau_expt_per_decade)


def tau_expt_count(args: argparse.Namespace) -> int:
    """How many values :func:`tau_expt_values` gives, without making them. [1]"""
    check_tau_expt_range(args)
    return log_count(args.tau_expt_min, args.tau_expt_max, args.tau_expt_per_decade)


FEWER_TIMES = "fewer --times-per-decade or a shorter --t-start..--t-stop"


def time_bounds(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None
) -> tuple[float, float, int]:
    """(first, last output time [s], per decade): ``--t-start``/``--t-stop``, else the ``[run]``
    table's ``t_start``/``t_stop``, else the ends of :func:`protocols.run.default_times`; per
    decade ``--times-per-decade``, else ``[run] times_per_decade``, else 20."""
    from protocols.run import default_times

    start, stop, per_decade = _requested_times(args, run_table)
    default = default_times(glass, protocol, 1)
    start = start if start is not None else float(default[0])
    stop = stop if stop is not None else float(default[-1])
    check_interval("--t-start", start, "--t-stop", stop, "s")
    return start, stop, per_decade


def output_times(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None = None
) -> Any:
    """The output times: :func:`protocols.run.default_times` if neither end is given, else
    log-spaced between :func:`time_bounds`. [s]"""
    start, stop, per_decade = _requested_times(args, run_table)
    if start is None and stop is None:
        from protocols.run import default_times

        return default_times(glass, protocol, per_decade)
    return log_times(*time_bounds(args, glass, protocol, run_table))


def _requested_times(
    args: argparse.Namespace, run_table: dict[str, Any] | None
) -> tuple[float | None, float | None, int]:
    """(first, last output time [s] or None where not given, per decade [1]) from the options,
    else the ``[run]`` table; per decade 20 by default."""
    table = run_table or {}
    start = args.t_start if args.t_start is not None else table.get("t_start")
    stop = args.t_stop if args.t_stop is not None else table.get("t_stop")
    return start, stop, args.times_per_decade or table.get("times_per_decade") or 20


def time_span(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None = None
) -> tuple[float, int]:
    """(last output time [s], number of output times) that :func:`output_times` will give, without
    making them (a huge request is refused before it takes the memory)."""
    if _requested_times(args, run_table)[:2] == (None, None):
        from protocols.run import default_time_count

        per_decade = _requested_times(args, run_table)[2]
        last = time_bounds(args, glass, protocol, run_table)[1]
        return last, default_time_count(glass, protocol, per_decade)
    start, stop, per_decade = time_bounds(args, glass, protocol, run_table)
    return stop, log_count(start, stop, per_decade)


#: Default range of tau_expt of the commands that scan it: 10 ns to a day and more. [s]
TAU_EXPT_RANGE = (1e-8, 1e5)


def add_tau_expt_range(
    parser: argparse.ArgumentParser, per_decade: int, *, context: str = ""
) -> None:
    """``--tau-expt-min``, ``--tau-expt-max`` and ``--tau-expt-per-decade``: the durations of the
    experiment tau_expt (not the physical tau_min of the TLS), with units, log-spaced. With a
    ``context`` (a command whose other mode does not use them, ``sweep``) they default to None
    and :func:`tau_expt_defaults` fills them in where they are used."""
    low, high = TAU_EXPT_RANGE
    parser.add_argument(
        "--tau-expt-min",
        type=quantity_type("s", "--tau-expt-min"),
        default=None if context else low,
        metavar="T",
        help=f"{context}shortest duration of the experiment tau_expt, e.g. 1e-8 or 10ns [s] "
        f"({low:g})",
    )
    parser.add_argument(
        "--tau-expt-max",
        type=quantity_type("s", "--tau-expt-max"),
        default=None if context else high,
        metavar="T",
        help=f"{context}longest tau_expt, e.g. 1e5 or 1day [s] ({high:g})",
    )
    parser.add_argument(
        "--tau-expt-per-decade",
        type=int,
        default=None if context else per_decade,
        metavar="N",
        help=f"{context}tau_expt values per decade, log-spaced, both ends included ({per_decade})",
    )


def tau_expt_defaults(args: argparse.Namespace, per_decade: int) -> None:
    """Fill in the tau_expt options left at None (:func:`add_tau_expt_range` with a context)."""
    low, high = TAU_EXPT_RANGE
    for dest, default in (
        ("tau_expt_min", low),
        ("tau_expt_max", high),
        ("tau_expt_per_decade", per_decade),
    ):
        if getattr(args, dest) is None:
            setattr(args, dest, default)


def refuse_options(args: argparse.Namespace, dests: tuple[str, ...], why: str) -> None:
    """Raise :class:`UsageError` if an option of ``dests`` was given: it would be ignored.

    Parameters
    ----------
    args
        The parsed arguments (unused options at None).
    dests
        The options' destinations (``t_stop`` for ``--t-stop``).
    why
        Why they do not apply, e.g. ``"is for a protocol sweep"``.
    """
    for dest in dests:
        if getattr(args, dest, None) is not None:
            raise UsageError(f"--{dest.replace('_', '-')} {why}")


def table_rows(values: Any, max_rows: int = 8, marks: tuple[float, ...] = ()) -> list[int]:
    """Indices of the rows a console table prints of a log-spaced axis: both ends always; between
    them values evenly spread in log (the ones nearest to whole decades when the axis spans at
    least ``max_rows`` decades: every k-th decade counted from 10^0, e.g. 1e-8, 1e-6, ..., 1,
    ..., 1e4, readable and the same in every run); and the
    two rows on either side of each of ``marks`` inside the range (e.g. T_c), which carry the
    claim of a table "through T_c".

    Parameters
    ----------
    values
        The axis, positive and increasing (τ_expt [s], temperatures [K]).
    max_rows
        Rows besides the ``marks``' neighbours. [1]
    marks
        Values whose neighbours must be printed. [the axis's unit]

    Returns
    -------
    list of int
        Increasing indices into ``values``.
    """
    import math

    import numpy as np

    logs = np.log10(np.asarray(values, dtype=float))
    n = logs.size
    if n <= max_rows:
        return list(range(n))
    picks = {0, n - 1}
    decades = np.arange(math.ceil(logs[0]), math.floor(logs[-1]) + 1)
    if decades.size >= max_rows:  # every step-th decade, counted from 10^0 (1 s, 1 K)
        step = math.ceil(decades.size / max_rows)
        targets = decades[decades % step == 0]
    else:
        targets = np.linspace(logs[0], logs[-1], max_rows)
    picks |= {int(np.argmin(np.abs(logs - t))) for t in targets}
    for mark in marks:
        above = int(np.searchsorted(logs, math.log10(mark))) if mark > 0 else 0
        picks |= {i for i in (above - 1, above) if 0 <= i < n}
    return sorted(picks)


def one_line(exc: BaseException) -> str:
    """The exception's message on one line."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def add_time_window_options(parser: argparse.ArgumentParser, context: str = "") -> None:
    """Add ``--t-start`` and ``--t-stop``, the first and last output time, with units [s], and
    ``--times-per-decade``."""
    for option, which, example in (("--t-start", "first", "1ns"), ("--t-stop", "last", "1day")):
        parser.add_argument(
            option,
            type=quantity_type("s", option),
            default=None,
            metavar="T",
            help=f"{context}{which} output time, e.g. {example} [s] (default: suited to the "
            "protocol)",
        )
    parser.add_argument(
        "--times-per-decade",
        type=int,
        default=None,
        metavar="N",
        help=f"{context}output times per decade, log-spaced (20, or [run] times_per_decade)",
    )


#: Options that count values per decade: each must be an integer >= 1.
PER_DECADE_OPTIONS = ("times_per_decade", "tau_expt_per_decade", "temperatures_per_decade")


def check_per_decade(args: argparse.Namespace) -> None:
    """Raise :class:`UsageError` for a per-decade count below 1 (:data:`PER_DECADE_OPTIONS`)."""
    for dest in PER_DECADE_OPTIONS:
        value = getattr(args, dest, None)
        if value is not None and value < 1:
            option = "--" + dest.replace("_", "-")
            raise UsageError(f"{option} = {value} is outside the allowed range [1, inf)")
