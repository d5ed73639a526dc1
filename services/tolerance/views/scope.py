"""Tolerance's binding of the suite's access rule (kernel.access) to its directory projection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access
from kernel.auth import Principal
from kernel.directory import Directory
from services.tolerance.adapters import orm

DIRECTORY = Directory(orm.directory)
Scope = Access  # the caller's resolved access; kept under the name tolerance's read side uses


async def scope_of(conn: AsyncConnection, principal: Principal) -> Access:
    """Resolves the caller's access from the directory."""
    return await DIRECTORY.access(conn, principal)


def cadre_visible(cadre_col: Any, scope: Access) -> ColumnElement[bool]:
    """Returns the SQL condition "this cadre's records are visible" for a cadre id column."""
    return DIRECTORY.cadre_clause(scope, cadre_col)


def scoped(query: Select, cadre_col: Any, scope: Access) -> Select:
    """Filters a query to the rows the caller may read, each with its cadre's name (`cadre_name`)."""
    return DIRECTORY.named(query.where(cadre_visible(cadre_col, scope)), cadre_col)


async def unit_in_scope(conn: AsyncConnection, principal: Principal, unit_id: str) -> str | None:
    """Returns the org path of a unit the caller may see (None: unknown or outside the caller's subtree)."""
    return await DIRECTORY.unit_in_scope(conn, await scope_of(conn, principal), unit_id)
