"""``tls-expansion glasses``: the presets with units and sources."""

from __future__ import annotations

import argparse
from typing import Any

from dynamics.presets import DEFAULT_PRESET, PRESETS


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


def add_command(sub: Any) -> None:
    """Register the command on the sub-command parsers of the CLI."""
    gl = sub.add_parser("glasses", help="list the glass presets with their sources")
    gl.set_defaults(func=_cmd_glasses)
