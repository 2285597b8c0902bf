"""Accuracy of the shipped spectral table against direct solves (docs/tables.md). Prints; run:

    .venv/bin/python benchmarks/bench_table_accuracy.py [--points 300] [--e-min 1e-5]

At random off-node points of the whole default grid (u uniform; s uniform on [0, 1], [0, 20] and
[0, 100]), per sheet: the largest relative difference between the table and the direct solve
(resolution 1, what the direct path uses), and of both against a higher-resolution reference
(resolution 1.6), for E, Delta0, dE/deta (scale |dE/deta| + E), D (scale |D| + E/eta_L) and M
(p >= 1/2 and p < 1/2), over points with E >= --e-min [W].
"""

from __future__ import annotations

import argparse

import numpy as np

from dynamics import default_glass
from dynamics.exact import FD_STEP, exact_couplings, exact_two_level
from dynamics.exact.shipped import shipped_table
from dynamics.exact.tables import DEFAULT_GRID, SHEETS, sheet_potentials, table_two_level
from dynamics.exact.two_level import _with_derivatives


def direct(sheet: int, e_r: np.ndarray, p: np.ndarray, resolution: float):  # type: ignore[no-untyped-def]
    eta, t = sheet_potentials(sheet, e_r, p)
    tls = exact_two_level(eta, t, derivatives=False, resolution=resolution)
    return _with_derivatives(tls, tls.p < 0.5, FD_STEP, resolution)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--e-min", type=float, default=1e-5, help="smallest E [W]")
    args = parser.parse_args()
    glass = default_glass()
    kw = {"c": glass.c, "eta_L": glass.eta_L, "chi": glass.chi}
    table = shipped_table()
    g = DEFAULT_GRID
    for sheet, name in enumerate(SHEETS):
        rng = np.random.default_rng(100 + sheet)
        n, k = args.points, args.points // 3
        u = rng.uniform(g.u_edges[0], g.u_edges[-1], n)
        s = np.concatenate(
            [rng.uniform(0, 1, k), rng.uniform(0, 20, k), rng.uniform(0, g.s_edges[-1], n - 2 * k)]
        )
        e_r, p = np.exp(u), np.exp(-s)
        got, d1, ref = (
            table_two_level(table, sheet, e_r, p),
            direct(sheet, e_r, p, 1.0),
            direct(sheet, e_r, p, 1.6),
        )
        keep = ref.splitting >= args.e_min
        mixed = ref.p >= 0.5
        (d_a, m_a), (d_1, m_1), (d_r, m_r) = (exact_couplings(x, **kw) for x in (got, d1, ref))
        print(f"{name}: {keep.sum()} points with E >= {args.e_min:g} W")
        rows = {
            "E": (got.splitting, d1.splitting, ref.splitting, ref.splitting, keep),
            "Delta0": (
                got.tunnel_splitting,
                d1.tunnel_splitting,
                ref.tunnel_splitting,
                ref.tunnel_splitting,
                keep,
            ),
            "dE/deta": (
                got.dE_deta,
                d1.dE_deta,
                ref.dE_deta,
                np.abs(ref.dE_deta) + ref.splitting,
                keep,
            ),
            "D": (d_a, d_1, d_r, np.abs(d_r) + ref.splitting / glass.eta_L, keep),
            "M, p>=1/2": (m_a, m_1, m_r, m_r, keep & mixed),
            "M, p<1/2": (m_a, m_1, m_r, m_r, keep & ~mixed),
        }
        for label, (a, b, r, scale, where) in rows.items():
            if where.any():
                print(
                    f"   {label:10s} table-direct {_worst(a, b, scale, where):.1e}   "
                    f"table-reference {_worst(a, r, scale, where):.1e}   "
                    f"direct-reference {_worst(b, r, scale, where):.1e}"
                )


def _worst(a: np.ndarray, b: np.ndarray, scale: np.ndarray, where: np.ndarray) -> float:
    return float(np.max((np.abs(a - b) / np.abs(scale))[where]))


if __name__ == "__main__":
    main()
