"""Deadlines: the Deadline aggregate (pause, resume, extend, meet, breach) and the policy that opens and settles
deadlines from domain events (docs/rules.md §2.2); pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.calendar import WorkdayCalendar
from kernel.errors import InvalidTransition, RuleViolation
from services.petitions.domain import events
from services.petitions.domain.rules.deadlines import APPEAL_DECISION, STATEMENT_KINDS, DeadlineRule
from services.petitions.domain.rules.periods import Period, Unit, elapsed, shift, working_days_before
from services.petitions.domain.vocab import DeadlineStatus, Identity, Jurisdiction, PetitionType, StatementKind

D = DeadlineStatus
REPORT_NOTICES = frozenset({"ACCEPT_NOTICE", "GENERAL_NOTICE"})


# The deadline state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
DEADLINE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pause": (D.OPEN,),
    "resume": (D.PAUSED,),
    "extend": (D.OPEN,),
}


@dataclass
class Deadline:
    """One statutory deadline on a report, statement request or appeal."""

    id: str
    kind: str
    object_type: str  # report | statement | appeal
    object_id: str
    report_id: str | None
    org_unit_id: str | None  # the unit that must meet it (scope of the overdue list)
    start_on: dt.date
    due_on: dt.date
    unit: str
    remind_on: dt.date
    status: str = D.OPEN
    pausable: bool = False
    max_extension_days: int = 0
    extended_days: int = 0
    paused_on: dt.date | None = None
    met_on: dt.date | None = None
    breached_on: dt.date | None = None
    reminded_on: dt.date | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    def pause(self, *, today: dt.date) -> None:
        """Stops the clock where the rules exclude time (e.g. a hearing in a 复核)."""
        if self.status not in DEADLINE_TRANSITIONS["pause"]:
            raise InvalidTransition(
                "deadline",
                self.status,
                "pause",
                allowed_actions=InvalidTransition.allowed(DEADLINE_TRANSITIONS, self.status),
            )
        if not self.pausable:
            raise RuleViolation("the rules allow no pause for this deadline", rule="deadline.not_pausable")
        if self.breached_on is not None:
            raise RuleViolation("a breached deadline cannot be paused", rule="deadline.breached")
        self.status = D.PAUSED
        self.paused_on = today

    def resume(self, *, today: dt.date, calendar: WorkdayCalendar) -> None:
        """Restarts the clock; the due date moves by the time the deadline was paused."""
        if self.status not in DEADLINE_TRANSITIONS["resume"] or self.paused_on is None:
            raise InvalidTransition(
                "deadline",
                self.status,
                "resume",
                allowed_actions=InvalidTransition.allowed(DEADLINE_TRANSITIONS, self.status),
            )
        unit = Unit(self.unit)
        self.due_on = shift(self.due_on, elapsed(self.paused_on, today, unit, calendar), unit, calendar)
        self.status = D.OPEN
        self.paused_on = None

    def extend(self, *, days: int, today: dt.date) -> None:
        """Extends by calendar days within the maximum the rules allow with approval."""
        if self.status not in DEADLINE_TRANSITIONS["extend"]:
            raise InvalidTransition(
                "deadline",
                self.status,
                "extend",
                allowed_actions=InvalidTransition.allowed(DEADLINE_TRANSITIONS, self.status),
            )
        if self.max_extension_days == 0:
            raise RuleViolation("the rules allow no extension of this deadline", rule="deadline.not_extendable")
        if days < 1 or self.extended_days + days > self.max_extension_days:
            raise RuleViolation(
                f"the extension may total at most {self.max_extension_days} days", rule="deadline.extension_limit"
            )
        if self.due_on < today:
            raise RuleViolation("an overdue deadline cannot be extended", rule="deadline.breached")
        self.extended_days += days
        self.due_on += dt.timedelta(days=days)

    def overdue(self, today: dt.date) -> bool:
        """Tells whether the deadline passed without its step being done (paused ones are not overdue)."""
        return self.status == D.OPEN and self.due_on < today


@dataclass(frozen=True)
class OpenDeadline:
    """Open a deadline of `kind` on an object, running from `anchor` (or due on `due_on` when given)."""

    kind: str
    object_type: str
    object_id: str
    report_id: str | None
    anchor: dt.date
    due_on: dt.date | None = None
    rule: DeadlineRule | None = None  # for an appeal: the stage's decision period


@dataclass(frozen=True)
class SettleDeadlines:
    """Mark open deadlines of these kinds met or cancelled (on a report, or on one object)."""

    kinds: frozenset[str]
    how: str  # MET | CANCELLED
    on: dt.date
    report_id: str | None = None
    object_id: str | None = None


def _report(kind: str, report_id: str, anchor: dt.date) -> OpenDeadline:
    return OpenDeadline(kind, "report", report_id, report_id, anchor)


def _settle(
    kinds: set[str], how: str, on: dt.date, report_id: str | None = None, object_id: str | None = None
) -> SettleDeadlines:
    return SettleDeadlines(frozenset(kinds), how, on, report_id=report_id, object_id=object_id)


def ops_for(event: Any) -> list[OpenDeadline | SettleDeadlines]:
    """Returns the deadlines an event opens or settles."""
    e = event
    if isinstance(e, events.ReportReceived):
        ops: list[OpenDeadline | SettleDeadlines] = []
        real_name = e.identity == Identity.REAL_NAME
        if e.petition_type == PetitionType.ACCUSATION and real_name:
            ops.append(_report("ACCEPT_NOTICE", e.report_id, e.received_on))
        if e.petition_type == PetitionType.GENERAL:
            ops.append(_report("GENERAL_REGISTER", e.report_id, e.received_on))
            if real_name:
                ops.append(_report("GENERAL_NOTICE", e.report_id, e.received_on))
        return ops
    if isinstance(e, events.ReportRegistered):
        ops = []
        if e.from_status == "TRANSFERRED_DOWN":
            ops.append(_settle({"LOWER_REGISTER"}, "MET", e.on, report_id=e.report_id))
        if e.jurisdiction == Jurisdiction.UPPER:
            ops.append(_report("ROUTE_UP", e.report_id, e.received_on))
        return ops
    if isinstance(e, events.ReportRouted):
        ops = [_settle({"GENERAL_REGISTER", "ROUTE_UP"}, "MET", e.on, report_id=e.report_id)]
        if e.jurisdiction == Jurisdiction.LOWER:
            ops.append(_report("LOWER_REGISTER", e.report_id, e.on))
        if e.target_unit_id is None:
            # Sent outside this deployment: the receiving body owns what is left.
            ops.append(_settle(set(REPORT_NOTICES) | {"GENERAL_CLOSE"}, "CANCELLED", e.on, report_id=e.report_id))
        return ops
    if isinstance(e, events.ReportArchivedDuplicate):
        # The acceptance notice is not repeated for duplicate reports (§2.2).
        return [
            _settle({"GENERAL_REGISTER"}, "MET", e.on, report_id=e.report_id),
            _settle(set(REPORT_NOTICES) | {"ROUTE_UP"}, "CANCELLED", e.on, report_id=e.report_id),
        ]
    if isinstance(e, events.ReportNotAccepted):
        return [
            _settle({"GENERAL_REGISTER"}, "MET", e.on, report_id=e.report_id),
            _settle({"ROUTE_UP"}, "CANCELLED", e.on, report_id=e.report_id),
        ]
    if isinstance(e, events.ReportAccepted):
        ops = [_settle({"GENERAL_REGISTER"}, "MET", e.accepted_on, report_id=e.report_id)]
        if e.petition_type == PetitionType.GENERAL:
            ops.append(_report("GENERAL_CLOSE", e.report_id, e.accepted_on))
        return ops
    if isinstance(e, events.AcceptanceNoticeSent):
        return [_settle(set(REPORT_NOTICES), "MET", e.on, report_id=e.report_id)]
    if isinstance(e, events.ReportClosed):
        if e.revision:
            return []
        ops = [
            _settle({"GENERAL_CLOSE"}, "MET", e.closed_on, report_id=e.report_id),
            _settle(set(STATEMENT_KINDS), "CANCELLED", e.closed_on, report_id=e.report_id),
        ]
        if e.real_name:
            ops.append(_report("FEEDBACK", e.report_id, e.closed_on))
        return ops
    if isinstance(e, events.FeedbackSent):
        return [_settle({"FEEDBACK"}, "MET", e.on, report_id=e.report_id)]
    if isinstance(e, events.StatementRequested):
        kind = "INQUIRY_REPLY" if e.kind == StatementKind.INQUIRY_REPLY else "STATEMENT"
        return [OpenDeadline(kind, "statement", e.statement_id, e.report_id, e.requested_on, due_on=e.due_on)]
    if isinstance(e, events.StatementSettled):
        how = "CANCELLED" if e.how == "LAPSED" else "MET"
        return [_settle(set(STATEMENT_KINDS), how, e.on, object_id=e.statement_id)]
    if isinstance(e, events.AppealAccepted):
        if e.decision_due_on is None:
            return []
        return [OpenDeadline(APPEAL_DECISION, "appeal", e.appeal_id, None, e.on, due_on=e.decision_due_on)]
    if isinstance(e, events.AppealDecided):
        return [_settle({APPEAL_DECISION}, "MET", e.decided_on, object_id=e.appeal_id)]
    return []


def plan(
    op: OpenDeadline,
    *,
    deadline_id: str,
    rule: DeadlineRule,
    org_unit_id: str | None,
    calendar: WorkdayCalendar,
    reminder_lead_days: int,
) -> Deadline:
    """Builds a deadline from an open operation and its rule: the due date and the reminder date."""
    due = op.due_on or rule.period.after(op.anchor, calendar)
    remind = working_days_before(due, reminder_lead_days, calendar)
    max_ext = rule.max_extension
    return Deadline(
        id=deadline_id,
        kind=op.kind,
        object_type=op.object_type,
        object_id=op.object_id,
        report_id=op.report_id,
        org_unit_id=org_unit_id,
        start_on=op.anchor,
        due_on=due,
        unit=rule.period.unit.value,
        remind_on=max(remind, op.anchor),
        pausable=rule.pausable,
        max_extension_days=_days(max_ext) if max_ext else 0,
    )


def _days(period: Period) -> int:
    # Extensions are counted in calendar days (信访工作条例 §34: "延长期限不得超过30日").
    if period.unit is Unit.MONTHS:
        return period.amount * 30
    return period.amount
