"""Start-up: the command line imports a heavy library only where a command uses it.

Each check runs the command in a fresh interpreter and reads ``sys.modules`` at the end (what
was imported, not how long it took: no timing here; the times are printed by
benchmarks/bench_seam.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: Libraries that ``--help`` must not import (the command line's parser needs none of them).
NOT_FOR_HELP = (
    "lmfit",
    "scipy",  # the whole of it: scipy.stats, scipy.integrate, scipy.special, ...
    "pint",
    "matplotlib",
    "xarray",
    "netCDF4",
    "pandas",
    "dask",
    "distributed",
    "tqdm",
)

#: Libraries a run without a figure does not use (fits, statistics, quadrature, root finding of
#: an isolated pulse, figures).
NOT_FOR_A_RUN = (
    "lmfit",
    "scipy.stats",
    "scipy.integrate",
    "scipy.optimize",
    "matplotlib.pyplot",
)


def _imported_after(argv: list[str], cwd: Path) -> set[str]:
    code = (
        "import json, sys\n"
        "from protocols.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_no_heavy_library(tmp_path: Path) -> None:
    modules = _imported_after(["--help"], tmp_path)
    assert "protocols.cli.run" in modules  # the parser of every command was built
    heavy = sorted(name for name in NOT_FOR_HELP if name in modules)
    assert not heavy, f"tls-expansion --help imports {heavy}"


def test_a_command_help_imports_no_heavy_library(tmp_path: Path) -> None:
    modules = _imported_after(["fit", "--help"], tmp_path)
    heavy = sorted(name for name in NOT_FOR_HELP if name in modules)
    assert not heavy, f"tls-expansion fit --help imports {heavy}"


def test_a_run_imports_only_what_it_uses(tmp_path: Path) -> None:
    out = tmp_path / "step.nc"
    argv = ["run", "heat-step", "--spectrum", "asymptotic", "--t-stop", "1"]
    modules = _imported_after([*argv, "--no-plot", "--quiet", "--out", str(out)], tmp_path)
    assert out.exists()
    unused = sorted(name for name in NOT_FOR_A_RUN if name in modules)
    assert not unused, f"tls-expansion run imports {unused}"
