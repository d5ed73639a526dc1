"""Clarification and reputation restoration (澄清正名, docs/rules.md §2.7); pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidTransition, RuleViolation
from services.petitions.domain import events
from services.petitions.domain.rules.clarification import METHODS, SCOPES, SOURCE, covers, method_reaches
from services.petitions.domain.vocab import ClarificationStatus

C = ClarificationStatus
REASONS = ("UNFOUNDED_ADVERSE", "FALSE_ACCUSATION", "APPEAL_REVOKED", "MANUAL")


# The clarification state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
CLARIFICATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "request consent": (C.PROPOSED,),
    "answer consent": (C.AWAITING_CONSENT,),
    "approve": (C.AWAITING_CONSENT,),
    "execute": (C.APPROVED,),
    "close": (C.EXECUTED,),
    "reject": (C.PROPOSED,),
}


@dataclass
class Clarification:
    id: str
    cadre_id: str
    report_ids: list[str]
    spread: str  # how far the accusation spread
    reason: str
    proposed_on: dt.date
    status: str = C.PROPOSED
    consent_on: dt.date | None = None
    method: str | None = None
    scope: str | None = None
    approved_by: str | None = None
    approved_on: dt.date | None = None
    executed_on: dt.date | None = None
    record_ref: str | None = None
    closed_on: dt.date | None = None
    rejection_reason: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def propose(
        cls, *, clarification_id: str, cadre_id: str, report_ids: list[str], spread: str, reason: str, today: dt.date
    ) -> Clarification:
        """Proposes a clarification (automatically when an accusation proved unfounded and did harm)."""
        if spread not in SCOPES:
            raise RuleViolation("spread must be PERSON, UNIT, SYSTEM or PUBLIC", rule="clarification.spread")
        if reason not in REASONS:
            raise RuleViolation("unknown reason", rule="clarification.reason")
        return cls(
            id=clarification_id,
            cadre_id=cadre_id,
            report_ids=list(report_ids),
            spread=spread,
            reason=reason,
            proposed_on=today,
        )

    def request_consent(self) -> None:
        """Asks the cadre whether they want it (a public clarification needs their consent)."""
        if self.status not in CLARIFICATION_TRANSITIONS["request consent"]:
            raise InvalidTransition(
                "clarification",
                self.status,
                "request consent",
                allowed_actions=InvalidTransition.allowed(CLARIFICATION_TRANSITIONS, self.status),
            )
        self.status = C.AWAITING_CONSENT

    def answer_consent(self, *, consent: bool, today: dt.date) -> None:
        """Records the cadre's answer: consent, or a refusal that ends the clarification."""
        if self.status not in CLARIFICATION_TRANSITIONS["answer consent"]:
            raise InvalidTransition(
                "clarification",
                self.status,
                "answer consent",
                allowed_actions=InvalidTransition.allowed(CLARIFICATION_TRANSITIONS, self.status),
            )
        if consent:
            self.consent_on = today
        else:
            self.status = C.DECLINED

    def approve(self, *, method: str, scope: str, approved_by: str, today: dt.date) -> None:
        """Approves the method and a scope at least as wide as the accusation spread."""
        if self.status not in CLARIFICATION_TRANSITIONS["approve"]:
            raise InvalidTransition(
                "clarification",
                self.status,
                "approve",
                allowed_actions=InvalidTransition.allowed(CLARIFICATION_TRANSITIONS, self.status),
            )
        if self.consent_on is None:
            raise RuleViolation("the cadre has not consented yet", rule="clarification.consent_required", source=SOURCE)
        if method not in METHODS or scope not in SCOPES:
            raise RuleViolation("unknown method or scope", rule="clarification.method")
        if not covers(scope, self.spread):
            raise RuleViolation(
                "the clarification must reach at least as far as the accusation spread",
                rule="clarification.scope",
                source=SOURCE,
                spread=self.spread,
            )
        if not method_reaches(method, scope):
            raise RuleViolation("this method cannot reach that scope", rule="clarification.method")
        self.method = method
        self.scope = scope
        self.approved_by = approved_by
        self.approved_on = today
        self.status = C.APPROVED

    def execute(self, *, executed_on: dt.date, record_ref: str, today: dt.date) -> None:
        """Records that the clarification was carried out."""
        if self.status not in CLARIFICATION_TRANSITIONS["execute"]:
            raise InvalidTransition(
                "clarification",
                self.status,
                "execute",
                allowed_actions=InvalidTransition.allowed(CLARIFICATION_TRANSITIONS, self.status),
            )
        if executed_on > today or (self.approved_on and executed_on < self.approved_on):
            raise RuleViolation("executed_on must be between the approval and today", rule="clarification.executed_on")
        self.executed_on = executed_on
        self.record_ref = record_ref
        self.status = C.EXECUTED
        self.events.append(
            events.ClarificationExecuted(
                self.id, self.cadre_id, tuple(self.report_ids), self.method or "", self.scope or "", executed_on
            )
        )

    def close(self, *, today: dt.date) -> None:
        """Closes an executed clarification."""
        if self.status not in CLARIFICATION_TRANSITIONS["close"]:
            raise InvalidTransition(
                "clarification",
                self.status,
                "close",
                allowed_actions=InvalidTransition.allowed(CLARIFICATION_TRANSITIONS, self.status),
            )
        self.status = C.CLOSED
        self.closed_on = today

    def reject(self, *, reason: str, today: dt.date) -> None:
        """Rejects a proposal (e.g. the accusation had no adverse effect after all)."""
        if self.status not in CLARIFICATION_TRANSITIONS["reject"]:
            raise InvalidTransition(
                "clarification",
                self.status,
                "reject",
                allowed_actions=InvalidTransition.allowed(CLARIFICATION_TRANSITIONS, self.status),
            )
        self.rejection_reason = reason
        self.status = C.REJECTED
        self.closed_on = today
