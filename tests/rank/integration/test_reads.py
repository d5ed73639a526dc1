"""Read side: incremental standings, the development track, the dossier part and the dashboard part."""

from __future__ import annotations

from sqlalchemy import select

from kernel.contracts import appraisal_v1, tolerance_v1
from kernel.contracts.vocabulary import Grade
from services.rank.adapters import orm
from tests.rank.integration.conftest import D


async def population(api) -> dict[str, str]:
    ids = {
        "entrant": await api.register("Entrant", born=D(2001, 5, 1), entry=D(2025, 9, 1)),
        "young": await api.register("Young", born=D(1995, 5, 1), entry=D(2018, 7, 1)),
        "reserve": await api.register("Reserve", born=D(1988, 5, 1), entry=D(2010, 7, 1)),
        "mature": await api.register("Mature", unit="health", born=D(1978, 5, 1), entry=D(2000, 7, 1)),
        "plain": await api.register("Plain", unit="health", born=D(1970, 5, 1), entry=D(1995, 7, 1)),
    }
    await api.rank(ids["entrant"], "C12", D(2025, 9, 1), level=27)
    await api.rank(ids["young"], "C10", D(2022, 1, 1), level=22)
    await api.rank(ids["reserve"], "C06", D(2021, 1, 1), level=18)
    await api.rank(ids["mature"], "C05", D(2019, 1, 1), level=17)
    await api.rank(ids["plain"], "C07", D(2024, 1, 1), level=19)
    await api.ok("PATCH", f"/api/v1/cadres/{ids['reserve']}", json={"version": 2, "reserve_cadre": True})
    for year in (2023, 2024, 2025):
        await api.publish(
            appraisal_v1.GradeFinalized(
                assessment_id=f"aa-{year}-m",
                cadre_id=ids["mature"],
                org_unit_id="health",
                year=year,
                grade=Grade.EXCELLENT,
                finalized_on=D(year + 1, 1, 20),
            )
        )
    await api.applied(3, "appraisal")
    return ids


async def test_the_development_track_suggests_a_step_per_career_stage_with_reasons(api):
    ids = await population(api)
    assert await api.recompute() == 5
    page = await api.ok("GET", "/api/v1/development-track", params={"limit": 100})
    steps = {item["cadre_id"]: (item["stage"], item["step"]) for item in page["items"]}
    assert steps == {
        ids["entrant"]: ("NEW_ENTRANT", "TRAINING"),
        ids["young"]: ("YOUNG", "GRASSROOTS_POSTING"),
        ids["reserve"]: ("RESERVE", "ROTATION"),
        ids["mature"]: ("MATURE", "LEADERSHIP_SELECTION"),
    }
    rotation = await api.ok("GET", "/api/v1/development-track", params={"step": "ROTATION"})
    assert [i["cadre_id"] for i in rotation["items"]] == [ids["reserve"]]
    assert any("same unit" in r for r in rotation["items"][0]["reasons"])
    everyone = await api.ok("GET", "/api/v1/development-track", params={"include_none": "true"})
    assert len(everyone["items"]) == 5
    scoped = await api.ok("GET", "/api/v1/development-track", headers=api.h("assessor", unit="health"))
    assert [i["cadre_id"] for i in scoped["items"]] == [ids["mature"]]
    bad = await api.client.get("/api/v1/development-track", params={"step": "PROMOTE_ME"}, headers=api.h())
    assert bad.status_code == 422


async def test_standings_are_recomputed_only_for_the_cadres_an_event_touched(api):
    ids = await population(api)
    await api.recompute()
    assert await api.recompute() == 0
    await api.publish(
        tolerance_v1.InvestigationOpened(
            investigation_id="inv-9", cadre_id=ids["mature"], case_id="case-9", opened_on=D(2026, 6, 1)
        )
    )
    await api.applied(1, "tolerance")
    dirty = await api.rows(select(orm.cadre_standing.c.cadre_id).where(orm.cadre_standing.c.dirty.is_(True)))
    assert dirty == [(ids["mature"],)]
    assert await api.recompute() == 1
    track = await api.ok("GET", "/api/v1/development-track", params={"stage": "MATURE"})
    assert track["items"][0]["step"] == "ON_HOLD"
    eligible = await api.ok("GET", "/api/v1/eligibility", params={"eligible_by": "2026-06-15"})
    assert ids["mature"] not in {i["cadre_id"] for i in eligible["items"]}
    assert all(i["eligible_now"] for i in eligible["items"])
    points = [i["points"] for i in eligible["items"]]
    assert points == sorted(points, reverse=True)


