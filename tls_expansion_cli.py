"""The ``tls-expansion`` command's launcher: a module light enough to import in milliseconds.

Importing the packages takes seconds (numpy, scipy, xarray, dask, pint, lmfit). Two things must
happen before that, which only a module outside ``dynamics`` and ``protocols`` can do (importing
any of their modules first runs their heavy ``__init__``):

* **Ctrl-C during start-up** prints one line, ``tls-expansion: interrupted``, and exits with
  status 130, instead of a traceback of the imports it interrupted.
* **A worker process of a local sweep** (spawned by multiprocessing, which re-imports this
  module as the main module's import) asks Linux at once to be killed when its parent dies
  (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), before its own seconds of imports: a worker whose
  parent was killed (SIGKILL) during the workers' start-up no longer lives on until its imports
  end. :mod:`protocols.lifeline` then adds its watchdog as the worker starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

#: ``PR_SET_PDEATHSIG`` of ``<linux/prctl.h>``.
_PR_SET_PDEATHSIG = 1


def _is_spawned_worker() -> bool:
    """Whether this process is a worker spawned by multiprocessing (its command line)."""
    return "--multiprocessing-fork" in sys.argv


def request_death_with_parent() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent dies; end at once if the
    parent is already gone. Whether the request took effect."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util
    import signal

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        done = int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False
    if done and os.getppid() == 1:  # orphaned before the request: the parent is gone
        os._exit(1)
    return done


if _is_spawned_worker():
    request_death_with_parent()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``tls-expansion``: :func:`protocols.cli.main` once imported."""
    try:
        from protocols.cli import main as cli_main
    except KeyboardInterrupt:
        print("tls-expansion: interrupted", file=sys.stderr)
        return 130
    return cli_main(argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
