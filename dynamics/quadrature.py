r"""The quadrature of the TLS population on :math:`(E, p)`, and the bins it makes.

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

import functools
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from dynamics.activation import EXACT_ACTIVATED_S_MAX, activated_p_floor, bin_activation
from dynamics.deformation import _deformation_even_type1, _deformation_even_type2
from dynamics.density import _kki_density
from dynamics.glass import Glass, TLSModel
from dynamics.rates import RateConstants, _tunnelling_rate, _type2_kki_constant, constants_of_bins
from dynamics.soft_potential import _log_tunnel_ratio, asymptotic_potentials
from dynamics.units import K_B
from dynamics.validation import ParameterError, as_count, check_range

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
    attempt_rate
        Attempt rates :math:`\nu_i` of thermal activation over the barrier of each of the two
        wells of a bin, shape (2, n_bins) (:mod:`dynamics.activation`); 0 (and the default,
        empty) means no activation. [s-1]
    barrier
        Barriers :math:`V_i` of the two wells, shape (2, n_bins) (empty with an empty
        ``attempt_rate``). [J]

    The arrays are checked once, on construction (:class:`ParameterError` naming the first bad
    one): the engine then runs unchecked kernels on them. The rate constants of every bin are
    computed once (:attr:`rate_constants`).
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
    attempt_rate: FloatArray = field(default_factory=lambda: np.zeros((2, 0)))
    barrier: FloatArray = field(default_factory=lambda: np.zeros((2, 0)))

    def __post_init__(self) -> None:
        _check_bins(self)

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
        return self.rate_constants.has_electrons

    @cached_property
    def rate_constants(self) -> RateConstants:
        """The constants of every bin's relaxation rate (:class:`dynamics.rates.RateConstants`),
        computed once: the rate at a temperature is then one vectorised expression."""
        n = self.size
        empty = self.attempt_rate.size == 0
        return constants_of_bins(
            self.energy_kelvin,
            self.p,
            self.phonon_constant,
            self.electron_constant,
            np.zeros((2, n)) if empty else self.attempt_rate,
            np.zeros((2, n)) if empty else self.barrier / K_B,
            self.critical_temperature,
        )

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


def _check_bins(ens: Ensemble) -> None:
    """The checks of :class:`Ensemble` on construction: shapes agree, energies > 0, p in (0, 1],
    densities, rate constants, activation constants >= 0, deformation finite, kinds valid."""
    n = ens.energy.shape
    per_bin = ("p", "kind", "number_density", "deformation", "phonon_constant",
               "electron_constant")  # fmt: skip
    for name in per_bin:
        if np.shape(getattr(ens, name)) != n:
            raise ParameterError(
                f"Ensemble.{name} has shape {np.shape(getattr(ens, name))}; the bins have {n}"
            )
    for name in ("tail_kind", "tail_number_density"):
        if np.shape(getattr(ens, name)) != ens.tail_energy.shape:
            raise ParameterError(f"Ensemble.{name} does not match tail_energy's shape")
    if ens.partner_group.size not in (0, ens.energy.size):
        raise ParameterError("Ensemble.partner_group needs one index per bin, or none")
    if ens.attempt_rate.size or ens.barrier.size:
        expected = (2, ens.energy.size)
        if ens.attempt_rate.shape != expected or ens.barrier.shape != expected:
            raise ParameterError(
                f"Ensemble.attempt_rate and barrier have shapes {ens.attempt_rate.shape} and "
                f"{ens.barrier.shape}; give one value per well and bin, {expected}"
            )
        check_range("attempt_rate", ens.attempt_rate, 0.0, low_open=False, unit="s-1")
        check_range("barrier", ens.barrier, 0.0, low_open=False, unit="J")
    check_range("energy", ens.energy, 0.0, unit="J")
    check_range("p", ens.p, 0.0, 1.0, high_open=False)
    check_range("number_density", ens.number_density, 0.0, low_open=False, unit="m-3")
    check_range("deformation", ens.deformation, unit="J")
    check_range("phonon_constant", ens.phonon_constant, 0.0, low_open=False, unit="s-1 K-3")
    check_range("electron_constant", ens.electron_constant, 0.0, low_open=False, unit="s-1 K-1")
    check_range("tail_energy", ens.tail_energy, 0.0, unit="J")
    n_types = len(ens.tls_types)
    for name in ("kind", "tail_kind"):
        kinds = getattr(ens, name)
        if kinds.size and (kinds.min() < 0 or kinds.max() >= n_types):
            raise ParameterError(f"Ensemble.{name} must index tls_types (0..{n_types - 1})")
    check_range("bulk_modulus", ens.bulk_modulus, 0.0, unit="Pa")
    check_range("critical_temperature", ens.critical_temperature, 0.0, low_open=False, unit="K")


@functools.cache
def _gauss_legendre(n: int) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights on [0, 1] (computed once per process for each n; read-only)."""
    x, w = np.polynomial.legendre.leggauss(n)
    nodes, weights = 0.5 * (x + 1.0), 0.5 * w
    nodes.flags.writeable = False
    weights.flags.writeable = False
    return nodes, weights


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


