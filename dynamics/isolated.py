r"""The energy balance of an isolated sample after a heat pulse (docs/physics.md §9).

Heat :math:`Q` [J m-3] deposited at :math:`t = 0` goes at once into what follows the sample
temperature :math:`T` without delay, the *reservoir*: the phonons,
:math:`U_{ph}(T) = \beta T^4/4` (Debye, :math:`C = \beta T^3`), and :math:`U_r(T)`, the rest
that follows :math:`T` at once: the conduction electrons of a metallic glass and the
instantaneous parts of a soft-potential glass (:mod:`dynamics.instantaneous`), if any. The
TLS then take it up as they relax, and a link of conductance :math:`G` leaks it to the bath at
:math:`T_b`. Energy is conserved at every time:

.. math:: U_{ph}(T) + U_r(T) + \sum w E\,\delta n + Q_\mathrm{link}
          = U_{ph}(T_b) + U_r(T_b) + Q.

Over a step of length :math:`h` from :math:`(T_0, \delta n_0, Q_{\mathrm{link},0})`,
:math:`\delta n` is advanced by the exponential integrator of :mod:`dynamics.propagation`
(rates at the mid-step temperature :math:`(T_0 + T_1)/2`, :math:`n_{eq}` linear in time) and the
link heat by :math:`G h[(T_0 + T_1)/2 - T_b]`; the temperature :math:`T_1` at the end of the step
is the root of the balance (:func:`balance_temperature`). The time stepping is
:func:`dynamics.propagation.propagate_isolated`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from dynamics.quadrature import Ensemble

FloatArray = NDArray[np.float64]

#: Relative change of :math:`T_1` at which the secant iteration has converged. [1]
SECANT_TOLERANCE = 1e-14
#: Most secant iterations before the bracketed (Brent) solve takes over. [1]
SECANT_ITERATIONS = 12


def reservoir_energy(
    temperature: float,
    debye_coefficient: float,
    reservoir_heat_content: Callable[[float], float] | None,
) -> float:
    r"""Energy of what follows the sample temperature at once,
    :math:`U_{ph}(T) + U_r(T) = \beta T^4/4 + U_r(T)` (phonons, and the rest if any).

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    debye_coefficient
        :math:`\beta` of the phonons. [J m-3 K-4]
    reservoir_heat_content
        :math:`U_r(T)` [J m-3] of what else follows the temperature at once (electrons,
        instantaneous parts), or None for phonons alone.

    Returns
    -------
    float
        [J m-3]
    """
    u = debye_coefficient * temperature**4 / 4.0
    return u + reservoir_heat_content(temperature) if reservoir_heat_content is not None else u


class StepTooLong(Exception):
    """No end temperature balances the energy over an isolated-pulse step: it is too long for
    the linear hold of n_eq (the TLS take up more than the pulse within it); retry shorter."""


class ExponentialStep(Protocol):
    """What a balance needs of the relaxation engine (the exponential integrator of
    :mod:`dynamics.propagation`)."""

    def eq(self, temperature: float) -> FloatArray:
        r""":math:`\delta n_{eq}(T)` of every bin, relative to the initial equilibrium. [1]"""
        ...

    def step(
        self, dn: FloatArray, eq_a: FloatArray, eq_b: FloatArray, t_mid: float, h: float
    ) -> FloatArray:
        r""":math:`\delta n` after one exponential step of length ``h`` [s], rates at
        ``t_mid`` [K]. [1]"""
        ...


class IsolatedState(NamedTuple):
    r"""The sample at one time.

    Attributes
    ----------
    temperature
        Sample temperature :math:`T`. [K]
    occupation
        :math:`\delta n` of every bin, relative to the equilibrium at :math:`T_b`. [1]
    equilibrium
        :math:`\delta n_{eq}(T)` of every bin, relative to the same. [1]
    link_heat
        Heat that has left through the link since t = 0, :math:`Q_\mathrm{link}`. [J m-3]
    """

    temperature: float
    occupation: FloatArray
    equilibrium: FloatArray
    link_heat: float


@dataclass(frozen=True)
class HeatBalance:
    r"""The energy account of an isolated sample after a pulse (module docstring).

    Make one with :meth:`after_pulse`.

    Attributes
    ----------
    integrator
        Advances :math:`\delta n` over a step.
    heat_row
        :math:`w E` of every bin: the TLS heat is ``heat_row @ occupation``. [J m-3]
    bath_temperature
        :math:`T_b`. [K]
    debye_coefficient
        :math:`\beta` of the phonons. [J m-3 K-4]
    link_conductance
        :math:`G` of the link per volume. [W m-3 K-1]
    reservoir_heat_content
        :math:`U_r(T)` [J m-3] of what else follows the temperature at once, or None.
    total
        The conserved energy, :math:`U_{ph}(T_b) + U_r(T_b) + Q`. [J m-3]
    """

    integrator: ExponentialStep
    heat_row: FloatArray
    bath_temperature: float
    debye_coefficient: float
    link_conductance: float
    reservoir_heat_content: Callable[[float], float] | None
    total: float

    @classmethod
    def after_pulse(
        cls,
        integrator: ExponentialStep,
        ensemble: Ensemble,
        bath_temperature: float,
        energy: float,
        debye_coefficient: float,
        link_conductance: float,
        reservoir_heat_content: Callable[[float], float] | None,
    ) -> HeatBalance:
        """The balance of the bins of ``ensemble`` in a sample at ``bath_temperature`` [K] that
        receives ``energy`` [J m-3] at t = 0 (the other arguments are the attributes of the same
        names)."""
        reservoir = reservoir_energy(bath_temperature, debye_coefficient, reservoir_heat_content)
        return cls(
            integrator=integrator,
            heat_row=ensemble.number_density * ensemble.energy,
            bath_temperature=bath_temperature,
            debye_coefficient=debye_coefficient,
            link_conductance=link_conductance,
            reservoir_heat_content=reservoir_heat_content,
            total=reservoir + energy,
        )

    def reservoir(self, temperature: float) -> float:
        """:func:`reservoir_energy` of this sample at ``temperature`` [K]. [J m-3]"""
        return reservoir_energy(temperature, self.debye_coefficient, self.reservoir_heat_content)

    def initial_temperature(self, energy: float) -> float:
        r"""Temperature right after the pulse, before the TLS take any heat. [K]

        Phonons alone: :math:`T(0^+) = (T_b^4 + 4Q/\beta)^{1/4}`; with the rest of the
        reservoir the root of :math:`U_{ph}(T) + U_r(T) = ` ``total`` below that (Brent).

        Parameters
        ----------
        energy
            :math:`Q`, the heat deposited. [J m-3]
        """
        from scipy.optimize import brentq

        t_b = self.bath_temperature
        temperature = (t_b**4 + 4.0 * energy / self.debye_coefficient) ** 0.25
        if self.reservoir_heat_content is None:
            return temperature
        return brentq(
            lambda x: self.reservoir(x) - self.total, t_b, temperature, xtol=1e-15 * t_b, rtol=1e-14
        )

    def advanced(self, state: IsolatedState, temperature: float, h: float) -> IsolatedState:
        """The state after a step of length ``h`` [s] from ``state`` that ends at
        ``temperature`` [K] (whether or not that temperature balances the energy)."""
        eq_b = self.integrator.eq(temperature)
        t_a = state.temperature
        new = self.integrator.step(
            state.occupation, state.equilibrium, eq_b, 0.5 * (t_a + temperature), h
        )
        new_link = state.link_heat + self.link_conductance * h * (
            0.5 * (t_a + temperature) - self.bath_temperature
        )
        return IsolatedState(temperature, new, eq_b, new_link)

    def residual(self, state: IsolatedState, temperature: float, h: float) -> float:
        """Energy in the sample and the link after the step :meth:`advanced`, minus ``total``;
        zero where ``temperature`` [K] balances. Increasing in ``temperature``. [J m-3]"""
        new = self.advanced(state, temperature, h)
        # einsum's own loop, not BLAS: OpenBLAS spreads a 1-D dot over threads, whose
        # wake-ups cost ~1000x the work on a busy machine (this runs ~25 times per step)
        tls = float(np.einsum("i,i->", self.heat_row, new.occupation))
        return self.reservoir(temperature) + tls + new.link_heat - self.total


def balance_temperature(
    balance: HeatBalance, state: IsolatedState, h: float, t: float
) -> IsolatedState:
    """The state at the end of a step whose end temperature balances the energy.

    The residual is smooth and monotonic in the end temperature: the secant from the start of
    the step (:func:`_secant_root`) converges in a few iterations; Brent's method on a bracket
    (:func:`_bracketed_root`) if it does not settle.

    Parameters
    ----------
    balance
        The energy account.
    state
        The state at the start of the step.
    h
        Step length. [s]
    t
        Time at the start of the step (for messages). [s]

    Raises
    ------
    StepTooLong
        If no temperature within 1e-6..1e6 times the start balances the energy.
    """

    def residual(temperature: float) -> float:
        return balance.residual(state, temperature, h)

    root = _secant_root(residual, state.temperature)
    if root is None:
        root = _bracketed_root(residual, state.temperature, t)
    return balance.advanced(state, root, h)


def _secant_root(residual: Callable[[float], float], start: float) -> float | None:
    """Secant iteration for the root of ``residual`` from ``start`` [K] and a point 1e-7
    relative beside it, on the side the residual's sign points to; the root [K] once an
    iterate moves by <= :data:`SECANT_TOLERANCE` relative, or None if the iteration stalls,
    leaves (0, 10 ``start``) or does not settle in :data:`SECANT_ITERATIONS`."""
    x0, f0 = start, residual(start)
    x1 = start * (1.0 - 1e-7) if f0 > 0 else start * (1.0 + 1e-7)
    f1 = residual(x1)
    for _ in range(SECANT_ITERATIONS):
        if f1 == f0:
            return None
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        x0, f0, x1 = x1, f1, x2
        if not 0.0 < x1 < 10.0 * start:
            return None
        f1 = residual(x1)
        if abs(x1 - x0) <= SECANT_TOLERANCE * x1:
            return x1
    return None


def _bracketed_root(residual: Callable[[float], float], start: float, t: float) -> float:
    """Root [K] of the increasing ``residual`` by Brent's method, on a bracket widened from
    ``start`` [K] (upwards by factors 1.5, downwards by halves) up to 1e6 and down to 1e-6
    times ``start``; :class:`StepTooLong` if it does not bracket a root there. ``t`` [s] is
    for the message."""
    from scipy.optimize import brentq

    hi = start * 1.0001
    while residual(hi) < 0:
        hi *= 1.5
        if hi > 1e6 * start:
            _no_balance(start, t)
    lo = start
    while residual(lo) > 0:
        lo *= 0.5
        if lo < 1e-6 * start:
            _no_balance(start, t)
    return float(brentq(residual, lo, hi, xtol=1e-15 * start, rtol=1e-13))


def _no_balance(temperature: float, t: float) -> None:
    raise StepTooLong(f"no balance within 1e-6..1e6 x {temperature:.6g} K at t = {t:.6g} s")
