"""Multi-level spectrum of the soft potential, paper eq. (2.6), for thermodynamics to k_B T >> W.

The dimensionless Schrödinger equation of the soft-potential model, eq. (2.6),

    -psi''(x) + (eta x^2 + t x^3 + x^4) psi(x) = E psi(x),

energies in units of W (eq. 2.7), is solved for the lowest ``levels`` (2–200) eigenvalues E_n of
every potential, with the Hellmann–Feynman derivatives <n|x^2|n> = dE_n/deta and
<n|x^3|n> = dE_n/dt. It is the foundation of the model beyond two levels (issue 20): the
heat capacity and thermal expansion of single wells (soft quasi-harmonic vibrations) and of
double wells with all their levels. The two lowest levels of a deep double well (the
tunnelling doublet, Delta0 down to 1e-50 W) are the job of :mod:`dynamics.exact.solver`; here a
near-degenerate pair is resolved in its energies (to ~1e-10 W) and in the sum of its two
derivatives, not in each member's (see :class:`LevelSpectrum`).

Method (details, accuracy and speed in ``docs/levels.md``): a sinc discrete-variable
representation (Colbert & Miller, J. Chem. Phys. 96, 1982 (1992)) on one or two uniform
lattices per potential, sized by WKB (:mod:`dynamics.exact.levels_grid`): the window holds every
classically allowed point at the WKB estimate of level ``levels`` plus tails of fixed WKB action,
and the spacing resolves the momentum distribution up to a fixed WKB action in momentum space.
x is diagonal in a DVR, so V and the derivatives <n|x^k|n> = sum_i c_ni^2 x_i^k are exact within
the basis (they are the exact derivatives of the DVR eigenvalues). Potentials with equal lattice
sizes are diagonalised together by batched ``numpy.linalg.eigh``; each potential's lattice and
matrix depend on that potential alone, so the results depend neither on the batch nor on the
number of threads.

Also here (re-exported from the helper modules): the landscape of V
(:func:`potential_landscape`, :mod:`dynamics.exact.levels_landscape`) and the thermodynamics of one
potential, quantum from the levels and classical with its Wigner–Kirkwood correction
(:func:`level_thermodynamics`, :func:`classical_thermodynamics`,
:func:`classical_partition_function`, :mod:`dynamics.exact.levels_thermal`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.exact.levels_grid import MOMENTUM_ACTION, TAIL_ACTION, Lattice, plan_lattice
from dynamics.exact.levels_landscape import PotentialLandscape, landscape_of
from dynamics.exact.levels_thermal import (
    ThermalProperties,
    classical_properties,
    quantum_properties,
)
from dynamics.parallel import map_threads, single_threaded_blas
from dynamics.validation import ParameterError, check_finite, check_positive

__all__ = [
    "LevelSpectrum",
    "PotentialLandscape",
    "ThermalProperties",
    "classical_partition_function",
    "classical_thermodynamics",
    "level_thermodynamics",
    "potential_landscape",
    "solve_levels",
]

#: Fewest and most levels :func:`solve_levels` computes. [1]
MIN_LEVELS, MAX_LEVELS = 2, 200
#: Allowed range of the ``resolution`` knob. [1]
MIN_RESOLUTION, MAX_RESOLUTION = 0.25, 4.0
_CHUNK = 256  # most potentials per work item [1]
_CHUNK_DOUBLES = 1e7  # a work item's Hamiltonians hold at most ~this many doubles (80 MB) [1]


@dataclass(frozen=True)
class LevelSpectrum:
    """The lowest levels of soft potentials, eq. (2.6), and their Hellmann–Feynman derivatives.

    Arrays have the broadcast shape of ``(eta, t)``; ``energy``, ``x2`` and ``x3`` carry a
    trailing axis of length ``levels`` (n = 0, 1, ...).

    Attributes
    ----------
    eta, t : ndarray
        Coefficients eta-tilde and t-tilde of eq. (2.6). [1]
    energy : ndarray, shape (..., levels)
        Eigenvalues E_0 <= E_1 <= ... of eq. (2.6), absolute (not relative to the minimum of
        V), ascending. [W]
    x2 : ndarray, shape (..., levels)
        <n|x^2|n> = dE_n/deta (Hellmann–Feynman). [1]
    x3 : ndarray, shape (..., levels)
        <n|x^3|n> = dE_n/dt (Hellmann–Feynman). [1]
    basis_size : ndarray of int
        Lattice points used for the potential. [1]

    Notes
    -----
    Near-degenerate pairs (the low doublets of a deep double well, splitting below ~1e-12 W):
    both energies are right to ~1e-10 W (the splitting itself is not resolved: use
    :func:`dynamics.exact.solver.solve_soft_potential` for Delta0), and so are the sums
    x2_n + x2_{n+1}, x3_n + x3_{n+1} (the trace over the pair); each member's own x2, x3 is an
    arbitrary mixture of the two wells' values. Thermodynamic averages need only the sums:
    within such a pair the Boltzmann weights are equal to ~1e-10 relative.
    """

    eta: NDArray[np.float64]
    t: NDArray[np.float64]
    energy: NDArray[np.float64]
    x2: NDArray[np.float64]
    x3: NDArray[np.float64]
    basis_size: NDArray[np.int64]


def potential_landscape(eta: ArrayLike, t: ArrayLike) -> PotentialLandscape:
    """Minima, barrier top, barrier heights and curvatures of V = eta x^2 + t x^3 + x^4.

    Closed forms from the stationary points x = 0, (-3t -+ sqrt(9t^2 - 32 eta)) / 8 (the
    roots of V'); see :class:`PotentialLandscape` for the fields and their units.

    Parameters
    ----------
    eta : array_like
        Harmonic coefficient eta-tilde of eq. (2.6). [1]
    t : array_like
        Cubic coefficient t-tilde of eq. (2.6). [1]

    Returns
    -------
    PotentialLandscape
        Positions [1], energies and barrier heights [W], curvatures V'' [W] and the harmonic
        level spacing sqrt(2 V''(x_min)) of the global minimum [W].

    Raises
    ------
    ParameterError
        If eta or t is NaN or infinite.

    Examples
    --------
    >>> land = potential_landscape(-8.0, 0.0)   # symmetric double well, minima at -+2
    >>> float(land.x_global_min), float(land.barrier_from_global), float(land.harmonic_energy)
    (-2.0, 16.0, 8.0)
    """
    eta_a = check_finite("eta", eta, unit="1")
    t_a = check_finite("t", t, unit="1")
    eta_b, t_b = np.broadcast_arrays(eta_a, t_a)
    return landscape_of(np.array(eta_b, dtype=float), np.array(t_b, dtype=float))


def _check_knobs(levels: object, resolution: object) -> tuple[int, float]:
    if (
        isinstance(levels, bool)
        or not isinstance(levels, int | np.integer)
        or not MIN_LEVELS <= levels <= MAX_LEVELS
    ):
        raise ParameterError(
            f"levels = {levels!r} is outside the allowed range [{MIN_LEVELS}, {MAX_LEVELS}] "
            "(an integer) [1]"
        )
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, int | float | np.floating | np.integer)
        or not math.isfinite(float(resolution))
        or not MIN_RESOLUTION <= float(resolution) <= MAX_RESOLUTION
    ):
        raise ParameterError(
            f"resolution = {resolution!r} is outside the allowed range "
            f"[{MIN_RESOLUTION:g}, {MAX_RESOLUTION:g}] [1]"
        )
    return int(levels), float(resolution)


def solve_levels(
    eta: ArrayLike, t: ArrayLike, *, levels: int = 40, resolution: float = 1.0
) -> LevelSpectrum:
    """Lowest ``levels`` eigenvalues of eq. (2.6) and their Hellmann–Feynman derivatives.

    Parameters
    ----------
    eta : array_like
        Harmonic coefficient eta-tilde of eq. (2.6) (eta / eta_L, eq. 2.5). [1]
    t : array_like
        Cubic coefficient t-tilde of eq. (2.6) (t / eta_L^(1/2)); broadcast with ``eta``. [1]
    levels : int, optional
        Number of levels, in [2, 200] (default 40). [1]
    resolution : float, optional
        Convergence knob in [0.25, 4] (default 1, converged): the WKB actions of the tails
        kept in position and in momentum space scale with it (16 * resolution each), so the
        truncation errors fall like exp(-32 * resolution); 2 gives a reference. [1]

    Returns
    -------
    LevelSpectrum
        Energies [W], <x^2>, <x^3> [1] per level, and the lattice size.

    Raises
    ------
    ParameterError
        If eta or t is NaN or infinite, or a knob is out of range.

    Notes
    -----
    The spectrum is invariant under t -> -t (the mirror x -> -x): the solver works with |t|
    and flips the sign of x3, so mirror images agree bit for bit. The number of threads
    (:mod:`dynamics.parallel`) does not change any result.

    Examples
    --------
    >>> spec = solve_levels(0.0, 0.0, levels=4)   # the pure quartic oscillator
    >>> [round(float(e), 10) for e in spec.energy]
    [1.0603620905, 3.7996730298, 7.455697938, 11.6447455114]
    """
    eta_a = check_finite("eta", eta, unit="1")
    t_a = check_finite("t", t, unit="1")
    n_levels, res = _check_knobs(levels, resolution)
    eta_b, t_b = np.broadcast_arrays(eta_a, t_a)
    shape = eta_b.shape
    eta_f = np.ascontiguousarray(eta_b, dtype=float).ravel()
    t_f = np.ascontiguousarray(t_b, dtype=float).ravel()
    # work items sized from the expected lattice (~2.5 points per level) so that memory stays
    # bounded; results do not depend on it (each potential's matrix is its own)
    points = 2.5 * n_levels * math.sqrt(res) + 40.0
    chunk = int(min(_CHUNK, max(8, _CHUNK_DOUBLES // points**2)))
    slices = [slice(i, min(i + chunk, eta_f.size)) for i in range(0, eta_f.size, chunk)]

    def run(sl: slice) -> _Levels:
        return solve_chunk(eta_f[sl], t_f[sl], n_levels, TAIL_ACTION * res, MOMENTUM_ACTION * res)

    energy = np.empty((eta_f.size, n_levels))
    x2 = np.empty_like(energy)
    x3 = np.empty_like(energy)
    size = np.empty(eta_f.size, dtype=np.int64)
    for sl, part in zip(slices, map_threads(run, slices), strict=True):
        energy[sl], x2[sl], x3[sl], size[sl] = part.energy, part.x2, part.x3, part.size
    return LevelSpectrum(
        eta=eta_f.reshape(shape),
        t=t_f.reshape(shape),
        energy=energy.reshape((*shape, n_levels)),
        x2=x2.reshape((*shape, n_levels)),
        x3=x3.reshape((*shape, n_levels)),
        basis_size=size.reshape(shape),
    )


@dataclass(frozen=True)
class _Levels:
    """Levels of a flat batch: energy, x2, x3 of shape (n, levels) [W, 1, 1], sizes (n,)."""

    energy: NDArray[np.float64]
    x2: NDArray[np.float64]
    x3: NDArray[np.float64]
    size: NDArray[np.int64]


def solve_chunk(
    eta: NDArray, t_signed: NDArray, levels: int, tail_action: float, momentum_action: float
) -> _Levels:
    """Levels of a flat batch of potentials (no checks), with explicit window and grid knobs.

    ``tail_action`` sets the window (box), ``momentum_action`` the lattice spacing (grid);
    :func:`solve_levels` uses 16 * resolution for both. Works with |t| and mirrors x3 back.
    """
    t = np.abs(t_signed)
    land = landscape_of(eta, t)
    lat = plan_lattice(eta, t, land, levels, tail_action, momentum_action)
    energy = np.empty((eta.size, levels))
    x2 = np.empty_like(energy)
    x3 = np.empty_like(energy)
    sizes = lat.size
    with single_threaded_blas():
        for size in np.unique(sizes):
            rows = np.flatnonzero(sizes == size)
            e, a2, a3 = _diagonalise(eta[rows], t[rows], lat, rows, levels)
            energy[rows], x2[rows], x3[rows] = e, a2, a3
    x3 = np.where((t_signed < 0)[:, None], -x3, x3)
    return _Levels(energy=energy, x2=x2, x3=x3, size=sizes.astype(np.int64))


def _kinetic_row(n: int) -> NDArray:
    """First row of -d^2/dx^2 on a unit sinc lattice: pi^2/3, then 2 (-1)^k / k^2."""
    k = np.arange(1, n, dtype=float)
    return np.concatenate([[math.pi**2 / 3.0], 2.0 * np.where(k % 2 == 0, 1.0, -1.0) / (k * k)])


def _diagonalise(
    eta: NDArray, t: NDArray, lat: Lattice, rows: NDArray, levels: int
) -> tuple[NDArray, NDArray, NDArray]:
    """Energies and <x^2>, <x^3> of the lowest ``levels`` states of potentials of one size.

    H_ij = T_ij / h^2 (sinc kinetic matrix inside each lattice piece, 0 between pieces) +
    (V(x_i) - V_min) delta_ij, diagonalised by one batched ``eigh``.
    """
    x = lat.points(rows)
    size = x.shape[1]
    idx = np.arange(size)
    first = idx[None, :] < lat.n1[rows, None]  # (m, N): point in piece 1
    same = first[:, :, None] == first[:, None, :]
    h = np.where(first, lat.h1[rows, None], lat.h2[rows, None])
    kin = _kinetic_row(size)[np.abs(idx[:, None] - idx[None, :])]
    ham = np.where(same, kin[None, :, :] / (h * h)[:, :, None], 0.0)
    vrel = x * x * (eta[:, None] + x * (t[:, None] + x)) - lat.v_min[rows, None]
    ham[:, idx, idx] += vrel
    w, vec = np.linalg.eigh(ham)
    weight = vec[:, :, :levels] ** 2  # (m, N, levels)
    x2 = np.einsum("mik,mi->mk", weight, x * x)
    x3 = np.einsum("mik,mi->mk", weight, x * x * x)
    return w[:, :levels] + lat.v_min[rows, None], x2, x3


def level_thermodynamics(spectrum: LevelSpectrum, theta: ArrayLike) -> ThermalProperties:
    """Canonical thermodynamics of each potential from its levels (quantum, n-level GGP (1.5)).

    Z = sum_n exp(-E_n/theta), C = Var(E)/theta^2, <x^k> = sum_n w_n <n|x^k|n> and
    d<x^k>/dtheta = Cov(<n|x^k|n>, E_n)/theta^2 (k = 2, 3), over the levels of ``spectrum``
    (enough of them for theta: the weight of the highest, exp(-(E_top - E_0)/theta), bounds the
    truncation error; see ``docs/levels.md`` for the count needed at theta = 10).

    Parameters
    ----------
    spectrum : LevelSpectrum
        Levels of the potentials (from :func:`solve_levels`).
    theta : array_like
        k_B T / W, > 0; broadcast with the potentials' shape. [W]

    Returns
    -------
    ThermalProperties
        ln Z [1], F, U [W], C [k_B], <x^2>, <x^3> [1] and their theta-derivatives [1/W].

    Raises
    ------
    ParameterError
        If theta is not positive and finite.

    Examples
    --------
    A stiff, nearly harmonic well (hbar omega = 2 sqrt(eta) = 200 W) at theta = hbar omega, where
    the harmonic oscillator has C = (1/2)^2 / sinh(1/2)^2 = 0.92067:

    >>> warm = level_thermodynamics(solve_levels(1e4, 0.0, levels=40), 200.0)
    >>> round(float(warm.heat_capacity), 4)
    0.9207
    """
    th = check_positive("theta", theta, unit="W")
    shape = np.broadcast_shapes(spectrum.eta.shape, th.shape)
    levels = spectrum.energy.shape[-1]

    def spread(a: NDArray) -> NDArray:
        return np.broadcast_to(a, (*shape, levels))

    return quantum_properties(
        spread(spectrum.energy),
        spread(spectrum.x2),
        spread(spectrum.x3),
        np.broadcast_to(th, shape).astype(float),
    )


def classical_thermodynamics(
    eta: ArrayLike, t: ArrayLike, theta: ArrayLike, *, quantum_correction: bool = True
) -> ThermalProperties:
    """Classical canonical thermodynamics of each potential, optionally with the first
    Wigner–Kirkwood correction: an independent check of the levels at high temperature.

    Z_cl = (1/2 pi) sqrt(pi theta) int exp(-V/theta) dx (H = p^2 + V, hbar = 1), by composite
    Gauss–Legendre quadrature over the monotone pieces of V where (V - V_min)/theta < 40;
    C_cl = 1/2 + Var(V)/theta^2, <x^k> and d<x^k>/dtheta = Cov(x^k, V)/theta^2. With
    ``quantum_correction``, ln Z -> ln Z_cl - <V''>/(12 theta^2) and every quantity is the
    corresponding derivative of it (the error then falls by one more order of hbar^2: from
    theta^-3/2 to theta^-3 for x^4, from theta^-2 to theta^-4 for a harmonic well).

    Parameters
    ----------
    eta, t : array_like
        Coefficients of eq. (2.6). [1]
    theta : array_like
        k_B T / W, > 0; broadcast with eta and t. [W]
    quantum_correction : bool, optional
        Add the first Wigner–Kirkwood (hbar^2) term (default True).

    Returns
    -------
    ThermalProperties
        As :func:`level_thermodynamics`.

    Raises
    ------
    ParameterError
        If eta or t is not finite, or theta is not positive and finite.

    Examples
    --------
    A nearly harmonic well (hbar omega = 200 W) at theta = hbar omega: equipartition, and with
    the correction the harmonic series 1 - (hbar omega / theta)^2 / 12 (exact: 0.92067):

    >>> well = dict(eta=1e4, t=0.0, theta=200.0)
    >>> round(float(classical_thermodynamics(**well, quantum_correction=False).heat_capacity), 4)
    1.0
    >>> round(float(classical_thermodynamics(**well).heat_capacity), 4)
    0.9167
    """
    eta_a = check_finite("eta", eta, unit="1")
    t_a = check_finite("t", t, unit="1")
    th = check_positive("theta", theta, unit="W")
    eta_b, t_b, th_b = np.broadcast_arrays(eta_a, t_a, th)
    shape = eta_b.shape
    e, tt, tb = (np.array(a, dtype=float).ravel() for a in (eta_b, t_b, th_b))
    res = classical_properties(e, tt, landscape_of(e, tt), tb, bool(quantum_correction))
    return ThermalProperties(
        **{name: np.reshape(getattr(res, name), shape) for name in res.__dataclass_fields__}
    )


def classical_partition_function(eta: ArrayLike, t: ArrayLike, theta: ArrayLike) -> NDArray:
    """Classical partition function Z_cl = (1/2 pi) sqrt(pi theta) int exp(-V(x)/theta) dx.

    Phase-space integral of exp(-(p^2 + V)/theta) over 2 pi (hbar = 1 in the units of
    eq. (2.6)); energies from the zero of V, so Z_cl overflows to inf (without a warning) for
    deep wells at low theta, -V_min/theta > 709: use
    ``classical_thermodynamics(...).log_partition_function`` there.

    Parameters
    ----------
    eta, t : array_like
        Coefficients of eq. (2.6). [1]
    theta : array_like
        k_B T / W, > 0; broadcast with eta and t. [W]

    Returns
    -------
    ndarray
        Z_cl. [1]

    Examples
    --------
    A nearly harmonic well: Z_cl = theta / (hbar omega), hbar omega = 2 sqrt(eta) = 200 W:

    >>> round(float(classical_partition_function(1e4, 0.0, 1.0)) * 200.0, 6)
    1.0
    """
    res = classical_thermodynamics(eta, t, theta, quantum_correction=False)
    with np.errstate(over="ignore"):  # inf beyond e^709, as documented
        return np.asarray(np.exp(res.log_partition_function))
