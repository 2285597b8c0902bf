"""The spectral atlas: interpolated exact two-level values against direct solves, Γ of
atlas-built ensembles against direct ones, and the storage (versioned, checksummed, locked,
read-only caches, dask workers).

Independent reference: the direct spectrum solve of every queried potential
(:func:`dynamics.exact.exact_two_level`), and the exact ensemble built from direct solves.
Storage tests use a tiny grid (a few hundred spectra) in their own directories; accuracy tests
use the default atlas, built once per test session in the session's cache (conftest).
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import dynamics.atlas_store as store
from dynamics.atlas import DEFAULT_GRID, SHEETS, AtlasGrid, atlas_two_level, sheet_potentials
from dynamics.atlas_store import AtlasWarning, atlas_path, default_atlas, load_atlas
from dynamics.ensemble import Resolution
from dynamics.exact import (
    FD_STEP,
    ExactGlass,
    _with_derivatives,
    exact_couplings,
    exact_two_level,
)
from dynamics.exact_ensemble import build_exact_ensemble
from dynamics.presets import default_glass
from dynamics.validation import ParameterError

GLASS = default_glass()
TINY = AtlasGrid(u_edges=(-9.0, -8.0), s_edges=(0.0, 1.0, 3.0), nodes=4)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No atlas in this process's memory: every call goes to the directory."""
    monkeypatch.setattr(store, "_LOADED", {})


def _direct(sheet: int, energy_ratio: np.ndarray, p: np.ndarray):
    eta, t = sheet_potentials(sheet, energy_ratio, p)
    tls = exact_two_level(eta, t, derivatives=False)
    return _with_derivatives(tls, tls.p < 0.5, FD_STEP, 1.0)


