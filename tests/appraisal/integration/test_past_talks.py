"""POST /talks/history: talks held in the past recorded as past facts (SQLite and PostgreSQL, real NATS)."""

from __future__ import annotations

from sqlalchemy import select

from services.appraisal.adapters import orm

URL = "/api/v1/talks/history"


def body(**over) -> dict:
    values = {
        "cadre_id": "c-fin-4",
        "type": "ADMONISHMENT",
        "held_on": "2019-04-10",
        "reason": "履职不力",
        "notes": "诫勉谈话，限期整改",
        "document_no": "纪诫〔2019〕2号",
        "source": "PERSONNEL_FILE",
    }
    values.update(over)
    return values


async def test_a_past_admonishment_is_held_on_its_real_date_with_its_provenance_and_the_live_event(app):
    response = await app.client.post(
        URL,
        json=body(),
        headers={
            **app.auth.headers("discipline_officer", unit="city", subject="disc-2"),
            "Idempotency-Key": "k-talk-1",
        },
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["outcome"] == "RECORDED"
    talk = (await app.client.get(f"/api/v1/talks/{answer['talk_id']}", headers=app.h("assessor"))).json()
    assert (talk["status"], talk["held_on"], talk["scheduled_on"], talk["reason_ref"], talk["outcome"]) == (
        "HELD",
        "2019-04-10",
        "2019-04-10",
        "履职不力",
        "诫勉谈话，限期整改",
    )
    assert (talk["source"], talk["document_no"], talk["recorded_by"], talk["reply_due_on"]) == (
        "PERSONNEL_FILE",
        "纪诫〔2019〕2号",
        "disc-2",
        None,
    )
    assert await app.outbox("admonishment_issued") == [
        {"talkId": answer["talk_id"], "cadreId": "c-fin-4", "issuedOn": "2019-04-10", "reason": "履职不力"}
    ]
    # as of a date, the dossier sees it from the day it was held, not from the day it was typed in
    before = (
        await app.client.get(
            "/api/v1/dossier-parts/appraisal/c-fin-4", params={"as_of": "2019-04-09"}, headers=app.h("org_admin")
        )
    ).json()
    after = (
        await app.client.get(
            "/api/v1/dossier-parts/appraisal/c-fin-4", params={"as_of": "2019-04-10"}, headers=app.h("org_admin")
        )
    ).json()
    assert before["talks"] == []
    assert [(t["id"], t["type"], t["status"], t["held_on"]) for t in after["talks"]] == [
        (answer["talk_id"], "ADMONISHMENT", "HELD", "2019-04-10")
    ]
    # no reply is awaited years later: the talk is not overdue
    overdue = (await app.client.get("/api/v1/talks/overdue", headers=app.h("org_admin"))).json()["items"]
    assert answer["talk_id"] not in [t["id"] for t in overdue]


async def test_the_same_again_changes_nothing_and_a_correction_supersedes_keeping_both(app):
    first = (await app.client.post(URL, json=body(type="REMINDER"), headers=app.hk("assessor"))).json()
    again = await app.client.post(URL, json=body(type="REMINDER"), headers=app.hk("org_admin"))
    assert again.status_code == 201 and again.json() == first | {"outcome": "UNCHANGED"}
    corrected = await app.client.post(URL, json=body(type="REMINDER", notes="提醒谈话"), headers=app.hk("assessor"))
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["outcome"] == "CORRECTED" and corrected.json()["talk_id"] == first["talk_id"]
    r = orm.past_fact_record
    records = await app.rows(
        select(r.c.id, r.c.supersedes, r.c.fact).where(r.c.object_id == first["talk_id"]).order_by(r.c.recorded_at)
    )
    assert [(x.id, x.supersedes, x.fact["notes"]) for x in records] == [
        (first["id"], None, "诫勉谈话，限期整改"),
        (corrected.json()["id"], first["id"], "提醒谈话"),
    ]
    talk = (await app.client.get(f"/api/v1/talks/{first['talk_id']}", headers=app.h("org_admin"))).json()
    assert talk["outcome"] == "提醒谈话"
    assert await app.outbox("admonishment_issued") == []  # only a held 诫勉 is announced, as live


async def test_dates_in_the_future_or_before_entry_are_refused_naming_the_rule(app):
    cases = [
        (body(held_on="2026-01-13"), "talk_history.held_on"),  # today is 2026-01-12
        (body(held_on="2009-12-31"), "talk_history.held_on"),  # entry 2010-01-01
    ]
    for payload, rule in cases:
        response = await app.client.post(URL, json=payload, headers=app.hk("org_admin"))
        assert response.status_code == 422, response.text
        assert (response.json()["rule"], response.json()["field"]) == (rule, "held_on")
    for payload, field in (
        (body(type="GOSSIP"), "type"),
        (body(source="RUMOUR"), "source"),
        (body(scheduled_on="2019-04-01"), "scheduled_on"),
    ):
        response = await app.client.post(URL, json=payload, headers=app.hk("org_admin"))
        assert response.status_code == 422, response.text
        assert any(field in (e.get("field") or "") for e in response.json()["errors"]), response.json()
    assert await app.outbox("admonishment_issued") == []


async def test_roles_scope_and_key(app):
    for role in ("auditor", "petitions_staff", "cadre"):
        assert (await app.client.post(URL, json=body(type="REMINDER"), headers=app.hk(role))).status_code == 403
    denied = await app.client.post(URL, json=body(), headers=app.hk("assessor"))  # 诫勉 is not the assessor's
    assert denied.status_code == 403 and denied.json()["rule"] == "talk.admonishment_roles"
    assert (await app.client.post(URL, json=body(), headers=app.h("org_admin"))).status_code == 422
    outside = await app.client.post(URL, json=body(), headers=app.hk("org_admin", unit="health"))
    assert outside.status_code == 404 and outside.json()["rule"] == "scope.cadre"
    assert await app.outbox("admonishment_issued") == []
