"""Audited reads share group commits (kernel.audit.ReadAuditor): every read waits for its own row to be durable,
concurrent reads share transactions, the chain still verifies, and a failed group fails each of its reads."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from kernel import audit
from kernel.auth import Principal, Role

meta = MetaData()
log = audit.audit_table(meta)
READER = Principal(subject="reader", roles=frozenset({Role.ORG_ADMIN}), unit_id="city")


@pytest.fixture
async def engine(fresh_db):
    engine = create_async_engine(await fresh_db("rank"))
    async with engine.begin() as conn:
        await conn.run_sync(meta.create_all)
    yield engine
    await engine.dispose()


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
