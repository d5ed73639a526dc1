"""Local projections of appraisal, tolerance and petitions events (idempotent writes keyed by natural ids)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.sql import insert_ignore, one_of, upsert
from services.rank.adapters import orm
from services.rank.adapters.sql import dumps, path_str

# Built once: a consumer runs it for every grade event.
_GRADE_CONTEXT = select(
    select(orm.cadre.c.id).where(orm.cadre.c.id == bindparam("cadre_id")).scalar_subquery(),
    select(orm.appraisal_grade.c.grade)
    .where(orm.appraisal_grade.c.assessment_id == bindparam("assessment_id"))
    .scalar_subquery(),
    select(orm.demotion.c.status).where(orm.demotion.c.source == bindparam("source")).scalar_subquery(),
)


async def grade_context(
    conn: AsyncConnection, *, assessment_id: str, cadre_id: str, source: str
) -> tuple[bool, str | None, str | None]:
    """Returns, in one round trip: whether the cadre is registered, the grade stored before, the demotion's status."""
    row = (
        await conn.execute(_GRADE_CONTEXT, {"cadre_id": cadre_id, "assessment_id": assessment_id, "source": source})
    ).one()
    return row[0] is not None, row[1], row[2]


async def put_grade(conn: AsyncConnection, **values: Any) -> None:
    """Stores the latest grade of an assessment."""
    await upsert(conn, orm.appraisal_grade, {**values, "updated_at": utcnow()}, ["assessment_id"])


async def grade_of_year(conn: AsyncConnection, cadre_id: str, year: int) -> str | None:
    """Returns the stored grade of a cadre's year (the latest finalized if several)."""
    t = orm.appraisal_grade
    return (
        await conn.execute(
            select(t.c.grade)
            .where(t.c.cadre_id == cadre_id, t.c.year == year)
            .order_by(t.c.finalized_on.desc())
            .limit(1)
        )
    ).scalar()


async def put_award(conn: AsyncConnection, **values: Any) -> None:
    """Stores an award's state (granted or revoked)."""
    await upsert(conn, orm.appraisal_award, {**values, "updated_at": utcnow()}, ["award_id"])


async def revoke_award(conn: AsyncConnection, *, award_id: str, cadre_id: str, type_: str, revoked_on: dt.date) -> None:
    """Marks an award revoked (creating the row if the grant was never seen)."""
    t = orm.appraisal_award
    values = {
        "award_id": award_id,
        "cadre_id": cadre_id,
        "type": type_,
        "revoked_on": revoked_on,
        "updated_at": utcnow(),
    }
    await upsert(conn, t, values, ["award_id"])


async def put_index(conn: AsyncConnection, **values: Any) -> None:
    """Stores the accountability index of a cadre's period."""
    await upsert(conn, orm.appraisal_index, values, ["cadre_id", "period_key"])


async def put_restriction(conn: AsyncConnection, **values: Any) -> None:
    """Stores the full state of a restriction."""
    await upsert(conn, orm.tolerance_restriction, {**values, "updated_at": utcnow()}, ["restriction_id"])


async def put_sanction(conn: AsyncConnection, **values: Any) -> str | None:
    """Stores the state of a sanction; returns its previous status."""
    t = orm.tolerance_sanction
    before = (await conn.execute(select(t.c.status).where(t.c.sanction_id == values["sanction_id"]))).scalar()
    await upsert(conn, t, {**values, "updated_at": utcnow()}, ["sanction_id"])
    return before


async def open_investigation(
    conn: AsyncConnection, *, case_id: str, cadre_id: str, opened_on: dt.date, investigation_id: str | None
) -> bool:
    """Records an open case; a case already closed (events out of order) stays closed. True if newly open."""
    t = orm.tolerance_investigation
    inserted = await insert_ignore(
        conn,
        t,
        {
            "case_id": case_id,
            "cadre_id": cadre_id,
            "opened_on": opened_on,
            "investigation_id": investigation_id,
            "updated_at": utcnow(),
        },
        ["case_id"],
    )
    if inserted:
        return True
    await conn.execute(
        update(t)
        .where(t.c.case_id == case_id)
        .values(
            cadre_id=cadre_id,
            opened_on=opened_on,
            investigation_id=t.c.investigation_id if investigation_id is None else investigation_id,
            updated_at=utcnow(),
        )
    )
    return False


