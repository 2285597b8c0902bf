"""The ``tls-expansion`` command line.

Errors in what the user asked for (unknown names, out-of-range values, unreadable files) print
one line on stderr and exit with status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from dynamics import __version__
from dynamics.closed_forms import closed_form_gruneisen
from dynamics.exact import ExactGlass
from dynamics.glass import RELAXATION_COUPLINGS, Glass
from dynamics.presets import DEFAULT_PRESET, PRESETS
from dynamics.validation import (
    NumericalError,
    ParameterError,
    TwoLevelRangeWarning,
    check_positive,
    check_temperature,
)
from protocols.atlas_cli import add_atlas_command
from protocols.checks import check_interval, check_temperature_interval
from protocols.config import (
    ConfigError,
    make_glass,
    parse_overrides,
    quantity_type,
    read_config,
    split_overrides,
    time_range,
)
from protocols.cost import (
    SECONDS_PER_CLOSED_FORM_POINT,
    check_cost,
    estimate_gamma_seconds,
    estimate_run_seconds,
    format_duration,
    log_count,
)
from protocols.fit import add_fit_command
from protocols.histories import (
    DEFAULT_PROTOCOL,
    PROTOCOLS,
    Schedule,
    TemperatureHistory,
    log_times,
    make_protocol,
)
from protocols.provenance import model_summary
from protocols.sweep import add_sweep_command

EXIT_USAGE = 2

#: Default top of a temperature scan, as a fraction of W/k_B: the two-level description holds
#: below k_B T = 0.1 W (dynamics.validation.warn_two_level_range).
TWO_LEVEL_LIMIT = 0.1


def _show_warning(
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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


class _GlassField(argparse.Action):
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


def _add_glass_options(parser: argparse.ArgumentParser) -> None:
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
        action=_GlassField,
        const="relaxation_coupling",
        dest="overrides",
        help="how the mirror partners of a TLS relax: 'symmetric' (default: the paper's rate "
        "law, one rate per pair) or 'interference' (a fraction F of the rate follows each "
        "partner's own matrix element; docs/exact.md); same as --set relaxation_coupling=...",
    )
    parser.add_argument(
        "--interference-fraction",
        type=float,
        action=_GlassField,
        const="interference_fraction",
        dest="overrides",
        metavar="F",
        help="F in [0, 1] for --relaxation-coupling interference (default 0, which is "
        "'symmetric'); about 0.06 for silica (docs/exact.md)",
    )


def _add_yes_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes",
        action="store_true",
        help="run even if the work is estimated above the limit (10 min; docs: protocols.cost)",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    _add_yes_option(parser)
    parser.add_argument(
        "--out",
        default=None,
        metavar="PATH",
        help="netCDF file to write (the PNG goes beside it); default under outputs/",
    )
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def _glass_from_args(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    config = read_config(args.config, tables=("glass",)) if args.config else {}
    glass_table = dict(config.get("glass", {}))
    preset = args.glass or glass_table.pop("preset", None)
    glass_table.pop("preset", None)
    overrides = parse_overrides(args.overrides)
    return with_spectrum(make_glass(preset, {**glass_table, **overrides}), args.spectrum), config


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


def _cmd_closed_form(args: argparse.Namespace) -> int:
    glass, _ = _glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("closed-form needs a soft-potential glass (the STM has no (6.4))")
    check_temperature("--temperature", args.temperature)
    _check_tau_expt_range(args)
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


def _progress_bar(label: str) -> Any:
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


def _outputs(args: argparse.Namespace, default_stem: str) -> tuple[Any, Any]:
    from pathlib import Path

    nc = Path(args.out) if args.out else Path("outputs") / f"{default_stem}.nc"
    if nc.suffix != ".nc":
        raise UsageError(f"--out = {str(nc)!r} must end in .nc")
    from protocols.output import check_output_location

    return check_output_location(nc, force=args.force)


def _check_tau_expt_range(args: argparse.Namespace) -> None:
    check_interval("--tau-expt-min", args.tau_expt_min, "--tau-expt-max", args.tau_expt_max, "s")


_FEWER_TIMES = "fewer --points-per-decade or a shorter --t-start..--t-stop"


def _time_bounds(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None
) -> tuple[float, float, int]:
    """(first, last output time [s], per decade): ``--times``, else ``--t-start``/``--t-stop``,
    else the ``[run]`` table's ``t_start``/``t_stop``, else :func:`protocols.run.default_times`;
    per decade ``--points-per-decade``, else ``[run] points_per_decade``, else 20."""
    from protocols.run import default_times

    table = run_table or {}
    start = args.t_start if args.t_start is not None else table.get("t_start")
    stop = args.t_stop if args.t_stop is not None else table.get("t_stop")
    if getattr(args, "times", None) is not None:
        start, stop = time_range(args.times)
    per_decade = args.points_per_decade or table.get("points_per_decade") or 20
    default = default_times(glass, protocol, 1)
    start = start if start is not None else float(default[0])
    stop = stop if stop is not None else float(default[-1])
    check_interval("--t-start", start, "--t-stop", stop, "s")
    return start, stop, per_decade


def _times(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None = None
) -> Any:
    """The output times (:func:`_time_bounds`), log-spaced. [s]"""
    return log_times(*_time_bounds(args, glass, protocol, run_table))


def _time_span(
    args: argparse.Namespace, glass: Any, protocol: Any, run_table: dict[str, Any] | None = None
) -> tuple[float, int]:
    """(last output time [s], number of output times) that :func:`_times` will give, without
    making them (a huge request is refused before it takes the memory)."""
    start, stop, per_decade = _time_bounds(args, glass, protocol, run_table)
    return stop, log_count(start, stop, per_decade)


def _cmd_run(args: argparse.Namespace) -> int:
    from protocols.output import write_pair
    from protocols.plots import plot_run
    from protocols.run import run

    config = read_config(args.config) if args.config else {}
    kind = args.protocol or config.get("protocol", {}).get("kind") or DEFAULT_PROTOCOL
    if kind not in PROTOCOLS:
        raise UsageError(
            f"protocol = {kind!r} is not known; choose one of {', '.join(sorted(PROTOCOLS))}"
        )
    glass_table = dict(config.get("glass", {}))
    preset = args.glass or glass_table.pop("preset", None)
    glass_table.pop("preset", None)
    base = make_glass(preset, glass_table)
    overrides = parse_overrides(args.overrides)
    glass_changes, protocol_changes = split_overrides(
        overrides, base, PROTOCOLS[kind].field_names()
    )
    glass = make_glass(preset, {**glass_table, **glass_changes}) if glass_changes else base
    glass = with_spectrum(glass, args.spectrum)
    protocol_table = {k: v for k, v in config.get("protocol", {}).items() if k != "kind"}
    params = {**protocol_table, **protocol_changes}
    protocol: TemperatureHistory
    if kind == "schedule" and args.schedule:
        protocol = Schedule.from_csv(args.schedule, params.pop("initial_temperature_K", None))
        if params:
            raise UsageError(
                f"schedule from a file takes no other parameters; got {sorted(params)}"
            )
    else:
        if args.schedule:
            raise UsageError("--schedule goes with the 'schedule' protocol")
        protocol = make_protocol(kind, **params)
    nc, png = _outputs(args, kind.replace("-", "_"))
    t_end, count = _time_span(args, glass, protocol, config.get("run"))
    seconds = estimate_run_seconds(glass, protocol, t_end, count)
    check_cost(f"{kind} with {count} output times", seconds, yes=args.yes, hint=_FEWER_TIMES)
    times = _times(args, glass, protocol, config.get("run"))
    build = None if args.quiet else _progress_bar(f"TLS ensemble of {glass.name}")
    label = f"{kind} on {glass.name} (est. {format_duration(seconds)})"
    progress = None if args.quiet else _progress_bar(label)
    try:
        ds = run(glass, protocol, times, progress=progress, build_progress=build)
    finally:
        for bar in (build, progress):
            if bar is not None:
                bar.close()
    write_pair(ds, nc, None if args.no_plot else plot_run, overwrite=args.force)
    if not args.quiet:
        from protocols.plots import strain_excursion

        peak = strain_excursion(ds)
        strain = (
            f"largest strain excursion {peak[1]:.4g} at {peak[0]:.4g} s"
            if peak is not None
            else f"strain {float(ds.strain[-1]):.4g} at the end"
        )
        print(f"wrote {nc}" + ("" if args.no_plot else f" and {png}"))
        print(
            f"{kind} on {glass.name} ({model_summary(glass)}): {ds.sizes['time']} times from "
            f"{float(ds.time[0]):.3g} to {float(ds.time[-1]):.3g} s; {strain}; "
            f"tau_min({float(ds.tau_min_temperature):.4g} K) = {float(ds.tau_min):.4g} s"
        )
    return 0


def _cmd_gamma(args: argparse.Namespace) -> int:
    from protocols.output import write_pair
    from protocols.plots import plot_gruneisen
    from protocols.run import gruneisen_vs_tau

    glass, _ = _glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("gamma needs a soft-potential glass (the STM has no (6.4))")
    nc, png = _outputs(args, "gruneisen")
    _check_tau_expt_range(args)
    check_temperature("temperature", args.temperatures)
    n_tau = log_count(args.tau_expt_min, args.tau_expt_max, args.points_per_decade)
    seconds = estimate_gamma_seconds(glass, args.temperatures, args.tau_expt_max, n_tau)
    check_cost(f"gamma with {n_tau} tau_expt values", seconds, yes=args.yes)
    tau = log_times(args.tau_expt_min, args.tau_expt_max, args.points_per_decade)
    progress = None if args.quiet else _progress_bar(f"Gamma(tau_expt) of {glass.name}")
    try:
        ds = gruneisen_vs_tau(glass, args.temperatures, tau, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    write_pair(ds, nc, None if args.no_plot else plot_gruneisen, overwrite=args.force)
    if not args.quiet:
        print(f"wrote {nc}" + ("" if args.no_plot else f" and {png}"))
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


def _cmd_metallic(args: argparse.Namespace) -> int:
    from protocols.metallic import alpha_through_tc
    from protocols.output import write_pair
    from protocols.plots import plot_through_tc

    if args.glass is None:
        args.glass = "zrcu"
    glass, _ = _glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("metallic needs a soft-potential glass")
    nc, png = _outputs(args, "metallic")
    t_high = args.t_high if args.t_high is not None else TWO_LEVEL_LIMIT * glass.W
    check_temperature_interval("--t-low", args.t_low, "--t-high", t_high)
    check_positive("--tau-expt", args.tau_expt, "s")
    # each temperature a Gamma point, at the highest temperature (the most bins)
    seconds = args.points * estimate_gamma_seconds(
        glass, [t_high], max(args.tau_expt), len(args.tau_expt)
    )
    check_cost(f"metallic with {args.points} temperatures", seconds, yes=args.yes)
    temps = np.geomspace(args.t_low, t_high, args.points)
    progress = None if args.quiet else _progress_bar(f"alpha through T_c of {glass.name}")
    try:
        ds = alpha_through_tc(glass, temps, args.tau_expt, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    write_pair(ds, nc, None if args.no_plot else plot_through_tc, overwrite=args.force)
    if not args.quiet:
        print(f"wrote {nc}" + ("" if args.no_plot else f" and {png}"))
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


def _format_value(value: Any) -> str:
    """A preset value with sensible digits: 4 significant figures, or the text as is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.4g}"


