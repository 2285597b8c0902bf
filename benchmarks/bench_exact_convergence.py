"""Convergence of the exact ensemble with the default (symmetric) relaxation coupling under
refinement (the convergence table of docs/exact.md). Prints a markdown table; run:

    .venv/bin/python benchmarks/bench_exact_convergence.py      # ~5 min on 2 busy cores

Default glass at 0.3 K, Γ with C(∞) (the paper's convention) at tau_expt = 1e-8, 1e-4, 1, 60,
86400 s, from protocols.run.gruneisen_vs_tau: the default ensemble (Resolution(), margins
300 / 1e5), wider margins (1000 / 1e6), and the quadrature refined by 1.5 and by 2.
"""

from __future__ import annotations

import time
import warnings

from dynamics import default_glass
from dynamics.ensemble import Resolution
from dynamics.validation import TwoLevelRangeWarning
from protocols.run import gruneisen_vs_tau

TAU_EXPT = (1e-8, 1e-4, 1.0, 60.0, 86400.0)  # [s]
TEMPERATURE = 0.3  # [K]


def main() -> None:
    warnings.simplefilter("ignore", TwoLevelRangeWarning)
    exact = default_glass(spectrum="asymptotic").with_spectrum("exact")
    cases = [
        ("default (`Resolution()`, margins 300 / 1e5)", exact, Resolution()),
        ("margins 1000 / 1e6", exact.replace(energy_margin=1000.0, p_margin=1e6), Resolution()),
        ("`Resolution().refined(1.5)`", exact, Resolution().refined(1.5)),
        ("`Resolution().refined(2)`", exact, Resolution().refined(2)),
    ]
    print("| ensemble | Γ | C(∞) [J m-3 K-1] | wall time |")
    print("|---|---|---|---|")
    for label, glass, resolution in cases:
        start = time.perf_counter()
        ds = gruneisen_vs_tau(glass, [TEMPERATURE], list(TAU_EXPT), resolution=resolution)
        wall = time.perf_counter() - start
        gamma = ", ".join(f"{g:.4f}" for g in ds["gruneisen_equilibrium"].values.ravel())
        c_eq = float(ds["heat_capacity_equilibrium"].values[0])
        print(f"| {label} | {gamma} | {c_eq:.5f} | {wall:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
