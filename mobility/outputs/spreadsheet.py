"""Spreadsheet safety: text from data never becomes a formula (CSV and XLSX).

- CSV: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with a single quote, as OWASP recommends ("CSV injection"). Numbers are written by
  the callers as numbers and are never passed here, so ``-12`` stays ``-12``.
- XLSX (openpyxl): every cell holding a ``str`` is typed as a string (``data_type = "s"``);
  openpyxl would otherwise store a value starting with ``=`` as a live formula.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CSV_TRIGGERS", "csv_text", "strings_only"]

#: First characters that make a spreadsheet program read a CSV cell as a formula.
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell for CSV: neutralised with a leading ``'`` when it could start a formula.

    Carriage returns become line feeds, which the CSV writers (line terminator ``\n``) quote;
    a bare ``\r`` would otherwise end the row in the middle of the field.
    """
    out = "'" + value if value.startswith(CSV_TRIGGERS) else value
    return out.replace("\r\n", "\n").replace("\r", "\n")


def strings_only(worksheet: Any) -> None:
    """Type every ``str`` cell of an openpyxl worksheet as a string, never a formula."""
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
