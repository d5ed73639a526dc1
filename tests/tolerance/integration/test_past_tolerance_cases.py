"""Recording past error-tolerance decisions (容错): the live decision's guard, effects and events on the real dates
(an exemption closes the investigation about the incident on the real decision date, so its bars end the day
before), append-only corrections, dates, roles and scope (SQLite and PostgreSQL, real nats-server)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.contracts import petitions_v1
from kernel.contracts.vocabulary import ReportOutcome
from services.tolerance.adapters import orm

D = dt.date


def past(**extra: Any) -> dict[str, Any]:
    return {
        "cadre_id": "c-a",
        "decision": "EXEMPT",
        "applied_on": "2024-04-10",
        "decided_on": "2024-05-20",
        "reasons": "a pilot reform under time pressure; all six conditions met",
        "body": "municipal party committee",
        "document_number": "市委容〔2024〕2号",
        "source": "PAPER_RECORD",
        **extra,
    }


async def active(world, day: str) -> list[dict[str, Any]]:
    r = await world.get("/restrictions", cadre_id="c-a", active_on=day, limit=100)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_a_past_exemption_closes_the_investigation_on_its_real_date_and_is_corrected_append_only(world):
    # An investigation opened in 2024 on a report found substantiated: its bars run until the handling.
    await world.bus.publish(
        petitions_v1.CaseOpened(case_id="case-h", report_id="r-h", cadre_id="c-a", opened_on=D(2024, 2, 1))
    )
    await world.bus.publish(
        petitions_v1.ReportClosed(
            report_id="r-h",
            outcome=ReportOutcome.SUBSTANTIATED,
            case_ids=["case-h"],
            closed_on=D(2024, 4, 1),
            cadre_outcomes=[petitions_v1.CadreOutcome(cadre_id="c-a", outcome=ReportOutcome.SUBSTANTIATED)],
        )
    )
    await world.settle("petitions", 2)
    [investigation] = await world.records(orm.investigation)
    assert investigation["status"] == "CONCLUDING"
    incident = investigation["incident_id"]
    before = await world.emitted()

    r = await world.post("/tolerance-cases/history", past(incident_id=incident), "org_admin", create=True)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["outcome"] == "RECORDED" and first["revision"] == 1
    case = (await world.get(f"/tolerance-cases/{first['id']}")).json()
    assert (case["status"], case["decision"], case["applied_on"], case["decided_on"]) == (
        "CLOSED",
        "EXEMPT",
        "2024-04-10",
        "2024-05-20",
    )
    # The live effect on the real date: the investigation closes on 2024-05-20, its bars end on the 19th.
    [investigation] = await world.records(orm.investigation)
    assert (investigation["status"], investigation["result"], investigation["closed_on"]) == (
        "CLOSED",
        "NO_SANCTION",
        D(2024, 5, 20),
    )
    assert {i["effect"] for i in await active(world, "2024-05-19")} == {
        "NO_POST_PROMOTION",
        "NO_RANK_PROMOTION",
        "NO_LEVEL_PROMOTION",
        "GRADE_UNDETERMINED",
    }
    assert await active(world, "2024-05-20") == []
    # As of a day, the dossier part knows the case from its real application date.
    for day, count in (("2024-04-09", 0), ("2024-04-10", 1)):
        part = (await world.get("/dossier-parts/tolerance/c-a", as_of=day)).json()
        assert len(part["tolerance_cases"]) == count, day
    # The live events, through the outbox, on the real dates.
    new = [e for e in await world.emitted() if e not in before]
    [granted] = [e for e in new if "decision" in e]
    assert (granted["caseId"], granted["decision"], granted["decidedOn"], granted["sourceRefs"]) == (
        first["id"],
        "EXEMPT",
        "2024-05-20",
        [{"type": "REPORT", "id": "r-h"}],
    )
    [closed] = [e for e in new if "result" in e]
    assert (closed["closedOn"], closed["result"]) == ("2024-05-20", "NO_SANCTION")
    lifted = [e for e in new if e.get("status") == "LIFTED"]
    assert len(lifted) == 4 and {e["endsOn"] for e in lifted} == {"2024-05-19"}
    # A tolerated incident restricts nobody later, as live.
    r = await world.post(
        "/sanctions",
        {"cadre_id": "c-a", "incident_id": incident, "system": "GOV", "type": "WARNING", "proposed_on": "2026-06-14"},
        create=True,
    )
    assert r.status_code == 409 and r.json()["rule"] == "sanction.incident_tolerated", r.text

    # The same values again (another source, spacing in the 文号): nothing changes, nothing is sent.
    sent = await world.emitted()
    r = await world.post(
        "/tolerance-cases/history",
        past(incident_id=incident, source="IMPORT", document_number="市委容〔2024〕 2号"),
        create=True,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {**first, "outcome": "UNCHANGED"}
    # A correction of the application date and the reasons: a new revision, the first one kept.
    r = await world.post(
        "/tolerance-cases/history",
        past(incident_id=incident, applied_on="2024-04-12", reasons="all six conditions met (corrected minutes)"),
        "org_admin",
        create=True,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["id"], r.json()["revision"], r.json()["outcome"]) == (first["id"], 2, "CORRECTED")
    records = await world.records(orm.tolerance_case_record, orm.tolerance_case_record.c.case_id == first["id"])
    assert sorted((x["revision"], x["applied_on"], x["source"]) for x in records) == [
        (1, D(2024, 4, 10), "PAPER_RECORD"),
        (2, D(2024, 4, 12), "PAPER_RECORD"),
    ]
    assert (await world.get(f"/tolerance-cases/{first['id']}")).json()["applied_on"] == "2024-04-12"
    assert await world.emitted() == sent
    # The decision itself was applied and sent: not corrected this way.
    r = await world.post("/tolerance-cases/history", past(incident_id=incident, decision="REJECT"), create=True)
    assert r.status_code == 409 and r.json()["rule"] == "tolerance_history.decided", r.text
    assert await world.emitted() == sent


async def test_a_past_rejection_about_a_described_incident_and_the_rules_of_recording(world):
    body = past(
        occurred_on="2023-03-01",
        summary="a permit issued without the second signature",
        applied_on="2023-03-20",
        decision="REJECT",
        decided_on="2023-06-01",
        document_number="纪容〔2023〕5号",
    )
    # Dates: not in the future (today is 2026-06-15), not before the cadre's entry (2008-07-01), in order.
    for extra, rule, field in (
        ({"decided_on": "2026-07-01"}, "tolerance_history.future", "decided_on"),
        ({"occurred_on": "2008-06-01"}, "tolerance_history.before_entry", "occurred_on"),
        ({"applied_on": "2023-02-01"}, "tolerance.applied_on", "applied_on"),
        ({"incident_id": "inc-x"}, "tolerance_history.incident", "incident_id"),
        ({"mitigated_to": "WARNING"}, "tolerance.mitigated_to", "mitigated_to"),
    ):
        r = await world.post("/tolerance-cases/history", {**body, **extra}, create=True)
        assert r.status_code == 422, (extra, r.text)
        assert (r.json()["rule"], r.json()["field"]) == (rule, field), r.text
        assert str(next(iter(extra.values()))) not in r.text
    # Out of scope, oneself's relative, an unknown cadre: 404; roles that do not decide tolerance live: 403.
    for kw in ({"unit": "health"}, {"cadre_id": "c-rel"}):
        r = await world.post("/tolerance-cases/history", body, create=True, **kw)
        assert r.status_code == 404, (kw, r.text)
    r = await world.post("/tolerance-cases/history", {**body, "cadre_id": "c-nobody"}, create=True)
    assert r.status_code == 404, r.text
    for role, kw in (("assessor", {}), ("auditor", {}), ("cadre", {"unit": None, "cadre_id": "c-a"})):
        r = await world.post("/tolerance-cases/history", body, role, create=True, **kw)
        assert r.status_code == 403, (role, r.text)
    r = await world.post("/tolerance-cases/history", body)  # no Idempotency-Key
    assert r.status_code in (400, 422, 428), r.text
    r = await world.post("/tolerance-cases/history", {**body, "status": "CLOSED"}, create=True)
    assert r.status_code == 422, r.text
    assert await world.count(orm.tolerance_case) == 0

    r = await world.post("/tolerance-cases/history", body, create=True)
    assert r.status_code == 201, r.text
    case = (await world.get(f"/tolerance-cases/{r.json()['id']}")).json()
    assert (case["decision"], case["decided_on"]) == ("REJECT", "2023-06-01")
    incident = (await world.get(f"/incidents/{case['incident_id']}")).json()
    assert incident["occurred_on"] == "2023-03-01"
    [rejected] = await world.emitted("tolerance_rejected")
    assert (rejected["caseId"], rejected["decidedOn"]) == (case["id"], "2023-06-01")


async def test_a_past_decision_comes_before_the_sanction_as_live(world):
    sanction_id = await world.effective("c-b")
    incident = (await world.get(f"/sanctions/{sanction_id}")).json()["incident_id"]
    late = {"applied_on": "2026-06-11", "decided_on": "2026-06-12"}  # after the sanction's decision (06-10)
    r = await world.post("/tolerance-cases/history", past(cadre_id="c-b", incident_id=incident, **late), create=True)
    assert r.status_code == 409 and r.json()["rule"] == "tolerance.sanction_already_decided", r.text
    r = await world.post("/tolerance-cases/history", past(cadre_id="c-a", incident_id=incident, **late), create=True)
    assert r.status_code == 404 and r.json()["rule"] == "incident.id", r.text
