"""Figures (matplotlib): strain against time (log after a step or pulse, linear for a slow
history), the protocol's T(t), a staircase's α, C and Γ against step temperature, Γ against
log τ_expt.

Each function returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes a PNG
atomically. Nothing here computes physics: the datasets carry it.
"""

from __future__ import annotations

import contextlib
import json
import os
import textwrap
from pathlib import Path
from typing import Any, cast

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dynamics.validation import ParameterError
from protocols.histories import TemperatureHistory, protocol_from_dict
from protocols.labels import title_duration

#: The colours of every figure, in order (:func:`colour`): the Okabe & Ito palette without its
#: light colours (orange, sky blue, yellow), with three darker colours of Paul Tol's "muted"
#: scheme. Each has a luminance contrast of at least 3:1 against white (WCAG 2.1, 1.4.11, for
#: graphical objects; the lightest is 3.0) and each pair stays apart for readers with
#: protanopia, deuteranopia or tritanopia (tests/test_plots.py simulates them).
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#882255",  # wine
    "#332288",  # indigo
    "#999933",  # olive
)


def colour(i: int) -> str:
    """The ``i``-th colour of :data:`PALETTE` (repeated beyond its eight)."""
    return PALETTE[i % len(PALETTE)]


def _figure_and_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """A new figure and axes, or the figure of the given axes; and whether the figure is new."""
    if ax is None:
        fig, new_ax = plt.subplots(figsize=figsize)
        return fig, new_ax, True
    return cast(Figure, ax.get_figure()), ax, False


def _positive_times(ds: xr.Dataset) -> xr.Dataset:
    return ds.sel(time=ds["time"] > 0)


def _protocol(ds: xr.Dataset) -> dict[str, Any]:
    text = ds.attrs.get("protocol")
    return dict(json.loads(text)) if isinstance(text, str) else {}


def _history(ds: xr.Dataset) -> TemperatureHistory | None:
    """The protocol that made ``ds``, rebuilt from its ``protocol`` attribute (None for a
    dataset of no protocol, e.g. Γ(τ_expt), or one this version cannot read)."""
    data = _protocol(ds)
    if not data:
        return None
    try:
        return protocol_from_dict(data)
    except (ParameterError, TypeError, ValueError):
        return None


def _is_slow(ds: xr.Dataset) -> bool:
    history = _history(ds)
    return history is not None and history.slow_history


def _steps_only(ds: xr.Dataset) -> bool:
    """Whether the protocol of ``ds`` imposes a T(t) that only jumps (a staircase, a step)."""
    history = _history(ds)
    try:
        return history is not None and all(s.is_constant for s in history.segments())
    except NotImplementedError:  # T(t) not imposed: the isolated pulse
        return False


def _glass_name(ds: xr.Dataset) -> str:
    text = ds.attrs.get("glass")
    return str(json.loads(text).get("name", "?")) if isinstance(text, str) else "?"


def describe_protocol(ds: xr.Dataset) -> str:
    """A figure title naming the protocol, its main parameters and the glass.

    Parameters
    ----------
    ds
        A dataset of :func:`protocols.run` (its ``protocol`` and ``glass`` attributes).

    Returns
    -------
    str
        E.g. ``"heat step 300 mK → 330 mK (ΔT = +30 mK) · glass ggp1985"`` and, on a second
        line, the TLS model (spectrum and relaxation coupling): each protocol describes itself
        (:meth:`~protocols.histories.TemperatureHistory.describe`). A dataset of no protocol
        gets its ``title``.
    """
    history = _history(ds)
    if history is None:
        return str(ds.attrs.get("title", "tls-expansion"))
    return f"{history.describe()} · glass {_glass_name(ds)}\n{_model(ds)}"


def _model(ds: xr.Dataset) -> str:
    """The TLS model that made ``ds``, from its attributes: spectrum and relaxation coupling."""
    spectrum = str(ds.attrs.get("spectrum", "asymptotic"))
    coupling = str(ds.attrs.get("relaxation_coupling", "symmetric"))
    if coupling != "symmetric":
        coupling += f" (f = {float(ds.attrs.get('interference_fraction', 0.0)):.3g})"
    words = "standard tunnelling model" if spectrum == "tunnelling-model" else f"{spectrum} spectra"
    return f"{words}, relaxation coupling {coupling}"


