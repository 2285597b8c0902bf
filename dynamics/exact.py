r"""Exact two-level parameters of soft potentials, and the microscopic ensemble built from them.

The paper's :math:`\Delta_0`, :math:`\Delta` (2.8), (2.9), (2.11), (2.13) and deformation
potentials (4.5), (4.11) are leading-order asymptotics in :math:`L = \ln(W/\Delta_0)`. Here every
soft potential :math:`(\tilde\eta, \tilde t)` is mapped through its exact spectrum
(:func:`dynamics.spectrum.solve_soft_potential`, eq. (2.6)) to

* the splitting :math:`E`, :math:`\Delta_0`, :math:`\Delta`, :math:`p` of its lowest doublet;
* the deformation potential :math:`D = \partial E/\partial\varepsilon` by Hellmann–Feynman,

  .. math:: D = W\Big[\big(\langle x^2\rangle_1 - \langle x^2\rangle_0\big)
            \frac{\partial\tilde\eta}{\partial\varepsilon}
          + \big(\langle x^3\rangle_1 - \langle x^3\rangle_0\big)
            \frac{\partial\tilde t}{\partial\varepsilon}\Big],

  with (3.8), (3.9) evaluated at the exact root :math:`\delta` of (3.3)
  (:mod:`dynamics.coupling`). The part even under the paper's symmetry (:math:`\tilde t\to-\tilde
  t` for type 1, :math:`\tilde R\to-\tilde R` for type 2) is what (4.5), (4.11) approximate;
* the coupling to phonons :math:`M = \langle 0|\partial H/\partial\varepsilon|1\rangle`, whose
  square sets the one-phonon rate :math:`\propto M^2E^3\coth(E/2k_BT)` (AHVP:
  :math:`M^2 = p\gamma^2`). Where the doublet is well mixed (:math:`p \ge 1/2`) :math:`M` is the
  matrix element of the exact eigenstates; below, where that element is smaller than the
  accuracy of the eigenvectors, it is the two-level identity
  :math:`M = \tfrac12[(\Delta_0/E)\,\partial\Delta/\partial\varepsilon -
  (\Delta/E)\,\partial\Delta_0/\partial\varepsilon]` with :math:`\partial\Delta_0` from forward
  differences of :math:`\ln\Delta_0` (relative accuracy ~1e-4) and
  :math:`E\,D = \Delta\,\partial\Delta + \Delta_0\,\partial\Delta_0`. The two agree to 1e-6
  where both hold (``tests/test_exact.py``).

The chain rule through the renormalised :math:`(\tilde\eta,\tilde t)` gives the eigenvalue
derivatives exactly (it is equivalent to :math:`\partial H/\partial\varepsilon \propto
(x+\delta)^2` in the laboratory frame, by :math:`\langle V'\rangle = 0`); for the off-diagonal
:math:`M` the two differ by :math:`(\delta/\tilde\eta)\,E^2\langle 0|x|1\rangle/2`, relative
order :math:`(E/W)^2 \lesssim 1e\text{-}3`, which is neglected.

**Microscopic ensemble.** The constant density :math:`\psi_j` in the :math:`(\tilde\eta,
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
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.coupling import deta_dstrain, dt_dstrain, zero_point_shift
from dynamics.deformation import gamma_type1, gamma_type2
from dynamics.ensemble import (
    PART_NAMES,
    Ensemble,
    Resolution,
    energy_nodes,
    ensemble_from_parts,
    p_floor,
    p_nodes,
)
from dynamics.glass import FloatArray, Glass
from dynamics.relaxation_coupling import mix_partner_couplings
from dynamics.soft_potential import type1_parameters, type2_parameters
from dynamics.spectrum import solve_soft_potential
from dynamics.units import K_B
from dynamics.validation import ParameterError, check_finite, check_positive

__all__ = [
    "DENSITY_LAWS",
    "SPECTRUM_SOURCES",
    "ExactGlass",
    "ExactMembers",
    "ExactTwoLevel",
    "assemble_exact_ensemble",
    "build_exact_ensemble",
    "exact_couplings",
    "exact_deformation_type1",
    "exact_deformation_type2",
    "exact_members",
    "exact_two_level",
]

#: Where exact ensembles take their two-level values: the spectral atlas or direct solves.
SPECTRUM_SOURCES = ("atlas", "direct")

#: Densities of soft potentials in the (eta, t) plane: constant (the paper's psi_j) or
#: proportional to |eta| (the later soft-potential model).
DENSITY_LAWS = ("constant", "abs_eta")

#: Step of the forward differences of ln(Delta0) in eta and t [1]: truncation h/2 |f''/f'|
#: ~ 1e-4 relative (f = ln Delta0 ~ |eta|^{3/2}: f''/f' ~ 1/(2|eta|)), noise 1e-8 / 1e-3 = 1e-5.
#: Enough for a relaxation rate (a 1e-4 error in M^2 shifts log t by 1e-4).
FD_STEP = 1e-3

#: Smallest splitting E/W for which the Hellmann-Feynman D is used (the levels are accurate to
#: ~1e-12 W, so E1 - E0 is resolved to 1e-3 relative). Below it D is NaN except for symmetric
#: wells (D = dDelta0/de). The ensembles never reach it (E >= x_min k_B T).
RESOLVED_SPLITTING = 1e-9

#: Above this p the coupling M is the eigenstates' matrix element (resolved to ~1e-9).
_MIXED_P = 0.5


@dataclass(frozen=True)
class ExactTwoLevel:
    r"""Exact two-level parameters and derivatives of soft potentials (reduced units).

    Attributes
    ----------
    eta, t
        :math:`\tilde\eta`, :math:`\tilde t`. [1]
    splitting, tunnel_splitting, asymmetry
        :math:`E`, :math:`\Delta_0`, :math:`\Delta` (> 0 when the right well is higher). [W]
    p
        :math:`(\Delta_0/E)^2`. [1]
    log_tunnel_splitting
        :math:`\ln(\Delta_0/W)`, finite where :math:`\Delta_0` underflows. [1]
    third_level
        :math:`E_2 - E_0`. [W]
    dE_deta, dE_dt
        :math:`\partial E/\partial\tilde\eta = \langle x^2\rangle_1 - \langle x^2\rangle_0`,
        :math:`\partial E/\partial\tilde t = \langle x^3\rangle_1 - \langle x^3\rangle_0`. [W]
    dlnD0_deta, dlnD0_dt
        :math:`\partial\ln\Delta_0/\partial\tilde\eta`, :math:`\partial\ln\Delta_0/\partial\tilde
        t` (forward differences, step :data:`FD_STEP`; NaN where not computed). [1]
    x2_01, x3_01
        :math:`\langle 0|x^2|1\rangle`, :math:`\langle 0|x^3|1\rangle`. [1]
    method
        Route of :math:`\Delta_0` (see :class:`dynamics.spectrum.SoftPotentialSpectrum`).
    """

    eta: FloatArray
    t: FloatArray
    splitting: FloatArray
    tunnel_splitting: FloatArray
    asymmetry: FloatArray
    p: FloatArray
    log_tunnel_splitting: FloatArray
    third_level: FloatArray
    dE_deta: FloatArray
    dE_dt: FloatArray
    dlnD0_deta: FloatArray
    dlnD0_dt: FloatArray
    x2_01: FloatArray
    x3_01: FloatArray
    method: NDArray[np.int64]

    def mirrored(self) -> ExactTwoLevel:
        r"""The same quantities for :math:`(\tilde\eta, -\tilde t)`, the mirror image
        :math:`x\to-x` (same levels; odd quantities change sign)."""
        return dataclasses.replace(
            self,
            t=-self.t,
            asymmetry=-self.asymmetry,
            dE_dt=-self.dE_dt,
            dlnD0_dt=-self.dlnD0_dt,
            x3_01=-self.x3_01,
        )


def exact_two_level(
    eta: ArrayLike,
    t: ArrayLike,
    *,
    fd_step: float = FD_STEP,
    resolution: float = 1.0,
    derivatives: bool | NDArray[np.bool_] = True,
) -> ExactTwoLevel:
    r"""Exact :math:`E, \Delta_0, \Delta, p` and their derivatives for potentials (2.6).

    One spectrum per potential, and two more (:math:`\tilde\eta + h`, :math:`\tilde t + h`)
    where :math:`\partial\ln\Delta_0` is wanted.

    Parameters
    ----------
    eta, t
        :math:`\tilde\eta`, :math:`\tilde t` of (2.6) (broadcast together). [1]
    fd_step
        Step :math:`h` of the forward differences, in (0, 0.1]. [1]
    resolution
        Convergence knob of the spectrum solver (1 = converged to ~1e-12 W). [1]
    derivatives
        Where to compute :math:`\partial\ln\Delta_0` (a mask of the broadcast shape, or a
        bool for all); NaN elsewhere.

    Returns
    -------
    ExactTwoLevel
        Arrays of the broadcast shape.
    """
    eta_a, t_a = np.broadcast_arrays(check_finite("eta", eta), check_finite("t", t))
    h = float(check_positive("fd_step", fd_step))
    if h > 0.1:
        raise ParameterError(f"fd_step = {h:.6g} is outside the allowed range (0, 0.1]")
    shape = eta_a.shape
    e0, t0 = eta_a.ravel(), np.abs(t_a.ravel())  # the solver is exactly mirror-symmetric
    spec = solve_soft_potential(e0, t0, resolution=resolution)
    sign = np.where(t_a.ravel() < 0, -1.0, 1.0)
    dlog_eta, dlog_t = _log_derivatives(
        e0,
        t0,
        spec.log_tunnel_splitting,
        sign,
        np.broadcast_to(np.asarray(derivatives, dtype=bool), shape).ravel(),
        h,
        resolution,
    )
    return ExactTwoLevel(
        eta=eta_a.copy(),
        t=t_a.copy(),
        splitting=spec.splitting.reshape(shape),
        tunnel_splitting=spec.tunnel_splitting.reshape(shape),
        asymmetry=(sign * spec.asymmetry).reshape(shape),
        p=spec.p.reshape(shape),
        log_tunnel_splitting=spec.log_tunnel_splitting.reshape(shape),
        third_level=(spec.levels[:, 2] - spec.levels[:, 0]).reshape(shape),
        dE_deta=(spec.x2[:, 1] - spec.x2[:, 0]).reshape(shape),
        dE_dt=(sign * (spec.x3[:, 1] - spec.x3[:, 0])).reshape(shape),
        dlnD0_deta=dlog_eta.reshape(shape),
        dlnD0_dt=dlog_t.reshape(shape),
        x2_01=spec.x2_01.reshape(shape),
        x3_01=(sign * spec.x3_01).reshape(shape),
        method=spec.method.reshape(shape),
    )


def _log_derivatives(
    eta: FloatArray,
    t_abs: FloatArray,
    log_d0: FloatArray,
    sign: FloatArray,
    want: NDArray[np.bool_],
    h: float,
    resolution: float,
) -> tuple[FloatArray, FloatArray]:
    """Forward differences of ln Delta0 in eta and t where ``want`` (NaN elsewhere)."""
    dlog_eta = np.full(eta.shape, np.nan)
    dlog_t = np.full(eta.shape, np.nan)
    if want.any():
        ew, tw = eta[want], t_abs[want]
        base = log_d0[want]
        fd = solve_soft_potential(
            np.concatenate([ew + h, ew]), np.concatenate([tw, tw + h]), resolution=resolution
        ).log_tunnel_splitting.reshape(2, ew.size)
        dlog_eta[want] = (fd[0] - base) / h
        dlog_t[want] = sign[want] * (fd[1] - base) / h
    return dlog_eta, dlog_t


def _with_derivatives(
    tls: ExactTwoLevel, want: NDArray[np.bool_], h: float, resolution: float
) -> ExactTwoLevel:
    """``tls`` (1-D) with ln Delta0 derivatives computed where ``want`` and not yet known."""
    todo = want & np.isnan(tls.dlnD0_deta)
    d_eta, d_t = _log_derivatives(
        tls.eta,
        np.abs(tls.t),
        tls.log_tunnel_splitting,
        np.where(tls.t < 0, -1.0, 1.0),
        todo,
        h,
        resolution,
    )
    return dataclasses.replace(
        tls,
        dlnD0_deta=np.where(todo, d_eta, tls.dlnD0_deta),
        dlnD0_dt=np.where(todo, d_t, tls.dlnD0_dt),
    )


def exact_couplings(
    tls: ExactTwoLevel, *, c: float, eta_L: float, chi: float
) -> tuple[FloatArray, FloatArray]:
    r"""Full deformation potential :math:`D` and phonon coupling :math:`M` of each potential.

    Parameters
    ----------
    tls
        From :func:`exact_two_level`.
    c, eta_L, chi
        Strain coupling (3.7), :math:`\eta_L` (2.4), zero-point force constant (3.2). [1]

    Returns
    -------
    (D, M)
        :math:`\partial E/\partial\varepsilon` (NaN for unresolved asymmetric doublets,
        :math:`E < 10^{-9}W`, see :data:`RESOLVED_SPLITTING`) and
        :math:`|\langle 0|\partial H/\partial\varepsilon|1\rangle|`, in units of :math:`W`. [W]
    """
    check_positive("eta_L", eta_L)
    check_finite("c", c)
    check_finite("chi", chi)
    if np.any(tls.eta == 0.0):
        raise ParameterError("eta = 0 is not allowed: (3.8), (3.9) need eta != 0")
    delta = zero_point_shift(chi, tls.eta, tls.t)
    deta = deta_dstrain(c, eta_L, tls.eta, tls.t, delta)
    dt = dt_dstrain(c, eta_L, tls.eta, delta)
    e = tls.splitting
    d0 = tls.tunnel_splitting
    asym = tls.asymmetry
    dd0 = d0 * (tls.dlnD0_deta * deta + tls.dlnD0_dt * dt)
    # Hellmann-Feynman needs the doublet resolved (E1 - E0 above the rounding of the levels);
    # below, only the symmetric well is known exactly: D = dDelta0/de.
    unresolved = e < RESOLVED_SPLITTING
    D = np.where(
        unresolved,
        np.where(asym == 0.0, dd0, np.nan),
        tls.dE_deta * deta + tls.dE_dt * dt,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        dasym = np.where(asym != 0.0, (e * D - d0 * dd0) / asym, 0.0)
        m_two_level = 0.5 * (d0 / e * dasym - asym / e * dd0)
    m_eigen = tls.x2_01 * deta + tls.x3_01 * dt
    M = np.where(tls.p >= _MIXED_P, np.abs(m_eigen), np.abs(m_two_level))
    return D, M


def exact_deformation_type1(
    eta: ArrayLike, t: ArrayLike, glass: Glass, *, resolution: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    r"""Even and odd parts (under :math:`\tilde t\to-\tilde t`) of the exact type-1 :math:`D`.

    Parameters
    ----------
    eta, t
        Type-1 potential, :math:`\tilde\eta < 0`. [1]
    glass
        Supplies :math:`W`, :math:`c`, :math:`\eta_L`, :math:`\chi`.
    resolution
        Spectrum convergence knob. [1]

    Returns
    -------
    (D_even, D_odd)
        Comparable with (4.5) and its odd term. [J]
    """
    tls = exact_two_level(eta, t, resolution=resolution)
    kw = {"c": glass.c, "eta_L": glass.eta_L, "chi": glass.chi}
    plus, _ = exact_couplings(tls, **kw)
    minus, _ = exact_couplings(tls.mirrored(), **kw)
    w = glass.W * K_B
    return 0.5 * (plus + minus) * w, 0.5 * (plus - minus) * w


def exact_deformation_type2(
    t: ArrayLike, R: ArrayLike, glass: Glass, *, resolution: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    r"""Even and odd parts (under :math:`\tilde R\to-\tilde R`) of the exact type-2 :math:`D`.

    :math:`\tilde\eta = \tilde R + \tilde t^2/4` (2.12); the partner :math:`-\tilde R` is a
    different potential with its own spectrum.

    Parameters
    ----------
    t, R
        Type-2 potential, :math:`\tilde t \ne 0`. [1]
    glass
        Supplies :math:`W`, :math:`c`, :math:`\eta_L`, :math:`\chi`.
    resolution
        Spectrum convergence knob. [1]

    Returns
    -------
    (D_even, D_odd)
        Comparable with (4.11) and its odd term; :math:`E` differs between the partners. [J]
    """
    t_a, r_a = np.broadcast_arrays(check_finite("t", t), check_finite("R", R))
    tls = exact_two_level(
        np.concatenate([r_a.ravel(), -r_a.ravel()]) + np.tile(t_a.ravel() ** 2 / 4, 2),
        np.tile(t_a.ravel(), 2),
        resolution=resolution,
    )
    D, _ = exact_couplings(tls, c=glass.c, eta_L=glass.eta_L, chi=glass.chi)
    n = t_a.size
    w = glass.W * K_B
    plus, minus = D[:n].reshape(t_a.shape), D[n:].reshape(t_a.shape)
    return 0.5 * (plus + minus) * w, 0.5 * (plus - minus) * w


# --------------------------------------------------------------------------------------------
# The microscopic ensemble
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExactGlass(Glass):
    r"""A soft-potential :class:`~dynamics.glass.Glass` whose TLS take their parameters from
    exact spectra.

    It is a ``Glass`` (same fields, same validation), so every protocol, run, sweep and dataset
    accepts it; only the ensemble differs: :func:`build_exact_ensemble` instead of the
    asymptotic bins. ``chi`` must be nonzero (it sets the type-1 coupling (4.4)). Make one with
    :meth:`from_glass`.

    Parameters
    ----------
    density_law
        ``"constant"`` (:math:`\psi_j`, the paper) or ``"abs_eta"`` (:math:`\psi_j|\tilde\eta|`).
    energy_margin
        Factor by which the asymptotic energy grid extends below the run's lowest energy, >= 1.
        [1]
    p_margin
        Factor by which the asymptotic p grid extends below the run's bound of p, >= 1. [1]
    spectrum_resolution
        Convergence knob of the spectrum solver, > 0. [1]
    spectrum_source
        ``"atlas"`` (interpolated in the spectral atlas, :mod:`dynamics.atlas`; built once per
        machine) or ``"direct"`` (every node solved; 20-40 s per ensemble). They agree to
        ~1e-7 in the two-level values (``docs/atlas.md``).
    """

    density_law: str = "constant"
    energy_margin: float = 300.0
    p_margin: float = 1e5
    spectrum_resolution: float = 1.0
    spectrum_source: str = "atlas"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.chi == 0:
            raise ParameterError(
                "chi = 0 is not allowed for exact spectra (it sets the type-1 coupling (4.4))"
            )
        if self.density_law not in DENSITY_LAWS:
            raise ParameterError(
                f"density_law = {self.density_law!r} is not allowed; use one of {DENSITY_LAWS}"
            )
        for name in ("energy_margin", "p_margin"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 1.0):
                raise ParameterError(f"{name} = {value!r} is outside the allowed range [1, inf)")
        check_positive("spectrum_resolution", self.spectrum_resolution)
        if self.spectrum_source not in SPECTRUM_SOURCES:
            raise ParameterError(
                f"spectrum_source = {self.spectrum_source!r} is not allowed; use one of "
                f"{SPECTRUM_SOURCES}"
            )

    @classmethod
    def from_glass(cls, glass: Glass, **settings: Any) -> ExactGlass:
        """The glass ``glass`` on exact spectra; ``settings`` are the fields above (or any glass
        field to change, e.g. ``relaxation_coupling``)."""
        if not isinstance(glass, Glass):
            raise ParameterError(
                f"glass = {glass!r} is not allowed: exact spectra need a soft-potential Glass"
            )
        fields = {f.name: getattr(glass, f.name) for f in dataclasses.fields(Glass)}
        return cls(**{**fields, **settings})

    @property
    def spectrum(self) -> str:
        """``"exact"``: the TLS parameters come from exact spectra."""
        return "exact"

    @property
    def asymptotic(self) -> Glass:
        """The same glass on the paper's asymptotic spectra."""
        return Glass(**{f.name: getattr(self, f.name) for f in dataclasses.fields(Glass)})

    def ensemble(
        self, temperature_low: float, temperature_high: float, t_end: float, resolution: Resolution
    ) -> Ensemble:
        """The bins for a run (cached): :func:`build_exact_ensemble`."""
        return _cached_ensemble(self, temperature_low, temperature_high, t_end, resolution)

    @property
    def spectrum_label(self) -> str:
        """How the TLS parameters are obtained, for titles and summaries."""
        return "exact spectra"

    def to_dict(self) -> dict[str, Any]:
        """All fields, ``model = "kki-exact"`` (JSON-serialisable)."""
        return {**super().to_dict(), "model": "kki-exact"}


