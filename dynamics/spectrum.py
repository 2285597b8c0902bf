"""Exact low-lying spectrum of the soft potential, paper eq. (2.6).

The dimensionless Schrödinger equation of the soft-potential (KKI) model, eq. (2.6),

    -psi''(x) + (eta x**2 + t x**3 + x**4) psi(x) = E psi(x),

is solved for arbitrary real (eta, t); energies are in units of W, eq. (2.7). For every
potential the solver returns the three lowest levels, the Hellmann–Feynman matrix elements
<n|x^2|n>, <n|x^3|n> (dE_n/deta and dE_n/dt), the off-diagonal elements <0|x^2|1>, <0|x^3|1>,
and the two-level reduction of the lowest doublet: splitting E, tunnel splitting Delta0,
asymmetry Delta and p = (Delta0/E)**2. Delta0 keeps its *relative* accuracy when it is far
below the double-precision resolution of the levels (deep double wells, where the asymptotic
law (2.8) gives Delta0 ~ exp(-(sqrt(2)/3)|eta|^{3/2})).

Method (details and measured accuracy in ``docs/spectrum.md``):

* Discrete-variable representations sized per potential from a WKB picture of the wells: a
  Gauss–Hermite DVR centred on a single well (scale and size fitted to the phase-space region
  up to an estimate of the fourth level plus a tail of fixed WKB action), a sinc lattice anchored
  at the barrier top when the window holds both wells, one Hermite block per well when the
  barrier is too thick for the tails to cross it, and even/odd blocks when t = 0. All blocks of
  equal size are diagonalised together with a batched ``numpy.linalg.eigh``.
* Two-level reduction (Wronskian method). For u_0, u_1 spanning the lowest doublet and x_b the
  barrier top, A_ij = int_{-inf}^{x_b} u_i u_j dx and Wr = u_0 u_1' - u_1 u_0' at x_b obey
  Wr = (h_00 - h_11) A_01 + h_01 (A_11 - A_00) exactly. In the basis that diagonalises A
  (states localised left/right of x_b), Delta0 = 2 |Wr| / (lambda_+ - lambda_-) and
  Delta = h_RR - h_LL. A is computed exactly for the DVR functions; Wr comes from the resolved
  DVR doublet, or is reconstructed at x_b by integrating the Schrödinger equation from the
  well minima towards the barrier (the numerically stable, growing direction) with a
  sixth-order Magnus method, for the eigenstates (resolved doublets) or the localised states
  (near-degenerate doublets).
"""

from __future__ import annotations

import ctypes
import glob
import itertools
import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from dynamics.validation import ParameterError, check_finite

__all__ = [
    "QUARTIC_GROUND_STATE",
    "SoftPotentialSpectrum",
    "barrier_position",
    "equivalent_point",
    "soft_potential",
    "solve_soft_potential",
]

#: Ground state of -psi'' + x^4 psi = E psi (literature value) [W].
QUARTIC_GROUND_STATE = 1.0603620904841829

# The four lowest levels of the pure quartic oscillator [W]; used only to size the basis.
_QUARTIC_LEVELS = (1.0603620904841829, 3.7996730298013941, 7.4556979379867383, 11.644745511378162)

# Default convergence parameters (resolution = 1). Calibrated in docs/spectrum.md.
_TAIL_ACTION = 12.0  # WKB action of the wave-function tail kept beyond the turning points [1]
_MOMENTUM_FACTOR = 2.75  # basis momentum / largest classical momentum [1]
_SINC_MOMENTUM_BOOST = 1.1  # extra lattice density of sinc layouts (two-well windows) [1]
_HERMITE_MARGIN = 0.8  # Gauss-Hermite points = margin * R^2 / 2 (phase-space disk) ... [1]
_HERMITE_QUARTIC = 0.5  # ... plus this * R^2 / 2 for a purely quartic well bottom [1]
_TUNNEL_MARGIN = 1.3  # ... times this when a tunnelling doublet is likely [1]
_BLOCK_QUANTUM = 2  # block sizes are rounded up to a multiple of this [1]
_MIN_BLOCK = 8  # smallest DVR block [1]
_AUX_POINTS = 200  # points of the auxiliary grid used to map the WKB action [1]
_CHUNK = 2048  # largest chunk of potentials solved together (bounds memory) [1]
_MIN_CHUNK = 256  # smallest chunk worth a thread of its own [1]

# Regime codes stored in SoftPotentialSpectrum.method.
METHOD_DIRECT = 0  # Delta0, Delta from the resolved DVR doublet and its P matrix
METHOD_LOCALISED = 1  # Wr from the localised states (near-degenerate tunnelling doublet)
METHOD_SAME_WELL = 2  # both states on one side of x_b (formal reduction, exponential tails)
METHOD_EIGEN = 3  # Wr from the eigenstates' traces at x_b (resolved tunnelling doublet)

# Layouts of one potential.
_SINC_SINGLE = 0  # one sinc lattice anchored at x_b (both wells in one window)
_SINC_PARITY = 1  # t = 0: even and odd sinc blocks on the half-integer lattice
_HERM_SINGLE = 2  # one well (one allowed interval) in the window: one Gauss-Hermite block
_HERM_DOUBLE = 3  # two wells behind a thick barrier: one Gauss-Hermite block each
_HERM_MIRROR = 4  # t = 0 and a thick barrier: the right well is solved, the left is its mirror
_HERM_PARITY = 5  # t = 0, one piece: even and odd Gauss-Hermite blocks centred at x = 0

_KIND_PLAIN, _KIND_EVEN, _KIND_ODD, _KIND_HERM, _KIND_HERM_EVEN, _KIND_HERM_ODD = range(6)
_HERM_KINDS = (_KIND_HERM, _KIND_HERM_EVEN, _KIND_HERM_ODD)

# Route selection for doublets in one block (estimated relative errors of Delta0).
_DIRECT_LEAK = 1e-6  # same-well doublets use the DVR P matrix when they leak more than this
_EIGEN_SPLIT = 1e-6  # eigenstate route only when E_1 - E_0 > this * max(1, |E_0|)
_EIGEN_MAX_P = 0.1  # ... and p is below this (far-side directions off resonance)
_LOCALISED_MAX_LEAK = 1e-3  # localised route only when the states leak less than this
_EPS_LEVEL = 1e-13  # absolute accuracy of E_1 - E_0 per unit max(1, |E_0|) [W]
_EPS_OVERLAP = 1e-8  # absolute accuracy of the DVR partial overlaps A_ij [1]
_EPS_WRONSKIAN = 1e-10  # relative accuracy of a reconstructed Wronskian [1]
_EPS_RESONANCE = 5e-12  # eigenstate route: error ~ p * this / E^2 near resonance [W^2]
_LEAK_SQUARED = 300.0  # localised route: residual coupling error ~ this * leak^2 [1]
_FORCE: int | None = None  # testing hook: force the route of one-block tunnelling doublets

_EXECUTORS: dict[int, ThreadPoolExecutor] = {}


@dataclass(frozen=True)
class SoftPotentialSpectrum:
    """Low-lying spectrum and two-level reduction of soft potentials, eqs. (2.6)–(2.7).

    All arrays have the broadcast shape of ``(eta, t)``; ``levels``, ``x2`` and ``x3`` carry a
    trailing axis of length 3 (n = 0, 1, 2).

    Attributes
    ----------
    eta : ndarray
        Harmonic coefficient eta (eta-tilde of eq. 2.6). [1]
    t : ndarray
        Cubic coefficient t (t-tilde of eq. 2.6). [1]
    levels : ndarray, shape (..., 3)
        The three lowest eigenvalues E_0 < E_1 <= E_2 of eq. (2.6). [W]
    x2 : ndarray, shape (..., 3)
        <n|x^2|n> = dE_n/deta (Hellmann–Feynman). [1]
    x3 : ndarray, shape (..., 3)
        <n|x^3|n> = dE_n/dt (Hellmann–Feynman). [1]
    x2_01 : ndarray
        <0|x^2|1>, with psi_0 > 0 and psi_1 signed so that psi_1 is positive on the right
        of the barrier (precisely: int_{-inf}^{x_b} psi_0 psi_1 dx <= 0). [1]
    x3_01 : ndarray
        <0|x^3|1>, same sign convention. [1]
    splitting : ndarray
        E = sqrt(Delta**2 + Delta0**2), the doublet splitting E_1 - E_0, eq. (1.1), computed
        without subtracting the two levels. [W]
    tunnel_splitting : ndarray
        Delta0 >= 0, twice the tunnelling matrix element between the states localised left
        and right of the barrier top. [W]
    asymmetry : ndarray
        Delta = h_RR - h_LL, positive when the right well (x > x_b) is higher. [W]
    p : ndarray
        (Delta0 / E)**2, the tunnelling fraction. [1]
    log_tunnel_splitting : ndarray
        ln(Delta0 / W), finite even where Delta0 underflows. [1]
    barrier_position : ndarray
        x_b, the barrier top used for the two-level reduction (see :func:`barrier_position`). [1]
    method : ndarray of int
        How Delta0 and Delta were obtained: 0 = resolved DVR doublet and its P matrix,
        1 = Wronskian of the localised states reconstructed at x_b (near-degenerate doublets),
        2 = both states in one well (formal reduction, ~1 %), 3 = Wronskian of the eigenstates
        reconstructed at x_b (resolved tunnelling doublets with small p). [1]
    basis_size : ndarray of int
        Number of DVR points used for the potential. [1]
    """

    eta: NDArray[np.float64]
    t: NDArray[np.float64]
    levels: NDArray[np.float64]
    x2: NDArray[np.float64]
    x3: NDArray[np.float64]
    x2_01: NDArray[np.float64]
    x3_01: NDArray[np.float64]
    splitting: NDArray[np.float64]
    tunnel_splitting: NDArray[np.float64]
    asymmetry: NDArray[np.float64]
    p: NDArray[np.float64]
    log_tunnel_splitting: NDArray[np.float64]
    barrier_position: NDArray[np.float64]
    method: NDArray[np.int64]
    basis_size: NDArray[np.int64]


# --------------------------------------------------------------------------------------------
# Public helpers
# --------------------------------------------------------------------------------------------


def soft_potential(x: ArrayLike, eta: ArrayLike, t: ArrayLike) -> NDArray[np.float64]:
    """Dimensionless soft potential V(x) = eta x^2 + t x^3 + x^4 of eq. (2.6).

    Parameters
    ----------
    x : array_like
        Coordinate x-tilde. [1]
    eta : array_like
        Harmonic coefficient. [1]
    t : array_like
        Cubic coefficient. [1]

    Returns
    -------
    ndarray
        V(x), broadcast over the inputs. [W]
    """
    x = np.asarray(x, dtype=float)
    return x * x * (np.asarray(eta, dtype=float) + x * (np.asarray(t, dtype=float) + x))


def barrier_position(eta: ArrayLike, t: ArrayLike) -> NDArray[np.float64]:
    """Point x_b that separates "left" from "right" in the two-level reduction.

    For a double well (9 t^2 > 32 eta) it is the barrier top, the middle one of the three
    stationary points of V. For a single well it is -3t/8, the real part of the complex pair
    of stationary points; this is continuous with the barrier top where the barrier
    disappears (9 t^2 = 32 eta) and equals the well centre when t = 0.

    Parameters
    ----------
    eta : array_like
        Harmonic coefficient. [1]
    t : array_like
        Cubic coefficient. [1]

    Returns
    -------
    ndarray
        x_b. [1]
    """
    eta_a = check_finite("eta", eta, unit="1")
    t_a = check_finite("t", t, unit="1")
    eta_a, t_a = np.broadcast_arrays(eta_a, t_a)
    sign = np.where(t_a < 0, -1.0, 1.0)
    xb = _landscape(eta_a.ravel(), np.abs(t_a).ravel())[0]
    return (sign.ravel() * xb).reshape(eta_a.shape)


