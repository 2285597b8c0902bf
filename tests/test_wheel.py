"""The package as a user gets it: a wheel built from the tree holds every subpackage and data file,
and the command runs from it.

The wheel is built from a copy of the files a wheel is made of (so the checkout gets no
``build/`` or ``*.egg-info``), installed with ``pip --target`` into a folder of its own, and run
from a directory outside the checkout by ``python -S`` with only that folder and the test
environment's site-packages on the path: ``-S`` skips the ``.pth`` files, so the editable install
of the checkout cannot lend the wheel a module it lacks. The test checks that the modules really
come from the installed copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What a wheel is made of (the rest of the checkout is tests, docs and notebooks).
SOURCES = ("pyproject.toml", "README.md", "tls_expansion_cli.py", "dynamics", "protocols")


def _importable_packages(top: Path) -> set[str]:
    """Dotted names of every package (folder with ``__init__.py``) below ``top``'s packages."""
    return {
        ".".join(init.parent.relative_to(top).parts)
        for name in ("dynamics", "protocols")
        for init in (top / name).rglob("__init__.py")
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, target folder it is installed in)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    dist = base / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-cache-dir", "-q"]
    # no build isolation: the build backend (setuptools, wheel) comes with the test extras, so
    # the test needs no package index
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    wheel = next(dist.glob("tls_expansion-*.whl"))
    target = base / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return wheel, target


def _environment(target: Path) -> dict[str, str]:
    """The wheel's folder, then the dependencies (site-packages, read without its ``.pth``
    files, among them the editable install's finder)."""
    import sysconfig

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]])
    env.pop("PYTHONSAFEPATH", None)
    return env


#: The interpreter without ``site`` (see the module docstring).
PYTHON = [sys.executable, "-S"]


def test_the_wheel_holds_every_subpackage_and_data_file(installed) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {n.rsplit("/", 1)[0].replace("/", ".") for n in names if n.endswith("__init__.py")}
    assert _importable_packages(ROOT) <= packages, _importable_packages(ROOT) - packages
    data = {
        str(p.relative_to(ROOT))
        for name in ("dynamics", "protocols")
        for p in (ROOT / name).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    assert data <= names, data - names
    assert "dynamics/exact/data/two_level_table.npz" in names  # the shipped spectral table
    assert wheel.stat().st_size < 25e6  # the wheel stays small (issue 21: < 25 MB)


def test_the_command_runs_from_the_wheel(installed, tmp_path) -> None:
    _, target = installed
    env = _environment(target)
    where = subprocess.run(
        [*PYTHON, "-c", "import protocols.sweeps, dynamics; print(dynamics.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(target), where.stdout
    command = target / "bin" / "tls-expansion"
    helped = subprocess.run(
        [*PYTHON, str(command), "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert helped.returncode == 0, helped.stderr
    assert "run" in helped.stdout and "sweep" in helped.stdout
    out = tmp_path / "pulse.nc"
    short_run = ["run", "--spectrum", "asymptotic", "--quiet", "--times-per-decade", "4"]
    ran = subprocess.run(
        [*PYTHON, str(command), *short_run, "--out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr
    tables = subprocess.run(
        [*PYTHON, str(command), "tables", "info"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tables.returncode == 0, tables.stderr
    assert str(target) in tables.stdout and "current" in tables.stdout  # read from the wheel
    import xarray as xr

    with xr.open_dataset(out) as ds:
        assert ds["strain"].size > 10
        assert float(abs(ds["strain"]).max()) > 0
    assert out.with_suffix(".png").stat().st_size > 0
