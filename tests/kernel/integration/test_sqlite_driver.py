"""kernel.sqlite_driver: one thread hop per SQLite statement, with the same results and errors as aiosqlite's."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from kernel.db import make_database
from kernel.sqlite_driver import OneHopConnection

meta = MetaData()
item = Table(
    "probe_item",
    meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(20), nullable=False, unique=True),
)


@pytest.fixture
async def db(tmp_path):
    database = make_database(f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}")
    async with database.writer.begin() as conn:
        await conn.run_sync(meta.create_all)
    yield database
    await database.dispose()


async def test_statements_answer_as_with_four_hops(db):
    async with db.writer.begin() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneHopConnection)
        first = await conn.execute(insert(item).values(name="a"))
        assert first.inserted_primary_key == (1,)  # lastrowid
        await conn.execute(insert(item), [{"name": f"n{i}"} for i in range(5)])  # executemany
        returned = (await conn.execute(insert(item).values(name="r").returning(item.c.id))).scalar_one()
        assert returned == 7
        changed = await conn.execute(update(item).where(item.c.name.like("n%")).values(name=item.c.name + "!"))
        assert changed.rowcount == 5
        assert (await conn.execute(update(item).where(item.c.id == 99).values(name="x"))).rowcount == 0
    async with db.reader.connect() as conn:
        rows = (await conn.execute(select(item.c.id, item.c.name).order_by(item.c.id))).all()
        assert [tuple(r) for r in rows][:2] == [(1, "a"), (2, "n0!")] and len(rows) == 7
        assert (await conn.execute(text("SELECT count(*) FROM probe_item WHERE id > :k"), {"k": 3})).scalar() == 4
        streamed = [r.id async for r in await conn.stream(select(item.c.id).order_by(item.c.id))]  # server side
        assert streamed == list(range(1, 8))
        assert (await conn.execute(select(item.c.id).where(item.c.id == 42))).first() is None


async def test_errors_are_the_drivers_and_the_transaction_rolls_back(db):
    with pytest.raises(IntegrityError):
        async with db.writer.begin() as conn:
            await conn.execute(insert(item).values(name="dup"))
            await conn.execute(insert(item).values(name="dup"))
    async with db.reader.connect() as conn:
        assert (await conn.execute(select(item.c.id))).first() is None
        with pytest.raises(Exception, match="readonly|read-only|attempt to write"):  # the reader is query_only
            await conn.execute(insert(item).values(name="w"))
