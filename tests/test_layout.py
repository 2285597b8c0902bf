"""The layout of docs/architecture.md holds: physics (dynamics/) never imports what the
experimenter does (protocols/), the CLI commands do not import each other, and no function is
longer than the limit without saying why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.glob("dynamics/**/*.py"), *ROOT.glob("protocols/**/*.py")])
#: Most lines of code a function may have, docstring excluded ("no function over ~80 lines
#: without a reason stated in it" of the redesign; 60 leaves room for a docstring). A function
#: that needs more says why in its docstring, with the words "longer than".
MAX_CODE_LINES = 60


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _code_lines(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    assert func.end_lineno is not None
    total = func.end_lineno - func.lineno + 1
    first = func.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        assert first.end_lineno is not None
        total -= first.end_lineno - first.lineno + 1
    return total


@pytest.mark.parametrize("path", [p for p in SOURCES if p.parts[-2] == "dynamics"], ids=str)
def test_physics_never_imports_protocols(path: Path) -> None:
    imported = _imports(path)
    assert not {m for m in imported if m == "protocols" or m.startswith("protocols.")}, path


def test_cli_commands_do_not_import_each_other() -> None:
    commands = [p for p in (ROOT / "protocols" / "cli").glob("*.py") if p.stem != "__init__"]
    for path in commands:
        shared = ("common", path.stem)
        others = {f"protocols.cli.{p.stem}" for p in commands if p.stem not in shared}
        assert not _imports(path) & others, path


def test_no_function_is_longer_than_the_limit() -> None:
    long = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = _code_lines(node)
                doc = ast.get_docstring(node) or ""
                if n > MAX_CODE_LINES and "longer than" not in doc:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n})")
    assert not long, long
