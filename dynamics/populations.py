r"""Populations of soft potentials: which potentials a glass holds, counted once, and the fixed
quadrature over them (docs/physics.md §11).

Two population models (``Glass.population``):

* ``"ggp1985"``, the paper's: TLS of type 1 (near :math:`\tilde t = 0`, :math:`\tilde\eta < 0`)
  and of type 2 (near :math:`\tilde\eta = \tilde t^2/4`) with independent densities
  :math:`\psi_1`, :math:`\psi_2 = \psi\psi_1`, two levels each (:mod:`dynamics.ensemble`).
* ``"soft-potential"``, each potential shape once (the *fundamental domain*): every single well
  (:math:`\tilde\eta > 0`, :math:`9\tilde t^2 < 32\tilde\eta`, the soft quasi-harmonic
  vibrations) and every double well expanded about its barrier top (:math:`\tilde\eta < 0`,
  any :math:`\tilde t`), with all their levels. A double well re-expanded about one of its
  minima is the same shape (the map (2.10)): GGP's type-2 TLS lie among the double wells of
  this domain. With the density :math:`P_s|\eta|` of the later literature, the measure
  :math:`|\tilde\eta|\,d\tilde\eta\,d\tilde t` is the density of stationary points of the
  potential and is invariant under (2.10), so the whole :math:`(\tilde\eta,\tilde t)` plane
  counts every double well three times (once about its barrier top, once about each minimum)
  and every single well once; this domain counts each once.

The ``"soft-potential"`` domain is cut into regions (:data:`SINGLE_WELL` ... :data:`BEYOND_CAP`)
by what happens to the potential in a run:

* the tunnelling doublet of a double well with :math:`L_a = (\sqrt2/3)|\tilde\eta|^{3/2} \ge 1`
  (:math:`|\tilde\eta| \ge \eta_c = (3/\sqrt2)^{2/3}`) and an asymptotic splitting
  :math:`E_a \le E_\mathrm{cap}` (:data:`DOUBLET_ENERGY_CAP`) relaxes in the engine, as the bins
  of the type-1 sheet (:mod:`dynamics.exact`); the rest of that potential, its levels above
  the doublet, follows the temperature at once, exactly as :math:`F_\mathrm{all} - F_2`
  (:mod:`dynamics.multilevel`);
* every other potential (single wells, shallow double wells :math:`|\tilde\eta| < \eta_c`, and
  double wells whose doublet lies above :math:`E_\mathrm{cap}`) follows the temperature at once
  with all its levels.

The boundary of the slow region is a coordinate line of both the bins (:math:`L_a = 1`,
:math:`E_a = E_\mathrm{cap}` in the bins' :math:`(E_a, p_a)`) and of this quadrature
(:math:`|\tilde\eta| = \eta_c` and :math:`\tilde t = t_\mathrm{cap}(\tilde\eta)` below), so the
two quadratures split the domain without overlap or gap.

The quadrature is fixed and glass-independent (reduced units); a glass weights it with its
density law and boson-peak closure (:func:`population_weights`). The levels of its nodes are the
shipped level table (:mod:`dynamics.exact.level_table`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dynamics.exact.levels_landscape import landscape_of

FloatArray = NDArray[np.float64]

#: Population models of a glass (``Glass.population``).
POPULATIONS = ("ggp1985", "soft-potential")
#: Densities of soft potentials in the (eta, t) plane (``Glass.density_law``): constant (the
#: paper's psi_j) or proportional to |eta| (the later soft-potential model's P_s |eta|).
DENSITY_LAWS = ("constant", "abs_eta")
#: Boson-peak closures of the density of soft potentials (``Glass.boson_peak_closure``).
BOSON_PEAK_CLOSURES = ("none", "crossover")

#: |eta| where the asymptotic L_a = (sqrt2/3)|eta|^(3/2) of a double well is 1: the edge of the
#: TLS bins (Delta0_a <= W/e). [1]
ETA_C = (3.0 / math.sqrt(2.0)) ** (2.0 / 3.0)
#: Largest asymptotic doublet splitting E_a of the slow (engine) doublets. [W] Above about 4 W
#: the two lowest levels of many double wells stop being their tunnelling doublet: the shallow
#: well's ground level rises above the deep well's first vibration (E/(E_2 - E_0) reaches 1
#: across the spectral table's wide grid at E_a ~ 8-12 W, |eta| ~ 7-19), so the slow part, the
#: lowest doublet, ends here; doublets above count as in equilibrium (docs/physics.md §11).
DOUBLET_ENERGY_CAP = 4.0
#: Largest cubic coefficient of the quadrature: a double well there is a stiff deep well with
#: level spacing ~2.1 t = 1060 W, Boltzmann weight below e^-100 at k_B T = 10 W. [1]
T_MAX = 500.0
#: Largest eta of single wells (level spacing 2 sqrt(eta) = 632 W) and largest |eta| of double
#: wells (spacing sqrt(8 |eta|) = 400 W) in the quadrature. [1]
ETA_MAX_SINGLE = 1e5
ETA_MAX_DOUBLE = 2e4
#: The innermost eta panel is [0, ETA_LINEAR] (Gauss-Legendre in |eta|, or in |eta|^1/2 for
#: single wells, where the integrand is analytic); the others are equal in ln|eta|. [1]
ETA_LINEAR = 1e-2

#: Region codes of the nodes.
SINGLE_WELL, SHALLOW_DOUBLE, SLOW_DOUBLE, BEYOND_CAP = 0, 1, 2, 3
REGION_NAMES = ("single_well", "shallow_double_well", "slow_double_well", "beyond_cap")


@dataclass(frozen=True)
class QuadratureSpec:
    """Panels and nodes of the soft-potential domain's quadrature.

    The default was chosen by measurement (``benchmarks/bench_quadrature.py``, docs/physics.md
    §11.9): against ``QuadratureSpec().refined().refined()`` of the earlier default (eta panels
    of 0.25 e-folds, 32 tau nodes, t panels of 0.25, 24 slow nodes), over 0.05-20 K for W = 1.7,
    3.5 and 30 K, every vibration coupling and closure, each instantaneous part's heat capacity
    is within 8e-6 of the total and its K alpha within 2e-3 (4e-5 for the vibrations with the
    direct coupling), except the vibrations' K alpha with ``vibration_coupling = "zero-point"``,
    8e-3: there the zero-point root of -chi jumps along a curve that crosses the rows of single
    wells (chi = 4: eta ~ 6.3-7.1 near the double-well border), which no panel of this
    glass-independent table can follow.

    Parameters
    ----------
    eta_nodes
        Gauss–Legendre nodes per eta panel.
    eta_panel_efolds
        Largest width of a log-eta panel. [e-folds]
    tau_nodes
        Nodes in t / t_b of single wells (t_b = sqrt(32 eta / 9)).
    t_nodes
        Gauss–Legendre nodes per t panel of double wells.
    t_panel_width
        Largest panel width in asinh(t) (shallow wells) and in ln t (beyond the cap). [1]
    slow_t_nodes
        Nodes on [0, t_cap] of the slow double wells.
    """

    eta_nodes: int = 6
    eta_panel_efolds: float = 0.5
    tau_nodes: int = 16
    t_nodes: int = 6
    t_panel_width: float = 1.0
    slow_t_nodes: int = 6

    def refined(self) -> QuadratureSpec:
        """Every panel halved and the fixed node counts doubled."""
        return QuadratureSpec(
            self.eta_nodes,
            self.eta_panel_efolds / 2,
            2 * self.tau_nodes,
            self.t_nodes,
            self.t_panel_width / 2,
            2 * self.slow_t_nodes,
        )


#: The variable in which a t panel is Gauss–Legendre (``DomainQuadrature.panel_variable``):
#: t itself (single wells, slow double wells), asinh t (shallow double wells), ln t (beyond the
#: cap).
PANEL_LINEAR, PANEL_ASINH, PANEL_LOG = 0, 1, 2


@dataclass(frozen=True)
class DomainQuadrature:
    """Nodes of the soft-potential domain, with ``t >= 0`` (mirror images folded in).

    The nodes of one row (one eta) lie on t panels, each Gauss–Legendre in its variable (t,
    asinh t or ln t, :data:`PANEL_LINEAR` ...): a function known along a row can be integrated
    against the nodes' values panel by panel (the zero-point coupling, whose root jumps inside a
    panel: :mod:`dynamics.zero_point_panels`).

    Attributes
    ----------
    eta, t
        The potential of each node, :math:`\\tilde\\eta`, :math:`\\tilde t \\ge 0`. [1]
    area
        Weight of :math:`\\int d\\tilde\\eta\\,d\\tilde t` over both signs of t. [1]
    region
        Region code of each node (:data:`REGION_NAMES`).
    panel
        Index of each node's t panel.
    panel_lower, panel_upper
        The t panels' edges, shape (panels,). [1]
    panel_variable
        Each panel's variable, :data:`PANEL_LINEAR`, :data:`PANEL_ASINH` or :data:`PANEL_LOG`.
    """

    eta: FloatArray
    t: FloatArray
    area: FloatArray
    region: NDArray[np.int64]
    panel: NDArray[np.int64]
    panel_lower: FloatArray
    panel_upper: FloatArray
    panel_variable: NDArray[np.int64]

    @property
    def size(self) -> int:
        """Number of nodes."""
        return int(self.eta.size)


@dataclass(frozen=True)
class _Region:
    """Nodes of one region with their t panels (``panel`` counts from 0 within the region)."""

    eta: FloatArray
    t: FloatArray
    area: FloatArray
    region: NDArray[np.int64]
    panel: NDArray[np.int64]
    lower: FloatArray
    upper: FloatArray
    variable: NDArray[np.int64]


def _gauss(n: int) -> tuple[FloatArray, FloatArray]:
    """Gauss–Legendre nodes and weights on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _panels(edges: FloatArray, n: int) -> tuple[FloatArray, FloatArray]:
    """Composite Gauss–Legendre nodes and weights on consecutive panels ``edges``."""
    x, w = _gauss(n)
    h = np.diff(edges)
    return (edges[:-1, None] + h[:, None] * x).ravel(), (h[:, None] * w).ravel()


