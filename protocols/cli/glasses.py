"""``tls-expansion glasses``: the presets with the values a run uses, their units and sources."""

from __future__ import annotations

import argparse
from typing import Any

from dynamics.presets import DEFAULT_PRESET, PRESETS


def _format_value(value: Any) -> str:
    """A preset value with sensible digits: 4 significant figures, or the text as is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.4g}"


def _asymptotic_source(preset: Any, key: str) -> str:
    """The source of the asymptotic calibration of ``key``, without the note that points to
    the exact one (printed on the line above it)."""
    from dynamics.presets import _exact_fit_note

    return str(preset.sources.get(key, "")).removesuffix(
        _exact_fit_note(key, preset.exact_fit[key])
    )


def _cmd_glasses(args: argparse.Namespace) -> int:
    from dynamics.presets import get_glass, source_status
    from protocols.variables import LABEL_KEYS, VARIABLES

    print(
        "# The values a run uses: exact spectra, the default of every command. A value fitted "
        "on each\n# spectrum has a second line with its calibration on asymptotic spectra "
        "(--spectrum asymptotic)."
    )
    for name, preset in sorted(PRESETS.items()):
        marker = " (default)" if name == DEFAULT_PRESET else ""
        print(f"{name}{marker}: {preset.glass.description}")
        print(f"    {'parameter':26s} {'value':>10s} {'unit':10s} {'status':9s} source")
        for key, value in get_glass(name).to_dict().items():
            if key in LABEL_KEYS:
                continue
            exact = key in preset.exact_fit
            source = preset.exact_sources[key] if exact else preset.sources.get(key, "")
            unit = VARIABLES[key].units if key in VARIABLES else ""
            unit = "" if unit == "1" else unit
            print(
                f"    {key:26s} {_format_value(value):>10s} {unit:10s} "
                f"{source_status(source):9s} {source or 'the model default'}"
            )
            if exact:
                other = _asymptotic_source(preset, key)
                asymptotic = _format_value(getattr(preset.glass, key))
                print(
                    f"      {'on asymptotic spectra':24s} {asymptotic:>10s} {unit:10s} "
                    f"{source_status(other):9s} {other}"
                )
    return 0


def add_command(sub: Any) -> None:
    """Register the command on the sub-command parsers of the CLI."""
    gl = sub.add_parser(
        "glasses",
        help="list the glass presets: the values a run uses, with units and sources",
    )
    gl.set_defaults(func=_cmd_glasses)
