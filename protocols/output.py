"""Writing and reading datasets: netCDF through xarray's netCDF4 engine, atomically.

**Time in the file.** ``time`` is elapsed time since the start of the protocol, stored as plain
float seconds (``units = "s"``), in memory and in the file alike. It has no epoch ("seconds
since ..."), so every client reads numbers: ``xarray.open_dataset`` with default arguments
(``.sel(time=...)`` selects by seconds), netCDF4, ncdump, Panoply. Files written by earlier
versions, with ``units = "seconds since 2000-01-01 00:00:00"`` and a nominal epoch, are read
back by :func:`open_dataset` as seconds too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dynamics.validation import ArgumentTypeError, NumericalError, ParameterError
from protocols import guards
from protocols.checks import as_path, check_flag
from protocols.guards import OutputBusyError as OutputBusyError  # re-exported
from protocols.guards import (
    OutputError,
    OutputExistsError,
)
from protocols.guards import OutputNameError as OutputNameError  # re-exported

if TYPE_CHECKING:  # xarray is imported where a dataset is made or read: a light start
    import xarray as xr

#: Time units of files written before plain seconds (early 0.1.0 files).
LEGACY_TIME_UNITS = "seconds since 2000-01-01 00:00:00"


def _from_legacy_form(dataset: xr.Dataset) -> xr.Dataset:
    """Plain-seconds ``time`` attributes for a file written with the nominal epoch."""
    if "time" in dataset.coords and dataset["time"].attrs.get("units") == LEGACY_TIME_UNITS:
        from protocols.variables import VARIABLES

        dataset["time"].attrs = VARIABLES["time"].attrs()
    return dataset


#: Variables where NaN is a value, "undefined here": Grüneisen parameters where the heat is zero,
#: the equilibrium heat capacity of the standard tunnelling model (no finite C(inf)), and a fit's
#: correlations where the data leave the covariance undetermined. Also undefined then: every
#: standard error of a fit (variables ending in :data:`UNDEFINED_SUFFIXES`).
#: Everywhere else, and infinity anywhere, a non-finite number is an error.
UNDEFINED_ALLOWED = frozenset(
    {"gruneisen", "gruneisen_equilibrium", "heat_capacity_equilibrium", "correlation"}
)
UNDEFINED_SUFFIXES = ("_stderr", "_stderr_log10")


def non_finite_variable(dataset: xr.Dataset) -> str | None:
    """The first variable with a non-finite value where a finite one is due, described
    (``"variable 'strain' has 3 non-finite value(s) (first: inf) of 40"``), or None.

    NaN is accepted only in :data:`UNDEFINED_ALLOWED` and :data:`UNDEFINED_SUFFIXES`; infinity
    nowhere.
    """
    for name, variable in {**dataset.coords, **dataset.data_vars}.items():
        values = np.asarray(variable.values)
        if values.dtype.kind not in "fc":
            continue
        undefined = name in UNDEFINED_ALLOWED or str(name).endswith(UNDEFINED_SUFFIXES)
        bad = np.isinf(values) if undefined else ~np.isfinite(values)
        if bad.any():
            return (
                f"variable {name!r} has {int(bad.sum())} non-finite value(s) (first: "
                f"{values[bad].flat[0]}) of {values.size}"
            )
    return None


def check_dataset_finite(dataset: xr.Dataset) -> None:
    """Raise :class:`~dynamics.validation.NumericalError` if a variable has a non-finite value
    where a finite one is due (:func:`non_finite_variable`); the message is one line naming the
    variable, how many values and why the dataset is refused."""
    bad = non_finite_variable(dataset)
    if bad is not None:
        raise NumericalError(
            f"refusing to write the dataset: {bad}; a numerical failure upstream, please report "
            "it with the command"
        )


def clean_stale_temporaries(target: str | Path) -> list[Path]:
    """Remove the hidden temporaries ``.<name>.<pid>.tmp*`` of ``target`` left by dead processes.

    A process killed outright (SIGKILL) while writing leaves its temporary behind; the next
    write to the same place removes it, but only if the process ``pid`` no longer exists (a
    live writer's temporary is left alone).

    Parameters
    ----------
    target
        The file about to be written.

    Returns
    -------
    list of Path
        The temporaries removed.
    """
    path = Path(target)
    removed: list[Path] = []
    prefix = f".{path.name}."
    try:
        candidates = list(path.parent.glob(f"{glob_escape(prefix)}*.tmp*"))
    except OSError:
        return removed
    for candidate in candidates:
        pid_text = candidate.name[len(prefix) :].split(".", 1)[0]
        if (
            not pid_text.isdigit()
            or int(pid_text) == os.getpid()
            or guards.process_alive(int(pid_text))
        ):
            continue
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def _write_file_form(dataset: xr.Dataset, path: Path, target: Path) -> None:
    """Write ``dataset`` to ``path`` with the netCDF4 engine (time as plain float seconds; no fill
    value on the coordinates); a failure of the disk is an :class:`OutputError` naming
    ``target``."""
    encoding: dict[str, dict[str, object]] = {
        str(name): {"_FillValue": None} for name in dataset.coords
    }
    try:
        dataset.to_netcdf(path, engine="netcdf4", format="NETCDF4", encoding=encoding)
    except (OSError, RuntimeError) as exc:  # netCDF says "NetCDF: HDF error" on a full disk
        raise OutputError(write_failure(target, exc)) from None


def write_failure(target: Path, exc: BaseException) -> str:
    """Why writing ``target`` failed, in the user's terms: the disk full, a file-size limit, or
    the library's own words with what usually causes them."""
    import errno
    import resource
    import shutil

    folder = target.parent if target.parent.exists() else Path(".")
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = -1
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or 0 <= free < 1_000_000:
        why = f"the disk is full ({max(free, 0)} bytes free in {str(folder)!r})"
    elif code == errno.EFBIG or limit != resource.RLIM_INFINITY:
        why = f"the file is larger than a limit allows (file-size limit {limit} bytes, ulimit -f)"
    else:
        detail = getattr(exc, "strerror", None) or str(exc).split("\n")[0]
        why = f"{detail} (usually a full disk, a size limit or a vanished folder)"
    return f"{str(target)!r} could not be written: {why}; nothing was written"


def write_netcdf(dataset: xr.Dataset, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``dataset`` to ``path`` atomically (a temporary file beside it, then a rename).

    An existing file is replaced only with ``overwrite=True``: unlike ``xarray``'s
    ``to_netcdf``, which replaces, a result file is never replaced by default, and without
    ``overwrite`` the file is created exclusively (of two writers, one succeeds and the other
    gets :class:`OutputExistsError`). While writing, the process holds the output's lock
    (:mod:`protocols.guards`): another process writing the same file gets
    :class:`OutputBusyError`. If anything fails, or SIGTERM arrives, no partial file and no
    temporary is left. A dataset with a non-finite value is refused
    (:func:`check_dataset_finite`).

    Parameters
    ----------
    dataset
        A dataset from :func:`protocols.run` or :func:`protocols.gruneisen_vs_tau`.
    path
        Target ``.nc`` file (a string or a path-like); its folder is created if needed.
    overwrite
        Replace an existing file.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    OutputExistsError
        The file exists and ``overwrite`` is not given (a ``FileExistsError``).
    OutputError
        Another process writes it, its name is too long, or the disk refuses it (``OSError``).
    """
    target, _ = check_output_location(as_path("path", path), force=True)
    overwrite = check_flag("overwrite", overwrite)
    check_dataset_finite(_check_dataset(dataset))
    with guards.terminate_as_exception(), guards.output_lock(target):
        if target.exists() and not overwrite:
            raise _exists(target, "overwrite=True")
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temporaries(target)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            _write_file_form(dataset, tmp, target)
            with _signals_held():
                _place(tmp, target, overwrite, "overwrite=True")
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
    return target


def _check_dataset(dataset: Any) -> xr.Dataset:
    """``dataset`` if it is an ``xarray.Dataset``, else an ArgumentTypeError."""
    import xarray as xr

    if isinstance(dataset, xr.Dataset):
        return dataset
    raise ArgumentTypeError(f"dataset = {dataset!r} must be an xarray.Dataset")


def _exists(path: Path, flag: str) -> OutputExistsError:
    verb = "give" if flag.startswith("-") else "pass"
    return OutputExistsError(
        f"{path} exists; {verb} {flag} to replace it (a result file is never replaced by default)"
    )


def _place(tmp: Path, target: Path, overwrite: bool, flag: str) -> None:
    """Rename the complete temporary ``tmp`` to ``target``: replacing it with ``overwrite``,
    else exclusively (a hard link, which fails if ``target`` exists; ``O_EXCL`` where hard links
    are not supported)."""
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise _exists(target, flag) from None
    except OSError:  # a file system without hard links
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except FileExistsError:
            raise _exists(target, flag) from None
        os.replace(tmp, target)
    else:
        tmp.unlink()


def check_output_location(
    nc: str | Path, *, force: bool, flag: str = "overwrite=True"
) -> tuple[Path, Path]:
    """Check, before any work, that the pair ``nc`` and its ``.png`` can be written there.

    The path must be valid UTF-8 (netCDF stores names as UTF-8), neither file may be a folder,
    an existing file is refused without ``force`` (the PNG too when no plot is asked for: it
    would no longer match the dataset, and :func:`write_pair` removes it with ``force``), the
    nearest existing folder above must be a writable folder, and every name written there must
    fit the file system (:func:`protocols.guards.check_name_lengths`). Temporaries left there by
    dead processes are removed (:func:`clean_stale_temporaries`).

    Parameters
    ----------
    nc
        The dataset's path (``.nc``).
    force
        Whether existing files may be replaced.
    flag
        How the user allows it, for the message: ``"overwrite=True"`` or ``"--force"``.

    Returns
    -------
    (Path, Path)
        The dataset's and the plot's paths.
    """
    target = Path(nc)
    text = str(target)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        raise ParameterError(
            f"out = {shown!r} is not a valid UTF-8 path (netCDF needs one); rename it"
        ) from None
    png = target.with_suffix(".png")
    for path in (target, png):
        if path.is_dir():
            raise ParameterError(f"out = {str(path)!r} is a folder; give a file name ending .nc")
        if path.exists() and not force:
            raise _exists(path, flag)
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ParameterError(f"out = {text!r}: {str(folder)!r} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ParameterError(f"out = {text!r}: the folder {str(folder)!r} is not writable")
    guards.check_name_lengths(target, png, folder)
    if target.parent.exists():
        clean_stale_temporaries(target)
        clean_stale_temporaries(png)
    return target, png


def write_pair(
    dataset: xr.Dataset,
    nc: str | Path,
    figure: Callable[[xr.Dataset], Any] | None,
    *,
    overwrite: bool = False,
    dpi: int = 130,
    flag: str = "overwrite=True",
) -> tuple[Path, Path | None]:
    """Write a dataset and its plot as a pair: afterwards both are there, or neither is new.

    Both go to hidden temporaries beside their targets first (the plot drawn by ``figure``);
    only when both are complete are they renamed into place, with SIGINT and SIGTERM held
    back between the two renames. A failure, an interrupt or SIGTERM before that leaves the
    targets as they were and removes the temporaries. Without ``overwrite`` both are created
    exclusively, and the output's lock is held throughout (as :func:`write_netcdf`). Without a
    figure, a PNG left from an earlier run is removed (with ``overwrite``), so that no plot
    stands beside a dataset it does not show.

    Parameters
    ----------
    dataset
        The dataset (refused if it holds a non-finite value, :func:`check_dataset_finite`).
    nc
        The dataset's path; the plot goes beside it with ``.png``.
    figure
        Draws the plot (a :class:`matplotlib.figure.Figure`) from the dataset; None: no plot.
    overwrite
        Replace existing files.
    dpi
        Resolution of the PNG. [1]
    flag
        How the user allows replacing, for the message (``"--force"`` on the command line).

    Returns
    -------
    (Path, Path or None)
        The paths written.
    """
    overwrite = check_flag("overwrite", overwrite)
    target, png = check_output_location(as_path("nc", nc), force=overwrite, flag=flag)
    check_dataset_finite(_check_dataset(dataset))
    with guards.terminate_as_exception(), guards.output_lock(target):
        _write_pair_locked(dataset, target, png, figure, overwrite, dpi, flag)
    return target, png if figure is not None else None


def _write_pair_locked(
    dataset: xr.Dataset,
    target: Path,
    png: Path,
    figure: Callable[[xr.Dataset], Any] | None,
    overwrite: bool,
    dpi: int,
    flag: str,
) -> None:
    """:func:`write_pair` with the lock held: the temporaries, then both placed or neither."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_nc = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp_png = png.with_name(f".{png.name}.{os.getpid()}.tmp.png")
    placed_png = False
    try:
        _write_file_form(dataset, tmp_nc, target)
        if figure is not None:
            _draw(dataset, figure, tmp_png, png, dpi)
        with _signals_held():
            if figure is not None:
                _place(tmp_png, png, overwrite, flag)
                placed_png = True
            _place(tmp_nc, target, overwrite, flag)
            if figure is None and png.exists():
                png.unlink()
    except BaseException:
        for tmp in (tmp_nc, tmp_png):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        if placed_png and not _same_pair(target, tmp_nc):
            with contextlib.suppress(FileNotFoundError):
                png.unlink()
        raise


def _draw(
    dataset: xr.Dataset, figure: Callable[[xr.Dataset], Any], tmp: Path, png: Path, dpi: int
) -> None:
    """Draw the plot of ``dataset`` into the temporary ``tmp`` (for ``png``)."""
    import matplotlib.pyplot as plt

    fig = figure(dataset)
    try:
        fig.savefig(tmp, dpi=dpi)
    except OSError as exc:
        raise OutputError(write_failure(png, exc)) from None
    finally:
        plt.close(fig)


def _same_pair(target: Path, tmp_nc: Path) -> bool:
    """Whether the dataset was renamed into place (its temporary is gone)."""
    return not tmp_nc.exists() and target.exists()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (main thread, POSIX) for the duration."""
    held = {signal.SIGINT, signal.SIGTERM}
    can = (
        hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    )
    if can:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        if can:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def open_dataset(path: str | Path) -> xr.Dataset:
    """Read a dataset written by :func:`write_netcdf`, exactly as it was in memory.

    A plain ``xarray.open_dataset(path)`` gives the same numbers; this function also checks the
    file exists (a :class:`~dynamics.ParameterError` naming it otherwise), loads it into memory
    and closes it, and reads files of earlier versions (time with a nominal epoch) as seconds.

    Parameters
    ----------
    path
        A ``.nc`` file written by :func:`write_netcdf` or the command line.

    Returns
    -------
    xarray.Dataset
        The dataset, loaded; ``time`` in seconds since the start of the protocol. [s]
    """
    import xarray as xr

    p = as_path("path", path)
    if not p.exists():
        raise ParameterError(f"file = {str(p)!r}: no such file")
    if p.is_dir():
        raise ParameterError(f"file = {str(p)!r} is a folder, not a netCDF file")
    from protocols.textfiles import check_input_file

    check_input_file(p, f"file = {str(p)!r}")  # not a pipe or a device
    try:
        with xr.open_dataset(p, engine="netcdf4", decode_times=False) as ds:
            loaded = ds.load()
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).split("\n")[0]
        raise ParameterError(
            f"file = {str(p)!r} cannot be read as a netCDF dataset ({reason}); give a file "
            "written by tls-expansion or another netCDF-4 writer"
        ) from None
    return _from_legacy_form(loaded)
