r"""Bins of TLS on :math:`(E, p)`: a quadrature of the densities of states, ready to relax.

The integrals over the TLS population,

.. math:: \sum_j\int dE\int dp\, N_j(E, p)\, f(E, p),

are replaced by sums over bins, each carrying its number density (per volume), even
deformation potential and relaxation constants. The quadrature is Gauss-Legendre on panels:

* **Energy**: panels of equal width in :math:`\ln E`, from :math:`x_\mathrm{min}k_BT_\mathrm{low}`
  to :math:`\min(x_\mathrm{max}k_BT_\mathrm{high}, E_\mathrm{cap})` (:math:`E_\mathrm{cap} = W/e` in
  the soft-potential model, which keeps :math:`L \ge 1`; the thermal weight
  :math:`x^2/\cosh^2(x/2)` lost below :math:`x_\mathrm{min}` and above :math:`x_\mathrm{max}` is
  below 1e-6 of the total at the defaults).
* **p**: in :math:`s = -\ln p`. The first panel, :math:`0 \le s \le 1`, is mapped to
  :math:`\sigma = s^{1/2}`, which removes the integrable :math:`(1-p)^{-1/2}` singularity at
  :math:`p = 1`; the rest, up to :math:`s_\mathrm{max}(E)`, is cut into equal panels no wider than
  the resolution allows. Every energy has the same number of p panels (so the bins form a
  regular array), each no wider than the nominal width.

**Lower bound of p.** A TLS relaxes at :math:`p\,r(E, T)`, so by the end :math:`t_\mathrm{end}` of
a run one with :math:`p < p_\mathrm{min}(E) = \epsilon/(t_\mathrm{end}\,r_\mathrm{max}(E))` has
moved by less than :math:`\epsilon` of its way to equilibrium (:math:`r_\mathrm{max}` is its rate
at the highest temperature of the run; :math:`\epsilon` = ``relaxation_cutoff``). The bins stop
there: the TLS below contribute less than :math:`\epsilon` per unit of :math:`\ln p` to any
response. They still count in the equilibrium heat capacity :math:`C(\infty)`, through the
closed-form tail :math:`\int_0^{p_\mathrm{min}}N_j\,dp` (:func:`dynamics.density.kki_density_tail`),
kept as separate "tail" bins that never relax.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from dynamics.glass import TLSModel
from dynamics.units import K_B
from dynamics.validation import (
    ArgumentTypeError,
    ParameterError,
    as_count,
    check_positive,
    check_range,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_LN10 = math.log(10.0)


@dataclass(frozen=True)
class Resolution:
    r"""Resolution of the :math:`(E, p)` quadrature; the defaults are converged (see
    ``benchmarks/bench_convergence.py``: refining changes strain, heat and Γ by < 1e-4).

    Parameters
    ----------
    energy_panel_decades
        Width of an energy panel. [decades of E]
    energy_nodes
        Gauss-Legendre nodes per energy panel.
    p_panel_decades
        Largest width of a p panel. [decades of p]
    p_nodes
        Gauss-Legendre nodes per p panel.
    x_min
        Lowest energy over :math:`k_BT` at the lowest temperature of the run. [1]
    x_max
        Highest energy over :math:`k_BT` at the highest temperature of the run. [1]
    relaxation_cutoff
        :math:`\epsilon` of the lower bound :math:`p_\mathrm{min}(E)` (module docstring). [1]
    """

    energy_panel_decades: float = 1.0
    energy_nodes: int = 10
    p_panel_decades: float = 1.5
    p_nodes: int = 6
    x_min: float = 0.02
    x_max: float = 40.0
    relaxation_cutoff: float = 1e-7

    def __post_init__(self) -> None:
        check_range("energy_panel_decades", self.energy_panel_decades, 0.0, 5.0, high_open=False)
        check_range("p_panel_decades", self.p_panel_decades, 0.0, 5.0, high_open=False)
        for name in ("energy_nodes", "p_nodes"):  # numpy integers accepted, stored as int
            object.__setattr__(self, name, as_count(name, getattr(self, name), 1, 64))
        check_range("x_min", self.x_min, 0.0, 1.0)
        check_range("x_max", self.x_max, 1.0, 200.0, high_open=False)
        check_range("relaxation_cutoff", self.relaxation_cutoff, 0.0, 1e-2, high_open=False)

    def refined(self, factor: float = 2.0) -> Resolution:
        """A finer resolution: panels narrower and cut-offs wider by ``factor``."""
        return Resolution(
            energy_panel_decades=self.energy_panel_decades / factor,
            energy_nodes=self.energy_nodes,
            p_panel_decades=self.p_panel_decades / factor,
            p_nodes=self.p_nodes,
            x_min=self.x_min / factor,
            x_max=min(self.x_max * factor, 200.0),
            relaxation_cutoff=self.relaxation_cutoff / factor**2,
        )


@dataclass(frozen=True)
class Ensemble:
    r"""TLS bins: flat arrays, one entry per bin (all types together).

    Attributes
    ----------
    energy
        :math:`E`. [J]
    p
        :math:`(\Delta_0/E)^2`. [1]
    kind
        Index of the TLS type (into ``tls_types``).
    number_density
        TLS per volume in the bin: :math:`N_j\,\delta E\,\delta p`. [m-3]
    deformation
        Deformation potential that makes the expansion: the even part :math:`D_\mathrm{even}`
        (asymptotic bins), or the full :math:`D` of each potential (exact bins of
        :mod:`dynamics.exact`, where mirror partners are separate bins). [J]
    phonon_constant
        One-phonon constant :math:`A` of the bin. [s-1 K-3]
    electron_constant
        Normal-state electron constant :math:`B` of the bin. [s-1 K-1]
    tail_energy, tail_kind, tail_number_density
        TLS below :math:`p_\mathrm{min}(E)`, per energy node: they never relax within the run
        and enter only :math:`C(\infty)`. [J], [-], [m-3]
    tls_types
        Names of the types.
    bulk_modulus
        :math:`K`. [Pa]
    critical_temperature
        Superconducting :math:`T_c` (0: normal). [K]
    partner_group
        Index of each bin's group of mirror partners (:mod:`dynamics.relaxation_coupling`):
        bins with the same index are the partners of one node, whose full :math:`D` split into
        the group's mean (even part) and the rest (odd part); a bin alone in its group carries
        only an even part. Empty: every bin alone.
    """

    energy: FloatArray
    p: FloatArray
    kind: IntArray
    number_density: FloatArray
    deformation: FloatArray
    phonon_constant: FloatArray
    electron_constant: FloatArray
    tail_energy: FloatArray
    tail_kind: IntArray
    tail_number_density: FloatArray
    tls_types: tuple[str, ...]
    bulk_modulus: float
    critical_temperature: float = 0.0
    partner_group: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def size(self) -> int:
        """Number of relaxing bins."""
        return int(self.energy.size)

    @cached_property
    def energy_kelvin(self) -> FloatArray:
        """:math:`E/k_B`. [K]"""
        return self.energy / K_B

    @cached_property
    def has_electrons(self) -> bool:
        """Whether any bin relaxes by conduction electrons."""
        return bool(np.any(self.electron_constant > 0))

    @cached_property
    def observation_matrix(self) -> FloatArray:
        r"""Rows: strain of each type, then heat of each type, per unit :math:`\delta n` of a bin.

        Strain :math:`\varepsilon = -(1/K)\sum w D\,\delta n`, heat :math:`U = \sum w E\,\delta n`
        (docs/physics.md §6). Shape (2 * n_types, n_bins). [1] and [J m-3]
        """
        n_types = len(self.tls_types)
        matrix = np.zeros((2 * n_types, self.size))
        for k in range(n_types):
            mask = self.kind == k
            matrix[k, mask] = (
                -self.number_density[mask] * self.deformation[mask] / self.bulk_modulus
            )
            matrix[n_types + k, mask] = self.number_density[mask] * self.energy[mask]
        return matrix


def _gauss_legendre(n: int) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _panels(start: float, stop: float, width: float, nodes: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on [start, stop] cut into equal panels <= width."""
    n_panels = max(1, math.ceil((stop - start) / width - 1e-9))
    edges = np.linspace(start, stop, n_panels + 1)
    x, w = _gauss_legendre(nodes)
    h = np.diff(edges)
    return (edges[:-1, None] + h[:, None] * x).ravel(), (h[:, None] * w).ravel()


