"""Progress of long waits: ensemble builds report their fraction done, the CLI's
bars start with their own work and skip work that was instant."""

from __future__ import annotations

import io

import pytest

from dynamics import Resolution, build_ensemble, default_glass
from protocols.cli import common as cli
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


def test_cli_bars_start_with_their_work_and_skip_instant_work(monkeypatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(cli.sys, "stderr", terminal)
    instant = cli.progress_bar("ensemble")
    instant(1.0)
    instant.close()
    assert terminal.getvalue() == ""
    bar = cli.progress_bar("run")
    assert terminal.getvalue() == ""  # nothing before the first report
    bar(0.25)
    bar(1.0)
    bar.close()
    text = terminal.getvalue()
    assert text.startswith("\rrun:   0%") and "run: 100%" in text
