"""Read side: scoped queries on the reader connection (CQRS-lite). Scope is the cadre's current place in the
directory: a cadre sees their own rows, every other role the rows of cadres in their unit's subtree (in SQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, false, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, in_subtree, self_service, unit_not_found
from kernel.auth import Principal, Role
from kernel.directory import Directory
from kernel.pagination import PageParams, keyset, next_cursor
from services.appraisal.adapters import orm
from services.appraisal.adapters import quota as quota_figures
from services.appraisal.domain.rules import quota

directory = Directory(orm.directory)
D = orm.directory.cadre
# Notes drawn from petitions (信访 about a cadre, §5.11) are for the organization department's selection
# supervision: org_admin, discipline_officer and auditor read them; assessors and the cadre do not (permissions.md
# rules 3 and 5), and nobody reads them about themself or a relative (S2).
PETITION_NOTE_KINDS = ("XINFANG_REVIEW",)
PETITION_NOTE_READERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.AUDITOR)


def _ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


async def scope_clause(conn: AsyncConnection, principal: Principal, cadre_col: Any) -> Any:
    """Returns the SQL condition that keeps rows of cadres the caller may see (kernel.access)."""
    return directory.cadre_clause(await directory.access(conn, principal), cadre_col)


async def unit_clause(conn: AsyncConnection, principal: Principal, org_unit_id: str | None, cadre_col: Any) -> Any:
    """Narrows to one unit's subtree (inside the caller's subtree); an unknown or foreign unit yields nothing."""
    if not org_unit_id:
        return None
    path = await directory.unit_in_scope(conn, await directory.access(conn, principal), org_unit_id)
    if path is None:
        return false()
    return cadre_col.in_(select(D.c.cadre_id).where(in_subtree(D.c.org_path, path)))


def _row(row: Any, drop: tuple[str, ...] = ("org_path",)) -> dict[str, Any]:
    return {k: v for k, v in row._mapping.items() if k not in drop}


async def list_rows(
    conn: AsyncConnection,
    principal: Principal,
    table: Table,
    page: PageParams,
    *,
    org_unit_id: str | None = None,
    filters: list[Any] = (),
    order: str = "created_at",
) -> tuple[list[dict], str | None]:
    """Lists one table's rows in the caller's scope, newest first, by keyset."""
    where = [await scope_clause(conn, principal, table.c.cadre_id), *filters]
    narrowed = await unit_clause(conn, principal, org_unit_id, table.c.cadre_id)
    if narrowed is not None:
        where.append(narrowed)
    cols = [table.c[order], table.c.id]
    query = keyset(
        directory.named(select(table).where(*where), table.c.cadre_id),
        cols,
        page,
        descending=True,
        converters=[_ts if order.endswith("_at") else dt.date.fromisoformat, None],
    )
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r._mapping[order], r.id))
    return [_row(r) for r in rows], cursor


async def get_row(conn: AsyncConnection, principal: Principal, table: Table, object_id: str) -> dict[str, Any] | None:
    """Returns one row in the caller's scope, or None."""
    query = select(table).where(table.c.id == object_id, await scope_clause(conn, principal, table.c.cadre_id))
    row = (await conn.execute(directory.named(query, table.c.cadre_id))).first()
    return _row(row) if row else None


# The records the routes list and read one by one, by the name of their segment.
SCOPED = {
    "assessments": orm.annual_assessment,
    "regular_assessments": orm.regular_assessment,
    "awards": orm.award,
    "inaction_findings": orm.inaction_finding,
    "self_checks": orm.self_check,
    "performance_records": orm.performance_record,
    "talks": orm.talk,
    "talk_schedules": orm.talk_schedule,
}


async def scoped_page(
    conn: AsyncConnection,
    principal: Principal,
    kind: str,
    page: PageParams,
    *,
    org_unit_id: str | None = None,
    order: str = "created_at",
    **equal: Any,
) -> tuple[list[dict], str | None]:
    """Lists one kind of record (`SCOPED`) in the caller's scope, newest first; `equal`: column filters, each
    applied only when given (not empty)."""
    table = SCOPED[kind]
    filters = [table.c[name] == value for name, value in equal.items() if value]
    return await list_rows(conn, principal, table, page, org_unit_id=org_unit_id, filters=filters, order=order)


async def scoped_row(conn: AsyncConnection, principal: Principal, kind: str, object_id: str) -> dict[str, Any] | None:
    """Returns one record of a kind (`SCOPED`) in the caller's scope, or None."""
    return await get_row(conn, principal, SCOPED[kind], object_id)


