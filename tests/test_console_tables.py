"""Console tables print both ends of their range and the rows that carry their claim (issue 22):
``gamma`` the whole τ_expt range (1e-8 s to 1e5 s by default, and 1 s, where the paper compares
Γ with its value at 1e-8 s); ``metallic`` ("through T_c") rows on both sides of T_c up to the
highest temperature. The rows printed are the dataset's values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from protocols.cli import main
from protocols.cli.common import table_rows


def test_table_rows_keep_both_ends_round_decades_and_the_neighbours_of_a_mark() -> None:
    tau = np.logspace(-8, 5, 66)
    rows = table_rows(tau)
    assert rows[0] == 0 and rows[-1] == 65
    assert np.log10(tau[rows]).tolist() == pytest.approx([-8, -6, -4, -2, 0, 2, 4, 5])
    temps = np.geomspace(0.3, 3.0, 41)
    rows = table_rows(temps, max_rows=10, marks=(2.6,))
    assert rows[0] == 0 and rows[-1] == 40 and len(rows) <= 12
    below, above = temps[temps < 2.6].size - 1, temps[temps < 2.6].size
    assert below in rows and above in rows
    assert table_rows(np.array([1.0, 2.0, 3.0])) == [0, 1, 2]


def _rows(text: str) -> list[list[float]]:
    return [
        [float(v) for v in line.split()[:5] if v[0].isdigit() or v[0] in "-+"]
        for line in text.splitlines()
        if line.startswith("  ")
    ]


def test_gamma_prints_the_whole_tau_expt_range(tmp_path: Path, capsys) -> None:
    out = tmp_path / "g.nc"
    argv = ["gamma", "--spectrum", "asymptotic", "--temperature", "0.3", "--no-plot"]
    assert main([*argv, "--out", str(out)]) == 0
    rows = _rows(capsys.readouterr().out)
    tau = [row[1] for row in rows]
    assert tau[0] == pytest.approx(1e-8) and tau[-1] == pytest.approx(1e5)  # both ends
    assert 1.0 in tau  # where the paper compares with 1e-8 s
    with xr.open_dataset(out) as ds:
        for row in rows:
            expected = float(ds.gruneisen_equilibrium.sel(temperature=0.3, tau_expt=row[1]))
            assert row[2] == pytest.approx(expected, abs=1e-4)  # printed with 4 decimals


def test_metallic_prints_rows_on_both_sides_of_tc_up_to_the_top(tmp_path: Path, capsys) -> None:
    out = tmp_path / "m.nc"
    argv = ["metallic", "--spectrum", "asymptotic", "--temperatures-per-decade", "12"]
    assert main([*argv, "--tau-expt", "1", "--no-plot", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    rows = _rows(text)
    temps = [row[0] for row in rows]
    with xr.open_dataset(out) as ds:
        t = ds.temperature.values
        assert temps[0] == pytest.approx(t[0], abs=1e-3) and temps[-1] == pytest.approx(t[-1])
        # the temperatures next to T_c = 2.6 K on both sides (zrcu, measured)
        assert max(x for x in temps if x < 2.6) == pytest.approx(t[t < 2.6].max(), abs=1e-3)
        assert min(x for x in temps if x > 2.6) == pytest.approx(t[t > 2.6].min(), abs=1e-3)
        assert "(above T_c)" in text and "(below T_c)" in text
        for row in rows:
            i = int(np.argmin(np.abs(t - row[0])))
            assert row[2] == pytest.approx(float(ds.alpha_total[i, 0]), rel=1e-4)
