"""The relay's claim stays one batch's work after a bulk enqueue on PostgreSQL (docs/architecture.md §6.4).

A bulk import enqueues tens of thousands of rows into an outbox whose statistics say it is nearly empty; the planner
then reads every pending row and sorts them for each batch. The relay notices the slow claim and ANALYZEs its table,
after which the claim walks the pending-seq index. The mark of published rows reads a pending index whatever the
statistics.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.contracts import rank_v1
from kernel.db import utcnow
from kernel.outbox import OutboxRelay
from kernel.subjects import stream_name
from tests.kernel.integration.conftest import cadre_event, new_id

pytestmark = pytest.mark.parametrize(
    "db_backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

BACKLOG = 4000


async def _plan(relay: OutboxRelay) -> str:
    async with relay.engine.connect() as conn:
        compiled = relay._claim_stmt.compile(dialect=conn.dialect)
        values = compiled.construct_params({"now": utcnow(), "until": utcnow()})
        args = tuple(values[name] for name in compiled.positiontup)
        rows = (await conn.exec_driver_sql("EXPLAIN " + str(compiled), args)).all()
    return "\n".join(r[0] for r in rows)


def _relay(harness, producer, **options) -> OutboxRelay:
    """A relay of its own over the producer's outbox (the producer's own relay is off)."""
    return OutboxRelay(
        engine=create_async_engine(harness.producer_db),
        table=producer.tables.outbox,
        producer="rank",
        namespace=harness.namespace,
        stream=stream_name(harness.namespace, "rank"),
        js_provider=producer.nats.jetstream,
        **options,
    )


async def _estimated_rows(relay: OutboxRelay) -> float:
    async with relay.engine.connect() as conn:
        return float(
            (
                await conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'outbox_message'::regclass"))
            ).scalar_one()
        )


async def test_a_slow_claim_refreshes_the_statistics_once_and_the_claim_then_walks_the_pending_index(harness):
    producer = await harness.producer(relay=False)
    await harness.emit(producer, *(cadre_event(new_id(), "bulk", rank_v1.CadreUpdated) for _ in range(BACKLOG)))
    relay = _relay(harness, producer, batch_size=50, slow_claim_s=0.0)
    try:
        assert await _estimated_rows(relay) < BACKLOG / 2, "the fresh table must not have statistics yet"
        published, failed = await relay.publish_batch()
        assert (published, failed) == (50, False)
        assert relay.analyzed_total == 1
        assert await _estimated_rows(relay) >= BACKLOG * 0.9
        plan = await _plan(relay)
        assert "ix_outbox_message_pending_seq" in plan and "Sort" not in plan, plan

        await relay.publish_batch()  # slow again (threshold 0), but ANALYZE runs at most once per minute
        assert relay.analyzed_total == 1
    finally:
        await relay.engine.dispose()


async def _generic_plan(relay: OutboxRelay, statement, literals: dict[str, str]) -> str:
    """The plan a prepared statement keeps once PostgreSQL settles on a generic one (after five executions);
    `literals` gives each parameter's value as SQL."""
    async with relay.engine.connect() as conn:
        compiled = statement.compile(dialect=conn.dialect)
        await conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        await conn.exec_driver_sql(f"PREPARE mark AS {compiled}")
        args = ", ".join(literals.get(name, "NULL") for name in compiled.positiontup)
        rows = (await conn.exec_driver_sql(f"EXPLAIN EXECUTE mark({args})")).all()
        await conn.rollback()
    return "\n".join(r[0] for r in rows)


async def test_the_mark_reads_a_pending_index_even_when_prepared_on_a_new_table(harness):
    # Prepared while the outbox was new, `seq = ANY(...)` alone kept a sequential scan of the whole table, 7 days of
    # published rows, for the life of the relay's connection (measured in the skeleton benchmark: the relay's
    # connection cost PostgreSQL 0.28 ms of CPU per registration, 0.17 ms once the mark read the pending index).
    producer = await harness.producer(relay=False)
    await harness.emit(producer, *(cadre_event(new_id(), "new", rank_v1.CadreUpdated) for _ in range(3)))
    relay = _relay(harness, producer)
    try:
        plan = await _generic_plan(relay, relay._published_stmt, {"now": "now()", "seqs": "ARRAY[1, 2, 3]"})
        # One of the two pending indexes (which one is a tie on a table this small), never the table.
        assert "Index Scan using ix_outbox_message_pending_" in plan and "Seq Scan" not in plan, plan
        published, failed = await relay.publish_batch()
        assert (published, failed) == (3, False)
        assert await relay.pending_count() == 0
    finally:
        await relay.engine.dispose()


async def test_the_relay_drains_a_bulk_backlog_in_seq_order(harness):
    producer = await harness.producer(relay=False)
    await harness.emit(producer, *(cadre_event(new_id(), "bulk", rank_v1.CadreUpdated) for _ in range(BACKLOG)))
    relay = _relay(harness, producer, batch_size=500)
    try:
        await relay.drain(timeout=120)
        assert relay.published_total == BACKLOG
        assert await relay.pending_count() == 0
    finally:
        await relay.engine.dispose()
