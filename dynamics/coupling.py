r"""Coupling of the soft potential to strain through the zero-point force (paper Sec. III).

The zero-point vibrations exert a constant force (3.2) that shifts the centre of the oscillator
by :math:`\delta\, a\eta_L^{1/2}`, where :math:`\delta` solves (3.3),

.. math:: \chi + 2\tilde\eta\delta - 3\tilde t\delta^2 + 4\delta^3 = 0 .

:math:`\delta` is the stationary point of the bare potential about which the renormalised
:math:`(\tilde\eta, \tilde t)` are defined (3.4); of the real roots it is the one of smallest
modulus, which connects continuously to the perturbative root :math:`-\chi/2\tilde\eta`.

Strain enters the bare :math:`\tilde\eta_0` as :math:`(c/\eta_L)\varepsilon` (3.7). With the exact
:math:`\delta`, (3.8) and (3.9) are exact (implicit differentiation of (3.3), (3.4)):

.. math::
    \partial\tilde\eta/\partial\varepsilon = (c/\eta_L)(1 - 3\tilde t\delta/\tilde\eta), \qquad
    \partial\tilde t/\partial\varepsilon = -(4c/\eta_L)\,\delta/\tilde\eta .

(The OCR text prints "t̃δ/m̃" in (3.8); it reads t̃δ/η̃.) For type 2,
:math:`\partial\tilde R/\partial\varepsilon = (c/\eta_L)(1 - \tilde t\delta/\tilde\eta)` exactly,
and
(3.10), (3.11) are its expansions in :math:`\tilde R/\tilde t^2` and :math:`\chi/\tilde t^3`.

Printed against derived: in (3.11) the coefficient of :math:`\tilde R/\tilde t^2` inside the
bracket is printed as -4; expanding (3.9) with (3.6) gives -8. The term is odd in
:math:`\tilde R`, so it does not enter the thermal expansion; :func:`dt_dstrain_type2_series`
implements the printed form, and ``tests/test_coupling.py`` shows the discrepancy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.validation import check_finite, check_positive

FloatArray = NDArray[np.float64]


def zero_point_shift(chi: ArrayLike, eta: ArrayLike, t: ArrayLike) -> FloatArray:
    r"""Exact zero-point shift :math:`\delta`: the real root of (3.3) of smallest modulus.

    Parameters
    ----------
    chi
        Zero-point force constant :math:`\chi` (3.2). [1]
    eta
        Renormalised :math:`\tilde\eta`. [1]
    t
        Renormalised :math:`\tilde t`. [1]

    Returns
    -------
    ndarray
        :math:`\delta` in units of :math:`a\eta_L^{1/2}`. [1]
    """
    chi_a, eta_a, t_a = np.broadcast_arrays(
        check_finite("chi", chi), check_finite("eta", eta), check_finite("t", t)
    )
    shape = chi_a.shape
    chi_f, eta_f, t_f = (v.reshape(-1) for v in (chi_a, eta_a, t_a))
    delta = _smallest_real_root(chi_f, eta_f, t_f)
    # Two Newton steps polish the root to machine precision.
    # Products, not powers: numpy's power of a negative base (x**3) is ~100x slower than exp.
    for _ in range(2):
        d2 = delta * delta
        f = chi_f + 2.0 * eta_f * delta - 3.0 * t_f * d2 + 4.0 * d2 * delta
        df = 2.0 * eta_f - 6.0 * t_f * delta + 12.0 * d2
        step = np.divide(f, df, out=np.zeros_like(f), where=df != 0)
        delta = delta - step
    return delta.reshape(shape)


#: Newton iterations of :func:`_smallest_real_root` before the companion matrix decides: those
#: that converge do so in 3-6 from the series start; the rest (~0.5 % of the nodes of an exact
#: ensemble, double wells where the start lies near the cubic's inflection) wander. [1]
NEWTON_ITERATIONS = 12


def _smallest_real_root(chi: FloatArray, eta: FloatArray, t: FloatArray) -> FloatArray:
    """Real root of smallest modulus of 4δ³ - 3t̃δ² + 2η̃δ + χ = 0 (1-D arrays).

    Newton from the series start -χ/2η̃ (3.5) finds *a* real root r; dividing it out leaves
    4δ² + bδ + c (b = 4r - 3t̃, c = 2η̃ + rb), whose roots are explicit, so the smallest real root
    is picked among all three exactly. Where Newton does not converge, the eigenvalues of the
    companion matrix decide (the former method, ~50x slower)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = np.where(eta != 0.0, -chi / (2.0 * eta), 0.0)
        active = np.arange(r.size)
        for _ in range(NEWTON_ITERATIONS):  # Newton on the points not yet converged
            ra, ea, ta, ca = r[active], eta[active], t[active], chi[active]
            r2 = ra * ra
            step = (ca + 2.0 * ea * ra - 3.0 * ta * r2 + 4.0 * r2 * ra) / (
                2.0 * ea - 6.0 * ta * ra + 12.0 * r2
            )
            r[active] = ra - step
            active = active[np.abs(step) > 1e-14 * np.abs(ra - step)]  # NaN leaves (checked below)
            if active.size == 0:
                break
        r2 = r * r
        f = chi + 2.0 * eta * r - 3.0 * t * r2 + 4.0 * r2 * r
        size = np.abs(chi) + np.abs(2.0 * eta * r) + np.abs(3.0 * t * r2) + np.abs(4.0 * r2 * r)
        ok = np.isfinite(r) & (np.abs(f) <= 1e-10 * size)
        b = 4.0 * r - 3.0 * t
        c = 2.0 * eta + r * b
        disc = b * b - 16.0 * c
        root = np.sqrt(np.maximum(disc, 0.0))
        q = -0.5 * (b + np.copysign(root, b))  # stable quadratic roots: q/4 and c/q
        q1 = np.where(disc >= 0.0, q / 4.0, np.inf)
        q2 = np.where((disc >= 0.0) & (q != 0.0), c / q, np.inf)
    candidates = np.stack([r, q1, q2])
    pick = np.argmin(np.abs(candidates), axis=0)
    delta = np.take_along_axis(candidates, pick[None, :], axis=0)[0]
    if not ok.all():
        delta[~ok] = _smallest_real_root_eigen(chi[~ok], eta[~ok], t[~ok])
    return delta


