r"""From the asymptotic to the exact model one mechanism at a time (docs/exact.md).

Every step is an :class:`~dynamics.ensemble.Ensemble` assembled from the same potentials (the
exact ensemble's :class:`~dynamics.exact.bins.ExactMembers`: the constant density
:math:`\psi_j` on the :math:`(\tilde\eta, \tilde t)` plane times the Jacobian of the asymptotic
map), each step switching one more quantity from the paper's formula to the exact spectrum,
cumulatively:

``plane``
    the density and Jacobian: every potential a bin, but at its asymptotic :math:`(E_a, p_a)` with
    the paper's :math:`D_\mathrm{even}` (4.5), (4.11) and rate law (the asymptotic model itself,
    summed over the plane: it differs from ``asymptotic`` only by the wider grid);
``energy``
    exact :math:`E` and :math:`p` of every potential; :math:`D_\mathrm{even}` and the rate are
    still the paper's formulas, now at the exact :math:`(E, p)` (so the density at given
    :math:`(E, p)` is the exact one). Where the exact :math:`L = \ln(W/E p^{1/2}) < 1`, outside the
    paper's population (:math:`L \ge 1`; a heat share below 2e-4 at 1 K), the formulas are taken at
    :math:`L = 1`;
``even_type1``
    the exact even part of :math:`D` for type 1 (the mean over the mirror pair);
``even_type2``
    the exact even part of :math:`D` for type 2 (the mean over the :math:`\pm\tilde R` pair), which
    holds the :math:`\tilde R` term that (4.11) misses;
``rate``
    the exact coupling to phonons, symmetric (every partner at the mean of its group,
    :math:`\overline{M^2/p}`), instead of the paper's rate law;
``full``
    each potential's full :math:`D` (even and odd parts): the exact model with the default
    ``"symmetric"`` relaxation coupling;

after which ``"interference"`` with a fraction :math:`f` is the exact model with that coupling
(:func:`dynamics.exact.bins.assemble_exact_ensemble`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from dynamics.ensemble import build_ensemble
from dynamics.exact.bins import (
    ExactMembers,
    MemberBins,
    append_member_bins,
    assemble_exact_ensemble,
    exact_members,
)
from dynamics.glass import FloatArray, Glass
from dynamics.quadrature import PART_NAMES, Ensemble, Resolution, ensemble_from_parts
from dynamics.relaxation_coupling import mix_partner_couplings
from dynamics.validation import ParameterError

__all__ = ["MECHANISM_LABELS", "MECHANISM_STEPS", "mechanism_ensemble", "mechanism_rows"]

#: The cumulative steps from the asymptotic to the exact model (module docstring).
MECHANISM_STEPS = ("plane", "energy", "even_type1", "even_type2", "rate", "full")

#: Partner pairs (members) whose mean is the even part: type 1 the mirror pair; type 2 the
#: +-R pairs at each sign of t (members ordered (+t, +R), (-t, +R), (+t, -R), (-t, -R)).
_EVEN_PAIRS = {0: ((0, 1),), 1: ((0, 2), (1, 3))}


def _exact_even(m: ExactMembers) -> FloatArray:
    """The exact even part of D, per member: the mean of D over its partner pair. [J]"""
    even = np.empty_like(m.deformation)
    for a, b in _EVEN_PAIRS[m.kind]:
        mean = 0.5 * (m.deformation[a] + m.deformation[b])
        even[a] = mean
        even[b] = mean
    return even


def _paper_values(
    glass: Glass, kind: int, energy: FloatArray, p: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The paper's D_even, phonon and electron constants at (E, p), with L floored at 1."""
    p_edge = np.minimum(p, (glass.W_J / (math.e * energy)) ** 2)
    return (
        glass.deformation_even(kind, energy, p_edge),
        glass.phonon_constant(kind, energy, p_edge),
        glass.electron_constant(kind, energy, p_edge),
    )


