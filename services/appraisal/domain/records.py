"""Performance records (干部业绩全程纪实): dated, verified entries; corrections append and supersede (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidTransition, RuleViolation, require_four_eyes

CATEGORIES = ("KEY_TASK", "URGENT_HARD", "REFORM_INNOVATION", "DAILY_DUTY", "PUBLIC_EVALUATION")


# The performance_record state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
PERFORMANCE_RECORD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "be corrected": ("VERIFIED",),
    "be verified": ("SUBMITTED",),
    "be returned": ("SUBMITTED",),
    "be resubmitted": ("RETURNED",),
    "be superseded": ("VERIFIED",),
}


@dataclass
class PerformanceRecord:
    """One dated entry: SUBMITTED → VERIFIED | RETURNED (→ SUBMITTED); VERIFIED → SUPERSEDED by a correction."""

    id: str
    cadre_id: str
    org_unit_id: str
    occurred_on: dt.date
    category: str
    title: str
    description: str | None
    quantity: float | None
    unit: str | None
    evidence_refs: list[str]
    submitted_by: str
    status: str = "SUBMITTED"
    verified_by: str | None = None
    verified_on: dt.date | None = None
    return_reason: str | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def submit(
        cls,
        *,
        record_id: str,
        cadre_id: str,
        org_unit_id: str,
        occurred_on: dt.date,
        category: str,
        title: str,
        description: str | None,
        quantity: float | None,
        unit: str | None,
        evidence_refs: list[str],
        submitted_by: str,
        today: dt.date,
        supersedes: PerformanceRecord | None = None,
    ) -> PerformanceRecord:
        """Submits a record (or a correction of a verified one)."""
        if category not in CATEGORIES:
            raise RuleViolation("category must be one of " + ", ".join(CATEGORIES), rule="performance_record.category")
        if occurred_on > today:
            raise RuleViolation("occurred_on cannot be in the future", rule="performance_record.occurred_on")
        if quantity is not None and quantity < 0:
            raise RuleViolation("quantity cannot be negative", rule="performance_record.quantity")
        if category == "PUBLIC_EVALUATION" and (quantity is None or quantity > 100):
            raise RuleViolation(
                "a public evaluation carries its score (0..100) as quantity",
                rule="performance_record.public_evaluation_score",
            )
        if supersedes is not None:
            if supersedes.status not in PERFORMANCE_RECORD_TRANSITIONS["be corrected"]:
                raise InvalidTransition(
                    "performance_record",
                    supersedes.status,
                    "be corrected",
                    allowed_actions=InvalidTransition.allowed(PERFORMANCE_RECORD_TRANSITIONS, supersedes.status),
                )
            if supersedes.cadre_id != cadre_id:
                raise RuleViolation("a correction concerns the same cadre", rule="performance_record.correction_cadre")
        return cls(
            id=record_id,
            cadre_id=cadre_id,
            org_unit_id=org_unit_id,
            occurred_on=occurred_on,
            category=category,
            title=title,
            description=description,
            quantity=quantity,
            unit=unit,
            evidence_refs=list(evidence_refs),
            submitted_by=submitted_by,
            supersedes=supersedes.id if supersedes else None,
        )

    def verify(self, *, by: str, today: dt.date) -> None:
        """Verifies the record (SUBMITTED → VERIFIED), never by the one who submitted it (four-eyes, 409
        `performance_record.four_eyes`, the kernel's `require_four_eyes`)."""
        if self.status not in PERFORMANCE_RECORD_TRANSITIONS["be verified"]:
            raise InvalidTransition(
                "performance_record",
                self.status,
                "be verified",
                allowed_actions=InvalidTransition.allowed(PERFORMANCE_RECORD_TRANSITIONS, self.status),
            )
        require_four_eyes(by, self.submitted_by, rule="performance_record.four_eyes", action="verify")
        self._verified(by, today)

    def _verified(self, by: str | None, today: dt.date) -> None:
        self.status, self.verified_by, self.verified_on, self.return_reason = "VERIFIED", by, today, None

    def return_for_change(self, *, reason: str) -> None:
        """Returns the record to its submitter (SUBMITTED → RETURNED)."""
        if self.status not in PERFORMANCE_RECORD_TRANSITIONS["be returned"]:
            raise InvalidTransition(
                "performance_record",
                self.status,
                "be returned",
                allowed_actions=InvalidTransition.allowed(PERFORMANCE_RECORD_TRANSITIONS, self.status),
            )
        self.status, self.return_reason = "RETURNED", reason

    def resubmit(
        self, *, title: str | None, description: str | None, quantity: float | None, evidence_refs: list[str] | None
    ) -> None:
        """Resubmits a returned record with its changes (RETURNED → SUBMITTED)."""
        if self.status not in PERFORMANCE_RECORD_TRANSITIONS["be resubmitted"]:
            raise InvalidTransition(
                "performance_record",
                self.status,
                "be resubmitted",
                allowed_actions=InvalidTransition.allowed(PERFORMANCE_RECORD_TRANSITIONS, self.status),
            )
        if title is not None:
            self.title = title
        if description is not None:
            self.description = description
        if quantity is not None:
            self.quantity = quantity
        if evidence_refs is not None:
            self.evidence_refs = list(evidence_refs)
        self.status = "SUBMITTED"

    def supersede(self, *, by: str) -> None:
        """Marks a verified record as replaced by its verified correction (VERIFIED → SUPERSEDED)."""
        if self.status not in PERFORMANCE_RECORD_TRANSITIONS["be superseded"]:
            raise InvalidTransition(
                "performance_record",
                self.status,
                "be superseded",
                allowed_actions=InvalidTransition.allowed(PERFORMANCE_RECORD_TRANSITIONS, self.status),
            )
        self.status, self.superseded_by = "SUPERSEDED", by

    @classmethod
    def recorded(cls, *, record_id: str, org_unit_id: str, fact: Any, by: str, today: dt.date) -> PerformanceRecord:
        """A past record recorded as a past fact (domain/past_records.PastRecord, checked): submitted with the live
        rules and VERIFIED on its real verification date. The verifier of the time is not known: `verified_by` is
        null and the provenance names who recorded it."""
        record = cls.submit(
            record_id=record_id,
            cadre_id=fact.cadre_id,
            org_unit_id=org_unit_id,
            occurred_on=fact.occurred_on,
            category=fact.category,
            title=fact.title,
            description=fact.description,
            quantity=fact.quantity,
            unit=fact.unit,
            evidence_refs=[],
            submitted_by=by,
            today=today,
        )
        record._verified(None, fact.verified_on)  # verified at the time, by someone else: no four-eyes check now
        return record

    def correct_record(self, *, fact: Any) -> None:
        """Takes the corrected values of a recorded past record (the same value rules as a live submission)."""
        type(self).submit(
            record_id=self.id,
            cadre_id=fact.cadre_id,
            org_unit_id=self.org_unit_id,
            occurred_on=fact.occurred_on,
            category=fact.category,
            title=fact.title,
            description=fact.description,
            quantity=fact.quantity,
            unit=fact.unit,
            evidence_refs=[],
            submitted_by=self.submitted_by,
            today=fact.verified_on,
        )
        self.description, self.quantity, self.unit = fact.description, fact.quantity, fact.unit
        self.verified_on = fact.verified_on
