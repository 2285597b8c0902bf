"""Sphinx configuration of the tls-expansion documentation.

Build (from the top of the checkout, after ``pip install -e '.[docs]'``)::

    sphinx-build -W -b html docs docs/_build/html

Notebooks (``docs/notebooks`` links to ``notebooks/``) are executed at build time at full
resolution (a few minutes). ``TLS_DOCS_EXECUTE=off`` renders them without executing (the test
suite does so to stay under a minute; it executes the notebooks in tests/test_notebooks.py).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dynamics  # noqa: E402

project = "tls-expansion"
author = "tls-expansion developers"
copyright = "2026, tls-expansion developers"
release = version = dynamics.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "sphinxarg.ext",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "notebooks/README.md", "**/.ipynb_checkpoints"]
templates_path = ["_templates"]

# The API reference: one page per public name, generated from the docstrings into
# reference/generated (git-ignored), afresh each build so no page of a removed name lingers.
shutil.rmtree(Path(__file__).parent / "reference" / "generated", ignore_errors=True)
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc: the types are in the signature and the docstring
autodoc_default_options = {"members": False, "no-value": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# MyST for the markdown pages and the notebooks
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("TLS_DOCS_EXECUTE", "force")
# the notebooks' kernel ("python3") runs `python` from PATH: make it this interpreter, which has
# the package, even when the virtual environment is not activated
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_merge_streams = True

# No "smart" quotes or dashes: the pages quote commands and options (--set, --out, "kki"),
# which a reader copies into a shell; Sphinx would turn -- into an en dash and " into “.
smartquotes = False

html_theme = "pydata_sphinx_theme"
html_title = f"tls-expansion {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_show_sourcelink = False
