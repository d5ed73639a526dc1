"""Disposal, the accused's defence, outcomes and what follows them, with the events they publish through NATS."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kernel.testing.helpers import eventually
from services.petitions.adapters import orm
from tests.petitions.support import TODAY, decision, only, reporter


async def test_accepting_publishes_report_accepted_and_nothing_about_the_reporter(api):
    report_id = await api.intake(reporter=reporter(7))
    await api.register(report_id)
    await api.ok("POST", f"/reports/{report_id}/accept", role="petitions_staff")

    async def sent():
        event = await only(api, "report_accepted")
        assert event == {
            "reportId": report_id,
            "accusedCadreIds": ["c-fin-1"],
            "accusedOrgUnitIds": [],
            "category": "integrity",
            "acceptedOn": TODAY.isoformat(),
        }

    await eventually(sent)


async def test_a_general_petition_about_a_cadre_tells_the_organization_department(api):
    report_id = await api.intake(petition_type="GENERAL", reporter=reporter(8))
    report = await api.ok("GET", f"/reports/{report_id}", role="petitions_staff")
    assert {d["kind"]: d["due_on"] for d in report["deadlines"]} == {
        "GENERAL_REGISTER": "2026-12-12",
        "GENERAL_NOTICE": "2026-12-12",
    }
    await api.register(report_id)
    await api.ok("POST", f"/reports/{report_id}/accept", role="petitions_staff")
    report = await api.ok("GET", f"/reports/{report_id}", role="petitions_staff")
    by_kind = {d["kind"]: d for d in report["deadlines"]}
    assert by_kind["GENERAL_REGISTER"]["status"] == "MET" and by_kind["GENERAL_CLOSE"]["due_on"] == "2027-01-26"

    async def sent():
        event = await only(api, "xinfang_about_cadre")
        assert event["reportId"] == report_id and event["cadreIds"] == ["c-fin-1"]

    await eventually(sent)


async def test_an_inquiry_letter_asks_each_accused_for_a_reply_within_15_working_days(api):
    report_id = await api.intake(accused=["c-fin-1", "c-cty-a"])
    await api.register(report_id, accused=["c-fin-1", "c-cty-a"])
    await api.to_disposal(report_id, mode="INQUIRY_LETTER", letter_text="Please explain the gifts.")
    own = await api.ok("GET", "/statements", role="cadre", unit=None, cadre_id="c-cty-a")
    [letter] = own["items"]
    assert (letter["kind"], letter["due_on"], letter["facts"]) == (
        "INQUIRY_REPLY",
        "2026-12-18",
        "Please explain the gifts.",
    )
    assert "report_id" not in letter
    blocked = await api.post(
        f"/reports/{report_id}/close",
        json={
            "findings": [{"allegation_id": a["id"], "result": "UNFOUNDED"} for a in await api.allegations(report_id)],
            "conclusion": "x",
        },
    )
    assert blocked.status_code == 409 and blocked.json()["rule"] == "report.statement_window_open"
    refused = await api.post("/reports/x/disposal", json={"mode": "INQUIRY_LETTER", "decision": decision()})
    assert refused.status_code == 404


async def test_the_accused_answers_and_the_answer_is_assessed_before_the_conclusion(api):
    report_id = await api.intake()
    await api.register(report_id)
    await api.to_disposal(report_id)
    sid = (
        await api.ok(
            "POST",
            "/statements",
            201,
            create=True,
            json={
                "report_id": report_id,
                "cadre_id": "c-fin-1",
                "kind": "STATEMENT_DEFENCE",
                "facts": "You took gifts.",
                "due_on": (TODAY + dt.timedelta(days=10)).isoformat(),
            },
        )
    )["id"]
    past = await api.post(
        "/statements",
        create=True,
        json={
            "report_id": report_id,
            "cadre_id": "c-fin-1",
            "kind": "STATEMENT_DEFENCE",
            "facts": "x",
            "due_on": TODAY.isoformat(),
        },
    )
    assert past.status_code == 422 and past.json()["rule"] == "statement.due_on"
    not_accused = await api.post(
        "/statements",
        create=True,
        json={"report_id": report_id, "cadre_id": "c-cty-b", "kind": "STATEMENT_DEFENCE", "facts": "x"},
    )
    assert not_accused.status_code == 422 and not_accused.json()["rule"] == "statement.cadre"
    other = await api.post(
        f"/statements/{sid}/answer", role="cadre", unit=None, cadre_id="c-fin-2", json={"answer": "not mine"}
    )
    assert other.status_code == 404
    await api.ok(
        "POST",
        f"/statements/{sid}/answer",
        role="cadre",
        unit=None,
        cadre_id="c-fin-1",
        json={"answer": "They were returned the next day."},
    )
    findings = [{"allegation_id": a["id"], "result": "SUBSTANTIATED"} for a in await api.allegations(report_id)]
    blocked = await api.post(f"/reports/{report_id}/close", json={"findings": findings, "conclusion": "x"})
    assert blocked.status_code == 409 and blocked.json()["rule"] == "statement.unassessed"
    await api.ok("POST", f"/statements/{sid}/assess", json={"adopted": True, "assessment": "receipts produced"})
    await api.ok(
        "POST",
        f"/reports/{report_id}/close",
        json={
            "findings": [{"allegation_id": f["allegation_id"], "result": "PARTLY_SUBSTANTIATED"} for f in findings],
            "conclusion": "partly",
        },
    )
    statement = await api.ok("GET", f"/statements/{sid}", role="discipline_officer")
    assert statement["adopted"] is True and statement["status"] == "ASSESSED"


async def test_an_adverse_finding_without_hearing_the_accused_is_refused(api):
    report_id = await api.intake()
    await api.register(report_id)
    await api.to_disposal(report_id)
    findings = [{"allegation_id": a["id"], "result": "SUBSTANTIATED"} for a in await api.allegations(report_id)]
    refused = await api.post(f"/reports/{report_id}/close", json={"findings": findings, "conclusion": "x"})
    assert refused.status_code == 422 and refused.json()["rule"] == "report.statement_required"


async def test_case_opened_per_cadre_and_report_closed_with_the_outcome_per_cadre(api):
    accused = ["c-fin-1", "c-cty-a"]
    report_id = await api.intake(accused=accused, reporter=reporter(9))
    await api.register(
        report_id,
        accused=accused,
        allegations=[{"summary": "gifts", "cadre_id": "c-fin-1"}, {"summary": "trips", "cadre_id": "c-cty-a"}],
    )
    await api.to_disposal(report_id)
    await api.ok(
        "POST",
        f"/reports/{report_id}/case",
        json={"cadre_ids": accused, "opened_on": TODAY.isoformat(), "decision": decision()},
    )
    await api.hear(report_id, "c-fin-1")
    a1, a2 = await api.allegations(report_id)
    await api.ok(
        "POST",
        f"/reports/{report_id}/close",
        json={
            "findings": [
                {"allegation_id": a1["id"], "result": "SUBSTANTIATED"},
                {"allegation_id": a2["id"], "result": "UNFOUNDED"},
            ],
            "conclusion": "gifts proven; trips not",
            "adverse_effect": True,
            "accusation_spread": "UNIT",
        },
    )

    async def sent():
        opened = await api.published("case_opened")
        assert sorted(e["cadreId"] for e in opened) == sorted(accused)
        closed = await only(api, "report_closed")
        assert closed["outcome"] == "PARTLY_SUBSTANTIATED" and closed["adverseEffect"] is True
        assert {c["cadreId"]: c["outcome"] for c in closed["cadreOutcomes"]} == {
            "c-fin-1": "SUBSTANTIATED",
            "c-cty-a": "UNFOUNDED",
        }
        assert sorted(closed["caseIds"]) == sorted(e["caseId"] for e in opened)

    await eventually(sent)
    # The unfounded cadre's clarification is proposed automatically; the real-name reporter gets feedback.
    [clarification] = (await api.ok("GET", "/clarifications", role="org_admin"))["items"]
    assert (clarification["cadre_id"], clarification["spread"], clarification["status"]) == (
        "c-cty-a",
        "UNIT",
        "PROPOSED",
    )
    report = await api.ok("GET", f"/reports/{report_id}", role="petitions_staff")
    assert {d["kind"]: d["due_on"] for d in report["deadlines"] if d["status"] == "OPEN"} == {
        "ACCEPT_NOTICE": "2026-12-18",
        "FEEDBACK": "2026-12-18",
    }


async def test_feedback_objection_and_reopening_with_new_evidence(api):
    report_id = await api.closed_report("UNFOUNDED", reporter=reporter(10))
    await api.ok("POST", f"/reports/{report_id}/feedback", role="petitions_staff", json={"on": TODAY.isoformat()})
    await api.ok(
        "POST",
        f"/reports/{report_id}/objection",
        role="petitions_staff",
        json={"on": TODAY.isoformat(), "new_evidence": True, "summary": "a bank statement"},
    )
    report = await api.ok("GET", f"/reports/{report_id}", role="discipline_officer")
    assert report["objection_summary"] == "a bank statement" and report["objection_new_evidence"] is True
    reopened = await api.ok("POST", f"/reports/{report_id}/reopen", json={"decision": decision()})
    assert reopened["status"] == "VERIFYING"
    report = await api.ok("GET", f"/reports/{report_id}", role="discipline_officer")
    assert report["outcome"] is None and report["closed_on"] is None
    await api.hear(report_id)
    await api.close(report_id, "SUBSTANTIATED")

    async def twice():
        closures = await api.published("report_closed")
        assert [c["outcome"] for c in closures] == ["UNFOUNDED", "SUBSTANTIATED"]

    await eventually(twice)


async def test_hold_resume_and_closing_without_action(api):
    report_id = await api.intake()
    await api.register(report_id)
    await api.to_disposal(report_id, mode="HOLD")
    await api.ok("POST", f"/reports/{report_id}/resume")
    closed = await api.ok("POST", f"/reports/{report_id}/disposal", json={"mode": "CLOSE", "decision": decision()})
    assert closed["status"] == "CLOSED_NO_ACTION"
    too_few = await api.post(
        f"/reports/{report_id}/disposal", json={"mode": "CLOSE", "decision": {**decision(), "participants": 2}}
    )
    assert too_few.status_code in (409, 422)
    disposals = await api.rows(select(orm.report_disposal.c.mode).order_by(orm.report_disposal.c.mode))
    assert [d[0] for d in disposals] == ["CLOSE", "HOLD"]


async def test_the_collective_decision_is_checked(api):
    report_id = await api.intake()
    await api.register(report_id)
    await api.ok("POST", f"/reports/{report_id}/accept")
    await api.ok("POST", f"/reports/{report_id}/hand-over")
    for bad, rule in (
        ({**decision(), "participants": 2}, "disposal.collective"),
        (decision(TODAY + dt.timedelta(days=1)), "disposal.meeting_on"),
    ):
        response = await api.post(f"/reports/{report_id}/disposal", json={"mode": "TALK", "decision": bad})
        assert response.status_code == 422 and response.json()["rule"] == rule
    letter = await api.post(
        f"/reports/{report_id}/disposal", json={"mode": "TALK", "decision": decision(), "letter_text": "x"}
    )
    assert letter.status_code == 422 and letter.json()["rule"] == "disposal.letter_text"
