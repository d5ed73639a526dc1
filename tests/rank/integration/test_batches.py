"""Promotion batches end to end: candidates, quotas, votes, investigation, publicity on the working-day calendar,
objections, re-checked approval, appointment, automatic withdrawal by events, and the audit trail."""

from __future__ import annotations

from kernel.audit import verify_chain
from kernel.contracts import appraisal_v1, tolerance_v1
from kernel.contracts.vocabulary import AwardType, Grade
from services.rank.adapters import orm
from tests.rank.integration.conftest import D


async def setup(api, names=("Alpha", "Beta", "Gamma"), *, quota: int | None = 2) -> list[str]:
    """Three 三级调研员 in the finance bureau since 2020 (eligible for 二级调研员), one 二级调研员 already there."""
    ids = []
    for name in names:
        cadre = await api.register(name)
        await api.rank(cadre, "C05", D(2020, 1, 1), level=17)
        ids.append(cadre)
    holder = await api.register("Holder")
    await api.rank(holder, "C04", D(2019, 1, 1), level=15)
    if quota is not None:
        await api.ok(
            "POST",
            "/api/v1/quotas",
            status=201,
            json={
                "org_unit_id": "finance",
                "bucket": "RESEARCHERS",
                "rank_codes": ["C03", "C04"],
                "max_count": quota,
                "effective_from": "2026-01-01",
                "source": "市编办 职数核定 2026",
            },
        )
    return ids


async def plan(api, target=("C04",)) -> str:
    return (
        await api.ok(
            "POST",
            "/api/v1/promotion-batches",
            status=201,
            json={"org_unit_id": "finance", "title": "2026 first batch", "target_ranks": list(target)},
        )
    )["id"]


async def step(api, batch: str, action: str, body: dict | None = None, *, status: int = 200, **kw) -> dict:
    return await api.ok("POST", f"/api/v1/promotion-batches/{batch}/{action}", json=body or {}, status=status, **kw)


async def candidates(api, batch: str) -> dict[str, dict]:
    page = await api.ok("GET", f"/api/v1/promotion-batches/{batch}/candidates")
    return {c["cadre_id"]: c for c in page["items"]}


async def to_publicity(api, batch: str, chosen: str) -> None:
    await step(api, batch, "compute-candidates")
    await step(api, batch, "open-recommendation")
    await step(api, batch, "recommend", {"cadre_ids": [chosen]})
    await step(api, batch, f"candidates/{chosen}/investigation", {"passed": True, "note": "考察合格"})
    await step(api, batch, "shortlist")
    await step(api, batch, "publicize", {"starts_on": "2026-06-15"})


