"""The annual assessment state machine (docs/rules.md §1.8) with the rules applied."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.errors import InvalidTransition, RuleViolation
from services.appraisal.domain import events
from services.appraisal.domain.assessment import AnnualAssessment
from services.appraisal.domain.grades import Constraint, Effect

D = dt.date
NE = [Constraint(Effect.NOT_EXCELLENT, "warning_y0", "src", "S", "sanction/s1")]
UD = [Constraint(Effect.UNDETERMINED, "major_demerit_y0", "src", "S-", "sanction/s2")]
INV = [Constraint(Effect.UNDETERMINED, "investigation_open", "src", "S", "investigation/i1", "PENDING_INVESTIGATION")]
SCORES = {"DE": 90, "NENG": 90, "QIN": 90, "JI": 90, "LIAN": 90, "DANDANG": 90}


def fresh(status_to: str = "SELF_SUBMITTED") -> AnnualAssessment:
    a = AnnualAssessment.open(assessment_id="aa1", cadre_id="c1", org_unit_id="u1", year=2025, today=D(2026, 1, 5))
    if status_to != "DRAFT":
        a.submit_self_summary("summary")
    return a


def propose(a: AnnualAssessment, grade: str, constraints=(), reason=None) -> None:
    a.propose(
        grade=grade,
        comment="ok",
        indicators=SCORES,
        score=90.0,
        undetermined_reason=reason,
        constraints=list(constraints),
    )


def decided(grade: str, constraints=()) -> AnnualAssessment:
    a = fresh()
    propose(a, grade, constraints, reason="OTHER" if grade == "UNDETERMINED" else None)
    if grade == "EXCELLENT":
        a.start_publicity(today=D(2026, 1, 6), ends_on=D(2026, 1, 13))
        a.decide(today=D(2026, 1, 14), by="boss", constraints=list(constraints))
    else:
        a.decide(today=D(2026, 1, 6), by="boss", constraints=list(constraints))
    return a


def test_the_whole_path_of_an_excellent_grade():
    a = decided("EXCELLENT")
    assert a.status == "DECIDED" and a.final_grade == "EXCELLENT"
    assert [type(e) for e in a.events] == [events.GradeFinalized]
    assert a.events[0].supplemented is False and a.events[0].amended is False
    a.notify(today=D(2026, 1, 15))
    a.acknowledge(today=D(2026, 1, 16), opinion="agree")
    assert a.status == "ACKNOWLEDGED"


def test_an_excellent_proposal_must_pass_publicity_before_the_decision():
    a = fresh()
    propose(a, "EXCELLENT")
    with pytest.raises(InvalidTransition):
        a.decide(today=D(2026, 1, 6), by="boss", constraints=[])
    a.start_publicity(today=D(2026, 1, 6), ends_on=D(2026, 1, 13))
    with pytest.raises(RuleViolation) as err:
        a.decide(today=D(2026, 1, 13), by="boss", constraints=[])
    assert err.value.rule == "assessment.publicity_running"


def test_only_an_excellent_proposal_goes_to_publicity():
    a = fresh()
    propose(a, "COMPETENT")
    with pytest.raises(RuleViolation):
        a.start_publicity(today=D(2026, 1, 6), ends_on=D(2026, 1, 13))


def test_the_state_machine_forbids_skipping_steps():
    a = fresh("DRAFT")
    with pytest.raises(InvalidTransition):
        propose(a, "COMPETENT")
    with pytest.raises(InvalidTransition):
        a.notify(today=D(2026, 1, 6))
    with pytest.raises(InvalidTransition):
        a.acknowledge(today=D(2026, 1, 6), opinion=None)


def test_a_restriction_forbids_excellent_and_forces_undetermined():
    a = fresh()
    with pytest.raises(RuleViolation):
        propose(a, "EXCELLENT", NE)
    with pytest.raises(RuleViolation):
        propose(a, "COMPETENT", UD)
    propose(a, "UNDETERMINED", UD)
    assert a.undetermined_reason == "SANCTION" and a.constraints_applied[0]["rule_id"] == "major_demerit_y0"


def test_undetermined_needs_a_reason():
    a = fresh()
    with pytest.raises(RuleViolation) as err:
        propose(a, "UNDETERMINED")
    assert err.value.rule == "assessment.undetermined_reason"
    propose(a, "UNDETERMINED", reason="PROBATION")


def test_a_constraint_learnt_before_the_decision_is_rechecked():
    a = fresh()
    propose(a, "EXCELLENT")
    a.start_publicity(today=D(2026, 1, 6), ends_on=D(2026, 1, 13))
    with pytest.raises(RuleViolation):
        a.decide(today=D(2026, 1, 14), by="boss", constraints=NE)


def test_review_only_for_incompetent_and_within_thirty_days():
    a = decided("COMPETENT")
    a.notify(today=D(2026, 1, 7))
    with pytest.raises(RuleViolation) as err:
        a.request_review(today=D(2026, 1, 8), window_days=30)
    assert err.value.rule == "assessment.review_incompetent_only"
    b = decided("INCOMPETENT")
    b.notify(today=D(2026, 1, 7))
    with pytest.raises(RuleViolation) as err:
        b.request_review(today=D(2026, 2, 7), window_days=30)
    assert err.value.rule == "assessment.review_window"
    b.request_review(today=D(2026, 2, 6), window_days=30)
    assert b.status == "UNDER_REVIEW"


def test_a_review_never_makes_the_grade_heavier_and_a_change_is_re_emitted_as_amended():
    a = decided("BASIC")
    a.final_grade = "INCOMPETENT"  # as if decided INCOMPETENT
    a.notify(today=D(2026, 1, 7))
    a.request_review(today=D(2026, 1, 8), window_days=30)
    a.events.clear()
    a.decide_review(today=D(2026, 1, 20), grade="BASIC", constraints=[])
    assert a.final_grade == "BASIC" and a.status == "REVIEWED"
    assert a.events[-1].amended is True and a.events[-1].grade == "BASIC"
    b = decided("BASIC")
    b.final_grade = "INCOMPETENT"
    b.notify(today=D(2026, 1, 7))
    b.request_review(today=D(2026, 1, 8), window_days=30)
    b.status = "UNDER_REVIEW"
    b.final_grade = "BASIC"
    with pytest.raises(RuleViolation):
        b.decide_review(today=D(2026, 1, 20), grade="INCOMPETENT", constraints=[])


def test_an_appeal_varies_the_grade_but_never_heavier():
    a = decided("INCOMPETENT")
    a.events.clear()
    assert a.apply_appeal(result="VARIED", varied_to="COMPETENT", today=D(2026, 3, 1), constraints=[])
    assert a.final_grade == "COMPETENT" and a.status == "FINAL" and a.events[-1].amended
    b = decided("BASIC")
    with pytest.raises(RuleViolation) as err:
        b.apply_appeal(result="VARIED", varied_to="INCOMPETENT", today=D(2026, 3, 1), constraints=[])
    assert err.value.rule == "assessment.appeal_not_heavier"


def test_a_revoked_grade_is_reassessed_lighter():
    a = decided("BASIC")
    assert a.apply_appeal(result="REVOKED", varied_to=None, today=D(2026, 3, 1), constraints=[])
    assert a.status == "REOPENED"
    with pytest.raises(RuleViolation):
        propose(a, "BASIC")
    propose(a, "COMPETENT")
    a.events.clear()
    a.decide(today=D(2026, 3, 5), by="boss", constraints=[])
    assert a.events[-1].amended is True


def test_upheld_appeal_makes_the_grade_final_without_event():
    a = decided("BASIC")
    a.events.clear()
    assert a.apply_appeal(result="UPHELD", varied_to=None, today=D(2026, 3, 1), constraints=[])
    assert a.status == "FINAL" and a.events == []
    assert not fresh().apply_appeal(result="UPHELD", varied_to=None, today=D(2026, 3, 1), constraints=[])


def test_an_investigation_holds_the_proposal_and_closure_restores_it():
    a = fresh()
    propose(a, "EXCELLENT")
    assert a.reconcile(INV, today=D(2026, 1, 7))
    assert a.proposed_grade == "UNDETERMINED" and a.held_grade == "EXCELLENT"
    assert a.undetermined_reason == "PENDING_INVESTIGATION"
    assert a.investigation_closed(result="WARNING_LEVEL", cap_not_excellent=True, today=D(2026, 2, 1), constraints=[])
    assert a.proposed_grade == "COMPETENT" and a.held_grade is None


def test_supplement_after_the_investigation_closes_without_sanction():
    a = fresh()
    propose(a, "COMPETENT")
    a.reconcile(INV, today=D(2026, 1, 7))
    a.decide(today=D(2026, 1, 8), by="boss", constraints=INV)
    assert a.final_grade == "UNDETERMINED"
    a.events.clear()
    assert a.investigation_closed(result="NO_SANCTION", cap_not_excellent=False, today=D(2026, 4, 1), constraints=[])
    assert a.status == "SUPPLEMENTED" and a.final_grade == "COMPETENT"
    assert a.events[-1].supplemented is True and a.events[-1].grade == "COMPETENT"


def test_supplement_without_a_held_proposal_waits_for_the_assessor():
    a = fresh()
    propose(a, "UNDETERMINED", INV)
    a.decide(today=D(2026, 1, 8), by="boss", constraints=INV)
    assert a.investigation_closed(result="WARNING_LEVEL", cap_not_excellent=True, today=D(2026, 4, 1), constraints=[])
    assert a.status == "SUPPLEMENT_PENDING"
    with pytest.raises(RuleViolation):
        a.supplement(grade="EXCELLENT", today=D(2026, 4, 2), constraints=[])
    a.supplement(grade="COMPETENT", today=D(2026, 4, 2), constraints=[])
    assert a.supplemented and a.events[-1].supplemented


def test_a_late_constraint_amends_a_decided_excellent_grade():
    a = decided("EXCELLENT")
    a.events.clear()
    assert a.reconcile(NE, today=D(2026, 2, 1))
    assert a.final_grade == "COMPETENT" and a.amended and a.events[-1].amended
    assert not a.reconcile(NE, today=D(2026, 2, 2))  # idempotent
