"""The spectral tables: the shipped table is current, intact and accurate, tables are built
purely from their grid, and nothing is built or stored at run time.

Independent reference: the direct spectrum solve of every queried potential
(:func:`dynamics.exact.exact_two_level`), and the exact ensemble built from direct solves. The
shipped table is read as the package does (:func:`dynamics.exact.shipped.shipped_table`); tests
that build use a tiny grid (a few hundred spectra).

Regenerate the shipped table on purpose (tests/tables.py)::

    TLS_EXPANSION_REGENERATE_TABLES=1 .venv/bin/python -m pytest -n 0 tests/test_tables.py
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tables import REGENERATE_COMMAND, REGENERATE_VARIABLE, regenerate, table_path

from dynamics.ensemble import Resolution
from dynamics.exact import FD_STEP, exact_couplings, exact_two_level
from dynamics.exact.bins import build_exact_ensemble
from dynamics.exact.shipped import (
    SHIPPED_TABLES,
    _read_shipped,
    keep_table,
    read_table,
    shipped_table,
    spectral_table,
    table_arrays,
)
from dynamics.exact.tables import (
    DEFAULT_GRID,
    SHEETS,
    SOLVER_MODULES,
    TableGrid,
    build_table,
    sheet_potentials,
    table_key,
    table_two_level,
)
from dynamics.exact.two_level import _with_derivatives
from dynamics.presets import default_glass
from dynamics.validation import PackageDataError, ParameterError

ROOT = Path(__file__).resolve().parent.parent
GLASS = default_glass()
TINY = TableGrid(u_edges=(-9.0, -8.0), s_edges=(0.0, 1.0, 3.0), nodes=4)


@pytest.fixture(scope="module", autouse=True)
def regenerated() -> None:
    """With ``TLS_EXPANSION_REGENERATE_TABLES=1`` (and only then) the shipped tables are rebuilt
    from the code as it is, before the tests below read them."""
    if os.environ.get(REGENERATE_VARIABLE) == "1":
        for name in SHIPPED_TABLES:
            regenerate(name)
        _read_shipped.cache_clear()


# --------------------------------------------------------------------------------------------
# the shipped table: current and intact
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SHIPPED_TABLES))
def test_shipped_table_is_current(name: str) -> None:
    """The key stored in the file is the key of the code as it is: the solver, the functions
    that place, solve and encode the nodes, the grid and the layout. A change to any of them
    makes the table stale, and this test names the command that regenerates it."""
    entry = SHIPPED_TABLES[name]
    with table_path(name).open("rb") as handle:
        _, meta = read_table(handle, name, entry.grid)
    assert meta["key"] == table_key(entry.grid), (
        f"the shipped table {entry.file} is stale (the code that makes it has changed): "
        f"regenerate it with  {REGENERATE_COMMAND}  and review the change"
    )


@pytest.mark.parametrize("name", sorted(SHIPPED_TABLES))
def test_shipped_table_is_the_packaged_file_and_small(name: str) -> None:
    """The package reads the file of this checkout (importlib.resources), float64, of the grid's
    shape; a few MB, so that the wheel stays far below 25 MB with a second table."""
    entry = SHIPPED_TABLES[name]
    table = shipped_table(name)
    assert Path(str(entry.resource())) == table_path(name)
    assert table.values.dtype == np.float64 and table.grid == entry.grid
    assert table.values.shape == (3, 9, entry.grid.u_nodes.size, entry.grid.s_nodes.size)
    assert table_path(name).stat().st_size < 5e6
    assert shipped_table(name) is table  # read and verified once per process


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_table_is_one_clear_error(damage: str) -> None:
    """A truncated file, a changed byte inside the table (checksum) or an empty file: one line
    naming the file and saying to reinstall, never a wrong table."""
    raw = bytearray(table_path("two_level").read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw = _flip_inside_values(raw)
    else:
        raw = bytearray()
    with pytest.raises(PackageDataError, match=r"copy\.npz is damaged .*reinstall") as caught:
        read_table(io.BytesIO(bytes(raw)), "copy.npz", DEFAULT_GRID)
    assert "\n" not in str(caught.value)


def _flip_inside_values(raw: bytearray) -> bytearray:
    """The file with one byte of the stored table changed, written again so that it still reads
    as a zip (only the checksum can tell)."""
    with np.load(io.BytesIO(bytes(raw))) as data:
        arrays = {k: np.array(data[k]) for k in data.files}
    arrays["values"].view(np.uint8).reshape(-1)[1000] ^= 0xFF
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return bytearray(out.getvalue())


def test_a_table_of_another_grid_is_refused() -> None:
    table = build_table(TINY)
    out = io.BytesIO()
    np.savez_compressed(out, **table_arrays(table, table_key(TINY)))
    out.seek(0)
    with pytest.raises(PackageDataError, match="another grid"):
        read_table(out, "tiny.npz", DEFAULT_GRID)


# --------------------------------------------------------------------------------------------
# the key
# --------------------------------------------------------------------------------------------


def test_key_covers_every_module_of_the_solver() -> None:
    # a change to any file of the solver must change the key (else a stale table is used):
    # every dynamics module the solver's modules import is counted, but for threads and input
    # checks, which change no value
    import ast

    value_free = {"dynamics.parallel", "dynamics.validation"}
    for name in SOLVER_MODULES:
        tree = ast.parse((ROOT / (name.replace(".", "/") + ".py")).read_text())
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("dynamics")
        }
        assert imported - value_free <= set(SOLVER_MODULES), (name, imported)


def test_key_changes_with_the_grid_and_the_code_not_with_docstrings() -> None:
    from dynamics.exact.source_key import source_digest

    assert table_key(dataclasses.replace(TINY, nodes=5)) != table_key(TINY)
    assert table_key(dataclasses.replace(DEFAULT_GRID, spectrum_resolution=1.5)) != table_key(
        DEFAULT_GRID
    )
    code = 'def f(x):\n    """Doc."""\n    return 2 * x  # twice\n'
    same = "def f(x):\n\n    return 2*x\n"
    assert source_digest(code) == source_digest(same)
    assert source_digest(code) != source_digest(code.replace("2 * x", "3 * x"))
    assert source_digest(code + "\ng = 1\n", ["f"]) == source_digest(code, ["f"])
    with pytest.raises(KeyError, match="h"):
        source_digest(code, ["h"])


_OTHER_PYTHONS = [
    p
    for p in (Path(f"/root/.pyenv/versions/{v}/bin/python") for v in ("3.12.1", "3.13.0"))
    if p.exists()
]


@pytest.mark.skipif(not _OTHER_PYTHONS, reason="no other Python version on this machine")
def test_key_is_the_same_on_other_python_versions() -> None:
    """The digest of every module of dynamics/ under this Python equals the one under 3.12 and
    3.13 (the bytecode and ast.dump both differ between them: a shipped table must not look
    stale because the user's Python is newer). source_key uses the standard library only."""
    script = (
        "import runpy, sys, pathlib\n"
        "digest = runpy.run_path(sys.argv[1])['source_digest']\n"
        "for f in sorted(pathlib.Path(sys.argv[2]).rglob('*.py')):\n"
        "    print(f.relative_to(sys.argv[2]), digest(f.read_text()))\n"
    )
    args = [script, str(ROOT / "dynamics" / "exact" / "source_key.py"), str(ROOT / "dynamics")]
    here = subprocess.run([sys.executable, "-c", *args], capture_output=True, text=True)
    assert here.returncode == 0 and here.stdout.count("\n") > 20, here.stderr
    for python in _OTHER_PYTHONS:
        there = subprocess.run([str(python), "-I", "-c", *args], capture_output=True, text=True)
        assert there.returncode == 0, there.stderr
        assert there.stdout == here.stdout, python


# --------------------------------------------------------------------------------------------
# building (tiny grid) and tables kept in memory
# --------------------------------------------------------------------------------------------


def test_build_is_pure_and_reports_progress() -> None:
    """The same grid gives the same table, bit for bit; progress rises to 1."""
    fractions: list[float] = []
    first = build_table(TINY, progress=fractions.append)
    again = build_table(TINY)
    assert np.array_equal(first.values, again.values, equal_nan=True)
    assert fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert not first.values.flags.writeable


def test_another_grid_is_built_once_per_process_and_can_be_given() -> None:
    """A grid no file ships is built on first use (with progress) and kept; a table given to
    keep_table (as a sweep's worker receives it) is used as it is."""
    grid = dataclasses.replace(TINY, nodes=3)
    fractions: list[float] = []
    built = spectral_table(grid, fractions.append)
    assert fractions and fractions[-1] == 1.0
    again: list[float] = []
    assert spectral_table(grid, again.append) is built and again == []
    given = build_table(dataclasses.replace(TINY, nodes=5))
    keep_table(given)
    assert spectral_table(given.grid) is given
    assert spectral_table(DEFAULT_GRID) is shipped_table()


def test_bad_grids_raise() -> None:
    with pytest.raises(ParameterError, match="u_edges"):
        TableGrid(u_edges=(-3.0, 0.0))
    with pytest.raises(ParameterError, match="s_edges"):
        TableGrid(s_edges=(1.0, 2.0))
    with pytest.raises(ParameterError, match="nodes"):
        TableGrid(nodes=2)


# --------------------------------------------------------------------------------------------
# accuracy of the shipped table against direct solves
# --------------------------------------------------------------------------------------------


def _direct(sheet: int, energy_ratio: np.ndarray, p: np.ndarray):  # type: ignore[no-untyped-def]
    eta, t = sheet_potentials(sheet, energy_ratio, p)
    tls = exact_two_level(eta, t, derivatives=False)
    return _with_derivatives(tls, tls.p < 0.5, FD_STEP, 1.0)


def _random_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Points over the whole default grid: u uniform; s uniform on [0, 1] (p ~ 1), on [0, 20]
    (where exact p crosses from ~1 to ~0), on [0, 100] and on [100, 400] (the deep wells that
    only activation relaxes)."""
    g = DEFAULT_GRID
    u = rng.uniform(g.u_edges[0], g.u_edges[-1], n)
    k = n // 4
    s = np.concatenate(
        [
            rng.uniform(0, 1, k),
            rng.uniform(0, 20, k),
            rng.uniform(0, 100, k),
            rng.uniform(100, g.s_edges[-1], n - 3 * k),
        ]
    )
    return np.exp(u), np.exp(-s)


#: Smallest splitting of the accuracy tests [W]: E/k_BT = 0.1 at k_BT = 1e-4 W. Below it the
#: direct solve itself is no longer accurate to 1e-6 (Delta to ~1e-13 |E_0| W absolute, the
#: Hellmann-Feynman differences to ~1e-10; docs/tables.md).
E_MIN = 1e-5
#: Below this splitting [W], for nearly symmetric doublets (p > 0.99), the Hellmann-Feynman
#: differences of the direct solves carry 1e-7 to 1e-4 relative noise (measured against
#: resolution 1.6), which the interpolant spreads over its panel: tolerance 3e-5 there.
E_HF = 1e-4


@pytest.mark.parametrize("sheet", range(len(SHEETS)))
def test_table_values_match_direct_solves(sheet: int) -> None:
    """E, Delta0, Delta, p and the Hellmann-Feynman elements at 150 random off-node points of
    the whole grid with E >= E_MIN, against direct solves of the same potentials. Tolerance
    1e-6 relative (the issue's target; measured ~3e-8 for E, Delta0; docs/tables.md), except
    the HF elements of nearly symmetric doublets below E_HF (3e-5, see E_HF). dE/deta crosses
    zero where its two terms (Delta dDelta and Delta0 dDelta0) cancel, so its error is measured
    against their scale E (dE/deta = E x O(1)); Delta against max(|Delta|, 1e-13 max(1, E_0))
    (the solver's absolute accuracy of Delta, docs/spectrum.md; E_0 ~ eta^2/4)."""
    table = shipped_table()
    e_r, p = _random_points(np.random.default_rng(12 + sheet), 150)
    got = table_two_level(table, sheet, e_r, p)
    ref = _direct(sheet, e_r, p)
    assert np.all(got.method == -1)  # all interpolated: the points are on the grid
    keep = ref.splitting >= E_MIN
    assert keep.sum() >= 60

    def rel(a: np.ndarray, b: np.ndarray, scale: np.ndarray, where: np.ndarray = keep) -> float:
        return float(np.max((np.abs(a - b) / scale)[where]))

    assert rel(got.splitting, ref.splitting, ref.splitting) < 1e-6
    assert rel(got.tunnel_splitting, ref.tunnel_splitting, ref.tunnel_splitting) < 1e-6
    floor = 1e-13 * np.maximum(1.0, ref.eta**2 / 4)
    assert rel(got.asymmetry, ref.asymmetry, np.maximum(np.abs(ref.asymmetry), floor)) < 1e-6
    assert rel(got.p, ref.p, ref.p) < 2e-6  # p = (Delta0/E)^2: twice the error of Delta0/E
    noisy = keep & (ref.splitting < E_HF) & (ref.p > 0.99)
    for name in ("dE_deta", "dE_dt"):
        a, b = getattr(got, name), getattr(ref, name)
        scale = np.abs(b) + ref.splitting
        assert rel(a, b, scale, keep & ~noisy) < 1e-6, name
        if noisy.any():
            assert rel(a, b, scale, noisy) < 3e-5, name


@pytest.mark.parametrize("sheet", range(len(SHEETS)))
def test_table_couplings_match_direct_solves(sheet: int) -> None:
    """The full deformation potential D and the phonon coupling M of the default glass at 150
    random off-node points with E >= E_MIN, against direct solves. D within 1e-6 of |D| +
    E/eta_L (its two terms cancel near the even-odd balance; E/eta_L is the scale of each,
    (4.4)), 3e-5 for nearly symmetric doublets below E_HF (see there); M within 1e-6 relative
    (measured: 6e-8 where p >= 1/2, 3e-7 where p < 1/2, where M uses forward differences of
    ln Delta0 whose direct values carry ~1e-8 noise)."""
    table = shipped_table()
    e_r, p = _random_points(np.random.default_rng(40 + sheet), 150)
    got = table_two_level(table, sheet, e_r, p)
    ref = _direct(sheet, e_r, p)
    keep = ref.splitting >= E_MIN
    noisy = keep & (ref.splitting < E_HF) & (ref.p > 0.99)
    kw = {"c": GLASS.c, "eta_L": GLASS.eta_L, "chi": GLASS.chi}
    d_got, m_got = exact_couplings(got, **kw)
    d_ref, m_ref = exact_couplings(ref, **kw)
    d_err = np.abs(d_got - d_ref) / (np.abs(d_ref) + ref.splitting / GLASS.eta_L)
    assert np.max(d_err[keep & ~noisy]) < 1e-6
    if noisy.any():
        assert np.max(d_err[noisy]) < 3e-5
    assert np.max((np.abs(m_got - m_ref) / m_ref)[keep]) < 1e-6


def test_wide_table_matches_direct_solves() -> None:
    """The wide table beyond W/e (type-1 sheet, E_a up to 4.5 W, sheared in s' = 2(L_a - 1), to
    s' = 400):
    E, Delta0, p, dE/deta, dE/dt and D, M at 300 random off-node points against direct solves.
    Tolerances 1e-6 (E, Delta0), 1e-5 (p, the HF elements), 3e-5 (D, M): measured at most
    6e-8 (E), 2e-6 (p, dE/deta, dE/dt, ln Delta0) and 1.1e-5 (D) with these panels; the first
    s' panels are narrow because the shallowest double wells (L_a ~ 1) vary fastest there."""
    table = shipped_table("two_level_wide")
    rng = np.random.default_rng(5)
    n = 300
    u = rng.uniform(-1.0, 1.5, n)
    k = n // 3
    s_prime = np.concatenate(
        [rng.uniform(0, 1, k), rng.uniform(0, 100, k), rng.uniform(100, 400, n - 2 * k)]
    )
    e_r, p = np.exp(u), np.exp(-(s_prime + 2 * (u + 1)))
    got = table_two_level(table, 0, e_r, p)
    ref = _direct(0, e_r, p)
    assert np.all(got.method == -1)
    for name, tol in (("splitting", 1e-6), ("tunnel_splitting", 1e-6), ("p", 1e-5)):
        a, b = getattr(got, name), getattr(ref, name)
        assert np.max(np.abs(a / b - 1)) < tol, name
    for name in ("dE_deta", "dE_dt"):
        a, b = getattr(got, name), getattr(ref, name)
        assert np.max(np.abs(a - b) / (np.abs(b) + ref.splitting)) < 1e-5, name
    kw = {"c": GLASS.c, "eta_L": GLASS.eta_L, "chi": GLASS.chi}
    d_got, m_got = exact_couplings(got, **kw)
    d_ref, m_ref = exact_couplings(ref, **kw)
    # D: measured 1.1e-5 (its two terms, from dE/deta and dE/dt, each carry 2e-6)
    assert np.max(np.abs(d_got - d_ref) / (np.abs(d_ref) + ref.splitting / GLASS.eta_L)) < 3e-5
    # M: 3e-5 where p >= 1/2 (eigenstates' elements); below, M is the two-level identity
    # (Delta0 dDelta - Delta dDelta0)/2E whose terms cancel in a few doublets near E ~ 5 W
    # (measured 4e-4 at two of 300 points, with dln Delta0/deta near a zero): 1e-3
    m_err = np.abs(m_got / m_ref - 1)
    mixed = ref.p >= 0.5
    assert np.max(m_err[mixed]) < 3e-5 and np.max(m_err[~mixed]) < 1e-3


def test_points_off_the_grid_are_solved_directly() -> None:
    """Below the grid's lowest energy and beyond its largest s the values are direct solves
    (method >= 0), identical to exact_two_level with its forward differences."""
    table = shipped_table()
    e_r = np.array([1e-11, 1e-5, 1e-5])
    p = np.array([0.5, np.exp(-420.0), 0.3])  # s = 420 beyond the grid's 400
    got = table_two_level(table, 0, e_r, p)
    ref = _direct(0, e_r, p)
    assert np.all(got.method[:2] >= 0) and got.method[2] == -1
    for name in ("splitting", "tunnel_splitting", "dE_deta", "dlnD0_deta"):
        assert np.array_equal(getattr(got, name)[:2], getattr(ref, name)[:2], equal_nan=True)


COARSE = Resolution(energy_nodes=4, p_nodes=4, p_panel_decades=3.0, energy_panel_decades=1.5)


@pytest.mark.parametrize("temperature", [0.1, 0.3, 1.0])
def test_gamma_from_table_ensemble_matches_direct_ensemble(temperature: float) -> None:
    """Γ(τ_expt) (with C(τ) and C(∞)) from the table-built exact ensemble against the ensemble of
    direct solves, at a coarse quadrature (the same nodes for both, so only the two-level values
    differ). Tolerance 1e-4 relative (the issue's target; the two-level values agree to ~1e-7,
    magnified by the cancellation in Γ, docs/exact.md)."""
    from protocols.run import gruneisen_vs_tau

    tau = [1e-8, 1.0, 1e5]
    a = gruneisen_vs_tau(GLASS, [temperature], tau_expt=tau, resolution=COARSE)
    direct = GLASS.replace(spectrum_source="direct")
    d = gruneisen_vs_tau(direct, [temperature], tau_expt=tau, resolution=COARSE)
    for name in ("gruneisen", "gruneisen_equilibrium"):
        np.testing.assert_allclose(a[name].values, d[name].values, rtol=1e-4, atol=0)


def test_table_and_direct_ensembles_have_the_same_bins() -> None:
    """The table changes only the two-level values: the same bins survive the energy window
    (up to bins within ~1e-7 of its edges), with energies within 1e-6."""
    table_ens = build_exact_ensemble(GLASS, 0.3, 0.3, 1e5, COARSE)
    direct = build_exact_ensemble(GLASS.replace(spectrum_source="direct"), 0.3, 0.3, 1e5, COARSE)
    assert abs(table_ens.size - direct.size) <= 2
    if table_ens.size == direct.size:
        np.testing.assert_allclose(table_ens.energy, direct.energy, rtol=1e-6)
        np.testing.assert_allclose(table_ens.p, direct.p, rtol=2e-6)


def test_spectrum_source_is_validated_and_recorded() -> None:
    with pytest.raises(ParameterError, match="spectrum_source"):
        GLASS.replace(spectrum_source="atlas")
    assert GLASS.to_dict()["spectrum_source"] == "table"


# --------------------------------------------------------------------------------------------
# exact spectra by default, from the first run
# --------------------------------------------------------------------------------------------


def test_presets_are_exact_by_default_and_asymptotic_on_request() -> None:
    from dynamics.glass import Glass, TunnellingGlass
    from dynamics.presets import get_glass

    assert default_glass().spectrum == "exact"
    assert default_glass().spectrum_label == "exact spectra"
    paper = default_glass(spectrum="asymptotic")
    assert type(paper) is Glass and paper.spectrum_label.startswith("asymptotic")
    assert isinstance(get_glass("stm-silica"), TunnellingGlass)  # no soft potentials
    with pytest.raises(ParameterError, match="spectrum"):
        get_glass("silica", spectrum="numerical")


@pytest.mark.parametrize("spectrum", [None, "asymptotic"])
def test_cli_gamma_is_exact_by_default(tmp_path: Path, spectrum: str | None) -> None:
    """``tls-expansion gamma`` on exact spectra unless --spectrum asymptotic: the dataset's
    glass, title and the printed summary say which."""
    import xarray as xr

    from protocols.cli import main

    out = tmp_path / "g.nc"
    argv = ["gamma", "--temperature", "0.3", "--tau-expt-per-decade", "1", "--no-plot"]
    argv += ["--out", str(out)] + (["--spectrum", spectrum] if spectrum else [])
    assert main(argv) == 0
    with xr.open_dataset(out) as ds:
        spectrum_of_glass = json.loads(ds.attrs["glass"])["spectrum"]
        title = ds.attrs["title"]
    if spectrum is None:
        assert spectrum_of_glass == "exact" and "exact spectra" in title
    else:
        assert spectrum_of_glass != "exact" and "asymptotic spectra" in title


def test_a_first_exact_run_builds_and_writes_nothing_outside_its_output(tmp_path: Path) -> None:
    """A newcomer's first command on exact spectra, in a fresh process whose home and caches
    are empty directories: it succeeds, and afterwards home is still empty (no table built,
    no cache written; matplotlib's own font cache is pointed elsewhere)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "MPLCONFIGDIR": str(tmp_path / "matplotlib"),
    }
    out = tmp_path / "out" / "g.nc"
    argv = ["gamma", "--temperature", "0.3", "--tau-expt-per-decade", "1", "--no-plot"]
    code = "import sys; from protocols.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, *argv, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert out.exists()
    assert list(home.rglob("*")) == []


def test_cli_tables_commands(capsys: pytest.CaptureFixture[str]) -> None:
    from protocols.cli import main

    assert main(["tables", "info"]) == 0
    text = capsys.readouterr().out
    assert str(table_path("two_level")) in text
    assert "status: intact (checksum verified), current" in text
    assert main(["tables", "check", "--points", "6"]) == 0
    assert "within the tolerance 1e-6" in capsys.readouterr().out
