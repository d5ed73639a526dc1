"""The appeals matrix (docs/rules.md §2.8): filing periods per (target, stage), time bars, decision periods, stages,
and results never heavier than the original (公务员法 §96; 政务处分法 §56)."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.calendar import WorkdayCalendar, add_months
from kernel.contracts.vocabulary import AppealStage as S
from kernel.contracts.vocabulary import AppealTarget as T
from kernel.errors import InvalidTransition, RuleViolation
from services.petitions.domain.appeal import Appeal
from services.petitions.domain.rules import appeals as matrix
from services.petitions.domain.rules.severity import is_not_heavier

CAL = WorkdayCalendar.load()
DECIDED = dt.date(2026, 9, 1)


def file(
    target: T,
    stage: S,
    filed_on: dt.date,
    *,
    previous: Appeal | None = None,
    original: str | None = "DEMERIT",
    notified_on: dt.date | None = None,
) -> Appeal:
    rule = matrix.rule_for(matrix.RULES, target, stage)
    assert rule is not None
    return Appeal.file(
        appeal_id=f"a-{stage.value}",
        rule=rule,
        appellant_cadre_id="c-1",
        target_ref="sanction/s-1",
        original_value=original,
        decision_on=DECIDED,
        notified_on=notified_on,
        filed_on=filed_on,
        previous=previous.previous_view() if previous else None,
        filed_by="u",
        org_unit_id="city",
        grounds="g",
        calendar=CAL,
        today=max(filed_on, dt.date(2027, 6, 1)),
    )


def test_every_target_type_of_the_matrix_has_a_first_stage_and_deciders():
    for target in T:
        assert matrix.first_stages(matrix.RULES, target), target
        assert matrix.DECIDERS[target] and matrix.TARGET_PREFIX[target]
    for rule in matrix.RULES.values():
        assert rule.source and rule.confidence in {"V", "S", "S-", "R", "D"}
        if rule.requires_previous:
            assert rule.stage is not S.REVIEW  # only a later stage needs an earlier one


# (target, stage, filing period from the decision, decision period)
FIRST_STAGES = [
    (T.CS_SANCTION, S.REVIEW, "30D", "30D"),
    (T.CS_SANCTION, S.APPEAL, "30D", "60D"),
    (T.ANNUAL_GRADE, S.REVIEW, "30D", "30D"),
    (T.ORG_HANDLING, S.APPEAL, "30D", "60D"),
    (T.GOV_SANCTION, S.REVIEW, "1M", "1M"),
    (T.ACCOUNTABILITY, S.APPEAL, "1M", "1M"),
    (T.CONTRACT, S.APPEAL, "60D", None),
    (T.XINFANG, S.REVIEW, "30D", "30D"),
]


@pytest.mark.parametrize(("target", "stage", "filing", "decision"), FIRST_STAGES)
def test_filing_on_the_last_day_is_in_time_the_day_after_is_time_barred(target, stage, filing, decision):
    rule = matrix.rule_for(matrix.RULES, target, stage)
    assert str(rule.filing_first) == filing
    assert (str(rule.decision) if rule.decision else None) == decision
    last = rule.filing_first.after(DECIDED, CAL)
    in_time = file(target, stage, last)
    assert in_time.status == "FILED" and in_time.filing_deadline == last and not in_time.events
    late = file(target, stage, last + dt.timedelta(days=1))
    assert late.status == "REJECTED_TIME_BARRED" and late.result == "TIME_BARRED"
    assert late.events[-1].result == "TIME_BARRED"


def test_the_period_runs_from_when_the_appellant_learned_of_the_decision():
    learned = DECIDED + dt.timedelta(days=10)
    appeal = file(T.CS_SANCTION, S.REVIEW, DECIDED + dt.timedelta(days=40), notified_on=learned)
    assert appeal.status == "FILED" and appeal.filing_deadline == learned + dt.timedelta(days=30)
    with pytest.raises(RuleViolation):
        file(T.CS_SANCTION, S.REVIEW, DECIDED, notified_on=DECIDED - dt.timedelta(days=1))


@pytest.mark.parametrize("target", [T.PARTY_DISCIPLINE, T.SUPERVISION_CONDUCT])
def test_no_filing_limit_where_none_was_found(target):
    appeal = file(target, S.APPEAL, DECIDED + dt.timedelta(days=900), original=None)
    assert appeal.status == "FILED" and appeal.filing_deadline is None


def test_decision_periods_run_from_acceptance():
    appeal = file(T.GOV_SANCTION, S.REVIEW, DECIDED)
    rule = matrix.rule_for(matrix.RULES, T.GOV_SANCTION, S.REVIEW)
    appeal.accept(rule=rule, calendar=CAL, by="u", today=dt.date(2026, 9, 10))
    assert appeal.decision_due_on == add_months(dt.date(2026, 9, 10), 1)
    assert appeal.events[-1].decision_due_on == appeal.decision_due_on
    contract = file(T.CONTRACT, S.APPEAL, DECIDED, original="TERMINATE")
    contract.accept(rule=matrix.rule_for(matrix.RULES, T.CONTRACT, S.APPEAL), calendar=CAL, by="u", today=DECIDED)
    assert contract.decision_due_on is None


def _decided(target: T, stage: S, result: str = "UPHELD", varied_to: str | None = None, **kw) -> Appeal:
    appeal = file(target, stage, DECIDED, **kw)
    rule = matrix.rule_for(matrix.RULES, target, stage)
    appeal.accept(rule=rule, calendar=CAL, by="u", today=DECIDED)
    appeal.start_review(today=DECIDED)
    appeal.decide(
        result=result, varied_to=varied_to, reasons="r", final=rule.final, by="u", today=DECIDED + dt.timedelta(days=20)
    )
    return appeal


def test_a_second_stage_follows_the_first_within_its_period():
    review = _decided(T.CS_SANCTION, S.REVIEW)
    assert review.status == "DECIDED"
    deadline = review.decided_on + dt.timedelta(days=15)
    appeal = file(T.CS_SANCTION, S.APPEAL, deadline, previous=review)
    assert appeal.status == "FILED" and appeal.previous_appeal_id == review.id
    late = file(T.CS_SANCTION, S.APPEAL, deadline + dt.timedelta(days=1), previous=review)
    assert late.status == "REJECTED_TIME_BARRED"


def test_a_stage_that_needs_an_earlier_one_is_refused_without_it_and_the_last_stage_is_final():
    with pytest.raises(RuleViolation) as err:
        file(T.GOV_SANCTION, S.APPEAL, DECIDED)
    assert err.value.rule == "appeal.stage"
    review = _decided(T.GOV_SANCTION, S.REVIEW)
    second = _decided(T.GOV_SANCTION, S.APPEAL, previous=review)
    assert second.status == "FINAL"
    with pytest.raises(RuleViolation):
        file(T.GOV_SANCTION, S.REVIEW, DECIDED, previous=review)  # a later stage must follow an earlier one


def test_nothing_further_after_a_revocation():
    revoked = _decided(T.CS_SANCTION, S.REVIEW, "REVOKED")
    with pytest.raises(RuleViolation):
        file(T.CS_SANCTION, S.APPEAL, DECIDED + dt.timedelta(days=21), previous=revoked)


@pytest.mark.parametrize(
    ("target", "original", "lighter", "heavier"),
    [
        (T.GOV_SANCTION, "MAJOR_DEMERIT", "WARNING", "LEVEL_DEMOTION"),
        (T.CS_SANCTION, "DEMERIT", "WARNING", "EXPULSION"),
        (T.PARTY_DISCIPLINE, "PARTY_PROBATION", "PARTY_SERIOUS_WARNING", "PARTY_EXPULSION"),
        (T.ORG_HANDLING, "DEMOTION", "POST_ADJUSTMENT", None),
        (T.ACCOUNTABILITY, "ADMONISHMENT", "ACCOUNTABILITY_CRITICISM", "REMOVAL_FROM_POST"),
        (T.ANNUAL_GRADE, "INCOMPETENT", "BASIC", None),
        (T.ANNUAL_GRADE, "BASIC", "COMPETENT", "INCOMPETENT"),
        (T.CONTRACT, "TERMINATE", "KEEP", None),
    ],
)
def test_a_varied_decision_is_never_heavier(target, original, lighter, heavier):
    stage = matrix.first_stages(matrix.RULES, target)[0]
    varied = _decided(target, stage, "VARIED", lighter, original=original)
    assert varied.result == "VARIED" and varied.events[-1].varied_to == lighter
    for bad in filter(None, (heavier, original, "NOT_A_VALUE")):
        with pytest.raises(RuleViolation) as err:
            _decided(target, stage, "VARIED", bad, original=original)
        assert err.value.rule == "appeal.never_heavier"


def test_a_later_stage_compares_with_what_the_earlier_one_left():
    review = _decided(T.CS_SANCTION, S.REVIEW, "VARIED", "DEMERIT", original="MAJOR_DEMERIT")
    appeal = file(T.CS_SANCTION, S.APPEAL, review.decided_on, previous=review, original="MAJOR_DEMERIT")
    assert appeal.original_value == "DEMERIT"


def test_results_and_transitions_are_checked():
    with pytest.raises(RuleViolation):
        _decided(T.CS_SANCTION, S.REVIEW, "VARIED", None)
    with pytest.raises(RuleViolation):
        _decided(T.CS_SANCTION, S.REVIEW, "UPHELD", "WARNING")
    with pytest.raises(RuleViolation):
        _decided(T.CS_SANCTION, S.REVIEW, "TIME_BARRED")
    appeal = file(T.CS_SANCTION, S.REVIEW, DECIDED)
    with pytest.raises(InvalidTransition):
        appeal.decide(result="UPHELD", varied_to=None, reasons="r", final=False, by="u", today=DECIDED)
    appeal.reject(reasons="not a decision of this body", by="u", today=DECIDED)
    assert appeal.status == "REJECTED" and appeal.result == "REJECTED"


def test_dates_are_checked():
    with pytest.raises(RuleViolation):
        file(T.CS_SANCTION, S.REVIEW, DECIDED - dt.timedelta(days=1))
    rule = matrix.rule_for(matrix.RULES, T.CS_SANCTION, S.REVIEW)
    with pytest.raises(RuleViolation):
        Appeal.file(
            appeal_id="a",
            rule=rule,
            appellant_cadre_id="c",
            target_ref="sanction/s",
            original_value=None,
            decision_on=DECIDED,
            notified_on=None,
            filed_on=DECIDED + dt.timedelta(days=2),
            previous=None,
            filed_by="u",
            org_unit_id="city",
            grounds="g",
            calendar=CAL,
            today=DECIDED,
        )


def test_recalled_rows_are_configurable_statutory_rows_are_not():
    table = matrix.resolve({"ACCOUNTABILITY/APPEAL": {"filing": "15D", "decision": "30D"}})
    rule = table["ACCOUNTABILITY/APPEAL"]
    assert (str(rule.filing_first), str(rule.decision)) == ("15D", "30D")
    with pytest.raises(ValueError, match="not configurable"):
        matrix.resolve({"GOV_SANCTION/REVIEW": {"filing": "2M"}})
    with pytest.raises(ValueError):
        matrix.resolve({"ACCOUNTABILITY/APPEAL": {"nonsense": "1D"}})


def test_severity_scales():
    assert is_not_heavier(T.GOV_SANCTION, "DEMERIT", "WARNING") is True
    assert is_not_heavier(T.GOV_SANCTION, "DEMERIT", "PARTY_WARNING") is False  # another scale
    assert is_not_heavier(T.SUPERVISION_CONDUCT, "X", "Y") is None
    assert is_not_heavier(T.GOV_SANCTION, None, "WARNING") is None
