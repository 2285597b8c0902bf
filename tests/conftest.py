"""Shared test set-up: the helper modules (``reference``, ``goldens``, ``tables``) are
importable and plots use Agg. Nothing is cached between test runs: exact spectra read the
spectral table shipped in the package (tests/test_tables.py checks it is current)."""

import os
import sys

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, os.path.dirname(__file__))