def energy_nodes(
    temperature_low: float, temperature_high: float, energy_cap: float, resolution: Resolution
) -> tuple[FloatArray, FloatArray]:
    r"""Energy nodes and weights in :math:`\ln E` for a run between two temperatures.

    Parameters
    ----------
    temperature_low, temperature_high
        Lowest and highest temperature of the run. [K]
    energy_cap
        Largest energy of the model. [J]
    resolution
        Quadrature resolution.

    Returns
    -------
    (energy, weight)
        Nodes :math:`E` [J] and weights for :math:`\int f\,d\ln E` [1].
    """
    e_low = resolution.x_min * K_B * temperature_low
    e_high = min(resolution.x_max * K_B * temperature_high, energy_cap)
    if e_high <= e_low * 1.0001:
        raise ParameterError(
            f"temperature = {temperature_high:.6g} K leaves no TLS energies inside the model's "
            f"range (0, {energy_cap / K_B:.6g} K]"
        )
    u, w = _panels(
        math.log(e_low),
        math.log(e_high),
        resolution.energy_panel_decades * _LN10,
        resolution.energy_nodes,
    )
    return np.exp(u), w


def p_nodes(s_max: FloatArray, resolution: Resolution) -> tuple[FloatArray, FloatArray]:
    r"""p nodes and weights for :math:`\int_{p_\mathrm{min}}^1 f\,dp` at each energy.

    Parameters
    ----------
    s_max
        :math:`-\ln p_\mathrm{min}` per energy, > 1. [1]
    resolution
        Quadrature resolution.

    Returns
    -------
    (p, weight)
        Arrays of shape (n_energies, n_p): nodes and weights for :math:`\int f\,dp`. [1]
    """
    xg, wg = _gauss_legendre(resolution.p_nodes)
    # First panel: s = σ², σ in [0, 1]: dp = p ds = 2σ p dσ.
    sigma = xg
    s_first = sigma**2
    w_first = 2.0 * sigma * wg * np.exp(-s_first)
    width = resolution.p_panel_decades * _LN10
    n_panels = max(1, math.ceil(float(np.max(s_max) - 1.0) / width - 1e-9))
    h = (s_max - 1.0) / n_panels  # per energy, <= width
    starts = 1.0 + h[:, None] * np.arange(n_panels)[None, :]
    s_rest = (starts[:, :, None] + h[:, None, None] * xg[None, None, :]).reshape(len(s_max), -1)
    w_rest = np.broadcast_to(h[:, None, None] * wg[None, None, :], (len(s_max), n_panels, len(xg)))
    w_rest = w_rest.reshape(len(s_max), -1) * np.exp(-s_rest)
    s_all = np.concatenate([np.broadcast_to(s_first, (len(s_max), len(xg))), s_rest], axis=1)
    w_all = np.concatenate([np.broadcast_to(w_first, (len(s_max), len(xg))), w_rest], axis=1)
    return np.exp(-s_all), w_all


