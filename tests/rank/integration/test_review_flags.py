"""信访 about a cadre and clarifications (docs/rules.md §5.8, §5.11) through a real nats-server: recorded, shown with
eligibility as non-blocking notes to selection supervision, never a bar and never used against the cadre."""

from __future__ import annotations

from sqlalchemy import func, select

from kernel.contracts import petitions_v1
from kernel.contracts.vocabulary import ReportOutcome
from services.rank.adapters import orm
from tests.rank.integration.conftest import D
from tests.rank.integration.test_consumers import officer


def xinfang(cadres: list[str], report: str = "r-101", on: D = D(2026, 4, 2)) -> petitions_v1.XinfangAboutCadre:
    return petitions_v1.XinfangAboutCadre(report_id=report, cadre_ids=cadres, received_on=on)


async def answer(api, cadre: str, role: str = "org_admin", unit: str | None = "city", me: str | None = None) -> dict:
    return (await api.ok("GET", f"/api/v1/eligibility/{cadre}", headers=api.h(role, unit, me)))["eligibility"]


def rules(result: dict) -> dict[str, dict]:
    return {r["rule"]: r for r in result["reasons"]}


async def test_a_xinfang_flag_is_a_non_blocking_note_for_selection_supervision(api):
    cadre = await officer(api, since=D(2020, 1, 1))
    other = await officer(api, since=D(2020, 1, 1), name="Other Officer")
    assert (await answer(api, cadre))["eligible"] is True
    await api.publish(xinfang([cadre, other]), copies=2)  # the same event twice
    await api.applied(2, "petitions")
    assert (await api.rows(select(func.count()).select_from(orm.petitions_report)))[0][0] == 2
    result = await answer(api, cadre)
    flag = rules(result)["review.xinfang"]
    assert result["eligible"] is True and result["blocked"] is False and result["earliest_date"] == "2026-06-15"
    assert (flag["met"], flag["blocking"], flag["ref"]) == (None, False, "report/r-101")
    assert "信访工作条例" in flag["source"]
    for role in ("discipline_officer", "auditor"):
        assert "review.xinfang" in rules(await answer(api, cadre, role))
    # Never about oneself (S2), whatever the role.
    assert "review.xinfang" not in rules(await answer(api, cadre, "org_admin", "city", cadre))
    # Not for assessors nor for the cadre concerned (permissions.md rules 3 and 5); the answer is the same otherwise.
    for role, me in (("assessor", None), ("cadre", cadre)):
        hidden = await answer(api, cadre, role, None if role == "cadre" else "city", me)
        assert "review.xinfang" not in rules(hidden) and hidden["eligible"] is True
    await api.recompute()
    page = await api.ok("GET", "/api/v1/eligibility", params={"org_unit_id": "finance"})
    listed = {i["cadre_id"]: i for i in page["items"]}
    assert listed[cadre]["eligible_now"] is True and not listed[cadre]["blocked"]
    assert "review.xinfang" in {r["rule"] for r in listed[cadre]["reasons"]}
    page = await api.ok("GET", "/api/v1/eligibility", params={"org_unit_id": "finance"}, headers=api.h("assessor"))
    assert all("review.xinfang" not in {r["rule"] for r in i["reasons"]} for i in page["items"])
    part = await api.ok("GET", f"/api/v1/dossier-parts/rank/{cadre}", headers=api.h("org_admin", "city", None))
    assert "review.xinfang" in rules(part["eligibility"])

    # The report closes: the flag is no longer open (kept in the record).
    await api.publish(
        petitions_v1.ReportClosed(
            report_id="r-101",
            outcome=ReportOutcome.UNFOUNDED,
            closed_on=D(2026, 5, 1),
            cadre_outcomes=[
                petitions_v1.CadreOutcome(cadre_id=cadre, outcome=ReportOutcome.UNFOUNDED),
                petitions_v1.CadreOutcome(cadre_id=other, outcome=ReportOutcome.UNFOUNDED),
            ],
        )
    )
    await api.applied(3, "petitions")
    assert "review.xinfang" not in rules(await answer(api, cadre))
    assert "review.xinfang" in rules(
        (await api.ok("GET", f"/api/v1/eligibility/{cadre}", params={"as_of": "2026-04-30"}))["eligibility"]
    )
    closed = await api.rows(select(orm.petitions_report.c.closed_by).where(orm.petitions_report.c.cadre_id == cadre))
    assert [r[0] for r in closed] == ["report/r-101"]


async def test_a_clarification_is_recorded_never_used_against_the_cadre_and_closes_the_flag(api):
    cadre = await officer(api, since=D(2020, 1, 1))
    await api.publish(xinfang([cadre], report="r-7"))
    clarification = petitions_v1.ClarificationExecuted(
        clarification_id="cl-2",
        cadre_id=cadre,
        report_ids=["r-7"],
        method="MEETING",
        scope="UNIT",
        executed_on=D(2026, 5, 3),
    )
    await api.publish(clarification, copies=2)
    await api.applied(3, "petitions")
    assert (await api.rows(select(func.count()).select_from(orm.petitions_clarification)))[0][0] == 1
    result = await answer(api, cadre)
    note = rules(result)["clarification.recorded"]
    assert (note["met"], note["blocking"], note["ref"]) == (True, False, "clarification/cl-2")
    assert result["eligible"] is True and "review.xinfang" not in rules(result)
    assert "clarification.recorded" in rules(await answer(api, cadre, "cadre", None, cadre))  # the cadre sees it
    closed = await api.rows(select(orm.petitions_report.c.closed_on, orm.petitions_report.c.closed_by))
    assert [tuple(r) for r in closed] == [(D(2026, 5, 3), "clarification/cl-2")]
    await api.recompute()
    standing = await api.rows(
        select(orm.cadre_standing.c.blocked, orm.cadre_standing.c.eligible_on).where(
            orm.cadre_standing.c.cadre_id == cadre
        )
    )
    assert [tuple(r) for r in standing] == [(False, D(2026, 6, 15))]
