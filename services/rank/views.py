"""Read side of the register: scoped queries on the reader (CQRS-lite, no aggregates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, in_subtree, self_service
from kernel.auth import Principal
from kernel.pagination import PageParams, keyset, next_cursor
from services.rank.adapters import orm
from services.rank.adapters.access import CALLER_UNIT_PATH, access_of
from services.rank.adapters.fact_union import load_holdings
from services.rank.adapters.identity import id_number_hash as id_number_hash  # what a search by ID number compares
from services.rank.adapters.sql import path_list
from services.rank.domain.holdings import Assignment, LevelHolding, PostHolding, RankHolding, at
from services.rank.domain.names import looks_like_pinyin


def cadre_clause(access: Access, cadre_col: Any, unit_path_col: Any) -> ColumnElement[bool]:
    """Rows whose cadre the caller may see, for queries that already join the cadre's current org unit."""
    return access.cadre_clause(cadre_col, lambda prefix: in_subtree(unit_path_col, prefix))


def _cadre_row(with_caller: bool) -> Any:
    c, u, r = orm.cadre, orm.org_unit, orm.cadre_relative
    # The cadre's relatives in the same statement (comma-joined: ids hold no comma).
    relatives = select(func.aggregate_strings(r.c.relative_id, ",")).where(r.c.cadre_id == c.c.id)
    query = select(c, u.c.path.label("org_path"), relatives.scalar_subquery().label("relatives_csv")).join(
        u, u.c.id == c.c.org_unit_id
    )
    if with_caller:  # the caller's unit path in the same statement
        query = query.add_columns(CALLER_UNIT_PATH.label("caller_path"))
    return query.where(c.c.id == bindparam("cadre_id"))


# Built once each: the register entry with its unit path, with and without the caller's unit path.
_CADRE_ROW = {True: _cadre_row(True), False: _cadre_row(False)}


async def _visible_row(conn: AsyncConnection, principal: Principal, cadre_id: str) -> Any | None:
    with_caller = principal.unit_id is not None
    params = {"cadre_id": cadre_id, **({"caller_unit": principal.unit_id} if with_caller else {})}
    row = (await conn.execute(_CADRE_ROW[with_caller], params)).first()
    if row is None:
        return None
    caller_path = row.caller_path if with_caller else None
    if not (await access_of(conn, principal, unit_path=caller_path)).sees(cadre_id, row.org_path):
        return None
    return row


async def visible_cadre(conn: AsyncConnection, principal: Principal, cadre_id: str) -> dict[str, Any] | None:
    """Returns the cadre row (with its unit path) if the caller may see it (kernel.access), else None."""
    row = await _visible_row(conn, principal, cadre_id)
    return None if row is None else {k: v for k, v in row._mapping.items() if k not in ("caller_path", "relatives_csv")}


def _unit(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "parent_id": row.parent_id,
        "agency_level": row.agency_level,
        "path": path_list(row.path),
        "active": row.active,
        "version": row.version,
    }


async def _units_filter(conn: AsyncConnection, principal: Principal) -> Any:
    """Units a caller sees: their subtree; for the cadre role, the units on their own unit's path."""
    t = orm.org_unit
    if self_service(principal):
        _, ancestors = await config_units(conn, principal)
        return t.c.id.in_(ancestors) if ancestors else None
    access = await access_of(conn, principal)
    return None if access.prefix is None else access.unit_clause(t.c.path)


async def get_org_unit(conn: AsyncConnection, principal: Principal, unit_id: str) -> dict[str, Any] | None:
    """Returns an org unit the caller may see, or None."""
    visible = await _units_filter(conn, principal)
    if visible is None:
        return None
    t = orm.org_unit
    row = (await conn.execute(select(t).where(t.c.id == unit_id, visible))).first()
    return _unit(row) if row else None


async def list_org_units(
    conn: AsyncConnection, principal: Principal, page: PageParams
) -> tuple[list[dict], str | None]:
    """Lists the org units the caller may see, ordered by path."""
    visible = await _units_filter(conn, principal)
    if visible is None:
        return [], None
    t = orm.org_unit
    query = keyset(select(t).where(visible), [t.c.path], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.path,))
    return [_unit(r) for r in rows], cursor


