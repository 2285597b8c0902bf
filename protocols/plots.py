"""Figures (matplotlib): strain against log time, the protocol's T(t), Γ against log τ_expt.

Each function returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes a PNG
atomically. Nothing here computes physics: the datasets carry it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import cast

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dynamics.validation import ParameterError


def _figure_and_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """A new figure and axes, or the figure of the given axes; and whether the figure is new."""
    if ax is None:
        fig, new_ax = plt.subplots(figsize=figsize)
        return fig, new_ax, True
    return cast(Figure, ax.get_figure()), ax, False


def _positive_times(ds: xr.Dataset) -> xr.Dataset:
    return ds.sel(time=ds["time"] > 0)


def plot_strain(ds: xr.Dataset, ax: Axes | None = None) -> Figure:
    """Volume strain and ΔL/L against log time, with the minimum of the strain marked."""
    fig, ax, own = _figure_and_axes(ax, (7, 4.2))
    d = _positive_times(ds)
    t = d["time"].values
    ax.plot(t, d["strain"].values, color="C0", lw=2, label=r"volume strain $\Delta V/V$")
    ax.plot(t, d["length_change"].values, color="C1", lw=1.5, ls="--", label=r"$\Delta L/L$")
    if "strain_tls" in d:
        for j, name in enumerate(d["tls_type"].values):
            ax.plot(
                t,
                d["strain_tls"].sel(tls_type=name).values,
                color=f"C{j + 4}",
                lw=0.9,
                alpha=0.7,
                label=f"TLS {name}",
            )
    i = int(np.argmin(d["strain"].values))
    if 0 < i < t.size - 1:
        ax.plot(t[i], d["strain"].values[i], "v", color="k", ms=8, label=f"minimum at {t[i]:.3g} s")
        if "tau_min" in d:
            ax.axvline(
                float(d["tau_min"]),
                color="0.5",
                lw=0.8,
                ls=":",
                label=rf"$\tau_{{min}}$({float(d['tau_min_temperature']):.3g} K)",
            )
    ax.axhline(0.0, color="0.7", lw=0.6)
    ax.set_xscale("log")
    ax.set_xlabel("time t [s]")
    ax.set_ylabel("strain relative to t = 0 [1]")
    ax.set_title(ds.attrs.get("title", "strain"), fontsize=10)
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, which="major", alpha=0.3)
    if own:
        fig.tight_layout()
    return fig


def plot_temperature(ds: xr.Dataset, ax: Axes | None = None) -> Figure:
    """The protocol's temperature T(t) against log time."""
    fig, ax, own = _figure_and_axes(ax, (7, 2.6))
    d = _positive_times(ds)
    ax.plot(d["time"].values, d["temperature"].values, color="C3", lw=1.8)
    ax.set_xscale("log")
    ax.set_xlabel("time t [s]")
    ax.set_ylabel("temperature T [K]")
    ax.grid(True, alpha=0.3)
    if own:
        fig.tight_layout()
    return fig


def plot_run(ds: xr.Dataset) -> Figure:
    """The main figure of a run: strain and ΔL/L, and T(t), on a shared log-time axis; for a
    heat step also Γ(t) with both heat-capacity conventions."""
    has_gamma = "gruneisen" in ds and "time" in ds["gruneisen"].dims
    rows = 3 if has_gamma else 2
    fig, axes = plt.subplots(
        rows,
        1,
        figsize=(7.5, 3.0 * rows + 1),
        sharex=True,
        gridspec_kw={"height_ratios": [3, 1.4, 2][:rows]},
    )
    plot_strain(ds, axes[0])
    axes[0].set_xlabel("")
    plot_temperature(ds, axes[1])
    if has_gamma:
        d = _positive_times(ds)
        ax = axes[2]
        ax.plot(d["time"].values, d["gruneisen"].values, label=r"$\Gamma = K\alpha/C(t)$")
        ax.plot(
            d["time"].values,
            d["gruneisen_equilibrium"].values,
            ls="--",
            label=r"$\Gamma = K\alpha/C(\infty)$ (paper)",
        )
        ax.set_ylabel(r"Grüneisen $\Gamma$ [1]")
        ax.set_xlabel(r"time after the step $\tau_{expt}$ [s]")
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def plot_gruneisen(ds: xr.Dataset, ax: Axes | None = None, *, printed: bool = True) -> Figure:
    """Γ against log τ_expt from :func:`protocols.gruneisen_vs_tau`: the simulation (with the
    equilibrium heat capacity, the paper's convention, and with C(τ_expt)) and the closed form
    (6.4), derived and printed coefficients, one colour per temperature."""
    if "tau_expt" not in ds.dims:
        raise ParameterError("plot_gruneisen needs a dataset from protocols.gruneisen_vs_tau")
    fig, ax, own = _figure_and_axes(ax, (7.5, 4.8))
    tau = ds["tau_expt"].values
    for i, temp in enumerate(ds["temperature"].values):
        color = f"C{i}"
        sel = ds.sel(temperature=temp)
        ax.plot(
            tau,
            sel["gruneisen_equilibrium"].values,
            color=color,
            lw=2,
            label=rf"{temp:g} K: simulation, $C(\infty)$",
        )
        ax.plot(
            tau,
            sel["gruneisen"].values,
            color=color,
            lw=1,
            ls="-.",
            label=rf"{temp:g} K: simulation, $C(\tau_{{expt}})$",
        )
        ax.plot(
            tau,
            sel["gruneisen_closed_form"].values,
            color=color,
            lw=1.2,
            ls="--",
            label=f"{temp:g} K: (6.4) derived",
        )
        if printed:
            ax.plot(
                tau,
                sel["gruneisen_closed_form_printed"].values,
                color=color,
                lw=1,
                ls=":",
                label=f"{temp:g} K: (6.4) printed",
            )
    ax.set_xscale("log")
    ax.set_xlabel(r"duration of the experiment $\tau_{expt}$ [s]")
    ax.set_ylabel(r"Grüneisen parameter $\Gamma$ [1]")
    ax.set_title(ds.attrs.get("title", "Grüneisen parameter"), fontsize=10)
    ax.axhline(0.0, color="0.7", lw=0.6)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    if own:
        fig.tight_layout()
    return fig


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
            color=f"C{j}",
            ls="--",
            lw=1,
            label=rf"TLS, $\tau_{{expt}}$ = {tau:.3g} s",
        )
        ax1.plot(
            t, sel["alpha_total"].values / t, color=f"C{j}", lw=2, label=rf"total, {tau:.3g} s"
        )
        ax2.plot(t, sel["gruneisen_total"].values, color=f"C{j}", lw=2, label=rf"{tau:.3g} s")
    glass = ds.attrs.get("glass", "{}")
    import json

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
    ax1.set_title(ds.attrs.get("title", ""), fontsize=10)
    ax1.legend(fontsize=7, ncol=2)
    ax2.legend(fontsize=7, title=r"$\tau_{expt}$", title_fontsize=7)
    fig.tight_layout()
    return fig
