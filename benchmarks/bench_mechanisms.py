"""From the asymptotic to the exact model one mechanism at a time (issue 11; docs/exact.md).

Prints the markdown tables of docs/exact.md: Γ with C(∞) (the paper's convention) at
tau_expt = 1 s and 0.1, 0.3, 1 K for the default glass, after each step of
dynamics.mechanisms.MECHANISM_STEPS, then for the relaxation couplings; and the parts of Γ
(even part of D x mean relaxation, odd part x partner differences) per TLS type. Run:

    .venv/bin/python benchmarks/bench_mechanisms.py            # default resolution (~2 min)
    .venv/bin/python benchmarks/bench_mechanisms.py --coarse   # the test suite's coarse grid

Each temperature solves the spectra once (dynamics.exact.exact_members) and assembles every row
from them.
"""

from __future__ import annotations

import sys
import time
import warnings

from dynamics import default_glass
from dynamics.decomposition import GruneisenParts, decompose_ensemble
from dynamics.ensemble import Ensemble, Resolution, build_ensemble
from dynamics.exact import ExactGlass, assemble_exact_ensemble, exact_members
from dynamics.mechanisms import MECHANISM_STEPS, mechanism_ensemble
from dynamics.relaxation_coupling import interference_fraction_estimate
from dynamics.units import ELECTRON_VOLT
from dynamics.validation import TwoLevelRangeWarning

TEMPERATURES = (0.1, 0.3, 1.0)  # [K]
TAU_EXPT = 1.0  # [s]
#: Length of the run the ensembles are built for: the longest tau_expt of the convergence table
#: (benchmarks/bench_exact_convergence.py), so that both tables come from the same ensembles.
T_END = 86400.0  # [s]
#: Silica (Berret & Meissner 1988: gamma_l, gamma_t = 1.04, 0.65 eV; v_l, v_t = 5800, 3800 m/s).
F_SILICA = interference_fraction_estimate(1.04 * ELECTRON_VOLT, 0.65 * ELECTRON_VOLT, 5800, 3800)
FRACTIONS = (round(F_SILICA, 3), 0.25, 0.5, 1.0)

LABELS = {
    "asymptotic": "0. asymptotic model (the paper), symmetric",
    "plane": "1. exact-ensemble assembly: psi_j on the (eta, t) plane, asymptotic values",
    "energy": "2. + exact density in (E, p): exact E, p; the paper's D_even(E, p), rate law",
    "even_type1": "3. + exact even D, type 1",
    "even_type2": "4. + exact even D, type 2 (with the R term)",
    "rate": "5. + exact coupling M^2/p, symmetric (group mean)",
    "full": "6. + full D of every potential = **exact model, symmetric (default)**",
}


def rows(resolution: Resolution, temperature: float) -> list[tuple[str, Ensemble]]:
    """(label, ensemble) of every row at one temperature."""
    glass = default_glass()
    exact = ExactGlass.from_glass(glass)
    members = exact_members(exact, temperature, temperature, T_END, resolution)
    out = [
        (
            LABELS["asymptotic"],
            build_ensemble(glass, temperature, temperature, T_END, resolution),
        )
    ]
    out.append(
        (
            "0'. asymptotic model, interference f = 1 (M+- of (4.2), (4.3), (4.7), (4.8))",
            build_ensemble(
                glass.replace(relaxation_coupling="interference", interference_fraction=1.0),
                temperature,
                temperature,
                T_END,
                resolution,
            ),
        )
    )
    out += [(LABELS[s], mechanism_ensemble(members, exact, s)) for s in MECHANISM_STEPS]
    for f in FRACTIONS:
        model = exact.replace(relaxation_coupling="interference", interference_fraction=f)
        note = " (silica estimate)" if f == FRACTIONS[0] else ""
        note = " (= the exact model before issue 11)" if f == 1.0 else note
        out.append(
            (f"7. exact, interference f = {f:g}{note}", assemble_exact_ensemble(members, model))
        )
    return out


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
        for label, ens in rows(resolution, temperature):
            parts = decompose_ensemble(ens, temperature, [TAU_EXPT])
            table.setdefault(label, {})[temperature] = parts
        print(f"# {temperature:g} K: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print(f"resolution: {'coarse (tests)' if coarse else 'default'}; f silica = {F_SILICA:.4f}\n")
    print("| step | " + " | ".join(f"Γ at {t:g} K" for t in TEMPERATURES) + " |")
    print("|---|" + "---|" * len(TEMPERATURES))
    for label, by_t in table.items():
        cells = " | ".join(f"{float(by_t[t].total[0]):.3f}" for t in TEMPERATURES)
        print(f"| {label} | {cells} |")
    print("\nParts at 0.3 K: even part x mean relaxation, odd part x partner differences\n")
    print("| step | even, type 1 | even, type 2 | odd, type 1 | odd, type 2 |")
    print("|---|---|---|---|---|")
    for label, by_t in table.items():
        p = by_t[0.3]
        cells = f"{p.even[0, 0]:.3f} | {p.even[1, 0]:.3f} | {p.odd[0, 0]:.3f} | {p.odd[1, 0]:.3f}"
        print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
