"""Past appeals (申诉) and their outcomes recorded as facts, with their real dates and provenance (pure).

An organization department moving onto the suite brings appeals decided on paper or in another system. Such an
appeal is not re-run through the live workflow (filed, accepted and decided "today"): it is recorded as what it was
— the decision appealed, when the appellant learned of it, when the appeal was filed, accepted and decided, the
outcome, the document number (文号) and where the record comes from — and goes through the same rules as a live
appeal on those dates: the filing period of the appeals matrix computed from the real notification date (a late
filing is time-barred, as live), the decision period from the real acceptance, never heavier (公务员法 §96;
政务处分法 §56), and the same `appeal_decided` event carrying the real decision date.

The natural key of a past appeal is (appellant, decision appealed, stage): recording it again with the same values
changes nothing; with other values it is a correction (a new revision of the record, the previous one kept).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kernel.calendar import WorkdayCalendar
from kernel.contracts.vocabulary import AppealResult
from kernel.errors import RuleViolation
from services.petitions.domain.appeal import Appeal, Previous
from services.petitions.domain.rules.appeals import StageRule

# Nothing recorded here is older than this (a typing error rather than a record).
HISTORY_FLOOR = dt.date(1900, 1, 1)
MERITS = frozenset({AppealResult.UPHELD, AppealResult.VARIED, AppealResult.REVOKED})
TIME_LIMIT_SOURCE = "公务员法 §95; 监察法 §56; 政务处分法 §55 (filing periods of the appeals matrix, docs/petitions.md)"


class HistorySource(StrEnum):
    """Where a past fact comes from (provenance)."""

    IMPORT = "IMPORT"  # a bulk import from the department's previous system
    PAPER_RECORD = "PAPER_RECORD"  # typed in from the paper decision
    DOSSIER = "DOSSIER"  # read from the cadre's personnel dossier (干部人事档案)


class Outcome(StrEnum):
    RECORDED = "RECORDED"
    CORRECTED = "CORRECTED"
    UNCHANGED = "UNCHANGED"


def normalize_document_number(value: str) -> str:
    """Normalizes a 文号: NFKC (full-width digits and letters), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", value).split())


@dataclass(frozen=True)
class PastAppeal:
    """An appeal filed and decided before the suite knew about it."""

    appellant_cadre_id: str
    target_type: str
    target_ref: str
    stage: str
    decision_on: dt.date  # the decision appealed (from the owner's projection where one exists)
    notified_on: dt.date  # when the appellant learned of it
    filed_on: dt.date
    outcome: AppealResult
    decided_on: dt.date
    document_number: str
    source: HistorySource
    accepted_on: dt.date | None = None  # defaults to filed_on for an appeal decided on the merits
    varied_to: str | None = None
    reasons: str | None = None
    previous_appeal_id: str | None = None

    def values(self) -> tuple[Any, ...]:
        """What a correction may change (the provenance `source` is not a value of the fact)."""
        return (
            self.decision_on,
            self.notified_on,
            self.filed_on,
            self.accepted_on,
            self.outcome.value,
            self.decided_on,
            self.varied_to,
            normalize_document_number(self.document_number),
            (self.reasons or "").strip() or None,
            self.previous_appeal_id,
        )

    def decision(self) -> tuple[Any, ...]:
        """What the appeal decided, as sent to the decision's owner in `appeal_decided`."""
        return (self.outcome.value, self.varied_to, self.decided_on)

    def check(self, *, today: dt.date) -> None:
        """Checks the dates and the outcome (the entry-into-service floor is the directory's, checked by the use
        case); the time limits and the never-heavier rule are checked by `record` with the live domain."""
        days = {
            "decision_on": self.decision_on,
            "notified_on": self.notified_on,
            "filed_on": self.filed_on,
            "accepted_on": self.accepted_on,
            "decided_on": self.decided_on,
        }
        for name, day in days.items():
            if day is None:
                continue
            if day > today:
                raise RuleViolation(f"{name} cannot be in the future", rule="appeal_history.future", field=name)
            if day < HISTORY_FLOOR:
                raise RuleViolation(f"{name} cannot be before 1900", rule="appeal_history.too_old", field=name)
        order = [
            ("notified_on", self.notified_on, self.decision_on),
            ("filed_on", self.filed_on, self.decision_on),
            ("accepted_on", self.accepted_on, self.filed_on),
            ("decided_on", self.decided_on, self.accepted_on or self.filed_on),
        ]
        for name, day, after in order:
            if day is not None and day < after:
                raise RuleViolation(
                    f"{name} cannot be before the previous step", rule="appeal_history.order", field=name
                )
        if not normalize_document_number(self.document_number):
            raise RuleViolation(
                "document_number is empty", rule="appeal_history.document_number", field="document_number"
            )
        if self.accepted_on is not None and self.outcome not in MERITS:
            raise RuleViolation(
                "an appeal not accepted has no accepted_on", rule="appeal_history.accepted_on", field="accepted_on"
            )
        if self.outcome is AppealResult.REJECTED and not (self.reasons and self.reasons.strip()):
            raise RuleViolation(
                "a refusal (不予受理) records its reasons", rule="appeal_history.reasons", field="reasons"
            )
        if self.outcome is AppealResult.TIME_BARRED and self.decided_on != self.filed_on:
            raise RuleViolation(
                "a time-barred appeal is refused on the day it is filed",
                rule="appeal_history.decided_on",
                field="decided_on",
            )


