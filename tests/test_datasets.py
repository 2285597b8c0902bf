"""Datasets and files: registry, round trip, CF compliance, atomic writes, plots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

from dynamics import ParameterError, default_glass
from dynamics.ensemble import Resolution
from dynamics.glass import GLASS_CHOICES
from protocols.histories import HeatStep, IsolatedPulse, Staircase, log_times
from protocols.output import open_dataset, write_netcdf
from protocols.plots import plot_gruneisen, plot_run, plot_strain, plot_temperature, save_figure
from protocols.run import gruneisen_vs_tau, run
from protocols.variables import VARIABLES, UnregisteredVariableError, annotate

GLASS = default_glass(spectrum="asymptotic")
COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5)


@pytest.fixture(scope="module")
def step_dataset() -> xr.Dataset:
    return run(GLASS, HeatStep(0.3, 0.33), log_times(1e-10, 1e4, 5), resolution=COARSE)


@pytest.fixture(scope="module")
def datasets(step_dataset: xr.Dataset) -> list[xr.Dataset]:
    stair = run(GLASS, Staircase(0.2, 0.01, 3, 10.0), log_times(1e-9, 30.0, 3), resolution=COARSE)
    iso = run(GLASS, IsolatedPulse(0.1, 1e-4, 1e-3), log_times(1e-9, 10.0, 3), resolution=COARSE)
    gamma = gruneisen_vs_tau(GLASS, [0.1, 0.3], np.logspace(-8, 2, 4), resolution=COARSE)
    return [step_dataset, stair, iso, gamma]


def test_every_variable_is_registered_with_units_and_long_name(datasets: list[xr.Dataset]) -> None:
    for ds in datasets:
        for name, var in ds.variables.items():
            assert name in VARIABLES
            assert var.attrs["units"] and var.attrs["long_name"], name
    with pytest.raises(UnregisteredVariableError, match="'mystery'"):
        annotate(xr.Dataset({"mystery": ((), 1.0)}))


def test_global_attributes_say_how_the_file_was_made(step_dataset: xr.Dataset) -> None:
    attrs = step_dataset.attrs
    assert attrs["Conventions"] == "CF-1.8"
    assert attrs["paper_doi"] == "10.1103/PhysRevB.32.6873"
    assert json.loads(attrs["glass"])["name"] == "ggp1985"
    assert json.loads(attrs["protocol"]) == {"kind": "heat-step", "T0": 0.3, "T1": 0.33}
    assert "tau_m(E = k_B T, T)" in attrs["tau_min_definition"]
    assert attrs["tls_expansion_version"] and attrs["history"]


def test_round_trip_is_identical(tmp_path: Path, datasets: list[xr.Dataset]) -> None:
    for i, ds in enumerate(datasets):
        path = write_netcdf(ds, tmp_path / f"d{i}.nc")
        xr.testing.assert_identical(open_dataset(path), ds)


def test_same_inputs_give_the_same_file_bit_for_bit(
    tmp_path: Path, step_dataset: xr.Dataset
) -> None:
    again = run(GLASS, HeatStep(0.3, 0.33), log_times(1e-10, 1e4, 5), resolution=COARSE)
    xr.testing.assert_identical(again, step_dataset)
    a = write_netcdf(step_dataset, tmp_path / "a.nc").read_bytes()
    b = write_netcdf(again, tmp_path / "b.nc").read_bytes()
    assert a == b


def test_files_pass_the_cf_checker_with_no_high_priority_failures(tmp_path: Path, datasets) -> None:
    checker = Path(sys.executable).parent / "cchecker.py"
    if not checker.exists():
        pytest.skip("compliance-checker is not installed")
    for i, ds in enumerate(datasets):
        path = write_netcdf(ds, tmp_path / f"cf{i}.nc")
        out = subprocess.run(
            [
                sys.executable,
                str(checker),
                "--test",
                "cf:1.8",
                "-f",
                "json_new",
                "-o",
                "-",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        report = json.loads(out)[str(path)]["cf:1.8"]
        failures = [
            (item["name"], msg)
            for item in report["high_priorities"]
            for msg in item["msgs"]
            if msg != TIME_NAME_HEURISTIC
        ]
        assert failures == [], failures


# The one message accepted from the checker: its section 5.1 check wants any dimension *named*
# "time" to carry standard_name = "time", which CF 4.4 then requires to have "<unit> since <epoch>"
# units, which xarray decodes to datetime64[ns] (sub-nanosecond times collapsed). CF
# itself identifies a time coordinate by its units, standard_name or axis (4.4), not by its name;
# our elapsed-time coordinate has none of them and is a plain coordinate in seconds.
TIME_NAME_HEURISTIC = "Coordinate variable 'time' should have standard_name='time', found: 'None'"


def test_plain_xarray_reads_times_as_seconds(tmp_path: Path, datasets) -> None:
    """Issue 15: xarray.open_dataset with default arguments, netCDF4 and the file's attributes
    give elapsed seconds as numbers; .sel(time=...) picks exactly one row."""
    import netCDF4

    step = datasets[0]
    path = write_netcdf(step, tmp_path / "plain.nc")
    with xr.open_dataset(path) as plain:
        assert plain["time"].dtype == np.float64
        np.testing.assert_array_equal(plain["time"].values, step["time"].values)
        t = float(step["time"][1])  # 1.58e-10 s: below a nanosecond
        assert plain["strain"].sel(time=t).size == 1
        assert float(plain["strain"].sel(time=t)) == float(step["strain"][1])
        assert plain["time"].attrs["units"] == "s"
        assert "since" not in plain["time"].attrs["units"]
    with netCDF4.Dataset(path) as raw:
        assert raw["time"].dtype == np.float64 and raw["time"].units == "s"
        np.testing.assert_array_equal(raw["time"][:], step["time"].values)


def test_parameters_in_the_attributes_state_their_units(datasets) -> None:
    step, stair, _, gamma = datasets
    glass_units = json.loads(step.attrs["glass_units"])
    assert (
        glass_units["W"] == "K"
        and glass_units["A"] == "s-1 K-3"
        and glass_units["N0"] == ("J-1 m-3")
    )
    assert set(glass_units) == set(json.loads(step.attrs["glass"])) - {
        "model",
        "name",
        "description",
        *GLASS_CHOICES,  # named choices (relaxation_coupling, spectrum, ...): no unit
    }
    assert json.loads(step.attrs["protocol_units"]) == {"T0": "K", "T1": "K"}
    assert json.loads(stair.attrs["protocol_units"]) == {
        "T_start": "K",
        "delta_T": "K",
        "steps": "1",
        "dwell": "s",
    }
    assert "glass_units" in gamma.attrs


def test_long_names_fit_xarray_plot_labels(datasets) -> None:
    """xarray labels an axis '<long_name> [<units>]' wrapped at 30 characters: at most two
    lines, so the label is not cut."""
    import textwrap

    for name, meta in VARIABLES.items():
        label = f"{meta.long_name} [{meta.units}]"
        assert len(textwrap.wrap(label, 30)) <= 2, (name, label)
    fig, ax = plt.subplots()
    datasets[0].strain.plot(ax=ax)
    assert ax.get_ylabel() == "volume strain dV/V [1]"
    plt.close(fig)


def test_writes_are_atomic_and_never_overwrite_silently(
    tmp_path: Path, step_dataset, monkeypatch
) -> None:
    target = tmp_path / "out.nc"
    write_netcdf(step_dataset, target)
    # the API speaks of its own argument, never of the CLI's --force (the lead's rule, issue 23)
    with pytest.raises(FileExistsError, match="exists; pass overwrite=True") as info:
        write_netcdf(step_dataset, target)
    assert isinstance(info.value, ParameterError) and "--force" not in str(info.value)

    def broken(self, path, *args, **kwargs):
        Path(path).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    fresh = tmp_path / "fresh.nc"
    with pytest.raises(OSError, match="disk full"):
        write_netcdf(step_dataset, fresh)
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc"]


def test_plots_render_with_labelled_axes(tmp_path: Path, datasets) -> None:
    step, stair, iso, gamma = datasets
    for fig in (
        plot_run(step),
        plot_run(stair),
        plot_run(iso),
        plot_strain(step),
        plot_temperature(iso),
        plot_gruneisen(gamma),
    ):
        for ax in fig.axes:
            if ax.get_xlabel():
                assert "[" in ax.get_xlabel()  # a quantity with its unit
            assert "[" in ax.get_ylabel()
        plt.close(fig)
    path = save_figure(plot_run(step), tmp_path / "f.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ParameterError, match="exists"):
        save_figure(plot_run(step), path)
    with pytest.raises(ParameterError, match="gruneisen_vs_tau"):
        plot_gruneisen(step)


def test_docs_list_every_registered_variable() -> None:
    text = (Path(__file__).parent.parent / "docs" / "protocols.md").read_text()
    missing = [name for name in VARIABLES if f"`{name}`" not in text]
    assert missing == []


def test_every_preset_and_protocol_parameter_has_registered_units() -> None:
    from dynamics import PRESETS
    from protocols.histories import PROTOCOLS, make_protocol
    from protocols.variables import parameter_units

    glasses = [p.glass for p in PRESETS.values()] + [GLASS.with_spectrum("exact")]
    for glass in glasses:
        numeric = {k for k, v in glass.to_dict().items() if not isinstance(v, str)}
        assert numeric <= set(parameter_units(glass.to_dict())), glass.name
    for kind in PROTOCOLS:
        data = make_protocol(kind).to_dict()
        assert set(parameter_units(data)) == set(data) - {"kind"}, kind
    with pytest.raises(UnregisteredVariableError, match="'mystery'"):
        parameter_units({"mystery": 1.0})
