"""The tolerance parts of the gateway's dossier and dashboards (scoped and role-filtered like every read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.auth import Principal, Role
from services.tolerance.adapters import orm
from services.tolerance.adapters.repository import active_filter
from services.tolerance.domain.reinstatement import OPEN_STATES
from services.tolerance.domain.restrictions import last_day
from services.tolerance.domain.sanction import IN_FORCE
from services.tolerance.views.reads import case_row, restriction_row, sanction_row
from services.tolerance.views.scope import scope_of

PART_LIMIT = 200
ENDING_LIST_LIMIT = 100


async def dossier_part(conn: AsyncConnection, principal: Principal, cadre_id: str, as_of: dt.date) -> dict[str, Any]:
    """Returns the cadre's restrictions applying on `as_of`, and the sanctions, cases and reinstatements known then.

    Objects carry their current state; a cadre reading their own part does not see investigations.
    """
    r, s, c, ri, inv = orm.restriction, orm.sanction, orm.tolerance_case, orm.reinstatement, orm.investigation
    restrictions = (
        (
            await conn.execute(
                select(r)
                .where(r.c.cadre_id == cadre_id, active_filter(r, as_of))
                .order_by(r.c.starts_on, r.c.id)
                .limit(PART_LIMIT)
            )
        )
        .mappings()
        .all()
    )
    sanctions = (
        (
            await conn.execute(
                select(s)
                .where(s.c.cadre_id == cadre_id, s.c.proposed_on <= as_of)
                .order_by(s.c.proposed_on.desc(), s.c.id)
                .limit(PART_LIMIT)
            )
        )
        .mappings()
        .all()
    )
    cases = (
        (
            await conn.execute(
                select(c)
                .where(c.c.cadre_id == cadre_id, c.c.applied_on <= as_of)
                .order_by(c.c.applied_on.desc(), c.c.id)
                .limit(PART_LIMIT)
            )
        )
        .mappings()
        .all()
    )
    reinstatements = (
        (
            await conn.execute(
                select(ri)
                .where(ri.c.cadre_id == cadre_id, ri.c.eligible_from <= as_of)
                .order_by(ri.c.eligible_from.desc(), ri.c.id)
                .limit(PART_LIMIT)
            )
        )
        .mappings()
        .all()
    )
    part: dict[str, Any] = {
        "cadre_id": cadre_id,
        "as_of": as_of,
        "effective_bar": sorted({row["effect"] for row in restrictions}),
        "restrictions": [restriction_row(row, principal) for row in restrictions],
        "sanctions": [sanction_row(row, principal) for row in sanctions],
        "tolerance_cases": [case_row(row) for row in cases],
        "reinstatements": [
            {k: row[k] for k in row.keys() if k not in ("created_at", "updated_at")} for row in reinstatements
        ],
        "investigations": None,
    }
    if principal.has(Role.DISCIPLINE_OFFICER):
        rows = (
            (
                await conn.execute(
                    select(inv)
                    .where(inv.c.cadre_id == cadre_id, inv.c.opened_on <= as_of)
                    .order_by(inv.c.opened_on.desc())
                    .limit(PART_LIMIT)
                )
            )
            .mappings()
            .all()
        )
        part["investigations"] = [
            {k: row[k] for k in row.keys() if k not in ("created_at", "updated_at")} for row in rows
        ]
    return part


async def dashboard_part(
    conn: AsyncConnection, principal: Principal, unit_path: str, org_unit_id: str, today: dt.date, horizon_days: int
) -> dict[str, Any]:
    """Returns counts for an org unit's subtree: restrictions ending soon, bars in force, cases, reinstatements."""
    d = orm.directory.cadre
    scope = await scope_of(conn, principal)
    in_unit = select(d.c.cadre_id).where(d.c.org_path.startswith(unit_path, autoescape=True))
    if scope.relatives:
        in_unit = in_unit.where(d.c.cadre_id.not_in(sorted(scope.relatives)))
    r, s, c, ri, t, inv = (
        orm.restriction,
        orm.sanction,
        orm.tolerance_case,
        orm.reinstatement,
        orm.admonishment_task,
        orm.investigation,
    )
    # Internal ends are exclusive: "ends within the horizon" is a last day in [today, today + horizon].
    horizon = today + dt.timedelta(days=horizon_days + 1)
    ending = (r.c.status == "ACTIVE") & (r.c.ends_on > today) & (r.c.ends_on <= horizon) & r.c.cadre_id.in_(in_unit)
    ending_count = (await conn.execute(select(func.count()).where(ending))).scalar_one()
    ending_items = (
        (
            await conn.execute(
                select(r.c.id, r.c.cadre_id, r.c.effect, r.c.source_type, r.c.ends_on, r.c.discretionary_extension)
                .where(ending)
                .order_by(r.c.ends_on, r.c.id)
                .limit(ENDING_LIST_LIMIT)
            )
        )
        .mappings()
        .all()
    )
    active = active_filter(r, today) & r.c.cadre_id.in_(in_unit)
    by_effect = dict((await conn.execute(select(r.c.effect, func.count()).where(active).group_by(r.c.effect))).all())
    barred = (await conn.execute(select(func.count(func.distinct(r.c.cadre_id))).where(active))).scalar_one()
    sanctions = dict(
        (
            await conn.execute(
                select(s.c.system, func.count())
                .where(s.c.status.in_([x.value for x in IN_FORCE]), s.c.cadre_id.in_(in_unit))
                .group_by(s.c.system)
            )
        ).all()
    )
    cases = dict(
        (
            await conn.execute(select(c.c.status, func.count()).where(c.c.cadre_id.in_(in_unit)).group_by(c.c.status))
        ).all()
    )
    reinstatements = dict(
        (
            await conn.execute(
                select(ri.c.status, func.count())
                .where(ri.c.cadre_id.in_(in_unit), ri.c.status.in_([x.value for x in OPEN_STATES]))
                .group_by(ri.c.status)
            )
        ).all()
    )
    tasks = (
        await conn.execute(select(func.count()).where(t.c.status == "OPEN", t.c.cadre_id.in_(in_unit)))
    ).scalar_one()
    part: dict[str, Any] = {
        "org_unit_id": org_unit_id,
        "as_of": today,
        "horizon_days": horizon_days,
        "restrictions_ending": {
            "count": ending_count,
            "items": [{**row, "ends_on": last_day(row["ends_on"])} for row in ending_items],
        },
        "active_restrictions_by_effect": by_effect,
        "cadres_under_restriction": barred,
        "sanctions_in_force_by_system": sanctions,
        "tolerance_cases_by_status": cases,
        "open_reinstatements_by_status": reinstatements,
        "open_admonishment_tasks": tasks,
        "open_investigations": None,
    }
    if principal.has(Role.DISCIPLINE_OFFICER):
        part["open_investigations"] = (
            await conn.execute(select(func.count()).where(inv.c.status != "CLOSED", inv.c.cadre_id.in_(in_unit)))
        ).scalar_one()
    return part
