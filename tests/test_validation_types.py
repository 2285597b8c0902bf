"""The Python API accepts what numpy users pass and refuses the rest with the tool's own errors
(issue 23, class 6): numpy scalars and 0-d arrays are numbers, path-likes are file names, and
a wrong type is an ArgumentTypeError (a ParameterError and a TypeError) naming the argument,
never a raw AttributeError, TypeError, ValueError or OSError from deep inside."""

from __future__ import annotations

import json
import pathlib
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynamics import ParameterError, Resolution, build_ensemble, default_glass, relaxation_rate
from dynamics.validation import ArgumentTypeError
from protocols import (
    HeatPulse,
    HeatStep,
    Ramp,
    Schedule,
    Staircase,
    alpha_through_tc,
    fit,
    gruneisen_vs_tau,
    log_times,
    open_dataset,
    run,
    sweep,
    write_netcdf,
)
from protocols.fitdata import measurement, read_data

GLASS = default_glass(spectrum="asymptotic")
RES = Resolution(energy_nodes=4, p_nodes=3)
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

#: the ways numpy users write the number 0.3
NUMPY_FORMS = [np.float64(0.3), np.float32(0.3), np.array(0.3), np.array(0.3, dtype=np.float32)]


@pytest.mark.parametrize("value", NUMPY_FORMS, ids=lambda v: f"{type(v).__name__}-{v.dtype}")
def test_numpy_scalars_and_0d_arrays_are_numbers(value) -> None:
    # 0-d arrays were refused as "not a number"; numpy integers as steps or per-decade counts
    exact = float(np.float32(0.3)) if np.asarray(value).dtype == np.float32 else 0.3
    step = HeatStep(value, 0.33)
    assert step.T0 == exact and type(step.T0) is float  # stored as a Python number
    json.dumps(step.to_dict())  # and serialisable
    assert Ramp(value, 0.5, np.array(1e-2)).T_start == exact
    assert HeatPulse(T_bath=value).T_bath == exact
    assert Staircase(value, 0.02, np.int64(3), np.array(5.0)).steps == 3
    glass = GLASS.replace(c=np.float32(5.0), N0=np.array(1e46))
    assert type(glass.c) is float and type(glass.N0) is float
    json.dumps(glass.to_dict())
    assert log_times(np.array(1e-3), np.float64(1.0), np.int64(2)).size == 7
    assert Resolution(energy_nodes=np.int64(4), p_nodes=np.array(3)).energy_nodes == 4
    ds = gruneisen_vs_tau(GLASS, value, np.array(1.0), resolution=RES)
    assert float(ds.temperature[0]) == pytest.approx(exact, rel=0)


@QUICK
@given(
    value=st.floats(min_value=0.05, max_value=2.0),
    form=st.sampled_from([np.float64, np.float32, np.array, lambda v: np.array(v, np.float32)]),
)
def test_any_numpy_form_of_a_temperature_is_that_temperature(value, form) -> None:
    given_value = form(value)
    assert HeatStep(given_value, 3.0).T0 == float(np.asarray(given_value))


def test_path_likes_are_file_names(tmp_path) -> None:
    ds = run(GLASS, HeatStep(), [1.0, 10.0], resolution=RES)
    written = write_netcdf(ds, pathlib.PurePosixPath(tmp_path / "a.nc"))
    assert open_dataset(pathlib.Path(written)).sizes["time"] == 2
    csv = tmp_path / "s.csv"
    csv.write_text("0,0.3\n1,0.4\n")
    assert Schedule.from_csv(pathlib.PurePosixPath(csv)).times == (0.0, 1.0)


DATA = measurement("alpha", [1e-9, 2e-9, 3e-9], temperature=[0.1, 0.2, 0.3], tau_expt=1.0)

