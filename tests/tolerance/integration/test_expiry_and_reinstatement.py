"""The expiry sweep (on the end day, once, safe with two replicas) and reinstatement after removal."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from kernel import deps
from kernel.calendar import add_months
from kernel.contracts import appraisal_v1, rank_v1
from kernel.contracts.vocabulary import ChangeBasis
from kernel.db import make_database
from kernel.deps import china_today
from kernel.testing.helpers import eventually
from services.tolerance.adapters import orm
from services.tolerance.service_layer.publishing import to_contracts
from services.tolerance.service_layer.restrictions import sweep
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork

D = dt.date


async def run_sweep(world, today, batch=1000):
    return await sweep(world.runtime.uow, today=today, batch=batch)


async def test_restrictions_expire_on_the_day_they_end_and_are_announced_once(world):
    sanction_id = await world.effective("c-a", "WARNING")  # decided 2026-06-10: bars until 2026-12-10
    before = await run_sweep(world, D(2026, 12, 9))
    assert (before.restrictions_expired, before.sanctions_expired) == (0, 0)
    result = await run_sweep(world, D(2026, 12, 10))
    assert (result.restrictions_expired, result.sanctions_expired) == (3, 1)
    again = await run_sweep(world, D(2026, 12, 10))
    assert (again.restrictions_expired, again.sanctions_expired) == (0, 0)
    expired = await world.emitted("restriction_expired")
    assert sorted(e["effect"] for e in expired) == ["NO_LEVEL_PROMOTION", "NO_POST_PROMOTION", "NO_RANK_PROMOTION"]
    assert all(e["status"] == "EXPIRED" and e["endsOn"] == "2026-12-09" for e in expired)
    [sanction_expired] = await world.emitted("sanction_expired")
    assert sanction_expired["sanctionId"] == sanction_id
    remaining = (await world.get("/restrictions", cadre_id="c-a", status="ACTIVE")).json()["items"]
    assert [r["effect"] for r in remaining] == ["GRADE_NOT_EXCELLENT"]
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["status"] == "EXPIRED"


async def _admonish(world, count):
    for n in range(count):
        await world.bus.publish(
            appraisal_v1.AdmonishmentIssued(talk_id=f"t-{n}", cadre_id=f"c-{n}", issued_on=D(2026, 3, 1), reason="TEST")
        )
    await world.settle("appraisal", count)


async def test_two_replicas_sweeping_at_once_expire_and_announce_each_restriction_exactly_once(world):
    await _admonish(world, 40)  # 160 restrictions, every one due on 2027-01-01
    other_db = make_database(world.runtime.settings.database_url)
    runtime = world.runtime

    def replica_uow():
        return ToleranceUnitOfWork(
            db=other_db,
            tables=runtime.tables,
            outbox=runtime.outbox,
            to_contracts=to_contracts,
            context=runtime.context,
        )

    try:
        first, second = await asyncio.gather(
            sweep(runtime.uow, today=D(2027, 1, 1), batch=7), sweep(replica_uow, today=D(2027, 1, 1), batch=7)
        )
    finally:
        await other_db.dispose()
    assert first.restrictions_expired + second.restrictions_expired == 160
    assert first.sanctions_expired + second.sanctions_expired == 40
    expired = await world.emitted("restriction_expired")
    assert len(expired) == 160 and len({e["restrictionId"] for e in expired}) == 160
    assert await world.count(orm.restriction, orm.restriction.c.status == "ACTIVE") == 0


async def test_a_removed_cadre_becomes_eligible_when_the_last_bar_on_reuse_ends(world):
    await world.bus.publish(
        rank_v1.PostChanged(
            holding_id="ph-1",
            cadre_id="c-b",
            from_post=None,
            to_post="DIVISION_HEAD",
            post_level=4,
            basis=ChangeBasis.PROMOTION,
            effective_date=D(2023, 1, 1),
        )
    )
    await world.settle("rank", 9)
    sanction_id = await world.effective("c-b", "REMOVAL_FROM_POST", "ORG_HANDLING", role="org_admin")
    assert (await run_sweep(world, D(2027, 6, 9))).reinstatements_opened == 0
    assert (await run_sweep(world, D(2027, 6, 10))).reinstatements_opened == 1
    [item] = (await world.get("/reinstatements", cadre_id="c-b")).json()["items"]
    assert item["status"] == "ELIGIBLE" and item["basis_sanction_ids"] == [sanction_id]
    assert item["original_post_level"] == 4 and item["eligible_from"] == "2027-06-10"
    assert (await run_sweep(world, D(2027, 6, 11))).reinstatements_opened == 0  # once per removal
    return item["id"]


@pytest.mark.tolerance_settings(upper_consultation_enabled=True)
async def test_reinstatement_to_the_original_level_needs_the_upper_level_then_is_announced(world):
    reinstatement = await test_a_removed_cadre_becomes_eligible_when_the_last_bar_on_reuse_ends(world)
    world.app.dependency_overrides[deps.today] = lambda: D(2027, 8, 1)
    path = f"/reinstatements/{reinstatement}"
    steps = [
        (f"{path}/report", {"reported_on": "2027-06-20", "summary": "reflection and work report"}, "cadre"),
        (
            f"{path}/org-opinion",
            {"opinion_on": "2027-07-01", "opinion": "suitable", "target_post": "DIVISION_HEAD", "target_post_level": 4},
            "org_admin",
        ),
        (
            f"{path}/discipline-opinion",
            {"opinion_on": "2027-07-05", "opinion": "no new issue", "favourable": True},
            "discipline_officer",
        ),
        (
            f"{path}/fact-finding",
            {"done_on": "2027-07-10", "survey_done": True, "objection_level": "MINOR", "note": "colleagues support"},
            "org_admin",
        ),
    ]
    for url, body, role in steps:
        r = await world.post(
            url, body, role, unit=None if role == "cadre" else "city", cadre_id="c-b" if role == "cadre" else None
        )
        assert r.status_code == 200, (url, r.text)
    decision = {"decided_on": "2027-07-20", "approved": True, "body": "party committee", "note": "re-use"}
    r = await world.post(f"{path}/decision", decision, "org_admin")
    assert r.status_code == 409 and r.json()["rule"] == "reinstatement.upper_consultation_required"
    r = await world.post(
        f"{path}/upper-consultation",
        {"consulted_on": "2027-07-15", "reference": "upper-letter-7", "agreed": True},
        "org_admin",
    )
    assert r.status_code == 200, r.text
    assert (await world.post(f"{path}/decision", decision, "org_admin")).status_code == 200
    assert (await world.post(f"{path}/announcement", {"announced_on": "2027-07-25"}, "org_admin")).status_code == 200
    item = (await world.get(path)).json()
    assert item["status"] == "ANNOUNCED" and item["upper_consult_required"] and item["upper_agreed"]
    [approved] = await world.emitted("reinstatement_approved")
    assert approved["upperConsulted"] and approved["targetPostLevel"] == 4 and approved["cadreId"] == "c-b"


async def test_a_lower_post_needs_no_consultation_but_a_higher_one_breaks_the_bar_above_the_original(world):
    reinstatement = await test_a_removed_cadre_becomes_eligible_when_the_last_bar_on_reuse_ends(world)
    world.app.dependency_overrides[deps.today] = lambda: D(2027, 8, 1)
    path = f"/reinstatements/{reinstatement}"
    await world.post(
        f"{path}/report", {"reported_on": "2027-06-20", "summary": "report"}, "cadre", unit=None, cadre_id="c-b"
    )
    await world.post(
        f"{path}/org-opinion",
        {"opinion_on": "2027-07-01", "opinion": "ok", "target_post": "DEPUTY", "target_post_level": 3},
        "org_admin",
    )
    await world.post(
        f"{path}/discipline-opinion",
        {"opinion_on": "2027-07-02", "opinion": "ok", "favourable": True},
        "discipline_officer",
    )
    await world.post(f"{path}/fact-finding", {"done_on": "2027-07-03", "note": "fine"}, "org_admin")
    higher = {
        "decided_on": "2027-07-20",
        "approved": True,
        "body": "committee",
        "target_post": "BUREAU_DEPUTY",
        "target_post_level": 5,
    }
    r = await world.post(f"{path}/decision", higher, "org_admin")
    assert r.status_code == 409  # target 5 ≥ original 4: the upper level first
    lower = {**higher, "target_post": "DEPUTY", "target_post_level": 3}
    r = await world.post(f"{path}/decision", lower, "org_admin")
    assert r.status_code == 200, r.text
    [approved] = await world.emitted("reinstatement_approved")
    assert not approved["upperConsulted"] and approved["targetPostLevel"] == 3


@pytest.mark.tolerance_settings(expiry_sweep_enabled=True, expiry_sweep_interval_s=0.2)
async def test_the_periodic_job_expires_what_is_due_today_in_china_time(world):
    issued = add_months(china_today(), -7)
    await world.bus.publish(
        appraisal_v1.AdmonishmentIssued(talk_id="t-job", cadre_id="c-a", issued_on=issued, reason="TEST")
    )

    async def expired():
        events = await world.emitted("restriction_expired")
        assert sorted(e["effect"] for e in events) == ["NO_LEVEL_PROMOTION", "NO_POST_PROMOTION", "NO_RANK_PROMOTION"]

    await eventually(expired, timeout=20)
