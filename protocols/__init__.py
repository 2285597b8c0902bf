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

from typing import TYPE_CHECKING

from dynamics import __version__
from dynamics.exports import keep_functions_over_submodules, lazy_exports

#: Where the public names live: imported on first use (PEP 562), so that the command line's
#: ``--help`` and a worker process pay only for what they use.
_EXPORTS: dict[str, str] = {
    "fit": "protocols.fit",
    "run": "protocols.run",
    "default_times": "protocols.run",
    "gruneisen_vs_tau": "protocols.run",
    "sweep": "protocols.sweeps",
    "thermal": "protocols.thermal",
    "HeatPulse": "protocols.histories",
    "HeatStep": "protocols.histories",
    "IsolatedPulse": "protocols.histories",
    "Ramp": "protocols.histories",
    "Schedule": "protocols.histories",
    "Staircase": "protocols.histories",
    "TemperatureHistory": "protocols.histories",
    "log_times": "protocols.histories",
    "make_protocol": "protocols.histories",
    "protocol_from_dict": "protocols.histories",
    "alpha_through_tc": "protocols.metallic",
    "open_dataset": "protocols.output",
    "write_netcdf": "protocols.output",
    "plot_gruneisen": "protocols.plots",
    "plot_run": "protocols.plots",
    "plot_steps": "protocols.plots",
    "plot_strain": "protocols.plots",
    "plot_sweep": "protocols.plots",
    "plot_temperature": "protocols.plots",
    "plot_through_tc": "protocols.plots",
    "save_figure": "protocols.plots",
    "VARIABLES": "protocols.variables",
    "FitResult": "protocols.fit_output",
    "Measurement": "protocols.fitdata",
    "read_data": "protocols.fitdata",
    "plot_fit": "protocols.plots",
    "plot_thermal": "protocols.plots",
}

if TYPE_CHECKING:  # the names as the type checker and the documentation see them
    from protocols.fit import fit
    from protocols.fit_output import FitResult
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
        plot_thermal,
        plot_through_tc,
        save_figure,
    )
    from protocols.run import default_times, gruneisen_vs_tau, run
    from protocols.sweeps import sweep
    from protocols.thermal import thermal
    from protocols.variables import VARIABLES


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
# ``run``, ``fit`` and ``thermal`` are functions named like their modules: importing the module
# (``from protocols.run import default_times``) must not rebind the name to the module
keep_functions_over_submodules(__name__, frozenset({"fit", "run", "thermal"}))


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
    "plot_thermal",
    "plot_through_tc",
    "protocol_from_dict",
    "read_data",
    "run",
    "save_figure",
    "sweep",
    "thermal",
    "write_netcdf",
]