WRONG_TYPES = [
    (lambda: run("ggp1985", HeatStep()), "glass = 'ggp1985' must be a dynamics.Glass"),
    (lambda: run(GLASS, "heat-step"), "protocol = 'heat-step' must be a protocol"),
    (lambda: run(GLASS, HeatStep(), [1.0], resolution=5), "resolution = 5 must be"),
    (lambda: run(GLASS, HeatStep(), [1.0], progress=5), "progress = 5 must be a function"),
    (lambda: run(GLASS, HeatStep(), "a"), "times = 'a' is not a number"),
    (lambda: gruneisen_vs_tau(GLASS, None, [1.0]), "temperature = None is not a number"),
    (lambda: alpha_through_tc("zrcu", [0.5], [1.0]), "glass = 'zrcu'"),
    (lambda: write_netcdf("x", "a.nc"), "dataset = 'x' must be an xarray.Dataset"),
    (lambda: write_netcdf(None, 5), "path = 5 must be a file name"),
    (lambda: open_dataset(5), "path = 5 must be a file name"),
    (lambda: read_data(None), "source = None must be a file name"),
    (lambda: Schedule.from_csv(5), "path = 5 must be a file name"),
    (lambda: measurement("alpha", "a", temperature=0.3, tau_expt=1.0), "values = 'a' must be"),
    (lambda: fit(5, GLASS, ["c"]), "measurements = 5 must be data: a Measurement"),
    (lambda: fit(DATA, GLASS, ["c"], bounds=5), "bounds = 5 must be a dict"),
    (lambda: fit(DATA, GLASS, [5]), "vary = [5] must be a name or a list of names"),
    (lambda: sweep(GLASS, 5), "grid = 5 must be a dict"),
    (lambda: sweep(GLASS, {"temperature": [0.3]}, progress="yes"), "progress = 'yes' must be"),
    (lambda: GLASS.replace(c="5"), "c = '5' must be a real number"),
    (lambda: Staircase(steps="3"), "steps = '3' must be a whole number"),
    (lambda: build_ensemble("glass", 0.3, 0.3, 1.0), "model = 'glass' must be a glass"),
    (lambda: relaxation_rate("a", 0.5, 0.3, A=1e9), "energy = 'a' is not a number"),
]


@pytest.mark.parametrize(("call", "message"), WRONG_TYPES, ids=[m[:30] for _, m in WRONG_TYPES])
def test_wrong_types_raise_the_tools_type_error_naming_the_argument(call, message) -> None:
    # each raised a raw AttributeError, TypeError, ValueError or OSError before
    with pytest.raises(ArgumentTypeError, match=re.escape(message)):
        call()


def test_the_tools_type_error_is_both_a_type_error_and_a_parameter_error() -> None:
    assert issubclass(ArgumentTypeError, TypeError) and issubclass(
        ArgumentTypeError, ParameterError
    )
    assert issubclass(ArgumentTypeError, ValueError)


@pytest.mark.parametrize("flag", ["no", 0, None])
def test_a_flag_that_is_not_a_bool_is_refused(tmp_path, flag) -> None:
    # overwrite="no" replaced the file: any non-empty string is true
    ds = run(GLASS, HeatStep(), [1.0], resolution=RES)
    target = write_netcdf(ds, tmp_path / "a.nc")
    with pytest.raises(ArgumentTypeError, match=r"overwrite = .* must be True or False"):
        write_netcdf(ds, target, overwrite=flag)
    with pytest.raises(ArgumentTypeError, match=r"yes = .* must be True or False"):
        run(GLASS, HeatStep(), [1.0], resolution=RES, yes=flag)


def test_one_name_to_vary_may_be_given_as_a_string() -> None:
    temps = np.linspace(0.1, 0.3, 6)
    from protocols.fit import predict

    values = predict(
        GLASS.replace(c=7.0), measurement("alpha", np.zeros(6), temperature=temps, tau_expt=100.0)
    )
    data = measurement("alpha", values, temperature=temps, tau_expt=100.0)
    assert fit(data, GLASS, "c").values["c"] == pytest.approx(7.0, rel=1e-4)
