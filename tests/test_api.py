"""The public API: ``import protocols`` / ``import dynamics`` give every public name
at the top level; ``__all__`` lists exactly them; each is documented (a docstring, or a ``#:``
comment for data) and appears in the API reference, docs/reference/api.rst."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from sphinx.pycode import ModuleAnalyzer

import dynamics
import protocols

ROOT = Path(__file__).resolve().parents[1]
API_RST = ROOT / "docs" / "reference" / "api.rst"


def _reference_entries() -> dict[str, str]:
    """``{public name: dotted path}`` of every autosummary entry in the API reference."""
    out: dict[str, str] = {}
    module = ""
    for line in API_RST.read_text().splitlines():
        if m := re.match(r"\.\. currentmodule:: (\w+)", line):
            module = m.group(1)
        elif m := re.match(r"^   ([\w.]+)$", line):
            path = f"{module}.{m.group(1)}"
            out[f"{module}.{path.rsplit('.', 1)[1]}"] = path
    return out


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("package", [protocols, dynamics], ids=lambda p: p.__name__)
def test_all_lists_public_names_each_documented_in_the_reference(package) -> None:
    names = [n for n in package.__all__ if n != "__version__"]
    assert len(set(package.__all__)) == len(package.__all__)
    public = {n for n in dir(package) if not n.startswith("_")} - {
        # the subpackage modules of the package, which are attributes once imported
        n
        for n in dir(package)
        if type(getattr(package, n)).__name__ == "module"
    }
    assert public == set(names)
    entries = _reference_entries()
    for name in names:
        obj = getattr(package, name)
        path = entries.get(f"{package.__name__}.{name}")
        assert path is not None, f"{package.__name__}.{name} is not in docs/reference/api.rst"
        assert _resolve(path) is obj, path
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"{name} has no docstring"
        else:  # data: a '#:' comment where it is defined (Sphinx reads it)
            module = path.rpartition(".")[0]
            docs = ModuleAnalyzer.for_module(module).find_attr_docs()
            assert ("", name) in docs, f"{path} has no '#:' comment"
    assert {k for k in entries if k.startswith(package.__name__ + ".")} == {
        f"{package.__name__}.{n}" for n in names
    }


def test_top_level_run_of_a_heat_step() -> None:
    glass = dynamics.default_glass(spectrum="asymptotic")
    coarse = dynamics.Resolution(
        energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5
    )
    times = protocols.log_times(1e-9, 1e3, 2)
    ds = protocols.run(glass, protocols.HeatStep(0.3, 0.33), times, resolution=coarse)
    np.testing.assert_array_equal(ds["time"].values, times)
    # the same function as the module's, which stays importable by its full name
    from protocols.run import run as module_run

    assert protocols.run is module_run
    assert sys.modules["protocols.run"].default_times is protocols.default_times
    assert protocols.sweep is sys.modules["protocols.sweeps"].sweep
