"""Golden datasets: the cases that pin the tool's behaviour through a redesign.

Each case is a function returning an :class:`xarray.Dataset` computed by the public API on the
default glass at a coarse resolution (fast, and as sensitive to a change of code as a fine one).
The goldens under ``tests/goldens/`` hold their values only (no attributes): they are compared
with :func:`xarray.testing.assert_allclose` in ``test_goldens.py``.

They are written only on purpose::

    TLS_EXPANSION_REGENERATE_GOLDENS=1 .venv/bin/python -m pytest -n 0 tests/test_goldens.py

never by a normal test run; review the change of every golden before committing it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from dynamics import Glass, default_glass
from dynamics.ensemble import Resolution
from protocols.histories import (
    HeatPulse,
    HeatStep,
    IsolatedPulse,
    Staircase,
    log_times,
)
from protocols.run import gruneisen_vs_tau, run
from protocols.sweeps import sweep

GOLDEN_DIR = Path(__file__).with_name("goldens")
REGENERATE_VARIABLE = "TLS_EXPANSION_REGENERATE_GOLDENS"

# Coarse but not degenerate: a few panels in E and p, so every code path of the quadrature runs.
COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=5, p_panel_decades=3.0, p_nodes=4)


def golden_glass() -> Glass:
    """The default glass on the paper's asymptotic spectra (the goldens pin that model)."""
    return default_glass(spectrum="asymptotic")


def heat_step() -> xr.Dataset:
    return run(
        golden_glass(), HeatStep(T0=0.3, T1=0.303), log_times(1e-7, 1e5, 4), resolution=COARSE
    )


def heat_pulse() -> xr.Dataset:
    return run(
        golden_glass(),
        HeatPulse(T_bath=0.3, tau_link=10.0, delta_T=0.03),
        log_times(1e-7, 1e3, 4),
        resolution=COARSE,
    )


def staircase() -> xr.Dataset:
    protocol = Staircase(T_start=0.2, delta_T=0.05, steps=3, dwell=100.0)
    return run(golden_glass(), protocol, log_times(1e-6, 300.0, 4), resolution=COARSE)


def isolated_pulse() -> xr.Dataset:
    return run(
        golden_glass(),
        IsolatedPulse(T_bath=0.1, heat_density=1e-4),
        log_times(1e-7, 1e4, 4),
        resolution=COARSE,
    )


def gamma_tau() -> xr.Dataset:
    return gruneisen_vs_tau(
        golden_glass(), [0.1, 0.3, 1.0], log_times(1e-8, 1e5, 2), resolution=COARSE
    )


def small_sweep() -> xr.Dataset:
    return sweep(
        golden_glass(),
        {"temperature": [0.1, 0.5], "c": [20.0, 40.0]},
        tau_expt=log_times(1e-6, 1e4, 1),
        resolution=COARSE,
        scheduler="synchronous",
    )


CASES: dict[str, Callable[[], xr.Dataset]] = {
    "heat_step": heat_step,
    "heat_pulse": heat_pulse,
    "staircase": staircase,
    "isolated_pulse": isolated_pulse,
    "gamma_tau": gamma_tau,
    "small_sweep": small_sweep,
}


def values_only(dataset: xr.Dataset) -> xr.Dataset:
    """The dataset's numbers, without attributes or encodings (what a golden stores)."""
    out = dataset.copy(deep=True)
    out.attrs = {}
    for name in out.variables:
        out[name].attrs = {}
        out[name].encoding = {}
    return out


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.nc"


def write_golden(name: str, dataset: xr.Dataset) -> None:
    GOLDEN_DIR.mkdir(exist_ok=True)
    values_only(dataset).to_netcdf(golden_path(name), engine="netcdf4")


def read_golden(name: str) -> xr.Dataset:
    with xr.open_dataset(
        golden_path(name), decode_times=False, decode_timedelta=False, engine="netcdf4"
    ) as ds:
        return ds.load()


def scale(values: np.ndarray) -> float:
    """The largest magnitude of a variable (1 where it is all zero)."""
    finite = np.abs(values[np.isfinite(values)]) if values.size else np.array([])
    largest = float(finite.max()) if finite.size else 0.0
    return largest if largest > 0 else 1.0
