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

import dataclasses
import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from dynamics.parallel import map_threads, single_threaded_blas, thread_count
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
# A batch of fewer than _SPLIT * _CHUNK potentials is cut into up to this many chunks (at least
# _MIN_CHUNK each) so that threads can share it. Fixed, not the thread count: a potential's
# result depends (at the last bit) on the chunk it is solved in (common Magnus step counts,
# padded widths), and must not depend on the number of threads. [1]
_SPLIT = 2

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
        int sqrt(|V - E| + 1) dx per Magnus step (default 0.1); the error of ln Delta0 falls
        like phase_step**6. [1]
    workers : int, optional
        Threads over chunks of potentials (default: :func:`dynamics.parallel.thread_count`,
        min(2, CPUs) unless set otherwise). The results do not depend on it. [1]

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
    under (eta, t) -> (eta, -t) (the solver works with |t| and reflects x); equivalent points
    of the map (2.10) (``equivalent_point``) give the same level differences. When the two
    lowest states lie in the same well (``method == 2``) the reduction is formal, accurate to
    about 1 %.
    """
    eta_a = check_finite("eta", eta, unit="1")
    t_a = check_finite("t", t, unit="1")
    threads = _check_knobs(basis_size, resolution, phase_step, workers)
    eta_b, t_b = np.broadcast_arrays(eta_a, t_a)
    eta_f = np.ascontiguousarray(eta_b, dtype=float).ravel()
    t_f = np.ascontiguousarray(t_b, dtype=float).ravel()
    slices = _chunk_slices(eta_f.size)

    def run(sl: slice) -> _ChunkResult:
        return _solve_chunk(eta_f[sl], t_f[sl], basis_size, float(resolution), float(phase_step))

    out = _ChunkResult.empty(eta_f.size)
    for sl, res in zip(slices, map_threads(run, slices, threads=threads), strict=True):
        out.fill(sl, res)
    shape = eta_b.shape
    return SoftPotentialSpectrum(
        eta=eta_f.copy().reshape(shape),
        t=t_f.copy().reshape(shape),
        **{
            f.name: getattr(out, f.name).reshape(shape + getattr(out, f.name).shape[1:])
            for f in dataclasses.fields(out)
        },
    )


def _check_knobs(
    basis_size: object, resolution: object, phase_step: object, workers: object
) -> int:
    """Check the knobs of :func:`solve_soft_potential`; returns the number of threads."""
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
        return thread_count()
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ParameterError(f"workers = {workers!r} is outside the allowed range [1, inf) [1]")
    return int(workers)


def _chunk_slices(n: int) -> list[slice]:
    """Chunks of a batch of n potentials: at most _CHUNK each; a batch smaller than
    _SPLIT * _CHUNK is cut into up to _SPLIT chunks of at least _MIN_CHUNK. Independent of the
    number of threads."""
    n_chunks = max(-(-n // _CHUNK), min(_SPLIT, -(-n // _MIN_CHUNK)))
    bounds = np.linspace(0, n, n_chunks + 1).astype(np.int64)
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]


# --------------------------------------------------------------------------------------------
# Potential landscape and basis plan
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _Window:
    """Where the low-lying wave functions of each potential live (t >= 0), from a WKB picture.

    The window is the set of x whose WKB action at the reference energy, from the classically
    allowed region, is below the tail action tau. It has one or two connected pieces.

    Attributes
    ----------
    x : ndarray, shape (n, _AUX_POINTS)
        Auxiliary grid covering the window. [1]
    action : ndarray, shape (n, _AUX_POINTS)
        WKB action from the nearest classically allowed point (0 inside the region). [1]
    gap : ndarray of bool
        The window has two pieces (a barrier too thick for the tails to cross it).
    a1, b1 : ndarray
        Ends of the first (left, or only) piece, one grid step outside. [1]
    a2, b2 : ndarray
        Ends of the second piece (the last piece; equal to the first when there is no gap). [1]
    """

    x: NDArray[np.float64]
    action: NDArray[np.float64]
    gap: NDArray[np.bool_]
    a1: NDArray[np.float64]
    b1: NDArray[np.float64]
    a2: NDArray[np.float64]
    b2: NDArray[np.float64]


@dataclass(frozen=True)
class _HermiteCandidate:
    """Gauss–Hermite blocks that would represent each potential (used by the Hermite layouts).

    Block A covers the single piece, or the left piece (the right one for a mirror layout);
    block B covers the right piece of a two-piece window.

    Attributes
    ----------
    c_a, c_b : ndarray
        Centres of the blocks. [1]
    s_a, s_b : ndarray
        Scales of the blocks (nodes c + s z_k). [1]
    r2_a, r2_b : ndarray
        Radius^2 of the phase-space disk each block must cover (0 for an absent block B). [1]
    n_a, n_b : ndarray of int
        Points the blocks need at the default resolution. [1]
    """

    c_a: NDArray[np.float64]
    s_a: NDArray[np.float64]
    r2_a: NDArray[np.float64]
    n_a: NDArray[np.int64]
    c_b: NDArray[np.float64]
    s_b: NDArray[np.float64]
    r2_b: NDArray[np.float64]
    n_b: NDArray[np.int64]


@dataclass(frozen=True)
class _SincCandidate:
    """Sinc lattice x = anchor + (j + offset) h that would represent a one-piece window.

    Attributes
    ----------
    h : ndarray
        Lattice spacing. [1]
    ja : ndarray of int
        First lattice index inside the window (0 for the parity lattice, offset 1/2). [1]
    n_points : ndarray of int
        Lattice points inside the window. [1]
    n_rounded : ndarray of int
        The same, rounded up to a block size. [1]
    """

    h: NDArray[np.float64]
    ja: NDArray[np.int64]
    n_points: NDArray[np.int64]
    n_rounded: NDArray[np.int64]


@dataclass(frozen=True)
class _Plan:
    """Layout and DVR blocks of each potential of a chunk (t >= 0); all arrays of shape (n,).

    Attributes
    ----------
    layout : ndarray of int
        One of _SINC_SINGLE, _SINC_PARITY, _HERM_SINGLE, _HERM_DOUBLE, _HERM_MIRROR,
        _HERM_PARITY.
    xb, xl, xr : ndarray
        Barrier top x_b (see :func:`barrier_position`), left and right minima. [1]
    has_l, has_r : ndarray of bool
        A well exists left / right of x_b (both for the single well at t = 0).
    h, anchor, offset : ndarray
        Sinc lattice x = anchor + (j + offset) h (sinc layouts; h unused otherwise). [1]
    ja : ndarray of int
        First lattice index of the sinc block. [1]
    kind_a : ndarray of int
        Kind (_KIND_*) of block A; block B's kind follows from the layout.
    size_a, size_b : ndarray of int
        Points of block A and block B (0 when there is no block B). [1]
    edge_lo, edge_hi : ndarray
        Outer edges of the window (tail action tau beyond the outermost turning points). [1]
    tail_a, tail_b : ndarray, shape (2, n)
        Points left and right of the allowed interval of piece A / B where the DVR still
        resolves the tails (WKB action ~ tau / 2). [1]
    c_a, s_a, c_b, s_b : ndarray
        Centres and scales of Hermite blocks A and B (0 and 1 where unused; s_b of a Hermite
        parity layout is s_a). [1]
    """

    layout: NDArray[np.int64]
    xb: NDArray[np.float64]
    xl: NDArray[np.float64]
    xr: NDArray[np.float64]
    has_l: NDArray[np.bool_]
    has_r: NDArray[np.bool_]
    h: NDArray[np.float64]
    anchor: NDArray[np.float64]
    offset: NDArray[np.float64]
    ja: NDArray[np.int64]
    kind_a: NDArray[np.int64]
    size_a: NDArray[np.int64]
    size_b: NDArray[np.int64]
    edge_lo: NDArray[np.float64]
    edge_hi: NDArray[np.float64]
    tail_a: NDArray[np.float64]
    tail_b: NDArray[np.float64]
    c_a: NDArray[np.float64]
    s_a: NDArray[np.float64]
    c_b: NDArray[np.float64]
    s_b: NDArray[np.float64]


def _plan(eta: NDArray, t: NDArray, basis_size: int | None, resolution: float) -> _Plan:
    """Window, layout and DVR blocks of each potential (t >= 0).

    A window piece with two allowed intervals (two wells and the barrier between them) is
    represented on a sinc lattice anchored at x_b; a piece with one allowed interval gets a
    Gauss–Hermite DVR centred on it (see :func:`_choose_layout`).
    """
    xb, xl, xr, has_l, has_r = _landscape(eta, t)
    etop, vmin, tunnel_like = _reference_energy(eta, t, xl, xr, has_l, has_r)
    tau = _TAIL_ACTION * resolution
    mf = _MOMENTUM_FACTOR * math.sqrt(resolution)
    span = np.maximum(etop - vmin, 1e-3)
    lo_w = np.where(has_l, xl, xr)
    hi_w = np.where(has_r, xr, xl)
    win = _window(eta, t, etop, span, np.minimum(lo_w, xb), np.maximum(hi_w, xb), tau)
    sym = t == 0.0
    both = has_l & has_r & ~((xl == xr) & has_l)  # two distinct wells
    # windows that may hold a tunnelling doublet need accurate wave functions (the Wronskian
    # routes use psi and psi' at the minima), not only accurate levels: larger blocks
    doublet = win.gap | (both & tunnel_like)
    herm = _hermite_candidate(eta, t, win, xl, xr, etop, span, mf, doublet)
    sinc = _sinc_candidate(win, xb, sym, span, mf, basis_size)
    two_minima = both & (_pot(xl, eta, t) < etop) & (_pot(xr, eta, t) < etop)
    layout = _choose_layout(win, xb, sym, two_minima, herm.n_a, sinc.n_rounded)
    if basis_size is None:
        n_sinc, n_a, n_b = sinc.n_rounded, herm.n_a, herm.n_b
    else:
        n_sinc, n_a, n_b = _fixed_sizes(layout, basis_size, herm)
    kind_a, size_a, size_b = _blocks_of_layout(layout, n_sinc, n_a, n_b)
    par = layout == _SINC_PARITY
    mir = layout == _HERM_MIRROR
    dbl = layout == _HERM_DOUBLE
    hermite = (layout != _SINC_SINGLE) & ~par
    tail_a = _tail_points(
        win.x, win.action, eta, t, np.where(mir, win.a2, win.a1), np.where(mir, win.b2, win.b1), tau
    )
    return _Plan(
        layout=layout,
        xb=xb,
        xl=xl,
        xr=xr,
        has_l=has_l,
        has_r=has_r,
        h=sinc.h,
        # the sinc block is centred on the window: the rounding's extra points split evenly
        anchor=np.where(par, 0.0, xb),
        offset=np.where(par, 0.5, 0.0),
        ja=np.where(par, 0, sinc.ja - (n_sinc - sinc.n_points) // 2),
        kind_a=kind_a,
        size_a=size_a,
        size_b=size_b,
        edge_lo=np.where(mir, -win.b2, win.a1),
        edge_hi=np.where(win.gap, win.b2, win.b1),
        tail_a=np.stack(tail_a),
        tail_b=np.stack(_tail_points(win.x, win.action, eta, t, win.a2, win.b2, tau)),
        c_a=np.where(hermite, herm.c_a, 0.0),
        s_a=np.where(hermite, herm.s_a, 1.0),
        c_b=np.where(dbl, herm.c_b, 0.0),
        s_b=np.where(dbl, herm.s_b, np.where(layout == _HERM_PARITY, herm.s_a, 1.0)),
    )


def _window(
    eta: NDArray, t: NDArray, etop: NDArray, span: NDArray, lo: NDArray, hi: NDArray, tau: float
) -> _Window:
    """The window around [lo, hi] (wells and barrier top) at the reference energy ``etop``.

    The auxiliary grid is widened (reach doubled, at most 8 times) until the action at both
    of its ends exceeds the tail action ``tau``; then the pieces are read off.
    """
    n = eta.size
    reach = 1.5 * span**0.25 + (3.0 * tau / (4.0 * np.maximum(span, 0.5) ** 0.375)) ** (2.0 / 3.0)
    reach = reach + 0.5
    for _ in range(8):
        xlo = lo - reach
        xhi = hi + reach
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
    return _Window(
        x=xa,
        action=sa,
        gap=gap,
        a1=xa[rows, first] - dxa,
        b1=np.where(gap, xa[rows, gap_lo - 1], xa[rows, last]) + dxa,
        a2=xa[rows, np.minimum(gap_hi + 1, m - 1)] - dxa,
        b2=xa[rows, last] + dxa,
    )


def _hermite_candidate(
    eta: NDArray,
    t: NDArray,
    win: _Window,
    xl: NDArray,
    xr: NDArray,
    etop: NDArray,
    span: NDArray,
    mf: float,
    doublet: NDArray,
) -> _HermiteCandidate:
    """Gauss–Hermite blocks A (single, left or -- mirror -- right piece) and B (right piece).

    ``doublet`` marks windows that may hold a tunnelling doublet: their blocks get
    _TUNNEL_MARGIN times more points.
    """
    n = eta.size
    gap, a1, b1, a2, b2 = win.gap, win.a1, win.b1, win.a2, win.b2
    sym = t == 0.0
    q_aux = (mf * mf) * np.maximum(etop[:, None] - _pot(win.x, eta[:, None], t[:, None]), 0.0)
    mir_c = gap & sym
    ca_lo = np.where(mir_c, a2, a1)
    ca_hi = np.where(mir_c, b2, b1)
    c_a = np.where(sym & ~gap, 0.0, 0.5 * (ca_lo + ca_hi))  # exactly symmetric when t = 0
    s_a, r2_a = _hermite_scale(win.x, q_aux, ca_lo, ca_hi, c_a, span, mf)
    c_b = 0.5 * (a2 + b2)
    s_b, r2_b = np.ones(n), np.zeros(n)
    gi = np.nonzero(gap)[0]
    if gi.size:
        s_b[gi], r2_b[gi] = _hermite_scale(
            win.x[gi], q_aux[gi], a2[gi], b2[gi], c_b[gi], span[gi], mf
        )
    extra = np.where(doublet, _TUNNEL_MARGIN, 1.0)
    n_a = _round_up(np.ceil(extra * _hermite_margin(eta, t, xl, xr, ca_lo, ca_hi) * r2_a / 2.0))
    n_b = _round_up(np.ceil(extra * _hermite_margin(eta, t, xl, xr, a2, b2) * r2_b / 2.0))
    return _HermiteCandidate(
        c_a=c_a, s_a=s_a, r2_a=r2_a, n_a=n_a, c_b=c_b, s_b=s_b, r2_b=r2_b, n_b=n_b
    )


def _sinc_candidate(
    win: _Window, xb: NDArray, sym: NDArray, span: NDArray, mf: float, basis_size: int | None
) -> _SincCandidate:
    """Sinc lattice over the single piece: anchored at x_b, or at 0 with offset 1/2 (t = 0).

    The spacing resolves mf times the largest classical momentum (times a small boost); a
    fixed ``basis_size`` instead spreads that many points over the piece.
    """
    h = np.pi / (_SINC_MOMENTUM_BOOST * mf * np.sqrt(span))
    if basis_size is not None:
        h = (win.b1 - win.a1) / float(basis_size)
    par_c = sym & ~win.gap
    offset = np.where(par_c, 0.5, 0.0)
    anchor = np.where(par_c, 0.0, xb)
    ja = np.ceil((win.a1 - anchor) / h - offset).astype(np.int64)
    jb = np.floor((win.b1 - anchor) / h - offset).astype(np.int64)
    ja = np.where(par_c, 0, ja)
    n_points = jb - ja + 1
    return _SincCandidate(h=h, ja=ja, n_points=n_points, n_rounded=_round_up(n_points))


def _choose_layout(
    win: _Window,
    xb: NDArray,
    sym: NDArray,
    two_minima: NDArray,
    n_hermite: NDArray,
    n_sinc: NDArray,
) -> NDArray:
    """Layout code of each potential.

    Two window pieces get one Hermite block each (_HERM_DOUBLE; _HERM_MIRROR when t = 0). One
    piece holding x_b gets the sinc lattice (_SINC_SINGLE; _SINC_PARITY when t = 0) when it
    has two classically allowed intervals, or two minima below the reference energy and a
    sinc block smaller than the Hermite one; otherwise one Hermite block (_HERM_SINGLE;
    _HERM_PARITY when t = 0).
    """
    gap = win.gap
    allowed = win.action == 0.0
    n_allowed = allowed[:, 0].astype(np.int64) + np.sum(allowed[:, 1:] & ~allowed[:, :-1], axis=1)
    par_c = sym & ~gap
    use_sinc = (
        ~gap
        & (win.a1 <= xb)
        & (xb <= win.b1)
        & ((n_allowed >= 2) | (two_minima & (np.where(par_c, 2, 1) * n_sinc < n_hermite)))
    )
    return np.where(
        gap,
        np.where(sym, _HERM_MIRROR, _HERM_DOUBLE),
        np.where(
            use_sinc,
            np.where(sym, _SINC_PARITY, _SINC_SINGLE),
            np.where(sym, _HERM_PARITY, _HERM_SINGLE),
        ),
    )


def _fixed_sizes(
    layout: NDArray, basis_size: int, herm: _HermiteCandidate
) -> tuple[NDArray, NDArray, NDArray]:
    """Points of the sinc block and of Hermite blocks A, B for a fixed total ``basis_size``.

    Parity layouts split it evenly; a two-piece window in proportion to the phase-space areas
    r2_a, r2_b of its blocks (each at least _MIN_BLOCK).
    """
    par = layout == _SINC_PARITY
    hpar = layout == _HERM_PARITY
    mir = layout == _HERM_MIRROR
    dbl = layout == _HERM_DOUBLE
    n_sinc = np.where(par, basis_size // 2, basis_size)
    wa, wb = herm.r2_a, np.where(dbl, herm.r2_b, 0.0)
    n_a = np.where(mir, basis_size // 2, np.round(basis_size * wa / (wa + wb)).astype(np.int64))
    n_a = np.where(hpar, 2 * (basis_size // 2), np.maximum(n_a, _MIN_BLOCK))
    n_b = np.maximum(basis_size - n_a, _MIN_BLOCK)
    return n_sinc, n_a, n_b


def _blocks_of_layout(
    layout: NDArray, n_sinc: NDArray, n_a: NDArray, n_b: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """Kind of block A and the sizes of blocks A and B of each layout.

    _SINC_SINGLE: one plain sinc block; _SINC_PARITY: even (A) and odd (B) sinc blocks of
    n_sinc points each; _HERM_SINGLE: one Hermite block; _HERM_DOUBLE: Hermite blocks A and B;
    _HERM_MIRROR: block A only (the left well is its mirror image); _HERM_PARITY: even (A)
    and odd (B) halves of an n_a-point Hermite DVR.
    """
    par = layout == _SINC_PARITY
    sinc = (layout == _SINC_SINGLE) | par
    hpar = layout == _HERM_PARITY
    dbl = layout == _HERM_DOUBLE
    kind_a = np.where(
        sinc, np.where(par, _KIND_EVEN, _KIND_PLAIN), np.where(hpar, _KIND_HERM_EVEN, _KIND_HERM)
    )
    size_a = np.where(sinc, n_sinc, np.where(hpar, n_a // 2, n_a))
    size_b = np.where(par, n_sinc, np.where(dbl, n_b, np.where(hpar, n_a // 2, 0)))
    return kind_a, size_a, size_b


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
    eta: NDArray, t: NDArray, blocks: _Blocks
) -> list[tuple[NDArray, NDArray, NDArray, NDArray]]:
    """Diagonalise all blocks, grouped by size; returns (block ids, E (b,3), vec (b,3,n), x)."""
    out: list[tuple[NDArray, NDArray, NDArray, NDArray]] = []
    size = blocks.size
    for n in np.unique(size):
        sel = np.nonzero(size == n)[0]
        n = int(n)
        kind = blocks.kind[sel]
        x = _block_nodes(kind, n, blocks.x0[sel], blocks.h[sel], blocks.c[sel], blocks.s[sel])
        pidx = blocks.pot[sel]
        scale = np.where(np.isin(kind, _HERM_KINDS), blocks.s[sel], blocks.h[sel])
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


@dataclass(frozen=True)
class _Reduction:
    """Levels, observables and two-level reduction of the potentials of a chunk (t >= 0).

    Attributes are those of :class:`SoftPotentialSpectrum` with the same names and units, for
    the potentials as solved (|t|, before the reflection x -> -x of the t < 0 ones); arrays of
    shape (n,), or (n, 3) for ``levels``, ``x2`` and ``x3``.
    """

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
    method: NDArray[np.int64]


@dataclass(frozen=True)
class _ChunkResult(_Reduction):
    """Everything :class:`SoftPotentialSpectrum` holds for a chunk (flat, signed t).

    Adds to :class:`_Reduction` (after the reflection for t < 0):

    Attributes
    ----------
    barrier_position : ndarray
        x_b. [1]
    basis_size : ndarray of int
        DVR points used. [1]
    """

    barrier_position: NDArray[np.float64]
    basis_size: NDArray[np.int64]

    @classmethod
    def empty(cls, n: int) -> _ChunkResult:
        """Uninitialised arrays for n potentials."""
        shapes = {"levels": (n, 3), "x2": (n, 3), "x3": (n, 3)}
        ints = {"method", "basis_size"}
        return cls(
            **{
                f.name: np.empty(shapes.get(f.name, (n,)), np.int64 if f.name in ints else float)
                for f in dataclasses.fields(cls)
            }
        )

    def fill(self, rows: slice, part: _ChunkResult) -> None:
        """Copy ``part`` into the rows ``rows`` of every array."""
        for f in dataclasses.fields(self):
            getattr(self, f.name)[rows] = getattr(part, f.name)


@dataclass(frozen=True)
class _Blocks:
    """The DVR blocks of a chunk, one entry per block (block A of every potential, then B).

    Attributes
    ----------
    pot : ndarray of int
        Potential (row of the chunk) the block belongs to.
    role : ndarray of int
        0 for block A, 1 for block B.
    kind : ndarray of int
        _KIND_* code of the block.
    size : ndarray of int
        Points of the block. [1]
    x0, h : ndarray
        First node and spacing of sinc blocks. [1]
    c, s : ndarray
        Centre and scale of Hermite blocks. [1]
    """

    pot: NDArray[np.int64]
    role: NDArray[np.int64]
    kind: NDArray[np.int64]
    size: NDArray[np.int64]
    x0: NDArray[np.float64]
    h: NDArray[np.float64]
    c: NDArray[np.float64]
    s: NDArray[np.float64]


@dataclass(frozen=True)
class _BlockStates:
    """The three lowest states of blocks A (index 0) and B (index 1) of every potential.

    Attributes
    ----------
    energy : ndarray, shape (n, 2, 3)
        Eigenvalues (inf for an absent block B). [W]
    vectors : ndarray, shape (n, 2, 3, w)
        Eigenvectors on the block's nodes (zero-padded to the widest block w). [1]
    nodes : ndarray, shape (n, 2, w)
        Node positions (zero-padded). [1]
    """

    energy: NDArray[np.float64]
    vectors: NDArray[np.float64]
    nodes: NDArray[np.float64]


@dataclass(frozen=True)
class _Columns:
    """The full DVR basis of every potential, in column order, padded to a common width w.

    Columns are [mirror image of block A (reversed)] + A for parity and mirror layouts, and
    A + B otherwise.

    Attributes
    ----------
    x : ndarray, shape (n, w)
        Node of each column (0 in the padding). [1]
    valid : ndarray of bool, shape (n, w)
        Column exists (not padding).
    width : ndarray of int
        Number of columns of each potential. [1]
    """

    x: NDArray[np.float64]
    valid: NDArray[np.bool_]
    width: NDArray[np.int64]


@dataclass(frozen=True)
class _Candidates:
    """Candidate states of every potential: the three lowest of block A (0..2), then of block
    B, or of the mirror/odd block (3..5), as full-basis vectors.

    Attributes
    ----------
    energy : ndarray, shape (n, 6)
        Eigenvalues (inf where absent). [W]
    vectors : ndarray, shape (n, 6, w)
        Normalised vectors in the columns of :class:`_Columns`. [1]
    """

    energy: NDArray[np.float64]
    vectors: NDArray[np.float64]


def _solve_chunk(
    eta: NDArray,
    t_signed: NDArray,
    basis_size: int | None,
    resolution: float,
    phase_step: float,
) -> _ChunkResult:
    """Solve one chunk of potentials; works with |t| and reflects x at the end."""
    with single_threaded_blas():
        reflect = t_signed < 0
        t = np.abs(t_signed)
        plan = _plan(eta, t, basis_size, resolution)
        states = _block_states(eta, t, plan)
        cols, cand = _assemble_columns(plan, states)
        res = _two_level(eta, t, plan, cols, cand, phase_step)
    # reflect back for t < 0 (x -> -x, psi_1 -> -psi_1)
    return _ChunkResult(
        **{f.name: getattr(res, f.name) for f in dataclasses.fields(res)}
        | {
            "x3": np.where(reflect[:, None], -res.x3, res.x3),
            "x2_01": np.where(reflect, -res.x2_01, res.x2_01),
            "asymmetry": np.where(reflect, -res.asymmetry, res.asymmetry),
        },
        barrier_position=np.where(reflect, -plan.xb, plan.xb),
        basis_size=cols.width.astype(np.int64),
    )


def _blocks(plan: _Plan) -> _Blocks:
    """Block A of every potential, then block B of the two-block layouts (parity, double)."""
    lay = plan.layout
    n = lay.size
    idx = np.arange(n)
    two = (lay == _SINC_PARITY) | (lay == _HERM_PARITY) | (lay == _HERM_DOUBLE)
    h = plan.h
    x0a = plan.anchor + (plan.ja + plan.offset) * h
    kind_b = np.where(
        lay == _SINC_PARITY, _KIND_ODD, np.where(lay == _HERM_PARITY, _KIND_HERM_ODD, _KIND_HERM)
    )
    return _Blocks(
        pot=np.concatenate([idx, idx[two]]),
        kind=np.concatenate([plan.kind_a, kind_b[two]]),
        size=np.concatenate([plan.size_a, plan.size_b[two]]),
        x0=np.concatenate([x0a, x0a[two]]),
        h=np.concatenate([h, h[two]]),
        c=np.concatenate([plan.c_a, plan.c_b[two]]),
        s=np.concatenate([plan.s_a, plan.s_b[two]]),
        role=np.concatenate([np.zeros(n, dtype=np.int64), np.ones(int(two.sum()), np.int64)]),
    )


def _block_states(eta: NDArray, t: NDArray, plan: _Plan) -> _BlockStates:
    """Diagonalise every block of the chunk; the three lowest states per block."""
    blocks = _blocks(plan)
    n = eta.size
    wmax = int(max(plan.size_a.max(), plan.size_b.max()))
    be = np.full((n, 2, 3), np.inf)
    bv = np.zeros((n, 2, 3, wmax))
    bx = np.zeros((n, 2, wmax))
    for sel, w, vec, x in _solve_blocks(eta, t, blocks):
        p_i, r_i = blocks.pot[sel], blocks.role[sel]
        be[p_i, r_i] = w
        bv[p_i, r_i, :, : vec.shape[2]] = vec
        bx[p_i, r_i, : x.shape[1]] = x
    return _BlockStates(energy=be, vectors=bv, nodes=bx)


def _assemble_columns(plan: _Plan, states: _BlockStates) -> tuple[_Columns, _Candidates]:
    """Full basis of every potential and its six candidate states.

    Parity layouts: even states (v, v) / sqrt 2 and odd states (-v, v) / sqrt 2 on the mirror
    of block A plus block A; mirror layouts: the right-well states and their mirror images;
    double layouts: block A's states and block B's states.
    """
    lay = plan.layout
    n = lay.size
    par = (lay == _SINC_PARITY) | (lay == _HERM_PARITY)
    dbl = lay == _HERM_DOUBLE
    mir = lay == _HERM_MIRROR
    two = par | dbl
    na, nb = plan.size_a, plan.size_b
    mirrored = par | mir
    width = np.where(mirrored, 2 * na, na + nb)
    wf = int(width.max())
    ia = np.arange(states.nodes.shape[2])[None, :]
    ok_a = ia < na[:, None]
    ok_b = ia < nb[:, None]
    pos_a = np.where(mirrored[:, None], na[:, None] + ia, ia)
    pos_m = na[:, None] - 1 - ia
    pos_b = na[:, None] + ia
    rows = np.arange(n)[:, None]
    bx, bv, be = states.nodes, states.vectors, states.energy
    xfull = np.zeros((n, wf))
    _scatter(xfull, rows, pos_a, bx[:, 0], ok_a)
    _scatter(xfull, rows, pos_m, -bx[:, 0], ok_a & mirrored[:, None])
    _scatter(xfull, rows, pos_b, bx[:, 1], ok_b & dbl[:, None])
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
    cols = _Columns(x=xfull, valid=np.arange(wf)[None, :] < width[:, None], width=width)
    return cols, _Candidates(energy=cand_e, vectors=cand_v)


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
    plan: _Plan, rows: NDArray, xfull: NDArray, valid: NDArray, x0: NDArray
) -> tuple[NDArray, NDArray]:
    """Values/slopes at x0 of the basis function of every column (potentials ``rows``)."""
    lay = plan.layout[rows]
    m, wf = rows.size, xfull.shape[1]
    val = np.zeros((m, wf))
    der = np.zeros((m, wf))
    sinc = (lay == _SINC_SINGLE) | (lay == _SINC_PARITY)
    if sinc.any():
        v, d = _sinc_basis(xfull[sinc], valid[sinc], plan.h[rows[sinc]], x0[sinc])
        val[sinc], der[sinc] = v, d
    hpar = lay == _HERM_PARITY
    # a Hermite parity layout is a full 2n-point Hermite DVR in column order
    na = np.where(hpar, 2, 1) * plan.size_a[rows]
    nb = plan.size_b[rows]
    mir = lay == _HERM_MIRROR
    dbl = lay == _HERM_DOUBLE
    for role, (cc, ss, size, offs) in enumerate(
        (
            (plan.c_a[rows], plan.s_a[rows], na, np.where(mir, na, 0)),
            (plan.c_b[rows], plan.s_b[rows], nb, na),
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
    the exact exponential of a traceless 2x2 matrix. Returns the final vector normalised to max-norm 1,
    the log of its norm (relative to the initial vector as given) and, if ``record``, psi at
    all nodes as (normalised value, log scale), shape (2, m, steps + 1).
    """
    m00, m01, m10, m11 = _magnus_steps(eta, t, energy, nodes)
    if not record:
        return (*_product_apply(m00, m01, m10, m11, y0), None)
    return _recorded_product(m00, m01, m10, m11, y0)


