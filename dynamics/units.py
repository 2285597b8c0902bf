"""Physical constants and the kelvin <-> joule conversion used at the interface.

Everything inside the package is SI. Temperatures are in kelvin (an SI unit); TLS energies
are in joules inside the physics functions and may be given as E/k_B in kelvin by the user.
All constants come from :mod:`scipy.constants` (CODATA).
"""

from __future__ import annotations

import numpy as np
from scipy import constants

K_B: float = constants.k  # Boltzmann constant [J K-1]
HBAR: float = constants.hbar  # reduced Planck constant [J s]
AVOGADRO: float = constants.N_A  # Avogadro constant [mol-1]
ELECTRON_VOLT: float = constants.eV  # [J]
EULER_GAMMA: float = float(np.euler_gamma)  # Euler's constant [1]
PAPER_DOI = "10.1103/PhysRevB.32.6873"
PAPER_REFERENCE = (
    "Yu. M. Galperin, V. L. Gurevich and D. A. Parshin, Theory of low-temperature thermal "
    "expansion of glasses, Phys. Rev. B 32, 6873 (1985), doi:10.1103/PhysRevB.32.6873"
)
