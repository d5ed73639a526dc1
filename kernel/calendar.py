"""Working-day calendar (statutory holidays and make-up workdays as data) and month arithmetic; pure."""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

DEFAULT_CALENDAR = "cn_workday_calendar.json"


@dataclass(frozen=True)
class WorkdayCalendar:
    """Tells working days apart: Monday to Friday, minus listed holidays, plus listed make-up workdays."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)
    source: str = ""
    covered_years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def load(cls, path: Path | None = None) -> WorkdayCalendar:
        """Loads a calendar file (the bundled PRC table when no path is given)."""
        if path is None:
            raw = resources.files("kernel.data").joinpath(DEFAULT_CALENDAR).read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(raw))

    @classmethod
    def from_dict(cls, data: dict) -> WorkdayCalendar:
        """Builds a calendar from the JSON structure of the bundled file."""
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        years: set[int] = set()
        for year, entry in data.get("years", {}).items():
            years.add(int(year))
            holidays.update(dt.date.fromisoformat(d) for d in entry.get("holidays", []))
            workdays.update(dt.date.fromisoformat(d) for d in entry.get("workdays", []))
        overlap = holidays & workdays
        if overlap:
            raise ValueError(f"dates listed as both holiday and workday: {sorted(overlap)}")
        return cls(frozenset(holidays), frozenset(workdays), data.get("source", ""), frozenset(years))

    def is_working_day(self, day: dt.date) -> bool:
        """Tells whether `day` is a working day."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """Returns the date `days` working days after `start` (the start day itself is not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day = start
        remaining = days
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Counts working days in (start, end]; negative if end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def add_months(day: dt.date, months: int) -> dt.date:
    """Adds calendar months, clamping to the month's last day (2026-01-31 + 1 month = 2026-02-28)."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last = _cal.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def months_between(start: dt.date, end: dt.date) -> int:
    """Counts whole months from `start` to `end` (0 if end is before start)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months
