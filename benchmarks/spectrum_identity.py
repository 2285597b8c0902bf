"""Bit-identity check of dynamics.exact.solver across refactorings.

Solves a few thousand soft potentials spread over every route (METHOD_*) and basis layout of
the solver -- deep and shallow double wells, single wells, t = 0 parity cases, near-degenerate
doublets, type-2 points, same-well doublets -- with ``solve_soft_potential`` (default knobs,
fixed basis size, higher resolution, coarser Magnus step, one and two threads, every forced
route) and ``dynamics.exact.exact_two_level`` with derivatives, and saves every output array.
Run it once on the reference code with ``--save``, then after each change with ``--compare``:

    .venv/bin/python benchmarks/spectrum_identity.py --save /tmp/spectrum_identity.npz
    .venv/bin/python benchmarks/spectrum_identity.py --compare /tmp/spectrum_identity.npz

``--compare`` prints one line per array that differs (np.array_equal, NaN == NaN), the number of
arrays and elements compared, and exits 1 if any differs. It also prints how many potentials
take each layout and route, to show the coverage.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import dynamics.exact.solver as spectrum
from dynamics.exact import exact_two_level
from dynamics.exact.solver import equivalent_point, solve_soft_potential
from dynamics.exact.solver_plan import plan_basis

LAYOUT_NAMES = (
    "sinc single",
    "sinc parity",
    "hermite single",
    "hermite double",
    "mirror",
    "hermite parity",
)


def potentials(seed: int = 20261129) -> tuple[np.ndarray, np.ndarray]:
    """(eta, t) of every family, concatenated. [1]"""
    rng = np.random.default_rng(seed)
    fam = []
    # broad random cloud over the typical range and beyond
    fam.append((rng.uniform(-40.0, 15.0, 1200), rng.uniform(-8.0, 8.0, 1200)))
    # t = 0: parity layouts, mirror layouts of deep wells, eta = 0 exactly (pure quartic)
    e0 = np.concatenate([rng.uniform(-40.0, 15.0, 300), [0.0, -1e-9, 1e-9, -6.0, -35.0]])
    fam.append((e0, np.zeros(e0.size)))
    # near-degenerate and resolved tunnelling doublets: deep wells, small |t| of both signs
    e1 = rng.uniform(-32.0, -4.0, 600)
    t1 = rng.choice([-1.0, 1.0], 600) * 10.0 ** rng.uniform(-9.0, -0.5, 600)
    fam.append((e1, t1))
    # type-2 points: eta = t^2 / 4 + R, t = (48 L)^(1/3) ~ 2..8, small R of both signs
    t2 = rng.uniform(1.5, 8.0, 400)
    r2 = rng.choice([-1.0, 1.0], 400) * 10.0 ** rng.uniform(-6.0, -0.5, 400)
    fam.append((t2 * t2 / 4.0 + r2, t2 * rng.choice([-1.0, 1.0], 400)))
    # equivalent points (2.10) of double wells (the map lands on type-2-like potentials)
    e3 = rng.uniform(-25.0, -2.0, 200)
    t3 = rng.uniform(-3.0, 3.0, 200)
    ep, tp = equivalent_point(e3, t3)
    fam.append((ep, tp))
    # single wells, shallow wells and the edge 9 t^2 = 32 eta where the barrier appears
    e4 = rng.uniform(0.0, 30.0, 300)
    t4 = np.sqrt(32.0 * e4 / 9.0) * rng.uniform(0.0, 1.05, 300)
    fam.append((e4, t4 * rng.choice([-1.0, 1.0], 300)))
    # strongly asymmetric wells: both lowest states in one well
    fam.append((rng.uniform(-30.0, 10.0, 300), rng.uniform(3.0, 10.0, 300)))
    # shallow double wells around the route switches
    fam.append((rng.uniform(-8.0, 0.0, 300), rng.uniform(-1.0, 1.0, 300)))
    eta = np.concatenate([f[0] for f in fam])
    t = np.concatenate([f[1] for f in fam])
    return eta, t


def _spectrum_arrays(prefix: str, res: object, out: dict[str, np.ndarray]) -> None:
    for f in dataclasses.fields(res):  # type: ignore[arg-type]
        out[f"{prefix}.{f.name}"] = np.asarray(getattr(res, f.name))


def run() -> dict[str, np.ndarray]:
    eta, t = potentials()
    out: dict[str, np.ndarray] = {"eta": eta, "t": t}
    _spectrum_arrays("default", solve_soft_potential(eta, t), out)
    _spectrum_arrays("workers1", solve_soft_potential(eta, t, workers=1), out)
    _spectrum_arrays("workers2", solve_soft_potential(eta, t, workers=2), out)
    sub = slice(0, None, 5)
    _spectrum_arrays("small_w1", solve_soft_potential(eta[sub], t[sub], workers=1), out)
    _spectrum_arrays("small_w2", solve_soft_potential(eta[sub], t[sub], workers=2), out)
    _spectrum_arrays("basis40", solve_soft_potential(eta[sub], t[sub], basis_size=40), out)
    _spectrum_arrays("basis9", solve_soft_potential(eta[1::7], t[1::7], basis_size=9), out)
    _spectrum_arrays("res2", solve_soft_potential(eta[2::6], t[2::6], resolution=2.0), out)
    _spectrum_arrays("res06", solve_soft_potential(eta[3::6], t[3::6], resolution=0.6), out)
    _spectrum_arrays("phase03", solve_soft_potential(eta[sub], t[sub], phase_step=0.3), out)
    grid = solve_soft_potential(np.linspace(-20.0, 8.0, 9)[:, None], np.linspace(-3, 3, 7))
    _spectrum_arrays("grid", grid, out)
    for name, force in (
        ("force_direct", spectrum.METHOD_DIRECT),
        ("force_eigen", spectrum.METHOD_EIGEN),
        ("force_localised", spectrum.METHOD_LOCALISED),
    ):
        spectrum._FORCE = force
        try:
            _spectrum_arrays(name, solve_soft_potential(eta[4::4], t[4::4]), out)
        finally:
            spectrum._FORCE = None
    _spectrum_arrays("exact", exact_two_level(eta[::2], t[::2], derivatives=True), out)
    return out


def coverage(eta: np.ndarray, t: np.ndarray, methods: np.ndarray) -> None:
    """Print how many potentials take each layout and route."""
    layout = plan_basis(eta, np.abs(t), None, 1.0).layout
    print("layouts:", {LAYOUT_NAMES[k]: int(np.sum(layout == k)) for k in range(6)})
    print("routes: ", {k: int(np.sum(methods == k)) for k in range(4)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", metavar="FILE")
    mode.add_argument("--compare", metavar="FILE")
    args = parser.parse_args()
    out = run()
    coverage(out["eta"], out["t"], out["default.method"])
    if args.save:
        np.savez(args.save, **out)
        print(f"saved {len(out)} arrays ({sum(a.size for a in out.values())} elements)")
        return 0
    ref = np.load(args.compare)
    bad = sorted(set(ref.files) ^ set(out))
    for key in sorted(set(ref.files) & set(out)):
        a, b = ref[key], out[key]
        same = a.shape == b.shape and a.dtype == b.dtype
        if same:
            same = np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        if not same:
            bad.append(key)
    for key in bad:
        print(f"DIFFERS: {key}")
    n = sum(ref[k].size for k in ref.files)
    print(f"compared {len(ref.files)} arrays, {n} elements: {len(bad)} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
