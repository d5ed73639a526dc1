"""Period keys: quarters (YYYY-Qn) for the index and regular assessments, months (YYYY-MM) for regular ones."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from kernel.errors import RuleViolation

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def quarter_key(day: dt.date) -> str:
    """Returns the quarter of a date, e.g. 2026-Q2."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_range(key: str) -> tuple[dt.date, dt.date]:
    """Returns the first and last day of a quarter or month key."""
    m = QUARTER.match(key)
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        first = dt.date(year, 3 * q - 2, 1)
        last_month = 3 * q
        return first, dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    m = MONTH.match(key)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    raise RuleViolation("period_key must be YYYY-Qn or YYYY-MM", rule="period.key")


def quarter_of_period(key: str) -> str:
    """Returns the quarter that holds a quarter or month key."""
    return quarter_key(period_range(key)[0])


def quarter_pair(cadre_id: str, day: dt.date | None) -> set[tuple[str, str]]:
    """Returns the (cadre, quarter) pair a dated fact touches (none for an undated one)."""
    return {(cadre_id, quarter_key(day))} if day is not None else set()
