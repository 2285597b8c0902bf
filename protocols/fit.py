r"""Fitting a glass's parameters to measurements with lmfit: :func:`fit`, which returns a
:class:`~protocols.fit_output.FitResult` (the result and its dataset are
:mod:`protocols.fit_output`, the figure
:func:`protocols.plots.plot_fit`, the command ``tls-expansion fit``).

**The model of each quantity.** Step quantities (:math:`\alpha`, :math:`C`, :math:`\Gamma`, and
:math:`\alpha/T`, :math:`C/T`) are the two-level systems' linear response after a small heat
step, from :func:`dynamics.response.step_response` at the data's temperatures and
:math:`\tau_\mathrm{expt}` (the bins of a run lasting the longest :math:`\tau_\mathrm{expt}`,
as ``tls-expansion gamma``). Phonon and electron parts are not in them: subtract those from the
data first, or say that the data hold the whole glass (``Measurement.parts = "total"``, the
CLI's ``--parts total``): then the model is the ``total`` of :func:`dynamics.parts.part_response`
(every part: slow TLS, relaxators, excited levels of double wells, soft vibrations, phonons,
electrons), what a calorimeter or dilatometer measures, for C(T), C/T³, α(T), α/T³ over
0.05-20 K with the soft-potential population. ``strain`` and ``length_change`` against time
come from :func:`protocols.run.run` under the data's protocol (every contribution the glass
has).

**Parameters.** Any of :data:`FIT_PARAMETERS` may be varied; the others stay at the start
glass's values. Bounds default to the parameter's validated range (that of
:class:`dynamics.Glass`), narrowed for a parameter fitted as log10 to :data:`LOG_REACH_DECADES`
either side of its start value; a parameter that ends on a bound is named in the warnings.
Parameters that span decades (``W``, ``N0``, ``A``, ``eta_L``, ...) are
fitted as :math:`\log_{10}` internally (:attr:`FitParameter.log`), so the minimiser takes steps of
comparable size in every direction; their standard errors are propagated to the parameter
linearly, :math:`\sigma_x = x\ln 10\,\sigma_{\log_{10}x}`, and correlations are the same in
either variable (to first order). ``chi`` is fitted for :math:`\chi > 0`: only :math:`\chi^2`
enters (4.5), (4.10), (4.11).

**Weights.** With an uncertainty for every point of every data set the residuals are
:math:`(y_\mathrm{model} - y)/\sigma` and the standard errors follow from them as given
(lmfit's ``scale_covar=False``). A data set without uncertainties is weighted by
:math:`1/\mathrm{rms}(y)` (so data sets of different units can be fitted together), and the
covariance is then scaled by the reduced :math:`\chi^2` (``scale_covar=True``): the errors are
what the scatter of the data implies.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dynamics.ensemble import Resolution
from dynamics.glass import (
    GLASS_PARAMETERS,
    SOFT_POTENTIAL_PARAMETERS,
    TUNNELLING_PARAMETERS,
    Glass,
    GlassModel,
    TunnellingGlass,
)
from dynamics.response import StepResponse, response_scale, step_response
from dynamics.validation import ArgumentTypeError, ParameterError
from protocols.checks import check_flag, check_resolution
from protocols.cost import FIT_EVALUATION_CAP, FIT_METHODS, check_cost, fit_evaluations, fit_work
from protocols.fit_output import (  # the warning lives with FitResult; fit is its home too
    CHI_SQUARE_WARNING_PROBABILITY as CHI_SQUARE_WARNING_PROBABILITY,
)
from protocols.fit_output import FitResult
from protocols.fit_output import chi_square_warning as chi_square_warning
from protocols.fitdata import QUANTITIES, Measurement

if TYPE_CHECKING:  # lmfit is imported where a fit runs: a light start
    import lmfit

FloatArray = NDArray[np.float64]
#: ``progress`` callback of a fit: (evaluations of the model so far, chi-square of the last). [1]
FitProgress = Callable[[int, float], None]


@dataclass(frozen=True)
class FitParameter:
    """A glass parameter that may be fitted.

    Parameters
    ----------
    low, high
        The validated range (:class:`dynamics.Glass`): the default bounds, narrowed to
        :data:`LOG_REACH_DECADES` around the start for a log10 parameter. [the parameter's unit]
    log
        Fitted as log10 (positive parameters that span decades).
    low_closed
        Whether ``low`` itself is allowed (``psi = 0``, no electrons, ...); ``high`` never is.
    """

    low: float
    high: float
    log: bool = False
    low_closed: bool = False


_INF = math.inf
#: Positive parameters that span decades: fitted as log10.
_LOG_FITTED = frozenset(
    {
        "W",
        "eta_L",
        "chi",
        "N0",
        "bulk_modulus",
        "A",
        "type2_rate_ratio",
        "P_bar",
        "energy_max",
        "boson_peak_energy",
    }
)
#: How far a parameter fitted as log10 may go from its start value without --bounds: this many
#: decades either way. Data fix such a parameter within a decade or two; beyond three the
#: minimiser is exploring a degenerate valley (c N0 at one tau_expt), or a trial step far from
#: any glass (a W fit once tried W = 6.5e-5 K and A = 1e259 on its seventh evaluation, where
#: exact spectra lie outside the spectral table and each evaluation takes minutes). [1]
LOG_REACH_DECADES = 3.0
#: Fittable parameters and their validated ranges, from their one declaration
#: (dynamics.glass.GLASS_PARAMETERS, TUNNELLING_PARAMETERS; ``chi > 0`` as only chi^2 enters).
FIT_PARAMETERS: Mapping[str, FitParameter] = {
    name: FitParameter(
        0.0 if name == "chi" else spec.low,  # only chi^2 enters: fitted for chi > 0
        spec.high,
        log=name in _LOG_FITTED,
        low_closed=not spec.low_open,
    )
    for name, spec in (GLASS_PARAMETERS | SOFT_POTENTIAL_PARAMETERS | TUNNELLING_PARAMETERS).items()
}

# ----------------------------------------------------------------------------------------------
# the model of each measurement


def predict(
    model: GlassModel, data: Measurement, *, resolution: Resolution | None = None
) -> FloatArray:
    """The model's value of ``data.quantity`` at every point of ``data`` (module docstring).

    Parameters
    ----------
    model
        The glass.
    data
        The measurement (its points and settings).
    resolution
        Quadrature resolution (the converged default if omitted).

    Returns
    -------
    ndarray
        In the quantity's unit (:data:`protocols.fitdata.QUANTITIES`).
    """
    if QUANTITIES[data.quantity][1] == "run":
        from protocols.run import run

        assert data.time is not None and data.protocol is not None
        order = np.argsort(data.time, kind="stable")
        ds = run(model, data.protocol, data.time[order], resolution=resolution)
        out = np.empty(data.size)
        out[order] = ds[data.quantity].values
        return out
    assert data.temperature is not None and data.tau_expt is not None
    temps, t_index = np.unique(data.temperature, return_inverse=True)
    taus, tau_index = np.unique(data.tau_expt, return_inverse=True)
    if data.parts == "total":
        return _whole_glass(model, data, temps, taus, resolution)[t_index, tau_index] / _power(data)
    reference, scale = response_scale(model)
    r = _reference_response(
        reference, tuple(temps.tolist()), tuple(taus.tolist()), resolution
    ).scaled(scale)
    q = data.quantity
    if q.startswith("alpha"):
        grid = r.alpha
    elif q.startswith("heat_capacity"):
        grid = r.heat_capacity
    elif q == "gruneisen":
        grid = r.gruneisen
    else:
        grid = r.gruneisen_equilibrium
    return grid[t_index, tau_index] / _power(data)


def _power(data: Measurement) -> FloatArray | float:
    """What a quantity divides by: T for ``..._over_temperature``, T³ for ``..._over_cube``,
    else 1. [K], [K3] or [1]"""
    assert data.temperature is not None
    if data.quantity.endswith("_over_temperature"):
        return data.temperature
    if data.quantity.endswith("_over_cube"):
        return data.temperature**3
    return 1.0


def _whole_glass(
    model: GlassModel,
    data: Measurement,
    temps: FloatArray,
    taus: FloatArray,
    resolution: Resolution | None,
) -> FloatArray:
    """The whole glass's (``total`` of :func:`dynamics.parts.part_response`) α [K-1], C
    [J m-3 K-1] or Γ [1] (of ``data.quantity``) on the grid (temps, taus)."""
    from dynamics.parts import part_response

    r = part_response(model, temps, taus, resolution=resolution)
    q = data.quantity
    if q.startswith("alpha"):
        return r.thermal_expansion[-1]
    if q.startswith("heat_capacity"):
        return r.heat_capacity[-1]
    if q == "gruneisen":
        return r.gruneisen[-1]
    return r.gruneisen_equilibrium[-1]


#: Points of the model curve drawn through the data (:func:`model_curve`): its kinks at 60
#: log- or evenly spaced points are below a line's width for the smooth α(T), C(T), Γ(τ_expt)
#: and ε(t) of a relaxation (a polyline through the data points had visible kinks). [1]
CURVE_POINTS = 60


def model_curve(
    model: GlassModel,
    data: Measurement,
    *,
    points: int = CURVE_POINTS,
    resolution: Resolution | None = None,
) -> tuple[FloatArray, FloatArray] | None:
    """The model on a fine grid over the range of ``data``'s independent variable, for the curve
    of a figure: ``points`` values log-spaced (evenly spaced if the range has a zero or spans
    less than a factor 20), the other variables at the data's (single) values.

    Returns
    -------
    (x, y) or None
        The grid [K or s] and the model there [the quantity's unit]; None when another variable
        varies too (C(T) at several τ_expt: no single curve).
    """
    x = data.x
    others = [getattr(data, a) for a in ("temperature", "tau_expt") if a != data.axis]
    if any(v is not None and np.ptp(v) > 0 for v in others):
        return None
    low, high = float(x.min()), float(x.max())
    fine = (
        np.geomspace(low, high, points)
        if low > 0 and high / low > 20
        else np.linspace(low, high, points)
    )

    def filled(axis: str) -> FloatArray | None:
        value = getattr(data, axis)
        if axis == data.axis:
            return fine
        return None if value is None else np.full(points, float(np.asarray(value).flat[0]))

    grid = dataclasses.replace(
        data,
        values=np.zeros(points),
        errors=None,
        temperature=filled("temperature"),
        tau_expt=filled("tau_expt"),
        time=filled("time"),
    )
    return fine, predict(model, grid, resolution=resolution)


#: Reference responses a process keeps for fits (each a few kB).
REFERENCE_CACHE_SIZE = 32


@functools.lru_cache(maxsize=REFERENCE_CACHE_SIZE)
def _reference_response(
    reference: GlassModel,
    temperature: tuple[float, ...],
    tau_expt: tuple[float, ...],
    resolution: Resolution | None,
) -> StepResponse:
    """:func:`dynamics.response.step_response` of a reference glass
    (:func:`dynamics.response.response_scale`), remembered by the process: the evaluations of a
    fit that change only parameters that scale the response (``c``, ``N0``, ``eta_L``, ``psi``,
    ``bulk_modulus``: every evaluation of a fit of c and N0, and the finite-difference step of
    each such parameter in any fit) build no bins. Scaled, the same bits as
    :func:`~dynamics.response.step_response` of the glass itself."""
    return step_response(reference, temperature, tau_expt, resolution=resolution)


# ----------------------------------------------------------------------------------------------
# the fit


def _internal(name: str) -> str:
    return f"log10_{name}" if FIT_PARAMETERS[name].log else name


def _default_bounds(spec: FitParameter, start: float) -> tuple[float, float]:
    """Bounds of a parameter the user gave none for: its validated range, narrowed for a
    parameter fitted as log10 to :data:`LOG_REACH_DECADES` either side of its start value.
    [the parameter's unit]"""
    if not spec.log or not (math.isfinite(start) and start > 0):
        return spec.low, spec.high
    reach = 10.0**LOG_REACH_DECADES
    return max(spec.low, start / reach), min(spec.high, start * reach)


def _parameters(
    start: GlassModel, vary: Sequence[str], bounds: Mapping[str, tuple[float, float]]
) -> tuple[lmfit.Parameters, dict[str, tuple[float, float]]]:
    import lmfit

    fields = {f.name for f in dataclasses.fields(start)}
    params = lmfit.Parameters()
    used: dict[str, tuple[float, float]] = {}
    for name in bounds:
        if name not in vary:
            raise ParameterError(f"bounds given for {name}, which is not varied (--vary)")
    for name in vary:
        if name not in FIT_PARAMETERS or name not in fields:
            allowed = sorted(n for n in FIT_PARAMETERS if n in fields)
            raise ParameterError(
                f"vary = {name!r} is not a fittable parameter of glass {start.name!r}; "
                f"choose among {', '.join(allowed)}"
            )
        spec = FIT_PARAMETERS[name]
        value = getattr(start, name)
        if isinstance(value, str) or isinstance(value, bool):
            raise ParameterError(
                f"{name} = {value!r} (start value) is not a number; set one, e.g. --set {name}=1"
            )
        low, high = bounds.get(name) or _default_bounds(spec, value)
        if not low < high or low < spec.low or high > spec.high:
            raise ParameterError(
                f"bounds of {name} = [{low:g}, {high:g}] must be increasing and inside the "
                f"validated range [{spec.low:g}, {spec.high:g}]"
            )
        open_low = low == spec.low and not spec.low_closed
        inside = (value > low if open_low else value >= low) and (
            value < high if high == spec.high else value <= high
        )
        if not inside or not math.isfinite(value):
            raise ParameterError(
                f"{name} = {value:.6g} (start value) is outside the fit range "
                f"{'(' if open_low else '['}{low:g}, {high:g}{')' if high == spec.high else ']'}"
            )
        used[name] = (low, high)
        if spec.log:
            lo = math.log10(low) if low > 0 else -_INF
            hi = math.log10(high) if high < _INF else _INF
            if name == "eta_L" and high == 1.0:
                hi = -1e-12  # eta_L < 1: keep the bound transform off the open end
            params.add(_internal(name), value=math.log10(value), min=lo, max=hi)
        else:
            params.add(name, value=float(value), min=low, max=high)
    return params, used


def _glass_at(start: GlassModel, vary: Sequence[str], params: lmfit.Parameters) -> GlassModel:
    changes = {}
    for name in vary:
        v = float(params[_internal(name)].value)
        changes[name] = 10.0**v if FIT_PARAMETERS[name].log else v
    return start.replace(**changes)


def _checked_request(
    measurements: Measurement | Sequence[Measurement],
    glass: GlassModel,
    vary: Sequence[str],
) -> tuple[tuple[Measurement, ...], list[str]]:
    """Check what :func:`fit` is asked to do, before any parameter is looked at.

    Parameters
    ----------
    measurements, glass, vary
        As given to :func:`fit`.

    Returns
    -------
    data
        The data sets as a tuple.
    vary
        The names to fit, each once, in the order first given.

    Raises
    ------
    ParameterError
        No data, a glass of the wrong type, or nothing to vary.
    """
    data = _measurements(measurements)
    if not data:
        raise ParameterError("fit needs at least one data set")
    if not isinstance(glass, Glass | TunnellingGlass):
        raise ParameterError(f"glass = {glass!r} must be a dynamics.Glass or TunnellingGlass")
    names = [vary] if isinstance(vary, str) else vary  # one name is a list of one
    if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise ArgumentTypeError(f"vary = {vary!r} must be a name or a list of names")
    vary = list(dict.fromkeys(names))
    if not vary:
        raise ParameterError("vary: give at least one parameter to fit")
    return data, vary


def _measurements(measurements: Any) -> tuple[Measurement, ...]:
    """The data sets of :func:`fit`: each a :class:`~protocols.fitdata.Measurement` as given, or
    read by :func:`protocols.fitdata.read_data` from an :class:`xarray.Dataset` or a file.

    Raises
    ------
    ArgumentTypeError
        Something that is none of these (a :class:`ParameterError` too).
    ParameterError
        A dataset or file that holds no single quantity to
        fit (named in the message).
    """
    from pathlib import Path

    import xarray as xr  # only where a dataset may be given

    from protocols.fitdata import read_data

    one = isinstance(measurements, Measurement | xr.Dataset | str | Path)
    items = (measurements,) if one else measurements
    try:
        items = tuple(items)
    except TypeError:
        raise ArgumentTypeError(
            f"measurements = {measurements!r} must be data: a Measurement, an xarray.Dataset, a "
            "CSV or netCDF file, or a list of them"
        ) from None
    out = []
    for item in items:
        if isinstance(item, Measurement):
            out.append(item)
        elif isinstance(item, xr.Dataset | str | Path):
            out.append(read_data(item))
        else:
            raise ArgumentTypeError(
                f"measurements: {item!r} is not data (a Measurement, an xarray.Dataset, or a "
                "CSV or netCDF file)"
            )
    return tuple(out)


def _check_point_count(data: Sequence[Measurement], vary: Sequence[str]) -> None:
    """Raise :class:`ParameterError` unless the data have more points than ``vary`` names."""
    n_points = sum(m.size for m in data)
    if n_points <= len(vary):
        raise ParameterError(
            f"{n_points} data points for {len(vary)} free parameters: a fit needs more points "
            "than free parameters"
        )


def _uncertainties(data: Sequence[Measurement]) -> list[FloatArray]:
    r"""The divisor of each point's residual (module docstring, "Weights").

    Returns
    -------
    list of ndarray
        Per data set: its standard uncertainties, or :math:`\mathrm{rms}(y)` at every point
        when it has none. [the data set's unit]
    """
    return [
        m.errors if m.errors is not None else np.full(m.size, _rms(m.values, m.source))
        for m in data
    ]


@dataclass(frozen=True, eq=False)
class _Objective:
    """The model glass and the weighted residuals of a fit, as functions of lmfit's Parameters.

    Attributes
    ----------
    start
        The start glass (the parameters not varied keep its values).
    vary
        Names of the varied parameters.
    data
        The data sets.
    sigma
        Divisor of each point's residual (:func:`_uncertainties`). [the data set's unit]
    resolution
        Quadrature resolution.
    """

    start: GlassModel
    vary: Sequence[str]
    data: tuple[Measurement, ...]
    sigma: Sequence[FloatArray]
    resolution: Resolution

    def model(self, params: lmfit.Parameters) -> GlassModel:
        """The glass at ``params`` (on the start glass's spectrum)."""
        return _glass_at(self.start, self.vary, params)

    def predictions(self, model: GlassModel) -> tuple[FloatArray, ...]:
        """``model`` at every point of each data set. [each data set's unit]"""
        return tuple(predict(model, m, resolution=self.resolution) for m in self.data)

    def residual(self, params: lmfit.Parameters) -> FloatArray:
        """(model - data)/sigma at every point of every data set, concatenated. [1]

        Raises
        ------
        ParameterError
            The minimiser left the glass's validated range.
        """
        try:
            g = self.model(params)
            parts = [predict(g, m, resolution=self.resolution) - m.values for m in self.data]
        except ParameterError as exc:  # e.g. a log10 parameter run off to 10^-400 = 0
            raise ParameterError(
                f"the fit left the validated range ({exc}): the data do not determine "
                f"{', '.join(self.vary)} together; fix one of them or give --bounds"
            ) from None
        return np.concatenate([d / s for d, s in zip(parts, self.sigma, strict=True)])


def check_fit_cost(
    objective: _Objective, params: lmfit.Parameters, method: str, *, yes: bool, override: str
) -> float:
    """Refuse a fit estimated above :data:`protocols.cost.MAX_ESTIMATE_S` unless ``yes``
    (:func:`protocols.cost.fit_work`); return the estimate. [s]"""
    work = fit_work(
        objective.data, objective.model(params), len(objective.vary), method, objective.resolution
    )
    n_points = sum(m.size for m in objective.data)
    check_cost(
        f"a fit of {n_points} data points ({len(objective.vary)} free parameter(s), method "
        f"{method!r})",
        work.seconds,
        yes=yes,
        hint="fewer data points or free parameters",
        override=override,
    )
    return work.seconds


def estimate_fit_seconds(
    measurements: Measurement | Sequence[Measurement],
    glass: GlassModel,
    vary: Sequence[str],
    *,
    method: str = "leastsq",
    yes: bool = False,
    override: str = "yes=True",
) -> float:
    """The estimated duration of :func:`fit` with these arguments, refused above the limit
    unless ``yes`` (the command line checks it with ``override="--yes"`` first). [s]"""
    data, vary = _checked_request(measurements, glass, vary)
    _check_method(method)
    params, _ = _parameters(glass, vary, {})
    objective = _Objective(glass, vary, data, _uncertainties(data), Resolution())
    return check_fit_cost(objective, params, method, yes=yes, override=override)


def _check_method(method: Any) -> None:
    """Refuse a minimiser that is not one of :data:`protocols.cost.FIT_METHODS`."""
    if not isinstance(method, str) or method not in FIT_METHODS:
        raise ParameterError(
            f"method = {method!r} is not a fit method of the tool; choose one of "
            f"{', '.join(FIT_METHODS)}"
        )


def _minimise(
    objective: _Objective,
    params: lmfit.Parameters,
    method: str,
    scale_covar: bool,
    progress: FitProgress | None = None,
) -> tuple[Any, GlassModel, tuple[FloatArray, ...]]:
    """Run lmfit's minimiser on ``objective`` from ``params``, and evaluate the best fit.

    Parameters
    ----------
    objective
        The residuals to minimise.
    params
        The start (internal variables: log10 for :attr:`FitParameter.log`).
    method
        lmfit's minimiser.
    scale_covar
        Scale the covariance by the reduced chi-square (data without uncertainties).
    progress
        Called after each evaluation of the model (see :func:`fit`).

    Returns
    -------
    result
        lmfit's :class:`~lmfit.minimizer.MinimizerResult`.
    best
        The glass at the minimum.
    best_fit
        ``best`` at every point of each data set. [each data set's unit]

    Raises
    ------
    ParameterError
        The minimiser failed (lmfit's own checks, e.g. NaN from the model) or left the validated
        range.
    """
    import lmfit

    with warnings.catch_warnings():
        warnings.simplefilter("once")
        try:
            cap = FIT_EVALUATION_CAP * fit_evaluations(method, len(objective.vary))
            result = lmfit.minimize(
                objective.residual,
                params,
                method=method,
                scale_covar=scale_covar,
                iter_cb=None if progress is None else _reporter(progress),
                max_nfev=cap,
            )
        except ValueError as exc:  # lmfit's own checks, e.g. NaN from the model
            if isinstance(exc, ParameterError):
                raise
            raise ParameterError(f"the fit failed: {exc}") from None
        best = objective.model(result.params)
        best_fit = objective.predictions(best)
    return result, best, best_fit


def _reporter(progress: FitProgress) -> Callable[..., None]:
    """lmfit's ``iter_cb``, calling ``progress(evaluations, chi_square)`` (it must return None:
    a true value would stop the fit)."""
    count = [0]

    def report(params: Any, iteration: int, residual: FloatArray, *args: Any, **kws: Any) -> None:
        count[0] += 1
        progress(count[0], float(np.sum(np.square(residual))))

    return report


def _best_values(
    result: Any, vary: Sequence[str]
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    r"""Best values and standard errors of the varied parameters in their own units.

    For a parameter fitted as log10 the error is propagated linearly,
    :math:`\sigma_x = x\ln 10\,\sigma_{\log_{10}x}` (module docstring).

    Parameters
    ----------
    result
        lmfit's :class:`~lmfit.minimizer.MinimizerResult`.
    vary
        Names of the varied parameters.

    Returns
    -------
    values, stderr
        ``{name: value}`` in the parameter's unit (stderr NaN where lmfit gives none).
    stderr_log10
        ``{name: standard error of log10 of the value}`` for the log10-fitted ones. [1]
    """
    values, stderr, stderr_log10 = {}, {}, {}
    for name in vary:
        p = result.params[_internal(name)]
        err = p.stderr if p.stderr is not None else math.nan
        if FIT_PARAMETERS[name].log:
            values[name] = 10.0 ** float(p.value)
            stderr[name] = values[name] * math.log(10.0) * float(err)
            stderr_log10[name] = float(err)
        else:
            values[name] = float(p.value)
            stderr[name] = float(err)
    return values, stderr, stderr_log10


def fit(
    measurements: Any,
    glass: GlassModel,
    vary: Sequence[str],
    *,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    resolution: Resolution | None = None,
    method: str = "leastsq",
    progress: FitProgress | None = None,
    yes: bool = False,
) -> FitResult:
    """Fit parameters of ``glass`` to one or more data sets at once (module docstring).

    Parameters
    ----------
    measurements
        One or more data sets, sharing the parameters: each a
        :class:`protocols.fitdata.Measurement` (:func:`protocols.read_data` makes one from a
        file or a dataset, with the options it takes), an :class:`xarray.Dataset` holding one
        quantity to fit, or the path of a CSV or netCDF file.
    glass
        The start glass: the values of the varied parameters are the start values; the other
        parameters stay as they are. It is fitted on its own spectrum (``glass.spectrum``:
        exact spectra by default, as everywhere; ``"asymptotic"`` is much faster).
    vary
        Names of the parameters to fit (:data:`FIT_PARAMETERS`).
    bounds
        ``{name: (low, high)}`` in the parameter's unit, inside the validated range (the
        default).
    resolution
        Quadrature resolution (the converged default if omitted).
    method
        lmfit's minimiser, one of :data:`protocols.cost.FIT_METHODS` (``"leastsq"``,
        Levenberg-Marquardt, by default). It is stopped after
        :data:`protocols.cost.FIT_EVALUATION_CAP` times its typical number of evaluations (a
        fit stopped there says so in :attr:`FitResult.warnings`).
    progress
        Called after each evaluation of the model with the number of evaluations so far and
        that evaluation's chi-square (a fit's length is not known in advance; the command line
        shows it with :meth:`protocols.progress.Progress.step`).
    yes
        Fit even if the work is estimated above :data:`protocols.cost.MAX_ESTIMATE_S` (refused
        otherwise, before any work: :func:`protocols.cost.fit_work`).

    Returns
    -------
    FitResult

    Examples
    --------
    α(T) made by the asymptotic default glass (c = 6), fitted from c = 4:

    >>> import numpy as np
    >>> import dynamics, protocols
    >>> from protocols.fitdata import measurement
    >>> glass = dynamics.default_glass(spectrum="asymptotic")
    >>> temps = np.geomspace(0.1, 1.0, 8)  # [K]
    >>> alpha = protocols.gruneisen_vs_tau(glass, temps, [100.0]).alpha.values[:, 0]  # [K-1]
    >>> data = measurement("alpha", alpha, errors=0.02 * np.abs(alpha), temperature=temps,
    ...                    tau_expt=100.0)
    >>> result = protocols.fit(data, glass.replace(c=4.0), ["c"])
    >>> round(result.values["c"], 6), result.warnings
    (6.0, [])
    """
    import lmfit

    data, vary = _checked_request(measurements, glass, vary)
    _check_method(method)
    if bounds is not None and not isinstance(bounds, Mapping):
        raise ArgumentTypeError(f"bounds = {bounds!r} must be a dict name -> (low, high)")
    check_resolution(resolution)
    params, used = _parameters(glass, vary, bounds or {})
    _check_point_count(data, vary)
    res = resolution if resolution is not None else Resolution()
    objective = _Objective(glass, vary, data, _uncertainties(data), res)
    check_fit_cost(objective, params, method, yes=check_flag("yes", yes), override="yes=True")
    weighting = tuple("errors" if m.errors is not None else "rms" for m in data)
    result, best, best_fit = _minimise(objective, params, method, "rms" in weighting, progress)
    values, stderr, stderr_log10 = _best_values(result, vary)
    return FitResult(
        glass=best,
        start=glass,
        measurements=data,
        best_fit=best_fit,
        values=values,
        stderr=stderr,
        stderr_log10=stderr_log10,
        correlation=_correlation(result, [_internal(n) for n in vary]),
        chi_square=float(result.chisqr),
        reduced_chi_square=float(result.redchi),
        aic=float(result.aic),
        bic=float(result.bic),
        weighting=weighting,
        report=lmfit.fit_report(result),
        result=result,
        spectrum=glass.spectrum,
        resolution=res,
        bounds=used,
        curves=tuple(model_curve(best, m, resolution=res) for m in data),
    )


def _rms(values: FloatArray, source: str) -> float:
    rms = float(np.sqrt(np.mean(values**2)))
    if not rms > 0:
        raise ParameterError(f"{source}: every value is 0; give uncertainties to fit it")
    return rms


def _correlation(result: Any, names: list[str]) -> FloatArray:
    n = len(names)
    if result.covar is None:
        return np.full((n, n), math.nan)
    order = [result.var_names.index(name) for name in names]
    cov = np.asarray(result.covar)[np.ix_(order, order)]
    d = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(cov / np.outer(d, d))
