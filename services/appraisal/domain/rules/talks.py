"""Talk types and their reply deadlines (docs/rules.md §1.5)."""

from __future__ import annotations

import datetime as dt

from kernel.calendar import WorkdayCalendar, add_months

TALK_TYPES = ("HEART_TO_HEART", "REMINDER", "ORG_INTERVIEW", "INQUIRY_LETTER", "ADMONISHMENT")
# 诫勉 creates a restriction (tolerance turns admonishment_issued into one), so only these roles may hold it.
ADMONISHMENT_ROLES = ("org_admin", "discipline_officer")
SCHEDULE_REASONS = ("TOP_LEADER", "FRONTLINE_TASK")  # 一把手; cadres on urgent and hard front-line tasks


def reply_due(
    talk_type: str, held_on: dt.date, working_days: dict[str, int], calendar: WorkdayCalendar
) -> dt.date | None:
    """Returns the reply deadline of a held talk (函询 15 WD [R]), or None for talks that need no reply."""
    days = working_days.get(talk_type)
    if days is None:
        return None
    return calendar.add_working_days(held_on, days)


def next_occurrence(previous: dt.date, every_months: int) -> dt.date:
    """Returns the date of the next talk of a recurring schedule."""
    return add_months(previous, every_months)
