"""The dataset of a sweep: the blocks stacked along the swept dimensions, with the attributes
that say how it was made."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from dynamics.validation import (
    ParameterError,
)
from protocols.provenance import provenance
from protocols.sweeps.grid import GAMMA_VARIABLES, SweepSpec

if TYPE_CHECKING:  # xarray and dask are imported when used: a light CLI start
    import xarray as xr


def assemble_gamma(spec: SweepSpec, blocks: list[dict[str, Any]]) -> xr.Dataset:
    import xarray as xr

    assert spec.tau_expt is not None
    dims = spec.names
    data = {}
    for name in GAMMA_VARIABLES:
        stacked = np.concatenate([b["gamma"][name] for b in blocks])
        if stacked.ndim == 1:
            data[name] = (dims, stacked.reshape(spec.shape))
        else:
            data[name] = ((*dims, "tau_expt"), stacked.reshape((*spec.shape, spec.tau_expt.size)))
    coords = {n: v for n, v in zip(spec.names, spec.values, strict=True)}
    return xr.Dataset(data, coords={**coords, "tau_expt": spec.tau_expt})


def assemble_protocol(spec: SweepSpec, blocks: list[dict[str, Any]]) -> xr.Dataset:
    import xarray as xr

    points = [p for b in blocks for p in b["points"]]
    first_coords = points[0][1]
    for _, other in points[1:]:
        if other.keys() != first_coords.keys() or not all(
            np.array_equal(other[k], first_coords[k]) for k in other
        ):
            raise ParameterError(
                "times: the grid points give different output times or coordinates, which "
                "cannot be stacked; choose times that every point keeps [s]"
            )
    layout: dict[str, tuple[tuple[str, ...], tuple[int, ...], np.dtype]] = {}
    for data, _ in points:
        for name, (dims, values) in data.items():
            if name not in layout:
                layout[name] = (dims, np.shape(values), np.asarray(values).dtype)
    arrays = {}
    for name, (dims, shape, dtype) in layout.items():
        kind = np.result_type(dtype, np.float64) if dtype.kind in "iub" else dtype
        full = np.full((spec.size, *shape), np.nan, dtype=kind)
        for i, (data, _) in enumerate(points):
            if name in data:
                if np.shape(data[name][1]) != shape:
                    raise ParameterError(
                        f"{name}: its shape differs between grid points and cannot be stacked"
                    )
                full[i] = data[name][1]
        arrays[name] = ((*spec.names, *dims), full.reshape((*spec.shape, *shape)))
    coords: dict[str, Any] = {n: v for n, v in zip(spec.names, spec.values, strict=True)}
    coords.update(first_coords)
    return xr.Dataset(arrays, coords=coords)


def attributes(spec: SweepSpec) -> dict[str, Any]:
    glass = spec.glass
    over = ", ".join(spec.names)
    grid = {n: v.tolist() for n, v in zip(spec.names, spec.values, strict=True)}
    base = "The glass attribute is the base glass; the swept fields replace its values."
    if spec.protocol is None:
        return provenance(
            title=f"Grueneisen parameter against tau_expt over {over}, glass {glass.name}",
            call=f"protocols.sweep(gamma, glass {glass.name}, over {over})",
            comment=f"Linear response to an infinitesimal step at t = 0 at each grid point. {base}",
            glass=glass,
            resolution=spec.resolution,
            source="parameter sweep on dask",
            grid=json.dumps(grid),
        )
    kind = spec.protocol.kind
    return provenance(
        title=f"{kind} over {over}, glass {glass.name}",
        call=f"protocols.sweep({kind}, glass {glass.name}, over {over})",
        comment="Strain and heat are relative to the equilibrium before t = 0, at each grid "
        f"point. {base}",
        glass=glass,
        resolution=spec.resolution,
        source="parameter sweep on dask",
        grid=json.dumps(grid),
        protocol=spec.protocol.to_dict(),
        integrator_rtol=spec.rtol,
    )


def grid_names(ds: xr.Dataset) -> list[str]:
    """The swept dimensions of a sweep dataset, in order."""
    grid = json.loads(ds.attrs.get("grid", "{}"))
    return [str(n) for n in grid]
