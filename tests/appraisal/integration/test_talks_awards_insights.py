"""Talks and the overdue list, recurring schedules, bonus allocation, incentive coverage, dossier and dashboard parts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kernel.contracts import rank_v1
from kernel.contracts.vocabulary import ChangeBasis, RankSeries
from services.appraisal.adapters import orm
from services.appraisal.service_layer.talks import materialize_schedules
from tests.appraisal.integration.test_assessments_api import open_for, propose, self_summary

D = dt.date


async def test_admonishment_is_held_by_org_admin_or_discipline_only_and_emits_admonishment_issued(app):
    body = {
        "type": "ADMONISHMENT",
        "cadre_id": "c-fin-2",
        "scheduled_on": "2026-01-12",
        "reason_ref": "BASIC_GRADE_2025",
    }
    r = await app.client.post("/api/v1/talks", headers=app.hk("assessor", "finance"), json=body)
    assert r.status_code == 403 and r.json()["rule"] == "talk.admonishment_roles"
    r = await app.client.post("/api/v1/talks", headers=app.hk("discipline_officer", "city"), json=body)
    tid = r.json()["id"]
    r = await app.client.post(
        f"/api/v1/talks/{tid}/record",
        headers=app.h("discipline_officer", "city"),
        json={"held_on": "2026-01-12", "minutes_ref": "m-1"},
    )
    assert r.json() == {"id": tid, "status": "HELD", "version": 2, "reply_due_on": "2026-01-26"}  # 10 working days
    assert [(e["talkId"], e["cadreId"], e["reason"]) for e in await app.outbox("admonishment_issued")] == [
        (tid, "c-fin-2", "BASIC_GRADE_2025")
    ]
    r = await app.client.post(
        f"/api/v1/talks/{tid}/record", headers=app.h("discipline_officer", "city"), json={"held_on": "2026-01-12"}
    )
    assert r.status_code == 409


async def test_inquiry_replies_are_due_in_working_days_and_overdue_ones_are_listed(app):
    r = await app.client.post(
        "/api/v1/talks",
        headers=app.hk("assessor", "finance"),
        json={"type": "INQUIRY_LETTER", "cadre_id": "c-fin-4", "scheduled_on": "2026-01-12"},
    )
    tid = r.json()["id"]
    r = await app.client.post(
        f"/api/v1/talks/{tid}/record", headers=app.h("assessor", "finance"), json={"held_on": "2026-01-12"}
    )
    due = r.json()["reply_due_on"]
    assert due == "2026-02-02"  # 15 working days
    app.at(D(2026, 2, 5))
    overdue = (await app.client.get("/api/v1/talks/overdue", headers=app.h("org_admin", "city"))).json()["items"]
    assert [(o["id"], o["days_overdue"]) for o in overdue] == [(tid, 3)]
    assert (await app.client.get("/api/v1/talks/overdue", headers=app.h("assessor", "health"))).json()["items"] == []
    r = await app.client.post(
        f"/api/v1/talks/{tid}/reply", headers=app.h("cadre", None, "c-fin-4"), json={"reply_ref": "letter-1"}
    )
    assert r.json()["status"] == "REPLIED"
    assert (await app.client.get("/api/v1/talks/overdue", headers=app.h("org_admin", "city"))).json()["items"] == []


async def test_a_talk_is_not_recorded_as_held_before_its_scheduled_day_nor_on_a_day_to_come(app):
    r = await app.client.post(
        "/api/v1/talks",
        headers=app.hk("assessor", "finance"),
        json={"type": "HEART_TO_HEART", "cadre_id": "c-fin-4", "scheduled_on": "2026-01-13"},
    )
    tid = r.json()["id"]  # scheduled for tomorrow (the app's today is 2026-01-12)
    r = await app.client.post(
        f"/api/v1/talks/{tid}/record", headers=app.h("assessor", "finance"), json={"held_on": "2026-01-12"}
    )
    assert (r.status_code, r.json()["rule"]) == (422, "talk.held_before_scheduled")
    r = await app.client.post(
        f"/api/v1/talks/{tid}/record", headers=app.h("assessor", "finance"), json={"held_on": "2026-01-13"}
    )
    assert (r.status_code, r.json()["rule"]) == (422, "talk.held_on")
    app.at(D(2026, 1, 13))
    r = await app.client.post(
        f"/api/v1/talks/{tid}/record", headers=app.h("assessor", "finance"), json={"held_on": "2026-01-13"}
    )
    assert r.status_code == 200 and r.json()["status"] == "HELD"


async def test_recurring_schedules_create_talks_once(app):
    r = await app.client.post(
        "/api/v1/talks/schedules",
        headers=app.hk("org_admin", "city"),
        json={
            "cadre_id": "c-fin-1",
            "type": "HEART_TO_HEART",
            "reason": "TOP_LEADER",
            "every_months": 6,
            "first_on": "2026-02-01",
        },
    )
    assert r.status_code == 201, r.text
    r = await app.client.post(
        "/api/v1/talks/schedules",
        headers=app.hk("org_admin", "city"),
        json={
            "cadre_id": "c-fin-1",
            "type": "ADMONISHMENT",
            "reason": "TOP_LEADER",
            "every_months": 6,
            "first_on": "2026-02-01",
        },
    )
    assert r.status_code == 422
    assert await materialize_schedules(app.runtime.uow(), today=D(2026, 1, 20)) == 1
    assert await materialize_schedules(app.runtime.uow(), today=D(2026, 1, 20)) == 0
    talks = (
        await app.client.get("/api/v1/talks", params={"cadre_id": "c-fin-1"}, headers=app.h("org_admin", "city"))
    ).json()["items"]
    assert [(t["type"], t["scheduled_on"], t["reason_ref"]) for t in talks] == [
        ("HEART_TO_HEART", "2026-02-01", "schedule/TOP_LEADER")
    ]
    nxt = await app.scalar(select(orm.talk_schedule.c.next_on))
    assert nxt == D(2026, 8, 1)


async def decide(app, cadre: str, grade: str) -> None:
    aid = await open_for(app, cadre)
    await self_summary(app, aid, cadre)
    r = await propose(app, aid, grade)
    assert r.status_code == 200, r.text
    if grade == "EXCELLENT":
        await app.client.post(f"/api/v1/assessments/{aid}/publicity", headers=app.h("assessor", "finance"))
        app.at(D(2026, 1, 21))
    r = await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    assert r.status_code == 200, r.text


async def test_bonus_allocation_by_grade_is_explained_per_person(app):
    await app.client.put(
        "/api/v1/assessment-years/finance/2025",
        headers=app.h("org_admin", "city"),
        json={"excellent_quota_pct": 25, "quota_raise_approved": True, "approval_ref": "ok"},
    )
    await open_for(app, "c-fin-5")
    await open_for(app, "c-fin-4")
    await decide(app, "c-fin-2", "BASIC")
    await decide(app, "c-fin-1", "EXCELLENT")
    r = await app.client.post(
        "/api/v1/bonus-allocations",
        headers=app.hk("org_admin", "city"),
        json={"org_unit_id": "finance", "year": 2025, "pool_cents": 1_000_001},
    )
    assert r.status_code == 201, r.text
    alloc = (
        await app.client.get(f"/api/v1/bonus-allocations/{r.json()['id']}", headers=app.h("auditor", "city"))
    ).json()
    lines = {line["cadre_id"]: line for line in alloc["lines"]}
    assert sum(line["amount_cents"] for line in alloc["lines"]) == 1_000_001
    assert lines["c-fin-1"]["amount_cents"] == 1_000_001 and "EXCELLENT" in lines["c-fin-1"]["explanation"]
    assert lines["c-fin-2"]["amount_cents"] == 0 and "BASIC" in lines["c-fin-2"]["explanation"]
    assert "no final grade" in lines["c-fin-4"]["explanation"]
    assert set(lines) == {"c-fin-1", "c-fin-2", "c-fin-3", "c-fin-4", "c-fin-5"}  # the subtree
    r = await app.client.get(f"/api/v1/bonus-allocations/{r.json()['id']}", headers=app.h("org_admin", "health"))
    assert r.status_code == 404
    r = await app.client.post(
        "/api/v1/bonus-allocations",
        headers=app.hk("org_admin", "health"),
        json={"org_unit_id": "finance", "year": 2025, "pool_cents": 100},
    )
    assert r.status_code == 404


async def test_incentive_coverage_shows_who_is_left_out_and_the_gateway_parts(app):
    await app.client.put(
        "/api/v1/assessment-years/finance/2025",
        headers=app.h("org_admin", "city"),
        json={"excellent_quota_pct": 25, "quota_raise_approved": True, "approval_ref": "ok"},
    )
    for other in ("c-fin-2", "c-fin-4", "c-fin-5"):
        await open_for(app, other)
    await decide(app, "c-fin-1", "EXCELLENT")
    r = await app.client.post(
        "/api/v1/incentive-coverage/records",
        headers=app.hk("org_admin", "city"),
        json={"cadre_id": "c-fin-3", "kind": "TRAINING", "on_date": "2025-10-10"},
    )
    assert r.status_code == 201
    await app.publish(
        rank_v1.RankChanged(
            holding_id="rh-1",
            cadre_id="c-fin-5",
            series=RankSeries.COMPREHENSIVE,
            from_rank="C10",
            to_rank="C09",
            basis=ChangeBasis.PROMOTION,
            effective_date=D(2025, 7, 1),
        )
    )
    await app.applied(1, "rank")
    cov = (
        await app.client.get(
            "/api/v1/incentive-coverage",
            params={"org_unit_id": "finance", "year": 2025},
            headers=app.h("assessor", "finance"),
        )
    ).json()
    assert (cov["total"], cov["covered"], cov["left_out"], cov["share"]) == (5, 3, 2, 60.0)
    assert cov["by_kind"] == {"EXCELLENT": 1, "TRAINING": 1, "PROMOTION": 1}
    gender = {g["key"]: (g["total"], g["covered"]) for g in cov["breakdown"]["gender"]}
    assert gender == {"FEMALE": (2, 1), "MALE": (3, 2)}
    ages = {g["key"]: (g["total"], g["covered"]) for g in cov["breakdown"]["age_band"]}
    assert ages == {"<35": (1, 0), "35-44": (2, 2), "45-54": (1, 0), "55+": (1, 1)}
    post = {g["key"]: (g["total"], g["covered"]) for g in cov["breakdown"]["post_type"]}
    assert post == {"LEADERSHIP": (1, 1), "NON_LEADERSHIP": (4, 2)}
    assert {g["key"] for g in cov["breakdown"]["rank"]} == {"C07", "C08", "C09", "C10"}
    r = await app.client.get(
        "/api/v1/incentive-coverage", params={"org_unit_id": "finance"}, headers=app.h("assessor", "health")
    )
    assert r.status_code == 404

    app.at(D(2026, 3, 1))
    dash = (
        await app.client.get(
            "/api/v1/dashboard-parts/appraisal",
            params={"org_unit_id": "finance", "year": 2025},
            headers=app.h("org_admin", "city"),
        )
    ).json()
    assert dash["grade_distribution"] == {"EXCELLENT": 1, "PENDING": 3}
    assert dash["incentive_coverage"]["covered"] == 3

    part = await app.client.get(
        "/api/v1/dossier-parts/appraisal/c-fin-1",
        params={"as_of": "2026-02-01"},
        headers={**app.h("org_admin", "city"), "X-Purpose": "APPOINTMENT"},
    )
    body = part.json()
    assert [(g["year"], g["final_grade"]) for g in body["grades"]] == [(2025, "EXCELLENT")]
    assert [(a["type"], a["status"]) for a in body["awards"]] == [("COMMENDATION", "PROPOSED")]
    early = (
        await app.client.get(
            "/api/v1/dossier-parts/appraisal/c-fin-1",
            params={"as_of": "2026-01-01"},
            headers=app.h("org_admin", "city"),
        )
    ).json()
    assert early["grades"] == [] and early["awards"] == []
    audit = await app.rows(
        select(orm.audit_log.c.object_type, orm.audit_log.c.purpose).where(orm.audit_log.c.object_type == "dossier")
    )
    assert ("dossier", "APPOINTMENT") in [tuple(a) for a in audit]
    # S2: a cadre who is a relative never reads the dossier, even with a staff role.
    relative = app.auth.headers("org_admin", unit="city", cadre_id="c-fin-2")
    assert (await app.client.get("/api/v1/dossier-parts/appraisal/c-fin-1", headers=relative)).status_code == 404
    own = await app.client.get("/api/v1/dossier-parts/appraisal/c-fin-1", headers=app.h("cadre", None, "c-fin-1"))
    assert own.status_code == 200


async def test_a_third_excellent_in_a_row_proposes_a_third_class_merit_once(app):
    from kernel.db import utcnow

    now = utcnow()
    async with app.runtime.uow() as uow:
        for year in (2023, 2024):
            await uow.conn.execute(
                orm.annual_assessment.insert().values(
                    id=f"aa-{year}",
                    cadre_id="c-fin-1",
                    org_unit_id="finance",
                    org_path="/city/finance/",
                    year=year,
                    status="FINAL",
                    final_grade="EXCELLENT",
                    constraints_applied=[],
                    supplemented=False,
                    supplement_no_excellent=False,
                    amended=False,
                    decided_on=D(year + 1, 1, 15),
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
        await uow.commit()
    await app.client.put(
        "/api/v1/assessment-years/finance/2025",
        headers=app.h("org_admin", "city"),
        json={"excellent_quota_pct": 25, "quota_raise_approved": True, "approval_ref": "ok"},
    )
    for other in ("c-fin-2", "c-fin-4", "c-fin-5"):
        await open_for(app, other)
    await decide(app, "c-fin-1", "EXCELLENT")
    awards = (
        await app.client.get("/api/v1/awards", params={"cadre_id": "c-fin-1"}, headers=app.h("org_admin", "city"))
    ).json()["items"]
    assert sorted((a["type"], a["basis"], a["year"]) for a in awards) == [
        ("COMMENDATION", "ANNUAL_EXCELLENT", 2025),
        ("MERIT_3", "THREE_YEARS_EXCELLENT", 2025),
    ]


async def test_the_index_job_drains_the_queue(app):
    from services.appraisal import jobs

    app.at(D(2026, 3, 20))
    r = await app.client.post(
        "/api/v1/regular-assessments",
        headers=app.hk("assessor", "finance"),
        json={"cadre_id": "c-fin-2", "period_key": "2026-01", "result": "FAIRLY_GOOD"},
    )
    assert r.status_code == 201
    assert await jobs.recompute_index(app.runtime) == 1
    snap = (
        await app.client.get("/api/v1/accountability-index/c-fin-2", headers=app.h("cadre", None, "c-fin-2"))
    ).json()
    assert [(i["period_key"], i["total"]) for i in snap["items"]] == [("2026-Q1", 16.0)]  # 80 × 20 %
    assert await jobs.recompute_index(app.runtime) == 0


async def test_a_confirmed_false_accusation_counts_against_the_accusing_cadre(app):
    from kernel.contracts import petitions_v1 as pet

    await app.publish(
        pet.FalseAccusationConfirmed(
            case_id="fa-1",
            origin_report_id="r-1",
            victim_cadre_ids=["c-fin-1"],
            accuser_is_cadre=True,
            accuser_cadre_id="c-fin-4",
            confirmed_on=D(2026, 2, 1),
        )
    )
    await app.publish(
        pet.FalseAccusationConfirmed(
            case_id="fa-2",
            origin_report_id="r-2",
            victim_cadre_ids=["c-fin-1"],
            accuser_is_cadre=False,
            confirmed_on=D(2026, 2, 1),
        )
    )
    await app.applied(2, "petitions")
    assert await app.recompute() == 1
    snap = (await app.client.get("/api/v1/accountability-index/c-fin-4", headers=app.h("org_admin", "city"))).json()
    comps = {c["source"]: c for c in snap["items"][0]["components"]}
    assert comps["FALSE_ACCUSATION"]["ref_ids"] == ["fa-1"] and comps["FALSE_ACCUSATION"]["contribution"] == -15.0
