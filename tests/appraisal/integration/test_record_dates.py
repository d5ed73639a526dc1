"""Implausible record dates (issue 11 item 8): before the cadre's birth (from the directory) or before 1900 → 422
naming the rule or field. The directory holds no entry date, so "before entry" is not checked here."""

from __future__ import annotations

import datetime as dt


async def post_record(app, on: str):
    return await app.client.post("/api/v1/performance-records", headers=app.hk("assessor", "finance", None),
                                 json={"cadre_id": "c-fin-2", "occurred_on": on, "category": "KEY_TASK",
                                       "title": "work", "quantity": 1, "evidence_refs": ["doc-1"]})


async def test_a_record_before_the_cadres_birth_is_refused_by_rule(app):
    app.at(dt.date(2026, 3, 20))
    refused = await post_record(app, "1992-05-31")  # c-fin-2 was born on 1992-06-01
    assert refused.status_code == 422, refused.text
    assert refused.json()["rule"] == "performance_record.occurred_on"
    assert (await post_record(app, "1992-06-01")).status_code == 201


async def test_a_record_from_1800_is_refused_by_field(app):
    app.at(dt.date(2026, 3, 20))
    refused = await post_record(app, "1800-01-01")
    assert refused.status_code == 422, refused.text
    assert "occurred_on" in {e["field"] for e in refused.json()["errors"]}
