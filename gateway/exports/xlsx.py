"""Writes a Document as an .xlsx workbook (openpyxl, write-only: rows are streamed, so a 20,000-row roster stays
within seconds and tens of MB): one sheet per section, headers in bold."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gateway.exports.document import Document, Section

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_FORMULA_START = ("=", "+", "-", "@")


def _cell(value: Any) -> Any:
    # A text cell starting with '=', '+', '-' or '@' would be a formula in the reader's spreadsheet (formula
    # injection through a name or a detail): it is written as text.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _widths(section: Section) -> dict[int, int]:
    widths: dict[int, int] = {}
    for table in section.tables:
        for column, header in enumerate(table.headers, start=1):
            longest = max([len(str(header))] + [len(str(r[column - 1])) for r in table.rows[:200]])
            widths[column] = max(widths.get(column, 10), min(60, longest * 2 + 2))
    return widths


def render_xlsx(document: Document) -> bytes:
    """Renders the document; the title and header lines top every sheet whose section asks for them."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = document.title
    used: set[str] = set()
    for index, section in enumerate(document.sections):
        name = _SHEET_UNSAFE.sub("_", section.title)[:31] or f"Sheet{index + 1}"
        while name in used:
            name = (name[:28] + f"_{index}")[:31]
        used.add(name)
        sheet = workbook.create_sheet(name)
        for column, width in _widths(section).items():
            sheet.column_dimensions[get_column_letter(column)].width = width

        def styled(value: Any, font: Font, sheet: Any = sheet) -> WriteOnlyCell:
            cell = WriteOnlyCell(sheet, value=_cell(value))
            cell.font = font
            return cell

        if section.header:
            sheet.append([styled(document.title, _TITLE)])
            for line in document.header:
                sheet.append([_cell(line)])
            sheet.append([])
        if section.note:
            sheet.append([styled(section.note, _BOLD)])
        for number, table in enumerate(section.tables):
            if number:
                sheet.append([])  # a blank row between tables; none after the last (a data sheet ends with data)
            if table.title:
                sheet.append([styled(table.title, _BOLD)])
            sheet.append([styled(h, _BOLD) for h in table.headers])
            for row in table.rows:
                sheet.append([_cell(v) for v in row])
            if not table.rows:
                sheet.append(["（无）"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
