"""Convergence and speed of dynamics.exact.levels.solve_levels (the multi-level spectrum, issue 20).

Run from the repository root:

    .venv/bin/python benchmarks/bench_levels.py [--n 20000] [--scan 25] [--skip-speed]

Prints, over a named sample of the domain (single wells from soft to stiff, double wells from
shallow to deep and from symmetric to very asymmetric):

1. convergence in ``resolution`` (both actions), in the box (tail action, window) and in the
   grid (momentum action, lattice spacing): the largest error of E_n (relative to
   max(1, |E_n|)), of the traces sum_{m<=n} x2_m, x3_m (relative to max(1, |x|)), and of the
   heat capacity C(theta) per potential at theta = 0.01, 0.1, 1, 10 (40 levels each), against
   tail and momentum actions of 32 (resolution 2);
2. convergence in the number of levels: the first 10 levels for ``levels`` = 10 ... 80, and
   C(theta) from the lowest L levels against 200 levels;
3. the number of levels needed for C(theta = 10) to 1e-6, over a grid of the whole domain;
4. the speed (potentials per second, 40 levels, 1 and 2 threads) on random potentials of the
   domain, and the size of a table of 5,000-20,000 potentials x 40 levels.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from dynamics.exact.levels import level_thermodynamics, solve_chunk, solve_levels
from dynamics.exact.levels_grid import MOMENTUM_ACTION, TAIL_ACTION
from dynamics.exact.levels_thermal import quantum_properties
from dynamics.parallel import using_threads

THETAS = (0.01, 0.1, 1.0, 10.0)  # k_B T / W at which C is compared [W]
REFERENCE_ACTION = 32.0  # tail and momentum actions of the reference (resolution 2) [1]


def sample() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Named potentials: single wells soft -> stiff (t = 0 and near the double-well border
    9 t^2 = 32 eta), eta = 0, and double wells shallow -> deep, symmetric -> very asymmetric."""
    rows: list[tuple[float, float, str]] = []
    for eta in (0.01, 0.3, 3.0, 30.0, 300.0, 1e4):
        rows.append((eta, 0.0, "single"))
        rows.append((eta, 0.95 * math.sqrt(32.0 * eta / 9.0), "single"))
    rows += [(0.0, 0.0, "single"), (0.0, 1.0, "single"), (0.0, 10.0, "single")]
    for eta in (-0.5, -3.0, -10.0, -20.0, -40.0):
        for t in (0.0, 1e-3, 0.3, 3.0, 30.0, 200.0):
            rows.append((eta, t, "double"))
    eta = np.array([r[0] for r in rows])
    t = np.array([r[1] for r in rows])
    return eta, t, [r[2] for r in rows]


def errors(test, ref, n_levels: int | None = None) -> dict[str, np.ndarray]:
    """Per-potential largest errors of energies, x2/x3 traces and C(theta) (40 levels)."""
    n = n_levels or test.energy.shape[-1]
    e, r = test.energy[:, :n], ref.energy[:, :n]
    out = {"E": np.max(np.abs(e - r) / np.maximum(1.0, np.abs(r)), axis=1)}
    # traces over the lowest k levels, cut only between levels more than 1e-6 W apart (a pair
    # closer than that is a near-degenerate doublet whose members' x2, x3 are not resolved)
    cut = np.ones(r.shape, dtype=bool)
    cut[:, :-1] = np.diff(r, axis=1) > 1e-6
    for k in ("x2", "x3"):
        a, b = getattr(test, k)[:, :n], getattr(ref, k)[:, :n]
        scale = np.maximum(1.0, np.abs(b).max(axis=1))
        trace = np.abs(np.cumsum(a - b, axis=1))
        out[k] = np.max(np.where(cut, trace, 0.0), axis=1) / scale
    for th in THETAS:
        ca = quantum_properties(e, test.x2[:, :n], test.x3[:, :n], np.full(len(e), th))
        cb = quantum_properties(r, ref.x2[:, :n], ref.x3[:, :n], np.full(len(e), th))
        out[f"C({th:g})"] = np.abs(ca.heat_capacity - cb.heat_capacity)
    return out


def print_row(label: str, err: dict[str, np.ndarray], kinds: list[str], size: np.ndarray) -> None:
    parts = []
    for key, val in err.items():
        worst = {k: val[[i for i, kk in enumerate(kinds) if kk == k]].max() for k in set(kinds)}
        parts.append(f"{key} {worst.get('single', 0):.0e}/{worst.get('double', 0):.0e}")
    print(f"  {label:<22} N {size.mean():6.1f}  " + "  ".join(parts))


def convergence(levels: int) -> None:
    eta, t, kinds = sample()
    print(f"\n1. Convergence ({len(eta)} potentials, {levels} levels; errors single/double wells)")
    ref = solve_chunk(eta, t, levels, REFERENCE_ACTION, REFERENCE_ACTION)
    print(f"  reference: tail = momentum action = {REFERENCE_ACTION:g}, N {ref.size.mean():.1f}")
    print("  resolution (both actions = 16 x resolution):")
    for res in (0.5, 0.75, 1.0, 1.25, 1.5):
        test = solve_chunk(eta, t, levels, TAIL_ACTION * res, MOMENTUM_ACTION * res)
        print_row(f"resolution {res:g}", errors(test, ref), kinds, test.size)
    print(f"  box (tail action; momentum action {REFERENCE_ACTION:g}):")
    for tail in (6.0, 8.0, 12.0, 16.0, 24.0):
        test = solve_chunk(eta, t, levels, tail, REFERENCE_ACTION)
        print_row(f"tail action {tail:g}", errors(test, ref), kinds, test.size)
    print(f"  grid (momentum action; tail action {REFERENCE_ACTION:g}):")
    for mom in (8.0, 12.0, 16.0, 20.0, 24.0):
        test = solve_chunk(eta, t, levels, REFERENCE_ACTION, mom)
        print_row(f"momentum action {mom:g}", errors(test, ref), kinds, test.size)


