r"""The level table: the lowest levels of every node of the soft-potential domain's quadrature,
shipped with the package (docs/levels.md, docs/physics.md §11).

The quadrature (:func:`dynamics.populations.domain_quadrature`) and the levels
(:func:`dynamics.exact.levels.solve_levels`) are in reduced units and do not depend on the
glass, so one table serves every glass: :data:`LEVEL_COUNT` levels of each node with their
Hellmann–Feynman derivatives (15,720 nodes, 13.1 MB; 30-60 s to build on one core). It ships as
``dynamics/exact/data/level_table.npz`` with the key of the code that produced it (the level
solver and the quadrature, :func:`level_table_key`; comments, docstrings and the Python version
do not count), is read and verified once per process (:func:`level_table`), and is regenerated
only on purpose (``tests/tables.py``), never at run time. Another quadrature (a convergence
study) is built in memory and kept for the process.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from dynamics.exact.levels import solve_levels
from dynamics.exact.shipped import REINSTALL, packed_arrays, unpacked_arrays
from dynamics.exact.source_key import source_digest
from dynamics.populations import DomainQuadrature, QuadratureSpec, domain_quadrature
from dynamics.validation import PackageDataError

FloatArray = NDArray[np.float64]

__all__ = [
    "LEVEL_COUNT",
    "LEVEL_TABLE_FILE",
    "LevelTable",
    "build_level_table",
    "level_table",
    "level_table_arrays",
    "level_table_key",
    "read_level_table",
]

#: Levels per node: 40 converge the heat capacity of every potential of the domain to 1e-6 at
#: k_B T = 10 W (docs/levels.md; 37 are needed by the worst, a symmetric double well). [1]
LEVEL_COUNT = 40
#: The shipped file under ``dynamics/exact/data/``.
LEVEL_TABLE_FILE = "level_table.npz"
#: Version of the layout of the file (part of the key).
LEVEL_LAYOUT_VERSION = 1
#: The code the values depend on: module -> top-level names (None: the whole module).
KEY_SOURCES: dict[str, tuple[str, ...] | None] = {
    "dynamics.exact.levels": None,
    "dynamics.exact.levels_grid": None,
    "dynamics.exact.levels_landscape": None,
    "dynamics.populations": (
        "ETA_C",
        "DOUBLET_ENERGY_CAP",
        "T_MAX",
        "ETA_MAX_SINGLE",
        "ETA_MAX_DOUBLE",
        "ETA_LINEAR",
        "QuadratureSpec",
        "_gauss",
        "_panels",
        "_abs_eta_nodes",
        "slow_cubic_limit",
        "_single_wells",
        "_shallow_doubles",
        "_deep_doubles",
        "domain_quadrature",
    ),
}


@dataclass(frozen=True)
class LevelTable:
    """The levels of every node of the soft-potential domain's quadrature (glass-independent).

    Attributes
    ----------
    quadrature
        The nodes (:func:`dynamics.populations.domain_quadrature`).
    energy
        Levels :math:`E_n`, shape (nodes, levels). [W]
    x2, x3
        :math:`\\langle n|x^2|n\\rangle`, :math:`\\langle n|x^3|n\\rangle`, same shape. [1]
    """

    quadrature: DomainQuadrature
    energy: FloatArray
    x2: FloatArray
    x3: FloatArray


def _module_source(module: str) -> str:
    package, _, name = module.rpartition(".")
    return files(package).joinpath(f"{name}.py").read_text(encoding="utf-8")


def _layout(spec: QuadratureSpec, levels: int) -> dict[str, Any]:
    return {
        "layout": LEVEL_LAYOUT_VERSION,
        "quadrature": dataclasses.asdict(spec),
        "levels": levels,
    }


def level_table_key(spec: QuadratureSpec, levels: int = LEVEL_COUNT) -> str:
    """SHA-256 (hex) of everything the table's values depend on: the code of
    :data:`KEY_SOURCES`, the quadrature and the number of levels. A file whose stored key
    differs is stale (``tests/test_tables.py``)."""
    digest = hashlib.sha256()
    for module, names in KEY_SOURCES.items():
        digest.update(f"{module}:{source_digest(_module_source(module), names)}\n".encode())
    digest.update(json.dumps(_layout(spec, levels), sort_keys=True).encode())
    return digest.hexdigest()


def build_level_table(
    spec: QuadratureSpec | None = None,
    levels: int = LEVEL_COUNT,
    progress: Callable[[float], None] | None = None,
) -> LevelTable:
    """Solve every node of the quadrature of ``spec`` for ``levels`` levels.

    Parameters
    ----------
    spec
        Panels and nodes of the quadrature (the default if omitted).
    levels
        Levels per node. [1]
    progress
        Called with the fraction done.
    """
    quadrature = domain_quadrature(spec)
    parts = []
    chunk = 1024
    for lo in range(0, quadrature.size, chunk):
        sl = slice(lo, lo + chunk)
        parts.append(solve_levels(quadrature.eta[sl], quadrature.t[sl], levels=levels))
        if progress is not None:
            progress(min(1.0, (lo + chunk) / quadrature.size))
    return LevelTable(
        quadrature,
        np.concatenate([p.energy for p in parts]),
        np.concatenate([p.x2 for p in parts]),
        np.concatenate([p.x3 for p in parts]),
    )


def level_table_arrays(table: LevelTable, spec: QuadratureSpec, key: str) -> dict[str, Any]:
    """The arrays the shipped file holds (:func:`dynamics.exact.shipped.packed_arrays`): the
    levels, the nodes (to check them on reading), ``meta`` and ``checksum``."""
    q = table.quadrature
    arrays = {"energy": table.energy, "x2": table.x2, "x3": table.x3, "eta": q.eta, "t": q.t}
    meta = {"key": key, **_layout(spec, int(table.energy.shape[1]))}
    return packed_arrays(arrays, meta)


def read_level_table(
    handle: IO[bytes], name: str, spec: QuadratureSpec, levels: int = LEVEL_COUNT
) -> tuple[LevelTable, dict[str, Any]]:
    """Read and verify a level-table file (checksum, layout, and its nodes against the
    quadrature of ``spec``).

    Raises
    ------
    PackageDataError
        The file is unreadable, damaged, or holds another quadrature or number of levels.
    """
    arrays, info = unpacked_arrays(handle, name, "level table")
    quadrature = domain_quadrature(spec)
    same = {k: v for k, v in info.items() if k != "key"} == json.loads(
        json.dumps(_layout(spec, levels))
    )
    shape_ok = all(k in arrays for k in ("energy", "x2", "x3", "eta", "t")) and arrays[
        "energy"
    ].shape == (quadrature.size, levels)
    if not (
        same
        and shape_ok
        and np.array_equal(arrays["eta"], quadrature.eta)
        and np.array_equal(arrays["t"], quadrature.t)
    ):
        raise PackageDataError(
            f"the level table {name} holds other nodes or levels than this code reads; {REINSTALL}"
        )
    return LevelTable(quadrature, arrays["energy"], arrays["x2"], arrays["x3"]), info


def level_table_resource() -> Any:
    """The shipped file, as a package resource (it may be inside a zip)."""
    return files("dynamics.exact").joinpath("data", LEVEL_TABLE_FILE)


@functools.cache
def _shipped() -> LevelTable:
    resource = level_table_resource()
    try:
        with resource.open("rb") as handle:
            return read_level_table(handle, str(resource), QuadratureSpec())[0]
    except FileNotFoundError as exc:
        raise PackageDataError(f"the level table {resource} is missing; {REINSTALL}") from exc


@functools.cache
def _built(spec: QuadratureSpec) -> LevelTable:
    return build_level_table(spec)


def level_table(spec: QuadratureSpec | None = None) -> LevelTable:
    """The level table of ``spec``: the shipped one for the default quadrature (read and
    verified once per process), else built now and kept for the process.

    Raises
    ------
    PackageDataError
        The shipped file is missing or damaged (the message names it).
    """
    if spec is None or spec == QuadratureSpec():
        return _shipped()
    return _built(spec)
