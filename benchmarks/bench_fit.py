"""Speed of the vectorised step response and of fits. Prints its figures; run:

    .venv/bin/python benchmarks/bench_fit.py                 # a few minutes
    .venv/bin/python benchmarks/bench_fit.py --exact-fit     # + the exact-spectrum fit itself

(The exact fit of c, A and W once did not finish: its seventh trial step went to W = 6.5e-5 K,
far outside the spectral table, and that evaluation was still running after 8 minutes; a reach of
three decades around the start now bounds such steps, docs/fitting.md.)

1. Throughput of :func:`dynamics.response.step_response` on the default glass at the default
   (converged) resolution: 200 temperatures (0.05 to 1 K, log) x 10 tau_expt (1e-8 to 1e5 s),
   and x 1 tau_expt (100 s, the shape of an alpha(T) fit); against the per-temperature path it
   replaces (build_ensemble + linear_response + equilibrium_heat_capacity, the operations of
   protocols.run.gruneisen_vs_tau in the first version). (temperature, tau_expt) points per
   second of CPU time of this process (one core: BLAS threads are pinned to 1 and the code runs
   in one thread), and per second of wall time (which other jobs on a shared machine inflate).
2. A 3-parameter fit (c, A, W, from 1.3 x the truth) to 30 points of alpha(T) (0.08 to 1 K at
   tau_expt = 100 s, 2 % noise, seed 1) on the asymptotic model: wall and CPU time, function
   evaluations (aim: <= 10 s).
3. The exact-spectrum model (dynamics.exact, the existing path: exact ensembles built per
   temperature): the CPU time of one model evaluation at a few of the 30 temperatures, and from
   it the time of the same fit (its evaluations x 30 temperatures), an extrapolation, printed
   as such; with --exact-fit the fit itself is run, to data made by the exact model (the same
   30 temperatures, 2 % noise, seed 1), and prints what it found and its warnings.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import time

import numpy as np

from dynamics import default_glass
from dynamics.ensemble import build_ensemble
from dynamics.propagation import equilibrium_heat_capacity, linear_response
from dynamics.response import step_response
from protocols.fit import fit, predict
from protocols.fitdata import measurement

GLASS = default_glass(spectrum="asymptotic")


def per_temperature(temps: np.ndarray, tau: np.ndarray) -> None:
    for t in temps:
        ens = build_ensemble(GLASS, t, t, float(tau[-1]))
        linear_response(ens, t, tau)
        equilibrium_heat_capacity(ens, t)


def timed(fn, repeat: int = 3) -> tuple[float, float]:
    """Best (wall, cpu) seconds of ``repeat`` calls."""
    best_wall, best_cpu = np.inf, np.inf
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu


def throughput() -> None:
    temps = np.geomspace(0.05, 1.0, 200)
    for tau in (np.logspace(-8, 5, 10), np.array([100.0])):
        n = temps.size * tau.size
        step_response(GLASS, temps[:4], tau)  # warm-up
        wall, cpu = timed(lambda tau=tau: step_response(GLASS, temps, tau))
        old_wall, old_cpu = timed(lambda tau=tau: per_temperature(temps[::4], tau), repeat=1)
        old_n = temps[::4].size * tau.size
        print(
            f"  {temps.size} T x {tau.size:2d} tau_expt: step_response {n / cpu:9,.0f} points/s "
            f"CPU ({n / wall:9,.0f} wall); per-temperature path {old_n / old_cpu:7,.0f} "
            f"points/s CPU ({old_n / old_wall:7,.0f} wall); "
            f"speed-up x{old_cpu / old_n * n / cpu:.1f}"
        )


def alpha_data(glass=GLASS):
    """30 points of alpha(T) of ``glass`` with 2 % noise (seed 1)."""
    temps = np.geomspace(0.08, 1.0, 30)
    m = measurement("alpha", np.zeros(30), temperature=temps, tau_expt=100.0)
    exact = predict(glass, m)
    sigma = np.full(30, 0.02 * np.max(np.abs(exact)))
    noisy = exact + np.random.default_rng(1).normal(0.0, sigma)
    return measurement("alpha", noisy, errors=sigma, temperature=temps, tau_expt=100.0)


def fits(exact_points: int, exact_fit: bool) -> None:
    data = alpha_data()
    vary = ["c", "A", "W"]
    start = GLASS.replace(**{n: getattr(GLASS, n) * 1.3 for n in vary})
    w0, c0 = time.perf_counter(), time.process_time()
    result = fit(data, start, vary)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    nfev = int(result.result.nfev)
    print(
        f"  asymptotic: {wall:.2f} s wall, {cpu:.2f} s CPU, {nfev} evaluations of 30 points "
        f"({1e3 * cpu / nfev:.1f} ms CPU each); c = {result.values['c']:.4g} "
        f"+/- {result.stderr['c']:.2g} (true {GLASS.c:g}), reduced chi2 "
        f"{result.reduced_chi_square:.3g}"
    )
    if exact_points < 1 and not exact_fit:
        return
    exact_glass = GLASS.with_spectrum("exact")
    assert data.temperature is not None
    temps = data.temperature[:: max(1, 30 // max(1, exact_points))][: max(1, exact_points)]
    w0, c0 = time.perf_counter(), time.process_time()
    step_response(exact_glass, temps, [100.0])
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    per_t = cpu / temps.size
    print(
        f"  exact: one evaluation at {temps.size} temperatures: {wall:.2f} s wall, {cpu:.2f} s "
        f"CPU ({1e3 * per_t:.0f} ms CPU per temperature, exact ensembles from the spectral "
        f"table, built per temperature); the same fit ({nfev} evaluations x 30 temperatures) "
        f"extrapolates to {nfev * 30 * per_t:.0f} s CPU"
    )
    if exact_fit:
        exact_data = alpha_data(exact_glass)  # data the exact model can reproduce
        w0, c0 = time.perf_counter(), time.process_time()
        result = fit(exact_data, start.with_spectrum("exact"), vary)
        found = ", ".join(
            f"{n} = {result.values[n]:.4g} +/- {result.stderr[n]:.2g} (true {getattr(GLASS, n):g})"
            for n in vary
        )
        print(
            f"  exact fit to exact-model data: {time.perf_counter() - w0:.0f} s wall, "
            f"{time.process_time() - c0:.0f} s CPU, {result.result.nfev} evaluations; {found}; "
            f"reduced chi2 {result.reduced_chi_square:.3g}; warnings: "
            f"{'; '.join(result.warnings) or 'none'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--exact-points",
        type=int,
        default=3,
        help="temperatures of the exact evaluation (3; 0 skips it)",
    )
    parser.add_argument(
        "--exact-fit", action="store_true", help="run the exact fit (slow when W varies)"
    )
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start "
        "(other jobs on the machine slow the wall-clock figures)"
    )
    print("1. step response, default glass, default (converged) resolution:")
    throughput()
    print("2. 3-parameter fit (c, A, W) to 30 points of alpha(T) at tau_expt = 100 s:")
    fits(args.exact_points, args.exact_fit)


if __name__ == "__main__":
    main()