def level_count() -> None:
    eta, t, kinds = sample()
    print("\n2. Convergence in the number of levels")
    ref = solve_chunk(eta, t, 80, REFERENCE_ACTION, REFERENCE_ACTION)
    print("  first 10 levels, levels = L at resolution 1, against L = 80 at resolution 2:")
    for n in (10, 20, 40, 80):
        test = solve_chunk(eta, t, n, TAIL_ACTION, MOMENTUM_ACTION)
        err = errors(test, ref, 10)
        print_row(
            f"levels {n}", {k: v for k, v in err.items() if not k.startswith("C")}, kinds, test.size
        )
    full = solve_levels(eta, t, levels=200)
    print("  C(theta) from the lowest L levels against 200 levels (largest over the sample):")
    for n in (10, 20, 30, 40, 60, 80):
        cells = []
        for th in THETAS:
            c_l = level_thermodynamics(_first(full, n), th).heat_capacity
            c_f = level_thermodynamics(full, th).heat_capacity
            worst = np.argmax(np.abs(c_l - c_f))
            cells.append(f"C({th:g}) {np.abs(c_l - c_f).max():.1e} [{eta[worst]:g}, {t[worst]:g}]")
        print(f"  L = {n:3d}: " + "  ".join(cells))


def _first(spec, n: int):
    """The lowest n levels of a LevelSpectrum (same fields)."""
    from dataclasses import replace

    return replace(spec, energy=spec.energy[..., :n], x2=spec.x2[..., :n], x3=spec.x3[..., :n])


def cutoff_scan(points: int) -> None:
    """Levels needed for C(theta) to 1e-6 over a grid of the domain, theta = 1, 3, 10."""
    print(f"\n3. Levels needed for |C_L(theta) - C_200(theta)| < 1e-6 ({points} x {points} grid)")
    eta_d = np.linspace(-40.0, 0.0, points)
    t_d = np.concatenate([[0.0], np.geomspace(1e-2, 200.0, points - 1)])
    ed, td = np.meshgrid(eta_d, t_d, indexing="ij")
    eta_s = np.geomspace(1e-3, 1e4, points)
    frac = np.linspace(0.0, 0.99, points)
    es, fs = np.meshgrid(eta_s, frac, indexing="ij")
    ts = fs * np.sqrt(32.0 * es / 9.0)
    for label, eta, t in (("double wells", ed, td), ("single wells", es, ts)):
        full = solve_levels(eta.ravel(), t.ravel(), levels=200)
        for theta in (1.0, 3.0, 10.0):
            c_f = level_thermodynamics(full, theta).heat_capacity
            need = np.full(c_f.shape, 200)
            for n in range(199, 1, -1):  # the truncation error grows as L falls
                c_l = level_thermodynamics(_first(full, n), theta).heat_capacity
                ok = np.abs(c_l - c_f) < 1e-6
                need = np.where(ok, n, need)
                if not ok.any():
                    break
            worst = np.argmax(need)
            print(
                f"  {label}, theta = {theta:g}: at most {need.max()} levels (at eta = "
                f"{eta.ravel()[worst]:.4g}, t = {t.ravel()[worst]:.4g}); median "
                f"{int(np.median(need))}"
            )


def speed(n: int) -> None:
    rng = np.random.default_rng(2024)
    half = n // 2
    es = 10 ** rng.uniform(-2, 4, half)
    ts = rng.uniform(0, 1, half) * np.sqrt(32 * es / 9)
    ed = -rng.uniform(0, 40, n - half)
    td = 10 ** rng.uniform(-3, math.log10(200), n - half)
    eta, t = np.concatenate([es, ed]), np.concatenate([ts, td])
    print(
        f"\n4. Speed: {n} random potentials of the domain (half single, half double wells), "
        f"40 levels; load average {os.getloadavg()[0]:.2f}"
    )
    sizes = None
    for threads in (1, 2):
        with using_threads(threads):
            start, cpu = time.perf_counter(), time.process_time()
            spec = solve_levels(eta, t, levels=40)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        sizes = spec.basis_size
        print(
            f"  {threads} thread(s): {n / elapsed:8.0f} potentials/s ({elapsed:.1f} s wall, "
            f"{cpu:.1f} s CPU: {n / cpu:.0f} potentials per CPU-second)"
        )
    assert sizes is not None
    print(f"  lattice points: mean {sizes.mean():.1f}, range {sizes.min()}-{sizes.max()}")
    for count in (5_000, 20_000):
        mb = count * 40 * 3 * 8 / 1e6
        print(f"  table of {count} potentials x 40 levels x (E, x2, x3) in float64: {mb:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="potentials for the speed test")
    parser.add_argument("--scan", type=int, default=25, help="grid points per axis, item 3")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    convergence(40)
    level_count()
    cutoff_scan(args.scan)
    if not args.skip_speed:
        speed(args.n)


if __name__ == "__main__":
    main()
