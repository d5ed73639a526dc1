"""GET /assessment-years/{org_unit_id}/{year}/quota: counted over the agency (not a division), rounding stated,
and the same figures the proposal and decision check enforce (issue 12, item 6)."""

from __future__ import annotations

import datetime as dt

from kernel.contracts import rank_v1
from kernel.contracts.vocabulary import AgencyLevel, CadreCategory, Gender
from kernel.directory import directory_handlers
from services.appraisal.adapters import orm

SCORES = {"DE": 90, "NENG": 85, "QIN": 88, "JI": 92, "LIAN": 95, "DANDANG": 96}
# A bureau of 8 with a division of 2 (10 assessed in the bureau) and a small agency of 3.
UNITS = {
    "bureau": (["city", "bureau"], AgencyLevel.MUNICIPAL_AGENCY),
    "bureau-div": (["city", "bureau", "bureau-div"], AgencyLevel.DIVISION),
    "small": (["city", "small"], AgencyLevel.COUNTY_AGENCY),
}
STAFF = {
    **{f"b-{i}": "bureau" for i in range(8)},
    "d-0": "bureau-div",
    "d-1": "bureau-div",
    **{f"s-{i}": "small" for i in range(3)},
}


async def seed(app) -> None:
    handlers = directory_handlers(orm.directory)
    async with app.runtime.uow() as uow:
        for unit, (path, level) in UNITS.items():
            await handlers[rank_v1.OrgUnitChanged].fn(
                rank_v1.OrgUnitChanged(org_unit_id=unit, parent_id=path[-2], name=unit, agency_level=level, path=path),
                None,
                uow,
            )
        for cadre, unit in STAFF.items():
            await handlers[rank_v1.CadreRegistered].fn(
                rank_v1.CadreRegistered(
                    cadre_id=cadre,
                    name=cadre,
                    gender=Gender.MALE,
                    birth_date=dt.date(1985, 6, 1),
                    org_unit_id=unit,
                    org_path=UNITS[unit][0],
                    category=CadreCategory.COMPREHENSIVE,
                    party_member=True,
                    entry_date=dt.date(2010, 1, 1),
                    rank_code="C09",
                    leadership=False,
                    relative_ids=[],
                ),
                None,
                uow,
            )
        await uow.commit()


async def open_all(app, cadres) -> dict[str, str]:
    ids = {}
    for cadre in cadres:
        r = await app.client.post(
            "/api/v1/assessments", headers=app.hk("assessor", "city"), json={"cadre_id": cadre, "year": 2025}
        )
        assert r.status_code == 201, r.text
        ids[cadre] = r.json()["id"]
        r = await app.client.post(
            f"/api/v1/assessments/{ids[cadre]}/self-summary",
            headers=app.h("cadre", None, cadre),
            json={"summary": "my year"},
        )
        assert r.status_code == 200, r.text
    return ids


async def propose_excellent(app, aid: str):
    return await app.client.post(
        f"/api/v1/assessments/{aid}/proposal",
        headers=app.h("assessor", "city"),
        json={"grade": "EXCELLENT", "comment": "c", "indicators": SCORES},
    )


async def quota(app, unit: str, role: str = "assessor", at: str = "city") -> dict:
    r = await app.client.get(f"/api/v1/assessment-years/{unit}/2025/quota", headers=app.h(role, at))
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_division_counts_over_its_bureau_and_the_answer_matches_the_check(app):
    await seed(app)
    ids = await open_all(app, [c for c, u in STAFF.items() if u != "small"])
    q = await quota(app, "bureau-div")
    assert (q["counting_unit_id"], q["counting_unit_level"], q["staff_count"]) == ("bureau", "MUNICIPAL_AGENCY", 10)
    assert (q["pct"], q["exact_places"], q["rounding"], q["limit"], q["used"], q["remaining"]) == (
        20.0,
        "2",
        "FLOOR",
        2,
        0,
        2,
    )
    assert q["min_one_applied"] is False and [r["code"] for r in q["rules"]] == ["FLOOR"]
    assert q["rules"][0]["source"].startswith("公务员考核规定 (2020)")
    assert {k: v for k, v in (await quota(app, "bureau")).items() if k != "org_unit_id"} == {
        k: v for k, v in q.items() if k != "org_unit_id"
    }
    # Both division members may be 优秀 (a division of 2 counted alone would have 0 places) ...
    for cadre in ("d-0", "d-1"):
        r = await propose_excellent(app, ids[cadre])
        assert r.status_code == 200, r.text
    q = await quota(app, "bureau-div")
    assert (q["limit"], q["used"], q["remaining"]) == (2, 2, 0)
    # ... and then the bureau's places are taken: the check refuses exactly where the answer says none remain.
    r = await propose_excellent(app, ids["b-0"])
    assert r.status_code == 422 and r.json()["rule"] == "assessment.excellent_quota", r.text
    assert (r.json()["limit"], r.json()["used"]) == (q["limit"], q["used"])
    # A proposal re-made by the same assessment does not count itself twice.
    assert (await propose_excellent(app, ids["d-0"])).status_code == 200
    # The quota is set on the agency, never on a division.
    r = await app.client.put(
        "/api/v1/assessment-years/bureau-div/2025", headers=app.h("org_admin", "city"), json={"excellent_quota_pct": 20}
    )
    assert r.status_code == 422 and r.json()["rule"] == "assessment_year.counting_unit", r.text
    assert "bureau" not in r.json()["detail"] and r.json()["field"] == "org_unit_id"
    r = await app.client.put(
        "/api/v1/assessment-years/bureau/2025",
        headers=app.h("org_admin", "city"),
        json={"excellent_quota_pct": 25, "quota_raise_approved": True, "approval_ref": "人社-1"},
    )
    assert r.status_code == 200, r.text
    q = await quota(app, "bureau-div", role="auditor")
    assert (q["pct"], q["raise_approved"], q["pct_configured"], q["exact_places"], q["limit"]) == (
        25.0,
        True,
        True,
        "2.5",
        2,
    )


