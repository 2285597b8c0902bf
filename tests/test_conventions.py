"""What scientific packages keep beside the code: one version, a licence, a citation and a
changelog, each consistent with the package."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import yaml

import dynamics
import protocols
from dynamics.units import PAPER_DOI

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_written_once_and_every_place_reads_it() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]  # no second copy to forget
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "dynamics.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", dynamics.__version__)
    assert protocols.__version__ == dynamics.__version__
    assert importlib.metadata.version("tls-expansion") == dynamics.__version__


def test_the_licence_is_the_mit_licence_pyproject_declares() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == {"text": "MIT"}


def test_the_citation_names_this_version_and_the_paper() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software"
    assert cff["version"] == dynamics.__version__
    assert cff["license"] == "MIT"
    (paper,) = cff["references"]
    assert paper["doi"] == PAPER_DOI
    assert (paper["journal"], paper["volume"], paper["start"], paper["year"]) == (
        "Physical Review B",
        32,
        6873,
        1985,
    )
    assert [a["family-names"] for a in paper["authors"]] == ["Galperin", "Gurevich", "Parshin"]


def test_the_changelog_has_this_version_or_unreleased_changes_on_top() -> None:
    headings = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[0] in ("Unreleased", dynamics.__version__)
    assert dynamics.__version__ in headings
