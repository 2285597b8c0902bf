r"""Exact spectra of the soft potential (2.6) and the TLS ensembles built from them.

* :mod:`dynamics.exact.solver` (with ``solver_plan``, ``solver_dvr``, ``solver_magnus``,
  ``solver_reduction``): the lowest levels and matrix elements of every potential
  (docs/spectrum.md);
* :mod:`dynamics.exact.two_level`: the exact two-level values and couplings of a potential;
* :mod:`dynamics.exact.bins`: the bins of a glass on exact spectra (``Glass.spectrum =
  "exact"``, the default; :func:`dynamics.ensemble.build_ensemble` builds every ensemble);
* :mod:`dynamics.exact.tables`: the spectral tables those bins interpolate (pure: a grid in,
  a table out), with the key of the code that produced one (:mod:`dynamics.exact.source_key`);
* :mod:`dynamics.exact.shipped`: the tables that ship with the package (``data/``, read and
  verified once per process) and those built in memory for another grid.

The names below are the package's public API.
"""

from dynamics.exact.bins import ExactMembers, build_exact_ensemble, exact_members
from dynamics.exact.shipped import SHIPPED_TABLES, shipped_table, spectral_table
from dynamics.exact.solver import SoftPotentialSpectrum, solve_soft_potential
from dynamics.exact.tables import DEFAULT_GRID, SpectralTable, TableGrid, build_table, table_key
from dynamics.exact.two_level import (
    FD_STEP,
    ExactTwoLevel,
    exact_couplings,
    exact_deformation_type1,
    exact_deformation_type2,
    exact_two_level,
)

__all__ = [
    "DEFAULT_GRID",
    "FD_STEP",
    "SHIPPED_TABLES",
    "ExactMembers",
    "ExactTwoLevel",
    "SoftPotentialSpectrum",
    "SpectralTable",
    "TableGrid",
    "build_exact_ensemble",
    "build_table",
    "exact_couplings",
    "exact_deformation_type1",
    "exact_deformation_type2",
    "exact_members",
    "exact_two_level",
    "shipped_table",
    "solve_soft_potential",
    "spectral_table",
    "table_key",
]
