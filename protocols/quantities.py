"""Quantities with units at the interface, through pint: text such as ``"300mK"`` or a column's
unit ``"1e-9/K"`` in, plain SI floats out.

Unit strings may be written as pint reads them (``1/K``, ``J/(m**3*K)``) or in the UDUNITS form of
the datasets (``K-1``, ``J m-3 K-1``: a space multiplies, a trailing integer is a power). ``h``
is the hour (pint's ``h`` would be Planck's constant), ``min`` the minute, ``day`` the day.
Temperatures on a scale with an offset (``degC``, ``degF``) are converted with the offset
(``20 degC`` is 293.15 K); inside a compound unit (``1/degC``) they are temperature differences.
A number is read exactly as written or refused: a decimal comma (``0,5``) is refused with a
hint, never read as another number. One module-level registry, :data:`UREG`, made on first
use (importing pint takes a third of a second: ``--help`` does not); nothing else is global.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.validation import ParameterError


@functools.cache
def _registry() -> Any:
    """The registry of every unit conversion in the package (:data:`UREG`), made once."""
    import pint

    return pint.UnitRegistry()


def __getattr__(name: str) -> Any:
    """:data:`UREG`, the registry, made on first use."""
    if name == "UREG":
        return _registry()
    raise AttributeError(f"module 'protocols.quantities' has no attribute {name!r}")


def _pint_errors() -> Any:
    """pint's exception classes (pint imported on first use)."""
    import pint

    return pint.errors


_POWER = re.compile(r"(?<![\w.])([A-Za-z_]+)(-?\d+)(?![\w.])")
_HOUR = re.compile(r"(?<![A-Za-z_.])h(?![\w.])")
#: A number written with a comma between digits: ``0,5``, ``1,5ms``, ``1.000,5``, ``1,000``.
_COMMA_NUMBER = re.compile(r"^\s*[+-]?\d[\d.]*,\d")
#: A plain number followed by an optional unit: ``300mK``, ``1e-9 s``, ``-272.9 degC``.
_NUMBER_AND_UNIT = re.compile(
    r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$", re.DOTALL
)


def has_decimal_comma(text: object) -> bool:
    """Whether ``text`` is a number written with a comma between digits (``"0,5"``)."""
    return isinstance(text, str) and bool(_COMMA_NUMBER.match(text))


def decimal_comma_message(name: str, text: str, unit: str = "") -> str:
    """The refusal of a decimal comma: what was given, and the number with a decimal point."""
    fixed = re.sub(r"(?<=\d),(?=\d)", ".", text.strip())
    hint = f" (e.g. {fixed!r})" if fixed.count(".") <= 1 and "," not in fixed else ""
    where = f" in {unit}" if unit and unit != "1" else ""
    return (
        f"{name} = {text!r} has a comma inside a number: write numbers{where} with a decimal "
        f"point{hint} and no thousands separator"
    )


def _pint_text(unit: str) -> str:
    """A unit string in pint's syntax: ``"J m-3 K-1"`` -> ``"J*m**-3*K**-1"``, ``h`` -> hour."""
    text = _HOUR.sub("hour", unit.strip())
    text = _POWER.sub(r"\1**\2", text)
    return re.sub(r"(?<=[\w)])\s+(?=[A-Za-z_(])", "*", text)


def _unit(unit: str, name: str) -> Any:
    """``unit`` as a pint Unit, or as a Quantity for a scaled unit such as ``"1e-9/K"``.

    Any failure of pint on the text (it raises many kinds: syntax, tokenizer, assertion, key
    errors) is a :class:`ParameterError` naming ``name`` and the unit.
    """
    if not isinstance(unit, str):
        raise ParameterError(f"{name}: unit {unit!r} is not text")
    if unit.strip() in ("", "1"):
        return _registry().dimensionless
    try:
        return _registry().Unit(_pint_text(unit))
    except Exception:  # pint's many failures on user text, all "not a unit"
        pass
    try:  # a scaled unit such as "1e-9/K" is a quantity, not a unit
        q: Any = _registry().Quantity(_pint_text(unit))
        if isinstance(q, _registry().Quantity) and math.isfinite(float(q.magnitude)):
            return q
    except Exception:  # as above
        pass
    raise ParameterError(f"{name}: unit {unit!r} is not a unit pint knows")


