"""Client mistakes answer 4xx problem+json naming the field or rule, and nothing is half-written."""

from __future__ import annotations

import uuid

import pytest

from services.tolerance.adapters import orm

PROBLEM = "application/problem+json"


def problem(response, status, *, rule=None, field=None):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    if rule is not None:
        assert body.get("rule") == rule, body
    if field is not None:
        assert field in {e["field"] for e in body.get("errors", [])} or body.get("field") == field, body
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "EFFECTIVE"}, "status"),  # mass assignment of a state
        ({"combined_count": "many"}, "combined_count"),
        ({"system": "MARTIAL"}, "system"),
        ({"proposed_on": "2026-13-01"}, "proposed_on"),
        ({"period_months": 49}, "period_months"),
    ],
)
async def test_a_malformed_proposal_names_the_field(world, body, field):
    incident = await world.incident()
    base = {"cadre_id": "c-a", "incident_id": incident, "system": "GOV", "type": "WARNING", "proposed_on": "2026-06-01"}
    problem(await world.post("/sanctions", {**base, **body}, create=True), 422, field=field)
    assert await world.count(orm.sanction) == 0


async def test_an_unknown_sanction_type_names_the_rule(world):
    incident = await world.incident()
    r = await world.post(
        "/sanctions",
        {"cadre_id": "c-a", "incident_id": incident, "system": "GOV", "type": "FLOGGING", "proposed_on": "2026-06-01"},
        create=True,
    )
    problem(r, 422, rule="sanction.type")
    r = await world.post(
        "/sanctions",
        {
            "cadre_id": "c-a",
            "incident_id": incident,
            "system": "GOV",
            "type": "PARTY_WARNING",
            "proposed_on": "2026-06-01",
        },
        create=True,
    )
    problem(r, 422, rule="sanction.system")


async def test_malformed_json_and_a_missing_idempotency_key(world):
    r = await world.client.post(
        "/api/v1/sanctions",
        content=b'{"cadre_id": ',
        headers={
            **world.as_("discipline_officer"),
            "Idempotency-Key": uuid.uuid4().hex,
            "Content-Type": "application/json",
        },
    )
    assert problem(r, 400)["type"].endswith("malformed-json")
    r = await world.post("/incidents", {"cadre_ids": ["c-a"], "occurred_on": "2026-05-01", "summary": "s"})
    problem(r, 422, field="Idempotency-Key")


