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

    # closed forms: thin dashed/dotted lines, only in the C(inf) panel, NaN exactly where clamped
    def thin(ax):
        return [ln for ln in ax.lines if ln.get_linewidth() < 2 and len(ln.get_xdata()) > 2]

    forms = thin(equilibrium)
    assert forms and all(ln.get_linestyle() in ("--", ":") for ln in forms)
    b_gamma = ds.attrs["b_gamma"]
    clamped = tau * b_gamma < float(ds["tau_min"].sel(temperature=0.1))
    assert clamped.any() and not clamped.all()
    first = np.asarray(forms[0].get_ydata(), dtype=float)
    np.testing.assert_array_equal(np.isnan(first), clamped)
    assert any("not drawn" in text.get_text() for text in equilibrium.texts)
    assert not thin(measured)
    plt.close(fig)


# --- the figures of issue 22: titles that fit, every swept value drawn, a staircase drawn as
# --- steps, a smooth fit, and colours readable on white and for colour-blind readers


def _luminance(rgb) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.1 definition)."""
    c = np.asarray(rgb, dtype=float)[:3]
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2])


def _contrast_on_white(rgba) -> float:
    """WCAG contrast ratio against white of a colour drawn with its alpha on white."""
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(rgba)
    seen = a * np.array([r, g, b]) + (1 - a) * np.ones(3)
    return 1.05 / (_luminance(seen) + 0.05)


#: WCAG 2.1 success criterion 1.4.11 (non-text contrast): graphical objects need 3:1.
MIN_CONTRAST = 3.0


def _data_lines(fig):
    """Lines that carry data (more than two points: not the zero lines and T_c marks)."""
    return [ln for ax in fig.axes for ln in ax.lines if len(ln.get_xdata()) > 2]


def _simulated(hex_colour: str, matrix) -> np.ndarray:
    """CIELAB of a colour as a reader with a colour-vision deficiency sees it: the Machado,
    Oliveira & Fernandes (IEEE TVCG 15, 1291 (2009)) matrix of severity 1 on linear sRGB."""
    from matplotlib.colors import to_rgb

    c = np.asarray(to_rgb(hex_colour))
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(np.asarray(matrix) @ lin, 0.0, 1.0)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


#: Machado et al. (2009), Table 1, severity 1.0.
DEFICIENCIES = {
    "normal": np.eye(3),
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def test_the_palette_reads_on_white_and_for_colour_blind_readers() -> None:
    """Every colour at least 3:1 against white; every pair at least ΔE*ab = 10 apart as seen
    with each deficiency (about four times the just-noticeable difference of ~2.3, so lines stay
    told apart, not merely distinguishable side by side)."""
    from protocols.plots import PALETTE

    for colour in PALETTE:
        assert _contrast_on_white(colour) >= MIN_CONTRAST, colour
    for name, matrix in DEFICIENCIES.items():
        seen = [_simulated(c, matrix) for c in PALETTE]
        for i in range(len(seen)):
            for j in range(i + 1, len(seen)):
                distance = float(np.linalg.norm(seen[i] - seen[j]))
                assert distance >= 10.0, (name, PALETTE[i], PALETTE[j], distance)


def test_every_data_line_of_every_figure_reads_on_white(steps) -> None:
    tau = protocols.log_times(1e-10, 1e2, 2)
    gamma = protocols.gruneisen_vs_tau(GLASS, [0.1, 0.2, 0.3, 0.5, 0.7], tau, resolution=COARSE)
    pulse = _run(protocols.HeatPulse(0.3, 10.0), protocols.log_times(1e-9, 100.0, 3))
    for fig in (plot_run(steps["up"]), plot_run(steps["stair"]), plot_run(pulse)):
        for line in _data_lines(fig):
            assert _contrast_on_white(line.get_color()) >= MIN_CONTRAST, line.get_label()
        plt.close(fig)
    fig = plot_gruneisen(gamma)
    for line in _data_lines(fig):
        assert _contrast_on_white(line.get_color()) >= MIN_CONTRAST, line.get_label()
    plt.close(fig)


def test_the_metallic_title_fits_inside_its_figure() -> None:
    from protocols.metallic import alpha_through_tc
    from protocols.plots import plot_through_tc

    zrcu = dynamics.get_glass("zrcu", spectrum="asymptotic")
    ds = alpha_through_tc(zrcu, np.geomspace(0.5, 3.0, 6), [1.0], resolution=COARSE)
    fig = plot_through_tc(ds)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.axes[0].title.get_window_extent(renderer)
    frame = fig.bbox
    assert box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y1 <= frame.y1, (box, frame)
    assert "through T_c" in fig.axes[0].get_title().replace("\n", " ")
    plt.close(fig)


def test_a_sweep_over_c_draws_every_c() -> None:
    """A Γ sweep over temperature x c: a panel per value of c (it drew only the first c), a
    line per temperature in each, the values those of the dataset."""
    from protocols.plots import plot_sweep

    grid = {"temperature": [0.2, 0.3], "c": [4.0, 6.0, 8.0]}
    ds = protocols.sweep(
        GLASS, grid, tau_expt=[1e-6, 1.0, 100.0], scheduler="synchronous", resolution=COARSE
    )
    fig = plot_sweep(ds)
    assert len(fig.axes) == 3
    for ax, c in zip(fig.axes, grid["c"], strict=True):
        assert ax.get_title() == f"c = {c:g}"
        solid = [ln for ln in ax.lines if ln.get_linestyle() == "-"]
        assert len(solid) == 2
        np.testing.assert_array_equal(
            solid[1].get_ydata(), ds["gruneisen"].sel(temperature=0.3, c=c).values
        )
    plt.close(fig)


def test_a_staircase_resolves_every_dwell_and_is_drawn_as_steps() -> None:
    stair = protocols.Staircase(T_start=0.2, delta_T=0.02, steps=3, dwell=600.0)
    times = protocols.default_times(GLASS, stair, 4)
    per_dwell = np.histogram(times, bins=np.arange(0.0, 1801.0, 600.0))[0]
    assert per_dwell.min() >= per_dwell.max() - 1  # every dwell alike (it was 269 of 316 in one)
    after_second_step = times[(times > 600.0) & (times < 1200.0)] - 600.0
    assert after_second_step.min() < 1e-6  # resolved right after the step
    ds = protocols.run(GLASS, stair, resolution=COARSE)
    np.testing.assert_array_equal(ds["time"].values, np.union1d(stair.dwell_ends, ds["time"]))
    fig = plot_run(ds)
    temperature = next(ax for ax in fig.axes if "temperature T" in ax.get_ylabel())
    (line,) = temperature.lines
    assert line.get_drawstyle() == "steps-post"
    plt.close(fig)


def test_the_fit_is_drawn_as_a_smooth_curve_of_the_model() -> None:
    """The fit's line is the model on a fine grid (not a polyline through the data points), and
    its values are the model's, evaluated independently at those points."""
    from protocols.fit import CURVE_POINTS, fit, predict
    from protocols.fitdata import measurement
    from protocols.plots import plot_fit

    temps = np.geomspace(0.08, 0.8, 8)
    truth = predict(GLASS, measurement("alpha", np.zeros(8), temperature=temps, tau_expt=100.0))
    data = measurement(
        "alpha", truth, errors=0.02 * np.abs(truth), temperature=temps, tau_expt=100.0
    )
    result = fit(data, GLASS.replace(c=5.0), ["c"], resolution=COARSE)
    ds = result.to_dataset()
    fig = plot_fit(ds)
    line = next(ln for ln in fig.axes[0].lines if ln.get_label() == "fit")
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    assert x.size == CURVE_POINTS and x[0] == temps[0] and x[-1] == pytest.approx(temps[-1])
    fine = measurement("alpha", np.zeros(x.size), temperature=x, tau_expt=100.0)
    np.testing.assert_allclose(y, predict(result.glass, fine, resolution=COARSE), rtol=1e-12)
    assert (
        ds["alpha_curve_1"].attrs["units"] == "K-1"
        and "fine grid" in (ds["alpha_curve_1"].attrs["long_name"])
    )
    plt.close(fig)
