"""Audited reads share group commits (kernel.audit.ReadAuditor): every read waits for its own row to be durable,
concurrent reads share transactions, the chain still verifies, and a failed group fails each of its reads."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import MetaData, func, select

from kernel import audit
from kernel.auth import Principal, Role
from kernel.db import make_database

metadata = MetaData()
log = audit.audit_table(metadata)
READER = Principal(subject="reader", roles=frozenset({Role.ORG_ADMIN}), unit_id="city")


async def _count(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(log))).scalar_one()


async def test_concurrent_reads_share_transactions_and_each_waits_for_its_row(engine):
    transactions = 0

    @asynccontextmanager
    async def transaction():
        nonlocal transactions
        transactions += 1
        async with engine.begin() as conn:
            yield conn

    auditor = audit.ReadAuditor(log, transaction)

    async def read(i: int) -> int:
        await auditor.append(READER, [("READ", "dossier", f"c-{i}", "APPOINTMENT")])
        async with engine.connect() as conn:  # durable when append returns: another connection sees it
            found = await conn.execute(select(log.c.id).where(log.c.object_id == f"c-{i}"))
            return len(found.all())

    assert await asyncio.gather(*(read(i) for i in range(60))) == [1] * 60
    assert auditor.groups == transactions
    assert transactions < 60  # shared: the reads that arrived during a commit went in the next one
    assert await _count(engine) == 60
    async with engine.connect() as conn:
        assert await audit.verify_chain(conn, log) is None
    # An idle auditor commits a lone read at once, chained onto the same log.
    await auditor.append(None, [("READ_LIST", "report", "r-1", "ROUTINE"), ("READ_LIST", "report", "r-2", "ROUTINE")])
    assert await _count(engine) == 62
    async with engine.connect() as conn:
        assert await audit.verify_chain(conn, log) is None


async def test_a_failed_group_fails_its_reads_and_the_next_group_succeeds(engine):
    fail = True

    @asynccontextmanager
    async def transaction():
        async with engine.begin() as conn:
            yield conn
            if fail:
                raise RuntimeError("disk full")

    auditor = audit.ReadAuditor(log, transaction)
    outcomes = await asyncio.gather(
        *(auditor.append(READER, [("READ", "dossier", f"c-{i}", "ROUTINE")]) for i in range(5)), return_exceptions=True
    )
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert await _count(engine) == 0  # rolled back: no read was answered, none is recorded
    fail = False
    await auditor.append(READER, [("READ", "dossier", "c-ok", "ROUTINE")])
    assert await _count(engine) == 1


async def test_a_cancelled_read_does_not_cancel_its_group(engine):
    gate = asyncio.Event()

    @asynccontextmanager
    async def transaction():
        await gate.wait()
        async with engine.begin() as conn:
            yield conn

    auditor = audit.ReadAuditor(log, transaction)
    first = asyncio.create_task(auditor.append(READER, [("READ", "dossier", "c-1", "ROUTINE")]))
    second = asyncio.create_task(auditor.append(READER, [("READ", "dossier", "c-2", "ROUTINE")]))
    await asyncio.sleep(0.01)
    first.cancel()  # the client went away while its group was waiting
    gate.set()
    await second
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await _count(engine) == 2


async def test_on_sqlite_a_group_goes_in_one_trip_to_the_driver_and_chains_with_the_other_appends(engine):
    """kernel.audit.SqliteAppender: BEGIN IMMEDIATE, head, rows and COMMIT on the driver's thread; rows stored as
    SQLAlchemy stores them, so appends through a unit of work and through the appender form one chain."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the one-trip appender is SQLite's")
    db = make_database(str(engine.url))  # the services' writer: one-hop cursors, BEGIN IMMEDIATE, WAL
    engine, lock = db.writer, db.write_lock

    @asynccontextmanager
    async def transaction():
        async with engine.begin() as conn:
            yield conn

    auditor = audit.ReadAuditor(log, transaction, append=audit.SqliteAppender(log, engine, lock))
    await asyncio.gather(*(auditor.append(READER, [("READ", "dossier", f"s-{i}", "ROUTINE")]) for i in range(20)))
    async with engine.begin() as conn:  # a write's own audit row, through SQLAlchemy
        await audit.record(conn, log, principal=READER, action="UPDATE", object_type="cadre", object_id="c-1")
    await auditor.append(READER, [("READ", "dossier", "s-last", "ROUTINE")])
    assert await _count(engine) == 22
    async with engine.connect() as conn:
        assert await audit.verify_chain(conn, log) is None
        stored = (await conn.execute(select(log.c.at).where(log.c.object_id == "s-last"))).scalar_one()
    assert stored.tzinfo is not None and stored.microsecond == 0

    # A group that fails stores nothing and fails its reads; the next one chains on as before.
    appender = audit.SqliteAppender(log, engine, lock)
    good_sql, appender.insert_sql = appender.insert_sql, appender.insert_sql.replace("audit_log", "no_such_table")
    bad = audit.ReadAuditor(log, transaction, append=appender)
    with pytest.raises(Exception, match="no_such_table"):
        await bad.append(READER, [("READ", "dossier", "lost", "ROUTINE")])
    appender.insert_sql = good_sql
    await bad.append(READER, [("READ", "dossier", "after", "ROUTINE")])  # the connection was left clean
    assert await _count(engine) == 23
    async with engine.connect() as conn:
        assert await audit.verify_chain(conn, log) is None
    await db.dispose()


