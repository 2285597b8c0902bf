"""The work of a sweep: its grid points, block by block, with exactly the serial functions of
:mod:`protocols.run` and :mod:`dynamics.response` (one dask task per block)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dynamics.glass import Glass, GlassModel
from dynamics.response import gamma_point
from protocols.plausibility import finite_or_refused
from protocols.sweeps.grid import GAMMA_VARIABLES, SweepSpec, glass_at, protocol_at

FloatArray = NDArray[np.float64]


def _protocol_point(spec: SweepSpec, values: Mapping[str, float]) -> tuple[dict, dict]:
    """One point of a protocol sweep: ({variable: (dims, values)}, {coordinate: values})."""
    from protocols.run import run

    _, glass_changes, protocol_changes = spec.split(values)
    assert spec.protocol is not None
    ds = run(
        glass_at(spec.glass, glass_changes),
        protocol_at(spec.protocol, protocol_changes),
        spec.times,
        resolution=spec.resolution,
        rtol=spec.rtol,
    )
    data = {
        str(k): (tuple(str(d) for d in v.dims), v.values)
        for k, v in ds.data_vars.items()
        if k not in spec.names  # e.g. a staircase's delta_T when it is swept: the coordinate
    }
    coords = {str(k): v.values for k, v in ds.coords.items()}
    return data, coords


def compute_block(spec: SweepSpec, start: int, stop: int, capture_warnings: bool) -> dict[str, Any]:
    """Compute grid points ``start`` to ``stop - 1`` (C order) of a sweep: one dask task.

    Warnings are recorded and returned when ``capture_warnings`` (in worker processes, where
    they would be lost) so that :func:`sweep` re-issues them.
    """
    if not capture_warnings:  # in-process: warnings reach the caller as they are
        return {**_block(spec, start, stop), "warnings": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = _block(spec, start, stop)
    return {**out, "warnings": [(w.category, str(w.message)) for w in caught]}


def _block(spec: SweepSpec, start: int, stop: int) -> dict[str, Any]:
    if spec.mode == "gamma":
        return {"gamma": _gamma_block(spec, start, stop)}
    return {"points": [_protocol_point(spec, spec.point(i)) for i in range(start, stop)]}


def _gamma_block(spec: SweepSpec, start: int, stop: int) -> dict[str, FloatArray]:
    assert spec.tau_expt is not None
    n, n_tau = stop - start, spec.tau_expt.size
    block = {
        name: np.empty((n, n_tau) if name not in ("heat_capacity_equilibrium", "tau_min") else n)
        for name in GAMMA_VARIABLES
    }
    glasses: dict[tuple[tuple[str, float], ...], GlassModel] = {}
    for row, flat in enumerate(range(start, stop)):
        temperature, glass_changes, _ = spec.split(spec.point(flat))
        key = tuple(glass_changes.items())
        if key not in glasses:
            glasses[key] = glass_at(spec.glass, glass_changes)
        glass = glasses[key]
        assert isinstance(glass, Glass) and temperature is not None
        with finite_or_refused(f"the sweep point at {temperature:g} K", glass):
            point = gamma_point(glass, temperature, spec.tau_expt, spec.resolution)
        block["gruneisen"][row] = point.gruneisen
        block["gruneisen_equilibrium"][row] = point.gruneisen_equilibrium
        block["alpha_over_temperature"][row] = point.alpha / temperature
        block["heat_capacity_over_temperature"][row] = point.heat_capacity / temperature
        block["heat_capacity_equilibrium"][row] = point.heat_capacity_equilibrium
        block["tau_min"][row] = point.tau_min
    return block
