"""The shipped level table (dynamics.exact.level_table): current, intact, the code's own values,
read once per process, and a damaged file is one clear error.

Regenerate it only on purpose (like the two-level table):
``TLS_EXPANSION_REGENERATE_TABLES=1 .venv/bin/python -m pytest -n 0 tests/test_level_table.py``.
"""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path

import numpy as np
import pytest
from tables import REGENERATE_VARIABLE, level_table_path, regenerate_level_table

from dynamics.exact.level_table import (
    LEVEL_COUNT,
    _shipped,
    level_table,
    level_table_arrays,
    level_table_key,
    level_table_resource,
    read_level_table,
)
from dynamics.exact.levels import solve_levels
from dynamics.populations import QuadratureSpec, domain_quadrature
from dynamics.validation import PackageDataError

COMMAND = f"{REGENERATE_VARIABLE}=1 .venv/bin/python -m pytest -n 0 tests/test_level_table.py"


@pytest.fixture(scope="module", autouse=True)
def regenerated() -> None:
    """With ``TLS_EXPANSION_REGENERATE_TABLES=1`` (and only then) the level table is rebuilt from
    the code as it is, before the tests below read it."""
    if os.environ.get(REGENERATE_VARIABLE) == "1":
        regenerate_level_table()
        _shipped.cache_clear()


def test_level_table_is_current() -> None:
    """The key stored in the file is the key of the code as it is (level solver, quadrature,
    number of levels); a change makes the table stale and this test names the command."""
    with level_table_path().open("rb") as handle:
        _, meta = read_level_table(handle, "level_table.npz", QuadratureSpec())
    assert meta["key"] == level_table_key(QuadratureSpec()), (
        f"the shipped level table is stale (the code that makes it has changed): regenerate it "
        f"with  {COMMAND}  and review the change"
    )


@pytest.mark.parametrize(
    "field", [f.name for f in dataclasses.fields(QuadratureSpec)], ids=lambda name: name
)
def test_the_key_changes_with_every_knob_of_the_quadrature(field: str) -> None:
    # a shipped table made for another spec has another key, so test_level_table_is_current
    # fails for it (and the reader refuses its nodes: the test below)
    spec = QuadratureSpec()
    value = getattr(spec, field)
    other = dataclasses.replace(spec, **{field: value + 1 if isinstance(value, int) else value / 2})
    assert level_table_key(other) != level_table_key(spec)
    assert level_table_key(spec, LEVEL_COUNT + 1) != level_table_key(spec)


def test_a_table_with_a_stale_key_is_caught() -> None:
    # the file's arrays with another key: the check of test_level_table_is_current fails
    table = level_table()
    spec = QuadratureSpec()
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **level_table_arrays(table, spec, "0" * 64))
    buffer.seek(0)
    _, meta = read_level_table(buffer, "stale.npz", spec)
    assert meta["key"] != level_table_key(spec)


def test_level_table_is_the_packaged_file_read_once() -> None:
    table = level_table()
    assert Path(str(level_table_resource())) == level_table_path()
    assert table.energy.shape == (domain_quadrature().size, LEVEL_COUNT)
    assert level_table() is table
    # 15,720 nodes x 40 levels x (E, x2, x3): 13 MB compressed, within the wheel's 25 MB budget
    # with the two-level tables (3.3 MB) and the code beside it (tests/test_wheel.py)
    assert level_table_path().stat().st_size < 16e6


def test_the_shipped_levels_are_the_solvers() -> None:
    # the solver's result for a potential depends on that potential alone (docs/levels.md), so a
    # sample of nodes solved now must equal the file bit for bit
    table = level_table()
    q = table.quadrature
    rng = np.random.default_rng(7)
    idx = rng.choice(q.size, 40, replace=False)
    again = solve_levels(q.eta[idx], q.t[idx], levels=LEVEL_COUNT)
    np.testing.assert_array_equal(again.energy, table.energy[idx])
    np.testing.assert_array_equal(again.x2, table.x2[idx])
    np.testing.assert_array_equal(again.x3, table.x3[idx])


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_level_table_is_one_clear_error(damage: str) -> None:
    raw = bytearray(level_table_path().read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw[len(raw) // 2] ^= 0xFF
    with pytest.raises(PackageDataError, match=r"copy\.npz is damaged .*reinstall") as caught:
        read_level_table(io.BytesIO(bytes(raw)), "copy.npz", QuadratureSpec())
    assert "\n" not in str(caught.value)


def test_another_quadrature_is_refused_by_the_reader() -> None:
    with (
        level_table_path().open("rb") as handle,
        pytest.raises(PackageDataError, match="other nodes or levels"),
    ):
        read_level_table(handle, "level_table.npz", QuadratureSpec(eta_nodes=5))
