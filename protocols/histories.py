"""Temperature histories: what the experimenter does to the glass.

Each protocol is a small frozen dataclass, validated on construction, that derives from
:class:`TemperatureHistory` and answers the same questions: its equilibrium temperature before
t = 0, the range of temperatures it visits, when its default output times stop, how it drives
the glass (the segments of T(t) the engine steps through exactly, or a propagation of its own:
:class:`IsolatedPulse` imposes no T(t), energy conservation determines it), and what it reads
off the result (α, C and Γ of a step or a staircase). :func:`protocols.run.run` asks only these
questions, so a new protocol is one new class: defining it registers its ``kind``.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.ensemble import Ensemble
from dynamics.glass import ParameterSpec, TLSModel
from dynamics.propagation import Segment, propagate
from dynamics.response import (
    Trajectory,
    imposed_trajectory,
    isolated_trajectory,
    pulse_rise,
    staircase_coefficients,
    step_coefficients,
    step_heat,
)
from dynamics.thermal import debye_temperature_after_deposit
from dynamics.validation import (
    MIN_TEMPERATURE_K,
    ArgumentTypeError,
    ParameterError,
    as_count,
    as_real,
    check_range,
    check_time,
    plain_number,
)
from protocols.labels import title_duration, title_temperature

FloatArray = NDArray[np.float64]
#: ``progress`` callback of a simulation: called with the fraction done. [1]
Progress = Callable[[float], None]
#: Variables a protocol reads off its result: name -> (dimensions, values).
Variables = dict[str, tuple[tuple[str, ...], Any]]

#: Every protocol by its ``kind`` (filled as the classes are defined).
PROTOCOLS: dict[str, type[TemperatureHistory]] = {}


#: Parameters renamed after 0.1.0 (CHANGELOG.md): old name -> new name, per protocol kind. Datasets
#: and data files written before keep being read (:func:`protocol_from_dict`); a new request with
#: an old name gets an error that names the new one (:func:`make_protocol`).
RENAMED_PARAMETERS: dict[str, dict[str, str]] = {
    "heat-pulse": {"energy": "heat_density"},
    "isolated-pulse": {"energy": "heat_density"},
    "ramp": {"rate": "ramp_rate"},
    "schedule": {"initial_temperature_K": "T_start"},
}


@dataclass(frozen=True)
class ProtocolParameter(ParameterSpec):
    """The one declaration of a protocol parameter, as :class:`dynamics.glass.ParameterSpec` is
    of a glass parameter: unit, allowed range, label and description (its default value is the
    dataclass field's). Validation (:meth:`TemperatureHistory.__post_init__`), the variable
    registry (:mod:`protocols.variables`: the ``long_name``, ``units`` and ``comment`` of a swept
    parameter, the units of the ``protocol`` attribute), the configuration's units
    (:mod:`protocols.config`) and the class docstrings all read it. Declare one with
    :func:`parameter`.

    Parameters
    ----------
    unit, low, high, label, description, low_open, high_open
        As :class:`dynamics.glass.ParameterSpec`.
    integer
        A whole number (``low`` and ``high`` are then its allowed extremes).
    optional
        ``None`` is allowed (the protocol then derives or requires it otherwise).
    table
        A column of values (a schedule's rows), each in the range; not a scalar.
    """

    integer: bool = False
    optional: bool = False
    table: bool = False

    def range_text(self) -> str:
        """The allowed range in words, e.g. ``"(0, inf)"``, ``"[1, 10000] (integer)"``."""
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        low = "-inf" if math.isinf(self.low) else f"{self.low:g}"
        high = "inf" if math.isinf(self.high) else f"{self.high:g}"
        return f"{left}{low}, {high}{right}" + (" (integer)" if self.integer else "")

    def validated(self, name: str, value: Any) -> Any:
        """``value`` checked against the declaration and normalised (a float, an int, a tuple of
        floats, or None where optional).

        Raises
        ------
        ParameterError
            Naming ``name``, ``value``, the allowed range and the unit.
        """
        value = plain_number(value)  # numpy numbers and 0-d arrays are numbers too
        if value is None and self.optional:
            return None
        unit = f" [{self.unit}]"
        if self.table:
            column = check_range(
                name,
                value,
                self.low,
                self.high,
                low_open=self.low_open,
                high_open=self.high_open,
                unit=self.unit,
            )
            if self.unit == "s":  # times: also within the range the tool resolves
                check_time(name, column, allow_zero=self.low == 0 and not self.low_open)
            return tuple(float(v) for v in np.atleast_1d(column).ravel())
        if self.integer:
            return as_count(name, value, int(self.low), self.high)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ArgumentTypeError(f"{name} = {value!r} must be a number{unit}")
        self.check(name, value)
        if self.unit == "s":
            check_time(name, value, allow_zero=self.low == 0 and not self.low_open)
        return float(value)


def parameter(
    default: Any,
    unit: str,
    label: str,
    description: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = True,
    high_open: bool = True,
    integer: bool = False,
    optional: bool = False,
    table: bool = False,
) -> Any:
    """A protocol parameter: the dataclass field with its default and its one declaration
    (:class:`ProtocolParameter`) in the field's metadata."""
    spec = ProtocolParameter(
        unit,
        low,
        high,
        label,
        description,
        low_open=low_open,
        high_open=high_open,
        integer=integer,
        optional=optional,
        table=table,
    )
    return field(default=default, metadata={"parameter": spec})


def temperature_parameter(
    default: Any, label: str, description: str, *, optional: bool = False
) -> Any:
    """A temperature parameter [K]: finite, at least
    :data:`dynamics.validation.MIN_TEMPERATURE_K`."""
    return parameter(
        default, "K", label, description, low=MIN_TEMPERATURE_K, low_open=False, optional=optional
    )


def declared_parameters(cls: type | object) -> dict[str, ProtocolParameter]:
    """A protocol's parameters and their declarations, in the order of the fields."""
    return {
        f.name: f.metadata["parameter"]
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if "parameter" in f.metadata
    }


def _with_parameters(doc: str, parameters: str) -> str:
    """``doc`` with the "Parameters" section inserted where numpydoc wants it: before an
    "Examples" section if there is one, else at the end."""
    head, marker, examples = doc.partition("\n    Examples\n    --------\n")
    if not marker:
        return doc.rstrip() + "\n" + parameters
    return head.rstrip() + "\n" + parameters + marker + examples


def _parameters_doc(cls: type) -> str:
    """The numpydoc "Parameters" section of a protocol class, from its declarations (read from
    the class body, before :func:`dataclasses.dataclass` has turned the fields into defaults)."""
    lines = ["", "    Parameters", "    ----------"]
    for name in inspect.get_annotations(cls):
        declared = cls.__dict__.get(name)
        if not isinstance(declared, dataclasses.Field) or "parameter" not in declared.metadata:
            continue
        spec: ProtocolParameter = declared.metadata["parameter"]
        default = repr(declared.default)
        lines += [
            f"    {name}",
            f"        {spec.description}; default {default}, allowed {spec.range_text()}"
            + (" or None" if spec.optional else "")
            + f". [{spec.unit}]",
        ]
    return "\n".join(lines) + "\n"


def _plain_then(self: Any, validate: Callable[[Any], None]) -> None:
    """Replace each numpy number or 0-d array field of a protocol by the Python number it holds
    (so that its dict is JSON and its hash works), then run the protocol's own checks."""
    for f in dataclasses.fields(self):
        object.__setattr__(self, f.name, plain_number(getattr(self, f.name)))
    validate(self)


@dataclass(frozen=True)
class ReadOut:
    """What a protocol reads off a simulated trajectory.

    Attributes
    ----------
    reference_temperature
        The temperature at which the dataset reports τ_min. [K]
    variables
        Step quantities: name -> (dimensions, values), in the units of the variable registry.
    coords
        New coordinates the variables need: name -> values.
    """

    reference_temperature: float
    variables: Variables = field(default_factory=dict)
    coords: dict[str, Any] = field(default_factory=dict)


class TemperatureHistory:
    """What every protocol answers (the interface :func:`protocols.run.run` relies on).

    Subclasses are frozen dataclasses with a class attribute ``kind`` (their name on the command
    line and in datasets); defining one registers it in :data:`PROTOCOLS`. A subclass defines
    :attr:`initial_temperature`, :meth:`temperature_range`, :meth:`default_stop` and either
    :meth:`segments` (T(t) imposed) or :meth:`simulate`; it may refine :meth:`output_times`,
    :meth:`resolved` and :meth:`read_out`.
    """

    kind: ClassVar[str] = ""
    #: A slow history (minutes and more, evenly paced) is plotted against linear time and has
    #: no single relaxation to read a strain excursion from; the others relax over decades.
    slow_history: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            PROTOCOLS[cls.kind] = cls
            cls.__doc__ = _with_parameters(cls.__doc__ or "", _parameters_doc(cls))

    def __post_init__(self) -> None:
        """Check every parameter against its declaration (:class:`ProtocolParameter`), store it
        normalised, then check what the parameters must satisfy together."""
        for name, spec in declared_parameters(self).items():
            object.__setattr__(self, name, spec.validated(name, getattr(self, name)))
        self._check_together()

    def _check_together(self) -> None:
        """What the parameters must satisfy together (none by default); raise
        :class:`ParameterError` naming them."""

    # -- what a protocol is

    def to_dict(self) -> dict[str, Any]:
        """The protocol as a JSON-serialisable dict, with its ``kind``."""
        data = dataclasses.asdict(self)  # type: ignore[call-overload]
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return {"kind": self.kind, **data}

    @classmethod
    def field_names(cls) -> set[str]:
        """Names of the protocol's parameters."""
        return {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]

    def describe(self) -> str:
        """The protocol and its main parameters in a few words, for a figure title."""
        return self.kind

    def replace(self, **changes: Any) -> Self:
        """The same protocol with some parameters changed (validated)."""
        params = {k: v for k, v in self.to_dict().items() if k != "kind"}
        params.update(changes)
        return make_protocol(self.kind, **params)  # type: ignore[return-value]

    # -- what it does to the glass

    @property
    def initial_temperature(self) -> float:
        """Equilibrium temperature before t = 0. [K]"""
        raise NotImplementedError

    def temperature_range(self, model: TLSModel, t_end: float) -> tuple[float, float]:
        """Lowest and highest temperature the glass visits up to ``t_end`` [s]. [K]"""
        raise NotImplementedError

    def default_stop(self) -> float:
        """Last default output time: long enough to see what the protocol does. [s]"""
        raise NotImplementedError

    def segments(self) -> list[Segment]:
        """The pieces of T(t) the engine steps through exactly."""
        raise NotImplementedError(f"protocol {self.kind!r} imposes no T(t)")

    def output_times(self, times: FloatArray) -> FloatArray:
        """The output times the protocol needs, given the user's. [s]"""
        return times

    def default_output_times(self, first: float, points_per_decade: int) -> FloatArray:
        """Output times when the user gives none: log-spaced from ``first`` [s] to the
        :meth:`default_stop` (at least ten times ``first``). [s]"""
        return log_times(first, max(self.default_stop(), 10 * first), points_per_decade)

    def default_output_count(self, first: float, points_per_decade: int) -> int:
        """How many :meth:`default_output_times` gives (at most), without making them. [1]"""
        return log_count(first, max(self.default_stop(), 10 * first), points_per_decade)

    def resolved(self, model: TLSModel) -> Self:
        """The protocol with every parameter that depends on the glass fixed."""
        return self

    def simulate(
        self,
        model: TLSModel,
        ensemble: Ensemble,
        times: FloatArray,
        *,
        rtol: float,
        progress: Progress | None = None,
    ) -> Trajectory:
        """Drive the glass through the protocol: T(t) imposed by :meth:`segments`."""
        t0 = self.initial_temperature
        response = propagate(ensemble, t0, self.segments(), times, rtol=rtol, progress=progress)
        return imposed_trajectory(model, response, t0)

    def read_out(self, model: TLSModel, ensemble: Ensemble, trajectory: Trajectory) -> ReadOut:
        """Step quantities read off the result (none by default; τ_min at the hottest T)."""
        return ReadOut(reference_temperature=float(np.max(trajectory.response.temperature)))


@dataclass(frozen=True)
class HeatStep(TemperatureHistory):
    """The bath jumps from ``T0`` to ``T1`` at t = 0 and stays there.

    Examples
    --------
    >>> from protocols import HeatStep
    >>> step = HeatStep(T0=0.3, T1=0.33)
    >>> step.temperature([0.0, 1.0, 1e5])  # T(t) after the step [K]
    array([0.33, 0.33, 0.33])
    >>> step.describe()
    'heat step 300 mK → 330 mK (ΔT = +30 mK)'
    >>> HeatStep(T0=0.3, T1=-1.0)
    Traceback (most recent call last):
    ...
    dynamics.validation.ParameterError: T1 = -1 is outside the allowed range [1e-09, inf) [K]
    """

    kind: ClassVar[str] = "heat-step"
    T0: float = temperature_parameter(
        0.3, "start temperature T0", "Equilibrium temperature before the step"
    )
    T1: float = temperature_parameter(0.33, "step temperature T1", "Temperature after the step")

    def _check_together(self) -> None:
        if self.T0 == self.T1:
            raise ParameterError(f"T1 = {self.T1} must differ from T0 = {self.T0} for a step [K]")

    def describe(self) -> str:
        sign = "+" if self.T1 >= self.T0 else "−"
        change = f"ΔT = {sign}{title_temperature(abs(self.T1 - self.T0))}"
        return f"heat step {title_temperature(self.T0)} → {title_temperature(self.T1)} ({change})"

    @property
    def initial_temperature(self) -> float:
        return float(self.T0)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return (0.0,)

    def temperature(self, t: ArrayLike) -> FloatArray:
        """T(t) for t >= 0. [K]"""
        return np.full(np.shape(t), float(self.T1))

    def segments(self) -> list[Segment]:
        return [Segment(0.0, math.inf, float(self.T1))]

    def temperature_range(self, model: TLSModel, t_end: float) -> tuple[float, float]:
        return min(self.T0, self.T1), max(self.T0, self.T1)

    def default_stop(self) -> float:
        return 1e5

    def read_out(self, model: TLSModel, ensemble: Ensemble, trajectory: Trajectory) -> ReadOut:
        """α, C and Γ along time (docs/physics.md §6), with the equilibrium C of the same step."""
        dt = self.T1 - self.T0
        strain = trajectory.response.strain
        coeffs = step_coefficients(
            strain.sum(0),
            trajectory.response.heat.sum(0),
            dt,
            step_heat(ensemble, self.T0, self.T1),
            model.bulk_modulus,
        )
        return ReadOut(
            reference_temperature=float(self.T1),
            variables={
                "delta_T": ((), dt),
                "alpha": (("time",), coeffs.alpha),
                "alpha_by_type": (("tls_type", "time"), strain / dt),
                "heat_capacity": (("time",), coeffs.heat_capacity),
                "gruneisen": (("time",), coeffs.gruneisen),
                "heat_capacity_equilibrium": ((), float(coeffs.heat_capacity_equilibrium)),
                "gruneisen_equilibrium": (("time",), coeffs.gruneisen_equilibrium),
            },
        )


@dataclass(frozen=True)
class HeatPulse(TemperatureHistory):
    """A heater pulse at t = 0 raises the sample to ``T_bath + delta_T``; it relaxes back to the
    bath through a thermal link: T(t) = T_bath + delta_T exp(-t/tau_link).

    Give either ``delta_T`` or ``heat_density``; with ``heat_density``, ``delta_T`` is fixed by
    the glass at run time as heat_density / C, C the heat capacity that equilibrates within
    ``tau_link`` (phonons plus the TLS relaxed by then, at ``T_bath``): :meth:`resolved`.

    Examples
    --------
    >>> from protocols import HeatPulse
    >>> pulse = HeatPulse(T_bath=0.3, tau_link=1000.0, delta_T=0.03)
    >>> pulse.temperature([0.0, 1000.0]).round(4)  # 0.3 K + 30 mK, then 30 mK/e [K]
    array([0.33 , 0.311])
    >>> HeatPulse(T_bath=0.3, heat_density=1e-3, delta_T=None).describe()  # rise from the glass
    'heat pulse at 300 mK, 0.001 J m-3, τ_link = 16.7 min'
    """

    kind: ClassVar[str] = "heat-pulse"
    T_bath: float = temperature_parameter(
        0.3, "bath temperature", "Bath temperature, the equilibrium before and long after the pulse"
    )
    tau_link: float = parameter(
        1e3, "s", "link time constant", "Time constant of the thermal link to the bath", low=0.0
    )
    delta_T: float | None = parameter(
        0.03,
        "K",
        "temperature step",
        "Temperature rise of the pulse; nonzero, with T_bath + delta_T > 0",
        optional=True,
    )
    heat_density: float | None = parameter(
        None,
        "J m-3",
        "deposited heat density",
        "Heat deposited per volume at t = 0 by the heater",
        low=0.0,
        optional=True,
    )

    def _check_together(self) -> None:
        if (self.delta_T is None) == (self.heat_density is None):
            raise ParameterError(
                "heat-pulse needs exactly one of delta_T [K] and heat_density [J m-3]"
            )
        if self.delta_T is not None and (self.delta_T == 0 or self.T_bath + self.delta_T <= 0):
            raise ParameterError(
                f"delta_T = {self.delta_T} must be nonzero and keep T_bath + delta_T > 0 [K]"
            )

    def describe(self) -> str:
        rise = (
            f"ΔT = {title_temperature(self.delta_T)}"
            if self.delta_T is not None
            else f"{self.heat_density:.3g} J m-3"
        )
        return (
            f"heat pulse at {title_temperature(self.T_bath)}, {rise}, "
            f"τ_link = {title_duration(self.tau_link)}"
        )

    @property
    def initial_temperature(self) -> float:
        return float(self.T_bath)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return (0.0,)

    def _rise(self) -> float:
        if self.delta_T is None:
            raise ParameterError(
                "heat-pulse given by heat_density: resolve delta_T with the glass first"
            )
        return float(self.delta_T)

    def temperature(self, t: ArrayLike) -> FloatArray:
        """T(t) for t >= 0. [K]"""
        return self.T_bath + self._rise() * np.exp(-np.asarray(t, dtype=float) / self.tau_link)

    def segments(self) -> list[Segment]:
        return [Segment(0.0, math.inf, self.temperature)]

    def temperature_range(self, model: TLSModel, t_end: float) -> tuple[float, float]:
        peak = self.T_bath + self.resolved(model)._rise()
        return min(self.T_bath, peak), max(self.T_bath, peak)

    def default_stop(self) -> float:
        return 30.0 * self.tau_link

    def resolved(self, model: TLSModel) -> Self:
        """Given by its heat density, the pulse's rise follows from the glass
        (:func:`dynamics.response.pulse_rise`)."""
        if self.heat_density is None:
            return self
        rise = pulse_rise(model, self.T_bath, self.tau_link, self.heat_density)
        return dataclasses.replace(self, delta_T=rise, heat_density=None)

    def replace(self, **changes: Any) -> Self:
        """Changing ``heat_density`` drops ``delta_T`` and the other way round."""
        if "heat_density" in changes and "delta_T" not in changes:
            changes["delta_T"] = None
        if "delta_T" in changes and "heat_density" not in changes:
            changes["heat_density"] = None
        return super().replace(**changes)


@dataclass(frozen=True)
class Staircase(TemperatureHistory):
    """A dilatometer's staircase: ``steps`` steps of ``delta_T`` at t = 0, dwell, 2 dwell, ...

    The expansion coefficient, heat capacity and Grüneisen parameter are read at the end of each
    dwell from the change of strain and heat over that dwell.

    Examples
    --------
    >>> from protocols import Staircase
    >>> stairs = Staircase(T_start=0.1, delta_T=0.02, steps=3, dwell=600.0)
    >>> stairs.levels  # the temperature of each dwell [K]
    array([0.12, 0.14, 0.16])
    >>> stairs.dwell_ends  # where the dilatometer reads [s]
    array([ 600., 1200., 1800.])
    """

    kind: ClassVar[str] = "staircase"
    slow_history: ClassVar[bool] = True
    T_start: float = temperature_parameter(
        0.1, "start temperature", "Equilibrium temperature before the first step"
    )
    delta_T: float = parameter(
        0.02,
        "K",
        "temperature step",
        "Size of each step (negative for a cooling staircase); nonzero",
    )
    steps: int = parameter(
        10,
        "1",
        "number of steps",
        "Number of temperature steps",
        low=1,
        high=10000,
        low_open=False,
        high_open=False,
        integer=True,
    )
    dwell: float = parameter(600.0, "s", "dwell time", "Time at each temperature", low=0.0)

    def _check_together(self) -> None:
        if self.delta_T == 0:
            raise ParameterError("delta_T = 0 is not allowed for a staircase (nonzero) [K]")
        if self.T_start + self.steps * self.delta_T <= 0:
            raise ParameterError(
                f"delta_T = {self.delta_T} K with steps = {self.steps} takes the temperature to "
                f"{self.T_start + self.steps * self.delta_T:.4g} K; it must stay > 0"
            )

    def describe(self) -> str:
        return (
            f"staircase from {title_temperature(self.T_start)}: {self.steps} steps of "
            f"{title_temperature(self.delta_T)}, dwell {title_duration(self.dwell)}"
        )

    @property
    def initial_temperature(self) -> float:
        return float(self.T_start)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(k * self.dwell for k in range(self.steps))

    @property
    def dwell_ends(self) -> FloatArray:
        """End of each dwell, where the dilatometer reads. [s]"""
        return np.asarray(self.dwell * np.arange(1, self.steps + 1), dtype=float)

    @property
    def levels(self) -> FloatArray:
        """Temperature of each dwell. [K]"""
        return np.asarray(self.T_start + self.delta_T * np.arange(1, self.steps + 1), dtype=float)

    def temperature(self, t: ArrayLike) -> FloatArray:
        k = np.clip(np.floor(np.asarray(t, dtype=float) / self.dwell), 0, self.steps - 1)
        return np.asarray(self.T_start + self.delta_T * (k + 1), dtype=float)

    def segments(self) -> list[Segment]:
        segs = [
            Segment(k * self.dwell, (k + 1) * self.dwell, float(self.levels[k]))
            for k in range(self.steps)
        ]
        return [*segs[:-1], Segment(segs[-1].start, math.inf, segs[-1].temperature)]

    def temperature_range(self, model: TLSModel, t_end: float) -> tuple[float, float]:
        ends = [self.T_start, self.T_start + self.steps * self.delta_T]
        return min(ends), max(ends)

    def default_stop(self) -> float:
        return float(self.dwell_ends[-1])

    def output_times(self, times: FloatArray) -> FloatArray:
        """The user's times and the end of every dwell, where the dilatometer reads. [s]"""
        return np.union1d(times, self.dwell_ends)

    def default_output_times(self, first: float, points_per_decade: int) -> FloatArray:
        """Every dwell resolved alike: after each step, log-spaced from ``first`` (at most a
        tenth of the dwell) to the end of the dwell. (One log-spaced axis from ``first`` to the
        end of the staircase put most of its times in the first dwell: 269 of 316 for the
        default staircase.) [s]"""
        after_step = log_times(min(first, self.dwell / 10), self.dwell, points_per_decade)
        return np.unique(np.concatenate([k * self.dwell + after_step for k in range(self.steps)]))

    def default_output_count(self, first: float, points_per_decade: int) -> int:
        return self.steps * log_count(min(first, self.dwell / 10), self.dwell, points_per_decade)

    def read_out(self, model: TLSModel, ensemble: Ensemble, trajectory: Trajectory) -> ReadOut:
        """α, C and Γ of each step from the change of strain and heat over its dwell."""
        response = trajectory.response
        at_ends = np.searchsorted(response.times, self.dwell_ends)
        coeffs = staircase_coefficients(
            ensemble,
            response.strain.sum(0)[at_ends],
            response.heat.sum(0)[at_ends],
            self.T_start,
            self.delta_T,
            self.levels,
            model.bulk_modulus,
        )
        return ReadOut(
            reference_temperature=float(self.levels[0]),
            coords={"step": np.arange(1, self.steps + 1, dtype=np.int32)},  # CF 1.8: no int64
            variables={
                "step_temperature": (("step",), self.levels),
                "step_end": (("step",), self.dwell_ends),
                "delta_T": ((), self.delta_T),
                "alpha": (("step",), coeffs.alpha),
                "heat_capacity": (("step",), coeffs.heat_capacity),
                "gruneisen": (("step",), coeffs.gruneisen),
                "heat_capacity_equilibrium": (("step",), coeffs.heat_capacity_equilibrium),
                "gruneisen_equilibrium": (("step",), coeffs.gruneisen_equilibrium),
            },
        )


@dataclass(frozen=True)
class Ramp(TemperatureHistory):
    """A constant rate dT/dt from ``T_start`` to ``T_end``, then constant.

    Examples
    --------
    >>> from protocols import Ramp
    >>> ramp = Ramp(T_start=0.1, T_end=0.5, ramp_rate=1e-3)
    >>> ramp.duration  # (0.5 K - 0.1 K) / (1 mK/s) [s]
    400.0
    >>> ramp.temperature([0.0, 200.0, 1000.0])  # [K]
    array([0.1, 0.3, 0.5])
    """

    kind: ClassVar[str] = "ramp"
    slow_history: ClassVar[bool] = True
    T_start: float = temperature_parameter(
        0.1, "start temperature", "Equilibrium temperature before t = 0, where the ramp starts"
    )
    T_end: float = temperature_parameter(
        0.5, "end temperature", "Temperature at the end of the ramp"
    )
    ramp_rate: float = parameter(
        1e-3, "K s-1", "ramp rate |dT/dt|", "Magnitude of dT/dt during the ramp", low=0.0
    )

    def _check_together(self) -> None:
        if self.T_start == self.T_end:
            raise ParameterError(f"T_end = {self.T_end} must differ from T_start for a ramp [K]")
        if not math.isfinite(self.duration):
            raise ParameterError(
                f"ramp_rate = {self.ramp_rate:g} K s-1 makes the ramp from {self.T_start:g} K to "
                f"{self.T_end:g} K last for ever (duration inf); allowed range "
                f"({abs(self.T_end - self.T_start) / 1e300:g}, inf) [K s-1]"
            )

    def describe(self) -> str:
        return (
            f"ramp {title_temperature(self.T_start)} → {title_temperature(self.T_end)} "
            f"at {self.ramp_rate:.3g} K/s"
        )

    @property
    def duration(self) -> float:
        """Length of the ramp. [s]"""
        return abs(self.T_end - self.T_start) / self.ramp_rate

    @property
    def initial_temperature(self) -> float:
        return float(self.T_start)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return (0.0, self.duration)

    def temperature(self, t: ArrayLike) -> FloatArray:
        frac = np.clip(np.asarray(t, dtype=float) / self.duration, 0.0, 1.0)
        value = self.T_start + (self.T_end - self.T_start) * frac
        # never outside the ramp's ends (rounding near the lower end of a wide span could reach 0)
        lo, hi = min(self.T_start, self.T_end), max(self.T_start, self.T_end)
        return np.asarray(np.clip(value, lo, hi), dtype=float)

    def segments(self) -> list[Segment]:
        return [
            Segment(0.0, self.duration, self.temperature),
            Segment(self.duration, math.inf, float(self.T_end)),
        ]

    def temperature_range(self, model: TLSModel, t_end: float) -> tuple[float, float]:
        return min(self.T_start, self.T_end), max(self.T_start, self.T_end)

    def default_stop(self) -> float:
        return 3.0 * self.duration


@dataclass(frozen=True)
class Schedule(TemperatureHistory):
    """Any piecewise-linear T(t): a table of (time, temperature), constant after the last row.

    Examples
    --------
    >>> from protocols import Schedule
    >>> schedule = Schedule(times=(0.0, 60.0, 120.0), temperatures=(0.3, 0.4, 0.4))
    >>> schedule.temperature([30.0, 90.0, 500.0])  # [K]
    array([0.35, 0.4 , 0.4 ])
    >>> schedule.initial_temperature  # T_start: the first row's unless given [K]
    0.3
    """

    kind: ClassVar[str] = "schedule"
    slow_history: ClassVar[bool] = True
    times: tuple[float, ...] = parameter(
        (0.0, 1.0),
        "s",
        "schedule times",
        "Times of the table's rows: strictly increasing, the first 0",
        low=0.0,
        low_open=False,
        table=True,
    )
    temperatures: tuple[float, ...] = parameter(
        (0.3, 0.4),
        "K",
        "schedule temperatures",
        "Temperature at each time of the table",
        low=MIN_TEMPERATURE_K,
        low_open=False,
        table=True,
    )
    T_start: float | None = temperature_parameter(
        None,
        "start temperature",
        "Equilibrium temperature before t = 0; the first temperature of the table if None (a "
        "jump at t = 0 otherwise)",
        optional=True,
    )

    def _check_together(self) -> None:
        t, temps = self.times, self.temperatures
        if len(t) != len(temps) or len(t) < 1:
            raise ParameterError(
                f"times ({len(t)} values) and temperatures ({len(temps)} values) must be two "
                "columns of the same length >= 1"
            )
        if t[0] != 0.0:
            raise ParameterError(
                f"times[0] = {t[0]:g} s must be 0: a schedule starts at time 0 (its first row is "
                "the temperature at t = 0)"
            )
        bad = np.flatnonzero(np.diff(t) <= 0)
        if bad.size:
            i = int(bad[0]) + 1
            raise ParameterError(
                f"times must increase strictly (a non-monotonic schedule): times[{i}] = {t[i]:g} s "
                f"follows {t[i - 1]:g} s"
            )

    def describe(self) -> str:
        return f"schedule of {len(self.times)} points over {title_duration(self.times[-1])}"

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], T_start: float | None = None) -> Schedule:
        """Read a schedule file: a CSV table of time and temperature, with an optional header
        naming the columns and their units (``time [min], temperature [mK]``; seconds and
        kelvin without one); :mod:`protocols.schedule_file`. Every refusal names the file and
        the line."""
        from protocols.schedule_file import read_schedule

        times, temps = read_schedule(path)
        return cls(tuple(times.tolist()), tuple(temps.tolist()), T_start)

    @property
    def initial_temperature(self) -> float:
        return float(self.temperatures[0] if self.T_start is None else self.T_start)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(self.times)

    def temperature(self, t: ArrayLike) -> FloatArray:
        return np.interp(np.asarray(t, dtype=float), self.times, self.temperatures)

    def segments(self) -> list[Segment]:
        segs: list[Segment] = []
        t, temps = self.times, self.temperatures
        for i in range(len(t) - 1):
            a, b = temps[i], temps[i + 1]
            if a == b:
                segs.append(Segment(t[i], t[i + 1], float(a)))
            else:
                segs.append(Segment(t[i], t[i + 1], _Linear(t[i], t[i + 1], a, b)))
        segs.append(Segment(t[-1], math.inf, float(temps[-1])))
        return segs

    def temperature_range(self, model: TLSModel, t_end: float) -> tuple[float, float]:
        temps = [*self.temperatures, self.initial_temperature]
        return min(temps), max(temps)

    def default_stop(self) -> float:
        return 3.0 * self.times[-1] if self.times[-1] > 0 else 1e5


