"""A digest of Python source that changes when its code changes, and only then.

The spectral tables shipped with the package record a key of the code that produced them
(:func:`dynamics.exact.tables.table_key`). That key must not change with what does not change a
value: comments, docstrings, formatting, line numbers, or the version of Python that reads the
source (bytecode and :func:`ast.dump` both differ between versions: 3.12 adds empty
``type_params`` to every function). So the digest is taken of the syntax tree with docstrings
removed, written out by :func:`canonical`, which leaves out empty and absent fields.

Standard library only: ``tests/test_tables.py`` runs this module under other Pythons.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable

__all__ = ["canonical", "source_digest"]

_BODIES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _without_docstrings(tree: ast.AST) -> ast.AST:
    """``tree`` with the docstring of the module and of every function and class removed."""
    for node in ast.walk(tree):
        if isinstance(node, _BODIES) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


def canonical(node: object) -> str:
    """A text of a syntax tree that depends on its code alone: node types, and every field that
    is present and not empty (``None`` and ``[]`` are left out, so that fields a later Python
    adds with an empty default do not count); no positions."""
    if isinstance(node, ast.AST):
        parts = []
        for name in node._fields:
            value = getattr(node, name, None)
            if value is None or (isinstance(value, list) and not value):
                continue
            parts.append(f"{name}={canonical(value)}")
        return f"{type(node).__name__}({','.join(parts)})"
    if isinstance(node, list):
        return "[" + ",".join(canonical(item) for item in node) + "]"
    return f"{type(node).__name__}:{node!r}"


def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def source_digest(source: str, names: Iterable[str] | None = None) -> str:
    """SHA-256 (hex) of the code of ``source``: the whole module, or only the top-level
    functions, classes and assignments that define ``names`` (each must be found).

    Parameters
    ----------
    source
        Python source text.
    names
        Top-level names whose definitions count; ``None`` for the whole module.

    Raises
    ------
    KeyError
        A name of ``names`` is not defined at the top level of ``source``.
    """
    tree = _without_docstrings(ast.parse(source))
    assert isinstance(tree, ast.Module)
    if names is None:
        text = canonical(tree)
    else:
        wanted = list(names)
        found = {name: node for node in tree.body for name in _defined_names(node)}
        missing = [name for name in wanted if name not in found]
        if missing:
            raise KeyError(f"not defined at the top level: {', '.join(missing)}")
        text = "\n".join(f"{name}:{canonical(found[name])}" for name in wanted)
    return hashlib.sha256(text.encode()).hexdigest()
