"""The notebooks under notebooks/ run, save their figures, and are committed without outputs.

Each notebook is executed once per test session with nbclient, at reduced resolution
(``TLS_NOTEBOOK_QUICK=1``), with the working directory notebooks/ as in Jupyter. The kernel is
started with this interpreter (``sys.executable``), not with whatever ``python`` is first on PATH:
the ``python3`` kernelspec that ipykernel installs runs ``python``, which in CI need not be the
virtualenv.

Under pytest-xdist the tests of one notebook may run on different workers; the first of them
executes the notebook and records the outcome in the session's shared temporary directory
(a file lock keeps the others waiting), so every notebook is executed once per session.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from traitlets import default  # noqa: E402

try:  # POSIX file locks; elsewhere each xdist worker executes the notebooks it needs
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
OUTPUTS = ROOT / "outputs"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
#: A guard against a hung kernel only: no honest cell comes near it, even with the cores
#: oversubscribed (the slowest quick-mode cell takes seconds on a quiet machine). [s]
CELL_TIMEOUT_S = 900

_RESULTS: dict[str, dict[str, Any]] = {}


class _ThisInterpreterKernelSpecs(KernelSpecManager):
    """Every kernel name resolves to an IPython kernel run by this interpreter."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python ({sys.executable})",
            language="python",
            resource_dir=str(NOTEBOOK_DIR),
        )


class _ThisInterpreterKernelManager(AsyncKernelManager):
    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self) -> KernelSpecManager:
        return _ThisInterpreterKernelSpecs()


def _execute(name: str) -> dict[str, Any]:
    """Run one notebook; report its error (or None), its wall time and the figures it wrote."""
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    prefix = name.split("_", 1)[0]
    start = time.time()
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        kernel_manager_class=_ThisInterpreterKernelManager,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},  # the kernel's cwd
    )
    error = None
    try:
        client.execute(env={**os.environ, "TLS_NOTEBOOK_QUICK": "1"})  # the kernel's environment
    except Exception as exc:  # a failing cell, a timeout, a dead kernel: all reported alike
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.time() - start
    figures = sorted(
        p.name
        for p in OUTPUTS.glob(f"nb{prefix}_*.png")
        if p.stat().st_mtime >= start - 1.0  # written by this run (1 s of clock slack)
    )
    return {"error": error, "seconds": seconds, "figures": figures}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _result(name: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The outcome of executing ``name``, computed once per test session."""
    if name in _RESULTS:
        return _RESULTS[name]
    if os.environ.get("PYTEST_XDIST_WORKER") is None or fcntl is None:
        _RESULTS[name] = _execute(name)
        return _RESULTS[name]
    shared = tmp_path_factory.getbasetemp().parent  # common to the workers of this session
    record = shared / f"notebook-{name}.json"
    with _locked(shared / f"notebook-{name}.lock"):
        if record.exists():
            result = json.loads(record.read_text())
        else:
            result = _execute(name)
            record.write_text(json.dumps(result))
    _RESULTS[name] = result
    return result


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 6, NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _result(name, tmp_path_factory)
    assert result["error"] is None, f"{name} failed:\n{result['error']}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_saves_a_figure(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _result(name, tmp_path_factory)
    assert result["error"] is None, f"{name} failed before it could save its figures"
    prefix = name.split("_", 1)[0]
    assert result["figures"], f"{name} wrote no figure outputs/nb{prefix}_*.png"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [], f"{name}: cell {index} has outputs"
        assert cell.execution_count is None, f"{name}: cell {index} has an execution count"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_states_its_claim_and_reads_the_quick_switch(name: str) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "Claim" in first.source, (
        f"{name}: the first cell must be markdown stating the paper's claim"
    )
    switch = [c for c in nb.cells[:3] if "TLS_NOTEBOOK_QUICK" in c.source]
    assert switch, f"{name}: the TLS_NOTEBOOK_QUICK switch must be in the first cells"
