"""Ordering under redelivery (R6, Hypothesis) and with two relays on one PostgreSQL outbox (R7)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

import nats
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.contracts import rank_v1
from kernel.envelope import encode
from kernel.outbox import OutboxRelay, OutboxWriter, with_sequence
from kernel.subjects import stream_name
from tests.kernel.integration.conftest import applied, cadre_event, new_id, record


@dataclass
class _Meta:
    num_delivered: int
    sequence: object = None


class FakeMsg:
    """A JetStream message as the runner sees it (the database underneath is real)."""

    def __init__(self, subject: str, data: bytes, delivered: int = 1) -> None:
        self.subject, self.data, self.metadata = subject, data, _Meta(delivered)
        self.outcome: str | None = None

    async def ack(self) -> None:
        self.outcome = "ack"

    async def nak(self, delay: float | None = None) -> None:
        self.outcome = "nak"

    async def term(self) -> None:
        self.outcome = "term"

    async def in_progress(self) -> None:
        pass


@pytest.fixture
async def consumer_runtime(harness):
    return await harness.consumer(guard=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=12), data=st.data())
async def test_any_redelivery_order_ends_in_the_in_order_state(harness, consumer_runtime, plan, data):
    runner = consumer_runtime.runners[0]
    writer = OutboxWriter(consumer_runtime.tables.outbox, "rank", "cadre")
    deliveries, expected = [], {}
    seq = 0
    for versions in plan:  # one aggregate per entry, with `versions` successive snapshots
        cadre = new_id()
        for v in range(versions):
            seq += 1
            model = rank_v1.CadreRegistered if v == 0 else rank_v1.CadreUpdated
            envelope = writer.envelope(cadre_event(cadre, f"v{v}", model), now=__import__("kernel.db").db.utcnow())
            raw = with_sequence(encode(envelope).decode(), seq)
            deliveries.append(FakeMsg(f"{harness.namespace}.{model.event_name.key}", raw))
        expected[cadre] = f"v{versions - 1}"
    redelivered = data.draw(st.lists(st.sampled_from(deliveries), max_size=len(deliveries)))
    order = data.draw(st.permutations(deliveries + [FakeMsg(m.subject, m.data, 2) for m in redelivered]))
    for msg in order:
        await runner.process(msg)
        assert msg.outcome == "ack"
    engine = create_async_engine(harness.consumer_db)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(applied.c.cadre_id, applied.c.name, applied.c.id)
                .where(applied.c.cadre_id.in_(list(expected)))
                .order_by(applied.c.id)
            )
        ).all()
    await engine.dispose()
    final = {}
    for cadre_id, name, _ in rows:
        final[cadre_id] = name
    assert final == expected, "a stale snapshot overwrote a newer one"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=6), data=st.data())
async def test_any_redelivery_order_in_batches_ends_in_the_in_order_state(harness, consumer_runtime, plan, data):
    """The same property when deliveries arrive in fetched batches, applied together in one transaction."""
    runner = consumer_runtime.runners[0]
    writer = OutboxWriter(consumer_runtime.tables.outbox, "rank", "cadre")
    deliveries, expected, seq = [], {}, 0
    for versions in plan:
        cadre = new_id()
        for v in range(versions):
            seq += 1
            model = rank_v1.CadreRegistered if v == 0 else rank_v1.CadreUpdated
            envelope = writer.envelope(cadre_event(cadre, f"v{v}", model), now=__import__("kernel.db").db.utcnow())
            deliveries.append(
                FakeMsg(f"{harness.namespace}.{model.event_name.key}", with_sequence(encode(envelope).decode(), seq))
            )
        expected[cadre] = f"v{versions - 1}"
    redelivered = data.draw(st.lists(st.sampled_from(deliveries), max_size=len(deliveries)))
    order = data.draw(st.permutations(deliveries + [FakeMsg(m.subject, m.data, 2) for m in redelivered]))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(order) - 1)), max_size=4)))
    for start, end in zip([0, *cuts], [*cuts, len(order)], strict=True):
        await runner.process_batch(order[start:end])
    assert all(msg.outcome == "ack" for msg in order)
    engine = create_async_engine(harness.consumer_db)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(applied.c.cadre_id, applied.c.name, applied.c.id)
                .where(applied.c.cadre_id.in_(list(expected)))
                .order_by(applied.c.id)
            )
        ).all()
    await engine.dispose()
    final = {cadre_id: name for cadre_id, name, _ in rows}
    assert final == expected, "a stale snapshot overwrote a newer one"
    applied_ids = [name for _, name, _ in rows]
    assert len(applied_ids) <= len(deliveries), "an event was applied twice"


# Several relays share an outbox only on PostgreSQL; SQLite runs one relay per database.
@pytest.mark.parametrize("db_backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_two_relays_keep_each_entitys_order_and_skip_nothing(harness, monkeypatch):
    monkeypatch.setattr("kernel.outbox.backoff_seconds", lambda attempts, cap=300.0: 0.0)  # keep the test short
    await harness.consumer(handler=record, guard=False)
    producer = await harness.producer(relay=False)
    aggregates = [new_id() for _ in range(20)]
    rng = random.Random(11)
    for round_ in range(25):  # many small transactions, interleaving aggregates
        batch = rng.sample(aggregates, 5)
        await harness.emit(producer, *(cadre_event(a, f"{round_:03d}", rank_v1.CadreUpdated) for a in batch))
    real_js = producer.nats.jetstream

    class Flaky:
        def __init__(self, js):
            self.js = js

        async def publish(self, subject, payload, **kw):
            if rng.random() < 0.1:
                raise TimeoutError("injected")
            return await self.js.publish(subject, payload, **kw)

    relays = [
        OutboxRelay(
            engine=create_async_engine(harness.producer_db),
            table=producer.tables.outbox,
            producer="rank",
            namespace=harness.namespace,
            stream=stream_name(harness.namespace, "rank"),
            js_provider=lambda: Flaky(real_js()),
            batch_size=7,
            poll_interval=0.05,
            lease_s=30,
        )
        for _ in range(2)
    ]

    async def run(relay: OutboxRelay) -> None:
        for _ in range(400):
            await relay.publish_batch()
            if await relay.pending_count() == 0:
                return

    await asyncio.gather(*(run(r) for r in relays))
    assert await relays[0].pending_count() == 0, "rows were skipped"
    # Each relay remembers what it published (kernel.consistency asks it first): every row by exactly one relay.
    first, second = (set(r.recent) for r in relays)
    assert not first & second and len(first | second) == 25 * 5
    for relay in relays:
        await relay.engine.dispose()

    nc = await nats.connect(harness.nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            f"{harness.namespace}.rank.>", durable=None, stream=stream_name(harness.namespace, "rank")
        )
        seen: dict[str, list[int]] = {}
        total = 0
        while True:
            try:
                msgs = await sub.fetch(100, timeout=1)
            except nats.errors.TimeoutError:
                break
            for msg in msgs:
                event = __import__("kernel.envelope", fromlist=["decode"]).decode(msg.data)
                seen.setdefault(event.subject, []).append(event.sequence_number)
                total += 1
                await msg.ack()
    finally:
        await nc.close()
    assert total == 125
    for subject, sequences in seen.items():
        assert sequences == sorted(sequences), f"{subject} published out of order: {sequences}"
