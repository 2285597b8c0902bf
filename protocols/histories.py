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
import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.electrons import electron_heat_content_function
from dynamics.ensemble import Ensemble
from dynamics.glass import TLSModel
from dynamics.propagation import Segment, propagate, propagate_isolated
from dynamics.response import (
    Trajectory,
    imposed_trajectory,
    pulse_rise,
    staircase_coefficients,
    step_coefficients,
    step_heat,
)
from dynamics.thermal import debye_temperature_after_deposit
from dynamics.validation import (
    ArgumentTypeError,
    ParameterError,
    as_count,
    check_range,
    check_temperature,
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


def _temperature(name: str, value: Any) -> float:
    value = plain_number(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"{name} = {value!r} must be a temperature in K, a number")
    return float(check_temperature(name, value))


def _positive(name: str, value: Any, unit: str) -> float:
    value = plain_number(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"{name} = {value!r} must be a number [{unit}]")
    if unit == "s":
        return float(check_time(name, value))
    return float(check_range(name, value, 0.0, unit=unit))


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
        validate = cls.__dict__.get("__post_init__")
        if validate is not None:  # numpy numbers and 0-d arrays stored as Python numbers first
            wrapped = functools.partialmethod(_plain_then, validate)
            setattr(cls, "__post_init__", wrapped)  # noqa: B010 (mypy: not on the base class)

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

    Parameters
    ----------
    T0
        Equilibrium temperature before the step. [K]
    T1
        Temperature after the step. [K]
    """

    kind: ClassVar[str] = "heat-step"
    T0: float = 0.3
    T1: float = 0.33

    def __post_init__(self) -> None:
        _temperature("T0", self.T0)
        _temperature("T1", self.T1)
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

    Give either ``delta_T`` or ``energy``; with ``energy``, ``delta_T`` is fixed by the glass at
    run time as energy / C, C the heat capacity that equilibrates within ``tau_link`` (phonons
    plus the TLS relaxed by then, at ``T_bath``): :meth:`resolved`.

    Parameters
    ----------
    T_bath
        Bath temperature, the equilibrium before and long after the pulse. [K]
    tau_link
        Time constant of the thermal link to the bath. [s]
    delta_T
        Temperature rise of the pulse. [K]
    energy
        Heat deposited per volume by the heater. [J m-3]
    """

    kind: ClassVar[str] = "heat-pulse"
    T_bath: float = 0.3
    tau_link: float = 1e3
    delta_T: float | None = 0.03
    energy: float | None = None

    def __post_init__(self) -> None:
        _temperature("T_bath", self.T_bath)
        _positive("tau_link", self.tau_link, "s")
        if (self.delta_T is None) == (self.energy is None):
            raise ParameterError("heat-pulse needs exactly one of delta_T [K] and energy [J m-3]")
        if self.delta_T is not None:
            dt = float(check_range("delta_T", self.delta_T, unit="K"))
            if dt == 0 or self.T_bath + dt <= 0:
                raise ParameterError(
                    f"delta_T = {dt} must be nonzero and keep T_bath + delta_T > 0 [K]"
                )
        if self.energy is not None:
            _positive("energy", self.energy, "J m-3")

    def describe(self) -> str:
        rise = (
            f"ΔT = {title_temperature(self.delta_T)}"
            if self.delta_T is not None
            else f"energy {self.energy:.3g} J m-3"
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
            raise ParameterError("heat-pulse given by energy: resolve delta_T with the glass first")
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
        """Given by its energy, the pulse's rise follows from the glass
        (:func:`dynamics.response.pulse_rise`)."""
        if self.energy is None:
            return self
        rise = pulse_rise(model, self.T_bath, self.tau_link, self.energy)
        return dataclasses.replace(self, delta_T=rise, energy=None)

    def replace(self, **changes: Any) -> Self:
        """Changing ``energy`` drops ``delta_T`` and the other way round."""
        if "energy" in changes and "delta_T" not in changes:
            changes["delta_T"] = None
        if "delta_T" in changes and "energy" not in changes:
            changes["energy"] = None
        return super().replace(**changes)


@dataclass(frozen=True)
class Staircase(TemperatureHistory):
    """A dilatometer's staircase: ``steps`` steps of ``delta_T`` at t = 0, dwell, 2 dwell, ...

    The expansion coefficient, heat capacity and Grüneisen parameter are read at the end of each
    dwell from the change of strain and heat over that dwell.

    Parameters
    ----------
    T_start
        Equilibrium temperature before the first step. [K]
    delta_T
        Size of each step (negative for a cooling staircase). [K]
    steps
        Number of steps. [1]
    dwell
        Time at each temperature. [s]
    """

    kind: ClassVar[str] = "staircase"
    slow_history: ClassVar[bool] = True
    T_start: float = 0.1
    delta_T: float = 0.02
    steps: int = 10
    dwell: float = 600.0

    def __post_init__(self) -> None:
        _temperature("T_start", self.T_start)
        dt = float(check_range("delta_T", self.delta_T, unit="K"))
        if dt == 0:
            raise ParameterError("delta_T = 0 is not allowed for a staircase (nonzero) [K]")
        object.__setattr__(self, "steps", as_count("steps", self.steps, 1, 10000))
        if self.T_start + self.steps * dt <= 0:
            raise ParameterError(
                f"delta_T = {dt} K with steps = {self.steps} takes the temperature to "
                f"{self.T_start + self.steps * dt:.4g} K; it must stay > 0"
            )
        _positive("dwell", self.dwell, "s")

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

    Parameters
    ----------
    T_start
        Equilibrium temperature before t = 0. [K]
    T_end
        Temperature at the end of the ramp. [K]
    rate
        Magnitude of dT/dt. [K s-1]
    """

    kind: ClassVar[str] = "ramp"
    slow_history: ClassVar[bool] = True
    T_start: float = 0.1
    T_end: float = 0.5
    rate: float = 1e-3

    def __post_init__(self) -> None:
        _temperature("T_start", self.T_start)
        _temperature("T_end", self.T_end)
        if self.T_start == self.T_end:
            raise ParameterError(f"T_end = {self.T_end} must differ from T_start for a ramp [K]")
        _positive("rate", self.rate, "K s-1")
        if not math.isfinite(self.duration):
            raise ParameterError(
                f"rate = {self.rate:g} K s-1 makes the ramp from {self.T_start:g} K to "
                f"{self.T_end:g} K last for ever (duration inf); allowed range "
                f"({abs(self.T_end - self.T_start) / 1e300:g}, inf) [K s-1]"
            )

    def describe(self) -> str:
        return (
            f"ramp {title_temperature(self.T_start)} → {title_temperature(self.T_end)} "
            f"at {self.rate:.3g} K/s"
        )

    @property
    def duration(self) -> float:
        """Length of the ramp. [s]"""
        return abs(self.T_end - self.T_start) / self.rate

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

    Parameters
    ----------
    times
        Strictly increasing times, the first 0. [s]
    temperatures
        Temperature at each time. [K]
    initial_temperature_K
        Equilibrium temperature before t = 0; the first temperature if omitted (a jump at t = 0
        otherwise). [K]
    """

    kind: ClassVar[str] = "schedule"
    slow_history: ClassVar[bool] = True
    times: tuple[float, ...] = (0.0, 1.0)
    temperatures: tuple[float, ...] = (0.3, 0.4)
    initial_temperature_K: float | None = None

    def __post_init__(self) -> None:
        t = check_time("times", self.times, allow_zero=True)
        temps = check_temperature("temperatures", self.temperatures)
        if t.ndim != 1 or temps.ndim != 1 or t.size != temps.size or t.size < 1:
            raise ParameterError(
                f"times ({t.size} values) and temperatures ({temps.size} values) must be two "
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
        if self.initial_temperature_K is not None:
            _temperature("initial_temperature_K", self.initial_temperature_K)
        object.__setattr__(self, "times", tuple(float(v) for v in t))
        object.__setattr__(self, "temperatures", tuple(float(v) for v in temps))

    def describe(self) -> str:
        return f"schedule of {len(self.times)} points over {title_duration(self.times[-1])}"

    @classmethod
    def from_csv(
        cls, path: str | os.PathLike[str], initial_temperature_K: float | None = None
    ) -> Schedule:
        """Read a schedule file: a CSV table of time and temperature, with an optional header
        naming the columns and their units (``time [min], temperature [mK]``; seconds and
        kelvin without one); :mod:`protocols.schedule_file`. Every refusal names the file and
        the line."""
        from protocols.schedule_file import read_schedule

        times, temps = read_schedule(path)
        return cls(tuple(times.tolist()), tuple(temps.tolist()), initial_temperature_K)

    @property
    def initial_temperature(self) -> float:
        return float(
            self.temperatures[0]
            if self.initial_temperature_K is None
            else self.initial_temperature_K
        )

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
    """Heat ``energy`` deposited at t = 0 in a sample isolated but for an optional weak link.

    T(t) is not imposed: the phonons (Debye, C = beta T^3) take the heat at once, then the TLS
    absorb it as they relax, so the sample cools slowly; a link of conductance
    ``link_conductance`` leaks heat to the bath. Energy is conserved (heat in TLS + phonons +
    heat through the link = energy).

    Parameters
    ----------
    T_bath
        Temperature before t = 0, and of the bath. [K]
    energy
        Heat deposited per volume at t = 0. [J m-3]
    link_conductance
        Thermal conductance of the link per sample volume; 0 for a perfectly isolated sample.
        [W m-3 K-1]
    """

    kind: ClassVar[str] = "isolated-pulse"
    T_bath: float = 0.1
    energy: float = 1e-4
    link_conductance: float = 0.0

    def __post_init__(self) -> None:
        _temperature("T_bath", self.T_bath)
        _positive("energy", self.energy, "J m-3")
        check_range(
            "link_conductance", self.link_conductance, 0.0, low_open=False, unit="W m-3 K-1"
        )

    def describe(self) -> str:
        return (
            f"isolated pulse at {title_temperature(self.T_bath)}, {self.energy:.3g} J m-3, link "
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
        return debye_temperature_after_deposit(self.T_bath, self.energy, debye_coefficient)

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
        """Energy conservation sets T(t): :func:`dynamics.propagation.propagate_isolated`."""
        t_lo, t_hi = self.temperature_range(model, float(times[-1]))
        dos = float(getattr(model, "electron_dos", 0.0))
        u_e = (
            electron_heat_content_function(
                t_lo, t_hi, electron_dos=dos, critical_temperature=model.critical_temperature
            )
            if dos > 0
            else None
        )
        iso = propagate_isolated(
            ensemble,
            self.T_bath,
            self.energy,
            model.debye_coefficient,
            times,
            link_conductance=self.link_conductance,
            electron_heat_content=u_e,
            rtol=rtol,
            progress=progress,
        )
        return Trajectory(
            response=iso,
            heat_phonon=iso.heat_phonon,
            heat_electron=iso.heat_electron if dos > 0 else None,
            heat_to_bath=iso.heat_to_bath,
        )


DEFAULT_PROTOCOL = "heat-pulse"


def make_protocol(kind: str, **parameters: Any) -> TemperatureHistory:
    """A protocol by name (``heat-step``, ``heat-pulse``, ...) with its parameters."""
    try:
        cls = PROTOCOLS[kind]
    except KeyError:
        raise ParameterError(
            f"protocol = {kind!r} is not known; choose one of {', '.join(sorted(PROTOCOLS))}"
        ) from None
    unknown = set(parameters) - cls.field_names()
    if unknown:
        name = sorted(unknown)[0]
        raise ParameterError(
            f"{name} is not a parameter of protocol {kind!r}; "
            f"allowed: {', '.join(sorted(cls.field_names()))}"
        )
    if kind == "schedule" and "file" in parameters:
        raise ParameterError("give a schedule file with Schedule.from_csv")
    converted = {k: tuple(v) if isinstance(v, list) else v for k, v in parameters.items()}
    if kind == "heat-pulse" and converted.get("energy") is not None and "delta_T" not in converted:
        converted["delta_T"] = None  # given by its energy, the pulse's rise follows from the glass
    return cls(**converted)


def log_times(t_start: float, t_stop: float, points_per_decade: int = 20) -> FloatArray:
    """Output times spaced evenly in log t from ``t_start`` to ``t_stop`` (both included). [s]"""
    a = _positive("t_start", t_start, "s")
    b = _positive("t_stop", t_stop, "s")
    if b <= a:
        raise ParameterError(f"t_stop = {b:g} s must exceed t_start = {a:g} s")
    per_decade = as_count("points_per_decade", points_per_decade, 1)
    decades = math.log10(b) - math.log10(a)  # b / a overflows for 1e-300 .. 1e300
    n = max(2, math.ceil(per_decade * decades) + 1)
    return np.logspace(math.log10(a), math.log10(b), n)


def protocol_from_dict(data: dict[str, Any]) -> TemperatureHistory:
    """Inverse of ``to_dict``."""
    params = dict(data)
    kind = params.pop("kind", None)
    if not isinstance(kind, str):
        raise ParameterError("protocol needs a 'kind' (e.g. 'heat-step')")
    return make_protocol(kind, **params)
