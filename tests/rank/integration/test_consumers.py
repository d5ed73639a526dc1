"""Events from appraisal, tolerance and petitions through a real nats-server into rank's projections and rules."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kernel.contracts import appraisal_v1, petitions_v1, tolerance_v1
from kernel.contracts.vocabulary import (
    AwardType,
    Grade,
    ReportOutcome,
    RestrictionEffect,
    RestrictionSource,
    RestrictionStatus,
    SanctionSystem,
    SanctionType,
)
from services.rank.adapters import orm
from tests.rank.integration.conftest import D


def grade(
    cadre: str, year: int, value: Grade, *, aid: str | None = None, on: D | None = None, amended: bool = False
) -> appraisal_v1.GradeFinalized:
    return appraisal_v1.GradeFinalized(
        assessment_id=aid or f"aa-{year}-{cadre}",
        cadre_id=cadre,
        org_unit_id="finance",
        year=year,
        grade=value,
        finalized_on=on or D(year + 1, 1, 20),
        amended=amended,
    )


def restriction(
    cadre: str,
    status: RestrictionStatus,
    ends: D | None = D(2026, 9, 1),
    *,
    rid: str = "rs-1",
    cls: type = tolerance_v1.RestrictionActivated,
    starts: D = D(2026, 3, 1),
) -> tolerance_v1.RestrictionState:
    return cls(
        restriction_id=rid,
        cadre_id=cadre,
        effect=RestrictionEffect.NO_RANK_PROMOTION,
        source_type=RestrictionSource.SANCTION,
        source_id="s-1",
        starts_on=starts,
        ends_on=ends,
        status=status,
    )


def sanction(
    cadre: str,
    type_: SanctionType,
    cls: type = tolerance_v1.SanctionEffective,
    *,
    sid: str = "s-9",
    demotes_rank: bool = True,
    demotes_level: bool = True,
    **extra,
) -> tolerance_v1.SanctionState:
    return cls(
        sanction_id=sid,
        cadre_id=cadre,
        system=SanctionSystem.GOV,
        type=type_,
        effective_on=D(2026, 2, 1),
        ends_on=D(2028, 2, 1),
        period_months=24,
        demotes_rank=demotes_rank,
        demotes_level=demotes_level,
        **extra,
    )


async def eligibility(api, cadre: str, as_of: str | None = None) -> dict:
    params = {"as_of": as_of} if as_of else {}
    return (await api.ok("GET", f"/api/v1/eligibility/{cadre}", params=params))["eligibility"]


async def officer(api, rank: str = "C04", since: D = D(2020, 1, 1), level: int = 16, **kw) -> str:
    cadre = await api.register(kw.pop("name", f"Officer {rank} {since}"), **kw)
    await api.rank(cadre, rank, since, level=level)
    return cadre


async def test_two_excellent_grades_make_the_cadre_eligible_twelve_months_earlier(api):
    cadre = await officer(api, since=D(2023, 1, 1))
    before = await eligibility(api, cadre)
    assert before["target_rank"] == "C03" and before["tenure"]["met_on"] == "2026-01-01"
    assert before["eligible"] is True
    later = await officer(api, since=D(2024, 1, 1), name="Later Officer")
    assert (await eligibility(api, later))["earliest_date"] == "2027-01-01"
    await api.publish(grade(later, 2024, Grade.EXCELLENT))
    await api.publish(grade(later, 2025, Grade.EXCELLENT))
    await api.applied(2, "appraisal")
    after = await eligibility(api, later)
    assert after["eligible"] is True and after["tenure"]["met_on"] == "2026-01-01"
    assert after["tenure"]["excellent_years"] == [2024, 2025]
    rules = [r["rule"] for r in after["reasons"]]
    assert rules.count("tenure.excellent_reduction") == 2


async def test_a_basic_grade_pushes_eligibility_back_twelve_months(api):
    cadre = await officer(api, rank="C10", since=D(2024, 1, 1), level=22)
    before = await eligibility(api, cadre)
    assert before["eligible"] is True and before["tenure"]["met_on"] == "2026-01-01"
    await api.publish(grade(cadre, 2024, Grade.BASIC))
    await api.applied(1, "appraisal")
    result = await eligibility(api, cadre)
    assert result["eligible"] is False and result["earliest_date"] == "2027-01-01"
    assert result["tenure"]["excluded_years"] == [{"year": 2024, "months": 12}]


async def test_a_warning_blocks_for_six_months_then_the_cadre_is_eligible_the_day_after(api):
    cadre = await officer(api, since=D(2020, 1, 1))
    await api.publish(restriction(cadre, RestrictionStatus.ACTIVE))
    await api.applied(1, "tolerance")
    during = await eligibility(api, cadre)
    assert during["eligible"] is False and during["blocked"] is True
    assert during["earliest_date"] == "2026-09-02"
    blocker = next(r for r in during["reasons"] if r["blocking"])
    assert blocker["rule"] == "restriction.active" and blocker["ref"] == "rs-1" and "§21" in blocker["source"]
    assert (await eligibility(api, cadre, "2026-09-01"))["eligible"] is False
    assert (await eligibility(api, cadre, "2026-09-02"))["eligible"] is True
    await api.publish(restriction(cadre, RestrictionStatus.EXPIRED, cls=tolerance_v1.RestrictionExpired))
    await api.applied(2, "tolerance")
    api.at(D(2026, 9, 2))
    assert (await eligibility(api, cadre))["eligible"] is True


async def test_a_stale_restriction_redelivered_after_its_lifting_changes_nothing(api):
    cadre = await officer(api, since=D(2020, 1, 1))
    await api.publish(
        restriction(cadre, RestrictionStatus.LIFTED, D(2026, 4, 1), cls=tolerance_v1.RestrictionLifted), seq=10
    )
    await api.publish(restriction(cadre, RestrictionStatus.ACTIVE), seq=9)  # older: skipped by the watermark
    await api.applied(2, "tolerance")
    runner = next(r for r in api.runtime.runners if r.subscription.producer == "tolerance")
    assert runner.stats.stale == 1
    assert (await eligibility(api, cadre))["eligible"] is True


async def test_the_same_event_delivered_twice_is_applied_once(api):
    cadre = await officer(api, since=D(2024, 1, 1))
    await api.publish(grade(cadre, 2024, Grade.EXCELLENT), copies=2)
    await api.applied(2, "appraisal")
    runner = next(r for r in api.runtime.runners if r.subscription.producer == "appraisal")
    assert (runner.stats.applied, runner.stats.duplicates) == (1, 1)
    rows = await api.rows(select(orm.appraisal_grade.c.grade).where(orm.appraisal_grade.c.cadre_id == cadre))
    assert rows == [("EXCELLENT",)]


async def test_dismissal_from_post_demotes_one_rank_and_expiry_does_not_restore_it(api):
    cadre = await officer(api, rank="C04", since=D(2020, 1, 1), level=15)
    await api.publish(sanction(cadre, SanctionType.DISMISSAL_FROM_POST))
    await api.applied(1, "tolerance")
    entry = await api.cadre(cadre)
    assert entry["rank_code"] == "C05" and entry["level"] == 16
    change = (await api.outbox("rank_changed"))[-1]
    assert (change["fromRank"], change["toRank"], change["basis"]) == ("C04", "C05", "DEMOTION")
    demotions = await api.ok("GET", f"/api/v1/cadres/{cadre}/demotions")
    assert [(d["reason"], d["status"]) for d in demotions] == [("DISMISSAL_FROM_POST", "EXECUTED")]
    await api.publish(sanction(cadre, SanctionType.DISMISSAL_FROM_POST, tolerance_v1.SanctionExpired))
    await api.publish(sanction(cadre, SanctionType.DISMISSAL_FROM_POST))  # a late copy of the effective event
    await api.applied(3, "tolerance")
    entry = await api.cadre(cadre)
    assert entry["rank_code"] == "C05" and entry["level"] == 16  # not restored, not demoted twice
    assert len(await api.outbox("rank_changed")) == 2
    result = await eligibility(api, cadre)
    assert result["current_rank"] == "C05" and result["tenure"]["since"] == "2026-02-01"  # tenure restarts


async def test_a_revoked_sanction_restores_rank_and_level(api):
    cadre = await officer(api, rank="C04", since=D(2020, 1, 1), level=15)
    await api.publish(sanction(cadre, SanctionType.DEMOTION, sid="s-10", demotes_level=False))
    await api.publish(
        sanction(
            cadre,
            SanctionType.DEMOTION,
            tolerance_v1.SanctionRevoked,
            sid="s-10",
            demotes_level=False,
            revoked_on=D(2026, 5, 1),
            appeal_id="ap-1",
        )
    )
    await api.applied(2, "tolerance")
    entry = await api.cadre(cadre)
    assert entry["rank_code"] == "C04" and entry["level"] == 15
    bases = [c["basis"] for c in await api.outbox("rank_changed")]
    assert bases == ["INITIAL", "DEMOTION", "RESTORATION"]
    assert (await api.ok("GET", f"/api/v1/cadres/{cadre}/demotions"))[0]["status"] == "REVERSED"


async def test_an_incompetent_grade_requires_a_demotion_and_ends_an_appointment_contract(api):
    cadre = await officer(api, rank="C08", since=D(2020, 1, 1), level=20)
    await api.publish(grade(cadre, 2024, Grade.INCOMPETENT))
    await api.publish(grade(cadre, 2025, Grade.INCOMPETENT))
    await api.applied(2, "appraisal")
    demotions = await api.ok("GET", f"/api/v1/cadres/{cadre}/demotions")
    assert sorted((d["status"], d["dismissal_review"]) for d in demotions) == [("REQUIRED", False), ("REQUIRED", True)]
    assert "grade.incompetent" in [r["rule"] for r in (await eligibility(api, cadre))["reasons"] if r["blocking"]]
    first = next(d for d in demotions if not d["dismissal_review"])
    done = await api.ok(
        "POST", f"/api/v1/cadres/{cadre}/demotions/{first['id']}/execute", json={"effective_date": "2026-03-01"}
    )
    assert done["status"] == "EXECUTED" and (await api.cadre(cadre))["rank_code"] == "C09"
    again = await api.client.post(
        f"/api/v1/cadres/{cadre}/demotions/{first['id']}/execute",
        headers=api.h(),
        json={"effective_date": "2026-03-02"},
    )
    assert again.status_code == 409 and again.json()["rule"] == "demotion.transition"


async def test_an_amended_grade_cancels_the_required_demotion(api):
    cadre = await officer(api, rank="C08", since=D(2020, 1, 1), level=20)
    await api.publish(grade(cadre, 2025, Grade.INCOMPETENT, aid="aa-x"))
    await api.publish(grade(cadre, 2025, Grade.COMPETENT, aid="aa-x", on=D(2026, 4, 1), amended=True))
    await api.applied(2, "appraisal")
    assert [d["status"] for d in await api.ok("GET", f"/api/v1/cadres/{cadre}/demotions")] == ["CANCELLED"]
    assert (await eligibility(api, cadre))["eligible"] is True


async def test_appointment_contract_requires_termination_after_incompetent(api):
    cadre = await api.register("Appointee", category="APPOINTED")
    contract = (
        await api.ok(
            "POST",
            "/api/v1/contracts",
            status=201,
            json={
                "cadre_id": cadre,
                "kind": "APPOINTED_CS",
                "starts_on": "2025-01-01",
                "ends_on": "2027-12-31",
                "probation_months": 3,
            },
        )
    )["id"]
    await api.ok("POST", f"/api/v1/contracts/{contract}/file", json={"filed_on": "2025-01-05"})
    await api.publish(grade(cadre, 2025, Grade.INCOMPETENT))
    await api.applied(1, "appraisal")
    read = await api.ok("GET", f"/api/v1/contracts/{contract}")
    assert read["status"] == "TERMINATION_REQUIRED"
    done = await api.ok("POST", f"/api/v1/contracts/{contract}/terminate", json={"ground": "ANNUAL_INCOMPETENT"})
    assert done["status"] == "TERMINATED"
    event = (await api.outbox("contract_terminated"))[-1]
    assert event["ground"] == "ANNUAL_INCOMPETENT" and event["contractId"] == contract
    # No rank to demote for a 聘任制 cadre: no demotion is created.
    assert await api.ok("GET", f"/api/v1/cadres/{cadre}/demotions") == []


async def test_investigations_and_cases_block_until_closed(api):
    cadre = await officer(api, since=D(2020, 1, 1))
    await api.publish(
        petitions_v1.CaseOpened(case_id="case-7", report_id="r-1", cadre_id=cadre, opened_on=D(2026, 5, 10))
    )
    await api.applied(1, "petitions")
    result = await eligibility(api, cadre)
    assert result["eligible"] is False and result["earliest_date"] is None
    await api.publish(
        tolerance_v1.InvestigationOpened(
            investigation_id="inv-1", cadre_id=cadre, case_id="case-7", opened_on=D(2026, 5, 10)
        )
    )
    await api.applied(1, "tolerance")
    await api.publish(
        petitions_v1.ReportClosed(
            report_id="r-1",
            outcome=ReportOutcome.UNFOUNDED,
            case_ids=["case-7"],
            closed_on=D(2026, 6, 1),
            cadre_outcomes=[petitions_v1.CadreOutcome(cadre_id=cadre, outcome=ReportOutcome.UNFOUNDED)],
        )
    )
    await api.applied(2, "petitions")
    assert (await eligibility(api, cadre))["eligible"] is True
    # A case whose opening arrives after its report closed (redelivery reordered them) stays closed.
    await api.publish(
        petitions_v1.ReportClosed(
            report_id="r-2",
            outcome=ReportOutcome.UNFOUNDED,
            case_ids=["case-8"],
            closed_on=D(2026, 6, 2),
            cadre_outcomes=[petitions_v1.CadreOutcome(cadre_id=cadre, outcome=ReportOutcome.UNFOUNDED)],
        )
    )
    await api.publish(
        petitions_v1.CaseOpened(case_id="case-8", report_id="r-2", cadre_id=cadre, opened_on=D(2026, 5, 20))
    )
    await api.applied(4, "petitions")
    assert (await eligibility(api, cadre))["eligible"] is True


async def test_awards_and_the_index_feed_points_and_a_revoked_award_stops_counting(api):
    cadre = await officer(api, since=D(2020, 1, 1))
    await api.publish(
        appraisal_v1.AwardGranted(
            award_id="aw-1", cadre_id=cadre, type=AwardType.MERIT_3, basis="DEED", granted_on=D(2024, 5, 1)
        )
    )
    await api.publish(
        appraisal_v1.IndexComputed(
            cadre_id=cadre,
            org_unit_id="finance",
            period_key="2025",
            formula_version="2026.1",
            total=80.0,
            percentile=90.0,
            computed_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        )
    )
    await api.applied(2, "appraisal")
    points = (await api.ok("GET", f"/api/v1/eligibility/{cadre}"))["points"]
    lines = {b["item"]: b["points"] for b in points["breakdown"]}
    assert lines["award.MERIT_3"] == 3.0 and lines["index_percentile"] == 9.0 and lines["tenure_year"] == 12.0
    await api.publish(
        appraisal_v1.AwardRevoked(
            award_id="aw-1", cadre_id=cadre, type=AwardType.MERIT_3, revoked_on=D(2026, 2, 1), reason="SERIOUS_SANCTION"
        )
    )
    await api.applied(3, "appraisal")
    points = (await api.ok("GET", f"/api/v1/eligibility/{cadre}"))["points"]
    assert {b["item"]: b["points"] for b in points["breakdown"]}["award.MERIT_3"] == 0.0


async def test_without_a_stated_percentile_rank_ranks_the_index_within_the_unit_and_period(api):
    top, low = await officer(api, name="Top Officer"), await officer(api, name="Low Officer")
    elsewhere = await officer(api, name="Other Unit Officer", unit="health")
    for cadre, unit, total in ((top, "finance", 90.0), (low, "finance", 60.0), (elsewhere, "health", 95.0)):
        await api.publish(
            appraisal_v1.IndexComputed(
                cadre_id=cadre,
                org_unit_id=unit,
                period_key="2026-Q1",
                formula_version="2026.1",
                total=total,
                computed_at=dt.datetime(2026, 4, 5, tzinfo=dt.UTC),
            )
        )
    await api.applied(3, "appraisal")

    async def index_points(cadre):
        points = (await api.ok("GET", f"/api/v1/eligibility/{cadre}"))["points"]
        return {b["item"]: b["points"] for b in points["breakdown"]}["index_percentile"]

    # two cadres in finance: 75th and 25th percentile; the higher total in health does not count against them
    assert (await index_points(top), await index_points(low), await index_points(elsewhere)) == (7.5, 2.5, 5.0)


async def test_a_reinstatement_records_the_approved_post_once(api):
    cadre = await officer(api, since=D(2020, 1, 1))
    event = tolerance_v1.ReinstatementApproved(
        reinstatement_id="ri-1",
        cadre_id=cadre,
        target_post="DIVISION_DEPUTY",
        target_post_level=3,
        upper_consulted=True,
        decided_on=D(2026, 4, 1),
    )
    await api.publish(event)
    await api.publish(event)
    await api.applied(2, "tolerance")
    history = await api.ok("GET", f"/api/v1/cadres/{cadre}/history")
    assert [(p["post_code"], p["basis"]) for p in history["post_holdings"]] == [("DIVISION_DEPUTY", "REINSTATEMENT")]


async def _chief(api) -> str:
    cadre = await officer(api, rank="C04", since=D(2020, 1, 1), level=15, name="Chief")
    await api.ok(
        "POST",
        f"/api/v1/cadres/{cadre}/post-holdings",
        status=201,
        json={"post_code": "DIVISION_CHIEF", "since": "2021-03-01", "basis": "PROMOTION"},
    )
    return cadre


def _posts(history: dict) -> list[tuple]:
    return [(p["post_code"], p["basis"], p["since"], p["until"]) for p in history["post_holdings"]]


async def test_removal_from_post_ends_the_post_and_a_reinstatement_writes_the_new_one(api):
    """免职 ends the leadership post on its effective date (once); an approved 复出 then records the approved post."""
    cadre = await _chief(api)
    removal = sanction(cadre, SanctionType.REMOVAL_FROM_POST, sid="s-20", demotes_rank=False, demotes_level=False)
    await api.publish(removal)
    await api.publish(removal, seq=90)  # a redelivery under another sequence changes nothing
    await api.applied(2, "tolerance")
    assert (await api.cadre(cadre))["post_code"] is None
    history = await api.ok("GET", f"/api/v1/cadres/{cadre}/history")
    assert _posts(history) == [
        ("DIVISION_CHIEF", "PROMOTION", "2021-03-01", "2026-02-01"),
        (None, "REMOVAL", "2026-02-01", None),
    ]
    on_date = await api.ok("GET", f"/api/v1/cadres/{cadre}/history", params={"as_of": "2026-01-31"})
    assert on_date["post_code"] == "DIVISION_CHIEF"
    await api.publish(
        tolerance_v1.ReinstatementApproved(
            reinstatement_id="ri-5",
            cadre_id=cadre,
            target_post="DIVISION_CHIEF",
            target_post_level=4,
            upper_consulted=True,
            decided_on=D(2026, 4, 1),
        )
    )
    await api.applied(3, "tolerance")
    history = await api.ok("GET", f"/api/v1/cadres/{cadre}/history")
    assert _posts(history)[-1] == ("DIVISION_CHIEF", "REINSTATEMENT", "2026-04-01", None)
    assert (await api.cadre(cadre))["post_code"] == "DIVISION_CHIEF"


async def test_a_revoked_removal_gives_the_post_back(api):
    cadre = await _chief(api)
    await api.publish(
        sanction(cadre, SanctionType.REMOVAL_FROM_POST, sid="s-21", demotes_rank=False, demotes_level=False)
    )
    await api.publish(
        sanction(
            cadre,
            SanctionType.REMOVAL_FROM_POST,
            tolerance_v1.SanctionRevoked,
            sid="s-21",
            demotes_rank=False,
            demotes_level=False,
            revoked_on=D(2026, 5, 1),
            appeal_id="ap-2",
        )
    )
    await api.applied(2, "tolerance")
    history = await api.ok("GET", f"/api/v1/cadres/{cadre}/history")
    assert [(p, b) for p, b, _, _ in _posts(history)] == [
        ("DIVISION_CHIEF", "PROMOTION"),
        (None, "REMOVAL"),
        ("DIVISION_CHIEF", "RESTORATION"),
    ]


async def test_an_event_that_can_never_apply_is_dead_lettered(api):
    cadre = await officer(api, since=D(2020, 1, 1))
    await api.publish(
        tolerance_v1.ReinstatementApproved(
            reinstatement_id="ri-2",
            cadre_id=cadre,
            target_post="MAYOR",
            upper_consulted=False,
            decided_on=D(2026, 4, 1),
        )
    )
    await api.applied(1, "tolerance")
    rows = await api.rows(select(orm.kernel_tables.dead_letter.c.error))
    assert len(rows) == 1 and "unknown post" in rows[0][0]