def _cmd_glasses(args: argparse.Namespace) -> int:
    from dynamics.presets import source_status
    from protocols.variables import LABEL_KEYS, VARIABLES

    for name, preset in sorted(PRESETS.items()):
        marker = " (default)" if name == DEFAULT_PRESET else ""
        print(f"{name}{marker}: {preset.glass.description}")
        print(f"    {'parameter':26s} {'value':>10s} {'unit':10s} {'status':9s} source")
        for key, value in preset.glass.to_dict().items():
            if key in LABEL_KEYS:
                continue
            source = preset.sources.get(key, "")
            unit = VARIABLES[key].units if key in VARIABLES else ""
            unit = "" if unit == "1" else unit
            print(
                f"    {key:26s} {_format_value(value):>10s} {unit:10s} "
                f"{source_status(source):9s} {source or 'the model default'}"
            )
    return 0


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
    _add_yes_option(cf)
    cf.set_defaults(func=_cmd_closed_form)

    rn = sub.add_parser(
        "run",
        help="simulate a protocol; writes a netCDF dataset and a PNG under outputs/",
        description="Simulate a heating protocol on a glass. Protocol parameters are set with "
        "--set NAME=VALUE or a [protocol] table in --config; see docs/protocols.md.",
    )
    rn.add_argument(
        "protocol",
        nargs="?",
        default=None,
        help=f"one of {', '.join(sorted(PROTOCOLS))} (default {DEFAULT_PROTOCOL})",
    )
    _add_glass_options(rn)
    _add_output_options(rn)
    rn.add_argument(
        "--schedule",
        default=None,
        metavar="CSV",
        help="for 'schedule': a CSV of time_s, temperature_K",
    )
    rn.add_argument(
        "--times",
        default=None,
        metavar="START:STOP",
        help="first and last output time, e.g. 1e-9s:1day (plain numbers: seconds)",
    )
    rn.add_argument(
        "--t-start",
        type=quantity_type("s", "--t-start"),
        default=None,
        metavar="T",
        help="first output time, e.g. 1e-9 or 1ns [s]",
    )
    rn.add_argument(
        "--t-stop",
        type=quantity_type("s", "--t-stop"),
        default=None,
        metavar="T",
        help="last output time, e.g. 1e5 or 1day [s]",
    )
    rn.add_argument(
        "--points-per-decade",
        type=int,
        default=None,
        help="output times per decade (20, or [run] points_per_decade)",
    )
    rn.set_defaults(func=_cmd_run)

    gm = sub.add_parser(
        "gamma", help="Gamma(tau_expt) from the simulation and (6.4): dataset and plot"
    )
    _add_glass_options(gm)
    _add_output_options(gm)
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

    mt = sub.add_parser(
        "metallic",
        help="a metallic glass through its superconducting T_c: alpha and Gamma against T",
    )
    _add_glass_options(mt)
    _add_output_options(mt)
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

    add_sweep_command(sub, _add_glass_options, _add_output_options)
    add_fit_command(sub, _add_glass_options, _add_output_options)
    add_atlas_command(sub)

    gl = sub.add_parser("glasses", help="list the glass presets with their sources")
    gl.set_defaults(func=_cmd_glasses)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``tls-expansion``; returns the exit status."""
    import matplotlib

    matplotlib.use("Agg")  # the CLI only writes files; no display needed
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "points", 1) < 1:
            raise UsageError(f"--points = {args.points} is outside the allowed range [1, inf)")
        if getattr(args, "points_per_decade", None) is not None and args.points_per_decade < 1:
            raise UsageError(
                f"--points-per-decade = {args.points_per_decade} is outside the allowed range "
                "[1, inf)"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("always", TwoLevelRangeWarning)
            # a numerical warning is a failure to report, not noise on stderr
            warnings.simplefilter("error", RuntimeWarning)
            warnings.showwarning = _show_warning
            return int(args.func(args))
    except (UsageError, ConfigError, ParameterError, NumericalError, OSError) as exc:
        print(f"tls-expansion: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tls-expansion: interrupted", file=sys.stderr)
        return 130
    except RuntimeWarning as exc:
        print(f"tls-expansion: error: numerical failure: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # last resort: one line, never a traceback (TLS_EXPANSION_DEBUG=1)
        if os.environ.get("TLS_EXPANSION_DEBUG"):
            raise
        print(
            f"tls-expansion: error: {type(exc).__name__}: {_one_line(exc)} (an unexpected "
            "failure: please report it; TLS_EXPANSION_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_USAGE


def _one_line(exc: BaseException) -> str:
    """The exception's message on one line."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
