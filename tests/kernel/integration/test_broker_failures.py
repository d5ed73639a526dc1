"""The broker dies: kill -9 during a run of 5,000 events (R2, PR size), and a reset that loses the store (R4)."""

from __future__ import annotations

import asyncio
import random

import nats
import pytest

from kernel.embedded import NatsServerProcess
from kernel.outbox import mark_for_replay
from kernel.subjects import stream_name
from kernel.testing.helpers import eventually
from tests.kernel.integration.conftest import Harness, cadre_event, new_id

pytestmark = pytest.mark.slow
EVENTS = 5000
BATCH = 100


@pytest.fixture
def own_nats(tmp_path):
    server = NatsServerProcess(store_dir=tmp_path / "nats-store").start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
async def chaos_harness(harness: Harness, own_nats):
    harness.nats_url = own_nats.url
    return harness


async def _stream_count(url: str, namespace: str) -> int:
    nc = await nats.connect(url)
    try:
        return (await nc.jetstream().stream_info(stream_name(namespace, "rank"))).state.messages
    finally:
        await nc.close()


async def test_killing_the_broker_during_5000_events_loses_none_and_applies_none_twice(chaos_harness, own_nats):
    h = chaos_harness
    consumer = await h.consumer()
    producer = await h.producer()
    kills = 0
    rng = random.Random(7)

    async def chaos() -> None:
        nonlocal kills
        for _ in range(3):
            await asyncio.sleep(rng.uniform(0.3, 0.8))
            own_nats.kill()
            kills += 1
            await asyncio.sleep(rng.uniform(0.2, 1.0))
            await asyncio.to_thread(own_nats.restart)

    chaos_task = asyncio.create_task(chaos())
    for start in range(0, EVENTS, BATCH):
        await h.emit(producer, *(cadre_event(new_id(), f"n{start + i}") for i in range(BATCH)))
        await asyncio.sleep(0.02)
    await chaos_task
    assert kills == 3

    async def all_applied():
        assert await h.applied_count() == (EVENTS, EVENTS)

    await eventually(all_applied, timeout=180, interval=0.5)

    async def outbox_drained():
        # A row whose PubAck was lost with the broker may be applied already (the broker had stored it) and still
        # wait out its back-off (2, 4, 8 s, ... one doubling per failed attempt) before the relay publishes it again.
        assert await producer.relay.pending_count() == 0

    await eventually(outbox_drained, timeout=120, interval=0.5)
    assert await _stream_count(own_nats.url, h.namespace) == EVENTS  # Nats-Msg-Id absorbed every re-publish
    stats = consumer.runners[0].stats
    assert stats.applied == EVENTS
    await asyncio.sleep(1.0)
    assert await h.applied_count() == (EVENTS, EVENTS)


async def test_a_broker_that_lost_its_store_gets_its_topology_back_and_the_outbox_replays(chaos_harness, own_nats):
    h = chaos_harness
    await h.consumer()
    producer = await h.producer()
    before = [new_id() for _ in range(200)]
    await h.emit(producer, *(cadre_event(c) for c in before))

    async def first_batch():
        assert await h.applied_count() == (200, 200)

    await eventually(first_batch, timeout=30)

    import datetime as dt

    from kernel.db import utcnow

    since = utcnow() - dt.timedelta(minutes=5)
    await asyncio.to_thread(own_nats.restart, wipe_store=True)  # streams and consumers are gone

    after = [new_id() for _ in range(50)]
    await h.emit(producer, *(cadre_event(c) for c in after))

    async def new_events_flow():
        assert await h.applied_count() == (250, 250)

    await eventually(new_events_flow, timeout=60, interval=0.2)

    replayed = await mark_for_replay(producer.relay.engine, producer.tables.outbox, since)
    assert replayed == 250
    producer.relay.wake()

    async def replay_published():
        assert await producer.relay.pending_count() == 0
        assert await _stream_count(own_nats.url, h.namespace) >= 250

    await eventually(replay_published, timeout=60, interval=0.2)
    await asyncio.sleep(1.5)
    assert await h.applied_count() == (250, 250)  # the replay re-delivered everything; the inbox applied none twice
