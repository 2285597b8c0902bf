"""Progress of long waits (protocols.progress): ensemble builds report their fraction done; on a
terminal a bar starts with its own work and skips work that was instant; elsewhere a few log
lines (start, every tenth, end); every long command reports, ``--quiet`` silences it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from dynamics import Resolution, build_ensemble, default_glass
from protocols.cli import main as cli_main
from protocols.progress import Progress
from protocols.run import gruneisen_vs_tau

COARSE = Resolution(energy_panel_decades=2.0, energy_nodes=6, p_panel_decades=3.0, p_nodes=5)


def test_ensemble_builds_report_completion_and_gamma_each_temperature() -> None:
    """A build reports 1 when done (a second build of the same again); Γ(τ_expt) reports each
    temperature done, on either spectrum (one kernel, temperature by temperature)."""
    glass = default_glass().replace(energy_margin=2.0)  # not built elsewhere
    calls: list[float] = []
    ens = build_ensemble(glass, 0.25, 0.25, 1.0, COARSE, calls.append)
    assert calls == [1.0]
    again: list[float] = []
    cached = build_ensemble(glass, 0.25, 0.25, 1.0, COARSE, again.append)
    assert cached.size == ens.size and again == [1.0]
    calls = []
    build_ensemble(default_glass(spectrum="asymptotic"), 0.3, 0.3, 1.0, COARSE, calls.append)
    assert calls == [1.0]
    calls = []
    gruneisen_vs_tau(
        default_glass(spectrum="asymptotic"),
        [0.1, 0.3],
        [1e-6, 1.0],
        resolution=COARSE,
        progress=calls.append,
    )
    assert calls == pytest.approx([0.5, 1.0])  # one kernel for both spectra: per temperature
    calls = []
    gruneisen_vs_tau(glass, [0.25, 0.3], [1e-6, 1.0], resolution=COARSE, progress=calls.append)
    assert calls == pytest.approx([0.5, 1.0])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_bar_starts_with_its_work_and_skips_instant_work() -> None:
    terminal = _Terminal()
    instant = Progress("ensemble", stream=terminal, delay=0.0)
    instant(1.0)
    instant.close()
    assert terminal.getvalue() == ""
    bar = Progress("run", stream=terminal, delay=0.0)
    assert terminal.getvalue() == ""  # nothing before the first report
    bar(0.25)
    bar(1.0)
    bar.close()
    text = terminal.getvalue()
    assert text.startswith("\rrun:   0%") and "run: 100%" in text
    assert "started" not in text  # a bar, not log lines


def test_in_a_log_a_few_lines_start_every_tenth_and_end() -> None:
    """Not a terminal (a file, CI, nohup): whole lines at the start, each time another tenth is
    done and at the end; 1000 reports give 11 lines, not 1000."""
    log = io.StringIO()
    report = Progress("sweep", stream=log, delay=0.0)
    for k in range(1, 1001):
        report(k / 1000)
    lines = log.getvalue().splitlines()
    assert lines[0] == "tls-expansion: sweep: started"
    assert lines[-1].startswith("tls-expansion: sweep: done in ")
    middle = [int(line.split(": ")[2].split(" %")[0]) for line in lines[1:-1]]
    assert middle == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert "\r" not in log.getvalue()
    report.close()  # idempotent
    assert len(log.getvalue().splitlines()) == 11


def test_counted_work_and_work_of_unknown_length() -> None:
    log = io.StringIO()
    points = Progress("sweep", stream=log, delay=0.0)
    for done in range(1, 5):
        points.counted(done, 4)
    assert log.getvalue().splitlines()[1:-1] == [
        line for line in log.getvalue().splitlines() if " % after " in line
    ]
    assert " 25 % after" in log.getvalue() and "done in" in log.getvalue()
    log = io.StringIO()
    evaluations = Progress("fit", stream=log, unit="evaluations", delay=0.0)
    for _ in range(45):
        evaluations.step("chi2 = 3")
    evaluations.close()
    counts = [int(line.split(": ")[2].split()[0]) for line in log.getvalue().splitlines()[1:-1]]
    assert counts == [1, 10, 20, 40]  # then doubling: a long fit logs a few lines
    assert log.getvalue().splitlines()[-1].endswith("(45 evaluations)")


def test_a_wait_shorter_than_the_delay_shows_nothing(monkeypatch) -> None:
    """Nothing for a wait under SHOW_AFTER_S (the main job's one-second run logged a dozen
    lines); past it, the first line says how long ago the work started and how far it is.
    The clock is a fake one: the test does not depend on how fast the machine is."""
    import protocols.progress as progress

    now = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    log = io.StringIO()
    short = Progress("short", stream=log)
    for k in range(1, 11):
        now[0] += 0.1
        short(k / 10)
    assert log.getvalue() == ""
    long = Progress("long", stream=log)
    for k in range(1, 11):
        now[0] += 0.5
        long(k / 10)
    lines = log.getvalue().splitlines()
    assert lines[0] == "tls-expansion: long: started 2 s ago, 50 %"
    assert lines[1:] == [
        "tls-expansion: long: 60 % after 2.5 s",
        "tls-expansion: long: 70 % after 3 s",
        "tls-expansion: long: 80 % after 3.5 s",
        "tls-expansion: long: 90 % after 4 s",
        "tls-expansion: long: done in 4.5 s",
    ]


def _alpha_csv(tmp_path: Path) -> Path:
    """α(T) of the asymptotic default glass at 6 temperatures, 2 % errors (a quick fit)."""
    glass = default_glass(spectrum="asymptotic")
    temps = np.geomspace(0.1, 0.5, 6)
    alpha = gruneisen_vs_tau(glass, temps, [100.0], resolution=COARSE)["alpha"].values[:, 0]
    path = tmp_path / "alpha.csv"
    rows = "\n".join(f"{t},{a},{0.02 * abs(a)}" for t, a in zip(temps, alpha, strict=True))
    path.write_text("# tau_expt = 100 s\ntemperature [K],alpha [K-1],alpha_err [K-1]\n" + rows)
    return path


class _Recorded(Progress):
    """A Progress that records what each command reported."""

    made: ClassVar[list[_Recorded]] = []

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(label, **{**kwargs, "delay": 0.0})
        self.reports: list[float] = []
        self.steps = 0
        _Recorded.made.append(self)

    def __call__(self, fraction: float) -> None:
        self.reports.append(fraction)
        super().__call__(fraction)

    def step(self, note: str = "") -> None:
        self.steps += 1
        super().step(note)


def test_every_long_command_reports_its_progress_and_quiet_silences_it(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """run, gamma, sweep and fit report to a Progress (whether it shows depends on the work:
    instant work shows nothing); with --quiet there is none."""
    import protocols.progress

    monkeypatch.setattr(protocols.progress, "Progress", _Recorded)
    commands = {
        "run": ["run", "heat-pulse", "--spectrum", "asymptotic", "--t-stop", "10"],
        "gamma": ["gamma", "--spectrum", "asymptotic", "--temperature", "0.3"],
        "sweep": [
            *("sweep", "--spectrum", "asymptotic", "--grid", "temperature=0.2,0.3"),
            *("--scheduler", "synchronous"),
        ],
        "fit": ["fit", str(_alpha_csv(tmp_path)), "--spectrum", "asymptotic", "--vary", "c"],
    }
    for name, argv in commands.items():
        _Recorded.made = []
        assert cli_main([*argv, "--out", str(tmp_path / f"{name}.nc"), "--no-plot"]) == 0, name
        assert _Recorded.made, name
        assert any(p.reports[-1:] == [1.0] or p.steps > 0 for p in _Recorded.made), name
        assert all(p._finished or not p._started for p in _Recorded.made), name  # closed
        err = capsys.readouterr().err
        if name == "run":  # a heat pulse reports every output time: a log, not a bar
            assert ": started" in err and ": done in " in err, err
        if name == "fit":
            assert "evaluations" in err and "chi2 = " in err, err
        _Recorded.made = []
        quiet = [*argv, "--out", str(tmp_path / f"q{name}.nc"), "--no-plot", "--quiet"]
        assert cli_main(quiet) == 0, name
        assert _Recorded.made == [] and capsys.readouterr().err == "", name


def test_fit_asks_for_yes_above_the_cost_limit(tmp_path: Path, capsys, monkeypatch) -> None:
    from protocols import cost

    monkeypatch.setitem(cost.FIT_METHODS, "leastsq", 10**6)  # evaluations a fit is estimated
    argv = ["fit", str(_alpha_csv(tmp_path)), "--spectrum", "asymptotic", "--vary", "c"]
    assert cli_main([*argv, "--out", str(tmp_path / "a.nc"), "--no-plot"]) == 2
    assert "give --yes to run it anyway" in capsys.readouterr().err
    assert not (tmp_path / "a.nc").exists()
    assert cli_main([*argv, "--out", str(tmp_path / "a.nc"), "--no-plot", "--yes"]) == 0
