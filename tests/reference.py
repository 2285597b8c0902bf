"""Independent numerical integrals for the tests (scipy adaptive quadrature, no engine code).

p integrals of the form int_{p0}^1 h(E, p) dp / (p (1-p)^{1/2}) are split at p = 1/2:

* below, in v = L^{-1/3} with L = ln(W/E) + s/2 and s = -ln p: ds = -6 v^{-4} dv, so the slowly
  converging tails (the L^{-4/3} of (5.1) integrates to L^{-1/3}) become a finite, smooth
  interval 0 < v <= v(p0) and p -> 0 is reached exactly;
* above, in q = (1-p)^{1/2}: dp/(1-p)^{1/2} = 2 dq removes the endpoint singularity.

Both are done with scipy.integrate.quad_vec, vectorised over energies; the energy integral over
x = E/k_BT uses scipy.integrate.quad on top. Nothing here shares code with dynamics.ensemble.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
from scipy.integrate import quad, quad_vec
from scipy.optimize import brentq

from dynamics.deformation import deformation_even_type1, deformation_even_type2
from dynamics.density import DENSITY_PREFACTOR
from dynamics.units import K_B

Array = np.ndarray
EPSREL = 1e-10
L_CUT = 900.0  # least L below which (v > L^(-1/3)) the integrand is sampled (see p_integral)


def p_integral(
    h: Callable[[Array, Array, Array], Array], energy: Array, p0: Array, W_J: float
) -> Array:
    """int_{p0}^1 h(E, p, L) dp / (p sqrt(1-p)) for arrays of E [J] and p0 (p0 = 0 allowed).

    h receives L = ln(W/E p^1/2) as well as p, because p underflows to 0 long before the
    integral has converged (L known exactly as v^-3)."""
    energy = np.atleast_1d(np.asarray(energy, dtype=float))
    p0 = np.minimum(np.broadcast_to(np.asarray(p0, dtype=float), energy.shape), 1.0)
    log_e = np.log(W_J / energy)
    split = 0.5
    # Lower part, p in [p0, 1/2]: v from 0 (p = 0) or v(p0) to v(1/2).
    v_half = (log_e + 0.5 * math.log(2.0)) ** (-1.0 / 3.0)
    with np.errstate(divide="ignore"):
        v_low = np.where(
            p0 > 0, (log_e - 0.5 * np.log(np.maximum(p0, 1e-320))) ** (-1.0 / 3.0), 0.0
        )
    v_low = np.minimum(v_low, v_half)
    # p must vanish on [v_c, 2 v_c] (L >= l_cut/8): l_cut = 8 (ln W/E + 40) gives p < e^-80 there;
    # the kernels can represent L up to ~1030 (W_eff/E_eff must not overflow).
    l_cut = max(L_CUT, 8.0 * (float(np.max(log_e)) + 40.0))
    assert l_cut < 1000, "energies too far below W for the reference's p -> 0 treatment"
    v_start = np.minimum(np.maximum(v_low, l_cut ** (-1.0 / 3.0)), v_half)

    def lower(w: float) -> Array:
        v = v_start + w * (v_half - v_start)
        s = 2.0 * (v**-3.0 - log_e)
        p = np.exp(-s)
        return h(energy, p, v**-3.0) / np.sqrt(-np.expm1(-s)) * 6.0 * v**-4.0 * (v_half - v_start)

    low = quad_vec(lower, 0.0, 1.0, epsrel=EPSREL, epsabs=0.0, limit=2000)[0]
    # Below v_c (L > L_CUT) p < exp(-2 (L_CUT - ln W/E)) is 0 to double precision and the
    # integrand is a polynomial of degree <= 9 in v (the powers of L in (4.5), (4.11), (5.1));
    # fit it on [v_c, 2 v_c] at Chebyshev points (library values) and integrate it exactly.
    v_c = l_cut ** (-1.0 / 3.0)
    need = v_low < v_c
    if np.any(need):
        nodes = v_c * (1.5 + 0.5 * np.cos(np.pi * (np.arange(12) + 0.5) / 12))
        samples = []
        for v in nodes:
            vv = np.full(energy.shape, v)
            s_v = 2.0 * (vv**-3.0 - log_e)
            samples.append(h(energy, np.exp(-s_v), vv**-3.0) * 6.0 * vv**-4.0)
        samples_arr = np.array(samples)  # (12, n_energies)
        for k in np.flatnonzero(need):
            coef = np.polynomial.polynomial.polyfit(nodes, samples_arr[:, k], 11)
            anti = np.polynomial.polynomial.polyint(coef)
            value = np.polynomial.polynomial.polyval(v_c, anti) - np.polynomial.polynomial.polyval(
                v_low[k], anti
            )
            low[k] += value
    # Upper part, p in [max(p0, 1/2), 1]: q = sqrt(1-p) from 0 to sqrt(1 - max(p0, 1/2)).
    q_top = np.sqrt(1.0 - np.maximum(p0, split))

    def upper(w: float) -> Array:
        q = w * q_top
        p = 1.0 - q * q
        return h(energy, p, kki_L(energy, p, W_J)) / p * 2.0 * q_top

    high = quad_vec(upper, 0.0, 1.0, epsrel=EPSREL, epsabs=0.0, limit=2000)[0]
    return np.where(p0 < 1.0, low + high, 0.0)


def kki_L(energy: Array, p: Array, W_J: float) -> Array:
    return np.log(W_J / energy) - 0.5 * np.log(p)


P_SMALL = 1e-280
E_TINY = 1e-300


def deformation_kernel(kind: int, glass) -> Callable[[Array, Array, Array], Array]:
    """h(E, p, L) = D_j(E, p) L^{-4/3}: with p^-1 (1-p)^-1/2 (p_integral), the integrand of (5.3).

    D_j/E depends on (p, L) only. Where p < 1e-280 (0 in double precision below 1e-308), D is
    evaluated at p_eff = 1e-280 and an energy E_eff with the same L, then scaled by E/E_eff:
    exact to rounding, since p L^(1/3) and 1 - p differ from their p = 0 values by < 1e-270.
    """
    fn = deformation_even_type1 if kind == 0 else deformation_even_type2
    W_J = glass.W_J

    def h(energy: Array, p: Array, L: Array) -> Array:
        small = p < P_SMALL
        p_use = np.where(small, P_SMALL, p)
        # E_eff = 1e-300 J, W_eff with ln(W_eff/E_eff) - ln(p_eff)/2 = L: representable to L ~ 1030
        e_use = np.where(small, E_TINY, energy)
        w_use = np.where(small, np.exp(math.log(E_TINY) + L + 0.5 * math.log(P_SMALL)), W_J)
        d = fn(e_use, p_use, W_J=w_use, c=glass.c, eta_L=glass.eta_L, chi=glass.chi) * (
            energy / e_use
        )
        return d * L ** (-4.0 / 3.0)

    return h


def density_kernel(glass) -> Callable[[Array, Array, Array], Array]:
    """h(E, p, L) = L^{-4/3}: the p dependence of (5.1) beyond p^-1 (1-p)^-1/2."""
    return lambda energy, p, L: L ** (-4.0 / 3.0)


def thermal_weight(x: Array) -> Array:
    """x / (4 cosh^2(x/2)) = T dn_eq/dT at E = x k_B T."""
    ex = np.exp(-x)
    return x * ex / (1.0 + ex) ** 2


COTH_HALF = 1.0 / math.tanh(0.5)


def sharp_cutoff(x: Array, tau_ratio: float | None) -> Array:
    """p0(E) = tau_m(E, T)/tau_expt, tau_expt = tau_ratio * tau_min(T); 0 if tau_ratio is None."""
    x = np.asarray(x, dtype=float)
    if tau_ratio is None:
        return np.zeros_like(x)
    return COTH_HALF / (x**3 / np.tanh(x / 2.0)) / tau_ratio


def _log_x_rule(
    x_low: float, x_high: float, panels: int, breaks: tuple[float, ...] = (), nodes: int = 16
) -> tuple[Array, Array]:
    """Composite Gauss-Legendre nodes/weights for int f(x) dx in ln x on [x_low, x_high], with
    panel edges at the kinks ``breaks`` of the integrand."""
    g, w = np.polynomial.legendre.leggauss(nodes)
    cuts = [math.log(x_low), *sorted(math.log(b) for b in breaks if x_low < b < x_high)]
    cuts.append(math.log(x_high))
    edges = np.concatenate(
        [np.linspace(a, b, panels + 1)[:-1] for a, b in itertools.pairwise(cuts)]
        + [np.array([cuts[-1]])]
    )
    h = np.diff(edges)[:, None]
    u = (edges[:-1, None] + 0.5 * h * (g + 1.0)).ravel()
    return np.exp(u), (0.5 * h * w).ravel() * np.exp(u)


def expansion_and_heat(
    glass, temperature: float, tau_ratio: float | None, *, x_max: float = 60.0, panels: int = 6
) -> tuple[float, float, float, float]:
    """alpha_1, alpha_2 [K-1] and C_1, C_2 [J m-3 K-1] for a sharp cutoff (tau_ratio) or at
    equilibrium (tau_ratio None), energies from 1e-4 k_B T (the weight below is 1e-13) to
    min(x_max k_B T, W/e).

    The outer energy integral is a composite Gauss-Legendre rule in ln x; it is repeated with
    twice the panels and must agree to 1e-6 (asserted): at equilibrium the kappa1 parts cancel
    and the inner quadrature noise, 1e-10 of them, is ~1e-6 of the remainder at L ~ 100.
    """
    kt = K_B * temperature
    x_cap = min(x_max, glass.W_J / math.e / kt)
    scales = [glass.N0, glass.psi * glass.N0]
    dens = density_kernel(glass)
    results = []
    breaks: tuple[float, ...] = ()
    if tau_ratio is not None:  # p0(x) crosses 1 and 1/2 (the split of p_integral): kinks
        breaks = tuple(
            brentq(
                lambda x, lv=level: float(sharp_cutoff(np.array([x]), tau_ratio)[0]) - lv, 1e-8, 1e8
            )
            for level in (1.0, 0.5)
        )
    for n_panels in (panels, 2 * panels):
        x, w = _log_x_rule(1e-4, x_cap, n_panels, breaks)
        e = x * kt
        p0 = sharp_cutoff(x, tau_ratio)
        weight = thermal_weight(x) / temperature * w
        row = []
        for kind in (0, 1):
            q = p_integral(deformation_kernel(kind, glass), e, p0, glass.W_J)
            n = p_integral(dens, e, p0, glass.W_J)
            pref = DENSITY_PREFACTOR * scales[kind] * kt
            row.append(
                (-pref * np.sum(q * weight) / glass.bulk_modulus, pref * np.sum(n * e * weight))
            )
        results.append([row[0][0], row[1][0], row[0][1], row[1][1]])
    coarse, fine = np.array(results[0]), np.array(results[1])
    scale = np.abs(fine[:2]).sum(), np.abs(fine[2:]).sum()
    assert np.all(np.abs(fine[:2] - coarse[:2]) <= 1e-6 * scale[0]), (coarse, fine)
    assert np.all(np.abs(fine[2:] - coarse[2:]) <= 1e-6 * scale[1]), (coarse, fine)
    return tuple(float(v) for v in fine)  # type: ignore[return-value]


def quad_scalar(f: Callable[[float], float], a: float, b: float) -> float:
    return quad(f, a, b, limit=400, epsabs=0.0, epsrel=1e-12)[0]


def linear_response(
    glass, temperature: float, t: float, *, x_max: float = 60.0, panels: int = 6
) -> tuple[float, float, float, float]:
    """Smooth relaxation after an infinitesimal step at t = 0, per unit Delta T:
    alpha_j(t) = -(1/K) int int N_j D_j dn_eq/dT (1 - exp(-p t/tau_m,j(E))) and C_j(t) likewise
    with E for D. Returns (alpha_1, alpha_2, C_1, C_2) [K-1], [J m-3 K-1].

    Rates: tau_m,j^-1 = A_j (E/k_B)^3 coth(E/2k_BT); A_1 = A, A_2 = A (3L/chi)^2 for "kki"
    (gamma_ratio of (4.10)) or ratio * A.
    """
    from dynamics.deformation import gamma_ratio

    kt = K_B * temperature
    x_cap = min(x_max, glass.W_J / math.e / kt)
    scales = [glass.N0, glass.psi * glass.N0]
    results = []
    for n_panels in (panels, 2 * panels):
        x, w = _log_x_rule(1e-4, x_cap, n_panels)
        e = x * kt
        weight = thermal_weight(x) / temperature * w
        row = []
        for kind in (0, 1):
            base_d = deformation_kernel(kind, glass)

            def factor(energy: Array, p: Array, L: Array, kind: int = kind) -> Array:
                rate = p * glass.A * (energy / K_B) ** 3 / np.tanh(energy / (2.0 * kt))
                if kind == 1:
                    ratio = glass.type2_rate_ratio
                    if isinstance(ratio, str):
                        # (where L > 600, p < e^-1100 and the factor is 0 whatever the ratio)
                        d0 = glass.W_J * np.exp(-np.minimum(L, 600.0))
                        ratio = gamma_ratio(d0, W_J=glass.W_J, chi=glass.chi) ** 2
                    rate = rate * ratio
                return -np.expm1(-rate * t)

            def hd(energy: Array, p: Array, L: Array, base_d=base_d, factor=factor) -> Array:
                return base_d(energy, p, L) * factor(energy, p, L)

            def hn(energy: Array, p: Array, L: Array, factor=factor) -> Array:
                return L ** (-4.0 / 3.0) * factor(energy, p, L)

            q = p_integral(hd, e, np.zeros_like(e), glass.W_J)
            n = p_integral(hn, e, np.zeros_like(e), glass.W_J)
            pref = DENSITY_PREFACTOR * scales[kind] * kt
            row.append(
                (-pref * np.sum(q * weight) / glass.bulk_modulus, pref * np.sum(n * e * weight))
            )
        results.append(np.array([row[0][0], row[1][0], row[0][1], row[1][1]]))
    coarse, fine = results
    assert np.all(np.abs(fine - coarse) <= 1e-6 * np.abs(fine) + 1e-30), (coarse, fine)
    return tuple(float(v) for v in fine)  # type: ignore[return-value]