async def record_history(conn: AsyncConnection, principal: Principal, record_id: str) -> list[dict[str, Any]]:
    """Returns the correction chain of a performance record, oldest first."""
    t = orm.performance_record
    start = await get_row(conn, principal, t, record_id)
    if start is None:
        return []
    chain = [start]
    seen = {start["id"]}
    back = start
    while back["supersedes"] and back["supersedes"] not in seen:
        back = _row((await conn.execute(select(t).where(t.c.id == back["supersedes"]))).one())
        chain.insert(0, back)
        seen.add(back["id"])
    forward = start
    while True:
        nxt = (await conn.execute(select(t).where(t.c.supersedes == forward["id"]).order_by(t.c.created_at))).first()
        if nxt is None or nxt.id in seen:
            break
        forward = _row(nxt)
        chain.append(forward)
        seen.add(forward["id"])
    return chain


async def index_of(
    conn: AsyncConnection, principal: Principal, cadre_id: str, period_key: str | None
) -> list[dict] | None:
    """Returns a cadre's index snapshots (with their components), newest period first; None outside scope."""
    t = orm.index_snapshot
    if await directory_visible(conn, principal, cadre_id) is None:
        return None
    query = select(t).where(t.c.cadre_id == cadre_id)
    if period_key:
        query = query.where(t.c.period_key == period_key)
    return [_row(r) for r in (await conn.execute(query.order_by(t.c.period_key.desc()).limit(40))).all()]


async def directory_visible(conn: AsyncConnection, principal: Principal, cadre_id: str):
    """Returns the directory entry if the caller may see this cadre (kernel.access), else None."""
    return await directory.visible_cadre(conn, principal, cadre_id)


async def overdue_talks(
    conn: AsyncConnection, principal: Principal, page: PageParams, today: dt.date, org_unit_id: str | None
) -> tuple[list[dict], str | None]:
    """Lists held talks whose reply deadline has passed without a reply, most overdue first."""
    t = orm.talk
    where = [await scope_clause(conn, principal, t.c.cadre_id), t.c.status == "HELD", t.c.reply_due_on < today]
    narrowed = await unit_clause(conn, principal, org_unit_id, t.c.cadre_id)
    if narrowed is not None:
        where.append(narrowed)
    query = keyset(select(t).where(*where), [t.c.reply_due_on, t.c.id], page, converters=[dt.date.fromisoformat, None])
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.reply_due_on, r.id))
    return [{**_row(r), "days_overdue": (today - r.reply_due_on).days} for r in rows], cursor


def petition_notes_visible(access: Access, cadre_id: str) -> bool:
    """Whether the caller may read a cadre's notes that come from petitions (`note_clause` for one cadre, decided
    from the access already resolved: never on oneself or a relative, only for PETITION_NOTE_READERS)."""
    principal = access.principal
    if self_service(principal) or not principal.has(*PETITION_NOTE_READERS):
        return False
    return not (principal.cadre_id and (cadre_id == principal.cadre_id or cadre_id in access.relatives))


async def note_clause(conn: AsyncConnection, principal: Principal, table: Table = orm.cadre_note) -> Any:
    """Returns the SQL condition that hides the notes the caller may not read (petition-derived kinds)."""
    petition = table.c.kind.in_(PETITION_NOTE_KINDS)
    if self_service(principal) or not principal.has(*PETITION_NOTE_READERS):
        return ~petition
    if principal.cadre_id:
        me = await directory.cadre(conn, principal.cadre_id)
        own = sorted({principal.cadre_id, *(me.relative_ids if me else ())})
        return ~(petition & table.c.cadre_id.in_(own))
    return true()


async def notes(
    conn: AsyncConnection,
    principal: Principal,
    page: PageParams,
    *,
    cadre_id: str | None,
    kind: str | None,
    due_before: dt.date | None,
    org_unit_id: str | None,
) -> tuple[list[dict], str | None]:
    """Lists notes on cadres' records in the caller's scope, newest first (filters: cadre, kind, due date)."""
    t = orm.cadre_note
    filters = [await note_clause(conn, principal)]
    if cadre_id:
        filters.append(t.c.cadre_id == cadre_id)
    if kind:
        filters.append(t.c.kind == kind)
    if due_before:
        filters.append(t.c.due_on <= due_before)
    return await list_rows(conn, principal, t, page, org_unit_id=org_unit_id, filters=filters, order="noted_on")


