"""The Report state machine (docs/rules.md §2.10): every transition, every refusal, and invariants under random use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.errors import Conflict, DomainError, InvalidTransition, RuleViolation
from services.petitions.domain import events
from services.petitions.domain.report import Allegation, CollectiveDecision, HearingState, Report
from services.petitions.domain.vocab import OUTCOME_STATES

TODAY = dt.date(2026, 11, 27)
DECISION = CollectiveDecision(TODAY, 5, "CM-1", "officer")


def received(
    identity: str = "REAL_NAME", accused: list[str] | None = None, petition_type: str = "ACCUSATION"
) -> Report:
    return Report.receive(
        report_id="r-1",
        petition_type=petition_type,
        channel="LETTER",
        received_on=TODAY,
        identity=identity,
        handling_org_unit_id="city",
        accused_cadre_ids=accused if accused is not None else ["c-1"],
        accused_unit_ids=[],
        category=None,
        transfer_ref=None,
        today=TODAY,
    )


def register(report: Report, jurisdiction: str = "OWN", substantive: bool = True) -> Report:
    report.register(
        category="integrity",
        substantive=substantive,
        jurisdiction=jurisdiction,
        accused_cadre_ids=report.accused_cadre_ids,
        accused_unit_ids=[],
        allegations=[Allegation("a-1", "gifts", None)],
        real_name_verified=False,
        today=TODAY,
    )
    return report


def in_disposal(mode: str = "PRELIM_VERIFY") -> Report:
    report = register(received())
    report.accept(today=TODAY)
    report.hand_over(today=TODAY)
    report.dispose(disposal_id="d-1", mode=mode, decision=DECISION, today=TODAY)
    return report


HEARD = {"c-1": HearingState.HEARD}


def close(report: Report, result: str = "UNFOUNDED", hearing: dict | None = None, **kw) -> None:
    report.close(
        findings={a.id: result for a in report.allegations},
        conclusion="done",
        adverse_effect=kw.pop("adverse_effect", False),
        accusation_spread=kw.pop("accusation_spread", None),
        fabrication_suspected=kw.pop("fabrication_suspected", False),
        hearing=HEARD if hearing is None else hearing,
        today=TODAY,
    )


def test_the_happy_path_from_receipt_to_final():
    report = in_disposal()
    assert report.status == "VERIFYING"
    report.open_case(disposal_id="d-2", case_ids={"c-1": "case-1"}, decision=DECISION, opened_on=TODAY, today=TODAY)
    close(report, "SUBSTANTIATED")
    assert (report.status, report.outcome, report.closed_on) == ("CLOSED", "SUBSTANTIATED", TODAY)
    report.record_feedback(on=TODAY, today=TODAY)
    report.record_objection(new_evidence=False, on=TODAY, today=TODAY)
    report.finalize(today=TODAY)
    assert report.status == "FINAL"
    kinds = [type(e).__name__ for e in report.events]
    assert kinds == [
        "ReportReceived",
        "ReportRegistered",
        "ReportAccepted",
        "DisposalDecided",
        "DisposalDecided",
        "CaseOpened",
        "ReportClosed",
        "FeedbackSent",
        "ObjectionRecorded",
        "ReportFinalized",
    ]


@pytest.mark.parametrize(
    ("mode", "status"),
    [
        ("TALK", "TALKING"),
        ("INQUIRY_LETTER", "INQUIRING"),
        ("PRELIM_VERIFY", "VERIFYING"),
        ("HOLD", "ON_HOLD"),
        ("CLOSE", "CLOSED_NO_ACTION"),
    ],
)
def test_the_four_disposal_modes_and_closing(mode, status):
    report = in_disposal(mode)
    assert report.status == status
    if mode == "CLOSE":
        assert report.outcome == "NO_ACTION" and report.accused[0].outcome == "NO_ACTION"
        assert isinstance(report.events[-1], events.ReportClosed)


def test_hold_resumes_into_disposal_and_talks_move_on_to_verification():
    report = in_disposal("HOLD")
    report.resume(today=TODAY)
    assert report.status == "IN_DISPOSAL"
    talk = in_disposal("TALK")
    talk.verify(disposal_id="d-3", decision=DECISION, today=TODAY)
    assert talk.status == "VERIFYING" and [d.mode for d in talk.disposals] == ["TALK", "PRELIM_VERIFY"]


def test_a_talk_or_inquiry_can_conclude_directly():
    report = in_disposal("INQUIRY_LETTER")
    close(report)
    assert report.status == "CLOSED"


@pytest.mark.parametrize(
    ("jurisdiction", "target", "status"),
    [
        ("UPPER", "city-up", "ESCALATED"),
        ("UPPER", None, "ESCALATED"),
        ("LOWER", "county-a", "TRANSFERRED_DOWN"),
        ("OTHER_BODY", None, "RETURNED_OTHER_BODY"),
    ],
)
def test_routing(jurisdiction, target, status):
    report = register(received(), jurisdiction=jurisdiction)
    report.route(jurisdiction=jurisdiction, target_unit_id=target, today=TODAY)
    assert report.status == status
    assert report.handling_org_unit_id == (target or "city")


def test_a_report_sent_down_is_registered_again_by_the_lower_level_but_one_sent_outside_is_not():
    report = register(received(), jurisdiction="LOWER")
    report.route(jurisdiction="LOWER", target_unit_id="county-a", today=TODAY)
    register(report)
    assert report.status == "REGISTERED" and report.events[-1].from_status == "TRANSFERRED_DOWN"
    outside = register(received(), jurisdiction="UPPER")
    outside.route(jurisdiction="UPPER", target_unit_id=None, today=TODAY)
    with pytest.raises(InvalidTransition):
        register(outside)


def test_route_targets_are_checked():
    with pytest.raises(RuleViolation):
        register(received()).route(jurisdiction="LOWER", target_unit_id=None, today=TODAY)
    with pytest.raises(RuleViolation):
        register(received()).route(jurisdiction="OTHER_BODY", target_unit_id="x", today=TODAY)
    with pytest.raises(RuleViolation):
        register(received()).route(jurisdiction="OWN", target_unit_id=None, today=TODAY)


def test_acceptance_needs_substance_and_own_jurisdiction():
    with pytest.raises(RuleViolation) as err:
        register(received(), substantive=False).accept(today=TODAY)
    assert err.value.rule == "report.substantive"
    with pytest.raises(RuleViolation) as err:
        register(received(), jurisdiction="UPPER").accept(today=TODAY)
    assert err.value.rule == "report.jurisdiction"


def test_duplicates_link_to_the_first_report_only():
    first = register(received())
    second = register(received())
    second.id = "r-2"
    second.archive_duplicate(original=first, today=TODAY)
    assert second.status == "ARCHIVED_DUPLICATE" and second.duplicate_of == "r-1"
    third = register(received())
    third.id = "r-3"
    with pytest.raises(RuleViolation):
        third.archive_duplicate(original=second, today=TODAY)
    with pytest.raises(RuleViolation):
        first.archive_duplicate(original=first, today=TODAY)


def test_intake_refuses_impossible_dates_and_codes():
    for bad in (
        dict(received_on=TODAY + dt.timedelta(days=1)),
        dict(received_on=dt.date(1999, 12, 31)),
        dict(channel="FAX"),
        dict(identity="PSEUDONYM"),
        dict(petition_type="X"),
        dict(category="gossip"),
    ):
        args = dict(
            report_id="r",
            petition_type="ACCUSATION",
            channel="LETTER",
            received_on=TODAY,
            identity="ANONYMOUS",
            handling_org_unit_id="city",
            accused_cadre_ids=[],
            accused_unit_ids=[],
            category=None,
            transfer_ref=None,
            today=TODAY,
        )
        args.update(bad)
        with pytest.raises(RuleViolation):
            Report.receive(**args)
    with pytest.raises(RuleViolation) as err:
        received(accused=["c-1", "c-1"])
    assert err.value.rule == "report.accused_unique"


def test_an_accusation_names_someone_and_allegations_name_only_the_accused():
    report = received(accused=[])
    with pytest.raises(RuleViolation) as err:
        register(report)
    assert err.value.rule == "report.accused_required"
    report = received()
    with pytest.raises(RuleViolation) as err:
        report.register(
            category="integrity",
            substantive=True,
            jurisdiction="OWN",
            accused_cadre_ids=["c-1"],
            accused_unit_ids=[],
            allegations=[Allegation("a", "x", "c-9")],
            real_name_verified=False,
            today=TODAY,
        )
    assert err.value.rule == "report.allegation_cadre"
    with pytest.raises(RuleViolation):
        received(identity="ANONYMOUS").register(
            category="integrity",
            substantive=True,
            jurisdiction="OWN",
            accused_cadre_ids=["c-1"],
            accused_unit_ids=[],
            allegations=[],
            real_name_verified=True,
            today=TODAY,
        )


def test_collective_decisions_are_dated_and_collective():
    report = register(received())
    report.accept(today=TODAY)
    report.hand_over(today=TODAY)
    for bad in (
        CollectiveDecision(TODAY + dt.timedelta(days=1), 5, "m", "o"),
        CollectiveDecision(TODAY, 2, "m", "o"),
        CollectiveDecision(TODAY - dt.timedelta(days=1), 5, "m", "o"),
    ):
        with pytest.raises(RuleViolation):
            report.dispose(disposal_id="d", mode="TALK", decision=bad, today=TODAY)
    with pytest.raises(RuleViolation) as err:
        report.dispose(disposal_id="d", mode="CASE_OPENED", decision=DECISION, today=TODAY)
    assert err.value.rule == "disposal.mode"


def test_cases_are_opened_per_accused_cadre_only():
    report = in_disposal()
    with pytest.raises(RuleViolation):
        report.open_case(disposal_id="d", case_ids={"c-9": "x"}, decision=DECISION, opened_on=TODAY, today=TODAY)
    with pytest.raises(RuleViolation):
        report.open_case(disposal_id="d", case_ids={}, decision=DECISION, opened_on=TODAY, today=TODAY)


# -- conclusion and the accused's hearing ---------------------------------------------------------------------
def test_no_conclusion_while_the_statement_window_is_open():
    report = in_disposal()
    with pytest.raises(Conflict) as err:
        close(report, hearing={"c-1": HearingState.WINDOW_OPEN})
    assert err.value.rule == "report.statement_window_open"
    with pytest.raises(Conflict) as err:
        close(report, hearing={"c-1": HearingState.UNASSESSED})
    assert err.value.rule == "statement.unassessed"


def test_an_adverse_finding_needs_a_hearing_an_unfounded_one_does_not():
    with pytest.raises(RuleViolation) as err:
        close(in_disposal(), "SUBSTANTIATED", hearing={})
    assert err.value.rule == "report.statement_required"
    report = in_disposal()
    close(report, "UNFOUNDED", hearing={})
    assert report.outcome == "UNFOUNDED"


def test_findings_must_cover_every_allegation_and_cadre():
    report = in_disposal()
    with pytest.raises(RuleViolation) as err:
        report.close(
            findings={},
            conclusion="x",
            adverse_effect=False,
            accusation_spread=None,
            fabrication_suspected=False,
            hearing=HEARD,
            today=TODAY,
        )
    assert err.value.rule == "report.findings"
    with pytest.raises(RuleViolation):
        close(report, "TOLERATED")
    two = Report.receive(
        report_id="r",
        petition_type="ACCUSATION",
        channel="LETTER",
        received_on=TODAY,
        identity="ANONYMOUS",
        handling_org_unit_id="city",
        accused_cadre_ids=["c-1", "c-2"],
        accused_unit_ids=[],
        category=None,
        transfer_ref=None,
        today=TODAY,
    )
    two.register(
        category="integrity",
        substantive=True,
        jurisdiction="OWN",
        accused_cadre_ids=["c-1", "c-2"],
        accused_unit_ids=[],
        allegations=[Allegation("a", "x", "c-1")],
        real_name_verified=False,
        today=TODAY,
    )
    two.accept(today=TODAY)
    two.hand_over(today=TODAY)
    two.dispose(disposal_id="d", mode="PRELIM_VERIFY", decision=DECISION, today=TODAY)
    with pytest.raises(RuleViolation) as err:
        close(two)
    assert err.value.rule == "report.cadre_without_finding"


def test_outcomes_are_per_cadre_from_the_allegations_that_concern_them():
    report = Report.receive(
        report_id="r",
        petition_type="ACCUSATION",
        channel="LETTER",
        received_on=TODAY,
        identity="ANONYMOUS",
        handling_org_unit_id="city",
        accused_cadre_ids=["c-1", "c-2"],
        accused_unit_ids=[],
        category=None,
        transfer_ref=None,
        today=TODAY,
    )
    report.register(
        category="integrity",
        substantive=True,
        jurisdiction="OWN",
        accused_cadre_ids=["c-1", "c-2"],
        accused_unit_ids=[],
        allegations=[
            Allegation("a1", "gifts", "c-1"),
            Allegation("a2", "trips", "c-2"),
            Allegation("a3", "both", None),
        ],
        real_name_verified=False,
        today=TODAY,
    )
    report.accept(today=TODAY)
    report.hand_over(today=TODAY)
    report.dispose(disposal_id="d", mode="PRELIM_VERIFY", decision=DECISION, today=TODAY)
    report.close(
        findings={"a1": "SUBSTANTIATED", "a2": "UNFOUNDED", "a3": "UNFOUNDED"},
        conclusion="x",
        adverse_effect=True,
        accusation_spread="UNIT",
        fabrication_suspected=False,
        hearing={"c-1": HearingState.HEARD},
        today=TODAY,
    )
    assert {a.cadre_id: a.outcome for a in report.accused} == {"c-1": "PARTLY_SUBSTANTIATED", "c-2": "UNFOUNDED"}
    assert report.outcome == "PARTLY_SUBSTANTIATED"
    closed = report.events[-1]
    assert closed.cadre_outcomes == (("c-1", "PARTLY_SUBSTANTIATED"), ("c-2", "UNFOUNDED"))


def test_adverse_effects_need_the_spread_and_fabrication_needs_an_unfounded_outcome():
    with pytest.raises(RuleViolation) as err:
        close(in_disposal(), adverse_effect=True)
    assert err.value.rule == "report.accusation_spread"
    with pytest.raises(RuleViolation) as err:
        close(in_disposal(), "UNVERIFIABLE", fabrication_suspected=True)
    assert err.value.rule == "report.fabrication_suspected"


# -- after the conclusion -------------------------------------------------------------------------------------
def test_feedback_is_for_real_names_and_objections_with_new_evidence_reopen():
    anonymous = register(received(identity="ANONYMOUS"))
    anonymous.accept(today=TODAY)
    anonymous.hand_over(today=TODAY)
    anonymous.dispose(disposal_id="d", mode="CLOSE", decision=DECISION, today=TODAY)
    with pytest.raises(RuleViolation):
        anonymous.record_feedback(on=TODAY, today=TODAY)
    report = in_disposal()
    close(report)
    report.record_feedback(on=TODAY, today=TODAY)
    report.record_objection(new_evidence=True, on=TODAY, today=TODAY)
    report.reopen(disposal_id="d-9", decision=DECISION, today=TODAY)
    assert report.status == "VERIFYING" and report.outcome is None and report.closed_on is None
    assert report.allegations[0].result is None


def test_an_objection_without_new_evidence_does_not_reopen():
    report = in_disposal()
    close(report)
    report.record_feedback(on=TODAY, today=TODAY)
    report.record_objection(new_evidence=False, on=TODAY, today=TODAY)
    with pytest.raises(RuleViolation):
        report.reopen(disposal_id="d", decision=DECISION, today=TODAY)


def test_dates_of_steps_cannot_be_in_the_future_or_before_the_step_they_follow():
    report = in_disposal()
    close(report)
    with pytest.raises(RuleViolation):
        report.record_feedback(on=TODAY + dt.timedelta(days=1), today=TODAY)
    with pytest.raises(RuleViolation):
        report.record_feedback(on=TODAY - dt.timedelta(days=1), today=TODAY)


def test_acceptance_notice_once_for_real_names():
    report = register(received())
    report.record_acceptance_notice(on=TODAY, today=TODAY)
    with pytest.raises(Conflict):
        report.record_acceptance_notice(on=TODAY, today=TODAY)
    with pytest.raises(RuleViolation):
        register(received(identity="ANONYMOUS")).record_acceptance_notice(on=TODAY, today=TODAY)
    with pytest.raises(InvalidTransition):
        received().record_acceptance_notice(on=TODAY, today=TODAY)


# -- tolerance ------------------------------------------------------------------------------------------------
def test_tolerance_revises_a_closed_outcome_to_tolerated_once():
    report = in_disposal()
    close(report, "SUBSTANTIATED")
    report.events.clear()
    assert report.tolerate(cadre_id="c-1", on=TODAY) is True
    assert report.outcome == "TOLERATED" and report.accused[0].outcome == "TOLERATED"
    assert report.events[-1].revision is True and report.closed_on == TODAY
    assert report.tolerate(cadre_id="c-1", on=TODAY) is False
    with pytest.raises(RuleViolation):
        report.tolerate(cadre_id="c-9", on=TODAY)


def test_tolerance_of_every_accused_closes_an_open_report():
    report = in_disposal()
    report.tolerate(cadre_id="c-1", on=TODAY)
    assert report.status == "CLOSED" and report.outcome == "TOLERATED" and report.events[-1].revision is False
    with pytest.raises(InvalidTransition):
        received().tolerate(cadre_id="c-1", on=TODAY)


# -- every action refused from every state it does not belong to ----------------------------------------------
ACTIONS: dict[str, Callable[[Report], None]] = {
    "register": register,
    "route": lambda r: r.route(jurisdiction="OTHER_BODY", target_unit_id=None, today=TODAY),
    "not_accept": lambda r: r.not_accept(reason="NO_SUBSTANCE", today=TODAY),
    "accept": lambda r: r.accept(today=TODAY),
    "hand_over": lambda r: r.hand_over(today=TODAY),
    "dispose": lambda r: r.dispose(disposal_id="d", mode="TALK", decision=DECISION, today=TODAY),
    "resume": lambda r: r.resume(today=TODAY),
    "verify": lambda r: r.verify(disposal_id="d", decision=DECISION, today=TODAY),
    "open_case": lambda r: r.open_case(
        disposal_id="d", case_ids={"c-1": "k"}, decision=DECISION, opened_on=TODAY, today=TODAY
    ),
    "close": close,
    "feedback": lambda r: r.record_feedback(on=TODAY, today=TODAY),
    "objection": lambda r: r.record_objection(new_evidence=True, on=TODAY, today=TODAY),
    "reopen": lambda r: r.reopen(disposal_id="d", decision=DECISION, today=TODAY),
    "finalize": lambda r: r.finalize(today=TODAY),
}
ALLOWED = {
    "register": {"RECEIVED"},
    "route": {"REGISTERED"},
    "not_accept": {"REGISTERED"},
    "accept": {"REGISTERED"},
    "hand_over": {"ACCEPTED"},
    "dispose": {"IN_DISPOSAL"},
    "resume": {"ON_HOLD"},
    "verify": {"TALKING", "INQUIRING"},
    "open_case": {"VERIFYING"},
    "close": {"TALKING", "INQUIRING", "VERIFYING", "CASE_OPENED"},
    "feedback": {"CLOSED", "CLOSED_NO_ACTION"},
    "objection": {"FEEDBACK_SENT"},
    "reopen": {"OBJECTION_RECORDED"},
    "finalize": {"OBJECTION_RECORDED"},
}


def _reach(path: list[str]) -> Report:
    report = received()
    for action in path:
        ACTIONS[action](report)
    return report


PATHS = {
    "RECEIVED": [],
    "REGISTERED": ["register"],
    "ACCEPTED": ["register", "accept"],
    "IN_DISPOSAL": ["register", "accept", "hand_over"],
    "TALKING": ["register", "accept", "hand_over", "dispose"],
    "VERIFYING": ["register", "accept", "hand_over", "dispose", "verify"],
    "CASE_OPENED": ["register", "accept", "hand_over", "dispose", "verify", "open_case"],
    "CLOSED": ["register", "accept", "hand_over", "dispose", "close"],
    "FEEDBACK_SENT": ["register", "accept", "hand_over", "dispose", "close", "feedback"],
    "OBJECTION_RECORDED": ["register", "accept", "hand_over", "dispose", "close", "feedback", "objection"],
    "RETURNED_OTHER_BODY": ["register", "route"],
    "NOT_ACCEPTED": ["register", "not_accept"],
}


@pytest.mark.parametrize("state", sorted(PATHS))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_action_is_refused_outside_its_states(state, action):
    report = _reach(PATHS[state])
    assert report.status == state
    if state in ALLOWED[action]:
        ACTIONS[action](report)
        return
    with pytest.raises(InvalidTransition) as err:
        ACTIONS[action](report)
    assert err.value.rule == "report.transition"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(sorted(ACTIONS)), max_size=14))
def test_any_sequence_of_actions_keeps_the_report_consistent(actions):
    report = received()
    for action in actions:
        before = report.status
        try:
            ACTIONS[action](report)
        except DomainError:
            assert report.status == before  # a refused action changes nothing
            continue
        has_outcome = report.status in OUTCOME_STATES
        assert (report.outcome is not None) == has_outcome
        assert (report.closed_on is not None) == has_outcome
        if has_outcome:
            assert all(a.outcome for a in report.accused)