async def test_a_batch_runs_from_plan_to_appointment_with_quotas_publicity_and_level_adjustment(api):
    alpha, beta, gamma = await setup(api)
    await api.publish(
        appraisal_v1.AwardGranted(
            award_id="aw-b", cadre_id=beta, type=AwardType.MERIT_2, basis="DEED", granted_on=D(2023, 3, 1)
        )
    )
    await api.publish(
        appraisal_v1.GradeFinalized(
            assessment_id="aa-g",
            cadre_id=gamma,
            org_unit_id="finance",
            year=2025,
            grade=Grade.EXCELLENT,
            finalized_on=D(2026, 1, 20),
        )
    )
    await api.applied(2, "appraisal")
    batch = await plan(api)
    computed = await step(api, batch, "compute-candidates")
    assert computed["candidates"] == 3 and computed["buckets"] == ["finance:RESEARCHERS"]
    ranked = await candidates(api, batch)
    assert [c for c, _ in sorted(ranked.items(), key=lambda kv: kv[1]["rank_in_bucket"])][:2] == [beta, gamma]
    assert {b["item"] for b in ranked[beta]["points_breakdown"]} >= {"tenure_year", "award.MERIT_2"}
    assert ranked[alpha]["eligibility"]["eligible"] is True

    await step(api, batch, "open-recommendation")
    for cadre, votes in ((alpha, 10), (beta, 30), (gamma, 25)):
        await step(
            api,
            batch,
            f"candidates/{cadre}/votes",
            {"votes_for": votes, "votes_against": 2, "abstain": 1},
            headers=api.h("assessor", unit="finance"),
        )
    over = await api.client.post(
        f"/api/v1/promotion-batches/{batch}/recommend", headers=api.h(), json={"cadre_ids": [beta, gamma]}
    )
    assert over.status_code == 422 and over.json()["rule"] == "quota.exceeded"
    assert over.json()["quota"] == "finance:RESEARCHERS" and over.json()["vacancies"] == 1
    assert (await api.ok("GET", f"/api/v1/promotion-batches/{batch}"))["status"] == "RECOMMENDATION"

    await step(api, batch, "recommend", {"cadre_ids": [beta]})
    statuses = {c: v["status"] for c, v in (await candidates(api, batch)).items()}
    assert statuses == {alpha: "NOT_SELECTED", beta: "RECOMMENDED", gamma: "NOT_SELECTED"}
    early = await api.client.post(f"/api/v1/promotion-batches/{batch}/shortlist", headers=api.h(), json={})
    assert early.status_code == 409 and early.json()["rule"] == "batch.investigation_pending"
    await step(api, batch, f"candidates/{beta}/investigation", {"passed": True})
    await step(api, batch, "shortlist")
    short = await api.client.post(
        f"/api/v1/promotion-batches/{batch}/publicize",
        headers=api.h(),
        json={"starts_on": "2026-06-15", "working_days": 3},
    )
    assert short.status_code == 422 and short.json()["rule"] == "batch.publicity_min_working_days"
    weekend = await api.client.post(
        f"/api/v1/promotion-batches/{batch}/publicize", headers=api.h(), json={"starts_on": "2026-06-20"}
    )
    assert weekend.status_code == 422 and weekend.json()["rule"] == "batch.publicity_start"
    await step(api, batch, "publicize", {"starts_on": "2026-06-15"})
    read = await api.ok("GET", f"/api/v1/promotion-batches/{batch}")
    # 5 working days from Monday 15 June 2026: the 19th is the Dragon Boat Festival, so the 5th is Monday the 22nd.
    assert (read["publicity_from"], read["publicity_to"]) == ("2026-06-15", "2026-06-22")

    await step(api, batch, f"candidates/{beta}/objection")
    assert (await api.ok("GET", f"/api/v1/promotion-batches/{batch}"))["status"] == "VERIFYING"
    await step(api, batch, f"candidates/{beta}/objection/resolve", {"upheld": False})
    too_early = await api.client.post(
        f"/api/v1/promotion-batches/{batch}/submit-for-approval", headers=api.h(), json={}
    )
    assert too_early.status_code == 409 and too_early.json()["rule"] == "batch.publicity_min_working_days"
    api.at(D(2026, 6, 23))
    await step(api, batch, "submit-for-approval")
    approved = await step(api, batch, "approve", {"effective_date": "2026-06-23"})
    assert approved["status"] == "APPOINTED"
    entry = await api.cadre(beta)
    assert (entry["rank_code"], entry["level"]) == ("C04", 16)  # §4.3: one level up on promotion to 二级调研员
    change = (await api.outbox("rank_changed"))[-1]
    assert change["sourceRef"] == f"promotion-batch/{batch}" and change["effectiveDate"] == "2026-06-23"
    await step(api, batch, "close")
    quotas = (await api.ok("GET", "/api/v1/quotas", params={"org_unit_id": "finance"}))["items"]
    assert (quotas[0]["holders"], quotas[0]["vacancies"]) == (2, 0)
    actions = [a for a, *_ in await api.audit_rows("promotion_batch", batch)]
    assert actions[:3] == ["CREATE", "COMPUTE_CANDIDATES", "READ"]
    for action in ("RECOMMEND", "PUBLICIZE", "APPROVE", "CLOSE", "OBJECTIONS", "RESOLVE_OBJECTION"):
        assert action in actions
    async with api.runtime.db.reader.connect() as conn:
        assert await verify_chain(conn, orm.audit_log) is None  # the hash chain holds over every row


