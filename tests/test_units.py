"""dynamics.units: the constants written out are the floats of scipy.constants (CODATA 2018,
the exact SI of 2019), bit for bit."""

from __future__ import annotations

from scipy import constants

from dynamics import units


def test_constants_are_scipys_bit_for_bit() -> None:
    assert units.K_B == constants.k
    assert units.HBAR == constants.hbar
    assert units.AVOGADRO == constants.N_A
    assert units.ELECTRON_VOLT == constants.eV
