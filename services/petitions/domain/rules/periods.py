"""Periods in the three units the rules use (calendar days, working days, months) and their arithmetic; pure."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from kernel.calendar import WorkdayCalendar, add_months


class Unit(StrEnum):
    DAYS = "D"  # calendar days (日): 公务员法, 信访工作条例
    WORKING_DAYS = "WD"  # working days (工作日): 检举控告规则
    MONTHS = "M"  # months (个月): 监察法, 政务处分法


_PERIOD = re.compile(r"^([1-9][0-9]{0,2})(WD|D|M)$")


@dataclass(frozen=True)
class Period:
    """An amount of days, working days or months."""

    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parses "15WD", "30D" or "1M"."""
        match = _PERIOD.match(text.strip().upper())
        if not match:
            raise ValueError(f"not a period: {text!r} (use e.g. 15WD, 30D, 1M)")
        return cls(int(match.group(1)), Unit(match.group(2)))

    def after(self, start: dt.date, calendar: WorkdayCalendar) -> dt.date:
        """Returns the last day of the period that starts the day after `start`."""
        if self.unit is Unit.DAYS:
            return start + dt.timedelta(days=self.amount)
        if self.unit is Unit.WORKING_DAYS:
            return calendar.add_working_days(start, self.amount)
        return add_months(start, self.amount)


def working_days_before(day: dt.date, days: int, calendar: WorkdayCalendar) -> dt.date:
    """Returns the working day `days` working days before `day` (the reminder date of a deadline)."""
    current = day
    remaining = days
    while remaining > 0:
        current -= dt.timedelta(days=1)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def elapsed(start: dt.date, end: dt.date, unit: Unit, calendar: WorkdayCalendar) -> int:
    """Counts the days of `unit` in (start, end] (months are counted in calendar days)."""
    if unit is Unit.WORKING_DAYS:
        return max(0, calendar.working_days_between(start, end))
    return max(0, (end - start).days)


def shift(day: dt.date, amount: int, unit: Unit, calendar: WorkdayCalendar) -> dt.date:
    """Moves a due date later by `amount` working days (WD) or calendar days (D and M)."""
    if unit is Unit.WORKING_DAYS:
        return calendar.add_working_days(day, amount)
    return day + dt.timedelta(days=amount)
