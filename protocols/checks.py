"""Checks of command-line ranges made before any work, naming the option as the user typed it."""

from __future__ import annotations

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
