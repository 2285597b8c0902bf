"""The documentation as a reader uses it: the Sphinx site builds with warnings as errors (a
broken cross-reference, bad docstring markup or a page missing from every toctree fails here)
and its command-line reference can be copied into a shell; every docstring example (the
Examples sections of the public functions) runs as written and gives the output it shows; the
Python examples of the guide pages run as written and write the files they name; every command
the README and the pages show is one the command line takes.

The notebooks are rendered without executing them (``TLS_DOCS_EXECUTE=off``), to keep the build
under a minute; tests/test_notebooks.py executes them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_sphinx_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    env = {**os.environ, "TLS_DOCS_EXECUTE": "off"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(ROOT / "docs"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    html = tmp_path / "html"
    for page in ("index", "start/quickstart", "reference/cli", "reference/api"):
        assert (html / f"{page}.html").exists(), page
    cli = (html / "reference" / "cli.html").read_text()
    assert "metallic" in cli and "--times-per-decade" in cli  # generated from the parser
    # copy-paste safe: options keep their two hyphens and quotes stay straight (no smart
    # quotes or en dashes, which a shell does not take)
    assert "--set" in cli and "\u2013set" not in cli and "\u2013out" not in cli
    for page in ("reference/cli", "protocols", "fitting", "sweeps"):
        text = (html / f"{page}.html").read_text()
        assert "\u2013t-start" not in text and "\u201ckki\u201d" not in text, page
    assert (html / "reference" / "generated" / "protocols.run.html").exists()
    assert (html / "notebooks" / "03_heat_step.html").exists()


def test_the_python_quick_start_runs_as_written(tmp_path: Path, monkeypatch) -> None:
    import re

    import matplotlib.pyplot as plt

    text = (ROOT / "docs" / "start" / "quickstart.md").read_text()
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, re.S))
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/start/quickstart.md", "exec"), namespace)
    plt.close("all")
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == [
        "gamma.png",
        "step.nc",
        "step.png",
    ]
    assert namespace["same"]["time"].dtype.kind == "f"  # type: ignore[index]


def _modules() -> list[str]:
    """Every module of the packages dynamics and protocols."""
    import pkgutil

    import dynamics
    import protocols

    names = []
    for package in (dynamics, protocols):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            names.append(info.name)
    return sorted(names)


#: The public functions people call first: each has an Examples section (issue 22).
FIRST_CALLED = (
    "protocols.run",
    "protocols.gruneisen_vs_tau",
    "protocols.sweep",
    "protocols.fit",
    "protocols.HeatStep",
    "protocols.HeatPulse",
    "protocols.Staircase",
    "protocols.Ramp",
    "protocols.Schedule",
    "protocols.IsolatedPulse",
    "dynamics.get_glass",
)


def test_the_functions_people_call_first_have_examples() -> None:
    import importlib

    for dotted in FIRST_CALLED:
        module, _, name = dotted.rpartition(".")
        doc = getattr(importlib.import_module(module), name).__doc__ or ""
        assert "\n    Examples\n    --------\n" in doc and ">>> " in doc, dotted


def test_every_docstring_example_runs_as_written(tmp_path: Path, monkeypatch) -> None:
    """doctest over every module of dynamics and protocols: each example's output is checked
    (ELLIPSIS where an example says so; whitespace normalised)."""
    import doctest
    import importlib

    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    seen: set[int] = set()
    ran = 0
    for name in _modules():
        module = importlib.import_module(name)
        for test in finder.find(module, name):
            if not test.examples or id(test) in seen:
                continue
            seen.add(id(test))
            runner.run(test, clear_globs=True)
            ran += len(test.examples)
    plt.close("all")
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} docstring examples fail"
    assert ran >= 40  # the Examples sections above, and a few more


#: Guide pages whose Python examples run as written (the pages of the exact spectra document
#: their own solver calls, several of them signatures rather than examples).
PAGES_WITH_EXAMPLES = ("start/quickstart.md", "protocols.md", "sweeps.md", "fitting.md")


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_the_python_examples_of_a_page_run_as_written(page: str, tmp_path: Path, monkeypatch):
    """The page's ```python blocks in order, in one namespace, from a folder that holds the
    data files the pages name (docs/...); every ``outputs/...`` file they name is written, and
    a second run would replace them."""
    import re
    import shutil

    import matplotlib.pyplot as plt

    text = (ROOT / "docs" / page).read_text()
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, re.S))
    assert code, page
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("_build"))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"docs/{page}", "exec"), {"__name__": "__docs__"})
    plt.close("all")
    for output in set(re.findall(r"[\"'](outputs/[\w./-]+)[\"']", code)):
        assert (tmp_path / output).exists(), output
    # run again as written, they replace their outputs rather than refuse: every write says
    # overwrite=True (running the page twice would double its time in the suite)
    for call in re.findall(r"(?:write_netcdf|save_figure)\((.*)", code):
        assert "overwrite=True" in call, call


def _documented_commands() -> list[str]:
    """Every ``tls-expansion ...`` line of a ```sh block of the README and the docs pages
    (continuation lines joined, comments dropped)."""
    import re

    commands = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        if "_build" in path.parts:
            continue
        for block in re.findall(r"```sh\n(.*?)```", path.read_text(), re.S):
            for line in block.replace("\\\n", " ").splitlines():
                found = re.search(r"(?:^|&& |\.venv/bin/)(tls-expansion\b[^#]*)", line)
                if found:
                    commands.append(found.group(1).strip())
    return commands


def test_every_documented_command_is_one_the_command_line_takes() -> None:
    """Parsed as written: no unknown or renamed option, no file that does not exist (the
    commands are run from the top of the checkout). The placeholders of the cluster examples
    (tcp://HOST...) parse like any address."""
    import shlex

    from protocols.cli import build_parser
    from protocols.cli.common import check_unrecognized

    commands = _documented_commands()
    assert len(commands) >= 20
    for command in commands:
        argv = shlex.split(command)[1:]
        args, extras = build_parser().parse_known_args(argv)
        check_unrecognized(args.command, extras)
        for value in (getattr(args, "config", None), getattr(args, "schedule", None)):
            assert value is None or (ROOT / value).exists(), (command, value)
        for value in getattr(args, "data", []) or []:
            assert (ROOT / value).exists(), (command, value)


def test_the_readme_gives_a_newcomer_two_commands_and_the_rules_once() -> None:
    """Exactly the main job and the tests; the default spectrum and the overwrite rule each
    said once."""
    import re

    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    assert [b.strip() for b in blocks] == [
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/tls-expansion run",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && "
        ".venv/bin/python -m pytest",
    ]
    assert text.count("are the default of every command") == 1
    assert text.count("--spectrum exact") == 0  # the default is not an option to give
    assert text.count("replaced only with `--force`") == 1
