"""Speed and memory of the relaxation engine. Prints its figures; run:

    .venv/bin/python benchmarks/bench_engine.py

1. A heat step 0.30 -> 0.33 K on the default glass at the default (converged) resolution, over
   19 decades of time (1e-2 to 1e17 tau_min) at 20 points per decade: wall time (build + run,
   best of 5) and peak memory (tracemalloc of the run, and the process's max RSS).
2. The same rate equations through scipy.integrate.solve_ivp (BDF, sparse diagonal Jacobian):
   wall time, accuracy reached against the exact solution, and the ratio of times.
3. Memory against the number of output times (381 vs 3801): the engine works in chunks of time,
   so its peak beyond the outputs themselves must not grow.
"""

from __future__ import annotations

import resource
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

from dynamics import default_glass
from dynamics.ensemble import build_ensemble
from dynamics.propagation import Segment, bin_rates, propagate
from dynamics.rates import tau_min
from dynamics.thermal import equilibrium_occupation

T0, T1 = 0.30, 0.33


def heat_step(points_per_decade: int = 20):
    glass = default_glass(spectrum="asymptotic")
    t_min = float(tau_min(T1, glass.A))
    times = t_min * np.logspace(-2, 17, 19 * points_per_decade + 1)
    ens = build_ensemble(glass, T0, T1, times[-1])
    return ens, times, propagate(ens, T0, [Segment(0.0, np.inf, T1)], times)


def main() -> None:
    heat_step()  # warm up imports and caches
    walls = []
    for _ in range(5):
        start = time.perf_counter()
        ens, times, response = heat_step()
        walls.append(time.perf_counter() - start)
    tracemalloc.start()
    heat_step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"heat step {T0} -> {T1} K, default glass, {ens.size} bins, {times.size} output times "
        f"over 19 decades"
    )
    print(
        f"  engine wall time: best {min(walls) * 1e3:.1f} ms, "
        f"median {np.median(walls) * 1e3:.1f} ms (target < 150 ms)"
    )
    print(
        f"  engine peak memory: {peak / 2**20:.1f} MB traced, process max RSS {rss_mb:.0f} MB "
        f"(target < 300 MB)"
    )

    # --- solve_ivp on the same rate equations ---------------------------------------------
    k = bin_rates(ens, T1)
    n_eq0 = equilibrium_occupation(ens.energy, T0)
    n_eq1 = equilibrium_occupation(ens.energy, T1)
    matrix = ens.observation_matrix
    exact = np.vstack([response.strain, response.heat])
    jac = sp.diags(-k).tocsc()
    scale = np.max(np.abs(exact), axis=1, keepdims=True)
    best_engine = min(walls)
    for method, rtol in (("BDF", 1e-6), ("BDF", 1e-9), ("BDF", 1e-12), ("Radau", 1e-12)):
        start = time.perf_counter()
        kwargs = {"jac": jac} if method in ("BDF", "Radau") else {}
        sol = solve_ivp(
            lambda t, n: -k * (n - n_eq1),
            (0.0, times[-1]),
            n_eq0,
            method=method,
            t_eval=times,
            rtol=rtol,
            atol=1e-15,
            **kwargs,
        )
        wall = time.perf_counter() - start
        got = matrix @ (sol.y - n_eq0[:, None])
        err = float(np.max(np.abs(got - exact) / scale))
        print(
            f"  solve_ivp {method} rtol={rtol:g}: {wall:.2f} s, {sol.nfev} rhs evaluations, "
            f"max error {err:.1e} of the largest response; engine {wall / best_engine:.0f}x faster"
        )
    print(
        "  (the engine integrates these linear equations exactly: its error is rounding, so "
        "'the same accuracy' is solve_ivp's tightest, rtol 1e-12)"
    )

    # --- memory against the number of output times ----------------------------------------
    for ppd in (20, 200):
        tracemalloc.start()
        _, times, response = heat_step(ppd)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        outputs = (
            response.strain.nbytes
            + response.heat.nbytes
            + times.nbytes
            + response.temperature.nbytes
        )
        print(
            f"  {times.size:5d} output times: peak {peak / 2**20:6.1f} MB, of which outputs "
            f"{outputs / 2**20:5.2f} MB; peak minus outputs {(peak - outputs) / 2**20:6.1f} MB"
        )


if __name__ == "__main__":
    main()
