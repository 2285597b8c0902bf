"""Magnus integration of psi'' = (V - E) psi for the soft-potential solver.

Part of :mod:`dynamics.exact.solver` (eq. (2.6); method in ``docs/spectrum.md``): the Wronskian
routes integrate the Schrödinger equation from the well minima (or the window edges) towards
the barrier top, in the direction in which the solutions grow, with the sixth-order Magnus
method of Blanes, Casas and Ros (BIT 40, 434 (2000)), on nodes spaced uniformly in the WKB
phase.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from dynamics.exact.solver_plan import potential


def _phase(
    eta: NDArray, t: NDArray, energy: NDArray, xs: NDArray, xe: NDArray, fine: int
) -> NDArray:
    """Cumulative phase int sqrt(|V - E| + 1) |dx| from xs on ``fine`` uniform points."""
    u = np.linspace(0.0, 1.0, fine)
    x = xs[:, None] + (xe - xs)[:, None] * u[None, :]
    w = np.sqrt(np.abs(potential(x, eta[:, None], t[:, None]) - energy[:, None]) + 1.0)
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


def path_nodes(
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


def bucketed_magnus(
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
        yend[sel], lend[sel], _ = magnus(eta[sel], t[sel], energy[sel], nodes, y0[sel])
    return yend, lend


def magnus(
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
    the exact exponential of a traceless 2x2 matrix. Returns the final vector normalised to
    max-norm 1, the log of its norm (relative to the initial vector as given) and, if
    ``record``, psi at all nodes as (normalised value, log scale), shape (2, m, steps + 1).
    """
    m00, m01, m10, m11 = _magnus_steps(eta, t, energy, nodes)
    if not record:
        return (*_product_apply(m00, m01, m10, m11, y0), None)
    return _recorded_product(m00, m01, m10, m11, y0)


def _magnus_steps(
    eta: NDArray, t: NDArray, energy: NDArray, nodes: NDArray
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Entries of the step matrices exp(Omega_k) of :func:`magnus`, shape (paths, steps).

    Omega is the sixth-order, three-point Gauss–Legendre Magnus exponent of Blanes, Casas and
    Ros for the sl(2) generator A(x) = [[0, 1], [V(x) - E, 0]]; its exponential is written out
    (cosh/sinh, or cos/sin, of the square root of -det Omega).
    """
    hh = np.diff(nodes, axis=1)
    mid = 0.5 * (nodes[:, 1:] + nodes[:, :-1])
    ee, tt, et = eta[:, None], t[:, None], energy[:, None]
    g = math.sqrt(15.0) / 10.0
    q1 = potential(mid - g * hh, ee, tt) - et
    q2 = potential(mid, ee, tt) - et
    q3 = potential(mid + g * hh, ee, tt) - et
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


def wronskian(u: NDArray, v: NDArray) -> NDArray:
    """Wronskian u0 v1 - v0 u1 of traces u = (psi, psi'), v = (phi, phi')."""
    return u[:, 0] * v[:, 1] - v[:, 0] * u[:, 1]


def log_add(la: NDArray, lb: NDArray) -> NDArray:
    """ln(exp(la) + exp(lb)) without overflow."""
    m = np.maximum(la, lb)
    return m + np.log1p(np.exp(np.minimum(la, lb) - m))


def overlap_integral(tr_a: NDArray, tr_b: NDArray, log_scale_b: NDArray, nodes: NDArray) -> NDArray:
    """Trapezoid integral over |dx| of path a times path b (b rescaled by exp(log_scale_b))."""
    la = np.log(np.maximum(np.abs(tr_a[0]), 1e-300)) + tr_a[1]
    lb = np.log(np.maximum(np.abs(tr_b[0]), 1e-300)) + tr_b[1] + log_scale_b[:, None]
    f = np.sign(tr_a[0]) * np.sign(tr_b[0]) * np.exp(np.minimum(la + lb, 700.0))
    dx = np.abs(np.diff(nodes, axis=1))
    return np.sum(0.5 * (f[:, 1:] + f[:, :-1]) * dx, axis=1)
