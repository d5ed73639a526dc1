"""Scoped reads of the tolerance records: one object or a keyset page, with SQL filters (no N+1)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    Date,
    Select,
    String,
    Table,
    any_,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.auth import Principal, Role
from kernel.pagination import PageParams, keyset, next_cursor
from services.tolerance.adapters import orm
from services.tolerance.adapters.repository import active_filter
from services.tolerance.domain.investigation import InvestigationStatus as InvestigationStatus  # list filters
from services.tolerance.domain.reinstatement import ReinstatementStatus as ReinstatementStatus
from services.tolerance.domain.restrictions import last_day
from services.tolerance.domain.sanction import SanctionStatus as SanctionStatus
from services.tolerance.domain.tolerance_case import CaseStatus as CaseStatus
from services.tolerance.views.scope import Scope, cadre_visible, scope_of, scoped

Row = dict[str, Any]


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value)


async def _page(
    conn: AsyncConnection, query: Select, table: Table, date_col: str, page: PageParams
) -> tuple[list, str | None]:
    query = keyset(query, [table.c[date_col], table.c.id], page, descending=True, converters=[_date, None])
    rows = list((await conn.execute(query)).mappings().all())
    return next_cursor(rows, page, lambda r: (r[date_col].isoformat(), r["id"]))


async def _one(conn: AsyncConnection, table: Table, object_id: str, scope: Scope) -> Any:
    query = scoped(select(table).where(table.c.id == object_id), table.c.cadre_id, scope)
    return (await conn.execute(query)).mappings().first()


def _filters(query: Select, table: Table, filters: dict[str, Any]) -> Select:
    for name, value in filters.items():
        if value is not None:
            query = query.where(table.c[name] == value)
    return query


# -- sanctions -------------------------------------------------------------------------------------------------
def sanction_row(row: Any, principal: Principal) -> Row:
    """Returns a sanction as the API shows it (ends_on: its last day); the defence only to deciders and the cadre."""
    data = {k: row[k] for k in row.keys() if k not in ("created_at", "updated_at", "external_ref", "decided_by")}
    data["ends_on"] = last_day(row["ends_on"])
    may_read_defence = principal.has(Role.DISCIPLINE_OFFICER, Role.ORG_ADMIN) or principal.cadre_id == row["cadre_id"]
    if not may_read_defence:
        data["defence_statement"] = None
    return data


async def get_sanction(conn: AsyncConnection, principal: Principal, sanction_id: str) -> Row | None:
    """Returns a sanction the caller may read, or None."""
    row = await _one(conn, orm.sanction, sanction_id, await scope_of(conn, principal))
    return None if row is None else sanction_row(row, principal)


async def list_sanctions(
    conn: AsyncConnection, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Row], str | None]:
    """Lists sanctions in scope, newest proposal first."""
    t = orm.sanction
    query = _filters(scoped(select(t), t.c.cadre_id, await scope_of(conn, principal)), t, filters)
    rows, cursor = await _page(conn, query, t, "proposed_on", page)
    return [sanction_row(r, principal) for r in rows], cursor


# -- restrictions ----------------------------------------------------------------------------------------------
def restriction_row(row: Any, principal: Principal) -> Row:
    """Returns a restriction with inclusive last days; a cadre does not see which investigation a bar comes from."""
    data = {k: row[k] for k in row.keys() if k not in ("updated_at", "until_on")}
    data["ends_on"] = last_day(row["ends_on"])
    data["applies_until"] = last_day(row["until_on"])
    if row["source_type"] == "INVESTIGATION" and not principal.has(
        Role.DISCIPLINE_OFFICER, Role.ORG_ADMIN, Role.ASSESSOR, Role.AUDITOR
    ):
        data["source_id"] = None
    return data


async def get_restriction(conn: AsyncConnection, principal: Principal, restriction_id: str) -> Row | None:
    """Returns a restriction the caller may read, or None."""
    row = await _one(conn, orm.restriction, restriction_id, await scope_of(conn, principal))
    return None if row is None else restriction_row(row, principal)


async def list_restrictions(
    conn: AsyncConnection, principal: Principal, page: PageParams, *, active_on: dt.date | None = None, **filters: Any
) -> tuple[list[Row], str | None]:
    """Lists restrictions in scope (optionally those applying on a date), latest start first."""
    t = orm.restriction
    query = _filters(scoped(select(t), t.c.cadre_id, await scope_of(conn, principal)), t, filters)
    if active_on is not None:
        query = query.where(active_filter(t, active_on))
    rows, cursor = await _page(conn, query, t, "starts_on", page)
    return [restriction_row(r, principal) for r in rows], cursor


class Bar(NamedTuple):
    """One effect barring one cadre on a day: how many restrictions bar it, and the last day the latest of them
    applies (inclusive; None: one of them has no end)."""

    restrictions: int
    last_day: dt.date | None


def _bars_statement(ids: Any) -> Select:
    """Per cadre and effect, the restrictions applying on :on — their count and their latest exclusive end (NULL
    when any has none: count(until_on) skips NULLs) — grouped in the database; `ids` is the cadres asked for."""
    t = orm.restriction
    all_end = func.count(t.c.until_on) == func.count()
    return (
        select(
            t.c.cadre_id,
            t.c.effect,
            func.count().label("restrictions"),
            case((all_end, func.max(t.c.until_on))).label("until_on"),
        )
        .where(ids, active_filter(t, bindparam("on", type_=Date)))
        .group_by(t.c.cadre_id, t.c.effect)
    )


def _bars_document() -> Select:
    """SQLite's form of the as-of question: the same groups as one JSON document {cadre: {effect: "LASTcount"}},
    where LAST is the latest exclusive end as ISO text (10 characters), or "~" when any restriction has none ("~"
    sorts after every date, so one max() answers both), followed by the count. The engine builds the text and
    json.loads parses it in C: 31,000 groups through the driver as rows cost more CPU (four Python objects per
    group) than the grouping itself."""
    t = orm.restriction
    ids = t.c.cadre_id.in_(select(func.json_each(bindparam("ids", type_=String)).table_valued("value")))
    last = func.max(func.coalesce(type_coerce(t.c.until_on, String), literal("~", String)))
    groups = (
        select(t.c.cadre_id, t.c.effect, (last + type_coerce(func.count(), String)).label("bar"))
        .where(ids, active_filter(t, bindparam("on", type_=Date), dates_as_text=True))
        .group_by(t.c.cadre_id, t.c.effect)
        .subquery()
    )
    cadres = (
        select(groups.c.cadre_id, func.json_group_object(groups.c.effect, groups.c.bar).label("bars"))
        .group_by(groups.c.cadre_id)
        .subquery()
    )
    # The outer object by concatenation: each cadre's object is already JSON (json_group_object), so it is not
    # parsed again as json_group_object(cadre_id, json(bars)) would (5 % of the statement); json_quote escapes the id.
    entry = type_coerce(func.json_quote(cadres.c.cadre_id), String) + ":" + type_coerce(cadres.c.bars, String)
    return select(literal("{", String) + type_coerce(func.group_concat(entry, ","), String) + "}")


# Built once (building a Core statement per call costs more CPU than grouping 10,000 cadres in SQL). The cadre ids
# bind as one value whatever their count: an array on PostgreSQL (= ANY: one plan), a JSON array read by json_each on
# SQLite (no limit of bound values to chunk under, no IN list of 10,000 placeholders to expand and parse per call).
_BARS = _bars_statement(orm.restriction.c.cadre_id == any_(bindparam("ids", type_=ARRAY(String))))
_BARS_DOCUMENT = _bars_document()


class _Bars(dict):
    """SQLite's "LASTcount" texts to shared Bars, each distinct text parsed once (about 2,000 among 31,000)."""

    def __missing__(self, text: str) -> Bar:
        if text[0] == "~":
            bar = Bar(int(text[1:]), None)
        else:
            bar = Bar(int(text[10:]), last_day(dt.date.fromisoformat(text[:10])))
        self[text] = bar
        return bar


