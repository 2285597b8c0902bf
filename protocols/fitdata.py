"""Measured data for fits: CSV files, netCDF files or xarray Datasets in, :class:`Measurement`\\ s
(SI, validated) out.

**CSV.** Lines ``# NAME = VALUE`` before the header are settings (other lines starting with
``#`` are free text):
``tau_expt`` (a duration with its unit, e.g. ``# tau_expt = 100 s``), ``temperature`` (e.g.
``# temperature = 300 mK``) and ``protocol`` (JSON as in a run's dataset, e.g.
``# protocol = {"kind": "heat-step", "T0": 0.3, "T1": 0.303}``). The header names each column
``quantity [unit]``: one measured quantity, optionally its standard uncertainty ``QUANTITY_err``,
and the independent variable(s) ``temperature``, ``tau_expt`` or ``time``. Units are converted
with pint (:mod:`protocols.quantities`). See docs/fitting.md and docs/fit_example_alpha.csv.

**Quantities** (:data:`QUANTITIES`): ``alpha``, ``alpha_over_temperature``, ``heat_capacity``,
``heat_capacity_over_temperature``, ``gruneisen`` (with :math:`C(\\tau_\\mathrm{expt})`),
``gruneisen_equilibrium`` (with :math:`C(\\infty)`) against temperature or ``tau_expt``, after a
small step; ``alpha_over_cube`` and ``heat_capacity_over_cube`` (α/T³, C/T³) likewise;
``strain`` and ``length_change`` against ``time`` under a protocol.

**Parts** (:data:`DATA_PARTS`, :attr:`Measurement.parts`): which parts of the glass a step
quantity's data hold: ``"tls"`` (the default: the slow two-level systems alone, the data with
phonons and electrons subtracted) or ``"total"`` (every part of
:func:`dynamics.parts.part_response`: what a calorimeter or a dilatometer measures). The fit
records it (``data_k_parts``). Run quantities hold every part the run has: ``"tls"`` there.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dynamics.validation import ArgumentTypeError, ParameterError
from protocols.checks import as_path
from protocols.histories import TemperatureHistory, make_protocol
from protocols.quantities import convert_values, parse_quantity
from protocols.textfiles import check_separators, read_number, read_text

if TYPE_CHECKING:  # xarray is imported where a dataset is made or read: a light start
    import xarray as xr

FloatArray = NDArray[np.float64]

#: Measured quantity -> (unit, kind): "step" (linear response after a small step, against
#: temperature and tau_expt) or "run" (a protocol's time series, against time).
QUANTITIES: dict[str, tuple[str, str]] = {
    "alpha": ("K-1", "step"),
    "alpha_over_temperature": ("K-2", "step"),
    "heat_capacity": ("J m-3 K-1", "step"),
    "heat_capacity_over_temperature": ("J m-3 K-2", "step"),
    "gruneisen": ("1", "step"),
    "gruneisen_equilibrium": ("1", "step"),
    "alpha_over_cube": ("K-4", "step"),
    "heat_capacity_over_cube": ("J m-3 K-4", "step"),
    "strain": ("1", "run"),
    "length_change": ("1", "run"),
}
#: What a step quantity's data hold (module docstring): the slow TLS or the whole glass.
DATA_PARTS = ("tls", "total")
#: Independent variables and their units.
AXES: dict[str, str] = {"temperature": "K", "tau_expt": "s", "time": "s"}
SETTINGS = ("tau_expt", "temperature", "protocol")
#: A setting line of a CSV file: ``# NAME = VALUE`` (other comment lines are free text).
_SETTING = re.compile(r"^#\s*([A-Za-z_]\w*)\s*=\s*(.*?)\s*$")


@dataclass(frozen=True)
class Measurement:
    """One measured data set, in SI.

    Attributes
    ----------
    quantity
        A name of :data:`QUANTITIES`.
    values
        The measured values, in the quantity's unit (:data:`QUANTITIES`).
    errors
        Standard uncertainties in the same unit, or None.
    temperature
        Temperature of each point (step quantities). [K]
    tau_expt
        Duration of the experiment of each point (step quantities). [s]
    time
        Time of each point (run quantities). [s]
    protocol
        The temperature history (run quantities).
    axis
        The independent variable that varies: "temperature", "tau_expt" or "time".
    source
        Where the data came from (a file name, or "dataset").
    parts
        What the data hold, one of :data:`DATA_PARTS` (module docstring).
    """

    quantity: str
    values: FloatArray
    errors: FloatArray | None
    temperature: FloatArray | None
    tau_expt: FloatArray | None
    time: FloatArray | None
    protocol: TemperatureHistory | None
    axis: str
    source: str
    parts: str = "tls"

    @property
    def unit(self) -> str:
        """Unit of the values (UDUNITS)."""
        return QUANTITIES[self.quantity][0]

    @property
    def x(self) -> FloatArray:
        """The independent variable that varies. [K] or [s]"""
        x = getattr(self, self.axis)
        assert x is not None
        return np.asarray(x)

    @property
    def size(self) -> int:
        return int(self.values.size)


def _finite_column(name: str, values: FloatArray, positive: bool, source: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise ParameterError(
            f"{source}: {name} = {values[row - 1]} in data row {row} is not a finite number"
        )
    if positive and np.any(values <= 0):
        row = int(np.flatnonzero(values <= 0)[0]) + 1
        raise ParameterError(
            f"{source}: {name} = {values[row - 1]:.6g} in data row {row} is outside the allowed "
            f"range (0, inf) [{AXES.get(name, '')}]"
        )


def _numbers(name: str, value: Any) -> FloatArray:
    """``value`` as a 1-D float array, or an ArgumentTypeError naming ``name``."""
    try:
        return np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{name} = {value!r} must be numbers") from None


def _per_point(name: str, value: Any, n: int, source: str) -> FloatArray | None:
    """One value per data point, finite and positive (a scalar is broadcast to every point).

    Parameters
    ----------
    name
        The column, for messages.
    value
        None, a scalar or ``n`` values. [the column's unit]
    n
        Number of data points.
    source
        A label for messages.

    Returns
    -------
    ndarray or None
        ``n`` values, or None if ``value`` is None. [the column's unit]
    """
    if value is None:
        return None
    arr = _numbers(name, value).ravel()
    if arr.size == 1:
        arr = np.full(n, float(arr[0]))
    if arr.size != n:
        raise ParameterError(f"{source}: {name} has {arr.size} values for {n} data points")
    _finite_column(name, arr, True, source)
    return arr


def _step_axis(
    quantity: str,
    temps: FloatArray | None,
    taus: FloatArray | None,
    times: FloatArray | None,
    source: str,
) -> str:
    """The axis of a step quantity's data: the one of temperature and tau_expt that varies
    ("temperature" if both or neither do), after checking that both are given and time is not.

    Parameters
    ----------
    quantity
        A step quantity of :data:`QUANTITIES`.
    temps
        Temperature of each point, or None. [K]
    taus
        Duration of the experiment of each point, or None. [s]
    times
        Time of each point, or None. [s]
    source
        A label for messages.
    """
    if temps is None or taus is None:
        missing = "temperature" if temps is None else "tau_expt"
        raise ParameterError(
            f"{source}: {quantity} needs {missing} (a column, a '# {missing} = ...' line, "
            f"or --{missing.replace('_', '-')})"
        )
    if times is not None:
        raise ParameterError(f"{source}: {quantity} is not a function of time")
    varying = [a for a, v in (("temperature", temps), ("tau_expt", taus)) if np.ptp(v) > 0]
    return varying[0] if len(varying) == 1 else "temperature"


def _run_protocol(
    quantity: str,
    times: FloatArray | None,
    protocol: TemperatureHistory | dict[str, Any] | str | None,
    source: str,
) -> TemperatureHistory:
    """The protocol of a run quantity's data, after checking that it has times.

    Parameters
    ----------
    quantity
        A run quantity of :data:`QUANTITIES`.
    times
        Time of each point, or None. [s]
    protocol
        A protocol, its dict or its JSON, or None.
    source
        A label for messages.
    """
    if times is None:
        raise ParameterError(f"{source}: {quantity} needs a time column [s]")
    if protocol is None:
        raise ParameterError(
            f'{source}: {quantity} needs the protocol (\'# protocol = {{"kind": '
            f'"heat-step", "T0": 0.3, "T1": 0.303}}\')'
        )
    return _protocol(protocol, source)


def measurement(
    quantity: str,
    values: Any,
    *,
    errors: Any = None,
    temperature: Any = None,
    tau_expt: Any = None,
    time: Any = None,
    protocol: TemperatureHistory | dict[str, Any] | str | None = None,
    source: str = "data",
    parts: str = "tls",
) -> Measurement:
    """A validated :class:`Measurement` from arrays in SI (scalars broadcast to every point).

    Parameters
    ----------
    quantity
        A name of :data:`QUANTITIES`.
    values
        Measured values, in the quantity's unit.
    errors
        Standard uncertainties (> 0), same unit, or None.
    temperature
        [K], per point or one value.
    tau_expt
        [s], per point or one value.
    time
        [s], per point (run quantities).
    protocol
        A protocol, its dict or its JSON (run quantities).
    source
        A label for messages.
    parts
        What the data hold: one of :data:`DATA_PARTS` (``"total"`` for step quantities only).

    Examples
    --------
    A calorimeter's C/T³ of the whole glass (phonons included):

    >>> m = measurement("heat_capacity_over_cube", [2.0, 3.0], temperature=[1.0, 10.0],
    ...                 tau_expt=1.0, parts="total")
    >>> m.parts, m.unit
    ('total', 'J m-3 K-4')
    >>> measurement("alpha", [1e-9], temperature=1.0, tau_expt=1.0, parts="phonons")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dynamics.validation.ParameterError: data: parts = 'phonons' is not allowed; use one of ...
    """
    if quantity not in QUANTITIES:
        raise ParameterError(
            f"{source}: quantity {quantity!r} is not known; choose one of "
            f"{', '.join(sorted(QUANTITIES))}"
        )
    y = _numbers("values", values).ravel()
    _finite_column(quantity, y, False, source)
    n = y.size
    err = _per_point(f"{quantity}_err", errors, n, source)
    temps = _per_point("temperature", temperature, n, source)
    taus = _per_point("tau_expt", tau_expt, n, source)
    times = _per_point("time", time, n, source)
    check_parts(parts, quantity, source)
    proto: TemperatureHistory | None = None
    if QUANTITIES[quantity][1] == "step":
        axis = _step_axis(quantity, temps, taus, times, source)
    else:
        proto = _run_protocol(quantity, times, protocol, source)
        axis = "time"
    return Measurement(
        quantity=quantity,
        values=y,
        errors=err,
        temperature=temps,
        tau_expt=taus,
        time=times,
        protocol=proto,
        axis=axis,
        source=source,
        parts=parts,
    )


def check_parts(parts: Any, quantity: str, source: str) -> str:
    """``parts`` if it is one of :data:`DATA_PARTS` and fits ``quantity`` (``"total"`` only for
    step quantities); a :class:`ParameterError` naming it otherwise."""
    if not isinstance(parts, str) or parts not in DATA_PARTS:
        raise ParameterError(f"{source}: parts = {parts!r} is not allowed; use one of {DATA_PARTS}")
    if parts == "total" and QUANTITIES[quantity][1] != "step":
        raise ParameterError(
            f"{source}: parts = 'total' applies to step quantities; {quantity!r} comes from a run, "
            "which holds every part the glass has (use parts = 'tls')"
        )
    return parts


def _protocol(value: TemperatureHistory | dict[str, Any] | str, source: str) -> TemperatureHistory:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ParameterError(f"{source}: protocol = {value!r} is not JSON") from None
    if isinstance(value, dict):
        table = dict(value)
        kind = table.pop("kind", None)
        if not isinstance(kind, str):
            raise ParameterError(f"{source}: protocol = {value!r} has no 'kind'")
        return make_protocol(kind, **table)
    if isinstance(value, str):
        raise ParameterError(f"{source}: protocol = {value!r} is not a protocol")
    return value


def _split_header(text: str, source: str) -> tuple[str, str]:
    """``"alpha [1e-9/K]"`` -> ``("alpha", "1e-9/K")``."""
    name, sep, rest = text.strip().partition("[")
    if not sep or not rest.rstrip().endswith("]"):
        raise ParameterError(
            f"{source}: column {text.strip()!r} must be written 'quantity [unit]', e.g. "
            "'temperature [K]'"
        )
    return name.strip(), rest.rstrip()[:-1].strip()


def _read_lines(
    p: Path, source: str
) -> tuple[dict[str, tuple[str, int]], list[str], list[tuple[int, list[str]]]]:
    """The settings, header and data rows of a CSV file (module docstring), as text.

    Parameters
    ----------
    p
        The file.
    source
        A label for messages.

    Returns
    -------
    settings
        ``{name: (value, line number)}`` from the ``# NAME = VALUE`` lines before the header.
    header
        The header's cells.
    rows
        Each data row's line number and cells (as many as the header's).

    Raises
    ------
    ParameterError
        Not UTF-8 text, an unknown setting or one given twice, columns separated by ';', a row
        of the wrong length, no header or no data rows.
    """
    settings: dict[str, tuple[str, int]] = {}
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    for line_no, raw in enumerate(read_text(p, f"data = {str(p)!r}").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        where = f"{source}, line {line_no}"
        if line.startswith("#"):
            setting = _SETTING.match(line)
            if header is None and setting:
                _add_setting(settings, setting.group(1), setting.group(2).strip(), line_no, where)
            continue
        check_separators(line, where)
        cells = next(csv.reader([line]))
        if header is None:
            header = cells
        elif len(cells) != len(header):
            raise ParameterError(
                f"{where}: {len(cells)} values for {len(header)} columns (numbers are written "
                "with a decimal point; a comma separates columns)"
            )
        else:
            rows.append((line_no, cells))
    if header is None or not rows:
        raise ParameterError(f"{source}: no header or no data rows")
    return settings, header, rows


def _add_setting(
    settings: dict[str, tuple[str, int]], key: str, value: str, line_no: int, where: str
) -> None:
    """Record the setting ``key = value`` of line ``line_no``: a known setting, given once."""
    if key not in SETTINGS:
        raise ParameterError(f"{where}: setting {key!r} is not known; use {', '.join(SETTINGS)}")
    if key in settings:
        raise ParameterError(
            f"{where}: setting {key!r} is given twice (first on line {settings[key][1]}); "
            "give it once"
        )
    settings[key] = (value, line_no)


def _numeric_columns(
    header: list[str], rows: list[tuple[int, list[str]]], source: str
) -> dict[str, tuple[str, FloatArray]]:
    """The columns of a CSV file as numbers in the file's units (empty cells NaN).

    Parameters
    ----------
    header
        The header's cells, ``quantity [unit]``.
    rows
        Each data row's line number and cells.
    source
        A label for messages.

    Returns
    -------
    dict
        ``{name: (unit, values)}`` in the order of the header. [the column's unit]

    Raises
    ------
    ParameterError
        A header cell without a unit, a column given twice, or a cell that is not a number
        (a decimal comma included), naming the line.
    """
    columns: dict[str, str] = {}
    for text in header:
        name, unit = _split_header(text, source)
        if name in columns:
            raise ParameterError(f"{source}: column {name!r} appears twice")
        columns[name] = unit
    table: dict[str, tuple[str, FloatArray]] = {}
    for i, (name, unit) in enumerate(columns.items()):
        values = [read_number(cells[i], name, f"{source}, line {n}") for n, cells in rows]
        table[name] = (unit, np.array(values, dtype=float))
    return table


def _file_settings(settings: dict[str, tuple[str, int]], source: str) -> dict[str, float | None]:
    """``tau_expt`` [s] and ``temperature`` [K] from a CSV file's settings (None if absent); a
    bad value is refused naming the file and its line."""
    out: dict[str, float | None] = {}
    for name, unit in (("tau_expt", "s"), ("temperature", "K")):
        if name not in settings:
            out[name] = None
            continue
        text, line_no = settings[name]
        try:
            out[name] = parse_quantity(text, unit, name=name)
        except ParameterError as exc:
            raise ParameterError(f"{source}, line {line_no}: {exc}") from None
    return out


def read_csv(
    path: str | Path, *, tau_expt: float | None = None, temperature: float | None = None
) -> Measurement:
    """A :class:`Measurement` from a CSV file (module docstring).

    Parameters
    ----------
    path
        The file.
    tau_expt
        [s] for step quantities whose file gives none (the CLI's ``--tau-expt``).
    temperature
        [K] for step quantities whose file gives none.
    """
    p = as_path("path", path)
    source = p.name
    settings, header, rows = _read_lines(p, source)
    table = _numeric_columns(header, rows, source)
    protocol = settings.get("protocol")
    return _from_table(
        table,
        _file_settings(settings, source),
        None if protocol is None else protocol[0],
        {"tau_expt": tau_expt, "temperature": temperature},
        source,
    )


def _from_table(
    table: dict[str, tuple[str, FloatArray]],
    settings: dict[str, float | None],
    protocol: Any,
    defaults: dict[str, float | None],
    source: str,
) -> Measurement:
    """Columns {name: (unit, values)} to a Measurement, converting units."""
    measured = [n for n in table if n in QUANTITIES]
    unknown = [n for n in table if n not in QUANTITIES and n not in AXES and not n.endswith("_err")]
    if unknown:
        raise ParameterError(
            f"{source}: quantity {unknown[0]!r} is not known; choose one of "
            f"{', '.join(sorted(QUANTITIES))} against {', '.join(AXES)}"
        )
    if len(measured) != 1:
        raise ParameterError(
            f"{source}: give exactly one measured quantity column (found "
            f"{', '.join(measured) or 'none'}); choose one of {', '.join(sorted(QUANTITIES))}"
        )
    quantity = measured[0]
    for name in table:
        if name.endswith("_err") and name != f"{quantity}_err":
            raise ParameterError(
                f"{source}: uncertainty column {name!r} does not belong to {quantity!r}"
            )
    si: dict[str, FloatArray] = {}
    for name, (unit, values) in table.items():
        target = AXES.get(name) or QUANTITIES[quantity][0]
        si[name] = convert_values(values, unit, target, name=name)
    merged: dict[str, Any] = {}
    for name in ("temperature", "tau_expt"):
        given = [v for v in (si.get(name), settings.get(name)) if v is not None]
        if len(given) > 1:
            raise ParameterError(f"{source}: {name} is given both as a column and a setting")
        value = given[0] if given else None
        if value is not None and defaults.get(name) is not None:
            if not np.allclose(value, defaults[name], rtol=1e-12):  # type: ignore[arg-type]
                raise ParameterError(
                    f"{source}: {name} = {defaults[name]:.6g} from the command line differs "
                    "from the data's own"
                )
        merged[name] = value if value is not None else defaults.get(name)
    return measurement(
        quantity,
        si[quantity],
        errors=si.get(f"{quantity}_err"),
        temperature=merged["temperature"],
        tau_expt=merged["tau_expt"],
        time=si.get("time"),
        protocol=protocol,
        source=source,
    )


def from_dataset(
    dataset: xr.Dataset,
    quantity: str | None = None,
    *,
    tau_expt: float | None = None,
    temperature: float | None = None,
    source: str = "dataset",
) -> Measurement:
    """A :class:`Measurement` from a Dataset: the variable ``quantity`` (its ``units`` attribute
    converted), along ``temperature``, ``tau_expt`` (both: flattened) or ``time``, with
    ``QUANTITY_err`` if present; ``tau_expt``, ``temperature`` from scalar variables or
    attributes, ``protocol`` from the attribute (as written by :func:`protocols.run.run`).

    Parameters
    ----------
    dataset
        The data.
    quantity
        The variable to fit; needed when the dataset holds more than one of :data:`QUANTITIES`.
    tau_expt, temperature
        Defaults [s], [K] where the dataset has none.
    source
        A label for messages.
    """
    present = [n for n in QUANTITIES if n in dataset.data_vars]
    if quantity is None:
        if len(present) != 1:
            raise ParameterError(
                f"{source}: choose the quantity to fit (quantity=NAME; --quantity NAME on the "
                "command line) among "
                f"{', '.join(present) or 'none of ' + ', '.join(sorted(QUANTITIES))}"
            )
        quantity = present[0]
    if quantity not in dataset.data_vars:
        raise ParameterError(f"{source}: quantity {quantity!r} is not in the dataset")
    var = dataset[quantity]
    dims = [str(d) for d in var.dims]
    if any(d not in AXES for d in dims) or not dims:
        raise ParameterError(
            f"{source}: {quantity} has dimensions {tuple(dims)}; a fit needs it along "
            f"{', '.join(AXES)}"
        )
    table: dict[str, tuple[str, FloatArray]] = {}
    flat = var.stack(point=dims) if len(dims) > 1 else var.rename({dims[0]: "point"})
    table[quantity] = (str(var.attrs.get("units", QUANTITIES[quantity][0])), flat.values)
    for d in dims:
        coord = flat[d] if len(dims) > 1 else dataset[d]
        table[d] = (str(dataset[d].attrs.get("units", AXES[d])), np.asarray(coord.values))
    err = f"{quantity}_err"
    if err in dataset.data_vars:
        e = dataset[err]
        e_flat = e.stack(point=dims) if len(dims) > 1 else e.rename({dims[0]: "point"})
        table[err] = (str(e.attrs.get("units", QUANTITIES[quantity][0])), e_flat.values)
    settings: dict[str, float | None] = {}
    for name in ("tau_expt", "temperature"):
        if name in dims:
            continue
        if name in dataset.variables and dataset[name].ndim == 0:
            unit = str(dataset[name].attrs.get("units", AXES[name]))
            value = convert_values(dataset[name].values, unit, AXES[name], name=name)
            settings[name] = float(value)
        elif name in dataset.attrs:
            settings[name] = parse_quantity(dataset.attrs[name], AXES[name], name=name)
    protocol = dataset.attrs.get("protocol") if QUANTITIES[quantity][1] == "run" else None
    return _from_table(
        table, settings, protocol, {"tau_expt": tau_expt, "temperature": temperature}, source
    )


def read_data(
    source: str | Path | xr.Dataset,
    quantity: str | None = None,
    *,
    tau_expt: float | None = None,
    temperature: float | None = None,
    parts: str = "tls",
) -> Measurement:
    """A :class:`Measurement` from a CSV file, a netCDF file (``.nc``) or a Dataset; ``parts``
    says what its data hold (:data:`DATA_PARTS`, the CLI's ``--parts``)."""
    m = _read_data(source, quantity, tau_expt=tau_expt, temperature=temperature)
    check_parts(parts, m.quantity, m.source)
    return dataclasses.replace(m, parts=parts)


def _read_data(
    source: str | Path | xr.Dataset,
    quantity: str | None = None,
    *,
    tau_expt: float | None = None,
    temperature: float | None = None,
) -> Measurement:
    import xarray as xr

    if isinstance(source, xr.Dataset):
        return from_dataset(source, quantity, tau_expt=tau_expt, temperature=temperature)
    path = as_path("source", source)
    if path.suffix == ".nc":
        from protocols.output import open_dataset

        return from_dataset(
            open_dataset(path),
            quantity,
            tau_expt=tau_expt,
            temperature=temperature,
            source=path.name,
        )
    if quantity is not None:
        m = read_csv(path, tau_expt=tau_expt, temperature=temperature)
        if m.quantity != quantity:
            raise ParameterError(f"{path.name}: holds {m.quantity}, not {quantity}")
        return m
    return read_csv(path, tau_expt=tau_expt, temperature=temperature)