def _abs_eta_nodes(
    top: float, spec: QuadratureSpec, start: float = 0.0, *, root: bool = False
) -> tuple[FloatArray, ...]:
    """|eta| nodes and weights of int d|eta| on [start, top]: a first panel [0, ETA_LINEAR]
    when ``start`` is 0, then equal panels in ln|eta| no wider than ``eta_panel_efolds``. The
    first panel is Gauss-Legendre in |eta|, or with ``root`` in r = |eta|^(1/2) (single wells:
    their t range sqrt(32 eta/9) makes the integrand analytic in r, not in eta)."""
    parts_x, parts_w = [], []
    low = start
    if start == 0.0:
        if root:
            r, wr = _panels(np.array([0.0, math.sqrt(ETA_LINEAR)]), spec.eta_nodes)
            x, w = r * r, 2.0 * r * wr
        else:
            x, w = _panels(np.array([0.0, ETA_LINEAR]), spec.eta_nodes)
        parts_x.append(x)
        parts_w.append(w)
        low = ETA_LINEAR
    span = math.log(top / low)
    n = max(1, math.ceil(span / spec.eta_panel_efolds - 1e-9))
    u, wu = _panels(np.linspace(math.log(low), math.log(top), n + 1), spec.eta_nodes)
    parts_x.append(np.exp(u))
    parts_w.append(wu * np.exp(u))
    return np.concatenate(parts_x), np.concatenate(parts_w)