async def bars_on(conn: AsyncConnection, cadre_ids: Sequence[str], on: dt.date) -> dict[str, dict[str, Bar]]:
    """Returns {cadre_id: {effect: Bar}} for the restrictions applying on `on` (a cadre with none is absent).

    The as-of question for many cadres, answered in SQL (issue 15): who is barred from what on `on` and until
    when. The last day is the latest among the restrictions applying on `on`; a restriction of the same effect
    starting later and touching it is not followed (domain.restrictions.barred_until merges them for one cadre).
    Equal bars are one shared (immutable) Bar.
    """
    if conn.dialect.name != "postgresql":
        result = await conn.execute(_BARS_DOCUMENT, {"ids": json.dumps(list(cadre_ids)), "on": on})
        (document,) = result.cursor.fetchone()
        result.close()
        if document is None:
            return {}
        made = _Bars()
        return {
            cadre_id: {effect: made[bar] for effect, bar in bars.items()}
            for cadre_id, bars in json.loads(document).items()
        }
    result = await conn.execute(_BARS, {"ids": list(cadre_ids), "on": on})
    # The driver's rows, not SQLAlchemy's: 30,000 Row objects and their result processing cost more CPU than the
    # grouping itself (asyncpg has fetched every row when execute returns: no server-side cursor).
    rows = result.cursor.fetchall()
    result.close()
    day = dt.timedelta(days=1)
    found: dict[str, dict[str, Bar]] = {}
    made: dict[tuple[int, Any], Bar] = {}  # at full size about 2,000 distinct (count, end) among 34,000 bars
    for cadre_id, effect, count, until in rows:
        bars = found.get(cadre_id)
        if bars is None:
            bars = found[cadre_id] = {}
        bar = made.get((count, until))
        if bar is None:
            bar = made[count, until] = Bar(count, None if until is None else until - day)
        bars[effect] = bar
    return found


