"""Events consumed through real NATS: petitions cases, reports, false accusations and appeals; appraisal findings,
admonishments and grades; rank holdings. Idempotent and safe against out-of-order redelivery."""

from __future__ import annotations

import datetime as dt

from kernel.contracts import appraisal_v1, petitions_v1, rank_v1
from kernel.contracts.vocabulary import (
    AppealResult,
    AppealStage,
    AppealTarget,
    ChangeBasis,
    Grade,
    RankSeries,
    ReportOutcome,
)
from kernel.testing.helpers import eventually
from services.tolerance.adapters import orm
from tests.tolerance.integration.conftest import CADRES, UNITS

D = dt.date


def case_opened(case="case-1", report="r-1", cadre="c-a", on=D(2026, 5, 10)):
    return petitions_v1.CaseOpened(case_id=case, report_id=report, cadre_id=cadre, opened_on=on)


def report_closed(outcome, report="r-1", cadre="c-a", cases=("case-1",), on=D(2026, 6, 1)):
    return petitions_v1.ReportClosed(
        report_id=report,
        outcome=outcome,
        cadre_outcomes=[petitions_v1.CadreOutcome(cadre_id=cadre, outcome=outcome)],
        case_ids=list(cases),
        closed_on=on,
    )


def appeal(result, sanction_id, *, varied_to=None, stage=AppealStage.REVIEW, appeal_id="ap-1"):
    return petitions_v1.AppealDecided(
        appeal_id=appeal_id,
        appellant_cadre_id="c-a",
        target_type=AppealTarget.GOV_SANCTION,
        target_ref=f"sanction/{sanction_id}",
        stage=stage,
        result=result,
        varied_to=varied_to,
        decided_on=D(2026, 6, 12),
    )


async def investigation(world, case="case-1"):
    async def found():
        rows = await world.records(orm.investigation, orm.investigation.c.case_id == case)
        assert rows
        return rows[0]

    return await eventually(found, timeout=15)


async def active(world, cadre="c-a"):
    r = orm.restriction
    return await world.records(r, r.c.cadre_id == cadre, r.c.status == "ACTIVE")


async def test_an_opened_case_bars_promotion_and_grading_until_an_unfounded_closure(world):
    await world.bus.publish(case_opened())
    inv = await investigation(world)
    assert inv["status"] == "OPEN"
    assert {r["effect"] for r in await active(world)} == {
        "NO_POST_PROMOTION",
        "NO_RANK_PROMOTION",
        "NO_LEVEL_PROMOTION",
        "GRADE_UNDETERMINED",
    }
    [opened] = await world.emitted("investigation_opened")
    assert opened["caseId"] == "case-1" and opened["openedOn"] == "2026-05-10"

    await world.bus.publish(report_closed(ReportOutcome.UNFOUNDED))
    await world.settle("petitions", 2)
    inv = await investigation(world)
    assert inv["status"] == "CLOSED" and inv["result"] == "UNFOUNDED" and inv["closed_on"] == D(2026, 6, 1)
    assert await active(world) == []
    [closed] = await world.emitted("investigation_closed")
    assert closed["result"] == "UNFOUNDED"
    lifted = await world.emitted("restriction_lifted")
    assert len(lifted) == 4 and all(e["status"] == "LIFTED" for e in lifted)


async def test_the_same_case_delivered_twice_or_republished_opens_one_investigation(world):
    event = await world.bus.publish(case_opened())
    await world.bus.republish(event, seq=100)
    await world.bus.publish(case_opened())  # a new CE id for the same case: the natural key holds
    await world.settle("petitions", 3)
    assert await world.count(orm.investigation) == 1
    assert await world.count(orm.restriction) == 4
    runner = next(r for r in world.runtime.runners if r.durable.endswith("petitions"))
    assert runner.stats.duplicates == 1


async def test_a_report_closed_before_its_case_arrives_leaves_no_bar(world):
    await world.bus.publish(report_closed(ReportOutcome.NO_ACTION), seq=20)
    await world.settle("petitions", 1)
    await world.bus.publish(case_opened(), seq=10)
    await world.settle("petitions", 2)
    inv = await investigation(world)
    assert inv["status"] == "CLOSED" and inv["result"] == "NO_SANCTION"
    assert await active(world) == []


