"""The Sphinx site under docs/ builds with warnings as errors: a broken
cross-reference, bad docstring markup or a page missing from every toctree fails here.

The notebooks are rendered without executing them (``TLS_DOCS_EXECUTE=off``), to keep the build
under a minute; tests/test_notebooks.py executes them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