async def test_an_open_investigation_withdraws_a_candidate_from_a_batch_in_publicity(api):
    alpha, *_ = await setup(api, names=("Alpha", "Beta"), quota=None)
    batch = await plan(api)
    await to_publicity(api, batch, alpha)
    assert (await candidates(api, batch))[alpha]["status"] == "PUBLICISED"
    await api.publish(
        tolerance_v1.InvestigationOpened(
            investigation_id="inv-1", cadre_id=alpha, case_id="case-1", opened_on=D(2026, 6, 16)
        )
    )
    await api.applied(1, "tolerance")
    withdrawn = (await candidates(api, batch))[alpha]
    assert withdrawn["status"] == "WITHDRAWN" and "investigation case-1" in withdrawn["decision_reason"]
    system = [r for r in await api.audit_rows("promotion_batch", batch) if r[0] == "WITHDRAW_CANDIDATE"]
    assert len(system) == 1 and system[0][2] == "system"
    api.at(D(2026, 6, 23))
    left = await api.client.post(f"/api/v1/promotion-batches/{batch}/submit-for-approval", headers=api.h(), json={})
    assert left.status_code == 409 and left.json()["rule"] == "batch.no_candidates"


async def test_a_restriction_withdraws_candidacies_and_approval_rechecks_eligibility(api):
    alpha, beta = await setup(api, names=("Alpha", "Beta"), quota=None)
    batch = await plan(api)
    await step(api, batch, "compute-candidates")
    await step(api, batch, "open-recommendation")
    await step(api, batch, "recommend", {"cadre_ids": [alpha, beta]})
    for cadre in (alpha, beta):
        await step(api, batch, f"candidates/{cadre}/investigation", {"passed": True})
    await step(api, batch, "shortlist")
    await step(api, batch, "publicize", {"starts_on": "2026-06-15"})
    await api.publish(
        tolerance_v1.RestrictionActivated(
            restriction_id="rs-9",
            cadre_id=alpha,
            effect="NO_RANK_PROMOTION",
            source_type="SANCTION",
            source_id="s-9",
            starts_on=D(2026, 6, 16),
            ends_on=D(2030, 6, 15),
            status="ACTIVE",
        )
    )
    await api.applied(1, "tolerance")
    # 不称职 does not withdraw by itself, but approval re-checks eligibility and finds the required demotion.
    await api.publish(
        appraisal_v1.GradeFinalized(
            assessment_id="aa-b",
            cadre_id=beta,
            org_unit_id="finance",
            year=2025,
            grade=Grade.INCOMPETENT,
            finalized_on=D(2026, 6, 17),
        )
    )
    await api.applied(1, "appraisal")
    api.at(D(2026, 6, 23))
    await step(api, batch, "submit-for-approval")
    await step(api, batch, "approve", {})
    result = await candidates(api, batch)
    assert result[alpha]["status"] == "WITHDRAWN" and "rs-9" in result[alpha]["decision_reason"]
    assert result[beta]["status"] == "WITHDRAWN" and "grade.incompetent" in result[beta]["decision_reason"]
    assert (await api.cadre(beta))["rank_code"] == "C05"


async def test_transitions_the_state_machine_forbids_are_conflicts_and_bad_bodies_are_named(api):
    await setup(api, quota=None)
    batch = await plan(api)
    response = await api.client.post(f"/api/v1/promotion-batches/{batch}/approve", headers=api.h(), json={})
    assert response.status_code == 409 and response.json()["rule"] == "promotion_batch.transition"
    extra = await api.client.post(
        f"/api/v1/promotion-batches/{batch}/publicize",
        headers=api.h(),
        json={"starts_on": "2026-06-15", "status": "APPOINTED"},
    )
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "status"
    unknown = await api.client.post(
        "/api/v1/promotion-batches",
        headers=api.hk(),
        json={"org_unit_id": "finance", "title": "x", "target_ranks": ["C77"]},
    )
    assert unknown.status_code == 422 and unknown.json()["rule"] == "rank.unknown_code"
    await step(api, batch, "cancel", {"reason": "plan withdrawn"})
    again = await api.client.post(f"/api/v1/promotion-batches/{batch}/cancel", headers=api.h(), json={"reason": "x"})
    assert again.status_code == 409
    listing = await api.ok("GET", "/api/v1/promotion-batches", params={"status": "CANCELLED"})
    assert [b["id"] for b in listing["items"]] == [batch]
