"""The figures of issue 21 (the seam): start-up, the main job, exact and asymptotic Γ, sweeps.

Run::

    .venv/bin/python benchmarks/bench_seam.py            # every figure (about 3 minutes)
    .venv/bin/python benchmarks/bench_seam.py --quick    # without the 10,000-point sweeps

CPU times are in units of one ``np.exp`` on 1e7 float64 (into a preallocated array), measured
in this process, best of several: a unit that follows the machine. Whole-process figures are
the CPU (user + system) of a child process and of everything it waited for (its workers).
Every figure is printed with its target; a machine busy with other work inflates wall times
(the load average is printed with the figures that depend on it).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: The console script, as a user runs it.
CLI = [str(Path(sys.executable).with_name("tls-expansion"))]

#: (label, target in units or seconds, unit of the target)
TARGETS = {
    "help": (35.0, "units"),
    "main": (170.0, "units"),
    "propagation": (50.0, "units"),
    "gamma_exact": (2.5, "units"),
    "sweep_exact": (8.0, "s"),
    "sweep_asymptotic": (0.15e-3, "s per point per core"),
    "workers": (1.7, "x"),
    "first_run": (5.0, "s"),
}


def exp_unit(repeats: int = 9) -> float:
    """CPU time of np.exp on 1e7 float64 into a preallocated array, best of ``repeats``. [s]"""
    x = np.random.default_rng(0).random(10_000_000)
    y = np.empty_like(x)
    np.exp(x, out=y)
    best = np.inf
    for _ in range(repeats):
        start = time.process_time()
        np.exp(x, out=y)
        best = min(best, time.process_time() - start)
    return float(best)


def child_cpu(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU [s], wall [s]) of a child process and of what it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def best_of(f: Callable[[], float], repeats: int) -> float:
    return min(f() for _ in range(repeats))


def report(name: str, label: str, value: float, shown: str) -> None:
    target, unit = TARGETS[name]
    ok = value >= target if unit == "x" else value <= target
    print(f"{label:62s} {shown:>24s}   target {'>=' if unit == 'x' else '<='} {target:g} "
          f"{unit}  {'met' if ok else 'NOT MET'}")  # fmt: skip


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def help_figure(unit: float) -> None:
    cpu = best_of(lambda: child_cpu([*CLI, "--help"])[0], 5)
    report("help", "tls-expansion --help, whole process (best of 5)", cpu / unit,
           f"{cpu / unit:.1f} units ({cpu:.2f} s)")  # fmt: skip


def main_job_figure(unit: float, out: Path) -> None:
    run = [*CLI, "run", "--out", str(out), "--force", "--quiet"]
    child_cpu(run)  # the warm-up: the first run of this process's files
    cpu = best_of(lambda: child_cpu(run)[0], 3)
    report("main", "main job warm (tls-expansion run), whole process (best of 3)", cpu / unit,
           f"{cpu / unit:.1f} units ({cpu:.2f} s)")  # fmt: skip


def propagation_figure(unit: float) -> None:
    from dynamics import default_glass
    from dynamics.ensemble import build_ensemble
    from protocols.histories import make_protocol
    from protocols.run import default_times

    glass = default_glass()
    protocol = make_protocol("heat-pulse").resolved(glass)
    times = default_times(glass, protocol)
    low, high = protocol.temperature_range(glass, float(times[-1]))
    ensemble = build_ensemble(glass, low, high, float(times[-1]))

    def once() -> float:
        start = time.process_time()
        protocol.simulate(glass, ensemble, times, rtol=1e-6)
        return time.process_time() - start

    cpu = best_of(once, 3)
    report("propagation", f"main job's propagation ({ensemble.size} bins, best of 3)",
           cpu / unit, f"{cpu / unit:.1f} units ({cpu:.3f} s)")  # fmt: skip


def gamma_exact_figure(unit: float) -> None:
    from dynamics import default_glass
    from dynamics.response import gamma_point
    from protocols.histories import log_times

    glass = default_glass()
    tau = log_times(1e-8, 1e5, 5)  # the gamma command's default: 66 values
    gamma_point(glass, 0.3, tau)  # the shipped table read once
    temperatures = np.geomspace(0.0513, 1.97, 24)  # new: none computed before
    start = time.process_time()
    for t in temperatures:
        gamma_point(glass, float(t), tau)
    cpu = (time.process_time() - start) / temperatures.size
    report("gamma_exact", "exact Gamma(tau_expt), 66 values, at a new temperature (mean of 24)",
           cpu / unit, f"{cpu / unit:.2f} units ({cpu * 1e3:.1f} ms)")  # fmt: skip


SWEEP_EXACT = """
import numpy as np
from dynamics import default_glass
from protocols.sweeps import sweep
sweep(default_glass(), {"temperature": np.geomspace(0.05, 2.0, 40), "c": np.linspace(2, 20, 25)})
"""


def sweep_exact_figure() -> None:
    cpu, wall = child_cpu([sys.executable, "-c", SWEEP_EXACT])
    report("sweep_exact", "exact 1,000-point Gamma sweep (40 T x 25 c), all CPU, new process",
           cpu, f"{cpu:.2f} s (wall {wall:.1f} s)")  # fmt: skip


def sweep_asymptotic_figure() -> None:
    from dynamics import default_glass
    from protocols.sweeps import points, sweep

    glass = default_glass(spectrum="asymptotic")
    temperatures = np.geomspace(0.05, 2.0, 40)
    sweep(glass, {"temperature": [0.3], "c": [5.0]}, scheduler="synchronous")  # imports
    for name, values in (("c", np.linspace(2, 20, 25)), ("W", np.linspace(5, 50, 25))):
        points._reference_point.cache_clear()
        start = time.process_time()
        sweep(glass, {"temperature": temperatures, name: values}, scheduler="synchronous")
        per_point = (time.process_time() - start) / 1000
        label = f"asymptotic 1,000-point sweep (40 T x 25 {name}), per point, one core"
        if name == "c":
            report("sweep_asymptotic", label, per_point, f"{per_point * 1e3:.3f} ms")
        else:
            print(f"{label:62s} {per_point * 1e3:>21.3f} ms   (every point a response of its own)")


def workers_figure() -> None:
    from dynamics import default_glass
    from protocols.sweeps import sweep

    glass = default_glass(spectrum="asymptotic")
    grid = {"temperature": np.geomspace(0.05, 2.0, 100), "chi": np.linspace(2.0, 6.0, 100)}
    walls = {}
    for workers in (1, 2):
        start = time.perf_counter()
        sweep(glass, grid, tau_expt=[100.0], scheduler="processes", workers=workers)
        walls[workers] = time.perf_counter() - start
    ratio = walls[1] / walls[2]
    report("workers", "10,000-point sweep (100 T x 100 chi), 2 worker processes vs 1", ratio,
           f"{ratio:.2f}x ({walls[1]:.1f} s / {walls[2]:.1f} s)")  # fmt: skip
    print(f"{'':62s} {load()}")


def first_run_figure(out: Path) -> None:
    run = [*CLI, "run", "--out", str(out), "--force", "--quiet"]
    with tempfile.TemporaryDirectory() as fresh:
        env = dict(os.environ)
        env["PYTHONPYCACHEPREFIX"] = str(Path(fresh) / "pycache")  # no compiled module yet
        env["MPLCONFIGDIR"] = str(Path(fresh) / "matplotlib")  # no font cache yet
        first = child_cpu(run, env)
        warm = child_cpu(run, env)
    extra = first[1] - warm[1]
    report("first_run", "first tls-expansion run on a machine, beyond the warm run (wall)",
           extra, f"{extra:.1f} s ({first[1]:.1f} s vs {warm[1]:.1f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-point sweeps")
    args = parser.parse_args()
    unit = exp_unit()
    print(f"unit: np.exp on 1e7 float64 = {unit * 1e3:.2f} ms CPU; {load()}; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.nc"
        help_figure(unit)
        main_job_figure(unit, out)
        propagation_figure(unit)
        gamma_exact_figure(unit)
        sweep_exact_figure()
        sweep_asymptotic_figure()
        if not args.quick:
            workers_figure()
        first_run_figure(out)
    print(f"unit at the end: {exp_unit() * 1e3:.2f} ms; {load()}")


if __name__ == "__main__":
    main()