def _smallest_real_root_eigen(chi: FloatArray, eta: FloatArray, t: FloatArray) -> FloatArray:
    """As :func:`_smallest_real_root`, from the eigenvalues of the companion matrices."""
    companion = np.zeros((chi.size, 3, 3))
    companion[:, 0, 0] = 3.0 * t / 4.0
    companion[:, 0, 1] = -2.0 * eta / 4.0
    companion[:, 0, 2] = -chi / 4.0
    companion[:, 1, 0] = 1.0
    companion[:, 2, 1] = 1.0
    roots = np.linalg.eigvals(companion)
    # A cubic with real coefficients has at least one real root; complex pairs have |Im| > 0.
    scale = np.maximum(np.abs(roots), 1.0)
    real = np.abs(roots.imag) <= 1e-9 * scale
    modulus = np.where(real, np.abs(roots.real), np.inf)
    pick = np.argmin(modulus, axis=1)
    result: FloatArray = roots.real[np.arange(chi.size), pick]
    return result


def zero_point_shift_type1_series(chi: ArrayLike, eta: ArrayLike, t: ArrayLike) -> FloatArray:
    r"""Iterated root of (3.3) for :math:`|\tilde\eta| \gg 1`, (3.5):
    :math:`\delta = -\chi/2\tilde\eta + (3/8)\chi^2\tilde t/\tilde\eta^3`.

    Parameters
    ----------
    chi
        :math:`\chi`. [1]
    eta
        :math:`\tilde\eta`, nonzero. [1]
    t
        :math:`\tilde t`. [1]

    Returns
    -------
    ndarray
        :math:`\delta`. [1]
    """
    chi_a = check_finite("chi", chi)
    eta_a = check_finite("eta", eta)
    t_a = check_finite("t", t)
    return -chi_a / (2.0 * eta_a) + 0.375 * chi_a**2 * t_a / eta_a**3


def zero_point_shift_type2_series(chi: ArrayLike, t: ArrayLike, R: ArrayLike) -> FloatArray:
    r"""(3.5) rewritten near the parabola :math:`\tilde\eta = \tilde t^2/4 + \tilde R`, (3.6):
    :math:`\delta = -2\chi\tilde t^{-2} + 8\chi\tilde R\tilde t^{-4} + 24\chi^2\tilde t^{-5}
    - 288\chi^2\tilde R\tilde t^{-7}`.

    Parameters
    ----------
    chi
        :math:`\chi`. [1]
    t
        :math:`\tilde t`, :math:`|\tilde t| \gg 1`. [1]
    R
        :math:`\tilde R`, :math:`|\tilde R| \ll \tilde t^{-2}`. [1]

    Returns
    -------
    ndarray
        :math:`\delta`. [1]
    """
    chi_a = check_finite("chi", chi)
    t_a = check_finite("t", t)
    r_a = check_finite("R", R)
    return (
        -2.0 * chi_a / t_a**2
        + 8.0 * chi_a * r_a / t_a**4
        + 24.0 * chi_a**2 / t_a**5
        - 288.0 * chi_a**2 * r_a / t_a**7
    )


