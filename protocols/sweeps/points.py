"""The work of a sweep: its grid points, block by block, with exactly the serial functions of
:mod:`protocols.run` and :mod:`dynamics.response` (one dask task per block)."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dynamics.glass import Glass, GlassModel
from dynamics.quadrature import Resolution
from dynamics.rates import tau_min
from dynamics.response import ResponseScale, StepResponse, response_scale, step_response
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
    if spec.tables:
        from dynamics.exact.shipped import keep_table

        for table in spec.tables:  # built by the caller: kept, not built again here
            keep_table(table)
    if spec.mode == "gamma":
        return {"gamma": _gamma_block(spec, start, stop)}
    return {"points": [_protocol_point(spec, spec.point(i)) for i in range(start, stop)]}


def _gamma_block(spec: SweepSpec, start: int, stop: int) -> dict[str, FloatArray]:
    """Γ(τ_expt) at grid points ``start`` to ``stop - 1``: each point is the response of its
    glass's reference (:func:`dynamics.response.response_scale`) at its temperature, scaled;
    the reference's response is computed once per process and (reference, temperature)
    (:func:`_reference_point`), so points that differ only in parameters that scale the response
    (``c``, ``eta_L``, ``N0``, ``psi``, ``bulk_modulus``, ...) build their bins once. The bits
    are those of :func:`dynamics.response.gamma_point` on the point's glass alone."""
    assert spec.tau_expt is not None
    n, n_tau = stop - start, spec.tau_expt.size
    block = {
        name: np.empty((n, n_tau) if name not in ("heat_capacity_equilibrium", "tau_min") else n)
        for name in GAMMA_VARIABLES
    }
    tau = tuple(spec.tau_expt.tolist())
    for row, flat in enumerate(range(start, stop)):
        temperature, glass_changes, _ = spec.split(spec.point(flat))
        glass, reference, scale = _point_glass(spec.glass, tuple(glass_changes.items()))
        assert isinstance(glass, Glass) and temperature is not None
        with finite_or_refused(f"the sweep point at {temperature:g} K", glass):
            point = _reference_point(reference, temperature, tau, spec.resolution).scaled(scale)
        block["gruneisen"][row] = point.gruneisen[0]
        block["gruneisen_equilibrium"][row] = point.gruneisen_equilibrium[0]
        block["alpha_over_temperature"][row] = point.alpha[0] / temperature
        block["heat_capacity_over_temperature"][row] = point.heat_capacity[0] / temperature
        block["heat_capacity_equilibrium"][row] = point.heat_capacity_equilibrium[0]
        block["tau_min"][row] = float(tau_min(temperature, glass.A))
    return block


def responses_computed(spec: SweepSpec, points: int) -> int:
    """The distinct computations done so far in this process: reference responses computed (Γ
    mode; :func:`_reference_point`'s misses), or ``points`` (protocol mode: every point is
    one). [1]"""
    return _reference_point.cache_info().misses if spec.mode == "gamma" else points


#: Reference responses a process keeps (each a few kB): enough for every temperature of a grid
#: of several hundred, at each of a few settings of the parameters that do not only scale.
REFERENCE_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=REFERENCE_CACHE_SIZE)
def _point_glass(
    base: GlassModel, changes: tuple[tuple[str, float], ...]
) -> tuple[GlassModel, GlassModel, ResponseScale]:
    """The glass of a grid point (``base`` with ``changes``, validated), its reference glass and
    scale factors (:func:`dynamics.response.response_scale`): made once per process."""
    glass = glass_at(base, dict(changes))
    return (glass, *response_scale(glass))


@functools.lru_cache(maxsize=REFERENCE_CACHE_SIZE)
def _reference_point(
    reference: GlassModel, temperature: float, tau: tuple[float, ...], resolution: Resolution | None
) -> StepResponse:
    """:func:`dynamics.response.step_response` of a reference glass at one temperature [K] and
    the durations ``tau`` [s], remembered by the process (sweep points that share their
    reference and temperature build their bins once)."""
    return step_response(reference, [temperature], np.asarray(tau), resolution=resolution)
