r"""Relaxation of the TLS occupations under a temperature history.

Every bin obeys :math:`dn/dt = -k(T)\,[n - n_{eq}(E, T(t))]`, :math:`k = p\,r(E, T)` (see
:func:`bin_rates`). The state is :math:`\delta n = n - n_{eq}(E, T_0)`, the departure from the
initial equilibrium at :math:`T_0`, so small steps lose no digits.

* While :math:`T` is constant the solution is exact:
  :math:`\delta n(t) = \delta n(t_a) + [\delta n_{eq} - \delta n(t_a)](1 - e^{-k(t-t_a)})`.
  Output times inside such a segment are evaluated directly (chunked over time, so memory does
  not grow with the number of output times).
* Where :math:`T(t)` varies continuously: an exponential integrator that is exact for constant
  :math:`k` and linearly varying :math:`n_{eq}` (first-order hold, :math:`k` at the midpoint),
  :math:`\delta n(t+h) = \delta n_{eq,1} + (\delta n - \delta n_{eq,0})e^{-z}
  - (\delta n_{eq,1} - \delta n_{eq,0})\,\varphi(z)`, :math:`z = kh`,
  :math:`\varphi(z) = (1 - e^{-z})/z`; second order in :math:`h`, unconditionally stable, and
  with step-doubling error control: a step is accepted when the difference between one step and
  two half steps, in every observable (strain and heat of each type), is below ``rtol`` times
  the largest sum of the magnitudes of the bins' contributions to it so far.

A temperature history is a list of :class:`Segment`\ s covering :math:`[0, \infty)`; before
:math:`t = 0` the glass is in equilibrium at ``initial_temperature``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.isolated import HeatBalance, IsolatedState, StepTooLong, balance_temperature
from dynamics.parallel import map_threads, single_threaded_blas
from dynamics.quadrature import Ensemble
from dynamics.rates import _rates, relaxation_rates
from dynamics.thermal import _occupation_derivative, _OccupationShift
from dynamics.units import K_B
from dynamics.validation import (
    NumericalError,
    ParameterError,
    check_all_finite,
    check_positive,
    check_range,
)

FloatArray = NDArray[np.float64]

#: Largest number of array elements (output times x bins) evaluated at once in one thread: a
#: buffer of 512 KB, which stays in the CPU's L2 cache (2^18 elements ran 1.5-3x slower). [1]
CHUNK_ELEMENTS = 1 << 16
#: Smallest sum (bins x times) spread over threads; smaller ones run in the calling thread (one
#: Gamma point of an asymptotic ensemble, 8000 bins x 66 times, took 15 % more CPU threaded). [1]
THREADED_ELEMENTS = 1 << 20
#: Smallest relative temperature change the integrator resolves: 1000 rounding units. [1]
TEMPERATURE_RESOLUTION = 1000.0 * float(np.finfo(float).eps)


@dataclass(frozen=True)
class Segment:
    """A piece of a temperature history on ``[start, stop)``.

    Parameters
    ----------
    start, stop
        Ends of the segment; ``stop`` may be ``inf``. [s]
    temperature
        A constant temperature [K], or a function of time [s] returning the temperature [K]
        (continuous on the segment).
    """

    start: float
    stop: float
    temperature: float | Callable[[FloatArray], FloatArray]

    @property
    def is_constant(self) -> bool:
        """Whether the temperature is constant on the segment."""
        return not callable(self.temperature)

    def temperature_at(self, t: ArrayLike) -> FloatArray:
        """Temperature at times inside the segment. [K]"""
        if callable(self.temperature):
            return np.asarray(self.temperature(np.asarray(t, dtype=float)), dtype=float)
        return np.full(np.shape(t), float(self.temperature))

    def temperature_checked(self, t: float) -> float:
        """The temperature at one time ``t`` [s], checked (> 0 and finite; a
        :class:`ParameterError` naming it otherwise) at the cost of one comparison: the
        boundary between a history's T(t) and the engine's unchecked kernels. [K]"""
        if callable(self.temperature):
            value = float(self.temperature(np.asarray(t, dtype=float)))
        else:
            value = float(self.temperature)
        if not 0.0 < value < math.inf:
            check_positive("temperature", value, "K")
        return float(value)


@dataclass(frozen=True)
class Response:
    """Strain and heat of each TLS type relative to the start, at the output times.

    Attributes
    ----------
    times
        Output times. [s]
    temperature
        Bath (sample) temperature at each time. [K]
    strain
        Volume strain :math:`\\varepsilon` of each type, shape (n_types, n_times). [1]
    heat
        Heat taken up by each type, shape (n_types, n_times). [J m-3]
    tls_types
        Names of the types.
    steps
        Number of accepted integrator steps (0 where the history is piecewise constant).
    """

    times: FloatArray
    temperature: FloatArray
    strain: FloatArray
    heat: FloatArray
    tls_types: tuple[str, ...]
    steps: int = 0


def bin_rates(ensemble: Ensemble, temperature: float) -> FloatArray:
    r"""Relaxation rate of every bin, :math:`k = p\,[A(E/k_B)^3 + s(T)B(E/k_B)]\coth(E/2k_BT)`
    :math:`+ \sum_i \nu_i e^{-V_i/k_BT}`: :func:`dynamics.rates.relaxation_rates` of the bins'
    constants (one-phonon, conduction electrons suppressed by :math:`s(T)` below
    :math:`T_c`, thermal activation of each well).

    Parameters
    ----------
    ensemble
        The bins.
    temperature
        :math:`T`. [K]

    Returns
    -------
    ndarray
        Rates. [s-1]
    """
    return relaxation_rates(ensemble.rate_constants, temperature)


def _observe_relaxation(
    weights: FloatArray, rates: FloatArray, elapsed: FloatArray, out: FloatArray
) -> None:
    """out[:, i] = weights @ (1 - exp(-rates * elapsed[i])): the one reduction of relaxed bins
    to observables (the rows of ``weights``: strain and heat of each type, or any other).

    Chunked over the elapsed times and, within a chunk, over blocks of bins, in one buffer of at
    most :data:`CHUNK_ELEMENTS` elements laid out (times, bins) so that the sum over bins (a
    single-threaded BLAS product, 1.7x faster than einsum's loop) runs along contiguous memory
    and the buffer stays in the CPU cache (memory does not grow with the number of times); the
    chunks are spread over the package's threads (:mod:`dynamics.parallel`; numpy releases the
    GIL in its ufuncs). Every chunk is computed alone, in an order fixed by the numbers of bins
    and times, so the result depends neither on the threading nor on what else is computed.
    """
    n_bins = rates.size
    block = max(1, min(n_bins, CHUNK_ELEMENTS))
    chunk = max(1, CHUNK_ELEMENTS // block)
    starts = list(range(0, elapsed.size, chunk))

    def work(first: int) -> None:
        neg = -elapsed[first : first + chunk]
        buffer = np.empty((neg.size, block))
        total = np.zeros((weights.shape[0], neg.size))
        # BLAS on this thread only: its own threads would compete with the package's
        with single_threaded_blas():
            for lo in range(0, n_bins, block):
                part = buffer[:, : min(block, n_bins - lo)]
                np.multiply.outer(neg, rates[lo : lo + block], out=part)
                np.expm1(part, out=part)  # e^{-k t} - 1
                total -= weights[:, lo : lo + block] @ part.T
        out[:, first : first + chunk] = total

    # threads pay only for larger sums: below, handing chunks over costs more than it saves
    map_threads(work, starts, threads=1 if n_bins * elapsed.size < THREADED_ELEMENTS else None)


def linear_response(
    ensemble: Ensemble, temperature: float, times: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    r"""Response to an infinitesimal step :math:`\Delta T` at :math:`t = 0`, per unit :math:`\Delta
    T`.

    :math:`\delta n/\Delta T = (\partial n_{eq}/\partial T)(1 - e^{-kt})`, exact; returns
    :math:`\alpha_j(t) = \varepsilon_j/\Delta T` and :math:`C_j(t) = U_j/\Delta T` per type.

    Parameters
    ----------
    ensemble
        The bins.
    temperature
        :math:`T` (the step's lower end). [K]
    times
        Times after the step, :math:`\tau_\mathrm{expt}`. [s]

    Returns
    -------
    (alpha, heat_capacity)
        Shapes (n_types, n_times): [K-1] and [J m-3 K-1].
    """
    t = float(check_positive("temperature", temperature, "K"))
    tau = check_range("times", times, 0.0, low_open=False, unit="s").ravel()
    out = _linear_response(ensemble, t, tau)
    n = len(ensemble.tls_types)
    return out[:n], out[n:]


def _linear_response(ensemble: Ensemble, temperature: float, tau: FloatArray) -> FloatArray:
    """:func:`linear_response` unchecked: every row of the observation matrix, (rows, times)."""
    weights = ensemble.observation_matrix * _occupation_derivative(
        ensemble.energy_kelvin, temperature
    )
    out = np.empty((weights.shape[0], tau.size))
    _observe_relaxation(weights, _rates(ensemble.rate_constants, temperature), tau, out)
    return out


def equilibrium_heat_capacity(ensemble: Ensemble, temperature: float) -> FloatArray:
    r""":math:`C_j(\infty) = \int\!\!\int N_jE\,\partial n_{eq}/\partial T\,dE\,dp` over all p in
    (0, 1].

    The bins plus the closed-form tail below :math:`p_\mathrm{min}(E)`.

    Parameters
    ----------
    ensemble
        The bins.
    temperature
        :math:`T`. [K]

    Returns
    -------
    ndarray
        Per type. [J m-3 K-1]
    """
    t = float(check_positive("temperature", temperature, "K"))
    return _equilibrium_heat_capacity(ensemble, t)


def _equilibrium_heat_capacity(ensemble: Ensemble, temperature: float) -> FloatArray:
    r""":func:`equilibrium_heat_capacity` unchecked: the heat rows of the observation matrix
    (per type) times :math:`\partial n_{eq}/\partial T`, summed, plus the tail. [J m-3 K-1]"""
    n = len(ensemble.tls_types)
    heat_rows = ensemble.observation_matrix[n:]
    bins = np.einsum(
        "ob,b->o", heat_rows, _occupation_derivative(ensemble.energy_kelvin, temperature)
    )
    tail = (
        ensemble.tail_number_density
        * ensemble.tail_energy
        * _occupation_derivative(ensemble.tail_energy / K_B, temperature)
    )
    return bins + np.bincount(ensemble.tail_kind, weights=tail, minlength=n)


def _check_times(times: ArrayLike) -> FloatArray:
    t = check_range("times", times, 0.0, low_open=False, unit="s")
    if t.ndim > 1:
        raise ParameterError(f"times has shape {t.shape}; give a 1-D list of output times [s]")
    t = t.ravel()
    if t.size == 0:
        raise ParameterError("times is empty; give at least one output time [s]")
    if np.any(np.diff(t) < 0):
        raise ParameterError("times must be non-decreasing [s]")
    return t


def _check_segments(segments: Sequence[Segment]) -> None:
    if not segments or segments[0].start != 0.0:
        raise ParameterError("the temperature history must start at t = 0 s")
    for a, b in itertools.pairwise(segments):
        if b.start != a.stop:
            raise ParameterError(f"temperature history has a gap or overlap at t = {a.stop:.6g} s")
    if not math.isinf(segments[-1].stop):
        raise ParameterError("the temperature history must extend to t = inf")


class _Integrator:
    """Adaptive exponential integrator over continuous segments (module docstring)."""

    def __init__(self, ensemble: Ensemble, initial_temperature: float, rtol: float) -> None:
        self.ensemble = ensemble
        self.rates = ensemble.rate_constants
        self.shift = _OccupationShift(ensemble.energy_kelvin, initial_temperature)
        self.t0 = initial_temperature
        self.rtol = rtol
        self.matrix = ensemble.observation_matrix
        self.abs_matrix = np.abs(self.matrix)
        self.steps = 0
        #: largest magnitude of each observable's bin contributions so far: errors are measured
        #: against it, so the tolerance does not shrink as a response decays back to zero
        self.peak = np.zeros(self.matrix.shape[0])
        #: the magnitudes of the step last estimated (:meth:`error_ratio`), for :meth:`accept`
        self.magnitude = self.peak
        #: the error no step can beat: the response to a change of the temperature by
        #: TEMPERATURE_RESOLUTION (a thousand rounding units of T), which is all a history whose
        #: T(t) moves by less than its own rounding at a step (e.g. 0.1 K over 1e20 s) can resolve
        self.floor = TEMPERATURE_RESOLUTION * (
            self.abs_matrix
            @ (_occupation_derivative(ensemble.energy_kelvin, initial_temperature) * self.t0)
        )

    def error_ratio(self, accepted: FloatArray, eq_end: FloatArray, other: FloatArray) -> float:
        """Largest error of the observables over rtol x their scale (the step-doubling estimate),
        or over the floor of resolvable errors where that is larger."""
        err = np.abs(self.matrix @ (accepted - other))
        self.magnitude = self.abs_matrix @ (np.abs(accepted) + np.abs(eq_end))
        scale = np.maximum(self.magnitude, self.peak) + 1e-300
        ratio = err / scale / self.rtol
        floored = err / np.maximum(self.floor, 1e-300)
        return float(np.max(np.minimum(ratio, floored)))

    def accept(self) -> None:
        """Count the step just estimated by :meth:`error_ratio` as accepted: its magnitudes
        join the peak."""
        self.steps += 1
        self.peak = np.maximum(self.peak, self.magnitude)

    def eq(self, temperature: float) -> FloatArray:
        r""":math:`\delta n_{eq}(T)` of every bin relative to the initial equilibrium. [1]"""
        return self.shift.at(temperature)

    def step(
        self, dn: FloatArray, eq_a: FloatArray, eq_b: FloatArray, t_mid: float, h: float
    ) -> FloatArray:
        r""":math:`\delta n` after one exponential step of ``h`` [s], rates at ``t_mid`` [K]:
        :math:`\delta n_{eq,b} + (\delta n - \delta n_{eq,a})e^{-z}
        - (\delta n_{eq,b} - \delta n_{eq,a})\varphi(z)`, :math:`z = kh`; :math:`e^{-z}` as
        ``expm1(-z) + 1`` (one transcendental function per bin)."""
        z = _rates(self.rates, t_mid)
        z *= h
        em1 = np.expm1(-z)  # e^{-z} - 1
        out = dn - eq_a
        out *= em1
        out += dn  # (dn - eq_a) e^{-z} + eq_a
        change = eq_b - eq_a
        out += change
        change *= em1
        change /= z  # -(eq_b - eq_a) phi
        out += change
        return out

    def advance(
        self, dn: FloatArray, segment: Segment, start: float, stop: float, h: float
    ) -> tuple[FloatArray, float]:
        """Integrate from ``start`` to ``stop``; returns the state and the next step size."""
        t = start
        temp = segment.temperature_checked
        eq_a = self.eq(temp(t))
        while t < stop:
            h = min(h, stop - t)
            last = h >= stop - t
            t_half = t + 0.5 * h
            t_end = stop if last else t + h
            eq_half = self.eq(temp(t_half))
            eq_b = self.eq(temp(t_end))
            full = self.step(dn, eq_a, eq_b, temp(t + 0.5 * h), h)
            half = self.step(dn, eq_a, eq_half, temp(t + 0.25 * h), 0.5 * h)
            two = self.step(half, eq_half, eq_b, temp(t + 0.75 * h), 0.5 * h)
            ratio = self.error_ratio(two, eq_b, full)
            if not math.isfinite(ratio):
                _non_finite(two, full, t, h)
            if ratio <= 1.0:
                dn, eq_a, t = two, eq_b, t_end
                self.accept()
                h = grown_step(h, ratio)
            else:
                h = shrunk_step(h, ratio, t, "exponential integrator")
        return dn, h


def grown_step(h: float, ratio: float) -> float:
    r"""The next step [s] after an accepted step of ``h`` [s] with error ratio ``ratio`` <= 1:
    :math:`h\,\min(4, 0.9\,r^{-1/3})` (the step-doubling error of the exponential integrator
    scales as :math:`h^3`; 0.9 is the safety factor, 4 the largest growth)."""
    return h * (min(4.0, 0.9 * ratio ** (-1.0 / 3.0)) if ratio > 0 else 4.0)


def shrunk_step(h: float, ratio: float, t: float, integrator: str) -> float:
    r"""The retry step [s] after a rejected step of ``h`` [s] at ``t`` [s] with error ratio
    ``ratio`` > 1: :math:`h\,\max(0.1, 0.9\,r^{-1/3})`.

    Raises
    ------
    NumericalError
        The step underflows (below 1e-300 s, or too small to change ``t``); the message names
        ``integrator``.
    """
    h = h * max(0.1, 0.9 * ratio ** (-1.0 / 3.0))
    if h < 1e-300 or t + h == t:
        raise NumericalError(
            f"{integrator}: step size {h:.3g} s underflows at t = {t:.6g} s "
            f"(error ratio {ratio:.3g})"
        )
    return h


def _non_finite(two: FloatArray, full: FloatArray, t: float, h: float) -> None:
    """Raise :class:`NumericalError` for a non-finite state or error estimate (never retry)."""
    where = f"the exponential integrator's step from t = {t:.6g} s (h = {h:.3g} s)"
    check_all_finite("the occupation state (two half steps)", two, where)
    check_all_finite("the occupation state (one full step)", full, where)
    raise NumericalError(f"the step-doubling error estimate is not finite in {where}")


def propagate(
    ensemble: Ensemble,
    initial_temperature: float,
    segments: Sequence[Segment],
    times: ArrayLike,
    *,
    rtol: float = 1e-6,
    progress: Callable[[float], None] | None = None,
) -> Response:
    """Relax every bin through a temperature history and observe strain and heat.

    Segment by segment: exactly where the temperature is constant (:func:`_relax_constant`),
    by the adaptive exponential integrator where it varies (:func:`_relax_continuous`); both
    as in the module docstring. Stops after the segment holding the last output time.

    Parameters
    ----------
    ensemble
        The bins.
    initial_temperature
        Equilibrium temperature before :math:`t = 0`. [K]
    segments
        The history on :math:`[0, \\infty)`, in order.
    times
        Non-decreasing output times >= 0. [s]
    rtol
        Relative tolerance of the integrator on continuous segments (module docstring); the
        default 1e-6 keeps its error ten times below the (E, p) quadrature's 1e-5. [1]
    progress
        Called with the fraction of the output times done.

    Returns
    -------
    Response
        Strain and heat per type at ``times``.
    """
    t0 = float(check_positive("initial_temperature", initial_temperature, "K"))
    out_t = _check_times(times)
    _check_segments(segments)
    check_range("rtol", rtol, 0.0, 1e-2)
    observed = np.empty((ensemble.observation_matrix.shape[0], out_t.size))
    temperature = np.empty(out_t.size)
    dn = np.zeros(ensemble.size)
    integrator = _Integrator(ensemble, t0, rtol)
    h = math.inf
    for seg in segments:
        inside = np.flatnonzero((out_t >= seg.start) & (out_t < seg.stop))
        later = bool(np.any(out_t >= seg.stop))
        if inside.size:
            temperature[inside] = seg.temperature_at(out_t[inside])
        output = _Outputs(out_t, inside, observed, progress)
        if seg.is_constant:
            dn = _relax_constant(integrator, seg, dn, output, later)
        else:
            dn, h = _relax_continuous(integrator, seg, dn, output, later, h)
        if not later:
            break
    n = len(ensemble.tls_types)
    return Response(
        times=out_t,
        temperature=temperature,
        strain=observed[:n],
        heat=observed[n:],
        tls_types=ensemble.tls_types,
        steps=integrator.steps,
    )


@dataclass(frozen=True)
class _Outputs:
    """The output times of a run and where their observables go, for one segment.

    Attributes
    ----------
    times
        All output times of the run. [s]
    inside
        Indices of the times inside the segment.
    observed
        Strain [1] then heat [J m-3] of each type at every time, filled in place.
    progress
        Called with the fraction of the output times done, or None.
    """

    times: FloatArray
    inside: NDArray[np.intp]
    observed: FloatArray
    progress: Callable[[float], None] | None

    def report(self, done: int) -> None:
        """Report ``done`` of the output times as done."""
        if self.progress is not None:
            self.progress(done / self.times.size)


def _relax_constant(
    integrator: _Integrator, seg: Segment, dn: FloatArray, output: _Outputs, later: bool
) -> FloatArray:
    r"""Relax through a segment of constant temperature, exactly (module docstring).

    Observes at the output times inside the segment (chunked, :func:`_observe_relaxation`) and
    returns :math:`\delta n` [1] at its end if output times follow (``later``), else ``dn``.
    """
    temp = seg.temperature_checked(seg.start)
    rates = _rates(integrator.ensemble.rate_constants, temp)
    target = integrator.eq(temp) - dn
    matrix = integrator.matrix
    inside = output.inside
    if inside.size:
        block = np.empty((matrix.shape[0], inside.size))
        _observe_relaxation(matrix * target, rates, output.times[inside] - seg.start, block)
        output.observed[:, inside] = (matrix @ dn)[:, None] + block
        output.report(inside[-1] + 1)
    if later:
        dn = dn + target * -np.expm1(-rates * (seg.stop - seg.start))
    return dn


def _relax_continuous(
    integrator: _Integrator,
    seg: Segment,
    dn: FloatArray,
    output: _Outputs,
    later: bool,
    h: float,
) -> tuple[FloatArray, float]:
    r"""Relax through a segment of continuously varying temperature by the adaptive
    exponential integrator (:meth:`_Integrator.advance`), stopping at each output time inside.

    The first step ``h`` [s] is no longer than the step carried over from earlier segments,
    the time to the first output inside, or a thousandth of the segment. Returns
    :math:`\delta n` [1] at the segment's end if output times follow (``later``), else at its
    last output time, and the next step size [s].
    """
    out_t, inside = output.times, output.inside
    cursor = seg.start
    h = min(
        h,
        (out_t[inside[0]] - seg.start)
        if inside.size and out_t[inside[0]] > seg.start
        else (seg.stop - seg.start) * 1e-3,
    )
    h = max(h, 1e-300)
    for i in inside:
        if out_t[i] > cursor:
            dn, h = integrator.advance(dn, seg, cursor, float(out_t[i]), h)
            cursor = float(out_t[i])
        output.observed[:, i] = integrator.matrix @ dn
        output.report(i + 1)
    if later and seg.stop > cursor:
        dn, h = integrator.advance(dn, seg, cursor, seg.stop, h)
    return dn, h


@dataclass(frozen=True)
class IsolatedResponse(Response):
    """:class:`Response` of an isolated sample, with its energy accounts.

    Attributes
    ----------
    heat_phonon
        Heat held by the phonons above the bath temperature. [J m-3]
    heat_to_bath
        Heat that has left through the link since t = 0. [J m-3]
    """

    heat_phonon: FloatArray = dataclasses.field(default_factory=lambda: np.zeros(0))
    heat_to_bath: FloatArray = dataclasses.field(default_factory=lambda: np.zeros(0))


def propagate_isolated(
    ensemble: Ensemble,
    bath_temperature: float,
    energy: float,
    debye_coefficient: float,
    times: ArrayLike,
    *,
    link_conductance: float = 0.0,
    reservoir_heat_content: Callable[[float], float] | None = None,
    rtol: float = 1e-6,
    progress: Callable[[float], None] | None = None,
) -> IsolatedResponse:
    r"""Heat ``energy`` deposited at t = 0 in an isolated sample; T(t) from energy conservation.

    The phonons (:math:`U_{ph} = \beta T^4/4`) take the heat at once:
    :math:`T(0^+) = (T_b^4 + 4Q/\beta)^{1/4}`. Afterwards every step solves for the temperature
    :math:`T_1` at its end such that

    .. math:: U_{ph}(T_1) + U_r(T_1) + \sum w E\,\delta n(T_1) + Q_\mathrm{link}
              = U_{ph}(T_b) + U_r(T_b) + Q,

    with :math:`\delta n` advanced by the exponential integrator (rates at the mid-step
    temperature, :math:`n_{eq}` linear in time) and the link heat
    :math:`G h[(T_0 + T_1)/2 - T_b]`. The equation is monotonic in :math:`T_1` and solved (secant,
    Brent as fallback) until :math:`T_1` moves by < 1e-14 relative, so the energy balance holds
    to rounding at every step (:mod:`dynamics.isolated`). Step size by step doubling on
    temperature, strain and heat (``rtol``; :func:`_advance_isolated`).

    Parameters
    ----------
    ensemble
        The bins.
    bath_temperature
        :math:`T_b`: the equilibrium before t = 0, and the bath's temperature. [K]
    energy
        :math:`Q`, heat per volume deposited at t = 0. [J m-3]
    debye_coefficient
        :math:`\beta` of the phonons, > 0. [J m-3 K-4]
    times
        Non-decreasing output times > 0. [s]
    link_conductance
        :math:`G`, conductance of the link per volume (0: isolated). [W m-3 K-1]
    reservoir_heat_content
        :math:`U_r(T)` [J m-3] of what else follows T at once like the phonons: conduction
        electrons, instantaneous parts of a soft-potential glass
        (:func:`dynamics.response.isolated_trajectory`); None for phonons alone.
    rtol
        Relative tolerance of a step. [1]
    progress
        Called with the fraction of the run done (in log time).

    Returns
    -------
    IsolatedResponse
        Temperature, strain, heat per type, phonon heat and heat to the bath at ``times`` (the
        heat of the rest of the reservoir follows from the temperature:
        :func:`dynamics.response.imposed_trajectory`).
    """
    t_b, q, beta, g_link, out_t = _check_isolated(
        bath_temperature, energy, debye_coefficient, link_conductance, times, rtol
    )
    integ = _Integrator(ensemble, t_b, rtol)
    balance = HeatBalance.after_pulse(integ, ensemble, t_b, q, beta, g_link, reservoir_heat_content)
    temperature = balance.initial_temperature(q)
    state = IsolatedState(temperature, np.zeros(ensemble.size), integ.eq(temperature), 0.0)
    t = 0.0
    h = out_t[0] * 1e-3
    observed = np.empty((integ.matrix.shape[0], out_t.size))
    temps = np.empty(out_t.size)
    links = np.empty(out_t.size)
    log_span = math.log(out_t[-1] / out_t[0]) or 1.0
    for i, target in enumerate(out_t):
        state, t, h = _advance_isolated(balance, integ, state, t, target, h)
        observed[:, i] = integ.matrix @ state.occupation
        temps[i] = state.temperature
        links[i] = state.link_heat
        if progress is not None:
            progress(math.log(target / out_t[0]) / log_span)
    return _isolated_response(ensemble, balance, out_t, temps, observed, links, integ.steps)


def _check_isolated(
    bath_temperature: float,
    energy: float,
    debye_coefficient: float,
    link_conductance: float,
    times: ArrayLike,
    rtol: float,
) -> tuple[float, float, float, float, FloatArray]:
    """The arguments of :func:`propagate_isolated` checked, in its order and units:
    ``(T_b [K], Q [J m-3], beta [J m-3 K-4], G [W m-3 K-1], times [s])``; ``rtol`` [1] is
    checked only. Raises :class:`ParameterError` naming the first bad one."""
    t_b = float(check_positive("bath_temperature", bath_temperature, "K"))
    q = float(check_positive("energy", energy, "J m-3"))
    beta = float(check_positive("debye_coefficient", debye_coefficient, "J m-3 K-4"))
    g_link = float(
        check_range("link_conductance", link_conductance, 0.0, low_open=False, unit="W m-3 K-1")
    )
    out_t = _check_times(times)
    if out_t[0] <= 0:
        raise ParameterError("times must be > 0 s for an isolated pulse (T jumps at t = 0)")
    check_range("rtol", rtol, 0.0, 1e-2)
    return t_b, q, beta, g_link, out_t


def _advance_isolated(
    balance: HeatBalance,
    integ: _Integrator,
    state: IsolatedState,
    t: float,
    target: float,
    h: float,
) -> tuple[IsolatedState, float, float]:
    """Step an isolated sample from ``t`` to ``target`` [s] by step doubling.

    Each trial step of length ``h`` [s] is taken once whole and once as two halves
    (:func:`dynamics.isolated.balance_temperature` for each); it is accepted when the two
    agree in every observable within ``rtol`` (:meth:`_Integrator.error_ratio`) and in the
    temperature within ``rtol`` relative, and the next step grows or shrinks by the usual
    third-root rule (as in :meth:`_Integrator.advance`). A step too long for any temperature to
    balance the energy is retried ten times shorter.

    Returns
    -------
    (state, t, h)
        The state at ``target``, ``target`` [s], and the next step size [s].
    """
    while t < target:
        h = min(h, target - t)
        try:
            full = balance_temperature(balance, state, h, t)
            half = balance_temperature(balance, state, 0.5 * h, t)
            two = balance_temperature(balance, half, 0.5 * h, t)
        except StepTooLong:
            h *= 0.1
            if h < 1e-300 or t + h == t:
                raise NumericalError(
                    f"isolated pulse: no temperature balances the energy over any step "
                    f"from t = {t:.6g} s"
                ) from None
            continue
        ratio = _isolated_error_ratio(integ, full, two, t, h)
        if ratio <= 1.0:
            state = two
            t = t + h if h < target - t else target
            integ.accept()
            h = grown_step(h, ratio)
        else:
            h = shrunk_step(h, ratio, t, "isolated pulse")
    return state, t, h


def _isolated_error_ratio(
    integ: _Integrator, full: IsolatedState, two: IsolatedState, t: float, h: float
) -> float:
    """Step-doubling error of an isolated step over its tolerance: the larger of the
    observables' (:meth:`_Integrator.error_ratio`) and the temperature's relative difference
    over ``rtol`` [1]. ``t``, ``h`` [s] are for the message if it is not finite."""
    ratio = max(
        integ.error_ratio(two.occupation, two.equilibrium, full.occupation),
        abs(two.temperature - full.temperature) / two.temperature / integ.rtol,
    )
    if not math.isfinite(ratio):
        check_all_finite(
            "the sample temperature", [two.temperature, full.temperature], f"t = {t:.6g} s"
        )
        _non_finite(two.occupation, full.occupation, t, h)
    return ratio


def _isolated_response(
    ensemble: Ensemble,
    balance: HeatBalance,
    out_t: FloatArray,
    temps: FloatArray,
    observed: FloatArray,
    links: FloatArray,
    steps: int,
) -> IsolatedResponse:
    """The :class:`IsolatedResponse` of the recorded temperatures ``temps`` [K], observables
    ``observed`` (strain [1] then heat [J m-3] of each type) and link heat ``links`` [J m-3] at
    ``out_t`` [s]; the phonon heat follows from ``temps`` by ``balance``."""
    t_b = balance.bath_temperature
    n = len(ensemble.tls_types)
    return IsolatedResponse(
        times=out_t,
        temperature=temps,
        strain=observed[:n],
        heat=observed[n:],
        tls_types=ensemble.tls_types,
        steps=steps,
        heat_phonon=balance.debye_coefficient * (temps**4 - t_b**4) / 4.0,
        heat_to_bath=links,
    )
