"""Statement requests: the accused's right to explain and defend (docs/rules.md §2.4); pure.

A request carries only what staff wrote for the accused; never the report, never the reporter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidTransition, RuleViolation
from services.petitions.domain import events
from services.petitions.domain.report import HearingState
from services.petitions.domain.vocab import StatementKind, StatementStatus

St = StatementStatus
# A statement window longer than this is not a window but a mistake [D].
MAX_WINDOW_DAYS = 90


# The statement state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
STATEMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "answer": (St.OPEN,),
    "assess": (St.SUBMITTED,),
    "waive": (St.OPEN,),
    "lapse": (St.OPEN,),
}


@dataclass
class StatementRequest:
    id: str
    report_id: str
    cadre_id: str
    kind: str
    facts: str
    requested_on: dt.date
    due_on: dt.date
    requested_by: str
    status: str = St.OPEN
    answer: str | None = None
    submitted_on: dt.date | None = None
    late: bool = False
    adopted: bool | None = None
    assessment: str | None = None
    assessed_on: dt.date | None = None
    waiver_reason: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def issue(
        cls,
        *,
        statement_id: str,
        report_id: str,
        cadre_id: str,
        kind: str,
        facts: str,
        due_on: dt.date,
        requested_by: str,
        today: dt.date,
    ) -> StatementRequest:
        """Asks an accused cadre to state and defend by a due date in the future."""
        if kind not in StatementKind.__members__:
            raise RuleViolation("kind must be INQUIRY_REPLY or STATEMENT_DEFENCE", rule="statement.kind")
        if due_on <= today:
            raise RuleViolation("the due date must be after today", rule="statement.due_on")
        if (due_on - today).days > MAX_WINDOW_DAYS:
            raise RuleViolation(f"the due date must be within {MAX_WINDOW_DAYS} days", rule="statement.due_on")
        request = cls(
            id=statement_id,
            report_id=report_id,
            cadre_id=cadre_id,
            kind=kind,
            facts=facts,
            requested_on=today,
            due_on=due_on,
            requested_by=requested_by,
        )
        request.events.append(events.StatementRequested(statement_id, report_id, cadre_id, kind, today, due_on))
        return request

    def submit(self, *, answer: str, today: dt.date) -> None:
        """Records the accused's statement (late answers are kept and marked late)."""
        if self.status not in STATEMENT_TRANSITIONS["answer"]:
            raise InvalidTransition(
                "statement",
                self.status,
                "answer",
                allowed_actions=InvalidTransition.allowed(STATEMENT_TRANSITIONS, self.status),
            )
        self.answer = answer
        self.submitted_on = today
        self.late = today > self.due_on
        self.status = St.SUBMITTED
        self.events.append(events.StatementSettled(self.id, self.report_id, "SUBMITTED", today))

    def assess(self, *, adopted: bool, assessment: str, today: dt.date) -> None:
        """Marks the statement adopted or not, with the reason (valid points must be adopted, 政务处分法 §43)."""
        if self.status not in STATEMENT_TRANSITIONS["assess"]:
            raise InvalidTransition(
                "statement",
                self.status,
                "assess",
                allowed_actions=InvalidTransition.allowed(STATEMENT_TRANSITIONS, self.status),
            )
        self.adopted = adopted
        self.assessment = assessment
        self.assessed_on = today
        self.status = St.ASSESSED

    def waive(self, *, reason: str, today: dt.date) -> None:
        """Records that the accused waived the right (with the reason), which lets the report conclude."""
        if self.status not in STATEMENT_TRANSITIONS["waive"]:
            raise InvalidTransition(
                "statement",
                self.status,
                "waive",
                allowed_actions=InvalidTransition.allowed(STATEMENT_TRANSITIONS, self.status),
            )
        self.waiver_reason = reason
        self.status = St.WAIVED
        self.events.append(events.StatementSettled(self.id, self.report_id, "WAIVED", today))

    def lapse(self, *, today: dt.date) -> None:
        """Closes an unanswered request whose window passed, when the report concludes."""
        if self.status not in STATEMENT_TRANSITIONS["lapse"] or today <= self.due_on:
            raise InvalidTransition(
                "statement",
                self.status,
                "lapse",
                allowed_actions=InvalidTransition.allowed(STATEMENT_TRANSITIONS, self.status),
            )
        self.status = St.LAPSED
        self.events.append(events.StatementSettled(self.id, self.report_id, "LAPSED", today))

    def hearing_state(self, today: dt.date) -> str:
        """Returns where this request leaves the cadre's hearing."""
        if self.status == St.OPEN:
            return HearingState.WINDOW_OPEN if today <= self.due_on else HearingState.HEARD
        if self.status == St.SUBMITTED:
            return HearingState.UNASSESSED
        return HearingState.HEARD


def hearing_by_cadre(requests: list[StatementRequest], today: dt.date) -> dict[str, str]:
    """Combines a report's statement requests into one hearing state per cadre (the most blocking wins)."""
    order = [HearingState.NONE, HearingState.HEARD, HearingState.UNASSESSED, HearingState.WINDOW_OPEN]
    states: dict[str, str] = {}
    for request in requests:
        state = request.hearing_state(today)
        current = states.get(request.cadre_id, HearingState.NONE)
        states[request.cadre_id] = max(current, state, key=order.index)
    return states
