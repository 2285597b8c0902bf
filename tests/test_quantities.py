"""Quantities with units where a person types them: protocols.quantities.

Reference values are the SI definitions of the prefixes and units (milli = 1e-3, minute = 60 s,
day = 86400 s), not the parser's output; floating-point conversions are exact to a few ulp
(rel=1e-12)."""

from __future__ import annotations

import numpy as np
import pytest

from dynamics import ParameterError
from protocols.config import parse_overrides, typed_value
from protocols.quantities import UREG, convert_values, parse_quantity


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("300mK", "K", 0.3),
        ("300 mK", "K", 0.3),
        ("0.3", "K", 0.3),
        (0.3, "K", 0.3),
        ("15min", "s", 15 * 60.0),
        ("1e-9s", "s", 1e-9),
        ("1day", "s", 86400.0),
        ("2 mK/s", "K s-1", 2e-3),
        ("1e33 erg^-1 cm^-3", "J-1 m-3", 1e33 / 1e-7 * 1e6),  # the paper's N0 in CGS
        ("5", "1", 5.0),
    ],
)
def test_parse_quantity_converts_to_the_expected_unit(text, unit, expected) -> None:
    assert parse_quantity(text, unit, name="x") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 s", r"T0 = '3 s' has the wrong dimension: expected a value in K"),
        ("warm", r"T0 = 'warm' is not a number with a unit.*\(in K\)"),
        ("nan", r"T0 = 'nan' is not a finite number in K"),
        ("1e400 K", r"T0 = '1e400 K' is not a finite number in K"),
        (True, r"T0 = True must be a number in K"),
    ],
)
def test_bad_quantities_name_the_parameter_value_and_unit(text, message) -> None:
    with pytest.raises(ParameterError, match=message):
        parse_quantity(text, "K", name="T0")


def test_convert_values() -> None:
    np.testing.assert_allclose(
        convert_values([1.0, 250.0], "mK", "K", name="T"), [1e-3, 0.25], rtol=1e-12
    )
    np.testing.assert_allclose(convert_values([2.0], "h", "s", name="t"), [7200.0], rtol=1e-12)
    np.testing.assert_allclose(
        convert_values([1.0], "J m-3", "erg cm^-3", name="e"), [10.0], rtol=1e-12
    )
    with pytest.raises(ParameterError, match=r"T: unit 'm' has the wrong dimension.*K"):
        convert_values([1.0], "m", "K", name="T")
    with pytest.raises(ParameterError, match="T: unit 'furlongz' is not a unit"):
        convert_values([1.0], "furlongz", "K", name="T")


def test_one_registry() -> None:
    from protocols import quantities

    assert quantities.UREG is UREG
    assert UREG.Quantity("1 K").units == UREG.kelvin


def test_overrides_take_the_registry_unit_of_each_parameter() -> None:
    out = parse_overrides(["T0=300mK", "tau_link=15min", "c=5", "glass.W=4K", "psi=0.2"])
    assert out == {
        "T0": pytest.approx(0.3, rel=1e-12),
        "tau_link": 900.0,
        "c": 5,
        "glass.W": 4.0,
        "psi": 0.2,
    }
    assert typed_value("type2_rate_ratio", "kki") == "kki"  # a named choice passes through
    assert typed_value("times", ["0s", "1min"]) == [0.0, 60.0]
    with pytest.raises(ParameterError, match=r"tau_link = '3K' has the wrong dimension.*in s"):
        parse_overrides(["tau_link=3K"])


def test_sweep_grids_take_units() -> None:
    from protocols.sweeps import parse_grid_values

    assert parse_grid_values("temperature", "100mK,0.3,1K") == pytest.approx([0.1, 0.3, 1.0])
    assert parse_grid_values("tau_link", "1min:2min:2") == [60.0, 120.0]
    assert parse_grid_values("temperature", "log:10mK:1K:3") == pytest.approx([0.01, 0.1, 1.0])
    with pytest.raises(ParameterError, match="temperature = '3s' has the wrong dimension"):
        parse_grid_values("temperature", "3s,1")
