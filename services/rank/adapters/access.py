"""Rank's binding of the suite's access rule (kernel.access) to the register: the caller's unit path and relatives."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, resolve
from kernel.auth import Principal
from services.rank.adapters import orm


async def access_of(conn: AsyncConnection, principal: Principal) -> Access:
    """Resolves the caller's access (kernel.access) from the register: their unit's path and their relatives."""
    prefix = None
    if principal.unit_id is not None:
        t = orm.org_unit
        prefix = (await conn.execute(select(t.c.path).where(t.c.id == principal.unit_id))).scalar()
    relatives: list[str] = []
    if principal.cadre_id:
        r = orm.cadre_relative
        relatives = list(
            (await conn.execute(select(r.c.relative_id).where(r.c.cadre_id == principal.cadre_id))).scalars()
        )
    return resolve(principal, unit_path=prefix, relatives=relatives)
