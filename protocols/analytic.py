"""The paper's closed-form Grüneisen parameter (6.4) for a glass, as a table."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.closed_forms import gruneisen_kki, gruneisen_time_constant
from dynamics.glass import Glass
from dynamics.rates import tau_min
from dynamics.validation import check_positive, check_temperature

FloatArray = NDArray[np.float64]


def closed_form_gruneisen(
    glass: Glass, temperature: float, tau_expt: ArrayLike, *, smooth: bool = True
) -> dict[str, FloatArray]:
    r"""Γ(τ_expt) of (6.4), derived and printed coefficients, for a soft-potential glass.

    Parameters
    ----------
    glass
        The glass.
    temperature
        :math:`T`. [K]
    tau_expt
        Durations of the experiment. [s]
    smooth
        If true, map smooth exponential relaxation onto the paper's sharp cutoff with
        :math:`b_\Gamma` (:func:`dynamics.closed_forms.gruneisen_time_constant`); if false, use
        :math:`\tau_\mathrm{expt}/\tau_\mathrm{min}` as printed.

    Returns
    -------
    dict
        ``tau_expt`` [s], ``tau_ratio`` [1] (the ratio inserted in (6.4)), ``derived`` and
        ``printed`` Γ [1], and ``tau_min`` [s] (a 0-d array).
    """
    t = float(check_temperature("temperature", temperature))
    tau = check_positive("tau_expt", tau_expt, "s")
    t_min = float(tau_min(t, glass.A))
    ratio = tau / t_min * (gruneisen_time_constant() if smooth else 1.0)
    ratio = np.maximum(ratio, 1.0)
    kw = dict(W=glass.W_energy, c=glass.c, eta_L=glass.eta_L, chi=glass.chi, psi=glass.psi)
    return {
        "tau_expt": tau,
        "tau_ratio": ratio,
        "derived": gruneisen_kki(t, ratio, coefficients="derived", **kw),
        "printed": gruneisen_kki(t, ratio, coefficients="printed", **kw),
        "tau_min": np.asarray(t_min),
    }
