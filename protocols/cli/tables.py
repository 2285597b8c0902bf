"""``tls-expansion tables info|check``: the spectral tables shipped with the package
(:mod:`dynamics.exact.shipped`, docs/tables.md)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_command"]


def add_command(sub: Any) -> None:
    """Register ``tls-expansion tables`` on the sub-command parsers of the CLI."""
    tb = sub.add_parser(
        "tables",
        help="the spectral tables shipped with the package: where, whether current and intact",
        description="Exact-spectrum ensembles interpolate tables of exact two-level values "
        "that ship with the package (docs/tables.md); nothing is built or stored at run time.",
    )
    action = tb.add_subparsers(dest="tables_action", required=True)
    info = action.add_parser("info", help="where each table is, its key, size and status")
    info.set_defaults(func=_cmd_info)
    check = action.add_parser(
        "check", help="compare the shipped table with direct solves at random points"
    )
    check.add_argument(
        "--points", type=int, default=20, metavar="N", help="random points per sheet (default 20)"
    )
    check.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    check.set_defaults(func=_cmd_check)


def _cmd_info(args: argparse.Namespace) -> int:
    from dynamics.exact.shipped import SHIPPED_TABLES, read_table
    from dynamics.exact.tables import SHEETS, table_key

    for name, entry in SHIPPED_TABLES.items():
        resource = entry.resource()
        with resource.open("rb") as handle:  # a damaged file: one line, exit 2
            table, meta = read_table(handle, str(resource), entry.grid)
        size = len(resource.read_bytes())
        current = meta["key"] == table_key(entry.grid)
        g = entry.grid
        print(f"{name}: {resource}")
        print(f"    size:   {size / 1e6:.1f} MB on disk, {table.nbytes / 1e6:.1f} MB of float64")
        print(
            f"    grid:   u = ln(E_a/W) in [{g.u_edges[0]}, {g.u_edges[-1]}], s = -ln p_a in "
            f"[0, {g.s_edges[-1]}], {g.nodes}x{g.nodes} nodes per panel, {g.size} nodes x "
            f"{len(SHEETS)} sheets, solver resolution {g.spectrum_resolution:g}"
        )
        print(f"    key:    {meta['key']}")
        status = (
            "intact (checksum verified), current (made by this code)"
            if current
            else "intact, but STALE: the code that makes it has changed since; regenerate it "
            "(tests/tables.py)"
        )
        print(f"    status: {status}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    """The largest relative differences of E, Delta0 and p between the shipped table and direct
    solves at random points of its grid with E >= 1e-5 W; exit status 1 above 1e-6."""
    import numpy as np

    from dynamics.exact.shipped import shipped_table
    from dynamics.exact.tables import SHEETS, direct_two_level, sheet_potentials, table_two_level

    table = shipped_table()
    g = table.grid
    rng = np.random.default_rng(args.seed)
    worst = 0.0
    for sheet, label in enumerate(SHEETS):
        e_r = np.exp(rng.uniform(g.u_edges[0], g.u_edges[-1], args.points))
        p = np.exp(-rng.uniform(0.0, g.s_edges[-1], args.points))
        got = table_two_level(table, sheet, e_r, p)
        ref = direct_two_level(*sheet_potentials(sheet, e_r, p), g.spectrum_resolution)
        keep = ref.splitting >= 1e-5
        errors = {
            name: float(np.max(np.abs(getattr(got, name) / getattr(ref, name) - 1)[keep]))
            for name in ("splitting", "tunnel_splitting", "p")
        }
        worst = max(worst, *errors.values())
        text = ", ".join(f"{k} {v:.1e}" for k, v in errors.items())
        print(f"{label}: {int(keep.sum())} points, largest relative differences: {text}")
    verdict = "within" if worst <= 1e-6 else "ABOVE"
    print(f"{verdict} the tolerance 1e-6 (docs/tables.md)")
    return 0 if worst <= 1e-6 else 1