@lru_cache(maxsize=16)
def _cached_ensemble(
    model: ExactGlass, t_lo: float, t_hi: float, t_end: float, res: Resolution
) -> Ensemble:
    return build_exact_ensemble(model, t_lo, t_hi, t_end, res)


def _asymptotic_potentials(
    kind: int, energy: FloatArray, p: FloatArray, W_J: float
) -> tuple[FloatArray, FloatArray]:
    """The potentials (eta, t) that the asymptotic map puts at (E_a, p_a), one per sign.

    Type 1: (eta, +t), (eta, -t). Type 2: (+-t, t^2/4 +- R) in the order
    (+t, +R), (-t, +R), (+t, -R), (-t, -R). Shape (signs, n).
    """
    if kind == 0:
        eta, t = type1_parameters(energy, p, W_J)
        return np.stack([eta, eta]), np.stack([t, -t])
    t, R = type2_parameters(energy, p, W_J)
    plus, minus = R + t**2 / 4, -R + t**2 / 4
    return np.stack([plus, plus, minus, minus]), np.stack([t, -t, t, -t])


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


def build_exact_ensemble(
    model: ExactGlass,
    temperature_low: float,
    temperature_high: float,
    t_end: float,
    resolution: Resolution | None = None,
) -> Ensemble:
    r"""Bins of every TLS type from exact spectra (module docstring), for a run.

    :func:`exact_members` (the spectra; cached per glass without its relaxation coupling) then
    :func:`assemble_exact_ensemble` (the relaxation coupling).

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

    Returns
    -------
    Ensemble
        Relaxing bins (exact :math:`E`, :math:`p`, full :math:`D`, couplings) and the frozen tail.
    """
    members = exact_members(model, temperature_low, temperature_high, t_end, resolution)
    return assemble_exact_ensemble(members, model)