_RELATIVES = select(orm.cadre_relative.c.cadre_id, orm.cadre_relative.c.relative_id).where(
    orm.cadre_relative.c.cadre_id.in_(bindparam("ids", expanding=True))
)


async def _relatives(conn: AsyncConnection, cadre_ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if cadre_ids:
        for cadre_id, relative_id in (await conn.execute(_RELATIVES, {"ids": list(cadre_ids)})).all():
            out.setdefault(cadre_id, []).append(relative_id)
    return out


def _cadre(row: Any, relatives: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "gender": row.gender,
        "birth_date": row.birth_date,
        "entry_date": row.entry_date,
        "org_unit_id": row.org_unit_id,
        "category": row.category,
        "party_member": row.party_member,
        "education": row.education,
        "active": row.active,
        "version": row.version,
        "rank_code": row.rank_code,
        "level": row.level,
        "post_code": row.post_code,
        "leadership": row.post_code is not None,
        "relative_ids": sorted(relatives.get(row.id, [])),
        "reserve_cadre": row.reserve_cadre,
        "grassroots_experience": row.grassroots_experience,
    }


async def get_cadre(conn: AsyncConnection, principal: Principal, cadre_id: str) -> dict[str, Any] | None:
    """Returns a cadre the caller may see (own entry for the cadre role, else the unit subtree), or None."""
    row = await _visible_row(conn, principal, cadre_id)
    return _cadre(row, {row.id: row.relatives_csv.split(",")} if row.relatives_csv else {}) if row else None


async def unit_prefix_within(conn: AsyncConnection, prefix: str, org_unit_id: str | None) -> str | None:
    """Narrows a scope prefix to an org unit's subtree (None when the unit is outside the scope)."""
    if not org_unit_id:
        return prefix
    u = orm.org_unit
    sub = (await conn.execute(select(u.c.path).where(u.c.id == org_unit_id))).scalar()
    return sub if sub is not None and sub.startswith(prefix) else None


@dataclass(frozen=True)
class CadreSearch:
    """What a register list is narrowed by (every part optional; all given parts must hold)."""

    org_unit_id: str | None = None
    name: str | None = None  # name prefix (kept for existing clients)
    q: str | None = None  # a name fragment, or pinyin (full or initials) when latin letters only
    id_number_hash: str | None = None
    rank_code: str | None = None
    post_code: str | None = None
    category: str | None = None


def _matches(c: Any, search: CadreSearch) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if search.name:
        clauses.append(c.c.name.startswith(search.name, autoescape=True))
    if search.q:
        text = "".join(search.q.split())
        if looks_like_pinyin(text):
            key = text.lower()
            clauses.append(
                or_(
                    c.c.name_pinyin.contains(key, autoescape=True),
                    c.c.name_initials.startswith(key, autoescape=True),
                    c.c.name.contains(search.q.strip(), autoescape=True),
                )
            )
        else:
            clauses.append(c.c.name.contains(text, autoescape=True))
    for column, value in (
        (c.c.id_number_hash, search.id_number_hash),
        (c.c.rank_code, search.rank_code),
        (c.c.post_code, search.post_code),
        (c.c.category, search.category),
    ):
        if value:
            clauses.append(column == value)
    return clauses


async def list_cadres(
    conn: AsyncConnection, principal: Principal, page: PageParams, search: CadreSearch = CadreSearch()
) -> tuple[list[dict], str | None]:
    """Lists cadres of the caller's subtree (optionally of one unit's subtree), narrowed by `search`, in pinyin
    order of their names (ties by id)."""
    c, u = orm.cadre, orm.org_unit
    access = await access_of(conn, principal)
    query = select(c).join(u, u.c.id == c.c.org_unit_id).where(cadre_clause(access, c.c.id, u.c.path))
    if search.org_unit_id:
        within = (
            await unit_prefix_within(conn, access.prefix, search.org_unit_id)
            if access.prefix and not access.self_only
            else None
        )
        if within is None:
            return [], None
        query = query.where(in_subtree(u.c.path, within))
    query = query.where(*_matches(c, search))
    query = keyset(query, [c.c.name_pinyin, c.c.id], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.name_pinyin, r.id))
    relatives = await _relatives(conn, [r.id for r in rows])
    return [_cadre(r, relatives) for r in rows], cursor


