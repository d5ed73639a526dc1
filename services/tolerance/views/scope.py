"""Which cadres' records a caller may read, as SQL: own records, or the org subtree minus relatives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.auth import Principal, Role
from kernel.directory import Directory
from services.tolerance.adapters import orm

DIRECTORY = Directory(orm.directory)


@dataclass(frozen=True)
class Scope:
    """The caller's read scope: their own cadre id (self-service) or an org path prefix; relatives excluded."""

    self_id: str | None = None
    prefix: str | None = None
    relatives: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        """Tells whether the caller may read nothing."""
        return self.self_id is None and self.prefix is None


def self_service(principal: Principal) -> bool:
    """Tells whether the caller reads as a cadre (only their own records)."""
    return principal.roles == frozenset({Role.CADRE}) or (principal.has(Role.CADRE) and not principal.unit_id)


async def scope_of(conn: AsyncConnection, principal: Principal) -> Scope:
    """Resolves the caller's scope from the directory."""
    if self_service(principal):
        return Scope(self_id=principal.cadre_id) if principal.cadre_id else Scope()
    prefix = await DIRECTORY.scope_prefix(conn, principal)
    relatives: frozenset[str] = frozenset()
    if principal.cadre_id:
        me = await DIRECTORY.cadre(conn, principal.cadre_id)
        relatives = me.relative_ids if me else frozenset()
    return Scope(prefix=prefix, relatives=relatives)


def cadre_visible(cadre_col: Any, scope: Scope) -> ColumnElement[bool]:
    """Returns the SQL condition "this cadre's records are visible" for a cadre id column."""
    if scope.self_id is not None:
        return cadre_col == scope.self_id
    if scope.prefix is None:
        return false()
    d = orm.directory.cadre
    condition = exists().where(d.c.cadre_id == cadre_col, d.c.org_path.startswith(scope.prefix, autoescape=True))
    if scope.relatives:
        condition = condition & cadre_col.not_in(sorted(scope.relatives))
    return condition


def scoped(query: Select, cadre_col: Any, scope: Scope) -> Select:
    """Filters a query to the rows the caller may read."""
    return query.where(cadre_visible(cadre_col, scope))


async def unit_in_scope(conn: AsyncConnection, principal: Principal, unit_id: str) -> str | None:
    """Returns the org path of a unit the caller may see (None: unknown or outside the caller's subtree)."""
    scope = await scope_of(conn, principal)
    if scope.prefix is None:
        return None
    u = orm.directory.org_unit
    return (await conn.execute(select(u.c.path).where(u.c.org_unit_id == unit_id,
                                                      u.c.path.startswith(scope.prefix, autoescape=True)))).scalar()
