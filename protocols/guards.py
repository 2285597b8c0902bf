"""Guards around writing an output: one writer per output (a lock file beside it), SIGTERM turned
into an exception while writing (so that temporaries are removed), and names the file system
accepts, checked before the work.

**The lock.** While a process writes an output pair ``x.nc`` / ``x.png`` it holds the file
``.x.nc.lock`` beside them, created exclusively (a hard link of a complete file, so that no
reader ever sees it half written) and holding the process's id and start time. A second process
that wants the same output while the lock is held refuses at once with
:class:`OutputBusyError` ("another tls-expansion process (pid N) is writing x.nc"). A lock whose
process is gone (killed with SIGKILL, the machine restarted) is stale and is removed by the next
writer. The command line takes the lock before its work and keeps it until it ends; the Python
API (:func:`protocols.write_netcdf`, :func:`protocols.output.write_pair`) takes it for the
write. Locks are re-entrant within a process.

**SIGTERM.** A process ended by SIGTERM while writing removed nothing: Python's default action
ends it at once. :func:`terminate_as_exception` makes SIGTERM raise :class:`Terminated` (a
``SystemExit`` with status 143) in the main thread instead, so that the writer's clean-up runs;
it leaves a SIGTERM handler installed by someone else alone. SIGKILL cannot be caught: its
temporaries and its lock are removed by the next writer to the same place.

**Names.** Every file written beside an output (the pair, their hidden temporaries
``.<name>.<pid>.tmp[.png]`` and the lock) must fit the file system's limit on a name
(``NAME_MAX``, 255 bytes on most) and on a path (``PATH_MAX``): :func:`check_name_lengths`
refuses a name that would fail only after the work.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from dynamics.validation import ParameterError


class OutputError(OSError):
    """An output file cannot be written: it exists, another process writes it, its name is too
    long, or the disk refuses the bytes. One line naming the file, what happened and what to
    do."""


class OutputExistsError(OutputError, FileExistsError, ParameterError):
    """The output exists and may not be replaced (no ``overwrite=True``, no ``--force``): a
    ``FileExistsError``, and a :class:`~dynamics.ParameterError` as the refusals of earlier
    versions were."""


class OutputBusyError(OutputError):
    """Another live process holds the output's lock: it is writing the same file."""


class OutputNameError(OutputError, ParameterError):
    """The output's name (or a file written beside it) is too long for the file system."""


class Terminated(SystemExit):
    """SIGTERM arrived while writing (:func:`terminate_as_exception`); exit status 143."""


#: Longest a process id is written in a temporary's name (Linux pid_max is at most 2**22). [1]
PID_DIGITS = 10


def lock_path(target: Path) -> Path:
    """The lock file of the output ``target``: ``.<name>.lock`` beside it."""
    return target.with_name(f".{target.name}.lock")


def companion_names(target: Path, png: Path) -> dict[str, str]:
    """Every name written beside an output pair, by what it is: the pair, and the longest names
    their temporaries and the lock can take."""
    pid = "9" * PID_DIGITS
    return {
        "the dataset": target.name,
        "the plot": png.name,
        "the dataset's temporary": f".{target.name}.{pid}.tmp",
        "the plot's temporary": f".{png.name}.{pid}.tmp.png",
        "the lock": lock_path(target).name,
        "the lock's temporary": f".{target.name}.{pid}.tmp.lock",
    }


def check_name_lengths(target: Path, png: Path, folder: Path) -> None:
    """Refuse an output whose name, or a name written beside it, is longer than the file system
    allows (:func:`companion_names`), before any work.

    Parameters
    ----------
    target, png
        The output pair.
    folder
        The nearest folder above them that exists (where the limits are asked).

    Raises
    ------
    OutputNameError
        Naming the output, the length and the limit.
    """
    name_max = _limit(folder, "PC_NAME_MAX", 255)
    path_max = _limit(folder, "PC_PATH_MAX", 4096)
    names = companion_names(target, png)
    what = max(names, key=lambda w: len(os.fsencode(names[w])))
    size = len(os.fsencode(names[what]))
    if size > name_max:
        raise OutputNameError(
            f"out = {str(target)!r}: the name is too long for the file system: {what}, written "
            f"beside it, takes {size} bytes, and at most {name_max} are allowed here; shorten "
            f"the name by {size - name_max} bytes"
        )
    full = len(os.fsencode(str(target.parent.absolute() / names[what])))
    if full > path_max:
        raise OutputNameError(
            f"out = {str(target)!r}: the path is too long for the file system ({full} bytes; at "
            f"most {path_max}): choose a shorter folder or name"
        )


def _limit(folder: Path, name: str, default: int) -> int:
    try:
        return int(os.pathconf(folder, name))
    except (OSError, ValueError):
        return default


