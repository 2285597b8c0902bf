"""Benchmark of dynamics.exact.solver.solve_soft_potential on the typical parameter range.

Run from the repository root:

    .venv/bin/python benchmarks/bench_spectrum.py [--n 20000] [--sample 300] [--repeat 3]

Prints the throughput (potentials per second, three levels + Hellmann–Feynman elements +
Delta0, Delta, p), the basis sizes used, and the worst errors of a random sample against a
high-resolution reference (resolution=2, phase_step=0.03) and, for the levels, against a
brute-force dense sinc-DVR.

Then the throughput on the potentials an exact ensemble really solves (``--ensemble``, on by
default): the type-1 and type-2 rows of ``dynamics.exact.bins.build_exact_ensemble`` for the
default glass at 0.3 K and t_end = 1e5 s (mostly deep double wells), and on the nodes of the
spectral table (``dynamics.exact.tables``), with the share of double wells.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from dynamics.exact.solver import (
    METHOD_DIRECT,
    METHOD_EIGEN,
    METHOD_LOCALISED,
    METHOD_SAME_WELL,
    soft_potential,
    solve_soft_potential,
)

ETA_RANGE = (-30.0, 10.0)  # typical range of the brief [1]
T_RANGE = (-10.0, 10.0)  # [1]
METHOD_NAMES = {
    METHOD_DIRECT: "direct (resolved doublet)",
    METHOD_LOCALISED: "localised-state Wronskian",
    METHOD_SAME_WELL: "same-well (formal)",
    METHOD_EIGEN: "eigenstate Wronskian",
}


def dense_levels(eta: float, t: float, h: float = 0.04) -> np.ndarray:
    """Three lowest levels from a brute-force uniform sinc-DVR (independent of the solver)."""
    xs = np.linspace(-14.0, 14.0, 56001)
    v = soft_potential(xs, eta, t)
    keep = xs[v < v.min() + 250.0]
    x = np.arange(keep[0] - 1.0, keep[-1] + 1.0, h)
    k = np.arange(x.size)
    d = k[:, None] - k[None, :]
    kin = np.where(d == 0, np.pi**2 / 3.0, 2.0 * (-1.0) ** np.abs(d) / np.where(d == 0, 1, d) ** 2)
    return np.linalg.eigvalsh(kin / h**2 + np.diag(soft_potential(x, eta, t)))[:3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="potentials per timed batch")
    parser.add_argument("--sample", type=int, default=300, help="potentials checked for accuracy")
    parser.add_argument("--dense", type=int, default=12, help="potentials checked by dense DVR")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (best is kept)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--no-ensemble",
        dest="ensemble",
        action="store_false",
        help="skip the throughput on exact-ensemble and table potentials",
    )
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    eta = rng.uniform(*ETA_RANGE, args.n)
    t = rng.uniform(*T_RANGE, args.n)
    solve_soft_potential(eta[:500], t[:500])  # warm-up: templates and thread pool

    print(
        f"typical range: eta in {ETA_RANGE}, t in {T_RANGE}, {args.n} potentials, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    for workers in (1, 2):
        best = np.inf
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = solve_soft_potential(eta, t, workers=workers)
            best = min(best, time.perf_counter() - t0)
        print(f"workers={workers}: {args.n / best:10.0f} potentials/s  ({best:.3f} s per batch)")

    n_basis = res.basis_size
    print(
        f"basis size (DVR points per potential): mean {n_basis.mean():.1f}, "
        f"median {np.median(n_basis):.0f}, min {n_basis.min()}, max {n_basis.max()}"
    )
    counts = np.bincount(res.method, minlength=4)
    print(
        "routes for Delta0: "
        + ", ".join(f"{METHOD_NAMES[k]} {counts[k] / args.n:.1%}" for k in sorted(METHOD_NAMES))
    )

    # ---- accuracy on a random sample against a high-resolution reference ----
    m = args.sample
    default = solve_soft_potential(eta[:m], t[:m])
    ref = solve_soft_potential(eta[:m], t[:m], resolution=2.0, phase_step=0.03)
    lev = np.abs(default.levels - ref.levels).max()
    x2 = np.abs(default.x2 - ref.x2).max()
    x3 = np.abs(default.x3 - ref.x3).max()
    d0_rel = np.abs(default.log_tunnel_splitting - ref.log_tunnel_splitting)
    d_abs = np.abs(default.asymmetry - ref.asymmetry)
    print(f"worst |level error| vs high-resolution reference ({m} potentials): {lev:.2e} W")
    print(f"worst |<n|x^2|n> error| {x2:.2e}, worst |<n|x^3|n> error| {x3:.2e}")
    for k in sorted(METHOD_NAMES):
        sel = default.method == k
        if sel.any():
            print(
                f"  route {METHOD_NAMES[k]:28s} ({sel.sum():3d}): worst relative Delta0 error "
                f"{d0_rel[sel].max():.2e}, worst |Delta error| {d_abs[sel].max():.2e} W"
            )

    if args.ensemble:
        ensemble_throughput(args.repeat)

    # ---- levels against an independent brute-force DVR ----
    worst = 0.0
    for i in range(min(args.dense, m)):
        dense = dense_levels(float(eta[i]), float(t[i]))
        worst = max(worst, float(np.abs(default.levels[i] - dense).max()))
    print(
        f"worst |level error| vs brute-force dense DVR ({min(args.dense, m)} potentials): "
        f"{worst:.2e} W"
    )


def ensemble_potentials() -> tuple[np.ndarray, np.ndarray]:
    """The rows (eta, t) that build_exact_ensemble solves for the default glass at 0.3 K."""
    import dataclasses

    from dynamics import default_glass
    from dynamics.quadrature import Resolution, energy_nodes, p_floor, p_nodes
    from dynamics.soft_potential import asymptotic_potentials

    glass = default_glass()
    res = Resolution()
    wide = dataclasses.replace(
        res,
        x_min=res.x_min / glass.energy_margin,
        relaxation_cutoff=res.relaxation_cutoff / glass.p_margin,
    )
    e, _ = energy_nodes(0.3, 0.3, glass.energy_cap, wide)
    etas, ts = [], []
    for kind in (0, 1):
        p_min = p_floor(glass, kind, e, 0.3, 1e5, wide)
        p_grid, _ = p_nodes(-np.log(p_min), wide)
        e_a = np.broadcast_to(e[:, None], p_grid.shape).ravel()
        eta_k, t_k = asymptotic_potentials(kind, e_a, p_grid.ravel(), glass.W_J)
        rows = [0] if kind == 0 else [0, 2]
        etas += [eta_k[r] for r in rows]
        ts += [t_k[r] for r in rows]
    return np.concatenate(etas), np.concatenate(ts)


def ensemble_throughput(repeat: int) -> None:
    """Throughput on the potentials of an exact ensemble and of the table."""
    from dynamics.exact.tables import DEFAULT_GRID, SHEETS, sheet_potentials

    eta, t = ensemble_potentials()
    u_n, s_n = DEFAULT_GRID.u_nodes, DEFAULT_GRID.s_nodes
    u, s = (x.ravel() for x in np.meshgrid(u_n, s_n, indexing="ij"))
    pick = np.random.default_rng(1).choice(u.size, 4000, replace=False)
    pots = [sheet_potentials(k, np.exp(u[pick]), np.exp(-s[pick])) for k in range(len(SHEETS))]
    table_eta = np.concatenate([p[0] for p in pots])
    table_t = np.concatenate([p[1] for p in pots])
    for label, e_set, t_set in (
        ("exact ensemble (default glass, 0.3 K)", eta, t),
        ("table nodes (random 4000 per sheet)", table_eta, table_t),
    ):
        double = float(np.mean(9.0 * t_set**2 > 32.0 * e_set))
        for workers in (1, 2):
            best = np.inf
            for _ in range(repeat):
                t0 = time.perf_counter()
                solve_soft_potential(e_set, t_set, workers=workers)
                best = min(best, time.perf_counter() - t0)
            print(
                f"{label}: {e_set.size} potentials, {double:.0%} double wells, "
                f"workers={workers}: {e_set.size / best:8.0f} potentials/s"
            )


if __name__ == "__main__":
    main()
