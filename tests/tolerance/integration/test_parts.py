"""The dossier part (restrictions applying on a date) and the dashboard part (restrictions ending soon)."""

from __future__ import annotations

import datetime as dt

from kernel import deps
from kernel.contracts import petitions_v1
from services.tolerance.adapters import orm


async def test_the_dossier_part_shows_the_bar_on_the_requested_date(world):
    sanction_id = await world.effective("c-a", "WARNING")  # 2026-06-10 → 2026-12-10
    today = (await world.get("/dossier-parts/tolerance/c-a")).json()
    assert today["as_of"] == "2026-06-15"
    assert today["effective_bar"] == [
        "GRADE_NOT_EXCELLENT",
        "NO_LEVEL_PROMOTION",
        "NO_POST_PROMOTION",
        "NO_RANK_PROMOTION",
    ]
    assert [s["id"] for s in today["sanctions"]] == [sanction_id]
    before = (await world.get("/dossier-parts/tolerance/c-a", as_of="2026-06-09")).json()
    assert before["restrictions"] == [] and before["effective_bar"] == []
    later = (await world.get("/dossier-parts/tolerance/c-a", as_of="2026-12-20")).json()
    assert later["effective_bar"] == ["GRADE_NOT_EXCELLENT"]
    a = orm.audit_log
    assert await world.count(a, a.c.object_type == "dossier-part", a.c.object_id == "c-a") == 3
    # Each read's audit row went in through the backend's one-trip appender (kernel.audit).
    appender = world.app.state.runtime.read_auditor.append_group
    dialect = world.runtime.db.dialect
    assert type(appender).__name__ == {"sqlite": "SqliteAppender", "postgresql": "PostgresAppender"}[dialect]
    if dialect == "postgresql":  # never the pool the requests hold their connections from (kernel.db)
        assert appender.engine is not world.runtime.db.reader and appender.engine is not world.runtime.db.writer


async def test_a_cadre_sees_their_bars_but_not_the_investigation_behind_them(world):
    await world.bus.publish(
        petitions_v1.CaseOpened(case_id="case-1", report_id="r-1", cadre_id="c-a", opened_on=dt.date(2026, 5, 10))
    )
    await world.settle("petitions", 1)
    own = (await world.get("/dossier-parts/tolerance/c-a", "cadre", unit=None, cadre_id="c-a")).json()
    assert own["investigations"] is None
    assert {r["source_type"] for r in own["restrictions"]} == {"INVESTIGATION"}
    assert {r["source_id"] for r in own["restrictions"]} == {None}
    officer = (await world.get("/dossier-parts/tolerance/c-a", "discipline_officer")).json()
    assert [i["case_id"] for i in officer["investigations"]] == ["case-1"]
    assert await world.count(orm.restriction) == 4


async def test_the_dashboard_counts_restrictions_ending_within_ninety_days_in_the_unit_subtree(world):
    await world.effective("c-a", "ADMONISHMENT", "ADMONISHMENT", role="org_admin")  # bars end 2026-12-10
    await world.effective("c-h", "WARNING")
    await world.bus.publish(
        petitions_v1.CaseOpened(case_id="case-1", report_id="r-1", cadre_id="c-b", opened_on=dt.date(2026, 5, 10))
    )
    await world.settle("petitions", 1)
    world.app.dependency_overrides[deps.today] = lambda: dt.date(2026, 10, 1)
    city = (await world.get("/dashboard-parts/tolerance", "discipline_officer", org_unit_id="city")).json()
    assert city["restrictions_ending"]["count"] == 6  # three bars each of c-a and c-h end 2026-12-10
    assert {i["cadre_id"] for i in city["restrictions_ending"]["items"]} == {"c-a", "c-h"}
    assert city["cadres_under_restriction"] == 3 and city["open_investigations"] == 1
    assert city["sanctions_in_force_by_system"] == {"ADMONISHMENT": 1, "GOV": 1}
    finance = (await world.get("/dashboard-parts/tolerance", "org_admin", org_unit_id="finance")).json()
    assert finance["restrictions_ending"]["count"] == 3 and finance["open_investigations"] is None
    assert finance["active_restrictions_by_effect"]["NO_RANK_PROMOTION"] == 2  # c-a's admonishment, c-b's case
    world.app.dependency_overrides[deps.today] = lambda: dt.date(2026, 6, 15)
    near = (await world.get("/dashboard-parts/tolerance", org_unit_id="city")).json()
    assert near["restrictions_ending"]["count"] == 0


async def test_the_bulk_as_of_query_returns_the_bars_applying_that_day(world):
    from services.tolerance.views.reads import Bar, bars_on

    await world.effective("c-a", "WARNING")
    await world.effective("c-b", "DEMERIT")
    async with world.runtime.db.reader.connect() as conn:
        found = await bars_on(conn, ["c-a", "c-b", "c-h", "c-a"], dt.date(2026, 12, 20))
        before = await bars_on(conn, ["c-a", "c-b"], dt.date(2026, 6, 9))
    assert found["c-a"] == {"GRADE_NOT_EXCELLENT": Bar(1, dt.date(2026, 12, 31))}
    assert found["c-b"] == {
        "GRADE_UNDETERMINED": Bar(1, dt.date(2026, 12, 31)),
        "NO_LEVEL_PROMOTION": Bar(1, dt.date(2027, 6, 9)),
        "NO_POST_PROMOTION": Bar(1, dt.date(2027, 6, 9)),
        "NO_RANK_PROMOTION": Bar(1, dt.date(2027, 6, 9)),
        "NO_SALARY_STEP": Bar(1, dt.date(2027, 6, 9)),
    }
    assert "c-h" not in found and before == {}
