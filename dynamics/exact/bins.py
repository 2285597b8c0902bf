r"""The bins of a :class:`~dynamics.glass.Glass` on exact spectra (``spectrum="exact"``).

The constant density :math:`\psi_j` in the :math:`(\tilde\eta,
\tilde t)` plane (or, as an option, :math:`\psi_j|\tilde\eta|`) is integrated with the engine's own
Gauss–Legendre panels, in the coordinates :math:`(E_a, p_a)` that the asymptotic map assigns to
each potential: the asymptotic density (5.1) *is* :math:`\psi_j` times the Jacobian of that map,
so the weights are an exact change of variables whether or not the asymptotic map is accurate.
Each node :math:`(E_a, p_a)` stands for the potentials :math:`(\tilde\eta, \pm\tilde t)` (type 1)
or :math:`(\pm\tilde t, \tilde t^2/4 \pm \tilde R)` (type 2); every one of them becomes a bin with
its own exact :math:`E`, :math:`p`, full :math:`D` and coupling, so that nothing is assumed about
the cancellation of the odd parts. Mirror images :math:`x\to-x` share the spectrum (one solve);
the :math:`\pm\tilde R` partners of type 2 do not (two solves).

Exact :math:`\Delta_0` is larger than (2.8) by a factor 6–170 for :math:`L = 1.5`–30, and
:math:`p` larger than :math:`p_a` by up to 3e4; so the asymptotic grid is extended ``energy_margin``
below the lowest energy of the run and ``p_margin`` below its lower bound of :math:`p`, and bins
whose exact :math:`E` falls outside the run's energy window are dropped. TLS below the extended
:math:`p` bound (deep wells, where :math:`E = \Delta` and (2.9) holds to ~1 %) enter only
:math:`C(\infty)`, through the asymptotic closed-form tail at their asymptotic energy.

The phonon and electron constants of a bin are those of the glass for the same potential, times
:math:`M^2/(p\,\gamma_a^2)`, the exact coupling over its asymptotic value :math:`p_a\gamma_a^2`
((4.4) type 1, (4.9) type 2): in the asymptotic limit the bins reduce to the glass's constants.
That factor is mixed over the members of a node by the glass's relaxation coupling
(:mod:`dynamics.relaxation_coupling`): ``"symmetric"`` (default) gives every member the node's
mean, the paper's rate law; ``"interference"`` with :math:`f` keeps a fraction :math:`f` of each
member's own :math:`M^2` (:math:`f = 1`: every potential with its own matrix element).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dynamics.activation import bin_activation
from dynamics.deformation import gamma_type1, gamma_type2
from dynamics.exact.levels_landscape import landscape_of
from dynamics.exact.shipped import spectral_table, two_level_grid
from dynamics.exact.tables import SpectralTable, table_two_level
from dynamics.exact.two_level import (
    _MIXED_P,
    FD_STEP,
    RESOLVED_SPLITTING,
    ExactTwoLevel,
    _with_derivatives,
    exact_couplings,
    exact_two_level,
)
from dynamics.glass import FloatArray, Glass
from dynamics.populations import boson_peak_factor
from dynamics.quadrature import (
    PART_NAMES,
    Ensemble,
    Resolution,
    bin_p_floor,
    energy_nodes,
    ensemble_from_parts,
    has_activation,
    p_nodes,
)
from dynamics.relaxation_coupling import mix_partner_couplings
from dynamics.soft_potential import asymptotic_potentials, type1_parameters, type2_parameters
from dynamics.units import K_B
from dynamics.validation import ParameterError, check_positive

__all__ = [
    "ExactMembers",
    "MemberBins",
    "append_member_bins",
    "assemble_exact_ensemble",
    "build_exact_ensemble",
    "exact_members",
]


#: Per-member arrays of :class:`ExactMembers`, shape (members, nodes).
_MEMBER_ROWS = ("energy", "p", "number_density", "deformation", "coupling", "keep")


@dataclass(frozen=True)
class ExactMembers:
    r"""The potentials of one TLS type on the asymptotic grid, before the relaxation coupling.

    Each node :math:`(E_a, p_a)` stands for 2 (type 1: :math:`\pm\tilde t`) or 4 (type 2:
    :math:`(\pm\tilde t, \pm\tilde R)`, in the order (+t, +R), (-t, +R), (+t, -R), (-t, -R))
    potentials, its *members* (mirror partners). Arrays of shape (n,) are per node, those of
    shape (members, n) per member.

    Attributes
    ----------
    kind
        Index of the TLS type.
    energy_a, p_a
        The node: :math:`E_a` [J], :math:`p_a` [1].
    phonon_a, electron_a
        The glass's constants at the node. [s-1 K-3], [s-1 K-1]
    energy, p
        Exact :math:`E` [J] and :math:`p` [1] of each member.
    number_density
        Potentials per volume the member stands for. [m-3]
    deformation
        Full exact :math:`D` of each member (NaN for unresolved asymmetric doublets). [J]
    coupling
        :math:`M^2/(p\gamma_a^2)`: the member's one-phonon coupling over the asymptotic one
        (meaningful where ``keep``). [1]
    keep
        Whether the member is a bin (exact :math:`E` in the run's window, :math:`p > 0`).
    tail_energy, tail_density
        The frozen tail below the p grid, per energy node in the window. [J], [m-3]
    attempt_rate, barrier
        With ``activation="arrhenius"``: :math:`\nu_i` [s-1] and :math:`V_i` [J] of both wells
        of each member's potential (:func:`dynamics.activation.bin_activation`), shape
        (members, 2, n); ``None`` without activation.
    """

    kind: int
    energy_a: FloatArray
    p_a: FloatArray
    phonon_a: FloatArray
    electron_a: FloatArray
    energy: FloatArray
    p: FloatArray
    number_density: FloatArray
    deformation: FloatArray
    coupling: FloatArray
    keep: NDArray[np.bool_]
    tail_energy: FloatArray
    tail_density: FloatArray
    attempt_rate: FloatArray | None = None
    barrier: FloatArray | None = None


def build_exact_ensemble(
    model: Glass,
    temperature_low: float,
    temperature_high: float,
    t_end: float,
    resolution: Resolution | None = None,
    progress: Callable[[float], None] | None = None,
) -> Ensemble:
    r"""Bins of every TLS type from exact spectra (module docstring), for a run.

    :func:`exact_members` (the spectra) then :func:`assemble_exact_ensemble` (the relaxation
    coupling).

    Parameters
    ----------
    model
        The glass with its spectrum settings.
    temperature_low, temperature_high
        Lowest and highest temperature of the run. [K]
    t_end
        Last time of the run. [s]
    resolution
        Quadrature resolution of the asymptotic grid (the converged default if omitted).
    progress
        Called with the fraction done while a spectral table is built for the glass's solver
        resolution (:func:`dynamics.exact.shipped.spectral_table`; not for the shipped one).

    Returns
    -------
    Ensemble
        Relaxing bins (exact :math:`E`, :math:`p`, full :math:`D`, couplings) and the frozen tail.
    """
    members = exact_members(model, temperature_low, temperature_high, t_end, resolution, progress)
    return assemble_exact_ensemble(members, model)


def exact_members(
    model: Glass,
    temperature_low: float,
    temperature_high: float,
    t_end: float,
    resolution: Resolution | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[ExactMembers, ...]:
    r"""The exact spectra of the potentials of every TLS type on the asymptotic grid of a run.

    Parameters
    ----------
    model
        The glass with its spectrum settings (its relaxation coupling is not used).
    temperature_low, temperature_high
        Lowest and highest temperature of the run. [K]
    t_end
        Last time of the run. [s]
    resolution
        Quadrature resolution of the asymptotic grid (the converged default if omitted).
    progress
        As :func:`build_exact_ensemble`.

    Returns
    -------
    tuple of ExactMembers
        One per TLS type with a nonzero density: the run's checked ranges, its energy window
        and the widened asymptotic grid (module docstring, ``energy_margin`` and ``p_margin``),
        then the members of each type (:func:`_type_members`).
    """
    res = resolution if resolution is not None else Resolution()
    t_lo, t_hi, t_end_v = _check_run(temperature_low, temperature_high, t_end)
    _check_resolved(model, t_lo, res)
    e_window = (res.x_min * K_B * t_lo, res.x_max * K_B * t_hi)
    wide = dataclasses.replace(
        res,
        x_min=res.x_min / model.energy_margin,
        relaxation_cutoff=res.relaxation_cutoff / model.p_margin,
    )
    e_nodes, e_weights = energy_nodes(t_lo, t_hi, model.energy_cap, wide)
    table = None if model.spectrum_source == "direct" else _tables(model, progress)
    return tuple(
        _type_members(model, kind, e_nodes, e_weights, e_window, t_hi, t_end_v, wide, table)
        for kind in range(len(model.tls_types))
        if model.density_scale(kind) != 0.0
    )


def _tables(model: Glass, progress: Callable[[float], None] | None) -> tuple[SpectralTable, ...]:
    """The spectral tables of the glass's solver resolution: the default grid, and for the
    soft-potential population (energies above W/e) the wide grid too."""
    grids = [two_level_grid(model.spectrum_resolution)]
    if model.population == "soft-potential":
        grids.append(two_level_grid(model.spectrum_resolution, wide=True))
    return tuple(spectral_table(g, progress) for g in grids)


def _check_run(
    temperature_low: float, temperature_high: float, t_end: float
) -> tuple[float, float, float]:
    """The run's lowest and highest temperatures [K] and last time [s], checked: positive,
    and the highest not below the lowest (:class:`ParameterError` naming the value)."""
    t_lo = float(check_positive("temperature_low", temperature_low, "K"))
    t_hi = float(check_positive("temperature_high", temperature_high, "K"))
    if t_hi < t_lo:
        raise ParameterError(
            f"temperature_high = {t_hi:.6g} K is below temperature_low = {t_lo:.6g} K"
        )
    return t_lo, t_hi, float(check_positive("t_end", t_end, "s"))


def _check_resolved(model: Glass, temperature_low: float, resolution: Resolution) -> None:
    """Refuse a run whose lowest bin energy ``x_min k_B T`` is below the smallest splitting the
    exact spectra resolve (:data:`dynamics.exact.RESOLVED_SPLITTING` W): their deformation
    potentials are undefined (NaN) there.

    Parameters
    ----------
    model
        The glass.
    temperature_low
        Lowest temperature of the run. [K]
    resolution
        Quadrature resolution (its ``x_min``).
    """
    lowest = RESOLVED_SPLITTING * model.W / resolution.x_min
    if temperature_low < lowest:
        raise ParameterError(
            f"temperature = {temperature_low:.6g} K is outside the allowed range [{lowest:.3g}, "
            f"inf) [K] of exact spectra for glass {model.name!r}: below it the TLS splittings "
            f"x_min k_B T (x_min = {resolution.x_min:g}) are smaller than the "
            f"{RESOLVED_SPLITTING:g} W the spectra resolve; use the asymptotic spectra there "
            "(spectrum='asymptotic', --spectrum asymptotic)"
        )


def _type_members(
    model: Glass,
    kind: int,
    e_nodes: FloatArray,
    e_weights: FloatArray,
    e_window: tuple[float, float],
    t_hi: float,
    t_end: float,
    wide: Resolution,
    table: tuple[SpectralTable, ...] | None,
) -> ExactMembers:
    r"""The :class:`ExactMembers` of TLS type ``kind`` on the widened asymptotic grid.

    Parameters
    ----------
    model
        The glass with its spectrum settings.
    kind
        Index of the TLS type.
    e_nodes, e_weights
        Energy nodes [J] and their weights (per unit :math:`\ln E`) [1] of the widened grid.
    e_window
        The run's energy window: members whose exact :math:`E` is outside are not kept. [J]
    t_hi
        Highest temperature of the run. [K]
    t_end
        Last time of the run. [s]
    wide
        The widened resolution.
    table
        The spectral tables to interpolate in, or ``None`` to solve every node.
    """
    p_min = bin_p_floor(model, kind, e_nodes, t_hi, t_end, wide)
    p_max = model.p_ceiling(e_nodes)
    p_grid, p_weights = p_nodes(-np.log(p_min), wide, -np.log(p_max))
    e_a = np.broadcast_to(e_nodes[:, None], p_grid.shape).ravel()
    p_a = p_grid.ravel()
    weight = model.density(kind, e_a, p_a) * (p_weights * (e_weights * e_nodes)[:, None]).ravel()
    etas, ts = asymptotic_potentials(kind, e_a, p_a, model.W_J)
    partners = _exact_partners(model, kind, e_a, p_a, etas, ts, e_window, table)
    gamma_a = _asymptotic_gamma(model, kind, e_a, p_a)
    tail_energy, tail_density = _tail(
        model, kind, e_nodes, e_weights, np.minimum(p_min, p_max), e_window
    )
    nu = v = None
    if has_activation(model):
        nu, v = (np.swapaxes(a, 0, 1) for a in bin_activation(etas, ts, model.W_J))
    return ExactMembers(
        kind=kind,
        energy_a=e_a,
        p_a=p_a,
        phonon_a=model.phonon_constant(kind, e_a, p_a),
        electron_a=model.electron_constant(kind, e_a, p_a),
        tail_energy=tail_energy,
        tail_density=tail_density,
        **_member_rows(model, partners, etas, weight, gamma_a, e_window),
        attempt_rate=nu,
        barrier=v,
    )


def _exact_partners(
    model: Glass,
    kind: int,
    e_a: FloatArray,
    p_a: FloatArray,
    etas: FloatArray,
    ts: FloatArray,
    e_window: tuple[float, float],
    table: tuple[SpectralTable, ...] | None,
) -> list[ExactTwoLevel]:
    r"""Exact two-level values of every member of the nodes :math:`(E_a, p_a)`, in the order
    of :func:`dynamics.soft_potential.asymptotic_potentials` (module docstring: mirror images
    share one solve, the :math:`\pm\tilde R` partners of type 2 do not).

    The ln :math:`\Delta_0` derivatives are added where the member is kept (exact :math:`E` in
    ``e_window`` [J], :math:`p > 0`) and :math:`p < 1/2`, where :math:`M` needs them.

    Parameters
    ----------
    e_a, p_a
        The nodes: :math:`E_a` [J], :math:`p_a` [1].
    etas, ts
        The potentials of the members, shape (members, n). [1]
    table
        The spectral table, or ``None`` to solve every node.
    """
    W_J = model.W_J
    e_rows = etas[0] if kind == 0 else np.concatenate([etas[0], etas[2]])
    t_rows = ts[0] if kind == 0 else np.concatenate([ts[0], ts[2]])
    solved = _solve_rows(model, table, kind, e_a / W_J, p_a, e_rows, t_rows)
    energy_rows = solved.splitting * W_J
    kept = (energy_rows >= e_window[0]) & (energy_rows <= e_window[1]) & (solved.p > 0.0)
    solved = _with_derivatives(
        solved, kept & (solved.p < _MIXED_P), FD_STEP, model.spectrum_resolution
    )
    if kind == 0:
        return [solved, solved.mirrored()]
    half = [_take(solved, slice(0, e_a.size)), _take(solved, slice(e_a.size, None))]
    return [half[0], half[0].mirrored(), half[1], half[1].mirrored()]


def _asymptotic_gamma(model: Glass, kind: int, e_a: FloatArray, p_a: FloatArray) -> FloatArray:
    r""":math:`\gamma_a` of the nodes, the asymptotic coupling at the node's
    :math:`\Delta_0 = E_a\sqrt{p_a}`: (4.4) for type 1, (4.9) for type 2. [J]"""
    W_J = model.W_J
    if kind == 0:
        return gamma_type1(e_a * np.sqrt(p_a), W_J=W_J, c=model.c, eta_L=model.eta_L, chi=model.chi)
    return gamma_type2(e_a * np.sqrt(p_a), W_J=W_J, c=model.c, eta_L=model.eta_L)


def _member_rows(
    model: Glass,
    partners: list[ExactTwoLevel],
    etas: FloatArray,
    weight: FloatArray,
    gamma_a: FloatArray,
    e_window: tuple[float, float],
) -> dict[str, Any]:
    r"""The per-member arrays of :class:`ExactMembers` (:data:`_MEMBER_ROWS`), shape
    (members, n): exact :math:`E` [J] and :math:`p` [1]; the node's density ``weight``
    [m-3] shared equally by its members (times :math:`|\tilde\eta|` for ``"abs_eta"``); full
    :math:`D` [J] and coupling factor :math:`M^2/(p\gamma_a^2)` [1] by
    :func:`exact_couplings`; and whether each is kept (:math:`E` in ``e_window`` [J],
    :math:`p > 0`).

    Parameters
    ----------
    partners
        Exact two-level values of each member (:func:`_exact_partners`).
    etas
        :math:`\tilde\eta` of each member, shape (members, n). [1]
    gamma_a
        Asymptotic coupling of each node (:func:`_asymptotic_gamma`). [J]
    """
    W_J = model.W_J
    signs = etas.shape[0]
    rows: dict[str, list[Any]] = {k: [] for k in _MEMBER_ROWS}
    for sign in range(signs):
        member = partners[sign]
        D, M = exact_couplings(member, c=model.c, eta_L=model.eta_L, chi=model.chi)
        energy = member.splitting * W_J
        density = weight * (np.abs(etas[sign]) if model.density_law == "abs_eta" else 1.0)
        if model.population == "soft-potential" and model.boson_peak_closure != "none":
            density = density * _closure(model, member)
        rows["energy"].append(energy)
        rows["p"].append(member.p)
        rows["number_density"].append(density / signs)
        rows["deformation"].append(D * W_J)
        rows["coupling"].append((M * W_J) ** 2 / (member.p * gamma_a**2))
        rows["keep"].append((energy >= e_window[0]) & (energy <= e_window[1]) & (member.p > 0.0))
    return {k: np.stack(v) for k, v in rows.items()}


def _closure(model: Glass, member: ExactTwoLevel) -> FloatArray:
    """The boson-peak closure factor of each member's potential
    (:func:`dynamics.populations.boson_peak_factor` of its harmonic energy). [1]"""
    e_h = landscape_of(member.eta, member.t).harmonic_energy
    return boson_peak_factor(e_h, model.boson_peak_closure, model.boson_peak_energy / model.W)


def _tail(
    model: Glass,
    kind: int,
    e_nodes: FloatArray,
    e_weights: FloatArray,
    p_min: FloatArray,
    e_window: tuple[float, float],
) -> tuple[FloatArray, FloatArray]:
    r"""The frozen tail below the p grid (module docstring): the energy nodes in the window
    [J] and the asymptotic closed-form density below :math:`p_\mathrm{min}(E)` at each [m-3]
    (times :math:`|\tilde\eta|` at :math:`(E, p_\mathrm{min})` for ``"abs_eta"``).

    Parameters
    ----------
    e_nodes, e_weights
        Energy nodes [J] and their weights per unit :math:`\ln E` [1].
    p_min
        Lower bound of the p grid at each node. [1]
    e_window
        The run's energy window. [J]
    """
    W_J = model.W_J
    in_window = (e_nodes >= e_window[0]) & (e_nodes <= e_window[1])
    tail = model.density_tail(kind, e_nodes, p_min) * e_weights * e_nodes
    if model.density_law == "abs_eta":
        eta_tail, _ = (
            type1_parameters(e_nodes, p_min, W_J) if kind == 0 else _type2_eta(e_nodes, p_min, W_J)
        )
        tail = tail * np.abs(eta_tail)
    return e_nodes[in_window], tail[in_window]


def assemble_exact_ensemble(members: tuple[ExactMembers, ...], model: Glass) -> Ensemble:
    r"""The bins of the exact ensemble from its members, with the model's relaxation coupling.

    Each kept member is a bin with its exact :math:`E`, :math:`p` and full :math:`D`; its phonon
    and electron constants are the node's asymptotic ones times its coupling factor mixed over
    its partner group by :func:`dynamics.relaxation_coupling.mix_partner_couplings` (symmetric:
    the group's mean; interference with :math:`f`: :math:`(1-f)\,\text{mean} + f\,\text{own}`).

    Parameters
    ----------
    members
        From :func:`exact_members`.
    model
        Supplies the relaxation coupling, the TLS types, :math:`K` and :math:`T_c`.

    Returns
    -------
    Ensemble
        Bins ordered by type, then member, then node; ``partner_group`` numbers the nodes.
    """
    parts: dict[str, list[Any]] = {k: [] for k in PART_NAMES}
    groups = 0
    for m in members:
        factor = mix_partner_couplings(m.coupling, m.keep, model.interference_fraction)
        bins = MemberBins(m.energy, m.p, m.keep, m.deformation, m.phonon_a * factor,
                          m.electron_a * factor)  # fmt: skip
        groups = append_member_bins(parts, m, bins, groups)
    return ensemble_from_parts(parts, model)


@dataclass(frozen=True)
class MemberBins:
    """What the bins of one :class:`ExactMembers` carry, each of shape (members, nodes): the
    exact values, or (:mod:`dynamics.mechanisms`) some of the paper's in their place.

    Parameters
    ----------
    energy
        :math:`E` of each bin. [J]
    p
        :math:`p` of each bin. [1]
    keep
        Whether the bin enters the ensemble.
    deformation
        :math:`D`. [J]
    phonon, electron
        The one-phonon and electron rate constants of each bin (as
        :class:`dynamics.ensemble.Ensemble`).
    """

    energy: FloatArray
    p: FloatArray
    keep: NDArray[np.bool_]
    deformation: FloatArray
    phonon: FloatArray
    electron: FloatArray


def append_member_bins(
    parts: dict[str, list[Any]], members: ExactMembers, bins: MemberBins, groups: int
) -> int:
    """Append the kept bins of ``members`` (every member, mirror partners in one partner group
    per node, groups numbered from ``groups``), their activation parts if ``members`` has them,
    and its frozen tail to ``parts`` (:func:`dynamics.ensemble.ensemble_from_parts`); returns the
    next free group number."""
    signs, n = members.energy.shape
    for sign in range(signs):
        k = bins.keep[sign]
        parts["energy"].append(bins.energy[sign][k])
        parts["p"].append(bins.p[sign][k])
        parts["kind"].append(np.full(int(k.sum()), members.kind))
        parts["number_density"].append(members.number_density[sign][k])
        parts["deformation"].append(bins.deformation[sign][k])
        parts["phonon"].append(bins.phonon[sign][k])
        parts["electron"].append(bins.electron[sign][k])
        parts["partner_group"].append((groups + np.arange(n))[k])
        if members.attempt_rate is not None and members.barrier is not None:
            parts.setdefault("attempt_rate", []).append(members.attempt_rate[sign][:, k])
            parts.setdefault("barrier", []).append(members.barrier[sign][:, k])
    parts["tail_energy"].append(members.tail_energy)
    parts["tail_kind"].append(np.full(members.tail_energy.size, members.kind))
    parts["tail_density"].append(members.tail_density)
    return groups + n


def _solve_rows(
    model: Glass,
    table: tuple[SpectralTable, ...] | None,
    kind: int,
    energy_ratio: FloatArray,
    p: FloatArray,
    eta: FloatArray,
    t: FloatArray,
) -> ExactTwoLevel:
    """Exact two-level values of the rows ``(eta, t)`` that the asymptotic map puts at
    ``(energy_ratio = E_a/W, p)`` (type 1: one row per node; type 2: +R rows, then -R rows):
    interpolated in ``table`` (:func:`dynamics.exact.tables.table_two_level`, forward
    differences included where p < 1/2) or, without one, solved directly."""
    if table is None:
        return exact_two_level(eta, t, resolution=model.spectrum_resolution, derivatives=False)
    if kind == 0:
        return table_two_level(table, 0, energy_ratio, p)
    return _concatenate_tls(
        [table_two_level(table, 1, energy_ratio, p), table_two_level(table, 2, energy_ratio, p)]
    )


def _concatenate_tls(parts: list[ExactTwoLevel]) -> ExactTwoLevel:
    return ExactTwoLevel(
        **{
            f.name: np.concatenate([getattr(x, f.name) for x in parts])
            for f in dataclasses.fields(ExactTwoLevel)
        }
    )


def _type2_eta(energy: FloatArray, p: FloatArray, W_J: float) -> tuple[FloatArray, FloatArray]:
    t, R = type2_parameters(energy, p, W_J)
    return R + t**2 / 4, t


def _take(tls: ExactTwoLevel, part: slice) -> ExactTwoLevel:
    return ExactTwoLevel(**{f.name: getattr(tls, f.name)[part] for f in dataclasses.fields(tls)})
