"""The annual assessment (年度考核) aggregate and its state machine (docs/rules.md §1.8); pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidTransition, RuleViolation
from services.appraisal.domain import events
from services.appraisal.domain.grades import (
    UNDETERMINED_REASONS,
    Constraint,
    check_allowed,
    check_grade,
    forced_grade,
    highest_allowed,
    lighter,
    not_heavier,
)

OPEN = ("DRAFT", "SELF_SUBMITTED", "RULE_CHECKED", "PUBLICITY", "REOPENED")
DECIDED = ("DECIDED", "SUPPLEMENTED", "NOTIFIED", "ACKNOWLEDGED", "UNDER_REVIEW", "REVIEWED", "FINAL")
STATUSES = (*OPEN, *DECIDED, "SUPPLEMENT_PENDING")
S_REVIEW = "公务员法 §95–96: 复核 within 30 days; review and appeal never make the outcome heavier"


# The assessment state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
ASSESSMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submit a self-summary": ("DRAFT", "SELF_SUBMITTED"),
    "take a proposal": ("SELF_SUBMITTED", "RULE_CHECKED", "REOPENED"),
    "start publicity": ("RULE_CHECKED",),
    "be decided": ("RULE_CHECKED", "PUBLICITY"),
    "be notified": ("DECIDED", "SUPPLEMENTED", "REVIEWED"),
    "be acknowledged": ("NOTIFIED",),
    "be reviewed": ("NOTIFIED", "ACKNOWLEDGED"),
    "decide a review": ("UNDER_REVIEW",),
    "be supplemented": ("SUPPLEMENT_PENDING",),  # also a decided 不定等次 held for an investigation (supplement())
}


@dataclass
class AnnualAssessment:
    """One cadre's annual assessment for one year."""

    id: str
    cadre_id: str
    org_unit_id: str
    year: int
    status: str = "DRAFT"
    self_summary: str | None = None
    leader_comment: str | None = None
    indicators: dict[str, float] | None = None
    form_score: float | None = None
    proposed_grade: str | None = None
    final_grade: str | None = None
    undetermined_reason: str | None = None
    constraints_applied: list[dict[str, Any]] = field(default_factory=list)
    held_grade: str | None = None  # the proposal set aside while an investigation forced 不定等次
    publicity_from: dt.date | None = None
    publicity_to: dt.date | None = None
    decided_by: str | None = None
    decided_on: dt.date | None = None
    notified_on: dt.date | None = None
    acknowledged_on: dt.date | None = None
    signed_opinion: str | None = None
    review_requested_on: dt.date | None = None
    appeal_ceiling: str | None = None  # a grade revoked on appeal: the new one must be lighter
    supplemented: bool = False
    supplement_no_excellent: bool = False  # the closure was warning-level: the supplemented grade is not 优秀
    amended: bool = False
    source: str | None = None  # a past grade recorded as a past fact (domain/past_grades.py); None: decided live
    document_no: str | None = None  # 文号 of a recorded past grade
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def open(
        cls, *, assessment_id: str, cadre_id: str, org_unit_id: str, year: int, today: dt.date
    ) -> AnnualAssessment:
        """Opens the assessment of a year that has started."""
        if not 2000 <= year <= today.year:
            raise RuleViolation("the assessment year must be a year that has started", rule="assessment.year")
        return cls(id=assessment_id, cadre_id=cadre_id, org_unit_id=org_unit_id, year=year)

    @classmethod
    def recorded(
        cls,
        *,
        assessment_id: str,
        org_unit_id: str,
        fact: Any,
        reason: str | None,
        constraints: list[Constraint],
        by: str,
        at: dt.datetime,
    ) -> AnnualAssessment:
        """A past grade recorded as a past fact (domain/past_grades.PastGrade, checked): FINAL at once, and
        grade_finalized dated at its real decision, exactly as a live decision emits it."""
        a = cls(id=assessment_id, cadre_id=fact.cadre_id, org_unit_id=org_unit_id, year=fact.year)
        a._record(fact, reason, constraints, by, at)
        a._finalized(fact.decided_on)
        return a

    def correct_record(
        self, *, fact: Any, reason: str | None, constraints: list[Constraint], by: str, at: dt.datetime
    ) -> None:
        """Replaces a recorded past grade by corrected values and re-emits grade_finalized (amended)."""
        if self.source is None:
            raise InvalidTransition(
                "assessment",
                self.status,
                "be corrected as a recorded past grade",
                rule_hint="assessment_history.live_assessment",
            )
        self._record(fact, reason, constraints, by, at)
        self.amended = True
        self._finalized(fact.decided_on, amended=True)

    def _record(self, fact: Any, reason: str | None, constraints: list[Constraint], by: str, at: dt.datetime) -> None:
        self.proposed_grade = self.final_grade = fact.grade
        self.undetermined_reason = reason
        self.constraints_applied = [c.as_dict() for c in constraints]
        self.publicity_from, self.publicity_to = fact.publicity_from, fact.publicity_to
        self.decided_on, self.notified_on, self.decided_by = fact.decided_on, fact.notified_on, None
        self.source, self.document_no, self.recorded_by, self.recorded_at = fact.source, fact.document_no, by, at
        self.status = "FINAL"

    def _require(self, action: str) -> None:
        if self.status not in ASSESSMENT_TRANSITIONS[action]:
            raise InvalidTransition(
                "assessment",
                self.status,
                action,
                allowed_actions=InvalidTransition.allowed(ASSESSMENT_TRANSITIONS, self.status),
            )

    def submit_self_summary(self, summary: str) -> None:
        """Records the cadre's self-summary (DRAFT → SELF_SUBMITTED)."""
        self._require("submit a self-summary")
        self.self_summary = summary
        self.status = "SELF_SUBMITTED"

    def propose(
        self,
        *,
        grade: str,
        comment: str,
        indicators: dict[str, float],
        score: float,
        undetermined_reason: str | None,
        constraints: list[Constraint],
    ) -> None:
        """Records the leader's proposal and runs the rule check at once (→ PROPOSED → RULE_CHECKED)."""
        self._require("take a proposal")
        check_grade(grade)
        check_allowed(grade, constraints)
        if self.appeal_ceiling is not None and not lighter(grade, self.appeal_ceiling):
            raise RuleViolation(
                "after an appeal revoked the grade, the new grade must be lighter",
                rule="assessment.appeal_not_heavier",
                source=S_REVIEW,
            )
        forced = forced_grade(constraints)
        if grade == "UNDETERMINED":
            reason = forced[1] if forced else undetermined_reason
            if reason not in UNDETERMINED_REASONS:
                raise RuleViolation(
                    "不定等次 needs a reason: " + ", ".join(UNDETERMINED_REASONS), rule="assessment.undetermined_reason"
                )
            self.undetermined_reason = reason
        elif undetermined_reason is not None:
            raise RuleViolation("a reason is given only with 不定等次", rule="assessment.undetermined_reason")
        else:
            self.undetermined_reason = None
        self.leader_comment = comment
        self.indicators = dict(indicators)
        self.form_score = score
        self.proposed_grade = grade
        self.constraints_applied = [c.as_dict() for c in constraints]
        self.publicity_from = self.publicity_to = None
        self.status = "RULE_CHECKED"

    def start_publicity(self, *, today: dt.date, ends_on: dt.date) -> None:
        """Publishes an 优秀 proposal inside the agency (RULE_CHECKED → PUBLICITY)."""
        self._require("start publicity")
        if self.proposed_grade != "EXCELLENT":
            raise RuleViolation("only an 优秀 proposal goes to publicity", rule="assessment.publicity_excellent_only")
        self.publicity_from, self.publicity_to = today, ends_on
        self.status = "PUBLICITY"

    def decide(self, *, today: dt.date, by: str, constraints: list[Constraint]) -> None:
        """Decides the grade (RULE_CHECKED or, after publicity, PUBLICITY → DECIDED) and finalizes it."""
        self._require("be decided")
        assert self.proposed_grade is not None
        if self.proposed_grade == "EXCELLENT":
            if self.status != "PUBLICITY":
                raise InvalidTransition(
                    "assessment",
                    self.status,
                    "be decided before the 优秀 publicity",
                    allowed_actions=InvalidTransition.allowed(ASSESSMENT_TRANSITIONS, self.status),
                    rule_hint="assessment.publicity_required",
                )
            if self.publicity_to is not None and today <= self.publicity_to:
                raise RuleViolation(
                    "the publicity period has not ended",
                    rule="assessment.publicity_running",
                    publicity_to=self.publicity_to.isoformat(),
                )
        check_allowed(self.proposed_grade, constraints)
        self.constraints_applied = [c.as_dict() for c in constraints]
        self.final_grade = self.proposed_grade
        self.decided_by, self.decided_on = by, today
        self.status = "DECIDED"
        self._finalized(today, amended=self.amended)

    def _finalized(self, today: dt.date, *, amended: bool = False, supplemented: bool = False) -> None:
        assert self.final_grade is not None
        self.events.append(
            events.GradeFinalized(
                self.id,
                self.cadre_id,
                self.org_unit_id,
                self.year,
                self.final_grade,
                today,
                supplemented=supplemented,
                amended=amended,
                undetermined_reason=self.undetermined_reason if self.final_grade == "UNDETERMINED" else None,
            )
        )

    def notify(self, *, today: dt.date) -> None:
        """Records the written notification (公务员法 §38) (DECIDED or SUPPLEMENTED → NOTIFIED)."""
        self._require("be notified")
        self.notified_on = today
        self.status = "NOTIFIED"

    def acknowledge(self, *, today: dt.date, opinion: str | None) -> None:
        """Records the cadre's signature and opinion (NOTIFIED → ACKNOWLEDGED)."""
        self._require("be acknowledged")
        self.acknowledged_on, self.signed_opinion = today, opinion
        self.status = "ACKNOWLEDGED"

    def request_review(self, *, today: dt.date, window_days: int) -> None:
        """Opens a 复核 of an 不称职 grade within the window after notification (NOTIFIED → UNDER_REVIEW)."""
        self._require("be reviewed")
        if self.final_grade != "INCOMPETENT":
            raise RuleViolation(
                "only an 不称职 grade can be reviewed", rule="assessment.review_incompetent_only", source=S_REVIEW
            )
        assert self.notified_on is not None
        if (today - self.notified_on).days > window_days:
            raise RuleViolation(
                f"a review must be requested within {window_days} days of the notification",
                rule="assessment.review_window",
                source=S_REVIEW,
            )
        self.review_requested_on = today
        self.status = "UNDER_REVIEW"

    def decide_review(self, *, today: dt.date, grade: str | None, constraints: list[Constraint]) -> None:
        """Upholds or changes the grade on review (UNDER_REVIEW → REVIEWED); a change is never heavier."""
        self._require("decide a review")
        assert self.final_grade is not None
        self.status = "REVIEWED"
        if grade is None or grade == self.final_grade:
            return
        check_grade(grade)
        if not lighter(grade, self.final_grade):
            raise RuleViolation(
                "a review may not make the grade heavier", rule="assessment.review_not_heavier", source=S_REVIEW
            )
        self._amend(grade, today, constraints)

    def _amend(self, grade: str, today: dt.date, constraints: list[Constraint]) -> None:
        grade, reason = highest_allowed(grade, constraints) if grade == "EXCELLENT" else (grade, None)
        self.final_grade = grade
        self.undetermined_reason = reason or (self.undetermined_reason if grade == "UNDETERMINED" else None)
        if grade == "UNDETERMINED" and self.undetermined_reason is None:
            self.undetermined_reason = "OTHER"
        self.amended = True
        self._finalized(today, amended=True)

    def apply_appeal(
        self, *, result: str, varied_to: str | None, today: dt.date, constraints: list[Constraint]
    ) -> bool:
        """Applies an appeal decision from petitions; returns False if the assessment cannot take it."""
        if self.status not in DECIDED or self.final_grade is None:
            return False
        if result == "VARIED":
            if varied_to is None:
                raise RuleViolation("a VARIED appeal must name the new grade", rule="assessment.appeal_varied_to")
            check_grade(varied_to)
            if not not_heavier(varied_to, self.final_grade):
                raise RuleViolation(
                    "an appeal cannot lead to a heavier grade", rule="assessment.appeal_not_heavier", source=S_REVIEW
                )
            self.status = "FINAL"
            if varied_to != self.final_grade:
                self._amend(varied_to, today, constraints)
            return True
        if result == "REVOKED":
            self.appeal_ceiling = self.final_grade
            self.amended = True
            self.status = "REOPENED"
            return True
        self.status = "FINAL"
        return True

    def hold_for_investigation(self) -> bool:
        """Sets an open proposal aside while an investigation forces 不定等次; True if anything changed."""
        if self.status not in ("RULE_CHECKED", "PUBLICITY") or self.proposed_grade == "UNDETERMINED":
            return False
        self.held_grade = self.proposed_grade
        self.proposed_grade, self.undetermined_reason = "UNDETERMINED", "PENDING_INVESTIGATION"
        self.publicity_from = self.publicity_to = None
        self.status = "RULE_CHECKED"
        return True

    def reconcile(self, constraints: list[Constraint], *, today: dt.date) -> bool:
        """Brings a grade in line with constraints learnt late (the heaviest applies); True if anything changed."""
        if self.status in ("RULE_CHECKED", "PUBLICITY") and self.proposed_grade is not None:
            grade, reason = highest_allowed(self.proposed_grade, constraints)
            if grade != self.proposed_grade:
                if reason == "PENDING_INVESTIGATION":
                    return self.hold_for_investigation()
                self.proposed_grade, self.undetermined_reason = grade, reason or self.undetermined_reason
                self.constraints_applied = [c.as_dict() for c in constraints]
                self.publicity_from = self.publicity_to = None
                self.status = "RULE_CHECKED"
                return True
            return False
        if self.status in DECIDED and self.final_grade is not None:
            grade, reason = highest_allowed(self.final_grade, constraints)
            if grade != self.final_grade:
                self.constraints_applied = [c.as_dict() for c in constraints]
                self.final_grade, self.undetermined_reason = grade, reason
                self.amended = True
                self._finalized(today, amended=True)
                return True
        return False

    def investigation_closed(
        self, *, result: str, cap_not_excellent: bool, today: dt.date, constraints: list[Constraint]
    ) -> bool:
        """Applies 补定等次 after a closure without a heavier sanction; True if anything changed."""
        if self.status in ("RULE_CHECKED", "PUBLICITY") and self.held_grade is not None:
            grade = self.held_grade
            if cap_not_excellent and grade == "EXCELLENT":
                grade = "COMPETENT"
            grade, reason = highest_allowed(grade, constraints)
            self.proposed_grade, self.undetermined_reason, self.held_grade = grade, reason, None
            self.status = "RULE_CHECKED"
            return True
        if (
            self.status in DECIDED
            and self.final_grade == "UNDETERMINED"
            and self.undetermined_reason == "PENDING_INVESTIGATION"
        ):
            if forced_grade(constraints) is not None:
                return False  # still forced by something else: handle by sanction type
            if self.held_grade is None:
                self.status = "SUPPLEMENT_PENDING"
                self.supplement_no_excellent = cap_not_excellent
                return True
            grade = "COMPETENT" if cap_not_excellent and self.held_grade == "EXCELLENT" else self.held_grade
            self.supplement(grade=grade, today=today, constraints=constraints, cap_not_excellent=cap_not_excellent)
            return True
        return False

    def supplement(
        self, *, grade: str, today: dt.date, constraints: list[Constraint], cap_not_excellent: bool = False
    ) -> None:
        """Assigns the grade retroactively (补定等次) and finalizes it as supplemented."""
        if self.status not in ("SUPPLEMENT_PENDING",) and not (
            self.status in DECIDED
            and self.final_grade == "UNDETERMINED"
            and self.undetermined_reason == "PENDING_INVESTIGATION"
        ):
            raise InvalidTransition(
                "assessment",
                self.status,
                "be supplemented",
                allowed_actions=InvalidTransition.allowed(ASSESSMENT_TRANSITIONS, self.status),
            )
        check_grade(grade)
        if grade == "UNDETERMINED":
            raise RuleViolation("补定等次 assigns a grade", rule="assessment.supplement_grade")
        if (cap_not_excellent or self.supplement_no_excellent) and grade == "EXCELLENT":
            raise RuleViolation("a warning-level closure forbids 优秀", rule="assessment.supplement_warning")
        check_allowed(grade, constraints)
        self.final_grade, self.undetermined_reason, self.held_grade = grade, None, None
        self.supplemented = True
        self.status = "SUPPLEMENTED"
        self._finalized(today, supplemented=True)
