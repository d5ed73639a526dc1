"""The ToleranceCase aggregate (容错纠错): application, acceptance, checklist, collective decision, follow-up.

APPLIED → ACCEPTED | NOT_ACCEPTED → VERIFYING → PENDING_DECISION → EXEMPTED | MITIGATED | REJECTED → NOTIFIED →
FILED_UPWARD → (CORRECTION_OPEN → CORRECTION_DONE) → CLOSED (docs/rules.md §3.5).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kernel.contracts.vocabulary import SanctionType, ToleranceDecision
from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.rules.tolerance import (
    CONDITIONS_SOURCE,
    EXCLUSIONS_SOURCE,
    QUORUM_SOURCE,
    RECUSAL_SOURCE,
    Condition,
    DecisionRules,
    Exclusion,
    Ground,
    Initiator,
)

GUARD_SOURCE = "docs/rules.md §3.5 (the tolerance decision must come before the linked sanction is decided)"


class CaseStatus(StrEnum):
    APPLIED = "APPLIED"
    ACCEPTED = "ACCEPTED"
    NOT_ACCEPTED = "NOT_ACCEPTED"
    VERIFYING = "VERIFYING"
    PENDING_DECISION = "PENDING_DECISION"
    EXEMPTED = "EXEMPTED"
    MITIGATED = "MITIGATED"
    REJECTED = "REJECTED"
    NOTIFIED = "NOTIFIED"
    FILED_UPWARD = "FILED_UPWARD"
    CORRECTION_OPEN = "CORRECTION_OPEN"
    CORRECTION_DONE = "CORRECTION_DONE"
    CLOSED = "CLOSED"


UNDECIDED = frozenset({CaseStatus.APPLIED, CaseStatus.ACCEPTED, CaseStatus.VERIFYING, CaseStatus.PENDING_DECISION})
DECIDED_STATES = {
    ToleranceDecision.EXEMPT: CaseStatus.EXEMPTED,
    ToleranceDecision.MITIGATE: CaseStatus.MITIGATED,
    ToleranceDecision.REJECT: CaseStatus.REJECTED,
}


class Vote(StrEnum):
    FOR = "FOR"
    AGAINST = "AGAINST"
    ABSTAIN = "ABSTAIN"


@dataclass(frozen=True)
class Member:
    """A member of the deciding body present at the meeting."""

    member_id: str
    vote: Vote | None
    recused: bool = False
    recusal_reason: str | None = None
    cadre_id: str | None = None  # set when the member is a cadre, to check conflicts of interest


@dataclass(frozen=True)
class Finding:
    """One checklist item: whether it holds and the evidence for it."""

    holds: bool
    evidence: str


# The tolerance_case state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
TOLERANCE_CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "accept": (CaseStatus.APPLIED,),
    "record the checklist": (CaseStatus.ACCEPTED, CaseStatus.VERIFYING),
    "submit for decision": (CaseStatus.VERIFYING,),
    "decide": (CaseStatus.PENDING_DECISION,),
    "notify": tuple(DECIDED_STATES.values()),
    "file upward": (CaseStatus.NOTIFIED,),
    "open a correction plan": (CaseStatus.FILED_UPWARD,),
    "complete the correction": (CaseStatus.CORRECTION_OPEN,),
    "close": (CaseStatus.FILED_UPWARD, CaseStatus.CORRECTION_DONE, CaseStatus.NOT_ACCEPTED),
}


@dataclass
class ToleranceCase:
    """An application for error tolerance about one incident and one cadre."""

    id: str
    incident_id: str
    cadre_id: str
    initiator: Initiator
    applied_on: dt.date
    statement: str
    grounds: tuple[Ground, ...] = ()
    status: CaseStatus = CaseStatus.APPLIED
    accepted_on: dt.date | None = None
    acceptance_note: str | None = None
    conditions: dict[Condition, Finding] = field(default_factory=dict)
    exclusions: dict[Exclusion, Finding] = field(default_factory=dict)
    verification_report_ref: str | None = None
    verified_on: dt.date | None = None
    decision: ToleranceDecision | None = None
    decision_reasons: str | None = None
    mitigated_to: SanctionType | None = None
    decided_on: dt.date | None = None
    decided_by_body: str | None = None
    body_size: int | None = None
    members: tuple[Member, ...] = ()
    notified_on: dt.date | None = None
    filed_upward_on: dt.date | None = None
    publication_scope: str | None = None
    correction_plan: str | None = None
    correction_due_on: dt.date | None = None
    correction_done_on: dt.date | None = None
    correction_follow_up: str | None = None
    closed_on: dt.date | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def apply(
        cls,
        *,
        case_id: str,
        incident_id: str,
        cadre_id: str,
        initiator: Initiator,
        applied_on: dt.date,
        today: dt.date,
        statement: str,
        grounds: tuple[Ground, ...] = (),
        linked_sanction_decided: bool = False,
        incident_occurred_on: dt.date | None = None,
    ) -> ToleranceCase:
        """Files an application; refused once a linked sanction was decided (only an appeal can change it then)."""
        if applied_on > today:
            raise RuleViolation("applied_on cannot be in the future", rule="tolerance.applied_on")
        if incident_occurred_on is not None and applied_on < incident_occurred_on:
            raise RuleViolation("applied_on cannot be before the incident", rule="tolerance.applied_on")
        if linked_sanction_decided:
            raise Conflict(
                "a sanction on this incident was already decided; only an appeal can change it",
                rule="tolerance.sanction_already_decided",
                source=GUARD_SOURCE,
            )
        return cls(
            id=case_id,
            incident_id=incident_id,
            cadre_id=cadre_id,
            initiator=initiator,
            applied_on=applied_on,
            statement=statement.strip(),
            grounds=tuple(dict.fromkeys(grounds)),
        )

    def _dated(self, on: dt.date, after: dt.date | None, today: dt.date, name: str) -> None:
        if on > today or (after is not None and on < after):
            raise RuleViolation(f"{name} must be between the previous step and today", rule=f"tolerance.{name}")

    def accept(self, *, accepted: bool, on: dt.date, today: dt.date, note: str | None) -> None:
        """Accepts the application for verification, or declines it (with a note)."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["accept"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "accept",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        self._dated(on, self.applied_on, today, "accepted_on")
        if not accepted and not (note and note.strip()):
            raise RuleViolation("declining an application needs a reason", rule="tolerance.acceptance_note")
        self.accepted_on = on
        self.acceptance_note = note
        self.status = CaseStatus.ACCEPTED if accepted else CaseStatus.NOT_ACCEPTED

    def record_checklist(
        self,
        *,
        conditions: dict[Condition, Finding],
        exclusions: dict[Exclusion, Finding],
        verification_report_ref: str | None,
    ) -> None:
        """Records the verification checklist with evidence for each item (may be refined until submission)."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["record the checklist"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "record the checklist",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        for name, finding in [*conditions.items(), *exclusions.items()]:
            if not finding.evidence.strip():
                raise RuleViolation(f"{name} needs evidence", rule="tolerance.evidence", item=str(name))
        self.conditions.update(conditions)
        self.exclusions.update(exclusions)
        if verification_report_ref is not None:
            self.verification_report_ref = verification_report_ref
        self.status = CaseStatus.VERIFYING

    def submit(self, *, on: dt.date, today: dt.date) -> None:
        """Closes verification and submits the case to the collective decision; every item must be assessed."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["submit for decision"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "submit for decision",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        self._dated(on, self.accepted_on, today, "verified_on")
        missing = [c.value for c in Condition if c not in self.conditions] + [
            e.value for e in Exclusion if e not in self.exclusions
        ]
        if missing:
            raise RuleViolation(
                "every condition and exclusion must be assessed with evidence",
                rule="tolerance.checklist_incomplete",
                source=CONDITIONS_SOURCE,
                missing=missing,
            )
        self.verified_on = on
        self.status = CaseStatus.PENDING_DECISION

    def decide(
        self,
        *,
        decision: ToleranceDecision,
        reasons: str,
        on: dt.date,
        today: dt.date,
        body: str,
        body_size: int,
        members: tuple[Member, ...],
        rules: DecisionRules,
        relative_ids: frozenset[str],
        linked_sanction_decided: bool,
        mitigated_to: SanctionType | None,
        publication_scope: str | None,
        source_refs: tuple[events.SourceRef, ...],
    ) -> None:
        """Records the collective decision: quorum, recusal and majority checked; exempt needs every condition."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["decide"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "decide",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        self._dated(on, self.verified_on, today, "decided_on")
        if linked_sanction_decided:
            raise Conflict(
                "a sanction on this incident was already decided; only an appeal can change it",
                rule="tolerance.sanction_already_decided",
                source=GUARD_SOURCE,
            )
        if not reasons.strip():
            raise RuleViolation("a decision needs its reasons", rule="tolerance.reasons")
        check_collective(members, body_size=body_size, rules=rules, cadre_id=self.cadre_id, relative_ids=relative_ids)
        if decision is not ToleranceDecision.REJECT:
            present = [e.value for e, f in self.exclusions.items() if f.holds]
            if present:
                raise RuleViolation(
                    "an exclusion applies; tolerance cannot be granted",
                    rule="tolerance.exclusion_present",
                    source=EXCLUSIONS_SOURCE,
                    exclusions=present,
                )
        if decision is ToleranceDecision.EXEMPT:
            unmet = [c.value for c in Condition if not self.conditions[c].holds]
            if unmet:
                raise RuleViolation(
                    "exemption needs all six conditions (缺一不可)",
                    rule="tolerance.conditions_unmet",
                    source=CONDITIONS_SOURCE,
                    unmet=unmet,
                )
        if mitigated_to is not None and decision is not ToleranceDecision.MITIGATE:
            raise RuleViolation("mitigated_to belongs to a MITIGATE decision", rule="tolerance.mitigated_to")
        self.decision = decision
        self.decision_reasons = reasons.strip()
        self.mitigated_to = mitigated_to
        self.decided_on = on
        self.decided_by_body = body
        self.body_size = body_size
        self.members = members
        self.publication_scope = publication_scope
        self.status = DECIDED_STATES[decision]
        if decision is ToleranceDecision.REJECT:
            self.events.append(events.ToleranceRejected(self.id, self.incident_id, self.cadre_id, on, source_refs))
        else:
            self.events.append(
                events.ToleranceGranted(
                    self.id,
                    self.incident_id,
                    self.cadre_id,
                    decision.value,
                    on,
                    source_refs,
                    mitigated_to.value if mitigated_to else None,
                )
            )

    def notify(self, *, on: dt.date, today: dt.date) -> None:
        """Records that the applicant and unit were informed (反馈/告知)."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["notify"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "notify",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        self._dated(on, self.decided_on, today, "notified_on")
        self.notified_on = on
        self.status = CaseStatus.NOTIFIED

    def file_upward(self, *, on: dt.date, today: dt.date, publication_scope: str) -> None:
        """Records the filing with the next level and the publication scope (报备/公开)."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["file upward"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "file upward",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        self._dated(on, self.notified_on, today, "filed_upward_on")
        self.filed_upward_on = on
        self.publication_scope = publication_scope
        self.status = CaseStatus.FILED_UPWARD

    def open_correction(self, *, plan: str, due_on: dt.date, today: dt.date) -> None:
        """Records the correction plan (纠错) and its due date."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["open a correction plan"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "open a correction plan",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        if due_on <= today:
            raise RuleViolation("the correction due date must be in the future", rule="tolerance.correction_due_on")
        self.correction_plan = plan.strip()
        self.correction_due_on = due_on
        self.status = CaseStatus.CORRECTION_OPEN

    def complete_correction(self, *, on: dt.date, today: dt.date, follow_up: str) -> None:
        """Records that the correction was done, with the follow-up."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["complete the correction"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "complete the correction",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        self._dated(on, self.filed_upward_on, today, "correction_done_on")
        self.correction_done_on = on
        self.correction_follow_up = follow_up.strip()
        self.status = CaseStatus.CORRECTION_DONE

    def close(self, *, on: dt.date, today: dt.date) -> None:
        """Closes the case after filing (and after the correction, if one was opened)."""
        if self.status not in TOLERANCE_CASE_TRANSITIONS["close"]:
            raise InvalidTransition(
                "tolerance_case",
                self.status,
                "close",
                allowed_actions=InvalidTransition.allowed(TOLERANCE_CASE_TRANSITIONS, self.status),
            )
        self._dated(on, self.correction_done_on or self.filed_upward_on or self.accepted_on, today, "closed_on")
        self.closed_on = on
        self.status = CaseStatus.CLOSED


def check_collective(
    members: tuple[Member, ...], *, body_size: int, rules: DecisionRules, cadre_id: str, relative_ids: frozenset[str]
) -> None:
    """Checks a collective decision: members present, recusals, attendance quorum, majority for the motion."""
    if body_size < rules.min_members:
        raise RuleViolation(
            f"a collective body has at least {rules.min_members} members",
            rule="tolerance.body_size",
            source=QUORUM_SOURCE,
        )
    ids = [m.member_id for m in members]
    if len(set(ids)) != len(ids):
        raise RuleViolation("a member is listed twice", rule="tolerance.members")
    if len(members) > body_size:
        raise RuleViolation("more members present than the body has", rule="tolerance.members")
    for member in members:
        conflicted = member.cadre_id is not None and (member.cadre_id == cadre_id or member.cadre_id in relative_ids)
        if conflicted and not member.recused:
            raise RuleViolation(
                f"member {member.member_id} has a conflict of interest and must recuse",
                rule="tolerance.recusal_required",
                source=RECUSAL_SOURCE,
                member=member.member_id,
            )
        if member.recused and member.vote is not None:
            raise RuleViolation(
                f"recused member {member.member_id} cannot vote",
                rule="tolerance.recused_vote",
                source=RECUSAL_SOURCE,
                member=member.member_id,
            )
        if member.recused and not (member.recusal_reason and member.recusal_reason.strip()):
            raise RuleViolation(f"recusal of {member.member_id} needs a reason", rule="tolerance.recusal_reason")
        if not member.recused and member.vote is None:
            raise RuleViolation(f"member {member.member_id} has no vote", rule="tolerance.vote_missing")
    needed = math.ceil(rules.quorum_fraction * body_size - 1e-9)
    if len(members) < needed:
        raise RuleViolation(
            f"quorum not reached: {len(members)} of {body_size} present, {needed} needed",
            rule="tolerance.quorum",
            source=QUORUM_SOURCE,
        )
    recused = sum(1 for m in members if m.recused)
    eligible = body_size - recused
    votes_for = sum(1 for m in members if m.vote is Vote.FOR)
    if votes_for * 2 <= eligible:
        raise RuleViolation(
            f"the motion needs a majority of the {eligible} non-recused members; it had {votes_for}",
            rule="tolerance.majority",
            source=QUORUM_SOURCE,
        )
