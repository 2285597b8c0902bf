"""What a sweep computes: the grid of parameters, checked, as one picklable specification
(:class:`SweepSpec`), and the ``--grid`` syntax."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.ensemble import Resolution
from dynamics.glass import Glass, GlassModel, TunnellingGlass
from dynamics.parts import check_model_temperature
from dynamics.response import scale_fields
from dynamics.validation import (
    ArgumentTypeError,
    ParameterError,
    check_range,
    check_temperature,
    check_time,
)
from protocols.histories import (
    PROTOCOLS,
    TemperatureHistory,
    log_times,
    make_protocol,
)

if TYPE_CHECKING:  # the exact package (solver, scipy) is imported where it computes
    from dynamics.exact.tables import SpectralTable

FloatArray = NDArray[np.float64]

#: Variables of a Γ(τ_expt) sweep.
GAMMA_VARIABLES = (
    "gruneisen",
    "gruneisen_equilibrium",
    "alpha_over_temperature",
    "heat_capacity_over_temperature",
    "heat_capacity_equilibrium",
    "tau_min",
)
#: Protocol parameters that cannot be swept: tables, and the number of staircase steps (it sets
#: the length of the ``step`` dimension).
_NOT_SWEPT = frozenset({"times", "temperatures", "steps"})
#: Most values one --grid range may make (num of start:stop:num); more would take gigabytes
#: before the cost estimate could refuse the sweep. [1]
MAX_GRID_VALUES = 10_000_000
#: Largest number of glass or protocol combinations validated before the computation starts.
_MAX_VALIDATED = 100_000


@dataclass(frozen=True)
class SweepSpec:
    """Everything a block of grid points needs (picklable; sent once to the workers)."""

    mode: str  # "gamma" or "protocol"
    glass: GlassModel
    protocol: TemperatureHistory | None
    names: tuple[str, ...]
    targets: tuple[str, ...]  # per name: "temperature", "glass" or "protocol"
    values: tuple[FloatArray, ...]
    tau_expt: FloatArray | None
    times: FloatArray | None
    resolution: Resolution | None
    rtol: float
    #: Spectral tables built in the calling process that the workers keep before they compute
    #: (:func:`dynamics.exact.shipped.keep_table`): a table no file ships, for exact spectra at
    #: another solver resolution. Empty otherwise: workers read the shipped table.
    tables: tuple[SpectralTable, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(v.size for v in self.values)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def response_count(self) -> int:
        """The distinct computations of the sweep: in Γ mode its points that differ in more than
        the parameters that only scale the response (:func:`dynamics.response.scale_fields`,
        whose points share one reference response per temperature); in protocol mode, every
        point."""
        if self.mode != "gamma":
            return self.size
        scaled = scale_fields(self.glass)
        return math.prod(
            v.size for n, v in zip(self.names, self.values, strict=True) if n not in scaled
        )

    def point(self, flat: int) -> dict[str, float]:
        """Values of the swept parameters at grid point ``flat`` (C order)."""
        index = np.unravel_index(flat, self.shape)
        return {n: float(v[i]) for n, v, i in zip(self.names, self.values, index, strict=True)}

    def split(self, values: Mapping[str, float]) -> tuple[float | None, dict[str, float], dict]:
        """(temperature, glass changes, protocol changes) of a point."""
        temperature = None
        glass: dict[str, float] = {}
        protocol: dict[str, float] = {}
        for name, target in zip(self.names, self.targets, strict=True):
            if target == "temperature":
                temperature = values[name]
            elif target == "glass":
                glass[name] = values[name]
            else:
                protocol[name] = values[name]
        return temperature, glass, protocol


def glass_at(base: GlassModel, changes: Mapping[str, float]) -> GlassModel:
    return base.replace(**changes) if changes else base


def protocol_at(base: TemperatureHistory, changes: Mapping[str, float]) -> TemperatureHistory:
    """``base`` with some parameters changed (validated)."""
    return base.replace(**changes) if changes else base


def _sweepable(
    glass: GlassModel, protocol: TemperatureHistory | None, gamma: bool
) -> dict[str, str]:
    """Names that may be swept -> "temperature", "glass" or "protocol"."""
    out: dict[str, str] = {}
    if gamma:
        out["temperature"] = "temperature"
    for f in dataclasses.fields(glass):
        value = getattr(glass, f.name)
        if f.name not in ("name", "description") and not isinstance(value, str | bool):
            out[f.name] = "glass"
    if glass.__class__ is Glass:
        out["type2_rate_ratio"] = "glass"  # numeric values replace "kki"
    if protocol is not None:
        for f in dataclasses.fields(protocol):  # type: ignore[arg-type]
            if f.name not in _NOT_SWEPT:
                out.setdefault(f.name, "protocol")
    from protocols.variables import VARIABLES

    return {k: v for k, v in out.items() if k in VARIABLES}


def _grid_values(name: str, values: Any) -> FloatArray:
    if isinstance(values, str | bytes) or isinstance(values, Mapping):
        raise ParameterError(f"{name} = {values!r} must be a 1-D sequence of numbers")
    items = np.atleast_1d(np.asarray(values, dtype=object))
    if items.ndim != 1:
        raise ParameterError(f"{name}: grid values must be a 1-D sequence (got {items.ndim}-D)")
    if items.size == 0:
        raise ParameterError(f"{name}: the grid needs at least one value (got none)")
    for item in items:
        if isinstance(item, bool | np.bool_) or not isinstance(
            item, int | float | np.integer | np.floating
        ):
            raise ParameterError(f"{name} = {item!r} is not a number (grid value)")
    arr = check_range(name, items.astype(float)).astype(np.float64)
    if np.unique(arr).size != arr.size:
        raise ParameterError(f"{name}: the grid values must be distinct (got {arr.tolist()})")
    return arr


def _resolve_protocol(protocol: Any) -> TemperatureHistory:
    if isinstance(protocol, str):
        return make_protocol(protocol)
    if not isinstance(protocol, TemperatureHistory):
        raise ParameterError(
            f"protocol = {protocol!r} must be a protocol kind "
            f"({', '.join(sorted(PROTOCOLS))}) or a protocol of protocols.histories"
        )
    return protocol


def _check_combinations(
    spec: SweepSpec, target: str, build: Callable[[dict[str, float]], Any]
) -> list[Any]:
    """Build every combination of the swept parameters of one kind (validating them)."""
    names = [n for n, t in zip(spec.names, spec.targets, strict=True) if t == target]
    values = [v for v, t in zip(spec.values, spec.targets, strict=True) if t == target]
    for name, vals in zip(names, values, strict=True):
        for v in vals:  # one parameter at a time first: the message names it
            build({name: float(v)})
    if not names or math.prod(v.size for v in values) > _MAX_VALIDATED:
        return []
    return [
        build(dict(zip(names, map(float, combo), strict=True)))
        for combo in itertools.product(*values)
    ]


def _check_inputs(glass: Any, grid: Any, resolution: Any) -> None:
    """Refuse a ``glass``, ``grid`` or ``resolution`` of the wrong type.

    Parameters
    ----------
    glass
        Must be a :class:`dynamics.Glass` or :class:`dynamics.TunnellingGlass`.
    grid
        Must be a non-empty mapping of parameter name -> values.
    resolution
        ``None`` or a :class:`dynamics.ensemble.Resolution`.

    Raises
    ------
    dynamics.ParameterError
        Naming the argument and what it must be.
    """
    if not isinstance(glass, Glass | TunnellingGlass):
        raise ArgumentTypeError(
            f"glass = {glass!r} must be a dynamics.Glass or dynamics.TunnellingGlass"
        )
    if resolution is not None and not isinstance(resolution, Resolution):
        raise ArgumentTypeError(
            f"resolution = {resolution!r} must be a dynamics.ensemble.Resolution"
        )
    if not isinstance(grid, Mapping):
        raise ArgumentTypeError(
            f"grid = {grid!r} must be a dict of parameter name -> values, e.g. "
            "{'temperature': [0.1, 0.3], 'c': [4, 6]}"
        )
    if not grid:
        raise ParameterError(
            "grid must be a non-empty dict of parameter name -> values, e.g. "
            "{'temperature': [0.1, 0.3], 'c': [4, 6]}"
        )


def _swept_name(key: Any, allowed: Mapping[str, str], protocol: TemperatureHistory | None) -> str:
    """The parameter a grid key sweeps (``glass.`` or ``protocol.`` prefix removed), checked.

    Parameters
    ----------
    key
        A key of the grid, e.g. ``"c"``, ``"glass.W"`` or ``"protocol.T1"``.
    allowed
        The names that may be swept -> ``"temperature"``, ``"glass"`` or ``"protocol"``
        (:func:`_sweepable`).
    protocol
        The base protocol of a protocol sweep; ``None`` for a Γ(τ_expt) sweep.

    Returns
    -------
    str
        The parameter's name.

    Raises
    ------
    dynamics.ParameterError
        A key that is not a string, a table or the number of staircase steps, or a name that
        cannot be swept (or not under the prefix given); the message lists the allowed names.
    """
    if not isinstance(key, str):
        raise ParameterError(f"grid name {key!r} must be a string")
    name, target = key, None
    for prefix in ("glass.", "protocol."):
        if key.startswith(prefix):
            name, target = key[len(prefix) :], prefix[:-1]
    if name in _NOT_SWEPT and protocol is not None and hasattr(protocol, name):
        raise ParameterError(
            f"{name} cannot be swept: "
            + (
                "the number of steps sets the length of the step dimension"
                if name == "steps"
                else "a schedule's table is one parameter; sweep glass fields instead"
            )
        )
    if name not in allowed or (target is not None and allowed[name] != target):
        what = (
            "the glass or temperature"
            if protocol is None
            else f"the glass or protocol {protocol.kind!r}"
        )
        raise ParameterError(
            f"{name} is not a parameter of {what} that can be swept; allowed: "
            f"{', '.join(sorted(allowed))}"
        )
    return name


def _grid_axes(
    grid: Mapping[Any, Any], glass: GlassModel, protocol: TemperatureHistory | None
) -> tuple[list[str], list[str], list[FloatArray]]:
    """The swept parameters, in the order of the grid: (names, targets, values), checked.

    Parameters
    ----------
    grid
        Parameter name -> 1-D sequence of values (checked by :func:`_check_inputs`).
    glass
        The base glass.
    protocol
        The base protocol of a protocol sweep; ``None`` for a Γ(τ_expt) sweep.

    Returns
    -------
    tuple of lists
        Names; per name ``"temperature"``, ``"glass"`` or ``"protocol"``; per name its
        distinct, finite values in the parameter's unit.

    Raises
    ------
    dynamics.ParameterError
        A name that cannot be swept or appears twice, or bad values (:func:`_grid_values`).
    """
    allowed = _sweepable(glass, protocol, protocol is None)
    names: list[str] = []
    targets: list[str] = []
    values: list[FloatArray] = []
    for key, vals in grid.items():
        name = _swept_name(key, allowed, protocol)
        if name in names:
            raise ParameterError(f"{name} appears twice in the grid")
        names.append(name)
        targets.append(allowed[name])
        values.append(_grid_values(name, vals))
    return names, targets, values


def _check_gamma_request(glass: GlassModel, names: Sequence[str], times: ArrayLike | None) -> None:
    """Check that a Γ(τ_expt) sweep has what it needs, and nothing of a protocol sweep.

    Parameters
    ----------
    glass
        The base glass: a Γ(τ_expt) sweep needs a soft-potential :class:`dynamics.Glass`.
    names
        The swept parameters; ``temperature`` must be one of them.
    times
        Must be ``None`` (output times belong to a protocol sweep). [s]

    Raises
    ------
    dynamics.ParameterError
        Naming what is missing, or given where it does not belong.
    """
    if not isinstance(glass, Glass):
        raise ParameterError(
            "a Gamma(tau_expt) sweep needs a soft-potential glass (dynamics.Glass)"
        )
    if "temperature" not in names:
        raise ParameterError(
            "temperature: a Gamma(tau_expt) sweep needs temperature in the grid [K]"
        )
    if times is not None:
        raise ParameterError("times: only for a protocol sweep; a Gamma sweep takes tau_expt")


def _tau_expt_values(tau_expt: ArrayLike | None) -> FloatArray:
    """The durations of the experiment of a Γ(τ_expt) sweep, checked.

    Parameters
    ----------
    tau_expt
        Positive, non-decreasing durations; ``log_times(1e-8, 1e5, 5)`` if ``None``. [s]

    Returns
    -------
    numpy.ndarray
        1-D float64 array. [s]

    Raises
    ------
    dynamics.ParameterError
        A value that is not positive, or a list that is empty, not 1-D or decreasing.
    """
    raw = log_times(1e-8, 1e5, 5) if tau_expt is None else tau_expt
    tau = np.atleast_1d(check_time("tau_expt", raw)).astype(np.float64)
    if tau.ndim != 1 or tau.size == 0 or np.any(np.diff(tau) < 0):
        raise ParameterError("tau_expt must be a non-empty, non-decreasing 1-D list [s]")
    return tau


def _protocol_times(tau_expt: ArrayLike | None, times: ArrayLike | None) -> FloatArray:
    """The output times of a protocol sweep, shared by every point, checked.

    Parameters
    ----------
    tau_expt
        Must be ``None`` (durations of the experiment belong to a Γ(τ_expt) sweep).
    times
        Required: non-negative, non-decreasing output times. [s]

    Returns
    -------
    numpy.ndarray
        1-D float64 array. [s]

    Raises
    ------
    dynamics.ParameterError
        ``tau_expt`` given, ``times`` missing, negative, empty, not 1-D or decreasing.
    """
    if tau_expt is not None:
        raise ParameterError("tau_expt: only for a Gamma sweep; a protocol sweep takes times")
    if times is None:
        raise ParameterError("times: a protocol sweep needs its output times (shared) [s]")
    tms = check_time("times", np.asarray(times, dtype=float), allow_zero=True).astype(np.float64)
    if tms.ndim != 1 or tms.size == 0 or np.any(np.diff(tms) < 0):
        raise ParameterError("times must be a non-empty, non-decreasing 1-D list [s]")
    return tms


def _check_protocol_points(spec: SweepSpec) -> None:
    """Build the protocol of every point of a protocol sweep (validating it) and check that
    they all read out at the same times.

    Parameters
    ----------
    spec
        A protocol sweep (``protocol`` and ``times`` [s] set).

    Raises
    ------
    dynamics.ParameterError
        A protocol value that is refused, or a protocol whose output times (``times`` plus
        times of its own, a staircase's ends of dwells) differ between grid points.
    """
    base, times = spec.protocol, spec.times
    assert base is not None and times is not None
    protocols = _check_combinations(spec, "protocol", lambda ch: protocol_at(base, ch)) or [base]
    reference = base.output_times(times)
    for p in protocols:
        if not np.array_equal(p.output_times(times), reference):
            raise ParameterError(
                f"times: a {p.kind} adds times of its own to the output times (a "
                "staircase, the end of each dwell) and they differ between grid points; "
                "include them all in times [s]"
            )


def make_spec(
    glass: Any,
    grid: Any,
    tau_expt: ArrayLike | None,
    protocol: Any,
    times: ArrayLike | None,
    resolution: Resolution | None,
    rtol: float,
) -> SweepSpec:
    """The checked specification of a sweep (the arguments of :func:`protocols.sweeps.sweep`).

    Parameters
    ----------
    glass
        The base glass.
    grid
        Parameter name -> 1-D sequence of distinct, finite values, in the parameter's unit.
    tau_expt
        Γ mode: durations of the experiment, or ``None`` for the default. [s]
    protocol
        ``None`` for Γ(τ_expt) mode; else a protocol kind or a protocol.
    times
        Protocol mode: output times shared by every point. [s]
    resolution
        Quadrature resolution of the (E, p) bins, or ``None`` for the default.
    rtol
        Protocol mode: tolerance of the integrator, in [0, 1]. [1]

    Returns
    -------
    SweepSpec
        Every grid point's glass and protocol validated (up to ``_MAX_VALIDATED`` combinations
        of each); in Γ mode, a :class:`dynamics.TwoLevelRangeWarning` where the grid leaves the
        two-level range.

    Raises
    ------
    dynamics.ParameterError
        Naming the parameter, its value and what is allowed.
    """
    _check_inputs(glass, grid, resolution)
    gamma = protocol is None
    base_protocol = None if gamma else _resolve_protocol(protocol)
    names, targets, values = _grid_axes(grid, glass, base_protocol)
    tau = tms = None
    if gamma:
        _check_gamma_request(glass, names, times)
        i_temp = names.index("temperature")
        values[i_temp] = check_temperature("temperature", values[i_temp])
        tau = _tau_expt_values(tau_expt)
    else:
        tms = _protocol_times(tau_expt, times)
    spec = SweepSpec(
        mode="gamma" if gamma else "protocol",
        glass=glass,
        protocol=base_protocol,
        names=tuple(names),
        targets=tuple(targets),
        values=tuple(values),
        tau_expt=tau,
        times=tms,
        resolution=resolution,
        rtol=float(check_range("rtol", rtol, 0.0, 1.0)),
    )
    glasses = _check_combinations(spec, "glass", lambda ch: glass_at(glass, ch)) or [glass]
    if gamma:  # inline: the warning's stacklevel names make_spec's caller
        t_max = float(values[i_temp].max())
        # one check per kind of glass: c, N0, eta_L and K scale the TLS and what the two-level
        # population leaves out alike, so its share does not depend on them
        kinds = {
            (g.W, g.population, g.density_law, g.psi, g.spectrum): g
            for g in glasses
            if isinstance(g, Glass)
        }
        for _, model in sorted(kinds.items(), key=lambda item: item[0][0]):
            check_model_temperature("temperature", t_max, model)
    else:
        _check_protocol_points(spec)
    return spec


def parse_grid_values(name: str, text: str) -> list[float]:
    """Values of ``--grid NAME=TEXT``: ``a,b,c``; ``start:stop:num`` (evenly spaced, both ends
    included); ``log:start:stop:num`` (evenly spaced in log, start and stop > 0). Values may
    carry units (``T1=310mK,330mK``, ``temperature=log:50mK:1K:20``); plain numbers are in the
    parameter's unit."""
    from protocols.config import parse_value, typed_value

    spec = text.strip()
    if not spec:
        raise ParameterError(f"{name}: the grid needs at least one value (got none)")
    parts = spec.split(":")
    if len(parts) == 1:
        items = [typed_value(name, parse_value(item.strip(), name)) for item in spec.split(",")]
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise ParameterError(f"{name} = {item!r} is not a number (--grid)")
        return [float(v) for v in items]
    log = parts[0].strip().lower() == "log"
    numbers = parts[1:] if log else parts
    if len(numbers) != 3:
        raise ParameterError(
            f"{name} = {text!r}: a range is start:stop:num or log:start:stop:num (--grid)"
        )
    try:
        start, stop = (float(typed_value(name, parse_value(v.strip(), name))) for v in numbers[:2])
        num = int(numbers[2])
    except ValueError:
        raise ParameterError(
            f"{name} = {text!r}: a range is start:stop:num with num an integer (--grid)"
        ) from None
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise ParameterError(f"{name} = {text!r} is not a finite range (--grid)")
    if num < 1:
        raise ParameterError(f"{name} = {text!r}: num = {num} must be >= 1 (--grid)")
    if num > MAX_GRID_VALUES:
        raise ParameterError(
            f"{name} = {text!r}: num = {num} is outside the allowed range [1, "
            f"{MAX_GRID_VALUES}] (--grid)"
        )
    if log:
        if start <= 0 or stop <= 0:
            raise ParameterError(f"{name} = {text!r}: a log range needs start, stop > 0 (--grid)")
        return np.logspace(math.log10(start), math.log10(stop), num).tolist()
    return np.linspace(start, stop, num).tolist()


def parse_grid(items: Sequence[str]) -> dict[str, list[float]]:
    """``["temperature=0.1,0.3", "c=4:8:5"]`` -> ``{"temperature": [0.1, 0.3], "c": [4.0, ...]}``,
    in the order given."""
    grid: dict[str, list[float]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--grid {item!r} must have the form NAME=VALUES")
        if name in grid:
            raise ParameterError(f"{name} appears twice in --grid")
        grid[name] = parse_grid_values(name, text)
    return grid
