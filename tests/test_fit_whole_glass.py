"""Fitting the whole glass (``parts = "total"``): C/T³ over 0.1-14 K made by the model at a known
truth, with seeded 1 % noise, gives the truth back within the fit's standard errors; the choice is
explicit and recorded."""

from __future__ import annotations

import json
import re
import runpy
import shlex
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from dynamics import ParameterError, get_glass
from dynamics.parts import part_response
from protocols.cli import main
from protocols.fit import FIT_PARAMETERS, fit, predict
from protocols.fit_output import fit_dataset
from protocols.fitdata import measurement, read_data

# Few points, and activation "none": with "arrhenius" every new glass costs ~4 s per temperature
# above a few K on a busy core (the activated bins), which a fit of ~40 evaluations cannot afford
# in a test. The fitting path is the same.
TEMPERATURES = np.array([0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 7.0, 10.0, 14.0])  # [K]
NOISE = 0.01  # relative standard deviation of the synthetic data [1]


def _truth():
    return get_glass("silica-spm").replace(activation="none")


def test_total_is_the_sum_of_every_part_over_the_cube() -> None:
    """The model of parts = "total" is part_response's total, computed independently here."""
    glass = _truth()
    m = measurement(
        "heat_capacity_over_cube",
        np.ones(3),
        temperature=[0.3, 3.0, 9.0],
        tau_expt=1.0,
        parts="total",
    )
    r = part_response(glass, [0.3, 3.0, 9.0], [1.0])
    by_hand = r.heat_capacity[:-1, :, 0].sum(axis=0) / np.array([0.3, 3.0, 9.0]) ** 3
    # the total row is the same sum in the same order: rounding only
    assert predict(glass, m) == pytest.approx(by_hand, rel=1e-12)
    alpha = measurement(
        "alpha", np.ones(3), temperature=[0.3, 3.0, 9.0], tau_expt=1.0, parts="total"
    )
    assert predict(glass, alpha) == pytest.approx(
        r.thermal_stress[:-1, :, 0].sum(axis=0) / glass.bulk_modulus, rel=1e-12
    )
    # and the default (slow TLS alone) is not the whole glass: phonons alone are 5.5 % of C at
    # 0.3 K, the soft vibrations most of it at 9 K
    tls = measurement(
        "heat_capacity_over_cube", np.ones(3), temperature=[0.3, 3.0, 9.0], tau_expt=1.0
    )
    assert tls.parts == "tls"
    assert np.all(predict(glass, tls) < 0.96 * predict(glass, m))


def test_parts_is_checked() -> None:
    with pytest.raises(ParameterError, match="parts = 'all' is not allowed"):
        measurement("alpha", [1.0], temperature=1.0, tau_expt=1.0, parts="all")
    with pytest.raises(ParameterError, match="applies to step quantities"):
        measurement(
            "strain",
            [0.0, 0.0],
            time=[1.0, 2.0],
            protocol={"kind": "heat-step", "T0": 0.3, "T1": 0.303},
            parts="total",
        )
    assert {"boson_peak_energy", "c_vib", "W", "N0", "c"} <= set(FIT_PARAMETERS)
    assert FIT_PARAMETERS["boson_peak_energy"].log


def test_fit_of_the_whole_glass_recovers_the_truth_within_its_errors() -> None:
    truth = _truth()
    clean = measurement(
        "heat_capacity_over_cube",
        np.ones(TEMPERATURES.size),
        temperature=TEMPERATURES,
        tau_expt=1.0,
        parts="total",
    )
    y = predict(truth, clean)
    rng = np.random.default_rng(20)
    data = measurement(
        "heat_capacity_over_cube",
        y * (1.0 + NOISE * rng.standard_normal(y.size)),
        errors=NOISE * y,
        temperature=TEMPERATURES,
        tau_expt=1.0,
        parts="total",
        source="synthetic",
    )
    start = truth.replace(W=3.2, N0=1.3 * truth.N0, boson_peak_energy=28.0)
    result = fit(data, start, ["W", "N0", "boson_peak_energy"])
    for name in ("W", "N0", "boson_peak_energy"):
        value, error = result.values[name], result.stderr[name]
        # the errors are small (the data fix each value to a few %), and the truth lies within
        # 3 standard errors (a 3-sigma band: 99.7 % for a Gaussian estimate)
        assert 0 < error < 0.05 * abs(value), name
        assert abs(value - getattr(truth, name)) < 3 * error, (name, value, error)
    ds = fit_dataset(result)
    assert ds.attrs["data_1_parts"] == "total"


def test_read_data_takes_parts(tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "# tau_expt = 1 s\ntemperature [K],heat_capacity_over_cube [J m-3 K-4]\n1.0,3.0\n2.0,2.5\n"
    )
    assert read_data(path).parts == "tls"
    assert read_data(path, parts="total").parts == "total"


ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "fitting.md"
CSV = ROOT / "docs" / "fit_example_c_over_t3.csv"


def test_the_whole_glass_example_data_are_what_the_script_makes() -> None:
    script = runpy.run_path(str(ROOT / "docs" / "make_fit_example_whole_glass.py"))
    assert script["text"]() == CSV.read_text()  # regenerated on purpose only


def test_the_documented_whole_glass_command_finds_the_truth(tmp_path, monkeypatch, capsys):
    """The page's --parts total command, as written, from a copy of the data file."""
    found = re.search(
        r"```sh\n(tls-expansion fit docs/fit_example_c_over_t3.*?)\n```", PAGE.read_text(), re.S
    )
    assert found is not None
    argv = shlex.split(found.group(1).replace("\\\n", " "))[1:]
    (tmp_path / "docs").mkdir()
    shutil.copy(CSV, tmp_path / "docs" / CSV.name)
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0
    assert "warning" not in capsys.readouterr().out
    truth = json.loads(re.search(r"# (\{.*?\}),", CSV.read_text()).group(1))  # type: ignore[union-attr]
    with xr.open_dataset(tmp_path / "outputs" / "fit_whole_glass.nc") as ds:
        assert ds.attrs["data_1_parts"] == "total"
        for name, value in truth.items():
            fitted, error = float(ds[name]), float(ds[f"{name}_stderr"])
            # within 3 standard errors (1.1, 1.8 and 0.5 printed in docs/fitting.md)
            assert abs(fitted - value) < 3 * error < 0.05 * value, name
