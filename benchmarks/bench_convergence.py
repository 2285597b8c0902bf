"""Convergence study of the (E, p) quadrature. Prints its figures; run:

    .venv/bin/python benchmarks/bench_convergence.py

For the default glass at 0.05, 0.3 and 2 K, the linear response from 1e-2 to 1e17 tau_min
(20 points per decade) at the default resolution, at each knob refined alone by 2, and at every
knob refined by 2 (the reference). For each: bins, and the largest change of strain, heat and
Gamma relative to their largest magnitude over the run (the criterion: < 1e-4).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from dynamics import default_glass
from dynamics.ensemble import Resolution, build_ensemble
from dynamics.propagation import linear_response
from dynamics.rates import tau_min
from dynamics.validation import TwoLevelRangeWarning


def response(resolution: Resolution, temperature: float):
    glass = default_glass(spectrum="asymptotic")
    t_min = float(tau_min(temperature, glass.A))
    times = t_min * np.logspace(-2, 17, 381)
    ens = build_ensemble(glass, temperature, temperature, times[-1], resolution)
    alpha, heat_capacity = linear_response(ens, temperature, times)
    eps, heat = alpha.sum(0), heat_capacity.sum(0)
    return ens.size, (eps, heat, eps / heat)


def change(a, b) -> list[float]:
    return [float(np.max(np.abs(x - y)) / np.max(np.abs(y))) for x, y in zip(a, b, strict=True)]


def main() -> None:
    base = Resolution()
    variants = {
        "default": base,
        "energy panels / 2": dataclasses.replace(
            base, energy_panel_decades=base.energy_panel_decades / 2
        ),
        "p panels / 2": dataclasses.replace(base, p_panel_decades=base.p_panel_decades / 2),
        "x_min / 2": dataclasses.replace(base, x_min=base.x_min / 2),
        "x_max * 2": dataclasses.replace(base, x_max=base.x_max * 2),
        "cutoff / 4": dataclasses.replace(base, relaxation_cutoff=base.relaxation_cutoff / 4),
    }
    print(f"default resolution: {base}")
    print(f"{'T [K]':>6} {'variant':>18} {'bins':>7} {'strain':>9} {'heat':>9} {'Gamma':>9}")
    worst = 0.0
    for temperature in (0.05, 0.3, 2.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TwoLevelRangeWarning)
            n_ref, ref = response(base.refined(2.0), temperature)
            for name, res in variants.items():
                n, out = response(res, temperature)
                d = change(out, ref)
                if name == "default":
                    worst = max(worst, *d)
                print(f"{temperature:6.2f} {name:>18} {n:7d} {d[0]:9.1e} {d[1]:9.1e} {d[2]:9.1e}")
        print(f"{temperature:6.2f} {'reference (all x2)':>18} {n_ref:7d}")
    print(f"largest change of the default against the reference: {worst:.1e} (criterion < 1e-4)")


if __name__ == "__main__":
    main()
