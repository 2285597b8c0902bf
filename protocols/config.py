"""Choosing a glass (and protocol settings) from a preset, ``NAME=VALUE`` overrides and TOML
files.

Values may carry units wherever a person types them (``T0 = "300mK"``, ``--set tau_link=15min``):
a parameter's unit is the one the variable registry (:mod:`protocols.variables`) declares for it,
and a plain number is taken in that unit (SI, kelvin). The complete, commented example
configuration is ``docs/example_config.toml``.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dynamics.glass import GLASS_CHOICES, Glass, TunnellingGlass
from dynamics.presets import DEFAULT_PRESET, get_glass
from dynamics.validation import ParameterError
from protocols.checks import as_path
from protocols.quantities import decimal_comma_message, has_decimal_comma, parse_quantity
from protocols.textfiles import InputFileError, check_input_file
from protocols.variables import VARIABLES

#: The tables of a configuration file and, for ``[run]``, its keys (``[glass]`` takes
#: ``preset`` and the glass's fields; ``[protocol]`` takes ``kind`` and the protocol's fields).
CONFIG_TABLES = ("glass", "protocol", "run")
RUN_KEYS = {
    "t_start": "first output time [s]",
    "t_stop": "last output time [s]",
    "times_per_decade": "output times per decade (integer)",
}
#: ``[run]`` keys renamed after 0.1.0 (CHANGELOG.md): old -> new, as the options they mirror.
RENAMED_RUN_KEYS = {"points_per_decade": "times_per_decade"}


class ConfigError(ParameterError):
    """A configuration file or an override cannot be used."""


def read_config(path: str | Path, tables: Sequence[str] = CONFIG_TABLES) -> dict[str, Any]:
    """Read a TOML configuration file; reject unknown tables and unknown ``[run]`` keys.

    Tables: ``[glass]`` (``preset`` and any glass field), ``[protocol]`` (``kind`` and its
    parameters), ``[run]`` (``t_start``, ``t_stop``, ``times_per_decade``). Values with units
    are converted (:func:`typed_value`); the glass's and protocol's own keys are checked when
    the glass and the protocol are made.

    Parameters
    ----------
    path
        The TOML file.
    tables
        The tables the command uses; any other is an error naming it.

    Returns
    -------
    dict
        Table name to ``{key: value}``, values converted to numbers in the registry's units.

    Raises
    ------
    ConfigError
        Unreadable file, unknown table or key, or a bad value.
    """
    p = as_path("config", path)
    data = _load_toml(p)
    _check_tables(data, tables, p)
    try:
        return _converted(data)
    except ParameterError as exc:  # name the file: the value is the user's, typed there
        raise ConfigError(f"config = {str(p)!r}: {exc}") from None


def _load_toml(p: Path) -> dict[str, Any]:
    """The TOML file ``p`` as read by :mod:`tomllib`.

    Raises
    ------
    ConfigError
        No such file, not UTF-8, or not readable as TOML.
    """
    try:
        check_input_file(p, f"config = {str(p)!r}")
    except InputFileError as exc:
        message = str(exc).replace(" cannot be read: no such file", ": no such file")
        raise ConfigError(message) from None
    try:
        with p.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config = {str(p)!r}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config = {str(p)!r} is not UTF-8 text (byte {exc.start}); TOML files are UTF-8"
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config = {str(p)!r} cannot be read: {exc}") from None


def _check_tables(data: Mapping[str, Any], tables: Sequence[str], p: Path) -> None:
    """Check a configuration's layout: only the ``tables`` allowed, each a table; ``kind`` and
    ``preset`` strings; only :data:`RUN_KEYS` in ``[run]``.

    Parameters
    ----------
    data
        The file as read by :func:`_load_toml`.
    tables
        The tables the command uses.
    p
        The file, for messages.

    Raises
    ------
    ConfigError
        The first thing out of place, named.
    """
    for table, content in data.items():
        if table not in tables:
            raise ConfigError(
                f"config = {str(p)!r}: unknown table [{table}]; allowed here: "
                + ", ".join(f"[{t}]" for t in tables)
            )
        if not isinstance(content, dict):
            raise ConfigError(
                f"config = {str(p)!r}: {table} = {content!r} must be a table "
                f"([{table}] with NAME = VALUE lines)"
            )
    kind = data.get("protocol", {}).get("kind")
    if kind is not None and not isinstance(kind, str):
        raise ConfigError(
            f"config = {str(p)!r}: [protocol] kind = {kind!r} must be a string, "
            'e.g. kind = "heat-step"'
        )
    preset = data.get("glass", {}).get("preset")
    if preset is not None and not isinstance(preset, str):
        raise ConfigError(
            f"config = {str(p)!r}: [glass] preset = {preset!r} must be a string, e.g. "
            'preset = "ggp1985"'
        )
    for key in data.get("run", {}):
        if key in RENAMED_RUN_KEYS:
            raise ConfigError(
                f"config = {str(p)!r}: [run] {key} was renamed {RENAMED_RUN_KEYS[key]} "
                "(CHANGELOG.md)"
            )
        if key not in RUN_KEYS:
            raise ConfigError(
                f"config = {str(p)!r}: unknown key {key!r} in [run]; allowed: "
                + ", ".join(RUN_KEYS)
            )


def _converted(data: Mapping[str, Any]) -> dict[str, Any]:
    """A checked configuration (:func:`_check_tables`) with values in the registry's units.

    Every value but ``preset`` and ``kind`` goes through :func:`typed_value`; ``[run]``'s
    ``t_start`` and ``t_stop`` are durations [s] and ``times_per_decade`` an integer >= 1.

    Raises
    ------
    ConfigError, ParameterError
        A value that cannot be converted.
    """
    run_table = data.get("run", {})
    out: dict[str, Any] = {}
    for table, content in data.items():
        out[table] = {
            key: value if key in ("preset", "kind") else typed_value(key, value)
            for key, value in content.items()
        }
    if "t_start" in run_table:
        out["run"]["t_start"] = parse_quantity(run_table["t_start"], "s", name="t_start")
    if "t_stop" in run_table:
        out["run"]["t_stop"] = parse_quantity(run_table["t_stop"], "s", name="t_stop")
    if "times_per_decade" in run_table:
        ppd = run_table["times_per_decade"]
        if isinstance(ppd, bool) or not isinstance(ppd, int) or ppd < 1:
            raise ConfigError(f"times_per_decade = {ppd!r} in [run] must be an integer >= 1 [1]")
    return out


def typed_value(name: str, value: Any) -> Any:
    """A parameter's value with any unit converted to the registry's unit for ``name``.

    ``typed_value("T0", "300mK")`` is 0.3; numbers, booleans and names without a registered
    unit pass through; a list is converted element by element (a schedule's ``times``). A text
    that is a bare word (``"kki"``) is a named choice and passes through for the glass or the
    protocol to check.

    Parameters
    ----------
    name
        The parameter (a ``glass.`` or ``protocol.`` prefix is ignored).
    value
        As typed: a number, a text such as ``"15min"``, or a list of them.

    Returns
    -------
    Any
        Numbers in the registry's unit (SI, kelvin); other values unchanged.
    """
    bare = _bare_name(name)
    if isinstance(value, list):
        return [typed_value(name, item) for item in value]
    if has_decimal_comma(value):
        raise ConfigError(decimal_comma_message(bare, value))
    if not isinstance(value, str) or bare not in VARIABLES:
        return value
    if value.strip().isalpha() and value.strip().lower() not in ("nan", "inf", "infinity"):
        return value  # a named choice, e.g. type2_rate_ratio = "kki"
    return parse_quantity(value, VARIABLES[bare].units, name=bare)


def parse_value(text: str, name: str = "value") -> Any:
    """A command-line value for parameter ``name``: int, float, bool, None, or a string.

    A number written with a decimal comma (``0,5``) is refused, never read as another value.
    """
    if has_decimal_comma(text):
        raise ConfigError(decimal_comma_message(name, text))
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
    """``["c=5", "T1=0.33", "T0=300mK"]`` -> ``{"c": 5, "T1": 0.33, "T0": 0.3}``: values with
    units converted to the registry's unit of the parameter (:func:`typed_value`).

    A parameter set twice (``--set c=5 --set c=6``, or ``c`` and ``glass.c``, or an option such
    as ``--relaxation-coupling`` and its ``--set``) is refused: which one was meant is not
    known.
    """
    out: dict[str, Any] = {}
    given: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set {item!r} must have the form NAME=VALUE")
        key = _bare_name(name.strip())
        if key in given:
            raise ConfigError(
                f"--set {key} is given twice ({given[key]!r} and {item.strip()!r}); give each "
                "parameter once"
            )
        given[key] = item.strip()
        if key in GLASS_CHOICES:  # a named choice stays text: activation=none is "none"
            out[name.strip()] = value.strip()
            continue
        out[name.strip()] = typed_value(name.strip(), parse_value(value, name.strip()))
    return out


def _bare_name(name: str) -> str:
    """A parameter's name without its ``glass.`` or ``protocol.`` prefix."""
    return name.split(".", 1)[1] if name.startswith(("glass.", "protocol.")) else name


def glass_field_names(glass: Glass | TunnellingGlass) -> set[str]:
    """Names of the fields a glass accepts."""
    return {f.name for f in dataclasses.fields(glass)} - {"description"}


def make_glass(
    preset: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    spectrum: str | None = None,
) -> Glass | TunnellingGlass:
    """A preset glass, on the spectrum asked for (``spectrum`` or a ``spectrum`` override:
    ``"exact"``, the default, or ``"asymptotic"``) with that spectrum's calibration of the
    preset (:func:`dynamics.presets.get_glass`), fields replaced by ``overrides`` (validated).
    Exact spectra asked for by name need a soft-potential glass."""
    changes = dict(overrides or {})
    asked = changes.pop("spectrum", None)
    if spectrum is not None and asked is not None and asked != spectrum:
        raise ConfigError(f"spectrum = {asked!r} contradicts --spectrum {spectrum}")
    spectrum = spectrum if spectrum is not None else asked
    base = get_glass(preset or DEFAULT_PRESET, spectrum=spectrum or "exact")
    if spectrum == "exact" and not isinstance(base, Glass):
        raise ConfigError(f"spectrum = 'exact' needs a soft-potential glass, not {base.name!r}")
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
        elif renamed := _renamed_to(key, protocol_fields):
            raise ConfigError(f"{key} was renamed {renamed} (CHANGELOG.md)")
        else:
            raise ConfigError(
                f"{key} is not a parameter of the glass or the protocol; glass: "
                f"{', '.join(sorted(g_fields))}; protocol: {', '.join(sorted(protocol_fields))}"
            )
    return glass_changes, protocol_changes


def _renamed_to(name: str, protocol_fields: set[str]) -> str:
    """The new name of a protocol parameter renamed since 0.1.0
    (:data:`protocols.histories.RENAMED_PARAMETERS`) if the protocol has it, else ``""``."""
    from protocols.histories import RENAMED_PARAMETERS

    for renames in RENAMED_PARAMETERS.values():
        if renames.get(name) in protocol_fields:
            return renames[name]
    return ""


def quantity_type(unit: str, option: str) -> Any:
    """An argparse ``type=`` for an option taking a quantity: ``"300mK"`` -> 0.3 for unit K.

    Parameters
    ----------
    unit
        The option's unit (UDUNITS); plain numbers are taken in it.
    option
        The option's name, for the error message (``--temperature``).

    Returns
    -------
    callable
        Text to float in ``unit``; bad text raises :class:`argparse.ArgumentTypeError` with the
        one-line message of :func:`protocols.quantities.parse_quantity`.
    """
    import argparse

    def convert(text: str) -> float:
        try:
            return parse_quantity(text, unit, name=option)
        except ParameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = f"quantity in {unit}"
    return convert
