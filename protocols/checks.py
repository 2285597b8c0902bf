"""Checks of command-line ranges made before any work, naming the option as the user typed it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from dynamics.validation import (
    ArgumentTypeError,
    ParameterError,
    check_positive,
    check_temperature,
    check_time,
)


def check_interval(
    low_name: str, low: float, high_name: str, high: float, unit: str
) -> tuple[float, float]:
    """Check ``0 < low < high`` (finite); return them as floats.

    Parameters
    ----------
    low_name, high_name
        The options or parameters, as the user knows them (e.g. ``"--tau-expt-min"``).
    low, high
        Their values. [unit]
    unit
        Unit for the messages, e.g. ``"s"``.
    """
    if unit == "s":
        a, b = float(check_time(low_name, low)), float(check_time(high_name, high))
    else:
        a = float(check_positive(low_name, low, unit))
        b = float(check_positive(high_name, high, unit))
    if b <= a:
        raise ParameterError(
            f"{high_name} = {b:g} {unit} must exceed {low_name} = {a:g} {unit}; allowed range "
            f"({a:g}, inf) [{unit}]"
        )
    return a, b


def check_temperature_interval(
    low_name: str, low: float, high_name: str, high: float
) -> tuple[float, float]:
    """:func:`check_interval` for temperatures, each in [MIN_TEMPERATURE_K, inf). [K]"""
    check_temperature(low_name, low)
    check_temperature(high_name, high)
    return check_interval(low_name, low, high_name, high, "K")


def check_flag(name: str, value: Any) -> bool:
    """``value`` if it is a bool (a numpy bool too), else a :class:`ArgumentTypeError` naming
    ``name``.

    Parameters
    ----------
    name
        The argument, e.g. ``"yes"``.
    value
        Its value.
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ArgumentTypeError(f"{name} = {value!r} must be True or False")


def check_callback(name: str, value: Any) -> Any:
    """``value`` if it is None or callable (a progress callback), else an
    :class:`ArgumentTypeError` naming ``name``."""
    if value is None or callable(value):
        return value
    raise ArgumentTypeError(f"{name} = {value!r} must be a function (or None)")


def check_resolution(value: Any) -> Any:
    """``value`` if it is None or a :class:`dynamics.Resolution`, else an
    :class:`ArgumentTypeError`."""
    from dynamics.ensemble import Resolution

    if value is None or isinstance(value, Resolution):
        return value
    raise ArgumentTypeError(f"resolution = {value!r} must be a dynamics.Resolution (or None)")


def as_path(name: str, value: Any) -> Path:
    """``value`` as a Path if it is a string or a path-like (``pathlib.Path``, ``os.DirEntry``,
    any ``os.PathLike``), else an :class:`ArgumentTypeError` naming ``name``."""
    if isinstance(value, str | os.PathLike):
        return Path(os.fsdecode(value))
    raise ArgumentTypeError(f"{name} = {value!r} must be a file name (a str or a path-like)")
