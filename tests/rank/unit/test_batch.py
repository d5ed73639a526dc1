"""The promotion-batch state machine, quotas, publicity on the working-day calendar, withdrawal."""

from __future__ import annotations

import pytest

from kernel.calendar import WorkdayCalendar
from kernel.errors import Conflict, InvalidTransition, NotFound, RuleViolation
from services.rank.domain.batch import Candidate, PromotionBatch, QuotaLimit, check_quota
from tests.rank.unit.factories import D

CALENDAR = WorkdayCalendar.load()
TODAY = D(2026, 6, 15)


def batch_in(state: str, *cadres: str) -> PromotionBatch:
    """Drives a batch with candidates through the machine up to `state`."""
    batch = PromotionBatch.plan(
        batch_id="b-1",
        org_unit_id="finance",
        title="t",
        target_ranks=["C04"],
        created_by="admin",
        known_ranks={"C04", "C05"},
    )
    if state == "PLANNED":
        return batch
    batch.set_candidates([Candidate(c, "C04", "RANK:C04") for c in cadres])
    steps = ["CANDIDATES_COMPUTED", "RECOMMENDATION", "INVESTIGATION", "SHORTLISTED", "PUBLICITY"]
    for step in steps[1 : steps.index(state) + 1]:
        if step == "RECOMMENDATION":
            batch.open_recommendation()
        elif step == "INVESTIGATION":
            batch.recommend(list(cadres), limits=[])
        elif step == "SHORTLISTED":
            for c in cadres:
                batch.record_investigation(c, passed=True, note=None)
            batch.shortlist()
        elif step == "PUBLICITY":
            batch.publicize(starts_on=TODAY, working_days=5, min_working_days=5, calendar=CALENDAR, today=TODAY)
    return batch


def test_an_open_investigation_withdraws_a_candidate_from_a_batch_in_publicity():
    batch = batch_in("PUBLICITY", "a", "b")
    assert batch.withdraw("a", reason="investigation case-7 open", today=TODAY)
    assert batch.candidates["a"].status == "WITHDRAWN"
    assert batch.candidates["a"].decision_reason == "investigation case-7 open"
    assert not batch.withdraw("a", reason="again", today=TODAY)  # already withdrawn: nothing changes
    assert batch.status == "PUBLICITY"


def test_withdrawal_during_verification_returns_the_batch_to_publicity():
    batch = batch_in("PUBLICITY", "a", "b")
    batch.object("a", today=TODAY)
    assert batch.status == "VERIFYING"
    batch.withdraw("a", reason="restriction", today=TODAY)
    assert batch.status == "PUBLICITY" and not batch.candidates["a"].objection_open


def test_closed_batches_withdraw_nobody():
    batch = batch_in("PUBLICITY", "a")
    batch.submit_for_approval(today=D(2026, 6, 23))
    batch.approve(
        approver="x", effective_date=D(2026, 6, 23), today=D(2026, 6, 23), recheck={"a": (True, "")}, limits=[]
    )
    assert batch.status == "APPOINTED" and not batch.withdraw("a", reason="late", today=TODAY)


def test_publicity_runs_at_least_five_working_days_on_the_calendar():
    batch = batch_in("PUBLICITY", "a")
    assert (batch.publicity_from, batch.publicity_to) == (TODAY, D(2026, 6, 22))  # 19 June is a holiday
    with pytest.raises(Conflict) as err:
        batch.submit_for_approval(today=D(2026, 6, 22))
    assert err.value.rule == "batch.publicity_min_working_days"
    batch.submit_for_approval(today=D(2026, 6, 23))
    assert batch.status == "APPROVAL"


def test_a_make_up_workday_counts_as_a_working_day():
    batch = batch_in("SHORTLISTED", "a")
    batch.publicize(
        starts_on=D(2026, 2, 26), working_days=5, min_working_days=5, calendar=CALENDAR, today=D(2026, 2, 26)
    )
    assert batch.publicity_to == D(2026, 3, 3)  # 26, 27, 28 February (a Saturday worked), 2 and 3 March


@pytest.mark.parametrize(
    ("starts", "days", "rule"),
    [
        (TODAY, 4, "batch.publicity_min_working_days"),
        (D(2026, 6, 20), 5, "batch.publicity_start"),
        (D(2026, 6, 1), 5, "batch.publicity_start"),
        (D(2026, 6, 19), 5, "batch.publicity_start"),
    ],
)
def test_bad_publicity_is_refused(starts, days, rule):
    batch = batch_in("SHORTLISTED", "a")
    with pytest.raises(RuleViolation) as err:
        batch.publicize(starts_on=starts, working_days=days, min_working_days=5, calendar=CALENDAR, today=TODAY)
    assert err.value.rule == rule and batch.status == "SHORTLISTED"


