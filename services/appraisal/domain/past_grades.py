"""Past annual grades recorded as past facts (a department's history brought onto the suite); pure.

A past grade carries its real dates (decided, notified, the 优秀 publicity) and its provenance (source, 文号).
The checks here are those that need no I/O; the entry-date floor (kernel.directory.DirCadre.dated_fact), the
grade constraints known for the year and the 优秀 quota are applied by the use case (docs/appraisal.md,
"Recording past grades").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from kernel.errors import RuleViolation
from services.appraisal.domain.grades import (
    UNDETERMINED_REASONS,
    Constraint,
    check_allowed,
    check_grade,
    forced_grade,
)

SOURCES = ("IMPORT", "PAPER_RECORD", "PERSONNEL_FILE")  # a migrated system, a paper register, the 干部人事档案
EARLIEST_YEAR = 1900
S_PUBLICITY = "公务员考核规定 (2020): 优秀 is publicised in the agency before it is decided [S-]"
RULE = "assessment_history"


class WorkingDays(Protocol):
    def working_days_between(self, start: dt.date, end: dt.date) -> int: ...


@dataclass(frozen=True)
class PastGrade:
    """One annual grade as it was decided in the past, with its provenance."""

    cadre_id: str
    year: int
    grade: str
    decided_on: dt.date
    notified_on: dt.date
    source: str
    document_no: str | None = None
    publicity_from: dt.date | None = None
    publicity_to: dt.date | None = None
    undetermined_reason: str | None = None

    def check(self, *, today: dt.date, calendar: WorkingDays, publicity_working_days: int) -> None:
        """Refuses a past grade whose dates or values cannot be a past fact (422 naming the field)."""
        check_grade(self.grade)
        if self.source not in SOURCES:
            raise RuleViolation("source must be one of " + ", ".join(SOURCES), rule=f"{RULE}.source", field="source")
        if self.year < EARLIEST_YEAR:
            raise RuleViolation(f"year cannot be before {EARLIEST_YEAR}", rule=f"{RULE}.year", field="year")
        for name in ("decided_on", "notified_on", "publicity_from", "publicity_to"):
            day = getattr(self, name)
            if day is None:
                continue
            if day > today:
                raise RuleViolation(
                    f"{name} cannot be in the future: a past grade is a past fact", rule=f"{RULE}.{name}", field=name
                )
            if day.year < EARLIEST_YEAR:
                raise RuleViolation(f"{name} cannot be before {EARLIEST_YEAR}", rule=f"{RULE}.{name}", field=name)
        if self.year > self.decided_on.year:
            raise RuleViolation("a year's grade is decided in that year or later", rule=f"{RULE}.year", field="year")
        if self.notified_on < self.decided_on:
            raise RuleViolation(
                "notified_on cannot be before decided_on", rule=f"{RULE}.notified_on", field="notified_on"
            )
        self._check_publicity(calendar, publicity_working_days)
        if self.grade != "UNDETERMINED" and self.undetermined_reason is not None:
            raise RuleViolation(
                "a reason is given only with 不定等次",
                rule="assessment.undetermined_reason",
                field="undetermined_reason",
            )

    def _check_publicity(self, calendar: WorkingDays, working_days: int) -> None:
        given = self.publicity_from is not None or self.publicity_to is not None
        if self.grade != "EXCELLENT":
            if given:
                raise RuleViolation(
                    "only an 优秀 grade was publicised",
                    rule="assessment.publicity_excellent_only",
                    field="publicity_from" if self.publicity_from is not None else "publicity_to",
                )
            return
        for name in ("publicity_from", "publicity_to"):
            if getattr(self, name) is None:
                raise RuleViolation(
                    "an 优秀 grade names the dates of its publicity",
                    rule=f"{RULE}.publicity",
                    source=S_PUBLICITY,
                    field=name,
                )
        assert self.publicity_from is not None and self.publicity_to is not None
        if self.publicity_from.year < self.year:
            raise RuleViolation(
                "the publicity of a year's 优秀 cannot start before that year",
                rule=f"{RULE}.publicity",
                field="publicity_from",
            )
        # Counted as the live publicity is: the working days after the first day, up to and including the last.
        if calendar.working_days_between(self.publicity_from, self.publicity_to) < working_days:
            raise RuleViolation(
                f"the publicity of 优秀 lasts at least {working_days} working days",
                rule=f"{RULE}.publicity_length",
                source=S_PUBLICITY,
                field="publicity_to",
            )
        if self.decided_on <= self.publicity_to:
            raise RuleViolation(
                "an 优秀 grade is decided after its publicity ended",
                rule="assessment.publicity_running",
                source=S_PUBLICITY,
                field="decided_on",
            )

    def checked_reason(self, constraints: list[Constraint]) -> str | None:
        """Applies the grade constraints known for the year (as of the decision date) like a live decision does;
        returns the 不定等次 reason to store (the forced one, else the one given)."""
        check_allowed(self.grade, constraints)
        if self.grade != "UNDETERMINED":
            return None
        forced = forced_grade(constraints)
        reason = forced[1] if forced else self.undetermined_reason
        if reason not in UNDETERMINED_REASONS:
            raise RuleViolation(
                "不定等次 needs a reason: " + ", ".join(UNDETERMINED_REASONS),
                rule="assessment.undetermined_reason",
                field="undetermined_reason",
            )
        return reason