# -- tolerance cases -------------------------------------------------------------------------------------------
def case_row(row: Any) -> Row:
    """Returns a tolerance case as the API shows it."""
    return {k: row[k] for k in row.keys() if k not in ("created_at", "updated_at", "created_by")}


async def get_case(conn: AsyncConnection, principal: Principal, case_id: str) -> Row | None:
    """Returns a tolerance case the caller may read, or None."""
    row = await _one(conn, orm.tolerance_case, case_id, await scope_of(conn, principal))
    return None if row is None else case_row(row)


async def list_cases(
    conn: AsyncConnection, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Row], str | None]:
    """Lists tolerance cases in scope, newest application first."""
    t = orm.tolerance_case
    query = _filters(scoped(select(t), t.c.cadre_id, await scope_of(conn, principal)), t, filters)
    rows, cursor = await _page(conn, query, t, "applied_on", page)
    return [case_row(r) for r in rows], cursor


# -- incidents -------------------------------------------------------------------------------------------------
async def _incident_rows(conn: AsyncConnection, rows: list[Any]) -> list[Row]:
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    c, s = orm.incident_cadre, orm.incident_source
    cadres: dict[str, list[str]] = {}
    for incident_id, cadre_id in (
        await conn.execute(select(c.c.incident_id, c.c.cadre_id).where(c.c.incident_id.in_(ids)).order_by(c.c.cadre_id))
    ).all():
        cadres.setdefault(incident_id, []).append(cadre_id)
    sources: dict[str, list[Row]] = {}
    for incident_id, ref_type, ref_id in (
        await conn.execute(
            select(s.c.incident_id, s.c.ref_type, s.c.ref_id)
            .where(s.c.incident_id.in_(ids))
            .order_by(s.c.ref_type, s.c.ref_id)
        )
    ).all():
        sources.setdefault(incident_id, []).append({"type": ref_type, "id": ref_id})
    return [
        {
            **{k: r[k] for k in r.keys() if k not in ("created_at", "updated_at", "created_by")},
            "cadre_ids": cadres.get(r["id"], []),
            "source_refs": sources.get(r["id"], []),
        }
        for r in rows
    ]