def mechanism_ensemble(members: tuple[ExactMembers, ...], glass: Glass, step: str) -> Ensemble:
    r"""The ensemble of one step of :data:`MECHANISM_STEPS` (module docstring).

    Parameters
    ----------
    members
        From :func:`dynamics.exact.bins.exact_members` for the run.
    glass
        The exact glass; its relaxation coupling is used only by ``"full"``.
    step
        One of :data:`MECHANISM_STEPS`.

    Returns
    -------
    Ensemble
    """
    if step not in MECHANISM_STEPS:
        raise ParameterError(f"step = {step!r} is not allowed; use one of {MECHANISM_STEPS}")
    if step == "full":
        return assemble_exact_ensemble(members, glass)
    level = MECHANISM_STEPS.index(step)
    w = glass.W_J
    e_window_low = min(float(m.tail_energy.min()) for m in members if m.tail_energy.size)
    e_window_high = max(float(m.tail_energy.max()) for m in members if m.tail_energy.size)
    parts: dict[str, list[FloatArray]] = {k: [] for k in PART_NAMES}
    groups = 0
    for m in members:
        if level == 0:
            energy = np.broadcast_to(m.energy_a, m.energy.shape)
            p = np.broadcast_to(m.p_a, m.energy.shape)
            inside = (m.energy_a >= e_window_low) & (m.energy_a <= e_window_high)
            keep = np.broadcast_to(inside, m.energy.shape)
        else:
            energy, p, keep = m.energy, m.p, m.keep
        safe_e = np.where(keep, energy, w / 10.0)
        safe_p = np.where(keep, p, 0.5)
        deformation, phonon, electron = _paper_values(glass, m.kind, safe_e, safe_p)
        if level >= 2 + m.kind:  # exact even part: type 1 from even_type1, type 2 from even_type2
            deformation = _exact_even(m)
        if level >= 4:  # exact symmetric coupling instead of the paper's rate law
            factor = mix_partner_couplings(m.coupling, m.keep, 0.0)
            phonon = m.phonon_a * factor
            electron = m.electron_a * factor
        bins = MemberBins(energy, p, keep, deformation, phonon, electron)
        groups = append_member_bins(parts, m, bins, groups)
    return ensemble_from_parts(parts, glass)


#: Labels of the rows of the mechanism table of docs/exact.md, keyed by step.
MECHANISM_LABELS = {
    "asymptotic": "0. asymptotic model (the paper), symmetric",
    "plane": "1. exact-ensemble assembly: psi_j on the (eta, t) plane, asymptotic values",
    "energy": "2. + exact density in (E, p): exact E, p; the paper's D_even(E, p), rate law",
    "even_type1": "3. + exact even D, type 1",
    "even_type2": "4. + exact even D, type 2 (with the R term)",
    "rate": "5. + exact coupling M^2/p, symmetric (group mean)",
    "full": "6. + full D of every potential = **exact model, symmetric (default)**",
}
#: Length of the run the table's ensembles are built for [s]: the longest tau_expt of the
#: convergence table of docs/exact.md, so that both tables come from the same spectra.
TABLE_T_END = 86400.0
#: Interference fractions of the table: silica's estimate (docs/exact.md), 0.25, 0.5, 1.
TABLE_FRACTIONS = (0.064, 0.25, 0.5, 1.0)


def mechanism_rows(
    glass: Glass,
    temperature: float,
    resolution: Resolution | None = None,
    *,
    t_end: float = TABLE_T_END,
    fractions: tuple[float, ...] = TABLE_FRACTIONS,
) -> list[tuple[str, Ensemble]]:
    r"""The ensembles of the rows of the mechanism table (docs/exact.md) for a glass at one
    temperature: the asymptotic model (symmetric, then interference with :math:`f = 1`), the
    steps of :data:`MECHANISM_STEPS`, then the exact model with interference for each of
    ``fractions``. One set of spectra (:func:`dynamics.exact.bins.exact_members`) serves
    every row.

    Parameters
    ----------
    glass
        A soft-potential glass (its spectrum, the exact spectrum's settings and its relaxation
        coupling are replaced by the defaults).
    temperature
        :math:`T` of the step. [K]
    resolution
        Quadrature resolution (the converged default if omitted).
    t_end
        Length of the run the ensembles are built for. [s]
    fractions
        Interference fractions of the last rows, in [0, 1]. [1]

    Returns
    -------
    list of (label, Ensemble)
    """
    symmetric = glass.replace(relaxation_coupling="symmetric", interference_fraction=0.0)
    base = symmetric.with_spectrum("asymptotic")
    exact = base.with_spectrum("exact")
    members = exact_members(exact, temperature, temperature, t_end, resolution)

    def interference(model: Glass, f: float) -> Glass:
        return dataclasses.replace(
            model, relaxation_coupling="interference", interference_fraction=f
        )

    rows = [
        (
            MECHANISM_LABELS["asymptotic"],
            build_ensemble(base, temperature, temperature, t_end, resolution),
        ),
        (
            "0'. asymptotic model, interference f = 1 (M+- of (4.2), (4.3), (4.7), (4.8))",
            build_ensemble(interference(base, 1.0), temperature, temperature, t_end, resolution),
        ),
    ]
    rows += [(MECHANISM_LABELS[s], mechanism_ensemble(members, exact, s)) for s in MECHANISM_STEPS]
    for f in fractions:
        note = " (= the original exact model)" if f == 1.0 else ""
        model = interference(exact, f)
        rows.append(
            (
                f"7. exact model, interference f = {f:g}{note}",
                assemble_exact_ensemble(members, model),
            )
        )
    return rows
