"""kernel.inbox.advance_watermarks: a consumer batch's watermarks in two statements, saying exactly what one
`advance_watermark` per event says (issue 15), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, event, select

from kernel import inbox
from kernel.inbox import advance_watermark, advance_watermarks, inbox_table, watermark_table

metadata = MetaData()
watermark = watermark_table(metadata)
inbox_messages = inbox_table(metadata)

# A few aggregates and small sequences, so that batches repeat aggregates, go backwards and replay sequences.
EVENTS = st.lists(st.tuples(st.sampled_from(["c-1", "c-2", "c-3"]), st.integers(min_value=1, max_value=8)), max_size=30)


async def _stored(conn, consumer: str) -> dict[str, int]:
    rows = await conn.execute(
        select(watermark.c.aggregate, watermark.c.sequence).where(watermark.c.consumer == consumer)
    )
    return dict(rows.all())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=EVENTS, batch=EVENTS, run=st.integers(min_value=0, max_value=10**9))
async def test_a_batch_says_what_one_call_per_event_says_and_stores_the_same(engine, before, batch, run):
    one, many = f"one-{run}", f"many-{run}"
    async with engine.begin() as conn:
        for aggregate, sequence in before:  # the same history for both consumers
            for consumer in (one, many):
                await advance_watermark(conn, watermark, consumer=consumer, aggregate=aggregate, sequence=sequence)
        expected = [await advance_watermark(conn, watermark, consumer=one, aggregate=a, sequence=s) for a, s in batch]
        assert await advance_watermarks(conn, watermark, consumer=many, events=batch) == expected
        assert await _stored(conn, many) == await _stored(conn, one)


async def test_a_batch_costs_two_statements_one_event_one_and_none_nothing(engine):
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    async with engine.begin() as conn:
        assert await advance_watermarks(conn, watermark, consumer="c", events=[]) == []
        assert statements == []
        assert await advance_watermarks(conn, watermark, consumer="c", events=[("c-9", 3)]) == [True]
        assert len(statements) == 1
        statements.clear()
        events = [(f"c-{i % 7}", i) for i in range(40)] + [("c-0", 1)]
        assert await advance_watermarks(conn, watermark, consumer="c", events=events) == [True] * 40 + [False]
    assert len(statements) == 2


async def test_two_transactions_over_the_same_aggregates_wait_for_each_other(engine):
    """The second batch waits for the first's lock on the row, then sees its sequence: it never applies an older
    snapshot than the one the first batch applied (two replicas sharing a durable)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks between concurrent transactions (SQLite has one writer at a time)")
    async with engine.connect() as a, engine.connect() as b:
        await a.begin()
        first = [("c-1", 5), ("c-2", 2), ("c-3", 1)]  # three or more: the batched statements, not one per event
        assert await advance_watermarks(a, watermark, consumer="c", events=first) == [True, True, True]
        second = asyncio.create_task(
            advance_watermarks(b, watermark, consumer="c", events=[("c-2", 1), ("c-1", 4), ("c-4", 1)])
        )
        await asyncio.sleep(0.3)
        assert not second.done()  # waiting for the first transaction
        await a.commit()
        assert await second == [False, False, True]
        await b.commit()


@pytest.mark.parametrize("db_backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_a_batch_reads_only_its_own_rows_however_many_watermarks_the_consumer_has(engine):
    """PostgreSQL: the batch statements over arrays look each row up by its key. An UPDATE … FROM unnest(…) had the
    planner hash every watermark of the consumer (one per aggregate it ever saw) for each batch."""
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "INSERT INTO consumer_watermark SELECT 'c', 'c-' || g, 1, now() FROM generate_series(1, 3000) AS g"
        )
        await conn.exec_driver_sql("ANALYZE consumer_watermark")
    async with engine.connect() as conn:
        await conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")  # the plan a connection keeps
        for kind, table, args in [
            ("watermark_lock", watermark, "'c', ARRAY['c-1', 'c-2', 'c-new'], now()"),
            ("watermark_set", watermark, "'c', ARRAY['c-1', 'c-2'], ARRAY[5, 6]::BIGINT[], now()"),
            ("claim", inbox_messages, "'c', ARRAY['m-1', 'm-2'], now()"),
        ]:
            await conn.exec_driver_sql(f"PREPARE probe_{kind} AS {inbox._array_sql(kind, table)}")
            explained = await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE probe_{kind}({args})")
            plan = "\n".join(row[0] for row in explained.all())
            assert "Scan on consumer_watermark" not in plan and "Hash" not in plan, plan
            assert int(re.search(r"shared hit=(\d+)", plan).group(1)) < 60, plan  # pages of a few rows, not 3,000
        await conn.rollback()
