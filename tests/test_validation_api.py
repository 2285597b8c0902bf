"""The Python API under bad input: always the tool's own ParameterError,
naming the parameter; and property-based checks of the protocols' validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamics import ParameterError, default_glass
from dynamics.ensemble import Resolution
from dynamics.validation import MIN_TEMPERATURE_K
from protocols.histories import HeatStep, Ramp, Schedule, Staircase
from protocols.run import gruneisen_vs_tau, run

GLASS = default_glass(spectrum="asymptotic")
RES = Resolution(energy_nodes=4, p_nodes=3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Schedule(times=("0", "a"), temperatures=(0.3, 0.4)),
            r"times = .* is not a number",
        ),
        (lambda: Schedule(times=(0.0, 1.0), temperatures=("x", 0.4)), "temperatures = "),
        (lambda: gruneisen_vs_tau(GLASS, [], [1.0]), "temperature has shape \\(0,\\)"),
        (lambda: gruneisen_vs_tau(GLASS, [0.3], []), "tau_expt has shape \\(0,\\)"),
        (lambda: gruneisen_vs_tau(GLASS, [0.3, 0.3], [1.0]), "repeated values"),
        (lambda: gruneisen_vs_tau(GLASS, [[0.3, 0.4]], [1.0]), "temperature has shape \\(1, 2\\)"),
        (lambda: GLASS.replace(foo=1), "foo = 1 is not a parameter of Glass; allowed: "),
        (lambda: run(GLASS, HeatStep(), [[1.0, 2.0]]), r"times has shape \(1, 2\)"),
        (lambda: Ramp(ramp_rate=1e-320), "makes the ramp from 0.1 K to 0.5 K last for ever"),
        (lambda: HeatStep(1e-300, 0.3), r"T0 = 1e-300 is outside the allowed range \[1e-09"),
    ],
)
def test_api_errors_are_parameter_errors_naming_the_parameter(make, message) -> None:
    with pytest.raises(ParameterError, match=message):
        make()


def test_tunnelling_glass_replace_names_the_unknown_field() -> None:
    from dynamics import get_glass

    with pytest.raises(ParameterError, match="bar = 2 is not a parameter of TunnellingGlass"):
        get_glass("stm-silica").replace(bar=2)


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10, max_value=10),
    st.sampled_from([0.0, -0.0, 1e-300, 1e-320, 1e-9, 1e300]),
)


def _finite_history(protocol) -> None:
    """A valid protocol gives finite breakpoints and temperatures >= the floor."""
    points = np.asarray(protocol.breakpoints, dtype=float)
    assert np.all(np.isfinite(points))
    t = np.concatenate([points, points + 1.0])
    temps = protocol.temperature(t)
    assert np.all(np.isfinite(temps)) and np.all(temps >= MIN_TEMPERATURE_K * (1 - 1e-12))
    lo, hi = protocol.temperature_range(GLASS, float(t.max()))
    assert MIN_TEMPERATURE_K <= lo <= hi < math.inf


@settings(max_examples=80, deadline=None)
@given(t0=numbers, t1=numbers)
def test_heat_step_validation(t0, t1) -> None:
    try:
        p = HeatStep(t0, t1)
    except ParameterError:
        return
    _finite_history(p)


@settings(max_examples=80, deadline=None)
@given(start=numbers, end=numbers, rate=numbers)
def test_ramp_validation(start, end, rate) -> None:
    try:
        p = Ramp(start, end, rate)
    except ParameterError:
        return
    assert math.isfinite(p.duration) and p.duration > 0
    _finite_history(p)


@settings(max_examples=80, deadline=None)
@given(start=numbers, delta=numbers, steps=st.integers(-2, 20), dwell=numbers)
def test_staircase_validation(start, delta, steps, dwell) -> None:
    try:
        p = Staircase(start, delta, steps, dwell)
    except ParameterError:
        return
    assert np.all(p.levels > 0)


@settings(max_examples=80, deadline=None)
@given(
    times=st.lists(st.one_of(numbers, st.text(max_size=3)), min_size=0, max_size=4),
    temps=st.lists(st.one_of(numbers, st.text(max_size=3)), min_size=0, max_size=4),
)
def test_schedule_validation(times, temps) -> None:
    try:
        p = Schedule(tuple(times), tuple(temps))
    except ParameterError:
        return
    _finite_history(p)
