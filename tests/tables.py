"""The shipped spectral tables: where they are in this checkout, and how they are regenerated.

A table ships as package data under ``dynamics/exact/data/`` (:data:`dynamics.exact.shipped.
SHIPPED_TABLES`), with the key of the code that produced it. It is written only on purpose,
like the goldens::

    TLS_EXPANSION_REGENERATE_TABLES=1 .venv/bin/python -m pytest -n 0 tests/test_tables.py

never by a normal test run and never at run time; ``tests/test_tables.py`` fails, naming this
command, when the code's key differs from the stored one. Review the change (the accuracy tests
run against the new file) before committing it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dynamics.exact.level_table import (
    LEVEL_TABLE_FILE,
    build_level_table,
    level_table_arrays,
    level_table_key,
)
from dynamics.exact.shipped import SHIPPED_TABLES, table_arrays
from dynamics.exact.tables import build_table, table_key
from dynamics.populations import QuadratureSpec

DATA_DIR = Path(__file__).resolve().parent.parent / "dynamics" / "exact" / "data"
REGENERATE_VARIABLE = "TLS_EXPANSION_REGENERATE_TABLES"
REGENERATE_COMMAND = f"{REGENERATE_VARIABLE}=1 .venv/bin/python -m pytest -n 0 tests/test_tables.py"


def table_path(name: str) -> Path:
    """The file of the shipped table ``name`` in this checkout."""
    return DATA_DIR / SHIPPED_TABLES[name].file


def regenerate(name: str) -> Path:
    """Build the shipped table ``name`` from the code as it is and write it (float64, compressed,
    with its key and checksum, :func:`dynamics.exact.shipped.table_arrays`). numpy dates the
    entries of the ``.npz`` 1980-01-01, so regenerating an unchanged table changes no byte of
    the file (checked with numpy 2.4)."""
    entry = SHIPPED_TABLES[name]
    table = build_table(entry.grid)
    path = table_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(handle, **table_arrays(table, table_key(entry.grid)))
    return path


def level_table_path() -> Path:
    """The file of the shipped level table in this checkout."""
    return DATA_DIR / LEVEL_TABLE_FILE


def regenerate_level_table() -> Path:
    """Build the shipped level table (:mod:`dynamics.exact.level_table`) from the code as it is
    and write it, like :func:`regenerate`."""
    spec = QuadratureSpec()
    table = build_level_table(spec)
    path = level_table_path()
    with path.open("wb") as handle:
        np.savez_compressed(handle, **level_table_arrays(table, spec, level_table_key(spec)))
    return path
