"""Throughput of parameter sweeps on dask. Prints its figures; run:

    .venv/bin/python benchmarks/bench_sweep.py            # 10,000 points (about 3 minutes)
    .venv/bin/python benchmarks/bench_sweep.py --points 2000   # a subset, same shape per point

1. A Γ(τ_expt) sweep of 100 temperatures (0.05 to 1 K, log) x 100 values of c (4 to 8) with 10
   values of τ_expt (1e-8 to 1e5 s) on the default glass at the default (converged) resolution,
   on a ``distributed.LocalCluster`` of 1 worker process and then of 2 (one thread each): points
   per second (cluster start-up and a warm-up excluded) and the speed-up (aim >= 1.7x on 2
   cores). The two results must be identical, bit for bit.
2. The local dask schedulers on a tenth of the grid: synchronous, threads (2) and processes (2),
   start-up of the worker processes included (that is what a user waits for): why the default
   local scheduler is ``processes``.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
import xarray as xr

from dynamics import default_glass
from protocols.sweeps import sweep

GLASS = default_glass(spectrum="asymptotic")
TAU = np.logspace(-8, 5, 10)


def grid(points: int) -> dict[str, np.ndarray]:
    """About ``points`` points: temperatures x c, c always 100 values (fewer temperatures)."""
    n_c = min(100, points)
    n_t = max(1, math.ceil(points / n_c))
    return {"temperature": np.geomspace(0.05, 1.0, n_t), "c": np.linspace(4.0, 8.0, n_c)}


def on_cluster(workers: int, points: int) -> tuple[float, xr.Dataset]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        # warm-up: imports and first-call caches in every worker
        sweep(GLASS, {"temperature": [0.1, 0.2, 0.3, 0.4], "c": [5.0]}, client=client, chunk_size=1)
        start = time.perf_counter()
        ds = sweep(GLASS, grid(points), tau_expt=TAU, client=client)
        return time.perf_counter() - start, ds


def local(scheduler: str, points: int) -> float:
    workers = None if scheduler == "synchronous" else 2
    start = time.perf_counter()
    sweep(GLASS, grid(points), tau_expt=TAU, scheduler=scheduler, workers=workers)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000, help="grid points (10000)")
    parser.add_argument("--skip-local", action="store_true", help="skip part 2")
    args = parser.parse_args()
    g = grid(args.points)
    n = g["temperature"].size * g["c"].size
    print(
        f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start "
        "(other jobs on the machine slow every figure)"
    )
    print(
        f"Gamma(tau_expt) sweep: {g['temperature'].size} temperatures x {g['c'].size} values of "
        f"c = {n} points, {TAU.size} tau_expt values, default resolution, default glass"
    )
    rates = {}
    results = {}
    for workers in (1, 2):
        wall, ds = on_cluster(workers, args.points)
        rates[workers] = n / wall
        results[workers] = ds
        print(
            f"  LocalCluster, {workers} worker process(es): {wall:7.1f} s, "
            f"{rates[workers]:7.1f} points/s"
        )
    xr.testing.assert_identical(results[1], results[2])
    print(f"  speed-up 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x (aim >= 1.7x)")
    print("  the results of 1 and 2 workers are identical, bit for bit")
    if not args.skip_local:
        sub = max(2, args.points // 10)
        m = grid(sub)["temperature"].size * grid(sub)["c"].size
        print(f"local dask schedulers, {m} points, worker start-up included:")
        for scheduler in ("synchronous", "threads", "processes"):
            wall = local(scheduler, sub)
            workers = "" if scheduler == "synchronous" else " (2 workers)"
            print(f"  {scheduler + workers:24s} {wall:7.1f} s, {m / wall:7.1f} points/s")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
