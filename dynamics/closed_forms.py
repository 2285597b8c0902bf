r"""The paper's closed forms (Secs. V-VII), with coefficients derived from their integrals.

The paper replaces smooth relaxation by a sharp cutoff :math:`p_0 =
\tau_\mathrm{min}(E)/\tau_\mathrm{expt}`
(5.4) and keeps leading logarithms. Re-deriving every coefficient from (4.5), (4.11), (5.1):

* :math:`Q_1`: the :math:`\kappa_1` part of :math:`D_1 N_1` is an exact derivative,
  :math:`-\kappa_1\,d/dp[2(1-p)^{1/2}/L]`, so :math:`\int_{p_0}^1 = 2\kappa_1(1-p_0)^{1/2}/L_0`:
  the paper's 1.82 is :math:`2\kappa_1 = 1.8171`. The :math:`\chi^2` part gives
  :math:`-\tfrac23\kappa_1'\chi^2\mathscr{L}_E^{-3}`, i.e. 0.07 is :math:`\kappa_1'/3\kappa_1 =
  2/27`.
* :math:`Q_2 = \tfrac{22}{9}\kappa_2 c\chi^2 E\eta_L^{-1}\mathscr{L}_E^{-3}`: 0.09 is 0.0925.
* (6.1): :math:`(\pi^2/6)\,n_0\,2\kappa_1 = 2\pi^2/9` exactly (:math:`n_0\kappa_1 = 2/3`).
* (6.2): :math:`(\pi^2/6)\,n_0\kappa_2\,22/9 = 22\pi^2/1944 = 0.1117` (printed 0.11).
* (6.3): :math:`n_0\pi^2` as printed.
* (6.4) **is not consistent with (6.1)-(6.3)**. Their ratio is

  .. math:: \Gamma = -\frac{\kappa_1}{3}\frac{c}{\eta_L}\frac{\mathscr{L}^{1/3}}{1+\psi}
     \Big[\Big(\mathscr{L} + \tfrac12\ln\frac{\tau_\mathrm{expt}}{\tau_\mathrm{min}}\Big)^{-1}
     - \frac{2}{27}\chi^2\Big(1 - \frac{11}{16}\psi\Big)\mathscr{L}^{-3}\Big]

  with :math:`\kappa_1/3 = 0.3029` where the paper prints 0.55 (a factor :math:`2\kappa_1 = 1.82`
  too large) and :math:`2/27 = 0.0741` where it prints 0.037 (a factor 2 too small); the
  :math:`11/16` is exact (:math:`\kappa_2/\kappa_1 = 1/24`). The printed τ-dependent term is thus
  1.82 times the derived one, and the printed constant term 0.91 times it.

``coefficients="derived"`` (the default) uses the derived values, ``"printed"`` the paper's.

Mapping smooth relaxation onto the sharp cutoff: a TLS relaxing as :math:`1 - e^{-pt/\tau_m}`
with density :math:`\propto dp/p` fills up exactly as a sharp cutoff at
:math:`p_0 = e^{-\gamma_E}\tau_m(E)/t` (:math:`\int_0^1(1-e^{-py})dp/p = \ln y + \gamma_E +
E_1(y)`).
Averaging the cutoff over the thermal weight of (1.5) then gives

.. math:: \mathscr{L} + \tfrac12\ln\frac{\tau_\mathrm{expt}}{\tau_\mathrm{min}(T)} \;\to\;
          \mathscr{L} + \tfrac12\ln\frac{b_\Gamma\,\tau_\mathrm{expt}}{\tau_\mathrm{min}(T)},
          \qquad b_\Gamma = e^{\gamma_E}\exp\langle\ln[x\coth(x/2)/\coth\tfrac12]\rangle ,

with :math:`\langle\cdot\rangle` the average over :math:`x = E/k_BT` with weight
:math:`x^2/\cosh^2(x/2)`; see :func:`gruneisen_time_constant`. The standard tunnelling model's
Black law has the analogous constant :func:`black_time_constant`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dynamics.deformation import KAPPA1, KAPPA2
from dynamics.density import DENSITY_PREFACTOR
from dynamics.units import EULER_GAMMA, K_B
from dynamics.validation import ParameterError, check_finite, check_positive, check_range

if TYPE_CHECKING:
    from dynamics.glass import Glass

FloatArray = NDArray[np.float64]
Coefficients = Literal["derived", "printed"]

#: Coefficients of (5.5), (5.6), (6.1)-(6.4): derived value and the paper's printed value.
COEFFICIENTS: dict[str, tuple[float, float, str]] = {
    "Q1_prefactor": (2.0 * KAPPA1, 1.82, "(5.5) 2κ1"),
    "Q1_chi2": (2.0 / 27.0, 0.07, "(5.5) κ1'/(3κ1)"),
    "Q2": (22.0 / 9.0 * KAPPA2, 0.09, "(5.6) (22/9)κ2"),
    "alpha1_prefactor": (
        np.pi**2 / 3.0 * DENSITY_PREFACTOR * KAPPA1,
        2.0 * np.pi**2 / 9.0,
        "(6.1)",
    ),
    "alpha1_chi2": (2.0 / 27.0, 0.07, "(6.1)"),
    "alpha2": (np.pi**2 / 6.0 * DENSITY_PREFACTOR * KAPPA2 * 22.0 / 9.0, 0.11, "(6.2)"),
    "heat_capacity": (DENSITY_PREFACTOR * np.pi**2, DENSITY_PREFACTOR * np.pi**2, "(6.3)"),
    "gruneisen_prefactor": (KAPPA1 / 3.0, 0.55, "(6.4)"),
    "gruneisen_chi2": (2.0 / 27.0, 0.037, "(6.4)"),
    "gruneisen_psi": (11.0 / 16.0, 11.0 / 16.0, "(6.4)"),
}


def _coefficient(name: str, which: Coefficients) -> float:
    if which not in ("derived", "printed"):
        raise ParameterError(f"coefficients = {which!r} is not allowed; use 'derived' or 'printed'")
    derived, printed, _ = COEFFICIENTS[name]
    return derived if which == "derived" else printed


def _log_W_over(energy_J: FloatArray, W_J: float) -> FloatArray:
    """:math:`\\ln(W/E)`, required > 0."""
    check_positive("W_J", W_J, "J")
    log = np.log(W_J / energy_J)
    if np.any(log <= 0):
        raise ParameterError(
            f"energy = {float(energy_J[log <= 0].flat[0]):.6g} J is beyond the two-level range "
            f"(0, W = {W_J:.6g} J)"
        )
    return log


def q_type1(
    energy: ArrayLike,
    p0: ArrayLike,
    *,
    W_J: float,
    c: float,
    eta_L: float,
    chi: float,
    coefficients: Coefficients = "derived",
) -> FloatArray:
    r""":math:`Q_1(E) = \int_{p_0}^1 D_1 p^{-1}(1-p)^{-1/2}L^{-4/3}dp` in leading logs, (5.3),
    (5.5).

    :math:`Q_1 = 2\kappa_1 (cE/\eta_L)\{\ln^{-1}[W/Ep_0^{1/2}] -
    \tfrac{2}{27}\chi^2\ln^{-3}(W/E)\}`.
    The first term is exact up to the factor :math:`(1-p_0)^{1/2}` dropped by the paper.

    Parameters
    ----------
    energy
        :math:`E < W`. [J]
    p0
        Lower cutoff of :math:`p` (5.4), in (0, 1). [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings (3.7), (2.4), (3.2). [1]
    coefficients
        ``"derived"`` or the paper's ``"printed"`` ones.

    Returns
    -------
    ndarray
        :math:`Q_1`. [J]
    """
    e = check_positive("energy", energy, "J")
    p_0 = check_range("p0", p0, 0.0, 1.0)
    log_e = _log_W_over(e, W_J)
    L0 = log_e - 0.5 * np.log(p_0)
    return (
        _coefficient("Q1_prefactor", coefficients)
        * c
        * e
        / eta_L
        * (1.0 / L0 - _coefficient("Q1_chi2", coefficients) * chi**2 * log_e**-3)
    )


def q_type2(
    energy: ArrayLike,
    *,
    W_J: float,
    c: float,
    eta_L: float,
    chi: float,
    coefficients: Coefficients = "derived",
) -> FloatArray:
    r""":math:`Q_2(E) = \tfrac{22}{9}\kappa_2 c\chi^2\eta_L^{-1}E\ln^{-3}(W/E)`, (5.6) (the
    :math:`\tau_\mathrm{expt}`-dependent terms are dropped, as in the paper).

    Parameters
    ----------
    energy
        :math:`E < W`. [J]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]
    coefficients
        ``"derived"`` or ``"printed"``.

    Returns
    -------
    ndarray
        :math:`Q_2`. [J]
    """
    e = check_positive("energy", energy, "J")
    log_e = _log_W_over(e, W_J)
    return _coefficient("Q2", coefficients) * c * chi**2 * e / eta_L * log_e**-3


def _big_log(temperature: ArrayLike, W_J: float) -> tuple[FloatArray, FloatArray]:
    t = check_positive("temperature", temperature, "K")
    return t, _log_W_over(K_B * t, W_J)


def alpha_type1(
    temperature: ArrayLike,
    tau_ratio: ArrayLike,
    *,
    W_J: float,
    c: float,
    eta_L: float,
    chi: float,
    N0: float,
    bulk_modulus: float,
    coefficients: Coefficients = "derived",
) -> FloatArray:
    r"""Expansion coefficient of type-1 TLS, (6.1):
    :math:`\alpha^{(1)} = -\tfrac{2\pi^2}{9}\tfrac{cN_0k_B^2T}{\eta_LK}
    [(\mathscr{L} + \tfrac12\ln r)^{-1} - \tfrac{2}{27}\chi^2\mathscr{L}^{-3}]`,
    :math:`r = \tau_\mathrm{expt}/\tau_\mathrm{min}(T)`, :math:`N_0 = \psi_1\eta_L^{3/2}/W`.

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    tau_ratio
        :math:`\tau_\mathrm{expt}/\tau_\mathrm{min}(T) \ge 1`; ``inf`` for equilibrium. [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]
    N0
        TLS density scale :math:`\psi_1\eta_L^{3/2}/W`. [J-1 m-3]
    bulk_modulus
        :math:`K`. [Pa]
    coefficients
        ``"derived"`` or ``"printed"``.

    Returns
    -------
    ndarray
        :math:`\alpha^{(1)}`. [K-1]
    """
    t, big_l = _big_log(temperature, W_J)
    r = check_range("tau_ratio", tau_ratio, 1.0, low_open=False, high_open=False)
    check_positive("N0", N0, "J-1 m-3")
    check_positive("bulk_modulus", bulk_modulus, "Pa")
    bracket = (
        1.0 / (big_l + 0.5 * np.log(r))
        - _coefficient("alpha1_chi2", coefficients) * chi**2 * big_l**-3
    )
    pref = _coefficient("alpha1_prefactor", coefficients)
    return -pref * c * N0 / eta_L * K_B**2 * t / bulk_modulus * bracket


def alpha_type2(
    temperature: ArrayLike,
    *,
    W_J: float,
    c: float,
    eta_L: float,
    chi: float,
    psi: float,
    N0: float,
    bulk_modulus: float,
    coefficients: Coefficients = "derived",
) -> FloatArray:
    r"""Expansion coefficient of type-2 TLS, (6.2):
    :math:`\alpha^{(2)} = -\tfrac{22\pi^2}{1944}\tfrac{c\psi
    N_0k_B^2T}{\eta_LK}\chi^2\mathscr{L}^{-3}`.

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]
    psi
        :math:`\psi_2/\psi_1`. [1]
    N0
        :math:`\psi_1\eta_L^{3/2}/W`. [J-1 m-3]
    bulk_modulus
        :math:`K`. [Pa]
    coefficients
        ``"derived"`` or ``"printed"``.

    Returns
    -------
    ndarray
        :math:`\alpha^{(2)}`. [K-1]
    """
    t, big_l = _big_log(temperature, W_J)
    check_positive("N0", N0, "J-1 m-3")
    check_positive("bulk_modulus", bulk_modulus, "Pa")
    check_range("psi", psi, 0.0, low_open=False)
    coef = _coefficient("alpha2", coefficients)
    return -coef * c * psi * N0 / eta_L * K_B**2 * t / bulk_modulus * chi**2 * big_l**-3


def heat_capacity_kki(temperature: ArrayLike, *, W_J: float, density_scale: float) -> FloatArray:
    r"""Equilibrium TLS heat capacity of one type, (6.3):
    :math:`C_j = n_0\pi^2\,\psi_j\eta_L^{3/2}W^{-1}k_B^2T\mathscr{L}^{-1/3}` (all :math:`p`,
    :math:`\tau_\mathrm{expt}\to\infty`; footnote 44).

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    W_J
        Energy scale. [J]
    density_scale
        :math:`\psi_j\eta_L^{3/2}/W`. [J-1 m-3]

    Returns
    -------
    ndarray
        :math:`C_j`. [J m-3 K-1]
    """
    t, big_l = _big_log(temperature, W_J)
    scale = float(check_positive("density_scale", density_scale, "J-1 m-3"))
    return COEFFICIENTS["heat_capacity"][0] * scale * K_B**2 * t * big_l ** (-1.0 / 3.0)


def gruneisen_kki(
    temperature: ArrayLike,
    tau_ratio: ArrayLike,
    *,
    W_J: float,
    c: float,
    eta_L: float,
    chi: float,
    psi: float,
    coefficients: Coefficients = "derived",
) -> FloatArray:
    r"""Grüneisen parameter :math:`\Gamma = K(\alpha^{(1)}+\alpha^{(2)})/(C_1+C_2)`, (6.4).

    Derived: :math:`-\tfrac{\kappa_1}{3}\tfrac{c}{\eta_L}\tfrac{\mathscr{L}^{1/3}}{1+\psi}
    [(\mathscr{L}+\tfrac12\ln r)^{-1} - \tfrac{2}{27}\chi^2(1-\tfrac{11}{16}\psi)\mathscr{L}^{-3}]`;
    printed: 0.55 and 0.037 in place of :math:`\kappa_1/3` and 2/27. The heat capacity is the
    equilibrium one (6.3), the paper's convention.

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    tau_ratio
        :math:`r = \tau_\mathrm{expt}/\tau_\mathrm{min}(T) \ge 1` (for smooth relaxation use
        :math:`b_\Gamma r`, see :func:`gruneisen_time_constant`). [1]
    W_J
        Energy scale. [J]
    c, eta_L, chi
        Couplings. [1]
    psi
        :math:`\psi_2/\psi_1`. [1]
    coefficients
        ``"derived"`` or ``"printed"``.

    Returns
    -------
    ndarray
        :math:`\Gamma`. [1]
    """
    _, big_l = _big_log(temperature, W_J)
    r = check_range("tau_ratio", tau_ratio, 1.0, low_open=False, high_open=False)
    check_range("psi", psi, 0.0, low_open=False)
    check_positive("eta_L", eta_L)
    check_finite("c", c)
    bracket = (
        1.0 / (big_l + 0.5 * np.log(r))
        - _coefficient("gruneisen_chi2", coefficients)
        * chi**2
        * (1.0 - _coefficient("gruneisen_psi", coefficients) * psi)
        * big_l**-3
    )
    pref = _coefficient("gruneisen_prefactor", coefficients)
    return -pref * c / eta_L * big_l ** (1.0 / 3.0) / (1.0 + psi) * bracket


# --- Metallic glasses (Sec. VII) -----------------------------------------------------------


def alpha_electron(
    temperature: ArrayLike, *, electron_dos: float, deformation_slope: float, bulk_modulus: float
) -> FloatArray:
    r"""Conduction-electron expansion, (7.3): :math:`\alpha^{(e)} =
    -\tfrac{\pi^2}{3}\nu(\mu)\Lambda'k_B^2T/K`.

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    electron_dos
        Density of electron states at the Fermi level :math:`\nu(\mu)`. [J-1 m-3]
    deformation_slope
        :math:`\Lambda' = d\Lambda/dE` at the Fermi level (7.2); -2/3 for free electrons. [1]
    bulk_modulus
        :math:`K`. [Pa]

    Returns
    -------
    ndarray
        :math:`\alpha^{(e)}`. [K-1]
    """
    t = check_positive("temperature", temperature, "K")
    nu = float(check_range("electron_dos", electron_dos, 0.0, low_open=False, unit="J-1 m-3"))
    lam = float(check_finite("deformation_slope", deformation_slope))
    k = float(check_positive("bulk_modulus", bulk_modulus, "Pa"))
    return -(np.pi**2) / 3.0 * nu * lam * K_B**2 * t / k


def alpha_free_electron(
    temperature: ArrayLike, *, electron_dos: float, bulk_modulus: float
) -> FloatArray:
    r"""Free-electron expansion, (7.4): :math:`\alpha^{(e)} = \tfrac{2\pi^2}{9}\nu(\mu)k_B^2T/K`
    (:math:`\Lambda'=-2/3`).

    Parameters
    ----------
    temperature
        :math:`T`. [K]
    electron_dos
        :math:`\nu(\mu)`. [J-1 m-3]
    bulk_modulus
        :math:`K`. [Pa]

    Returns
    -------
    ndarray
        :math:`\alpha^{(e)} > 0`. [K-1]
    """
    return alpha_electron(
        temperature,
        electron_dos=electron_dos,
        deformation_slope=-2.0 / 3.0,
        bulk_modulus=bulk_modulus,
    )


def electron_to_tls_ratio(electron_dos: float, eta_L: float, N0: float) -> float:
    r"""Order-of-magnitude ratio (7.5): :math:`\alpha^{(e)}/|\alpha^{TLS}| \simeq
    \nu(\mu)\eta_L/N_0`.

    Parameters
    ----------
    electron_dos
        :math:`\nu(\mu)`. [J-1 m-3]
    eta_L
        :math:`\eta_L`. [1]
    N0
        :math:`\psi_1\eta_L^{3/2}/W`. [J-1 m-3]

    Returns
    -------
    float
        The ratio. [1]
    """
    nu = float(check_range("electron_dos", electron_dos, 0.0, low_open=False, unit="J-1 m-3"))
    return nu * float(check_positive("eta_L", eta_L)) / float(check_positive("N0", N0, "J-1 m-3"))


# --- Smooth relaxation against the sharp cutoff --------------------------------------------


def _thermal_average(g: object) -> float:
    """Average of g(x) over x = E/k_BT with the weight x²/cosh²(x/2) of (1.5)."""

    def weight(x: float) -> float:
        return x * x * np.exp(-x) / (1.0 + np.exp(-x)) ** 2

    from scipy.integrate import quad  # one quadrature, once per process: imported here

    norm = quad(weight, 0.0, np.inf, limit=200)[0]
    num = quad(lambda x: weight(x) * g(x), 0.0, np.inf, limit=200)[0]  # type: ignore[operator]
    return num / norm


@cache
def gruneisen_time_constant() -> float:
    r""":math:`b_\Gamma = e^{\gamma_E}\exp\langle\ln[x\coth(x/2)/\coth\tfrac12]\rangle`. [1]

    With it, the τ-dependent logarithm of (6.1) and (6.4) for smooth exponential relaxation
    reads :math:`\mathscr{L} + \tfrac12\ln(b_\Gamma\tau_\mathrm{expt}/\tau_\mathrm{min})`, exact to
    :math:`O(L_0^{-3})` relative in that term (see the module docstring).
    """
    coth_half = 1.0 / np.tanh(0.5)
    shift = _thermal_average(lambda x: np.log(x / np.tanh(x / 2.0) / coth_half))
    return float(np.exp(EULER_GAMMA + shift))


@cache
def black_time_constant() -> float:
    r""":math:`b` of Black's law :math:`C(t) = (\pi^2/12)\bar Pk_B^2T\ln(bt/\tau_\mathrm{min})` in
    the
    standard tunnelling model, for our convention :math:`\tau_\mathrm{min} = \tau_m(k_BT, T)`:
    :math:`b = 4e^{\gamma_E}\exp\langle\ln[x^3\coth(x/2)/\coth\tfrac12]\rangle`. [1]

    Derivation: :math:`\int_0^1 (1-e^{-py})\,dp/(2p\sqrt{1-p}) = \tfrac12[\ln y + \gamma_E + 2\ln2]
    + O(1/y)`, with :math:`y = t/\tau_m(E)` and :math:`\tau_\mathrm{min}/\tau_m(E) =
    x^3\coth(x/2)/\coth\tfrac12`, averaged over the heat-capacity weight.
    """
    coth_half = 1.0 / np.tanh(0.5)
    shift = _thermal_average(lambda x: np.log(x**3 / np.tanh(x / 2.0) / coth_half))
    return float(4.0 * np.exp(EULER_GAMMA + shift))


def closed_form_gruneisen(
    glass: Glass, temperature: float, tau_expt: ArrayLike, *, smooth: bool = True
) -> dict[str, FloatArray]:
    r"""Γ(τ_expt) of (6.4) for a soft-potential glass, derived and printed coefficients.

    Parameters
    ----------
    glass
        The glass (its ``W``, ``c``, ``eta_L``, ``chi``, ``psi`` and ``A``).
    temperature
        :math:`T`. [K]
    tau_expt
        Durations of the experiment. [s]
    smooth
        If true, map smooth exponential relaxation onto the paper's sharp cutoff with
        :math:`b_\Gamma` (:func:`gruneisen_time_constant`); if false, insert
        :math:`\tau_\mathrm{expt}/\tau_\mathrm{min}` as printed. Below 1 the ratio is clamped
        to 1 (the closed form has no meaning for :math:`\tau_\mathrm{expt} < \tau_\mathrm{min}`).

    Returns
    -------
    dict
        ``tau_expt`` [s], ``tau_ratio`` [1] (the ratio inserted in (6.4)), ``derived`` and
        ``printed`` Γ [1], and ``tau_min`` [s] (a 0-d array).
    """
    from dynamics.rates import tau_min
    from dynamics.validation import ArgumentTypeError, check_temperature, check_two_level_range

    if not hasattr(glass, "W_J") or not hasattr(glass, "eta_L"):
        raise ArgumentTypeError(f"glass = {glass!r} must be a soft-potential dynamics.Glass")
    t = float(check_temperature("temperature", temperature))
    check_two_level_range("temperature", t, glass.W)
    tau = check_positive("tau_expt", tau_expt, "s")
    t_min = float(tau_min(t, glass.A))
    ratio = tau / t_min * (gruneisen_time_constant() if smooth else 1.0)
    ratio = np.maximum(ratio, 1.0)
    kw = dict(W_J=glass.W_J, c=glass.c, eta_L=glass.eta_L, chi=glass.chi, psi=glass.psi)
    return {
        "tau_expt": tau,
        "tau_ratio": ratio,
        "derived": gruneisen_kki(t, ratio, coefficients="derived", **kw),
        "printed": gruneisen_kki(t, ratio, coefficients="printed", **kw),
        "tau_min": np.asarray(t_min),
    }
