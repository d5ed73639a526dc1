"""`kernel.driver.run`: statements handed to asyncpg itself keep SQLAlchemy's transaction, errors, invalidation of
a lost connection and listeners (docs/architecture.md §6.4); on SQLite it is `exec_driver_sql`."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kernel import driver

metadata = MetaData()
probe = Table("probe_driver", metadata, Column("id", String(20), primary_key=True), Column("n", Integer))


def sql(engine: AsyncEngine, statement: str) -> str:
    """`statement` written with `$1, $2…` in the engine's paramstyle (`?` on SQLite)."""
    if engine.dialect.name == "postgresql":
        return statement
    for n in range(9, 0, -1):
        statement = statement.replace(f"${n}", "?")
    return statement


async def ids(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return [r[0] for r in (await conn.execute(text("SELECT id FROM probe_driver ORDER BY id"))).all()]


@pytest.fixture
def direct_only(engine, monkeypatch):
    """On PostgreSQL, fails any statement that goes through SQLAlchemy's `exec_driver_sql` instead of asyncpg."""
    if engine.dialect.name == "postgresql":

        async def refused(*_args, **_kwargs):
            raise AssertionError("sent through SQLAlchemy, not to asyncpg")

        monkeypatch.setattr(AsyncConnection, "exec_driver_sql", refused)


async def test_a_statement_runs_in_the_transaction_sqlalchemy_began(engine, direct_only):
    insert = sql(engine, "INSERT INTO probe_driver (id, n) VALUES ($1, $2)")
    async with engine.connect() as conn:
        async with conn.begin():
            await driver.run(conn, insert, ("kept", 1))
        transaction = await conn.begin()
        await driver.run(conn, insert, ("undone", 2))
        await transaction.rollback()
    assert await ids(engine) == ["kept"]


async def test_without_a_begin_the_statement_begins_one_as_sqlalchemy_would(engine, direct_only):
    insert = sql(engine, "INSERT INTO probe_driver (id, n) VALUES ($1, $2)")
    async with engine.connect() as conn:
        await driver.run(conn, insert, ("committed", 1))
        assert conn.in_transaction()
        await conn.commit()
        await driver.run(conn, insert, ("never committed", 2))
    # Closed without a commit: rolled back, as a statement SQLAlchemy ran would be; had the transaction been
    # asyncpg's alone, SQLAlchemy's commit would have skipped it and the first row would be lost too.
    assert await ids(engine) == ["committed"]


async def test_rows_rowcount_and_many(engine, direct_only):
    async with engine.begin() as conn:
        insert = sql(engine, "INSERT INTO probe_driver (id, n) VALUES ($1, $2)")
        await driver.run(conn, insert, [("a", 1), ("b", 2), ("c", 3)], many=True)
        updated = await driver.run(conn, sql(engine, "UPDATE probe_driver SET n = n + 10 WHERE n >= $1"), (2,))
        assert updated.rowcount == 2
        rows = await driver.run(conn, sql(engine, "SELECT id, n FROM probe_driver WHERE n > $1 ORDER BY id"), (5,))
        assert [tuple(r) for r in rows.all()] == [("b", 12), ("c", 13)]


async def test_listeners_see_each_statement(engine):
    seen: list[tuple[str, bool]] = []
    event.listen(
        engine.sync_engine, "before_cursor_execute", lambda _c, _cur, s, _p, _ctx, many: seen.append((s, many))
    )
    select = sql(engine, "SELECT n FROM probe_driver WHERE id = $1")
    insert = sql(engine, "INSERT INTO probe_driver (id, n) VALUES ($1, $2)")
    async with engine.begin() as conn:
        await driver.run(conn, select, ("x",))
        await driver.run(conn, insert, [("a", 1), ("b", 2)], many=True)
    assert seen == [(select, False), (insert, True)]


async def test_a_database_error_is_sqlalchemys_and_the_connection_goes_on(engine, direct_only):
    insert = sql(engine, "INSERT INTO probe_driver (id, n) VALUES ($1, $2)")
    async with engine.connect() as conn:
        async with conn.begin():
            await driver.run(conn, insert, ("dup", 1))
        with pytest.raises(IntegrityError) as raised:
            async with conn.begin():
                await driver.run(conn, insert, ("dup", 2))
        assert "probe_driver" in str(raised.value) or "UNIQUE" in str(raised.value).upper()
        assert not conn.invalidated
        async with conn.begin():
            await driver.run(conn, insert, ("after", 3))
    assert await ids(engine) == ["after", "dup"]


@pytest.mark.postgres
async def test_a_lost_connection_is_invalidated_and_the_pool_recovers(engine, direct_only, db_backend):
    if db_backend != "postgres":
        pytest.skip("a server connection to lose (SQLite runs in the process)")
    async with engine.connect() as conn:
        pid = (await driver.run(conn, "SELECT pg_backend_pid()", ())).all()[0][0]
        await conn.rollback()
        async with engine.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            await driver.run(conn, "SELECT 1", ())
        assert raised.value.connection_invalidated
        assert conn.invalidated
    async with engine.connect() as fresh:  # the pool dropped the dead connection: a new one works
        assert (await driver.run(fresh, "SELECT 2", ())).all()[0][0] == 2


@pytest.mark.postgres
async def test_a_cancelled_statement_invalidates_its_connection(engine, direct_only, db_backend):
    if db_backend != "postgres":
        pytest.skip("a server statement to cancel (SQLite runs in the process)")
    async with engine.connect() as conn:
        task = asyncio.create_task(driver.run(conn, "SELECT pg_sleep(5)", ()))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Its protocol state unknown (the server may still answer), the connection is not reused.
        assert conn.invalidated
    async with engine.connect() as fresh:
        assert (await driver.run(fresh, "SELECT 3", ())).all()[0][0] == 3


async def test_sqlite_and_unknown_adapters_go_through_sqlalchemy(engine, monkeypatch, db_backend):
    sent: list[str] = []
    original = AsyncConnection.exec_driver_sql

    async def through_sqlalchemy(self, statement, *args, **kwargs):
        sent.append(statement)
        return await original(self, statement, *args, **kwargs)

    monkeypatch.setattr(AsyncConnection, "exec_driver_sql", through_sqlalchemy)
    select = sql(engine, "SELECT count(*) FROM probe_driver WHERE n > $1")
    async with engine.connect() as conn:
        assert (await driver.run(conn, select, (0,))).all()[0][0] == 0
    assert sent == ([] if db_backend == "postgres" else [select])
    if db_backend == "postgres":  # an adapter without the attributes the direct path needs: SQLAlchemy's way
        async with engine.connect() as conn:
            adapter = type((await conn.get_raw_connection()).dbapi_connection)
            monkeypatch.setitem(driver._ADAPTERS, adapter, False)
            assert (await driver.run(conn, select, (0,))).all()[0][0] == 0
        assert sent == [select]
