"""The import report as files: the JSON document and the .xlsx of its issues (Chinese headers, one row per issue).

Shared by `youwei import` (files beside the workbook) and the gateway's import job (files under its imports_dir,
written atomically by the caller from the bytes).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

XLSX_SHEET = "问题"
XLSX_HEADERS = ("工作表", "行", "列", "原因")


def json_bytes(report: dict[str, Any]) -> bytes:
    """The report as UTF-8 JSON (Chinese kept as it is, indented)."""
    return json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")


def xlsx_bytes(report: dict[str, Any]) -> bytes:
    """The report's issues as an .xlsx workbook: sheet 问题 with 工作表, 行, 列, 原因."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = XLSX_SHEET
    sheet.append(list(XLSX_HEADERS))
    for issue in report["issues"]:
        sheet.append([issue["sheet"], issue["row"], issue["column"], issue["reason"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(path: Path, report: dict[str, Any]) -> Path:
    """Writes the report to `path` (.json) and its issues beside it (the same name with .xlsx); returns the .xlsx."""
    path.write_bytes(json_bytes(report))
    xlsx = path.with_suffix(".xlsx")
    xlsx.write_bytes(xlsx_bytes(report))
    return xlsx