def strain_excursion(ds: xr.Dataset) -> tuple[float, float] | None:
    """The largest excursion of the strain, where it is one: the time and value of the largest
    ``|strain|`` if it lies strictly inside the time range (a turning point), else None (a
    strain still growing at the end, or largest at the first time). None also for a slow
    history (staircase, ramp, schedule), whose strain follows the temperature instead of
    relaxing after one change.

    Parameters
    ----------
    ds
        A dataset of :func:`protocols.run`.

    Returns
    -------
    tuple of float or None
        ``(time [s], strain [1])``.
    """
    if _is_slow(ds):
        return None
    d = _positive_times(ds)
    strain = d["strain"].values
    if strain.size < 3:
        return None
    i = int(np.argmax(np.abs(strain)))
    if 0 < i < strain.size - 1:
        return float(d["time"].values[i]), float(strain[i])
    return None


def _time_scale(ds: xr.Dataset) -> tuple[str, float, str]:
    """x scale, divisor and unit of the time axis: log seconds for relaxation after a step
    or pulse; linear, in a readable unit, for a slow history."""
    if not _is_slow(ds):
        return "log", 1.0, "s"
    t_end = float(ds["time"].values[-1])
    for unit, size in (("d", 86400.0 * 2), ("h", 3600.0 * 2), ("min", 120.0)):
        if t_end >= size:
            return "linear", size / 2, unit
    return "linear", 1.0, "s"


def _times_for(ds: xr.Dataset, scale: str) -> xr.Dataset:
    return _positive_times(ds) if scale == "log" else ds


def plot_strain(ds: xr.Dataset, ax: Axes | None = None) -> Figure:
    """Volume strain and ΔL/L against time (log time after a step or pulse, linear for a slow
    history), with the largest excursion marked where there is one."""
    fig, ax, own = _figure_and_axes(ax, (7, 4.2))
    scale, div, unit = _time_scale(ds)
    d = _times_for(ds, scale)
    t = d["time"].values / div
    ax.plot(t, d["strain"].values, color=colour(0), lw=2, label=r"volume strain $\Delta V/V$")
    ax.plot(t, d["length_change"].values, color=colour(1), lw=1.5, ls="--", label=r"$\Delta L/L$")
    if "strain_tls" in d:
        for j, name in enumerate(d["tls_type"].values):
            ax.plot(
                t,
                d["strain_tls"].sel(tls_type=name).values,
                color=colour(j + 4),
                lw=0.9,
                label=f"TLS {name}",
            )
    peak = strain_excursion(ds)
    if peak is not None:
        ax.plot(
            peak[0] / div,
            peak[1],
            "v" if peak[1] < 0 else "^",
            color="k",
            ms=8,
            label=f"largest excursion at {peak[0]:.3g} s",
        )
    if scale == "log" and "tau_min" in d:
        ax.axvline(
            float(d["tau_min"]),
            color="0.5",
            lw=0.8,
            ls=":",
            label=rf"$\tau_{{min}}$({float(d['tau_min_temperature']):.3g} K)",
        )
    ax.axhline(0.0, color="0.7", lw=0.6)
    ax.set_xscale(scale)
    ax.set_xlabel(f"time t [{unit}]")
    ax.set_ylabel("strain relative to t = 0 [1]")
    ax.set_title(describe_protocol(ds), fontsize=10)
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, which="major", alpha=0.3)
    if own:
        fig.tight_layout()
    return fig


def plot_temperature(ds: xr.Dataset, ax: Axes | None = None) -> Figure:
    """The protocol's temperature T(t), on the time axis of :func:`plot_strain`."""
    fig, ax, own = _figure_and_axes(ax, (7, 2.6))
    scale, div, unit = _time_scale(ds)
    d = _times_for(ds, scale)
    steps = _steps_only(ds)  # a staircase jumps: held until the next output time, not a ramp
    ax.plot(
        d["time"].values / div,
        d["temperature"].values,
        color=colour(3),
        lw=1.8,
        drawstyle="steps-post" if steps else "default",
    )
    ax.set_xscale(scale)
    ax.set_xlabel(f"time t [{unit}]")
    ax.set_ylabel("temperature T [K]")
    ax.grid(True, alpha=0.3)
    if own:
        fig.tight_layout()
    return fig


