r"""Exact spectra of the soft potential (2.6) and the TLS ensembles built from them.

* :mod:`dynamics.exact.solver` (with ``solver_plan``, ``solver_dvr``, ``solver_magnus``,
  ``solver_reduction``): the lowest levels and matrix elements of every potential
  (docs/spectrum.md);
* :mod:`dynamics.exact.two_level`: the exact two-level values and couplings of a potential;
* :mod:`dynamics.exact.bins`: the bins of a glass on exact spectra;
* :mod:`dynamics.exact.tables`: the spectral tables those bins interpolate.

The names below are the package's public API.
"""

from dynamics.exact.solver import SoftPotentialSpectrum, solve_soft_potential
from dynamics.exact.two_level import (
    DENSITY_LAWS,
    FD_STEP,
    SPECTRUM_SOURCES,
    ExactGlass,
    ExactTwoLevel,
    exact_couplings,
    exact_deformation_type1,
    exact_deformation_type2,
    exact_two_level,
)

__all__ = [
    "DENSITY_LAWS",
    "FD_STEP",
    "SPECTRUM_SOURCES",
    "ExactGlass",
    "ExactTwoLevel",
    "SoftPotentialSpectrum",
    "exact_couplings",
    "exact_deformation_type1",
    "exact_deformation_type2",
    "exact_two_level",
    "solve_soft_potential",
]
