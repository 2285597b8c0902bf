"""Cost estimates (protocols.cost) against measured durations: the seconds per unit of each kind
of work, then every kind of request with its estimate beside its measured duration.

    .venv/bin/python benchmarks/bench_cost.py

The constants of ``protocols.cost.SECONDS_PER_UNIT`` are rounded up from the measured seconds
per unit printed first (on the 2-core test machine, warm: the spectral atlas loaded); an
estimate within a few times of the measurement is what the refusal limit needs. The estimates'
work units themselves are checked against the units the code performs in tests/test_cost.py.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from dynamics import default_glass, get_glass
from dynamics.ensemble import build_ensemble
from protocols.cost import (
    fit_work,
    run_work,
    step_work,
)
from protocols.fit import fit
from protocols.fitdata import read_data
from protocols.histories import HeatPulse, HeatStep, Ramp, Schedule, Staircase, log_times
from protocols.metallic import alpha_through_tc
from protocols.run import default_times, gruneisen_vs_tau, run


def _timed(call: Callable[[], Any]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def _per_unit() -> None:
    """Seconds per unit of the kinds that dominate, measured on their own."""
    exact, asym = default_glass(), default_glass(spectrum="asymptotic")
    tau = log_times(1e-8, 1e5, 5)
    gruneisen_vs_tau(exact, [0.3], tau)  # warm: atlas loaded
    temps = np.geomspace(0.05, 1.5, 12) * (1 + 1e-6 * np.arange(12))
    took = _timed(lambda: gruneisen_vs_tau(exact, temps, tau))  # fresh temperatures: no cache
    sizes = [build_ensemble(exact, t, t, float(tau[-1])).size for t in temps]
    print(f"exact_bins (with their step_points): {took / sum(sizes):.2g} s per exact bin built")
    took = _timed(lambda: gruneisen_vs_tau(asym, temps, tau))
    sizes_a = [build_ensemble(asym, t, t, float(tau[-1])).size for t in temps]
    print(f"step_points: {took / (sum(sizes_a) * tau.size):.2g} s per bin and tau (asymptotic)")
    for n in (200, 1000):
        t = np.arange(n, dtype=float)
        schedule = Schedule(tuple(t), tuple(0.3 + 0.05 * np.sin(t / 7.0)))
        times = log_times(1e-3, 3.0 * n, 5)
        bins = build_ensemble(asym, 0.25, 0.35, float(times[-1])).size
        took = _timed(lambda s=schedule, tt=times: run(asym, s, tt))
        print(f"varying_segments: {took / (bins * n):.2g} s per bin and piece ({n} pieces)")


def _requests() -> None:
    """Every kind of request: estimate against measurement."""
    asym, exact = default_glass(spectrum="asymptotic"), default_glass()
    print(f"\n{'request':52s} {'est [s]':>9s} {'real [s]':>9s}")
    runs = [
        (asym, HeatStep()),
        (exact, HeatStep()),
        (asym, HeatPulse()),
        (asym, Staircase()),
        (asym, Ramp(0.1, 0.5, 1e-3)),
        (asym, Schedule(tuple(np.arange(300.0)), tuple(0.3 + 0.01 * np.cos(np.arange(300.0))))),
    ]
    for glass, protocol in runs:
        times = default_times(glass, protocol, 20)
        est = run_work(glass, protocol, float(times[-1]), times.size).seconds
        took = _timed(lambda g=glass, p=protocol, t=times: run(g, p, t, yes=True))
        label = f"run {protocol.kind} ({glass.spectrum})"
        print(f"{label:52s} {est:9.3g} {took:9.3g}")
    tau = log_times(1e-8, 1e5, 5)
    temps = [0.1, 0.3, 1.0, 3.0]
    for glass in (asym, exact):
        est = step_work(glass, 3.0, 4, float(tau[-1]), tau.size).seconds
        took = _timed(lambda g=glass: gruneisen_vs_tau(g, temps, tau, yes=True))
        print(f"{'gamma 4 temperatures (' + glass.spectrum + ')':52s} {est:9.3g} {took:9.3g}")
    zrcu = get_glass("zrcu")
    temps = np.geomspace(0.3, 3.0, 20)
    est = step_work(zrcu, 3.0, 20, 1e3, 3).seconds
    took = _timed(lambda: alpha_through_tc(zrcu, temps, [1e-6, 1.0, 1e3], yes=True))
    print(f"{'metallic zrcu, 20 temperatures':52s} {est:9.3g} {took:9.3g}")
    data = read_data("docs/fit_example_alpha.csv")
    silica = get_glass("silica", spectrum="asymptotic").replace(c=30.0, W=20.0)
    for vary in (["c"], ["c", "W"]):
        est = fit_work([data], silica, len(vary), "leastsq", None).seconds
        took = _timed(lambda v=vary: fit(data, silica, v, yes=True))
        print(f"{'fit ' + ','.join(vary) + ' (asymptotic, 30 points)':52s} {est:9.3g} {took:9.3g}")


def main() -> None:
    warnings.simplefilter("ignore")
    _per_unit()
    _requests()


if __name__ == "__main__":
    main()
