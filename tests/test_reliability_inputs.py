"""Values read exactly as the user meant them, or refused (issue 23, class 1 and 3): decimal
commas, units in headers, settings given twice, files that are not UTF-8; property-based tests
of every parser of user text (CLI values, TOML, fit CSV, schedule files).

Reference conversions are the SI definitions (milli = 1e-3, minute = 60 s, hour = 3600 s,
0 degC = 273.15 K), written out here, not taken from the parser; floating-point conversions
agree to a few ulp (rel=1e-12; the offset of degC adds one rounding of 273.15, hence abs=1e-12
on kelvin values of order 300).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dynamics import ParameterError
from protocols.cli import main
from protocols.config import ConfigError, parse_overrides, parse_value, read_config
from protocols.fitdata import read_csv
from protocols.histories import Schedule
from protocols.quantities import convert_values, parse_quantity
from protocols.textfiles import InputFileError

#: SI factors of the units the generated inputs use (definitions, not the parser's output).
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "min": 60.0, "h": 3600.0, "day": 86400.0}
TEMPERATURE_UNITS = {"K": 1.0, "mK": 1e-3, "uK": 1e-6}
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

finite = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)
digits = st.integers(min_value=0, max_value=999)


def _one_line_exit_2(capsys, argv: list[str], message: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tls-expansion: error: "), err
    assert message in err, err
    return err


# ---------------------------------------------------------------------------------------------
# quantities: any text is a finite number in the unit asked for, or a ParameterError


unit_text = st.lists(
    st.sampled_from(
        [*"0123456789.,eE+-*/^() _[]Kkms%µ°hdayinMJ", "degC", "1e", "**", "K-1", "inf", "nan"]
    ),
    max_size=8,
).map("".join)


@QUICK
@given(text=st.one_of(unit_text, st.text(max_size=12)))
def test_any_text_is_a_finite_quantity_or_a_parameter_error(text) -> None:
    # pint alone raised TokenError, AssertionError, KeyError, ZeroDivisionError on such text
    for unit in ("K", "s", "1", "J-1 m-3"):
        try:
            value = parse_quantity(text, unit, name="x")
        except ParameterError:
            continue
        assert math.isfinite(value)
    for unit in ("K", "1"):
        try:
            convert_values([1.0, 2.0], text, unit, name="x")
        except ParameterError:
            pass


@QUICK
@given(x=finite, unit=st.sampled_from(sorted(TIME_UNITS)), space=st.sampled_from(["", " "]))
def test_a_number_with_a_unit_is_converted_exactly(x, unit, space) -> None:
    value = parse_quantity(f"{x!r}{space}{unit}", "s", name="t")
    assert value == pytest.approx(x * TIME_UNITS[unit], rel=1e-12)


@QUICK
@given(a=digits, b=digits, unit=st.sampled_from(["", "K", " mK", "ms", " min"]))
def test_a_decimal_comma_is_refused_never_read_as_another_number(a, b, unit) -> None:
    text = f"{a},{b:03d}{unit}"
    for target in ("K", "s", "1"):
        with pytest.raises(ParameterError, match="comma inside a number"):
            parse_quantity(text, target, name="x")
    with pytest.raises(ParameterError, match="comma inside a number"):
        parse_value(text, "c")


def test_offset_temperatures_are_offset_not_multiplied() -> None:
    # 0 degC = 273.15 K; a temperature difference of 1 degC is 1 K; 32 degF = 0 degC
    np.testing.assert_allclose(
        convert_values([0.0, -272.9], "degC", "K", name="T"), [273.15, 0.25], rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(convert_values([32.0], "degF", "K", name="T"), [273.15], atol=1e-12)
    np.testing.assert_allclose(
        convert_values([2e-9], "1/degC", "K-1", name="a"), [2e-9], rtol=1e-12
    )
    assert parse_quantity("20 degC", "K", name="T") == pytest.approx(293.15, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# command-line values and settings


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--set", "c=0,5"], "c = '0,5' has a comma inside a number"),
        (["run", "--set", "tau_link=1,5ms"], "tau_link = '1,5ms' has a comma inside a number"),
        (["run", "heat-step", "--set", "T0=0,3"], "T0 = '0,3' has a comma inside a number"),
        (
            ["metallic", "--temperature-min", "0,3"],
            "--temperature-min = '0,3' has a comma inside a number",
        ),
        (["gamma", "--temperature", "0,3"], "--temperature = '0,3' has a comma inside"),
        (["run", "--set", "c=5", "--set", "c=6"], "--set c is given twice ('c=5' and 'c=6')"),
        (["run", "--set", "c=5", "--set", "glass.c=6"], "--set c is given twice"),
        (
            [
                "run",
                "--relaxation-coupling",
                "interference",
                "--set",
                "relaxation_coupling=symmetric",
            ],
            "--set relaxation_coupling is given twice",
        ),
    ],
)
def test_cli_values_that_would_be_misread_are_refused(tmp_path, capsys, monkeypatch, argv, message):
    # each of these exited 0 (or with an error about something else) before
    monkeypatch.chdir(tmp_path)
    _one_line_exit_2(capsys, [*argv, "--quiet", "--out", "x.nc"], message)
    assert not list(tmp_path.iterdir())


names = st.sampled_from(["c", "W", "T0", "tau_link", "eta_L", "glass.c", "protocol.T0"])


@QUICK
@given(items=st.lists(st.tuples(names, st.text(max_size=6)), max_size=5))
def test_overrides_are_read_or_refused_and_never_accepted_twice(items) -> None:
    argv = [f"{name}={value}" for name, value in items]
    bare = [name.split(".", 1)[-1] for name, _ in items]
    try:
        out = parse_overrides(argv)
    except ParameterError:
        return
    assert len(set(bare)) == len(bare)  # a parameter given twice is never accepted
    assert len(out) == len(items)


def _toml(tmp_path, text: str):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[glass]\nc = "0,5"\n', "c = '0,5' has a comma inside a number"),
        ('[protocol]\nkind = "heat-step"\nT0 = "0,3 K"\n', "T0 = '0,3 K' has a comma"),
        ('[run]\nt_stop = "1,5 h"\n', "t_stop = '1,5 h' has a comma"),
        ("[glass]\nc = 5\nc = 6\n", "cannot be read"),  # TOML itself refuses a key twice
    ],
)
def test_toml_values_that_would_be_misread_are_refused_naming_the_file(tmp_path, text, message):
    path = _toml(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        read_config(path)
    assert str(path) in str(info.value)


@QUICK
@given(
    key=st.sampled_from(["c", "W", "N0", "eta_L"]),
    value=st.one_of(st.text(max_size=8), finite, st.integers(-5, 5), st.booleans()),
)
def test_toml_glass_values_are_numbers_or_refused(tmp_path_factory, key, value) -> None:
    import json

    folder = tmp_path_factory.mktemp("toml")
    literal = json.dumps(value) if not isinstance(value, bool) else str(value).lower()
    try:
        path = _toml(folder, f"[glass]\n{key} = {literal}\n")
    except UnicodeEncodeError:  # a lone surrogate cannot be written as UTF-8
        return
    try:
        out = read_config(path)
    except ConfigError:
        return
    got = out["glass"][key]
    if isinstance(value, str) and not value.strip().isalpha():
        assert isinstance(got, float) and math.isfinite(got)


# ---------------------------------------------------------------------------------------------
# fit CSV files


def _csv(tmp_path, text: str | bytes, name: str = "d.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "# temperature = 0,3 K\ntau_expt [s],alpha [1/K]\n1,2e-9\n10,3e-9\n",
            "d.csv, line 1: temperature = '0,3 K' has a comma inside a number",
        ),
        (
            'temperature [K],alpha [1/K]\n0.3,2e-9\n"0,4",3e-9\n',
            "d.csv, line 3: temperature = '0,4' has a comma inside a number",
        ),
        (
            "temperature [K];alpha [1/K]\n0,3;2e-9\n",
            "d.csv, line 1: 'temperature [K];alpha [1/K]' separates columns with ';'",
        ),
        (
            "# tau_expt = 1 s\n# tau_expt = 10 s\ntemperature [K],alpha [1/K]\n0.3,2e-9\n",
            "d.csv, line 2: setting 'tau_expt' is given twice (first on line 1)",
        ),
        ("temperature [K],alpha [1/K]\n0.3,2e-9,5\n", "line 2: 3 values for 2 columns"),
    ],
)
def test_fit_csv_values_that_would_be_misread_are_refused(tmp_path, text, message) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        read_csv(_csv(tmp_path, text))


def test_a_fit_csv_column_in_degc_is_offset(tmp_path) -> None:
    text = "# tau_expt = 100 s\ntemperature [degC],alpha [1/K]\n-273.0,2e-9\n-272.85,3e-9\n"
    m = read_csv(_csv(tmp_path, text))
    np.testing.assert_allclose(m.temperature, [0.15, 0.3], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "data",
    [
        "temperature [K],alpha [1/K]\n0.3,2e-9\n0.4,3\xe9\n".encode("latin-1"),
        b"\x00\x01\x02\xff\xfe binary",
        "temperature [K],alpha [1/K]\n0.3,2e-9\n".encode("utf-16"),
    ],
)
def test_a_fit_csv_that_is_not_utf8_is_one_line(tmp_path, capsys, monkeypatch, data) -> None:
    # a UnicodeDecodeError reached the user as "please report it"
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path, data)
    with pytest.raises(InputFileError, match="is not text"):
        read_csv(tmp_path / "d.csv")
    argv = ["fit", "d.csv", "--vary", "c", "--spectrum", "asymptotic", "--quiet", "--out", "f.nc"]
    _one_line_exit_2(capsys, argv, "d.csv' is not text")


@QUICK
@given(
    temps=st.lists(finite, min_size=2, max_size=5),
    t_unit=st.sampled_from(["K", "mK", "degC"]),
    tau=st.sampled_from(sorted(TIME_UNITS)),
)
def test_fit_csv_numbers_and_units_are_read_exactly(tmp_path_factory, temps, t_unit, tau) -> None:
    folder = tmp_path_factory.mktemp("csv")
    written = [t if t_unit != "degC" else t - 273.15 for t in temps]
    rows = "".join(f"{w!r},{i + 1}e-9\n" for i, w in enumerate(written))
    m = read_csv(_csv(folder, f"# tau_expt = 2 {tau}\ntemperature [{t_unit}],alpha [1/K]\n{rows}"))
    expected = [w * TEMPERATURE_UNITS[t_unit] if t_unit != "degC" else w + 273.15 for w in written]
    np.testing.assert_allclose(m.temperature, expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(m.tau_expt, 2 * TIME_UNITS[tau], rtol=1e-12)
    np.testing.assert_allclose(m.values, [(i + 1) * 1e-9 for i in range(len(temps))], rtol=1e-15)


@QUICK
@given(data=st.binary(max_size=64))
def test_any_bytes_as_a_fit_csv_are_read_or_refused(tmp_path_factory, data) -> None:
    path = _csv(tmp_path_factory.mktemp("bytes"), data)
    try:
        read_csv(path, tau_expt=1.0, temperature=0.3)
    except ParameterError:
        pass


# ---------------------------------------------------------------------------------------------
# schedule files


@pytest.mark.parametrize(
    ("header", "rows", "times", "temps"),
    [
        ("time_min,temperature_mK", "0,300\n1,400\n", [0.0, 60.0], [0.3, 0.4]),
        ("time [s],temperature [mK]", "0,300\n1,400\n", [0.0, 1.0], [0.3, 0.4]),
        ("T [mK], t [min]", "300,0\n400,1\n", [0.0, 60.0], [0.3, 0.4]),
        ("time (h), T (K)", "0,0.3\n0.5,0.4\n", [0.0, 1800.0], [0.3, 0.4]),
        ("time_s,temperature_K", "0,0.3\n10,0.4\n", [0.0, 10.0], [0.3, 0.4]),
        ("", "0,0.3\n10,0.4\n", [0.0, 10.0], [0.3, 0.4]),
    ],
)
def test_schedule_headers_give_the_units(tmp_path, header, rows, times, temps) -> None:
    # "time_min,temperature_mK" was read as seconds and kelvin (400 K) with exit 0
    s = Schedule.from_csv(_csv(tmp_path, (header + "\n" if header else "") + rows))
    np.testing.assert_allclose(s.times, times, rtol=1e-12)
    np.testing.assert_allclose(s.temperatures, temps, rtol=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0;0,3\n10;0,4\n", "line 1: '0;0,3' separates columns with ';'"),
        ("0,0,3\n10,0,4\n", "line 1: '0,0,3' has 3 values"),
        ('0,"0,3"\n', "line 1: temperature = '0,3' has a comma inside a number"),
        ("foo,bar\n0,0.3\n", "line 1: column 'foo' is not 'time [unit]'"),
        ("time [furlong],T [K]\n0,0.3\n", "unit 'furlong' has the wrong dimension"),
        ("time_s,temperature_K\n10,0.3\n20,0.4\n", "line 2: the first time is 10 s"),
        ("t [min],T [mK]\n0,300\n1,-4\n", "line 3: temperature = -4 mK is outside"),
        ("0,0.3\n10,0.4\n5,0.2\n", "line 3: time 5 s does not come after 10 s (line 2)"),
        ("0,0.3\n10,\n", "line 2: the temperature is missing"),
        ("time,time\n0,1\n", "both columns are time"),
    ],
)
def test_schedule_files_are_refused_naming_the_file_and_line(tmp_path, text, message) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        Schedule.from_csv(_csv(tmp_path, text, "s.csv"))


@QUICK
@given(
    steps=st.lists(st.floats(min_value=1e-3, max_value=1e3), min_size=1, max_size=5),
    temps=st.lists(st.floats(min_value=1e-3, max_value=10.0), min_size=6, max_size=6),
    t_unit=st.sampled_from(sorted(TIME_UNITS)),
    k_unit=st.sampled_from(sorted(TEMPERATURE_UNITS)),
    swap=st.booleans(),
)
def test_schedule_tables_are_read_exactly(tmp_path_factory, steps, temps, t_unit, k_unit, swap):
    times = np.concatenate([[0.0], np.cumsum(steps)])
    assume(np.all(np.diff(times) > 0))
    temps = temps[: times.size]
    cols = [f"time [{t_unit}]", f"temperature [{k_unit}]"]
    rows = [[repr(float(t)), repr(float(k))] for t, k in zip(times, temps, strict=True)]
    if swap:
        cols, rows = cols[::-1], [r[::-1] for r in rows]
    text = ",".join(cols) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    s = Schedule.from_csv(_csv(tmp_path_factory.mktemp("s"), text))
    np.testing.assert_allclose(s.times, times * TIME_UNITS[t_unit], rtol=1e-12)
    np.testing.assert_allclose(
        s.temperatures, np.array(temps) * TEMPERATURE_UNITS[k_unit], rtol=1e-12
    )


@QUICK
@given(data=st.binary(max_size=64))
def test_any_bytes_as_a_schedule_are_read_or_refused(tmp_path_factory, data) -> None:
    path = _csv(tmp_path_factory.mktemp("bytes"), data)
    try:
        Schedule.from_csv(path)
    except ParameterError:
        pass


@QUICK
@given(text=st.text(alphabet=st.sampled_from(list("0123456789.,;-e \n#tTKs[]")), max_size=40))
def test_any_text_as_a_schedule_is_read_or_refused(tmp_path_factory, text) -> None:
    path = _csv(tmp_path_factory.mktemp("text"), text)
    try:
        s = Schedule.from_csv(path)
    except ParameterError:
        return
    assert s.times[0] == 0.0 and all(np.diff(s.times) > 0)
