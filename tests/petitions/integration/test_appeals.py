"""Appeals end to end: the decisions other services publish arrive through NATS, a cadre or petitions staff files,
the period is checked (late → time-barred), the right role decides, and appeal_decided tells the owner."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kernel.contracts import appraisal_v1, rank_v1, tolerance_v1
from kernel.contracts.vocabulary import ContractKind, Grade, RestrictionEffect, SanctionSystem, SanctionType
from kernel.testing.helpers import eventually
from services.petitions.adapters import orm
from tests.petitions.support import TODAY

ME = {"role": "cadre", "unit": None, "cadre_id": "c-fin-1"}


def sanction(
    sanction_id: str, system: SanctionSystem, kind: SanctionType, on: dt.date, cadre: str = "c-fin-1"
) -> tolerance_v1.SanctionEffective:
    return tolerance_v1.SanctionEffective(
        sanction_id=sanction_id,
        cadre_id=cadre,
        system=system,
        type=kind,
        effective_on=on,
        ends_on=None,
        period_months=12,
        effects=[RestrictionEffect.NO_RANK_PROMOTION],
    )


async def known(api, *refs: str) -> None:
    async def arrived():
        found = {r[0] for r in await api.rows(select(orm.appealable_decision.c.ref))}
        assert set(refs) <= found

    await eventually(arrived, timeout=20)


async def test_a_cadre_appeals_a_sanction_and_the_decision_goes_back_to_its_owner(api):
    await api.publish(sanction("s-1", SanctionSystem.GOV, SanctionType.MAJOR_DEMERIT, TODAY - dt.timedelta(days=10)))
    await known(api, "sanction/s-1")
    filed = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        **ME,
        json={
            "target_type": "GOV_SANCTION",
            "target_ref": "sanction/s-1",
            "stage": "REVIEW",
            "grounds": "disproportionate",
        },
    )
    assert filed["status"] == "FILED" and filed["filing_deadline"] == "2026-12-17"
    forbidden = await api.post(f"/appeals/{filed['id']}/accept", role="org_admin")
    assert forbidden.status_code == 403 and forbidden.json()["rule"] == "appeal.decider"
    accepted = await api.ok("POST", f"/appeals/{filed['id']}/accept", role="discipline_officer")
    assert accepted["status"] == "ACCEPTED"
    appeal = await api.ok("GET", f"/appeals/{filed['id']}", **ME)
    assert appeal["decision_due_on"] == "2026-12-27" and appeal["original_value"] == "MAJOR_DEMERIT"
    await api.ok("POST", f"/appeals/{filed['id']}/start-review", role="discipline_officer")
    heavier = await api.post(
        f"/appeals/{filed['id']}/decide",
        role="discipline_officer",
        json={"result": "VARIED", "varied_to": "LEVEL_DEMOTION", "reasons": "worse"},
    )
    assert heavier.status_code == 422 and heavier.json()["rule"] == "appeal.never_heavier"
    decided = await api.ok(
        "POST",
        f"/appeals/{filed['id']}/decide",
        role="discipline_officer",
        json={"result": "VARIED", "varied_to": "DEMERIT", "reasons": "facts partly wrong"},
    )
    assert decided["status"] == "DECIDED"

    async def told():
        event = await _only(api, "appeal_decided")
        assert event == {
            "appealId": filed["id"],
            "appellantCadreId": "c-fin-1",
            "targetType": "GOV_SANCTION",
            "targetRef": "sanction/s-1",
            "stage": "REVIEW",
            "result": "VARIED",
            "variedTo": "DEMERIT",
            "decidedOn": TODAY.isoformat(),
        }

    await eventually(told)
    # The next stage (复核 at the next level) continues from what the review left.
    second = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        **ME,
        json={
            "target_type": "GOV_SANCTION",
            "target_ref": "sanction/s-1",
            "stage": "APPEAL",
            "grounds": "still wrong",
            "previous_appeal_id": filed["id"],
        },
    )
    assert (await api.ok("GET", f"/appeals/{second['id']}", **ME))["original_value"] == "DEMERIT"
    duplicate = await api.post(
        "/appeals",
        create=True,
        **ME,
        json={
            "target_type": "GOV_SANCTION",
            "target_ref": "sanction/s-1",
            "stage": "APPEAL",
            "grounds": "again",
            "previous_appeal_id": filed["id"],
        },
    )
    assert duplicate.status_code == 409 and duplicate.json()["rule"] == "appeal.duplicate"


async def _only(api, kind: str) -> dict:
    found = await api.published(kind)
    assert len(found) == 1
    return found[0]


async def test_a_late_filing_is_recorded_as_time_barred_and_tells_the_owner(api):
    await api.publish(
        sanction("s-2", SanctionSystem.CIVIL_SERVICE, SanctionType.DEMERIT, TODAY - dt.timedelta(days=45))
    )
    await known(api, "sanction/s-2")
    filed = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        **ME,
        json={"target_type": "CS_SANCTION", "target_ref": "sanction/s-2", "stage": "REVIEW", "grounds": "g"},
    )
    assert filed["status"] == "REJECTED_TIME_BARRED"
    late_but_learned_late = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        **ME,
        json={
            "target_type": "CS_SANCTION",
            "target_ref": "sanction/s-2",
            "stage": "APPEAL",
            "grounds": "g",
            "notified_on": (TODAY - dt.timedelta(days=20)).isoformat(),
        },
    )
    assert late_but_learned_late["status"] == "FILED"

    async def told():
        event = await _only(api, "appeal_decided")
        assert (event["appealId"], event["result"]) == (filed["id"], "TIME_BARRED")

    await eventually(told)


async def test_grades_and_contracts_are_appealed_to_the_organization_department(api):
    await api.publish(
        appraisal_v1.GradeFinalized(
            assessment_id="aa-1",
            cadre_id="c-fin-1",
            org_unit_id="finance",
            year=2025,
            grade=Grade.INCOMPETENT,
            finalized_on=TODAY,
        ),
        rank_v1.ContractTerminated(
            contract_id="k-1",
            cadre_id="c-fin-1",
            kind=ContractKind.APPOINTED_CS,
            ground="ANNUAL_INCOMPETENT",
            terminated_on=TODAY,
        ),
    )
    await known(api, "annual-assessment/aa-1", "contract/k-1")
    grade = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        role="petitions_staff",
        json={
            "target_type": "ANNUAL_GRADE",
            "target_ref": "annual-assessment/aa-1",
            "stage": "REVIEW",
            "grounds": "g",
            "appellant_cadre_id": "c-fin-1",
        },
    )
    contract = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        **ME,
        json={"target_type": "CONTRACT", "target_ref": "contract/k-1", "stage": "APPEAL", "grounds": "g"},
    )
    forbidden = await api.post(f"/appeals/{grade['id']}/accept", role="discipline_officer")
    assert forbidden.status_code == 403
    await api.ok("POST", f"/appeals/{grade['id']}/accept", role="org_admin")
    await api.ok(
        "POST",
        f"/appeals/{grade['id']}/decide",
        role="org_admin",
        json={"result": "VARIED", "varied_to": "BASIC", "reasons": "r"},
    )
    await api.ok("POST", f"/appeals/{contract['id']}/accept", role="org_admin")
    final = await api.ok(
        "POST", f"/appeals/{contract['id']}/decide", role="org_admin", json={"result": "REVOKED", "reasons": "r"}
    )
    assert final["status"] == "FINAL"  # arbitration is the only stage

    async def told():
        events = {e["targetRef"]: e for e in await api.published("appeal_decided")}
        assert set(events) == {"annual-assessment/aa-1", "contract/k-1"}
        assert events["annual-assessment/aa-1"]["variedTo"] == "BASIC"
        assert events["contract/k-1"]["result"] == "REVOKED"

    await eventually(told)


async def test_filing_refuses_unknown_foreign_or_mistyped_decisions(api):
    await api.publish(sanction("s-3", SanctionSystem.PARTY, SanctionType.PARTY_WARNING, TODAY, cadre="c-cty-a"))
    await known(api, "sanction/s-3")
    cases = [
        ({"target_type": "GOV_SANCTION", "target_ref": "sanction/none", "stage": "REVIEW"}, "appeal.target_unknown"),
        ({"target_type": "PARTY_DISCIPLINE", "target_ref": "sanction/s-3", "stage": "APPEAL"}, "appeal.target_unknown"),
        ({"target_type": "GOV_SANCTION", "target_ref": "contract/s-3", "stage": "REVIEW"}, "appeal.target_ref"),
        ({"target_type": "GOV_SANCTION", "target_ref": "sanction/s-3", "stage": "REAPPEAL"}, "appeal.stage"),
        ({"target_type": "SUPERVISION_CONDUCT", "target_ref": "measure/m-1", "stage": "APPEAL"}, "appeal.decision_on"),
        ({"target_type": "XINFANG", "target_ref": "report/r-1", "stage": "REVIEW"}, "appeal.appellant"),
    ]
    for body, rule in cases:
        response = await api.post("/appeals", create=True, **ME, json={**body, "grounds": "g"})
        assert response.status_code == 422 and response.json()["rule"] == rule, (body, response.text)
    mine = await api.post(
        "/appeals",
        create=True,
        role="cadre",
        unit=None,
        cadre_id="c-cty-a",
        json={"target_type": "GOV_SANCTION", "target_ref": "sanction/s-3", "stage": "REVIEW", "grounds": "g"},
    )
    assert mine.status_code == 422 and mine.json()["rule"] == "appeal.target_type"
    conduct = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        **ME,
        json={
            "target_type": "SUPERVISION_CONDUCT",
            "target_ref": "measure/m-1",
            "stage": "APPEAL",
            "grounds": "g",
            "decision_on": (TODAY - dt.timedelta(days=400)).isoformat(),
        },
    )
    assert conduct["status"] == "FILED" and conduct["filing_deadline"] is None
    assert await api.rows(select(orm.appeal.c.id).where(orm.appeal.c.status == "REJECTED_TIME_BARRED")) == []


async def test_revoked_decisions_are_not_appealed_and_appeals_are_scoped(api):
    await api.publish(
        tolerance_v1.SanctionRevoked(
            sanction_id="s-4",
            cadre_id="c-fin-1",
            system=SanctionSystem.GOV,
            type=SanctionType.WARNING,
            effective_on=TODAY,
            ends_on=None,
            period_months=6,
            revoked_on=TODAY,
        )
    )
    await known(api, "sanction/s-4")
    revoked = await api.post(
        "/appeals",
        create=True,
        **ME,
        json={"target_type": "GOV_SANCTION", "target_ref": "sanction/s-4", "stage": "REVIEW", "grounds": "g"},
    )
    assert revoked.status_code == 409 and revoked.json()["rule"] == "appeal.target_revoked"
    await api.publish(sanction("s-5", SanctionSystem.GOV, SanctionType.WARNING, TODAY, cadre="c-cty-a"))
    await known(api, "sanction/s-5")
    filed = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        role="cadre",
        unit=None,
        cadre_id="c-cty-a",
        json={"target_type": "GOV_SANCTION", "target_ref": "sanction/s-5", "stage": "REVIEW", "grounds": "g"},
    )
    assert (await api.get(f"/appeals/{filed['id']}", **ME)).status_code == 404
    assert (await api.get(f"/appeals/{filed['id']}", role="auditor", unit="county-b")).status_code == 404
    assert (await api.get(f"/appeals/{filed['id']}", role="auditor", unit="county-a")).status_code == 200
    assert (await api.post(f"/appeals/{filed['id']}/accept", unit="county-b")).status_code == 404
    assert [a["id"] for a in (await api.ok("GET", "/appeals", role="petitions_staff", unit="county-a"))["items"]] == [
        filed["id"]
    ]
    assert (await api.ok("GET", "/appeals", **ME))["items"] == []
    outside = await api.post(
        "/appeals",
        create=True,
        role="petitions_staff",
        unit="county-b",
        json={
            "target_type": "GOV_SANCTION",
            "target_ref": "sanction/s-5",
            "stage": "APPEAL",
            "grounds": "g",
            "appellant_cadre_id": "c-cty-a",
        },
    )
    assert outside.status_code == 404
