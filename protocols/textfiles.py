"""Reading the text files a user gives (fit data, schedules): UTF-8 or a one-line refusal, and
numbers read exactly as written or refused, naming the file and the line.

A file is read whole as UTF-8 (a byte-order mark, as spreadsheets write, is accepted); anything
else (Latin-1, UTF-16, a binary file) is refused with the line and byte where it stops being
UTF-8. A cell that is a number with a decimal comma, or a line whose columns are separated by
semicolons (the spreadsheet export of a decimal-comma locale), is refused with a hint rather
than read as other numbers.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

from dynamics.validation import ParameterError
from protocols.quantities import decimal_comma_message, has_decimal_comma


class InputFileError(ParameterError, OSError):
    """A file the user gave cannot be read (missing, a folder, no permission, not UTF-8 text).

    A :class:`~dynamics.ParameterError` (the input is at fault) and an :class:`OSError`.
    """


def read_text(path: str | os.PathLike[str], label: str | None = None) -> str:
    """The text of the file ``path``, decoded as UTF-8.

    Parameters
    ----------
    path
        The file.
    label
        How the messages name it, e.g. ``"data = 'x.csv'"``; ``"file 'x.csv'"`` if omitted.

    Returns
    -------
    str
        The file's text (a leading byte-order mark removed).

    Raises
    ------
    InputFileError
        No such file, a folder, unreadable, or not UTF-8 text (the message gives the line and
        the byte).
    """
    p = Path(path)
    label = label or f"file {str(p)!r}"
    check_input_file(p, label)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{label} cannot be read: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{label} cannot be read: it is a folder, not a file") from None
    except OSError as exc:
        raise InputFileError(f"{label} cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(
            f"{label} is not text in UTF-8 (line {line}, byte 0x{data[exc.start]:02x}); save it "
            "as UTF-8"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputFileError(f"{label} is not text (a NUL byte on line {line})")
    return text


#: Largest input file read (a schedule of several million rows; /dev/zero would never end). [B]
MAX_INPUT_BYTES = 100_000_000


def check_input_file(p: Path, label: str) -> None:
    """Refuse, before reading it, a file that is not a regular file (a FIFO, a device such as
    /dev/zero, which would never end) or is larger than :data:`MAX_INPUT_BYTES`.

    Raises
    ------
    InputFileError
        Naming the file (``label``) and what it is.
    """
    try:
        info = p.stat()
    except FileNotFoundError:
        raise InputFileError(f"{label} cannot be read: no such file") from None
    except OSError as exc:
        raise InputFileError(f"{label} cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(f"{label} cannot be read: it is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(
            f"{label} is not a regular file (a pipe or a device): give a file on disk"
        )
    if info.st_size > MAX_INPUT_BYTES:
        raise InputFileError(
            f"{label} is {info.st_size} bytes, more than the {MAX_INPUT_BYTES} an input file "
            "may have"
        )


def check_separators(line: str, where: str) -> None:
    """Refuse a line whose columns are separated by semicolons (``0;0,3``).

    Parameters
    ----------
    line
        The line, stripped.
    where
        ``"<file>, line <n>"``, for the message.
    """
    if ";" in line:
        raise ParameterError(
            f"{where}: {line!r} separates columns with ';': write columns separated by commas "
            "and numbers with a decimal point (e.g. 0.3)"
        )


def read_number(cell: str, name: str, where: str) -> float:
    """A cell of a table as a float: a plain number, exactly as written; empty cells are NaN.

    Parameters
    ----------
    cell
        The cell's text.
    name
        The column, for the message.
    where
        ``"<file>, line <n>"``, for the message.

    Raises
    ------
    ParameterError
        A decimal comma or text that is not a number, naming the file, the line, the column and
        the value.
    """
    text = cell.strip()
    if not text:
        return math.nan
    if has_decimal_comma(text):
        raise ParameterError(f"{where}: {decimal_comma_message(name, text)}")
    try:
        return float(text)
    except ValueError:
        raise ParameterError(f"{where}: {name} = {text!r} is not a number") from None