async def test_a_retried_creation_with_the_same_key_creates_once(world):
    headers = {**world.as_("discipline_officer"), "Idempotency-Key": "k-" + uuid.uuid4().hex}
    body = {"cadre_ids": ["c-a"], "occurred_on": "2026-05-01", "summary": "late permit"}
    first = await world.client.post("/api/v1/incidents", json=body, headers=headers)
    second = await world.client.post("/api/v1/incidents", json=body, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert await world.count(orm.incident) == 1
    r = await world.client.post("/api/v1/incidents", json={**body, "summary": "other"}, headers=headers)
    problem(r, 422, field="Idempotency-Key")


async def test_a_decision_inside_the_defence_window_is_refused_and_writes_nothing(world):
    sanction_id, _ = await world.proposal("c-a", "DEMERIT")
    await world.notified(sanction_id, on="2026-06-12")  # a Friday: the window runs to 2026-06-22 (a holiday week)
    await world.drain()
    outbox_before = await world.count(world.runtime.tables.outbox)
    body = problem(await world.decided(sanction_id, on="2026-06-15"), 409, rule="sanction.defence_window_open")
    assert body["source"] and "§43" in body["source"]
    assert body["defence_due_on"] == "2026-06-22"  # five working days, the 19th being a holiday (端午节)
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["status"] == "DEFENCE_WINDOW"
    assert await world.count(orm.restriction) == 0
    assert await world.count(world.runtime.tables.outbox) == outbox_before


async def test_a_heavier_decision_after_the_defence_is_refused_and_writes_nothing(world):
    sanction_id, _ = await world.proposal("c-a", "WARNING")
    await world.notified(sanction_id)
    await world.post(
        f"/sanctions/{sanction_id}/defence",
        {"defence_on": "2026-05-26", "statement": "I object"},
        "cadre",
        unit=None,
        cadre_id="c-a",
    )
    problem(await world.decided(sanction_id, type="DEMERIT"), 422, rule="sanction.heavier_than_proposal")
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["status"] == "DEFENCE_WINDOW"
    assert await world.count(orm.restriction) == 0
    assert await world.count(orm.audit_log, orm.audit_log.c.action == "DECIDE") == 0


async def test_illegal_transitions_answer_conflict_naming_the_rule(world):
    sanction_id, _ = await world.proposal("c-a", "WARNING")
    problem(await world.decided(sanction_id), 409, rule="sanction.facts_notice_required")
    await world.notified(sanction_id)
    assert (await world.decided(sanction_id)).status_code == 200
    problem(await world.decided(sanction_id), 409, rule="sanction.transition")
    problem(
        await world.post(f"/sanctions/{sanction_id}/withdrawal", {"withdrawn_on": "2026-06-11", "reason": "x"}),
        409,
        rule="sanction.transition",
    )
    problem(
        await world.post(f"/sanctions/{sanction_id}/probation-extension", {"reason": "not a probation at all"}),
        422,
        rule="sanction.extension_type",
    )


async def test_an_end_date_before_the_start_or_in_the_past_is_refused(world):
    await world.effective("c-a", "WARNING")
    restriction = next(
        r for r in (await world.get("/restrictions", cadre_id="c-a")).json()["items"] if r["ends_on"] == "2026-12-09"
    )
    r = await world.post(
        f"/restrictions/{restriction['id']}/extension",
        {"new_ends_on": "2026-11-01", "reason": "the unit still objects"},
        "org_admin",
    )
    problem(r, 422, rule="restriction.extension_dates")
    r = await world.post(
        f"/restrictions/{restriction['id']}/extension", {"new_ends_on": "2027-01-01", "reason": "no"}, "org_admin"
    )
    problem(r, 422, field="reason")
    r = await world.post(
        "/incidents", {"cadre_ids": ["c-a"], "occurred_on": "2026-07-01", "summary": "future"}, create=True
    )
    problem(r, 422, rule="incident.occurred_on")
    sanction_id, _ = await world.proposal("c-b", "WARNING")
    problem(
        await world.post(f"/sanctions/{sanction_id}/facts-notice", {"notified_on": "2026-05-01"}),
        422,
        rule="sanction.notified_on",
    )
    assert (await world.get(f"/restrictions/{restriction['id']}")).json()["ends_on"] == "2026-12-09"


async def test_unknown_objects_and_cadres_are_not_found(world):
    problem(await world.get("/sanctions/san-nope"), 404)
    problem(await world.decided("san-nope"), 404)
    r = await world.post(
        "/incidents", {"cadre_ids": ["c-ghost"], "occurred_on": "2026-05-01", "summary": "s"}, create=True
    )
    problem(r, 404, rule="scope.cadre")
    r = await world.post(
        "/sanctions",
        {"cadre_id": "c-a", "incident_id": "inc-nope", "system": "GOV", "type": "WARNING", "proposed_on": "2026-06-01"},
        create=True,
    )
    problem(r, 404, rule="incident.id")


async def test_lists_bound_the_page_size_and_refuse_a_forged_cursor(world):
    problem(await world.get("/sanctions", limit=101), 422, field="limit")
    problem(await world.get("/restrictions", cursor="not-a-cursor"), 400)
    for _ in range(3):
        await world.proposal("c-a", "WARNING")
    first = (await world.get("/sanctions", limit=2)).json()
    second = (await world.get("/sanctions", limit=2, cursor=first["next_cursor"])).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    # Lists show people: each item names its cadre (from the register's snapshot), and so does a single read.
    assert {i["cadre_name"] for i in first["items"] + second["items"]} == {"Cadre c-a"}
    assert (await world.get(f"/sanctions/{first['items'][0]['id']}")).json()["cadre_name"] == "Cadre c-a"


async def test_a_collective_decision_with_bad_votes_names_the_rule(world):
    incident = await world.incident()
    r = await world.post(
        "/tolerance-cases",
        {"incident_id": incident, "cadre_id": "c-a", "applied_on": "2026-06-01", "statement": "s"},
        "org_admin",
        create=True,
    )
    case_id = r.json()["id"]
    r = await world.post(
        f"/tolerance-cases/{case_id}/decision",
        {
            "decision": "EXEMPT",
            "reasons": "r",
            "decided_on": "2026-06-10",
            "body": "b",
            "body_size": 3,
            "members": [{"member_id": "m", "vote": "MAYBE"}],
        },
        "org_admin",
    )
    problem(r, 422, field="members.0.vote")
    r = await world.post(
        f"/tolerance-cases/{case_id}/decision",
        {
            "decision": "EXEMPT",
            "reasons": "r",
            "decided_on": "2026-06-10",
            "body": "b",
            "body_size": 3,
            "members": [{"member_id": "m", "vote": "FOR"}],
        },
        "org_admin",
    )
    problem(r, 409, rule="tolerance_case.transition")


def _writes(app):
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            if method in ("post", "put"):
                yield method.upper(), path.replace("{", "").replace("}", "")


async def test_every_write_endpoint_refuses_unknown_fields_and_malformed_json(world):
    headers = {
        **world.auth.headers("org_admin", "discipline_officer", "cadre", unit="city", cadre_id="c-a"),
        "Idempotency-Key": uuid.uuid4().hex,
    }
    routes = list(_writes(world.app))
    assert len(routes) == 29
    for method, path in routes:
        r = await world.client.request(method, path, json={"unexpected": 1}, headers=headers)
        problem(r, 422, field="unexpected")
        r = await world.client.request(
            method, path, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
        )
        assert problem(r, 400)["type"].endswith("malformed-json"), path
    assert await world.count(orm.audit_log) == 0
