r"""Exact two-level parameters of soft potentials, and the microscopic ensemble built from them.

The paper's :math:`\Delta_0`, :math:`\Delta` (2.8), (2.9), (2.11), (2.13) and deformation
potentials (4.5), (4.11) are leading-order asymptotics in :math:`L = \ln(W/\Delta_0)`. Here every
soft potential :math:`(\tilde\eta, \tilde t)` is mapped through its exact spectrum
(:func:`dynamics.exact.solver.solve_soft_potential`, eq. (2.6)) to

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

The bins built from these parameters are :mod:`dynamics.exact.bins`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.coupling import deta_dstrain, dt_dstrain, zero_point_shift
from dynamics.glass import FloatArray, Glass
from dynamics.units import K_B
from dynamics.validation import ParameterError, check_finite, check_positive

if TYPE_CHECKING:
    from dynamics.exact.solver import SoftPotentialSpectrum


def solve_soft_potential(*args: Any, **kwargs: Any) -> SoftPotentialSpectrum:
    """:func:`dynamics.exact.solver.solve_soft_potential`, the solver imported on the first
    direct solve (it imports scipy.special; an ensemble from the shipped table solves
    nothing)."""
    from dynamics.exact.solver import solve_soft_potential as solve

    return solve(*args, **kwargs)


__all__ = [
    "ExactTwoLevel",
    "exact_couplings",
    "exact_deformation_type1",
    "exact_deformation_type2",
    "exact_two_level",
]

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
        Route of :math:`\Delta_0` (see :class:`dynamics.exact.solver.SoftPotentialSpectrum`).
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
