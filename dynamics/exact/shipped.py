"""The spectral tables exact ensembles use: shipped with the package for the default grid, built
in memory for another.

* **Shipped.** Each entry of :data:`SHIPPED_TABLES` is a file under ``dynamics/exact/data/``,
  read through :mod:`importlib.resources` (so it works from a wheel, a zip or a checkout) and
  verified against the checksum stored in it, once per process. A damaged file is a
  :class:`~dynamics.validation.PackageDataError` naming the file and saying to reinstall. The
  files are regenerated only on purpose (``tests/tables.py``), never at run time, and a test
  fails when the code that produced a file has changed since (its stored key,
  :func:`dynamics.exact.tables.table_key`).
* **Built.** A grid that no file holds (another solver resolution, for a convergence study) is
  built by :func:`dynamics.exact.tables.build_table` the first time this process needs it and
  kept for the process (:func:`keep_table`).

Nothing here writes a file, takes a lock or knows about clusters: a sweep that needs a built
table on other processes sends it with its tasks (:mod:`protocols.sweeps`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import IO, Any

import numpy as np

from dynamics.exact.tables import (
    DEFAULT_GRID,
    FIELDS,
    LAYOUT_VERSION,
    SHEETS,
    WIDE_GRID,
    SpectralTable,
    TableGrid,
    build_table,
)
from dynamics.validation import PackageDataError

__all__ = [
    "SHIPPED_TABLES",
    "ShippedTable",
    "keep_table",
    "read_table",
    "shipped_table",
    "spectral_table",
    "table_arrays",
    "two_level_grid",
]


@dataclass(frozen=True)
class ShippedTable:
    """A table that ships with the package.

    Parameters
    ----------
    file
        Its file name under ``dynamics/exact/data/``.
    grid
        The grid it holds.
    """

    file: str
    grid: TableGrid

    def resource(self) -> Traversable:
        """The file, as a package resource (it may be inside a zip)."""
        return files("dynamics.exact").joinpath("data", self.file)


#: The shipped tables by name: the exact two-level values of the default grid. A second table
#: (e.g. of more levels) is one more entry here and one more file.
SHIPPED_TABLES: dict[str, ShippedTable] = {
    "two_level": ShippedTable("two_level_table.npz", DEFAULT_GRID),
    "two_level_wide": ShippedTable("two_level_wide_table.npz", WIDE_GRID),
}


#: How to reinstall, said by every error about a damaged or missing package file.
REINSTALL = "reinstall the package (pip install --force-reinstall tls-expansion)"


def _checksum(arrays: dict[str, np.ndarray], meta: str) -> str:
    """SHA-256 of the metadata text and of the arrays' little-endian bytes, in name order."""
    digest = hashlib.sha256()
    digest.update(meta.encode())
    for name in sorted(arrays):
        digest.update(np.ascontiguousarray(arrays[name], dtype="<f8").tobytes())
    return digest.hexdigest()