def exact_members(
    model: ExactGlass,
    temperature_low: float,
    temperature_high: float,
    t_end: float,
    resolution: Resolution | None = None,
) -> tuple[ExactMembers, ...]:
    r"""The exact spectra of the potentials of every TLS type on the asymptotic grid of a run.

    Cached per (glass without its relaxation coupling, temperatures, ``t_end``, resolution), 16
    entries: the result is shared, do not modify its arrays.

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

    Returns
    -------
    tuple of ExactMembers
        One per TLS type with a nonzero density.
    """
    spectra = dataclasses.replace(model, relaxation_coupling="symmetric", interference_fraction=0.0)
    return _cached_members(spectra, temperature_low, temperature_high, t_end, resolution)


@lru_cache(maxsize=16)
def _cached_members(
    model: ExactGlass,
    temperature_low: float,
    temperature_high: float,
    t_end: float,
    resolution: Resolution | None,
) -> tuple[ExactMembers, ...]:
    """:func:`exact_members`, cached: the run's checked ranges, its energy window and the
    widened asymptotic grid (module docstring, ``energy_margin`` and ``p_margin``), then the
    members of each TLS type with a nonzero density (:func:`_type_members`)."""
    res = resolution if resolution is not None else Resolution()
    t_lo, t_hi, t_end_v = _check_run(temperature_low, temperature_high, t_end)
    e_window = (res.x_min * K_B * t_lo, res.x_max * K_B * t_hi)
    wide = dataclasses.replace(
        res,
        x_min=res.x_min / model.energy_margin,
        relaxation_cutoff=res.relaxation_cutoff / model.p_margin,
    )
    e_nodes, e_weights = energy_nodes(t_lo, t_hi, model.energy_cap, wide)
    return tuple(
        _type_members(model, kind, e_nodes, e_weights, e_window, t_hi, t_end_v, wide)
        for kind in range(len(model.tls_types))
        if model.density_scale(kind) != 0.0
    )


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


