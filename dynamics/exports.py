"""Public names of a package imported on first use (PEP 562), so that importing a package costs
only what is used: the command line's ``--help`` and a worker process import no library they do
not need. ``dynamics``, ``dynamics.exact`` and ``protocols`` export their names this way."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of a package whose public names live in
    its submodules.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Public name -> the module that defines it.

    Returns
    -------
    (__getattr__, __dir__)
        ``__getattr__`` imports a name's module on first use and keeps the name in the package;
        ``__dir__`` lists the package's ``__all__``, its dunder attributes and the submodules
        imported so far.
    """
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        loaded = {
            n for n, v in namespace.items() if n.startswith("__") or isinstance(v, ModuleType)
        }
        return sorted({*namespace.get("__all__", ()), *loaded} - {"importlib"})

    return __getattr__, __dir__
