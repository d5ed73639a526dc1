"""kernel.db.ping_when_idle: PostgreSQL connections are pinged only after sitting idle (issue 15), and a dead idle
connection is replaced before any statement uses it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.db import ping_when_idle


async def _engine(fresh_db, idle_s: float):
    url = await fresh_db("rank")
    if not url.startswith("postgresql"):
        pytest.skip("the pool of PostgreSQL connections (SQLite has no server to lose)")
    engine = create_async_engine(url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_s=idle_s)
    return url, engine


async def _backend(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def _terminate(url: str, pid: int) -> None:
    admin = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        for _ in range(50):  # the backend exits shortly after the signal
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
                break
            await asyncio.sleep(0.05)
    finally:
        await admin.close()


async def test_an_idle_connection_the_server_dropped_is_replaced_before_use(fresh_db):
    url, engine = await _engine(fresh_db, idle_s=0.2)
    try:
        first = await _backend(engine)
        await _terminate(url, first)
        await asyncio.sleep(0.3)
        assert await _backend(engine) != first  # pinged on checkout, found dead, replaced: no error
    finally:
        await engine.dispose()


async def test_a_recently_used_connection_is_trusted_and_a_failure_renews_the_pool(fresh_db):
    url, engine = await _engine(fresh_db, idle_s=60)
    try:
        first = await _backend(engine)
        await _terminate(url, first)
        with pytest.raises(DBAPIError) as failed:  # not pinged: the statement meets the dropped connection
            await _backend(engine)
        assert failed.value.connection_invalidated
        assert await _backend(engine) != first  # the next checkout connects afresh
    finally:
        await engine.dispose()
