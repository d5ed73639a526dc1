"""Statement requests (§2.4), false-accusation cases (§2.6) and clarifications (§2.7)."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.errors import InvalidTransition, RuleViolation
from services.petitions.domain.clarification import Clarification
from services.petitions.domain.false_accusation import FalseAccusationCase
from services.petitions.domain.report import HearingState
from services.petitions.domain.rules.approval import at_least, tier_of
from services.petitions.domain.rules.clarification import covers, method_reaches
from services.petitions.domain.statement import StatementRequest, hearing_by_cadre

TODAY = dt.date(2026, 11, 27)


def request(due: dt.date = TODAY + dt.timedelta(days=7), cadre: str = "c-1") -> StatementRequest:
    return StatementRequest.issue(
        statement_id=f"s-{cadre}-{due}",
        report_id="r",
        cadre_id=cadre,
        kind="STATEMENT_DEFENCE",
        facts="facts",
        due_on=due,
        requested_by="o",
        today=TODAY,
    )


def test_a_statement_request_needs_a_due_date_after_today_and_within_90_days():
    for due in (TODAY, TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=91)):
        with pytest.raises(RuleViolation) as err:
            request(due)
        assert err.value.rule == "statement.due_on"
    with pytest.raises(RuleViolation):
        StatementRequest.issue(
            statement_id="s",
            report_id="r",
            cadre_id="c",
            kind="GOSSIP",
            facts="f",
            due_on=TODAY + dt.timedelta(days=3),
            requested_by="o",
            today=TODAY,
        )


def test_the_hearing_moves_from_open_window_to_heard():
    r = request()
    assert r.hearing_state(TODAY) == HearingState.WINDOW_OPEN
    assert r.hearing_state(r.due_on) == HearingState.WINDOW_OPEN
    assert r.hearing_state(r.due_on + dt.timedelta(days=1)) == HearingState.HEARD  # window passed unanswered
    r.submit(answer="I did not", today=TODAY)
    assert r.hearing_state(TODAY) == HearingState.UNASSESSED and not r.late
    r.assess(adopted=True, assessment="valid point", today=TODAY)
    assert r.hearing_state(TODAY) == HearingState.HEARD and r.adopted is True
    with pytest.raises(InvalidTransition):
        r.submit(answer="again", today=TODAY)


def test_a_late_answer_is_kept_and_marked_late_and_a_waiver_needs_an_open_request():
    r = request()
    r.submit(answer="late", today=r.due_on + dt.timedelta(days=2))
    assert r.late
    with pytest.raises(InvalidTransition):
        r.waive(reason="x", today=TODAY)
    w = request()
    w.waive(reason="declined in writing", today=TODAY)
    assert w.hearing_state(TODAY) == HearingState.HEARD and w.events[-1].how == "WAIVED"
    with pytest.raises(InvalidTransition):
        request().lapse(today=TODAY)


def test_the_most_blocking_request_decides_a_cadres_hearing():
    done = request()
    done.waive(reason="x", today=TODAY)
    states = hearing_by_cadre(
        [done, request(cadre="c-1"), request(cadre="c-2", due=TODAY + dt.timedelta(days=3))], TODAY
    )
    assert states == {"c-1": HearingState.WINDOW_OPEN, "c-2": HearingState.WINDOW_OPEN}
    assert hearing_by_cadre([done], TODAY) == {"c-1": HearingState.HEARD}


# -- false accusation -----------------------------------------------------------------------------------------
def case(**kw) -> FalseAccusationCase:
    args = dict(
        case_id="fa",
        origin_report_id="r",
        victim_cadre_ids=["c-1"],
        grounds="g",
        accuser_is_cadre=False,
        accuser_cadre_id=None,
        opened_by="o1",
        today=TODAY,
    )
    args.update(kw)
    return FalseAccusationCase.open(**args)


def pending(**kw) -> FalseAccusationCase:
    c = case(**kw)
    c.investigate(accuser_is_cadre=None, accuser_cadre_id=None)
    c.submit(findings="forged letter", proposed="CONFIRMED_FALSE_ACCUSATION", submitted_by="o1")
    return c


def test_confirmation_needs_the_configured_level_and_another_approver():
    c = pending()
    with pytest.raises(RuleViolation) as err:
        c.decide(
            classification="CONFIRMED_FALSE_ACCUSATION",
            approver="o1",
            approver_tier="CITY",
            required_tier="CITY",
            today=TODAY,
        )
    assert err.value.rule == "false_accusation.four_eyes"
    with pytest.raises(RuleViolation) as err:
        c.decide(
            classification="CONFIRMED_FALSE_ACCUSATION",
            approver="o2",
            approver_tier="COUNTY",
            required_tier="CITY",
            today=TODAY,
        )
    assert err.value.rule == "false_accusation.approval_level"
    c.decide(
        classification="CONFIRMED_FALSE_ACCUSATION",
        approver="o2",
        approver_tier="CITY",
        required_tier="CITY",
        today=TODAY,
    )
    event = c.events[-1]
    assert event.victim_cadre_ids == ("c-1",) and event.accuser_cadre_id is None


def test_a_mistaken_report_needs_no_high_level_and_emits_nothing():
    c = pending()
    c.decide(
        classification="MISTAKEN_REPORT", approver="o2", approver_tier="TOWNSHIP", required_tier="CITY", today=TODAY
    )
    assert c.status == "MISTAKEN_REPORT" and not c.events
    with pytest.raises(InvalidTransition):
        c.refer(referral="EDUCATION", note="n", today=TODAY)


def test_referral_for_a_sanction_only_of_an_accuser_who_is_a_cadre():
    c = pending()
    c.decide(
        classification="CONFIRMED_FALSE_ACCUSATION",
        approver="o2",
        approver_tier="CITY",
        required_tier="CITY",
        today=TODAY,
    )
    with pytest.raises(RuleViolation):
        c.refer(referral="GOV_SANCTION", note="n", today=TODAY)
    c.refer(referral="POLICE", note="n", today=TODAY)
    c.close(today=TODAY)
    assert c.status == "CLOSED"
    cadre = pending(accuser_is_cadre=True, accuser_cadre_id="c-9")
    cadre.decide(
        classification="CONFIRMED_FALSE_ACCUSATION",
        approver="o2",
        approver_tier="CITY",
        required_tier="COUNTY",
        today=TODAY,
    )
    assert cadre.events[-1].accuser_cadre_id == "c-9"
    cadre.refer(referral="GOV_SANCTION", note="n", today=TODAY)


def test_the_accuser_is_named_consistently_and_is_not_a_victim():
    with pytest.raises(RuleViolation):
        case(accuser_is_cadre=True)
    with pytest.raises(RuleViolation):
        case(accuser_cadre_id="c-9")
    with pytest.raises(RuleViolation):
        case(accuser_is_cadre=True, accuser_cadre_id="c-1")
    with pytest.raises(RuleViolation):
        case(victim_cadre_ids=[])


def test_approval_tiers():
    assert tier_of(["DIVISION", "MUNICIPAL_AGENCY", "CITY_LEADERSHIP"]) == "CITY"
    assert tier_of(["COUNTY_AGENCY"]) == "COUNTY" and tier_of(["DIVISION"]) is None
    assert at_least("CITY", "COUNTY") and not at_least("TOWNSHIP", "COUNTY") and not at_least(None, "TOWNSHIP")


# -- clarification --------------------------------------------------------------------------------------------
def clarification(spread: str = "SYSTEM") -> Clarification:
    c = Clarification.propose(
        clarification_id="cl", cadre_id="c-1", report_ids=["r"], spread=spread, reason="UNFOUNDED_ADVERSE", today=TODAY
    )
    c.request_consent()
    return c


def test_approval_needs_consent_and_a_scope_as_wide_as_the_spread():
    c = clarification()
    with pytest.raises(RuleViolation) as err:
        c.approve(method="MEETING", scope="SYSTEM", approved_by="a", today=TODAY)
    assert err.value.rule == "clarification.consent_required"
    c.answer_consent(consent=True, today=TODAY)
    with pytest.raises(RuleViolation) as err:
        c.approve(method="LETTER", scope="UNIT", approved_by="a", today=TODAY)
    assert err.value.rule == "clarification.scope"
    with pytest.raises(RuleViolation) as err:
        c.approve(method="LETTER", scope="SYSTEM", approved_by="a", today=TODAY)
    assert err.value.rule == "clarification.method"
    c.approve(method="NOTICE", scope="SYSTEM", approved_by="a", today=TODAY)
    with pytest.raises(RuleViolation):
        c.execute(executed_on=TODAY + dt.timedelta(days=1), record_ref="x", today=TODAY)
    c.execute(executed_on=TODAY, record_ref="notice-7", today=TODAY)
    assert c.events[-1].scope == "SYSTEM" and c.events[-1].method == "NOTICE"
    c.close(today=TODAY)
    assert c.status == "CLOSED"


def test_a_refusal_ends_it_and_a_proposal_can_be_rejected():
    c = clarification()
    c.answer_consent(consent=False, today=TODAY)
    assert c.status == "DECLINED"
    with pytest.raises(InvalidTransition):
        c.approve(method="MEDIA", scope="PUBLIC", approved_by="a", today=TODAY)
    p = Clarification.propose(
        clarification_id="x", cadre_id="c", report_ids=["r"], spread="UNIT", reason="MANUAL", today=TODAY
    )
    p.reject(reason="no adverse effect", today=TODAY)
    assert p.status == "REJECTED"
    with pytest.raises(RuleViolation):
        Clarification.propose(
            clarification_id="x", cadre_id="c", report_ids=["r"], spread="GALAXY", reason="MANUAL", today=TODAY
        )


def test_scopes_and_methods():
    assert covers("PUBLIC", "UNIT") and covers("UNIT", "UNIT") and not covers("PERSON", "UNIT")
    assert method_reaches("MEDIA", "PUBLIC") and not method_reaches("MEETING", "PUBLIC")
