"""Writing and reading datasets: netCDF through xarray's netCDF4 engine, atomically.

**Time in the file.** ``time`` is elapsed time since the start of the protocol, stored as plain
float seconds (``units = "s"``), in memory and in the file alike. It has no epoch ("seconds
since ..."), so every client reads numbers: ``xarray.open_dataset`` with default arguments
(``.sel(time=...)`` selects by seconds), netCDF4, ncdump, Panoply. Files written by earlier
versions, with ``units = "seconds since 2000-01-01 00:00:00"`` and a nominal epoch, are read
back by :func:`open_dataset` as seconds too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import xarray as xr

from dynamics.validation import ParameterError

#: Time units of files written before plain seconds (version 0.1.0 before issue 15).
LEGACY_TIME_UNITS = "seconds since 2000-01-01 00:00:00"


def _from_legacy_form(dataset: xr.Dataset) -> xr.Dataset:
    """Plain-seconds ``time`` attributes for a file written with the nominal epoch."""
    if "time" in dataset.coords and dataset["time"].attrs.get("units") == LEGACY_TIME_UNITS:
        from protocols.variables import VARIABLES

        dataset["time"].attrs = VARIABLES["time"].attrs()
    return dataset


def write_netcdf(dataset: xr.Dataset, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``dataset`` to ``path`` atomically (a temporary file beside it, then a rename).

    An existing file is replaced only with ``overwrite=True``; if anything fails, no partial
    file is left.

    Parameters
    ----------
    dataset
        A dataset from :func:`protocols.run` or :func:`protocols.gruneisen_vs_tau`.
    path
        Target ``.nc`` file; its folder is created if needed.
    overwrite
        Replace an existing file.

    Returns
    -------
    Path
        The path written.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise ParameterError(
            f"out = {str(target)!r} exists; give --force (overwrite=True) to replace it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    encoding: dict[str, dict[str, object]] = {
        str(name): {"_FillValue": None} for name in dataset.coords
    }
    try:
        dataset.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return target


def open_dataset(path: str | Path) -> xr.Dataset:
    """Read a dataset written by :func:`write_netcdf`, exactly as it was in memory.

    A plain ``xarray.open_dataset(path)`` gives the same numbers; this function also checks the
    file exists (a :class:`~dynamics.ParameterError` naming it otherwise), loads it into memory
    and closes it, and reads files of earlier versions (time with a nominal epoch) as seconds.

    Parameters
    ----------
    path
        A ``.nc`` file written by :func:`write_netcdf` or the command line.

    Returns
    -------
    xarray.Dataset
        The dataset, loaded; ``time`` in seconds since the start of the protocol. [s]
    """
    p = Path(path)
    if not p.exists():
        raise ParameterError(f"file = {str(p)!r}: no such file")
    with xr.open_dataset(p, engine="netcdf4", decode_times=False) as ds:
        loaded = ds.load()
    return _from_legacy_form(loaded)
