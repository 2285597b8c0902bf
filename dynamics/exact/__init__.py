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

from typing import TYPE_CHECKING

from dynamics.exports import lazy_exports

#: Where each public name lives: imported on first use (PEP 562), so that a module needing one
#: part of the package (the level landscape, say) does not import the solver and scipy.
_EXPORTS: dict[str, str] = {
    "ExactMembers": "dynamics.exact.bins",
    "build_exact_ensemble": "dynamics.exact.bins",
    "exact_members": "dynamics.exact.bins",
    "SHIPPED_TABLES": "dynamics.exact.shipped",
    "shipped_table": "dynamics.exact.shipped",
    "spectral_table": "dynamics.exact.shipped",
    "SoftPotentialSpectrum": "dynamics.exact.solver",
    "solve_soft_potential": "dynamics.exact.solver",
    "DEFAULT_GRID": "dynamics.exact.tables",
    "SpectralTable": "dynamics.exact.tables",
    "TableGrid": "dynamics.exact.tables",
    "build_table": "dynamics.exact.tables",
    "table_key": "dynamics.exact.tables",
    "FD_STEP": "dynamics.exact.two_level",
    "ExactTwoLevel": "dynamics.exact.two_level",
    "exact_couplings": "dynamics.exact.two_level",
    "exact_deformation_type1": "dynamics.exact.two_level",
    "exact_deformation_type2": "dynamics.exact.two_level",
    "exact_two_level": "dynamics.exact.two_level",
}

if TYPE_CHECKING:  # the names as the type checker and the documentation see them
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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


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
