"""Implausible dates (issue 11 item 8): a performance record or a talk dated before the cadre's entry into service
(the directory's entry date, from rank's snapshots) or before 1900 → 422 naming the field and rule."""

from __future__ import annotations

import datetime as dt

# The fixture registers c-fin-2 born 1992-06-01, in service since 2010-01-01.


async def post_record(app, on: str):
    return await app.client.post(
        "/api/v1/performance-records",
        headers=app.hk("assessor", "finance", None),
        json={
            "cadre_id": "c-fin-2",
            "occurred_on": on,
            "category": "KEY_TASK",
            "title": "work",
            "quantity": 1,
            "evidence_refs": ["doc-1"],
        },
    )


async def test_a_record_before_the_cadres_entry_is_refused_by_rule(app):
    app.at(dt.date(2026, 3, 20))
    for before in ("1992-05-31", "2009-12-31"):  # before birth, before entry into service
        refused = await post_record(app, before)
        assert refused.status_code == 422, refused.text
        assert refused.json()["rule"] == "performance_record.occurred_on"
        assert refused.json()["field"] == "occurred_on" and before not in refused.text
    assert (await post_record(app, "2010-01-01")).status_code == 201


async def test_a_record_from_1800_is_refused_by_field(app):
    app.at(dt.date(2026, 3, 20))
    refused = await post_record(app, "1800-01-01")
    assert refused.status_code == 422, refused.text
    assert "occurred_on" in {e["field"] for e in refused.json()["errors"]}


async def test_a_talk_before_the_cadres_entry_is_refused(app):
    app.at(dt.date(2026, 3, 20))
    schedule = {"type": "REMINDER", "cadre_id": "c-fin-2"}
    early = await app.client.post(
        "/api/v1/talks", headers=app.hk("assessor", "finance", None), json={**schedule, "scheduled_on": "2009-06-01"}
    )
    assert early.status_code == 422, early.text
    assert early.json()["rule"] == "talk.scheduled_on" and early.json()["field"] == "scheduled_on"
    far = await app.client.post(
        "/api/v1/talks", headers=app.hk("assessor", "finance", None), json={**schedule, "scheduled_on": "9999-12-31"}
    )
    assert far.status_code == 422 and "scheduled_on" in {e["field"] for e in far.json()["errors"]}
    created = await app.client.post(
        "/api/v1/talks", headers=app.hk("assessor", "finance", None), json={**schedule, "scheduled_on": "2026-03-25"}
    )
    assert created.status_code == 201, created.text
    held = await app.client.post(
        f"/api/v1/talks/{created.json()['id']}/record",
        headers=app.hk("assessor", "finance", None),
        json={"held_on": "2009-01-05"},
    )
    assert held.status_code == 422, held.text
    assert held.json()["rule"] == "talk.held_on"
