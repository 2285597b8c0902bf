"""Quantities with units where a person types them: ``300mK``, ``15min``, ``1e-9s``, ``1day``.

Parsing goes through pint, with one registry for the package (:data:`UREG`). Units are written
as UDUNITS strings at the interface, as in the datasets' ``units`` attributes (``"K"``,
``"J m-3"``, ``"s-1 K-3"``, ``"1"``); a plain number is taken in the expected unit, so SI
(seconds) and kelvin keep their meaning.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import numpy as np
import pint
from numpy.typing import ArrayLike, NDArray

from dynamics.validation import ParameterError

#: The package's one unit registry.
UREG: pint.UnitRegistry[Any] = pint.UnitRegistry()

_UDUNITS_FACTOR = re.compile(r"^([A-Za-z_]+)(-?\d+)?$")


@lru_cache(maxsize=256)
def _pint_unit(unit: str) -> pint.Unit:
    """A pint unit from a UDUNITS string: ``"J m-3"`` -> joule / meter ** 3; ``"1"`` ->
    dimensionless. Also accepts what pint itself reads (``"K/s"``, ``"m**-3"``)."""
    text = unit.strip()
    if text in ("", "1"):
        return UREG.dimensionless
    factors = text.split()
    if all(_UDUNITS_FACTOR.match(f) for f in factors):
        parts = []
        for factor in factors:
            m = _UDUNITS_FACTOR.match(factor)
            assert m is not None
            symbol, power = m.group(1), m.group(2)
            parts.append(f"{symbol}**{power}" if power else symbol)
        text = " * ".join(parts)
    return UREG.Unit(text)


def _udunits(unit: str) -> str:
    return unit if unit not in ("", "1") else "1 (dimensionless)"


def parse_quantity(text: str | float, unit: str, *, name: str) -> float:
    """A typed value in the expected unit: ``parse_quantity("300mK", "K", name="T0")`` is 0.3.

    Parameters
    ----------
    text
        A number (taken in ``unit``), or a number with a unit that pint reads: ``"300mK"``,
        ``"15 min"``, ``"1e-9s"``, ``"1day"``, ``"3e46 J^-1 m^-3"``.
    unit
        The expected unit, a UDUNITS string (``"K"``, ``"s"``, ``"J m-3"``, ``"1"``).
    name
        The parameter's name, for the error message.

    Returns
    -------
    float
        The value in ``unit``.

    Raises
    ------
    ParameterError
        The text is not a number with a unit, the unit has the wrong dimension, or the value is
        not finite; the message names ``name``, the value and the expected unit.
    """
    if isinstance(text, bool):
        raise ParameterError(f"{name} = {text!r} must be a number in {_udunits(unit)}")
    target = _pint_unit(unit)
    if isinstance(text, int | float | np.integer | np.floating):
        value = float(text)
    else:
        raw = str(text).strip()
        try:
            value = float(raw)
        except ValueError:
            value = _convert_text(raw, target, unit, name)
    if not math.isfinite(value):
        raise ParameterError(f"{name} = {text!r} is not a finite number in {_udunits(unit)}")
    return value


def _convert_text(raw: str, target: pint.Unit, unit: str, name: str) -> float:
    try:
        quantity: Any = UREG.Quantity(raw)
        return float(quantity.to(target).magnitude)
    except pint.DimensionalityError:
        raise ParameterError(
            f"{name} = {raw!r} has the wrong dimension: expected a value in {_udunits(unit)}"
        ) from None
    except Exception:  # pint's parser raises many kinds (UndefinedUnitError, TokenError, ...)
        raise ParameterError(
            f"{name} = {raw!r} is not a number with a unit; expected e.g. '1.5' or "
            f"'1.5 {unit if unit != '1' else ''}'".rstrip()
            + f" (in {_udunits(unit)})"
        ) from None


def convert_values(values: ArrayLike, from_unit: str, to_unit: str, *, name: str) -> NDArray[Any]:
    """Numbers given in ``from_unit`` expressed in ``to_unit``.

    Parameters
    ----------
    values
        Numbers in ``from_unit``.
    from_unit
        Their unit (UDUNITS or pint text: ``"mK"``, ``"min"``, ``"J m-3"``).
    to_unit
        The unit wanted (UDUNITS).
    name
        The quantity's name, for the error message.

    Returns
    -------
    numpy.ndarray
        The values in ``to_unit`` (float).

    Raises
    ------
    ParameterError
        An unknown unit or one of the wrong dimension; the message names ``name``, the units and
        the expected unit.
    """
    array = np.asarray(values, dtype=float)
    try:
        source = _pint_unit(from_unit)
    except Exception:
        raise ParameterError(
            f"{name}: unit {from_unit!r} is not a unit; expected one convertible to "
            f"{_udunits(to_unit)}"
        ) from None
    try:
        return np.asarray(UREG.Quantity(array, source).to(_pint_unit(to_unit)).magnitude)
    except pint.DimensionalityError:
        raise ParameterError(
            f"{name}: unit {from_unit!r} has the wrong dimension; expected a unit of "
            f"{_udunits(to_unit)}"
        ) from None
