"""Inbox (idempotent consumers and HTTP Idempotency-Key), dead letters and per-aggregate watermarks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel import driver
from kernel.db import UtcDateTime, utcnow
from kernel.outbox import SeqType
from kernel.sql import execute_prebuilt

HTTP_CONSUMER = "http"


def inbox_table(metadata: MetaData) -> Table:
    """Creates inbox_message: one row per (consumer, message) applied; `response` for HTTP replays."""
    return Table(
        "inbox_message",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("message_id", String(255), primary_key=True),
        Column("processed_at", UtcDateTime, nullable=False),
        Column("request_hash", String(64), nullable=True),
        Column("response", Text, nullable=True),
        # The X-Consistency-Token of the first answer to an HTTP Idempotency-Key, given again with its replays.
        Column("consistency_token", Text, nullable=True),
        Index("ix_inbox_message_processed_at", "processed_at"),
    )


def migrate_consistency_token(op: Any, *, up: bool) -> None:
    """The migration of every service that adds (or drops) inbox_message.consistency_token: the token of an
    Idempotency-Key's first answer, sent again with its replays (kernel.idempotency)."""
    if up:
        op.add_column("inbox_message", Column("consistency_token", Text, nullable=True))
    else:
        op.drop_column("inbox_message", "consistency_token")


def dead_letter_table(metadata: MetaData) -> Table:
    """Creates dead_letter: ids and error only; the payload stays in the stream (found by stream_seq)."""
    return Table(
        "dead_letter",
        metadata,
        Column("id", SeqType, primary_key=True, autoincrement=True),
        Column("consumer", String(100), nullable=False),
        Column("message_id", String(255), nullable=True),
        Column("event_type", String(200), nullable=True),
        Column("subject", String(200), nullable=False),
        Column("stream_seq", BigInteger, nullable=True),
        Column("num_delivered", Integer, nullable=False),
        Column("error", Text, nullable=False),
        Column("failed_at", UtcDateTime, nullable=False),
        Index("ix_dead_letter_consumer", "consumer", "failed_at"),
    )


