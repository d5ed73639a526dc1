"""A neutral document model (sections of titled tables) that the .xlsx and PDF writers render, and the shared
formatting: values to text with Chinese labels, and the Content-Disposition of a download."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson

from kernel.labels import field as field_label
from kernel.labels import label

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MEDIA_TYPE = "application/pdf"
UNAVAILABLE = "暂不可用"
WITHHELD = "无权查看"
REASONS = {
    "unavailable": "服务不可用",
    "timeout": "服务响应超时",
    "bad-response": "服务应答异常",
    "not-found": "服务暂无此记录",
    "rejected": "服务拒绝请求",
    "error": "服务出错",
}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    title: str | None = None


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    note: str | None = None  # shown instead of (or above) the tables: unavailable, withheld, empty
    header: bool = True  # the document's title and header lines top this sheet (a data-only sheet has none)


@dataclass
class Document:
    title: str
    header: list[str]  # lines under the title: as-of date, generated for whom
    sections: list[Section]


def text(value: Any) -> Any:
    """A cell value: numbers stay numbers, everything else becomes display text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return label("yes_no", value)
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, int):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(str(text(v)) for v in value)
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    return str(value)


def coded(vocabulary: str | None, value: Any) -> Any:
    """A cell of a coded field: its Chinese label (lists joined), or the plain value when no vocabulary applies."""
    if vocabulary is None:
        return text(value)
    if isinstance(value, (list, tuple)):
        return "、".join(label(vocabulary, v) for v in value)
    return label(vocabulary, value)


def records(
    items: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str | None]], *, title: str | None = None
) -> Table:
    """A table of records: one column per (field, vocabulary), headers from kernel.labels.FIELDS."""
    return Table(
        [field_label(name) for name, _ in columns],
        [[coded(vocab, item.get(name)) for name, vocab in columns] for item in items],
        title,
    )


def counts(
    mapping: Mapping[str, Any] | None,
    vocabulary: str | None,
    key_header: str,
    *,
    title: str | None = None,
    value_header: str = "人数",
) -> Table:
    """A two-column table of counts by code."""
    return Table(
        [key_header, value_header], [[coded(vocabulary, k), text(v)] for k, v in (mapping or {}).items()], title
    )


def pairs(items: Sequence[tuple[str, Any]], *, title: str | None = None) -> Table:
    """A two-column table of labelled values."""
    return Table(["项目", "内容"], [[name, value] for name, value in items], title)


def missing(reason: str | None, *, withheld: bool = False) -> str:
    """The note of a part that is not shown: withheld from the caller, or unavailable (and why)."""
    if withheld:
        return f"{WITHHELD}（本人或当前角色不可查看此部分）"
    return f"{UNAVAILABLE}（{REASONS.get(reason or '', reason or '')}）"


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|;]")


def content_disposition(filename: str, fallback: str) -> str:
    """`attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 §4.3, RFC 8187 / 5987 ext-value)."""
    name = _UNSAFE.sub("_", filename).strip() or fallback
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback) or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
