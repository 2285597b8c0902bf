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
from dynamics.exact import ExactGlass
from dynamics.glass import Glass
from dynamics.presets import DEFAULT_PRESET, PRESETS
from dynamics.validation import ParameterError, TwoLevelRangeWarning
from protocols.analytic import closed_form_gruneisen
from protocols.atlas_cli import add_atlas_command
from protocols.config import ConfigError, make_glass, parse_overrides, read_config, split_overrides
from protocols.histories import (
    DEFAULT_PROTOCOL,
    PROTOCOLS,
    Protocol,
    Schedule,
    log_times,
    make_protocol,
)
from protocols.sweep import add_sweep_command

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
        help=f"glass preset (default {DEFAULT_PRESET}, zrcu for 'metallic'; see 'tls-expansion "
        f"glasses')",
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
    parser.add_argument(
        "--spectrum",
        choices=("asymptotic", "exact"),
        default=None,
        help="TLS parameters from exact spectra of the soft potential (the default for "
        "soft-potential glasses; dynamics.exact with the spectral atlas, docs/exact.md, "
        "docs/atlas.md) or from the paper's leading-order asymptotic formulas (2.8)-(2.13), "
        "(4.5), (4.11)",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
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
    config = read_config(args.config) if args.config else {}
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


def _progress_bar(label: str) -> Any:
    """A tqdm bar on stderr (hidden when stderr is not a terminal), as a 0..1 callback."""
    from tqdm import tqdm

    bar = tqdm(
        total=1000,
        desc=label,
        unit="‰",
        file=sys.stderr,
        disable=None,
        mininterval=0.5,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
    )

    def update(fraction: float) -> None:
        bar.update(max(0, round(1000 * fraction) - bar.n))

    update.close = bar.close  # type: ignore[attr-defined]
    return update


def _outputs(args: argparse.Namespace, default_stem: str) -> tuple[Any, Any]:
    from pathlib import Path

    nc = Path(args.out) if args.out else Path("outputs") / f"{default_stem}.nc"
    if nc.suffix != ".nc":
        raise UsageError(f"--out = {str(nc)!r} must end in .nc")
    png = nc.with_suffix(".png")
    for path in (nc, png):
        if path.exists() and not args.force:
            raise UsageError(f"{path} exists; give --force to replace it")
    return nc, png


def _times(args: argparse.Namespace, glass: Any, protocol: Any) -> Any:
    from protocols.run import default_times

    if args.t_start is None and args.t_stop is None:
        return default_times(glass, protocol, args.points_per_decade)
    default = default_times(glass, protocol, 1)
    start = args.t_start if args.t_start is not None else float(default[0])
    stop = args.t_stop if args.t_stop is not None else float(default[-1])
    return log_times(start, stop, args.points_per_decade)


def _cmd_run(args: argparse.Namespace) -> int:
    from protocols.output import write_netcdf
    from protocols.plots import plot_run, save_figure
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
    protocol: Protocol
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
    times = _times(args, glass, protocol)
    progress = None if args.quiet else _progress_bar(f"{kind} on {glass.name}")
    try:
        ds = run(glass, protocol, times, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    write_netcdf(ds, nc, overwrite=args.force)
    if not args.no_plot:
        save_figure(plot_run(ds), png, overwrite=args.force)
    if not args.quiet:
        i = int(np.argmin(ds["strain"].values))
        print(f"wrote {nc}" + ("" if args.no_plot else f" and {png}"))
        print(
            f"{kind} on {glass.name} ({glass.spectrum_label}): {ds.sizes['time']} times from "
            f"{float(ds.time[0]):.3g} to "
            f"{float(ds.time[-1]):.3g} s; strain minimum {float(ds.strain[i]):.4g} at "
            f"{float(ds.time[i]):.4g} s; tau_min({float(ds.tau_min_temperature):.4g} K) = "
            f"{float(ds.tau_min):.4g} s"
        )
    return 0


def _cmd_gamma(args: argparse.Namespace) -> int:
    from protocols.output import write_netcdf
    from protocols.plots import plot_gruneisen, save_figure
    from protocols.run import gruneisen_vs_tau

    glass, _ = _glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("gamma needs a soft-potential glass (the STM has no (6.4))")
    nc, png = _outputs(args, "gruneisen")
    tau = log_times(args.tau_min_s, args.tau_max_s, args.points_per_decade)
    ds = gruneisen_vs_tau(glass, args.temperatures, tau)
    write_netcdf(ds, nc, overwrite=args.force)
    if not args.no_plot:
        save_figure(plot_gruneisen(ds), png, overwrite=args.force)
    if not args.quiet:
        print(f"wrote {nc}" + ("" if args.no_plot else f" and {png}"))
        print(f"# glass {glass.name}, {glass.spectrum_label}; (6.4) is the paper's closed form")
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
    from protocols.output import write_netcdf
    from protocols.plots import plot_through_tc, save_figure

    if args.glass is None:
        args.glass = "zrcu"
    glass, _ = _glass_from_args(args)
    if not isinstance(glass, Glass):
        raise UsageError("metallic needs a soft-potential glass")
    nc, png = _outputs(args, "metallic")
    temps = np.geomspace(args.t_low, args.t_high, args.points)
    ds = alpha_through_tc(glass, temps, args.tau_expt)
    write_netcdf(ds, nc, overwrite=args.force)
    if not args.no_plot:
        save_figure(plot_through_tc(ds), png, overwrite=args.force)
    if not args.quiet:
        print(f"wrote {nc}" + ("" if args.no_plot else f" and {png}"))
        print(
            f"# glass {glass.name} ({glass.spectrum_label}), T_c = {glass.critical_temperature:g} K"
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
        "--t-start", type=float, default=None, metavar="S", help="first output time [s]"
    )
    rn.add_argument("--t-stop", type=float, default=None, metavar="S", help="last output time [s]")
    rn.add_argument(
        "--points-per-decade", type=int, default=20, help="output times per decade (20)"
    )
    rn.set_defaults(func=_cmd_run)

    gm = sub.add_parser(
        "gamma", help="Gamma(tau_expt) from the simulation and (6.4): dataset and plot"
    )
    _add_glass_options(gm)
    _add_output_options(gm)
    gm.add_argument(
        "--temperatures",
        type=float,
        nargs="+",
        default=[0.1, 0.3, 1.0],
        metavar="K",
        help="temperatures [K] (0.1 0.3 1)",
    )
    gm.add_argument(
        "--tau-min-s", type=float, default=1e-8, metavar="S", help="shortest tau_expt [s]"
    )
    gm.add_argument(
        "--tau-max-s", type=float, default=1e5, metavar="S", help="longest tau_expt [s]"
    )
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
    mt.add_argument("--t-low", type=float, default=0.3, metavar="K", help="lowest temperature [K]")
    mt.add_argument(
        "--t-high", type=float, default=5.0, metavar="K", help="highest temperature [K]"
    )
    mt.add_argument("--points", type=int, default=40, help="temperatures, log-spaced (40)")
    mt.add_argument(
        "--tau-expt",
        type=float,
        nargs="+",
        default=[1e-6, 1.0, 1e3],
        metavar="S",
        help="durations of the experiment [s] (1e-6 1 1e3)",
    )
    mt.set_defaults(func=_cmd_metallic)

    add_sweep_command(sub, _add_glass_options, _add_output_options)
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
        if getattr(args, "points_per_decade", 1) < 1:
            raise UsageError(
                f"--points-per-decade = {args.points_per_decade} is outside the allowed range "
                "[1, inf)"
            )
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
