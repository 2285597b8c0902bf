r"""The bins of a glass for a run: one function, :func:`build_ensemble`, for every model and
spectrum.

* the soft-potential :class:`~dynamics.glass.Glass` on exact spectra (``spectrum="exact"``,
  the default): :func:`dynamics.exact.bins.build_exact_ensemble`;
* the same glass on the paper's asymptotic spectra (``spectrum="asymptotic"``), and the
  standard tunnelling model (:class:`~dynamics.glass.TunnellingGlass`): the model's own density,
  deformation potential and relaxation constants at the quadrature nodes,
  :func:`asymptotic_ensemble`.

The quadrature, its resolution and the bins (:class:`Resolution`, :class:`Ensemble`) are
:mod:`dynamics.quadrature`; they are importable from here too, as part of this module's API.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dynamics.glass import Glass, TLSModel, TunnellingGlass
from dynamics.quadrature import (
    PART_NAMES,
    Ensemble,
    FloatArray,
    Resolution,
    _model_bins,
    activation_parts,
    bin_p_floor,
    energy_nodes,
    ensemble_from_parts,
    has_activation,
    p_nodes,
)
from dynamics.validation import ArgumentTypeError, ParameterError, check_positive

__all__ = ["Ensemble", "Resolution", "asymptotic_ensemble", "build_ensemble"]


def build_ensemble(
    model: TLSModel,
    temperature_low: float,
    temperature_high: float,
    t_end: float,
    resolution: Resolution | None = None,
    progress: Callable[[float], None] | None = None,
) -> Ensemble:
    r"""Bins of every TLS type for a run between two temperatures lasting ``t_end``: on exact
    spectra for a :class:`~dynamics.glass.Glass` with ``spectrum="exact"``
    (:func:`dynamics.exact.bins.build_exact_ensemble`), else the model's own formulas
    (:func:`asymptotic_ensemble`).

    Parameters
    ----------
    model
        The glass (:class:`dynamics.glass.Glass` or :class:`dynamics.glass.TunnellingGlass`).
    temperature_low, temperature_high
        Lowest and highest temperature the run visits. [K]
    t_end
        Last time of the run. [s]
    resolution
        Quadrature resolution; the converged default if omitted.
    progress
        Called with the fraction of the work done, 1 when the bins are built (asymptotic bins
        take milliseconds, exact ones from the shipped spectral table a fraction of a second;
        a table built for another solver resolution reports its progress through it).

    Returns
    -------
    Ensemble
        The bins, flattened over types, energies and p.
    """
    if not isinstance(model, Glass | TunnellingGlass):
        raise ArgumentTypeError(f"model = {model!r} must be a glass of dynamics (Glass, ...)")
    if resolution is not None and not isinstance(resolution, Resolution):
        raise ArgumentTypeError(f"resolution = {resolution!r} must be a dynamics.Resolution")
    res = resolution if resolution is not None else Resolution()
    if isinstance(model, Glass) and model.spectrum == "exact":
        from dynamics.exact.bins import build_exact_ensemble  # the solver, scipy: when needed

        ens = build_exact_ensemble(model, temperature_low, temperature_high, t_end, res, progress)
    else:
        ens = asymptotic_ensemble(model, temperature_low, temperature_high, t_end, res)
    if progress is not None:
        progress(1.0)
    return ens


def asymptotic_ensemble(
    model: TLSModel,
    temperature_low: float,
    temperature_high: float,
    t_end: float,
    resolution: Resolution,
) -> Ensemble:
    r"""Bins on the paper's asymptotic spectra: the model's own density, even deformation
    potential and relaxation constants at the quadrature nodes (module docstring); with
    ``activation="arrhenius"`` the wells of the potential at each node
    (:func:`dynamics.quadrature.activation_parts`) and a p floor lowered to the deepest type-1
    wells activation relaxes within the run (:func:`dynamics.quadrature.bin_p_floor`).

    Parameters
    ----------
    model
        The glass.
    temperature_low, temperature_high
        Lowest and highest temperature the run visits. [K]
    t_end
        Last time of the run. [s]
    resolution
        Quadrature resolution.

    Returns
    -------
    Ensemble
    """
    res = resolution
    t_lo = float(check_positive("temperature_low", temperature_low, "K"))
    t_hi = float(check_positive("temperature_high", temperature_high, "K"))
    if t_hi < t_lo:
        raise ParameterError(
            f"temperature_high = {t_hi:.6g} K is below temperature_low = {t_lo:.6g} K"
        )
    t_end_v = float(check_positive("t_end", t_end, "s"))
    e_nodes, e_weights = energy_nodes(t_lo, t_hi, model.energy_cap, res)
    parts: dict[str, list[FloatArray]] = {k: [] for k in PART_NAMES}
    # Interference (f > 0) splits each bin into its two mirror partners; f = 0 is "symmetric".
    fraction = float(getattr(model, "interference_fraction", 0.0))
    groups = 0
    active = has_activation(model)
    if active:
        parts.update({"attempt_rate": [], "barrier": []})
    for kind in range(len(model.tls_types)):
        p_min = bin_p_floor(model, kind, e_nodes, t_hi, t_end_v, res)
        p_grid, p_weights = p_nodes(-np.log(p_min), res)
        energy = np.broadcast_to(e_nodes[:, None], p_grid.shape)
        density, even, phonon, electron = _model_bins(model, kind, energy.ravel(), p_grid.ravel())
        weight = density.reshape(p_grid.shape) * p_weights * (e_weights * e_nodes)[:, None]
        members: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]]
        if fraction == 0.0:
            members = [(weight.ravel(), even, phonon, electron)]
        else:
            members = [
                (w, d, phonon * r, electron * r)
                for w, d, r in _asymptotic_partner_bins(
                    model, kind, energy.ravel(), p_grid.ravel(), fraction, weight.ravel(), even
                )
            ]
        wells = activation_parts(model, kind, energy.ravel(), p_grid.ravel()) if active else None
        for number, deformation, phonon_m, electron_m in members:
            if wells is not None:  # mirror partners: the same two wells
                parts["attempt_rate"].append(wells[0])
                parts["barrier"].append(wells[1])
            parts["energy"].append(energy.ravel())
            parts["p"].append(p_grid.ravel())
            parts["kind"].append(np.full(energy.size, kind))
            parts["number_density"].append(number)
            parts["deformation"].append(deformation)
            parts["phonon"].append(phonon_m)
            parts["electron"].append(electron_m)
            parts["partner_group"].append((groups + np.arange(energy.size)).astype(float))
        groups += energy.size
        parts["tail_energy"].append(e_nodes)
        parts["tail_kind"].append(np.full(e_nodes.size, kind))
        parts["tail_density"].append(model.density_tail(kind, e_nodes, p_min) * e_weights * e_nodes)
    return ensemble_from_parts(parts, model)


def _asymptotic_partner_bins(
    model: TLSModel,
    kind: int,
    energy: FloatArray,
    p: FloatArray,
    fraction: float,
    weight: FloatArray,
    even: FloatArray,
) -> list[tuple[FloatArray, FloatArray, FloatArray]]:
    """The two mirror partners of asymptotic bins: (number density, D, rate factor) each."""
    from dynamics.relaxation_coupling import asymptotic_partners

    glass = model  # a soft-potential Glass: the only model with interference_fraction > 0
    odd, factor = asymptotic_partners(
        kind,
        energy,
        p,
        fraction,
        W_J=glass.W_J,  # type: ignore[attr-defined]
        c=glass.c,  # type: ignore[attr-defined]
        eta_L=glass.eta_L,  # type: ignore[attr-defined]
        chi=glass.chi,  # type: ignore[attr-defined]
    )
    half = 0.5 * weight
    return [(half, even + odd, factor[0]), (half, even - odd, factor[1])]
