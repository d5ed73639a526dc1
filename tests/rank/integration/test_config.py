"""Ladders, points schemes and quotas as versioned configuration through the API."""

from __future__ import annotations

import copy

from tests.rank.integration.conftest import D


async def current(api, series: str = "COMPREHENSIVE") -> dict:
    versions = await api.ok("GET", f"/api/v1/ladders/{series}")
    return next(v for v in versions if v["in_force"])


def as_body(ladder: dict, version: str, effective_from: str) -> dict:
    return {
        "version": version,
        "effective_from": effective_from,
        "source": "corrected against the official text",
        "confidence": "V",
        "ranks": [{k: v for k, v in r.items()} for r in ladder["ranks"]],
    }


async def test_the_ladders_are_data_with_their_sources(api):
    listing = await api.ok("GET", "/api/v1/ladders")
    by_series = {item["series"]: item for item in listing["items"]}
    assert [len(by_series[s]["ranks"]) for s in ("COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT")] == [12, 11, 11]
    comprehensive = by_series["COMPREHENSIVE"]
    assert "并行规定 §8, §18" in comprehensive["source"] and comprehensive["version"] == "2019.1"
    top = comprehensive["ranks"][0]
    assert (top["code"], top["name"], top["level_low"], top["level_high"]) == ("C01", "一级巡视员", 13, 8)
    assert {p["kind"] for p in top["promote_from"]} == {"RANK", "POST"}
    total = sum(max(p["min_years"] for p in r["promote_from"]) for r in comprehensive["ranks"] if r["promote_from"])
    assert total == 27  # 二级科员 to 一级巡视员: 27 years at the minimum (docs/rules.md §4.1)
    assert listing["posts"]["DIVISION_CHIEF"]["post_level"] == 4


async def test_a_new_ladder_version_corrects_a_figure_without_code(api):
    cadre = await api.register("Clerk")
    await api.rank(cadre, "C11", D(2023, 8, 1), level=25)
    before = (await api.ok("GET", f"/api/v1/eligibility/{cadre}"))["eligibility"]
    assert before["eligible"] is True and before["tenure"]["required_months"] == 24
    ladder = copy.deepcopy(await current(api))
    c10 = next(r for r in ladder["ranks"] if r["code"] == "C10")
    c10["promote_from"][0]["min_years"] = 3  # the older rule for 科级副职 read 3 years
    await api.ok(
        "POST", "/api/v1/ladders/COMPREHENSIVE/versions", status=201, json=as_body(ladder, "2026.1", "2026-06-01")
    )
    versions = await api.ok("GET", "/api/v1/ladders/COMPREHENSIVE")
    assert [(v["version"], v["in_force"]) for v in versions] == [("2019.1", False), ("2026.1", True)]
    after = (await api.ok("GET", f"/api/v1/eligibility/{cadre}"))["eligibility"]
    assert after["ladder_version"] == "2026.1" and after["earliest_date"] == "2026-08-01"
    earlier = (await api.ok("GET", f"/api/v1/eligibility/{cadre}", params={"as_of": "2026-01-01"}))["eligibility"]
    assert earlier["ladder_version"] == "2019.1"
    again = await api.client.post(
        "/api/v1/ladders/COMPREHENSIVE/versions", headers=api.hk(), json=as_body(ladder, "2026.1", "2026-06-01")
    )
    assert again.status_code == 409 and again.json()["rule"] == "ladder.version_exists"


async def test_invalid_ladders_and_callers_below_the_root_are_refused(api):
    ladder = await current(api)
    bureau = await api.client.post(
        "/api/v1/ladders/COMPREHENSIVE/versions",
        headers=api.hk(unit="finance"),
        json=as_body(ladder, "x1", "2026-07-01"),
    )
    assert bureau.status_code == 403 and bureau.json()["rule"] == "ladder.root_admin"
    gap = copy.deepcopy(ladder)
    gap["ranks"][3]["order"] = 40
    response = await api.client.post(
        "/api/v1/ladders/COMPREHENSIVE/versions", headers=api.hk(), json=as_body(gap, "x2", "2026-07-01")
    )
    assert response.status_code == 422
    cadre = await api.register("Holder")
    await api.rank(cadre, "C12", D(2020, 1, 1))
    short = copy.deepcopy(ladder)
    short["ranks"] = [r for r in short["ranks"] if r["code"] != "C12"]
    short["ranks"][-1]["promote_from"] = []
    used = await api.client.post(
        "/api/v1/ladders/COMPREHENSIVE/versions", headers=api.hk(), json=as_body(short, "x3", "2026-07-01")
    )
    assert used.status_code == 409 and used.json()["rule"] == "ladder.codes_in_use"
    skip = copy.deepcopy(ladder)
    skip["ranks"][0]["promote_from"][0]["code"] = "C03"
    stepped = await api.client.post(
        "/api/v1/ladders/COMPREHENSIVE/versions", headers=api.hk(), json=as_body(skip, "x4", "2026-07-01")
    )
    assert stepped.status_code == 422 and stepped.json()["rule"] == "ladder.step_by_step"


