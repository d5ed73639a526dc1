"""Performance records, inaction findings, talks and awards: their state machines."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.calendar import WorkdayCalendar
from kernel.errors import STATUS, FourEyesViolation, InvalidTransition, RuleViolation, require_four_eyes
from services.appraisal.domain import events
from services.appraisal.domain.award import Award
from services.appraisal.domain.inaction import InactionFinding
from services.appraisal.domain.records import PerformanceRecord
from services.appraisal.domain.rules.talks import reply_due
from services.appraisal.domain.talk import Talk

D = dt.date
TODAY = D(2026, 6, 1)


def record(**kw) -> PerformanceRecord:
    args = dict(
        record_id="r1",
        cadre_id="c1",
        org_unit_id="u",
        occurred_on=D(2026, 5, 1),
        category="KEY_TASK",
        title="t",
        description=None,
        quantity=2,
        unit="items",
        evidence_refs=["e1"],
        submitted_by="x",
        today=TODAY,
    )
    args.update(kw)
    return PerformanceRecord.submit(**args)


def test_records_are_verified_or_returned_and_corrections_supersede():
    r = record()
    r.return_for_change(reason="missing evidence")
    with pytest.raises(InvalidTransition) as err:
        r.verify(by="boss", today=TODAY)
    assert err.value.extra["allowed_actions"] == ["be resubmitted"]
    r.resubmit(title="t2", description=None, quantity=None, evidence_refs=["e2"])
    r.verify(by="boss", today=TODAY)
    fix = record(record_id="r2", quantity=3, supersedes=r)
    assert fix.supersedes == "r1"
    r.supersede(by="r2")
    assert r.status == "SUPERSEDED"
    with pytest.raises(InvalidTransition):
        record(record_id="r3", supersedes=r)


def test_a_record_is_never_verified_by_its_submitter_four_eyes():
    """Four-eyes (kernel.errors.require_four_eyes, as false accusations' approval): the one who submitted a record
    may not verify it (409 performance_record.four_eyes); anyone else with the role may."""
    r = record(submitted_by="assessor-1")
    with pytest.raises(FourEyesViolation) as err:
        r.verify(by="assessor-1", today=TODAY)
    assert err.value.rule == "performance_record.four_eyes" and r.status == "SUBMITTED" and r.verified_by is None
    r.verify(by="assessor-2", today=TODAY)
    assert (r.status, r.verified_by) == ("VERIFIED", "assessor-2")


def test_require_four_eyes_refuses_only_the_submitter():
    require_four_eyes("b", "a", rule="x.four_eyes")
    require_four_eyes("b", None, rule="x.four_eyes")
    with pytest.raises(FourEyesViolation) as err:
        require_four_eyes("a", "a", rule="x.four_eyes", action="approve")
    assert err.value.rule == "x.four_eyes" and STATUS[err.value.kind] == 409


def test_records_refuse_bad_input():
    for kw, rule in (
        ({"category": "OTHER"}, "performance_record.category"),
        ({"occurred_on": D(2026, 7, 1)}, "performance_record.occurred_on"),
        ({"category": "PUBLIC_EVALUATION", "quantity": None}, "performance_record.public_evaluation_score"),
    ):
        with pytest.raises(RuleViolation) as err:
            record(**kw)
        assert err.value.rule == rule


ITEM = {"code": "NA-1", "severity": 2, "default_points": 8.0, "triggers_accountability": True, "active": True}


def finding() -> InactionFinding:
    return InactionFinding.report(
        finding_id="f1",
        cadre_id="c1",
        org_unit_id="u",
        item=ITEM,
        source_type="INSPECTION",
        source_ref=None,
        incident_ref="inc-1",
        occurred_on=D(2026, 5, 1),
        today=TODAY,
    )


def test_findings_count_only_once_confirmed_and_emit_inaction_confirmed():
    f = finding()
    with pytest.raises(InvalidTransition):
        f.confirm(today=TODAY)
    f.start_verification()
    f.confirm(today=TODAY)
    assert f.status == "CONFIRMED" and isinstance(f.events[-1], events.InactionConfirmed)
    assert f.events[-1].triggers_accountability is True
    assert f.tolerate(case_id="tc-1") and f.status == "TOLERATED"


def test_findings_waiting_for_tolerance_are_confirmed_on_rejection():
    f = finding()
    f.start_verification()
    f.refer_to_tolerance()
    assert f.tolerance_rejected(today=TODAY) and f.status == "CONFIRMED"
    g = finding()
    assert not g.tolerance_rejected(today=TODAY)
    g.dismiss(reason="no evidence")
    assert not g.tolerate(case_id="tc") and not g.unfounded(report_id="r")


def test_an_inactive_item_cannot_be_reported():
    with pytest.raises(RuleViolation):
        InactionFinding.report(
            finding_id="f",
            cadre_id="c",
            org_unit_id="u",
            item={**ITEM, "active": False},
            source_type="MEDIA",
            source_ref=None,
            incident_ref=None,
            occurred_on=TODAY,
            today=TODAY,
        )


def test_an_admonishment_talk_emits_admonishment_issued_with_a_reply_deadline_in_working_days():
    cal = WorkdayCalendar.load()
    t = Talk.schedule(
        talk_id="t1",
        type="ADMONISHMENT",
        cadre_id="c1",
        org_unit_id="u",
        scheduled_on=TODAY,
        reason_ref="BASIC_GRADE_2025",
        created_by="x",
    )
    due = reply_due("ADMONISHMENT", TODAY, {"ADMONISHMENT": 10}, cal)
    t.record(held_on=TODAY, minutes_ref="m", outcome=None, reply_due_on=due, today=TODAY)
    assert isinstance(t.events[-1], events.AdmonishmentIssued) and t.events[-1].reason == "BASIC_GRADE_2025"
    assert cal.working_days_between(TODAY, due) == 10
    t.reply(reply_ref="doc", today=TODAY)
    assert t.status == "REPLIED"


def test_inquiry_letters_are_due_in_fifteen_working_days_over_a_holiday():
    cal = WorkdayCalendar.load()
    held = D(2026, 9, 28)
    due = reply_due("INQUIRY_LETTER", held, {"INQUIRY_LETTER": 15}, cal)
    assert cal.working_days_between(held, due) == 15 and (due - held).days > 21  # National Day week is skipped
    assert reply_due("HEART_TO_HEART", held, {"INQUIRY_LETTER": 15}, cal) is None


def test_a_talk_without_reply_deadline_takes_no_reply():
    t = Talk.schedule(
        talk_id="t1",
        type="HEART_TO_HEART",
        cadre_id="c1",
        org_unit_id="u",
        scheduled_on=TODAY,
        reason_ref=None,
        created_by="x",
    )
    t.record(held_on=TODAY, minutes_ref=None, outcome=None, reply_due_on=None, today=TODAY)
    assert t.events == []
    with pytest.raises(InvalidTransition):
        t.reply(reply_ref="x", today=TODAY)


def test_a_talk_is_held_neither_before_its_scheduled_day_nor_in_the_future():
    """A talk is recorded as held on or after the day it was scheduled for (talk.held_before_scheduled), and never
    on a day still to come (talk.held_on); on its day or later, up to today, it is held."""

    def scheduled(on: dt.date) -> Talk:
        return Talk.schedule(
            talk_id="t1",
            type="HEART_TO_HEART",
            cadre_id="c1",
            org_unit_id="u",
            scheduled_on=on,
            reason_ref=None,
            created_by="x",
        )

    tomorrow = TODAY + dt.timedelta(days=1)
    t = scheduled(tomorrow)
    with pytest.raises(RuleViolation) as e:
        t.record(held_on=TODAY, minutes_ref=None, outcome=None, reply_due_on=None, today=TODAY)
    assert e.value.rule == "talk.held_before_scheduled" and t.status == "SCHEDULED"
    with pytest.raises(RuleViolation) as e:
        t.record(held_on=tomorrow, minutes_ref=None, outcome=None, reply_due_on=None, today=TODAY)
    assert e.value.rule == "talk.held_on" and t.status == "SCHEDULED"
    t.record(held_on=tomorrow, minutes_ref=None, outcome=None, reply_due_on=None, today=tomorrow)
    assert t.status == "HELD"
    late = scheduled(TODAY - dt.timedelta(days=3))
    late.record(held_on=TODAY - dt.timedelta(days=1), minutes_ref=None, outcome=None, reply_due_on=None, today=TODAY)
    assert late.status == "HELD"


def test_award_path_and_revocation_review():
    a = Award.propose(
        award_id="a1",
        cadre_id="c1",
        org_unit_id="u",
        type="COMMENDATION",
        basis="ANNUAL_EXCELLENT",
        basis_ref="annual-assessment/x",
        year=2025,
        today=TODAY,
    )
    with pytest.raises(InvalidTransition):
        a.grant(today=TODAY)
    a.start_publicity(today=TODAY, ends_on=D(2026, 6, 8))
    with pytest.raises(RuleViolation):
        a.approve(by="boss", today=D(2026, 6, 8))
    a.approve(by="boss", today=D(2026, 6, 9))
    a.grant(today=D(2026, 6, 10))
    assert isinstance(a.events[-1], events.AwardGranted)
    assert a.open_revocation_review(reason="SERIOUS_SANCTION")
    a.keep()
    assert a.status == "GRANTED"
    a.open_revocation_review(reason="SERIOUS_SANCTION")
    with pytest.raises(RuleViolation):
        a.revoke(reason=" ", today=TODAY)
    a.revoke(reason="SERIOUS_SANCTION", today=D(2026, 7, 1))
    assert a.status == "REVOKED" and isinstance(a.events[-1], events.AwardRevoked)
    assert not a.withdraw(reason="x")
