"""A finished fit (:class:`FitResult`, what :func:`protocols.fit.fit` returns) and its dataset:
the data, best fit and residuals of each data set, the fitted parameters with their errors and
correlations, and the settings and lmfit's report in the attributes (:func:`fit_dataset`).
Every variable carries ``long_name`` and ``units`` from the registry
(:data:`protocols.variables.VARIABLES`, :data:`FIT_VARIABLES`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dynamics import __version__
from dynamics.ensemble import Resolution
from dynamics.glass import GlassModel
from dynamics.units import PAPER_DOI, PAPER_REFERENCE
from protocols.fitdata import QUANTITIES, Measurement
from protocols.variables import TAU_MIN_DEFINITION, VARIABLES, Variable

if TYPE_CHECKING:  # xarray is imported where a dataset is made or read: a light start
    import xarray as xr

FloatArray = NDArray[np.float64]

__all__ = ["FIT_VARIABLES", "FitResult", "fit_dataset", "fit_variable_attrs"]

#: Variables of a fit's dataset beyond the registry of protocols.variables.
FIT_VARIABLES: Mapping[str, Variable] = {
    "parameter_row": Variable("name of a fitted parameter", "1"),
    "parameter_column": Variable("name of a fitted parameter", "1"),
    "correlation": Variable(
        "correlation coefficient between two fitted parameters",
        "1",
        "from the covariance matrix of the fit (linearised); the same for a parameter and its "
        "log10, which is how W, N0, A, eta_L, ... are fitted",
    ),
    "chi_square": Variable("chi-square of the fit, sum of squared weighted residuals", "1"),
    "reduced_chi_square": Variable("chi-square per degree of freedom", "1"),
    "aic": Variable("Akaike information criterion of the fit", "1"),
    "bic": Variable("Bayesian information criterion of the fit", "1"),
    "n_points": Variable("number of data points fitted", "1"),
    "n_free": Variable("number of free (varied) parameters", "1"),
}
_SUFFIXES = {
    "stderr": "standard error of the fitted {}",
    "start": "start value of the fit of {}",
}
_LOG_SUFFIX = "_stderr_log10"
_DATA_SUFFIXES = {
    "": "measured {}",
    "err": "standard uncertainty of the measured {}",
    "fit": "best fit of {}",
    "residual": "residual (measured minus best fit) of {}",
    "curve": "best fit on a fine grid of {}",
}


@dataclass(frozen=True)
class FitResult:
    """A finished fit.

    Attributes
    ----------
    glass
        The best-fit glass.
    start
        The start glass.
    measurements
        The data.
    best_fit
        The model at every point of each data set, at the best fit.
    values, stderr
        Best value and standard error of each varied parameter, in its unit (NaN: the data do
        not determine the errors).
    stderr_log10
        For the parameters fitted as log10: the standard error of log10 of the value, the
        error the fit itself estimates (``stderr`` is its linearisation). [1]
    correlation
        Correlation matrix of the varied parameters (order of ``values``).
    chi_square, reduced_chi_square, aic, bic
        Goodness of fit (lmfit's definitions).
    weighting
        Per data set, "errors" or "rms" (module docstring).
    report
        lmfit's report.
    result
        lmfit's :class:`~lmfit.minimizer.MinimizerResult`.
    spectrum, resolution, bounds
        The settings.
    curves
        Per data set, the best fit on a fine grid (:func:`protocols.fit.model_curve`), or None.
    """

    glass: GlassModel
    start: GlassModel
    measurements: tuple[Measurement, ...]
    best_fit: tuple[FloatArray, ...]
    values: dict[str, float]
    stderr: dict[str, float]
    stderr_log10: dict[str, float]
    correlation: FloatArray
    chi_square: float
    reduced_chi_square: float
    aic: float
    bic: float
    weighting: tuple[str, ...]
    report: str
    result: Any
    spectrum: str
    resolution: Resolution
    bounds: dict[str, tuple[float, float]]
    curves: tuple[tuple[FloatArray, FloatArray] | None, ...] = ()

    @property
    def n_points(self) -> int:
        return sum(m.size for m in self.measurements)

    @property
    def warnings(self) -> list[str]:
        """What the fit cannot tell: a model that does not fit the data within their stated
        errors (:func:`chi_square_warning`), parameters that ended on a bound, parameters
        without an error estimate, or pairs whose correlation exceeds 0.99 in magnitude (the
        data fix a combination of them, not each)."""
        names = list(self.values)
        misfit = chi_square_warning(self.chi_square, self.n_points - len(names), self.weighting)
        out = [misfit] if misfit else []
        if not getattr(self.result, "success", True):
            out.append(f"the minimiser stopped before converging: {self.result.message}")
        out += [
            f"{n} = {self.values[n]:.6g} ended on its {side} bound: the data may want it "
            "further (widen --bounds)"
            for n in names
            if (side := _bound_reached(self.values[n], self.bounds[n], n in self.stderr_log10))
        ]
        out += [
            f"no standard error for {n}: the data do not determine it"
            for n in names
            if not math.isfinite(self.stderr[n])
        ]
        for i, a in enumerate(names):
            for j in range(i + 1, len(names)):
                r = self.correlation[i, j]
                if math.isfinite(r) and abs(r) > 0.99:
                    out.append(
                        f"{a} and {names[j]} are {r:+.4f} correlated: the data determine a "
                        "combination of them, not each"
                    )
        return out

    def to_dataset(self) -> xr.Dataset:
        """The data, best fit, residuals, parameters, errors, correlations and settings
        (:func:`fit_dataset`)."""
        return fit_dataset(self)


#: A fit with stated errors warns when a chi-square this large or larger would occur by chance
#: less often than this, were the model right and the errors Gaussian and as stated: above the
#: 99.9th percentile of chi-square with the fit's degrees of freedom (a reduced chi-square above
#: 2.96 for 10 degrees of freedom, 2.27 for 20, 1.49 for 100, 1.14 for 1000). At 1e-2 one honest
#: fit in a hundred would warn; much below 1e-3 a model that misses the data by a clear margin
#: would pass (the issue's reduced chi-square of 98 is far beyond any of these). [1]
CHI_SQUARE_WARNING_PROBABILITY = 1e-3


def chi_square_warning(chi_square: float, degrees_of_freedom: int, weighting: Sequence[str]) -> str:
    """A warning if the data have stated errors (every data set weighted by its errors) and
    ``chi_square`` exceeds the :data:`CHI_SQUARE_WARNING_PROBABILITY` upper quantile of the
    chi-square distribution with ``degrees_of_freedom``; else ``""``.

    Examples
    --------
    >>> chi_square_warning(12.0, 10, ["errors"])
    ''
    >>> chi_square_warning(980.0, 10, ["errors"])  # doctest: +ELLIPSIS
    'reduced chi-square = 98 with the stated errors: ...'
    >>> chi_square_warning(980.0, 10, ["rms"])  # no stated errors: chi-square has no scale
    ''
    """
    from scipy.special import chdtri

    if degrees_of_freedom < 1 or any(w != "errors" for w in weighting):
        return ""
    limit = float(chdtri(degrees_of_freedom, CHI_SQUARE_WARNING_PROBABILITY))
    if chi_square <= limit:
        return ""
    reduced, threshold = chi_square / degrees_of_freedom, limit / degrees_of_freedom
    return (
        f"reduced chi-square = {reduced:.3g} with the stated errors: above {threshold:.3g}, "
        f"which a right model would exceed with probability "
        f"{CHI_SQUARE_WARNING_PROBABILITY:g} ({degrees_of_freedom} degrees of freedom); the "
        "model does not fit these data within their errors (another spectrum, protocol or "
        "parameter, or underestimated errors)"
    )


def _bound_reached(value: float, bounds: tuple[float, float], log: bool) -> str:
    """``"lower"`` or ``"upper"`` if ``value`` lies on that bound to 1e-6 in the fitted
    coordinate (log10 for a parameter fitted as log10, ``log``; relative to the bounds' width,
    if finite and above 1, for the others), else ``""``."""
    fitted = [
        math.log10(x) if log and x > 0 else (-math.inf if log else x) for x in (value, *bounds)
    ]
    at, low, high = fitted
    width = high - low
    tolerance = 1e-6 * (1.0 if log or not math.isfinite(width) else max(1.0, width))
    for side, bound in (("lower", low), ("upper", high)):
        if math.isfinite(bound) and abs(at - bound) <= tolerance:
            return side
    return ""


def fit_variable_attrs(name: str) -> dict[str, str]:
    """``long_name`` and ``units`` of a fit dataset variable (from the registry)."""
    if name in FIT_VARIABLES:
        return FIT_VARIABLES[name].attrs()
    if name in VARIABLES:
        return VARIABLES[name].attrs()
    stem, _, tail = name.rpartition("_")
    if tail.isdigit():  # data set k: QUANTITY[_err|_fit|_residual]_k, point_k, or an axis
        if stem == "point":
            return {"long_name": f"index of a point of data set {tail}", "units": "1"}
        if stem == "curve":
            return {"long_name": f"index of the fine grid of data set {tail}", "units": "1"}
        for suffix, text in _DATA_SUFFIXES.items():
            base = stem[: -len(suffix) - 1] if suffix and stem.endswith("_" + suffix) else stem
            if (suffix == "" or stem.endswith("_" + suffix)) and base in VARIABLES:
                meta = VARIABLES[base]
                long = text.format(meta.long_name) if base in QUANTITIES else meta.long_name
                return {"long_name": f"{long} (data set {tail})", "units": meta.units}
    if name.endswith(_LOG_SUFFIX) and name[: -len(_LOG_SUFFIX)] in VARIABLES:
        meta = VARIABLES[name[: -len(_LOG_SUFFIX)]]
        return {
            "long_name": f"standard error of log10 of the fitted {meta.long_name}",
            "units": "1",
        }
    if tail in _SUFFIXES and stem in VARIABLES:
        meta = VARIABLES[stem]
        return {"long_name": _SUFFIXES[tail].format(meta.long_name), "units": meta.units}
    raise KeyError(f"fit dataset variable {name!r} has no registered metadata")


def _data_set_variables(
    k: int,
    m: Measurement,
    fitted: FloatArray,
    weighting: str,
    curve: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The variables and attributes of data set ``k`` in a fit's dataset (:func:`fit_dataset`).

    Parameters
    ----------
    k
        Number of the data set (1, 2, ...).
    m
        The data set.
    fitted
        The best fit at its points. [the data set's unit]
    weighting
        ``"errors"`` or ``"rms"`` (module docstring).
    curve
        The best fit on a fine grid (:func:`protocols.fit.model_curve`), or None.

    Returns
    -------
    data
        ``{name: (dimension, values)}``: the axes, data, uncertainties, best fit and residuals
        along ``point_k``; with a curve, ``AXIS_curve_k`` and ``QUANTITY_curve_k`` along
        ``curve_k``.
    attrs
        ``data_k_source``, ``data_k_quantity``, ``data_k_axis``, ``data_k_weighting``,
        ``data_k_parts`` (what the data hold: ``"tls"`` or ``"total"``) and, for a run quantity,
        ``data_k_protocol``.
    """
    data: dict[str, Any] = {}
    dim = f"point_{k}"
    for axis in ("temperature", "tau_expt", "time"):
        value = getattr(m, axis)
        if value is not None:
            data[f"{axis}_{k}"] = (dim, value)
    data[f"{m.quantity}_{k}"] = (dim, m.values)
    if m.errors is not None:
        data[f"{m.quantity}_err_{k}"] = (dim, m.errors)
    data[f"{m.quantity}_fit_{k}"] = (dim, fitted)
    data[f"{m.quantity}_residual_{k}"] = (dim, m.values - fitted)
    if curve is not None:
        data[f"{m.axis}_curve_{k}"] = (f"curve_{k}", curve[0])
        data[f"{m.quantity}_curve_{k}"] = (f"curve_{k}", curve[1])
    attrs: dict[str, Any] = {
        f"data_{k}_source": m.source,
        f"data_{k}_quantity": m.quantity,
        f"data_{k}_axis": m.axis,
        f"data_{k}_weighting": weighting,
        f"data_{k}_parts": m.parts,
    }
    if m.protocol is not None:
        attrs[f"data_{k}_protocol"] = json.dumps(m.protocol.to_dict(), sort_keys=True)
    return data, attrs


def _parameter_variables(result: FitResult) -> dict[str, Any]:
    """The fitted parameters and goodness of fit as variables of a fit's dataset.

    Returns
    -------
    dict
        ``NAME``, ``NAME_stderr``, ``NAME_start`` (and ``NAME_stderr_log10``) for each varied
        parameter, in its unit; ``correlation``; ``chi_square``, ``reduced_chi_square``,
        ``aic``, ``bic``, ``n_points``, ``n_free``.
    """
    data: dict[str, Any] = {}
    names = list(result.values)
    for name in names:
        data[name] = result.values[name]
        data[f"{name}_stderr"] = result.stderr[name]
        data[f"{name}_start"] = float(getattr(result.start, name))
        if name in result.stderr_log10:
            data[f"{name}_stderr_log10"] = result.stderr_log10[name]
    data["correlation"] = (("parameter_row", "parameter_column"), result.correlation)
    data["chi_square"] = result.chi_square
    data["reduced_chi_square"] = result.reduced_chi_square
    data["aic"] = result.aic
    data["bic"] = result.bic
    data["n_points"] = np.int32(result.n_points)  # CF 1.8 has no int64
    data["n_free"] = np.int32(len(names))
    return data


def _global_attrs(result: FitResult) -> dict[str, Any]:
    """The global attributes of a fit's dataset common to every fit: conventions, provenance,
    the start and best-fit glasses, the settings and lmfit's report and outcome."""
    names = list(result.values)
    start_name = result.start.name
    return {
        "Conventions": "CF-1.8",
        "title": f"tls-expansion: fit of glass {start_name} to "
        + ", ".join(m.quantity for m in result.measurements),
        "institution": "tls-expansion",
        "source": f"tls-expansion {__version__} (two-level systems of the soft-potential model)",
        "references": PAPER_REFERENCE,
        "paper_doi": PAPER_DOI,
        "history": f"tls-expansion {__version__}: protocols.fit(vary {', '.join(names)}, "
        f"glass {start_name})",
        "comment": "Step quantities are the TLS linear response after a small step "
        "(dynamics.response); strain and length_change come from protocols.run. "
        + TAU_MIN_DEFINITION,
        "tls_expansion_version": __version__,
        "glass": json.dumps(result.glass.to_dict(), sort_keys=True),
        "glass_start": json.dumps(result.start.to_dict(), sort_keys=True),
        "spectrum": result.spectrum,
        "resolution": json.dumps(result.resolution.__dict__, sort_keys=True),
        "tau_min_definition": TAU_MIN_DEFINITION,
        "fit_method": str(result.result.method),
        "fit_varied": ",".join(names),
        "fit_log10_parameters": ",".join(n for n in names if n in result.stderr_log10),
        "fit_bounds": json.dumps({k: list(v) for k, v in result.bounds.items()}),
        "fit_success": int(bool(result.result.success)),
        "fit_message": str(result.result.message),
        "fit_function_evaluations": int(result.result.nfev),
        "fit_report": result.report,
        "fit_warnings": "; ".join(result.warnings) or "none",
    }


def fit_dataset(result: FitResult) -> xr.Dataset:
    """The fit as a dataset: per data set ``k`` (1, 2, ...) along ``point_k`` the independent
    variable(s) ``temperature_k``, ``tau_expt_k`` or ``time_k``, the data ``QUANTITY_k``, their
    uncertainties ``QUANTITY_err_k``, the best fit ``QUANTITY_fit_k`` and the residuals
    ``QUANTITY_residual_k`` (data minus fit); each varied parameter ``NAME`` with
    ``NAME_stderr`` and ``NAME_start``; ``correlation``; ``chi_square``, ``reduced_chi_square``,
    ``aic``, ``bic``; the glass, the settings and lmfit's report in the attributes."""
    import xarray as xr

    data: dict[str, Any] = {}
    attrs: dict[str, Any] = {}
    curves = result.curves or (None,) * len(result.measurements)
    parts = zip(result.measurements, result.best_fit, curves, strict=True)
    for k, (m, fitted, curve) in enumerate(parts, 1):
        set_data, set_attrs = _data_set_variables(k, m, fitted, result.weighting[k - 1], curve)
        data.update(set_data)
        attrs.update(set_attrs)
    data.update(_parameter_variables(result))
    names = list(result.values)
    ds = xr.Dataset(data, coords={"parameter_row": names, "parameter_column": names})
    ds.attrs.update({**_global_attrs(result), **attrs})
    for var in ds.variables:
        ds[var].attrs.update(fit_variable_attrs(str(var)))
    return ds