def slow_cubic_limit(eta: FloatArray) -> FloatArray:
    r""":math:`t_\mathrm{cap}(\tilde\eta)`: the largest :math:`\tilde t` of a slow double well,
    where the asymptotic splitting :math:`E_a = (\Delta_a^2 + \Delta_{0a}^2)^{1/2}` reaches
    :data:`DOUBLET_ENERGY_CAP` ((2.8), (2.9): :math:`\Delta_a = 2^{-1/2}\tilde t|\tilde\eta|^{3/2}`,
    :math:`\Delta_{0a} = e^{-L_a}`, in units of W), for :math:`|\tilde\eta| \ge \eta_c`. [1]"""
    a = np.abs(eta)
    d0 = np.exp(-(math.sqrt(2.0) / 3.0) * a**1.5)
    return np.sqrt(2.0) * np.sqrt(DOUBLET_ENERGY_CAP**2 - d0**2) / a**1.5


def _row_panels(count: int, per_row: int, nodes: int) -> NDArray[np.int64]:
    """Panel index of each node of ``count`` rows of ``per_row`` panels of ``nodes`` nodes,
    row-major (the order of :func:`_panels` within a row)."""
    return np.repeat(np.arange(count * per_row), nodes).astype(np.int64)


def _single_wells(spec: QuadratureSpec) -> _Region:
    eta, w_eta = _abs_eta_nodes(ETA_MAX_SINGLE, spec, root=True)
    tau, w_tau = _gauss(spec.tau_nodes)
    t_b = np.sqrt(32.0 * eta / 9.0)
    t = t_b[:, None] * tau[None, :]
    area = 2.0 * (w_eta * t_b)[:, None] * w_tau[None, :]  # both signs of t
    return _Region(
        np.broadcast_to(eta[:, None], t.shape).ravel(),
        t.ravel(),
        area.ravel(),
        np.full(t.size, SINGLE_WELL, dtype=np.int64),
        _row_panels(eta.size, 1, spec.tau_nodes),
        np.zeros(eta.size),
        t_b,
        np.full(eta.size, PANEL_LINEAR, dtype=np.int64),
    )


