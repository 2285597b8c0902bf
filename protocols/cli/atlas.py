"""``tls-expansion atlas build|info|path``: the spectral atlas of exact ensembles
(:mod:`dynamics.exact.tables`, stored by :mod:`dynamics.atlas_store`)."""

from __future__ import annotations

import argparse
import time
from typing import Any

__all__ = ["add_atlas_command"]


def add_atlas_command(subparsers: Any) -> None:
    """Register ``tls-expansion atlas`` on the sub-command parsers of the CLI."""
    at = subparsers.add_parser(
        "atlas",
        help="the spectral atlas of exact spectra: build it ahead of time, show where it is",
        description="Exact-spectrum ensembles interpolate a table of exact two-level values "
        "(docs/atlas.md), built once per machine (~1 min on 2 cores) and stored in the user's "
        "cache directory ($TLS_EXPANSION_CACHE overrides it).",
    )
    action = at.add_subparsers(dest="atlas_action", required=True)
    build = action.add_parser("build", help="build and store the atlas now (if not stored)")
    build.add_argument(
        "--force", action="store_true", help="rebuild even if a valid atlas is stored"
    )
    build.set_defaults(func=_cmd_build)
    info = action.add_parser("info", help="where the atlas is, whether it is valid, its size")
    info.set_defaults(func=_cmd_info)
    path = action.add_parser("path", help="print the path of the atlas file")
    path.set_defaults(func=_cmd_path)


def _cmd_build(args: argparse.Namespace) -> int:
    from dynamics.atlas_store import atlas_path, default_atlas, load_atlas
    from dynamics.exact.tables import DEFAULT_GRID

    path = atlas_path()
    if args.force:
        path.unlink(missing_ok=True)
    else:
        try:
            load_atlas(path, DEFAULT_GRID)
        except ValueError:
            pass
        else:
            print(f"atlas already built: {path}")
            return 0
    start = time.perf_counter()
    atlas = default_atlas()
    where = path if atlas.origin != "memory" else "(memory only: cache not writable)"
    print(f"atlas {atlas.origin} in {time.perf_counter() - start:.1f} s: {where}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from dynamics.atlas_store import atlas_path, cache_dir, load_atlas
    from dynamics.exact.tables import DEFAULT_GRID, SHEETS, atlas_key

    path = atlas_path()
    print(f"cache directory: {cache_dir()}")
    print(f"file:            {path}")
    print(f"key:             {atlas_key(DEFAULT_GRID)}")
    g = DEFAULT_GRID
    print(
        f"grid:            u = ln(E_a/W) in [{g.u_edges[0]}, {g.u_edges[-1]}], "
        f"s = -ln p_a in [0, {g.s_edges[-1]}], {g.nodes}x{g.nodes} nodes per panel, "
        f"{g.size} nodes x {len(SHEETS)} sheets"
    )
    if not path.exists():
        print("status:          not built (it is built on first use, or by 'atlas build')")
        return 0
    try:
        atlas = load_atlas(path, DEFAULT_GRID)
    except ValueError as exc:
        print(f"status:          invalid, will be rebuilt on first use ({exc})")
        return 0
    size = path.stat().st_size
    table = atlas.nbytes / 1e6
    print(f"status:          valid, {size / 1e6:.1f} MB on disk ({table:.1f} MB table)")
    return 0


def _cmd_path(args: argparse.Namespace) -> int:
    from dynamics.atlas_store import atlas_path

    print(atlas_path())
    return 0


def add_command(sub: Any) -> None:
    """Register ``tls-expansion atlas`` on the sub-command parsers of the CLI."""
    add_atlas_command(sub)
