"""Make docs/fit_example_c_over_t3.csv, the whole-glass example data of docs/fitting.md: C/T³ of
every part (``parts = "total"``) of the 'silica-spm' preset with ``activation = "none"`` (so that
the example fit runs in ~30 s), τ_expt = 1 s, at 9 temperatures from 0.1 K to 14 K, plus seeded
Gaussian noise of 1 % of each value, which is also each point's stated uncertainty. The header
records all of this. Run from the top of the checkout (a few seconds)::

    .venv/bin/python docs/make_fit_example_whole_glass.py

and review the change of the file before committing it; tests/test_fit_whole_glass.py checks
that the file holds what this script makes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dynamics import get_glass
from protocols.fit import predict
from protocols.fitdata import measurement

PATH = Path(__file__).with_name("fit_example_c_over_t3.csv")
PRESET = "silica-spm"
TEMPERATURES = np.array([0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 7.0, 10.0, 14.0])  # [K]
TAU_EXPT = 1.0  # [s]
NOISE = 0.01  # of each value [1]
SEED = 20


def truth():
    """The glass that makes the data."""
    return get_glass(PRESET).replace(activation="none")


def example() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(temperatures [K], noisy C/T³ [J m-3 K-4], standard uncertainties [J m-3 K-4])."""
    probe = measurement(
        "heat_capacity_over_cube",
        np.ones(TEMPERATURES.size),
        temperature=TEMPERATURES,
        tau_expt=TAU_EXPT,
        parts="total",
    )
    clean = predict(truth(), probe)
    noisy = clean * (1.0 + NOISE * np.random.default_rng(SEED).standard_normal(clean.size))
    return TEMPERATURES, noisy, NOISE * clean


def text() -> str:
    """The CSV file: a header saying how it was made, then K and J m-3 K-4 to 6 digits."""
    glass = truth()
    values = {k: getattr(glass, k) for k in ("W", "N0", "boson_peak_energy")}
    head = [
        "# Example data for tls-expansion fit --parts total (docs/fitting.md). SYNTHETIC, not a",
        "# measurement: C/T^3 of the whole glass (every part) of the preset",
        f"# {PRESET!r} with activation 'none', on exact spectra, truth",
        f"# {json.dumps(values)},",
        "# after a small heat step read tau_expt after it; plus Gaussian noise",
        f"# (seed {SEED}) of {100 * NOISE:g} % of each value, its stated uncertainty",
        "# (docs/make_fit_example_whole_glass.py).",
        f"# tau_expt = {TAU_EXPT:g} s",
        "temperature [K],heat_capacity_over_cube [J m-3 K-4],"
        "heat_capacity_over_cube_err [J m-3 K-4]",
    ]
    rows = [f"{t:g},{y:.6g},{e:.6g}" for t, y, e in zip(*example(), strict=True)]
    return "\n".join(head + rows) + "\n"


if __name__ == "__main__":
    PATH.write_text(text())
    print(f"wrote {PATH}")
