"""Temperature histories: what the experimenter does to the glass.

Each protocol is a small frozen dataclass, validated on construction, giving the temperature
T(t) [K] for t >= 0 (right-continuous), the equilibrium temperature before t = 0, its
breakpoints, and the segments the engine steps through exactly (constant-temperature segments
are solved in closed form). :class:`IsolatedPulse` imposes no T(t): energy conservation
determines it (:func:`dynamics.propagation.propagate_isolated`).
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.propagation import Segment
from dynamics.validation import ParameterError, check_range, check_temperature

FloatArray = NDArray[np.float64]


def _temperature(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ParameterError(f"{name} = {value!r} must be a temperature in K, a number")
    return float(check_temperature(name, value))


def _positive(name: str, value: Any, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ParameterError(f"{name} = {value!r} must be a number [{unit}]")
    return float(check_range(name, value, 0.0, unit=unit))


class _Protocol:
    """Shared behaviour: JSON-able description and field lookup."""

    kind: ClassVar[str] = ""

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


@dataclass(frozen=True)
class HeatStep(_Protocol):
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

    def temperature_range(self, t_end: float) -> tuple[float, float]:
        return min(self.T0, self.T1), max(self.T0, self.T1)


@dataclass(frozen=True)
class HeatPulse(_Protocol):
    """A heater pulse at t = 0 raises the sample to ``T_bath + delta_T``; it relaxes back to the
    bath through a thermal link: T(t) = T_bath + delta_T exp(-t/tau_link).

    Give either ``delta_T`` or ``energy``; with ``energy``, ``delta_T`` is fixed by the glass at
    run time as energy / C, C the heat capacity that equilibrates within ``tau_link`` (phonons
    plus the TLS relaxed by then, at ``T_bath``): :meth:`with_energy_resolved`.

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

    def temperature_range(self, t_end: float) -> tuple[float, float]:
        peak = self.T_bath + self._rise()
        return min(self.T_bath, peak), max(self.T_bath, peak)

    def with_energy_resolved(self, heat_capacity: float) -> HeatPulse:
        """The same pulse with ``delta_T = energy / heat_capacity`` [J m-3 K-1]."""
        if self.energy is None:
            return self
        c = _positive("heat_capacity", heat_capacity, "J m-3 K-1")
        return HeatPulse(self.T_bath, self.tau_link, delta_T=self.energy / c, energy=None)


@dataclass(frozen=True)
class Staircase(_Protocol):
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
    T_start: float = 0.1
    delta_T: float = 0.02
    steps: int = 10
    dwell: float = 600.0

    def __post_init__(self) -> None:
        _temperature("T_start", self.T_start)
        dt = float(check_range("delta_T", self.delta_T, unit="K"))
        if dt == 0:
            raise ParameterError("delta_T = 0 is not allowed for a staircase (nonzero) [K]")
        if (
            isinstance(self.steps, bool)
            or not isinstance(self.steps, int)
            or not 1 <= self.steps <= 10000
        ):
            raise ParameterError(
                f"steps = {self.steps!r} is outside the allowed range [1, 10000] (integer)"
            )
        if self.T_start + self.steps * dt <= 0:
            raise ParameterError(
                f"delta_T = {dt} K with steps = {self.steps} takes the temperature to "
                f"{self.T_start + self.steps * dt:.4g} K; it must stay > 0"
            )
        _positive("dwell", self.dwell, "s")

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

    def temperature_range(self, t_end: float) -> tuple[float, float]:
        ends = [self.T_start, self.T_start + self.steps * self.delta_T]
        return min(ends), max(ends)


@dataclass(frozen=True)
class Ramp(_Protocol):
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

    def temperature_range(self, t_end: float) -> tuple[float, float]:
        return min(self.T_start, self.T_end), max(self.T_start, self.T_end)


