"""Convergence of the soft-potential (eta, t) quadrature: how the default QuadratureSpec was chosen
(issue 20; docs/physics.md §11.9). Prints its figures; run:

    .venv/bin/python benchmarks/bench_quadrature.py             # default vs reference (~20 min)
    .venv/bin/python benchmarks/bench_quadrature.py --old       # the previous default too

For silica-like glasses (|eta| law) with W in {1.7, 3.5, 30} K, each vibration_coupling
(direct | zero-point | independent) and each boson_peak_closure (none | crossover), the largest
error over 0.05-20 K (k_B T <= 10 W: the moment grid's top) of each instantaneous part's heat
capacity C, relative to the total C, and of its thermal stress K alpha, relative to the sum of
the parts' |K alpha| (the total where all parts have one sign), against the reference
spec: the earlier default (eta panels of 1 e-fold, 8 tau nodes, t panels of 1, 6 slow nodes)
refined twice (eta panels 0.25, tau 32, t panels 0.25, slow 24: the default refined once in eta,
twice in t). The
curves are compared on the moment grid's own points (no interpolation). The total holds the
slow doublets in equilibrium (their two lowest levels on the reference's nodes: the engine's part
for tau_expt -> infinity; it only sets the scale, the engine computes that part itself).
Targets: C <= 1e-3, K alpha <= 3e-3.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from dynamics.exact.level_table import level_table
from dynamics.instantaneous import (
    INSTANTANEOUS_PARTS,
    THETA_GRID,
    glass_part_curves,
    moment_grid,
    node_strain_coupling,
)
from dynamics.multilevel import level_moments
from dynamics.populations import (
    SLOW_DOUBLE,
    QuadratureSpec,
    domain_quadrature,
    population_weights,
)
from dynamics.presets import get_glass
from dynamics.units import K_B

#: The reference: the old default (eta_nodes 6, tau_nodes 8, t_panel_width 1, slow_t_nodes 6)
#: refined twice.
REFERENCE = QuadratureSpec(eta_panel_efolds=0.25, tau_nodes=32, t_panel_width=0.25, slow_t_nodes=24)
#: The default before issue 20.
OLD_DEFAULT = QuadratureSpec(eta_panel_efolds=1.0, tau_nodes=8, t_panel_width=1.0, slow_t_nodes=6)


def _glass(W: float, coupling: str, closure: str):
    return get_glass("silica").replace(
        W=W,
        psi=0.0,
        N0=4e22 / (W * K_B),
        population="soft-potential",
        density_law="abs_eta",
        boson_peak_closure=closure,
        boson_peak_energy=40.0,
        activation="arrhenius",
        vibration_coupling=coupling,
    )


def _slow_doublets(glass, table) -> tuple[np.ndarray, np.ndarray]:
    """C [J m-3 K-1] and K alpha [Pa K-1] of the slow doublets in equilibrium on THETA_GRID."""
    q = table.quadrature
    slow = q.region == SLOW_DOUBLE
    m = level_moments(table.energy[slow, :2], table.x2[slow, :2], table.x3[slow, :2], THETA_GRID)
    closure_energy = glass.boson_peak_energy / glass.W  # [1]
    w = (
        glass.density_scale_volume
        * population_weights(q, glass.density_law, glass.boson_peak_closure, closure_energy)[slow]
    )
    deta, dt = node_strain_coupling(q, glass)
    c = K_B * (w @ m.heat_capacity)
    ka = -K_B * ((w * deta[slow]) @ m.x2_slope + (w * dt[slow]) @ m.x3_slope)
    return c, ka


def _errors(curves, reference, slow, keep) -> tuple[np.ndarray, np.ndarray]:
    """Per part: max |C - C_ref| / C_total and max |Ka - Ka_ref| / sum |Ka| over ``keep``."""
    c_total = reference.heat_capacity[:, keep].sum(axis=0) + slow[0][keep]
    k_scale = np.abs(reference.thermal_stress[:, keep]).sum(axis=0) + np.abs(slow[1][keep])
    dc = np.abs(curves.heat_capacity[:, keep] - reference.heat_capacity[:, keep]) / c_total
    dk = np.abs(curves.thermal_stress[:, keep] - reference.thermal_stress[:, keep]) / k_scale
    return dc.max(axis=1), dk.max(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", action="store_true", help="the previous default too")
    args = parser.parse_args()
    specs = {"default": QuadratureSpec()}
    if args.old:
        specs["old default"] = OLD_DEFAULT
    grids = {}
    for name, spec in {**specs, "reference": REFERENCE}.items():
        start = time.perf_counter()
        table = level_table(spec)
        grids[name] = moment_grid(table, THETA_GRID)
        print(
            f"# {name}: {spec}, {domain_quadrature(spec).size} nodes "
            f"({time.perf_counter() - start:.0f} s)"
        )
    parts = (
        " ".join(f"C {p[:6]:8s}" for p in INSTANTANEOUS_PARTS)
        + " "
        + " ".join(f"Ka {p[:6]:7s}" for p in INSTANTANEOUS_PARTS)
    )
    worst = {name: np.zeros(2) for name in specs}
    for W, coupling, closure in itertools.product(
        (1.7, 3.5, 30.0), ("direct", "zero-point", "independent"), ("none", "crossover")
    ):
        glass = _glass(W, coupling, closure)
        keep = (THETA_GRID * W >= 0.05) & (THETA_GRID * W <= 20.0)
        reference = glass_part_curves(glass, grids["reference"])
        slow = _slow_doublets(glass, level_table(REFERENCE))
        for name in specs:
            dc, dk = _errors(glass_part_curves(glass, grids[name]), reference, slow, keep)
            worst[name] = np.maximum(worst[name], [dc.max(), dk.max()])
            figures = " ".join(f"{x:10.1e}" for x in (*dc, *dk))
            print(f"W {W:4.1f} K {coupling:11s} {closure:9s} {name:11s} {figures}   ({parts})")
    for name, (dc, dk) in worst.items():
        print(f"# {name}: worst C {dc:.1e} of the total, worst K alpha {dk:.1e} of the total")


if __name__ == "__main__":
    main()
