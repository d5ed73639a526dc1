"""From raw rows to a checked plan: every cell read (dates, labels), every problem named by sheet, row and column,
duplicates reported and never merged. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from suite.importing.dates import DateError, parse_date
from suite.importing.sheets import ORDER, RawSheet, SheetKind, label

EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Issue:
    """One problem of one row (or of a sheet, row 1): why the row is skipped, in words."""

    sheet: str
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class Record:
    """A row that passed every check: what to write, and where it came from."""

    kind: str
    sheet: str
    row: int
    values: dict[str, Any]

    @property
    def digest(self) -> str:
        """A fingerprint of the row's content: the same row twice is the same write (idempotency)."""
        return hashlib.sha256(orjson.dumps(self.values, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass
class Plan:
    records: list[Record] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Record]:
        return [r for r in self.records if r.kind == kind]

    def report(self) -> dict[str, Any]:
        """The row-level report: counts per kind and every issue."""
        return {"rows_ok": {k: len(self.of(k)) for k in ORDER},
                "rows_with_issues": len({(i.sheet, i.row) for i in self.issues if i.row > 1}),
                "issues": [i.as_dict() for i in self.issues], "ignored_sheets": self.ignored_sheets}


def _cell(kind: SheetKind, column: Any, raw: Any, today: dt.date) -> Any:
    """Reads one cell; raises ValueError with the reason."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if column.required:
            raise ValueError("required")
        return None
    if column.kind == "date":
        try:
            day = parse_date(raw)
        except DateError as error:
            raise ValueError(str(error)) from None
        if day < EARLIEST or day > today:
            raise ValueError("not a plausible date (before 1900 or in the future)")
        return day.isoformat()
    text = str(raw).strip() if not isinstance(raw, float) or raw != int(raw) else str(int(raw))
    if column.kind == "year":
        if not text.isdigit() or not 1900 <= int(text) <= today.year:
            raise ValueError("not a year between 1900 and this year")
        return int(text)
    if column.kind == "text":
        if "\x00" in text:
            raise ValueError("contains a NUL character")
        return text
    code = label(column.kind, text)
    if code is None:
        raise ValueError(f"unknown {column.kind.replace('_', ' ')}")
    return code


def _row_rules(kind: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    """Checks across the cells of one row: (column field, reason)."""
    problems = []
    if kind == "grades":
        if values.get("decided_on") and values.get("year") and int(values["decided_on"][:4]) < values["year"]:
            problems.append(("decided_on", "before the graded year"))
    if kind == "sanctions" and values.get("system") == "PARTY" and values.get("type") == "WARNING":
        values["type"] = "PARTY_WARNING"  # 党纪处分 警告
    if kind == "cadres":
        if values.get("entry_date") and values.get("birth_date") and values["entry_date"] <= values["birth_date"]:
            problems.append(("entry_date", "before the birth date"))
        for what in ("rank", "post"):
            code, since = values.get(f"{what}_code"), values.get(f"{what}_since")
            if code and not since:
                problems.append((f"{what}_since", f"the {what} needs the date it was taken up"))
            if since and not code:
                problems.append((f"{what}_code", f"a date without a {what}"))
            if since and values.get("entry_date") and since < values["entry_date"]:
                problems.append((f"{what}_since", "before the entry date"))
    return problems


def build(sheets: list[RawSheet], *, today: dt.date, ignored: list[str] = ()) -> Plan:
    """Checks every row of every sheet and returns the plan."""
    plan = Plan(ignored_sheets=list(ignored))
    for raw in sorted(sheets, key=lambda s: ORDER.index(s.kind.name)):
        kind = raw.kind
        columns, unknown = kind.header_map(raw.headers)
        for header in unknown:
            plan.issues.append(Issue(raw.sheet, 1, header, "unknown column (ignored)"))
        missing = [c for c in kind.columns if c.required and c not in columns.values()]
        for column in missing:
            plan.issues.append(Issue(raw.sheet, 1, column.headers[0], "required column missing: no row is read"))
        if missing:
            continue
        header_of = {c.field: raw.headers[i] for i, c in columns.items()}
        seen: dict[tuple, list[tuple[int, dict[str, Any]]]] = {}
        for number, cells in raw.rows:
            values: dict[str, Any] = {}
            problems: list[tuple[str, str]] = []
            for index, column in columns.items():
                try:
                    values[column.field] = _cell(kind, column, cells[index] if index < len(cells) else None, today)
                except ValueError as error:
                    problems.append((column.field, str(error)))
            if not problems:
                problems = _row_rules(kind.name, values)
            if problems:
                plan.issues.extend(Issue(raw.sheet, number, str(header_of.get(f, f)), why) for f, why in problems)
                continue
            if values.get("party_joined_on"):
                values["party_member"] = True
            if kind.name == "grades" and values.get("decided_on") and not values.get("notified_on"):
                values["notified_on"] = values["decided_on"]
            if kind.name == "sanctions" and not values.get("effective_from"):
                values["effective_from"] = values["decided_on"]
            seen.setdefault(tuple(values.get(k) for k in kind.key), []).append((number, values))
        for key, rows in seen.items():
            if len(rows) > 1:
                numbers = [n for n, _ in rows]
                what = "same " + ", ".join(str(header_of.get(k, k)) for k in kind.key)
                for number in numbers:
                    others = ", ".join(str(n) for n in numbers if n != number)
                    plan.issues.append(Issue(raw.sheet, number, str(header_of.get(kind.key[0])),
                                             f"duplicate of row {others} ({what}): not merged, not imported"))
                continue
            number, values = rows[0]
            plan.records.append(Record(kind.name, raw.sheet, number, {k: v for k, v in values.items()
                                                                      if v is not None}))
    _check_units(plan)
    plan.issues.sort(key=lambda i: (i.sheet, i.row, i.column))
    return plan


def _check_units(plan: Plan) -> None:
    """A unit cannot be its own parent. (A unit named by a cadre or as a parent must be in the file or already in
    the register: only the run can tell, and it reports the row.)"""
    for record in list(plan.of("org-units")):
        if record.values.get("parent_id") == record.values["code"]:
            plan.issues.append(Issue(record.sheet, record.row, "上级单位代码", "a unit cannot be its own parent"))
            plan.records.remove(record)
