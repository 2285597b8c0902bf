"""Choosing a glass (and protocol settings) from a preset, ``NAME=VALUE`` overrides and TOML
files."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dynamics.glass import Glass, TunnellingGlass
from dynamics.presets import DEFAULT_PRESET, get_glass
from dynamics.validation import ParameterError


class ConfigError(ParameterError):
    """A configuration file or an override cannot be used."""


def read_config(path: str | Path) -> dict[str, Any]:
    """Read a TOML configuration file.

    Tables: ``[glass]`` (``preset`` and any glass field), ``[protocol]`` (``kind`` and its
    parameters), ``[run]`` (output times, resolution).
    """
    p = Path(path)
    try:
        with p.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config = {str(p)!r}: no such file") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config = {str(p)!r} cannot be read: {exc}") from None
    unknown = set(data) - {"glass", "protocol", "run"}
    if unknown:
        raise ConfigError(
            f"config = {str(p)!r} has unknown table(s) {sorted(unknown)}; "
            "allowed: glass, protocol, run"
        )
    return data


def parse_value(text: str, name: str = "value") -> Any:
    """A command-line value for parameter ``name``: int, float, bool, None, or a string."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{name} = {text} is not a finite number")
        return value
    return text


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``["c=5", "T1=0.33"]`` -> ``{"c": 5, "T1": 0.33}``."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set {item!r} must have the form NAME=VALUE")
        out[name.strip()] = parse_value(value, name.strip())
    return out


def glass_field_names(glass: Glass | TunnellingGlass) -> set[str]:
    """Names of the fields a glass accepts."""
    return {f.name for f in dataclasses.fields(glass)} - {"description"}


def make_glass(
    preset: str | None = None, overrides: Mapping[str, Any] | None = None
) -> Glass | TunnellingGlass:
    """A preset glass with fields replaced by ``overrides`` (validated)."""
    base = get_glass(preset or DEFAULT_PRESET, spectrum="asymptotic")  # --spectrum applies later
    changes = dict(overrides or {})
    if not changes:
        return base
    unknown = set(changes) - glass_field_names(base)
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigError(
            f"{name} is not a parameter of glass {base.name!r}; "
            f"allowed: {', '.join(sorted(glass_field_names(base)))}"
        )
    for key, value in changes.items():
        if isinstance(value, bool):
            raise ConfigError(f"{key} = {value!r} must be a number")
    if "name" not in changes:
        changes["name"] = f"{base.name}+custom"
    return base.replace(**changes)


def split_overrides(
    overrides: Mapping[str, Any], glass: Glass | TunnellingGlass, protocol_fields: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``NAME=VALUE`` overrides between glass fields and protocol fields.

    A name may be prefixed ``glass.`` or ``protocol.`` to be explicit.
    """
    g_fields = glass_field_names(glass)
    glass_changes: dict[str, Any] = {}
    protocol_changes: dict[str, Any] = {}
    for key, value in overrides.items():
        if key.startswith("glass."):
            glass_changes[key[6:]] = value
        elif key.startswith("protocol."):
            protocol_changes[key[9:]] = value
        elif key in g_fields:
            glass_changes[key] = value
        elif key in protocol_fields:
            protocol_changes[key] = value
        else:
            raise ConfigError(
                f"{key} is not a parameter of the glass or the protocol; glass: "
                f"{', '.join(sorted(g_fields))}; protocol: {', '.join(sorted(protocol_fields))}"
            )
    return glass_changes, protocol_changes
