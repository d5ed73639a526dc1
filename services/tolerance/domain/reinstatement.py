"""Reinstatement after a mistake (失误干部复出, docs/rules.md §3.3): eligibility, opinions, fact finding, decision.

ELIGIBLE (automatic when the last bar on re-use expires) → CADRE_REPORTED → ORG_OPINION → DISCIPLINE_OPINION →
FACT_FINDING (optional survey) → [POSTPONED on strong objection] → [UPPER_CONSULT when the target post is equal to
or above the original] → COMMITTEE_DECIDED | NOT_APPROVED → ANNOUNCED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.restrictions import Restriction, post_bar, use_barred

UPPER_SOURCE = (
    "2009 问责暂行规定 implementing measures (docs/rules.md §3.3) [S-]: consult the next level when the "
    "target post is equal to or above the original"
)
PROCEDURE_SOURCE = "党政领导干部选拔任用工作条例 Q&A 44 (docs/rules.md §3.3) [S]"


class ReinstatementStatus(StrEnum):
    ELIGIBLE = "ELIGIBLE"
    CADRE_REPORTED = "CADRE_REPORTED"
    ORG_OPINION = "ORG_OPINION"
    DISCIPLINE_OPINION = "DISCIPLINE_OPINION"
    FACT_FINDING = "FACT_FINDING"
    POSTPONED = "POSTPONED"
    UPPER_CONSULT = "UPPER_CONSULT"
    COMMITTEE_DECIDED = "COMMITTEE_DECIDED"
    NOT_APPROVED = "NOT_APPROVED"
    ANNOUNCED = "ANNOUNCED"


OPEN_STATES = frozenset(
    set(ReinstatementStatus)
    - {ReinstatementStatus.COMMITTEE_DECIDED, ReinstatementStatus.NOT_APPROVED, ReinstatementStatus.ANNOUNCED}
)


class Objection(StrEnum):
    NONE = "NONE"
    MINOR = "MINOR"
    STRONG = "STRONG"  # → postpone (docs/rules.md §3.3 step 3)


def upper_consultation_required(target_level: int | None, original_level: int | None, *, enabled: bool) -> bool:
    """Tells whether the next level must be consulted: target ≥ original, or either level unknown."""
    if not enabled:
        return False
    if target_level is None or original_level is None:
        return True
    return target_level >= original_level


# The reinstatement (复出) procedure: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
REINSTATEMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "report": (ReinstatementStatus.ELIGIBLE,),
    "give the organization opinion": (ReinstatementStatus.CADRE_REPORTED,),
    "give the discipline opinion": (ReinstatementStatus.ORG_OPINION,),
    "find facts": (ReinstatementStatus.DISCIPLINE_OPINION, ReinstatementStatus.POSTPONED),
    "consult the upper level": (ReinstatementStatus.FACT_FINDING,),
    "decide": (ReinstatementStatus.FACT_FINDING, ReinstatementStatus.UPPER_CONSULT),
    "announce": (ReinstatementStatus.COMMITTEE_DECIDED,),
}


@dataclass
class Reinstatement:
    """The re-use procedure of one cadre after removal, once the bars on re-use are over."""

    id: str
    cadre_id: str
    basis_sanction_ids: tuple[str, ...]
    eligible_from: dt.date
    original_post_level: int | None
    status: ReinstatementStatus = ReinstatementStatus.ELIGIBLE
    cadre_report_on: dt.date | None = None
    cadre_report: str | None = None
    org_opinion_on: dt.date | None = None
    org_opinion: str | None = None
    target_post: str | None = None
    target_post_level: int | None = None
    discipline_opinion_on: dt.date | None = None
    discipline_opinion: str | None = None
    discipline_favourable: bool | None = None
    fact_finding_on: dt.date | None = None
    survey_done: bool = False
    objection_level: Objection | None = None
    fact_finding_note: str | None = None
    postponed_on: dt.date | None = None
    upper_consult_required: bool = True
    upper_consulted_on: dt.date | None = None
    upper_consult_ref: str | None = None
    upper_agreed: bool | None = None
    decided_on: dt.date | None = None
    decided_by_body: str | None = None
    approved: bool | None = None
    decision_note: str | None = None
    announced_on: dt.date | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def become_eligible(
        cls,
        *,
        reinstatement_id: str,
        cadre_id: str,
        basis_sanction_ids: Iterable[str],
        eligible_from: dt.date,
        original_post_level: int | None,
    ) -> Reinstatement:
        """Opens the procedure when the last bar on re-use of a removed cadre has ended."""
        basis = tuple(sorted(set(basis_sanction_ids)))
        if not basis:
            raise RuleViolation("a reinstatement rests on at least one removal", rule="reinstatement.basis")
        return cls(
            id=reinstatement_id,
            cadre_id=cadre_id,
            basis_sanction_ids=basis,
            eligible_from=eligible_from,
            original_post_level=original_post_level,
        )

    def _step(self, action: str, on: dt.date, after: dt.date | None, today: dt.date) -> None:
        if self.status not in REINSTATEMENT_TRANSITIONS[action]:
            raise InvalidTransition(
                "reinstatement",
                self.status,
                action,
                allowed_actions=InvalidTransition.allowed(REINSTATEMENT_TRANSITIONS, self.status),
            )
        if on > today or (after is not None and on < after):
            raise RuleViolation(
                f"the date of '{action}' must be between the previous step and today", rule="reinstatement.date"
            )

    def report(self, *, on: dt.date, today: dt.date, summary: str) -> None:
        """Records the cadre's written report on their thinking and work."""
        self._step("report", on, self.eligible_from, today)
        self.cadre_report_on, self.cadre_report = on, summary.strip()
        self.status = ReinstatementStatus.CADRE_REPORTED

    def give_org_opinion(
        self,
        *,
        on: dt.date,
        today: dt.date,
        opinion: str,
        target_post: str,
        target_post_level: int | None,
        upper_enabled: bool,
    ) -> None:
        """Records the organization department's initial opinion and the proposed post."""
        self._step("give the organization opinion", on, self.cadre_report_on, today)
        self.org_opinion_on, self.org_opinion = on, opinion.strip()
        self.target_post, self.target_post_level = target_post, target_post_level
        self.upper_consult_required = upper_consultation_required(
            target_post_level, self.original_post_level, enabled=upper_enabled
        )
        self.status = ReinstatementStatus.ORG_OPINION

    def give_discipline_opinion(self, *, on: dt.date, today: dt.date, opinion: str, favourable: bool) -> None:
        """Records the discipline inspection body's opinion, asked for by the organization department."""
        self._step("give the discipline opinion", on, self.org_opinion_on, today)
        self.discipline_opinion_on, self.discipline_opinion = on, opinion.strip()
        self.discipline_favourable = favourable
        self.status = ReinstatementStatus.DISCIPLINE_OPINION

    def find_facts(self, *, on: dt.date, today: dt.date, survey_done: bool, objection: Objection, note: str) -> None:
        """Records fact finding (performance, unit opinions, an optional survey); strong objection postpones."""
        self._step("find facts", on, self.postponed_on or self.discipline_opinion_on, today)
        self.fact_finding_on, self.survey_done = on, survey_done
        self.objection_level, self.fact_finding_note = objection, note.strip()
        if objection is Objection.STRONG:
            self.postponed_on = on
            self.status = ReinstatementStatus.POSTPONED
        else:
            self.status = ReinstatementStatus.FACT_FINDING

    def consult_upper_level(self, *, on: dt.date, today: dt.date, reference: str, agreed: bool) -> None:
        """Records the written consultation with the next-level organization department."""
        self._step("consult the upper level", on, self.fact_finding_on, today)
        self.upper_consulted_on, self.upper_consult_ref, self.upper_agreed = on, reference.strip(), agreed
        self.status = ReinstatementStatus.UPPER_CONSULT

    def decide(
        self,
        *,
        on: dt.date,
        today: dt.date,
        approved: bool,
        body: str,
        note: str,
        target_post: str | None,
        target_post_level: int | None,
        restrictions: Iterable[Restriction],
        upper_enabled: bool,
    ) -> None:
        """Records the party committee's decision; approval needs no remaining bar and, where required, the
        upper level's agreement."""
        self._step("decide", on, self.upper_consulted_on or self.fact_finding_on, today)
        if target_post is not None:
            self.target_post, self.target_post_level = target_post, target_post_level
        self.upper_consult_required = upper_consultation_required(
            self.target_post_level, self.original_post_level, enabled=upper_enabled
        )
        if approved:
            if not self.target_post:
                raise RuleViolation("an approval names the target post", rule="reinstatement.target_post")
            if self.discipline_favourable is False:
                raise Conflict(
                    "the discipline inspection opinion is unfavourable",
                    rule="reinstatement.discipline_objection",
                    source=PROCEDURE_SOURCE,
                )
            if self.upper_consult_required and not self.upper_agreed:
                raise Conflict(
                    "the target post is equal to or above the original: the next-level organization "
                    "department must be consulted and agree first",
                    rule="reinstatement.upper_consultation_required",
                    source=UPPER_SOURCE,
                )
            current = list(restrictions)
            if use_barred(current, on):
                raise Conflict(
                    "another restriction still bars re-use", rule="reinstatement.other_bar", source=PROCEDURE_SOURCE
                )
            broken = post_bar(current, on, target_level=self.target_post_level, original_level=self.original_post_level)
            if broken is not None:
                raise Conflict(
                    f"the target post breaks {broken.value}", rule="reinstatement.post_bar", effect=broken.value
                )
        self.decided_on, self.decided_by_body, self.approved, self.decision_note = on, body, approved, note.strip()
        self.status = ReinstatementStatus.COMMITTEE_DECIDED if approved else ReinstatementStatus.NOT_APPROVED
        if approved:
            assert self.target_post is not None
            self.events.append(
                events.ReinstatementApproved(
                    self.id, self.cadre_id, self.target_post, self.target_post_level, bool(self.upper_agreed), on
                )
            )

    def announce(self, *, on: dt.date, today: dt.date) -> None:
        """Records the announcement of the re-appointment."""
        self._step("announce", on, self.decided_on, today)
        self.announced_on = on
        self.status = ReinstatementStatus.ANNOUNCED