async def close_investigation(
    conn: AsyncConnection,
    *,
    case_id: str,
    cadre_id: str,
    closed_on: dt.date,
    result: str | None,
    opened_on: dt.date | None = None,
) -> None:
    """Records that a case closed (creating the row if its opening was never seen)."""
    t = orm.tolerance_investigation
    inserted = await insert_ignore(
        conn,
        t,
        {
            "case_id": case_id,
            "cadre_id": cadre_id,
            "opened_on": opened_on,
            "closed_on": closed_on,
            "result": result,
            "updated_at": utcnow(),
        },
        ["case_id"],
    )
    if not inserted:
        await conn.execute(
            update(t).where(t.c.case_id == case_id).values(closed_on=closed_on, result=result, updated_at=utcnow())
        )


async def flag_xinfang(
    conn: AsyncConnection, *, report_id: str, cadre_ids: Sequence[str], received_on: dt.date
) -> None:
    """Records a 信访 about cadres for selection supervision, once per (report, cadre)."""
    for cadre_id in cadre_ids:
        await insert_ignore(
            conn,
            orm.petitions_report,
            {"report_id": report_id, "cadre_id": cadre_id, "received_on": received_on, "updated_at": utcnow()},
            ["report_id", "cadre_id"],
        )


async def close_xinfang(
    conn: AsyncConnection, *, report_ids: Sequence[str], closed_on: dt.date, closed_by: str, cadre_id: str | None = None
) -> list[str]:
    """Closes the open 信访 flags of some reports (of one cadre, if named); returns the cadres concerned."""
    t = orm.petitions_report
    where = [t.c.report_id.in_(list(report_ids)), t.c.closed_on.is_(None)]
    if cadre_id is not None:
        where.append(t.c.cadre_id == cadre_id)
    cadres = list((await conn.execute(select(t.c.cadre_id).where(*where))).scalars())
    if cadres:
        await conn.execute(
            update(t).where(*where).values(closed_on=closed_on, closed_by=closed_by, updated_at=utcnow())
        )
    return sorted(set(cadres))


async def put_clarification(
    conn: AsyncConnection, *, clarification_id: str, cadre_id: str, report_ids: Sequence[str], executed_on: dt.date
) -> None:
    """Records a clarification (澄清正名) once."""
    await insert_ignore(
        conn,
        orm.petitions_clarification,
        {
            "clarification_id": clarification_id,
            "cadre_id": cadre_id,
            "report_ids": dumps(sorted(report_ids)),
            "executed_on": executed_on,
            "updated_at": utcnow(),
        },
        ["clarification_id"],
    )


async def cadre_exists(conn: AsyncConnection, cadre_id: str) -> bool:
    t = orm.cadre
    return (await conn.execute(select(t.c.id).where(t.c.id == cadre_id))).first() is not None


def locked_update(conn: AsyncConnection, where: Any, values: dict[str, Any]) -> Any:
    """The UPDATE of the standings matching `where` to `values`, taking their row locks in cadre_id order.

    On PostgreSQL it first locks those rows in cadre_id order (a materialized CTE, SELECT … ORDER BY … FOR UPDATE),
    which is the order the standings job takes them in (its claim and its write-back walk cadre_id). An UPDATE alone
    locks in whatever order its plan reads the rows (the heap's, for a scan), so a consumer marking a unit's index
    peers and the job writing back a chunk locked the same rows in opposite orders: PostgreSQL's deadlock detector
    then killed one of them, 749 times in a 20,000-operation chaos run (docs/rank.md, "Lock order"). SQLite locks the
    whole database, so it needs no order."""
    t = orm.cadre_standing
    if conn.dialect.name != "postgresql":
        return update(t).where(where).values(values)
    locked = (
        select(t.c.cadre_id)
        .where(where)
        .order_by(t.c.cadre_id)
        .with_for_update()
        .cte("locked")
        .prefix_with("MATERIALIZED")
    )
    return update(t).where(t.c.cadre_id == locked.c.cadre_id).values(values)