def plot_steps(ds: xr.Dataset) -> Figure:
    """A staircase as a dilatometer user reads it: α, C and Γ of each step against the step's
    temperature (read at the end of each dwell; C and Γ with both heat-capacity conventions).
    """
    if "step" not in ds.dims:
        raise ParameterError("plot_steps needs a staircase dataset (with a 'step' dimension)")
    fig, axes = plt.subplots(3, 1, figsize=(7, 8), sharex=True)
    _step_panels(ds, list(axes))
    axes[0].set_title(describe_protocol(ds), fontsize=10)
    fig.tight_layout()
    return fig


def _step_panels(ds: xr.Dataset, axes: list[Axes]) -> None:
    """α, C and Γ of a staircase's steps against step temperature, in three axes."""
    temp = ds["step_temperature"].values
    dwell = title_duration(float(_protocol(ds).get("dwell", np.nan)))
    axes[0].plot(temp, ds["alpha"].values, "o-", color=colour(0), label=f"after a dwell of {dwell}")
    axes[0].set_ylabel(r"TLS $\alpha$ [K$^{-1}$]")
    axes[1].plot(temp, ds["heat_capacity"].values, "o-", color=colour(0), label=f"C({dwell})")
    axes[1].plot(
        temp, ds["heat_capacity_equilibrium"].values, "s--", color=colour(2), label=r"$C(\infty)$"
    )
    axes[1].set_ylabel("TLS C [J m$^{-3}$ K$^{-1}$]")
    axes[2].plot(temp, ds["gruneisen"].values, "o-", color=colour(0), label=f"with C({dwell})")
    axes[2].plot(
        temp,
        ds["gruneisen_equilibrium"].values,
        "s--",
        color=colour(2),
        label=r"with $C(\infty)$ (the paper)",
    )
    axes[2].set_ylabel(r"Grüneisen $\Gamma = K\alpha/C$ [1]")
    axes[2].set_xlabel("step temperature [K]")
    for ax in axes:
        ax.axhline(0.0, color="0.7", lw=0.6)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)


def plot_run(ds: xr.Dataset) -> Figure:
    """The main figure of a run, by protocol.

    - heat step: strain and ΔL/L against log time, and Γ(t) with both heat-capacity
      conventions (the temperature is constant after the step: no panel for it);
    - heat pulse, isolated pulse: strain and T(t) against log time;
    - staircase: strain and T(t) against linear time, and α, C and Γ against the step
      temperature (:func:`plot_steps`) on the right;
    - ramp, schedule: strain and T(t) against linear time.

    One time label, on the bottom panel; the title names the protocol, its main parameters and
    the glass.
    """
    has_gamma = "gruneisen" in ds and "time" in ds["gruneisen"].dims
    if "step" in ds.dims:  # a history read out step by step (a staircase)
        return _plot_staircase(ds)
    second = "gamma" if has_gamma else "temperature"
    fig, axes = plt.subplots(
        2,
        1,
        figsize=(7.5, 7.0 if has_gamma else 6.2),
        sharex=True,
        gridspec_kw={"height_ratios": [3, 2 if has_gamma else 1.4]},
    )
    plot_strain(ds, axes[0])
    axes[0].set_xlabel("")
    if second == "temperature":
        plot_temperature(ds, axes[1])
    else:
        _plot_gamma_of_time(ds, axes[1])
    fig.tight_layout()
    return fig


def _plot_gamma_of_time(ds: xr.Dataset, ax: Axes) -> None:
    d = _positive_times(ds)
    ax.plot(
        d["time"].values, d["gruneisen"].values, color=colour(0), label=r"$\Gamma = K\alpha/C(t)$"
    )
    ax.plot(
        d["time"].values,
        d["gruneisen_equilibrium"].values,
        color=colour(1),
        ls="--",
        label=r"$\Gamma = K\alpha/C(\infty)$ (the paper)",
    )
    ax.set_xscale("log")
    ax.set_ylabel(r"Grüneisen $\Gamma$ [1]")
    ax.set_xlabel(r"time after the step $t = \tau_{expt}$ [s]")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)


