"""Plausibility of results: a result that leaves the regime the model describes is refused or
warned about, never returned or written silently.

The model is linear elasticity with a deformation potential linear in the strain, and a
two-level description of each soft potential; it describes a glass only where

* every strain is small, :math:`|\\varepsilon| \\ll 1`. A strain (or, for the linear response of
  ``gamma`` and ``metallic``, the strain scale :math:`|\\alpha| T` of a temperature change of order
  T) of :data:`STRAIN_REFUSED` or more is refused: Hooke's law and the linear coupling fail there,
  and glasses break at strains of order 1e-2 (an estimate: the fracture strain of silica and
  window glass is 0.1-1 %). One of :data:`STRAIN_WARNED` or more is warned about
  (:class:`PlausibilityWarning`): it is 100 times the largest low-temperature strain of any
  preset (|alpha| T <= 1e-6, a heat pulse 1e-9), so corrections of relative order the strain,
  which the linear theory neglects, are no longer below its other approximations;
* every number is finite: a computation that overflows, or gives NaN where a value is due, is
  refused, naming the parameters of the glass that differ from its preset (a preset itself
  overflowing would be a bug, and is reported as one);
* Γ with :math:`C(\\infty)` stays below :data:`GRUNEISEN_WARNED` in magnitude (warned beyond: the
  presets give |Γ| <= 300, measured glasses |Γ| <= 100 at low temperature; an estimate). Γ
  with :math:`C(\\tau_\\mathrm{expt})` is not bounded: at short τ_expt it is the ratio of two
  small partial responses and is large by nature (3e3 for the silica preset).

The highest temperature of a request is checked before the work
(:func:`dynamics.parts.check_model_temperature`): a two-level glass is refused at
:math:`k_BT \\ge W` and warned where its two levels leave out more than 1 % of the heat capacity;
a soft-potential population is refused above :math:`10\\,W`. The paper's closed form (6.4) keeps
the two-level rule (:func:`dynamics.validation.check_two_level_range`: warned above W/10).
"""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from dynamics.validation import NumericalError, ParameterError

if TYPE_CHECKING:  # xarray is imported where a dataset is made or read: a light start
    import xarray as xr

#: |strain| (or |alpha| T) from which a result is refused. [1]
STRAIN_REFUSED = 1e-2
#: |strain| (or |alpha| T) from which a result is warned about. [1]
STRAIN_WARNED = 1e-4
#: |Γ| with C(inf) from which a result is warned about. [1]
GRUNEISEN_WARNED = 1e4
#: Variables that are strains. [1]
STRAINS = ("strain", "strain_tls", "strain_phonon", "strain_electron", "length_change")
#: Expansion coefficients, read as the strain scale |alpha| T. [K-1]
EXPANSION_COEFFICIENTS = ("alpha", "alpha_tls", "alpha_total", "alpha_electron")
#: Glass parameters that set the scale of strains and rates, named when no preset is known.
SCALE_PARAMETERS = ("N0", "c", "chi", "eta_L", "W", "bulk_modulus", "A", "psi")


class ImplausibleResultError(ParameterError):
    """The parameters put the glass outside the regime the model describes (a strain not small,
    a number that overflows): the result is refused."""


class PlausibilityWarning(UserWarning):
    """A result near the edge of the regime the model describes."""


def changed_parameters(glass: Any) -> str:
    """The glass's parameters that differ from its preset, as ``"N0 = 1e+300 (preset ggp1985:
    1e+46)"``; or, without a preset to compare with, its scale parameters; ``""`` for a preset
    itself.

    Parameters
    ----------
    glass
        A glass of :mod:`dynamics` (its name ``"<preset>"`` or ``"<preset>+custom"``).
    """
    from dynamics.presets import PRESETS, get_glass

    base_name = str(getattr(glass, "name", "")).split("+", 1)[0]
    if base_name not in PRESETS:
        pairs = [(n, getattr(glass, n)) for n in SCALE_PARAMETERS if hasattr(glass, n)]
        return ", ".join(f"{n} = {_shown(v)}" for n, v in pairs)
    base = get_glass(base_name, spectrum=getattr(glass, "spectrum", "asymptotic"))
    changed = []
    for f in dataclasses.fields(glass):
        if f.name in ("name", "description") or not hasattr(base, f.name):
            continue
        mine, theirs = getattr(glass, f.name), getattr(base, f.name)
        if mine != theirs:
            changed.append(f"{f.name} = {_shown(mine)} (preset {base_name}: {_shown(theirs)})")
    return ", ".join(changed)


def _shown(value: Any) -> str:
    """A parameter's value for a message: numbers to 6 digits."""
    if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool):
        return f"{float(value):.6g}"
    return repr(value)


def _blame(glass: Any, protocol: Any = None) -> tuple[str, bool]:
    """(what the user changed that may be at fault, whether anything was changed)."""
    changed = changed_parameters(glass)
    parts = [f"glass {getattr(glass, 'name', '?')!r}" + (f" with {changed}" if changed else "")]
    if protocol is not None:
        parts.append(f"protocol {protocol.describe()}")
    return " and ".join(parts), bool(changed)