def _marked(conn: AsyncConnection, where: Any, **values: Any) -> Any:
    """Marks the standings matching `where` dirty (bumping their generation), in cadre_id order (`locked_update`)."""
    t = orm.cadre_standing
    return locked_update(conn, where, {"dirty": True, "dirty_gen": t.c.dirty_gen + 1, **values})


def subtree_members(path: Sequence[str]) -> Any:
    """The condition "the cadre belongs to the org subtree at `path`" on cadre_standing."""
    c, u = orm.cadre, orm.org_unit
    members = (
        select(c.c.id).join(u, u.c.id == c.c.org_unit_id).where(u.c.path.startswith(path_str(path), autoescape=True))
    )
    return orm.cadre_standing.c.cadre_id.in_(members)


def index_peers(cadre_id: str, period_key: str) -> Any:
    """The condition "the cadre is in `cadre_id`'s org unit and holds an index for `period_key`" (their percentile
    moves together)."""
    c, i = orm.cadre, orm.appraisal_index
    unit = select(c.c.org_unit_id).where(c.c.id == cadre_id).scalar_subquery()
    peers = (
        select(c.c.id)
        .join(i, and_(i.c.cadre_id == c.c.id, i.c.period_key == period_key))
        .where(c.c.org_unit_id == unit)
    )
    return orm.cadre_standing.c.cadre_id.in_(peers)


def of_categories(categories: Sequence[str]) -> Any:
    """The condition "the cadre is of one of `categories`" (a new ladder version)."""
    c = orm.cadre
    return orm.cadre_standing.c.cadre_id.in_(select(c.c.id).where(c.c.category.in_(list(categories))))


async def mark_dirty(conn: AsyncConnection, cadre_ids: Sequence[str] = (), where: Sequence[Any] = ()) -> None:
    """Queues cadres for recomputation of their standing (eligibility, points, development step): the listed ones
    and those matching any of the `where` conditions (subtree_members, index_peers, of_categories), in one
    statement, so that a transaction locks all its standings at once and in order (why: `locked_update`)."""
    conditions = list(where)
    if cadre_ids:
        conditions.insert(0, one_of(conn, orm.cadre_standing.c.cadre_id, sorted(set(cadre_ids))))
    if conditions:
        await conn.execute(_marked(conn, or_(*conditions)))


async def mark_expired_standings(conn: AsyncConnection, today: dt.date) -> int:
    """Queues the standings whose answer may have changed by the passing of time (valid_until reached)."""
    t = orm.cadre_standing
    due = and_(t.c.valid_until.is_not(None), t.c.valid_until <= today, t.c.dirty.is_(False))
    result = await conn.execute(_marked(conn, due, valid_until=None))
    return result.rowcount or 0


async def is_open(conn: AsyncConnection, case_id: str) -> bool:
    """Tells whether a case is recorded open (opened and not closed)."""
    t = orm.tolerance_investigation
    row = (await conn.execute(select(t.c.opened_on, t.c.closed_on).where(t.c.case_id == case_id))).first()
    return row is not None and row[0] is not None and row[1] is None


async def close_cases(
    conn: AsyncConnection, *, case_ids: Sequence[str], closed_on: dt.date, result: str, sole_cadre: str | None
) -> list[str]:
    """Closes the cases among `case_ids`; returns the cadres concerned.

    A case not seen yet (its opening redelivered later) is recorded closed, so that the late opening cannot
    reopen it; its cadre is known only when the report concerned a single cadre.
    """
    if not case_ids:
        return []
    t = orm.tolerance_investigation
    cadres = list(
        (
            await conn.execute(select(t.c.cadre_id).where(t.c.case_id.in_(list(case_ids)), t.c.closed_on.is_(None)))
        ).scalars()
    )
    await conn.execute(
        update(t)
        .where(t.c.case_id.in_(list(case_ids)), t.c.closed_on.is_(None))
        .values(closed_on=closed_on, result=result, updated_at=utcnow())
    )
    for case_id in case_ids:
        await insert_ignore(
            conn,
            t,
            {
                "case_id": case_id,
                "cadre_id": sole_cadre or "",
                "closed_on": closed_on,
                "result": result,
                "updated_at": utcnow(),
            },
            ["case_id"],
        )
    return sorted(set(cadres))
