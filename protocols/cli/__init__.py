"""The ``tls-expansion`` command line: one module per command (:mod:`protocols.cli.run`,
``gamma``, ``thermal``, ``closed_form``, ``metallic``, ``sweep``, ``fit``, ``tables``,
``glasses``) and the
options they share (:mod:`protocols.cli.common`).

Errors in what the user asked for (unknown names, out-of-range values, unreadable files) print
one line on stderr and exit with status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence

from dynamics import __version__
from dynamics.validation import NumericalError, ParameterError, TwoLevelRangeWarning
from protocols import guards
from protocols.cli import (
    closed_form,
    fit,
    gamma,
    glasses,
    metallic,
    run,
    sweep,
    tables,
    thermal,
)
from protocols.cli.common import (
    EXIT_USAGE,
    Parser,
    UsageError,
    check_per_decade,
    check_unrecognized,
    one_line,
    show_warning,
)
from protocols.config import ConfigError

#: The commands, in the order ``--help`` lists them.
COMMANDS = (closed_form, run, gamma, thermal, metallic, sweep, fit, tables, glasses)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tls-expansion``."""
    parser = Parser(
        prog="tls-expansion",
        description="Low-temperature thermal expansion of glasses: two-level systems of the "
        "soft-potential model relaxing after heating (Galperin, Gurevich & Parshin 1985).",
    )
    parser.add_argument("--version", action="version", version=f"tls-expansion {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``tls-expansion``; returns the exit status."""
    # the CLI only writes files (no display): Agg, set without importing matplotlib (a quarter
    # of a second), which only the commands that draw import
    if "matplotlib" in sys.modules:
        import matplotlib

        matplotlib.use("Agg")
    else:
        os.environ["MPLBACKEND"] = "Agg"
    parser = build_parser()
    try:
        _ignore_file_size_signal()
        args, extras = parser.parse_known_args(argv)
        check_unrecognized(args.command, extras)
        check_per_decade(args)
        with warnings.catch_warnings(), guards.terminate_as_exception():
            warnings.simplefilter("always", TwoLevelRangeWarning)
            # a numerical warning is a failure to report, not noise on stderr
            warnings.simplefilter("error", RuntimeWarning)
            warnings.showwarning = show_warning
            return int(args.func(args))
    except BrokenPipeError:  # stdout closed early (| head): the reader wanted no more
        _silence_stdout()
        return 141
    except guards.Terminated as exc:  # SIGTERM: temporaries removed on the way out
        print("tls-expansion: terminated", file=sys.stderr)
        return int(exc.code) if isinstance(exc.code, int) else 143
    except (UsageError, ConfigError, ParameterError, NumericalError, OSError) as exc:
        print(f"tls-expansion: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tls-expansion: interrupted", file=sys.stderr)
        return 130
    except RuntimeWarning as exc:
        print(f"tls-expansion: error: numerical failure: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # last resort: one line, never a traceback (TLS_EXPANSION_DEBUG=1)
        if os.environ.get("TLS_EXPANSION_DEBUG"):
            raise
        print(
            f"tls-expansion: error: {type(exc).__name__}: {one_line(exc)} (an unexpected "
            "failure: please report it; TLS_EXPANSION_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    finally:
        guards.release_all()  # the outputs' locks (protocols.guards)


def _ignore_file_size_signal() -> None:
    """Past a file-size limit (``ulimit -f``) a write fails with an error the command reports,
    instead of SIGXFSZ ending the process with temporaries left behind."""
    if hasattr(signal, "SIGXFSZ") and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
