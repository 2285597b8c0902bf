"""From the asymptotic to the exact model one mechanism at a time (docs/exact.md).

Prints the markdown tables of docs/exact.md: Γ with C(∞) (the paper's convention) at
tau_expt = 1 s and 0.1, 0.3, 1 K for the default glass, after each step of
dynamics.mechanisms.MECHANISM_STEPS, then for the relaxation couplings; and the parts of Γ
(even part of D x mean relaxation, odd part x partner differences) per TLS type. Run:

    .venv/bin/python benchmarks/bench_mechanisms.py            # default resolution (~2 min)
    .venv/bin/python benchmarks/bench_mechanisms.py --coarse   # the test suite's coarse grid

The rows are dynamics.mechanisms.mechanism_rows: each temperature solves the spectra once
(dynamics.exact.bins.exact_members, for a run of 86400 s as in the convergence table) and
assembles every row from them.
"""

from __future__ import annotations

import sys
import time
import warnings

from dynamics import default_glass
from dynamics.decomposition import GruneisenParts, decompose_ensemble
from dynamics.ensemble import Resolution
from dynamics.mechanisms import mechanism_rows
from dynamics.presets import preset_interference_fraction
from dynamics.validation import TwoLevelRangeWarning

TEMPERATURES = (0.1, 0.3, 1.0)  # [K]
TAU_EXPT = 1.0  # [s]


def main() -> None:
    warnings.simplefilter("ignore", TwoLevelRangeWarning)
    coarse = "--coarse" in sys.argv
    resolution = (
        Resolution(energy_nodes=4, p_nodes=4, p_panel_decades=3.0, energy_panel_decades=1.5)
        if coarse
        else Resolution()
    )
    table: dict[str, dict[float, GruneisenParts]] = {}
    for temperature in TEMPERATURES:
        start = time.perf_counter()
        for label, ens in mechanism_rows(
            default_glass(spectrum="asymptotic"), temperature, resolution
        ):
            parts = decompose_ensemble(ens, temperature, [TAU_EXPT])
            table.setdefault(label, {})[temperature] = parts
        print(f"# {temperature:g} K: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    f_silica = preset_interference_fraction("silica")
    print(f"resolution: {'coarse (tests)' if coarse else 'default'}; f silica = {f_silica:.4f}\n")
    print("| step | " + " | ".join(f"Γ at {t:g} K" for t in TEMPERATURES) + " |")
    print("|---|" + "---|" * len(TEMPERATURES))
    for label, by_t in table.items():
        cells = " | ".join(f"{float(by_t[t].total[0]):.3f}" for t in TEMPERATURES)
        print(f"| {label} | {cells} |")
    print("\nParts at 0.3 K: even part x mean relaxation, odd part x partner differences\n")
    print("| row, at 0.3 K | even, type 1 | even, type 2 | odd, type 1 | odd, type 2 |")
    print("|---|---|---|---|---|")
    for label, by_t in table.items():
        p = by_t[0.3]
        cells = f"{p.even[0, 0]:.3f} | {p.even[1, 0]:.3f} | {p.odd[0, 0]:.3f} | {p.odd[1, 0]:.3f}"
        print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
