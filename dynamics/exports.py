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


class _FunctionsOverSubmodules(ModuleType):
    """A package whose public functions share their names with submodules (``protocols.run``
    the function, ``protocols/run.py`` the module): importing such a submodule does not rebind
    the package's name to the module (the import system sets it with ``setattr``)."""

    _function_names: frozenset[str] = frozenset()

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._function_names and isinstance(value, ModuleType):
            return  # the submodule stays importable by its full name, in sys.modules
        super().__setattr__(name, value)


def keep_functions_over_submodules(package: str, names: frozenset[str]) -> None:
    """Let the lazily exported functions ``names`` of ``package`` keep their names when the
    submodules of the same names are imported, so that they need not be imported at once.

    Parameters
    ----------
    package
        The package's ``__name__``.
    names
        Public functions named like a submodule of the package.
    """
    module = sys.modules[package]
    module.__class__ = type(
        "_Package", (_FunctionsOverSubmodules,), {"_function_names": frozenset(names)}
    )
    for name in names:  # a submodule imported before this call has bound its name: unbind it
        if isinstance(module.__dict__.get(name), ModuleType):
            del module.__dict__[name]
