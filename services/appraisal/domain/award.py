"""Awards and honours: PROPOSED → PUBLICITY → APPROVED → GRANTED → (REVIEW_FOR_REVOCATION → REVOKED | GRANTED) (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidTransition, RuleViolation
from services.appraisal.domain import events
from services.appraisal.domain.rules.awards import AWARD_TYPES, BASES

S_REVOKE = "公务员法 §56"


# The award state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
AWARD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "be reviewed for revocation": ("GRANTED",),
    "start publicity": ("PROPOSED",),
    "be approved": ("PUBLICITY",),
    "be granted": ("APPROVED",),
    "be revoked": ("REVIEW_FOR_REVOCATION", "GRANTED"),
    "be kept": ("REVIEW_FOR_REVOCATION",),
}


@dataclass
class Award:
    id: str
    cadre_id: str
    org_unit_id: str
    type: str
    basis: str
    basis_ref: str | None
    year: int | None
    proposed_on: dt.date
    status: str = "PROPOSED"
    publicity_from: dt.date | None = None
    publicity_to: dt.date | None = None
    approved_by: str | None = None
    granted_on: dt.date | None = None
    revoked_on: dt.date | None = None
    revoke_reason: str | None = None
    review_reason: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def propose(
        cls,
        *,
        award_id: str,
        cadre_id: str,
        org_unit_id: str,
        type: str,
        basis: str,
        basis_ref: str | None,
        year: int | None,
        today: dt.date,
    ) -> Award:
        """Proposes an award (automatically from a grade, or for a deed)."""
        if type not in AWARD_TYPES:
            raise RuleViolation("type must be one of " + ", ".join(AWARD_TYPES), rule="award.type")
        if basis not in BASES:
            raise RuleViolation("basis must be one of " + ", ".join(BASES), rule="award.basis")
        return cls(
            id=award_id,
            cadre_id=cadre_id,
            org_unit_id=org_unit_id,
            type=type,
            basis=basis,
            basis_ref=basis_ref,
            year=year,
            proposed_on=today,
        )

    def _require(self, action: str) -> None:
        if self.status not in AWARD_TRANSITIONS[action]:
            raise InvalidTransition(
                "award", self.status, action, allowed_actions=InvalidTransition.allowed(AWARD_TRANSITIONS, self.status)
            )

    def start_publicity(self, *, today: dt.date, ends_on: dt.date) -> None:
        """PROPOSED → PUBLICITY."""
        self._require("start publicity")
        self.publicity_from, self.publicity_to, self.status = today, ends_on, "PUBLICITY"

    def approve(self, *, by: str, today: dt.date) -> None:
        """PUBLICITY (ended) → APPROVED."""
        self._require("be approved")
        if self.publicity_to is not None and today <= self.publicity_to:
            raise RuleViolation("the publicity period has not ended", rule="award.publicity_running")
        self.approved_by, self.status = by, "APPROVED"

    def grant(self, *, today: dt.date) -> None:
        """APPROVED → GRANTED (announced to rank for points)."""
        self._require("be granted")
        self.granted_on, self.status = today, "GRANTED"
        self.events.append(events.AwardGranted(self.id, self.cadre_id, self.type, self.basis, self.year, today))

    def withdraw(self, *, reason: str) -> bool:
        """Withdraws a proposal whose basis fell away (e.g. the 优秀 was amended); False once granted."""
        if self.status not in ("PROPOSED", "PUBLICITY", "APPROVED"):
            return False
        self.status, self.revoke_reason = "WITHDRAWN", reason
        return True

    def open_revocation_review(self, *, reason: str) -> bool:
        """GRANTED → REVIEW_FOR_REVOCATION (after a serious sanction); False if not granted."""
        if self.status not in AWARD_TRANSITIONS["be reviewed for revocation"]:
            return False
        self.status, self.review_reason = "REVIEW_FOR_REVOCATION", reason
        return True

    def revoke(self, *, reason: str, today: dt.date) -> None:
        """REVIEW_FOR_REVOCATION (or GRANTED) → REVOKED (公务员法 §56)."""
        self._require("be revoked")
        if not reason.strip():
            raise RuleViolation("a revocation states its ground", rule="award.revoke_reason", source=S_REVOKE)
        self.revoked_on, self.revoke_reason, self.status = today, reason, "REVOKED"
        self.events.append(events.AwardRevoked(self.id, self.cadre_id, self.type, today, reason[:200]))

    def keep(self) -> None:
        """Closes a revocation review without revoking (REVIEW_FOR_REVOCATION → GRANTED)."""
        self._require("be kept")
        self.status, self.review_reason = "GRANTED", None

    @classmethod
    def recorded(cls, *, award_id: str, org_unit_id: str, fact: Any) -> Award:
        """A past award recorded as a past fact (domain/past_awards.PastAward, checked): GRANTED on its real date
        with the live grant's event, then REVOKED on its real date with the live revocation's event if it was."""
        award = cls(
            id=award_id,
            cadre_id=fact.cadre_id,
            org_unit_id=org_unit_id,
            type=fact.type,
            basis=fact.basis,
            basis_ref=None,
            year=fact.year,
            proposed_on=fact.granted_on,
            status="APPROVED",
        )
        award.grant(today=fact.granted_on)
        if fact.revoked_on is not None:
            award.revoke(reason=fact.revoke_reason, today=fact.revoked_on)
        return award

    def correct_record(self, *, fact: Any) -> None:
        """Takes the corrected values of a recorded past award and announces its state again, as live: the grant
        (rank keeps the latest per award), then the revocation if the corrected fact has one. A review opened
        since (a serious sanction) stays open unless the fact is a revocation."""
        self.basis, self.year, self.proposed_on = fact.basis, fact.year, fact.granted_on
        reviewing = self.status == "REVIEW_FOR_REVOCATION"
        self.status, self.revoked_on, self.revoke_reason = "APPROVED", None, None
        self.grant(today=fact.granted_on)
        if fact.revoked_on is not None:
            self.revoke(reason=fact.revoke_reason, today=fact.revoked_on)
        elif reviewing:
            self.status = "REVIEW_FOR_REVOCATION"
