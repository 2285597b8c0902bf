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

Code: this module holds the interface and the chunk driver (potentials are solved in chunks of
at most 2048, spread over the package's threads, :mod:`dynamics.parallel`); each chunk goes
through :func:`dynamics.exact.solver_plan.plan_basis` (window and layout),
:mod:`dynamics.exact.solver_dvr` (blocks, batched ``eigh``, full basis),
:func:`dynamics.exact.solver_reduction.two_level` (routes and reduction) and
:mod:`dynamics.exact.solver_magnus` (Wronskian reconstruction). The data passed between them are
frozen dataclasses with documented fields.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.exact.solver_dvr import assemble_columns, block_states
from dynamics.exact.solver_plan import landscape, plan_basis
from dynamics.exact.solver_reduction import METHOD_DIRECT as METHOD_DIRECT
from dynamics.exact.solver_reduction import METHOD_EIGEN as METHOD_EIGEN
from dynamics.exact.solver_reduction import METHOD_LOCALISED as METHOD_LOCALISED
from dynamics.exact.solver_reduction import METHOD_SAME_WELL as METHOD_SAME_WELL
from dynamics.exact.solver_reduction import Reduction, two_level
from dynamics.parallel import map_threads, single_threaded_blas, thread_count
from dynamics.validation import ParameterError, check_finite

# METHOD_* (route codes of SoftPotentialSpectrum.method) are defined with the routes, in
# dynamics.exact.solver_reduction, and re-exported here.
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

_CHUNK = 2048  # largest chunk of potentials solved together (bounds memory) [1]
_MIN_CHUNK = 256  # smallest chunk worth a thread of its own [1]
# A batch of fewer than _SPLIT * _CHUNK potentials is cut into up to this many chunks (at least
# _MIN_CHUNK each) so that threads can share it. Fixed, not the thread count: a potential's
# result depends (at the last bit) on the chunk it is solved in (common Magnus step counts,
# padded widths), and must not depend on the number of threads. [1]
_SPLIT = 2
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
    xb = landscape(eta_a.ravel(), np.abs(t_a).ravel())[0]
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
        ``int sqrt(abs(V - E) + 1) dx`` per Magnus step (default 0.1); the error of ln Delta0 falls
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
    under (eta, t) -> (eta, -t) (the solver works with ``abs(t)`` and reflects x); equivalent points
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


@dataclass(frozen=True)
class _ChunkResult(Reduction):
    """Everything :class:`SoftPotentialSpectrum` holds for a chunk (flat, signed t).

    Adds to :class:`Reduction` (after the reflection for t < 0):

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
        plan = plan_basis(eta, t, basis_size, resolution)
        states = block_states(eta, t, plan)
        cols, cand = assemble_columns(plan, states)
        res = two_level(eta, t, plan, cols, cand, phase_step, force=_FORCE)
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
