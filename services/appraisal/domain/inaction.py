"""Inaction findings (为官不为清单): REPORTED → VERIFYING → CONFIRMED | DISMISSED; → TOLERANCE_PENDING → TOLERATED (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidTransition, RuleViolation
from services.appraisal.domain import events

SOURCE_TYPES = (
    "INSPECTION",
    "PETITION",
    "SUPERVISION",
    "MEDIA",
    "AUDIT",
    "APPOINTMENT_INSPECTION",
    "ANALYSIS",
    "DAILY_ASSESSMENT",
)
GROUPS = ("NOT_ACTING", "SLOW_ACTING", "NOT_TAKING_RESPONSIBILITY", "ACTING_WRONGLY", "WORK_STYLE")


# The inaction_finding state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
INACTION_FINDING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "be verified": ("REPORTED",),
    "be confirmed": ("VERIFYING", "TOLERANCE_PENDING"),
    "be dismissed": ("REPORTED", "VERIFYING"),
    "be referred to tolerance": ("VERIFYING",),
}


@dataclass
class InactionFinding:
    """A reported instance of an inaction item about one cadre."""

    id: str
    cadre_id: str
    org_unit_id: str
    item_code: str
    severity: int
    points: float
    triggers_accountability: bool
    source_type: str
    source_ref: str | None
    incident_ref: str | None
    occurred_on: dt.date
    status: str = "REPORTED"
    confirmed_on: dt.date | None = None
    closed_reason: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def report(
        cls,
        *,
        finding_id: str,
        cadre_id: str,
        org_unit_id: str,
        item: dict[str, Any],
        source_type: str,
        source_ref: str | None,
        incident_ref: str | None,
        occurred_on: dt.date,
        today: dt.date,
    ) -> InactionFinding:
        """Reports a finding against an active catalogue item."""
        if not item["active"]:
            raise RuleViolation("the inaction item is no longer active", rule="inaction_finding.item_active")
        if source_type not in SOURCE_TYPES:
            raise RuleViolation("source_type must be one of " + ", ".join(SOURCE_TYPES), rule="inaction_finding.source")
        if occurred_on > today:
            raise RuleViolation("occurred_on cannot be in the future", rule="inaction_finding.occurred_on")
        return cls(
            id=finding_id,
            cadre_id=cadre_id,
            org_unit_id=org_unit_id,
            item_code=item["code"],
            severity=item["severity"],
            points=item["default_points"],
            triggers_accountability=item["triggers_accountability"],
            source_type=source_type,
            source_ref=source_ref,
            incident_ref=incident_ref,
            occurred_on=occurred_on,
        )

    def _move(self, action: str, to: str) -> None:
        if self.status not in INACTION_FINDING_TRANSITIONS[action]:
            raise InvalidTransition(
                "inaction_finding",
                self.status,
                action,
                allowed_actions=InvalidTransition.allowed(INACTION_FINDING_TRANSITIONS, self.status),
            )
        self.status = to

    def start_verification(self) -> None:
        """REPORTED → VERIFYING."""
        self._move("be verified", "VERIFYING")

    def confirm(self, *, today: dt.date) -> None:
        """Confirms the finding (VERIFYING or TOLERANCE_PENDING → CONFIRMED); only now does it count."""
        self._move("be confirmed", "CONFIRMED")
        self.confirmed_on = today
        self.events.append(
            events.InactionConfirmed(
                self.id,
                self.cadre_id,
                self.item_code,
                self.severity,
                self.triggers_accountability,
                self.occurred_on,
                today,
                self.incident_ref,
            )
        )

    def dismiss(self, *, reason: str) -> None:
        """Dismisses the finding (VERIFYING → DISMISSED)."""
        self._move("be dismissed", "DISMISSED")
        self.closed_reason = reason

    def refer_to_tolerance(self) -> None:
        """Waits for a tolerance decision (VERIFYING → TOLERANCE_PENDING)."""
        self._move("be referred to tolerance", "TOLERANCE_PENDING")

    def tolerate(self, *, case_id: str) -> bool:
        """Applies an EXEMPT tolerance decision: the finding stops counting; False when already closed otherwise."""
        if self.status not in ("VERIFYING", "TOLERANCE_PENDING", "CONFIRMED", "REPORTED"):
            return False
        self.status, self.closed_reason = "TOLERATED", f"tolerance-case/{case_id}"
        return True

    def tolerance_rejected(self, *, today: dt.date) -> bool:
        """A rejected tolerance application confirms a pending finding."""
        if self.status != "TOLERANCE_PENDING":
            return False
        self.confirm(today=today)
        return True

    def unfounded(self, *, report_id: str) -> bool:
        """A petition closed as unfounded removes the finding it produced."""
        if self.status in ("DISMISSED", "TOLERATED"):
            return False
        self.status, self.closed_reason = "DISMISSED", f"report/{report_id}:UNFOUNDED"
        return True
