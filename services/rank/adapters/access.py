"""Rank's binding of the suite's access rule (kernel.access) to the register: the caller's unit path and relatives."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, resolve
from kernel.auth import Principal
from services.rank.adapters import orm

_READ: Any = object()  # access_of reads the caller's unit path itself


def _caller_unit_path() -> Any:
    t = orm.org_unit.alias("caller_unit")
    return select(t.c.path).where(t.c.id == bindparam("caller_unit")).scalar_subquery()


# The caller's unit path as a scalar subquery (bind `caller_unit`), to read with the row a request reads anyway:
# one statement instead of two. Built once (a statement built per request costs its coercion and cache key).
CALLER_UNIT_PATH = _caller_unit_path()


async def access_of(conn: AsyncConnection, principal: Principal, *, unit_path: Any = _READ) -> Access:
    """Resolves the caller's access (kernel.access) from the register: their unit's path and their relatives.

    `unit_path`, when the caller read it already (`CALLER_UNIT_PATH` in the same statement), saves a query.
    """
    prefix = None if unit_path is _READ else unit_path
    if unit_path is _READ and principal.unit_id is not None:
        t = orm.org_unit
        prefix = (await conn.execute(select(t.c.path).where(t.c.id == principal.unit_id))).scalar()
    relatives: list[str] = []
    if principal.cadre_id:
        r = orm.cadre_relative
        relatives = list(
            (await conn.execute(select(r.c.relative_id).where(r.c.cadre_id == principal.cadre_id))).scalars()
        )
    return resolve(principal, unit_path=prefix, relatives=relatives)
