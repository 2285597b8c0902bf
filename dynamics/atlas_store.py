r"""Where the spectral atlas (:mod:`dynamics.exact.tables`) lives: the user's cache, a file lock, a
checksum, and the process's own copy.

This is the one module of :mod:`dynamics` that touches files: exact ensembles need the atlas, and
it is worth keeping between processes (building it costs ~1 min on 2 cores). It never gives a
wrong table, at worst a rebuild:

* **Versioned.** The file is ``atlas-<key>.npz``, ``key`` the SHA-256 of the solver's source, of
  the functions that produce and encode the table, of the grid and of the layout
  (:func:`dynamics.exact.tables.atlas_key`); a file whose stored key differs is not used.
* **Checksummed.** The file stores the SHA-256 of its arrays; a corrupt or truncated file fails
  to load or to verify, is reported in one line (:class:`AtlasWarning`) and rebuilt.
* **One builder.** Building holds a file lock (``atlas-<key>.lock``, :mod:`filelock`); a second
  process waits for it and then loads what the first wrote. The file is written to a temporary
  name in the same directory and renamed (atomic), so a reader never sees half a file.
* **Read-only cache.** If the directory cannot be created or written, the atlas is built in
  memory for this process, with one warning line.
* **Other machines.** A dask worker that calls :func:`default_atlas` loads or builds the same
  key on its own machine; :func:`ship_atlas` instead sends the arrays to every worker of a
  ``distributed.Client`` (:class:`dynamics.atlas_plugin.AtlasPlugin`), which installs them in
  the worker's process.

The cache directory is ``$TLS_EXPANSION_CACHE`` if set, else the user's cache directory
(:func:`platformdirs.user_cache_dir`, e.g. ``~/.cache/tls-expansion`` on Linux).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from dynamics.exact.tables import DEFAULT_GRID, FIELDS, Atlas, AtlasGrid, atlas_key, build_atlas

__all__ = [
    "CACHE_ENV",
    "AtlasWarning",
    "atlas_path",
    "cache_dir",
    "default_atlas",
    "install_atlas",
    "load_atlas",
    "ship_atlas",
]

#: Environment variable that overrides the cache directory.
CACHE_ENV = "TLS_EXPANSION_CACHE"

#: Longest wait for another process's build before building here in memory. [s]
LOCK_TIMEOUT_S = 900.0

_LOADED: dict[str, Atlas] = {}
_GUARD = threading.Lock()


class AtlasWarning(UserWarning):
    """The atlas could not be read or stored where expected (it is rebuilt or kept in memory)."""


def cache_dir() -> Path:
    """Directory of the stored atlases: ``$TLS_EXPANSION_CACHE`` or the user's cache dir."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("tls-expansion", appauthor=False))


def atlas_path(grid: AtlasGrid = DEFAULT_GRID, directory: Path | None = None) -> Path:
    """Path of the stored atlas of ``grid`` (it may not exist yet)."""
    folder = directory if directory is not None else cache_dir()
    return folder / f"atlas-{atlas_key(grid)[:24]}.npz"


def _checksum(values: np.ndarray, meta: str) -> str:
    digest = hashlib.sha256()
    digest.update(meta.encode())
    digest.update(np.ascontiguousarray(values, dtype="<f8").tobytes())
    return digest.hexdigest()


def _meta(atlas: Atlas) -> str:
    from dynamics import __version__

    return json.dumps(
        {
            "key": atlas.key,
            "grid": atlas.grid.to_dict(),
            "fields": list(FIELDS),
            "shape": list(atlas.values.shape),
            "package_version": __version__,
        },
        sort_keys=True,
    )


