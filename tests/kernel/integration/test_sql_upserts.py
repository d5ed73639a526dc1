"""kernel.sql: the one upsert and insert-ignore every service uses, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.sql import analyze, insert_ignore, one_of, upsert

metadata = MetaData()
note = Table(
    "probe_note",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("ref", String(20), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("first_seen", String(20), nullable=False),
    Column("tags", JSON, nullable=False),
)
other = Table(
    "probe_other", metadata, Column("kind", String(20), primary_key=True), Column("count", Integer, nullable=False)
)


@pytest.fixture
async def conn(fresh_db):
    engine = create_async_engine(await fresh_db("rank"))
    async with engine.begin() as c:
        await c.run_sync(metadata.create_all)
    async with engine.begin() as c:
        yield c
    await engine.dispose()


async def _rows(conn, table):
    return [tuple(r) for r in (await conn.execute(select(table).order_by(*table.primary_key.columns))).all()]


async def test_upsert_inserts_then_replaces_the_non_key_columns(conn):
    await upsert(conn, note, {"kind": "a", "ref": "1", "count": 1, "first_seen": "mon", "tags": ["x"]}, ["kind", "ref"])
    await upsert(
        conn, note, {"kind": "a", "ref": "1", "count": 2, "first_seen": "tue", "tags": ["y", "z"]}, ["kind", "ref"]
    )
    assert await _rows(conn, note) == [("a", "1", 2, "tue", ["y", "z"])]


async def test_upsert_with_named_columns_keeps_the_others_and_takes_many_rows(conn):
    keys = ["kind", "ref"]
    await upsert(
        conn, note, [{"kind": "a", "ref": str(i), "count": i, "first_seen": "mon", "tags": []} for i in range(3)], keys
    )
    await upsert(
        conn,
        note,
        [{"kind": "a", "ref": str(i), "count": 10 + i, "first_seen": "sun", "tags": [i]} for i in (1, 2, 3)],
        keys,
        update=["count"],
    )
    assert await _rows(conn, note) == [
        ("a", "0", 0, "mon", []),
        ("a", "1", 11, "mon", []),
        ("a", "2", 12, "mon", []),
        ("a", "3", 13, "sun", [3]),
    ]
    await upsert(conn, note, [], keys)  # nothing to write is not an error


async def test_insert_ignore_tells_whether_it_inserted_and_never_changes_a_row(conn):
    row = {"kind": "a", "ref": "1", "count": 1, "first_seen": "mon", "tags": []}
    assert await insert_ignore(conn, note, row, ["kind", "ref"]) is True
    assert await insert_ignore(conn, note, {**row, "count": 5}, ["kind", "ref"]) is False
    assert await _rows(conn, note) == [("a", "1", 1, "mon", [])]


async def test_a_statement_built_for_one_table_is_never_used_for_another(conn):
    await upsert(conn, other, {"kind": "a", "count": 1}, ["kind"])
    await upsert(conn, note, {"kind": "a", "ref": "1", "count": 7, "first_seen": "mon", "tags": []}, ["kind", "ref"])
    await upsert(conn, other, {"kind": "a", "count": 2}, ["kind"])
    assert await _rows(conn, other) == [("a", 2)]
    assert await _rows(conn, note) == [("a", "1", 7, "mon", [])]


async def test_one_of_finds_the_rows_of_many_keys_with_one_parameter_on_postgresql(conn):
    await upsert(conn, other, [{"kind": f"k{i}", "count": i} for i in range(30)], ["kind"])
    wanted = [f"k{i}" for i in range(0, 30, 3)] + ["missing"]
    stmt = select(other.c.count).where(one_of(conn, other.c.kind, wanted)).order_by(other.c.count)
    assert (await conn.execute(stmt)).scalars().all() == list(range(0, 30, 3))
    compiled = stmt.compile(dialect=conn.dialect)
    if conn.dialect.name == "postgresql":
        assert "= ANY" in str(compiled) and len(compiled.params) == 1  # the count never changes the statement
    else:
        assert " IN " in str(compiled)
    assert (await conn.execute(select(other.c.count).where(one_of(conn, other.c.kind, [])))).all() == []


async def test_analyze_gives_postgresql_statistics_of_a_bulk_load_and_leaves_sqlite_alone(conn):
    await upsert(conn, other, [{"kind": f"k{i}", "count": i} for i in range(300)], ["kind"])
    await analyze(conn, [other, note])  # inside the loading transaction
    if conn.dialect.name == "postgresql":
        tuples = text("SELECT reltuples FROM pg_class WHERE relname = 'probe_other'")
        assert (await conn.execute(tuples)).scalar_one() == 300
    else:
        stat = text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert (await conn.execute(stat)).scalar_one() == 0
    await analyze(conn, [])
