"""Convergence and speed of the model beyond two levels (docs/physics.md §11, docs/levels.md).

Prints, for a soft-potential glass (silica-like: W = 3.5 K, |eta| law, boson-peak crossover at
40 K), the largest relative change of the instantaneous parts' heat capacity C and thermal
stress K alpha over 0.05-20 K when each knob of the level table is refined alone:

* levels: 40 -> 60 levels per potential;
* grid: the level solver's momentum action 16 -> 24 (a finer lattice);
* box: its tail action 16 -> 24 (a wider window);
* quadrature: every panel of the (eta, t) quadrature halved, the fixed node counts doubled
  (benchmarks/bench_quadrature.py compares it with a twice-refined reference over several
  glasses and couplings);
* theta grid: 60 -> 120 points per decade of the moment grid (interpolation);

then the speed of the whole thermal curve (200 temperatures x 5 tau_expt, all parts) warm,
in seconds of CPU on one core and in units of np.exp on 1e7 float64 measured in the same
process (issue 20's budget: 1 s).

With ``--activation``: the cost of thermal activation (the same curve with ``activation`` "none"
and "arrhenius", warm), and what an activated floor ending at s = 100 (the end of the earlier
spectral tables) would leave out at 10 and 20 K against the tables' end
(:data:`dynamics.activation.EXACT_ACTIVATED_S_MAX`, s = 400).

    .venv/bin/python benchmarks/bench_thermal.py               # everything (~20 min)
    .venv/bin/python benchmarks/bench_thermal.py --speed       # the speed only
    .venv/bin/python benchmarks/bench_thermal.py --activation  # activation's cost and floor
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dynamics.exact import levels as levels_module
from dynamics.exact.level_table import LevelTable, build_level_table, level_table
from dynamics.instantaneous import (
    THETA_GRID,
    evaluate_parts,
    glass_part_curves,
    moment_grid,
)
from dynamics.parts import default_temperatures, part_response
from dynamics.populations import QuadratureSpec, domain_quadrature
from dynamics.presets import get_glass
from dynamics.units import K_B


def _glass():
    return get_glass("silica").replace(
        W=3.5,
        psi=0.0,
        N0=4e22 / (3.5 * K_B),
        population="soft-potential",
        density_law="abs_eta",
        boson_peak_closure="crossover",
        boson_peak_energy=40.0,
        activation="arrhenius",
    )


def _curves(table: LevelTable, theta_grid: np.ndarray = THETA_GRID):
    glass = _glass()
    grid = moment_grid(table, theta_grid)
    theta = default_temperatures(60) / glass.W
    return evaluate_parts(glass_part_curves(glass, grid), theta)


def _change(a, b) -> tuple[float, float]:
    """Largest relative change of C and K alpha where the part holds > 1e-6 of its maximum."""
    out = []
    for name in ("heat_capacity", "thermal_stress"):
        x, y = getattr(a, name), getattr(b, name)
        scale = np.max(np.abs(x), axis=1, keepdims=True)
        keep = np.abs(x) > 1e-6 * scale
        out.append(float(np.max(np.abs(y - x)[keep] / np.abs(x)[keep])))
    return out[0], out[1]


def _table_with(tail: float, momentum: float, levels: int) -> LevelTable:
    q = domain_quadrature()
    spec = levels_module.solve_chunk(q.eta, q.t, levels, tail, momentum)
    return LevelTable(q, spec.energy, spec.x2, spec.x3)


def convergence() -> None:
    base = _curves(level_table())
    print("# refinement           max rel. change of C   of K alpha   (0.05-20 K, both parts)")
    cases = {
        "levels 40 -> 60": lambda: _table_with(16.0, 16.0, 60),
        "grid (momentum 24)": lambda: _table_with(16.0, 24.0, 40),
        "box (tail 24)": lambda: _table_with(24.0, 16.0, 40),
        "quadrature refined": lambda: build_level_table(QuadratureSpec().refined()),
    }
    for name, make in cases.items():
        start = time.perf_counter()
        table = make()
        dc, dk = _change(base, _curves(table))
        print(f"  {name:22s} {dc:22.2e} {dk:12.2e}   ({time.perf_counter() - start:.0f} s)")
    fine = np.geomspace(THETA_GRID[0], THETA_GRID[-1], 2 * THETA_GRID.size - 1)
    dc, dk = _change(base, _curves(level_table(), fine))
    print(f"  {'theta grid 60 -> 120':22s} {dc:22.2e} {dk:12.2e}")


def _exp_unit() -> float:
    x = np.linspace(0.0, 1.0, 10_000_000)
    start = time.process_time()
    np.exp(x)
    return time.process_time() - start


def speed() -> None:
    glass = _glass()
    temps = default_temperatures(200)
    tau = np.array([1e-3, 1.0, 1e2, 1e4, 1e6])
    part_response(glass, temps, tau)  # warm: tables read, moment grid built
    unit = _exp_unit()
    start = time.process_time()
    part_response(glass.replace(c=glass.c * 1.1), temps, tau)
    cpu = time.process_time() - start
    print(
        f"# whole thermal curve, 200 T x 5 tau_expt, all parts, warm: {cpu:.2f} s CPU "
        f"({cpu / unit:.0f} units of np.exp on 1e7 float64; target 1 s)"
    )


def activation() -> None:
    import dynamics.quadrature as quadrature
    from dynamics.parts import PARTS

    temps = default_temperatures(200)
    tau = np.array([1e-3, 1.0, 1e2, 1e4, 1e6])
    cpu = {}
    for name in ("none", "arrhenius"):
        glass = _glass().replace(activation=name)
        part_response(glass, temps[:3], tau)  # warm: tables read
        start = time.process_time()
        part_response(glass, temps, tau)
        cpu[name] = time.process_time() - start
    print(
        f"# 200 T x 5 tau_expt, all parts, warm: {cpu['none']:.2f} s CPU without activation, "
        f"{cpu['arrhenius']:.2f} s with (x{cpu['arrhenius'] / cpu['none']:.2f})"
    )
    glass, hot = _glass(), [10.0, 20.0]
    deep = part_response(glass, hot, tau)
    kept = quadrature.EXACT_ACTIVATED_S_MAX
    quadrature.EXACT_ACTIVATED_S_MAX = 100.0  # type: ignore[misc]
    try:
        cut = part_response(glass, hot, tau)
    finally:
        quadrature.EXACT_ACTIVATED_S_MAX = kept  # type: ignore[misc]
    i = PARTS.index("relaxators")
    print("# activated floor at s = 100 against s = 400, per T (rows) and tau_expt (columns):")
    for label, a, b in (
        ("relaxators C", cut.heat_capacity[i], deep.heat_capacity[i]),
        ("total C", cut.heat_capacity[-1], deep.heat_capacity[-1]),
        ("total K alpha", cut.thermal_stress[-1], deep.thermal_stress[-1]),
    ):
        print(f"  {label:14s} rel. change", np.array2string(a / b - 1, precision=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", action="store_true", help="the speed only")
    parser.add_argument("--activation", action="store_true", help="activation's cost and floor")
    args = parser.parse_args()
    if args.activation:
        activation()
        return
    if not args.speed:
        convergence()
    speed()


if __name__ == "__main__":
    main()
