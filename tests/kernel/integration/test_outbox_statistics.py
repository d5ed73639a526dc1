"""The relay's claim stays one batch's work after a bulk enqueue on PostgreSQL (docs/architecture.md §6.4).

A bulk import enqueues tens of thousands of rows into an outbox whose statistics say it is nearly empty; the planner
then reads every pending row and sorts them for each batch. The relay notices the slow claim and ANALYZEs its table,
after which the claim walks the pending-seq index.
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
    relay = OutboxRelay(
        engine=create_async_engine(harness.producer_db),
        table=producer.tables.outbox,
        producer="rank",
        namespace=harness.namespace,
        stream=stream_name(harness.namespace, "rank"),
        js_provider=producer.nats.jetstream,
        batch_size=50,
        slow_claim_s=0.0,
    )
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


async def test_the_relay_drains_a_bulk_backlog_in_seq_order(harness):
    producer = await harness.producer(relay=False)
    await harness.emit(producer, *(cadre_event(new_id(), "bulk", rank_v1.CadreUpdated) for _ in range(BACKLOG)))
    relay = OutboxRelay(
        engine=create_async_engine(harness.producer_db),
        table=producer.tables.outbox,
        producer="rank",
        namespace=harness.namespace,
        stream=stream_name(harness.namespace, "rank"),
        js_provider=producer.nats.jetstream,
        batch_size=500,
    )
    try:
        await relay.drain(timeout=120)
        assert relay.published_total == BACKLOG
        assert await relay.pending_count() == 0
    finally:
        await relay.engine.dispose()