def _random_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Points over the whole default grid: u uniform; s uniform on [0, 1] (p ~ 1), on [0, 20]
    (where exact p crosses from ~1 to ~0) and on [0, 100]."""
    g = DEFAULT_GRID
    u = rng.uniform(g.u_edges[0], g.u_edges[-1], n)
    k = n // 3
    s = np.concatenate(
        [rng.uniform(0, 1, k), rng.uniform(0, 20, k), rng.uniform(0, g.s_edges[-1], n - 2 * k)]
    )
    return np.exp(u), np.exp(-s)


# --------------------------------------------------------------------------------------------
# accuracy (default atlas, built once per session)
# --------------------------------------------------------------------------------------------


#: Smallest splitting of the accuracy tests [W]: E/k_BT = 0.1 at k_BT = 1e-4 W. Below it the
#: direct solve itself is no longer accurate to 1e-6 (Delta to ~1e-13 |E_0| W absolute, the
#: Hellmann-Feynman differences to ~1e-10; docs/atlas.md).
E_MIN = 1e-5
#: Below this splitting [W], for nearly symmetric doublets (p > 0.99), the Hellmann-Feynman
#: differences of the direct solves carry 1e-7 to 1e-4 relative noise (measured against
#: resolution 1.6), which the interpolant spreads over its panel: tolerance 3e-5 there.
E_HF = 1e-4


@pytest.mark.parametrize("sheet", range(len(SHEETS)))
def test_atlas_values_match_direct_solves(sheet: int) -> None:
    """E, Delta0, Delta, p and the Hellmann-Feynman elements at 150 random off-node points of
    the whole grid with E >= E_MIN, against direct solves of the same potentials. Tolerance
    1e-6 relative (the issue's target; measured ~3e-8 for E, Delta0; docs/atlas.md), except
    the HF elements of nearly symmetric doublets below E_HF (3e-5, see E_HF). dE/deta crosses
    zero where its two terms (Delta dDelta and Delta0 dDelta0) cancel, so its error is measured
    against their scale E (dE/deta = E x O(1)); Delta against max(|Delta|, 1e-13 max(1, E_0))
    (the solver's absolute accuracy of Delta, docs/spectrum.md; E_0 ~ eta^2/4)."""
    atlas = default_atlas()
    e_r, p = _random_points(np.random.default_rng(12 + sheet), 150)
    got = atlas_two_level(atlas, sheet, e_r, p)
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
def test_atlas_couplings_match_direct_solves(sheet: int) -> None:
    """The full deformation potential D and the phonon coupling M of the default glass at 150
    random off-node points with E >= E_MIN, against direct solves. D within 1e-6 of |D| +
    E/eta_L (its two terms cancel near the even-odd balance; E/eta_L is the scale of each,
    (4.4)), 3e-5 for nearly symmetric doublets below E_HF (see there); M within 1e-6 relative
    (measured: 6e-8 where p >= 1/2, 3e-7 where p < 1/2, where M uses forward differences of
    ln Delta0 whose direct values carry ~1e-8 noise)."""
    atlas = default_atlas()
    e_r, p = _random_points(np.random.default_rng(40 + sheet), 150)
    got = atlas_two_level(atlas, sheet, e_r, p)
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


def test_points_off_the_grid_are_solved_directly() -> None:
    """Below the grid's lowest energy and beyond its largest s the values are direct solves
    (method >= 0), identical to exact_two_level with its forward differences."""
    atlas = default_atlas()
    e_r = np.array([1e-11, 1e-5, 1e-5])
    p = np.array([0.5, np.exp(-120.0), 0.3])
    got = atlas_two_level(atlas, 0, e_r, p)
    ref = _direct(0, e_r, p)
    assert np.all(got.method[:2] >= 0) and got.method[2] == -1
    for name in ("splitting", "tunnel_splitting", "dE_deta", "dlnD0_deta"):
        assert np.array_equal(getattr(got, name)[:2], getattr(ref, name)[:2], equal_nan=True)


COARSE = Resolution(energy_nodes=4, p_nodes=4, p_panel_decades=3.0, energy_panel_decades=1.5)


@pytest.mark.parametrize("temperature", [0.1, 0.3, 1.0])
def test_gamma_from_atlas_ensemble_matches_direct_ensemble(temperature: float) -> None:
    """Γ(τ_expt) (with C(τ) and C(∞)) from the atlas-built exact ensemble against the ensemble of
    direct solves, at a coarse quadrature (the same nodes for both, so only the two-level values
    differ). Tolerance 1e-4 relative (the issue's target; the two-level values agree to ~1e-7,
    magnified by the cancellation in Γ, docs/exact.md)."""
    from protocols.run import gruneisen_vs_tau

    tau = [1e-8, 1.0, 1e5]
    atlas_glass = ExactGlass.from_glass(GLASS)
    direct_glass = ExactGlass.from_glass(GLASS, spectrum_source="direct")
    a = gruneisen_vs_tau(atlas_glass, [temperature], tau_expt=tau, resolution=COARSE)
    d = gruneisen_vs_tau(direct_glass, [temperature], tau_expt=tau, resolution=COARSE)
    for name in ("gruneisen", "gruneisen_equilibrium"):
        np.testing.assert_allclose(a[name].values, d[name].values, rtol=1e-4, atol=0)


def test_atlas_and_direct_ensembles_have_the_same_bins() -> None:
    """The atlas changes only the two-level values: the same bins survive the energy window
    (up to bins within ~1e-7 of its edges), with energies within 1e-6."""
    atlas_ens = build_exact_ensemble(ExactGlass.from_glass(GLASS), 0.3, 0.3, 1e5, COARSE)
    direct = build_exact_ensemble(
        ExactGlass.from_glass(GLASS, spectrum_source="direct"), 0.3, 0.3, 1e5, COARSE
    )
    assert abs(atlas_ens.size - direct.size) <= 2
    if atlas_ens.size == direct.size:
        np.testing.assert_allclose(atlas_ens.energy, direct.energy, rtol=1e-6)
        np.testing.assert_allclose(atlas_ens.p, direct.p, rtol=2e-6)


def test_spectrum_source_is_validated_and_recorded() -> None:
    with pytest.raises(ParameterError, match="spectrum_source"):
        ExactGlass.from_glass(GLASS, spectrum_source="table")
    assert ExactGlass.from_glass(GLASS).to_dict()["spectrum_source"] == "atlas"


# --------------------------------------------------------------------------------------------
# storage (tiny grid, own directories)
# --------------------------------------------------------------------------------------------


def test_built_atlas_is_stored_and_loaded(tmp_path: Path, fresh: None) -> None:
    built = default_atlas(TINY, directory=tmp_path, progress=False)
    assert built.origin == "built" and atlas_path(TINY, tmp_path).exists()
    store._LOADED.clear()
    loaded = default_atlas(TINY, directory=tmp_path, progress=False)
    assert loaded.origin == "loaded"
    assert np.array_equal(loaded.values, built.values, equal_nan=True)
    assert atlas_path(TINY, tmp_path).stat().st_size < 50e6


def test_key_changes_with_grid_and_file_of_another_key_is_rejected(tmp_path: Path) -> None:
    other = dataclasses.replace(TINY, nodes=5)
    assert atlas_path(other, tmp_path) != atlas_path(TINY, tmp_path)
    store.save_atlas(default_atlas(other, directory=tmp_path, progress=False), tmp_path / "x.npz")
    with pytest.raises(ValueError, match="another solver or grid"):
        load_atlas(tmp_path / "x.npz", TINY)


def test_key_covers_every_module_of_the_solver() -> None:
    # a change to any file of the solver must change the key (else a stale atlas is loaded):
    # every dynamics module the solver's modules import is hashed, but for threads and input
    # checks, which change no value
    import ast

    from dynamics.atlas import SOLVER_MODULES

    root = Path(__file__).resolve().parent.parent
    value_free = {"dynamics.parallel", "dynamics.validation"}
    for name in SOLVER_MODULES:
        tree = ast.parse((root / (name.replace(".", "/") + ".py")).read_text())
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("dynamics")
        }
        assert imported - value_free <= set(SOLVER_MODULES), (name, imported)


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_corrupt_file_is_rebuilt(tmp_path: Path, fresh: None, damage: str) -> None:
    """A truncated file, or one with a changed byte inside the table (checksum), is reported in
    one warning and rebuilt; the result equals the original."""
    good = default_atlas(TINY, directory=tmp_path, progress=False)
    path = atlas_path(TINY, tmp_path)
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    store._LOADED.clear()
    with pytest.warns(AtlasWarning, match="rebuilding"):
        again = default_atlas(TINY, directory=tmp_path, progress=False)
    assert again.origin == "built"
    assert np.array_equal(again.values, good.values, equal_nan=True)
    store._LOADED.clear()
    assert default_atlas(TINY, directory=tmp_path, progress=False).origin == "loaded"


def test_unwritable_cache_builds_in_memory_with_one_warning(tmp_path: Path, fresh: None) -> None:
    """A cache path that cannot be a directory (below a regular file; this holds even for root,
    unlike permission bits) gives one warning line and a correct atlas kept in memory."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    reference = default_atlas(TINY, directory=tmp_path / "ok", progress=False)
    store._LOADED.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        atlas = default_atlas(TINY, directory=blocker / "cache", progress=False)
    mine = [w for w in caught if issubclass(w.category, AtlasWarning)]
    assert len(mine) == 1 and "\n" not in str(mine[0].message)
    assert atlas.origin == "memory"
    assert np.array_equal(atlas.values, reference.values, equal_nan=True)


_CHILD = """
import sys
from dynamics.atlas import AtlasGrid
from dynamics.atlas_store import default_atlas
grid = AtlasGrid(u_edges=(-9.0, -8.0), s_edges=(0.0, 1.0, 3.0), nodes=4)
atlas = default_atlas(grid, directory=__import__("pathlib").Path(sys.argv[1]), progress=False)
import hashlib
print(atlas.origin, hashlib.sha256(atlas.values.tobytes()).hexdigest())
"""


def test_two_processes_building_at_once_build_once(tmp_path: Path) -> None:
    """Two processes started together: one builds under the lock, the other waits and loads
    the same table."""
    env = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    lines = sorted(o[0].split() for o in outs)
    assert [line[0] for line in lines] == ["built", "loaded"]
    assert lines[0][1] == lines[1][1]
    assert not list(tmp_path.glob("*.tmp"))  # no temporary file left behind


def test_shipped_atlas_is_used_without_cache_or_build(tmp_path: Path, fresh: None) -> None:
    """The dask worker plugin travels pickled with its arrays and installs them in the worker's
    process: that process then neither reads a cache nor builds (its cache is unusable here)."""
    from dynamics.atlas_plugin import AtlasPlugin

    atlas = default_atlas(TINY, directory=tmp_path / "a", progress=False)
    plugin = pickle.loads(pickle.dumps(AtlasPlugin(atlas)))
    store._LOADED.clear()
    plugin.setup()
    blocker = tmp_path / "file"
    blocker.write_text("")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any cache access would warn
        got = default_atlas(TINY, directory=blocker / "cache", progress=False)
    assert got.origin == "shipped"
    assert np.array_equal(got.values, atlas.values, equal_nan=True)


def test_bad_grids_raise() -> None:
    with pytest.raises(ParameterError, match="u_edges"):
        AtlasGrid(u_edges=(-3.0, 0.0))
    with pytest.raises(ParameterError, match="s_edges"):
        AtlasGrid(s_edges=(1.0, 2.0))
    with pytest.raises(ParameterError, match="nodes"):
        AtlasGrid(nodes=2)


# --------------------------------------------------------------------------------------------
# exact spectra by default
# --------------------------------------------------------------------------------------------


def test_presets_are_exact_by_default_and_asymptotic_on_request() -> None:
    from dynamics.glass import Glass, TunnellingGlass
    from dynamics.presets import get_glass

    assert isinstance(default_glass(), ExactGlass)
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
    import json

    import xarray as xr

    from protocols.cli import main

    out = tmp_path / "g.nc"
    argv = ["gamma", "--temperature", "0.3", "--tau-expt-per-decade", "1", "--no-plot"]
    argv += ["--out", str(out)] + (["--spectrum", spectrum] if spectrum else [])
    assert main(argv) == 0
    with xr.open_dataset(out) as ds:
        model = json.loads(ds.attrs["glass"])["model"]
        title = ds.attrs["title"]
    if spectrum is None:
        assert model == "kki-exact" and "exact spectra" in title
    else:
        assert model != "kki-exact" and "asymptotic spectra" in title


def test_cli_atlas_commands(capsys: pytest.CaptureFixture[str]) -> None:
    from protocols.cli import main

    assert main(["atlas", "path"]) == 0
    path = capsys.readouterr().out.strip()
    assert path.startswith(os.environ["TLS_EXPANSION_CACHE"]) and path.endswith(".npz")
    assert main(["atlas", "build"]) == 0  # built or already built in this session's cache
    assert main(["atlas", "info"]) == 0
    assert "status:          valid" in capsys.readouterr().out
