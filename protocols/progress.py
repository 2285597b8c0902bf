"""Progress of long waits, on stderr: a bar on a terminal, a few log lines everywhere else.

Runs, ensemble and table builds, sweeps and fits can take from seconds to hours. On a terminal
their progress is a tqdm bar; when stderr is a file, a pipe, CI or ``nohup`` (no terminal, where
a bar would be hundreds of carriage returns or nothing at all), it is a few whole lines: one when
the work starts, one each time another tenth is done (:data:`LOG_STEP`), one at the end, each
with the time spent::

    tls-expansion: heat-pulse on ggp1985 (est. 4 s): started
    tls-expansion: heat-pulse on ggp1985 (est. 4 s): 12 % after 0.5 s
    ...
    tls-expansion: heat-pulse on ggp1985 (est. 4 s): done in 4.8 s

Nothing is shown of a wait shorter than :data:`SHOW_AFTER_S`, nor of work whose first report is
already "done" (instant, or read from a cache); after the delay the first line says how far the
work is. Work of
unknown length (a fit's evaluations) is counted instead: on a terminal a bar without a total, in
a log a line at evaluations 1, 10, 20, 40, 80, ... and at the end. The command line's ``--quiet``
gives no :class:`Progress` at all.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["LOG_STEP", "SHOW_AFTER_S", "Progress"]

#: A log line each time this fraction more of the work is done (a tenth: ten lines at most). [1]
LOG_STEP = 0.1
#: Progress is shown once a wait has lasted this long: a shorter one needs no report (and the
#: main job's one-second run would print a dozen lines into a log). [s]
SHOW_AFTER_S = 2.0


class Progress:
    """A progress report on ``stream`` (stderr by default): call it with the fraction done.

    Parameters
    ----------
    label
        What is waited for, e.g. ``"heat-pulse on ggp1985 (est. 4 s)"``.
    stream
        Where to report; a terminal gets a bar, anything else log lines.
    unit
        What :meth:`step` counts, e.g. ``"evaluations"`` (work of unknown length).
    delay
        Show nothing until the work has lasted this long (:data:`SHOW_AFTER_S`): a shorter wait
        needs no report. [s]

    Examples
    --------
    >>> import io
    >>> log = io.StringIO()  # not a terminal: log lines
    >>> with Progress("demo", stream=log, delay=0.0) as report:
    ...     for k in range(1, 5):
    ...         report(k / 4)
    >>> print(log.getvalue())  # doctest: +ELLIPSIS
    tls-expansion: demo: started
    tls-expansion: demo: 25 % after ... s
    tls-expansion: demo: 50 % after ... s
    tls-expansion: demo: 75 % after ... s
    tls-expansion: demo: done in ... s
    <BLANKLINE>
    """

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO | None = None,
        unit: str = "",
        delay: float = SHOW_AFTER_S,
    ) -> None:
        self.label = label
        self.unit = unit
        self.delay = delay
        self._stream = stream if stream is not None else sys.stderr
        self._terminal = bool(getattr(self._stream, "isatty", lambda: False)())
        self._bar: Any = None
        self._start = 0.0
        self._started = False  # the work has reported
        self._shown = False  # and has lasted long enough to be shown (log mode)
        self._finished = False
        self._logged = 0.0  # fraction at the last log line
        self._count = 0

    # -- reporting

    def __call__(self, fraction: float) -> None:
        """Report the fraction of the work done, in [0, 1]; 1 closes the report."""
        if self._finished:
            return
        fraction = min(1.0, max(0.0, float(fraction)))
        if not self._started:
            if fraction >= 1.0:  # instant or cached work: nothing to show
                self._finished = True
                return
            self._begin(total=1000)
        if self._bar is not None:
            self._bar.update(max(0, round(1000 * fraction) - self._bar.n))
        elif fraction < 1.0 and not self._shown:
            if self._due():
                self._announce(f"{100 * fraction:.0f} %")
                self._logged = fraction
        elif fraction < 1.0 and fraction - self._logged >= LOG_STEP - 1e-12:
            self._logged = fraction
            self._line(f"{100 * fraction:.0f} % after {self._elapsed()}")
        if fraction >= 1.0:
            self.close()

    def counted(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` items (a sweep's points)."""
        self(done / total if total > 0 else 1.0)

    def step(self, note: str = "") -> None:
        """One more item of work of unknown length (a fit's evaluation), with a note."""
        if self._finished:
            return
        if not self._started:
            self._begin(total=None)
        self._count += 1
        if self._bar is not None:
            self._bar.update(1)
            if note:
                self._bar.set_postfix_str(note, refresh=False)
            return
        if not self._shown:
            if self._due():
                self._announce(f"{self._count} {self.unit}" + (f", {note}" if note else ""))
        elif self._count == 1 or (self._count % 10 == 0 and _power_of_two(self._count // 10)):
            text = f"{self._count} {self.unit} after {self._elapsed()}"
            self._line(text + (f", {note}" if note else ""))

    def close(self) -> None:
        """End the report (idempotent): the bar closes, the log says how long it took."""
        if self._finished:
            return
        self._finished = True
        if self._bar is not None:
            self._bar.close()
        elif self._shown:
            counted = f" ({self._count} {self.unit})" if self._count else ""
            self._line(f"done in {self._elapsed()}{counted}")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        elif self._bar is not None:
            self._finished = True
            self._bar.close()

    # -- helpers

    def _begin(self, total: int | None) -> None:
        self._started = True
        self._start = time.monotonic()
        if self._terminal:
            from tqdm import tqdm

            fmt = (
                "{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}"
                if total is not None
                else "{desc}: {n_fmt} " + self.unit + " [{elapsed}{postfix}]"
            )
            self._bar = tqdm(
                total=total,
                desc=self.label,
                file=self._stream,
                mininterval=0.5,
                delay=self.delay,
                bar_format=fmt,
            )
        elif self.delay <= 0:
            self._announce("")

    def _due(self) -> bool:
        """Whether the work has lasted :attr:`delay`, long enough to be shown."""
        return time.monotonic() - self._start >= self.delay

    def _announce(self, where: str) -> None:
        """The first log line: the work started (after a delay: how long ago, how far it is)."""
        self._shown = True
        self._line("started" if not where else f"started {self._elapsed()} ago, {where}")

    def _elapsed(self) -> str:
        seconds = time.monotonic() - self._start
        return f"{seconds:.2g} s" if seconds < 100 else f"{seconds:.0f} s"

    def _line(self, text: str) -> None:
        print(f"tls-expansion: {self.label}: {text}", file=self._stream, flush=True)


def _power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0
