"""Protocol parameters are declared once (issue 21, item 6): the declaration
(:class:`protocols.histories.ProtocolParameter`) is what validation, the variable registry, the
dataset attributes, the class docstrings and the docs read; renamed parameters keep old files
readable and tell a user the new name."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import pytest

from dynamics import ParameterError
from protocols.cli import main
from protocols.histories import (
    PROTOCOLS,
    RENAMED_PARAMETERS,
    ProtocolParameter,
    declared_parameters,
    make_protocol,
    protocol_from_dict,
)
from protocols.variables import VARIABLES, parameter_units

ROOT = Path(__file__).resolve().parents[1]
KINDS = sorted(PROTOCOLS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_of_a_protocol_is_declared_with_a_unit_and_a_label(kind: str) -> None:
    cls = PROTOCOLS[kind]
    declared = declared_parameters(cls)
    assert list(declared) == [f.name for f in dataclasses.fields(cls)]
    for name, spec in declared.items():
        assert isinstance(spec, ProtocolParameter)
        assert spec.unit and spec.label and spec.description, (kind, name)


@pytest.mark.parametrize("kind", KINDS)
def test_the_registry_reads_the_declarations(kind: str) -> None:
    for name, spec in declared_parameters(PROTOCOLS[kind]).items():
        assert VARIABLES[name].units == spec.unit, name
        if name != "delta_T":  # also a dataset variable (the step), which keeps its own entry
            assert VARIABLES[name].long_name == spec.label, name
            assert spec.description[1:] in VARIABLES[name].comment, name


@pytest.mark.parametrize("kind", KINDS)
def test_the_dataset_attribute_protocol_units_reads_the_declarations(kind: str) -> None:
    protocol = make_protocol(kind)
    units = parameter_units(protocol.to_dict())
    declared = declared_parameters(protocol)
    assert units == {name: spec.unit for name, spec in declared.items()}


def _outside(spec: ProtocolParameter) -> object:
    """A value just outside the declared range (or of the wrong kind for a table)."""
    if spec.table:
        return (spec.low - 1.0,) if math.isfinite(spec.low) else ("x",)
    if math.isfinite(spec.low):
        return spec.low - 1 if spec.integer else (spec.low if spec.low_open else spec.low - 1.0)
    return math.nan


@pytest.mark.parametrize(
    ("kind", "name"),
    [(kind, name) for kind in KINDS for name in declared_parameters(PROTOCOLS[kind])],
)
def test_validation_reads_the_declared_range_and_names_the_parameter(kind: str, name: str) -> None:
    spec = declared_parameters(PROTOCOLS[kind])[name]
    with pytest.raises(ParameterError, match=rf"^{name} = "):
        make_protocol(kind, **{name: _outside(spec)})
    if not spec.table:
        with pytest.raises(ParameterError, match=rf"^{name} = 'warm' must be a (whole )?number"):
            make_protocol(kind, **{name: "warm"})


@pytest.mark.parametrize("kind", KINDS)
def test_the_docstring_lists_each_parameter_with_its_unit_and_range(kind: str) -> None:
    doc = PROTOCOLS[kind].__doc__ or ""
    section = doc.split("Parameters\n    ----------\n", 1)[1]
    for name, spec in declared_parameters(PROTOCOLS[kind]).items():
        entry = re.search(rf"^    {name}\n        (.+?)\. \[(.+?)\]$", section, re.M)
        assert entry is not None, name
        assert entry.group(2) == spec.unit
        assert spec.range_text() in entry.group(1)


def test_the_protocols_page_lists_each_parameter_with_its_declared_unit() -> None:
    """docs/protocols.md's table: per protocol, its parameters with the unit that follows them."""
    text = (ROOT / "docs" / "protocols.md").read_text()
    for kind, cls in PROTOCOLS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{cls.__name__}`"))
        cell = row.split("|")[2]
        listed = {
            name: cell[cell.index(f"`{name}`") :].split("[", 1)[1].split("]", 1)[0]
            for name in re.findall(r"`(\w+)`", cell)
        }
        declared = declared_parameters(cls)
        assert set(listed) == set(declared), kind
        assert listed == {name: spec.unit for name, spec in declared.items()}, kind


def test_old_names_are_read_from_old_files_and_refused_with_the_new_name() -> None:
    old = {"kind": "ramp", "T_start": 0.1, "T_end": 0.2, "rate": 0.01}
    assert protocol_from_dict(old) == make_protocol("ramp", T_start=0.1, T_end=0.2, ramp_rate=0.01)
    pulse = protocol_from_dict({"kind": "heat-pulse", "delta_T": None, "energy": 1e-3})
    assert pulse.to_dict()["heat_density"] == 1e-3
    for kind, renames in RENAMED_PARAMETERS.items():
        for name, new in renames.items():
            with pytest.raises(
                ParameterError, match=f"{name} of protocol {kind!r} was renamed {new}"
            ):
                make_protocol(kind, **{name: 1.0})


def test_the_changelog_lists_every_renamed_parameter() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    for renames in RENAMED_PARAMETERS.values():
        for name, new in renames.items():
            assert f"`{name}` → `{new}`" in text, name


def test_the_command_line_names_the_new_name_of_an_old_one(capsys) -> None:
    assert main(["run", "ramp", "--set", "rate=0.01", "--no-plot"]) == 2
    assert "rate was renamed ramp_rate (CHANGELOG.md)" in capsys.readouterr().err


def test_the_command_line_resolves_a_pulse_given_by_its_heat_density_once(
    tmp_path: Path, monkeypatch
) -> None:
    """The pulse's rise needs an ensemble of the glass: computed once per command (it was 4x)."""
    import protocols.histories as histories

    calls: list[float] = []
    rise = histories.pulse_rise

    def counted(*args, **kwargs):
        calls.append(args[3])
        return rise(*args, **kwargs)

    monkeypatch.setattr(histories, "pulse_rise", counted)
    out = tmp_path / "pulse.nc"
    argv = ["run", "heat-pulse", "--spectrum", "asymptotic", "--set", "heat_density=1e-3"]
    assert main([*argv, "--t-stop", "1", "--out", str(out), "--no-plot", "--quiet"]) == 0
    assert calls == [1e-3]
    import xarray as xr

    with xr.open_dataset(out) as ds:
        stored = json.loads(ds.attrs["protocol"])
    assert stored["heat_density"] is None and stored["delta_T"] > 0  # the rise it resolved to
