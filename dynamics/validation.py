"""Input validation shared by every public function.

Every violation raises :class:`ParameterError` (a ``ValueError``) whose message names the
parameter, the offending value and the allowed range, e.g.::

    temperature = -0.3 is outside the allowed range (0, inf) [K]

Soft violations of the two-level picture (k_B T not small against W) are reported with
:class:`TwoLevelRangeWarning` through :func:`warnings.warn`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


class ParameterError(ValueError):
    """A parameter is non-finite or outside its allowed range."""


class ArgumentTypeError(ParameterError, TypeError):
    """An argument of the wrong type (a string where a number is due, a number where a flag
    is): a :class:`ParameterError` and a :class:`TypeError`, naming the argument."""


class NumericalError(ArithmeticError):
    """A computation produced a non-finite number (NaN or infinity) where a finite one is due.

    Raised instead of carrying the value on (an integrator retrying a NaN step for ever, a
    dataset written with NaN in it); the message names the quantity and where it went wrong.
    """


def check_all_finite(name: str, value: ArrayLike, where: str) -> None:
    """Raise :class:`NumericalError` if ``value`` has a NaN or an infinity.

    Parameters
    ----------
    name
        The quantity, as the user knows it (e.g. a dataset variable).
    value
        Its values.
    where
        What was being computed, for the message (e.g. "the exponential integrator at t = 3 s").
    """
    arr = np.asarray(value)
    if arr.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        first = arr[bad].flat[0]
        raise NumericalError(
            f"{name} has {int(bad.sum())} non-finite value(s) (first: {first}) in {where}; "
            "this is a bug: please report it with the command that produced it"
        )


class PackageDataError(OSError):
    """A data file of the package (a shipped spectral table) is missing or damaged: the message
    names the file and says to reinstall the package."""


class TwoLevelRangeWarning(UserWarning):
    """The two-level description is being used outside the range where it is accurate."""


def _describe(value: Any) -> str:
    """Short text for an offending value (the first bad element of an array)."""
    if isinstance(value, float | int | np.floating | np.integer):
        return f"{float(value):.6g}"
    return repr(value)


def _first_offender(values: NDArray[np.float64], bad: NDArray[np.bool_]) -> float:
    return float(values[bad].flat[0])


def plain_number(value: Any) -> Any:
    """A numpy number or a 0-d numeric array as the Python number it holds (``np.float32(0.3)``
    -> ``0.3``, ``np.array(5)`` -> ``5``); anything else unchanged (booleans too)."""
    if isinstance(value, np.generic | np.ndarray) and np.ndim(value) == 0:
        if np.asarray(value).dtype.kind in "iuf":
            return np.asarray(value).item()
    return value


def as_real(name: str, value: Any, unit: str = "") -> float:
    """``value`` as a float if it is a real number (Python or numpy, or a 0-d array), else an
    :class:`ArgumentTypeError` naming ``name``. Its range is not checked."""
    value = plain_number(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"{name} = {value!r} must be a number{_unit(unit)}")
    return float(value)


def as_count(name: str, value: Any, low: int, high: float = math.inf) -> int:
    """``value`` as an int in [``low``, ``high``] if it is a whole number (a Python or numpy
    integer, a 0-d array, or a float without a fraction), else a :class:`ParameterError` (an
    :class:`ArgumentTypeError` for a value that is not a number) naming ``name``."""
    plain = plain_number(value)
    rng = f"[{low}, {'inf' if math.isinf(high) else int(high)}] (integer)"
    if isinstance(plain, bool) or not isinstance(plain, int | float):
        raise ArgumentTypeError(f"{name} = {value!r} must be a whole number in {rng}")
    if not (math.isfinite(plain) and float(plain).is_integer() and low <= plain <= high):
        raise ParameterError(f"{name} = {value!r} is outside the allowed range {rng}")
    return int(plain)


def check_range(
    name: str,
    value: ArrayLike,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = True,
    high_open: bool = True,
    unit: str = "",
) -> NDArray[np.float64]:
    """Return ``value`` as a float array after checking it is finite and within a range.

    Parameters
    ----------
    name
        Name of the parameter, as the user knows it (used in the message).
    value
        Scalar or array to check.
    low, high
        Bounds of the allowed range.
    low_open, high_open
        Whether each bound is excluded.
    unit
        Unit shown in the message, e.g. ``"K"``.

    Raises
    ------
    ParameterError
        If any element is NaN, infinite (unless the range allows it) or out of range.
    """
    try:
        if value is None:  # np.asarray(None, dtype=float) is nan
            raise TypeError
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentTypeError(
            f"{name} = {value!r} is not a number; allowed range "
            f"{_range_text(low, high, low_open, high_open)}{_unit(unit)}"
        ) from None
    # One pass when every element is inside (NaN fails every comparison, and an infinity passes
    # only a closed infinite bound, where it is allowed): the diagnosis below only on failure.
    above = arr > low if low_open else arr >= low
    below = arr < high if high_open else arr <= high
    if np.logical_and(above, below).all():
        return arr
    rng = _range_text(low, high, low_open, high_open)
    nan = np.isnan(arr)
    if nan.any():
        raise ParameterError(
            f"{name} = nan is not a finite number; allowed range {rng}{_unit(unit)}"
        )
    inf_allowed = (np.isposinf(arr) & (math.isinf(high) and not high_open)) | (
        np.isneginf(arr) & (math.isinf(low) and not low_open)
    )
    inf = np.isinf(arr) & ~inf_allowed
    if inf.any():
        bad = _first_offender(arr, inf)
        raise ParameterError(
            f"{name} = {bad} is not a finite number; allowed range {rng}{_unit(unit)}"
        )
    too_low = arr <= low if low_open else arr < low
    too_high = arr >= high if high_open else arr > high
    out = too_low | too_high
    if out.any():
        bad = _first_offender(arr, out)
        raise ParameterError(
            f"{name} = {_describe(bad)} is outside the allowed range {rng}{_unit(unit)}"
        )
    return arr


def _unit(unit: str) -> str:
    return f" [{unit}]" if unit else ""


def _range_text(low: float, high: float, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    lo = "-inf" if math.isinf(low) else f"{low:g}"
    hi = "inf" if math.isinf(high) else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


#: Lowest temperature the tool accepts. [K] One nanokelvin: far below any experiment on glasses
#: (dilution refrigerators reach ~1 mK, nuclear demagnetisation ~1 µK) and high enough that every
#: derived quantity stays a finite double (tau_min ~ 1e19 s there for A ~ 1e8 s-1 K-3; the lowest
#: bin energy 0.02 k_B T far above the smallest normal number). Below it the times and energies
#: of the model leave double precision (tau_min is infinite at 1e-300 K).
MIN_TEMPERATURE_K = 1e-9


#: Longest time the tool accepts (output times, durations of the experiment, of a protocol's
#: pieces). [s] Far beyond any experiment (the age of the universe is 4e17 s) and far below
#: where a relaxation rate times a time overflows a double (rates up to ~1e12 s-1 at W/k_B:
#: an output time of 1e300 s overflowed).
MAX_TIME_S = 1e100
#: Shortest positive time the tool accepts. [s] Below it (subnormal doubles) ratios of times
#: lose their digits (an output time of 1e-320 s gave NaN).
MIN_TIME_S = 1e-300


def check_time(name: str, value: ArrayLike, *, allow_zero: bool = False) -> NDArray[np.float64]:
    """Check a time [s] is finite and in [:data:`MIN_TIME_S`, :data:`MAX_TIME_S`] (or 0 if
    ``allow_zero``); return it as a float array."""
    low = 0.0 if allow_zero else MIN_TIME_S
    arr = check_range(name, value, low, MAX_TIME_S, low_open=False, high_open=False, unit="s")
    tiny = (arr > 0) & (arr < MIN_TIME_S)
    if np.any(tiny):
        raise ParameterError(
            f"{name} = {_describe(_first_offender(arr, tiny))} is outside the allowed range "
            f"{{0}} or [{MIN_TIME_S:g}, {MAX_TIME_S:g}] [s]"
        )
    return arr


def check_temperature(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """Check a temperature [K] is finite and in [:data:`MIN_TEMPERATURE_K`, inf); return it."""
    return check_range(name, value, MIN_TEMPERATURE_K, math.inf, low_open=False, unit="K")


def check_positive(name: str, value: ArrayLike, unit: str = "") -> NDArray[np.float64]:
    """Check ``value > 0`` and finite; return it as a float array."""
    return check_range(name, value, 0.0, math.inf, unit=unit)


def check_p(value: ArrayLike, name: str = "p") -> NDArray[np.float64]:
    """Check the tunnelling fraction ``p = (Δ0/E)²`` lies in (0, 1]."""
    return check_range(name, value, 0.0, 1.0, high_open=False, unit="1")


def check_finite(name: str, value: ArrayLike, unit: str = "") -> NDArray[np.float64]:
    """Check ``value`` is finite (any sign); return it as a float array."""
    return check_range(name, value, unit=unit)


def warn_two_level_range(temperature_K: ArrayLike, W_K: float, stacklevel: int = 3) -> None:
    """Warn when k_B T exceeds W/10, where the two-level picture starts to fail
    (docs/physics.md §10).

    Parameters
    ----------
    temperature_K
        Temperature(s). [K]
    W_K
        Soft-potential energy scale W/k_B. [K]
    stacklevel
        Of the warning (3: the caller of the function that calls this one).
    """
    t_max = float(np.max(temperature_K))
    ratio = t_max / W_K
    if ratio > 0.1:
        warnings.warn(
            f"k_B T / W = {ratio:.3g} exceeds 0.1 (T = {t_max:.4g} K, W = {W_K:.4g} K): "
            "the two-level description of the soft potentials needs k_B T << W",
            TwoLevelRangeWarning,
            stacklevel=stacklevel,
        )


def check_two_level_range(name: str, temperature_K: ArrayLike, W_K: float) -> None:
    """Refuse a temperature at or above W/k_B, where a soft potential has no two-level
    description at all; warn above W/10 (:func:`warn_two_level_range`).

    Parameters
    ----------
    name
        What the temperature is, as the user knows it (e.g. ``"temperature"``, ``"T1"``).
    temperature_K
        Temperature(s); the highest is checked. [K]
    W_K
        Soft-potential energy scale W/k_B of the glass. [K]

    Raises
    ------
    ParameterError
        Naming the temperature, the glass's W/k_B and the allowed range.
    """
    t_max = float(np.max(temperature_K))
    if t_max >= W_K:
        raise ParameterError(
            f"{name} = {t_max:.6g} K is outside the allowed range [{MIN_TEMPERATURE_K:g}, "
            f"{W_K:.6g}) [K]: at k_B T >= W (W/k_B = {W_K:.6g} K for this glass) the soft "
            "potentials have no two-level description (it is accurate below W/10)"
        )
    warn_two_level_range(t_max, W_K, stacklevel=4)
