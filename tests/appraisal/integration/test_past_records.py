"""POST /performance-records/history: performance records verified in the past, recorded as past facts (SQLite and
PostgreSQL, real NATS)."""

from __future__ import annotations

from sqlalchemy import select

from services.appraisal.adapters import orm

URL = "/api/v1/performance-records/history"


def body(**over) -> dict:
    values = {
        "cadre_id": "c-fin-4",
        "occurred_on": "2018-08-20",
        "category": "URGENT_HARD",
        "title": "防汛抢险",
        "verified_on": "2018-09-03",
        "quantity": 2,
        "document_no": "财纪〔2018〕7号",
        "source": "IMPORT",
    }
    values.update(over)
    return values


async def index_refs(app, cadre: str, period: str) -> dict:
    r = await app.client.get(
        f"/api/v1/accountability-index/{cadre}", params={"period_key": period}, headers=app.h("org_admin")
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    return {c["source"]: c["ref_ids"] for c in items[0]["components"]} if items else {}


async def test_a_past_record_is_verified_on_its_real_dates_and_counts_in_its_real_quarter(app):
    response = await app.client.post(
        URL,
        json=body(),
        headers={**app.auth.headers("assessor", unit="city", subject="assessor-5"), "Idempotency-Key": "k-record-1"},
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["outcome"] == "RECORDED"
    rid = answer["performance_record_id"]
    row = (await app.client.get(f"/api/v1/performance-records/{rid}", headers=app.h("org_admin"))).json()
    assert (row["status"], row["occurred_on"], row["verified_on"], row["verified_by"], row["quantity"]) == (
        "VERIFIED",
        "2018-08-20",
        "2018-09-03",
        None,
        2,
    )
    assert (row["source"], row["document_no"], row["recorded_by"]) == ("IMPORT", "财纪〔2018〕7号", "assessor-5")
    # the index (as of its quarter) counts it in the quarter it occurred in, not the quarter it was typed in
    assert await app.rows(select(orm.index_dirty.c.period_key).where(orm.index_dirty.c.cadre_id == "c-fin-4")) == [
        ("2018-Q3",)
    ]
    await app.recompute()
    assert (await index_refs(app, "c-fin-4", "2018-Q3"))["URGENT_HARD_TASKS"] == [rid]
    assert await index_refs(app, "c-fin-4", "2026-Q1") == {}
    # the recomputed quarter is announced as a live verification's recomputation would announce it
    assert [(e["cadreId"], e["periodKey"]) for e in await app.outbox("index_computed")] == [("c-fin-4", "2018-Q3")]


async def test_the_same_again_changes_nothing_and_a_correction_supersedes_keeping_both(app):
    first = (await app.client.post(URL, json=body(), headers=app.hk("org_admin"))).json()
    again = await app.client.post(URL, json=body(title=" 防汛 抢险 "), headers=app.hk("org_admin"))
    assert again.status_code == 201 and again.json() == first | {"outcome": "UNCHANGED"}
    corrected = await app.client.post(URL, json=body(quantity=3, verified_on="2018-09-10"), headers=app.hk("org_admin"))
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["outcome"] == "CORRECTED"
    assert corrected.json()["performance_record_id"] == first["performance_record_id"]
    r = orm.past_fact_record
    records = await app.rows(
        select(r.c.id, r.c.supersedes, r.c.fact)
        .where(r.c.object_id == first["performance_record_id"])
        .order_by(r.c.recorded_at)
    )
    assert [(x.id, x.supersedes, x.fact["quantity"]) for x in records] == [
        (first["id"], None, 2),
        (corrected.json()["id"], first["id"], 3),
    ]
    row = (
        await app.client.get(
            f"/api/v1/performance-records/{first['performance_record_id']}", headers=app.h("org_admin")
        )
    ).json()
    assert (row["quantity"], row["verified_on"]) == (3, "2018-09-10")
    audit = await app.rows(
        select(orm.audit_log.c.action)
        .where(orm.audit_log.c.object_id == first["performance_record_id"])
        .order_by(orm.audit_log.c.id)
    )
    assert audit == [("HISTORY_RECORDED",), ("HISTORY_CORRECTED",)]


async def test_dates_in_the_future_before_entry_or_out_of_order_are_refused_naming_the_rule(app):
    cases = [
        (body(occurred_on="2026-01-13", verified_on="2026-01-13"), "record_history.occurred_on", "occurred_on"),
        (body(verified_on="2026-01-13"), "record_history.verified_on", "verified_on"),
        (body(occurred_on="2009-12-31"), "record_history.occurred_on", "occurred_on"),  # entry 2010-01-01
        (body(verified_on="2018-08-19"), "record_history.verified_on", "verified_on"),
    ]
    for payload, rule, field in cases:
        response = await app.client.post(URL, json=payload, headers=app.hk("org_admin"))
        assert response.status_code == 422, response.text
        assert (response.json()["rule"], response.json()["field"]) == (rule, field)
    evaluation = await app.client.post(
        URL, json=body(category="PUBLIC_EVALUATION", quantity=None), headers=app.hk("org_admin")
    )  # the live value rule
    assert evaluation.status_code == 422 and evaluation.json()["rule"] == "performance_record.public_evaluation_score"
    for payload, field in ((body(source="RUMOUR"), "source"), (body(status="VERIFIED"), "status")):
        response = await app.client.post(URL, json=payload, headers=app.hk("org_admin"))
        assert response.status_code == 422, response.text
        assert any(field in (e.get("field") or "") for e in response.json()["errors"]), response.json()
    assert await app.rows(select(orm.performance_record.c.id)) == []


async def test_roles_scope_and_key(app):
    for role in ("discipline_officer", "auditor", "petitions_staff", "cadre"):
        assert (await app.client.post(URL, json=body(), headers=app.hk(role))).status_code == 403, role
    assert (await app.client.post(URL, json=body(), headers=app.h("org_admin"))).status_code == 422
    outside = await app.client.post(URL, json=body(), headers=app.hk("assessor", unit="health"))
    assert outside.status_code == 404 and outside.json()["rule"] == "scope.cadre"
    assert await app.rows(select(orm.performance_record.c.id)) == []
