"""The schedule file of ``tls-expansion run schedule --schedule FILE``: a CSV table of time and
temperature, read exactly as the user meant it or refused, naming the file and the line.

* UTF-8 text (:func:`protocols.textfiles.read_text`); lines starting with ``#`` are comments.
* An optional header names the two columns and their units, in either order:
  ``time [min], temperature [mK]``, ``time (s), T (K)``, ``time_s, temperature_K``,
  ``t/h, T/degC``. Names: ``time`` or ``t``, ``temperature`` or ``T`` (case matters only for
  ``t`` and ``T``); units as :mod:`protocols.quantities` reads them. Without a header, or for a
  column named without a unit, time is in seconds and temperature in kelvin.
* Every data row is exactly two numbers with a decimal point (a decimal comma or a ``;``
  separator is refused with a hint); the first time is 0 and times increase strictly;
  every temperature is in [``MIN_TEMPERATURE_K``, inf) K.
"""

from __future__ import annotations

import csv
import math
import os
import re

import numpy as np

from dynamics.validation import MIN_TEMPERATURE_K, ParameterError
from protocols.checks import as_path
from protocols.quantities import convert_values
from protocols.textfiles import check_separators, read_number, read_text

#: The column names a header may use -> the column they are, with its unit when none is given.
COLUMNS = {"time": "time", "t": "time", "temperature": "temperature", "temp": "temperature"}
DEFAULT_UNITS = {"time": "s", "temperature": "K"}
#: ``name [unit]``, ``name (unit)``, ``name / unit`` or ``name_unit``.
_HEADER_CELL = re.compile(
    r"^(?P<name>[A-Za-z]+)\s*(?:\[(?P<b>[^\]]*)\]|\((?P<p>[^)]*)\)|/\s*(?P<s>.+)|_(?P<u>.+))?$"
)
_NUMBER_START = re.compile(r"^\s*[+-]?(\d|\.\d)")


def _column(cell: str, where: str) -> tuple[str, str]:
    """``"time [min]"`` -> ``("time", "min")``: the column a header cell names and its unit."""
    match = _HEADER_CELL.match(cell.strip())
    name = match.group("name") if match else ""
    column = "temperature" if name == "T" else COLUMNS.get(name.lower())
    if match is None or column is None:
        raise ParameterError(
            f"{where}: column {cell.strip()!r} is not 'time [unit]' or 'temperature [unit]' "
            "(e.g. 'time [min], temperature [mK]'; without a header: seconds and kelvin)"
        )
    unit = next((g for g in match.group("b", "p", "s", "u") if g is not None), "")
    return column, unit.strip() or DEFAULT_UNITS[column]


def _header(cells: list[str], where: str) -> list[tuple[str, str]]:
    """The (column, unit) of each header cell: ``time`` and ``temperature``, each once."""
    if len(cells) != 2:
        raise ParameterError(
            f"{where}: the header has {len(cells)} columns; a schedule has two, time and "
            "temperature"
        )
    columns = [_column(cell, where) for cell in cells]
    if columns[0][0] == columns[1][0]:
        raise ParameterError(
            f"{where}: both columns are {columns[0][0]}; name one time and one temperature"
        )
    return columns


def read_schedule(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """The times [s] and temperatures [K] of a schedule file (module docstring), checked.

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    (ndarray, ndarray)
        Times from 0, strictly increasing [s]; temperatures [K].

    Raises
    ------
    ParameterError
        Naming the file, the line, the value and what is allowed.
    """
    p = as_path("path", path)
    label = f"schedule file {str(p)!r}"
    columns = [("time", "s"), ("temperature", "K")]
    rows: list[tuple[int, float, float]] = []
    header_seen = False
    for line_no, text in enumerate(read_text(p, label).splitlines(), 1):
        line = text.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{label}, line {line_no}"
        check_separators(line, where)
        cells = next(csv.reader([line]))
        if not rows and not header_seen and not any(_NUMBER_START.match(c) for c in cells):
            columns, header_seen = _header(cells, where), True
            continue
        if len(cells) != 2:
            raise ParameterError(
                f"{where}: {line!r} has {len(cells)} values; a row is 'time, temperature' "
                "(numbers with a decimal point, separated by a comma)"
            )
        values = {
            col: read_number(cell, col, where)
            for (col, _), cell in zip(columns, cells, strict=True)
        }
        rows.append((line_no, values["time"], values["temperature"]))
    if not rows:
        raise ParameterError(f"{label} has no rows of 'time, temperature'")
    units = dict(columns)
    raw = {"time": np.array([r[1] for r in rows]), "temperature": np.array([r[2] for r in rows])}
    si = {
        col: convert_values(raw[col], units[col], DEFAULT_UNITS[col], name=f"{label}: {col}")
        for col in raw
    }
    _check_rows(label, [r[0] for r in rows], raw, si, units)
    return si["time"], si["temperature"]


def _check_rows(
    label: str,
    lines: list[int],
    raw: dict[str, np.ndarray],
    si: dict[str, np.ndarray],
    units: dict[str, str],
) -> None:
    """Check each row, naming its line and its values as written, in the file's units.

    Parameters
    ----------
    label
        The file, for messages.
    lines
        Line number of each row.
    raw
        ``time`` and ``temperature`` of each row as written. [the file's units]
    si
        The same in seconds and kelvin. [s], [K]
    units
        The file's unit of each column.
    """
    times = si["time"]

    def shown(col: str, i: int) -> str:
        return f"{raw[col][i]:g} {units[col]}"

    for i, line_no in enumerate(lines):
        where = f"{label}, line {line_no}"
        for col in ("time", "temperature"):
            if math.isnan(raw[col][i]):
                raise ParameterError(f"{where}: the {col} is missing; a row is 'time, temperature'")
        if not math.isfinite(times[i]) or times[i] < 0:
            raise ParameterError(
                f"{where}: time = {shown('time', i)} is outside the allowed range [0, inf) "
                f"[{units['time']}]"
            )
        temp = si["temperature"][i]
        if not (math.isfinite(temp) and temp >= MIN_TEMPERATURE_K):
            lowest = convert_values([MIN_TEMPERATURE_K], "K", units["temperature"], name="T")[0]
            raise ParameterError(
                f"{where}: temperature = {shown('temperature', i)} is outside the allowed range "
                f"[{lowest:g}, inf) [{units['temperature']}]"
            )
        if i == 0 and times[0] != 0.0:
            raise ParameterError(
                f"{where}: the first time is {shown('time', 0)}; a schedule starts at time 0 "
                "(its first row is the temperature at t = 0)"
            )
        if i > 0 and times[i] <= times[i - 1]:
            raise ParameterError(
                f"{where}: time {shown('time', i)} does not come after {shown('time', i - 1)} "
                f"(line {lines[i - 1]}); times must increase strictly (a non-monotonic schedule)"
            )
