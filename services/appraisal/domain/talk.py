"""Talks (约谈/谈心谈话/提醒/函询/诫勉): SCHEDULED → HELD → REPLIED | CANCELLED (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidTransition, RuleViolation
from services.appraisal.domain import events
from services.appraisal.domain.rules.talks import TALK_TYPES

# The talk state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
TALK_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "be recorded": ("SCHEDULED",),
    "take a reply": ("HELD",),
    "be cancelled": ("SCHEDULED",),
}


@dataclass
class Talk:
    id: str
    type: str
    cadre_id: str
    org_unit_id: str
    scheduled_on: dt.date
    reason_ref: str | None
    created_by: str
    schedule_id: str | None = None
    status: str = "SCHEDULED"
    held_on: dt.date | None = None
    minutes_ref: str | None = None
    outcome: str | None = None
    reply_due_on: dt.date | None = None
    replied_on: dt.date | None = None
    reply_ref: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def schedule(
        cls,
        *,
        talk_id: str,
        type: str,
        cadre_id: str,
        org_unit_id: str,
        scheduled_on: dt.date,
        reason_ref: str | None,
        created_by: str,
        schedule_id: str | None = None,
    ) -> Talk:
        """Schedules a talk."""
        if type not in TALK_TYPES:
            raise RuleViolation("type must be one of " + ", ".join(TALK_TYPES), rule="talk.type")
        return cls(
            id=talk_id,
            type=type,
            cadre_id=cadre_id,
            org_unit_id=org_unit_id,
            scheduled_on=scheduled_on,
            reason_ref=reason_ref,
            created_by=created_by,
            schedule_id=schedule_id,
        )

    def record(
        self,
        *,
        held_on: dt.date,
        minutes_ref: str | None,
        outcome: str | None,
        reply_due_on: dt.date | None,
        today: dt.date,
    ) -> None:
        """Records that the talk was held (SCHEDULED → HELD); a held 诫勉 is announced to tolerance."""
        if self.status not in TALK_TRANSITIONS["be recorded"]:
            raise InvalidTransition(
                "talk",
                self.status,
                "be recorded",
                allowed_actions=InvalidTransition.allowed(TALK_TRANSITIONS, self.status),
            )
        if held_on > today:
            raise RuleViolation("held_on cannot be in the future", rule="talk.held_on")
        if held_on < self.scheduled_on:
            # A talk is recorded as held on or after the day it was scheduled for; one brought forward is
            # rescheduled (cancel and schedule anew) so the record keeps the day it was announced for.
            raise RuleViolation(
                f"held_on {held_on.isoformat()} is before the scheduled day {self.scheduled_on.isoformat()}",
                rule="talk.held_before_scheduled",
            )
        self.status, self.held_on, self.minutes_ref, self.outcome = "HELD", held_on, minutes_ref, outcome
        self.reply_due_on = reply_due_on
        if self.type == "ADMONISHMENT":
            self.events.append(
                events.AdmonishmentIssued(self.id, self.cadre_id, held_on, (self.reason_ref or "ADMONISHMENT")[:200])
            )

    def reply(self, *, reply_ref: str, today: dt.date) -> None:
        """Records the cadre's reply or written self-examination (HELD → REPLIED)."""
        if self.status not in TALK_TRANSITIONS["take a reply"] or self.reply_due_on is None:
            raise InvalidTransition(
                "talk",
                self.status,
                "take a reply",
                allowed_actions=InvalidTransition.allowed(TALK_TRANSITIONS, self.status),
            )
        self.status, self.replied_on, self.reply_ref = "REPLIED", today, reply_ref

    def cancel(self) -> None:
        """Cancels a scheduled talk."""
        if self.status not in TALK_TRANSITIONS["be cancelled"]:
            raise InvalidTransition(
                "talk",
                self.status,
                "be cancelled",
                allowed_actions=InvalidTransition.allowed(TALK_TRANSITIONS, self.status),
            )
        self.status = "CANCELLED"

    @classmethod
    def recorded(cls, *, talk_id: str, org_unit_id: str, fact: Any, by: str, today: dt.date) -> Talk:
        """A past talk recorded as a past fact (domain/past_talks.PastTalk, checked): held on its real date, as
        `record` does live (a held 诫勉 announces admonishment_issued with that date). No reply is awaited: a reply
        owed years ago was given, or not, at the time."""
        talk = cls.schedule(
            talk_id=talk_id,
            type=fact.type,
            cadre_id=fact.cadre_id,
            org_unit_id=org_unit_id,
            scheduled_on=fact.held_on,
            reason_ref=fact.reason,
            created_by=by,
        )
        talk.record(held_on=fact.held_on, minutes_ref=None, outcome=fact.notes, reply_due_on=None, today=today)
        return talk

    def correct_record(self, *, fact: Any) -> None:
        """Takes the corrected reason and notes of a recorded past talk (its type and day are its key)."""
        self.reason_ref, self.outcome = fact.reason, fact.notes