async def test_substantiated_facts_keep_the_bar_until_the_sanction_is_decided(world):
    await world.bus.publish(case_opened())
    await investigation(world)
    await world.bus.publish(report_closed(ReportOutcome.SUBSTANTIATED))
    await world.settle("petitions", 2)
    inv = await investigation(world)
    assert inv["status"] == "CONCLUDING" and inv["incident_id"]
    assert len(await active(world)) == 4
    [source] = await world.records(orm.incident_source, orm.incident_source.c.incident_id == inv["incident_id"])
    assert (source["ref_type"], source["ref_id"]) == ("REPORT", "r-1")

    sanction_id, _ = await world.proposal("c-a", "DEMERIT", incident=inv["incident_id"])
    await world.notified(sanction_id)
    assert (await world.decided(sanction_id)).status_code == 200
    inv = await investigation(world)
    assert inv["status"] == "CLOSED" and inv["result"] == "SANCTIONED"
    assert {r["source_type"] for r in await active(world)} == {"SANCTION"}
    [closed] = await world.emitted("investigation_closed")
    assert closed["result"] == "SANCTIONED" and closed["closedOn"] == "2026-06-10"


async def test_a_warning_only_closes_the_investigation_at_warning_level(world):
    await world.bus.publish(case_opened())
    await world.bus.publish(report_closed(ReportOutcome.PARTLY_SUBSTANTIATED))
    await world.settle("petitions", 2)
    inv = await investigation(world)
    sanction_id, _ = await world.proposal("c-a", "WARNING", incident=inv["incident_id"])
    await world.notified(sanction_id)
    assert (await world.decided(sanction_id)).status_code == 200
    assert (await investigation(world))["result"] == "WARNING_LEVEL"


async def test_a_confirmed_false_accusation_by_a_cadre_becomes_a_proposal_against_the_accuser(world):
    await world.bus.publish(
        petitions_v1.FalseAccusationConfirmed(
            case_id="fa-1",
            origin_report_id="r-9",
            victim_cadre_ids=["c-b"],
            accuser_is_cadre=True,
            accuser_cadre_id="c-h",
            confirmed_on=D(2026, 6, 2),
        )
    )
    await world.bus.publish(
        petitions_v1.FalseAccusationConfirmed(
            case_id="fa-2",
            origin_report_id="r-8",
            victim_cadre_ids=["c-b"],
            accuser_is_cadre=False,
            confirmed_on=D(2026, 6, 2),
        )
    )
    await world.settle("petitions", 2)
    [sanction] = await world.records(orm.sanction)
    assert (sanction["cadre_id"], sanction["system"], sanction["type"], sanction["status"], sanction["origin"]) == (
        "c-h",
        "GOV",
        "WARNING",
        "PROPOSED",
        "FALSE_ACCUSATION",
    )
    assert await world.count(orm.restriction) == 0  # a proposal restricts nothing


async def test_appeal_varied_recomputes_period_and_restrictions(world):
    sanction_id = await world.effective("c-a", "MAJOR_DEMERIT")
    await world.bus.publish(appeal(AppealResult.VARIED, sanction_id, varied_to="WARNING"))
    await world.settle("petitions", 1)
    sanction = (await world.get(f"/sanctions/{sanction_id}")).json()
    assert (sanction["type"], sanction["previous_type"], sanction["ends_on"]) == (
        "WARNING",
        "MAJOR_DEMERIT",
        "2026-12-09",
    )
    assert {(r["effect"], r["ends_on"]) for r in await active(world)} == {
        ("NO_POST_PROMOTION", D(2026, 12, 10)),
        ("NO_RANK_PROMOTION", D(2026, 12, 10)),
        ("NO_LEVEL_PROMOTION", D(2026, 12, 10)),
        ("GRADE_NOT_EXCELLENT", D(2027, 1, 1)),
    }
    [varied] = await world.emitted("sanction_varied")
    assert varied["previousType"] == "MAJOR_DEMERIT" and varied["appealId"] == "ap-1"
    lifted = await world.emitted("restriction_lifted")
    assert len(lifted) == 6 and {e["reason"] for e in lifted} == {"APPEAL_VARIED"}