def _magnus_steps(
    eta: NDArray, t: NDArray, energy: NDArray, nodes: NDArray
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Entries of the step matrices exp(Omega_k) of :func:`_magnus`, shape (paths, steps).

    Omega is the sixth-order, three-point Gauss–Legendre Magnus exponent of Blanes, Casas and
    Ros for the sl(2) generator A(x) = [[0, 1], [V(x) - E, 0]]; its exponential is written out
    (cosh/sinh, or cos/sin, of the square root of -det Omega).
    """
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
    return m00, m01, m10, m11


def _recorded_product(
    m00: NDArray, m01: NDArray, m10: NDArray, m11: NDArray, y0: NDArray
) -> tuple[NDArray, NDArray, NDArray]:
    """Apply the step matrices one by one, recording (normalised psi, log scale) at each node.

    Returns the end vector (max-norm 1), the log of its scale, and the trace, shape
    (2, paths, steps + 1).
    """
    steps = m00.shape[1]
    nrm = np.max(np.abs(y0), axis=1)
    ya = y0[:, 0] / nrm
    yb = y0[:, 1] / nrm
    logs = np.log(nrm)
    trace = np.empty((2, m00.shape[0], steps + 1))
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


@dataclass(frozen=True)
class _Doublet:
    """Working state of the two-level reduction of a chunk (arrays of shape (n, ...)).

    The route functions fill these arrays in place, each on the rows of its own route; the
    dataclass is frozen only in the sense that its fields keep pointing at the same arrays.

    Attributes
    ----------
    levels : ndarray, shape (n, 3)
        The three lowest eigenvalues. [W]
    vectors : ndarray, shape (n, 3, w)
        Their DVR vectors (columns of :class:`_Columns`). [1]
    order : ndarray of int, shape (n, 3)
        Candidate index (:class:`_Candidates`) of each of the three states.
    e0, e1 : ndarray
        Energies of the doublet states psi_0, psi_1. [W]
    psi0, psi1 : ndarray, shape (n, w)
        The doublet's DVR vectors; their signs are fixed by the route functions. [1]
    method : ndarray of int
        Route (METHOD_*).
    left0, left1 : ndarray of bool
        psi_0 (or L) / psi_1 lives left of x_b.
    lam_diff : ndarray
        lambda_+ - lambda_-, the eigenvalue difference of the P matrix A_ij (1 where the
        route does not use it). [1]
    a00, a11, a01 : ndarray
        Partial overlaps A_ij = int_{-inf}^{x_b} psi_i psi_j dx (one-block layouts). [1]
    fa, fb : ndarray, shape (n, w)
        Localised-route states L (left) and R (right). [1]
    ea, eb : ndarray
        Their energies h_LL, h_RR. [W]
    """

    levels: NDArray[np.float64]
    vectors: NDArray[np.float64]
    order: NDArray[np.int64]
    e0: NDArray[np.float64]
    e1: NDArray[np.float64]
    psi0: NDArray[np.float64]
    psi1: NDArray[np.float64]
    method: NDArray[np.int64]
    left0: NDArray[np.bool_]
    left1: NDArray[np.bool_]
    lam_diff: NDArray[np.float64]
    a00: NDArray[np.float64]
    a11: NDArray[np.float64]
    a01: NDArray[np.float64]
    fa: NDArray[np.float64]
    fb: NDArray[np.float64]
    ea: NDArray[np.float64]
    eb: NDArray[np.float64]


@dataclass(frozen=True)
class _Splitting:
    """Logarithmic two-level parameters of the rows of one route.

    Attributes
    ----------
    log_d0 : ndarray
        ln(Delta0 / W). [1]
    delta : ndarray
        Delta. [W]
    log_e : ndarray
        ln(E / W). [1]
    """

    log_d0: NDArray[np.float64]
    delta: NDArray[np.float64]
    log_e: NDArray[np.float64]


def _two_level(
    eta: NDArray,
    t: NDArray,
    plan: _Plan,
    cols: _Columns,
    cand: _Candidates,
    phase_step: float,
) -> _Reduction:
    """Doublet reduction (Delta0, Delta, E, p) and the observables of the three states.

    Chooses a route per potential (one-block layouts: from the P matrix of the DVR doublet;
    two-block layouts: from the blocks), reconstructs the Wronskian at x_b where the route
    needs it, and reduces.
    """
    lay = plan.layout
    d = _lowest_states(cand, lay == _HERM_MIRROR)
    one_block = np.nonzero(
        (lay == _SINC_SINGLE)
        | (lay == _SINC_PARITY)
        | (lay == _HERM_SINGLE)
        | (lay == _HERM_PARITY)
    )[0]
    if one_block.size:
        _one_block_overlaps(plan, cols, d, one_block)
        _one_block_routes(eta, t, plan, d, one_block)
    two_block = np.nonzero(lay == _HERM_DOUBLE)[0]
    if two_block.size:
        _two_block_routes(d, two_block)
    d.method[lay == _HERM_MIRROR] = METHOD_LOCALISED  # fa = left (mirror), fb = right ground

    log_wr = np.zeros(eta.size)
    tails = np.zeros((eta.size, 2, 3))  # (ln|psi_n(x_b)|, sign psi_n(x_b), psi_n'/psi_n) at x_b
    rows = np.nonzero(d.method == METHOD_LOCALISED)[0]
    if rows.size:
        log_wr[rows] = _localised_wronskian(eta, t, plan, cols, d, rows, phase_step)
    rows = np.nonzero(d.method == METHOD_EIGEN)[0]
    if rows.size:
        tails[rows], log_wr[rows] = _eigen_traces(eta, t, plan, cols, d, rows, phase_step)
    rows = np.nonzero(d.method == METHOD_SAME_WELL)[0]
    if rows.size:
        tails[rows] = _same_well_tails(eta, t, plan, cols, d, rows)
    return _reduce(eta, t, plan, cols, d, log_wr, tails)


def _lowest_states(cand: _Candidates, mirror: NDArray) -> _Doublet:
    """The three lowest candidates; initial route METHOD_DIRECT.

    A mirror layout's states are the left ground state (mirror image), the right ground state
    and the even combination of the two first excited states.
    """
    n = mirror.size
    r2 = 1.0 / math.sqrt(2.0)
    order = np.argsort(cand.energy, axis=1, kind="stable")
    o3 = order[:, :3].copy()
    o3[mirror] = np.array([3, 0, 1])
    ene = np.take_along_axis(cand.energy, o3, axis=1)
    vec = cand.vectors[np.arange(n)[:, None], o3]
    vec[mirror, 2] = (cand.vectors[mirror, 1] + cand.vectors[mirror, 4]) * r2
    e0, e1 = ene[:, 0].copy(), ene[:, 1].copy()
    psi0, psi1 = vec[:, 0].copy(), vec[:, 1].copy()
    return _Doublet(
        levels=ene,
        vectors=vec,
        order=o3,
        e0=e0,
        e1=e1,
        psi0=psi0,
        psi1=psi1,
        method=np.full(n, METHOD_DIRECT),
        left0=np.zeros(n, dtype=bool),
        left1=np.zeros(n, dtype=bool),
        lam_diff=np.ones(n),
        a00=np.ones(n),
        a11=np.zeros(n),
        a01=np.zeros(n),
        fa=psi0.copy(),
        fb=psi1.copy(),
        ea=e0.copy(),
        eb=e1.copy(),
    )


def _one_block_overlaps(plan: _Plan, cols: _Columns, d: _Doublet, rows: NDArray) -> None:
    """Exact partial overlaps A_ij of the doublet of one-block layouts (fills d.a00, a11, a01).

    Sinc layouts: :func:`_partial_overlaps`; Hermite layouts (a parity layout is a full
    2n-point Hermite DVR in column order): :func:`_hermite_partial_overlaps`.
    """
    lay = plan.layout
    xb = plan.xb
    si = rows[(lay[rows] == _SINC_SINGLE) | (lay[rows] == _SINC_PARITY)]
    if si.size:
        hh = plan.h[si]
        jfull = np.rint(
            (cols.x[si] - plan.anchor[si, None]) / hh[:, None] - plan.offset[si, None]
        ).astype(np.int64)
        d.a00[si], d.a11[si], d.a01[si] = _partial_overlaps(
            d.psi0[si], d.psi1[si], cols.x[si], xb[si], hh, jfull
        )
    hsingle = (lay == _HERM_SINGLE) | (lay == _HERM_PARITY)
    size_a = np.where(lay == _HERM_PARITY, 2, 1) * plan.size_a
    for nn in np.unique(size_a[hsingle]):
        hi = np.nonzero(hsingle & (size_a == nn))[0]
        nn = int(nn)
        d.a00[hi], d.a11[hi], d.a01[hi] = _hermite_partial_overlaps(
            d.psi0[hi, :nn], d.psi1[hi, :nn], nn, plan.c_a[hi], plan.s_a[hi], xb[hi]
        )


def _one_block_routes(eta: NDArray, t: NDArray, plan: _Plan, d: _Doublet, sm: NDArray) -> None:
    """Route of the doublets of one-block layouts, from their P matrix.

    The eigenvalues lambda_+- of A_ij tell whether the doublet tunnels (one state on each
    side of x_b) or lies in one well; among the routes valid for it the one with the smallest
    estimated error of Delta0 (:func:`_route_errors`) is taken. Fills d.method, d.left0,
    d.left1, d.lam_diff and, for the localised route, the states L, R (eigenvectors of the P
    matrix) and their energies.
    """
    b00, b11, b01 = d.a00[sm], d.a11[sm], d.a01[sm]
    mean = 0.5 * (b00 + b11)
    rad = np.hypot(0.5 * (b00 - b11), b01)
    lp, lm = mean + rad, mean - rad
    ld = np.maximum(np.hypot(b00 - b11, 2.0 * b01), 1e-300)
    d.lam_diff[sm] = ld
    tun = (lp > 0.5) & (lm < 0.5) & plan.has_l[sm] & plan.has_r[sm]
    s_left = (lm >= 0.5) & plan.has_l[sm]
    s_right = (lp <= 0.5) & plan.has_r[sm]
    leak = np.where(tun, np.maximum(1.0 - lp, lm), np.where(s_left, 1.0 - lm, lp))
    p_dir = (np.minimum(2.0 * np.abs(b01), ld) / ld) ** 2
    e0, e1 = d.e0[sm], d.e1[sm]
    kap2 = np.maximum(_pot(plan.xb[sm], eta[sm], t[sm]) - 0.5 * (e0 + e1), 1e-12)
    errors = _route_errors(e0, e1, p_dir, leak, tun, kap2)
    best = np.argmin(errors, axis=0)
    m_eig = best == 1
    m_loc = best == 2
    m_same = ~tun & (s_left | s_right) & (leak <= _DIRECT_LEAK)
    if _FORCE is not None:
        m_eig = tun & (_FORCE == METHOD_EIGEN)
        m_loc = tun & (_FORCE == METHOD_LOCALISED)
    d.method[sm[m_eig]] = METHOD_EIGEN
    d.method[sm[m_loc]] = METHOD_LOCALISED
    d.method[sm[m_same]] = METHOD_SAME_WELL
    d.left0[sm] = np.where(tun, b00 >= b11, s_left)
    d.left1[sm] = np.where(tun, b00 < b11, s_left)
    tj = sm[m_loc]
    if tj.size:  # localised basis: eigenvectors of the P matrix
        chi = 0.5 * np.arctan2(2.0 * d.a01[tj], d.a00[tj] - d.a11[tj])
        cc, ss = np.cos(chi), np.sin(chi)
        d.fa[tj] = cc[:, None] * d.psi0[tj] + ss[:, None] * d.psi1[tj]
        d.fb[tj] = -ss[:, None] * d.psi0[tj] + cc[:, None] * d.psi1[tj]
        d.ea[tj] = cc * cc * d.e0[tj] + ss * ss * d.e1[tj]
        d.eb[tj] = ss * ss * d.e0[tj] + cc * cc * d.e1[tj]


def _route_errors(
    e0: NDArray, e1: NDArray, p_dir: NDArray, leak: NDArray, tun: NDArray, kap2: NDArray
) -> NDArray:
    """Estimated relative errors of Delta0 by the direct, eigenstate and localised routes.

    Parameters: the doublet's energies e0, e1 [W]; p_dir, p from the DVR P matrix [1]; leak,
    the weight of the states on the wrong side of x_b [1]; tun, the doublet tunnels;
    kap2 = V(x_b) - (e0 + e1) / 2 (at least 1e-12) [W]. Returns shape (3, n), inf where a
    route does not apply (see docs/spectrum.md for the error model).
    """
    split = e1 - e0
    scale = np.maximum(1.0, np.abs(e0))
    resolved = split > _EIGEN_SPLIT * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        err_d = _EPS_LEVEL * scale / split + _EPS_OVERLAP / np.sqrt(p_dir)
        err_e = np.where(
            tun & resolved & (p_dir < _EIGEN_MAX_P),
            _EPS_WRONSKIAN + p_dir * _EPS_RESONANCE / split**2,
            np.inf,
        )
        err_l = np.where(
            tun & (leak <= _LOCALISED_MAX_LEAK),
            _EPS_WRONSKIAN
            + _LEAK_SQUARED * leak**2
            + 0.5 * split * np.sqrt(p_dir * np.maximum(1.0 - p_dir, 0.0)) / kap2,
            np.inf,
        )
    err_d = np.where(np.isfinite(err_d), err_d, np.inf)
    return np.stack([err_d, err_e, err_l])


def _two_block_routes(d: _Doublet, dm: NDArray) -> None:
    """Route of the doublets of two-block layouts (_HERM_DOUBLE): the blocks tell the side.

    One state in each block: localised route with L, R the two block states; both in one
    block: same-well route.
    """
    in_a = d.order[dm, :2] < 3
    tun = in_a[:, 0] != in_a[:, 1]
    d.method[dm] = np.where(tun, METHOD_LOCALISED, METHOD_SAME_WELL)
    d.left0[dm] = in_a[:, 0]
    d.left1[dm] = in_a[:, 1]
    td = dm[tun]
    swap = ~in_a[tun, 0]  # state 0 is the right-well state
    d.fa[td] = np.where(swap[:, None], d.psi1[td], d.psi0[td])
    d.fb[td] = np.where(swap[:, None], d.psi0[td], d.psi1[td])
    d.ea[td] = np.where(swap, d.e1[td], d.e0[td])
    d.eb[td] = np.where(swap, d.e0[td], d.e1[td])


def _reduce(
    eta: NDArray,
    t: NDArray,
    plan: _Plan,
    cols: _Columns,
    d: _Doublet,
    log_wr: NDArray,
    tails: NDArray,
) -> _Reduction:
    """Delta0, Delta, E per route, the doublet states' signs, and the observables."""
    n = eta.size
    levels = d.levels.copy()
    log_d0 = np.empty(n)
    delta = np.empty(n)
    log_e = np.empty(n)

    def put(rows: NDArray, part: _Splitting) -> None:
        log_d0[rows], delta[rows], log_e[rows] = part.log_d0, part.delta, part.log_e

    rows = np.nonzero((d.method == METHOD_DIRECT) | (d.method == METHOD_EIGEN))[0]
    if rows.size:
        put(rows, _resolved_doublets(d, rows))
    rows = np.nonzero(d.method == METHOD_EIGEN)[0]
    if rows.size:
        put(rows, _eigen_doublets(d, rows, log_wr[rows], delta[rows]))
    rows = np.nonzero(d.method == METHOD_LOCALISED)[0]
    if rows.size:
        part = _localised_doublets(d, rows, log_wr[rows])
        put(rows, part)
        esp = np.exp(part.log_e)
        mean = 0.5 * (d.ea[rows] + d.eb[rows])
        levels[rows, 0] = mean - 0.5 * esp
        levels[rows, 1] = mean + 0.5 * esp
    rows = np.nonzero(d.method == METHOD_SAME_WELL)[0]
    if rows.size:
        put(rows, _same_well_doublets(eta, t, plan, d, rows, tails[rows]))
    return _observables(cols, d, levels, log_d0, delta, log_e)


def _resolved_doublets(d: _Doublet, rows: NDArray) -> _Splitting:
    """Resolved doublets (P matrix from the DVR): E = E1 - E0, Delta = E cos(2 chi).

    Also signs the states: psi0 positive at its largest component, psi1 such that A01 <= 0.
    """
    split = d.e1[rows] - d.e0[rows]
    ld = d.lam_diff[rows]
    delta = split * (d.a00[rows] - d.a11[rows]) / ld
    with np.errstate(divide="ignore"):
        log_e = np.log(split)
        log_d0 = log_e + np.log(np.abs(2.0 * d.a01[rows]) / ld)
    big = np.argmax(np.abs(d.psi0[rows]), axis=1)
    s0 = np.sign(d.psi0[rows][np.arange(big.size), big])
    d.psi0[rows] *= s0[:, None]
    d.psi1[rows] *= np.where(d.a01[rows] * s0 > 0, -1.0, 1.0)[:, None]
    return _Splitting(log_d0=log_d0, delta=delta, log_e=log_e)


def _eigen_doublets(d: _Doublet, rows: NDArray, log_wr: NDArray, delta: NDArray) -> _Splitting:
    """Eigenstate route: Delta0 = 2 |Wr| / (lambda_+ - lambda_-); E from Delta and Delta0.

    ``delta`` is the resolved doublet's Delta [W]; ``log_wr`` is ln|Wr(x_b)| [1].
    """
    ld0 = math.log(2.0) + log_wr - np.log(d.lam_diff[rows])
    with np.errstate(divide="ignore"):
        ldl = np.log(np.abs(delta))
    return _Splitting(log_d0=ld0, delta=delta, log_e=0.5 * _log_add(2.0 * ld0, 2.0 * ldl))


def _localised_doublets(d: _Doublet, rows: NDArray, log_wr: NDArray) -> _Splitting:
    """Localised route: Delta0 from the Wronskian of L, R; Delta = h_RR - h_LL.

    Sets the doublet states psi0 = c L + s R, psi1 = -s L + c R with tan(phi) = Delta0 /
    Delta, c = cos(phi / 2), computed without cancellation.
    """
    ld0 = math.log(2.0) + log_wr - np.log(d.lam_diff[rows])
    dl = d.eb[rows] - d.ea[rows]
    with np.errstate(divide="ignore"):
        ldl = np.log(np.abs(dl))
    le = 0.5 * _log_add(2.0 * ld0, 2.0 * ldl)
    rd = np.sign(dl) * np.exp(ldl - le)  # Delta / E
    rd0 = np.exp(ld0 - le)  # Delta0 / E
    pos = dl >= 0
    c = np.sqrt(0.5 * (1.0 + np.where(pos, rd, -1.0)))
    s = np.sqrt(0.5 * (1.0 - np.where(pos, 1.0, rd)))
    c = np.where(pos, c, rd0 / (2.0 * np.maximum(s, 1e-300)))
    s = np.where(pos, rd0 / (2.0 * np.maximum(c, 1e-300)), s)
    d.psi0[rows] = c[:, None] * d.fa[rows] + s[:, None] * d.fb[rows]
    d.psi1[rows] = -s[:, None] * d.fa[rows] + c[:, None] * d.fb[rows]
    return _Splitting(log_d0=ld0, delta=dl, log_e=le)


def _same_well_doublets(
    eta: NDArray, t: NDArray, plan: _Plan, d: _Doublet, rows: NDArray, tails: NDArray
) -> _Splitting:
    """Same-well route (formal reduction): the P matrix from exponential tails beyond x_b.

    ``tails`` holds per state (ln|psi_n(x_b)|, sign, psi_n'/psi_n at x_b). E = E1 - E0. Signs
    psi1 so that A01 <= 0 (psi0 > 0 was fixed by :func:`_same_well_tails`).
    """
    lv0, sg0, q0 = tails[:, 0, 0], tails[:, 0, 1], tails[:, 0, 2]
    lv1, sg1, q1 = tails[:, 1, 0], tails[:, 1, 1], tails[:, 1, 2]
    left = d.left0[rows]
    e0, e1 = d.e0[rows], d.e1[rows]
    vbx = _pot(plan.xb[rows], eta[rows], t[rows])
    # decay constants away from the well; exponential tails give the P matrix
    k0 = np.where(left, -q0, q0)
    k1 = np.where(left, -q1, q1)
    k0 = np.where(k0 > 0, k0, np.sqrt(np.maximum(vbx - e0, 1e-12)))
    k1 = np.where(k1 > 0, k1, np.sqrt(np.maximum(vbx - e1, 1e-12)))
    big = np.maximum(lv0, lv1)
    r0, r1 = np.exp(lv0 - big), np.exp(lv1 - big)
    t00, t11, t01 = r0 * r0 / (2.0 * k0), r1 * r1 / (2.0 * k1), r0 * r1 / (k0 + k1)
    den = (t00 - t11) ** 2 + 4.0 * t01 * t01
    log_p = np.minimum(
        math.log(4.0) + 2.0 * (lv0 + lv1 - 2.0 * big - np.log(k0 + k1)) - np.log(den), 0.0
    )
    split = e1 - e0
    log_e = np.log(split)
    sgn = np.where(left, np.sign(t11 - t00), np.sign(t00 - t11))
    prod = sg0 * sg1
    flip1 = np.where(left, prod < 0, prod > 0)
    d.psi1[rows] *= np.where(flip1, -1.0, 1.0)[:, None]
    return _Splitting(
        log_d0=log_e + 0.5 * log_p,
        delta=sgn * split * np.sqrt(-np.expm1(np.minimum(log_p, -1e-300))),
        log_e=log_e,
    )


def _observables(
    cols: _Columns,
    d: _Doublet,
    levels: NDArray,
    log_d0: NDArray,
    delta: NDArray,
    log_e: NDArray,
) -> _Reduction:
    """Hellmann–Feynman and off-diagonal elements of the (signed) states; E, Delta0, p."""
    xfull = cols.x
    x2f = np.where(cols.valid, xfull * xfull, 0.0)
    x3f = x2f * xfull
    states = np.stack([d.psi0, d.psi1, d.vectors[:, 2]], axis=1)
    with np.errstate(over="ignore"):
        d0 = np.exp(log_d0)
        p = np.minimum(np.exp(2.0 * (log_d0 - log_e)), 1.0)
    return _Reduction(
        levels=levels,
        x2=np.einsum("nsw,nsw,nw->ns", states, states, x2f),
        x3=np.einsum("nsw,nsw,nw->ns", states, states, x3f),
        x2_01=np.einsum("nw,nw,nw->n", d.psi0, d.psi1, x2f),
        x3_01=np.einsum("nw,nw,nw->n", d.psi0, d.psi1, x3f),
        splitting=np.exp(log_e),
        tunnel_splitting=d0,
        asymmetry=delta,
        p=p,
        log_tunnel_splitting=log_d0,
        method=d.method,
    )


def _state_data(
    plan: _Plan, cols: _Columns, rows: NDArray, f: NDArray, x0: NDArray
) -> tuple[NDArray, NDArray]:
    """psi(x0) and psi'(x0) of DVR vectors f (one per row ``rows`` of the chunk)."""
    bval, bder = _basis_at(plan, rows, cols.x[rows], cols.valid[rows], x0)
    return np.sum(f * bval, axis=1), np.sum(f * bder, axis=1)


def _localised_wronskian(
    eta: NDArray,
    t: NDArray,
    plan: _Plan,
    cols: _Columns,
    d: _Doublet,
    rows: NDArray,
    phase_step: float,
) -> NDArray:
    """ln Wr(x_b) of a near-degenerate tunnelling doublet from localised states L = fa, R = fb.

    L's trace at x_b is alpha_L e_L: e_L is the direction of a solution at energy h_LL grown
    from the right well towards x_b, and alpha_L follows from the Wronskian of L with a solution
    G_L started at the left minimum, W(L, G_L)(x_b) = W(L, G_L)(x_l) + h_LR int G_L R dx (the
    integral is the coupling correction, iterated in :func:`_coupled_wronskian`). Likewise for
    R. All four paths are integrated in the direction in which their solutions grow.
    Neglected: terms of order (h_LR / kappa^2) (h_RR - h_LL) / E, small for near-degenerate
    doublets only. Signs d.fa, d.fb so that L(x_l) > 0 and R(x_r) > 0.
    """
    xb, xl, xr = plan.xb[rows], plan.xl[rows], plan.xr[rows]
    er, etr = eta[rows], t[rows]
    L, R = d.fa[rows], d.fb[rows]
    vl, sl = _state_data(plan, cols, rows, L, xl)
    vr, sr = _state_data(plan, cols, rows, R, xr)
    flip_l = np.where(vl < 0, -1.0, 1.0)
    flip_r = np.where(vr < 0, -1.0, 1.0)
    d.fa[rows] = L * flip_l[:, None]
    d.fb[rows] = R * flip_r[:, None]
    vl, sl, vr, sr = vl * flip_l, sl * flip_l, vr * flip_r, sr * flip_r
    hl, hr = d.ea[rows], d.eb[rows]
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
    return _coupled_wronskian(
        [yend[i * m : (i + 1) * m] for i in range(4)],
        [lend[i * m : (i + 1) * m] for i in range(4)],
        [trace[:, i * m : (i + 1) * m] for i in range(4)],
        nodes,
        (vl * vl + sl * sl, vr * vr + sr * sr),
        d.lam_diff[rows],
    )


def _coupled_wronskian(
    ends: list[NDArray],
    log_ends: list[NDArray],
    traces: list[NDArray],
    nodes: NDArray,
    w0: tuple[NDArray, NDArray],
    lam_diff: NDArray,
) -> NDArray:
    """ln|Wr(x_b)| of L and R from the four paths G_L, e_L, G_R, e_R (in that order).

    ``ends``/``log_ends``: normalised end vectors (psi, psi') at x_b and the logs of their
    scales; ``traces``: the recorded paths; ``nodes``: their nodes (m rows per path);
    ``w0``: W(L, G_L) and W(R, G_R) at the minima; ``lam_diff``: lambda_+ - lambda_- [1].
    The coupling h_LR = -Wr / lam_diff feeds back through the overlap integrals of G_L e_R and
    G_R e_L; three iterations.
    """
    m = lam_diff.size
    g_l, e_l, g_r, e_r = ends
    lg_l, le_l, lg_r, le_r = log_ends
    w0l, w0r = w0
    wl = _wr(e_l, g_l)
    wr_ = _wr(e_r, g_r)
    wlr = _wr(e_l, e_r)
    # integrals of G_L e_R (left side) and G_R e_L (right side), e's scaled to unit end vector
    i_left = _overlap_integral(traces[0], traces[3], -le_r, nodes[:m])
    i_right = _overlap_integral(traces[2], traces[1], -le_l, nodes[m : 2 * m])
    wl_b, wr_b = w0l, w0r
    log_wr = np.zeros(m)
    for _ in range(3):
        log_al = np.log(np.abs(wl_b)) - lg_l - np.log(np.abs(wl))
        log_ar = np.log(np.abs(wr_b)) - lg_r - np.log(np.abs(wr_))
        sign = np.sign(wl_b) * np.sign(wl) * np.sign(wr_b) * np.sign(wr_) * np.sign(wlr)
        log_wr = log_al + log_ar + np.log(np.abs(wlr))
        h_lr = -sign * np.exp(log_wr) / lam_diff
        alpha_l = np.sign(wl_b) * np.sign(wl) * np.exp(log_al)
        alpha_r = np.sign(wr_b) * np.sign(wr_) * np.exp(log_ar)
        wl_b = w0l + h_lr * alpha_r * i_left
        wr_b = w0r - h_lr * alpha_l * i_right
    return log_wr


def _same_well_tails(
    eta: NDArray, t: NDArray, plan: _Plan, cols: _Columns, d: _Doublet, rows: NDArray
) -> NDArray:
    """Tails at x_b of two states in the same well (formal reduction), WKB-continued.

    psi_n is taken from the DVR at x_m, a point on the x_b side where the tail is still well
    resolved (WKB action about half the tail action beyond the turning point, or x_b itself
    when it is closer), and continued to x_b with the WKB solution
    psi ~ kappa^(-1/2) exp(-int kappa dx), kappa = sqrt(V - E_n), accurate to ~1 % there.
    Returns per state (ln|psi_n(x_b)|, sign, psi_n'/psi_n at x_b). Signs d.psi0 positive at
    its largest component (nodeless in its well).
    """
    lay = plan.layout[rows]
    lf = d.left0[rows]
    xb = plan.xb[rows]
    er, etr = eta[rows], t[rows]
    in_b = (lay == _HERM_DOUBLE) & ~lf  # both states in the right-well block
    tail = np.where(in_b, plan.tail_b[:, rows], plan.tail_a[:, rows])
    xm = np.where(lf, np.minimum(xb, tail[1]), np.maximum(xb, tail[0]))
    bval, _ = _basis_at(plan, rows, cols.x[rows], cols.valid[rows], xm)
    big = np.argmax(np.abs(d.psi0[rows]), axis=1)
    s0 = np.sign(d.psi0[rows][np.arange(rows.size), big])
    d.psi0[rows] *= s0[:, None]
    gl_x, gl_w = np.polynomial.legendre.leggauss(16)
    half = 0.5 * (xb - xm)
    xq = 0.5 * (xb + xm)[:, None] + half[:, None] * gl_x[None, :]
    vq = _pot(xq, er[:, None], etr[:, None])
    vb = _pot(xb, er, etr)
    vm = _pot(xm, er, etr)
    dvb = xb * (2.0 * er + xb * (3.0 * etr + 4.0 * xb))
    out = np.empty((rows.size, 2, 3))
    for j, (f, en) in enumerate(((d.psi0[rows], d.e0[rows]), (d.psi1[rows], d.e1[rows]))):
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
    plan: _Plan,
    cols: _Columns,
    d: _Doublet,
    rows: NDArray,
    phase_step: float,
) -> tuple[NDArray, NDArray]:
    """Traces (psi, psi') at x_b of the eigenstates psi_0, psi_1, and ln|Wr(x_b)|.

    Each eigenstate satisfies the Schrödinger equation at its own energy exactly. The
    direction of its trace at x_b is that of the solution decaying on the far side, integrated
    from the far edge of the window (WKB decaying tail; the action from the turning point is at
    least the tail action there, so the start is exact to ~exp(-2 tau)) towards x_b. Its size
    follows from the Wronskian with a solution G_n started at the near-side minimum with
    (-psi_n', psi_n): W(psi_n, G_n) = psi_n^2 + psi_n'^2 is constant. Returns per state
    (ln|psi_n(x_b)|, sign psi_n(x_b), psi_n'/psi_n at x_b) and ln|W(psi_0, psi_1)(x_b)|.
    Signs d.psi0 positive at its near-side minimum.
    """
    xb = plan.xb[rows]
    er, etr = eta[rows], t[rows]
    m = rows.size
    starts, ys, ens, near = [], [], [], []
    for f, en, left in ((d.psi0, d.e0, d.left0), (d.psi1, d.e1, d.left1)):
        lf = left[rows]
        xn = np.where(lf, plan.xl[rows], plan.xr[rows])
        v, s = _state_data(plan, cols, rows, f[rows], xn)
        near.append((v, s))
        starts.append(xn)
        ys.append(np.stack([-s, v], axis=1))
        ens.append(en[rows])
        xf = np.where(lf, plan.edge_hi[rows], plan.edge_lo[rows])
        kap = np.sqrt(np.maximum(_pot(xf, er, etr) - en[rows], 1e-300))
        starts.append(xf)
        ys.append(np.stack([np.ones(m), np.where(lf, -kap, kap)], axis=1))
        ens.append(en[rows])
    flip0 = np.where(near[0][0] < 0, -1.0, 1.0)
    d.psi0[rows] *= flip0[:, None]
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
