"""Set-based selections over the register: cadres of a subtree holding some ranks, quota occupancy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rank.adapters import orm
from services.rank.adapters.sql import CHUNK, path_list, path_str


async def unit_path(conn: AsyncConnection, unit_id: str) -> list[str] | None:
    """Returns an org unit's path (root first), or None."""
    t = orm.org_unit
    found = (await conn.execute(select(t.c.path).where(t.c.id == unit_id))).scalar()
    return None if found is None else path_list(found)


async def holding_ranks(
    conn: AsyncConnection, path: Sequence[str], rank_codes: Sequence[str], size: int = CHUNK
) -> AsyncIterator[list[str]]:
    """Yields, chunk by chunk (keyset on id), the active cadres of a subtree currently holding one of the ranks."""
    c, u = orm.cadre, orm.org_unit
    after = ""
    while True:
        ids = list(
            (
                await conn.execute(
                    select(c.c.id)
                    .join(u, u.c.id == c.c.org_unit_id)
                    .where(
                        u.c.path.startswith(path_str(path), autoescape=True),
                        c.c.active.is_(True),
                        c.c.rank_code.in_(list(rank_codes)),
                        c.c.id > after,
                    )
                    .order_by(c.c.id)
                    .limit(size)
                )
            ).scalars()
        )
        if not ids:
            return
        yield ids
        after = ids[-1]


async def holders(conn: AsyncConnection, path: Sequence[str] | str, rank_codes: Sequence[str]) -> int:
    """Counts the active cadres of a subtree holding one of the ranks (quota occupancy)."""
    c, u = orm.cadre, orm.org_unit
    prefix = path if isinstance(path, str) else path_str(path)
    return int(
        (
            await conn.execute(
                select(func.count())
                .select_from(c)
                .join(u, u.c.id == c.c.org_unit_id)
                .where(
                    u.c.path.startswith(prefix, autoescape=True),
                    c.c.active.is_(True),
                    c.c.rank_code.in_(list(rank_codes)),
                )
            )
        ).scalar_one()
    )


async def paths_of_cadres(conn: AsyncConnection, cadre_ids: Sequence[str]) -> dict[str, str]:
    """Returns the org path of each cadre's unit."""
    c, u = orm.cadre, orm.org_unit
    rows = (
        await conn.execute(
            select(c.c.id, u.c.path).join(u, u.c.id == c.c.org_unit_id).where(c.c.id.in_(list(cadre_ids)))
        )
    ).all()
    return {r[0]: r[1] for r in rows}