async def test_appeal_revoked_lifts_everything_and_names_the_publication_scope(world):
    sanction_id = await world.effective("c-a", "DISMISSAL_FROM_POST")
    await world.bus.publish(appeal(AppealResult.REVOKED, sanction_id, stage=AppealStage.APPEAL, appeal_id="ap-2"))
    # A review decision of the same sanction arriving late is superseded by the later stage.
    await world.bus.publish(appeal(AppealResult.VARIED, sanction_id, varied_to="WARNING", appeal_id="ap-1"))
    await world.settle("petitions", 2)
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["status"] == "REVOKED"
    assert await active(world) == []
    [revoked] = await world.emitted("sanction_revoked")
    assert revoked["publicationScope"] == "UNIT" and revoked["demotesRank"] and revoked["revokedOn"] == "2026-06-12"
    assert await world.emitted("sanction_varied") == []
    outcomes = {r["appeal_id"]: r["outcome"] for r in await world.records(orm.sanction_appeal)}
    assert outcomes == {"ap-2": "REVOKED", "ap-1": "ALREADY_REVOKED"}


async def test_an_upheld_appeal_changes_nothing_and_other_targets_are_ignored(world):
    sanction_id = await world.effective("c-a", "WARNING")
    await world.bus.publish(appeal(AppealResult.UPHELD, sanction_id))
    await world.bus.publish(
        petitions_v1.AppealDecided(
            appeal_id="ap-9",
            appellant_cadre_id="c-a",
            target_type=AppealTarget.ANNUAL_GRADE,
            target_ref="annual-assessment/aa-1",
            stage=AppealStage.REVIEW,
            result=AppealResult.REVOKED,
            decided_on=D(2026, 6, 12),
        )
    )
    await world.settle("petitions", 2)
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["status"] == "EFFECTIVE"
    assert len(await active(world)) == 4
    [row] = await world.records(orm.sanction_appeal)
    assert row["outcome"] == "NO_CHANGE"


async def test_an_appeal_on_an_unknown_sanction_or_a_heavier_variation_is_dead_lettered(world):
    sanction_id = await world.effective("c-a", "WARNING")
    await world.bus.publish(appeal(AppealResult.REVOKED, "san-unknown"))
    await world.bus.publish(appeal(AppealResult.VARIED, sanction_id, varied_to="DEMERIT", appeal_id="ap-3"))
    await world.settle("petitions", 2)
    dead = await world.records(world.runtime.tables.dead_letter)
    assert len(dead) == 2 and all("permanent" in d["error"] for d in dead)
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["type"] == "WARNING"


async def test_an_inaction_finding_that_triggers_accountability_opens_a_proposal_with_its_incident(world):
    await world.bus.publish(
        appraisal_v1.InactionConfirmed(
            finding_id="if-9",
            cadre_id="c-a",
            item_code="NA-DELAY-01",
            severity=2,
            triggers_accountability=True,
            occurred_on=D(2026, 5, 3),
            confirmed_on=D(2026, 6, 1),
            incident_ref="inc-31",
        )
    )
    await world.bus.publish(
        appraisal_v1.InactionConfirmed(
            finding_id="if-10",
            cadre_id="c-b",
            item_code="NA-DELAY-02",
            severity=1,
            triggers_accountability=False,
            occurred_on=D(2026, 5, 3),
            confirmed_on=D(2026, 6, 1),
        )
    )
    await world.settle("appraisal", 2)
    [sanction] = await world.records(orm.sanction)
    assert (sanction["system"], sanction["type"], sanction["incident_id"]) == (
        "ACCOUNTABILITY",
        "ACCOUNTABILITY_CRITICISM",
        "inc-31",
    )
    incident = (await world.get("/incidents/inc-31")).json()
    assert incident["source_refs"] == [{"type": "INACTION_FINDING", "id": "if-9"}]
    # The incident is dated on the conduct (the finding's occurred_on), opened on the day it was confirmed.
    assert (incident["occurred_on"], incident["opened_on"]) == ("2026-05-03", "2026-06-01")