def _shallow_doubles(spec: QuadratureSpec) -> _Region:
    a, w_a = _abs_eta_nodes(ETA_C, spec)
    top = math.asinh(T_MAX)
    n = max(1, math.ceil(top / spec.t_panel_width - 1e-9))
    edges = np.linspace(0.0, top, n + 1)
    z, wz = _panels(edges, spec.t_nodes)
    t, w_t = np.sinh(z), wz * np.cosh(z)
    area = 2.0 * w_a[:, None] * w_t[None, :]
    return _Region(
        (-np.broadcast_to(a[:, None], area.shape)).ravel(),
        np.tile(t, a.size),
        area.ravel(),
        np.full(area.size, SHALLOW_DOUBLE, dtype=np.int64),
        _row_panels(a.size, n, spec.t_nodes),
        np.tile(np.sinh(edges[:-1]), a.size),
        np.tile(np.sinh(edges[1:]), a.size),
        np.full(a.size * n, PANEL_ASINH, dtype=np.int64),
    )


def _deep_doubles(spec: QuadratureSpec) -> _Region:
    a, w_a = _abs_eta_nodes(ETA_MAX_DOUBLE, spec, start=ETA_C)
    cap = slow_cubic_limit(a)
    x, wx = _gauss(spec.slow_t_nodes)
    keys = ("eta", "t", "area", "region", "panel", "lower", "upper", "variable")
    parts: dict[str, list[NDArray[np.generic]]] = {k: [] for k in keys}
    panels = 0
    for a_row, w_row, cap_row in zip(a, w_a, cap, strict=True):
        # [0, t_cap]: the slow region, one panel in t; [t_cap, T_MAX]: beyond the cap, panels
        # equal in ln t
        span = math.log(T_MAX / cap_row)
        n = max(1, math.ceil(span / spec.t_panel_width - 1e-9))
        edges = np.linspace(0.0, span, n + 1)
        y, wy = _panels(edges, spec.t_nodes)
        t_far = cap_row * np.exp(y)
        t_row = np.concatenate([cap_row * x, t_far])
        parts["t"].append(t_row)
        parts["area"].append(2.0 * w_row * np.concatenate([cap_row * wx, t_far * wy]))
        parts["eta"].append(np.full(t_row.size, -a_row))
        parts["region"].append(
            np.concatenate([np.full(x.size, SLOW_DOUBLE), np.full(y.size, BEYOND_CAP)])
        )
        parts["panel"].append(
            panels + np.concatenate([np.zeros(x.size), 1 + _row_panels(1, n, spec.t_nodes)])
        )
        parts["lower"].append(np.concatenate([[0.0], cap_row * np.exp(edges[:-1])]))
        parts["upper"].append(np.concatenate([[cap_row], cap_row * np.exp(edges[1:])]))
        parts["variable"].append(np.array([PANEL_LINEAR] + [PANEL_LOG] * n))
        panels += n + 1
    eta, t, area, region, panel, lower, upper, variable = (np.concatenate(parts[k]) for k in keys)
    return _Region(
        eta.astype(float),
        t.astype(float),
        area.astype(float),
        region.astype(np.int64),
        panel.astype(np.int64),
        lower.astype(float),
        upper.astype(float),
        variable.astype(np.int64),
    )


