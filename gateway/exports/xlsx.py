"""Writes a Document as an .xlsx workbook (openpyxl): one sheet per section, headers in bold."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gateway.exports.document import Document

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)


def _cell(value: object) -> object:
    # A text cell starting with '=' would be a formula in the reader's spreadsheet (CSV/formula injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _number_like(value):
        return "'" + value
    return value


def _number_like(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def render_xlsx(document: Document) -> bytes:
    """Renders the document; the title and header lines top every sheet whose section asks for them."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = document.title
    used: set[str] = set()
    for index, section in enumerate(document.sections):
        name = _SHEET_UNSAFE.sub("_", section.title)[:31] or f"Sheet{index + 1}"
        while name in used:
            name = (name[:28] + f"_{index}")[:31]
        used.add(name)
        sheet = workbook.create_sheet(name)
        widths: dict[int, int] = {}
        if section.header:
            sheet.append([document.title])
            sheet.cell(sheet.max_row, 1).font = _TITLE
            for line in document.header:
                sheet.append([line])
            sheet.append([])
        if section.note:
            sheet.append([section.note])
            sheet.cell(sheet.max_row, 1).font = _BOLD
        for table in section.tables:
            if table.title:
                sheet.append([table.title])
                sheet.cell(sheet.max_row, 1).font = _BOLD
            sheet.append(table.headers)
            for column in range(1, len(table.headers) + 1):
                sheet.cell(sheet.max_row, column).font = _BOLD
            for row in table.rows:
                sheet.append([_cell(v) for v in row])
            for column, header in enumerate(table.headers, start=1):
                longest = max([len(str(header))] + [len(str(r[column - 1])) for r in table.rows[:200]])
                widths[column] = max(widths.get(column, 0), min(60, longest * 2 + 2))
            if not table.rows:
                sheet.append(["（无）"])
            sheet.append([])
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = max(10, width)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