async def note(conn: AsyncConnection, principal: Principal, note_id: str) -> dict[str, Any] | None:
    """Returns one note in the caller's scope that the caller may read, or None."""
    t = orm.cadre_note
    row = (
        await conn.execute(
            select(t).where(
                t.c.id == note_id, await scope_clause(conn, principal, t.c.cadre_id), await note_clause(conn, principal)
            )
        )
    ).first()
    return _row(row) if row else None


async def assessment_years(
    conn: AsyncConnection, principal: Principal, page: PageParams, org_unit_id: str | None
) -> tuple[list[dict], str | None]:
    """Lists the quota configuration of units in the caller's subtree."""
    t, u = orm.assessment_year, orm.directory.org_unit
    access = await directory.access(conn, principal)
    if access.prefix is None or access.self_only:
        return [], None
    query = select(t).join(u, u.c.org_unit_id == t.c.org_unit_id).where(access.unit_clause(u.c.path))
    if org_unit_id:
        query = query.where(t.c.org_unit_id == org_unit_id)
    query = keyset(query, [t.c.org_unit_id, t.c.year], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.org_unit_id, r.year))
    return [_row(r) for r in rows], cursor


async def excellent_quota(
    conn: AsyncConnection, principal: Principal, settings: Any, org_unit_id: str, year: int
) -> dict[str, Any]:
    """Returns the 优秀 quota of the agency a unit in the caller's subtree counts in (adapters/quota.py, the same
    function the proposal and the decision check), or raises the uniform 404."""
    if await directory.unit_in_scope(conn, await directory.access(conn, principal), org_unit_id) is None:
        raise unit_not_found()
    st = await quota_figures.standing(conn, settings, org_unit_id, year)
    q = st.quota
    return {
        "org_unit_id": org_unit_id,
        "year": year,
        "counting_unit_id": st.counting_unit_id,
        "counting_unit_level": st.counting_unit_level,
        "staff_count": q.headcount,
        "pct": st.pct,
        "raise_approved": st.raise_approved,
        "pct_configured": st.configured,
        "exact_places": f"{q.exact.normalize():f}",
        "rounding": q.rounding,
        "rounded_places": q.rounded,
        "min_one_from": q.min_one_from,
        "min_one_applied": q.min_one_applied,
        "limit": q.limit,
        "used": st.used,
        "remaining": st.remaining,
        "rules": [vars(r) for r in q.rules()],
        "source": quota.SOURCE,
    }


async def inaction_items(
    conn: AsyncConnection, page: PageParams, filters: dict[str, Any]
) -> tuple[list[dict], str | None]:
    """Lists the catalogue, filtered by group, sector, domain, region and post level."""
    t = orm.inaction_item
    query = select(t).where(*[t.c[k] == v for k, v in filters.items() if v is not None])
    query = keyset(query, [t.c.code], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.code,))
    return [_row(r) for r in rows], cursor


async def bonus(conn: AsyncConnection, principal: Principal, allocation_id: str) -> dict[str, Any] | None:
    """Returns an allocation with its explained lines, if its unit is in the caller's subtree."""
    a, line = orm.bonus_allocation, orm.bonus_line
    access = await directory.access(conn, principal)
    row = (await conn.execute(select(a).where(a.c.id == allocation_id))).first()
    if row is None or not access.sees_unit(row.org_path):
        return None
    lines = (
        await conn.execute(select(line).where(line.c.allocation_id == allocation_id).order_by(line.c.cadre_id))
    ).all()
    return {**_row(row), "lines": [_row(x, drop=("allocation_id",)) for x in lines]}


async def index_page(
    conn: AsyncConnection, principal: Principal, page: PageParams, period_key: str | None, org_unit_id: str | None
) -> tuple[list[dict], str | None]:
    """Lists index snapshots in the caller's scope, by period (newest first) then cadre."""
    t = orm.index_snapshot
    where = [await scope_clause(conn, principal, t.c.cadre_id)]
    if period_key:
        where.append(t.c.period_key == period_key)
    narrowed = await unit_clause(conn, principal, org_unit_id, t.c.cadre_id)
    if narrowed is not None:
        where.append(narrowed)
    query = keyset(
        directory.named(select(t).where(*where), t.c.cadre_id), [t.c.period_key, t.c.cadre_id], page, descending=True
    )
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.period_key, r.cadre_id))
    return [_row(r) for r in rows], cursor
