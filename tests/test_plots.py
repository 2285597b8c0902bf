"""Plots a physicist reads at a glance: titles name the protocol and its
parameters; a heat step has no flat temperature panel and one time label; slow histories use a
linear time axis and show α, C, Γ against step temperature; the largest strain excursion is
marked only where it is one; Γ(τ_expt) has one panel per heat-capacity convention and no
closed form where it is clamped."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import dynamics
import protocols
from protocols.plots import describe_protocol, plot_gruneisen, plot_run, strain_excursion

GLASS = dynamics.default_glass(spectrum="asymptotic")
COARSE = dynamics.Resolution(
    energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5
)


def _run(protocol, times) -> xr.Dataset:
    return protocols.run(GLASS, protocol, times, resolution=COARSE)


@pytest.fixture(scope="module")
def steps() -> dict[str, xr.Dataset]:
    times = protocols.log_times(1e-10, 1e4, 3)
    return {
        "up": _run(protocols.HeatStep(0.3, 0.33), times),
        "down": _run(protocols.HeatStep(0.33, 0.3), times),
        "stair": _run(protocols.Staircase(0.2, 0.02, 3, 600.0), np.linspace(1.0, 1800.0, 40)),
    }


def test_titles_name_the_protocol_and_its_main_parameters(steps) -> None:
    assert describe_protocol(steps["up"]) == (
        "heat step 300 mK → 330 mK (ΔT = +30 mK) · glass ggp1985\n"
        "asymptotic spectra, relaxation coupling symmetric"  # the model on the second line
    )
    assert "(ΔT = −30 mK)" in describe_protocol(steps["down"])
    assert describe_protocol(steps["stair"]).startswith(
        "staircase from 200 mK: 3 steps of 20 mK, dwell 10 min · glass ggp1985\n"
    )
    pulse = xr.Dataset(
        attrs={
            "protocol": '{"kind": "heat-pulse", "T_bath": 0.3, "tau_link": 900.0, '
            '"delta_T": 0.003, "energy": null}',
            "glass": '{"name": "silica"}',
        }
    )
    assert describe_protocol(pulse) == (
        "heat pulse at 300 mK, ΔT = 3 mK, τ_link = 15 min · glass silica\n"
        "asymptotic spectra, relaxation coupling symmetric"  # no model attributes: the paper's
    )


def test_heat_step_figure_has_no_flat_temperature_panel_and_one_time_label(steps) -> None:
    fig = plot_run(steps["up"])
    assert len(fig.axes) == 2
    assert all("temperature" not in ax.get_ylabel() for ax in fig.axes)
    assert [bool(ax.get_xlabel()) for ax in fig.axes] == [False, True]
    assert "ΔT = +30 mK" in fig.axes[0].get_title()
    plt.close(fig)


def test_largest_excursion_is_a_turning_point_of_either_sign(steps) -> None:
    up, down = steps["up"], steps["down"]
    t_up, s_up = strain_excursion(up)
    t_down, s_down = strain_excursion(down)
    # warming contracts (s < 0), cooling expands (s > 0); both turn near tau_min (~7.5e-9 s)
    assert s_up < 0 < s_down
    for ds, t in ((up, t_up), (down, t_down)):
        times = ds["time"].values
        assert times[0] < t < times[-1]
        assert abs(np.log10(t / float(ds["tau_min"]))) < 1.0
    fig = plot_run(down)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert f"largest excursion at {t_down:.3g} s" in labels
    plt.close(fig)


def test_a_staircase_is_read_against_step_temperature_on_a_linear_time_axis(steps) -> None:
    fig = plot_run(steps["stair"])
    scales = {ax.get_xscale() for ax in fig.axes}
    assert scales == {"linear"}
    assert sum(ax.get_xlabel() == "step temperature [K]" for ax in fig.axes) == 1
    assert sum(ax.get_xlabel() == "time t [min]" for ax in fig.axes) == 1
    labels = [lab for ax in fig.axes for lab in ax.get_legend_handles_labels()[1]]
    assert not any("excursion" in lab for lab in labels)
    assert strain_excursion(steps["stair"]) is None
    alpha_ax = next(ax for ax in fig.axes if "alpha" in ax.get_ylabel())
    np.testing.assert_array_equal(alpha_ax.lines[0].get_ydata(), steps["stair"]["alpha"].values)
    np.testing.assert_array_equal(
        alpha_ax.lines[0].get_xdata(), steps["stair"]["step_temperature"].values
    )
    plt.close(fig)


def test_gruneisen_panels_per_convention_without_clamped_closed_form() -> None:
    tau = protocols.log_times(1e-10, 1e2, 2)
    ds = protocols.gruneisen_vs_tau(GLASS, [0.1, 0.3], tau, resolution=COARSE)
    fig = plot_gruneisen(ds)
    equilibrium, measured = fig.axes
    assert "C(\\infty)" in equilibrium.get_title() and "C(\\tau_{expt})" in measured.get_title()
    # simulation: one solid line per temperature, distinct colours, in each panel
    for ax, variable in ((equilibrium, "gruneisen_equilibrium"), (measured, "gruneisen")):
        solid = [ln for ln in ax.lines if ln.get_linestyle() == "-" and len(ln.get_xdata())]
        solid = [ln for ln in solid if ln.get_linewidth() == 2]
        assert len(solid) == 2 and solid[0].get_color() != solid[1].get_color()
        np.testing.assert_array_equal(solid[1].get_ydata(), ds[variable].sel(temperature=0.3))
    # closed forms: lighter, only in the C(inf) panel, NaN exactly where clamped
    forms = [ln for ln in equilibrium.lines if ln.get_alpha() is not None and len(ln.get_xdata())]
    assert forms and all(ln.get_alpha() < 1 for ln in forms)
    b_gamma = ds.attrs["b_gamma"]
    clamped = tau * b_gamma < float(ds["tau_min"].sel(temperature=0.1))
    assert clamped.any() and not clamped.all()
    first = np.asarray(forms[0].get_ydata(), dtype=float)
    np.testing.assert_array_equal(np.isnan(first), clamped)
    assert any("not drawn" in text.get_text() for text in equilibrium.texts)
    assert not [ln for ln in measured.lines if ln.get_alpha() is not None]
    plt.close(fig)