async def test_a_points_scheme_applies_to_its_subtree_only(api):
    cadre = await api.register("Scored", unit="finance-div1")
    await api.rank(cadre, "C10", D(2020, 1, 1), level=22)
    other = await api.register("Elsewhere", unit="health", born=D(1986, 1, 1))
    await api.rank(other, "C10", D(2020, 1, 1), level=22)
    body = {
        "org_unit_id": "finance",
        "version": "fin-2026",
        "effective_from": "2026-01-01",
        "items": {"tenure_year": {"points": 5, "cap": 50}, "education.BACHELOR": {"points": 4}},
        "tie_breakers": ["entry_date"],
    }
    # Read first: reads keep the tree and the schemes per process, and a committed change must be seen at once.
    assert (await api.ok("GET", f"/api/v1/eligibility/{cadre}"))["points"]["scheme_version"] == "default-1"
    scheme = (await api.ok("POST", "/api/v1/points-schemes", status=201, json=body))["id"]
    mine = (await api.ok("GET", f"/api/v1/eligibility/{cadre}"))["points"]
    assert (mine["scheme_version"], mine["total"]) == ("fin-2026", 34.0)  # 6 full years * 5 + 4
    # A unit created and a cadre moved into it after those reads: the new unit's path leads to finance's scheme.
    moved = await api.register("Moved", unit="health", born=D(1987, 1, 1))
    await api.rank(moved, "C10", D(2020, 1, 1), level=22)
    assert (await api.ok("GET", f"/api/v1/eligibility/{moved}"))["points"]["scheme_version"] == "default-1"
    await api.ok(
        "POST",
        "/api/v1/org-units",
        status=201,
        json={"code": "finance-div9", "name": "Audit Division", "agency_level": "DIVISION", "parent_id": "finance"},
    )
    await api.ok(
        "POST",
        f"/api/v1/cadres/{moved}/transfer",
        json={
            "version": (await api.cadre(moved))["version"],
            "to_org_unit_id": "finance-div9",
            "moved_on": "2026-06-01",
        },
    )
    assert (await api.ok("GET", f"/api/v1/eligibility/{moved}"))["points"]["scheme_version"] == "fin-2026"
    theirs = (await api.ok("GET", f"/api/v1/eligibility/{other}"))["points"]
    assert theirs["scheme_version"] == "default-1"
    assert (await api.ok("GET", f"/api/v1/points-schemes/{scheme}", headers=api.h(unit="finance")))[
        "version"
    ] == "fin-2026"
    hidden = await api.client.get(f"/api/v1/points-schemes/{scheme}", headers=api.h(unit="health"))
    assert hidden.status_code == 404
    visible = await api.ok("GET", "/api/v1/points-schemes", headers=api.h(unit="finance-div1"))
    assert [s["id"] for s in visible["items"]] == [scheme]  # set on an ancestor: it applies here
    bad = await api.client.post(
        "/api/v1/points-schemes",
        headers=api.hk(),
        json={**body, "version": "fin-2", "items": {"golf_handicap": {"points": 1}}},
    )
    assert bad.status_code == 422 and bad.json()["rule"] == "points.unknown_item"
    dup = await api.client.post("/api/v1/points-schemes", headers=api.hk(), json=body)
    assert dup.status_code == 409 and dup.json()["rule"] == "points.version_exists"


async def test_quotas_are_versioned_per_unit_and_report_their_occupancy(api):
    for name in ("One", "Two"):
        cadre = await api.register(name)
        await api.rank(cadre, "C04", D(2020, 1, 1), level=15)
    await api.ok(
        "POST",
        "/api/v1/quotas",
        status=201,
        json={
            "org_unit_id": "finance",
            "bucket": "RESEARCHERS",
            "rank_codes": ["C03", "C04"],
            "max_count": 3,
            "effective_from": "2025-01-01",
        },
    )
    await api.ok(
        "POST",
        "/api/v1/quotas",
        status=201,
        json={
            "org_unit_id": "finance",
            "bucket": "RESEARCHERS",
            "rank_codes": ["C03", "C04"],
            "max_count": 2,
            "effective_from": "2026-01-01",
        },
    )
    items = (await api.ok("GET", "/api/v1/quotas"))["items"]
    assert [(q["max_count"], q["holders"], q["vacancies"]) for q in items] == [(2, 2, 0)]
    unknown = await api.client.post(
        "/api/v1/quotas",
        headers=api.hk(),
        json={
            "org_unit_id": "finance",
            "bucket": "X",
            "rank_codes": ["C99"],
            "max_count": 1,
            "effective_from": "2026-01-01",
        },
    )
    assert unknown.status_code == 422 and unknown.json()["rule"] == "rank.unknown_code"
    negative = await api.client.post(
        "/api/v1/quotas",
        headers=api.hk(),
        json={
            "org_unit_id": "finance",
            "bucket": "X",
            "rank_codes": ["C04"],
            "max_count": -1,
            "effective_from": "2026-01-01",
        },
    )
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "max_count"
    outside = await api.client.post(
        "/api/v1/quotas",
        headers=api.hk(unit="health"),
        json={
            "org_unit_id": "finance",
            "bucket": "X",
            "rank_codes": ["C04"],
            "max_count": 1,
            "effective_from": "2026-01-01",
        },
    )
    assert outside.status_code == 404
