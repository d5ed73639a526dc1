"""A write's rows in as few statements as the database allows (docs/architecture.md §6.4): `kernel.sql.insert_all`
and a unit of work's rows queued with its events, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
    bindparam,
    cast,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.contracts import rank_v1
from kernel.db import UtcDateTime
from kernel.inbox import HTTP_CONSUMER
from kernel.sql import _driver_form, execute_prebuilt, fetch_prebuilt, in_bound, insert_all, upsert
from kernel.uow import IdempotencyClaim
from services.rank.adapters import orm as rank_orm
from tests.kernel.integration.conftest import cadre_event, new_id

metadata = MetaData()
parent = Table("probe_parent", metadata, Column("id", String(20), primary_key=True), Column("name", String(40)))
child = Table(
    "probe_child",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("parent_id", String(20), ForeignKey("probe_parent.id"), nullable=False),
    Column("label", String(40), nullable=False),
)
note = Table("probe_note", metadata, Column("id", String(20), primary_key=True), Column("text", String(40)))


class Shouted(TypeDecorator):
    """A type whose bind processing shows: it stores its value in capitals."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.upper()


typed = Table(
    "probe_typed",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("loud", Shouted()),
    Column("at", UtcDateTime()),
    Column("made", String(20), default="by default"),  # computed by SQLAlchemy when a row does not give it
)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements the engine sends meanwhile (BEGIN and COMMIT are not statements here)."""
    seen: list[str] = []

    def collect(_conn, _cursor, sql, *_args) -> None:
        seen.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", collect)


async def test_one_row_in_each_of_several_tables_is_one_statement_on_postgresql(engine, db_backend):
    with statements(engine) as sent:
        async with engine.begin() as conn:
            await insert_all(
                conn,
                [
                    (parent, [{"id": "p1", "name": "first"}]),
                    (child, [{"parent_id": "p1", "label": "of p1"}]),  # its parent is in the same statement
                    (note, [{"id": "n1", "text": "hello"}]),
                ],
            )
    assert len(sent) == (1 if db_backend == "postgres" else 3), sent
    async with engine.connect() as conn:
        assert (await conn.execute(select(parent.c.id, parent.c.name))).all() == [("p1", "first")]
        assert (await conn.execute(select(child.c.parent_id, child.c.label))).all() == [("p1", "of p1")]
        assert (await conn.execute(select(note.c.text))).scalar_one() == "hello"


async def test_several_rows_of_a_table_go_table_by_table_in_their_order(engine, db_backend):
    with statements(engine) as sent:
        async with engine.begin() as conn:
            await insert_all(
                conn,
                [
                    (parent, [{"id": "p1", "name": "a"}]),
                    (child, [{"parent_id": "p1", "label": f"row {i}"} for i in range(5)]),
                ],
            )
    assert len(sent) == 2, sent
    async with engine.connect() as conn:
        labels = (await conn.execute(select(child.c.label).order_by(child.c.seq))).scalars().all()
    assert labels == [f"row {i}" for i in range(5)]


async def test_the_combined_statement_binds_each_value_as_its_column_type_does(engine, db_backend):
    # On PostgreSQL the statement runs at the driver level, each value through its column type's bind processing.
    at = dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with statements(engine) as sent:
        async with engine.begin() as conn:
            await insert_all(
                conn,
                [
                    (parent, [{"id": "p1", "name": "first"}]),
                    (typed, [{"id": "t1", "loud": "quiet", "at": at, "made": "given"}]),
                ],
            )
    assert len(sent) == (1 if db_backend == "postgres" else 2), sent
    async with engine.connect() as conn:
        row = (await conn.execute(select(typed.c.loud, typed.c.at, typed.c.made))).one()
    assert row == ("QUIET", at, "given")
    assert row.at.utcoffset() == dt.timedelta(0), "read back in UTC"


async def test_a_row_leaving_out_a_column_with_a_default_goes_in_on_its_own_with_the_default(engine):
    # SQLAlchemy applies a Column(default=...) to a plain INSERT, not inside the combined statement.
    with statements(engine) as sent:
        async with engine.begin() as conn:
            await insert_all(
                conn, [(parent, [{"id": "p1", "name": "first"}]), (typed, [{"id": "t1", "loud": "a", "at": None}])]
            )
    assert len(sent) == 2, sent
    async with engine.connect() as conn:
        assert (await conn.execute(select(typed.c.made))).scalar_one() == "by default"


@pytest.mark.parametrize("db_backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_a_foreign_key_is_still_checked_in_the_combined_statement(engine):
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await insert_all(
                conn, [(parent, [{"id": "p1", "name": "a"}]), (child, [{"parent_id": "nobody", "label": "orphan"}])]
            )
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(parent))).scalar_one() == 0, "not all or nothing"


def _unit_row(unit_id: str) -> dict:
    now = dt.datetime.now(dt.UTC)
    return dict(
        id=unit_id,
        parent_id=None,
        name=unit_id,
        agency_level="CITY_LEADERSHIP",
        path=f"/{unit_id}/",
        active=True,
        version=1,
        created_at=now,
        updated_at=now,
    )


async def _count(engine: AsyncEngine, table: Table, *where) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_rows_queued_with_the_events_go_in_with_the_outbox_row_and_the_idempotency_record(harness, db_backend):
    producer = await harness.producer(relay=False)
    writer = producer.db.writer
    unit_id = "u" + new_id()[:8]
    with statements(writer) as sent:
        async with producer.uow() as uow:
            uow.insert_with_events(rank_orm.org_unit, _unit_row(unit_id))
            uow.emit(cadre_event(new_id()))
            uow.idempotency = IdempotencyClaim("p:key-" + unit_id, "fingerprint")
            assert uow.rows_queued
            await uow.commit({"id": unit_id})
    inserts = [sql for sql in sent if "INSERT" in sql]
    assert len(inserts) == (1 if db_backend == "postgres" else 3), inserts
    assert await _count(writer, rank_orm.org_unit, rank_orm.org_unit.c.id == unit_id) == 1
    assert await _count(writer, producer.tables.outbox) == 1
    inbox = producer.tables.inbox
    assert await _count(writer, inbox, inbox.c.consumer == HTTP_CONSUMER, inbox.c.message_id == "p:key-" + unit_id) == 1


async def test_queued_rows_are_dropped_with_the_events_of_a_savepoint_rolled_back(harness):
    producer = await harness.producer(relay=False)
    kept, dropped = "k" + new_id()[:8], "d" + new_id()[:8]
    async with producer.uow() as uow:
        async with uow.conn.begin_nested() as savepoint:
            uow.insert_with_events(rank_orm.org_unit, _unit_row(dropped))
            uow.emit(cadre_event(new_id(), "refused", rank_v1.CadreUpdated))
            await savepoint.rollback()
        uow.discard_events()
        async with uow.conn.begin_nested():
            uow.insert_with_events(rank_orm.org_unit, _unit_row(kept))
            await uow.flush_events()  # inside its savepoint, as a batch's item does
        await uow.commit()
    unit = rank_orm.org_unit
    assert await _count(producer.db.writer, unit, unit.c.id == kept) == 1
    assert await _count(producer.db.writer, unit, unit.c.id == dropped) == 0
    assert await _count(producer.db.writer, producer.tables.outbox) == 0


async def test_a_prebuilt_statement_binds_each_value_as_its_column_type_does_for_one_row_and_many(engine):
    # Run at the driver level: each value through its column type's bind processing, as SQLAlchemy does.
    at = dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    async with engine.begin() as conn:
        await upsert(conn, typed, {"id": "t1", "loud": "one", "at": at, "made": "m"}, ["id"])
        await upsert(
            conn, typed, [{"id": f"t{i}", "loud": f"row {i}", "at": at, "made": "m"} for i in (1, 2, 3)], ["id"]
        )
        result = await execute_prebuilt(conn, update(typed).values(loud=bindparam("l")), [{"l": "all"}])
        assert result.rowcount == 3
    async with engine.connect() as conn:
        rows = (await conn.execute(select(typed.c.id, typed.c.loud, typed.c.at).order_by(typed.c.id))).all()
    assert rows == [("t1", "ALL", at), ("t2", "ALL", at), ("t3", "ALL", at)]


async def test_a_statement_sqlalchemy_adds_parameters_to_is_not_run_at_the_driver_level(engine, db_backend):
    async with engine.connect() as conn:
        dialect = conn.dialect
    assert _driver_form(insert(typed).values(id=bindparam("i"), made=bindparam("m")), dialect) is not None
    # A default computed at execution and an expanding IN list (SQLite) need SQLAlchemy.
    assert _driver_form(insert(typed).values(id=bindparam("i")), dialect) is None
    # RETURNING: rows to read, which `fetch_prebuilt` does and `execute_prebuilt` leaves to SQLAlchemy.
    returning = insert(typed).values(id=bindparam("i"), made=bindparam("m")).returning(typed.c.id)
    assert _driver_form(returning, dialect)[2] == (None,)
    expanding = update(typed).where(in_bound(typed.c.id, dialect.name)).values(loud=bindparam("l"))
    assert (_driver_form(expanding, dialect) is None) is (db_backend == "sqlite")
    async with engine.begin() as conn:
        await execute_prebuilt(conn, insert(typed).values(id=bindparam("i")), [{"i": "d1"}, {"i": "d2"}])
    async with engine.connect() as conn:
        assert (await conn.execute(select(typed.c.made).distinct())).scalars().all() == ["by default"]


async def test_values_written_in_a_prebuilt_statement_are_bound_with_it(engine):
    counter = Table("probe_counter", MetaData(), Column("id", String(20), primary_key=True), Column("n", Integer))
    async with engine.begin() as conn:
        await conn.run_sync(counter.metadata.create_all)
        await execute_prebuilt(conn, insert(counter).values(id=bindparam("i"), n=7), [{"i": "a"}, {"i": "b"}])
        step = update(counter).where(counter.c.id == bindparam("i")).values(n=counter.c.n - 2)
        assert _driver_form(step, conn.dialect) is not None
        await execute_prebuilt(conn, step, [{"i": "a"}])
        rows = (await conn.execute(select(counter.c.id, counter.c.n).order_by(counter.c.id))).all()
    assert rows == [("a", 5), ("b", 7)]


class Bracketed(TypeDecorator):
    """A type whose result processing shows: it reads its value back in brackets."""

    impl = String(40)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else f"[{value}]"


async def test_rows_read_at_the_driver_level_are_processed_as_sqlalchemy_would(engine):
    labels = Table("probe_label", MetaData(), Column("id", String(20), primary_key=True), Column("b", Bracketed()))
    at = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    async with engine.begin() as conn:
        await conn.run_sync(labels.metadata.create_all)
        stored = insert(typed).values(id=bindparam("i"), loud=bindparam("l"), at=bindparam("a"), made=bindparam("m"))
        returned = await fetch_prebuilt(
            conn, stored.returning(typed.c.id, typed.c.at), {"i": "r1", "l": "quiet", "a": at, "m": "by hand"}
        )
        assert [tuple(r) for r in returned] == [("r1", at)]
        assert returned[0][1].tzinfo is not None  # UtcDateTime's result processing (SQLite keeps no zone)
        read = select(typed.c.id, typed.c.loud, typed.c.at).where(typed.c.id == bindparam("i"))
        rows = await fetch_prebuilt(conn, read, {"i": "r1"})
        assert [tuple(r) for r in rows] == [tuple(r) for r in (await conn.execute(read, {"i": "r1"})).all()]
        assert [tuple(r) for r in rows] == [("r1", "QUIET", at)]
        assert await fetch_prebuilt(conn, read, {"i": "absent"}) == []
        labelled = insert(labels).values(id=bindparam("i"), b=bindparam("b")).returning(labels.c.b)
        assert [tuple(r) for r in await fetch_prebuilt(conn, labelled, {"i": "x", "b": "kept"})] == [("[kept]",)]
        assert _driver_form(labelled, conn.dialect) is not None  # at the driver level, processed there


async def test_a_numeric_column_is_read_through_sqlalchemy(engine):
    amounts = Table("probe_amount", MetaData(), Column("id", String(20), primary_key=True), Column("v", Numeric(8, 2)))
    async with engine.begin() as conn:
        await conn.run_sync(amounts.metadata.create_all)
        await conn.execute(insert(amounts), [{"id": "a", "v": Decimal("1.50")}])
        read = select(amounts.c.v).where(amounts.c.id == bindparam("i"))
        assert _driver_form(read, conn.dialect) is None  # its processing depends on the type the driver reports
        assert [tuple(r) for r in await fetch_prebuilt(conn, read, {"i": "a"})] == [(Decimal("1.50"),)]


async def test_a_value_is_stored_as_the_dialects_own_type_would_store_it(engine):
    """SQLite's DATETIME writes its own text form (with microseconds); a driver-level statement binds the same text,
    not the one sqlite3's default adapter would make of the datetime."""
    moments = Table("probe_moment", MetaData(), Column("id", String(20), primary_key=True), Column("at", DateTime()))
    at = dt.datetime(2026, 3, 1, 8, 30)
    async with engine.begin() as conn:
        await conn.run_sync(moments.metadata.create_all)
        await conn.execute(insert(moments), [{"id": "core", "at": at}])
        await execute_prebuilt(
            conn, insert(moments).values(id=bindparam("i"), at=bindparam("a")), [{"i": "d", "a": at}]
        )
        stored = (await conn.execute(select(moments.c.id, cast(moments.c.at, String)).order_by(moments.c.id))).all()
    assert stored[0][1] == stored[1][1], stored


async def test_a_value_rendered_at_execution_keeps_sqlalchemy(engine):
    """`aggregate_strings` renders its separator into the SQL at execution (a post-compile parameter), which the
    driver-level text would leave as a placeholder."""
    async with engine.begin() as conn:
        await conn.execute(insert(parent), [{"id": "p1", "name": "a"}, {"id": "p2", "name": "b"}])
        joined = select(func.aggregate_strings(parent.c.name, ",")).where(parent.c.id != bindparam("other"))
        assert _driver_form(joined, conn.dialect) is None
        rows = await fetch_prebuilt(conn, joined, {"other": "none"})
    assert sorted(rows[0][0].split(",")) == ["a", "b"]