async def test_on_postgresql_a_group_is_one_statement_and_chains_with_the_other_appends(engine):
    """kernel.audit.PostgresAppender: youwei_audit_append (created by every service's migration) takes the chain's
    lock, reads the head and hashes each row as kernel.audit does; rows through it and through SQLAlchemy form one
    chain, and concurrent groups never fork it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the one-statement appender is PostgreSQL's")
    assert await audit.PostgresAppender.available(engine)

    @asynccontextmanager
    async def transaction():
        async with engine.begin() as conn:
            yield conn

    auditors = [audit.ReadAuditor(log, transaction, append=audit.PostgresAppender(engine)) for _ in range(3)]
    await asyncio.gather(
        *(
            auditors[i % 3].append(READER, [("READ", "dossier", f"p-{i}", "ROUTINE"), ("READ", "case", f"k-{i}", "X")])
            for i in range(30)
        )
    )
    async with engine.begin() as conn:  # a write's own audit row, through SQLAlchemy
        await audit.record(conn, log, principal=None, action="UPDATE", object_type="cadre", object_id="c-1")
    await auditors[0].append(READER, [("READ", "dossier", "名字-last", "ROUTINE")])  # not only ASCII
    assert await _count(engine) == 62
    async with engine.connect() as conn:
        assert await audit.verify_chain(conn, log) is None


async def test_on_postgresql_reads_holding_every_pooled_connection_are_still_audited(engine):
    """An audited read keeps its request's connection while it waits for its row: appending from that same pool
    wedged a process once every connection was held by a waiting read. The audit's own engine
    (kernel.db.make_audit_engine) appends whatever the requests' pool holds."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the requests' pool and the audit's engine are PostgreSQL's")
    from kernel.db import make_audit_engine  # noqa: PLC0415 - PostgreSQL only

    db = make_database(str(engine.url.render_as_string(hide_password=False)), pool_size=1)
    audit_engine = make_audit_engine(db)
    auditor = audit.ReadAuditor(log, None, append=audit.PostgresAppender(audit_engine))  # type: ignore[arg-type]
    try:

        async def read(i: int) -> None:
            async with db.reader.connect() as conn:  # holds the pool's connection while it waits for its row
                await conn.execute(select(1))
                await auditor.append(READER, [("READ", "dossier", f"held-{i}", "ROUTINE")])

        await asyncio.wait_for(asyncio.gather(*(read(i) for i in range(4))), timeout=60)
        assert await _count(engine) == 4
    finally:
        await audit_engine.dispose()
        await db.dispose()
