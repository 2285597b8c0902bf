"""Shared test set-up: the helper module ``reference`` is importable; plots use Agg."""

import os
import sys

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, os.path.dirname(__file__))