def _plot_staircase(ds: xr.Dataset) -> Figure:
    fig = plt.figure(figsize=(12, 7.5))
    grid = fig.add_gridspec(3, 2, width_ratios=[1.25, 1], height_ratios=[1, 1, 1])
    strain_ax = fig.add_subplot(grid[0:2, 0])
    temp_ax = fig.add_subplot(grid[2, 0], sharex=strain_ax)
    plot_strain(ds, strain_ax)
    strain_ax.set_xlabel("")
    strain_ax.set_title("")
    plot_temperature(ds, temp_ax)
    right = [fig.add_subplot(grid[i, 1]) for i in range(3)]
    for ax in right[1:]:
        ax.sharex(right[0])
    _step_panels(ds, right)
    for ax in right[:2]:
        ax.tick_params(labelbottom=False)
    fig.suptitle(describe_protocol(ds), fontsize=10)
    fig.tight_layout()
    return fig


#: Heat-capacity conventions of Γ in a :func:`protocols.gruneisen_vs_tau` dataset: variable,
#: panel title.
GRUNEISEN_CONVENTIONS = {
    "equilibrium": (
        "gruneisen_equilibrium",
        r"$\Gamma = K\alpha(\tau_{expt})/C(\infty)$ (the paper)",
    ),
    "measured": ("gruneisen", r"$\Gamma = K\alpha(\tau_{expt})/C(\tau_{expt})$"),
}


def plot_gruneisen(
    ds: xr.Dataset,
    ax: Axes | None = None,
    *,
    printed: bool = True,
    convention: str | None = None,
) -> Figure:
    """Γ against log τ_expt from :func:`protocols.gruneisen_vs_tau`, one panel per heat-capacity
    convention, temperatures as colours.

    The panel of the equilibrium heat capacity C(∞) (the paper's convention) also shows the
    closed form (6.4) in thin lines (dashed: derived coefficients; dotted: printed), except
    where τ_expt < τ_min/b_Γ: there (6.4) has no meaning (its ratio is clamped to 1) and it is
    not drawn; a note on the panel says so.

    Parameters
    ----------
    ds
        A dataset of :func:`protocols.gruneisen_vs_tau`.
    ax
        Axes to draw one panel in (then ``convention`` chooses it, ``"equilibrium"`` if None).
    printed
        Also draw (6.4) with the paper's printed coefficients.
    convention
        ``"equilibrium"`` (C(∞)) or ``"measured"`` (C(τ_expt)) for one panel; both if None.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_gruneisen_request(ds, convention)
    fig, axes, names = _gruneisen_axes(ax, convention)
    colours = _temperature_colours(ds["temperature"].values.size)
    for panel, name in zip(axes, names, strict=True):
        _gruneisen_panel(panel, ds, name, colours, printed)
    if ax is None:
        fig.suptitle(
            f"Γ(τ_expt) after a small heat step · glass {_glass_name(ds)}\n{_model(ds)}",
            fontsize=11,
        )
        fig.tight_layout()
    return fig


def _check_gruneisen_request(ds: xr.Dataset, convention: str | None) -> None:
    """Raise :class:`ParameterError` unless ``ds`` is a Γ(τ_expt) dataset and ``convention`` is
    None or a name of :data:`GRUNEISEN_CONVENTIONS`."""
    if "tau_expt" not in ds.dims or "gruneisen_equilibrium" not in ds:
        raise ParameterError("plot_gruneisen needs a dataset from protocols.gruneisen_vs_tau")
    if convention is not None and convention not in GRUNEISEN_CONVENTIONS:
        raise ParameterError(
            f"convention = {convention!r} is not known; choose one of "
            f"{', '.join(GRUNEISEN_CONVENTIONS)}"
        )


def _gruneisen_axes(
    ax: Axes | None, convention: str | None
) -> tuple[Figure, list[Axes], list[str]]:
    """The figure, its panels and each panel's convention for :func:`plot_gruneisen`.

    Parameters
    ----------
    ax
        Axes to draw one panel in, or None for a new figure of one panel per convention.
    convention
        A name of :data:`GRUNEISEN_CONVENTIONS`, or None (with ``ax``: ``"equilibrium"``;
        without: every convention).
    """
    if ax is not None:
        return cast(Figure, ax.get_figure()), [ax], [convention or "equilibrium"]
    names = [convention] if convention else list(GRUNEISEN_CONVENTIONS)
    fig, grid = plt.subplots(1, len(names), figsize=(6.5 * len(names), 4.8), squeeze=False)
    return fig, list(grid[0]), names


def _temperature_colours(n: int) -> list[Any]:
    """``n`` colours of :data:`PALETTE`, one per temperature, coldest first (repeated beyond
    its eight)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def _gruneisen_panel(
    panel: Axes, ds: xr.Dataset, name: str, colours: list[Any], printed: bool
) -> None:
    """One panel of :func:`plot_gruneisen`: Γ against τ_expt at each temperature under the
    convention ``name``; for ``"equilibrium"`` also the closed form (6.4) and its key.

    Parameters
    ----------
    panel
        The axes.
    ds
        A dataset of :func:`protocols.gruneisen_vs_tau`.
    name
        A name of :data:`GRUNEISEN_CONVENTIONS`.
    colours
        One colour per temperature of ``ds``.
    printed
        Also draw (6.4) with the paper's printed coefficients.
    """
    variable, title = GRUNEISEN_CONVENTIONS[name]
    tau = ds["tau_expt"].values
    b_gamma = float(ds.attrs.get("b_gamma", 1.0))
    clamped_any = False
    for colour, temp in zip(colours, ds["temperature"].values, strict=True):
        sel = ds.sel(temperature=temp)
        panel.plot(tau, sel[variable].values, color=colour, lw=2, label=f"{temp:g} K")
        if name == "equilibrium":
            clamped_any |= _plot_closed_forms(panel, sel, tau, b_gamma, colour, printed)
    if name == "equilibrium":
        _closed_form_key(panel, printed, clamped_any)
    panel.set_xscale("log")
    panel.set_xlabel(r"duration of the experiment $\tau_{expt}$ [s]")
    panel.set_ylabel(r"Grüneisen parameter $\Gamma$ [1]")
    panel.set_title(title, fontsize=10)
    panel.axhline(0.0, color="0.7", lw=0.6)
    panel.grid(True, alpha=0.3)
    panel.legend(fontsize=8, title="T", title_fontsize=8)


