"""The cadre_standing table: claiming dirty rows (lease) and writing results back (generation-checked)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.sql import execute_prebuilt, one_of
from services.rank.adapters import orm, projections

LEASE = dt.timedelta(seconds=120)


async def claim_dirty(conn: AsyncConnection, limit: int) -> tuple[list[tuple[str, int]], dt.datetime]:
    """Leases up to `limit` dirty standings not leased by another worker; returns (cadre_id, generation) of each
    and the lease's end (which names this claim: `release_unwritten`)."""
    t = orm.cadre_standing
    now = utcnow()
    until = now + LEASE
    query = (
        select(t.c.cadre_id, t.c.dirty_gen)
        .where(t.c.dirty.is_(True), or_(t.c.lease_until.is_(None), t.c.lease_until < now))
        .order_by(t.c.cadre_id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = [(r[0], r[1]) for r in (await conn.execute(query)).all()]
    if rows:
        await conn.execute(update(t).where(one_of(conn, t.c.cadre_id, [r[0] for r in rows])).values(lease_until=until))
    return rows, until


async def release_unwritten(conn: AsyncConnection, cadre_ids: Sequence[str], lease_until: dt.datetime) -> list[str]:
    """Ends the lease of those of `cadre_ids` still dirty under this claim's lease: the write-back skipped them
    because they were marked again while they were computed. Without it they waited for the lease to run out (two
    minutes) before any worker took them again. Returns their ids (what was computed but not written)."""
    if not cadre_ids:
        return []
    t = orm.cadre_standing
    mine = and_(one_of(conn, t.c.cadre_id, sorted(cadre_ids)), t.c.dirty.is_(True), t.c.lease_until == lease_until)
    result = await conn.execute(projections.locked_update(conn, mine, {"lease_until": None}).returning(t.c.cadre_id))
    return list(result.scalars())


_WRITE = (
    update(orm.cadre_standing)
    .where(
        and_(
            orm.cadre_standing.c.cadre_id == bindparam("b_cadre_id"),
            orm.cadre_standing.c.dirty_gen == bindparam("b_gen"),
        )
    )
    .values(
        dirty=False,
        lease_until=None,
        as_of=bindparam("as_of"),
        current_rank=bindparam("current_rank"),
        target_rank=bindparam("target_rank"),
        eligible_on=bindparam("eligible_on"),
        blocked=bindparam("blocked"),
        reasons=bindparam("reasons"),
        points=bindparam("points"),
        points_breakdown=bindparam("points_breakdown"),
        track_stage=bindparam("track_stage"),
        track_step=bindparam("track_step"),
        track_reasons=bindparam("track_reasons"),
        valid_until=bindparam("valid_until"),
        computed_at=bindparam("computed_at"),
    )
)


async def write_standings(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Writes computed standings; a row whose generation moved on meanwhile stays dirty for the next round."""
    if rows:
        await execute_prebuilt(conn, _WRITE, rows)


class Standings:
    """The cadre_standing rows as one transaction sees them (the unit of work's `standings`)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def claim_dirty(self, limit: int) -> tuple[list[tuple[str, int]], dt.datetime]:
        """Leases up to `limit` dirty standings; returns (cadre_id, generation) of each and the lease's end."""
        return await claim_dirty(self.conn, limit)

    async def release_unwritten(self, cadre_ids: Sequence[str], lease_until: dt.datetime) -> list[str]:
        """Frees the claimed standings the write-back skipped (marked again meanwhile); returns their ids."""
        return await release_unwritten(self.conn, cadre_ids, lease_until)

    async def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Writes computed standings (generation-checked)."""
        await write_standings(self.conn, rows)

    async def mark_expired(self, today: dt.date) -> int:
        """Marks dirty the standings whose answer may have changed with the date; returns how many."""
        return await projections.mark_expired_standings(self.conn, today)
