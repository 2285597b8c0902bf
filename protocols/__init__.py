"""tls-expansion protocols: what the experimenter does (temperature histories, runs, sweeps,
datasets, plots and the command line).

Quick start::

    import dynamics
    import protocols

    glass = dynamics.default_glass()
    ds = protocols.run(glass, protocols.HeatStep(T0=0.3, T1=0.303))
    protocols.write_netcdf(ds, "outputs/step.nc")
    gamma = protocols.gruneisen_vs_tau(glass, [0.1, 0.3], tau_expt=[1e-8, 1.0, 86400.0])

The names below are the public API. ``protocols.run`` is the function :func:`protocols.run`
(the module that holds it, ``protocols/run.py``, is still importable by its full name:
``from protocols.run import default_times``); likewise ``protocols.sweep`` and ``protocols.fit``
are the functions.
"""

from dynamics import __version__
from protocols.fit import FitResult, fit
from protocols.fitdata import Measurement, read_data
from protocols.histories import (
    HeatPulse,
    HeatStep,
    IsolatedPulse,
    Ramp,
    Schedule,
    Staircase,
    TemperatureHistory,
    log_times,
    make_protocol,
    protocol_from_dict,
)
from protocols.metallic import alpha_through_tc
from protocols.output import open_dataset, write_netcdf
from protocols.plots import (
    plot_fit,
    plot_gruneisen,
    plot_run,
    plot_steps,
    plot_strain,
    plot_sweep,
    plot_temperature,
    plot_through_tc,
    save_figure,
)
from protocols.run import default_times, gruneisen_vs_tau, run
from protocols.sweeps import sweep
from protocols.variables import VARIABLES

__all__ = [
    "VARIABLES",
    "FitResult",
    "HeatPulse",
    "HeatStep",
    "IsolatedPulse",
    "Measurement",
    "Ramp",
    "Schedule",
    "Staircase",
    "TemperatureHistory",
    "__version__",
    "alpha_through_tc",
    "default_times",
    "fit",
    "gruneisen_vs_tau",
    "log_times",
    "make_protocol",
    "open_dataset",
    "plot_fit",
    "plot_gruneisen",
    "plot_run",
    "plot_steps",
    "plot_strain",
    "plot_sweep",
    "plot_temperature",
    "plot_through_tc",
    "protocol_from_dict",
    "read_data",
    "run",
    "save_figure",
    "sweep",
    "write_netcdf",
]