async def test_a_unit_of_three_gets_one_place_by_the_stated_minimum(app):
    await seed(app)
    ids = await open_all(app, ["s-0", "s-1", "s-2"])
    q = await quota(app, "small", role="org_admin")
    assert (q["counting_unit_id"], q["staff_count"], q["exact_places"], q["limit"], q["remaining"]) == (
        "small",
        3,
        "0.6",
        1,
        1,
    )
    assert q["min_one_applied"] is True and q["min_one_from"] == 3
    assert [r["code"] for r in q["rules"]] == ["FLOOR", "MIN_ONE"]
    assert (await propose_excellent(app, ids["s-0"])).status_code == 200
    r = await propose_excellent(app, ids["s-1"])
    assert r.status_code == 422 and r.json()["rule"] == "assessment.excellent_quota"
    q = await quota(app, "small")
    assert (q["used"], q["remaining"]) == (1, 0)


async def test_a_unit_of_three_at_twenty_five_percent_shows_its_rounding_and_the_minimum(app):
    """Issue 17 item 4: three assessed cadres at 25 % (with the approved raise, 公务员考核规定 2020) were "0 of 0": the
    answer shows the rounding mode (APPRAISAL_EXCELLENT_QUOTA_ROUNDING), the raw figure 0.75, the rounded 0 and the
    minimum of one place from APPRAISAL_EXCELLENT_QUOTA_MIN_ONE_FROM (3) staff that makes it 1; with the minimum
    configured off (0) the answer is the plain rounding, 0."""
    await seed(app)
    await open_all(app, ["s-0", "s-1", "s-2"])
    r = await app.client.put(
        "/api/v1/assessment-years/small/2025",
        headers=app.h("org_admin", "city"),
        json={"excellent_quota_pct": 25, "quota_raise_approved": True, "approval_ref": "人社-2"},
    )
    assert r.status_code == 200, r.text
    q = await quota(app, "small")
    assert (q["staff_count"], q["pct"], q["rounding"], q["exact_places"], q["rounded_places"], q["limit"]) == (
        3,
        25.0,
        "FLOOR",
        "0.75",
        0,
        1,
    )
    assert (q["min_one_from"], q["min_one_applied"]) == (3, True)
    assert [(r["code"], r["confidence"]) for r in q["rules"]] == [("FLOOR", "S-"), ("MIN_ONE", "D")]
    assert "at least 3 assessed staff" in q["rules"][1]["text"]
    settings = app.runtime.settings
    old = settings.excellent_quota_min_one_from
    settings.excellent_quota_min_one_from = 0
    try:
        q = await quota(app, "small")
    finally:
        settings.excellent_quota_min_one_from = old
    assert (q["rounded_places"], q["limit"], q["min_one_applied"], [r["code"] for r in q["rules"]]) == (
        0,
        0,
        False,
        ["FLOOR"],
    )


async def test_the_quota_read_is_scoped_like_other_appraisal_reads(app):
    await seed(app)
    outside = await app.client.get("/api/v1/assessment-years/bureau/2025/quota", headers=app.h("assessor", "finance"))
    unknown = await app.client.get("/api/v1/assessment-years/nowhere/2025/quota", headers=app.h("assessor", "city"))
    assert outside.status_code == unknown.status_code == 404
    drop = {"instance"}
    assert {k: v for k, v in outside.json().items() if k not in drop} == {
        k: v for k, v in unknown.json().items() if k not in drop
    } and "nowhere" not in unknown.text
    for role in ("discipline_officer", "cadre", "petitions_staff", "subscriber"):
        r = await app.client.get("/api/v1/assessment-years/bureau/2025/quota", headers=app.h(role, "city"))
        assert r.status_code == 403, (role, r.text)
    r = await app.client.get("/api/v1/assessment-years/bureau/1999/quota", headers=app.h("assessor", "city"))
    assert r.status_code == 422
    # A unit with no assessment yet answers the default and nothing taken.
    q = await quota(app, "bureau")
    assert (q["staff_count"], q["limit"], q["used"], q["pct_configured"]) == (0, 0, 0, False)
