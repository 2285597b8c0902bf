r"""Heat capacity, thermal expansion and Grüneisen parameter of a glass, part by part, from
0.05 to 20 K (docs/physics.md §11).

The parts (:data:`PARTS`):

* ``tls``, ``relaxators``: the slow tunnelling doublets of the double wells (the bins of
  :mod:`dynamics.ensemble`), which relax over :math:`\tau_\mathrm{expt}` after a small heat step
  (:func:`dynamics.response.step_response`); a bin counts as a relaxator at a temperature where
  its thermally activated rate exceeds its tunnelling rate (zero without activation);
* ``double_well_excitations``, ``soft_vibrations``: every other level of the soft-potential
  population (:mod:`dynamics.instantaneous`; zero for the paper's population), in equilibrium at
  once;
* ``phonons``: Debye, :math:`C = \beta T^3`, :math:`K\alpha = \gamma_{ph}C` (Grüneisen's law);
* ``electrons``: conduction electrons of a metallic glass, :math:`K\alpha = -\Lambda' C_e`
  (:mod:`dynamics.electrons`);
* ``total``: their sum.

For each: :math:`C(\tau_\mathrm{expt})`, :math:`C(\infty)` and the thermal stress
:math:`K\alpha(\tau_\mathrm{expt})`; :math:`\Gamma = K\alpha/C` with either heat capacity (the
instantaneous parts have :math:`C(\tau) = C(\infty)`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.electrons import electron_expansion_coefficient, electron_heat_capacity
from dynamics.exact.level_table import level_table
from dynamics.glass import Glass, GlassModel
from dynamics.instantaneous import (
    INSTANTANEOUS_PARTS,
    THETA_GRID,
    evaluate_parts,
    glass_part_curves,
    moment_grid,
)
from dynamics.quadrature import Resolution
from dynamics.response import gruneisen, step_response
from dynamics.validation import (
    MIN_TEMPERATURE_K,
    ParameterError,
    TwoLevelRangeWarning,
    check_positive,
    check_range,
)

FloatArray = NDArray[np.float64]

#: The parts, in the order of the ``part`` axis.
PARTS = (
    "tls",
    "relaxators",
    "double_well_excitations",
    "soft_vibrations",
    "phonons",
    "electrons",
    "total",
)


@dataclass(frozen=True)
class PartResponse:
    r"""The response of each part after a small heat step, on a grid of temperatures and
    durations.

    Attributes
    ----------
    temperature
        :math:`T`, shape (n_T,). [K]
    tau_expt
        :math:`\tau_\mathrm{expt}`, shape (n_tau,). [s]
    heat_capacity
        :math:`C(\tau_\mathrm{expt})`, shape (parts, n_T, n_tau). [J m-3 K-1]
    heat_capacity_equilibrium
        :math:`C(\infty)`, shape (parts, n_T). [J m-3 K-1]
    thermal_stress
        :math:`K\alpha(\tau_\mathrm{expt})`, shape (parts, n_T, n_tau). [Pa K-1]
    bulk_modulus
        :math:`K`. [Pa]
    """

    temperature: FloatArray
    tau_expt: FloatArray
    heat_capacity: FloatArray
    heat_capacity_equilibrium: FloatArray
    thermal_stress: FloatArray
    bulk_modulus: float

    @property
    def thermal_expansion(self) -> FloatArray:
        r""":math:`\alpha = K\alpha/K`, shape (parts, n_T, n_tau). [K-1]"""
        return self.thermal_stress / self.bulk_modulus

    @property
    def gruneisen(self) -> FloatArray:
        r""":math:`\Gamma = K\alpha/C(\tau_\mathrm{expt})`; NaN where a part has no heat
        capacity. [1]"""
        return _part_gruneisen(self.thermal_stress, self.heat_capacity)

    @property
    def gruneisen_equilibrium(self) -> FloatArray:
        r""":math:`\Gamma = K\alpha/C(\infty)` (the paper's convention); NaN where a part has no
        heat capacity. [1]"""
        return _part_gruneisen(self.thermal_stress, self.heat_capacity_equilibrium[:, :, None])


def _part_gruneisen(thermal_stress: FloatArray, heat_capacity: FloatArray) -> FloatArray:
    """:func:`dynamics.response.gruneisen` of a part's :math:`K\alpha` [Pa K-1] and :math:`C`
    [J m-3 K-1], NaN also where :math:`C < 0` (a difference of parts, rounding). [1]"""
    return gruneisen(1.0, thermal_stress, np.where(heat_capacity > 0, heat_capacity, 0.0))


def _slow_parts(
    glass: GlassModel, temps: FloatArray, tau: FloatArray, resolution: Resolution | None
) -> tuple[FloatArray, ...]:
    """C(tau), C(inf) and K alpha of the slow doublets, summed over TLS types: (n_T, n_tau),
    (n_T,), (n_T, n_tau)."""
    return _slow_split(glass, temps, tau, resolution)[0]


def _slow_split(
    glass: GlassModel, temps: FloatArray, tau: FloatArray, resolution: Resolution | None
) -> tuple[tuple[FloatArray, ...], tuple[FloatArray, ...]]:
    """:func:`_slow_parts` of all slow doublets, and of the relaxators among them
    (:attr:`dynamics.response.StepResponse.relaxators`; zeros without activation)."""
    r = step_response(glass, temps, tau, resolution=resolution)
    everything = (r.heat_capacity, r.heat_capacity_equilibrium, glass.bulk_modulus * r.alpha)
    if r.relaxators is None:
        return everything, tuple(np.zeros_like(x) for x in everything)
    x = r.relaxators
    return everything, (x.heat_capacity, x.heat_capacity_equilibrium, glass.bulk_modulus * x.alpha)


def _instantaneous(glass: GlassModel, temps: FloatArray) -> tuple[FloatArray, FloatArray]:
    """C and K alpha of the instantaneous parts, shape (2, n_T); zero for the paper's
    population (it has none) and for the standard tunnelling model."""
    n = len(INSTANTANEOUS_PARTS)
    if not isinstance(glass, Glass) or glass.population != "soft-potential":
        return np.zeros((n, temps.size)), np.zeros((n, temps.size))
    curves = evaluate_parts(glass_part_curves(glass), temps / glass.W)
    return curves.heat_capacity, curves.thermal_stress


def _electrons(glass: GlassModel, temps: FloatArray) -> tuple[FloatArray, FloatArray]:
    """C and K alpha of the conduction electrons, shape (n_T,) each (zero for an insulator)."""
    if not isinstance(glass, Glass) or glass.electron_dos == 0:
        return np.zeros(temps.size), np.zeros(temps.size)
    kw = {"electron_dos": glass.electron_dos, "critical_temperature": glass.critical_temperature}
    c_e = electron_heat_capacity(temps, **kw)
    a_e = electron_expansion_coefficient(
        temps,
        deformation_slope=glass.electron_deformation_slope,
        bulk_modulus=glass.bulk_modulus,
        **kw,
    )
    return np.asarray(c_e, dtype=float), glass.bulk_modulus * np.asarray(a_e, dtype=float)


def part_response(
    glass: GlassModel,
    temperature: ArrayLike,
    tau_expt: ArrayLike,
    *,
    resolution: Resolution | None = None,
) -> PartResponse:
    r"""Heat capacity and thermal stress of every part (module docstring) at each temperature
    and duration of the experiment.

    Parameters
    ----------
    glass
        The glass.
    temperature
        Temperatures, > 0. [K]
    tau_expt
        Durations of the experiment, >= 0 (the longest > 0). [s]
    resolution
        Quadrature resolution of the bins (the converged default if omitted).

    Returns
    -------
    PartResponse
    """
    temps = np.atleast_1d(check_positive("temperature", temperature, "K")).astype(float).ravel()
    tau = np.atleast_1d(check_range("tau_expt", tau_expt, 0.0, low_open=False, unit="s"))
    tau = tau.astype(float).ravel()
    if temps.size == 0 or tau.size == 0:
        raise ParameterError("temperature and tau_expt need at least one value each")
    n_t, n_tau = temps.size, tau.size
    c = np.zeros((len(PARTS), n_t, n_tau))
    c_eq = np.zeros((len(PARTS), n_t))
    ka = np.zeros((len(PARTS), n_t, n_tau))
    slow, relaxators = _slow_split(glass, temps, tau, resolution)
    i = PARTS.index("relaxators")
    c[i], c_eq[i], ka[i] = relaxators
    i = PARTS.index("tls")  # the other slow doublets: tunnelling dominates their rate
    c[i], c_eq[i], ka[i] = (whole - part for whole, part in zip(slow, relaxators, strict=True))
    c_inst, ka_inst = _instantaneous(glass, temps)
    for k, name in enumerate(INSTANTANEOUS_PARTS):
        i = PARTS.index(name)
        c[i], c_eq[i], ka[i] = c_inst[k][:, None], c_inst[k], ka_inst[k][:, None]
    c_ph = glass.debye_coefficient * temps**3
    i = PARTS.index("phonons")
    c[i], c_eq[i], ka[i] = c_ph[:, None], c_ph, (glass.phonon_gruneisen * c_ph)[:, None]
    c_e, ka_e = _electrons(glass, temps)
    i = PARTS.index("electrons")
    c[i], c_eq[i], ka[i] = c_e[:, None], c_e, ka_e[:, None]
    c[-1], c_eq[-1], ka[-1] = c[:-1].sum(0), c_eq[:-1].sum(0), ka[:-1].sum(0)
    return PartResponse(temps, tau, c, c_eq, ka, float(glass.bulk_modulus))


def two_level_share(glass: Glass, temperature: float) -> float:
    r"""The share of the equilibrium heat capacity at ``temperature`` [K] that a two-level glass
    (``population="ggp1985"``) leaves out: the excitations of its double wells and its soft
    vibrations, computed with the soft-potential population of the same density scale and law
    (no boson-peak closure), over the total of both. [1]

    This replaces the rule of thumb :math:`k_BT < W/10` of the paper's validity: it is the
    computed size of what the two-level model does not describe.
    """
    twin = glass.replace(psi=0.0, population="soft-potential", spectrum="exact")
    theta = temperature / glass.W
    if theta > 10.0:
        return 1.0
    # the moments at this one theta, directly (~0.1 s; the whole theta grid of the shipped
    # table, which a two-level glass does not otherwise need, takes ~3 s to build)
    at_theta = moment_grid(level_table(), np.array([theta]))
    left = glass_part_curves(twin, at_theta).heat_capacity[:, 0].sum()
    # the TLS of the two-level glass: its own bins at equilibrium (tau -> infinity)
    kept = _slow_parts(glass, np.array([temperature]), np.array([1.0]), None)[1][0]
    kept += glass.debye_coefficient * temperature**3
    total = float(left + kept)
    return float(left) / total if total > 0 and math.isfinite(total) else 0.0


#: Above this share of the equilibrium heat capacity left out by a two-level glass
#: (:func:`two_level_share`), a :class:`~dynamics.validation.TwoLevelRangeWarning` names it. [1]
LEFT_OUT_SHARE = 0.01
#: k_B T/W below which :func:`two_level_share` is not computed: what a two-level glass leaves out
#: is gapped (the lowest excitation of a single well is ~2.7 W, pure quartic; of a double well's
#: rest, its next level), so its share falls as e^{-gap/theta}: measured 1.4e-13 at 0.05 and
#: 2e-6 at 0.1 for the presets ggp1985, silica and pmma (and 2.5e-3 at 0.2). [1]
SHARE_THETA_MIN = 0.05


def check_model_temperature(name: str, temperature_K: ArrayLike, glass: GlassModel) -> None:
    r"""Refuse a temperature outside the range of the glass's model; warn where a two-level glass
    leaves out a noticeable part of the heat capacity.

    * ``population="soft-potential"``: up to :math:`k_BT = 10\,W`, the top of the multi-level
      tables (40 levels converge there; docs/levels.md);
    * ``population="ggp1985"`` (two levels): below :math:`k_BT = W`, where a soft potential has
      no two-level description at all; a :class:`~dynamics.validation.TwoLevelRangeWarning` when
      :func:`two_level_share` exceeds :data:`LEFT_OUT_SHARE` (computed above
      :data:`SHARE_THETA_MIN`; this replaces the rule of thumb :math:`k_BT < W/10`);
    * the standard tunnelling model has no W: nothing to check.

    Parameters
    ----------
    name
        What the temperature is, as the user knows it (e.g. ``"temperature"``). [-]
    temperature_K
        Temperature(s); the highest is checked. [K]
    glass
        The glass.

    Raises
    ------
    ParameterError
        Naming the temperature, the allowed range and the glass's W.
    """
    if not isinstance(glass, Glass):
        return
    t_max = float(np.max(temperature_K))
    W = glass.W
    if glass.population == "soft-potential":
        top = float(THETA_GRID[-1]) * W
        if t_max > top * (1 + 1e-12):
            raise ParameterError(
                f"{name} = {t_max:.6g} K is outside the allowed range [{MIN_TEMPERATURE_K:g}, "
                f"{top:.6g}] [K] of the soft-potential model: k_B T <= {THETA_GRID[-1]:g} W "
                f"(W/k_B = {W:.6g} K for this glass), where 40 levels converge (docs/levels.md)"
            )
        return
    if t_max >= W:
        raise ParameterError(
            f"{name} = {t_max:.6g} K is outside the allowed range [{MIN_TEMPERATURE_K:g}, "
            f"{W:.6g}) [K] of the two-level population 'ggp1985': at k_B T >= W (W/k_B = "
            f"{W:.6g} K for this glass) the soft potentials have no two-level description; "
            "population = 'soft-potential' goes to 10 W"
        )
    if t_max / W <= SHARE_THETA_MIN:
        return
    share = two_level_share(glass, t_max)
    if share > LEFT_OUT_SHARE:
        warnings.warn(
            f"at T = {t_max:.4g} K (k_B T / W = {t_max / W:.3g}) the two-level model (population "
            f"'ggp1985') leaves out {100 * share:.3g} % of the heat capacity (excited levels of "
            "double wells and soft vibrations); use population = 'soft-potential'",
            TwoLevelRangeWarning,
            stacklevel=3,
        )


#: The default range of a thermal curve, that of low-temperature calorimetry and dilatometry. [K]
DEFAULT_TEMPERATURE_RANGE = (0.05, 20.0)


def default_temperatures(points: int = 200) -> FloatArray:
    """The default temperature grid of a thermal curve: ``points`` values, log-spaced over
    :data:`DEFAULT_TEMPERATURE_RANGE`. [K]"""
    return np.geomspace(*DEFAULT_TEMPERATURE_RANGE, points)