def deta_dstrain(
    c: float, eta_L: float, eta: ArrayLike, t: ArrayLike, delta: ArrayLike
) -> FloatArray:
    r""":math:`\partial\tilde\eta/\partial\varepsilon = (c/\eta_L)(1 - 3\tilde
    t\delta/\tilde\eta)`, (3.8).

    Parameters
    ----------
    c
        Strain coupling constant of :math:`\eta` (3.7). [1]
    eta_L
        :math:`\eta_L` (2.4). [1]
    eta, t
        Renormalised :math:`\tilde\eta` (nonzero), :math:`\tilde t`. [1]
    delta
        Zero-point shift :math:`\delta` (3.3). [1]

    Returns
    -------
    ndarray
        :math:`\partial\tilde\eta/\partial\varepsilon`. [1]
    """
    check_positive("eta_L", eta_L)
    eta_a = check_finite("eta", eta)
    return (c / eta_L) * (1.0 - 3.0 * check_finite("t", t) * check_finite("delta", delta) / eta_a)


def dt_dstrain(c: float, eta_L: float, eta: ArrayLike, delta: ArrayLike) -> FloatArray:
    r""":math:`\partial\tilde t/\partial\varepsilon = -(4c/\eta_L)\delta/\tilde\eta`, (3.9).

    Parameters
    ----------
    c
        Strain coupling constant (3.7). [1]
    eta_L
        :math:`\eta_L`. [1]
    eta
        Renormalised :math:`\tilde\eta`, nonzero. [1]
    delta
        Zero-point shift :math:`\delta`. [1]

    Returns
    -------
    ndarray
        :math:`\partial\tilde t/\partial\varepsilon`. [1]
    """
    check_positive("eta_L", eta_L)
    return -(4.0 * c / eta_L) * check_finite("delta", delta) / check_finite("eta", eta)


def dR_dstrain_type2_series(
    c: float, eta_L: float, t: ArrayLike, R: ArrayLike, delta: ArrayLike
) -> FloatArray:
    r""":math:`\partial\tilde R/\partial\varepsilon = (c/\eta_L)[1 - 4\delta/\tilde t
    + 16\tilde R\delta/\tilde t^3]`, (3.10).

    The exact form is :math:`(c/\eta_L)(1 - \tilde t\delta/\tilde\eta)`, :math:`\tilde\eta =
    \tilde R + \tilde t^2/4`; (3.10) is its expansion to first order in :math:`\tilde R/\tilde t^2`.

    Parameters
    ----------
    c, eta_L
        Coupling constant and :math:`\eta_L`. [1]
    t, R
        :math:`\tilde t` (nonzero), :math:`\tilde R`. [1]
    delta
        Zero-point shift :math:`\delta`. [1]

    Returns
    -------
    ndarray
        :math:`\partial\tilde R/\partial\varepsilon`. [1]
    """
    check_positive("eta_L", eta_L)
    t_a = check_finite("t", t)
    d = check_finite("delta", delta)
    return (c / eta_L) * (1.0 - 4.0 * d / t_a + 16.0 * check_finite("R", R) * d / t_a**3)


def dt_dstrain_type2_series(
    c: float, eta_L: float, chi: float, t: ArrayLike, R: ArrayLike
) -> FloatArray:
    r"""(3.11) as printed: :math:`\partial\tilde t/\partial\varepsilon = (32c\chi/\eta_L\tilde t^4)
    [1 - 4\tilde R/\tilde t^2 + 192\chi\tilde R/\tilde t^5 - 12\chi/\tilde t^3]`.

    Expanding (3.9) with (3.6) gives -8 instead of -4 for the :math:`\tilde R/\tilde t^2` term (odd
    in :math:`\tilde R`, so without effect on the expansion); the other three terms agree.

    Parameters
    ----------
    c, eta_L, chi
        Coupling constants and :math:`\eta_L`. [1]
    t, R
        :math:`\tilde t` (nonzero), :math:`\tilde R`. [1]

    Returns
    -------
    ndarray
        :math:`\partial\tilde t/\partial\varepsilon`. [1]
    """
    check_positive("eta_L", eta_L)
    t_a = check_finite("t", t)
    r_a = check_finite("R", R)
    bracket = 1.0 - 4.0 * r_a / t_a**2 + 192.0 * chi * r_a / t_a**5 - 12.0 * chi / t_a**3
    return 32.0 * c * chi / (eta_L * t_a**4) * bracket