def test_objections_are_verified_and_an_upheld_one_removes_the_candidate():
    batch = batch_in("PUBLICITY", "a", "b")
    batch.object("a", today=TODAY)
    batch.object("b", today=TODAY)
    batch.resolve_objection("a", upheld=True, today=TODAY)
    assert batch.status == "VERIFYING"
    batch.resolve_objection("b", upheld=False, today=D(2026, 6, 25))
    assert batch.status == "SHORTLISTED"  # the publicity period is over: SHORTLISTED', approval next
    assert batch.candidates["a"].status == "NOT_SELECTED" and batch.candidates["b"].status == "PUBLICISED"
    batch.submit_for_approval(today=D(2026, 6, 25))
    with pytest.raises(Conflict):
        batch_in("PUBLICITY", "c").object("c", today=D(2026, 7, 1))


def test_approval_withdraws_the_no_longer_eligible_and_checks_quotas():
    batch = batch_in("PUBLICITY", "a", "b", "c")
    batch.submit_for_approval(today=D(2026, 6, 23))
    limit = QuotaLimit("finance:R", frozenset({"C04"}), 1)
    with pytest.raises(RuleViolation) as err:
        batch.approve(
            approver="x",
            effective_date=D(2026, 6, 23),
            today=D(2026, 6, 23),
            recheck={"a": (True, ""), "b": (True, ""), "c": (False, "restriction.active")},
            limits=[limit],
        )
    assert err.value.rule == "quota.exceeded" and err.value.extra["vacancies"] == 1


def test_approval_appoints_the_eligible_only():
    batch = batch_in("PUBLICITY", "a", "b")
    batch.submit_for_approval(today=D(2026, 6, 23))
    appointed = batch.approve(
        approver="x",
        effective_date=D(2026, 6, 23),
        today=D(2026, 6, 23),
        recheck={"a": (True, ""), "b": (False, "investigation.open")},
        limits=[],
    )
    assert [c.cadre_id for c in appointed] == ["a"]
    assert batch.candidates["b"].status == "WITHDRAWN" and "investigation.open" in batch.candidates["b"].decision_reason
    with pytest.raises(InvalidTransition):
        batch.cancel(reason="too late")


def test_effective_dates_are_checked():
    batch = batch_in("PUBLICITY", "a")
    batch.submit_for_approval(today=D(2026, 6, 23))
    for day in (D(2026, 6, 24), D(2026, 6, 22)):
        with pytest.raises(RuleViolation) as err:
            batch.approve(approver="x", effective_date=day, today=D(2026, 6, 23), recheck={"a": (True, "")}, limits=[])
        assert err.value.rule == "batch.effective_date"


@pytest.mark.parametrize(
    "state", ["PLANNED", "CANDIDATES_COMPUTED", "RECOMMENDATION", "INVESTIGATION", "SHORTLISTED", "PUBLICITY"]
)
def test_forbidden_transitions_are_refused_in_every_state(state):
    batch = batch_in(state, "a")
    with pytest.raises(InvalidTransition) as err:
        batch.approve(approver="x", effective_date=TODAY, today=TODAY, recheck={}, limits=[])
    assert err.value.rule == "promotion_batch.transition"
    if state not in ("PLANNED", "CANDIDATES_COMPUTED"):  # candidates may be recomputed before recommendation
        with pytest.raises(InvalidTransition):
            batch.set_candidates([])


def test_recommendation_rules():
    batch = batch_in("RECOMMENDATION", "a", "b")
    with pytest.raises(NotFound):
        batch.record_votes("zz", votes_for=1, votes_against=0, abstain=0)
    with pytest.raises(RuleViolation):
        batch.record_votes("a", votes_for=-1, votes_against=0, abstain=0)
    with pytest.raises(RuleViolation):
        batch.recommend([], limits=[])
    with pytest.raises(Conflict):
        batch_in("CANDIDATES_COMPUTED").open_recommendation()


def test_quota_limits_count_only_their_members_and_ranks():
    candidates = [Candidate("a", "C04", "b"), Candidate("b", "C04", "b"), Candidate("c", "C03", "b")]
    check_quota(candidates, [QuotaLimit("x", frozenset({"C04"}), 2)])
    check_quota(candidates, [QuotaLimit("y", frozenset({"C04"}), 1, members=frozenset({"a"}))])
    with pytest.raises(RuleViolation):
        check_quota(candidates, [QuotaLimit("z", frozenset({"C03", "C04"}), 2)])


def test_planning_checks_the_target_ranks():
    for ranks, rule in (
        (["C99"], "rank.unknown_code"),
        ([], "batch.target_ranks"),
        (["C04", "C04"], "batch.target_ranks"),
    ):
        with pytest.raises(RuleViolation) as err:
            PromotionBatch.plan(
                batch_id="b", org_unit_id="u", title="t", target_ranks=ranks, created_by="x", known_ranks={"C04"}
            )
        assert err.value.rule == rule