def _plot_closed_forms(
    panel: Axes,
    sel: xr.Dataset,
    tau: Any,
    b_gamma: float,
    colour: Any,
    printed: bool,
) -> bool:
    r"""Draw (6.4) at one temperature in thin lines (dashed: derived coefficients; dotted:
    printed), blank where τ_expt < τ_min/b_Γ (there (6.4) has no meaning).

    Parameters
    ----------
    panel
        The axes.
    sel
        The dataset at one temperature.
    tau
        The durations of the experiment. [s]
    b_gamma
        The factor :math:`b_\Gamma` of the dataset. [1]
    colour
        The temperature's colour.
    printed
        Also draw (6.4) with the paper's printed coefficients.

    Returns
    -------
    bool
        Whether some τ_expt was left blank.
    """
    clamped = tau * b_gamma < float(sel["tau_min"])
    forms = [("gruneisen_closed_form", "--")]
    if printed:
        forms.append(("gruneisen_closed_form_printed", ":"))
    for form, style in forms:
        values = np.where(clamped, np.nan, sel[form].values)
        panel.plot(tau, values, color=colour, lw=1.0, ls=style)
    return bool(clamped.any())


def _closed_form_key(panel: Axes, printed: bool, clamped_any: bool) -> None:
    """Legend entries of the (6.4) lines, and the note where they are not drawn."""
    panel.plot([], [], color="0.3", lw=1.0, ls="--", label="(6.4) derived")
    if printed:
        panel.plot([], [], color="0.3", lw=1.0, ls=":", label="(6.4) printed")
    if clamped_any:
        panel.text(
            0.02,
            0.02,
            r"(6.4) not drawn where $\tau_{expt} < \tau_{min}/b_\Gamma$ (no meaning there)",
            transform=panel.transAxes,
            fontsize=7,
            color="0.35",
        )


