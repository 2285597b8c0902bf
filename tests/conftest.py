"""Shared test set-up: the helper module ``reference`` is importable; plots use Agg; the spectral
atlas lives in a cache directory of this test session (never one left by an earlier run)."""

import os
import sys

import matplotlib
import pytest

matplotlib.use("Agg")
sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(scope="session", autouse=True)
def atlas_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``$TLS_EXPANSION_CACHE`` for the session: one fresh directory shared by all xdist workers
    of this run (the first to need the atlas builds it under a file lock, the others load it)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = root / "atlas-cache"
    path.mkdir(exist_ok=True)
    os.environ["TLS_EXPANSION_CACHE"] = str(path)
    return str(path)
