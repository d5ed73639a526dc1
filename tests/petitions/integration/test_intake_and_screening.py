"""Intake from every channel and screening (docs/rules.md §2.1, §2.3 item 1), through the API on a real database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from services.petitions.adapters import orm
from tests.petitions.support import TODAY, reporter

CHANNELS = [
    "LETTER",
    "VISIT",
    "PHONE_12388",
    "ONLINE",
    "TRANSFER_XINFANG",
    "TRANSFER_UPPER",
    "TRANSFER_LOWER",
    "INSPECTION",
]


async def test_every_channel_real_name_or_anonymous_about_cadres_or_units(api):
    for i, channel in enumerate(CHANNELS):
        body = {
            "channel": channel,
            "received_on": TODAY.isoformat(),
            "content": f"facts {i}",
            "accused_cadre_ids": ["c-fin-1"] if i % 2 else [],
            "accused_org_unit_ids": [] if i % 2 else ["finance"],
            "transfer_ref": "XF-2026-17" if channel.startswith("TRANSFER") else None,
        }
        if i % 3 == 0:
            body["reporter"] = reporter(i)
        created = await api.ok("POST", "/reports", 201, role="petitions_staff", json=body, create=True)
        report = await api.ok("GET", f"/reports/{created['id']}", role="petitions_staff")
        assert report["channel"] == channel and report["status"] == "RECEIVED"
        assert report["identity"] == ("REAL_NAME" if i % 3 == 0 else "ANONYMOUS")
        assert report["content"] == f"facts {i}"
    assert await api.scalar(select(func.count()).select_from(orm.reporter_vault)) == 3


async def test_a_real_name_report_opens_the_acceptance_notice_deadline_and_records_the_notice(api):
    report_id = await api.intake(reporter=reporter(1))
    report = await api.ok("GET", f"/reports/{report_id}", role="petitions_staff")
    [notice] = report["deadlines"]
    assert (notice["kind"], notice["due_on"]) == ("ACCEPT_NOTICE", "2026-12-18")
    await api.register(report_id)
    await api.ok(
        "POST", f"/reports/{report_id}/acceptance-notice", role="petitions_staff", json={"on": TODAY.isoformat()}
    )
    report = await api.ok("GET", f"/reports/{report_id}", role="petitions_staff")
    assert report["acceptance_notice_on"] == TODAY.isoformat() and report["deadlines"][0]["status"] == "MET"


async def test_anonymous_staff_intake_can_issue_a_receipt_code_shown_once(api):
    created = await api.ok(
        "POST",
        "/reports",
        201,
        role="petitions_staff",
        create=True,
        json={
            "channel": "PHONE_12388",
            "received_on": TODAY.isoformat(),
            "content": "facts",
            "accused_cadre_ids": ["c-fin-1"],
            "issue_receipt": True,
        },
    )
    code = created["receipt_code"]
    assert code and len(code) == 24
    status = await api.ok("POST", "/public/receipts/status", role=None, json={"receipt_code": code})
    assert status["status"] == "RECEIVED"
    refused = await api.post(
        "/reports",
        role="petitions_staff",
        create=True,
        json={
            "channel": "LETTER",
            "received_on": TODAY.isoformat(),
            "content": "x",
            "reporter": reporter(2),
            "issue_receipt": True,
        },
    )
    assert refused.status_code == 422


async def test_an_idempotent_retry_of_intake_creates_nothing_and_never_replays_the_receipt_code(api):
    key = {"Idempotency-Key": "intake-retry-0001"}
    body = {"channel": "PHONE_12388", "received_on": TODAY.isoformat(), "content": "facts", "issue_receipt": True}
    first = await api.ok("POST", "/reports", 201, role="petitions_staff", json=body, headers=key)
    again = await api.ok("POST", "/reports", 201, role="petitions_staff", json=body, headers=key)
    assert again["id"] == first["id"] and first["receipt_code"] and again["receipt_code"] is None
    assert await api.scalar(select(func.count()).select_from(orm.report)) == 1
    other = await api.post("/reports", role="petitions_staff", json={**body, "content": "other"}, headers=key)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"


async def test_registration_records_accused_and_allegations_and_links_similar_reports(api):
    facts = "张三在春节期间收受某公司红包两万元，并违规审批该公司的工程合同。"
    first = await api.intake(content=facts)
    await api.register(first)
    second = await api.intake(content=facts.replace("两万元", "二万元"))
    unrelated = await api.intake(content="李四长期迟到早退，工作作风散漫，群众反映强烈。")
    await api.register(second)
    await api.register(unrelated)
    report = await api.ok("GET", f"/reports/{second}", role="discipline_officer")
    assert [(x["report_id"], x["kind"]) for x in report["links"]] == [(first, "SIMILAR")]
    assert report["links"][0]["score"] >= 0.6
    assert (await api.ok("GET", f"/reports/{unrelated}", role="discipline_officer"))["links"] == []
    linked = await api.ok(
        "POST", f"/reports/{second}/link-duplicate", role="petitions_staff", json={"duplicate_of": first}
    )
    assert linked["status"] == "ARCHIVED_DUPLICATE"


async def test_a_duplicate_gets_no_acceptance_notice(api):
    first = await api.intake(reporter=reporter(3))
    second = await api.intake(reporter=reporter(3))
    for r in (first, second):
        await api.register(r)
    await api.ok("POST", f"/reports/{second}/link-duplicate", role="petitions_staff", json={"duplicate_of": first})
    report = await api.ok("GET", f"/reports/{second}", role="petitions_staff")
    assert [d["status"] for d in report["deadlines"]] == ["CANCELLED"]


async def test_routing_down_moves_the_report_and_its_deadlines_to_the_lower_unit(api):
    report_id = await api.intake(reporter=reporter(4), accused=["c-cty-a"])
    await api.register(report_id, accused=["c-cty-a"], jurisdiction="LOWER")
    await api.ok(
        "POST",
        f"/reports/{report_id}/route",
        role="petitions_staff",
        json={"jurisdiction": "LOWER", "target_org_unit_id": "county-a"},
    )
    report = await api.ok("GET", f"/reports/{report_id}", role="discipline_officer", unit="county-a")
    assert report["status"] == "TRANSFERRED_DOWN" and report["handling_org_unit_id"] == "county-a"
    assert {d["kind"]: d["org_unit_id"] for d in report["deadlines"]} == {
        "ACCEPT_NOTICE": "county-a",
        "LOWER_REGISTER": "county-a",
    }
    assert (await api.get(f"/reports/{report_id}", role="petitions_staff", unit="county-b")).status_code == 404
    await api.register(report_id, accused=["c-cty-a"], unit="county-a", role="discipline_officer")
    report = await api.ok("GET", f"/reports/{report_id}", role="discipline_officer", unit="county-a")
    assert {d["kind"]: d["status"] for d in report["deadlines"]}["LOWER_REGISTER"] == "MET"


async def test_routing_up_needs_an_ancestor_and_meets_the_route_up_deadline(api):
    report_id = await api.intake(unit="county-a", accused=["c-cty-a"])
    await api.register(report_id, accused=["c-cty-a"], jurisdiction="UPPER", unit="county-a")
    report = await api.ok("GET", f"/reports/{report_id}", role="petitions_staff", unit="county-a")
    assert [(d["kind"], d["due_on"]) for d in report["deadlines"]] == [("ROUTE_UP", "2026-12-04")]
    bad = await api.post(
        f"/reports/{report_id}/route",
        role="petitions_staff",
        unit="county-a",
        json={"jurisdiction": "UPPER", "target_org_unit_id": "county-b"},
    )
    assert bad.status_code == 422 and bad.json()["rule"] == "report.route_target"
    await api.ok(
        "POST",
        f"/reports/{report_id}/route",
        role="petitions_staff",
        unit="county-a",
        json={"jurisdiction": "UPPER", "target_org_unit_id": "city"},
    )
    report = await api.ok("GET", f"/reports/{report_id}", role="petitions_staff", unit="city")
    assert report["status"] == "ESCALATED" and report["deadlines"][0]["status"] == "MET"
    assert (await api.get(f"/reports/{report_id}", role="petitions_staff", unit="county-a")).status_code == 404


async def test_not_accepted_and_returned_reports(api):
    a = await api.intake()
    await api.register(a, substantive=False)
    refused = await api.post(f"/reports/{a}/accept", role="petitions_staff")
    assert refused.status_code == 422 and refused.json()["rule"] == "report.substantive"
    assert (await api.ok("POST", f"/reports/{a}/not-accept", role="petitions_staff", json={"reason": "NO_SUBSTANCE"}))[
        "status"
    ] == "NOT_ACCEPTED"
    b = await api.intake()
    await api.register(b, jurisdiction="OTHER_BODY")
    assert (await api.ok("POST", f"/reports/{b}/route", role="petitions_staff", json={"jurisdiction": "OTHER_BODY"}))[
        "status"
    ] == "RETURNED_OTHER_BODY"


async def test_staff_accused_in_a_report_must_hand_it_to_a_colleague(api):
    for cadre, accused in (("c-officer", ["c-officer"]), ("c-officer", ["c-officer-kin"]), ("c-fin-2", ["c-fin-1"])):
        refused = await api.post(
            "/reports",
            role="discipline_officer",
            cadre_id=cadre,
            create=True,
            json={"channel": "LETTER", "received_on": TODAY.isoformat(), "content": "x", "accused_cadre_ids": accused},
        )
        assert refused.status_code == 422 and refused.json()["rule"] == "report.recusal", (cadre, accused)


@pytest.mark.parametrize(
    ("body", "status", "names"),
    [
        ({"accused_cadre_ids": ["c-nobody"]}, 422, "report.accused_unknown"),
        ({"accused_org_unit_ids": ["no-unit"]}, 422, "report.accused_unknown"),
        ({"received_on": (TODAY + dt.timedelta(days=1)).isoformat()}, 422, "report.received_on"),
        ({"received_on": "1999-12-31"}, 422, "report.received_on"),
        ({"received_on": "2026-02-30"}, 422, "received_on"),
        ({"channel": "FAX"}, 422, "channel"),
        ({"handling_org_unit_id": "no-unit"}, 404, "scope.org_unit"),
        ({"status": "CLOSED"}, 422, "status"),
        ({"id": "mine"}, 422, "id"),
        ({"reporter": {"name": "Zhou"}}, 422, "reporter"),
        (
            {"reporter": {"name": "Zhou", "phone": "139000000001", "id_number": "110101199003071234"}},
            422,
            "reporter.id_number",
        ),
        ({"content": ""}, 422, "content"),
        ({"accused_cadre_ids": ["c"] * 51}, 422, "accused_cadre_ids"),
    ],
)
async def test_bad_intake_is_refused_naming_the_field_or_rule_and_writes_nothing(api, body, status, names):
    base = {"channel": "LETTER", "received_on": TODAY.isoformat(), "content": "facts", "accused_cadre_ids": ["c-fin-1"]}
    response = await api.post("/reports", role="petitions_staff", json={**base, **body}, create=True)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert names in (problem.get("rule"), *(e["field"] for e in problem.get("errors", [])))
    assert await api.scalar(select(func.count()).select_from(orm.report)) == 0
    assert await api.scalar(select(func.count()).select_from(orm.reporter_vault)) == 0


async def test_malformed_oversized_and_keyless_requests(api):
    headers = {**api.headers("petitions_staff"), "Content-Type": "application/json", "Idempotency-Key": "k-123456789"}
    malformed = await api.client.post("/api/v1/reports", content=b'{"channel": "LETTER",', headers=headers)
    assert malformed.status_code == 400 and malformed.json()["type"].endswith("malformed-json")
    huge = await api.client.post("/api/v1/reports", content=b"x" * (1024 * 1024 + 10), headers=headers)
    assert huge.status_code == 413
    keyless = await api.post(
        "/reports", role="petitions_staff", json={"channel": "LETTER", "received_on": TODAY.isoformat(), "content": "x"}
    )
    assert keyless.status_code == 422 and any(e["field"] == "Idempotency-Key" for e in keyless.json()["errors"])
    wrong_type = await api.post(
        "/reports/x/register",
        role="petitions_staff",
        json={"category": "integrity", "substantive": "often", "jurisdiction": "OWN"},
    )
    assert wrong_type.status_code == 422
    assert await api.scalar(select(func.count()).select_from(orm.report)) == 0


async def test_illegal_transitions_answer_409_naming_the_state_machine(api):
    report_id = await api.intake()
    for path in ("accept", "hand-over", "finalize"):
        response = await api.post(f"/reports/{report_id}/{path}", role="discipline_officer")
        assert response.status_code == 409 and response.json()["rule"] == "report.transition", path
    assert (await api.rows(select(orm.report.c.status)))[0][0] == "RECEIVED"
