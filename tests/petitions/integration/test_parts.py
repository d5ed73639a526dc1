"""The petitions parts of the dossier and of the dashboards, as the gateway fans out to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kernel.contracts import tolerance_v1
from kernel.contracts.vocabulary import SanctionSystem, SanctionType
from kernel.testing.helpers import eventually
from services.petitions.adapters import orm
from tests.petitions.support import TODAY, reporter


async def test_the_dossier_part_holds_closed_outcomes_and_appeals_never_open_accusations_or_reporters(api):
    closed = await api.closed_report("UNFOUNDED", reporter=reporter(1))
    open_id = await api.intake(reporter=reporter(2))
    await api.register(open_id)
    await api.publish(
        tolerance_v1.SanctionEffective(
            sanction_id="s-9",
            cadre_id="c-fin-1",
            system=SanctionSystem.GOV,
            type=SanctionType.WARNING,
            effective_on=TODAY,
            ends_on=None,
            period_months=6,
        )
    )

    async def known():
        assert await api.rows(select(orm.appealable_decision.c.ref))

    await eventually(known, timeout=20)
    appeal = await api.ok(
        "POST",
        "/appeals",
        201,
        create=True,
        role="cadre",
        unit=None,
        cadre_id="c-fin-1",
        json={"target_type": "GOV_SANCTION", "target_ref": "sanction/s-9", "stage": "REVIEW", "grounds": "g"},
    )
    for role in ("org_admin", "assessor", "auditor"):
        part = await api.ok("GET", "/dossier-parts/petitions/c-fin-1", role=role, unit="finance")
        assert part["outcomes"] == [
            {"report_id": closed, "category": "integrity", "outcome": "UNFOUNDED", "closed_on": TODAY.isoformat()}
        ]
        assert [a["id"] for a in part["appeals"]] == [appeal["id"]]
        assert "open_reports" not in part and open_id not in str(part)
        assert reporter(1)["name"] not in str(part)
    officer = await api.ok("GET", "/dossier-parts/petitions/c-fin-1", role="discipline_officer")
    assert [r["report_id"] for r in officer["open_reports"]] == [open_id]
    earlier = await api.ok(
        "GET", f"/dossier-parts/petitions/c-fin-1?as_of={(TODAY - dt.timedelta(days=1))}", role="org_admin"
    )
    assert earlier["outcomes"] == [] and earlier["appeals"] == []


async def test_nothing_for_the_cadre_themself_and_404_for_relatives_and_outside_the_subtree(api):
    await api.closed_report("SUBSTANTIATED")
    # The cadre role reads no petitions part at all (its own dossier shows none): refused before any lookup.
    for cadre in ("c-fin-1", "c-fin-2"):
        own = await api.get(f"/dossier-parts/petitions/{cadre}", role="cadre", unit=None, cadre_id="c-fin-1")
        assert own.status_code == 403
    for cadre in ("c-fin-2", "c-fin-1"):  # a relative of the subject, or the subject, reading with a staff role
        response = await api.get("/dossier-parts/petitions/c-fin-1", role="org_admin", cadre_id=cadre)
        assert response.status_code == 404
    assert (await api.get("/dossier-parts/petitions/c-fin-1", role="org_admin", unit="county-a")).status_code == 404
    bad = await api.get("/dossier-parts/petitions/c-fin-1?as_of=2026-13-01", role="org_admin")
    assert bad.status_code == 422


async def test_the_dashboard_part_counts_overdue_deadlines_of_the_units_subtree(api):
    long_ago = TODAY - dt.timedelta(days=40)
    for i in range(3):
        await api.intake(reporter=reporter(i), received_on=long_ago)
    await api.intake(reporter=reporter(9), received_on=long_ago, unit="county-a", accused=["c-cty-a"])
    await api.intake(reporter=reporter(8), received_on=TODAY - dt.timedelta(days=18))
    city = await api.ok("GET", "/dashboard-parts/petitions?org_unit_id=city", role="org_admin")
    assert (city["overdue_total"], city["overdue_by_kind"], city["due_soon"]) == (4, {"ACCEPT_NOTICE": 4}, 1)
    assert city["oldest_overdue_on"] == "2026-11-06"  # 15 working days after Sunday 2026-10-18
    county = await api.ok("GET", "/dashboard-parts/petitions?org_unit_id=county-a", role="auditor")
    assert county["overdue_total"] == 1
    assert (
        await api.get("/dashboard-parts/petitions?org_unit_id=county-a", role="auditor", unit="county-b")
    ).status_code == 404
    own = await api.ok("GET", "/dashboard-parts/petitions?org_unit_id=county-a", role="assessor", unit="county-a")
    assert own["overdue_total"] == 1
    assert (
        await api.get("/dashboard-parts/petitions?org_unit_id=county-a-dept", role="assessor", unit="county-a")
    ).status_code == 404
    assert (await api.get("/dashboard-parts/petitions", role="org_admin")).status_code == 422


async def test_a_discipline_officer_who_is_a_cadre_reads_open_reports_in_the_part(api):
    # The open-reports query once failed (500) for any officer whose token names a cadre: the subquery that hides
    # reports about the officer's relatives auto-correlated the accused table of the outer query.
    report_id = await api.intake(accused=["c-fin-1"])
    await api.register(report_id)
    part = await api.ok("GET", "/dossier-parts/petitions/c-fin-1", role="discipline_officer", cadre_id="c-officer")
    assert [r["report_id"] for r in part["open_reports"]] == [report_id]
    # ... and still never about a relative: c-officer-kin is c-officer's relative.
    kin_report = await api.intake(accused=["c-officer-kin"])
    await api.register(kin_report, accused=["c-officer-kin"])
    hidden = await api.get("/dossier-parts/petitions/c-officer-kin", role="discipline_officer", cadre_id="c-officer")
    assert hidden.status_code == 404
