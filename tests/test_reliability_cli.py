"""The command line under hostile input (issue 16): one line and exit 2, never a traceback, a
NaN, a hang, an orphan or half a pair of output files."""

from __future__ import annotations

import numpy as np
import pytest

from protocols.cli import main
from protocols.output import open_dataset


@pytest.mark.parametrize(
    "args",
    [
        ["heat-step", "--set", "T0=1", "--set", "T1=0.01"],
        ["heat-step", "--set", "T0=0.3", "--set", "T1=0.014"],
        ["ramp", "--set", "T_start=1", "--set", "T_end=0.01", "--set", "rate=1"],
        ["staircase", "--set", "T_start=3", "--set", "delta_T=-0.333", "--set", "steps=9"],
    ],
)
def test_cooling_runs_write_finite_datasets(tmp_path, capsys, args) -> None:
    # These wrote all-NaN strain (exit 0) or never finished before the fix.
    out = tmp_path / "cool.nc"
    assert (
        main(["run", *args, "--no-plot", "--quiet", "--points-per-decade", "4", "--out", str(out)])
        == 0
    )
    ds = open_dataset(out)
    for name in ("strain", "heat", "strain_tls", "heat_tls", "temperature"):
        assert np.all(np.isfinite(ds[name].values)), name


def test_schedule_from_3_kelvin_to_1_millikelvin(tmp_path) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text("time_s,temperature_K\n0,3\n10,0.3\n100,0.001\n")
    out = tmp_path / "s.nc"
    argv = ["run", "schedule", "--schedule", str(csv), "--no-plot", "--quiet"]
    assert main([*argv, "--points-per-decade", "4", "--out", str(out)]) == 0
    assert np.all(np.isfinite(open_dataset(out)["strain"].values))