async def test_the_dossier_part_reads_as_of_a_date_is_audited_and_never_a_relatives(api):
    ids = await population(api)
    cadre = ids["reserve"]
    part = await api.ok(
        "GET",
        f"/api/v1/dossier-parts/rank/{cadre}",
        params={"as_of": "2022-06-30"},
        headers=api.h(**{"X-Purpose": "SELECTION_REVIEW"}),
    )
    assert part["history"]["rank_code"] == "C06" and part["eligibility"]["as_of"] == "2022-06-30"
    assert part["eligibility"]["eligible"] is False and part["register_entry"]["id"] == cadre
    audit = await api.audit_rows("dossier", cadre)
    assert [(a[0], a[3]) for a in audit] == [("READ", "SELECTION_REVIEW")]
    own = await api.client.get(f"/api/v1/dossier-parts/rank/{cadre}", headers=api.h("cadre", None, cadre))
    assert own.status_code == 200
    other = await api.client.get(f"/api/v1/dossier-parts/rank/{ids['young']}", headers=api.h("cadre", None, cadre))
    assert other.status_code == 404
    await api.ok(
        "PUT",
        f"/api/v1/cadres/{cadre}/relatives",
        json={"relatives": [{"cadre_id": ids["young"], "relation": "SIBLING"}]},
    )
    relative = await api.client.get(
        f"/api/v1/dossier-parts/rank/{cadre}", headers=api.h("org_admin", "city", ids["young"])
    )
    assert relative.status_code == 404  # an org admin who is the cadre's relative never reads this dossier
    forbidden = await api.client.get(f"/api/v1/dossier-parts/rank/{cadre}", headers=api.h("petitions_staff"))
    assert forbidden.status_code == 403


async def test_the_dashboard_part_counts_a_subtree(api):
    ids = await population(api)
    await api.recompute()
    city = await api.ok("GET", "/api/v1/dashboard-parts/rank")
    assert city["cadres"] == 5 and city["by_rank"]["C05"] == 1 and city["standings_pending"] == 0
    assert city["development_steps"]["TRAINING"] == 1
    assert city["eligible_now"] == len(city["top_eligible"])
    health = await api.ok(
        "GET",
        "/api/v1/dashboard-parts/rank",
        params={"org_unit_id": "health"},
        headers=api.h("assessor", unit="health"),
    )
    assert health["cadres"] == 2 and set(health["by_rank"]) == {"C05", "C07"}
    outside = await api.client.get(
        "/api/v1/dashboard-parts/rank", params={"org_unit_id": "finance"}, headers=api.h("assessor", unit="health")
    )
    assert outside.status_code == 404
    assert (
        await api.client.get("/api/v1/dashboard-parts/rank", headers=api.h("cadre", None, ids["young"]))
    ).status_code == 403


async def test_a_cadre_reads_only_their_own_standing_and_the_level_step_is_reported(api):
    ids = await population(api)
    await api.recompute()
    own = await api.ok("GET", "/api/v1/eligibility", headers=api.h("cadre", None, ids["plain"]))
    assert [i["cadre_id"] for i in own["items"]] == [ids["plain"]]
    for year in (2019, 2020, 2021, 2022):
        await api.publish(
            appraisal_v1.GradeFinalized(
                assessment_id=f"aa-{year}-m",
                cadre_id=ids["mature"],
                org_unit_id="health",
                year=year,
                grade=Grade.COMPETENT,
                finalized_on=D(year + 1, 1, 20),
            )
        )
    await api.applied(7, "appraisal")
    step = (await api.ok("GET", f"/api/v1/eligibility/{ids['mature']}"))["level_step"]
    assert step["due"] is True and step["next_level"] == 16 and len(step["counted_years"]) == 7
