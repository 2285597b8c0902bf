"""Make docs/fit_example_alpha.csv, the example data of docs/fitting.md, with the model that
``tls-expansion fit`` uses by default: the 'silica' preset on exact spectra (its exact
calibration), the TLS expansion coefficient α after a small heat step, read τ_expt = 100 s after
it, at 12 temperatures from 0.1 K to 2 K, plus seeded Gaussian noise of 3 % of the largest |α|.
The header records all of this. Run from the top of the checkout (a few seconds)::

    .venv/bin/python docs/make_fit_example.py

and review the change of the file before committing it; tests/test_fit_example.py checks that
the file holds what this script makes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dynamics import __version__, get_glass
from protocols.fit import predict
from protocols.fitdata import measurement

PATH = Path(__file__).with_name("fit_example_alpha.csv")
PRESET = "silica"
TEMPERATURES = np.geomspace(0.1, 2.0, 12)  # [K]
TAU_EXPT = 100.0  # [s]
NOISE = 0.03  # of the largest |alpha| [1]
SEED = 2026


def example() -> tuple[np.ndarray, np.ndarray, float]:
    """(temperatures [K], noisy α [K-1], its standard uncertainty [K-1])."""
    glass = get_glass(PRESET)  # exact spectra, the default of every command
    probe = measurement(
        "alpha", np.zeros(TEMPERATURES.size), temperature=TEMPERATURES, tau_expt=TAU_EXPT
    )
    alpha = predict(glass, probe)
    sigma = NOISE * float(np.max(np.abs(alpha)))
    noisy = alpha + np.random.default_rng(SEED).normal(0.0, sigma, alpha.size)
    return TEMPERATURES, noisy, sigma


def text() -> str:
    """The CSV file: a header saying how it was made, then mK, 1e-9/K rounded to 5 digits."""
    glass = get_glass(PRESET)
    temps, alpha, sigma = example()
    truth = {"c": glass.c, "W": glass.W}
    head = [
        "# Example data for tls-expansion fit (docs/fitting.md). SYNTHETIC, not a measurement:",
        f"# alpha of the two-level systems made by tls-expansion {__version__} "
        f"(docs/make_fit_example.py) for glass = {PRESET!r} on spectrum = 'exact' (its exact",
        f"# calibration, the default of every command), truth {json.dumps(truth)},",
        '# after protocol = {"kind": "step response"} (an infinitesimal heat step, read tau_expt',
        f"# after it), default resolution; plus Gaussian noise (seed {SEED}) of "
        f"{100 * NOISE:g} % of the largest |alpha|.",
        "# Settings are lines 'NAME = VALUE' before the header; other comment lines are ignored.",
        f"# tau_expt = {TAU_EXPT:g} s",
        "temperature [mK],alpha [1e-9/K],alpha_err [1e-9/K]",
    ]
    rows = [
        f"{1e3 * t:.5g},{1e9 * a:.5g},{1e9 * sigma:.5g}" for t, a in zip(temps, alpha, strict=True)
    ]
    return "\n".join(head + rows) + "\n"


if __name__ == "__main__":
    PATH.write_text(text())
    print(f"wrote {PATH}")