def equivalent_point(
    eta: ArrayLike, t: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Equivalent point (eta', t') of the map (2.10) of the paper (Karpov and Parshin).

    eta' = [9 t^2 - 32 eta - 3 t (9 t^2 - 32 eta)^(1/2)] / 16 and
    t' = [(9 t^2 - 32 eta)^(1/2) - t] / 2 re-expand V about the stationary point
    x_s = (-3t + (9t^2 - 32 eta)^(1/2)) / 8: V(x_s + y) - V(x_s) = eta' y^2 + t' y^3 + y^4.
    The two potentials differ by a shift of x and of the energy, so their level differences
    agree.

    Parameters
    ----------
    eta : array_like
        Harmonic coefficient, with 9 t^2 - 32 eta >= 0. [1]
    t : array_like
        Cubic coefficient. [1]

    Returns
    -------
    eta_prime, t_prime : ndarray
        The equivalent point. [1]

    Raises
    ------
    ParameterError
        If 9 t^2 - 32 eta < 0 (only one stationary point, no equivalent point).
    """
    eta_a = check_finite("eta", eta, unit="1")
    t_a = check_finite("t", t, unit="1")
    disc = 9.0 * t_a * t_a - 32.0 * eta_a
    if np.any(disc < 0):
        bad = float(np.asarray(disc)[np.asarray(disc) < 0].flat[0])
        raise ParameterError(
            f"9 t^2 - 32 eta = {bad:.6g} is outside the allowed range [0, inf) [1]: "
            "the map (2.10) needs three stationary points"
        )
    root = np.sqrt(disc)
    return (9.0 * t_a * t_a - 32.0 * eta_a - 3.0 * t_a * root) / 16.0, (root - t_a) / 2.0


def solve_soft_potential(
    eta: ArrayLike,
    t: ArrayLike,
    *,
    basis_size: int | None = None,
    resolution: float = 1.0,
    phase_step: float = 0.1,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> SoftPotentialSpectrum:
    """Solve eq. (2.6) for the three lowest levels and the two-level reduction.

    Parameters
    ----------
    eta : array_like
        Harmonic coefficient eta-tilde of eq. (2.6) (eta / eta_L, eq. 2.5). [1]
    t : array_like
        Cubic coefficient t-tilde of eq. (2.6) (t / eta_L^(1/2), eq. 2.5). [1]
    basis_size : int, optional
        Total number of DVR points per potential (split between the blocks of a layout). By
        default it is chosen per potential from ``resolution`` (typically 20–28 points for a
        single well, 40–90 for two wells in one window); a fixed value keeps the adaptive
        scale and window and only fixes the count. [1]
    resolution : float, optional
        Convergence knob (> 0, default 1). The kept tail action grows like ``resolution`` and
        the lattice density like ``sqrt(resolution)``; errors of the levels fall roughly like
        1e-13 ** resolution. 2 gives a high-resolution reference. [1]
    phase_step : float, optional
        Convergence knob of the Wronskian reconstruction: largest WKB phase
        ``int sqrt(|V - E| + 1) dx`` per Magnus step (default 0.1); the error of ln Delta0 falls
        like phase_step**6. [1]
    workers : int, optional
        Threads over chunks of potentials (default: min(2, CPU count)). [1]
    progress : callable, optional
        Called with the number of potentials of each chunk as it is solved (in order); the
        calls add up to the number of potentials. [1]

    Returns
    -------
    SoftPotentialSpectrum
        Levels [W], Hellmann–Feynman elements [1], splitting, Delta0, Delta [W] and p [1].

    Raises
    ------
    ParameterError
        If eta or t is NaN or infinite, or a knob is out of range.

    Notes
    -----
    Energies are in units of W, eq. (2.7); the asymptotic law (2.8) for Delta0 is only
    accurate for ln(W/Delta0) (see ``docs/spectrum.md``). The spectrum is exactly invariant
    under (eta, t) -> (eta, -t) (the solver works with ``|t|`` and reflects x); equivalent points
    of the map (2.10) (``equivalent_point``) give the same level differences. When the two
    lowest states lie in the same well (``method == 2``) the reduction is formal, accurate to
    about 1 %.
    """
    eta_a = check_finite("eta", eta, unit="1")
    t_a = check_finite("t", t, unit="1")
    if not (isinstance(resolution, int | float) and math.isfinite(resolution) and resolution > 0):
        raise ParameterError(
            f"resolution = {resolution!r} is outside the allowed range (0, inf) [1]"
        )
    if basis_size is not None and (
        isinstance(basis_size, bool)
        or not isinstance(basis_size, int | np.integer)
        or not 8 <= basis_size <= 4096
    ):
        raise ParameterError(
            f"basis_size = {basis_size!r} is outside the allowed range [8, 4096] [1]"
        )
    if not (
        isinstance(phase_step, int | float)
        and not isinstance(phase_step, bool)
        and 0.01 <= phase_step <= 2.0
    ):
        raise ParameterError(
            f"phase_step = {phase_step!r} is outside the allowed range [0.01, 2] [1]"
        )
    if workers is None:
        workers = max(1, min(2, os.cpu_count() or 1))
    elif isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ParameterError(f"workers = {workers!r} is outside the allowed range [1, inf) [1]")

    eta_b, t_b = np.broadcast_arrays(eta_a, t_a)
    shape = eta_b.shape
    eta_f = np.ascontiguousarray(eta_b, dtype=float).ravel()
    t_f = np.ascontiguousarray(t_b, dtype=float).ravel()
    n = eta_f.size
    out = _empty_output(n)
    n_chunks = max(-(-n // _CHUNK), min(int(workers), -(-n // _MIN_CHUNK)))
    bounds = np.linspace(0, n, n_chunks + 1).astype(np.int64)
    slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]

    def run(sl: slice) -> dict[str, NDArray]:
        return _solve_chunk(eta_f[sl], t_f[sl], basis_size, float(resolution), float(phase_step))

    if workers > 1 and len(slices) > 1:
        chunks = _executor(int(workers)).map(run, slices)
    else:
        chunks = (run(sl) for sl in slices)
    results = []
    for sl, chunk in zip(slices, chunks, strict=True):
        results.append(chunk)
        if progress is not None:
            progress(sl.stop - sl.start)
    for sl, res in zip(slices, results, strict=True):
        for key, val in res.items():
            out[key][sl] = val

    def shaped(a: NDArray, extra: tuple[int, ...] = ()) -> NDArray:
        return a.reshape(shape + extra)

    return SoftPotentialSpectrum(
        eta=shaped(eta_f.copy()),
        t=shaped(t_f.copy()),
        levels=shaped(out["levels"], (3,)),
        x2=shaped(out["x2"], (3,)),
        x3=shaped(out["x3"], (3,)),
        x2_01=shaped(out["x2_01"]),
        x3_01=shaped(out["x3_01"]),
        splitting=shaped(out["splitting"]),
        tunnel_splitting=shaped(out["tunnel_splitting"]),
        asymmetry=shaped(out["asymmetry"]),
        p=shaped(out["p"]),
        log_tunnel_splitting=shaped(out["log_tunnel_splitting"]),
        barrier_position=shaped(out["barrier_position"]),
        method=shaped(out["method"]),
        basis_size=shaped(out["basis_size"]),
    )


# --------------------------------------------------------------------------------------------
# Potential landscape and basis plan
# --------------------------------------------------------------------------------------------


def _empty_output(n: int) -> dict[str, NDArray]:
    return {
        "levels": np.empty((n, 3)),
        "x2": np.empty((n, 3)),
        "x3": np.empty((n, 3)),
        "x2_01": np.empty(n),
        "x3_01": np.empty(n),
        "splitting": np.empty(n),
        "tunnel_splitting": np.empty(n),
        "asymmetry": np.empty(n),
        "p": np.empty(n),
        "log_tunnel_splitting": np.empty(n),
        "barrier_position": np.empty(n),
        "method": np.empty(n, dtype=np.int64),
        "basis_size": np.empty(n, dtype=np.int64),
    }


def _pot(x: NDArray, eta: NDArray, t: NDArray) -> NDArray:
    return x * x * (eta + x * (t + x))


def _landscape(eta: NDArray, t: NDArray) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """Barrier top and wells for t >= 0.

    Returns x_b, x_left_min, x_right_min, has_left, has_right. A single well lies right of
    x_b = -3t/8 when t > 0; when t = 0 it is reported on both sides (x_l = x_r = x_b = 0).
    """
    disc = 9.0 * t * t - 32.0 * eta
    root = np.sqrt(np.maximum(disc, 0.0))
    sa = (-3.0 * t - root) / 8.0
    sb = (-3.0 * t + root) / 8.0
    three = disc > 0
    centre = eta <= 0  # x = 0 is the middle stationary point (barrier or inflection)
    xb = np.where(three, np.where(centre, 0.0, sb), -3.0 * t / 8.0)
    xl = np.where(three, sa, 0.0)
    xr = np.where(three, np.where(centre, sb, 0.0), 0.0)
    vb = _pot(xb, eta, t)
    has_l = np.where(three, vb - _pot(xl, eta, t) > 0, xl <= xb)
    has_r = np.where(three, vb - _pot(xr, eta, t) > 0, xr >= xb)
    return xb, xl, xr, has_l, has_r


def _reference_energy(
    eta: NDArray, t: NDArray, xl: NDArray, xr: NDArray, has_l: NDArray, has_r: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """Energy that sizes the basis, the potential minimum, and a likely tunnelling doublet.

    Each well i (minimum V_i, curvature 2 k_i) gets level estimates
    e_n = V_i + sqrt((2n + 1)^2 k_i + q_n^2), n = 0..3, interpolating between the harmonic and
    the quartic oscillator (q_n: quartic levels). The returned energy is the estimated fourth
    level of the highest well that holds one of the three lowest estimated levels.
    """
    vmin = np.full(eta.shape, np.inf)
    same = (xl == xr) & has_l  # a single well reported on both sides (t = 0)
    per_well = []
    for x, has in ((xl, has_l), (xr, has_r & ~same)):
        k = np.maximum(eta + 3.0 * t * x + 6.0 * x * x, 0.0)
        v = _pot(x, eta, t)
        vmin = np.where(has, np.minimum(vmin, v), vmin)
        per_well.append(
            np.array(
                [
                    np.where(has, v + np.sqrt((2 * n + 1) ** 2 * k + q * q), np.inf)
                    for n, q in enumerate(_QUARTIC_LEVELS)
                ]
            )
        )
    third = np.sort(np.concatenate(per_well, axis=0), axis=0)[2]
    etop = np.full(eta.shape, -np.inf)
    for est in per_well:
        hosts = est[0] <= third
        etop = np.where(hosts, np.maximum(etop, est[3]), etop)
    # the two lowest estimated levels lie in different wells: a tunnelling doublet is likely
    est_l, est_r = per_well
    tunnel = np.maximum(est_l[0], est_r[0]) < np.minimum(est_l[1], est_r[1])
    return etop, vmin, tunnel


def _action_map(
    eta: NDArray, t: NDArray, etop: NDArray, xlo: NDArray, xhi: NDArray
) -> tuple[NDArray, NDArray]:
    """WKB action S(x) from the classically allowed region {V <= etop} on an auxiliary grid."""
    s = np.linspace(0.0, 1.0, _AUX_POINTS)
    x = xlo[:, None] + (xhi - xlo)[:, None] * s[None, :]
    q = _pot(x, eta[:, None], t[:, None]) - etop[:, None]
    kap = np.sqrt(np.maximum(q, 0.0))
    dx = ((xhi - xlo) / (_AUX_POINTS - 1))[:, None]
    c = np.zeros_like(x)
    np.cumsum(0.5 * (kap[:, 1:] + kap[:, :-1]) * dx, axis=1, out=c[:, 1:])
    allowed = q <= 0
    last = np.maximum.accumulate(np.where(allowed, c, -np.inf), axis=1)
    nxt = np.minimum.accumulate(np.where(allowed, c, np.inf)[:, ::-1], axis=1)[:, ::-1]
    return x, np.minimum(c - last, nxt - c)


def _round_up(n: NDArray) -> NDArray:
    n = np.maximum(n.astype(np.int64), _MIN_BLOCK)
    return ((n + _BLOCK_QUANTUM - 1) // _BLOCK_QUANTUM) * _BLOCK_QUANTUM


def _plan(eta: NDArray, t: NDArray, basis_size: int | None, resolution: float) -> dict:
    """Window, layout and DVR blocks of each potential (t >= 0).

    The window is the set of x whose WKB action (at the reference energy) from the classically
    allowed region is below the tail action. It has one or two connected pieces. A piece with
    two allowed intervals (two wells and the barrier between them) is represented on a sinc
    lattice anchored at x_b; a piece with one allowed interval gets a Gauss–Hermite DVR
    centred on it.
    """
    n = eta.size
    xb, xl, xr, has_l, has_r = _landscape(eta, t)
    etop, vmin, tunnel_like = _reference_energy(eta, t, xl, xr, has_l, has_r)
    tau = _TAIL_ACTION * resolution
    mf = _MOMENTUM_FACTOR * math.sqrt(resolution)
    span = np.maximum(etop - vmin, 1e-3)

    lo_w = np.where(has_l, xl, xr)
    hi_w = np.where(has_r, xr, xl)
    reach = 1.5 * span**0.25 + (3.0 * tau / (4.0 * np.maximum(span, 0.5) ** 0.375)) ** (2.0 / 3.0)
    reach = reach + 0.5
    for _ in range(8):
        xlo = np.minimum(lo_w, xb) - reach
        xhi = np.maximum(hi_w, xb) + reach
        xa, sa = _action_map(eta, t, etop, xlo, xhi)
        short = (sa[:, 0] < tau) | (sa[:, -1] < tau)
        if not short.any():
            break
        reach = np.where(short, 2.0 * reach, reach)

    sel = sa < tau
    m = _AUX_POINTS
    dxa = (xhi - xlo) / (m - 1)
    idx = np.arange(m)[None, :]
    first = np.argmax(sel, axis=1)
    last = m - 1 - np.argmax(sel[:, ::-1], axis=1)
    gap = sel.sum(axis=1) < (last - first + 1)
    gap_lo = np.argmax(~sel & (idx > first[:, None]), axis=1)  # first point of the gap
    gap_hi = m - 1 - np.argmax((~sel & (idx < last[:, None]))[:, ::-1], axis=1)
    rows = np.arange(n)
    a1 = xa[rows, first] - dxa
    b1 = np.where(gap, xa[rows, gap_lo - 1], xa[rows, last]) + dxa
    a2 = xa[rows, np.minimum(gap_hi + 1, m - 1)] - dxa
    b2 = xa[rows, last] + dxa

    sym = t == 0.0
    q_aux = (mf * mf) * np.maximum(etop[:, None] - _pot(xa, eta[:, None], t[:, None]), 0.0)

    # ---- Gauss–Hermite candidates for piece A (single piece, left piece; right if mirror) ----
    mir_c = gap & sym
    ca_lo = np.where(mir_c, a2, a1)
    ca_hi = np.where(mir_c, b2, b1)
    c_a = np.where(sym & ~gap, 0.0, 0.5 * (ca_lo + ca_hi))  # exactly symmetric when t = 0
    s_a, r2_a = _hermite_scale(xa, q_aux, ca_lo, ca_hi, c_a, span, mf)
    c_b = 0.5 * (a2 + b2)
    s_b, r2_b = np.ones(n), np.zeros(n)
    gi = np.nonzero(gap)[0]
    if gi.size:
        s_b[gi], r2_b[gi] = _hermite_scale(xa[gi], q_aux[gi], a2[gi], b2[gi], c_b[gi], span[gi], mf)
    # windows that may hold a tunnelling doublet need accurate wave functions (the Wronskian
    # routes use psi and psi' at the minima), not only accurate levels: larger blocks
    both = has_l & has_r & ~((xl == xr) & has_l)
    doublet = gap | (both & tunnel_like)
    extra = np.where(doublet, _TUNNEL_MARGIN, 1.0)
    na_h = _round_up(np.ceil(extra * _hermite_margin(eta, t, xl, xr, ca_lo, ca_hi) * r2_a / 2.0))
    nb_h = _round_up(np.ceil(extra * _hermite_margin(eta, t, xl, xr, a2, b2) * r2_b / 2.0))

    # ---- sinc lattice candidate for a single piece: x = anchor + (j + offset) h ----
    h = np.pi / (_SINC_MOMENTUM_BOOST * mf * np.sqrt(span))
    if basis_size is not None:
        h = (b1 - a1) / float(basis_size)
    par_c = sym & ~gap
    offset = np.where(par_c, 0.5, 0.0)
    anchor = np.where(par_c, 0.0, xb)
    ja = np.ceil((a1 - anchor) / h - offset).astype(np.int64)
    jb_ = np.floor((b1 - anchor) / h - offset).astype(np.int64)
    ja = np.where(par_c, 0, ja)
    n_sinc = jb_ - ja + 1
    n_sinc_r = _round_up(n_sinc)

    # a single piece with one classically allowed interval gets a Hermite block; a piece with
    # two (both wells and the barrier between them) the sinc lattice; two pieces get one
    # Hermite block each
    allowed = sa == 0.0
    n_allowed = allowed[:, 0].astype(np.int64) + np.sum(allowed[:, 1:] & ~allowed[:, :-1], axis=1)
    two_minima = both & (_pot(xl, eta, t) < etop) & (_pot(xr, eta, t) < etop)
    use_sinc = (
        ~gap
        & (a1 <= xb)
        & (xb <= b1)
        & ((n_allowed >= 2) | (two_minima & (np.where(par_c, 2, 1) * n_sinc_r < na_h)))
    )
    layout = np.where(
        gap,
        np.where(sym, _HERM_MIRROR, _HERM_DOUBLE),
        np.where(
            use_sinc,
            np.where(sym, _SINC_PARITY, _SINC_SINGLE),
            np.where(sym, _HERM_PARITY, _HERM_SINGLE),
        ),
    )
    sinc = (layout == _SINC_SINGLE) | (layout == _SINC_PARITY)
    par = layout == _SINC_PARITY
    hpar = layout == _HERM_PARITY
    mir = layout == _HERM_MIRROR
    dbl = layout == _HERM_DOUBLE
    if basis_size is not None:
        n_sinc_r = np.where(par, basis_size // 2, basis_size)
        wa, wb = r2_a, np.where(dbl, r2_b, 0.0)
        na_h = np.where(
            mir, basis_size // 2, np.round(basis_size * wa / (wa + wb)).astype(np.int64)
        )
        na_h = np.where(hpar, 2 * (basis_size // 2), np.maximum(na_h, _MIN_BLOCK))
        nb_h = np.maximum(basis_size - na_h, _MIN_BLOCK)
    ja = np.where(par, 0, ja - (n_sinc_r - n_sinc) // 2)
    offset = np.where(par, 0.5, 0.0)
    anchor = np.where(par, 0.0, xb)

    herm = ~sinc
    kind_a = np.where(
        sinc, np.where(par, _KIND_EVEN, _KIND_PLAIN), np.where(hpar, _KIND_HERM_EVEN, _KIND_HERM)
    )
    size_a = np.where(sinc, n_sinc_r, np.where(hpar, na_h // 2, na_h))
    size_b = np.where(par, n_sinc_r, np.where(dbl, nb_h, np.where(hpar, na_h // 2, 0)))
    return {
        "layout": layout,
        "xb": xb,
        "xl": xl,
        "xr": xr,
        "has_l": has_l,
        "has_r": has_r,
        "xlo": xlo,
        "xhi": xhi,
        # sinc geometry
        "h": h,
        "anchor": anchor,
        "offset": offset,
        "ja": ja,
        # block A and B
        "kind_a": kind_a,
        "size_a": size_a,
        "size_b": size_b,
        # outer edges of the window (tail action tau beyond the outermost turning points)
        "edge_lo": np.where(mir, -b2, a1),
        "edge_hi": np.where(gap, b2, b1),
        # where the tails are still resolved: left and right of each piece's allowed interval
        "tail_a": np.stack(
            _tail_points(xa, sa, eta, t, np.where(mir, a2, a1), np.where(mir, b2, b1), tau)
        ),
        "tail_b": np.stack(_tail_points(xa, sa, eta, t, a2, b2, tau)),
        "c_a": np.where(herm, c_a, 0.0),
        "s_a": np.where(herm, s_a, 1.0),
        "c_b": np.where(dbl, c_b, 0.0),
        "s_b": np.where(dbl, s_b, np.where(hpar, s_a, 1.0)),
    }


def _hermite_margin(
    eta: NDArray, t: NDArray, xl: NDArray, xr: NDArray, lo: NDArray, hi: NDArray
) -> NDArray:
    """Points per unit R^2 / 2 of a Hermite block: more for flat (quartic-like) well bottoms.

    The weight of the quartic term in the level estimate of the well in [lo, hi],
    w = q_3^2 / (49 k + q_3^2) (k: half the curvature at the minimum), interpolates between a
    harmonic well (w = 0) and the pure quartic (w = 1), whose squarer phase-space region needs
    more Hermite functions.
    """
    x = np.where((xl >= lo) & (xl <= hi), xl, xr)
    k = np.maximum(eta + 3.0 * t * x + 6.0 * x * x, 0.0)
    q2 = _QUARTIC_LEVELS[3] ** 2
    return _HERMITE_MARGIN + _HERMITE_QUARTIC * q2 / (49.0 * k + q2)


def _tail_points(
    xa: NDArray, sa: NDArray, eta: NDArray, t: NDArray, lo: NDArray, hi: NDArray, tau: float
) -> tuple[NDArray, NDArray]:
    """Points left and right of the allowed interval in [lo, hi] at WKB action ~ tau / 2.

    There the DVR still resolves the tails (relative size ~exp(-tau/2)) and the WKB solution
    is already accurate. Linear turning-point estimate d = (1.5 S / sqrt|V'|)^(2/3).
    """
    inside = (xa >= lo[:, None]) & (xa <= hi[:, None]) & (sa == 0.0)
    m = xa.shape[1]
    first = np.argmax(inside, axis=1)
    last = m - 1 - np.argmax(inside[:, ::-1], axis=1)
    rows = np.arange(xa.shape[0])
    xl_t, xr_t = xa[rows, first], xa[rows, last]
    out = []
    for xt, sgn in ((xl_t, -1.0), (xr_t, 1.0)):
        slope = np.abs(xt * (2.0 * eta + xt * (3.0 * t + 4.0 * xt))) + 1e-3
        d = (0.75 * tau / np.sqrt(slope)) ** (2.0 / 3.0)
        out.append(np.clip(xt + sgn * d, lo, hi))
    return out[0], out[1]


def _hermite_scale(
    xa: NDArray, q: NDArray, lo: NDArray, hi: NDArray, centre: NDArray, span: NDArray, mf: float
) -> tuple[NDArray, NDArray]:
    """Scale s of a Gauss–Hermite block and the radius^2 of the phase-space disk it must cover.

    A block of N points with scale s resolves the disk ((x - c)/s)^2 + (p s)^2 <= 2N + 1. The
    region to cover is the window [lo, hi] with the momentum bound p^2 <= q(x) (mf^2 times the
    classical p^2 at the reference energy); s minimises the largest radius^2 R^2 over it.
    """
    inside = (xa >= lo[:, None]) & (xa <= hi[:, None])
    dx2 = np.where(inside, (xa - centre[:, None]) ** 2, 0.0)
    qq = np.where(inside, q, 0.0)
    # the window edges themselves must fit too (the grid may miss them)
    edge2 = np.maximum((lo - centre) ** 2, (hi - centre) ** 2)
    s = np.sqrt(np.sqrt(edge2) / np.maximum(np.sqrt(qq.max(axis=1)), 1e-3))
    best_r2 = np.full(lo.shape, np.inf)
    best_s = s.copy()
    for step in (2.0**0.5, 2.0**0.25, 2.0**0.125):  # coarse-to-fine search in ln s
        for f in (1.0 / step, 1.0, step):
            sc = best_s * f if np.isfinite(best_r2).all() else s * f
            r2 = np.maximum(
                np.max(dx2 / (sc * sc)[:, None] + qq * (sc * sc)[:, None], axis=1),
                edge2 / (sc * sc),
            )
            better = r2 < best_r2
            best_r2 = np.where(better, r2, best_r2)
            best_s = np.where(better, sc, best_s)
    return best_s, best_r2


# --------------------------------------------------------------------------------------------
# DVR templates and batched diagonalisation
# --------------------------------------------------------------------------------------------

_TEMPLATES: dict[tuple[int, int], NDArray] = {}
_HERMITE: dict[int, tuple[NDArray, NDArray]] = {}
_HILBERT: dict[int, NDArray] = {}


def _kinetic_row(m: int) -> NDArray:
    j = np.arange(m, dtype=float)
    row = np.empty(m)
    row[0] = math.pi**2 / 3.0
    row[1:] = 2.0 * np.where(np.arange(1, m) % 2 == 0, 1.0, -1.0) / j[1:] ** 2
    return row


def _hermite_functions(nmax: int, z: NDArray) -> NDArray:
    """Normalised Hermite functions phi_0..phi_{nmax-1} at z (stable recurrence)."""
    phi = np.empty((nmax, *np.shape(z)))
    phi[0] = math.pi**-0.25 * np.exp(-0.5 * z * z)
    if nmax > 1:
        phi[1] = math.sqrt(2.0) * z * phi[0]
    for k in range(2, nmax):
        phi[k] = math.sqrt(2.0 / k) * z * phi[k - 1] - math.sqrt((k - 1.0) / k) * phi[k - 2]
    return phi


def _hermite(n: int) -> tuple[NDArray, NDArray]:
    """Gauss–Hermite DVR of size n: nodes z_k and the orthogonal map U_kn (DVR <- HO basis)."""
    if n not in _HERMITE:
        z = np.polynomial.hermite.hermgauss(n)[0]
        phi = _hermite_functions(n, z)  # (basis n, node k)
        u = (phi / np.sqrt(np.sum(phi * phi, axis=0))).T
        _HERMITE[n] = (z, u)
    return _HERMITE[n]


def _template(kind: int, n: int) -> NDArray:
    """Kinetic matrix -d^2/dx^2 of a block of n points (unit spacing / unit scale)."""
    key = (kind, n)
    if key not in _TEMPLATES:
        if kind in (_KIND_HERM_EVEN, _KIND_HERM_ODD):
            full = _template(_KIND_HERM, 2 * n)
            k = np.arange(n)
            sign = 1.0 if kind == _KIND_HERM_EVEN else -1.0
            upper = n + k[:, None]
            mat = full[upper, n + k[None, :]] + sign * full[upper, n - 1 - k[None, :]]
        elif kind == _KIND_HERM:
            _, u = _hermite(n)
            k = np.arange(n)
            p2 = np.diag(k + 0.5)
            off = -0.5 * np.sqrt((k[:-2] + 1.0) * (k[:-2] + 2.0))
            p2[k[:-2], k[:-2] + 2] = off
            p2[k[:-2] + 2, k[:-2]] = off
            mat = u @ p2 @ u.T
        else:
            row = _kinetic_row(2 * n + 2)
            k = np.arange(n)
            base = row[np.abs(k[:, None] - k[None, :])]
            if kind == _KIND_PLAIN:
                mat = base
            else:
                hank = row[k[:, None] + k[None, :] + 1]
                mat = base + hank if kind == _KIND_EVEN else base - hank
        _TEMPLATES[key] = np.ascontiguousarray(0.5 * (mat + mat.T))
    return _TEMPLATES[key]


def _hilbert(n: int) -> NDArray:
    """Matrix H_kl = 1/(k - l) (0 on the diagonal) of the discrete Hilbert transform."""
    if n not in _HILBERT:
        k = np.arange(n)
        d = (k[:, None] - k[None, :]).astype(float)
        _HILBERT[n] = np.where(d == 0, 0.0, 1.0 / np.where(d == 0, 1.0, d))
    return _HILBERT[n]


def _executor(workers: int) -> ThreadPoolExecutor:
    if workers not in _EXECUTORS:
        _EXECUTORS[workers] = ThreadPoolExecutor(max_workers=workers)
    return _EXECUTORS[workers]


_BLAS_LOCAL_THREADS: Callable[[int], int] | None = None
_BLAS_PROBED = False


def _blas_thread_setter() -> Callable[[int], int] | None:
    """``openblas_set_num_threads_local`` of the OpenBLAS bundled with numpy, if any.

    OpenBLAS's own threading makes batched ``eigh`` of 30-60 point matrices up to 50 times
    slower on small machines; the thread-local setting (OpenBLAS >= 0.3.27) switches it off for
    the calling thread only, without touching the rest of the process.
    """
    global _BLAS_LOCAL_THREADS, _BLAS_PROBED
    if not _BLAS_PROBED:
        _BLAS_PROBED = True
        libdir = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
        for path in sorted(glob.glob(os.path.join(libdir, "*openblas*"))):
            try:
                func = ctypes.CDLL(path).openblas_set_num_threads_local
            except (OSError, AttributeError):
                continue
            func.argtypes = [ctypes.c_int]
            func.restype = ctypes.c_int
            _BLAS_LOCAL_THREADS = func
            break
    return _BLAS_LOCAL_THREADS


@contextmanager
def _single_threaded_blas() -> Iterator[None]:
    setter = _blas_thread_setter()
    if setter is None:
        yield
        return
    old = setter(1)
    try:
        yield
    finally:
        setter(old)


def _block_nodes(kind: NDArray, n: int, x0: NDArray, h: NDArray, c: NDArray, s: NDArray) -> NDArray:
    """Node positions of blocks of size n: sinc x0 + i h, Hermite c + s z_i.

    Even/odd Hermite blocks hold the positive half of the nodes of a 2n-point Hermite DVR.
    """
    out = x0[:, None] + np.arange(n)[None, :] * h[:, None]
    herm = kind == _KIND_HERM
    if herm.any():
        z = _hermite(n)[0]
        out[herm] = c[herm, None] + s[herm, None] * z[None, :]
    half = (kind == _KIND_HERM_EVEN) | (kind == _KIND_HERM_ODD)
    if half.any():
        z = _hermite(2 * n)[0][n:]
        out[half] = c[half, None] + s[half, None] * z[None, :]
    return out


def _solve_blocks(
    eta: NDArray, t: NDArray, blocks: dict
) -> list[tuple[NDArray, NDArray, NDArray, NDArray]]:
    """Diagonalise all blocks, grouped by size; returns (block ids, E (b,3), vec (b,3,n), x)."""
    out: list[tuple[NDArray, NDArray, NDArray, NDArray]] = []
    size = blocks["size"]
    for n in np.unique(size):
        sel = np.nonzero(size == n)[0]
        n = int(n)
        kind = blocks["kind"][sel]
        x = _block_nodes(
            kind, n, blocks["x0"][sel], blocks["h"][sel], blocks["c"][sel], blocks["s"][sel]
        )
        pidx = blocks["pot"][sel]
        scale = np.where(np.isin(kind, _HERM_KINDS), blocks["s"][sel], blocks["h"][sel])
        mats = np.empty((sel.size, n, n))
        inv2 = 1.0 / scale**2
        for kd in range(6):
            msk = kind == kd
            if msk.any():
                mats[msk] = _template(kd, n)[None, :, :] * inv2[msk, None, None]
        diag = np.arange(n)
        mats[:, diag, diag] += _pot(x, eta[pidx, None], t[pidx, None])
        w, vec = np.linalg.eigh(mats)
        out.append((sel, w[:, :3], np.swapaxes(vec[:, :, :3], 1, 2), x))
    return out


# --------------------------------------------------------------------------------------------
# Chunk driver
# --------------------------------------------------------------------------------------------


def _solve_chunk(
    eta: NDArray,
    t_signed: NDArray,
    basis_size: int | None,
    resolution: float,
    phase_step: float,
) -> dict[str, NDArray]:
    """Solve one chunk of potentials; works with |t| and reflects x at the end."""
    with _single_threaded_blas():
        return _solve_chunk_inner(eta, t_signed, basis_size, resolution, phase_step)


def _solve_chunk_inner(
    eta: NDArray,
    t_signed: NDArray,
    basis_size: int | None,
    resolution: float,
    phase_step: float,
) -> dict[str, NDArray]:
    n = eta.size
    reflect = t_signed < 0
    t = np.abs(t_signed)
    plan = _plan(eta, t, basis_size, resolution)
    lay = plan["layout"]
    idx = np.arange(n)
    par = (lay == _SINC_PARITY) | (lay == _HERM_PARITY)
    dbl = lay == _HERM_DOUBLE
    mir = lay == _HERM_MIRROR
    two = par | dbl

    h = plan["h"]
    x0a = plan["anchor"] + (plan["ja"] + plan["offset"]) * h
    kind_b = np.where(
        lay == _SINC_PARITY, _KIND_ODD, np.where(lay == _HERM_PARITY, _KIND_HERM_ODD, _KIND_HERM)
    )
    blocks = {
        "pot": np.concatenate([idx, idx[two]]),
        "kind": np.concatenate([plan["kind_a"], kind_b[two]]),
        "size": np.concatenate([plan["size_a"], plan["size_b"][two]]),
        "x0": np.concatenate([x0a, x0a[two]]),
        "h": np.concatenate([h, h[two]]),
        "c": np.concatenate([plan["c_a"], plan["c_b"][two]]),
        "s": np.concatenate([plan["s_a"], plan["s_b"][two]]),
        "role": np.concatenate([np.zeros(n, dtype=np.int64), np.ones(int(two.sum()), np.int64)]),
    }
    groups = _solve_blocks(eta, t, blocks)

    na, nb = plan["size_a"], plan["size_b"]
    wmax = int(max(na.max(), nb.max()))
    be = np.full((n, 2, 3), np.inf)
    bv = np.zeros((n, 2, 3, wmax))
    bx = np.zeros((n, 2, wmax))
    for sel, w, vec, x in groups:
        p_i, r_i = blocks["pot"][sel], blocks["role"][sel]
        be[p_i, r_i] = w
        bv[p_i, r_i, :, : vec.shape[2]] = vec
        bx[p_i, r_i, : x.shape[1]] = x

    # ---- full column layout: [mirror of A (reversed)] + A  or  A + B ----
    mirrored = par | mir
    width = np.where(mirrored, 2 * na, na + nb)
    wf = int(width.max())
    col = np.arange(wf)[None, :]
    valid = col < width[:, None]
    ia = np.arange(wmax)[None, :]
    ok_a = ia < na[:, None]
    ok_b = ia < nb[:, None]
    pos_a = np.where(mirrored[:, None], na[:, None] + ia, ia)
    pos_m = na[:, None] - 1 - ia
    pos_b = na[:, None] + ia
    rows = idx[:, None]
    xfull = np.zeros((n, wf))
    _scatter(xfull, rows, pos_a, bx[:, 0], ok_a)
    _scatter(xfull, rows, pos_m, -bx[:, 0], ok_a & mirrored[:, None])
    _scatter(xfull, rows, pos_b, bx[:, 1], ok_b & dbl[:, None])

    # candidate states 0..5 (energies, full vectors)
    cand_e = np.full((n, 6), np.inf)
    cand_e[:, :3] = be[:, 0]
    cand_e[:, 3:] = np.where(mir[:, None], be[:, 0], np.where(two[:, None], be[:, 1], np.inf))
    cand_v = np.zeros((n, 6, wf))
    r2 = 1.0 / math.sqrt(2.0)
    sa = np.where(par, r2, 1.0)[:, None]
    for s in range(3):
        va, vb = bv[:, 0, s], bv[:, 1, s]
        _scatter(cand_v[:, s], rows, pos_a, va * sa, ok_a)
        _scatter(cand_v[:, s], rows, pos_m, va * sa, ok_a & par[:, None])
        _scatter(cand_v[:, 3 + s], rows, pos_a, vb * r2, ok_b & par[:, None])
        _scatter(cand_v[:, 3 + s], rows, pos_m, -vb * r2, ok_b & par[:, None])
        _scatter(cand_v[:, 3 + s], rows, pos_b, vb, ok_b & dbl[:, None])
        _scatter(cand_v[:, 3 + s], rows, pos_m, va, ok_a & mir[:, None])

    res = _two_level(eta, t, plan, xfull, valid, cand_e, cand_v, phase_step)

    # ---- reflect back for t < 0 (x -> -x, psi_1 -> -psi_1) ----
    res["x3"] = np.where(reflect[:, None], -res["x3"], res["x3"])
    res["x2_01"] = np.where(reflect, -res["x2_01"], res["x2_01"])
    res["asymmetry"] = np.where(reflect, -res["asymmetry"], res["asymmetry"])
    res["barrier_position"] = np.where(reflect, -plan["xb"], plan["xb"])
    res["basis_size"] = width.astype(np.int64)
    return res


def _scatter(target: NDArray, rows: NDArray, cols: NDArray, values: NDArray, mask: NDArray) -> None:
    """target[rows, cols] = values where mask (row-wise fancy assignment)."""
    r = np.broadcast_to(rows, cols.shape)[mask]
    target[r, cols[mask]] = values[mask]


# --------------------------------------------------------------------------------------------
# Wave functions between the nodes
# --------------------------------------------------------------------------------------------


def _sinc_basis(xfull: NDArray, valid: NDArray, h: NDArray, x0: NDArray) -> tuple[NDArray, NDArray]:
    """Values and slopes of the sinc functions of every column at x0."""
    u = (x0[:, None] - xfull) / h[:, None]
    pu = np.pi * u
    small = np.abs(u) < 1e-8
    us = np.where(small, 1.0, u)
    sinc = np.where(small, 1.0, np.sin(pu) / (np.pi * us))
    dsinc = np.where(small, -(np.pi**2) * u / 3.0, (np.cos(pu) - sinc) / us)
    val = np.where(valid, sinc, 0.0) / np.sqrt(h)[:, None]
    der = np.where(valid, dsinc, 0.0) / (h**1.5)[:, None]
    return val, der


def _hermite_basis(n: int, c: NDArray, s: NDArray, x0: NDArray) -> tuple[NDArray, NDArray]:
    """Values and slopes at x0 of the DVR functions of Hermite blocks (size n, centre c)."""
    z0 = (x0 - c) / s
    phi = _hermite_functions(n + 1, z0)  # (n + 1, m)
    k = np.arange(n)[:, None]
    dphi = (
        np.sqrt(k / 2.0) * np.concatenate([np.zeros((1, z0.size)), phi[: n - 1]])
        - np.sqrt((k + 1.0) / 2.0) * phi[1 : n + 1]
    )
    u = _hermite(n)[1]
    val = (u @ phi[:n]).T / np.sqrt(s)[:, None]
    der = (u @ dphi).T / (s**1.5)[:, None]
    return val, der


def _basis_at(
    plan: dict, rows: NDArray, xfull: NDArray, valid: NDArray, x0: NDArray
) -> tuple[NDArray, NDArray]:
    """Values/slopes at x0 of the basis function of every column (potentials ``rows``)."""
    lay = plan["layout"][rows]
    m, wf = rows.size, xfull.shape[1]
    val = np.zeros((m, wf))
    der = np.zeros((m, wf))
    sinc = (lay == _SINC_SINGLE) | (lay == _SINC_PARITY)
    if sinc.any():
        v, d = _sinc_basis(xfull[sinc], valid[sinc], plan["h"][rows[sinc]], x0[sinc])
        val[sinc], der[sinc] = v, d
    hpar = lay == _HERM_PARITY
    # a Hermite parity layout is a full 2n-point Hermite DVR in column order
    na = np.where(hpar, 2, 1) * plan["size_a"][rows]
    nb = plan["size_b"][rows]
    mir = lay == _HERM_MIRROR
    dbl = lay == _HERM_DOUBLE
    for role, (cc, ss, size, offs) in enumerate(
        (
            (plan["c_a"][rows], plan["s_a"][rows], na, np.where(mir, na, 0)),
            (plan["c_b"][rows], plan["s_b"][rows], nb, na),
        )
    ):
        herm = ~sinc if role == 0 else dbl
        for nn in np.unique(size[herm]):
            sel = np.nonzero(herm & (size == nn))[0]
            nn = int(nn)
            v, d = _hermite_basis(nn, cc[sel], ss[sel], x0[sel])
            cols = offs[sel, None] + np.arange(nn)[None, :]
            val[sel[:, None], cols] = v
            der[sel[:, None], cols] = d
            if role == 0:
                ms = sel[mir[sel]]
                if ms.size:  # mirror image: theta_k(-x0), slope sign flipped
                    v, d = _hermite_basis(nn, cc[ms], ss[ms], -x0[ms])
                    cols = nn - 1 - np.arange(nn)[None, :]
                    val[ms[:, None], cols] = v
                    der[ms[:, None], cols] = -d
    return val, der


def _partial_overlaps(
    c0: NDArray, c1: NDArray, xfull: NDArray, xb: NDArray, h: NDArray, jfull: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """A_ij = int_{-inf}^{x_b} psi_i psi_j dx for sinc-DVR vectors on a contiguous lattice.

    Exact for the band-limited sinc interpolants: diagonal terms with the sine integral,
    off-diagonal terms with Cin(z) = gamma + ln z - Ci(z) and a discrete Hilbert transform.
    """
    a = (xb[:, None] - xfull) / h[:, None]
    z = 2.0 * np.pi * np.abs(a)
    nz = z > 1e-12
    si, ci = special.sici(np.where(nz, z, 1.0))
    cin = np.where(nz, np.euler_gamma + np.log(np.where(nz, z, 1.0)) - ci, 0.0)
    sa = np.where(nz, np.sign(a) * si, 0.0)
    corr = np.where(nz, np.sin(np.pi * a) ** 2 / (np.pi**2 * np.where(nz, a, 1.0)), 0.0)
    diag = 0.5 + sa / np.pi - corr
    sgn = np.where(jfull % 2 == 0, 1.0, -1.0)
    hil = _hilbert(c0.shape[1])
    u0 = c0 * sgn
    u1 = c1 * sgn
    hu0 = u0 @ hil.T
    hu1 = u1 @ hil.T
    k = 1.0 / (2.0 * np.pi**2)
    a00 = np.sum(c0 * c0 * diag, axis=1) + 2.0 * k * np.sum(u0 * cin * hu0, axis=1)
    a11 = np.sum(c1 * c1 * diag, axis=1) + 2.0 * k * np.sum(u1 * cin * hu1, axis=1)
    a01 = np.sum(c0 * c1 * diag, axis=1) + k * (
        np.sum(u0 * cin * hu1, axis=1) + np.sum(u1 * cin * hu0, axis=1)
    )
    return a00, a11, a01


def _hermite_partial_overlaps(
    c0: NDArray, c1: NDArray, n: int, centre: NDArray, scale: NDArray, xb: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """A_ij = int_{-inf}^{x_b} psi_i psi_j dx for Gauss–Hermite DVR vectors (exact).

    With the HO coefficients a = U^T c and z_b = (x_b - centre) / scale, uses
    J_n = int_{-inf}^{z_b} phi_n^2 = J_{n-1} - phi_{n-1} phi_n / sqrt(2n), J_0 = (1 + erf z_b)/2,
    and for m != n int_{-inf}^{z_b} phi_m phi_n = (phi_m phi_n' - phi_n phi_m') / (2 (m - n)),
    both from the Hermite-function recurrences.
    """
    z = (xb - centre) / scale
    phi = _hermite_functions(n + 1, z)
    k = np.arange(n)[:, None]
    dphi = (
        np.sqrt(k / 2.0) * np.concatenate([np.zeros((1, z.size)), phi[: n - 1]])
        - np.sqrt((k + 1.0) / 2.0) * phi[1 : n + 1]
    )
    jn = np.empty((n, z.size))
    jn[0] = 0.5 * (1.0 + special.erf(z))
    for j in range(1, n):
        jn[j] = jn[j - 1] - phi[j - 1] * phi[j] / math.sqrt(2.0 * j)
    u = _hermite(n)[1]
    a0, a1 = c0 @ u, c1 @ u
    pv, dv, jt = phi[:n].T, dphi.T, jn.T
    hil = _hilbert(n).T

    def overlap(a: NDArray, b: NDArray) -> NDArray:
        off = np.sum((a * pv) * ((b * dv) @ hil), axis=1)
        off -= np.sum((a * dv) * ((b * pv) @ hil), axis=1)
        return np.sum(a * b * jt, axis=1) + 0.5 * off

    return overlap(a0, a0), overlap(a1, a1), overlap(a0, a1)


# --------------------------------------------------------------------------------------------
# Magnus integration of psi'' = (V - E) psi
# --------------------------------------------------------------------------------------------


def _phase(
    eta: NDArray, t: NDArray, energy: NDArray, xs: NDArray, xe: NDArray, fine: int
) -> NDArray:
    """Cumulative phase int sqrt(|V - E| + 1) |dx| from xs on ``fine`` uniform points."""
    u = np.linspace(0.0, 1.0, fine)
    x = xs[:, None] + (xe - xs)[:, None] * u[None, :]
    w = np.sqrt(np.abs(_pot(x, eta[:, None], t[:, None]) - energy[:, None]) + 1.0)
    phi = np.zeros_like(x)
    np.cumsum(
        0.5 * (w[:, 1:] + w[:, :-1]) * (np.abs(xe - xs)[:, None] / (fine - 1)),
        axis=1,
        out=phi[:, 1:],
    )
    return phi


def _nodes_from_phase(xs: NDArray, xe: NDArray, phi: NDArray, steps: int) -> NDArray:
    """steps + 1 nodes from xs to xe, uniform in the phase phi (given on a uniform grid)."""
    m, fine = phi.shape
    norm = phi / phi[:, -1:] + 2.0 * np.arange(m)[:, None]
    target = np.linspace(0.0, 1.0, steps + 1)[None, :] + 2.0 * np.arange(m)[:, None]
    k = np.searchsorted(norm.ravel(), target.ravel(), side="right").reshape(m, steps + 1)
    k = np.clip(k - np.arange(m)[:, None] * fine, 1, fine - 1)
    rows = np.arange(m)[:, None]
    lo, hi = norm[rows, k - 1], norm[rows, k]
    frac = np.clip((target - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0, 1.0)
    uu = (k - 1 + frac) / (fine - 1)
    uu[:, 0], uu[:, -1] = 0.0, 1.0
    return xs[:, None] + (xe - xs)[:, None] * uu


def _path_nodes(
    eta: NDArray,
    t: NDArray,
    energy: NDArray,
    xs: NDArray,
    xe: NDArray,
    theta: float,
    min_steps: int,
    max_steps: int,
) -> NDArray:
    """Nodes from xs to xe spaced uniformly in the phase int sqrt(|V - E| + 1) dx.

    The number of steps (common to all paths) keeps the phase per step below ``theta``.
    """
    phi = _phase(eta, t, energy, xs, xe, 257)
    steps = int(np.clip(np.ceil(phi[:, -1].max() / theta), min_steps, max_steps))
    return _nodes_from_phase(xs, xe, phi, steps)


def _bucketed_magnus(
    eta: NDArray,
    t: NDArray,
    energy: NDArray,
    xs: NDArray,
    xe: NDArray,
    y0: NDArray,
    theta: float,
    min_steps: int,
    max_steps: int,
) -> tuple[NDArray, NDArray]:
    """Magnus integration of many paths, grouped by the step count their phase needs."""
    phi = _phase(eta, t, energy, xs, xe, 129)
    need = np.maximum(np.ceil(phi[:, -1] / theta), 1.0)
    # step counts 8, 16, 32, ...: few groups of large arrays, at most twice the steps needed
    steps = np.clip(2.0 ** np.ceil(np.log2(need)), min_steps, max_steps)
    yend = np.empty((xs.size, 2))
    lend = np.empty(xs.size)
    for st in np.unique(steps):
        sel = np.nonzero(steps == st)[0]
        nodes = _nodes_from_phase(xs[sel], xe[sel], phi[sel], int(st))
        yend[sel], lend[sel], _ = _magnus(eta[sel], t[sel], energy[sel], nodes, y0[sel])
    return yend, lend


def _magnus(
    eta: NDArray,
    t: NDArray,
    energy: NDArray,
    nodes: NDArray,
    y0: NDArray,
    record: bool = False,
) -> tuple[NDArray, NDArray, NDArray | None]:
    """Propagate (psi, psi') along the path ``nodes`` with the sixth-order Magnus method.

    Three-point Gauss–Legendre Magnus integrator of Blanes, Casas and Ros (BIT 40, 434
    (2000)), written out for the sl(2) generator A(x) = [[0, 1], [V(x) - E, 0]]; each step is
    the exact
    exponential of a traceless 2x2 matrix. Returns the final vector normalised to max-norm 1,
    the log of its norm (relative to the initial vector as given) and, if ``record``, psi at
    all nodes as (normalised value, log scale), shape (2, m, steps + 1).
    """
    steps = nodes.shape[1] - 1
    hh = np.diff(nodes, axis=1)
    mid = 0.5 * (nodes[:, 1:] + nodes[:, :-1])
    ee, tt, et = eta[:, None], t[:, None], energy[:, None]
    g = math.sqrt(15.0) / 10.0
    q1 = _pot(mid - g * hh, ee, tt) - et
    q2 = _pot(mid, ee, tt) - et
    q3 = _pot(mid + g * hh, ee, tt) - et
    # Omega = a1 + a3/12 + [X, Z]/240 in sl(2) coordinates (a, b, c) <-> [[a, b], [c, -a]],
    # a1 = h A(x_2), a2 = sqrt(15) h (A_3 - A_1) / 3, a3 = 10 h (A_3 - 2 A_2 + A_1) / 3,
    # X = -20 a1 - a3 + [a1, a2], Z = a2 - [a1, 2 a3 + [a1, a2]] / 60 (expanded below)
    d2 = (math.sqrt(15.0) / 3.0) * hh * (q3 - q1)
    d3 = (10.0 / 3.0) * hh * (q3 - 2.0 * q2 + q1)
    h2q = hh * hh * q2
    c = hh * d2 * (-20.0 + (4.0 / 3.0) * h2q + hh * d3 / 30.0) / 240.0
    b = hh + hh * hh * (hh * d2 * d2 / 30.0 - (2.0 / 3.0) * d3) / 120.0
    qq = (
        hh * q2
        + d3 / 12.0
        + hh * ((20.0 * hh * q2 + d3) * d3 / 30.0 - d2 * d2 * (1.0 - h2q / 30.0)) / 120.0
    )
    th2 = c * c + b * qq
    th = np.sqrt(np.abs(th2))
    pos = th2 >= 0
    ex = np.exp(np.where(pos, th, 0.0))
    ch = np.where(pos, 0.5 * (ex + 1.0 / ex), np.cos(th))
    small = th < 1e-4
    sh = np.where(
        small,
        1.0 + th2 / 6.0,
        np.where(pos, 0.5 * (ex - 1.0 / ex), np.sin(th)) / np.where(small, 1.0, th),
    )
    m00 = ch + sh * c
    m01 = sh * b
    m10 = sh * qq
    m11 = ch - sh * c
    if not record:
        return (*_product_apply(m00, m01, m10, m11, y0), None)
    nrm = np.max(np.abs(y0), axis=1)
    ya = y0[:, 0] / nrm
    yb = y0[:, 1] / nrm
    logs = np.log(nrm)
    trace = np.empty((2, nodes.shape[0], steps + 1))
    trace[0, :, 0] = ya
    trace[1, :, 0] = logs
    for i in range(steps):
        ya, yb = m00[:, i] * ya + m01[:, i] * yb, m10[:, i] * ya + m11[:, i] * yb
        nrm = np.maximum(np.abs(ya), np.abs(yb))
        ya = ya / nrm
        yb = yb / nrm
        logs = logs + np.log(nrm)
        trace[0, :, i + 1] = ya
        trace[1, :, i + 1] = logs
    return np.stack([ya, yb], axis=1), logs, trace


def _product_apply(
    m00: NDArray, m01: NDArray, m10: NDArray, m11: NDArray, y0: NDArray
) -> tuple[NDArray, NDArray]:
    """Apply the ordered product of 2x2 step matrices (rows: paths, columns: steps) to y0.

    Pairwise (tree) multiplication, later step on the left, each product rescaled to max-norm
    1 with the log of the scale carried along: log2(steps) large array operations instead of
    one small operation per step.
    """
    logs = np.zeros(m00.shape)
    while m00.shape[1] > 1:
        if m00.shape[1] % 2:
            pad = np.zeros((m00.shape[0], 1))
            m00, m11 = (np.concatenate([a, pad + 1.0], axis=1) for a in (m00, m11))
            m01, m10, logs = (np.concatenate([a, pad], axis=1) for a in (m01, m10, logs))
        a00, a01, a10, a11 = m00[:, 0::2], m01[:, 0::2], m10[:, 0::2], m11[:, 0::2]
        b00, b01, b10, b11 = m00[:, 1::2], m01[:, 1::2], m10[:, 1::2], m11[:, 1::2]
        m00 = b00 * a00 + b01 * a10
        m01 = b00 * a01 + b01 * a11
        m10 = b10 * a00 + b11 * a10
        m11 = b10 * a01 + b11 * a11
        scale = np.maximum(
            np.maximum(np.abs(m00), np.abs(m01)), np.maximum(np.abs(m10), np.abs(m11))
        )
        m00, m01, m10, m11 = m00 / scale, m01 / scale, m10 / scale, m11 / scale
        logs = logs[:, 0::2] + logs[:, 1::2] + np.log(scale)
    ya = m00[:, 0] * y0[:, 0] + m01[:, 0] * y0[:, 1]
    yb = m10[:, 0] * y0[:, 0] + m11[:, 0] * y0[:, 1]
    nrm = np.maximum(np.abs(ya), np.abs(yb))
    return np.stack([ya / nrm, yb / nrm], axis=1), logs[:, 0] + np.log(nrm)


def _wr(u: NDArray, v: NDArray) -> NDArray:
    """Wronskian u0 v1 - v0 u1 of traces u = (psi, psi'), v = (phi, phi')."""
    return u[:, 0] * v[:, 1] - v[:, 0] * u[:, 1]


def _log_add(la: NDArray, lb: NDArray) -> NDArray:
    """ln(exp(la) + exp(lb)) without overflow."""
    m = np.maximum(la, lb)
    return m + np.log1p(np.exp(np.minimum(la, lb) - m))


def _overlap_integral(
    tr_a: NDArray, tr_b: NDArray, log_scale_b: NDArray, nodes: NDArray
) -> NDArray:
    """Trapezoid integral over |dx| of path a times path b (b rescaled by exp(log_scale_b))."""
    la = np.log(np.maximum(np.abs(tr_a[0]), 1e-300)) + tr_a[1]
    lb = np.log(np.maximum(np.abs(tr_b[0]), 1e-300)) + tr_b[1] + log_scale_b[:, None]
    f = np.sign(tr_a[0]) * np.sign(tr_b[0]) * np.exp(np.minimum(la + lb, 700.0))
    dx = np.abs(np.diff(nodes, axis=1))
    return np.sum(0.5 * (f[:, 1:] + f[:, :-1]) * dx, axis=1)


# --------------------------------------------------------------------------------------------
# Two-level reduction
# --------------------------------------------------------------------------------------------


def _two_level(
    eta: NDArray,
    t: NDArray,
    plan: dict,
    xfull: NDArray,
    valid: NDArray,
    cand_e: NDArray,
    cand_v: NDArray,
    phase_step: float,
) -> dict[str, NDArray]:
    """Doublet reduction (Delta0, Delta, E, p) and the observables of the three states."""
    n = eta.size
    idx = np.arange(n)
    lay = plan["layout"]
    xb = plan["xb"]
    has_l, has_r = plan["has_l"], plan["has_r"]
    sinc = (lay == _SINC_SINGLE) | (lay == _SINC_PARITY)
    mir = lay == _HERM_MIRROR
    dbl = lay == _HERM_DOUBLE
    hsingle = (lay == _HERM_SINGLE) | (lay == _HERM_PARITY)
    r2 = 1.0 / math.sqrt(2.0)

    order = np.argsort(cand_e, axis=1, kind="stable")
    o3 = order[:, :3].copy()
    o3[mir] = np.array([3, 0, 1])
    ene = np.take_along_axis(cand_e, o3, axis=1)
    vec = cand_v[idx[:, None], o3]
    vec[mir, 2] = (cand_v[mir, 1] + cand_v[mir, 4]) * r2
    e0, e1 = ene[:, 0].copy(), ene[:, 1].copy()
    psi0, psi1 = vec[:, 0].copy(), vec[:, 1].copy()

    method = np.full(n, METHOD_DIRECT)
    left0 = np.zeros(n, dtype=bool)  # side of x_b where psi_0 (or L) lives
    left1 = np.zeros(n, dtype=bool)
    lam_diff = np.ones(n)
    a00, a11, a01 = np.ones(n), np.zeros(n), np.zeros(n)
    fa, fb = psi0.copy(), psi1.copy()  # localised route: L, R
    ea, eb = e0.copy(), e1.copy()

    # ---- one-block layouts: exact partial overlaps give the P matrix ----
    sm = np.nonzero(sinc | hsingle)[0]
    if sm.size:
        si = np.nonzero(sinc)[0]
        if si.size:
            hh = plan["h"][si]
            jfull = np.rint(
                (xfull[si] - plan["anchor"][si, None]) / hh[:, None] - plan["offset"][si, None]
            ).astype(np.int64)
            a00[si], a11[si], a01[si] = _partial_overlaps(
                psi0[si], psi1[si], xfull[si], xb[si], hh, jfull
            )
        size_a = np.where(lay == _HERM_PARITY, 2, 1) * plan["size_a"]
        for nn in np.unique(size_a[hsingle]):
            hi = np.nonzero(hsingle & (size_a == nn))[0]
            nn = int(nn)
            a00[hi], a11[hi], a01[hi] = _hermite_partial_overlaps(
                psi0[hi, :nn], psi1[hi, :nn], nn, plan["c_a"][hi], plan["s_a"][hi], xb[hi]
            )
        b00, b11, b01 = a00[sm], a11[sm], a01[sm]
        mean = 0.5 * (b00 + b11)
        rad = np.hypot(0.5 * (b00 - b11), b01)
        lp, lm = mean + rad, mean - rad
        ld = np.maximum(np.hypot(b00 - b11, 2.0 * b01), 1e-300)
        lam_diff[sm] = ld
        tun = (lp > 0.5) & (lm < 0.5) & has_l[sm] & has_r[sm]
        s_left = (lm >= 0.5) & has_l[sm]
        s_right = (lp <= 0.5) & has_r[sm]
        leak = np.where(tun, np.maximum(1.0 - lp, lm), np.where(s_left, 1.0 - lm, lp))
        p_dir = (np.minimum(2.0 * np.abs(b01), ld) / ld) ** 2
        split = e1[sm] - e0[sm]
        scale = np.maximum(1.0, np.abs(e0[sm]))
        resolved = split > _EIGEN_SPLIT * scale
        # estimated relative errors of Delta0 along the three routes (see docs/spectrum.md)
        with np.errstate(divide="ignore", invalid="ignore"):
            err_d = _EPS_LEVEL * scale / split + _EPS_OVERLAP / np.sqrt(p_dir)
            err_e = np.where(
                tun & resolved & (p_dir < _EIGEN_MAX_P),
                _EPS_WRONSKIAN + p_dir * _EPS_RESONANCE / split**2,
                np.inf,
            )
            kap2 = np.maximum(_pot(xb[sm], eta[sm], t[sm]) - 0.5 * (e0[sm] + e1[sm]), 1e-12)
            err_l = np.where(
                tun & (leak <= _LOCALISED_MAX_LEAK),
                _EPS_WRONSKIAN
                + _LEAK_SQUARED * leak**2
                + 0.5 * split * np.sqrt(p_dir * np.maximum(1.0 - p_dir, 0.0)) / kap2,
                np.inf,
            )
        err_d = np.where(np.isfinite(err_d), err_d, np.inf)
        best = np.argmin(np.stack([err_d, err_e, err_l]), axis=0)
        m_eig = best == 1
        m_loc = best == 2
        m_same = ~tun & (s_left | s_right) & (leak <= _DIRECT_LEAK)
        if _FORCE is not None:
            m_eig = tun & (_FORCE == METHOD_EIGEN)
            m_loc = tun & (_FORCE == METHOD_LOCALISED)
        method[sm[m_eig]] = METHOD_EIGEN
        method[sm[m_loc]] = METHOD_LOCALISED
        method[sm[m_same]] = METHOD_SAME_WELL
        left0[sm] = np.where(tun, b00 >= b11, s_left)
        left1[sm] = np.where(tun, b00 < b11, s_left)
        tj = sm[m_loc]
        if tj.size:  # localised basis: eigenvectors of the P matrix
            chi = 0.5 * np.arctan2(2.0 * a01[tj], a00[tj] - a11[tj])
            cc, ss = np.cos(chi), np.sin(chi)
            fa[tj] = cc[:, None] * psi0[tj] + ss[:, None] * psi1[tj]
            fb[tj] = -ss[:, None] * psi0[tj] + cc[:, None] * psi1[tj]
            ea[tj] = cc * cc * e0[tj] + ss * ss * e1[tj]
            eb[tj] = ss * ss * e0[tj] + cc * cc * e1[tj]

    # ---- Hermite layouts: the blocks tell where the states live ----
    dm = np.nonzero(dbl)[0]
    if dm.size:
        in_a = o3[dm, :2] < 3
        tun = in_a[:, 0] != in_a[:, 1]
        method[dm] = np.where(tun, METHOD_LOCALISED, METHOD_SAME_WELL)
        left0[dm] = in_a[:, 0]
        left1[dm] = in_a[:, 1]
        td = dm[tun]
        swap = ~in_a[tun, 0]  # state 0 is the right-well state
        fa[td] = np.where(swap[:, None], psi1[td], psi0[td])
        fb[td] = np.where(swap[:, None], psi0[td], psi1[td])
        ea[td] = np.where(swap, e1[td], e0[td])
        eb[td] = np.where(swap, e0[td], e1[td])
    method[mir] = METHOD_LOCALISED  # fa = left ground state (mirror), fb = right ground state

    loc_m = method == METHOD_LOCALISED
    log_wr = np.zeros(n)
    tails = np.zeros((n, 2, 3))  # (ln|psi_n(x_b)|, sign psi_n(x_b), psi_n'/psi_n) at x_b
    if loc_m.any():
        log_wr[loc_m] = _localised_wronskian(
            eta,
            t,
            plan,
            np.nonzero(loc_m)[0],
            fa,
            fb,
            ea,
            eb,
            lam_diff,
            xfull,
            valid,
            phase_step,
        )
    sub = np.nonzero(method == METHOD_EIGEN)[0]
    if sub.size:
        tails[sub], log_wr[sub] = _eigen_traces(
            eta, t, plan, sub, psi0, psi1, e0, e1, left0, left1, xfull, valid, phase_step
        )
    sub = np.nonzero(method == METHOD_SAME_WELL)[0]
    if sub.size:
        tails[sub] = _same_well_tails(eta, t, plan, sub, psi0, psi1, e0, e1, left0, xfull, valid)

    # ---- Delta0, Delta, E and the doublet states ----
    out_levels = ene.copy()
    log_d0 = np.empty(n)
    delta = np.empty(n)
    log_e = np.empty(n)

    # resolved doublets (P matrix from the DVR): E = E1 - E0, Delta = E cos(2 chi)
    res_m = (method == METHOD_DIRECT) | (method == METHOD_EIGEN)
    if res_m.any():
        split = e1[res_m] - e0[res_m]
        ld = lam_diff[res_m]
        delta[res_m] = split * (a00[res_m] - a11[res_m]) / ld
        with np.errstate(divide="ignore"):
            log_e[res_m] = np.log(split)
            log_d0[res_m] = log_e[res_m] + np.log(np.abs(2.0 * a01[res_m]) / ld)
        # psi0 positive at its largest component; psi1 signed so that A01 <= 0
        big = np.argmax(np.abs(psi0[res_m]), axis=1)
        s0 = np.sign(psi0[res_m][np.arange(big.size), big])
        psi0[res_m] *= s0[:, None]
        psi1[res_m] *= np.where(a01[res_m] * s0 > 0, -1.0, 1.0)[:, None]
    em = np.nonzero(method == METHOD_EIGEN)[0]
    if em.size:  # Delta0 = 2 |Wr| / (lambda_+ - lambda_-), E from Delta and Delta0
        ld0 = math.log(2.0) + log_wr[em] - np.log(lam_diff[em])
        with np.errstate(divide="ignore"):
            ldl = np.log(np.abs(delta[em]))
        log_d0[em] = ld0
        log_e[em] = 0.5 * _log_add(2.0 * ld0, 2.0 * ldl)

    if loc_m.any():
        ti = np.nonzero(loc_m)[0]
        ld0 = math.log(2.0) + log_wr[ti] - np.log(lam_diff[ti])
        dl = eb[ti] - ea[ti]
        with np.errstate(divide="ignore"):
            ldl = np.log(np.abs(dl))
        le = 0.5 * _log_add(2.0 * ld0, 2.0 * ldl)
        log_d0[ti], delta[ti], log_e[ti] = ld0, dl, le
        esp = np.exp(le)
        mean = 0.5 * (ea[ti] + eb[ti])
        out_levels[ti, 0] = mean - 0.5 * esp
        out_levels[ti, 1] = mean + 0.5 * esp
        # psi0 = c L + s R, psi1 = -s L + c R with tan(phi) = Delta0 / Delta, c = cos(phi / 2)
        rd = np.sign(dl) * np.exp(ldl - le)  # Delta / E
        rd0 = np.exp(ld0 - le)  # Delta0 / E
        pos = dl >= 0
        c = np.sqrt(0.5 * (1.0 + np.where(pos, rd, -1.0)))
        s = np.sqrt(0.5 * (1.0 - np.where(pos, 1.0, rd)))
        c = np.where(pos, c, rd0 / (2.0 * np.maximum(s, 1e-300)))
        s = np.where(pos, rd0 / (2.0 * np.maximum(c, 1e-300)), s)
        psi0[ti] = c[:, None] * fa[ti] + s[:, None] * fb[ti]
        psi1[ti] = -s[:, None] * fa[ti] + c[:, None] * fb[ti]

    sw = np.nonzero(method == METHOD_SAME_WELL)[0]
    if sw.size:
        lv0, sg0, q0 = tails[sw, 0, 0], tails[sw, 0, 1], tails[sw, 0, 2]
        lv1, sg1, q1 = tails[sw, 1, 0], tails[sw, 1, 1], tails[sw, 1, 2]
        left = left0[sw]
        vbx = _pot(xb[sw], eta[sw], t[sw])
        # decay constants away from the well; exponential tails give the P matrix
        k0 = np.where(left, -q0, q0)
        k1 = np.where(left, -q1, q1)
        k0 = np.where(k0 > 0, k0, np.sqrt(np.maximum(vbx - e0[sw], 1e-12)))
        k1 = np.where(k1 > 0, k1, np.sqrt(np.maximum(vbx - e1[sw], 1e-12)))
        big = np.maximum(lv0, lv1)
        r0, r1 = np.exp(lv0 - big), np.exp(lv1 - big)
        t00, t11, t01 = r0 * r0 / (2.0 * k0), r1 * r1 / (2.0 * k1), r0 * r1 / (k0 + k1)
        den = (t00 - t11) ** 2 + 4.0 * t01 * t01
        log_p = np.minimum(
            math.log(4.0) + 2.0 * (lv0 + lv1 - 2.0 * big - np.log(k0 + k1)) - np.log(den), 0.0
        )
        split = e1[sw] - e0[sw]
        log_e[sw] = np.log(split)
        log_d0[sw] = log_e[sw] + 0.5 * log_p
        sgn = np.where(left, np.sign(t11 - t00), np.sign(t00 - t11))
        delta[sw] = sgn * split * np.sqrt(-np.expm1(np.minimum(log_p, -1e-300)))
        # psi0 > 0 (fixed in the trace routine); psi1 signed so that A01 <= 0
        prod = sg0 * sg1
        flip1 = np.where(left, prod < 0, prod > 0)
        psi1[sw] *= np.where(flip1, -1.0, 1.0)[:, None]

    x2f = np.where(valid, xfull * xfull, 0.0)
    x3f = x2f * xfull
    states = np.stack([psi0, psi1, vec[:, 2]], axis=1)
    with np.errstate(over="ignore"):
        d0 = np.exp(log_d0)
        p = np.minimum(np.exp(2.0 * (log_d0 - log_e)), 1.0)
    return {
        "levels": out_levels,
        "x2": np.einsum("nsw,nsw,nw->ns", states, states, x2f),
        "x3": np.einsum("nsw,nsw,nw->ns", states, states, x3f),
        "x2_01": np.einsum("nw,nw,nw->n", psi0, psi1, x2f),
        "x3_01": np.einsum("nw,nw,nw->n", psi0, psi1, x3f),
        "splitting": np.exp(log_e),
        "tunnel_splitting": d0,
        "asymmetry": delta,
        "p": p,
        "log_tunnel_splitting": log_d0,
        "method": method,
    }


def _state_data(
    plan: dict, rows: NDArray, xfull: NDArray, valid: NDArray, f: NDArray, x0: NDArray
) -> tuple[NDArray, NDArray]:
    """psi(x0) and psi'(x0) of DVR vectors f (rows of the chunk)."""
    bval, bder = _basis_at(plan, rows, xfull[rows], valid[rows], x0)
    return np.sum(f * bval, axis=1), np.sum(f * bder, axis=1)


def _localised_wronskian(
    eta: NDArray,
    t: NDArray,
    plan: dict,
    rows: NDArray,
    fa: NDArray,
    fb: NDArray,
    ea: NDArray,
    eb: NDArray,
    lam_diff: NDArray,
    xfull: NDArray,
    valid: NDArray,
    phase_step: float,
) -> NDArray:
    """ln Wr(x_b) of a near-degenerate tunnelling doublet from localised states L = fa, R = fb.

    L's trace at x_b is alpha_L e_L: e_L is the direction of a solution at energy h_LL grown
    from the right well towards x_b, and alpha_L follows from the Wronskian of L with a solution
    G_L started at the left minimum, W(L, G_L)(x_b) = W(L, G_L)(x_l) + h_LR int G_L R dx (the
    integral is the coupling correction, iterated). Likewise for R. All four paths are
    integrated in the direction in which their solutions grow. Neglected: terms of order
    (h_LR / kappa^2) (h_RR - h_LL) / E, small for near-degenerate doublets only.
    """
    xb, xl, xr = plan["xb"][rows], plan["xl"][rows], plan["xr"][rows]
    er, etr = eta[rows], t[rows]
    L, R = fa[rows], fb[rows]
    vl, sl = _state_data(plan, rows, xfull, valid, L, xl)
    vr, sr = _state_data(plan, rows, xfull, valid, R, xr)
    flip_l = np.where(vl < 0, -1.0, 1.0)
    flip_r = np.where(vr < 0, -1.0, 1.0)
    fa[rows] = L * flip_l[:, None]
    fb[rows] = R * flip_r[:, None]
    vl, sl, vr, sr = vl * flip_l, sl * flip_l, vr * flip_r, sr * flip_r
    hl, hr = ea[rows], eb[rows]
    m = rows.size
    one, zero = np.ones(m), np.zeros(m)
    mid = 0.5 * (hl + hr)
    nodes = _path_nodes(
        np.tile(er, 2),
        np.tile(etr, 2),
        np.tile(mid, 2),
        np.concatenate([xl, xr]),
        np.tile(xb, 2),
        phase_step,
        32,
        8192,
    )
    nodes = np.concatenate([nodes[:m], nodes[m:], nodes[m:], nodes[:m]])
    ys = np.concatenate(
        [
            np.stack([-sl, vl], axis=1),  # G_L: from the left minimum, energy h_LL
            np.stack([zero, -one], axis=1),  # e_L: from the right minimum, energy h_LL
            np.stack([-sr, vr], axis=1),  # G_R: from the right minimum, energy h_RR
            np.stack([zero, one], axis=1),  # e_R: from the left minimum, energy h_RR
        ]
    )
    es = np.concatenate([hl, hl, hr, hr])
    yend, lend, trace = _magnus(np.tile(er, 4), np.tile(etr, 4), es, nodes, ys, record=True)
    assert trace is not None
    g_l, e_l, g_r, e_r = (yend[i * m : (i + 1) * m] for i in range(4))
    lg_l, le_l, lg_r, le_r = (lend[i * m : (i + 1) * m] for i in range(4))
    tr = [trace[:, i * m : (i + 1) * m] for i in range(4)]
    w0l = vl * vl + sl * sl
    w0r = vr * vr + sr * sr
    wl = _wr(e_l, g_l)
    wr_ = _wr(e_r, g_r)
    wlr = _wr(e_l, e_r)
    # integrals of G_L e_R (left side) and G_R e_L (right side), e's scaled to unit end vector
    i_left = _overlap_integral(tr[0], tr[3], -le_r, nodes[:m])
    i_right = _overlap_integral(tr[2], tr[1], -le_l, nodes[m : 2 * m])
    wl_b, wr_b = w0l, w0r
    log_wr = np.zeros(m)
    for _ in range(3):
        log_al = np.log(np.abs(wl_b)) - lg_l - np.log(np.abs(wl))
        log_ar = np.log(np.abs(wr_b)) - lg_r - np.log(np.abs(wr_))
        sign = np.sign(wl_b) * np.sign(wl) * np.sign(wr_b) * np.sign(wr_) * np.sign(wlr)
        log_wr = log_al + log_ar + np.log(np.abs(wlr))
        h_lr = -sign * np.exp(log_wr) / lam_diff[rows]
        alpha_l = np.sign(wl_b) * np.sign(wl) * np.exp(log_al)
        alpha_r = np.sign(wr_b) * np.sign(wr_) * np.exp(log_ar)
        wl_b = w0l + h_lr * alpha_r * i_left
        wr_b = w0r - h_lr * alpha_l * i_right
    return log_wr


def _same_well_tails(
    eta: NDArray,
    t: NDArray,
    plan: dict,
    rows: NDArray,
    psi0: NDArray,
    psi1: NDArray,
    e0: NDArray,
    e1: NDArray,
    left: NDArray,
    xfull: NDArray,
    valid: NDArray,
) -> NDArray:
    """Tails at x_b of two states in the same well (formal reduction), WKB-continued.

    psi_n is taken from the DVR at x_m, a point on the x_b side where the tail is still well
    resolved (WKB action about half the tail action beyond the turning point, or x_b itself
    when it is closer), and continued to x_b with the WKB solution
    psi ~ kappa^(-1/2) exp(-int kappa dx), kappa = sqrt(V - E_n), accurate to ~1 % there.
    Returns per state (ln|psi_n(x_b)|, sign, psi_n'/psi_n at x_b).
    """
    lay = plan["layout"][rows]
    lf = left[rows]
    xb = plan["xb"][rows]
    er, etr = eta[rows], t[rows]
    in_b = (lay == _HERM_DOUBLE) & ~lf  # both states in the right-well block
    tail = np.where(in_b, plan["tail_b"][:, rows], plan["tail_a"][:, rows])
    xm = np.where(lf, np.minimum(xb, tail[1]), np.maximum(xb, tail[0]))
    bval, _ = _basis_at(plan, rows, xfull[rows], valid[rows], xm)
    # psi0 positive at its largest component (nodeless in its well)
    big = np.argmax(np.abs(psi0[rows]), axis=1)
    s0 = np.sign(psi0[rows][np.arange(rows.size), big])
    psi0[rows] *= s0[:, None]
    gl_x, gl_w = np.polynomial.legendre.leggauss(16)
    half = 0.5 * (xb - xm)
    xq = 0.5 * (xb + xm)[:, None] + half[:, None] * gl_x[None, :]
    vq = _pot(xq, er[:, None], etr[:, None])
    vb = _pot(xb, er, etr)
    vm = _pot(xm, er, etr)
    dvb = xb * (2.0 * er + xb * (3.0 * etr + 4.0 * xb))
    out = np.empty((rows.size, 2, 3))
    for j, (f, en) in enumerate(((psi0[rows], e0[rows]), (psi1[rows], e1[rows]))):
        v = np.sum(f * bval, axis=1)
        action = np.abs(half) * np.sum(np.sqrt(np.maximum(vq - en[:, None], 0.0)) * gl_w, axis=1)
        kb = np.maximum(vb - en, 1e-12)
        km = np.maximum(vm - en, 1e-12)
        with np.errstate(divide="ignore"):
            out[:, j, 0] = np.log(np.abs(v)) + 0.25 * (np.log(km) - np.log(kb)) - action
        out[:, j, 1] = np.sign(v)
        out[:, j, 2] = np.where(lf, -1.0, 1.0) * np.sqrt(kb) - dvb / (4.0 * kb)
    return out


def _eigen_traces(
    eta: NDArray,
    t: NDArray,
    plan: dict,
    rows: NDArray,
    psi0: NDArray,
    psi1: NDArray,
    e0: NDArray,
    e1: NDArray,
    left0: NDArray,
    left1: NDArray,
    xfull: NDArray,
    valid: NDArray,
    phase_step: float,
) -> tuple[NDArray, NDArray]:
    """Traces (psi, psi') at x_b of the eigenstates psi_0, psi_1, and ln|Wr(x_b)|.

    Each eigenstate satisfies the Schrödinger equation at its own energy exactly. The
    direction of its trace at x_b is that of the solution decaying on the far side, integrated
    from the far edge of the window (WKB decaying tail; the action from the turning point is at
    least the tail action there, so the start is exact to ~exp(-2 tau)) towards x_b. Its size
    follows from the Wronskian with a
    solution G_n started at the near-side minimum with (-psi_n', psi_n):
    W(psi_n, G_n) = psi_n^2 + psi_n'^2 is constant. Returns per state (ln|psi_n(x_b)|,
    sign psi_n(x_b), psi_n'/psi_n at x_b) and ln|W(psi_0, psi_1)(x_b)|.
    """
    xb = plan["xb"][rows]
    er, etr = eta[rows], t[rows]
    m = rows.size
    starts, ys, ens, near = [], [], [], []
    for f, en, left in ((psi0, e0, left0), (psi1, e1, left1)):
        lf = left[rows]
        xn = np.where(lf, plan["xl"][rows], plan["xr"][rows])
        v, s = _state_data(plan, rows, xfull, valid, f[rows], xn)
        near.append((v, s))
        starts.append(xn)
        ys.append(np.stack([-s, v], axis=1))
        ens.append(en[rows])
        xf = np.where(lf, plan["edge_hi"][rows], plan["edge_lo"][rows])
        kap = np.sqrt(np.maximum(_pot(xf, er, etr) - en[rows], 1e-300))
        starts.append(xf)
        ys.append(np.stack([np.ones(m), np.where(lf, -kap, kap)], axis=1))
        ens.append(en[rows])
    flip0 = np.where(near[0][0] < 0, -1.0, 1.0)
    psi0[rows] *= flip0[:, None]
    npath = len(starts)
    yend, lend = _bucketed_magnus(
        np.tile(er, npath),
        np.tile(etr, npath),
        np.concatenate(ens),
        np.concatenate(starts),
        np.tile(xb, npath),
        np.concatenate(ys),
        phase_step,
        32,
        8192,
    )
    g0, f0, g1, f1 = (yend[i * m : (i + 1) * m] for i in range(4))
    lg0, lg1 = lend[:m], lend[2 * m : 3 * m]
    out = np.empty((m, 2, 3))
    log_alpha = []
    for j, (g, f, lg, (v, s)) in enumerate(((g0, f0, lg0, near[0]), (g1, f1, lg1, near[1]))):
        w = _wr(f, g)
        la = np.log(v * v + s * s) - lg - np.log(np.abs(w))
        log_alpha.append(la)
        with np.errstate(divide="ignore"):
            out[:, j, 0] = la + np.log(np.abs(f[:, 0]))
        sgn = np.sign(w) * (flip0 if j == 0 else 1.0)
        out[:, j, 1] = sgn * np.sign(f[:, 0])
        out[:, j, 2] = f[:, 1] / np.where(f[:, 0] == 0, 1e-300, f[:, 0])
    log_wr = log_alpha[0] + log_alpha[1] + np.log(np.abs(_wr(f0, f1)))
    return out, log_wr