@dataclass(frozen=True)
class Schedule(_Protocol):
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
    times: tuple[float, ...] = (0.0, 1.0)
    temperatures: tuple[float, ...] = (0.3, 0.4)
    initial_temperature_K: float | None = None

    def __post_init__(self) -> None:
        t = check_range("times", self.times, 0.0, low_open=False, unit="s")
        temps = check_temperature("temperatures", self.temperatures)
        if t.ndim != 1 or temps.ndim != 1 or t.size != temps.size or t.size < 1:
            raise ParameterError(
                f"times ({t.size} values) and temperatures ({temps.size} values) must be two "
                "columns of the same length >= 1"
            )
        if t[0] != 0.0:
            raise ParameterError(f"times[0] = {t[0]:g} s must be 0")
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

    @classmethod
    def from_csv(cls, path: str | Path, initial_temperature_K: float | None = None) -> Schedule:
        """Read a two-column CSV (time [s], temperature [K]), with or without a header line."""
        p = Path(path)
        try:
            with p.open(newline="") as handle:
                rows = [
                    row for row in csv.reader(handle) if row and not row[0].lstrip().startswith("#")
                ]
        except OSError as exc:
            raise ParameterError(
                f"schedule file {str(p)!r} cannot be read: {exc.strerror}"
            ) from None
        except UnicodeDecodeError as exc:
            raise ParameterError(
                f"schedule file {str(p)!r} is not text in {exc.encoding} (byte {exc.start})"
            ) from None
        values: list[tuple[float, float]] = []
        for number, row in enumerate(rows, start=1):
            try:
                values.append((float(row[0]), float(row[1])))
            except (ValueError, IndexError):
                if number == 1:
                    continue  # a header
                raise ParameterError(
                    f"schedule file {str(p)!r}, line {number}: {row!r} is not "
                    "'time_s, temperature_K'"
                ) from None
        if not values:
            raise ParameterError(f"schedule file {str(p)!r} has no rows of 'time_s, temperature_K'")
        t, temps = zip(*values, strict=True)
        return cls(tuple(t), tuple(temps), initial_temperature_K)

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

    def temperature_range(self, t_end: float) -> tuple[float, float]:
        temps = [*self.temperatures, self.initial_temperature]
        return min(temps), max(temps)


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
class IsolatedPulse(_Protocol):
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

    @property
    def initial_temperature(self) -> float:
        return float(self.T_bath)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return (0.0,)

    def peak_temperature(self, debye_coefficient: float) -> float:
        """Temperature right after the deposit, phonons alone: (T^4 + 4 Q/beta)^{1/4}. [K]"""
        beta = _positive("debye_coefficient", debye_coefficient, "J m-3 K-4")
        return float((self.T_bath**4 + 4.0 * self.energy / beta) ** 0.25)


Protocol = HeatStep | HeatPulse | Staircase | Ramp | Schedule | IsolatedPulse

PROTOCOLS: dict[str, type[_Protocol]] = {
    cls.kind: cls for cls in (HeatStep, HeatPulse, Staircase, Ramp, Schedule, IsolatedPulse)
}
DEFAULT_PROTOCOL = "heat-pulse"


def make_protocol(kind: str, **parameters: Any) -> Protocol:
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
    return cast(Protocol, cls(**converted))


def log_times(t_start: float, t_stop: float, points_per_decade: int = 20) -> FloatArray:
    """Output times spaced evenly in log t from ``t_start`` to ``t_stop`` (both included). [s]"""
    a = _positive("t_start", t_start, "s")
    b = _positive("t_stop", t_stop, "s")
    if b <= a:
        raise ParameterError(f"t_stop = {b:g} s must exceed t_start = {a:g} s")
    if (
        isinstance(points_per_decade, bool)
        or not isinstance(points_per_decade, int)
        or points_per_decade < 1
    ):
        raise ParameterError(f"points_per_decade = {points_per_decade!r} must be an integer >= 1")
    n = max(2, math.ceil(points_per_decade * math.log10(b / a)) + 1)
    return np.logspace(math.log10(a), math.log10(b), n)


def protocol_from_dict(data: dict[str, Any]) -> Protocol:
    """Inverse of ``to_dict``."""
    params = dict(data)
    kind = params.pop("kind", None)
    if not isinstance(kind, str):
        raise ParameterError("protocol needs a 'kind' (e.g. 'heat-step')")
    return make_protocol(kind, **params)


def schedule_rows(schedule: Schedule) -> Sequence[tuple[float, float]]:
    """The table of a schedule, row by row."""
    return list(zip(schedule.times, schedule.temperatures, strict=True))