def _type_members(
    model: ExactGlass,
    kind: int,
    e_nodes: FloatArray,
    e_weights: FloatArray,
    e_window: tuple[float, float],
    t_hi: float,
    t_end: float,
    wide: Resolution,
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
    """
    p_min = p_floor(model, kind, e_nodes, t_hi, t_end, wide)
    p_grid, p_weights = p_nodes(-np.log(p_min), wide)
    e_a = np.broadcast_to(e_nodes[:, None], p_grid.shape).ravel()
    p_a = p_grid.ravel()
    weight = model.density(kind, e_a, p_a) * (p_weights * (e_weights * e_nodes)[:, None]).ravel()
    etas, ts = _asymptotic_potentials(kind, e_a, p_a, model.W_J)
    partners = _exact_partners(model, kind, e_a, p_a, etas, ts, e_window)
    gamma_a = _asymptotic_gamma(model, kind, e_a, p_a)
    tail_energy, tail_density = _tail(model, kind, e_nodes, e_weights, p_min, e_window)
    return ExactMembers(
        kind=kind,
        energy_a=e_a,
        p_a=p_a,
        phonon_a=model.phonon_constant(kind, e_a, p_a),
        electron_a=model.electron_constant(kind, e_a, p_a),
        tail_energy=tail_energy,
        tail_density=tail_density,
        **_member_rows(model, partners, etas, weight, gamma_a, e_window),
    )


def _exact_partners(
    model: ExactGlass,
    kind: int,
    e_a: FloatArray,
    p_a: FloatArray,
    etas: FloatArray,
    ts: FloatArray,
    e_window: tuple[float, float],
) -> list[ExactTwoLevel]:
    r"""Exact two-level values of every member of the nodes :math:`(E_a, p_a)`, in the order
    of :func:`_asymptotic_potentials` (module docstring: mirror images share one solve, the
    :math:`\pm\tilde R` partners of type 2 do not).

    The ln :math:`\Delta_0` derivatives are added where the member is kept (exact :math:`E` in
    ``e_window`` [J], :math:`p > 0`) and :math:`p < 1/2`, where :math:`M` needs them.

    Parameters
    ----------
    e_a, p_a
        The nodes: :math:`E_a` [J], :math:`p_a` [1].
    etas, ts
        The potentials of the members, shape (members, n). [1]
    """
    W_J = model.W_J
    e_rows = etas[0] if kind == 0 else np.concatenate([etas[0], etas[2]])
    t_rows = ts[0] if kind == 0 else np.concatenate([ts[0], ts[2]])
    solved = _solve_rows(model, kind, e_a / W_J, p_a, e_rows, t_rows)
    energy_rows = solved.splitting * W_J
    kept = (energy_rows >= e_window[0]) & (energy_rows <= e_window[1]) & (solved.p > 0.0)
    solved = _with_derivatives(
        solved, kept & (solved.p < _MIXED_P), FD_STEP, model.spectrum_resolution
    )
    if kind == 0:
        return [solved, solved.mirrored()]
    half = [_take(solved, slice(0, e_a.size)), _take(solved, slice(e_a.size, None))]
    return [half[0], half[0].mirrored(), half[1], half[1].mirrored()]


def _asymptotic_gamma(model: ExactGlass, kind: int, e_a: FloatArray, p_a: FloatArray) -> FloatArray:
    r""":math:`\gamma_a` of the nodes, the asymptotic coupling at the node's
    :math:`\Delta_0 = E_a\sqrt{p_a}`: (4.4) for type 1, (4.9) for type 2. [J]"""
    W_J = model.W_J
    if kind == 0:
        return gamma_type1(e_a * np.sqrt(p_a), W_J=W_J, c=model.c, eta_L=model.eta_L, chi=model.chi)
    return gamma_type2(e_a * np.sqrt(p_a), W_J=W_J, c=model.c, eta_L=model.eta_L)


def _member_rows(
    model: ExactGlass,
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
        rows["energy"].append(energy)
        rows["p"].append(member.p)
        rows["number_density"].append(density / signs)
        rows["deformation"].append(D * W_J)
        rows["coupling"].append((M * W_J) ** 2 / (member.p * gamma_a**2))
        rows["keep"].append((energy >= e_window[0]) & (energy <= e_window[1]) & (member.p > 0.0))
    return {k: np.stack(v) for k, v in rows.items()}


def _tail(
    model: ExactGlass,
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


def assemble_exact_ensemble(members: tuple[ExactMembers, ...], model: ExactGlass) -> Ensemble:
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
        signs, n = m.energy.shape
        factor = mix_partner_couplings(m.coupling, m.keep, model.interference_fraction)
        for sign in range(signs):
            keep = m.keep[sign]
            parts["energy"].append(m.energy[sign][keep])
            parts["p"].append(m.p[sign][keep])
            parts["kind"].append(np.full(int(keep.sum()), m.kind))
            parts["number_density"].append(m.number_density[sign][keep])
            parts["deformation"].append(m.deformation[sign][keep])
            parts["phonon"].append((m.phonon_a * factor[sign])[keep])
            parts["electron"].append((m.electron_a * factor[sign])[keep])
            parts["partner_group"].append((groups + np.arange(n))[keep])
        groups += n
        parts["tail_energy"].append(m.tail_energy)
        parts["tail_kind"].append(np.full(m.tail_energy.size, m.kind))
        parts["tail_density"].append(m.tail_density)
    return ensemble_from_parts(parts, model)


def _solve_rows(
    model: ExactGlass,
    kind: int,
    energy_ratio: FloatArray,
    p: FloatArray,
    eta: FloatArray,
    t: FloatArray,
) -> ExactTwoLevel:
    """Exact two-level values of the rows ``(eta, t)`` that the asymptotic map puts at
    ``(energy_ratio = E_a/W, p)`` (type 1: one row per node; type 2: +R rows, then -R rows):
    interpolated in the spectral atlas (:mod:`dynamics.atlas`, forward differences included
    where p < 1/2) or solved directly, by ``model.spectrum_source``."""
    if model.spectrum_source == "direct":
        return exact_two_level(eta, t, resolution=model.spectrum_resolution, derivatives=False)
    from dynamics.atlas import AtlasGrid, atlas_two_level
    from dynamics.atlas_store import default_atlas

    atlas = default_atlas(AtlasGrid(spectrum_resolution=model.spectrum_resolution))
    if kind == 0:
        return atlas_two_level(atlas, 0, energy_ratio, p)
    return _concatenate_tls(
        [atlas_two_level(atlas, 1, energy_ratio, p), atlas_two_level(atlas, 2, energy_ratio, p)]
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