def p_nodes(
    s_max: FloatArray, resolution: Resolution, s_min: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    r"""p nodes and weights for :math:`\int_{p_\mathrm{min}}^{p_\mathrm{max}} f\,dp` at each
    energy.

    Parameters
    ----------
    s_max
        :math:`-\ln p_\mathrm{min}` per energy, > 1. [1]
    resolution
        Quadrature resolution.
    s_min
        :math:`-\ln p_\mathrm{max}` per energy, >= 0 (0, :math:`p_\mathrm{max} = 1`, if
        omitted). The first panel, up to :math:`s = 1`, is Gauss-Legendre in
        :math:`\sigma = s^{1/2}` from :math:`s_\mathrm{min}^{1/2}` (it removes the
        :math:`(1-p)^{-1/2}` singularity at :math:`p = 1`); where :math:`s_\mathrm{min} \ge 1`
        it is empty, and where :math:`s_\mathrm{min} \ge s_\mathrm{max}` every weight is 0.

    Returns
    -------
    (p, weight)
        Arrays of shape (n_energies, n_p): nodes and weights for :math:`\int f\,dp`. [1]
    """
    xg, wg = _gauss_legendre(resolution.p_nodes)
    rows = len(s_max)
    # First panel: s = σ², σ in [σ_0, 1]: dp = p ds = 2σ p dσ.
    sigma = np.broadcast_to(xg, (rows, xg.size))
    w_first = np.broadcast_to(2.0 * xg * wg * np.exp(-(xg**2)), (rows, xg.size))
    start = np.ones(rows)
    if s_min is not None and np.any(s_min > 0):
        start = np.maximum(1.0, s_min)
        r0, r1 = np.sqrt(s_min)[:, None], np.sqrt(start)[:, None]
        mapped = r0 + (r1 - r0) * xg  # empty (all nodes at s_min) where s_min >= 1
        shifted = s_min > 0
        sigma = np.where(shifted[:, None], mapped, sigma)
        w_first = np.where(
            shifted[:, None], 2.0 * mapped * (r1 - r0) * wg * np.exp(-(mapped**2)), w_first
        )
    s_first = sigma**2
    width = resolution.p_panel_decades * _LN10
    n_panels = max(1, math.ceil(float(np.max(s_max - start)) / width - 1e-9))
    h = np.maximum(s_max - start, 0.0) / n_panels  # per energy, <= width; 0: all nodes at start
    starts = start[:, None] + h[:, None] * np.arange(n_panels)[None, :]
    s_rest = (starts[:, :, None] + h[:, None, None] * xg[None, None, :]).reshape(rows, -1)
    w_rest = np.broadcast_to(h[:, None, None] * wg[None, None, :], (rows, n_panels, len(xg)))
    w_rest = w_rest.reshape(rows, -1) * np.exp(-s_rest)
    if s_min is not None:
        w_first = np.where((s_min < s_max)[:, None], w_first, 0.0)
    s_all = np.concatenate([s_first, s_rest], axis=1)
    w_all = np.concatenate([w_first, w_rest], axis=1)
    return np.exp(-s_all), w_all


def p_floor(
    model: TLSModel,
    kind: int,
    energy: FloatArray,
    temperature_high: float,
    t_end: float,
    resolution: Resolution,
) -> FloatArray:
    """Lower bound p_min(E) of the bins (module docstring), between 1e-300 and e^-1: the rate per
    unit p is :func:`dynamics.rates._tunnelling_rate` at ``temperature_high`` (electrons not
    suppressed: an upper bound). [1]"""
    ek = energy / K_B
    ek3 = ek * ek * ek
    p_min = np.full(energy.shape, math.exp(-1.0))
    for _ in range(4):  # the "kki" type-2 constant grows slowly (as L²) as p falls
        phonon, electron = _rate_constants_at(model, kind, energy, p_min)
        rate = _tunnelling_rate(phonon * ek3, electron * ek, 1.0, 0.5 * ek, temperature_high)
        p_next = np.clip(resolution.relaxation_cutoff / (t_end * rate), 1e-300, math.exp(-1.0))
        if np.array_equal(p_next, p_min):
            break  # converged (at once where the constants do not depend on p)
        p_min = p_next
    return p_min


def bin_p_floor(
    model: TLSModel,
    kind: int,
    energy: FloatArray,
    temperature_high: float,
    t_end: float,
    resolution: Resolution,
) -> FloatArray:
    """Lower bound of the bins' p at each energy [1]: where neither tunnelling (:func:`p_floor`)
    nor, for a glass with ``activation="arrhenius"``, thermal activation
    (:func:`dynamics.activation.activated_p_floor`, type-1 double wells) relaxes a TLS within the
    run, down to :math:`p_a = e^{-100}` on exact spectra
    (:data:`dynamics.activation.EXACT_ACTIVATED_S_MAX`) and :math:`e^{-400}` on asymptotic ones.
    Type-2 bins keep the tunnelling floor (docs/physics.md §11.4)."""
    p_min = p_floor(model, kind, energy, temperature_high, t_end, resolution)
    if has_activation(model) and kind == 0:
        assert isinstance(model, Glass)
        theta = K_B * temperature_high / model.W_J
        deepest = {"s_top": EXACT_ACTIVATED_S_MAX} if model.spectrum == "exact" else {}
        reach = activated_p_floor(
            energy / model.W_J, theta, t_end, model.W_J, resolution.relaxation_cutoff, **deepest
        )
        p_min = np.maximum(np.minimum(p_min, reach), 1e-300)
    return p_min


def has_activation(model: TLSModel) -> bool:
    """Whether the bins of ``model`` relax by thermal activation too (a
    :class:`~dynamics.glass.Glass` with ``activation="arrhenius"``)."""
    return isinstance(model, Glass) and model.activation == "arrhenius"


def activation_parts(
    model: TLSModel, kind: int, energy: FloatArray, p: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Attempt rates [s-1] and barriers [J], shape (2, n), of asymptotic bins
    :math:`(E_a, p_a)` of type ``kind`` (:func:`dynamics.activation.bin_activation`): the
    potential the asymptotic map puts there (type 1 :math:`(\tilde\eta, \tilde t)`, type 2 its
    :math:`(+\tilde t, +\tilde R)` member; the mirror partners have the same wells swapped, the
    :math:`\pm\tilde R` ones barriers that differ by :math:`O(\Delta)`, docs/physics.md §11.4).
    """
    assert isinstance(model, Glass)
    etas, ts = asymptotic_potentials(kind, energy, p, model.W_J)
    return bin_activation(etas[0], ts[0], model.W_J)


def _rate_constants_at(
    model: TLSModel, kind: int, energy: FloatArray, p: FloatArray, L: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    r"""The model's one-phonon [s-1 K-3] and electron [s-1 K-1] constants of type ``kind`` at
    the nodes :math:`(E, p)` of a quadrature (unchecked for the soft-potential glass: the
    kernels its methods call after their checks, :math:`L = \ln(W/Ep^{1/2})` if known)."""
    if not isinstance(model, Glass):
        return model.phonon_constant(kind, energy, p), model.electron_constant(kind, energy, p)
    shape = np.broadcast_shapes(np.shape(energy), np.shape(p))
    electron = np.full(shape, model.electron_rate_constant)
    ratio = model.type2_rate_ratio
    if kind == 0:
        return np.full(shape, model.A), electron
    if not isinstance(ratio, str):
        return np.full(shape, model.A * ratio), electron
    if L is None:
        L = _log_tunnel_ratio(energy, p, model.W_J)
    return _type2_kki_constant(model.A, L, model.chi), electron


def _model_bins(
    model: TLSModel, kind: int, energy: FloatArray, p: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    r"""The model's density [J-1 m-3], even deformation potential [J], one-phonon [s-1 K-3]
    and electron [s-1 K-1] constants at the nodes :math:`(E, p)` of type ``kind``.

    For the soft-potential glass, the kernels of (5.1) (:mod:`dynamics.density`), (4.5), (4.11)
    (:mod:`dynamics.deformation`) and (4.10) (:mod:`dynamics.rates`) share one
    :math:`L = \ln(W/Ep^{1/2})` and take the nodes unchecked (the quadrature made them); they are
    the functions :class:`~dynamics.glass.Glass`'s methods call after their checks. Any other
    model through its methods."""
    if not isinstance(model, Glass):
        phonon, electron = _rate_constants_at(model, kind, energy, p)
        return (
            model.density(kind, energy, p),
            model.deformation_even(kind, energy, p),
            phonon,
            electron,
        )
    L = _log_tunnel_ratio(energy, p, model.W_J)
    scale = model.density_scale(kind)
    density = _kki_density(L, p, scale) if scale != 0.0 else np.zeros(energy.shape)
    deformation = (_deformation_even_type1 if kind == 0 else _deformation_even_type2)(
        energy, p, L, model.c, model.eta_L, model.chi
    )
    return density, deformation, *_rate_constants_at(model, kind, energy, p, L)


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


#: The optional parts of the thermal activation of both wells of each bin, shape (2, n) each
#: (:attr:`Ensemble.attempt_rate` [s-1], :attr:`Ensemble.barrier` [J]); left out: none.
ACTIVATION_PART_NAMES = ("attempt_rate", "barrier")


def ensemble_from_parts(parts: dict[str, list[FloatArray]], model: TLSModel) -> Ensemble:
    """An :class:`Ensemble` from per-type lists of arrays keyed by :data:`PART_NAMES`, and
    optionally ``"attempt_rate"`` and ``"barrier"`` (lists of arrays of shape (2, n) [s-1],
    [J], one per list entry of ``"energy"``: the thermal activation of both wells)."""
    wells = {k: parts.get(k, []) for k in ACTIVATION_PART_NAMES}
    cat = {
        k: np.concatenate(v) if v else np.zeros(0)
        for k, v in parts.items()
        if k not in ACTIVATION_PART_NAMES
    }
    activation = {k: np.concatenate(v, axis=1) if v else np.zeros((2, 0)) for k, v in wells.items()}
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
        **activation,
    )
