"""Performance records, inaction findings and the accountability index, recomputed incrementally from events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kernel.contracts import petitions_v1 as pet
from kernel.contracts import tolerance_v1 as tol
from kernel.contracts.vocabulary import ReportOutcome, ToleranceDecision
from services.appraisal.adapters import orm
from services.appraisal.adapters.projections import mark_dirty
from services.appraisal.service_layer.index import recompute_dirty
from tests.appraisal.integration.conftest import CADRES

D = dt.date


async def submit(
    app,
    cadre: str,
    category: str,
    on: str,
    quantity: float | None = 1,
    role: str = "assessor",
    unit: str | None = "finance",
    cadre_claim: str | None = None,
) -> str:
    r = await app.client.post(
        "/api/v1/performance-records",
        headers=app.hk(role, unit, cadre_claim),
        json={
            "cadre_id": cadre,
            "occurred_on": on,
            "category": category,
            "title": "work",
            "quantity": quantity,
            "evidence_refs": ["doc-1"],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def verifier(app) -> dict[str, str]:
    """An assessor of finance other than the one who submits (every test caller is "tester"): four-eyes."""
    return app.auth.headers("assessor", unit="finance", subject="assessor-verifier")


async def verify(app, rid: str) -> None:
    r = await app.client.post(f"/api/v1/performance-records/{rid}/verification", headers=verifier(app))
    assert r.status_code == 200, r.text


async def index(app, cadre: str, period: str = "2026-Q1") -> dict:
    r = await app.client.get(
        f"/api/v1/accountability-index/{cadre}", params={"period_key": period}, headers=app.h("org_admin", "city")
    )
    assert r.status_code == 200, r.text
    return r.json()["items"][0]


async def test_records_are_verified_returned_and_corrected_append_only(app):
    app.at(D(2026, 3, 20))
    rid = await submit(app, "c-fin-2", "KEY_TASK", "2026-02-01", role="cadre", unit=None, cadre_claim="c-fin-2")
    r = await app.client.post(
        "/api/v1/performance-records",
        headers=app.hk("cadre", None, "c-fin-2"),
        json={"cadre_id": "c-fin-1", "occurred_on": "2026-02-01", "category": "KEY_TASK", "title": "not mine"},
    )
    assert r.status_code == 404  # a cadre submits only for themself
    r = await app.client.post(
        f"/api/v1/performance-records/{rid}/return",
        headers=app.h("assessor", "finance"),
        json={"reason": "add the evidence"},
    )
    assert r.json()["status"] == "RETURNED"
    r = await app.client.post(
        f"/api/v1/performance-records/{rid}/resubmission",
        headers=app.h("cadre", None, "c-fin-2"),
        json={"evidence_refs": ["doc-2"]},
    )
    assert r.json()["status"] == "SUBMITTED"
    await verify(app, rid)
    r = await app.client.post(f"/api/v1/performance-records/{rid}/verification", headers=verifier(app))
    assert r.status_code == 409 and r.json()["rule"] == "performance_record.transition"
    r = await app.client.post(
        f"/api/v1/performance-records/{rid}/corrections",
        headers=app.hk("assessor", "finance"),
        json={"occurred_on": "2026-02-01", "category": "KEY_TASK", "title": "work (corrected)", "quantity": 3},
    )
    fix = r.json()["id"]
    r = await app.client.post(f"/api/v1/performance-records/{fix}/verification", headers=app.h("assessor", "finance"))
    assert (r.status_code, r.json()["rule"]) == (409, "performance_record.four_eyes")  # "tester" submitted it
    assert r.json()["status"] == 409
    await verify(app, fix)
    history = (
        await app.client.get(f"/api/v1/performance-records/{fix}/history", headers=app.h("cadre", None, "c-fin-2"))
    ).json()["items"]
    assert [(h["id"], h["status"]) for h in history] == [(rid, "SUPERSEDED"), (fix, "VERIFIED")]
    await app.recompute()
    comp = {c["source"]: c for c in (await index(app, "c-fin-2"))["components"]}
    assert comp["PERFORMANCE_RECORDS"]["ref_ids"] == [fix]  # the superseded record no longer counts
    r = await app.client.post(
        "/api/v1/performance-records",
        headers=app.hk("assessor", "finance"),
        json={"cadre_id": "c-fin-2", "occurred_on": "2026-09-01", "category": "KEY_TASK", "title": "future"},
    )
    assert r.status_code == 422 and r.json()["rule"] == "performance_record.occurred_on"


async def test_index_components_explain_the_score_and_tolerance_and_unfounded_reports_remove_negatives(app):
    app.at(D(2026, 3, 20))
    for category, qty in (("KEY_TASK", 2), ("URGENT_HARD", 1), ("PUBLIC_EVALUATION", 90)):
        await verify(app, await submit(app, "c-fin-1", category, "2026-02-10", qty))
    r = await app.client.post(
        "/api/v1/inaction-items",
        headers=app.hk("org_admin", "city"),
        json={
            "code": "NA-DELAY-01",
            "group": "SLOW_ACTING",
            "sector": "finance",
            "description": "拖延办理",
            "severity": 2,
            "default_points": 8,
            "triggers_accountability": True,
        },
    )
    assert r.status_code == 201, r.text
    r = await app.client.post(
        "/api/v1/inaction-findings",
        headers=app.hk("discipline_officer", "city"),
        json={
            "cadre_id": "c-fin-1",
            "item_code": "NA-DELAY-01",
            "source_type": "INSPECTION",
            "incident_ref": "inc-1",
            "occurred_on": "2026-03-01",
        },
    )
    fid = r.json()["id"]
    for action in ("verification", "confirmation"):
        r = await app.client.post(
            f"/api/v1/inaction-findings/{fid}/{action}", headers=app.h("discipline_officer", "city")
        )
        assert r.status_code == 200, r.text
    confirmed = await app.outbox("inaction_confirmed")
    assert [(c["findingId"], c["triggersAccountability"], c["incidentRef"]) for c in confirmed] == [
        (fid, True, "inc-1")
    ]
    await app.publish(
        pet.ReportClosed(
            report_id="r-100",
            outcome=ReportOutcome.SUBSTANTIATED,
            cadre_outcomes=[pet.CadreOutcome(cadre_id="c-fin-1", outcome=ReportOutcome.SUBSTANTIATED)],
            closed_on=D(2026, 3, 5),
        ),
        seq=10,
    )
    await app.applied(1, "petitions")
    await app.recompute()
    snap = await index(app, "c-fin-1")
    comp = {c["source"]: c for c in snap["components"]}
    assert comp["INACTION_FINDINGS"] == {
        "source": "INACTION_FINDINGS",
        "ref_ids": [fid],
        "raw": 8.0,
        "weight": -1.0,
        "contribution": -8.0,
    }
    assert comp["SUBSTANTIATED_REPORTS"]["ref_ids"] == ["r-100"]
    first_total = snap["total"]
    emitted = [e for e in await app.outbox("index_computed") if e["cadreId"] == "c-fin-1"]
    assert emitted[-1]["total"] == first_total and emitted[-1]["formulaVersion"] == "2026.1"
    assert {c["source"] for c in emitted[-1]["components"]} >= {"PERFORMANCE_RECORDS", "INACTION_FINDINGS"}

    await app.publish(
        tol.ToleranceGranted(
            case_id="tc-1",
            incident_id="inc-1",
            cadre_id="c-fin-1",
            decision=ToleranceDecision.EXEMPT,
            decided_on=D(2026, 3, 15),
        )
    )
    await app.applied(1, "tolerance")
    finding = (await app.client.get(f"/api/v1/inaction-findings/{fid}", headers=app.h("org_admin", "city"))).json()
    assert finding["status"] == "TOLERATED"
    part = (await app.client.get("/api/v1/dossier-parts/appraisal/c-fin-1", headers=app.h("auditor", "city"))).json()
    assert [(x["id"], x["status"]) for x in part["inaction_findings"]] == [(fid, "TOLERATED")]
    assert await app.recompute() == 1  # only the affected cadre and quarter
    snap = await index(app, "c-fin-1")
    assert "INACTION_FINDINGS" not in {c["source"] for c in snap["components"]}
    assert snap["total"] == first_total + 8.0

    await app.publish(
        pet.ReportClosed(
            report_id="r-100",
            outcome=ReportOutcome.UNFOUNDED,
            cadre_outcomes=[pet.CadreOutcome(cadre_id="c-fin-1", outcome=ReportOutcome.UNFOUNDED)],
            closed_on=D(2026, 3, 5),
        ),
        seq=11,
    )
    await app.applied(2, "petitions")
    assert await app.recompute() == 1
    snap = await index(app, "c-fin-1")
    assert "SUBSTANTIATED_REPORTS" not in {c["source"] for c in snap["components"]}
    assert snap["total"] == first_total + 18.0
    assert await app.recompute() == 0  # nothing dirty: nothing recomputed
    count = await app.scalar(select(func.count()).select_from(orm.index_snapshot))
    assert count == 1
    dash = (
        await app.client.get(
            "/api/v1/dashboard-parts/appraisal", params={"org_unit_id": "finance"}, headers=app.h("auditor", "city")
        )
    ).json()
    assert sum(dash["index"]["bands"].values()) == 1 and dash["index"]["mean"] == snap["total"]
    page = (
        await app.client.get(
            "/api/v1/accountability-index", params={"period_key": "2026-Q1"}, headers=app.h("assessor", "health")
        )
    ).json()
    assert page["items"] == []  # outside the caller's subtree


async def test_a_finding_from_a_petition_is_dismissed_when_the_report_proves_unfounded(app):
    app.at(D(2026, 3, 20))
    await app.client.post(
        "/api/v1/inaction-items",
        headers=app.hk("org_admin", "city"),
        json={"code": "NA-1", "group": "NOT_ACTING", "description": "推诿扯皮", "severity": 1, "default_points": 5},
    )
    fid = (
        await app.client.post(
            "/api/v1/inaction-findings",
            headers=app.hk("assessor", "finance"),
            json={
                "cadre_id": "c-fin-4",
                "item_code": "NA-1",
                "source_type": "PETITION",
                "source_ref": "r-7",
                "occurred_on": "2026-03-01",
            },
        )
    ).json()["id"]
    await app.publish(
        pet.ReportClosed(
            report_id="r-7",
            outcome=ReportOutcome.UNFOUNDED,
            cadre_outcomes=[pet.CadreOutcome(cadre_id="c-fin-4", outcome=ReportOutcome.UNFOUNDED)],
            closed_on=D(2026, 3, 10),
        )
    )
    await app.applied(1, "petitions")
    finding = (await app.client.get(f"/api/v1/inaction-findings/{fid}", headers=app.h("assessor", "finance"))).json()
    assert finding["status"] == "DISMISSED" and finding["closed_reason"] == "report/r-7:UNFOUNDED"


async def test_catalogue_and_self_checks(app):
    app.at(D(2026, 3, 20))
    h = app.hk("org_admin", "city")
    for code, sector in (("NA-A", "finance"), ("NA-B", "health")):
        await app.client.post(
            "/api/v1/inaction-items",
            headers=app.hk("org_admin", "city"),
            json={
                "code": code,
                "group": "NOT_ACTING",
                "sector": sector,
                "description": code,
                "severity": 1,
                "default_points": 3,
            },
        )
    r = await app.client.post(
        "/api/v1/inaction-items",
        headers=h,
        json={"code": "NA-A", "group": "NOT_ACTING", "description": "dup", "severity": 1, "default_points": 3},
    )
    assert r.status_code == 409 and r.json()["rule"] == "inaction_item.code_unique"
    r = await app.client.get(
        "/api/v1/inaction-items", params={"sector": "finance"}, headers=app.h("cadre", None, "c-fin-2")
    )
    assert [i["code"] for i in r.json()["items"]] == ["NA-A"]
    r = await app.client.patch(
        "/api/v1/inaction-items/NA-B", headers=app.h("org_admin", "city"), json={"active": False}
    )
    assert r.status_code == 200
    body = {"period_key": "2026-Q1", "answers": [{"item_code": "NA-A", "status": "FLAGGED", "note": "late twice"}]}
    r = await app.client.post("/api/v1/self-checks", headers=app.hk("cadre", None, "c-fin-2"), json=body)
    assert r.status_code == 201, r.text
    r = await app.client.post(
        "/api/v1/self-checks",
        headers=app.hk("cadre", None, "c-fin-1"),
        json={"period_key": "2026-Q1", "answers": [{"item_code": "NA-B", "status": "CLEAR"}]},
    )
    assert r.status_code == 422 and r.json()["rule"] == "self_check.items"
    mine = (await app.client.get("/api/v1/self-checks", headers=app.h("cadre", None, "c-fin-2"))).json()["items"]
    assert [(m["period_key"], m["flagged"]) for m in mine] == [("2026-Q1", 1)]
    assert (await app.client.get("/api/v1/self-checks", headers=app.h("cadre", None, "c-fin-1"))).json()["items"] == []


async def test_the_queue_is_drained_past_a_cursor_and_pairs_marked_again_behind_it_are_recomputed(app):
    """Each batch claims after the last pair of the batch before (issue 15); a pair marked again behind that cursor
    while the queue drains is taken by the last pass from the start."""
    cadres = sorted(CADRES)
    pairs = {(c, f"2026-Q{q}") for c in cadres for q in range(1, 5)}
    async with app.runtime.uow() as u:
        await mark_dirty(u.conn, pairs)
        await u.commit()
    batches: list[int] = []

    class MarkingAgain:
        """A unit of work that, in the third batch, marks the first pair again (it was computed in the first)."""

        def __init__(self) -> None:
            batches.append(len(batches) + 1)
            self.uow = app.runtime.uow()

        async def __aenter__(self):
            u = await self.uow.__aenter__()
            if len(batches) == 3:
                await mark_dirty(u.conn, {(cadres[0], "2026-Q1")})
            return u

        async def __aexit__(self, *exc):
            return await self.uow.__aexit__(*exc)

    assert await recompute_dirty(MarkingAgain, limit=5) == len(pairs) + 1
    assert len(batches) == 6  # 5 + 5 + 5 + 5 + 4 after the cursor, then 1 from the start
    assert await app.scalar(select(func.count()).select_from(orm.index_dirty)) == 0
    assert await app.scalar(select(func.count()).select_from(orm.index_snapshot)) == len(pairs)
    assert await app.recompute() == 0
