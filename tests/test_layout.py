"""The layout of docs/architecture.md holds: physics (dynamics/) never imports what the
experimenter does (protocols/), no module of either imports itself back through others (no
import circle), dynamics/ touches no file, lock or cluster, the CLI commands do not import each
other, and no function is longer than the limit without saying why."""

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


PHYSICS = [p for p in SOURCES if p.relative_to(ROOT).parts[0] == "dynamics"]


@pytest.mark.parametrize("path", PHYSICS, ids=str)
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


# --- import circles --------------------------------------------------------------------------


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def _import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Module -> the modules of ``sources`` it imports: every ``import`` statement anywhere in
    it (at the top, inside a function, under ``if TYPE_CHECKING:``), relative ones resolved,
    ``from package import module`` counted as the module. ``sources`` maps a module's dotted
    name to (its source, whether it is a package's ``__init__``)."""
    graph: dict[str, set[str]] = {}
    for name, (text, is_package) in sources.items():
        package = name if is_package else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name in sources)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    found.add(full if full in sources else base)
        graph[name] = {m for m in found if m in sources and m != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of ``graph``: its strongly connected components of more than one
    module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


def test_no_import_circles() -> None:
    """No module of dynamics/ or protocols/ imports, directly or through others, a module that
    imports it: every import counts, also one inside a function or only for type annotations
    (a circle through them is still one layer that knows the other)."""
    sources = {_module_name(p, ROOT): (p.read_text(), p.name == "__init__.py") for p in SOURCES}
    assert _circles(_import_graph(sources)) == []


def test_a_planted_import_circle_is_found() -> None:
    """The check above on a made-up package: a circle through a lazy import, through a
    ``from package import module`` and through a relative import is found; a chain is not."""
    sources = {
        "pkg": ("", True),
        "pkg.a": ("from pkg import b\n", False),
        "pkg.b": ("def f():\n    from pkg.c import g\n", False),
        "pkg.c": ("from . import a\n", False),
        "pkg.d": ("import pkg.a\n", False),
    }
    assert _circles(_import_graph(sources)) == [["pkg.a", "pkg.b", "pkg.c"]]
    sources["pkg.c"] = ("import math\n", False)
    assert _circles(_import_graph(sources)) == []


# --- no files, locks or clusters in the physics ----------------------------------------------

#: Modules dynamics/ never imports: files and folders (pathlib, tempfile, shutil), storage
#: (pickle, shelve, sqlite3), file locks (fcntl, msvcrt, filelock), the user's directories
#: (platformdirs) and clusters (dask, distributed).
FORBIDDEN_MODULES = frozenset(
    {
        "pathlib",
        "tempfile",
        "shutil",
        "pickle",
        "shelve",
        "sqlite3",
        "fcntl",
        "msvcrt",
        "filelock",
        "platformdirs",
        "dask",
        "distributed",
    }
)
#: Functions of ``os`` that create, change or remove files.
FORBIDDEN_OS = frozenset(
    {"open", "fdopen", "write", "fsync", "replace", "rename", "remove", "unlink", "makedirs",
     "mkdir", "rmdir", "truncate", "link", "symlink"}
)  # fmt: skip
#: Methods and functions that write files, whatever they are called on (numpy's savers, json
#: and pickle's dump to a file, pathlib's writers).
FORBIDDEN_CALLS = frozenset(
    {"save", "savez", "savez_compressed", "savetxt", "tofile", "dump", "write_text",
     "write_bytes", "mkdir", "touch", "unlink", "rmdir", "mkstemp", "mkdtemp"}
)  # fmt: skip


def _storage_uses(text: str) -> list[str]:
    """What in ``text`` breaks the rule of :func:`test_physics_touches_no_file_lock_or_cluster`,
    as ``"line: what"``."""
    found = []
    for node in ast.walk(ast.parse(text)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        found += [
            f"{node.lineno}: imports {n}" for n in names if n.split(".")[0] in FORBIDDEN_MODULES
        ]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            found.append(f"{node.lineno}: open()")
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            if owner == "os" and func.attr in FORBIDDEN_OS:
                found.append(f"{node.lineno}: os.{func.attr}()")
            elif func.attr in FORBIDDEN_CALLS:
                found.append(f"{node.lineno}: .{func.attr}()")
            elif func.attr == "open" and not _read_mode(node):
                found.append(f"{node.lineno}: .open() not for reading")
    return found


def _read_mode(call: ast.Call) -> bool:
    """Whether ``x.open(...)`` opens for reading: its mode, first argument or ``mode=``, is a
    literal ``"r"`` or ``"rb"``."""
    mode = (
        call.args[0]
        if call.args
        else next((k.value for k in call.keywords if k.arg == "mode"), None)
    )
    return isinstance(mode, ast.Constant) and mode.value in ("r", "rb")


@pytest.mark.parametrize("path", PHYSICS, ids=str)
def test_physics_touches_no_file_lock_or_cluster(path: Path) -> None:
    """dynamics/ is pure: it does not create, write or remove files or folders, lock files,
    know the user's directories or talk to a cluster (:data:`FORBIDDEN_MODULES`,
    :data:`FORBIDDEN_OS`, :data:`FORBIDDEN_CALLS`, the builtin ``open``). The one file it
    reads is a shipped spectral table, through :mod:`importlib.resources`: a ``.open`` in read
    mode (``"rb"``) on the package's resource, never the builtin ``open``. Threads
    (dynamics/parallel.py's pool and its ``threading.Lock``) are computing, not storage, and
    allowed; caching results on disk, or shipping them to workers, lives in protocols/."""
    assert _storage_uses(path.read_text()) == [], path


def test_a_planted_file_or_cluster_use_is_found() -> None:
    planted = {
        "from filelock import FileLock": "imports filelock",
        "import dask.array": "imports dask.array",
        "from pathlib import Path": "imports pathlib",
        "open(path, 'w')": "open()",
        "Path(x).write_text('a')": ".write_text()",
        "os.replace(a, b)": "os.replace()",
        "np.savez_compressed(handle, x=1)": ".savez_compressed()",
        "resource.open('wb')": ".open() not for reading",
    }
    for code, what in planted.items():
        assert _storage_uses(code) == [f"1: {what}"], code
    reading = "files('dynamics.exact').joinpath('data', 'x.npz').open('rb')"
    assert _storage_uses(reading) == []