def record(
    fact: PastAppeal,
    *,
    appeal_id: str,
    rule: StageRule,
    previous: Previous | None,
    original_value: str | None,
    recorded_by: str,
    org_unit_id: str,
    grounds: str,
    calendar: WorkdayCalendar,
    today: dt.date,
) -> Appeal:
    """Builds the appeal of a past fact as the live workflow would have on the real dates: filed (the filing
    period from the real notification; late → time-barred), accepted, decided; its events are the live ones
    (`appeal_decided` on the real decision date)."""
    fact.check(today=today)
    appeal = Appeal.file(
        appeal_id=appeal_id,
        rule=rule,
        appellant_cadre_id=fact.appellant_cadre_id,
        target_ref=fact.target_ref,
        original_value=original_value,
        decision_on=fact.decision_on,
        notified_on=fact.notified_on,
        filed_on=fact.filed_on,
        previous=previous,
        filed_by=recorded_by,
        org_unit_id=org_unit_id,
        grounds=grounds,
        calendar=calendar,
        today=today,
    )
    if appeal.result == AppealResult.TIME_BARRED:
        if fact.outcome is not AppealResult.TIME_BARRED:
            raise RuleViolation(
                "the appeal was filed after the statutory period: it is refused as time-barred",
                rule="appeal.time_barred",
                field="filed_on",
                source=TIME_LIMIT_SOURCE,
                filing_deadline=appeal.filing_deadline.isoformat() if appeal.filing_deadline else None,
            )
        return appeal
    if fact.outcome is AppealResult.TIME_BARRED:
        raise RuleViolation(
            "the appeal was filed within the statutory period: it was not time-barred",
            rule="appeal_history.not_time_barred",
            field="outcome",
            source=TIME_LIMIT_SOURCE,
        )
    if fact.outcome is AppealResult.REJECTED:
        appeal.reject(reasons=(fact.reasons or "").strip(), by=recorded_by, today=fact.decided_on)
        return appeal
    accepted_on = fact.accepted_on or fact.filed_on
    appeal.accept(rule=rule, calendar=calendar, by=recorded_by, today=accepted_on)
    appeal.decide(
        result=fact.outcome.value,
        varied_to=fact.varied_to,
        reasons=(fact.reasons or "").strip(),
        final=rule.final,
        by=recorded_by,
        today=fact.decided_on,
    )
    return appeal
