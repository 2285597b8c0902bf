"""Golden datasets (see ``goldens.py``): the redesign and every later change must keep them.

Each variable is compared after division by its golden's largest magnitude, with
``rtol = 1e-9`` and ``atol = 1e-11``: the computation is deterministic, so only a change of code
(or a floating-point reassociation, at ~1e-15 relative per operation, accumulated over at most a
few thousand bins and steps) moves it; 1e-9 leaves room for a different BLAS and summation order
and nothing more. Variables that a golden lacks may be added by later versions; every variable
the golden has must still be there, with the same dimensions and coordinates.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import xarray as xr
from goldens import CASES, REGENERATE_VARIABLE, read_golden, scale, values_only, write_golden

RTOL = 1e-9
ATOL = 1e-11


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    actual = values_only(CASES[name]())
    if os.environ.get(REGENERATE_VARIABLE) == "1":
        write_golden(name, actual)
        pytest.skip(f"golden {name} regenerated on purpose ({REGENERATE_VARIABLE}=1)")
    golden = read_golden(name)
    missing = sorted(set(golden.variables) - set(actual.variables))
    assert not missing, f"variables gone from {name}: {missing}"
    for var in golden.variables:
        expected = golden[var]
        got = actual[var]
        assert got.dims == expected.dims, f"{name}.{var}: dims {got.dims} != {expected.dims}"
        if not np.issubdtype(expected.dtype, np.number):
            xr.testing.assert_equal(got, expected)
            continue
        s = scale(np.asarray(expected.values, dtype=float))
        xr.testing.assert_allclose(
            (got.astype(float) / s).reset_coords(drop=True),
            (expected.astype(float) / s).reset_coords(drop=True),
            rtol=RTOL,
            atol=ATOL,
        )
