"""Annual assessments through the API: the state machine, the quota, publicity, review, audit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from services.appraisal.adapters import orm

SCORES = {"DE": 90, "NENG": 85, "QIN": 88, "JI": 92, "LIAN": 95, "DANDANG": 96}
D = dt.date


async def open_for(app, cadre: str, year: int = 2025, role: str = "assessor", unit: str = "finance") -> str:
    r = await app.client.post("/api/v1/assessments", headers=app.hk(role, unit), json={"cadre_id": cadre, "year": year})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def self_summary(app, aid: str, cadre: str) -> None:
    r = await app.client.post(
        f"/api/v1/assessments/{aid}/self-summary", headers=app.h("cadre", None, cadre), json={"summary": "my year"}
    )
    assert r.status_code == 200, r.text


async def propose(app, aid: str, grade: str, reason: str | None = None, unit: str = "finance"):
    body = {"grade": grade, "comment": "leader comment", "indicators": SCORES}
    if reason:
        body["undetermined_reason"] = reason
    return await app.client.post(f"/api/v1/assessments/{aid}/proposal", headers=app.h("assessor", unit), json=body)


async def test_excellent_path_with_quota_publicity_notification_and_award_proposal(app):
    aid = await open_for(app, "c-fin-1")
    for other in ("c-fin-2", "c-fin-4", "c-fin-5"):
        await open_for(app, other)
    await self_summary(app, aid, "c-fin-1")
    # 4 assessed in finance: 20 % of 4 = 0.8 rounds down to 0; the minimum of one place (an agency of 3 or more
    # assessed, APPRAISAL_EXCELLENT_QUOTA_MIN_ONE_FROM) gives one.
    r = await propose(app, aid, "EXCELLENT")
    assert r.status_code == 200 and r.json()["status"] == "RULE_CHECKED", r.text
    r = await app.client.put(
        "/api/v1/assessment-years/finance/2025", headers=app.h("org_admin", "city"), json={"excellent_quota_pct": 25}
    )
    assert r.status_code == 422 and r.json()["rule"] == "assessment_year.quota_pct"
    r = await app.client.put(
        "/api/v1/assessment-years/finance/2025",
        headers=app.h("org_admin", "city"),
        json={"excellent_quota_pct": 25, "quota_raise_approved": True, "approval_ref": "人社-2026-3"},
    )
    assert r.status_code == 200, r.text
    r = await propose(app, aid, "EXCELLENT")
    assert r.status_code == 200 and r.json()["status"] == "RULE_CHECKED", r.text
    r = await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    assert r.status_code == 409, r.text  # 优秀 goes through publicity first
    r = await app.client.post(f"/api/v1/assessments/{aid}/publicity", headers=app.h("assessor", "finance"))
    assert r.json()["status"] == "PUBLICITY"
    r = await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    assert r.status_code == 422 and r.json()["rule"] == "assessment.publicity_running"
    app.at(D(2026, 1, 20))  # five working days later
    r = await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    assert r.status_code == 200 and r.json()["status"] == "DECIDED", r.text
    finalized = await app.outbox("grade_finalized")
    assert finalized == [
        {
            "assessmentId": aid,
            "cadreId": "c-fin-1",
            "orgUnitId": "finance",
            "year": 2025,
            "grade": "EXCELLENT",
            "supplemented": False,
            "amended": False,
            "undeterminedReason": None,
            "finalizedOn": "2026-01-20",
        }
    ]
    awards = (
        await app.client.get("/api/v1/awards", params={"cadre_id": "c-fin-1"}, headers=app.h("org_admin", "city"))
    ).json()["items"]
    assert [(a["type"], a["basis"], a["status"]) for a in awards] == [("COMMENDATION", "ANNUAL_EXCELLENT", "PROPOSED")]
    assert awards[0]["cadre_name"] == "c-fin-1"  # lists name their cadre (the directory's name; here the id)
    # A second 优秀 in the unit exceeds the raised quota (25 % of 4 = 1).
    listed = (
        await app.client.get(
            "/api/v1/assessments", params={"cadre_id": "c-fin-2"}, headers=app.h("assessor", "finance")
        )
    ).json()["items"]
    assert listed[0]["cadre_name"] == "c-fin-2"
    second = listed[0]["id"]
    await self_summary(app, second, "c-fin-2")
    assert (await propose(app, second, "EXCELLENT")).json()["rule"] == "assessment.excellent_quota"
    r = await app.client.post(f"/api/v1/assessments/{aid}/notification", headers=app.h("assessor", "finance"))
    assert r.json()["status"] == "NOTIFIED"
    r = await app.client.post(
        f"/api/v1/assessments/{aid}/acknowledgement", headers=app.h("cadre", None, "c-fin-1"), json={"opinion": "agree"}
    )
    assert r.json()["status"] == "ACKNOWLEDGED"
    audited = await app.scalar(
        select(func.count())
        .select_from(orm.audit_log)
        .where(orm.audit_log.c.object_type == "annual_assessment", orm.audit_log.c.object_id == aid)
    )
    assert audited >= 8  # every write and the reads above


async def test_incompetent_grade_review_is_requested_by_the_cadre_and_never_made_heavier(app):
    aid = await open_for(app, "c-fin-5")
    await self_summary(app, aid, "c-fin-5")
    assert (await propose(app, aid, "INCOMPETENT")).status_code == 200
    await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    await app.client.post(f"/api/v1/assessments/{aid}/notification", headers=app.h("assessor", "finance"))
    other = app.h("cadre", None, "c-fin-4")
    assert (await app.client.post(f"/api/v1/assessments/{aid}/review-request", headers=other)).status_code == 404
    app.at(D(2026, 2, 20))  # 39 days after notification
    r = await app.client.post(f"/api/v1/assessments/{aid}/review-request", headers=app.h("cadre", None, "c-fin-5"))
    assert r.status_code == 422 and r.json()["rule"] == "assessment.review_window"
    app.at(D(2026, 2, 5))
    r = await app.client.post(f"/api/v1/assessments/{aid}/review-request", headers=app.h("cadre", None, "c-fin-5"))
    assert r.json()["status"] == "UNDER_REVIEW", r.text
    r = await app.client.post(
        f"/api/v1/assessments/{aid}/review-decision", headers=app.h("assessor", "finance"), json={"grade": "BASIC"}
    )
    assert r.json()["status"] == "REVIEWED"
    grades = [(e["grade"], e["amended"]) for e in await app.outbox("grade_finalized")]
    assert grades == [("INCOMPETENT", False), ("BASIC", True)]


async def test_bad_input_is_a_problem_naming_the_field_or_rule(app):
    aid = await open_for(app, "c-fin-2")
    h = app.h("assessor", "finance")
    r = await app.client.post(
        f"/api/v1/assessments/{aid}/proposal", headers=h, json={"grade": "SUPERB", "comment": "x", "indicators": SCORES}
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == "grade" for e in r.json()["errors"])
    r = await app.client.post(
        f"/api/v1/assessments/{aid}/proposal",
        headers=h,
        json={"grade": "COMPETENT", "comment": "x", "indicators": SCORES, "status": "DECIDED"},
    )
    assert r.status_code == 422 and any(e["field"] == "status" for e in r.json()["errors"])
    r = await app.client.post(
        f"/api/v1/assessments/{aid}/proposal", headers={**h, "content-type": "application/json"}, content=b"{not json"
    )
    assert r.status_code == 400 and r.json()["type"].endswith("malformed-json")
    r = await propose(app, aid, "COMPETENT")  # the cadre has not submitted the self-summary
    assert r.status_code == 409 and r.json()["rule"] == "assessment.transition"
    r = await app.client.post(
        "/api/v1/assessments", headers=app.hk("assessor", "finance"), json={"cadre_id": "c-nobody", "year": 2025}
    )
    assert r.status_code == 404 and r.json()["rule"] == "scope.cadre"
    r = await app.client.post(
        "/api/v1/assessments", headers=app.hk("assessor", "finance"), json={"cadre_id": "c-fin-2", "year": 2025}
    )
    assert r.status_code == 409 and r.json()["rule"] == "assessment.one_per_year"
    r = await app.client.post(
        "/api/v1/assessments", headers=app.h("assessor", "finance"), json={"cadre_id": "c-fin-4", "year": 2025}
    )
    assert r.status_code == 422  # Idempotency-Key is required on creation
    await self_summary(app, aid, "c-fin-2")
    r = await app.client.post(
        f"/api/v1/assessments/{aid}/proposal",
        headers=h,
        json={"grade": "COMPETENT", "comment": "x", "indicators": {**SCORES, "DANDANG": 120}},
    )
    assert r.status_code == 422 and r.json()["rule"] == "assessment.form_indicators"


async def test_an_idempotent_retry_returns_the_first_answer(app):
    headers = app.hk("assessor", "finance")
    first = await app.client.post("/api/v1/assessments", headers=headers, json={"cadre_id": "c-fin-4", "year": 2025})
    again = await app.client.post("/api/v1/assessments", headers=headers, json={"cadre_id": "c-fin-4", "year": 2025})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    count = await app.scalar(select(func.count()).select_from(orm.annual_assessment))
    assert count == 1


async def test_regular_assessments_are_recorded_once_per_period(app):
    body = {"cadre_id": "c-fin-2", "period_key": "2025-Q4", "result": "GOOD"}
    r = await app.client.post("/api/v1/regular-assessments", headers=app.hk("assessor", "finance"), json=body)
    assert r.status_code == 201
    r = await app.client.post("/api/v1/regular-assessments", headers=app.hk("assessor", "finance"), json=body)
    assert r.status_code == 409 and r.json()["rule"] == "regular_assessment.one_per_period"
    r = await app.client.post(
        "/api/v1/regular-assessments", headers=app.hk("assessor", "finance"), json={**body, "period_key": "2025-13"}
    )
    assert r.status_code == 422
    mine = await app.client.get("/api/v1/regular-assessments", headers=app.h("cadre", None, "c-fin-2"))
    assert [i["period_key"] for i in mine.json()["items"]] == ["2025-Q4"]
    theirs = await app.client.get("/api/v1/regular-assessments", headers=app.h("cadre", None, "c-fin-1"))
    assert theirs.json()["items"] == []