def _holding(h: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": h.id, "since": h.since, "until": h.until}
    if isinstance(h, RankHolding):
        out.update(rank_code=h.rank_code, basis=h.basis, source_ref=h.source_ref)
    elif isinstance(h, PostHolding):
        out.update(post_code=h.post_code, hardship=h.hardship, basis=h.basis, source_ref=h.source_ref)
    elif isinstance(h, LevelHolding):
        out.update(level=h.level, step=h.step, basis=h.basis, source_ref=h.source_ref)
    else:
        out.update(org_unit_id=h.org_unit_id)
    return out


async def history(conn: AsyncConnection, cadre_id: str, as_of: dt.date) -> dict[str, Any]:
    """Returns the holdings that began on or before `as_of`, and what was held on that day."""
    return history_of(cadre_id, [holding for _, holding in await load_holdings(conn, [cadre_id])], as_of)


def history_of(cadre_id: str, holdings: Iterable[Any], as_of: dt.date) -> dict[str, Any]:
    """Shapes a cadre's holdings (rank, post, level, unit assignments) into its history as of a day."""
    kinds: dict[type, list] = {RankHolding: [], PostHolding: [], LevelHolding: [], Assignment: []}
    for holding in holdings:
        if holding.since <= as_of:
            kinds[type(holding)].append(holding)
    rank, post, level, unit = (at(kinds[k], as_of) for k in (RankHolding, PostHolding, LevelHolding, Assignment))
    return {
        "cadre_id": cadre_id,
        "as_of": as_of,
        "rank_code": rank.rank_code if rank else None,
        "post_code": post.post_code if post else None,
        "level": level.level if level else None,
        "org_unit_id": unit.org_unit_id if unit else None,
        "rank_holdings": [_holding(h) for h in kinds[RankHolding]],
        "post_holdings": [_holding(h) for h in kinds[PostHolding]],
        "level_holdings": [_holding(h) for h in kinds[LevelHolding]],
        "assignments": [_holding(h) for h in kinds[Assignment]],
    }


_DEMOTIONS = (
    select(orm.demotion)
    .where(orm.demotion.c.cadre_id == bindparam("cadre_id"))
    .order_by(orm.demotion.c.created_at.desc())
)


async def demotions(conn: AsyncConnection, cadre_id: str) -> list[dict[str, Any]]:
    """Lists a cadre's demotions, newest first."""
    rows = (await conn.execute(_DEMOTIONS, {"cadre_id": cadre_id})).mappings()
    return [
        {
            k: r[k]
            for k in (
                "id",
                "cadre_id",
                "source",
                "reason",
                "status",
                "from_rank",
                "to_rank",
                "from_level",
                "to_level",
                "effective_date",
                "dismissal_review",
            )
        }
        for r in rows
    ]


async def config_units(conn: AsyncConnection, principal: Principal) -> tuple[str | None, list[str]]:
    """Returns the subtree prefix and the ancestor units whose configuration applies to the caller."""
    if self_service(principal):
        c, u = orm.cadre, orm.org_unit
        path = (
            await conn.execute(
                select(u.c.path).join(c, c.c.org_unit_id == u.c.id).where(c.c.id == (principal.cadre_id or ""))
            )
        ).scalar()
        return None, path_list(path) if path else []
    prefix = (await access_of(conn, principal)).prefix
    return prefix, path_list(prefix) if prefix else []


def config_filter(column: Any, unit_path_column: Any, prefix: str | None, ancestors: list[str]) -> Any:
    """Visible configuration rows: set on a unit of the caller's subtree or on one of its ancestors."""
    clauses = []
    if prefix:
        clauses.append(unit_path_column.startswith(prefix, autoescape=True))
    if ancestors:
        clauses.append(column.in_(ancestors))
    return or_(*clauses) if clauses else column.is_(None)
