"""Cost estimates made before any work, and the limit above which a command asks for ``--yes``.

The work of a run is one relaxation factor per (E, p) bin and output time; the estimate counts
them and multiplies by the time one takes on the 2-core test machine (conservatively rounded up;
``benchmarks/bench_cost.py`` prints the measured figures). It is an order of magnitude, meant to
catch requests that would run for hours (``--points-per-decade 100000000``, a sweep of millions
of points), not to predict a run to the second. An isolated pulse solves for the temperature at
every step and is estimated with its own, much larger, constant.

The bin count is estimated from the resolution without building the ensemble (building exact
spectra is itself expensive): :math:`n_E \\times n_p` per TLS type, with
:math:`n_E` the energy nodes over :math:`[x_{min} k_BT_{low}, x_{max} k_BT_{high}]` and
:math:`n_p` the p nodes over :math:`[c\\,\\tau_{min}(T_{high})/t_{end}, 1]`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dynamics.ensemble import Resolution
from dynamics.rates import tau_min
from dynamics.validation import ParameterError

#: Work estimated above this is refused without ``--yes`` (``yes=True``). [s]
MAX_ESTIMATE_S = 600.0
#: One bin at one output time on a constant-temperature segment (measured 3-6e-9 s). [s]
SECONDS_PER_BIN_TIME = 1e-8
#: One bin at one output time where T(t) varies (ramps, schedules; measured 7-9e-8 s). [s]
SECONDS_PER_BIN_TIME_CONTINUOUS = 1e-7
#: One bin at one output time of an isolated pulse (secant solves per step; measured 2e-6 s at
#: 0.1 K, far more at lower bath temperatures). [s]
SECONDS_PER_BIN_TIME_ISOLATED = 1e-5
#: One value of closed-form Γ computed and printed (measured ~1e-5 s). [s]
SECONDS_PER_CLOSED_FORM_POINT = 2e-5


def format_duration(seconds: float) -> str:
    """``"42 s"``, ``"12 min"``, ``"4.6 h"``, ``"3.1 d"``."""
    if seconds < 120:
        return f"{seconds:.2g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.3g} h"
    return f"{seconds / 86400:.3g} d"


def estimate_bins(
    model: Any, t_low: float, t_high: float, t_end: float, resolution: Resolution | None = None
) -> int:
    """Approximate number of (E, p) bins of a run (module docstring). [1]

    Parameters
    ----------
    model
        The glass (its ``A`` and ``tls_types``).
    t_low, t_high
        Temperature range of the run. [K]
    t_end
        Last output time. [s]
    resolution
        Quadrature resolution (default if omitted).
    """
    res = resolution or Resolution()
    e_decades = math.log10((res.x_max * t_high) / (res.x_min * t_low))
    n_e = res.energy_nodes * max(1, math.ceil(e_decades / res.energy_panel_decades))
    fastest = float(tau_min(t_high, model.A))
    p_decades = max(1.0, math.log10(max(t_end, fastest) / (res.relaxation_cutoff * fastest)))
    n_p = res.p_nodes * max(1, math.ceil(min(p_decades, 300.0) / res.p_panel_decades))
    return len(model.tls_types) * n_e * n_p


def log_count(start: float, stop: float, points_per_decade: float) -> int:
    """Number of times :func:`protocols.histories.log_times` gives, without making them. [1]"""
    from protocols.histories import log_count as count

    return count(start, stop, points_per_decade)


def estimate_run_seconds(model: Any, protocol: Any, t_end: float, n_times: int) -> float:
    """Estimated duration of :func:`protocols.run.run` of ``protocol`` with ``n_times`` output
    times up to ``t_end`` [s]. [s]"""
    from dynamics.validation import ParameterError

    history = protocol.resolved(model)  # a heat pulse given by its energy: its delta_T
    try:
        lo, hi = history.temperature_range(model, t_end)
    except ParameterError:  # refused by the run itself, with its own message
        lo = hi = history.initial_temperature
    try:
        segments = history.segments()
    except NotImplementedError:  # a propagation of its own: the isolated pulse
        per = SECONDS_PER_BIN_TIME_ISOLATED
    else:
        continuous = any(not s.is_constant for s in segments)
        per = SECONDS_PER_BIN_TIME_CONTINUOUS if continuous else SECONDS_PER_BIN_TIME
    return estimate_bins(model, lo, hi, max(t_end, 1e-300)) * max(n_times, 1) * per


def estimate_gamma_seconds(model: Any, temperatures: Any, tau_max: float, n_tau: int) -> float:
    """Estimated duration of Γ(τ_expt) at ``temperatures``, ``n_tau`` durations up to
    ``tau_max`` [s]. [s]"""
    temps = np.atleast_1d(np.asarray(temperatures, dtype=float))
    return float(
        sum(estimate_bins(model, t, t, tau_max) * n_tau * SECONDS_PER_BIN_TIME for t in temps)
    )


def check_cost(what: str, seconds: float, *, yes: bool, hint: str = "fewer points") -> None:
    """Refuse work estimated above :data:`MAX_ESTIMATE_S` unless ``yes``.

    Parameters
    ----------
    what
        The request, for the message (e.g. ``"run with 1.5e9 output times"``).
    seconds
        Its estimated duration. [s]
    yes
        The user's override (``--yes``).
    hint
        How to make the request smaller.

    Raises
    ------
    ParameterError
        One line with the estimate, the limit and how to override.
    """
    if seconds > MAX_ESTIMATE_S and not yes:
        raise ParameterError(
            f"{what} would take about {format_duration(seconds)} (estimate; the limit without "
            f"confirmation is {format_duration(MAX_ESTIMATE_S)}): give --yes to run it anyway, "
            f"or ask for {hint}"
        )