def _incident_query(scope: Scope, cadre_id: str | None) -> Select:
    i, c = orm.incident, orm.incident_cadre
    visible = select(c.c.incident_id).where(cadre_visible(c.c.cadre_id, scope))
    if cadre_id is not None:
        visible = visible.where(c.c.cadre_id == cadre_id)
    return select(i).where(i.c.id.in_(visible))


async def get_incident(conn: AsyncConnection, principal: Principal, incident_id: str) -> Row | None:
    """Returns an incident concerning at least one cadre the caller may read, or None."""
    query = _incident_query(await scope_of(conn, principal), None).where(orm.incident.c.id == incident_id)
    rows = list((await conn.execute(query)).mappings().all())
    items = await _incident_rows(conn, rows)
    return items[0] if items else None


async def list_incidents(
    conn: AsyncConnection, principal: Principal, page: PageParams, *, cadre_id: str | None = None
) -> tuple[list[Row], str | None]:
    """Lists incidents concerning cadres in scope, newest first."""
    query = _incident_query(await scope_of(conn, principal), cadre_id)
    rows, cursor = await _page(conn, query, orm.incident, "opened_on", page)
    return await _incident_rows(conn, rows), cursor


# -- investigations and reinstatements -------------------------------------------------------------------------
def _plain(row: Any) -> Row:
    return {k: row[k] for k in row.keys() if k not in ("created_at", "updated_at")}


async def get_investigation(conn: AsyncConnection, principal: Principal, investigation_id: str) -> Row | None:
    """Returns an investigation the caller may read, or None."""
    row = await _one(conn, orm.investigation, investigation_id, await scope_of(conn, principal))
    return None if row is None else _plain(row)


async def list_investigations(
    conn: AsyncConnection, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Row], str | None]:
    """Lists investigations in scope, newest first."""
    t = orm.investigation
    query = _filters(scoped(select(t), t.c.cadre_id, await scope_of(conn, principal)), t, filters)
    rows, cursor = await _page(conn, query, t, "opened_on", page)
    return [_plain(r) for r in rows], cursor


async def _with_basis(conn: AsyncConnection, rows: list[Any]) -> list[Row]:
    b = orm.reinstatement_basis
    ids = [r["id"] for r in rows]
    basis: dict[str, list[str]] = {}
    if ids:
        for rid, sid in (
            await conn.execute(
                select(b.c.reinstatement_id, b.c.sanction_id)
                .where(b.c.reinstatement_id.in_(ids))
                .order_by(b.c.sanction_id)
            )
        ).all():
            basis.setdefault(rid, []).append(sid)
    return [{**_plain(r), "basis_sanction_ids": basis.get(r["id"], [])} for r in rows]


async def get_reinstatement(conn: AsyncConnection, principal: Principal, reinstatement_id: str) -> Row | None:
    """Returns a reinstatement the caller may read, or None."""
    row = await _one(conn, orm.reinstatement, reinstatement_id, await scope_of(conn, principal))
    return None if row is None else (await _with_basis(conn, [row]))[0]


async def list_reinstatements(
    conn: AsyncConnection, principal: Principal, page: PageParams, **filters: Any
) -> tuple[list[Row], str | None]:
    """Lists reinstatements in scope, newest eligibility first."""
    t = orm.reinstatement
    query = _filters(scoped(select(t), t.c.cadre_id, await scope_of(conn, principal)), t, filters)
    rows, cursor = await _page(conn, query, t, "eligible_from", page)
    return await _with_basis(conn, rows), cursor
