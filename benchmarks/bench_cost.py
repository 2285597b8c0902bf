"""Cost estimates (protocols.cost) against measured durations: prints both for a few requests.

    .venv/bin/python benchmarks/bench_cost.py

The constants of protocols.cost are rounded up from the measured seconds per bin and output time
printed here (on the 2-core test machine); an estimate within a few times of the measurement is
what the refusal limit needs.
"""

from __future__ import annotations

import time
import warnings

from dynamics import default_glass
from dynamics.ensemble import build_ensemble
from protocols.cost import estimate_bins, estimate_gamma_seconds, estimate_run_seconds
from protocols.histories import HeatStep, Ramp, Schedule, Staircase, log_times
from protocols.run import default_times, gruneisen_vs_tau, run


def main() -> None:
    warnings.simplefilter("ignore")
    glass = default_glass(spectrum="asymptotic")
    run(glass, HeatStep(), default_times(glass, HeatStep(), 5))  # warm up
    print(f"{'request':44s} {'bins est/real':>15s} {'times':>6s} {'est [s]':>9s} {'real [s]':>9s}")
    for protocol in (
        HeatStep(),
        HeatStep(0.3, 3.0),
        Staircase(),
        Ramp(0.1, 0.5, 1e-3),
        Schedule((0.0, 100.0, 1e4), (0.3, 0.4, 0.2)),
    ):
        for ppd in (20, 200):
            times = default_times(glass, protocol, ppd)
            lo, hi = protocol.temperature_range(float(times[-1]))
            real_bins = build_ensemble(glass, lo, hi, float(times[-1])).size
            est = estimate_run_seconds(glass, protocol, float(times[-1]), times.size)
            began = time.perf_counter()
            run(glass, protocol, times)
            took = time.perf_counter() - began
            bins = f"{estimate_bins(glass, lo, hi, float(times[-1]))}/{real_bins}"
            label = f"{protocol.kind} {protocol.to_dict()}"[:40] + f" x{ppd}"
            print(f"{label:44s} {bins:>15s} {times.size:6d} {est:9.3g} {took:9.3g}")
    tau = log_times(1e-8, 1e5, 5)
    for temps in ([0.3], [0.1, 0.3, 1.0, 3.0]):
        est = estimate_gamma_seconds(glass, temps, float(tau[-1]), tau.size)
        began = time.perf_counter()
        gruneisen_vs_tau(glass, temps, tau)
        took = time.perf_counter() - began
        print(f"{'gamma ' + str(temps):44s} {'':>15s} {tau.size:6d} {est:9.3g} {took:9.3g}")


if __name__ == "__main__":
    main()