@contextlib.contextmanager
def finite_or_refused(what: str, glass: Any, protocol: Any = None) -> Iterator[None]:
    """Run a computation with floating-point overflow, division by zero and invalid operations
    raised, and refuse them as :class:`ImplausibleResultError` naming the glass's changed
    parameters (a preset glass: :class:`~dynamics.NumericalError`, a bug to report).

    Parameters
    ----------
    what
        The computation, for the message (e.g. ``"the heat-step run"``).
    glass
        The glass.
    protocol
        The protocol, if any (named in the message).
    """
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield
    except (FloatingPointError, OverflowError, NumericalError) as exc:
        blamed, changed = _blame(glass, protocol)
        reason = _reason(exc)
        if not changed and protocol is None:
            raise NumericalError(
                f"{what} of {blamed} failed: {reason}; this is a bug: please report it"
            ) from None
        raise ImplausibleResultError(
            f"{what} of {blamed} does not give finite numbers ({reason}): these parameters are "
            "outside the range the model describes"
        ) from None
    except ParameterError as exc:  # a derived quantity refused (the inputs were checked)
        blamed, changed = _blame(glass, None)
        if not changed or isinstance(exc, ImplausibleResultError):
            raise
        raise ImplausibleResultError(
            f"{what} of {blamed} fails: {exc}; these parameters are outside the range the model "
            "describes"
        ) from None


def _reason(exc: BaseException) -> str:
    """An exception's message without internals: Python's OverflowError carries (errno, text)."""
    if isinstance(exc, OverflowError) and len(exc.args) > 1:
        return str(exc.args[-1])
    return str(exc).split(";")[0]


def _largest(values: Any) -> float:
    """Largest magnitude of finite values (0 if none). [their unit]"""
    arr = np.abs(np.asarray(values, dtype=float))
    arr = arr[np.isfinite(arr)]
    return float(arr.max()) if arr.size else 0.0


def strain_scales(dataset: xr.Dataset) -> dict[str, float]:
    """The largest |strain| of each strain variable, and |alpha| T of each expansion coefficient
    along a ``temperature`` coordinate, of a dataset. [1]"""
    out = {name: _largest(dataset[name].values) for name in STRAINS if name in dataset}
    if "temperature" in dataset.coords:
        temperature = dataset["temperature"]
        for name in EXPANSION_COEFFICIENTS:
            if name in dataset:
                out[f"|{name}| T"] = _largest((dataset[name] * temperature).values)
        if "alpha_over_temperature" in dataset:  # a sweep's alpha/T
            scaled = dataset["alpha_over_temperature"] * temperature**2
            out["|alpha| T"] = _largest(scaled.values)
    return out


def check_plausible(dataset: xr.Dataset, what: str, glass: Any, protocol: Any = None) -> None:
    """Refuse or warn about a result outside the regime of the model (module docstring).

    Parameters
    ----------
    dataset
        The result (of :func:`protocols.run`, :func:`protocols.gruneisen_vs_tau`,
        :func:`protocols.alpha_through_tc` or a sweep).
    what
        The computation, for the message.
    glass, protocol
        What was computed, named in the message.

    Raises
    ------
    ImplausibleResultError
        A strain of :data:`STRAIN_REFUSED` or more, or an infinite Γ.
    """
    scales = strain_scales(dataset)
    name = max(scales, key=lambda n: scales[n], default=None)
    largest = scales[name] if name is not None else 0.0
    if largest >= STRAIN_REFUSED:
        blamed, _ = _blame(glass, protocol)
        raise ImplausibleResultError(
            f"{what} of {blamed} gives {name} up to {largest:.3g}: the model needs "
            f"|strain| << 1 and refuses {STRAIN_REFUSED:g} or more (linear elasticity; "
            "glasses break near 1e-2); these parameters are outside the range it describes"
        )
    if largest >= STRAIN_WARNED:
        blamed, _ = _blame(glass, protocol)
        warnings.warn(
            f"{what} of {blamed} gives {name} up to {largest:.3g}, beyond {STRAIN_WARNED:g}: "
            "the linear theory's neglected corrections are of that relative order",
            PlausibilityWarning,
            stacklevel=3,
        )
    _check_gruneisen(dataset, what, glass, protocol)


def _check_gruneisen(dataset: xr.Dataset, what: str, glass: Any, protocol: Any) -> None:
    """Refuse a non-finite value where a finite one is due (NaN is allowed only where it means
    "undefined", :data:`protocols.output.UNDEFINED_ALLOWED`; infinity nowhere); warn about
    |Γ(C(inf))| >= :data:`GRUNEISEN_WARNED`."""
    from protocols.output import non_finite_variable

    bad = non_finite_variable(dataset)
    if bad is not None:
        blamed, _ = _blame(glass, protocol)
        raise ImplausibleResultError(
            f"{what} of {blamed} does not give finite numbers ({bad}): these parameters are "
            "outside the range the model describes"
        )
    if "gruneisen_equilibrium" in dataset:
        largest = _largest(dataset["gruneisen_equilibrium"].values)
        if largest >= GRUNEISEN_WARNED:
            blamed, _ = _blame(glass, protocol)
            warnings.warn(
                f"{what} of {blamed} gives |gruneisen_equilibrium| up to {largest:.3g}, beyond "
                f"{GRUNEISEN_WARNED:g} (measured glasses: |Gamma| <= 100 at low temperature)",
                PlausibilityWarning,
                stacklevel=3,
            )
