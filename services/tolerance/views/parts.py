"""The tolerance parts of the gateway's dossier and dashboards (scoped and role-filtered like every read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, func, select
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


_R, _S, _C, _RI, _INV = orm.restriction, orm.sanction, orm.tolerance_case, orm.reinstatement, orm.investigation
_CADRE, _AS_OF = bindparam("cadre_id"), bindparam("as_of")
# Built once: a statement built per request costs SQLAlchemy's coercion and cache key every time (docs/DEVELOPING.md).
_RESTRICTIONS = (
    select(_R)
    .where(_R.c.cadre_id == _CADRE, active_filter(_R, _AS_OF))
    .order_by(_R.c.starts_on, _R.c.id)
    .limit(PART_LIMIT)
)


def _known_by(table: Any, day: str, *tiebreak: Any) -> Any:
    """A cadre's rows of `table` dated on or before the as-of day, latest first."""
    column = table.c[day]
    return (
        select(table)
        .where(table.c.cadre_id == _CADRE, column <= _AS_OF)
        .order_by(column.desc(), *tiebreak)
        .limit(PART_LIMIT)
    )


_SANCTIONS = _known_by(_S, "proposed_on", _S.c.id)
_CASES = _known_by(_C, "applied_on", _C.c.id)
_REINSTATEMENTS = _known_by(_RI, "eligible_from", _RI.c.id)
_INVESTIGATIONS = _known_by(_INV, "opened_on")


def _plain(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in row.keys() if k not in ("created_at", "updated_at")}


async def dossier_part(conn: AsyncConnection, principal: Principal, cadre_id: str, as_of: dt.date) -> dict[str, Any]:
    """Returns the cadre's restrictions applying on `as_of`, and the sanctions, cases and reinstatements known then.

    Objects carry their current state; a cadre reading their own part does not see investigations.
    """
    params = {"cadre_id": cadre_id, "as_of": as_of}

    async def rows(statement: Any) -> Any:
        return (await conn.execute(statement, params)).mappings().all()

    restrictions = await rows(_RESTRICTIONS)
    return {
        "cadre_id": cadre_id,
        "as_of": as_of,
        "effective_bar": sorted({row["effect"] for row in restrictions}),
        "restrictions": [restriction_row(row, principal) for row in restrictions],
        "sanctions": [sanction_row(row, principal) for row in await rows(_SANCTIONS)],
        "tolerance_cases": [case_row(row) for row in await rows(_CASES)],
        "reinstatements": [_plain(row) for row in await rows(_REINSTATEMENTS)],
        "investigations": (
            [_plain(row) for row in await rows(_INVESTIGATIONS)] if principal.has(Role.DISCIPLINE_OFFICER) else None
        ),
    }


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
