"""The phonon (Debye) background: a heat deposit and its temperature."""

from __future__ import annotations

import pytest

from dynamics import ParameterError
from dynamics.thermal import debye_heat_content, debye_temperature_after_deposit

BETA = 2.0e-3  # [J m-3 K-4], of the order of silica's


@pytest.mark.parametrize(("t_K", "heat"), [(0.01, 1e-6), (0.3, 1e-3), (0.3, -5e-7), (1.0, 0.5)])
def test_a_deposit_raises_the_debye_heat_content_by_the_heat(t_K: float, heat: float) -> None:
    # energy balance U_ph(T') - U_ph(T) = Q with U_ph = beta T^4/4 (debye_heat_content);
    # 1e-12: rounding of T^4 and of the fourth root, relative to U_ph(T') (cancellation when
    # Q << U_ph is covered by comparing absolute errors on that scale)
    after = debye_temperature_after_deposit(t_K, heat, BETA)
    gained = float(debye_heat_content(after, BETA)) - float(debye_heat_content(t_K, BETA))
    assert gained == pytest.approx(heat, abs=1e-12 * float(debye_heat_content(after, BETA)))


def test_removing_more_heat_than_the_phonons_hold_is_refused() -> None:
    with pytest.raises(ParameterError, match=r"heat = -1 is outside the allowed range"):
        debye_temperature_after_deposit(0.3, -1.0, BETA)
