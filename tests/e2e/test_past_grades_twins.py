"""Twins (issue 12 item 1): past grades recorded through POST /assessments/history count in rank exactly as the same
grades decided live (rank and appraisal on SQLite/PostgreSQL, real NATS between them).

Cadres A and B are registered in rank with the same rank history. B's grades of four years happen live
(open → self-summary → proposal → publicity for 优秀 → decision → notification), appraisal's `today` moved to each
step's date. A's same grades are then recorded as past facts with B's real dates (one of them first recorded wrongly
and corrected). Rank's eligibility of A and B must then be identical except the ids, on every date asked.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from contextlib import AsyncExitStack
from typing import Any

from sqlalchemy import select

from kernel.deps import today
from kernel.testing.helpers import eventually, running, settings_for
from services.appraisal.main import create_app as appraisal_app
from services.appraisal.settings import AppraisalSettings
from services.rank.adapters import orm as rank_orm
from services.rank.main import create_app as rank_app
from services.rank.settings import RankSettings

SCORES = {"DE": 90, "NENG": 85, "QIN": 88, "JI": 92, "LIAN": 95, "DANDANG": 96}
GRADES = {2017: "EXCELLENT", 2018: "COMPETENT", 2019: "EXCELLENT", 2020: "BASIC"}
AS_OF = ("2018-01-10", "2018-06-30", "2019-03-01", "2020-02-01", "2020-06-30", "2021-06-30", "2022-06-30")


def _idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _first_monday(year: int) -> dt.date:
    day = dt.date(year, 1, 2)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


async def _ok(client: Any, method: str, url: str, headers: dict, status: int = 200, **kw: Any) -> Any:
    response = await client.request(method, url, headers=headers, **kw)
    assert response.status_code == status, (method, url, response.status_code, response.text)
    return response.json()


async def test_recorded_past_grades_count_in_rank_exactly_as_live_ones(fresh_db, nats_url, events_ns, test_auth):
    clock = {"today": dt.date(2017, 6, 1)}

    async def fixed_today() -> dt.date:
        return clock["today"]

    async with AsyncExitStack() as stack:
        rank_application = rank_app(
            settings_for(
                RankSettings,
                database_url=await fresh_db("rank"),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
            )
        )
        rank = await stack.enter_async_context(running(rank_application))
        application = appraisal_app(
            settings_for(
                AppraisalSettings,
                database_url=await fresh_db("appraisal"),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
                index_job_interval_s=3600.0,
                talk_schedule_job_interval_s=3600.0,
                # B is the only assessed cadre of its agency in each live year: one 优秀 place from one staff
                excellent_quota_min_one_from=1,
            )
        )
        application.dependency_overrides[today] = fixed_today
        appraisal = await stack.enter_async_context(running(application))

        admin = test_auth.headers("org_admin", unit="city", subject="admin-city")
        assessor = test_auth.headers("assessor", unit="city", subject="assessor-city")
        for code, level, parent in (("city", "CITY_LEADERSHIP", None), ("finance", "MUNICIPAL_AGENCY", "city")):
            await _ok(
                rank,
                "POST",
                "/api/v1/org-units",
                {**admin, **_idem()},
                201,
                json={"code": code, "name": code, "agency_level": level, "parent_id": parent},
            )
        ids = {}
        for twin in ("A", "B"):
            ids[twin] = (
                await _ok(
                    rank,
                    "POST",
                    "/api/v1/cadres",
                    {**admin, **_idem()},
                    201,
                    json={
                        "name": f"Twin {twin}",
                        "gender": "MALE",
                        "birth_date": "1985-03-02",
                        "entry_date": "2008-07-01",
                        "org_unit_id": "finance",
                        "category": "COMPREHENSIVE",
                        "party_member": True,
                        "education": "BACHELOR",
                    },
                )
            )["id"]
            await _ok(
                rank,
                "POST",
                f"/api/v1/cadres/{ids[twin]}/rank-holdings",
                {**admin, **_idem()},
                201,
                json={"rank_code": "C11", "since": "2013-07-01", "basis": "INITIAL"},
            )
            await _ok(
                rank,
                "POST",
                f"/api/v1/cadres/{ids[twin]}/rank-holdings",
                {**admin, **_idem()},
                201,
                json={"rank_code": "C10", "since": "2016-09-01", "basis": "PROMOTION"},
            )
        a, b = ids["A"], ids["B"]

        async def appraisal_knows_the_twins() -> None:
            for cadre_id in (a, b):
                await _ok(appraisal, "GET", "/api/v1/assessments", admin, params={"cadre_id": cadre_id})

        await eventually(appraisal_knows_the_twins, timeout=30, interval=0.2)

        async def eligibility(cadre_id: str) -> list[dict]:
            return [
                await _ok(rank, "GET", f"/api/v1/eligibility/{cadre_id}", admin, params={"as_of": day}) for day in AS_OF
            ]

        without_grades = await eligibility(a)

        # -- B: the grades happen live, each step on its own date ---------------------------------------
        cadre_b = test_auth.headers("cadre", unit="finance", cadre_id=b, subject=f"cadre-{b}")
        live: dict[int, dict] = {}
        for year, grade in GRADES.items():
            clock["today"] = start = _first_monday(year + 1)
            aid = (
                await _ok(
                    appraisal,
                    "POST",
                    "/api/v1/assessments",
                    {**assessor, **_idem()},
                    201,
                    json={"cadre_id": b, "year": year},
                )
            )["id"]
            await _ok(
                appraisal, "POST", f"/api/v1/assessments/{aid}/self-summary", cadre_b, json={"summary": f"my {year}"}
            )
            await _ok(
                appraisal,
                "POST",
                f"/api/v1/assessments/{aid}/proposal",
                assessor,
                json={"grade": grade, "comment": "leader comment", "indicators": SCORES},
            )
            if grade == "EXCELLENT":
                await _ok(appraisal, "POST", f"/api/v1/assessments/{aid}/publicity", assessor)
                row = await _ok(appraisal, "GET", f"/api/v1/assessments/{aid}", assessor)
                clock["today"] = dt.date.fromisoformat(row["publicity_to"]) + dt.timedelta(days=1)
            else:
                clock["today"] = start + dt.timedelta(days=3)
            await _ok(appraisal, "POST", f"/api/v1/assessments/{aid}/decision", assessor)
            clock["today"] += dt.timedelta(days=2)
            await _ok(appraisal, "POST", f"/api/v1/assessments/{aid}/notification", assessor)
            live[year] = await _ok(appraisal, "GET", f"/api/v1/assessments/{aid}", assessor)
            assert live[year]["final_grade"] == grade and live[year]["source"] is None

        # -- A: the same grades recorded as past facts, with B's real dates ----------------------------
        clock["today"] = dt.date(2023, 3, 1)

        def history(year: int, grade: str) -> dict:
            row = live[year]
            body = {
                "cadre_id": a,
                "year": year,
                "grade": grade,
                "decided_on": row["decided_on"],
                "notified_on": row["notified_on"],
                "source": "PAPER_RECORD",
                "document_no": f"财考〔{year + 1}〕1号",
            }
            if grade == "EXCELLENT":
                body |= {"publicity_from": row["publicity_from"], "publicity_to": row["publicity_to"]}
            return body

        recorded: dict[int, str] = {}
        wrong = await _ok(
            appraisal,
            "POST",
            "/api/v1/assessments/history",
            {**admin, **_idem()},
            201,
            json=history(2018, "INCOMPETENT"),
        )  # a typing error, corrected below
        assert wrong["outcome"] == "RECORDED"
        for year, grade in GRADES.items():
            answer = await _ok(
                appraisal, "POST", "/api/v1/assessments/history", {**admin, **_idem()}, 201, json=history(year, grade)
            )
            assert answer["outcome"] == ("CORRECTED" if year == 2018 else "RECORDED"), answer
            recorded[year] = answer["assessment_id"]
        assert recorded[2018] == wrong["assessment_id"]

        # -- rank has applied every grade event of both twins (the correction's last) ------------------
        g = rank_orm.appraisal_grade

        async def rank_has_the_grades() -> None:
            async with rank_application.state.runtime.db.reader.connect() as conn:
                rows = (
                    await conn.execute(
                        select(g.c.cadre_id, g.c.year, g.c.grade, g.c.finalized_on).where(g.c.cadre_id.in_((a, b)))
                    )
                ).all()
            seen = {(r.cadre_id, r.year): (r.grade, r.finalized_on.isoformat()) for r in rows}
            for year, grade in GRADES.items():
                assert seen.get((b, year)) == (grade, live[year]["decided_on"]), (year, seen)
                assert seen.get((a, year)) == (grade, live[year]["decided_on"]), (year, seen)

        await eventually(rank_has_the_grades, timeout=30, interval=0.2)

        # -- the same eligibility, except the ids -------------------------------------------------------
        twin_a, twin_b = await eligibility(a), await eligibility(b)
        as_b = json.dumps(twin_a, sort_keys=True, ensure_ascii=False).replace(a, b)
        for year in GRADES:
            as_b = as_b.replace(recorded[year], live[year]["id"])
        assert json.loads(as_b) == twin_b

        def summary(answers: list[dict]) -> list[tuple]:
            return [
                (
                    e["eligibility"]["eligible"],
                    e["eligibility"]["earliest_date"],
                    [r["rule"] for r in e["eligibility"]["reasons"]],
                )
                for e in answers
            ]

        assert summary(twin_a) == summary(twin_b)
        # and the recorded grades mattered: without them A's answers were different
        assert summary(twin_a) != summary(without_grades)
