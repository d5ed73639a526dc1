"""From raw rows to a checked plan: every cell read (dates, labels), every problem named by sheet, row and column,
duplicates reported and never merged. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import orjson

from suite.importing.dates import DateError, parse_date
from suite.importing.sheets import GRADES, ORDER, RawSheet, SheetKind, label

GRADE_CODES = frozenset(GRADES.values())

EARLIEST = dt.date(1900, 1, 1)
_YEAR = re.compile(r"^(\d{4})\s*(年度?|年度考核)?$")


def mask_id_number(number: str) -> str:
    """An ID number as a report or a log may show it: the first 4 and last 4 characters (1101**********002X)."""
    return number[:4] + "*" * max(0, len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def document_key(text: str) -> str:
    """A 文号 as the services compare it: NFKC, without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _id_number(text: str) -> str:
    from kernel.errors import RuleViolation
    from services.rank.domain.names import normalize_id_number

    try:
        return normalize_id_number(text)
    except RuleViolation as error:
        raise ValueError(str(error)) from None


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
        """A fingerprint of the row's content: the same row twice is the same write (idempotency). An ID number is not
        in it, only whether there is one: idempotency keys are stored by the services, and a plain hash of a row whose
        other cells are known would give the number away by enumeration (14 of its 18 characters are a region code
        and the birth date)."""
        values = {**self.values, "id_number": "present"} if self.values.get("id_number") else self.values
        return hashlib.sha256(orjson.dumps(values, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass
class Plan:
    records: list[Record] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Record]:
        return [r for r in self.records if r.kind == kind]

    def report(self) -> dict[str, Any]:
        """The row-level report: counts per kind and every issue."""
        return {
            "rows_ok": {k: len(self.of(k)) for k in ORDER},
            "rows_with_issues": len({(i.sheet, i.row) for i in self.issues if i.row > 1}),
            "issues": [i.as_dict() for i in self.issues],
            "ignored_sheets": self.ignored_sheets,
        }


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
    if column.kind == "id_number" and isinstance(raw, float):
        raise ValueError("an ID number in a number cell has lost digits: type it as text")
    text = str(raw).strip() if not isinstance(raw, float) or raw != int(raw) else str(int(raw))
    if column.kind == "id_number":
        return _id_number(text)
    if column.kind == "appeal_target":
        match = _YEAR.match(text)
        if match:
            year = int(match.group(1))
            if not 1900 <= year <= today.year:
                raise ValueError("not a year between 1900 and this year")
            return {"year": year}
        if "\x00" in text or len(text) > 100:
            raise ValueError("neither a year nor a 文号")
        return {"document_number": text}
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
    if kind == "awards":
        if values.get("type") == "MERIT":
            if not values.get("merit_level"):
                problems.append(("merit_level", "记功 names its 等级 (三等, 二等, 一等)"))
            values["type"] = values.get("merit_level") or "MERIT"
        elif values.get("merit_level") and values["merit_level"] != values.get("type"):
            problems.append(("merit_level", "does not match the award type"))
        values.pop("merit_level", None)
        if values.get("year") and values.get("granted_on") and values["year"] > int(values["granted_on"][:4]):
            problems.append(("year", "after the year of the grant"))
        if values.get("revoked_on") and values.get("granted_on") and values["revoked_on"] < values["granted_on"]:
            problems.append(("revoked_on", "before the grant"))
        if bool(values.get("revoked_on")) != bool(values.get("revoke_reason")):
            problems.append(
                (
                    "revoke_reason" if values.get("revoked_on") else "revoked_on",
                    "a revocation has both its date and its reason",
                )
            )
    if kind == "appeals":
        order = [f for f in ("notified_on", "filed_on", "accepted_on", "decided_on") if values.get(f)]
        for earlier, later in zip(order, order[1:]):
            if values[later] < values[earlier]:
                problems.append((later, "before the previous step"))
        outcome = values.get("outcome")
        if outcome == "VARIED" and not values.get("varied_to"):
            problems.append(("varied_to", "变更 names what the decision was varied to"))
        if outcome != "VARIED" and values.get("varied_to"):
            problems.append(("varied_to", "only for 变更"))
        if outcome == "REJECTED" and not values.get("reasons"):
            problems.append(("reasons", "不予受理 states its reasons"))
        target = values.get("target") or {}
        if "year" in target and values.get("varied_to") and values["varied_to"] not in GRADE_CODES:
            problems.append(("varied_to", "a grade's appeal is varied to a grade"))
        if "document_number" in target and values.get("varied_to") in GRADE_CODES:
            problems.append(("varied_to", "a sanction's appeal is varied to a sanction type"))
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
            if kind.name == "appeals":
                values.setdefault("stage", None)
                values["stage"] = values["stage"] or "APPEAL"
                values["grounds"] = values.get("grounds") or "见申诉材料"
            natural = tuple(
                orjson.dumps(values.get(k), option=orjson.OPT_SORT_KEYS)
                if isinstance(values.get(k), dict)
                else values.get(k)
                for k in kind.key
            )
            seen.setdefault(natural, []).append((number, values))
        if kind.name == "cadres":
            _same_id_numbers(plan, raw.sheet, str(header_of.get("id_number", "身份证号")), seen)
        for rows in seen.values():
            if len(rows) > 1:
                numbers = [n for n, _ in rows]
                what = "same " + ", ".join(str(header_of.get(k, k)) for k in kind.key)
                for number in numbers:
                    others = ", ".join(str(n) for n in numbers if n != number)
                    plan.issues.append(
                        Issue(
                            raw.sheet,
                            number,
                            str(header_of.get(kind.key[0])),
                            f"duplicate of row {others} ({what}): not merged, not imported",
                        )
                    )
                continue
            number, values = rows[0]
            plan.records.append(
                Record(kind.name, raw.sheet, number, {k: v for k, v in values.items() if v is not None})
            )
    _check_units(plan)
    _link_appeals(plan)
    plan.issues.sort(key=lambda i: (i.sheet, i.row, i.column))
    return plan


def _same_id_numbers(plan: Plan, sheet: str, column: str, seen: dict[tuple, list[tuple[int, dict[str, Any]]]]) -> None:
    """Two rows of different people (not the same name, gender and birth date) with one ID number: both reported,
    neither imported (an ID number names one person; which row is right only the department can tell)."""
    by_number: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for rows in seen.values():
        if len(rows) == 1 and rows[0][1].get("id_number"):
            by_number.setdefault(rows[0][1]["id_number"], []).append(rows[0])
    for number, rows in by_number.items():
        if len(rows) < 2:
            continue
        numbers = sorted(n for n, _ in rows)
        for row, values in rows:
            others = ", ".join(str(n) for n in numbers if n != row)
            plan.issues.append(
                Issue(
                    sheet,
                    row,
                    column,
                    f"the same ID number ({mask_id_number(number)}) as row {others}: not merged, not imported",
                )
            )
            for key, kept in list(seen.items()):
                if kept and kept[0][1] is values:
                    del seen[key]


def _link_appeals(plan: Plan) -> None:
    """An appeal against a sanction names it by its 文号: the 处分 row of the same cadre with that 文号 (its values go
    with the appeal, so that the run finds the sanction by recording it again, which changes nothing)."""
    sanctions: dict[tuple, list[Record]] = {}
    for record in plan.of("sanctions"):
        v = record.values
        key = (v["name"], v["gender"], v["birth_date"], document_key(v["document_number"]))
        sanctions.setdefault(key, []).append(record)
    for record in list(plan.of("appeals")):
        v = record.values
        if "document_number" not in v["target"]:
            continue
        found = sanctions.get(
            (v["name"], v["gender"], v["birth_date"], document_key(v["target"]["document_number"])), []
        )
        if len(found) != 1:
            why = (
                (
                    "no row of the 处分 sheet of this file names this cadre and 文号: add the sanction's row (one the "
                    "register holds is recorded unchanged)"
                )
                if not found
                else "more than one 处分 row has this 文号"
            )
            plan.issues.append(Issue(record.sheet, record.row, "原处理决定", why))
            plan.records.remove(record)
            continue
        s = found[0].values
        v["target"] = {
            "sanction": {k: s[k] for k in ("system", "type", "decided_on", "effective_from", "document_number")}
        }


def _check_units(plan: Plan) -> None:
    """A unit cannot be its own parent. (A unit named by a cadre or as a parent must be in the file or already in
    the register: only the run can tell, and it reports the row.)"""
    for record in list(plan.of("org-units")):
        if record.values.get("parent_id") == record.values["code"]:
            plan.issues.append(Issue(record.sheet, record.row, "上级单位代码", "a unit cannot be its own parent"))
            plan.records.remove(record)
