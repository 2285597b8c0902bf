"""Cost of exact-spectrum ensembles with the shipped spectral table. Prints its figures; run:

    .venv/bin/python benchmarks/bench_exact.py                 # figures 0 and 2
    .venv/bin/python benchmarks/bench_exact.py --build         # + a table built in memory
    .venv/bin/python benchmarks/bench_exact.py --direct        # + one direct ensemble, to compare
    .venv/bin/python benchmarks/bench_exact.py --sweep 1000    # + an exact Γ sweep on 2 workers

0. Reading and verifying the shipped table (once per process).
1. ``--build``: building the default grid's table in memory (:func:`dynamics.exact.build_table`:
   what the regeneration of the shipped file costs, and what a run at another solver
   resolution pays once per process), with the solver's default 2 threads.
2. Γ(τ_expt) (10 values, 1e-8 to 1e5 s) of the default glass on exact spectra at new
   temperatures (each a new ensemble), default (converged) resolution: seconds per
   temperature, ensemble build and relaxation together.
3. ``--direct``: the same at one temperature with ``spectrum_source="direct"`` (every node
   solved), and the largest relative difference of Γ between the two.
4. ``--sweep N``: an exact Γ sweep of N points (temperatures x c) on a local
   ``distributed.LocalCluster`` of 2 worker processes, cluster start-up included (each worker
   reads the shipped table).
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from dynamics import default_glass

TAU = np.logspace(-8, 5, 10)


def read_shipped() -> None:
    from dynamics.exact.shipped import SHIPPED_TABLES, shipped_table

    start = time.perf_counter()
    table = shipped_table()
    took = time.perf_counter() - start
    size = len(SHIPPED_TABLES["two_level"].resource().read_bytes())
    print(
        f"0. shipped table read and verified in {took:.3f} s: {size / 1e6:.1f} MB on disk, "
        f"{table.nbytes / 1e6:.1f} MB of float64, {table.grid.size} nodes x 3 sheets"
    )


def first_build() -> None:
    from dynamics.exact import build_table

    start = time.perf_counter()
    table = build_table()
    took = time.perf_counter() - start
    print(
        f"1. default table built in memory: {took:.1f} s on {os.cpu_count()} cores (load average "
        f"at the end {os.getloadavg()[0]:.1f}); {table.grid.size} nodes x 3 sheets"
    )


def gamma_per_temperature(temperatures: list[float]) -> None:
    from protocols.run import gruneisen_vs_tau

    exact = default_glass()
    times = []
    for temperature in temperatures:
        start = time.perf_counter()
        gruneisen_vs_tau(exact, [temperature], tau_expt=TAU)
        times.append(time.perf_counter() - start)
    print(
        "2. Gamma(tau_expt) at a new temperature, shipped table: "
        + ", ".join(f"{t:.3f}" for t in times)
        + f" s (median {np.median(times):.3f} s per temperature)"
    )


def direct_comparison(temperature: float) -> None:
    from protocols.run import gruneisen_vs_tau

    glass = default_glass()
    table_ds = gruneisen_vs_tau(glass, [temperature], tau_expt=TAU)
    start = time.perf_counter()
    direct = gruneisen_vs_tau(glass.replace(spectrum_source="direct"), [temperature], tau_expt=TAU)
    took = time.perf_counter() - start
    diffs = [
        float(np.max(np.abs(table_ds[n].values / direct[n].values - 1)))
        for n in ("gruneisen", "gruneisen_equilibrium")
    ]
    print(
        f"3. direct exact ensemble at {temperature} K: {took:.1f} s; Gamma table vs direct: "
        f"largest relative difference {max(diffs):.1e} (C(tau)) / {diffs[1]:.1e} (C(inf))"
    )


def exact_sweep(points: int) -> None:
    from distributed import Client, LocalCluster

    from protocols.sweeps import sweep

    n_c = min(25, points)
    n_t = max(1, math.ceil(points / n_c))
    grid = {"temperature": np.geomspace(0.05, 1.0, n_t), "c": np.linspace(4.0, 8.0, n_c)}
    exact = default_glass()
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        up = time.perf_counter() - start
        ds = sweep(exact, grid, tau_expt=TAU, client=client)
    took = time.perf_counter() - start
    finite = bool(np.all(np.isfinite(ds["gruneisen"].values)))
    print(
        f"4. exact Gamma sweep, {n_t * n_c} points x {TAU.size} tau_expt on 2 local workers: "
        f"{took:.1f} s including {up:.1f} s cluster start-up (all finite: {finite})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="time a first build")
    parser.add_argument("--direct", action="store_true", help="time one direct ensemble")
    parser.add_argument("--sweep", type=int, default=0, metavar="N", help="exact sweep points")
    args = parser.parse_args()
    read_shipped()
    if args.build:
        first_build()
    gamma_per_temperature([0.11, 0.23, 0.47, 0.71, 0.93])
    if args.direct:
        direct_comparison(0.3)
    if args.sweep:
        exact_sweep(args.sweep)


if __name__ == "__main__":
    main()