async def test_an_admonishment_restricts_for_six_months_and_completes_the_basic_grade_task(world):
    await world.bus.publish(
        appraisal_v1.GradeFinalized(
            assessment_id="aa-2025-a",
            cadre_id="c-a",
            org_unit_id="finance",
            year=2025,
            grade=Grade.BASIC,
            finalized_on=D(2026, 1, 20),
        )
    )
    await world.settle("appraisal", 1)
    [task] = await world.records(orm.admonishment_task)
    assert task["status"] == "OPEN"
    event = await world.bus.publish(
        appraisal_v1.AdmonishmentIssued(
            talk_id="t-12", cadre_id="c-a", issued_on=D(2026, 3, 1), reason="BASIC_GRADE_2025"
        )
    )
    await world.bus.republish(event, seq=500)
    await world.settle("appraisal", 3)
    [sanction] = await world.records(orm.sanction)
    assert (sanction["system"], sanction["status"], sanction["ends_on"]) == ("ADMONISHMENT", "EFFECTIVE", D(2026, 9, 1))
    assert {(r["effect"], r["ends_on"], r["source_type"]) for r in await active(world)} == {
        ("NO_POST_PROMOTION", D(2026, 9, 1), "ADMONISHMENT"),
        ("NO_RANK_PROMOTION", D(2026, 9, 1), "ADMONISHMENT"),
        ("NO_LEVEL_PROMOTION", D(2026, 9, 1), "ADMONISHMENT"),
        ("GRADE_NOT_EXCELLENT", D(2027, 1, 1), "ADMONISHMENT"),
    }
    [task] = await world.records(orm.admonishment_task)
    assert task["status"] == "DONE" and task["sanction_id"] == sanction["id"]


async def test_a_grade_amended_away_from_basic_cancels_the_task_and_a_stale_redelivery_does_not_reopen_it(world):
    basic = appraisal_v1.GradeFinalized(
        assessment_id="aa-1",
        cadre_id="c-b",
        org_unit_id="finance",
        year=2025,
        grade=Grade.BASIC,
        finalized_on=D(2026, 1, 20),
    )
    first = await world.bus.publish(basic, seq=1)
    await world.bus.publish(basic.model_copy(update={"grade": Grade.COMPETENT, "amended": True}), seq=2)
    await world.settle("appraisal", 2)
    await world.bus.republish(first, seq=1)  # redelivered after the amendment: stale
    await world.settle("appraisal", 3)
    [task] = await world.records(orm.admonishment_task)
    assert task["status"] == "CANCELLED"


async def test_rank_holdings_give_the_original_post_level_to_later_restrictions(world):
    await world.bus.publish(
        rank_v1.PostChanged(
            holding_id="ph-1",
            cadre_id="c-b",
            from_post=None,
            to_post="DIVISION_HEAD",
            post_level=4,
            basis=ChangeBasis.PROMOTION,
            effective_date=D(2024, 3, 1),
        )
    )
    await world.bus.publish(
        rank_v1.RankChanged(
            holding_id="rh-1",
            cadre_id="c-b",
            series=RankSeries.COMPREHENSIVE,
            from_rank="C08",
            to_rank="C07",
            basis=ChangeBasis.PROMOTION,
            effective_date=D(2024, 3, 1),
            level=18,
        )
    )
    await world.settle("rank", len(UNITS) + len(CADRES) + 2)
    sanction_id = await world.effective("c-b", "PARTY_POST_REMOVAL", "PARTY")
    sanction = (await world.get(f"/sanctions/{sanction_id}")).json()
    assert (sanction["original_post_level"], sanction["original_rank_code"]) == (4, "C07")
    activated = await world.emitted("restriction_activated")
    equal = next(a for a in activated if a["effect"] == "NO_POST_EQUAL_OR_ABOVE")
    assert equal["originalPostLevel"] == 4 and equal["originalRankCode"] == "C07"