def packed_arrays(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """What a shipped file holds (``numpy.savez_compressed`` writes it): the float64 ``arrays``,
    ``meta`` as JSON text and ``checksum``, the SHA-256 of both (:func:`unpacked_arrays` reads
    and verifies it)."""
    text = json.dumps(meta, sort_keys=True)
    out = {name: np.ascontiguousarray(a, dtype="<f8") for name, a in arrays.items()}
    return {**out, "meta": np.array(text), "checksum": np.array(_checksum(out, text))}


def unpacked_arrays(
    handle: IO[bytes], name: str, what: str
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and metadata of a shipped file, verified against its checksum.

    Parameters
    ----------
    handle
        The file, open for reading in binary mode.
    name
        What to call the file in an error.
    what
        What the file is, for the error (e.g. "spectral table").

    Raises
    ------
    PackageDataError
        The file is unreadable, truncated or fails its checksum (one line naming it).
    """
    try:
        with np.load(handle, allow_pickle=False) as data:
            arrays = {k: np.array(data[k]) for k in data.files if k not in ("meta", "checksum")}
            meta = str(data["meta"])
            checksum = str(data["checksum"])
        info = json.loads(meta)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise PackageDataError(
            f"the {what} {name} is damaged ({type(exc).__name__}); {REINSTALL}"
        ) from exc
    if _checksum(arrays, meta) != checksum:
        raise PackageDataError(f"the {what} {name} is damaged (checksum mismatch); {REINSTALL}")
    return arrays, info


def table_arrays(table: SpectralTable, key: str) -> dict[str, np.ndarray]:
    """The arrays a table file holds (:func:`packed_arrays`; ``tests/tables.py`` writes them):
    ``values`` (float64), ``meta`` (the key of the code that produced them, the grid, the
    fields, the sheets, the layout) and ``checksum``.

    Parameters
    ----------
    table
        The table.
    key
        :func:`dynamics.exact.tables.table_key` of its grid, for the code that built it.
    """
    meta = {
        "key": key,
        "grid": table.grid.to_dict(),
        "fields": list(FIELDS),
        "sheets": list(SHEETS),
        "layout": LAYOUT_VERSION,
    }
    return packed_arrays({"values": table.values}, meta)


def read_table(
    handle: IO[bytes], name: str, grid: TableGrid
) -> tuple[SpectralTable, dict[str, Any]]:
    """Read and verify a table file.

    Parameters
    ----------
    handle
        The file, open for reading in binary mode.
    name
        What to call the file in an error.
    grid
        The grid it must hold.

    Returns
    -------
    (SpectralTable, dict)
        The table and its metadata (``key``, ``grid``, ``fields``, ``sheets``, ``layout``).

    Raises
    ------
    PackageDataError
        The file is unreadable, truncated, fails its checksum or holds another grid or layout.
    """
    arrays, info = unpacked_arrays(handle, name, "spectral table")
    layout = (info.get("grid"), info.get("fields"), info.get("sheets"), info.get("layout"))
    if "values" not in arrays or layout != (
        grid.to_dict(),
        list(FIELDS),
        list(SHEETS),
        LAYOUT_VERSION,
    ):
        raise PackageDataError(
            f"the spectral table {name} holds another grid or layout than this code reads; "
            f"{REINSTALL}"
        )
    return SpectralTable(grid=grid, values=arrays["values"]), info


def shipped_table(name: str = "two_level") -> SpectralTable:
    """The shipped table called ``name`` (:data:`SHIPPED_TABLES`), read and verified once per
    process.

    Raises
    ------
    PackageDataError
        The file is missing or damaged (the message names it).
    """
    return _read_shipped(name)


@functools.cache
def _read_shipped(name: str) -> SpectralTable:
    """:func:`shipped_table`, remembered per name."""
    entry = SHIPPED_TABLES[name]
    resource = entry.resource()
    try:
        with resource.open("rb") as handle:
            return read_table(handle, str(resource), entry.grid)[0]
    except FileNotFoundError as exc:
        raise PackageDataError(f"the spectral table {resource} is missing; {REINSTALL}") from exc


#: Tables built in this process, by grid (:func:`spectral_table`, :func:`keep_table`).
_BUILT: dict[TableGrid, SpectralTable] = {}


def keep_table(table: SpectralTable) -> None:
    """Keep ``table`` for this process: :func:`spectral_table` returns it for its grid instead of
    building it (a sweep's worker processes receive a built table this way)."""
    _BUILT.setdefault(table.grid, table)


def spectral_table(
    grid: TableGrid = DEFAULT_GRID, progress: Callable[[float], None] | None = None
) -> SpectralTable:
    """The table of ``grid``: the shipped one if a file holds that grid, else the one this
    process built or was given (:func:`keep_table`), else built now (about a minute on two
    cores for the default grid's size) and kept.

    Parameters
    ----------
    grid
        Panels, nodes and solver resolution.
    progress
        Called with the fraction done while a table is built (not called otherwise).
    """
    for name, entry in SHIPPED_TABLES.items():
        if entry.grid == grid:
            return shipped_table(name)
    if grid not in _BUILT:
        keep_table(build_table(grid, progress=progress))
    return _BUILT[grid]


def two_level_grid(spectrum_resolution: float, *, wide: bool = False) -> TableGrid:
    """The default grid (or with ``wide`` the wide grid beyond W/e) at another solver resolution
    (``Glass.spectrum_resolution``). [1]"""
    grid = WIDE_GRID if wide else DEFAULT_GRID
    return dataclasses.replace(grid, spectrum_resolution=float(spectrum_resolution))