def _converted(values: Any, from_unit: str, to_unit: str, name: str, what: str) -> Any:
    """``values`` in ``from_unit`` converted to ``to_unit`` (offsets honoured); ``what`` starts
    the error message."""
    source, target = _unit(from_unit, name), _unit(to_unit, name)
    if isinstance(source, _registry().Quantity):  # a scaled unit: 1e-9/K
        quantity = _registry().Quantity(values * float(source.magnitude), source.units)
    else:
        quantity = _registry().Quantity(values, source)
    target_units = target.units if isinstance(target, _registry().Quantity) else target
    scale = float(target.magnitude) if isinstance(target, _registry().Quantity) else 1.0
    try:
        return quantity.to(target_units).magnitude / scale
    except _pint_errors().DimensionalityError:
        raise ParameterError(
            f"{what}: unit {from_unit!r} has the wrong dimension; expected a unit of {to_unit}"
        ) from None
    except Exception as exc:  # pint on an odd unit (offset calculus, overflow)
        raise ParameterError(
            f"{what}: unit {from_unit!r} cannot be converted to {to_unit} ({exc})"
        ) from None


def parse_quantity(text: str | float, unit: str, *, name: str) -> float:
    """A number with an optional unit, in ``unit``.

    Parameters
    ----------
    text
        ``"300mK"``, ``"2 h"``, ``"0.3"`` or a plain number (taken in ``unit``): a Python or
        numpy number, or a 0-d array.
    unit
        The unit to return the value in, e.g. ``"K"`` or ``"s"``.
    name
        The parameter's name, for the error message.

    Returns
    -------
    float
        The value in ``unit``.

    Raises
    ------
    ParameterError
        Garbage, a decimal comma, a non-finite value or a unit of another dimension; the message
        names ``name``, the value and the expected unit.
    """
    value = _plain_number(text, name, unit)
    if value is None:
        value = _parsed_text(text, unit, name)
    if not math.isfinite(value):
        raise ParameterError(f"{name} = {text!r} is not a finite number in {unit}")
    return value


def _plain_number(text: Any, name: str, unit: str) -> float | None:
    """``text`` as a float if it is a number (Python, numpy, 0-d array), None if it is text."""
    if isinstance(text, bool | np.bool_):
        raise ParameterError(f"{name} = {text!r} must be a number in {unit}")
    if isinstance(text, int | float | np.integer | np.floating):
        return float(text)
    if isinstance(text, np.ndarray) and text.ndim == 0 and text.dtype.kind in "iuf":
        return float(text)
    return None


def _parsed_text(text: Any, unit: str, name: str) -> float:
    """A text ``"300mK"`` in ``unit`` (:func:`parse_quantity`)."""
    garbage = f"{name} = {text!r} is not a number with a unit that pint reads (in {unit})"
    if not isinstance(text, str) or not text.strip():
        raise ParameterError(garbage)
    if has_decimal_comma(text):
        raise ParameterError(decimal_comma_message(name, text, unit))
    try:
        return float(text)
    except ValueError:
        pass
    match = _NUMBER_AND_UNIT.match(text.strip())
    if match is None:  # an expression pint may read, e.g. "1/3 K"
        return _pint_expression(text, unit, name, garbage)
    try:
        return float(_converted(float(match.group(1)), match.group(2), unit, name, name))
    except ParameterError as exc:
        if "wrong dimension" in str(exc):
            raise ParameterError(
                f"{name} = {text!r} has the wrong dimension: expected a value in {unit}"
            ) from None
        return _pint_expression(text, unit, name, garbage)  # e.g. "1/3 K"


def _pint_expression(text: str, unit: str, name: str, garbage: str) -> float:
    """A text that is not a number and a unit, read by pint as an expression (``"1/3 K"``)."""
    try:
        q: Any = _registry().Quantity(_pint_text(text))
    except Exception:  # pint's many failures on user text
        raise ParameterError(garbage) from None
    if not isinstance(q, _registry().Quantity):
        try:
            return float(q)
        except (TypeError, ValueError):
            raise ParameterError(garbage) from None
    try:
        return float(q.to(_unit(unit, name)).magnitude)
    except _pint_errors().DimensionalityError:
        raise ParameterError(
            f"{name} = {text!r} has the wrong dimension: expected a value in {unit}"
        ) from None
    except Exception:  # offset units in an expression, overflow
        raise ParameterError(garbage) from None


def convert_values(
    values: ArrayLike, from_unit: str, to_unit: str, *, name: str
) -> NDArray[np.float64]:
    """``values`` given in ``from_unit``, converted to ``to_unit``.

    Parameters
    ----------
    values
        Numbers in ``from_unit``.
    from_unit, to_unit
        Unit strings (module docstring), e.g. ``"mK"`` and ``"K"``, ``"1e-9/K"`` and ``"K-1"``,
        ``"degC"`` and ``"K"`` (with the offset).
    name
        The quantity's name, for the error message.

    Returns
    -------
    ndarray
        The values in ``to_unit`` (float).

    Raises
    ------
    ParameterError
        A unit pint does not know, or one of another dimension than ``to_unit``.
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}: values are not numbers [{from_unit}]") from None
    return np.asarray(_converted(arr, from_unit, to_unit, name, name), dtype=float)
