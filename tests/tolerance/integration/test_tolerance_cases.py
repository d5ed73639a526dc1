"""Error-tolerance cases end to end: checklist, collective decision, effects on sanctions and investigations,
the guard against deciding after the sanction, the invariant that a tolerated incident restricts nobody, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.audit import verify_chain
from kernel.contracts import appraisal_v1, petitions_v1
from kernel.contracts.vocabulary import ReportOutcome
from services.tolerance.adapters import orm

CONDITIONS = ["LAWFUL", "PUBLIC_PURPOSE", "DILIGENT", "NO_PERSONAL_GAIN", "PROPER_PROCEDURE", "REMEDIATED"]
EXCLUSIONS = [
    "KNOWING_VIOLATION",
    "AFTER_EXPLICIT_PROHIBITION",
    "PRIVATE_GAIN",
    "REPEATED_AFTER_WARNING",
    "SERIOUS_LOSS_BY_DERELICTION",
    "REFUSED_CORRECTION",
]
MEMBERS = [{"member_id": f"m{i}", "vote": v} for i, v in enumerate(["FOR", "FOR", "FOR", "AGAINST"])] + [
    {"member_id": "m-rel", "cadre_id": "c-rel", "recused": True, "recusal_reason": "relative of the applicant"}
]


def checklist(unmet=()):
    return {
        "conditions": {c: {"holds": c not in unmet, "evidence": f"file {c}"} for c in CONDITIONS},
        "exclusions": {e: {"holds": False, "evidence": "none found"} for e in EXCLUSIONS},
        "verification_report_ref": "vr-2026-7",
    }


async def verified_case(world, incident, cadre="c-a", unmet=()):
    r = await world.post(
        "/tolerance-cases",
        {
            "incident_id": incident,
            "cadre_id": cadre,
            "applied_on": "2026-06-01",
            "statement": "a pilot reform under time pressure",
            "grounds": ["EXPLORATORY_TRIAL"],
        },
        "cadre",
        unit=None,
        cadre_id=cadre,
        create=True,
    )
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    for method, path, body in [
        ("post", "acceptance", {"accepted": True, "on": "2026-06-02"}),
        ("put", "checklist", checklist(unmet)),
        ("post", "submission", {"on": "2026-06-05"}),
    ]:
        r = await getattr(world.client, method)(
            f"/api/v1/tolerance-cases/{case_id}/{path}", json=body, headers=world.as_("discipline_officer")
        )
        assert r.status_code == 200, (path, r.text)
    return case_id


async def decide(world, case_id, decision="EXEMPT", **extra):
    return await world.post(
        f"/tolerance-cases/{case_id}/decision",
        {
            "decision": decision,
            "reasons": "meets the six conditions",
            "decided_on": "2026-06-08",
            "body": "municipal party committee",
            "body_size": 5,
            "members": MEMBERS,
            **extra,
        },
        "org_admin",
    )


async def test_an_exempt_decision_withdraws_the_pending_sanction_and_the_case_runs_to_closure(world):
    sanction_id, incident = await world.proposal("c-a", "DEMERIT")
    await world.notified(sanction_id)
    case_id = await verified_case(world, incident)
    r = await decide(world, case_id)
    assert r.status_code == 200, r.text
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["status"] == "WITHDRAWN"
    [granted] = await world.emitted("tolerance_granted")
    assert granted["decision"] == "EXEMPT" and granted["caseId"] == case_id and granted["incidentId"] == incident
    for path, body in [
        ("notification", {"on": "2026-06-09"}),
        ("filing", {"filed_on": "2026-06-10", "publication_scope": "UNIT"}),
        ("correction-plan", {"plan": "two-person check on permits", "due_on": "2026-09-30"}),
        ("correction-completion", {"done_on": "2026-06-12", "follow_up": "audited"}),
        ("closure", {"on": "2026-06-13"}),
    ]:
        r = await world.post(f"/tolerance-cases/{case_id}/{path}", body, "org_admin")
        assert r.status_code == 200, (path, r.text)
    case = (await world.get(f"/tolerance-cases/{case_id}")).json()
    assert case["status"] == "CLOSED" and case["decision"] == "EXEMPT" and case["publication_scope"] == "UNIT"
    assert case["members"][-1]["recused"] and case["conditions"]["REMEDIATED"]["holds"]
    # The invariant: a tolerated incident never produces a restriction here.
    r = await world.post(
        "/sanctions",
        {"cadre_id": "c-a", "incident_id": incident, "system": "GOV", "type": "WARNING", "proposed_on": "2026-06-14"},
        create=True,
    )
    assert r.status_code == 409 and r.json()["rule"] == "sanction.incident_tolerated"
    assert await world.count(orm.restriction) == 0


async def test_an_exempt_incident_lifts_its_investigation_and_ignores_later_accountability(world):
    await world.bus.publish(
        petitions_v1.CaseOpened(case_id="case-1", report_id="r-1", cadre_id="c-a", opened_on=dt.date(2026, 5, 10))
    )
    await world.bus.publish(
        petitions_v1.ReportClosed(
            report_id="r-1",
            outcome=ReportOutcome.SUBSTANTIATED,
            case_ids=["case-1"],
            closed_on=dt.date(2026, 5, 30),
            cadre_outcomes=[petitions_v1.CadreOutcome(cadre_id="c-a", outcome=ReportOutcome.SUBSTANTIATED)],
        )
    )
    await world.settle("petitions", 2)
    [investigation] = await world.records(orm.investigation)
    incident = investigation["incident_id"]
    case_id = await verified_case(world, incident)
    assert (await decide(world, case_id)).status_code == 200
    [investigation] = await world.records(orm.investigation)
    assert (investigation["status"], investigation["result"]) == ("CLOSED", "NO_SANCTION")
    assert await world.count(orm.restriction, orm.restriction.c.status == "ACTIVE") == 0
    [granted] = await world.emitted("tolerance_granted")
    assert granted["sourceRefs"] == [{"type": "REPORT", "id": "r-1"}]
    await world.bus.publish(
        appraisal_v1.InactionConfirmed(
            finding_id="if-1",
            cadre_id="c-a",
            item_code="NA-1",
            severity=2,
            triggers_accountability=True,
            occurred_on=dt.date(2026, 5, 1),
            confirmed_on=dt.date(2026, 6, 9),
            incident_ref=incident,
        )
    )
    await world.settle("appraisal", 1)
    assert await world.count(orm.sanction) == 0
    assert await world.count(orm.restriction, orm.restriction.c.status == "ACTIVE") == 0


async def test_exemption_needs_all_six_conditions_but_mitigation_keeps_the_lighter_sanctions_own_period(world):
    sanction_id, incident = await world.proposal("c-a", "DEMERIT")
    await world.notified(sanction_id)
    case_id = await verified_case(world, incident, unmet=("REMEDIATED",))
    r = await decide(world, case_id)
    assert r.status_code == 422 and r.json()["rule"] == "tolerance.conditions_unmet"
    assert r.json()["unmet"] == ["REMEDIATED"]
    r = await decide(world, case_id, "MITIGATE", mitigated_to="WARNING")
    assert r.status_code == 200, r.text
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["proposed_type"] == "WARNING"
    r = await world.decided(sanction_id)
    assert r.status_code == 200, r.text
    sanction = (await world.get(f"/sanctions/{sanction_id}")).json()
    assert (sanction["type"], sanction["period_months"], sanction["ends_on"]) == ("WARNING", 6, "2026-12-09")
    assert sanction["mitigated_by_case_id"] == case_id
    [granted] = await world.emitted("tolerance_granted")
    assert granted["decision"] == "MITIGATE" and granted["mitigatedTo"] == "WARNING"


async def test_a_rejection_is_announced_and_the_sanction_can_then_be_decided(world):
    sanction_id, incident = await world.proposal("c-a", "WARNING")
    await world.notified(sanction_id)
    case_id = await verified_case(world, incident)
    assert (await decide(world, case_id, "REJECT", reasons="the loss was foreseeable")).status_code == 200
    [rejected] = await world.emitted("tolerance_rejected")
    assert rejected["caseId"] == case_id
    assert (await world.decided(sanction_id)).status_code == 200


async def test_the_tolerance_decision_must_come_before_the_sanction_decision(world):
    sanction_id, incident = await world.proposal("c-a", "WARNING")
    await world.notified(sanction_id)
    case_id = await verified_case(world, incident)
    r = await world.decided(sanction_id)
    assert r.status_code == 409 and r.json()["rule"] == "sanction.tolerance_pending"
    assert (await decide(world, case_id, "REJECT", reasons="no")).status_code == 200
    assert (await world.decided(sanction_id)).status_code == 200
    r = await world.post(
        "/tolerance-cases",
        {"incident_id": incident, "cadre_id": "c-a", "applied_on": "2026-06-12", "statement": "late application"},
        "org_admin",
        create=True,
    )
    assert r.status_code == 409 and r.json()["rule"] == "tolerance.sanction_already_decided"


@pytest.mark.tolerance_settings(tolerance_window_days=15)
async def test_a_sanction_waits_for_the_tolerance_application_window(world):
    sanction_id, _ = await world.proposal("c-a", "WARNING")  # the incident opened today, 2026-06-15
    await world.notified(sanction_id)
    r = await world.decided(sanction_id, on="2026-06-15")
    assert r.status_code == 409 and r.json()["rule"] == "sanction.tolerance_window_open"
    assert r.json()["window_ends_on"] == "2026-06-30"


async def test_a_member_related_to_the_applicant_must_recuse(world):
    _, incident = await world.proposal("c-a", "WARNING")
    case_id = await verified_case(world, incident)
    members = [*MEMBERS[:4], {"member_id": "m-rel", "cadre_id": "c-rel", "vote": "FOR"}]
    r = await decide(world, case_id, members=members)
    assert r.status_code == 422 and r.json()["rule"] == "tolerance.recusal_required"
    r = await decide(world, case_id, members=MEMBERS[:2], body_size=5)
    assert r.status_code == 422 and r.json()["rule"] == "tolerance.quorum"


async def test_every_read_of_a_tolerance_case_and_every_sanction_decision_is_audited(world):
    sanction_id, incident = await world.proposal("c-a", "WARNING")
    case_id = await verified_case(world, incident)
    headers = {**world.as_("auditor"), "X-Purpose": "INSPECTION"}
    assert (await world.client.get(f"/api/v1/tolerance-cases/{case_id}", headers=headers)).status_code == 200
    assert (await world.client.get("/api/v1/tolerance-cases", headers=headers)).status_code == 200
    assert (await decide(world, case_id, "REJECT", reasons="no")).status_code == 200
    await world.notified(sanction_id)
    assert (await world.decided(sanction_id)).status_code == 200
    a = orm.audit_log
    reads = await world.records(a, a.c.object_type == "tolerance-case", a.c.action == "READ")
    assert [(r["roles"], r["purpose"], r["object_id"]) for r in reads] == [("auditor", "INSPECTION", case_id)] * 2
    assert (
        await world.count(a, a.c.object_type == "sanction", a.c.action == "DECIDE", a.c.object_id == sanction_id) == 1
    )
    assert await world.count(a, a.c.object_type == "tolerance-case", a.c.action == "DECIDE") == 1
    async with world.runtime.db.reader.connect() as conn:
        assert await verify_chain(conn, a) is None


async def test_a_cadre_reads_only_their_own_cases(world):
    _, incident = await world.proposal("c-a", "WARNING")
    case_id = await verified_case(world, incident)
    own = await world.get(f"/tolerance-cases/{case_id}", "cadre", unit=None, cadre_id="c-a")
    other = await world.get(f"/tolerance-cases/{case_id}", "cadre", unit=None, cadre_id="c-b")
    assert own.status_code == 200 and other.status_code == 404
    listed = (await world.get("/tolerance-cases", "cadre", unit=None, cadre_id="c-b")).json()
    assert listed["items"] == []
    a = orm.audit_log
    assert await world.count(a, a.c.object_id == case_id, a.c.action == "READ", a.c.roles == "cadre") == 1
