"""Every transaction that marks standings dirty locks them in cadre_id order on PostgreSQL, the order the standings
job claims and writes them back in, so the two never wait on each other in a cycle (docs/reliability.md R14).

The probe: rows are stored in descending cadre_id order (a scan meets c09 first); another transaction holds c05;
the marking transaction then blocks on c05, and by that moment it must hold c01..c04 and nothing above c05. A mark
that locks in the scan's order holds c06..c09 instead, and deadlocks against the job writing back c01..c09.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from kernel.db import utcnow
from services.rank.adapters import orm, projections
from services.rank.adapters.sql import path_str

pytestmark = pytest.mark.parametrize(
    "db_backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

IDS = [f"c{n:02d}" for n in range(1, 10)]
HELD = "c05"
TODAY = dt.date(2026, 6, 30)


async def _seed(conn: AsyncConnection) -> None:
    now = utcnow()
    await conn.execute(
        insert(orm.org_unit).values(
            id="u1",
            parent_id=None,
            name="一局",
            agency_level="COUNTY",
            path=path_str(["u1"]),
            active=True,
            version=1,
            created_at=now,
            updated_at=now,
        )
    )
    for cadre_id in reversed(IDS):  # heap order c09 … c01
        await conn.execute(
            insert(orm.cadre).values(
                id=cadre_id,
                name=cadre_id,
                gender="M",
                birth_date=dt.date(1980, 1, 1),
                entry_date=dt.date(2005, 1, 1),
                org_unit_id="u1",
                category="CIVIL_SERVANT",
                party_member=True,
                active=True,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        await conn.execute(
            insert(orm.cadre_standing).values(
                cadre_id=cadre_id, dirty=False, dirty_gen=1, blocked=False, valid_until=TODAY
            )
        )
        await conn.execute(
            insert(orm.appraisal_index).values(
                cadre_id=cadre_id,
                period_key="2025",
                total=80.0,
                percentile=None,
                formula_version="v1",
                computed_at=now,
            )
        )


async def _ids(conn: AsyncConnection) -> None:
    await projections.mark_dirty(conn, list(reversed(IDS)))


async def _peers(conn: AsyncConnection) -> None:
    await projections.mark_dirty(conn, [], [projections.index_peers("c09", "2025")])


async def _subtree_and_ids(conn: AsyncConnection) -> None:
    await projections.mark_dirty(conn, ["c09", "c01"], [projections.subtree_members(["u1"])])


async def _categories(conn: AsyncConnection) -> None:
    await projections.mark_dirty(conn, [], [projections.of_categories(["CIVIL_SERVANT"])])


async def _expired(conn: AsyncConnection) -> None:
    await projections.mark_expired_standings(conn, TODAY)


async def _waiting_backends(conn: AsyncConnection) -> int:
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return int((await conn.execute(query)).scalar_one())


@pytest.mark.parametrize("mark", [_ids, _peers, _subtree_and_ids, _categories, _expired])
async def test_marking_standings_dirty_locks_them_in_cadre_order(
    fresh_db, mark: Callable[[AsyncConnection], Awaitable[Any]]
):
    engine = create_async_engine(await fresh_db("rank"), pool_size=4)
    t = orm.cadre_standing
    try:
        async with engine.begin() as conn:
            await _seed(conn)
        holder, marker, probe = await engine.connect(), await engine.connect(), await engine.connect()
        marking: asyncio.Task | None = None
        try:
            await holder.begin()
            await holder.execute(select(t.c.cadre_id).where(t.c.cadre_id == HELD).with_for_update())
            await marker.begin()
            marking = asyncio.create_task(mark(marker))
            for _ in range(200):
                if await _waiting_backends(probe) or marking.done():
                    break
                await asyncio.sleep(0.02)
            assert not marking.done(), "the mark must wait for the row another transaction holds"
            free = (
                await probe.execute(select(t.c.cadre_id).order_by(t.c.cadre_id).with_for_update(skip_locked=True))
            ).scalars()
            assert list(free) == ["c06", "c07", "c08", "c09"], "while waiting on c05 it holds exactly c01..c04"
            await probe.rollback()
            await holder.rollback()
            await asyncio.wait_for(marking, 10)
            await marker.commit()
        finally:
            # The holder first: a marker still waiting for its lock would never let its connection close.
            await holder.close()
            if marking is not None and not marking.done():
                await asyncio.wait({marking}, timeout=10)
            await probe.close()
            await marker.close()
        async with engine.connect() as conn:
            rows = (await conn.execute(select(t.c.cadre_id, t.c.dirty, t.c.dirty_gen))).all()
        assert sorted(rows) == [(cadre_id, True, 2) for cadre_id in IDS]
    finally:
        await engine.dispose()
