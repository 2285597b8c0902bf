"""tls-expansion protocols: what the experimenter does (temperature histories, runs, sweeps,
datasets, plots and the command line)."""

from dynamics import __version__

__all__ = ["__version__"]
