"""Quantities with units at the interface, through pint: text such as ``"300mK"`` or a column's
unit ``"1e-9/K"`` in, plain SI floats out.

Unit strings may be written as pint reads them (``1/K``, ``J/(m**3*K)``) or in the UDUNITS form of
the datasets (``K-1``, ``J m-3 K-1``: a space multiplies, a trailing integer is a power). ``h``
is the hour (pint's ``h`` would be Planck's constant), ``min`` the minute, ``day`` the day.
One module-level registry, :data:`UREG`, made on first use (importing pint takes a third of a
second: ``--help`` does not); nothing else is global.
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


def _pint_text(unit: str) -> str:
    """A unit string in pint's syntax: ``"J m-3 K-1"`` -> ``"J*m**-3*K**-1"``, ``h`` -> hour."""
    text = _HOUR.sub("hour", unit.strip())
    text = _POWER.sub(r"\1**\2", text)
    return re.sub(r"(?<=[\w)])\s+(?=[A-Za-z_(])", "*", text)


def _unit(unit: str, name: str) -> Any:
    UREG, errors = _registry(), _pint_errors()
    try:
        return UREG.Unit(_pint_text(unit)) if unit.strip() not in ("", "1") else UREG.dimensionless
    except (errors.PintError, AttributeError, TypeError, ValueError, SyntaxError):
        pass
    try:  # a scaled unit such as "1e-9/K" is a quantity, not a unit
        q: Any = UREG.Quantity(_pint_text(unit))
        if isinstance(q, UREG.Quantity):
            return q
    except (errors.PintError, AttributeError, TypeError, ValueError, SyntaxError):
        pass
    raise ParameterError(f"{name}: unit {unit!r} is not a unit pint knows")


def _factor(from_unit: str, to_unit: str, name: str, what: str) -> float:
    """Factor from ``from_unit`` to ``to_unit``; ``what`` starts the error message."""
    source, target = _unit(from_unit, name), _unit(to_unit, name)
    try:
        return float((1 * source).to(target).magnitude)
    except _pint_errors().DimensionalityError:
        raise ParameterError(
            f"{what}: unit {from_unit!r} has the wrong dimension; expected a unit of {to_unit}"
        ) from None


def parse_quantity(text: str | float, unit: str, *, name: str) -> float:
    """A number with an optional unit, in ``unit``.

    Parameters
    ----------
    text
        ``"300mK"``, ``"2 h"``, ``"0.3"`` or a plain number (taken in ``unit``).
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
        Garbage, a non-finite value or a unit of another dimension; the message names ``name``,
        the value and the expected unit.
    """
    if isinstance(text, bool):
        raise ParameterError(f"{name} = {text!r} must be a number in {unit}")
    garbage = f"{name} = {text!r} is not a number with a unit that pint reads (in {unit})"
    if isinstance(text, int | float | np.integer | np.floating):
        value = float(text)
    else:
        if not isinstance(text, str) or not text.strip():
            raise ParameterError(garbage)
        try:
            value = float(text)
        except ValueError:
            try:
                q: Any = _registry().Quantity(_pint_text(text))
            except (_pint_errors().PintError, AttributeError, TypeError, ValueError, SyntaxError):
                raise ParameterError(garbage) from None
            if not isinstance(q, _registry().Quantity):
                value = float(q)
            else:
                try:
                    factor = _factor(f"{q.units:~}" or "1", unit, name, name)
                except ParameterError:
                    raise ParameterError(
                        f"{name} = {text!r} has the wrong dimension: expected a value in {unit}"
                    ) from None
                value = float(q.magnitude) * factor
    if not math.isfinite(value):
        raise ParameterError(f"{name} = {text!r} is not a finite number in {unit}")
    return value


def convert_values(
    values: ArrayLike, from_unit: str, to_unit: str, *, name: str
) -> NDArray[np.float64]:
    """``values`` given in ``from_unit``, converted to ``to_unit``.

    Parameters
    ----------
    values
        Numbers in ``from_unit``.
    from_unit, to_unit
        Unit strings (module docstring), e.g. ``"mK"`` and ``"K"``, ``"1e-9/K"`` and ``"K-1"``.
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
    return arr * _factor(from_unit, to_unit, name, name)