def save_figure(fig: Figure, path: str | Path, *, overwrite: bool = False, dpi: int = 130) -> Path:
    """Write a figure as PNG atomically; an existing file is replaced only with ``overwrite``.

    The figure is closed afterwards (in a notebook, ``display(fig)`` it before saving).
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise ParameterError(
            f"out = {str(target)!r} exists; give --force (overwrite=True) to replace it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    from protocols.output import clean_stale_temporaries

    clean_stale_temporaries(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp.png")
    try:
        fig.savefig(tmp, dpi=dpi)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    finally:
        plt.close(fig)
    return target


def plot_through_tc(ds: xr.Dataset) -> Figure:
    """α (TLS, electrons, total) and Γ of a metallic glass against T, T_c marked, one line
    style per τ_expt (from :func:`protocols.metallic.alpha_through_tc`)."""
    if "alpha_total" not in ds:
        raise ParameterError(
            "plot_through_tc needs a dataset from protocols.metallic.alpha_through_tc"
        )
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7.5, 7.5), sharex=True)
    t = ds["temperature"].values
    ax1.plot(t, ds["alpha_electron"].values / t, color="k", lw=1.5, label=r"electrons $\alpha_e/T$")
    for j, tau in enumerate(ds["tau_expt"].values):
        sel = ds.isel(tau_expt=j)
        ax1.plot(
            t,
            sel["alpha_tls"].values / t,
            color=colour(j),
            ls="--",
            lw=1,
            label=rf"TLS, $\tau_{{expt}}$ = {tau:.3g} s",
        )
        ax1.plot(
            t, sel["alpha_total"].values / t, color=colour(j), lw=2, label=rf"total, {tau:.3g} s"
        )
        ax2.plot(t, sel["gruneisen_total"].values, color=colour(j), lw=2, label=rf"{tau:.3g} s")
    glass = ds.attrs.get("glass", "{}")
    tc = float(json.loads(glass).get("critical_temperature", 0.0))
    for ax in (ax1, ax2):
        ax.axhline(0.0, color="0.7", lw=0.6)
        if tc > 0:
            ax.axvline(tc, color="0.4", ls=":", lw=1)
        ax.set_xscale("log")
        ax.grid(True, alpha=0.3)
    ax1.set_ylabel(r"expansion coefficient $\alpha/T$ [K$^{-2}$]")
    ax2.set_ylabel(r"Grüneisen $\Gamma$, TLS + electrons [1]")
    ax2.set_xlabel("temperature T [K]" + (f"  (dotted: $T_c$ = {tc:g} K)" if tc > 0 else ""))
    ax1.set_title(_wrapped(ds.attrs.get("title", ""), fig), fontsize=10)
    ax1.legend(fontsize=7, ncol=2)
    ax2.legend(fontsize=7, title=r"$\tau_{expt}$", title_fontsize=7)
    fig.tight_layout()
    return fig


#: A part of a thermal figure is drawn where it holds at least this share of the total heat
#: capacity (its Gamma has no meaning where its heat capacity is nothing). [1]
_PART_SHARE = 1e-3
#: Line styles of the parts of a thermal figure (colour by part, :func:`colour`).
_PART_STYLES = {
    "tls": "-",
    "relaxators": "--",
    "double_well_excitations": "-.",
    "soft_vibrations": "-",
    "phonons": ":",
    "electrons": (0, (3, 1, 1, 1)),
}


def plot_thermal(ds: xr.Dataset) -> Figure:
    """Thermal curves of a glass (from :func:`protocols.thermal.thermal`): C/T³ against log T
    with each part and the total (at the longest τ_expt, with the total at every τ_expt), and
    Γ(T) with each part, one panel per τ_expt."""
    if "part" not in ds.dims or "thermal_expansion" not in ds:
        raise ParameterError("plot_thermal needs a dataset from protocols.thermal.thermal")
    taus = ds["tau_expt"].values
    fig, axes = plt.subplots(
        1 + taus.size, 1, figsize=(7.5, 3.2 + 2.4 * taus.size), sharex=True, squeeze=False
    )
    ax0 = axes[0, 0]
    t = ds["temperature"].values
    longest = ds.isel(tau_expt=-1)
    parts = [str(p) for p in ds["part"].values if p != "total"]
    top = longest["heat_capacity"].sel(part="total").values
    for k, part in enumerate(parts):
        c = longest["heat_capacity"].sel(part=part).values
        c = np.where(c > _PART_SHARE * top, c, np.nan)  # a part is drawn where it counts
        if np.any(np.isfinite(c)):
            ax0.plot(t, c / t**3, color=colour(k), ls=_PART_STYLES.get(part, "-"), lw=1.4,
                     label=part.replace("_", " "))  # fmt: skip
    for j, tau in enumerate(taus):
        total = ds["heat_capacity"].sel(part="total").isel(tau_expt=j).values
        width = 2.2 - 1.5 * j / max(1, taus.size - 1)
        shade = 0.4 + 0.6 * (j + 1) / taus.size
        label = rf"total, $\tau$ = {tau:.3g} s"
        ax0.plot(t, total / t**3, color="k", lw=width, alpha=shade, label=label)
    ax0.set_xscale("log")
    ax0.set_yscale("log")
    ratio = top / t**3
    ax0.set_ylim(_PART_SHARE * float(np.min(ratio)), 2.0 * float(np.max(ratio)))
    ax0.set_ylabel(r"$C/T^3$ [J m$^{-3}$ K$^{-4}$]")
    ax0.grid(True, which="both", alpha=0.3)
    ax0.legend(fontsize=7, ncol=2)
    ax0.set_title(_wrapped(ds.attrs.get("title", ""), fig, 9.0), fontsize=9)
    for j, tau in enumerate(taus):
        ax = axes[1 + j, 0]
        sel = ds.isel(tau_expt=j)
        share = sel["heat_capacity"] / sel["heat_capacity"].sel(part="total")
        for k, part in enumerate(parts):
            g = np.where(
                share.sel(part=part).values > _PART_SHARE,
                sel["gruneisen"].sel(part=part).values,
                np.nan,
            )
            if np.any(np.isfinite(g)):
                ax.plot(t, g, color=colour(k), ls=_PART_STYLES.get(part, "-"), lw=1.2,
                        label=part.replace("_", " "))  # fmt: skip
        ax.plot(t, sel["gruneisen"].sel(part="total").values, color="k", lw=2, label="total")
        ax.axhline(0.0, color="0.7", lw=0.6)
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_ylabel(r"$\Gamma = K\alpha/C$ [1]")
        ax.grid(True, alpha=0.3)
        ax.text(0.01, 0.95, rf"$\tau_{{expt}}$ = {tau:.3g} s", transform=ax.transAxes, va="top",
                fontsize=8)  # fmt: skip
        if j == 0:
            ax.legend(fontsize=7, ncol=2)
    axes[-1, 0].set_xlabel("temperature T [K]")
    fig.tight_layout()
    return fig


def _wrapped(title: str, fig: Figure, fontsize: float = 10.0) -> str:
    """``title`` broken into lines that fit the width of ``fig`` (an average character of a
    ``fontsize``-point font is about 0.55 em wide)."""
    width = fig.get_figwidth() * 72.0 / (0.55 * fontsize)
    return "\n".join(textwrap.wrap(title, width=max(20, int(width) - 4)))


def plot_sweep(ds: xr.Dataset, *, max_lines: int = 8, max_panels: int = 4) -> Figure:
    """Γ against log τ_expt (Γ mode) or strain against log time (protocol mode) of a sweep: one
    line per value of the first swept parameter (at most ``max_lines``, evenly picked), one panel
    per value of the second (at most ``max_panels``, evenly picked), any further swept
    parameters at their first value (named in the title).

    Parameters
    ----------
    ds
        A dataset of :func:`protocols.sweep`.
    max_lines, max_panels
        Most lines per panel and most panels. [1]

    Returns
    -------
    matplotlib.figure.Figure
    """
    swept = [str(d) for d in ds.dims if d not in ("tau_expt", "time", "tls_type", "step")]
    if not swept:
        raise ParameterError("plot_sweep needs a dataset from protocols.sweep")
    first, second, rest = swept[0], swept[1] if len(swept) > 1 else None, swept[2:]
    sel = ds.isel({d: 0 for d in rest})
    panels = _picks(sel.sizes[second], max_panels) if second else [0]
    fig, axes = plt.subplots(
        1, len(panels), figsize=(4.2 + 3.3 * len(panels), 4.8), squeeze=False, sharey=True
    )
    for ax, j in zip(axes[0], panels, strict=True):
        part = sel.isel({second: j}) if second else sel
        _sweep_panel(ax, part, first, _picks(sel.sizes[first], max_lines))
        if second:
            ax.set_title(_value_text(part, second), fontsize=9)
    fixed = ", ".join(_value_text(sel, d) for d in rest)
    fig.suptitle(
        _wrapped(ds.attrs.get("title", "sweep"), fig, 9.0) + (f"\n({fixed})" if fixed else ""),
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def _picks(n: int, most: int) -> list[int]:
    """At most ``most`` indices of ``n``, evenly spread, first and last included."""
    return sorted({round(i) for i in np.linspace(0, n - 1, min(n, most))})


def _value_text(ds: xr.Dataset, name: str) -> str:
    """``"c = 6"``, ``"W = 30 K"``: a swept parameter's value at a point, with its unit."""
    units = ds[name].attrs.get("units", "1")
    return f"{name} = {float(ds[name]):.4g}" + (f" {units}" if units not in ("", "1") else "")