@dataclass(frozen=True)
class _Linear:
    """Linear T(t) between two table rows (picklable, unlike a closure)."""

    t0: float
    t1: float
    T0: float
    T1: float

    def __call__(self, t: FloatArray) -> FloatArray:
        value = self.T0 + (self.T1 - self.T0) * (np.asarray(t, dtype=float) - self.t0) / (
            self.t1 - self.t0
        )
        # never outside the two rows (rounding near the lower end of a wide span could reach 0)
        return np.clip(value, min(self.T0, self.T1), max(self.T0, self.T1))


@dataclass(frozen=True)
class IsolatedPulse(TemperatureHistory):
    """Heat ``heat_density`` deposited at t = 0 in a sample isolated but for an optional weak
    link.

    T(t) is not imposed: the phonons (Debye, C = beta T^3) take the heat at once, then the TLS
    absorb it as they relax, so the sample cools slowly; a link of conductance
    ``link_conductance`` leaks heat to the bath. Energy is conserved (heat in TLS + phonons +
    heat through the link = heat_density).

    Examples
    --------
    >>> import dynamics
    >>> from protocols import IsolatedPulse
    >>> pulse = IsolatedPulse(T_bath=0.1, heat_density=1e-4)
    >>> glass = dynamics.default_glass()
    >>> round(pulse.peak_temperature(glass.debye_coefficient), 4)  # phonons alone, at once [K]
    0.135
    """

    kind: ClassVar[str] = "isolated-pulse"
    T_bath: float = temperature_parameter(
        0.1, "bath temperature", "Temperature before t = 0, and of the bath"
    )
    heat_density: float = parameter(
        1e-4,
        "J m-3",
        "deposited heat density",
        "Heat deposited per volume at t = 0 by the heater",
        low=0.0,
    )
    link_conductance: float = parameter(
        0.0,
        "W m-3 K-1",
        "link conductance",
        "Thermal conductance of the link to the bath per sample volume; 0 for a perfectly "
        "isolated sample",
        low=0.0,
        low_open=False,
    )

    def describe(self) -> str:
        return (
            f"isolated pulse at {title_temperature(self.T_bath)}, {self.heat_density:.3g} J m-3, "
            "link "
            f"{self.link_conductance:.3g} W m-3 K-1"
        )

    @property
    def initial_temperature(self) -> float:
        return float(self.T_bath)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return (0.0,)

    def peak_temperature(self, debye_coefficient: float) -> float:
        """Temperature right after the deposit, phonons alone
        (:func:`dynamics.thermal.debye_temperature_after_deposit`). [K]"""
        return debye_temperature_after_deposit(self.T_bath, self.heat_density, debye_coefficient)

    def temperature_range(self, model: TLSModel, t_end: float) -> tuple[float, float]:
        if model.debye_coefficient <= 0:
            raise ParameterError(
                "debye_coefficient = 0: an isolated pulse needs phonons to take the heat "
                "(> 0) [J m-3 K-4]"
            )
        return float(self.T_bath), self.peak_temperature(model.debye_coefficient)

    def default_stop(self) -> float:
        return 1e5

    def simulate(
        self,
        model: TLSModel,
        ensemble: Ensemble,
        times: FloatArray,
        *,
        rtol: float,
        progress: Progress | None = None,
    ) -> Trajectory:
        """Energy conservation sets T(t): :func:`dynamics.response.isolated_trajectory`."""
        return isolated_trajectory(
            model,
            ensemble,
            self.T_bath,
            self.heat_density,
            times,
            temperature_high=self.temperature_range(model, float(times[-1]))[1],
            link_conductance=self.link_conductance,
            rtol=rtol,
            progress=progress,
        )