def domain_quadrature(spec: QuadratureSpec | None = None) -> DomainQuadrature:
    """The nodes of the soft-potential domain (module docstring), regions in order.

    Parameters
    ----------
    spec
        Panels and nodes (the converged default if omitted).

    Returns
    -------
    DomainQuadrature
    """
    s = spec if spec is not None else QuadratureSpec()
    regions = (_single_wells(s), _shallow_doubles(s), _deep_doubles(s))
    offsets = np.cumsum([0] + [r.lower.size for r in regions[:-1]])
    return DomainQuadrature(
        eta=np.concatenate([r.eta for r in regions]),
        t=np.concatenate([r.t for r in regions]),
        area=np.concatenate([r.area for r in regions]),
        region=np.concatenate([r.region for r in regions]),
        panel=np.concatenate([r.panel + k for r, k in zip(regions, offsets, strict=True)]),
        panel_lower=np.concatenate([r.lower for r in regions]),
        panel_upper=np.concatenate([r.upper for r in regions]),
        panel_variable=np.concatenate([r.variable for r in regions]),
    )


def density_law_factor(eta: FloatArray, law: str) -> FloatArray:
    r"""The shape of the density in the plane: 1 (``"constant"``) or :math:`|\tilde\eta|`
    (``"abs_eta"``, the later literature's :math:`P_s|\eta|`). [1]"""
    return np.abs(eta) if law == "abs_eta" else np.ones_like(eta)


def boson_peak_factor(harmonic_energy: FloatArray, closure: str, energy: float) -> FloatArray:
    r"""The boson-peak closure of the density of soft potentials, as a function of the harmonic
    level spacing :math:`E_h = (2V''(x_\mathrm{min}))^{1/2}` of a potential's global minimum.

    * ``"none"``: 1 (the :math:`E^4` density of soft vibrations continues without end);
    * ``"crossover"``: :math:`1/(1 + (E_h/E_b)^3)`, which turns the :math:`E^4` density of the
      harmonic single wells into :math:`E^1` above :math:`E_b`, the crossover that Gurevich,
      Parshin & Schober (PRB 67, 094203 (2003)) derive from the vibrational instability of soft
      modes (the exponents as recalled, not read here: docs/physics.md §11 says so).

    Parameters
    ----------
    harmonic_energy
        :math:`E_h`. [W]
    closure
        One of :data:`BOSON_PEAK_CLOSURES`.
    energy
        :math:`E_b`, the crossover energy (ignored for ``"none"``). [W]

    Returns
    -------
    ndarray
        Factor in (0, 1]. [1]
    """
    if closure == "none":
        return np.ones_like(harmonic_energy)
    ratio = harmonic_energy / energy
    return 1.0 / (1.0 + ratio * ratio * ratio)


def population_weights(
    quadrature: DomainQuadrature, law: str, closure: str, closure_energy: float
) -> FloatArray:
    r"""Number of potentials per unit density scale at each node: area times the density law
    times the boson-peak closure (the glass multiplies by its density scale
    :math:`S = P_s\eta_L^{5/2}` or :math:`\psi_1\eta_L^{3/2}` [m-3]). [1]

    Parameters
    ----------
    quadrature
        The nodes.
    law
        One of :data:`DENSITY_LAWS`.
    closure
        One of :data:`BOSON_PEAK_CLOSURES`.
    closure_energy
        :math:`E_b` of the closure. [W]
    """
    e_h = landscape_of(quadrature.eta, quadrature.t).harmonic_energy
    factor = boson_peak_factor(e_h, closure, closure_energy)
    return quadrature.area * density_law_factor(quadrature.eta, law) * factor
