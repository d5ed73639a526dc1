"""Twins: past awards (and a revocation) recorded through POST /awards/history count in rank's points exactly as the
same awards granted and revoked live (rank and appraisal on SQLite/PostgreSQL, real NATS between them).

Cadres A and B hold the same rank history. B's awards happen live (proposal → publicity → approval → grant, and a
revocation), appraisal's `today` moved to each step's date. A's same awards are then recorded as past facts with B's
real dates (the revocation first left out and added as a correction). Rank's eligibility answers (points with the
award items) of A and B must then be identical except the ids, on every date asked.
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

AWARDS = {"COMMENDATION": (dt.date(2018, 3, 1), None), "MERIT_3": (dt.date(2019, 5, 6), dt.date(2020, 6, 1))}
AS_OF = ("2018-02-01", "2018-06-30", "2019-12-31", "2020-05-31", "2020-06-01", "2022-06-30")


def _idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _ok(client: Any, method: str, url: str, headers: dict, status: int = 200, **kw: Any) -> Any:
    response = await client.request(method, url, headers=headers, **kw)
    assert response.status_code == status, (method, url, response.status_code, response.text)
    return response.json()


async def test_recorded_past_awards_count_in_rank_exactly_as_live_ones(fresh_db, nats_url, events_ns, test_auth):
    clock = {"today": dt.date(2018, 1, 2)}

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
            )
        )
        application.dependency_overrides[today] = fixed_today
        appraisal = await stack.enter_async_context(running(application))

        admin = test_auth.headers("org_admin", unit="city", subject="admin-city")
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
                json={"rank_code": "C10", "since": "2016-09-01", "basis": "INITIAL"},
            )
        a, b = ids["A"], ids["B"]

        async def appraisal_knows_the_twins() -> None:
            for cadre_id in (a, b):
                await _ok(appraisal, "GET", "/api/v1/awards", admin, params={"cadre_id": cadre_id})

        await eventually(appraisal_knows_the_twins, timeout=30, interval=0.2)

        async def eligibility(cadre_id: str) -> list[dict]:
            return [
                await _ok(rank, "GET", f"/api/v1/eligibility/{cadre_id}", admin, params={"as_of": day}) for day in AS_OF
            ]

        without_awards = await eligibility(a)

        # -- B: the awards happen live, each step on its own date --------------------------------------
        live: dict[str, dict] = {}
        for award_type, (proposed, revoked) in AWARDS.items():
            clock["today"] = proposed
            award_id = (
                await _ok(
                    appraisal,
                    "POST",
                    "/api/v1/awards",
                    {**admin, **_idem()},
                    201,
                    json={"cadre_id": b, "type": award_type},
                )
            )["id"]
            await _ok(appraisal, "POST", f"/api/v1/awards/{award_id}/publicity", admin)
            row = await _ok(appraisal, "GET", f"/api/v1/awards/{award_id}", admin)
            clock["today"] = dt.date.fromisoformat(row["publicity_to"]) + dt.timedelta(days=1)
            await _ok(appraisal, "POST", f"/api/v1/awards/{award_id}/approval", admin)
            await _ok(appraisal, "POST", f"/api/v1/awards/{award_id}/grant", admin)
            if revoked is not None:
                clock["today"] = revoked
                await _ok(
                    appraisal, "POST", f"/api/v1/awards/{award_id}/revocation", admin, json={"reason": "受到记过处分"}
                )
            live[award_type] = await _ok(appraisal, "GET", f"/api/v1/awards/{award_id}", admin)
            assert live[award_type]["source"] is None

        # -- A: the same awards recorded as past facts, with B's real dates ----------------------------
        clock["today"] = dt.date(2023, 3, 1)
        recorded: dict[str, str] = {}
        for award_type, row in live.items():
            body = {
                "cadre_id": a,
                "type": award_type,
                "granted_on": row["granted_on"],
                "source": "PAPER_RECORD",
                "document_no": f"财奖〔{row['granted_on'][:4]}〕{award_type}",
            }
            answer = await _ok(appraisal, "POST", "/api/v1/awards/history", {**admin, **_idem()}, 201, json=body)
            assert answer["outcome"] == "RECORDED"
            if row["revoked_on"] is not None:  # the revocation found later in the file: a correction
                answer = await _ok(
                    appraisal,
                    "POST",
                    "/api/v1/awards/history",
                    {**admin, **_idem()},
                    201,
                    json={**body, "revoked_on": row["revoked_on"], "revoke_reason": "受到记过处分"},
                )
                assert answer["outcome"] == "CORRECTED"
            recorded[award_type] = answer["award_id"]

        # -- rank has applied every award event of both twins (the correction's last) -------------------
        w = rank_orm.appraisal_award

        async def rank_has_the_awards() -> None:
            async with rank_application.state.runtime.db.reader.connect() as conn:
                rows = (
                    await conn.execute(
                        select(w.c.cadre_id, w.c.type, w.c.granted_on, w.c.revoked_on).where(w.c.cadre_id.in_((a, b)))
                    )
                ).all()
            seen = {(r.cadre_id, r.type): (r.granted_on, r.revoked_on) for r in rows}
            for award_type, row in live.items():
                want = (
                    dt.date.fromisoformat(row["granted_on"]),
                    dt.date.fromisoformat(row["revoked_on"]) if row["revoked_on"] else None,
                )
                assert seen.get((b, award_type)) == want, (award_type, seen)
                assert seen.get((a, award_type)) == want, (award_type, seen)

        await eventually(rank_has_the_awards, timeout=30, interval=0.2)

        # -- the same answers, except the ids -------------------------------------------------------------
        twin_a, twin_b = await eligibility(a), await eligibility(b)
        as_b = json.dumps(twin_a, sort_keys=True, ensure_ascii=False).replace(a, b)
        for award_type in AWARDS:
            as_b = as_b.replace(recorded[award_type], live[award_type]["id"])
        assert json.loads(as_b) == twin_b

        def award_items(answers: list[dict]) -> list[tuple[int, int]]:
            items = [{i["item"]: i["quantity"] for i in e["points"]["breakdown"]} for e in answers]
            return [(i["award.COMMENDATION"], i["award.MERIT_3"]) for i in items]

        # the awards count from their real grant and the revoked one stops on its real revocation date
        assert award_items(twin_a) == [(0, 0), (1, 0), (1, 1), (1, 1), (1, 0), (1, 0)]
        assert award_items(without_awards) == [(0, 0)] * len(AS_OF)