DEFAULT_PROTOCOL = "heat-pulse"


def make_protocol(kind: str, **parameters: Any) -> TemperatureHistory:
    """A protocol by name (``heat-step``, ``heat-pulse``, ...) with its parameters.

    Examples
    --------
    >>> import protocols
    >>> protocols.make_protocol("heat-step", T0=0.1, T1=0.11)
    HeatStep(T0=0.1, T1=0.11)
    >>> protocols.make_protocol("ramp", rate=0.01)
    Traceback (most recent call last):
    ...
    dynamics.validation.ParameterError: rate of protocol 'ramp' was renamed ramp_rate (CHANGELOG.md)
    """
    try:
        cls = PROTOCOLS[kind]
    except KeyError:
        raise ParameterError(
            f"protocol = {kind!r} is not known; choose one of {', '.join(sorted(PROTOCOLS))}"
        ) from None
    unknown = set(parameters) - cls.field_names()
    if unknown:
        name = sorted(unknown)[0]
        renamed = RENAMED_PARAMETERS.get(kind, {})
        if name in renamed:
            raise ParameterError(
                f"{name} of protocol {kind!r} was renamed {renamed[name]} (CHANGELOG.md)"
            )
        raise ParameterError(
            f"{name} is not a parameter of protocol {kind!r}; "
            f"allowed: {', '.join(sorted(cls.field_names()))}"
        )
    if kind == "schedule" and "file" in parameters:
        raise ParameterError("give a schedule file with Schedule.from_csv")
    converted = {k: tuple(v) if isinstance(v, list) else v for k, v in parameters.items()}
    if (
        kind == "heat-pulse"
        and converted.get("heat_density") is not None
        and "delta_T" not in converted
    ):
        converted["delta_T"] = None  # given by its heat density, the rise follows from the glass
    return cls(**converted)