def p_floor(
    model: TLSModel,
    kind: int,
    energy: FloatArray,
    temperature_high: float,
    t_end: float,
    resolution: Resolution,
) -> FloatArray:
    """Lower bound p_min(E) of the bins (module docstring), between 1e-300 and e^-1. [1]"""
    coth = 1.0 / np.tanh(energy / (2.0 * K_B * temperature_high))
    ek = energy / K_B
    p_min = np.full(energy.shape, math.exp(-1.0))
    for _ in range(4):  # the "kki" type-2 constant grows slowly (as L²) as p falls
        rate = (
            model.phonon_constant(kind, energy, p_min) * ek**3
            + model.electron_constant(kind, energy, p_min) * ek
        ) * coth
        p_min = np.clip(resolution.relaxation_cutoff / (t_end * rate), 1e-300, math.exp(-1.0))
    return p_min


def build_ensemble(
    model: TLSModel,
    temperature_low: float,
    temperature_high: float,
    t_end: float,
    resolution: Resolution | None = None,
    progress: Callable[[float], None] | None = None,
) -> Ensemble:
    r"""Bins of every TLS type for a run between two temperatures lasting ``t_end``: the
    model's own bins (:meth:`TLSModel.ensemble`; asymptotic spectra for :class:`Glass` and
    :class:`TunnellingGlass`, exact ones for :class:`dynamics.exact.ExactGlass`).

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
        Called with 1 when the bins are built (asymptotic bins take milliseconds, exact ones
        from a warm spectral atlas a fraction of a second; a cold atlas shows its own progress).

    Returns
    -------
    Ensemble
        The bins, flattened over types, energies and p.
    """
    if not callable(getattr(model, "ensemble", None)):
        raise ArgumentTypeError(f"model = {model!r} must be a glass of dynamics (Glass, ...)")
    if resolution is not None and not isinstance(resolution, Resolution):
        raise ArgumentTypeError(f"resolution = {resolution!r} must be a dynamics.Resolution")
    ens = model.ensemble(
        temperature_low,
        temperature_high,
        t_end,
        resolution if resolution is not None else Resolution(),
    )
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
    potential and relaxation constants at the quadrature nodes (module docstring).

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
    for kind in range(len(model.tls_types)):
        p_min = p_floor(model, kind, e_nodes, t_hi, t_end_v, res)
        p_grid, p_weights = p_nodes(-np.log(p_min), res)
        energy = np.broadcast_to(e_nodes[:, None], p_grid.shape)
        density = model.density(kind, energy, p_grid)
        weight = density * p_weights * (e_weights * e_nodes)[:, None]
        even = model.deformation_even(kind, energy, p_grid).ravel()
        phonon = model.phonon_constant(kind, energy, p_grid).ravel()
        electron = model.electron_constant(kind, energy, p_grid).ravel()
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
        for number, deformation, phonon_m, electron_m in members:
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


#: Names of the per-bin arrays collected by ensemble builders (see :func:`ensemble_from_parts`).
PART_NAMES = (
    "energy",
    "p",
    "kind",
    "number_density",
    "deformation",
    "phonon",
    "electron",
    "partner_group",
    "tail_energy",
    "tail_kind",
    "tail_density",
)


def ensemble_from_parts(parts: dict[str, list[FloatArray]], model: TLSModel) -> Ensemble:
    """An :class:`Ensemble` from per-type lists of arrays keyed by :data:`PART_NAMES`."""
    cat = {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}
    return Ensemble(
        energy=cat["energy"],
        p=cat["p"],
        kind=cat["kind"].astype(np.int64),
        number_density=cat["number_density"],
        deformation=cat["deformation"],
        phonon_constant=cat["phonon"],
        electron_constant=cat["electron"],
        tail_energy=cat["tail_energy"],
        tail_kind=cat["tail_kind"].astype(np.int64),
        tail_number_density=cat["tail_density"],
        tls_types=tuple(model.tls_types),
        bulk_modulus=float(model.bulk_modulus),
        critical_temperature=float(model.critical_temperature),
        partner_group=cat["partner_group"].astype(np.int64),
    )
