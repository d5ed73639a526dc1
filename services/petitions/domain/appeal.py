"""Appeals (申诉) against every decision type of docs/rules.md §2.8: filing and decision deadlines per stage, results
never heavier than the original; pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.calendar import WorkdayCalendar
from kernel.contracts.vocabulary import AppealResult, AppealStage, AppealTarget
from kernel.errors import InvalidTransition, RuleViolation
from services.petitions.domain import events
from services.petitions.domain.rules.appeals import STAGE_ORDER, StageRule
from services.petitions.domain.rules.severity import is_not_heavier, scale_for
from services.petitions.domain.vocab import AppealStatus

A = AppealStatus
OPEN_STATES = frozenset({A.FILED, A.ACCEPTED, A.UNDER_REVIEW})
NEVER_HEAVIER = "公务员法 §96; 政务处分法 §56"


@dataclass(frozen=True)
class Previous:
    """The decided appeal a later stage continues from."""

    id: str
    stage: str
    status: str
    result: str | None
    decided_on: dt.date | None
    varied_to: str | None


# The appeal state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
APPEAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "accept": (A.FILED,),
    "reject": (A.FILED,),
    "start the review": (A.ACCEPTED,),
    "decide": (A.ACCEPTED, A.UNDER_REVIEW),
}


@dataclass
class Appeal:
    id: str
    appellant_cadre_id: str | None  # None for a general petition (信访) appealed by its petitioner
    target_type: str
    target_ref: str
    stage: str
    original_value: str | None  # the grade, sanction type or contract outcome appealed
    decision_on: dt.date  # when the appealed decision was made
    notified_on: dt.date  # when the appellant learned of it (the filing period runs from here)
    filed_on: dt.date
    filing_deadline: dt.date | None
    filed_by: str
    org_unit_id: str
    grounds: str
    previous_appeal_id: str | None = None
    status: str = A.FILED
    accepted_on: dt.date | None = None
    decision_due_on: dt.date | None = None
    result: str | None = None
    varied_to: str | None = None
    reasons: str | None = None
    decided_on: dt.date | None = None
    decided_by: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def file(
        cls,
        *,
        appeal_id: str,
        rule: StageRule,
        appellant_cadre_id: str | None,
        target_ref: str,
        original_value: str | None,
        decision_on: dt.date,
        notified_on: dt.date | None,
        filed_on: dt.date,
        previous: Previous | None,
        filed_by: str,
        org_unit_id: str,
        grounds: str,
        calendar: WorkdayCalendar,
        today: dt.date,
    ) -> Appeal:
        """Files an appeal; one filed after its period is recorded as rejected, time-barred."""
        if filed_on > today:
            raise RuleViolation("filed_on cannot be in the future", rule="appeal.filed_on")
        notified = notified_on or decision_on
        if notified < decision_on or notified > today:
            raise RuleViolation("notified_on must be between the decision and today", rule="appeal.notified_on")
        if filed_on < decision_on:
            raise RuleViolation("an appeal cannot be filed before the decision", rule="appeal.filed_on")
        if previous is None:
            if rule.requires_previous:
                raise RuleViolation(
                    f"{rule.stage.value} follows an earlier stage; name previous_appeal_id",
                    rule="appeal.stage",
                    source=rule.source,
                )
            period, anchor = rule.filing_first, notified
        else:
            if previous.status not in (A.DECIDED,) or previous.decided_on is None:
                raise RuleViolation("the previous stage is not decided (or was the last one)", rule="appeal.stage")
            if STAGE_ORDER.index(rule.stage) <= STAGE_ORDER.index(AppealStage(previous.stage)):
                raise RuleViolation("a later stage must follow an earlier one", rule="appeal.stage")
            if previous.result == AppealResult.REVOKED:
                raise RuleViolation("the decision was already revoked at the previous stage", rule="appeal.stage")
            if rule.filing_after is None and rule.requires_previous is False:
                raise RuleViolation(f"{rule.stage.value} cannot follow another stage", rule="appeal.stage")
            period, anchor = rule.filing_after, previous.decided_on
            # A stage continues from what the previous one left in force.
            original_value = previous.varied_to or original_value
        deadline = period.after(anchor, calendar) if period else None
        appeal = cls(
            id=appeal_id,
            appellant_cadre_id=appellant_cadre_id,
            target_type=rule.target.value,
            target_ref=target_ref,
            stage=rule.stage.value,
            original_value=original_value,
            decision_on=decision_on,
            notified_on=notified,
            filed_on=filed_on,
            filing_deadline=deadline,
            filed_by=filed_by,
            org_unit_id=org_unit_id,
            grounds=grounds,
            previous_appeal_id=previous.id if previous else None,
        )
        if deadline is not None and filed_on > deadline:
            appeal.status = A.REJECTED_TIME_BARRED
            appeal._decided(AppealResult.TIME_BARRED, None, filed_on, decided_by="rule")
        return appeal

    def accept(self, *, rule: StageRule, calendar: WorkdayCalendar, by: str, today: dt.date) -> None:
        """Accepts the appeal; the decision period runs from here."""
        if self.status not in APPEAL_TRANSITIONS["accept"]:
            raise InvalidTransition(
                "appeal",
                self.status,
                "accept",
                allowed_actions=InvalidTransition.allowed(APPEAL_TRANSITIONS, self.status),
            )
        self.accepted_on = today
        self.decision_due_on = rule.decision.after(today, calendar) if rule.decision else None
        self.status = A.ACCEPTED
        self.events.append(events.AppealAccepted(self.id, self.decision_due_on, today))

    def reject(self, *, reasons: str, by: str, today: dt.date) -> None:
        """Does not accept the appeal (不予受理) on grounds other than time."""
        if self.status not in APPEAL_TRANSITIONS["reject"]:
            raise InvalidTransition(
                "appeal",
                self.status,
                "reject",
                allowed_actions=InvalidTransition.allowed(APPEAL_TRANSITIONS, self.status),
            )
        self.reasons = reasons
        self.status = A.REJECTED
        self._decided(AppealResult.REJECTED, None, today, decided_by=by)

    def start_review(self, *, today: dt.date) -> None:
        """Starts the review of an accepted appeal."""
        if self.status not in APPEAL_TRANSITIONS["start the review"]:
            raise InvalidTransition(
                "appeal",
                self.status,
                "start the review",
                allowed_actions=InvalidTransition.allowed(APPEAL_TRANSITIONS, self.status),
            )
        self.status = A.UNDER_REVIEW

    def decide(self, *, result: str, varied_to: str | None, reasons: str, final: bool, by: str, today: dt.date) -> None:
        """Decides: upheld, varied (never heavier) or revoked."""
        if self.status not in APPEAL_TRANSITIONS["decide"]:
            raise InvalidTransition(
                "appeal",
                self.status,
                "decide",
                allowed_actions=InvalidTransition.allowed(APPEAL_TRANSITIONS, self.status),
            )
        if result not in (AppealResult.UPHELD, AppealResult.VARIED, AppealResult.REVOKED):
            raise RuleViolation("decide UPHELD, VARIED or REVOKED", rule="appeal.result")
        if result == AppealResult.VARIED:
            if not varied_to:
                raise RuleViolation("a varied decision names what it was varied to", rule="appeal.varied_to")
            target = AppealTarget(self.target_type)
            if scale_for(target, self.original_value) is not None:
                if varied_to == self.original_value or not is_not_heavier(target, self.original_value, varied_to):
                    raise RuleViolation(
                        "an appeal never produces a heavier (or the same) decision",
                        rule="appeal.never_heavier",
                        source=NEVER_HEAVIER,
                    )
        elif varied_to is not None:
            raise RuleViolation("varied_to is only given for a VARIED result", rule="appeal.varied_to")
        self.reasons = reasons
        self.status = A.FINAL if final else A.DECIDED
        self._decided(result, varied_to, today, decided_by=by)

    def _decided(self, result: str, varied_to: str | None, on: dt.date, *, decided_by: str) -> None:
        self.result = result
        self.varied_to = varied_to
        self.decided_on = on
        self.decided_by = decided_by
        self.events.append(
            events.AppealDecided(
                self.id, self.appellant_cadre_id, self.target_type, self.target_ref, self.stage, result, varied_to, on
            )
        )

    def previous_view(self) -> Previous:
        """Returns this appeal as the previous stage of a later one."""
        return Previous(self.id, self.stage, self.status, self.result, self.decided_on, self.varied_to)


def stage_value(stage: str) -> AppealStage:
    """Parses a stage code (a rule violation when unknown)."""
    try:
        return AppealStage(stage)
    except ValueError:
        raise RuleViolation("stage must be REVIEW, APPEAL or REAPPEAL", rule="appeal.stage") from None
