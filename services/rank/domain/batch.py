"""Promotion batches (docs/rules.md §4.3, §4.8): the batch and candidate state machines, quotas and publicity (pure).

Batch:     PLANNED → CANDIDATES_COMPUTED → RECOMMENDATION → INVESTIGATION → SHORTLISTED → PUBLICITY (≥ 5 WD)
           → [objection → VERIFYING → PUBLICITY | SHORTLISTED'] → APPROVAL → APPOINTED → CLOSED; CANCELLED
           from any state before APPOINTED.
Candidate: ELIGIBLE → RECOMMENDED → INVESTIGATED → PUBLICISED → APPROVED → APPOINTED; NOT_SELECTED;
           WITHDRAWN from any open state (a restriction or an investigation, or ineligible at approval).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kernel.calendar import WorkdayCalendar
from kernel.errors import Conflict, InvalidTransition, NotFound, RuleViolation

OPEN_BATCH = (
    "PLANNED",
    "CANDIDATES_COMPUTED",
    "RECOMMENDATION",
    "INVESTIGATION",
    "SHORTLISTED",
    "PUBLICITY",
    "VERIFYING",
    "APPROVAL",
)
CANDIDATE_OPEN = ("ELIGIBLE", "RECOMMENDED", "INVESTIGATED", "PUBLICISED", "APPROVED")
# Candidates that hold a place against the quota until the batch ends.
CANDIDATE_RESERVING = ("RECOMMENDED", "INVESTIGATED", "PUBLICISED", "APPROVED")
PUBLICITY_SOURCE = "公务员职务与职级并行规定 §20 (公示不少于5个工作日)"
QUOTA_SOURCE = "公务员职务与职级并行规定 §11 (职数)"


@dataclass
class Candidate:
    cadre_id: str
    target_rank: str
    bucket: str
    status: str = "ELIGIBLE"
    points: float = 0.0
    points_breakdown: list[dict[str, Any]] = field(default_factory=list)
    eligibility: dict[str, Any] = field(default_factory=dict)
    rank_in_bucket: int | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None
    investigation_passed: bool | None = None
    investigation_note: str | None = None
    objection_open: bool = False
    decision_reason: str | None = None
    changed: bool = field(default=False, compare=False)

    def _set(self, status: str, reason: str | None = None) -> None:
        self.status = status
        if reason is not None:
            self.decision_reason = reason
        self.changed = True


@dataclass(frozen=True)
class QuotaLimit:
    """How many more cadres one configured quota admits for some ranks."""

    key: str  # e.g. "bureau-x:RESEARCHERS"
    rank_codes: frozenset[str]
    vacancies: int
    members: frozenset[str] | None = None  # the candidates under the quota's org unit (None: all)


# A candidate's steps in the batch: action → the candidate states it is valid from (a refused action answers 409
# with the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
CANDIDATE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "receive votes": ("ELIGIBLE",),
    "be recommended": ("ELIGIBLE",),
    "be investigated": ("RECOMMENDED", "INVESTIGATED"),
    "receive an objection": ("PUBLICISED",),
}


# The promotion_batch state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
PROMOTION_BATCH_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "compute candidates": ("PLANNED", "CANDIDATES_COMPUTED"),
    "open recommendation": ("CANDIDATES_COMPUTED",),
    "record votes": ("RECOMMENDATION",),
    "recommend": ("RECOMMENDATION",),
    "record an investigation": ("INVESTIGATION",),
    "shortlist": ("INVESTIGATION",),
    "publicize": ("SHORTLISTED",),
    "receive an objection": ("PUBLICITY", "VERIFYING"),
    "resolve an objection": ("VERIFYING",),
    "submit for approval": ("PUBLICITY", "SHORTLISTED"),
    "approve": ("APPROVAL",),
    "close": ("APPOINTED",),
    "cancel": OPEN_BATCH,
}


@dataclass
class PromotionBatch:
    id: str
    org_unit_id: str
    title: str
    target_ranks: list[str]
    status: str = "PLANNED"
    created_by: str | None = None
    publicity_from: dt.date | None = None
    publicity_to: dt.date | None = None
    approved_by: str | None = None
    approved_on: dt.date | None = None
    effective_date: dt.date | None = None
    version: int = 0
    candidates: dict[str, Candidate] = field(default_factory=dict)
    events: list[Any] = field(default_factory=list, repr=False, compare=False)
    replaced_candidates: bool = field(default=False, repr=False, compare=False)

    @classmethod
    def plan(
        cls,
        *,
        batch_id: str,
        org_unit_id: str,
        title: str,
        target_ranks: Sequence[str],
        created_by: str,
        known_ranks: set[str],
    ) -> PromotionBatch:
        """Plans a batch for target ranks in an org unit's subtree."""
        if not target_ranks:
            raise RuleViolation("name at least one target rank", rule="batch.target_ranks")
        unknown = [r for r in target_ranks if r not in known_ranks]
        if unknown:
            raise RuleViolation(f"unknown rank codes: {', '.join(unknown)}", rule="rank.unknown_code")
        if len(set(target_ranks)) != len(target_ranks):
            raise RuleViolation("target ranks must be distinct", rule="batch.target_ranks")
        return cls(
            id=batch_id,
            org_unit_id=org_unit_id,
            title=title.strip(),
            target_ranks=list(target_ranks),
            created_by=created_by,
        )

    def _require(self, action: str) -> None:
        if self.status not in PROMOTION_BATCH_TRANSITIONS[action]:
            raise InvalidTransition(
                "promotion_batch",
                self.status,
                action,
                allowed_actions=InvalidTransition.allowed(PROMOTION_BATCH_TRANSITIONS, self.status),
            )

    def candidate(self, cadre_id: str) -> Candidate:
        """Returns a candidate of the batch or refuses an unknown one."""
        found = self.candidates.get(cadre_id)
        if found is None:
            raise NotFound("cadre is not a candidate of this batch", rule="batch.candidate", field="cadre_id")
        return found

    def set_candidates(self, candidates: Sequence[Candidate]) -> None:
        """Replaces the computed candidate list (eligibility and points as of now)."""
        self._require("compute candidates")
        self.candidates = {c.cadre_id: c for c in candidates}
        for c in self.candidates.values():
            c.changed = True
        self.replaced_candidates = True
        self.status = "CANDIDATES_COMPUTED"

    def open_recommendation(self) -> None:
        """Opens democratic recommendation (民主推荐) among the eligible candidates."""
        self._require("open recommendation")
        if not any(c.status == "ELIGIBLE" for c in self.candidates.values()):
            raise Conflict("the batch has no eligible candidate", rule="batch.no_candidates")
        self.status = "RECOMMENDATION"

    def record_votes(self, cadre_id: str, *, votes_for: int, votes_against: int, abstain: int) -> None:
        """Records the recommendation vote tally for a candidate (replaces an earlier tally)."""
        self._require("record votes")
        candidate = self.candidate(cadre_id)
        if candidate.status not in CANDIDATE_TRANSITIONS["receive votes"]:
            raise InvalidTransition(
                "candidate",
                candidate.status,
                "receive votes",
                allowed_actions=InvalidTransition.allowed(CANDIDATE_TRANSITIONS, candidate.status),
            )
        if min(votes_for, votes_against, abstain) < 0:
            raise RuleViolation("vote counts cannot be negative", rule="batch.votes")
        candidate.votes_for, candidate.votes_against, candidate.votes_abstain = votes_for, votes_against, abstain
        candidate.changed = True

    def recommend(self, cadre_ids: Sequence[str], *, limits: Sequence[QuotaLimit]) -> None:
        """Closes recommendation: the named candidates go to investigation, the rest are not selected."""
        self._require("recommend")
        if not cadre_ids:
            raise RuleViolation("recommend at least one candidate", rule="batch.recommend_none")
        chosen = set(cadre_ids)
        for cadre_id in chosen:
            candidate = self.candidate(cadre_id)
            if candidate.status not in CANDIDATE_TRANSITIONS["be recommended"]:
                raise InvalidTransition(
                    "candidate",
                    candidate.status,
                    "be recommended",
                    allowed_actions=InvalidTransition.allowed(CANDIDATE_TRANSITIONS, candidate.status),
                )
        check_quota([self.candidates[c] for c in chosen], limits)
        for candidate in self.candidates.values():
            if candidate.status != "ELIGIBLE":
                continue
            if candidate.cadre_id in chosen:
                candidate._set("RECOMMENDED")
            else:
                candidate._set("NOT_SELECTED", "not recommended")
        self.status = "INVESTIGATION"

    def record_investigation(self, cadre_id: str, *, passed: bool, note: str | None) -> None:
        """Records the investigation (考察) result of a recommended candidate."""
        self._require("record an investigation")
        candidate = self.candidate(cadre_id)
        if candidate.status not in CANDIDATE_TRANSITIONS["be investigated"]:
            raise InvalidTransition(
                "candidate",
                candidate.status,
                "be investigated",
                allowed_actions=InvalidTransition.allowed(CANDIDATE_TRANSITIONS, candidate.status),
            )
        candidate.investigation_passed = passed
        candidate.investigation_note = note
        candidate._set("INVESTIGATED")

    def shortlist(self) -> None:
        """Ends the investigation: candidates who passed are shortlisted; every recommended one must be done."""
        self._require("shortlist")
        pending = [c.cadre_id for c in self.candidates.values() if c.status == "RECOMMENDED"]
        if pending:
            raise Conflict(
                f"{len(pending)} recommended candidates have no investigation result",
                rule="batch.investigation_pending",
                cadre_ids=sorted(pending),
            )
        for candidate in self.candidates.values():
            if candidate.status == "INVESTIGATED" and not candidate.investigation_passed:
                candidate._set("NOT_SELECTED", "investigation not passed")
        if not any(c.status == "INVESTIGATED" for c in self.candidates.values()):
            raise Conflict("no candidate passed the investigation", rule="batch.no_candidates")
        self.status = "SHORTLISTED"

    def publicize(
        self, *, starts_on: dt.date, working_days: int, min_working_days: int, calendar: WorkdayCalendar, today: dt.date
    ) -> None:
        """Publishes the shortlist for at least the minimum number of working days, counted on the calendar."""
        self._require("publicize")
        if self.publicity_from is not None:
            raise InvalidTransition(
                "promotion_batch",
                "SHORTLISTED (already publicized)",
                "publicize again",
                allowed_actions=InvalidTransition.allowed(PROMOTION_BATCH_TRANSITIONS, self.status),
            )
        if working_days < min_working_days:
            raise RuleViolation(
                f"publicity lasts at least {min_working_days} working days",
                rule="batch.publicity_min_working_days",
                source=PUBLICITY_SOURCE,
            )
        if starts_on < today:
            raise RuleViolation("publicity cannot start in the past", rule="batch.publicity_start")
        if not calendar.is_working_day(starts_on):
            raise RuleViolation(
                "publicity starts on a working day", rule="batch.publicity_start", source=PUBLICITY_SOURCE
            )
        self.publicity_from = starts_on
        self.publicity_to = calendar.add_working_days(starts_on, working_days - 1)
        for candidate in self.candidates.values():
            if candidate.status == "INVESTIGATED":
                candidate._set("PUBLICISED")
        self.status = "PUBLICITY"

    def object(self, cadre_id: str, *, today: dt.date) -> None:
        """Registers an objection against a publicised candidate: the batch verifies it."""
        self._require("receive an objection")
        assert self.publicity_from is not None and self.publicity_to is not None
        if not self.publicity_from <= today <= self.publicity_to:
            raise Conflict("objections are received during the publicity period", rule="batch.publicity_period")
        candidate = self.candidate(cadre_id)
        if candidate.status not in CANDIDATE_TRANSITIONS["receive an objection"]:
            raise InvalidTransition(
                "candidate",
                candidate.status,
                "receive an objection",
                allowed_actions=InvalidTransition.allowed(CANDIDATE_TRANSITIONS, candidate.status),
            )
        candidate.objection_open = True
        candidate.changed = True
        self.status = "VERIFYING"

    def resolve_objection(self, cadre_id: str, *, upheld: bool, today: dt.date) -> None:
        """Closes the verification of an objection; an upheld one removes the candidate."""
        self._require("resolve an objection")
        candidate = self.candidate(cadre_id)
        if not candidate.objection_open:
            raise Conflict("the candidate has no open objection", rule="batch.no_objection")
        candidate.objection_open = False
        if upheld:
            candidate._set("NOT_SELECTED", "objection upheld")
        else:
            candidate.changed = True
        self._after_objections(today)

    def _after_objections(self, today: dt.date) -> None:
        if self.status != "VERIFYING" or any(c.objection_open for c in self.candidates.values()):
            return
        assert self.publicity_to is not None
        self.status = "PUBLICITY" if today <= self.publicity_to else "SHORTLISTED"

    def submit_for_approval(self, *, today: dt.date) -> None:
        """Submits the batch for approval once the publicity period is over with no objection open."""
        self._require("submit for approval")
        if self.publicity_to is None:
            raise Conflict(
                "the shortlist has not been publicized", rule="batch.publicity_required", source=PUBLICITY_SOURCE
            )
        if today <= self.publicity_to:
            raise Conflict(
                f"the publicity period runs until {self.publicity_to.isoformat()}",
                rule="batch.publicity_min_working_days",
                source=PUBLICITY_SOURCE,
            )
        if not any(c.status == "PUBLICISED" for c in self.candidates.values()):
            raise Conflict("no publicised candidate is left", rule="batch.no_candidates")
        self.status = "APPROVAL"

    def approve(
        self,
        *,
        approver: str,
        effective_date: dt.date,
        today: dt.date,
        recheck: dict[str, tuple[bool, str]],
        limits: Sequence[QuotaLimit],
    ) -> list[Candidate]:
        """Approves the batch: candidates no longer eligible are withdrawn; the rest are appointed (quota checked)."""
        self._require("approve")
        if effective_date > today:
            raise RuleViolation("the appointment cannot take effect in the future", rule="batch.effective_date")
        if self.publicity_to is not None and effective_date <= self.publicity_to:
            raise RuleViolation(
                "the appointment takes effect after the publicity period",
                rule="batch.effective_date",
                source=PUBLICITY_SOURCE,
            )
        appointed = []
        for candidate in self.candidates.values():
            if candidate.status != "PUBLICISED":
                continue
            eligible, why = recheck.get(candidate.cadre_id, (False, "not re-checked"))
            if eligible:
                appointed.append(candidate)
            else:
                candidate._set("WITHDRAWN", f"not eligible at approval: {why}")
        check_quota(appointed, limits)
        for candidate in appointed:
            candidate._set("APPOINTED")
        self.approved_by = approver
        self.approved_on = today
        self.effective_date = effective_date
        self.status = "APPOINTED"
        return appointed

    def close(self) -> None:
        """Closes an appointed batch."""
        self._require("close")
        self.status = "CLOSED"

    def cancel(self, *, reason: str) -> None:
        """Cancels a batch that has not been appointed; its open candidates are withdrawn."""
        self._require("cancel")
        for candidate in self.candidates.values():
            if candidate.status in CANDIDATE_OPEN:
                candidate._set("WITHDRAWN", f"batch cancelled: {reason}")
        self.status = "CANCELLED"

    def withdraw(self, cadre_id: str, *, reason: str, today: dt.date) -> bool:
        """Withdraws a candidate from an open batch (restriction or investigation); True if it changed."""
        candidate = self.candidates.get(cadre_id)
        if self.status not in OPEN_BATCH or candidate is None or candidate.status not in CANDIDATE_OPEN:
            return False
        candidate.objection_open = False
        candidate._set("WITHDRAWN", reason)
        if self.status == "VERIFYING":
            self._after_objections(today)
        return True


def check_quota(candidates: Sequence[Candidate], limits: Sequence[QuotaLimit]) -> None:
    """Refuses a selection that exceeds a quota (职数) for its ranks."""
    for limit in limits:
        wanted = sum(
            1
            for c in candidates
            if c.target_rank in limit.rank_codes and (limit.members is None or c.cadre_id in limit.members)
        )
        if wanted > limit.vacancies:
            raise RuleViolation(
                f"quota {limit.key} has {max(limit.vacancies, 0)} vacancies; {wanted} selected",
                rule="quota.exceeded",
                source=QUOTA_SOURCE,
                quota=limit.key,
                vacancies=max(limit.vacancies, 0),
                selected=wanted,
            )