def log_times(t_start: float, t_stop: float, points_per_decade: int = 20) -> FloatArray:
    """Output times spaced evenly in log t from ``t_start`` to ``t_stop`` (both included). [s]

    Examples
    --------
    >>> import protocols
    >>> protocols.log_times(1e-3, 1.0, 2)
    array([0.001     , 0.00316228, 0.01      , 0.03162278, 0.1       ,
           0.31622777, 1.        ])
    """
    a = as_real("t_start", t_start, "s")
    b = as_real("t_stop", t_stop, "s")
    check_range("t_start", a, 0.0, unit="s")
    check_range("t_stop", b, 0.0, unit="s")
    if b <= a:
        raise ParameterError(f"t_stop = {b:g} s must exceed t_start = {a:g} s")
    per_decade = as_count("points_per_decade", points_per_decade, 1)
    return np.logspace(math.log10(a), math.log10(b), log_count(a, b, per_decade))


def log_count(t_start: float, t_stop: float, points_per_decade: float) -> int:
    """How many times :func:`log_times` gives from ``t_start`` to ``t_stop`` (both > 0), without
    making them: ``points_per_decade`` per decade, both ends included, at least 2. [1]"""
    decades = math.log10(t_stop) - math.log10(t_start)  # t_stop/t_start overflows 1e-300..1e300
    return max(2, math.ceil(points_per_decade * decades) + 1)


def protocol_from_dict(data: dict[str, Any]) -> TemperatureHistory:
    """Inverse of ``to_dict``; a protocol stored under the names of an earlier version
    (:data:`RENAMED_PARAMETERS`, e.g. a ramp's ``rate``) is read under the new ones."""
    params = dict(data)
    kind = params.pop("kind", None)
    if not isinstance(kind, str):
        raise ParameterError("protocol needs a 'kind' (e.g. 'heat-step')")
    for old, new in RENAMED_PARAMETERS.get(kind, {}).items():
        if old in params and new not in params:
            params[new] = params.pop(old)
    return make_protocol(kind, **params)
