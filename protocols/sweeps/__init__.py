r"""Parameter sweeps on dask: Γ(τ_expt), or a whole protocol, over a grid of glass parameters,
temperatures and protocol parameters.

A sweep takes a base glass and a ``grid``, a dict of parameter name -> 1-D sequence of values;
every combination of values is a grid point. The points are cut into blocks (contiguous in the
C order of the grid), each block is one dask task that computes its points one after the other
with exactly the serial functions of :mod:`protocols.run` and :mod:`dynamics`, and the results
are stacked into one :class:`xarray.Dataset` whose swept parameters are dimensions, in the order
of the grid. Every point is computed alone, so the result is identical, bit for bit, to
computing each point alone with the serial functions, whatever the scheduler, the number of
workers or the block size (tested).

Two modes:

* **Γ(τ_expt)** (``protocol=None``): at every point, the linear response to an infinitesimal
  heat step at ``temperature`` (which must be in the grid), as in
  :func:`protocols.run.gruneisen_vs_tau`: ``gruneisen``, ``gruneisen_equilibrium``,
  ``alpha_over_temperature`` (α/T) and ``heat_capacity_over_temperature`` (C/T) along
  ``tau_expt``, and ``heat_capacity_equilibrium`` and ``tau_min`` per point.
* **protocol** (``protocol`` a kind name or instance): at every point,
  :func:`protocols.run.run` at the shared output ``times``; every variable of the run (strain,
  heat, temperature, α and Γ where defined, ...) gains the swept dimensions in front.

Where the work runs:

* by default, locally: a pool of worker *processes* (dask's ``processes`` scheduler, one per
  core). The kernels spend most of their time in small numpy calls under the GIL, so threads
  do not scale (measured in ``docs/sweeps.md``); a sweep of a single block runs in-process.
  Scripts need the usual ``if __name__ == "__main__":`` guard (the workers are spawned);
* ``scheduler="threads" | "processes" | "synchronous"`` chooses a local scheduler,
  ``workers`` its number of workers;
* on a ``dask.distributed`` cluster: ``client=`` an existing :class:`distributed.Client`, or
  ``scheduler="tcp://host:port"`` (a client is opened and closed around the sweep). The workers
  must have this package installed.
"""

from protocols.sweeps.assembly import grid_names
from protocols.sweeps.driver import sweep
from protocols.sweeps.execution import ClusterError
from protocols.sweeps.grid import GAMMA_VARIABLES, parse_grid, parse_grid_values

__all__ = [
    "GAMMA_VARIABLES",
    "ClusterError",
    "grid_names",
    "parse_grid",
    "parse_grid_values",
    "sweep",
]
