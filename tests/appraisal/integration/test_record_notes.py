"""Notes on a cadre's record from other services' events (docs/rules.md §5.8, 5.11, 5.16, 5.19), through a real
nats-server: clarification (index restored), 信访 review flag (no bar), reinstatement observation, term evaluation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kernel.contracts import petitions_v1 as pet
from kernel.contracts import rank_v1 as rank
from kernel.contracts import tolerance_v1 as tol
from kernel.contracts.vocabulary import ContractKind, ReportOutcome
from services.appraisal.adapters import orm
from tests.appraisal.integration.test_assessments_api import open_for, propose, self_summary
from tests.appraisal.integration.test_index_and_records import index, submit, verify

D = dt.date


def closed(report: str, cadre: str, outcome: ReportOutcome, on: D) -> pet.ReportClosed:
    return pet.ReportClosed(
        report_id=report,
        outcome=outcome,
        cadre_outcomes=[pet.CadreOutcome(cadre_id=cadre, outcome=outcome)],
        closed_on=on,
    )


def clarification(
    cadre: str, reports: list[str], cid: str = "cl-1", on: D = D(2026, 3, 12)
) -> pet.ClarificationExecuted:
    return pet.ClarificationExecuted(
        clarification_id=cid, cadre_id=cadre, report_ids=reports, method="MEETING", scope="UNIT", executed_on=on
    )


async def notes(app, role: str = "org_admin", unit: str | None = "city", cadre: str | None = None, **params) -> list:
    r = await app.client.get("/api/v1/assessments/notes", params=params, headers=app.h(role, unit, cadre))
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def note_count(app) -> int:
    return await app.scalar(select(func.count()).select_from(orm.cadre_note))


async def test_a_clarification_notes_the_record_and_removes_the_reports_negative_from_the_index(app):
    app.at(D(2026, 3, 20))
    await verify(app, await submit(app, "c-fin-1", "KEY_TASK", "2026-02-10", 2))
    await app.publish(closed("r-100", "c-fin-1", ReportOutcome.SUBSTANTIATED, D(2026, 3, 5)))
    await app.applied(1, "petitions")
    await app.recompute()
    before = await index(app, "c-fin-1")
    assert {c["source"]: c["ref_ids"] for c in before["components"]}["SUBSTANTIATED_REPORTS"] == ["r-100"]

    event = clarification("c-fin-1", ["r-100"])
    await app.publish(event)
    await app.publish(event)  # redelivered by the producer under another message id: still one note
    await app.applied(3, "petitions")
    assert await app.recompute() == 1
    after = await index(app, "c-fin-1")
    assert "SUBSTANTIATED_REPORTS" not in {c["source"] for c in after["components"]}
    assert after["total"] > before["total"]
    items = await notes(app, kind="CLARIFICATION")
    assert [(n["cadre_id"], n["source_ref"], n["noted_on"]) for n in items] == [
        ("c-fin-1", "clarification/cl-1", "2026-03-12")
    ]
    assert "r-100" in items[0]["detail"] and await note_count(app) == 1
    part = (
        await app.client.get("/api/v1/dossier-parts/appraisal/c-fin-1", headers=app.h("cadre", None, "c-fin-1"))
    ).json()
    assert [(n["kind"], n["source_ref"]) for n in part["notes"]] == [("CLARIFICATION", "clarification/cl-1")]
    one = await app.client.get(f"/api/v1/assessments/notes/{items[0]['id']}", headers=app.h("assessor", "finance"))
    assert one.status_code == 200 and one.json()["kind"] == "CLARIFICATION"

    # A redelivered substantiated closing of the clarified report never counts against the cadre again.
    await app.publish(closed("r-100", "c-fin-1", ReportOutcome.SUBSTANTIATED, D(2026, 3, 5)), seq=20)
    await app.applied(4, "petitions")
    await app.recompute()
    assert "SUBSTANTIATED_REPORTS" not in {c["source"] for c in (await index(app, "c-fin-1"))["components"]}


async def test_a_clarification_seen_before_the_closing_still_keeps_the_report_out_of_the_index(app):
    app.at(D(2026, 3, 20))
    await verify(app, await submit(app, "c-fin-4", "KEY_TASK", "2026-02-10", 1))
    await app.publish(clarification("c-fin-4", ["r-9"], cid="cl-9"))
    await app.publish(closed("r-9", "c-fin-4", ReportOutcome.PARTLY_SUBSTANTIATED, D(2026, 3, 2)))
    await app.applied(2, "petitions")
    await app.recompute()
    assert "SUBSTANTIATED_REPORTS" not in {c["source"] for c in (await index(app, "c-fin-4"))["components"]}
    status = await app.scalar(
        select(orm.petitions_report_outcome.c.outcome).where(orm.petitions_report_outcome.c.report_id == "r-9")
    )
    assert status == "CLARIFIED"


async def test_a_clarification_dismisses_the_findings_from_its_reports(app):
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
    await app.publish(clarification("c-fin-4", ["r-7"]))
    await app.applied(1, "petitions")
    finding = (await app.client.get(f"/api/v1/inaction-findings/{fid}", headers=app.h("assessor", "finance"))).json()
    assert finding["status"] == "DISMISSED"


async def test_a_xinfang_flag_is_a_review_note_only_for_selection_supervision_and_never_a_bar(app):
    app.at(D(2026, 3, 20))
    await verify(app, await submit(app, "c-fin-5", "KEY_TASK", "2026-02-10", 1))
    await app.recompute()
    before = await index(app, "c-fin-5")
    aid = await open_for(app, "c-fin-5")
    await self_summary(app, aid, "c-fin-5")
    event = pet.XinfangAboutCadre(report_id="r-101", cadre_ids=["c-fin-5", "c-fin-3"], received_on=D(2026, 3, 2))
    await app.publish(event)
    await app.publish(event)
    await app.applied(2, "petitions")
    assert await note_count(app) == 2  # one per cadre, once
    flagged = await notes(app, "org_admin", kind="XINFANG_REVIEW")
    assert sorted((n["cadre_id"], n["source_ref"]) for n in flagged) == [
        ("c-fin-3", "report/r-101"),
        ("c-fin-5", "report/r-101"),
    ]
    assert len(await notes(app, "discipline_officer", "finance")) == 2
    assert len(await notes(app, "auditor", "finance")) == 2
    # Petition-derived: not for assessors, nor for the cadre concerned (permissions.md rules 3 and 5).
    assert await notes(app, "assessor", "finance") == []
    assert await notes(app, "cadre", None, "c-fin-5") == []
    r = await app.client.get(f"/api/v1/assessments/notes/{flagged[0]['id']}", headers=app.h("assessor", "finance"))
    assert r.status_code == 404
    part = (await app.client.get("/api/v1/dossier-parts/appraisal/c-fin-5", headers=app.h("assessor", "city"))).json()
    assert part["notes"] == []
    part = (await app.client.get("/api/v1/dossier-parts/appraisal/c-fin-5", headers=app.h("org_admin", "city"))).json()
    assert [n["kind"] for n in part["notes"]] == ["XINFANG_REVIEW"]
    # No automatic bar: nothing requeued, the index unchanged, the grade proposed without any constraint.
    assert await app.recompute() == 0
    assert (await index(app, "c-fin-5"))["total"] == before["total"]
    assert (await propose(app, aid, "COMPETENT")).status_code == 200
    a = (await app.client.get(f"/api/v1/assessments/{aid}", headers=app.h("org_admin", "city"))).json()
    assert a["constraints_applied"] == [] and a["undetermined_reason"] is None
    # Never about oneself or a relative (S2): c-fin-2 is c-fin-1's relative.
    assert [n["cadre_id"] for n in await notes(app, "org_admin", "city", "c-fin-3")] == ["c-fin-5"]
    await app.publish(pet.XinfangAboutCadre(report_id="r-102", cadre_ids=["c-fin-1"], received_on=D(2026, 3, 3)))
    await app.applied(3, "petitions")
    assert len(await notes(app, "org_admin", "city", kind="XINFANG_REVIEW")) == 3
    assert "c-fin-1" not in {n["cadre_id"] for n in await notes(app, "org_admin", "city", "c-fin-2")}


async def test_reinstatement_and_term_ending_become_an_observation_note_and_a_term_evaluation_task(app):
    app.at(D(2026, 3, 20))
    await app.publish(
        tol.ReinstatementApproved(
            reinstatement_id="ri-1",
            cadre_id="c-fin-2",
            target_post="DIVISION_DEPUTY",
            upper_consulted=True,
            decided_on=D(2026, 3, 1),
        )
    )
    await app.applied(1, "tolerance")
    ending = rank.ContractTermEnding(
        contract_id="ct-1",
        cadre_id="c-fin-4",
        kind=ContractKind.APPOINTED_CS,
        ends_on=D(2026, 6, 30),
        review_due_on=D(2026, 5, 31),
    )
    await app.publish(ending)
    await app.publish(ending)
    await app.publish(
        rank.ContractTermEnding(
            contract_id="ct-2",
            cadre_id="c-health-1",
            kind=ContractKind.ROLE_TERM,
            ends_on=D(2026, 12, 31),
            review_due_on=D(2026, 11, 30),
        )
    )
    await app.applied(3, "rank")
    [observation] = await notes(app, kind="REINSTATEMENT")
    assert (observation["cadre_id"], observation["source_ref"], observation["noted_on"]) == (
        "c-fin-2",
        "reinstatement/ri-1",
        "2026-03-01",
    )
    tasks = await notes(app, "assessor", "finance", kind="TERM_EVALUATION")
    assert [(n["cadre_id"], n["source_ref"], n["due_on"]) for n in tasks] == [
        ("c-fin-4", "contract/ct-1", "2026-05-31")
    ]
    assert len(await notes(app, "org_admin", "city", kind="TERM_EVALUATION")) == 2
    due = await notes(app, "org_admin", "city", kind="TERM_EVALUATION", due_before="2026-06-30")
    assert [n["source_ref"] for n in due] == ["contract/ct-1"]
    assert [n["kind"] for n in await notes(app, "cadre", None, "c-fin-4")] == ["TERM_EVALUATION"]
    assert await notes(app, "cadre", None, "c-fin-2", kind="TERM_EVALUATION") == []
    r = await app.client.get("/api/v1/assessments/notes", params={"kind": "GOSSIP"}, headers=app.h("org_admin"))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert await note_count(app) == 3