def save_atlas(atlas: Atlas, path: Path) -> None:
    """Write ``atlas`` to ``path`` atomically (temporary file in the same directory, renamed)."""
    meta = _meta(atlas)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                values=atlas.values,
                meta=np.array(meta),
                checksum=np.array(_checksum(atlas.values, meta)),
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_atlas(path: Path, grid: AtlasGrid = DEFAULT_GRID) -> Atlas:
    """Read and verify a stored atlas of ``grid``.

    Raises
    ------
    ValueError
        If the file is unreadable, truncated, for another key, or fails its checksum.
    """
    key = atlas_key(grid)
    try:
        with np.load(path, allow_pickle=False) as data:
            values = np.array(data["values"])
            meta = str(data["meta"])
            checksum = str(data["checksum"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"atlas file {path} is unreadable ({type(exc).__name__}: {exc})") from exc
    info = json.loads(meta)
    if info.get("key") != key:
        raise ValueError(f"atlas file {path} was made for another solver or grid")
    if _checksum(values, meta) != checksum:
        raise ValueError(f"atlas file {path} fails its checksum (corrupt)")
    expected = (3, len(FIELDS), grid.u_nodes.size, grid.s_nodes.size)
    if values.shape != expected:
        raise ValueError(f"atlas file {path} has shape {values.shape}, expected {expected}")
    return Atlas(grid=grid, key=key, values=values, origin="loaded")


def install_atlas(atlas: Atlas) -> None:
    """Make ``atlas`` this process's copy for its key (used by the dask worker plugin)."""
    with _GUARD:
        _LOADED[atlas.key] = atlas


def _progress_bar(desc: str) -> tuple[Any, Any, Any]:
    from tqdm.auto import tqdm

    bar = tqdm(total=0, desc=desc, unit="spectra", disable=None, file=sys.stderr)

    def total(n: int) -> None:
        bar.total = n
        bar.refresh()

    return bar, bar.update, total


def _build(grid: AtlasGrid, progress: bool) -> Atlas:
    if not progress:
        return build_atlas(grid)
    bar, tick, total = _progress_bar("spectral atlas (once per machine)")
    try:
        return build_atlas(grid, progress=tick, total=total)
    finally:
        bar.close()


def default_atlas(
    grid: AtlasGrid = DEFAULT_GRID, *, directory: Path | None = None, progress: bool = True
) -> Atlas:
    """The atlas of ``grid``: this process's copy, else the stored one, else built (and stored).

    Parameters
    ----------
    grid
        Panels and nodes (the default covers every run,
        :data:`dynamics.exact.tables.DEFAULT_GRID`).
    directory
        Cache directory (default :func:`cache_dir`).
    progress
        Show a progress bar while building (on a terminal).

    Returns
    -------
    Atlas
        ``origin`` says how it was obtained: "loaded", "built" (and stored), "memory" (built,
        could not be stored) or "shipped" (installed by :func:`ship_atlas`).
    """
    key = atlas_key(grid)
    with _GUARD:
        if key in _LOADED:
            return _LOADED[key]
        atlas = _obtain(grid, directory, progress)
        _LOADED[key] = atlas
        return atlas


def _read_if_valid(path: Path, grid: AtlasGrid) -> Atlas | None:
    if not path.exists():
        return None
    try:
        return load_atlas(path, grid)
    except ValueError as exc:
        warnings.warn(f"{exc}; rebuilding it", AtlasWarning, stacklevel=4)
        return None


def _obtain(grid: AtlasGrid, directory: Path | None, progress: bool) -> Atlas:
    import filelock

    path = atlas_path(grid, directory)
    found = _read_if_valid(path, grid)
    if found is not None:
        return found
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(path.with_suffix(".lock")), timeout=LOCK_TIMEOUT_S)
        lock.acquire()
    except (OSError, filelock.Timeout) as exc:
        return _in_memory(grid, path, exc, progress)
    try:
        found = _read_if_valid(path, grid)  # another process may have built it meanwhile
        if found is not None:
            return found
        atlas = _build(grid, progress)
        try:
            save_atlas(atlas, path)
        except OSError as exc:
            warnings.warn(
                f"cannot store the spectral atlas in {path.parent} ({exc}); it is kept in memory "
                f"for this process (set {CACHE_ENV} to a writable directory)",
                AtlasWarning,
                stacklevel=4,
            )
            return atlas.with_origin("memory")
        return atlas
    finally:
        lock.release()


def _in_memory(grid: AtlasGrid, path: Path, exc: BaseException, progress: bool) -> Atlas:
    warnings.warn(
        f"cannot use the cache directory {path.parent} ({type(exc).__name__}: {exc}); the "
        f"spectral atlas is built in memory for this process (set {CACHE_ENV} to a writable "
        "directory)",
        AtlasWarning,
        stacklevel=5,
    )
    return _build(grid, progress).with_origin("memory")


def ship_atlas(client: Any, grid: AtlasGrid = DEFAULT_GRID) -> None:
    """Send this process's atlas of ``grid`` to every worker of ``client`` (present and future).

    Parameters
    ----------
    client
        A ``distributed.Client``.
    grid
        The grid whose atlas to send (obtained here with :func:`default_atlas`).
    """
    from dynamics.atlas_plugin import AtlasPlugin

    client.register_plugin(AtlasPlugin(default_atlas(grid)), name=AtlasPlugin.name)
