"""POST /awards/history: past awards and their revocations recorded as past facts (SQLite and PostgreSQL, real NATS)."""

from __future__ import annotations

from sqlalchemy import select

from services.appraisal.adapters import orm

URL = "/api/v1/awards/history"


def body(**over) -> dict:
    values = {
        "cadre_id": "c-fin-4",
        "type": "COMMENDATION",
        "granted_on": "2018-03-05",
        "year": 2017,
        "document_no": "财奖字〔2018〕5号",
        "source": "PAPER_RECORD",
    }
    values.update(over)
    return values


async def index_components(app, cadre: str, period: str) -> dict:
    r = await app.client.get(
        f"/api/v1/accountability-index/{cadre}", params={"period_key": period}, headers=app.h("org_admin")
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    return {c["source"]: c["ref_ids"] for c in items[0]["components"]} if items else {}


async def test_a_past_award_is_granted_on_its_real_date_with_its_provenance_and_the_live_event(app):
    response = await app.client.post(
        URL,
        json=body(),
        headers={**app.auth.headers("org_admin", unit="city", subject="admin-7"), "Idempotency-Key": "k-award-1"},
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["outcome"] == "RECORDED"
    award = (await app.client.get(f"/api/v1/awards/{answer['award_id']}", headers=app.h("assessor"))).json()
    assert (award["status"], award["granted_on"], award["proposed_on"], award["year"], award["basis"]) == (
        "GRANTED",
        "2018-03-05",
        "2018-03-05",
        2017,
        "DEED",
    )
    assert (award["source"], award["document_no"], award["recorded_by"]) == (
        "PAPER_RECORD",
        "财奖字〔2018〕5号",
        "admin-7",
    )
    assert await app.outbox("award_granted") == [
        {
            "awardId": answer["award_id"],
            "cadreId": "c-fin-4",
            "type": "COMMENDATION",
            "basis": "DEED",
            "year": 2017,
            "grantedOn": "2018-03-05",
        }
    ]
    assert await app.outbox("award_revoked") == []
    # as-of reads see it from its real grant date, not from the day it was typed in
    before = (
        await app.client.get(
            "/api/v1/dossier-parts/appraisal/c-fin-4", params={"as_of": "2018-03-04"}, headers=app.h("org_admin")
        )
    ).json()
    after = (
        await app.client.get(
            "/api/v1/dossier-parts/appraisal/c-fin-4", params={"as_of": "2018-03-05"}, headers=app.h("org_admin")
        )
    ).json()
    assert before["awards"] == []
    assert [(a["id"], a["status"], a["granted_on"]) for a in after["awards"]] == [
        (answer["award_id"], "GRANTED", "2018-03-05")
    ]
    # the accountability index counts it in the quarter of its real grant, not in the quarter it was recorded
    await app.recompute()
    assert answer["award_id"] in (await index_components(app, "c-fin-4", "2018-Q1")).get("AWARDS", [])
    assert not (await index_components(app, "c-fin-4", "2026-Q1")).get("AWARDS")
    # incentive coverage counts it in the year of its real grant
    coverage = {
        year: (
            await app.client.get(
                "/api/v1/incentive-coverage",
                params={"org_unit_id": "finance", "year": year},
                headers=app.h("org_admin"),
            )
        ).json()["by_kind"]
        for year in (2018, 2026)
    }
    assert coverage == {2018: {"AWARD": 1}, 2026: {}}
    audit = await app.rows(select(orm.audit_log.c.action).where(orm.audit_log.c.object_id == answer["award_id"]))
    assert audit == [("HISTORY_RECORDED",)]


async def test_the_same_again_changes_nothing_and_a_correction_supersedes_keeping_both(app):
    first = (await app.client.post(URL, json=body(), headers=app.hk("org_admin"))).json()
    # the 文号 typed with other whitespace is the same fact (compared after NFKC, without whitespace)
    again = await app.client.post(URL, json=body(document_no=" 财奖字〔2018〕5号 "), headers=app.hk("org_admin"))
    assert again.status_code == 201 and again.json() == first | {"outcome": "UNCHANGED"}
    assert len(await app.outbox("award_granted")) == 1
    corrected = await app.client.post(
        URL,
        json=body(granted_on="2018-03-06", revoked_on="2020-06-01", revoke_reason="受到记过处分"),
        headers=app.hk("org_admin"),
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["outcome"] == "CORRECTED" and corrected.json()["award_id"] == first["award_id"]
    assert [e["grantedOn"] for e in await app.outbox("award_granted")] == ["2018-03-05", "2018-03-06"]
    assert [(e["awardId"], e["revokedOn"], e["reason"]) for e in await app.outbox("award_revoked")] == [
        (first["award_id"], "2020-06-01", "受到记过处分")
    ]
    r = orm.past_fact_record
    records = await app.rows(
        select(r.c.id, r.c.supersedes, r.c.fact).where(r.c.object_id == first["award_id"]).order_by(r.c.recorded_at)
    )
    assert [(x.id, x.supersedes, x.fact["revoked_on"]) for x in records] == [
        (first["id"], None, None),
        (corrected.json()["id"], first["id"], "2020-06-01"),
    ]
    award = (await app.client.get(f"/api/v1/awards/{first['award_id']}", headers=app.h("org_admin"))).json()
    assert (award["status"], award["granted_on"], award["revoked_on"]) == ("REVOKED", "2018-03-06", "2020-06-01")
    # a revoked award stops counting in the index (as a live revocation)
    await app.recompute()
    assert (await index_components(app, "c-fin-4", "2018-Q1")).get("AWARDS") == []


async def test_an_award_recorded_as_revoked_emits_the_grant_and_the_revocation(app):
    response = await app.client.post(
        URL, json=body(type="MERIT_3", revoked_on="2019-01-10", revoke_reason="撤销"), headers=app.hk("org_admin")
    )
    assert response.status_code == 201, response.text
    assert [e["grantedOn"] for e in await app.outbox("award_granted")] == ["2018-03-05"]
    assert [e["revokedOn"] for e in await app.outbox("award_revoked")] == ["2019-01-10"]


async def test_dates_in_the_future_before_entry_or_out_of_order_are_refused_naming_the_rule(app):
    cases = [
        (body(granted_on="2026-01-13"), "award_history.granted_on", "granted_on"),  # today is 2026-01-12
        (body(revoked_on="2026-02-01", revoke_reason="x"), "award_history.revoked_on", "revoked_on"),
        (body(granted_on="2009-12-31", year=2009), "award_history.granted_on", "granted_on"),  # entry 2010-01-01
        (body(revoked_on="2018-03-04", revoke_reason="x"), "award_history.revoked_on", "revoked_on"),
        (body(revoked_on="2019-01-01"), "award.revoke_reason", "revoke_reason"),
        (body(year=2019), "award_history.year", "year"),
    ]
    for payload, rule, field in cases:
        response = await app.client.post(URL, json=payload, headers=app.hk("org_admin"))
        assert response.status_code == 422, (rule, response.text)
        assert (response.json()["rule"], response.json()["field"]) == (rule, field)
    for payload, field in (
        (body(source="RUMOUR"), "source"),
        (body(extra=1), "extra"),
        (body(document_no=""), "document_no"),
    ):
        response = await app.client.post(URL, json=payload, headers=app.hk("org_admin"))
        assert response.status_code == 422, response.text
        assert any(field in (e.get("field") or "") for e in response.json()["errors"]), response.json()
    assert await app.outbox("award_granted") == []


async def test_only_an_org_admin_records_in_scope_with_a_key(app):
    for role in ("assessor", "discipline_officer", "auditor", "petitions_staff"):
        assert (await app.client.post(URL, json=body(), headers=app.hk(role))).status_code == 403, role
    assert (await app.client.post(URL, json=body(), headers=app.h("org_admin"))).status_code == 422
    outside = await app.client.post(URL, json=body(), headers=app.hk("org_admin", unit="health"))
    assert outside.status_code == 404 and outside.json()["rule"] == "scope.cadre"
    assert await app.outbox("award_granted") == []


async def test_the_past_fact_routes_refuse_malformed_json_wrong_types_and_client_chosen_fields(app):
    goods = {
        URL: body(),
        "/api/v1/talks/history": {
            "cadre_id": "c-fin-4",
            "type": "REMINDER",
            "held_on": "2019-04-10",
            "source": "IMPORT",
        },
        "/api/v1/performance-records/history": {
            "cadre_id": "c-fin-4",
            "occurred_on": "2018-08-20",
            "category": "KEY_TASK",
            "title": "t",
            "verified_on": "2018-09-03",
            "source": "IMPORT",
        },
    }
    for url, good in goods.items():
        malformed = await app.client.post(
            url, content=b'{"cadre_id": ', headers={**app.hk("org_admin"), "Content-Type": "application/json"}
        )
        assert malformed.status_code == 400 and malformed.json()["type"].endswith("malformed-json"), url
        for field, value in (
            ("cadre_id", {"nested": [1]}),
            ("source", 3),
            ("status", "GRANTED"),
            ("id", "x"),
            ("recorded_by", "someone-else"),
        ):
            response = await app.client.post(url, json={**good, field: value}, headers=app.hk("org_admin"))
            assert response.status_code == 422, (url, field, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert field in {e["field"].split(".")[0] for e in response.json()["errors"]}, (url, field)
    assert await app.rows(select(orm.past_fact_record.c.id)) == []