def _sweep_panel(ax: Axes, part: xr.Dataset, first: str, picks: list[int]) -> None:
    """One panel of :func:`plot_sweep`: a line per picked value of ``first``."""
    gamma = "tau_expt" in part.dims
    x_name, y_name = ("tau_expt", "gruneisen") if gamma else ("time", "strain")
    for k, i in enumerate(picks):
        line = part.isel({first: i})
        keep = line[x_name].values > 0
        x = line[x_name].values[keep]
        ax.plot(x, line[y_name].values[keep], color=colour(k), label=_value_text(line, first))
        if gamma:
            ax.plot(x, line["gruneisen_equilibrium"].values[keep], color=colour(k), ls="--", lw=0.9)
    ax.set_xscale("log")
    if gamma:
        ax.set_xlabel(r"$\tau_{expt}$ [s]")
        ax.set_ylabel(r"$\Gamma$ [1] (solid: C($\tau_{expt}$); dashed: C($\infty$))")
    else:
        ax.set_xlabel("time t [s]")
        ax.set_ylabel("volume strain [1]")
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, which="major", alpha=0.3)


def plot_fit(ds: xr.Dataset) -> Figure:
    """Data with error bars and the best fit (top), residuals (bottom), one column per data set,
    of a fit's dataset (:func:`protocols.fit_output.fit_dataset`)."""
    n = sum(1 for k in ds.attrs if k.startswith("data_") and k.endswith("_quantity"))
    fig, axes = plt.subplots(
        2,
        n,
        figsize=(5.0 * n, 5.5),
        squeeze=False,
        sharex="col",
        gridspec_kw={"height_ratios": [3, 1]},
    )
    for k in range(1, n + 1):
        q, axis = ds.attrs[f"data_{k}_quantity"], ds.attrs[f"data_{k}_axis"]
        x = ds[f"{axis}_{k}"].values
        y, f, r = (ds[f"{q}{s}_{k}"].values for s in ("", "_fit", "_residual"))
        err = ds[f"{q}_err_{k}"].values if f"{q}_err_{k}" in ds else None
        order = np.argsort(x)
        top, bottom = axes[0, k - 1], axes[1, k - 1]
        top.errorbar(x, y, yerr=err, fmt="o", ms=3, color=colour(0), label="data")
        if f"{q}_curve_{k}" in ds:  # the model on a fine grid: a smooth curve
            curve_x, curve_y = ds[f"{axis}_curve_{k}"].values, ds[f"{q}_curve_{k}"].values
            top.plot(curve_x, curve_y, "-", color=colour(1), label="fit")
        else:  # another variable varies too (C(T) at several tau): the fit at each point
            top.plot(x[order], f[order], "x", color=colour(1), label="fit")
        bottom.errorbar(x, r, yerr=err, fmt="o", ms=3, color=colour(0))
        bottom.axhline(0.0, color="0.5", lw=0.8)
        if x.min() > 0 and x.max() / x.min() > 20:
            top.set_xscale("log")
        unit = ds[f"{q}_{k}"].attrs["units"]
        top.set_ylabel(f"{q} [{unit}]")
        bottom.set_ylabel(f"data - fit [{unit}]")
        bottom.set_xlabel(f"{axis} [{ds[f'{axis}_{k}'].attrs['units']}]")
        top.set_title(ds.attrs[f"data_{k}_source"])
        top.legend()
    names = ds.attrs["fit_varied"].split(",")
    fig.suptitle(
        "fit: "
        + ", ".join(f"{n} = {float(ds[n]):.4g} ± {float(ds[n + '_stderr']):.2g}" for n in names)
        + f"; reduced chi2 = {float(ds.reduced_chi_square):.3g}",
        fontsize=9,
    )
    fig.tight_layout()
    return fig
