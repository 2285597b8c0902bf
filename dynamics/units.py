"""Physical constants and the kelvin <-> joule conversion used at the interface.

Everything inside the package is SI. Temperatures are in kelvin (an SI unit); TLS energies
are in joules inside the physics functions and may be given as E/k_B in kelvin by the user.
The constants are the exact values of the SI of 2019 (CODATA 2018), the same floats as
:mod:`scipy.constants` (tests/test_units.py), written here so that importing the package
does not import scipy.
"""

from __future__ import annotations

import math

import numpy as np

K_B: float = 1.380649e-23  # Boltzmann constant, exact (SI 2019) [J K-1]
HBAR: float = 6.62607015e-34 / (2.0 * math.pi)  # reduced Planck constant, h exact [J s]
AVOGADRO: float = 6.02214076e23  # Avogadro constant, exact [mol-1]
ELECTRON_VOLT: float = 1.602176634e-19  # the elementary charge times 1 V, exact [J]
EULER_GAMMA: float = float(np.euler_gamma)  # Euler's constant [1]
PAPER_DOI = "10.1103/PhysRevB.32.6873"
PAPER_REFERENCE = (
    "Yu. M. Galperin, V. L. Gurevich and D. A. Parshin, Theory of low-temperature thermal "
    "expansion of glasses, Phys. Rev. B 32, 6873 (1985), doi:10.1103/PhysRevB.32.6873"
)
