"""Thermal curves: heat capacity, thermal expansion and Grüneisen parameter of a glass, part by
part, from 0.05 to 20 K, as an xarray Dataset (docs/protocols.md, docs/physics.md §11).

This module only wires: :func:`dynamics.parts.part_response` computes every part, and the
variable registry (:mod:`protocols.variables`) names every variable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from dynamics.ensemble import Resolution
from dynamics.glass import GlassModel
from dynamics.parts import PARTS, check_model_temperature, default_temperatures, part_response
from dynamics.rates import tau_min
from dynamics.validation import ParameterError, check_positive
from protocols.provenance import provenance
from protocols.run import check_model
from protocols.variables import annotate

if TYPE_CHECKING:
    import xarray as xr

#: Durations of the experiment of a thermal curve unless told otherwise: a fast heat pulse
#: (1 ms), a calorimeter's relaxation (10 s), a dilatometer's reading (1000 s) and a day. [s]
DEFAULT_TAU_EXPT = (1e-3, 10.0, 1e3, 1e5)


def thermal(
    glass: GlassModel,
    temperature: ArrayLike | None = None,
    tau_expt: ArrayLike | None = None,
    *,
    resolution: Resolution | None = None,
    progress: Callable[[float], None] | None = None,
) -> xr.Dataset:
    """Heat capacity, thermal expansion and Grüneisen parameter of every part of a glass.

    Parameters
    ----------
    glass
        A glass (``population="soft-potential"`` for everything beyond two levels).
    temperature
        Temperatures, > 0 (200 log-spaced from 0.05 to 20 K if omitted). [K]
    tau_expt
        Durations of the experiment, > 0 (:data:`DEFAULT_TAU_EXPT` if omitted). [s]
    resolution
        Quadrature resolution of the slow doublets' bins.
    progress
        Called with 1 when done.

    Returns
    -------
    xarray.Dataset
        Dims ``part`` (tls, relaxators, double_well_excitations, soft_vibrations, phonons,
        electrons, total), ``temperature`` and ``tau_expt``: ``heat_capacity`` C(tau_expt),
        ``heat_capacity_equilibrium`` C(inf), ``thermal_expansion`` alpha, ``gruneisen``
        (K alpha/C(tau_expt)) and ``gruneisen_equilibrium`` (K alpha/C(inf)); ``tau_min``.
        The attributes record the glass, the modelling choices and the density scale.

    Examples
    --------
    >>> from dynamics import get_glass
    >>> from protocols.thermal import thermal
    >>> glass = get_glass("silica-spm")  # the soft-potential population, W = 3.7 K
    >>> ds = thermal(glass, [0.1, 1.0, 10.0], [100.0])
    >>> ds["heat_capacity"].sel(part="total").dims
    ('temperature', 'tau_expt')
    >>> bool((ds["heat_capacity"].sel(part="total") > 0).all())
    True
    """
    import xarray as xr

    model = check_model(glass)
    temps = np.asarray(
        default_temperatures() if temperature is None else temperature, dtype=float
    ).ravel()
    tau = np.asarray(DEFAULT_TAU_EXPT if tau_expt is None else tau_expt, dtype=float).ravel()
    check_positive("temperature", temps, "K")
    check_positive("tau_expt", tau, "s")
    if np.unique(temps).size != temps.size or np.unique(tau).size != tau.size:
        raise ParameterError("temperature and tau_expt need distinct values (no repeats)")
    check_model_temperature("temperature", temps, model)
    r = part_response(model, temps, tau, resolution=resolution)
    if progress is not None:
        progress(1.0)
    dims = ("part", "temperature", "tau_expt")
    ds = xr.Dataset(
        {
            "heat_capacity": (dims, r.heat_capacity),
            "heat_capacity_equilibrium": (dims[:2], r.heat_capacity_equilibrium),
            "thermal_expansion": (dims, r.thermal_expansion),
            "gruneisen": (dims, r.gruneisen),
            "gruneisen_equilibrium": (dims, r.gruneisen_equilibrium),
            "tau_min": ("temperature", np.asarray(tau_min(temps, model.A), dtype=float)),
        },
        coords={"part": list(PARTS), "temperature": temps, "tau_expt": tau},
    )
    ds.attrs.update(
        provenance(
            title=f"thermal curves of glass {model.name}",
            call=f"protocols.thermal(glass {model.name})",
            comment="Each part's response to a small heat step, relaxed over tau_expt "
            "(the instantaneous parts at once).",
            glass=model,
            resolution=resolution,
        )
    )
    return annotate(ds)