# ---------------------------------------------------------------------------------------------
# the lock


def _start_time(pid: int) -> str:
    """When process ``pid`` started (to tell it from a later process with the same id), or ""
    where that cannot be known."""
    try:
        import psutil

        return f"{psutil.Process(pid).create_time():.3f}"
    except Exception:  # no psutil, no such process, no permission: the id alone
        return ""


def process_alive(pid: int, start: str = "") -> bool:
    """Whether process ``pid`` (started at ``start``, if known) still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    now = _start_time(pid)
    return not (start and now and now != start)  # the id taken by a later process: stale


def _owner(lock: Path) -> tuple[int, str] | None:
    """(pid, start time) written in a lock file, or None if it is gone or unreadable."""
    try:
        fields = lock.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    if not fields or not fields[0].isdigit():
        return None
    return int(fields[0]), fields[1] if len(fields) > 1 else ""


def _create_exclusive(lock: Path, content: str) -> None:
    """Create ``lock`` holding ``content``, or raise FileExistsError if it exists: a complete
    temporary hard-linked into place (atomic); ``O_EXCL`` where hard links are not supported."""
    tmp = lock.with_name(f".{lock.name[1:-5]}.{os.getpid()}.tmp.lock")
    tmp.write_text(content, encoding="ascii")
    try:
        os.link(tmp, lock)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(content)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


_HELD: dict[Path, int] = {}
_CREATED: dict[Path, Path] = {}  # lock -> the folder created for it (removed if left empty)
_HELD_GUARD = threading.Lock()


def acquire(target: str | os.PathLike[str]) -> None:
    """Take the lock of the output ``target`` (module docstring); re-entrant.

    Raises
    ------
    OutputBusyError
        Another live process holds it.
    """
    lock = lock_path(Path(os.path.abspath(target)))
    with _HELD_GUARD:
        if _HELD.get(lock):
            _HELD[lock] += 1
            return
        created = _make_folder(lock.parent)
        try:
            _take(lock, Path(target))
        except BaseException:
            _remove_if_empty(created)
            raise
        _HELD[lock] = 1
        if created is not None:
            _CREATED[lock] = created


def _make_folder(folder: Path) -> Path | None:
    """Create ``folder`` (and its parents) if needed; the topmost folder created, or None."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    if not missing:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    return missing[-1]


def _remove_if_empty(folder: Path | None) -> None:
    """Remove ``folder`` (created for a lock) and the empty folders it holds."""
    if folder is None:
        return
    with contextlib.suppress(OSError):
        for sub in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            sub.rmdir()
        folder.rmdir()


def _take(lock: Path, target: Path) -> None:
    """Create ``lock`` for this process, removing a stale one first."""
    me = f"{os.getpid()} {_start_time(os.getpid())}\n"
    for _ in range(10):
        try:
            _create_exclusive(lock, me)
            return
        except FileExistsError:
            owner = _owner(lock)
        if owner is None:  # gone meanwhile, or damaged
            if lock.exists():
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
            continue
        pid, start = owner
        if process_alive(pid, start):
            raise OutputBusyError(
                f"another tls-expansion process (pid {pid}) is writing {target}; wait until it "
                "has finished, or write elsewhere"
            )
        if _owner(lock) == owner:  # stale: its process is gone
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
    raise OutputBusyError(f"the lock {str(lock)!r} of {target} cannot be taken")


def release(target: str | os.PathLike[str]) -> None:
    """Give back the lock of ``target`` (removed when this process no longer holds it)."""
    lock = lock_path(Path(os.path.abspath(target)))
    with _HELD_GUARD:
        depth = _HELD.get(lock, 0)
        if depth > 1:
            _HELD[lock] = depth - 1
            return
        _HELD.pop(lock, None)
        if depth and (owner := _owner(lock)) is not None and owner[0] == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
        _remove_if_empty(_CREATED.pop(lock, None))


def release_all() -> None:
    """Give back every lock this process holds (at the end of a command)."""
    with _HELD_GUARD:
        held = list(_HELD)
    for lock in held:
        with _HELD_GUARD:
            _HELD[lock] = min(_HELD.get(lock, 1), 1)
        release(lock.with_name(lock.name[1:-5]))


@contextlib.contextmanager
def output_lock(target: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the lock of ``target`` for the duration (:func:`acquire`, :func:`release`)."""
    acquire(target)
    try:
        yield
    finally:
        release(target)


# ---------------------------------------------------------------------------------------------
# signals


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(128 + signum)


@contextlib.contextmanager
def terminate_as_exception() -> Iterator[None]:
    """For the duration, SIGTERM raises :class:`Terminated` in the main thread (module
    docstring); nothing changes in another thread or where a handler is already installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
