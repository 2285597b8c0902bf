"""The thermal curves (protocols.thermal, ``tls-expansion thermal``): the dataset's parts add up,
each part's Grüneisen parameter is its own K alpha / C, the models are recorded, and the command
writes its dataset and figure, repeatably, and refuses bad input in one line. The physics of each
part is checked against closed forms in tests/test_beyond_two_levels.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from dynamics.parts import PARTS
from dynamics.presets import get_glass
from dynamics.units import K_B
from protocols.cli import main
from protocols.thermal import thermal

W = 3.5  # K, silica's W of the later literature (an estimate; docs/physics.md §11)
TEMPS = [0.05, 0.3, 2.0, 10.0, 20.0]  # K: both ends of the default range and between
TAUS = [1.0, 1e4]  # s


@pytest.fixture(scope="module")
def glass():
    return get_glass("silica").replace(
        W=W,
        psi=0.0,
        N0=4e22 / (W * K_B),
        population="soft-potential",
        density_law="abs_eta",
        boson_peak_closure="crossover",
    )


@pytest.fixture(scope="module")
def curves(glass) -> xr.Dataset:
    return thermal(glass, TEMPS, TAUS)


def test_the_parts_add_up_to_the_total(curves: xr.Dataset) -> None:
    assert list(curves.part.values) == list(PARTS)
    for name in ("heat_capacity", "heat_capacity_equilibrium", "thermal_expansion"):
        parts = curves[name].drop_sel(part="total").sum("part")
        # a sum of at most six positive or same-order terms: rounding only
        np.testing.assert_allclose(parts, curves[name].sel(part="total"), rtol=1e-12, atol=0)


def test_each_gruneisen_is_its_own_k_alpha_over_c(glass, curves: xr.Dataset) -> None:
    k_alpha = glass.bulk_modulus * curves.thermal_expansion
    for name, c in (
        ("gruneisen", curves.heat_capacity),
        ("gruneisen_equilibrium", curves.heat_capacity_equilibrium),
    ):
        expected = (k_alpha / c).where(c > 0)
        # Gamma = K alpha / C by definition (GGP (1.5)): division is the only operation
        np.testing.assert_allclose(curves[name], expected.transpose(*curves[name].dims), rtol=1e-12)
    # no activation: no relaxators, so their Gamma is undefined (NaN), never 0/0 printed as 0
    assert float(abs(curves.heat_capacity.sel(part="relaxators")).max()) == 0.0
    assert bool(curves.gruneisen.sel(part="relaxators").isnull().all())


def test_the_parts_dominate_where_the_literature_says(curves: xr.Dataset) -> None:
    c = curves.heat_capacity_equilibrium
    # below ~W/10 the tunnelling doublets hold the heat capacity (the C ∝ T plateau of glasses)
    assert float(c.sel(part="tls", temperature=0.05)) > 0.99 * float(
        c.sel(part="total", temperature=0.05)
    )
    # at 10 K (about 3 W) the soft vibrations exceed the tunnelling doublets many times over,
    # even with the boson-peak closure
    assert float(c.sel(part="soft_vibrations", temperature=10.0)) > 10 * float(
        c.sel(part="tls", temperature=10.0)
    )


def test_the_dataset_records_the_models_and_the_density_scale(glass, curves: xr.Dataset) -> None:
    attrs = curves.attrs
    assert attrs["population"] == "soft-potential" and attrs["density_law"] == "abs_eta"
    assert attrs["boson_peak_closure"] == "crossover"
    assert attrs["boson_peak_energy"] == glass.boson_peak_energy
    assert attrs["vibration_coupling"] == "direct" and attrs["activation"] == glass.activation
    # P_s eta_L^{5/2}: the literature's density scale, from the glass's own fields
    assert attrs["density_scale"] == pytest.approx(glass.density_scale_volume, rel=1e-15)
    assert attrs["density_scale_units"] == "m-3"
    for name, var in curves.variables.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name


def test_distinct_values_are_needed() -> None:
    from dynamics.validation import ParameterError

    with pytest.raises(ParameterError, match="distinct"):
        thermal(get_glass("ggp1985"), [0.1, 0.1], [1.0])


def _argv(glass_args: list[str], out: Path) -> list[str]:
    return [
        "thermal",
        *glass_args,
        "--temperature-min",
        "0.05K",
        "--temperature-max",
        "20K",
        "--temperatures-per-decade",
        "2",
        "--tau-expt",
        "1s",
        "100s",
        "--out",
        str(out),
    ]


SOFT = [
    "--glass",
    "silica",
    "--set",
    f"W={W}",
    "--set",
    "psi=0",
    "--set",
    "population=soft-potential",
    "--set",
    "density_law=abs_eta",
    "--set",
    f"N0={4e22 / (W * K_B):.6g}",
]


def test_the_command_writes_dataset_and_figure_and_prints_both_ends(tmp_path: Path, capsys) -> None:
    out = tmp_path / "t.nc"
    assert main(_argv(SOFT, out)) == 0
    printed = capsys.readouterr().out
    assert out.exists() and out.with_suffix(".png").exists()
    with xr.open_dataset(out) as ds:
        temps = ds.temperature.values
        assert temps[0] == pytest.approx(0.05) and temps[-1] == pytest.approx(20.0)
        assert list(ds.tau_expt.values) == [1.0, 100.0]
        total = ds.heat_capacity.sel(part="total", tau_expt=100.0).values
    rows = [r.split() for r in printed.splitlines() if r and not r.startswith(("#", "wrote"))]
    rows = [r for r in rows if r[0].replace(".", "").isdigit()]
    # the table's first and last rows are the range's ends, and its total C/T^3 is the dataset's
    assert float(rows[0][0]) == pytest.approx(0.05) and float(rows[-1][0]) == pytest.approx(20.0)
    assert float(rows[-1][-2]) == pytest.approx(total[-1] / 20.0**3, rel=1e-3)  # 4 digits printed
    # repeated with --force, the same dataset (reproducible bit for bit, whatever the history)
    assert main([*_argv(SOFT, out), "--force", "--quiet", "--no-plot"]) == 0
    with xr.open_dataset(out) as again:
        assert float(again.heat_capacity.sel(part="total", tau_expt=100.0)[-1]) == total[-1]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--temperature-max", "40K"], "outside the allowed range"),  # > 10 W of this glass
        (["--tau-expt", "-1s"], "--tau-expt"),
        (["--temperatures-per-decade", "0"], "temperatures-per-decade"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_file(
    tmp_path: Path, capsys, extra: list[str], message: str
) -> None:
    out = tmp_path / "bad.nc"
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main([*_argv(SOFT, out), *extra]))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not out.exists() and not out.with_suffix(".png").exists()