def watermark_table(metadata: MetaData) -> Table:
    """Creates consumer_watermark: the highest producer sequence applied per (consumer, aggregate)."""
    return Table(
        "consumer_watermark",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("aggregate", String(255), primary_key=True),
        Column("sequence", BigInteger, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
    )


_STATEMENTS: dict[tuple[int, str, str], Any] = {}


def _statement(kind: str, table: Table, dialect: str) -> Any:
    """Returns a prebuilt statement (building Core statements per message cost more than running them)."""
    key = (id(table), dialect, kind)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        if kind in ("claim", "claim_returning"):
            stmt = insert.values(consumer=bindparam("c"), message_id=bindparam("m"), processed_at=bindparam("at"))
            stmt = stmt.on_conflict_do_nothing(index_elements=["consumer", "message_id"])
            if kind == "claim_returning":
                stmt = stmt.returning(table.c.message_id)
        elif kind == "watermark_lock":
            # Creates a missing row (sequence -1) or rewrites an existing one unchanged: either way the row is
            # locked for the transaction and RETURNING gives the sequence stored before this statement.
            stmt = insert.values(
                consumer=bindparam("c"), aggregate=bindparam("a"), sequence=-1, updated_at=bindparam("at")
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["consumer", "aggregate"], set_={"sequence": table.c.sequence}
            )
            stmt = stmt.returning(table.c.aggregate, table.c.sequence)
        elif kind == "watermark_set":
            stmt = (
                update(table)
                .where(table.c.consumer == bindparam("c"), table.c.aggregate == bindparam("a"))
                .values(sequence=bindparam("s"), updated_at=bindparam("at"))
            )
        else:
            stmt = insert.values(
                consumer=bindparam("c"), aggregate=bindparam("a"), sequence=bindparam("s"), updated_at=bindparam("at")
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["consumer", "aggregate"],
                set_={"sequence": stmt.excluded.sequence, "updated_at": stmt.excluded.updated_at},
                where=table.c.sequence < stmt.excluded.sequence,
            )
        _STATEMENTS[key] = stmt
    return stmt


async def claim(conn: AsyncConnection, table: Table, *, consumer: str, message_id: str) -> bool:
    """Records that `consumer` applies `message_id` in the open transaction; False if it was applied before."""
    stmt = _statement("claim", table, conn.dialect.name)
    result = await execute_prebuilt(conn, stmt, [{"c": consumer, "m": message_id, "at": utcnow()}])
    return (result.rowcount or 0) == 1


async def claim_many(conn: AsyncConnection, table: Table, *, consumer: str, message_ids: list[str]) -> set[str]:
    """Claims several messages in one statement; returns the ids claimed now (the others were applied before).

    The ids come back from the insert itself (RETURNING), so a message another transaction claims at the same
    moment is never both: PostgreSQL makes the second insert wait for the first and then skip the row."""
    # Sorted: two transactions claiming overlapping batches (a redelivery racing its first delivery) take the rows'
    # locks in the same order, so one waits for the other instead of both deadlocking.
    ids = sorted(set(message_ids))
    if not ids:
        return set()
    at = utcnow()
    if conn.dialect.name == "postgresql":  # the ids as one array, in their order (_ARRAY_SQL)
        result = await driver.run(conn, _array_sql("claim", table), (consumer, ids, at))
        return {row[0] for row in result.all()}
    # One prebuilt statement run with many parameter sets: SQLAlchemy sends it as one multi-row INSERT ... RETURNING
    # ("insertmanyvalues"), without compiling a new statement for every batch size (issue 15).
    stmt = _statement("claim_returning", table, conn.dialect.name)
    result = await conn.execute(stmt, [{"c": consumer, "m": m, "at": at} for m in ids])
    return set(result.scalars().all())


async def advance_watermark(
    conn: AsyncConnection, table: Table, *, consumer: str, aggregate: str, sequence: int
) -> bool:
    """Moves the watermark of an aggregate forward; False if `sequence` is not newer (a stale redelivery)."""
    stmt = _statement("watermark", table, conn.dialect.name)
    result = await execute_prebuilt(conn, stmt, [{"c": consumer, "a": aggregate, "s": sequence, "at": utcnow()}])
    return (result.rowcount or 0) == 1


async def advance_watermarks(
    conn: AsyncConnection, table: Table, *, consumer: str, events: list[tuple[str, int]]
) -> list[bool]:
    """Moves the watermarks of a batch's events forward in at most two statements whatever the batch's size; for each
    (aggregate, sequence), in order, whether it is newer than the aggregate's watermark and the events before it in
    the list (False: a stale redelivery), exactly as `advance_watermark` called for each in turn would say.

    The first statement locks every aggregate's row (creating missing ones), in sorted order so that two
    transactions racing over the same aggregates wait for each other instead of deadlocking, and returns the stored
    sequences; the second writes the new ones. Both run inside the caller's transaction (issue 15: one statement
    per event was most of a consumer's work during an import)."""
    if len(events) <= 2:  # one conditional upsert each is no more statements (a quiet stream's single event)
        return [
            await advance_watermark(conn, table, consumer=consumer, aggregate=aggregate, sequence=sequence)
            for aggregate, sequence in events
        ]
    at = utcnow()
    aggregates = sorted({aggregate for aggregate, _ in events})
    on_postgresql = conn.dialect.name == "postgresql"
    if on_postgresql:
        locked = await driver.run(conn, _array_sql("watermark_lock", table), (consumer, aggregates, at))
    else:
        locked = await conn.execute(
            _statement("watermark_lock", table, conn.dialect.name),
            [{"c": consumer, "a": a, "at": at} for a in aggregates],
        )
    stored = {aggregate: sequence for aggregate, sequence in locked.all()}
    current = dict(stored)
    fresh = []
    for aggregate, sequence in events:
        newer = sequence > current[aggregate]
        if newer:
            current[aggregate] = sequence
        fresh.append(newer)
    moved = [(a, s) for a, s in current.items() if s != stored[a]]
    if moved and on_postgresql:
        await driver.run(
            conn, _array_sql("watermark_set", table), (consumer, [a for a, _ in moved], [s for _, s in moved], at)
        )
    elif moved:
        rows = [{"c": consumer, "a": a, "s": s, "at": at} for a, s in moved]
        await execute_prebuilt(conn, _statement("watermark_set", table, conn.dialect.name), rows)
    return fresh


# PostgreSQL: a batch's ids or aggregates as one array parameter, each statement one SQL text whatever the batch's
# size, run at the driver level (kernel.sql.execute_prebuilt says why). The rows go in the array's order (WITH
# ORDINALITY), which is sorted: two transactions take their row locks in the same order. The casts give asyncpg the
# parameters' types, which a SELECT list does not.
_ARRAY_SQL = {
    "claim": (
        "INSERT INTO {t} (consumer, message_id, processed_at) "
        "SELECT $1::VARCHAR, m, $3::TIMESTAMP WITH TIME ZONE FROM unnest($2::VARCHAR[]) WITH ORDINALITY AS b(m, i) "
        "ORDER BY i ON CONFLICT (consumer, message_id) DO NOTHING RETURNING message_id"
    ),
    "watermark_lock": (
        "INSERT INTO {t} (consumer, aggregate, sequence, updated_at) "
        "SELECT $1::VARCHAR, a, -1, $3::TIMESTAMP WITH TIME ZONE FROM unnest($2::VARCHAR[]) WITH ORDINALITY AS b(a, i) "
        "ORDER BY i ON CONFLICT (consumer, aggregate) DO UPDATE SET sequence = {t}.sequence "
        "RETURNING aggregate, sequence"
    ),
    # An upsert of rows that exist (locked above), not UPDATE … FROM unnest(…): the planner joined that by hashing
    # every watermark of the consumer (one per aggregate it ever saw), where the conflict arbiter looks each row up.
    "watermark_set": (
        "INSERT INTO {t} (consumer, aggregate, sequence, updated_at) "
        "SELECT $1::VARCHAR, a, s, $4::TIMESTAMP WITH TIME ZONE FROM unnest($2::VARCHAR[], $3::BIGINT[]) "
        "WITH ORDINALITY AS b(a, s, i) ORDER BY i ON CONFLICT (consumer, aggregate) DO UPDATE "
        "SET sequence = excluded.sequence, updated_at = excluded.updated_at"
    ),
}


def _array_sql(kind: str, table: Table) -> str:
    key = (id(table), "postgresql-array", kind)
    sql = _STATEMENTS.get(key)
    if sql is None:
        sql = _STATEMENTS[key] = _ARRAY_SQL[kind].format(t=postgresql.dialect().identifier_preparer.format_table(table))
    return sql


async def stored_response(
    conn: AsyncConnection, table: Table, key: str
) -> tuple[str | None, str | None, str | None] | None:
    """Returns (request_hash, response, consistency token) stored for an HTTP Idempotency-Key, or None."""
    row = (
        await conn.execute(
            select(table.c.request_hash, table.c.response, table.c.consistency_token).where(
                table.c.consumer == HTTP_CONSUMER, table.c.message_id == key
            )
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def purge_inbox(conn: AsyncConnection, table: Table, *, older_than_days: int) -> int:
    """Deletes inbox rows older than the retention (which must be >= the stream's max_age)."""
    import datetime as dt

    cutoff = utcnow() - dt.timedelta(days=older_than_days)
    result = await conn.execute(delete(table).where(table.c.processed_at < cutoff))
    return result.rowcount or 0
