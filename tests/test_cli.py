"""The command line end to end, in a temporary folder; errors are one line and exit 2."""

from __future__ import annotations

import pytest

from dynamics import default_glass
from dynamics.closed_forms import gruneisen_kki, gruneisen_time_constant
from dynamics.rates import tau_min
from protocols.cli import main


def test_closed_form_table_prints_derived_and_printed_gamma(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["closed-form", "--temperature", "0.3", "--points", "3"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if not line.startswith("#")]
    assert len(rows) == 3
    g = default_glass()
    tau, ratio, derived, printed = (float(v) for v in rows[-1])
    # the printed numbers are (6.4) at tau_expt b_Gamma / tau_min: recompute them independently
    assert ratio == pytest.approx(
        tau * gruneisen_time_constant() / float(tau_min(0.3, g.A)), rel=1e-4
    )
    kw = {"W": g.W_energy, "c": g.c, "eta_L": g.eta_L, "chi": g.chi, "psi": g.psi}
    assert derived == pytest.approx(float(gruneisen_kki(0.3, ratio, **kw)), rel=1e-4)  # 4 decimals
    assert printed == pytest.approx(
        float(gruneisen_kki(0.3, ratio, coefficients="printed", **kw)), rel=1e-4
    )


def test_glasses_lists_presets_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["glasses"]) == 0
    out = capsys.readouterr().out
    assert "ggp1985 (default)" in out and "estimate" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["closed-form", "--temperature", "-0.3"],
            "temperature = -0.3 is outside the allowed range",
        ),
        (["closed-form", "--set", "c=nan"], "c = nan is not a finite number"),
        (["closed-form", "--set", "colour=blue"], "colour is not a parameter of glass"),
        (["closed-form", "--glass", "pyrex"], "glass = 'pyrex' is not a known preset"),
        (["closed-form", "--config", "/nonexistent.toml"], "no such file"),
        (["closed-form", "--temperature", "warm"], "invalid float value"),
        (["closed-form", "--points", "0"], "--points = 0"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_config_file_sets_the_glass(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "glass.toml"
    cfg.write_text('[glass]\npreset = "ggp1985"\nc = 3.0\n')
    assert main(["closed-form", "--config", str(cfg), "--points", "1"]) == 0
    out = capsys.readouterr().out
    assert "ggp1985+custom" in out
    bad = tmp_path / "bad.toml"
    bad.write_text("[glas]\nc = 1\n")
    assert main(["closed-form", "--config", str(bad)]) == 2
    assert "unknown table" in capsys.readouterr().err
