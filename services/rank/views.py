"""Read side of the rank service: scoped queries on the reader (CQRS-lite, no aggregates)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.auth import Principal, Role
from kernel.pagination import PageParams, keyset, next_cursor
from services.rank.adapters import orm


async def scope_prefix(conn: AsyncConnection, principal: Principal) -> str | None:
    """Returns the org path prefix of the caller's unit (None: no org scope)."""
    if principal.unit_id is None:
        return None
    t = orm.org_unit
    return (await conn.execute(select(t.c.path).where(t.c.id == principal.unit_id))).scalar()


def _self_only(principal: Principal) -> bool:
    return principal.roles == frozenset({Role.CADRE})


def _unit(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "parent_id": row.parent_id, "agency_level": row.agency_level,
            "path": [p for p in row.path.split("/") if p], "active": row.active}


async def get_org_unit(conn: AsyncConnection, principal: Principal, unit_id: str) -> dict[str, Any] | None:
    """Returns an org unit in the caller's subtree, or None."""
    prefix = await scope_prefix(conn, principal)
    if prefix is None:
        return None
    t = orm.org_unit
    row = (await conn.execute(select(t).where(t.c.id == unit_id, t.c.path.startswith(prefix)))).first()
    return _unit(row) if row else None


async def list_org_units(conn: AsyncConnection, principal: Principal, page: PageParams) -> tuple[list[dict], str | None]:
    """Lists the org units of the caller's subtree, ordered by path."""
    prefix = await scope_prefix(conn, principal)
    if prefix is None:
        return [], None
    t = orm.org_unit
    query = keyset(select(t).where(t.c.path.startswith(prefix)), [t.c.path], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.path,))
    return [_unit(r) for r in rows], cursor


def _cadre(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "gender": row.gender, "birth_date": row.birth_date,
            "entry_date": row.entry_date, "org_unit_id": row.org_unit_id, "category": row.category,
            "party_member": row.party_member, "education": row.education, "active": row.active, "version": row.version}


async def get_cadre(conn: AsyncConnection, principal: Principal, cadre_id: str) -> dict[str, Any] | None:
    """Returns a cadre the caller may see (own entry for the cadre role, else the unit subtree), or None."""
    c, u = orm.cadre, orm.org_unit
    query = select(c).where(c.c.id == cadre_id)
    if _self_only(principal):
        if principal.cadre_id != cadre_id:
            return None
    else:
        prefix = await scope_prefix(conn, principal)
        if prefix is None:
            return None
        query = query.join(u, u.c.id == c.c.org_unit_id).where(u.c.path.startswith(prefix))
    row = (await conn.execute(query)).first()
    return _cadre(row) if row else None


async def list_cadres(conn: AsyncConnection, principal: Principal, page: PageParams, *, org_unit_id: str | None = None,
                      name: str | None = None) -> tuple[list[dict], str | None]:
    """Lists cadres of the caller's subtree (optionally of one unit's subtree, or by name prefix), by name."""
    c, u = orm.cadre, orm.org_unit
    if _self_only(principal):
        row = await get_cadre(conn, principal, principal.cadre_id or "")
        return ([row] if row else []), None
    prefix = await scope_prefix(conn, principal)
    if prefix is None:
        return [], None
    query = select(c).join(u, u.c.id == c.c.org_unit_id).where(u.c.path.startswith(prefix))
    if org_unit_id:
        sub = (await conn.execute(select(u.c.path).where(u.c.id == org_unit_id))).scalar()
        if sub is None or not sub.startswith(prefix):
            return [], None
        query = query.where(u.c.path.startswith(sub))
    if name:
        query = query.where(c.c.name.startswith(name))
    query = keyset(query, [c.c.name, c.c.id], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.name, r.id))
    return [_cadre(r) for r in rows], cursor
