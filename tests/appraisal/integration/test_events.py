"""Consumed events through a real nats-server, as tolerance and petitions publish them (their contracts)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kernel.contracts import petitions_v1 as pet
from kernel.contracts import tolerance_v1 as tol
from kernel.contracts.vocabulary import (
    AppealResult,
    AppealStage,
    AppealTarget,
    RestrictionEffect,
    RestrictionSource,
    RestrictionStatus,
    SanctionSystem,
    SanctionType,
    ToleranceDecision,
)
from kernel.testing.helpers import eventually
from services.appraisal.adapters import orm
from tests.appraisal.integration.test_assessments_api import open_for, propose, self_summary

D = dt.date


def sanction(
    cadre: str,
    type_: SanctionType,
    on: D,
    sid: str = "s-1",
    incident: str | None = None,
    system: SanctionSystem = SanctionSystem.GOV,
    cls=tol.SanctionEffective,
    **extra,
):
    return cls(
        sanction_id=sid,
        cadre_id=cadre,
        system=system,
        type=type_,
        effective_on=on,
        ends_on=None,
        period_months=12,
        incident_id=incident,
        **extra,
    )


def restriction(
    cadre: str,
    effect: RestrictionEffect,
    status: RestrictionStatus,
    cls=tol.RestrictionActivated,
    rid: str = "rs-1",
    source: RestrictionSource = RestrictionSource.ADMONISHMENT,
    source_id: str = "t-1",
):
    return cls(
        restriction_id=rid,
        cadre_id=cadre,
        effect=effect,
        source_type=source,
        source_id=source_id,
        starts_on=D(2025, 8, 1),
        ends_on=D(2026, 2, 1),
        status=status,
    )


async def assessment(app, aid: str) -> dict:
    return (await app.client.get(f"/api/v1/assessments/{aid}", headers=app.h("org_admin", "city"))).json()


async def test_a_warning_from_tolerance_forbids_excellent_naming_the_rule(app):
    await app.publish(sanction("c-fin-2", SanctionType.WARNING, D(2025, 6, 1)))
    await app.applied(1, "tolerance")
    aid = await open_for(app, "c-fin-2")
    await self_summary(app, aid, "c-fin-2")
    r = await propose(app, aid, "EXCELLENT")
    assert r.status_code == 422, r.text
    assert r.json()["rule"] == "grade.warning_y0" and r.json()["constraint"]["ref"] == "sanction/s-1"
    assert (await propose(app, aid, "COMPETENT")).status_code == 200


async def test_a_restriction_forces_undetermined_and_stale_redeliveries_are_ignored(app):
    aid = await open_for(app, "c-fin-4")
    await self_summary(app, aid, "c-fin-4")
    await app.publish(restriction("c-fin-4", RestrictionEffect.GRADE_UNDETERMINED, RestrictionStatus.ACTIVE), seq=5)
    await app.applied(1, "tolerance")
    r = await propose(app, aid, "COMPETENT")
    assert r.status_code == 422 and r.json()["rule"] == "grade.restriction_grade_undetermined"
    assert (await propose(app, aid, "UNDETERMINED")).status_code == 200
    assert (await assessment(app, aid))["undetermined_reason"] == "SANCTION"
    await app.publish(
        restriction(
            "c-fin-4", RestrictionEffect.GRADE_UNDETERMINED, RestrictionStatus.LIFTED, cls=tol.RestrictionLifted
        ),
        seq=7,
    )
    await app.publish(restriction("c-fin-4", RestrictionEffect.GRADE_UNDETERMINED, RestrictionStatus.ACTIVE), seq=6)
    await app.applied(3, "tolerance")
    status = await app.scalar(
        select(orm.tolerance_restriction.c.status).where(orm.tolerance_restriction.c.restriction_id == "rs-1")
    )
    assert status == "LIFTED"  # the older ACTIVE state arrived late and was skipped
    assert (await propose(app, aid, "COMPETENT")).status_code == 200


async def test_investigation_holds_the_grade_and_closure_supplements_it(app):
    aid = await open_for(app, "c-fin-4")
    await self_summary(app, aid, "c-fin-4")
    assert (await propose(app, aid, "COMPETENT")).status_code == 200
    await app.publish(
        tol.InvestigationOpened(
            investigation_id="inv-1", cadre_id="c-fin-4", case_id="case-7", opened_on=D(2025, 12, 1)
        )
    )
    await app.applied(1, "tolerance")
    a = await assessment(app, aid)
    assert (a["proposed_grade"], a["held_grade"], a["undetermined_reason"]) == (
        "UNDETERMINED",
        "COMPETENT",
        "PENDING_INVESTIGATION",
    )
    r = await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    assert r.status_code == 200, r.text
    r = await app.client.post(
        f"/api/v1/assessments/{aid}/supplement", headers=app.h("assessor", "finance"), json={"grade": "COMPETENT"}
    )
    assert r.status_code == 409 and r.json()["rule"] == "assessment.supplement_after_closure"
    await app.publish(
        tol.InvestigationClosed(
            investigation_id="inv-1",
            cadre_id="c-fin-4",
            case_id="case-7",
            opened_on=D(2025, 12, 1),
            closed_on=D(2026, 3, 1),
            result="NO_SANCTION",
        )
    )
    await app.applied(2, "tolerance")
    a = await assessment(app, aid)
    assert (a["status"], a["final_grade"], a["supplemented"]) == ("SUPPLEMENTED", "COMPETENT", True)
    events = [(e["grade"], e["supplemented"], e["undeterminedReason"]) for e in await app.outbox("grade_finalized")]
    assert events == [("UNDETERMINED", False, "PENDING_INVESTIGATION"), ("COMPETENT", True, None)]


async def test_a_late_sanction_amends_a_decided_excellent_and_withdraws_its_award_proposal(app):
    r = await app.client.put(
        "/api/v1/assessment-years/finance/2025",
        headers=app.h("org_admin", "city"),
        json={"excellent_quota_pct": 25, "quota_raise_approved": True, "approval_ref": "ok"},
    )
    assert r.status_code == 200
    aid = await open_for(app, "c-fin-1")
    for other in ("c-fin-2", "c-fin-4", "c-fin-5"):  # four assessed: 25 % allows one 优秀
        await open_for(app, other)
    await self_summary(app, aid, "c-fin-1")
    assert (await propose(app, aid, "EXCELLENT")).status_code == 200
    await app.client.post(f"/api/v1/assessments/{aid}/publicity", headers=app.h("assessor", "finance"))
    app.at(D(2026, 1, 21))
    assert (
        await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    ).status_code == 200
    await app.publish(sanction("c-fin-1", SanctionType.PARTY_WARNING, D(2025, 11, 3), system=SanctionSystem.PARTY))
    await app.applied(1, "tolerance")
    a = await assessment(app, aid)
    assert (a["final_grade"], a["amended"]) == ("COMPETENT", True)
    assert [(e["grade"], e["amended"]) for e in await app.outbox("grade_finalized")] == [
        ("EXCELLENT", False),
        ("COMPETENT", True),
    ]
    awards = (
        await app.client.get("/api/v1/awards", params={"cadre_id": "c-fin-1"}, headers=app.h("org_admin", "city"))
    ).json()["items"]
    assert [a["status"] for a in awards] == ["WITHDRAWN"]


async def test_a_tolerated_incident_never_lowers_the_grade(app):
    await app.publish(
        tol.ToleranceGranted(
            case_id="tc-1",
            incident_id="inc-9",
            cadre_id="c-fin-2",
            decision=ToleranceDecision.EXEMPT,
            decided_on=D(2025, 10, 1),
        )
    )
    await app.publish(sanction("c-fin-2", SanctionType.MAJOR_DEMERIT, D(2025, 9, 1), incident="inc-9"))
    await app.applied(2, "tolerance")
    aid = await open_for(app, "c-fin-2")
    await self_summary(app, aid, "c-fin-2")
    assert (await propose(app, aid, "COMPETENT")).status_code == 200


async def test_appeal_decided_amends_the_grade_never_heavier(app):
    aid = await open_for(app, "c-fin-5")
    await self_summary(app, aid, "c-fin-5")
    await propose(app, aid, "INCOMPETENT")
    await app.client.post(f"/api/v1/assessments/{aid}/decision", headers=app.h("assessor", "finance"))
    await app.publish(
        pet.AppealDecided(
            appeal_id="ap-1",
            appellant_cadre_id="c-fin-5",
            target_type=AppealTarget.ANNUAL_GRADE,
            target_ref=f"annual-assessment/{aid}",
            stage=AppealStage.APPEAL,
            result=AppealResult.VARIED,
            varied_to="BASIC",
            decided_on=D(2026, 3, 1),
        )
    )
    await app.applied(1, "petitions")
    a = await assessment(app, aid)
    assert (a["status"], a["final_grade"], a["amended"]) == ("FINAL", "BASIC", True)
    assert [(e["grade"], e["amended"]) for e in await app.outbox("grade_finalized")] == [
        ("INCOMPETENT", False),
        ("BASIC", True),
    ]
    await app.publish(
        pet.AppealDecided(
            appeal_id="ap-2",
            appellant_cadre_id="c-fin-5",
            target_type=AppealTarget.ANNUAL_GRADE,
            target_ref=f"annual-assessment/{aid}",
            stage=AppealStage.REAPPEAL,
            result=AppealResult.VARIED,
            varied_to="INCOMPETENT",
            decided_on=D(2026, 4, 1),
        )
    )
    runner = next(r for r in app.runtime.runners if r.subscription.producer == "petitions")

    def dead_lettered() -> None:
        assert runner.stats.dead_lettered == 1

    await eventually(dead_lettered, timeout=20)
    assert (await assessment(app, aid))["final_grade"] == "BASIC"
    # An appeal about a sanction belongs to tolerance: appraisal ignores it.
    await app.publish(
        pet.AppealDecided(
            appeal_id="ap-3",
            appellant_cadre_id="c-fin-5",
            target_type=AppealTarget.GOV_SANCTION,
            target_ref="sanction/s-1",
            stage=AppealStage.REVIEW,
            result=AppealResult.REVOKED,
            decided_on=D(2026, 4, 1),
        )
    )
    await app.applied(3, "petitions")


async def test_a_serious_sanction_opens_the_revocation_review_of_granted_awards(app):
    h = app.hk("org_admin", "city")
    award = (
        await app.client.post(
            "/api/v1/awards", headers=h, json={"cadre_id": "c-fin-3", "type": "MERIT_2", "year": 2025}
        )
    ).json()["id"]
    for action in ("publicity", "approval", "grant"):
        if action == "approval":
            app.at(D(2026, 1, 22))
        r = await app.client.post(f"/api/v1/awards/{award}/{action}", headers=app.h("org_admin", "city"))
        assert r.status_code == 200, (action, r.text)
    granted = await app.outbox("award_granted")
    assert [(g["awardId"], g["type"]) for g in granted] == [(award, "MERIT_2")]
    await app.publish(sanction("c-fin-3", SanctionType.MAJOR_DEMERIT, D(2026, 2, 1)))
    await app.applied(1, "tolerance")
    r = await app.client.get(f"/api/v1/awards/{award}", headers=app.h("org_admin", "city"))
    assert r.json()["status"] == "REVIEW_FOR_REVOCATION" and r.json()["review_reason"].startswith("SERIOUS_SANCTION")
    r = await app.client.post(
        f"/api/v1/awards/{award}/revocation", headers=app.h("org_admin", "city"), json={"reason": "SERIOUS_SANCTION"}
    )
    assert r.json()["status"] == "REVOKED"
    assert [(e["awardId"], e["reason"]) for e in await app.outbox("award_revoked")] == [(award, "SERIOUS_SANCTION")]
