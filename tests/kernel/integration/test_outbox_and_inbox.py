"""Outbox relay and idempotent consumers through a real nats-server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import nats
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.contracts import rank_v1
from kernel.envelope import decode, encode
from kernel.outbox import with_sequence
from kernel.subjects import stream_name
from kernel.testing.helpers import eventually
from tests.kernel.integration.conftest import cadre_event, new_id, record


async def _stream_messages(nats_url: str, namespace: str) -> int:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().stream_info(stream_name(namespace, "rank"))
        return info.state.messages
    finally:
        await nc.close()


async def test_relay_stopped_between_commit_and_publish_delivers_the_event_exactly_once(harness):
    consumer = await harness.consumer()
    crashed = await harness.producer(relay=False)
    cadre = new_id()
    await harness.emit(crashed, cadre_event(cadre))
    assert await crashed.relay.pending_count() == 1
    await crashed.stop()

    restarted = await harness.producer()  # a new process over the same database

    async def delivered():
        assert await harness.applied_count() == (1, 1)

    await eventually(delivered)

    async def marked():  # the relay marks the row after its PubAck; the consumer may have applied it before
        assert await restarted.relay.pending_count() == 0

    await eventually(marked)
    assert await _stream_messages(harness.nats_url, harness.namespace) == 1
    assert consumer.runners[0].stats.applied == 1


async def test_a_publish_that_timed_out_but_was_stored_is_not_stored_again(harness):
    await harness.consumer()
    producer = await harness.producer(relay=False)
    await harness.emit(producer, cadre_event(new_id()))
    table = producer.tables.outbox
    async with producer.db.reader.connect() as conn:
        row = (await conn.execute(select(table.c.seq, table.c.event_id, table.c.subject, table.c.payload))).one()
    # The broker stored it, but the relay never saw the ack (timeout, then a crash).
    js = producer.nats.js
    await js.publish(
        f"{harness.namespace}.{row.subject}", with_sequence(row.payload, row.seq), headers={"Nats-Msg-Id": row.event_id}
    )
    producer.relay.start()
    await eventually(lambda: _assert_zero(producer.relay.pending_count()))
    assert await _stream_messages(harness.nats_url, harness.namespace) == 1

    async def applied_once():
        assert await harness.applied_count() == (1, 1)

    await eventually(applied_once)


async def _assert_zero(coro):
    assert await coro == 0


async def test_the_same_event_delivered_twice_is_applied_once(harness):
    consumer = await harness.consumer()
    producer = await harness.producer(relay=False)
    await harness.emit(producer, cadre_event(new_id()))
    table = producer.tables.outbox
    async with producer.db.reader.connect() as conn:
        row = (await conn.execute(select(table.c.seq, table.c.subject, table.c.payload))).one()
    js = producer.nats.js
    for copy in ("a", "b"):  # two copies in the stream (as after a dedup-window overrun, R8)
        await js.publish(
            f"{harness.namespace}.{row.subject}",
            with_sequence(row.payload, row.seq),
            headers={"Nats-Msg-Id": f"copy-{copy}"},
        )

    async def settled():
        stats = consumer.runners[0].stats
        assert stats.applied == 1 and stats.duplicates == 1

    await eventually(settled)
    assert await harness.applied_count() == (1, 1)


async def test_snapshots_redelivered_out_of_order_end_in_the_latest_state(harness):
    consumer = await harness.consumer(guard=True)
    producer = await harness.producer(relay=False)
    cadre = new_id()
    await harness.emit(producer, cadre_event(cadre, "v1"))
    await harness.emit(producer, cadre_event(cadre, "v2", rank_v1.CadreUpdated))
    await harness.emit(producer, cadre_event(cadre, "v3", rank_v1.CadreUpdated))
    table = producer.tables.outbox
    async with producer.db.reader.connect() as conn:
        rows = (
            await conn.execute(
                select(table.c.seq, table.c.event_id, table.c.subject, table.c.payload).order_by(table.c.seq)
            )
        ).all()
    js = producer.nats.js
    for row in (rows[2], rows[0], rows[1]):  # newest first, then the stale ones
        await js.publish(
            f"{harness.namespace}.{row.subject}",
            with_sequence(row.payload, row.seq),
            headers={"Nats-Msg-Id": row.event_id},
        )

    async def settled():
        stats = consumer.runners[0].stats
        assert stats.applied + stats.stale == 3

    await eventually(settled)
    assert [r[2] for r in await harness.applied_rows()] == ["v3"]
    assert consumer.runners[0].stats.stale == 2


async def test_a_handler_that_always_fails_is_dead_lettered_and_the_consumer_moves_on(harness):
    consumer = await harness.consumer(consumer_max_deliver=3)
    producer = await harness.producer()
    await harness.emit(producer, cadre_event(new_id(), "poison"))
    good = new_id()
    await harness.emit(producer, cadre_event(good, "healthy"))

    async def dead_lettered():
        async with consumer.db.reader.connect() as conn:
            t = consumer.tables.dead_letter
            rows = (await conn.execute(select(t.c.num_delivered, t.c.error, t.c.event_type))).all()
        assert len(rows) == 1
        assert rows[0].num_delivered == 3 and "always fails" in rows[0].error
        assert rows[0].event_type.endswith("rank.cadre_registered.v1")

    await eventually(dead_lettered, timeout=20)
    assert [r[1] for r in await harness.applied_rows()] == [good]
    assert consumer.runners[0].stats.retried == 2


async def test_a_malformed_event_is_dead_lettered_without_retries(harness):
    consumer = await harness.consumer()
    producer = await harness.producer()
    await producer.nats.js.publish(
        f"{harness.namespace}.rank.cadre_registered.v1", b"{not json", headers={"Nats-Msg-Id": "garbage-1"}
    )
    event = decode(
        encode(
            __import__("kernel.envelope", fromlist=["CloudEvent"]).CloudEvent(
                id="bad-data",
                source="/cadre/rank",
                type="cadre.rank.cadre_registered.v1",
                time="2026-01-01T00:00:00Z",
                data={"cadreId": 5},
            )
        )
    )
    await producer.nats.js.publish(
        f"{harness.namespace}.rank.cadre_registered.v1", encode(event), headers={"Nats-Msg-Id": "bad-data"}
    )

    async def dead_lettered():
        async with consumer.db.reader.connect() as conn:
            t = consumer.tables.dead_letter
            rows = (await conn.execute(select(t.c.num_delivered, t.c.error))).all()
        assert len(rows) == 2 and all(r.num_delivered == 1 for r in rows)

    await eventually(dead_lettered)


async def test_rows_of_one_aggregate_keep_their_order_when_the_first_publish_fails(harness):
    await harness.consumer(guard=False)
    producer = await harness.producer(relay=False)
    cadre = new_id()
    await harness.emit(producer, cadre_event(cadre, "A"))
    await harness.emit(producer, cadre_event(cadre, "B", rank_v1.CadreUpdated))
    await harness.emit(producer, cadre_event(new_id(), "other"))
    real = producer.nats.jetstream
    failures = {"left": 1}

    class Flaky:
        def __init__(self, js):
            self.js = js

        async def publish(self, subject, payload, **kw):
            if b'"name":"A"' in payload and failures["left"]:
                failures["left"] -= 1
                raise TimeoutError("simulated")
            return await self.js.publish(subject, payload, **kw)

    producer.relay._js_provider = lambda: Flaky(real())
    # The claim holds A and the other aggregate's row, not B (head of line); they go out together: A fails.
    published, failed = await producer.relay.publish_batch()
    assert failed and published == 1
    published, failed = await producer.relay.publish_batch()
    assert not failed and published == 0  # B may not overtake A while A backs off
    table = producer.tables.outbox
    engine = create_async_engine(harness.producer_db)
    async with engine.begin() as conn:  # end A's back-off now
        await conn.execute(table.update().where(table.c.published_at.is_(None)).values(available_at=table.c.created_at))
    await engine.dispose()
    await producer.relay.drain()

    async def in_order():
        names = [r[2] for r in await harness.applied_rows() if r[1] == cadre]
        assert names == ["A", "B"]

    await eventually(in_order)


async def test_a_claims_rows_are_published_together_and_each_marked_after_its_own_ack(harness):
    producer = await harness.producer(relay=False)
    for n in range(5):
        await harness.emit(producer, cadre_event(new_id(), f"c{n}"))
    real = producer.nats.jetstream
    in_flight = {"now": 0, "most": 0}

    class Counting:
        def __init__(self, js):
            self.js = js

        async def publish(self, subject, payload, **kw):
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
            try:
                if b'"name":"c2"' in payload:
                    await asyncio.sleep(0.05)  # refused after a while, as a timeout is
                    raise TimeoutError("simulated")
                return await self.js.publish(subject, payload, **kw)
            finally:
                in_flight["now"] -= 1

    producer.relay._js_provider = lambda: Counting(real())
    published, failed = await producer.relay.publish_batch()
    assert (published, failed, in_flight["most"]) == (4, True, 5)
    table = producer.tables.outbox
    engine = create_async_engine(harness.producer_db)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(table.c.payload, table.c.published_at, table.c.last_error))).all()
    await engine.dispose()
    pending = [(r.payload, r.last_error) for r in rows if r.published_at is None]
    assert len(rows) == 5 and len(pending) == 1
    assert '"name":"c2"' in pending[0][0] and "simulated" in pending[0][1]


async def test_an_idle_consumer_keeps_its_binding(harness):
    consumer = await harness.consumer()
    runner = consumer.runners[0]

    async def idled_a_few_times():
        assert runner.idle_fetches >= 3

    await eventually(idled_a_few_times, timeout=20)
    assert runner.rebinds == 0 and runner.bound


async def test_in_a_batch_a_failing_handler_writes_none_of_its_events_and_the_others_keep_theirs(harness):
    from kernel.contracts import appraisal_v1

    async def emit_then_maybe_fail(payload, event, uow):
        uow.emit(
            appraisal_v1.AdmonishmentIssued(
                talk_id=f"t-{payload.cadre_id}",
                cadre_id=payload.cadre_id,
                issued_on=payload.entry_date,
                reason=payload.name,
            )
        )
        await record(payload, event, uow)  # raises for "poison"

    consumer = await harness.consumer(handler=emit_then_maybe_fail, consumer_max_deliver=2)
    producer = await harness.producer(relay=False)
    good = [new_id() for _ in range(5)]
    await harness.emit(
        producer,
        *(cadre_event(c, "healthy") for c in good[:2]),
        cadre_event(new_id(), "poison"),
        *(cadre_event(c, "healthy") for c in good[2:]),
    )
    producer.relay.start()

    async def settled():
        async with consumer.db.reader.connect() as conn:
            errors = (await conn.execute(select(consumer.tables.dead_letter.c.error))).scalars().all()
        assert consumer.runners[0].stats.applied == 5 and consumer.runners[0].stats.dead_lettered == 1, errors

    await eventually(settled, timeout=20)
    t = consumer.tables.outbox
    async with consumer.db.reader.connect() as conn:
        written = (await conn.execute(select(t.c.payload))).scalars().all()
    sources = {}
    async with producer.db.reader.connect() as conn:
        for payload in (await conn.execute(select(producer.tables.outbox.c.payload))).scalars():
            event = decode(payload.encode())
            sources[event.data["cadreId"]] = event.id
    caused = {decode(p.encode()).data["cadreId"]: decode(p.encode()).causationid for p in written}
    assert sorted(caused) == sorted(good), "the failed handler's event leaked into the outbox"
    assert all(caused[c] == sources[c] for c in good), "causation must name the event that caused it"


async def test_stopping_leaves_an_idle_long_poll_at_once_and_loses_nothing(harness):
    """A consumer waiting on its fetch holds no message: stop() does not wait the long poll out (60 s here), and
    an event committed after the stop is applied by the next process, once."""
    import asyncio

    producer = await harness.producer()
    consumer = await harness.consumer(consumer_fetch_timeout=60.0)
    runner = consumer.runners[0]

    async def polling():
        assert runner._fetching

    await eventually(polling, timeout=20)
    await asyncio.wait_for(consumer.stop(), timeout=20)  # without the cancel: 60 s, a TimeoutError here
    harness.runtimes.remove(consumer)
    cadre_id = new_id()
    await harness.emit(producer, cadre_event(cadre_id))
    await harness.consumer()

    async def applied_once():
        rows = await harness.applied_rows()
        assert [r[1] for r in rows] == [cadre_id]

    await eventually(applied_once, timeout=20)


def _applied(runner, count: int) -> None:
    assert runner.stats.applied == count


async def test_under_load_a_consumer_lingers_and_applies_what_arrived_meanwhile_in_one_batch(harness):
    """consumer_linger_s: after a batch, the next fetch begins no sooner than the linger after the last one began,
    so events committed one by one meanwhile are applied in one transaction (one commit, one claim statement)."""
    consumer = await harness.consumer(consumer_linger_s=1.0)
    runner = consumer.runners[0]
    sizes: list[int] = []
    apply = runner.process_batch

    async def counted(msgs):
        sizes.append(len(msgs))
        await apply(msgs)

    runner.process_batch = counted
    producer = await harness.producer()

    await harness.emit(producer, cadre_event(new_id()))
    await eventually(lambda: _applied(runner, 1), timeout=20)
    await harness.emit(producer, cadre_event(new_id()))
    await eventually(lambda: _applied(runner, 2), timeout=20)
    # The fetch that brought the second event began moments ago: the runner now lingers.
    for _ in range(4):
        await harness.emit(producer, cadre_event(new_id()))
        await asyncio.sleep(0.02)  # each in its own commit, well within the linger
    await eventually(lambda: _applied(runner, 6), timeout=20)
    assert sizes == [1, 1, 4]
    assert await harness.applied_count() == (6, 6)


async def test_a_batch_writes_the_directory_rows_of_its_events_in_one_statement(harness):
    """Handler.row: the directory's snapshot events of one batch go in one upsert per table; for a cadre updated
    twice within the batch, the later snapshot's row is the one that stays."""
    from sqlalchemy import event

    from kernel.directory import directory_handlers
    from services.appraisal.adapters import orm as appraisal_orm

    directory = appraisal_orm.directory
    consumer = await harness.consumer(handlers=directory_handlers(directory), consumer_linger_s=1.0)
    runner = consumer.runners[0]
    upserts: list[int] = []

    def count(_conn, _cursor, statement, parameters, _context, executemany):
        if statement.startswith("INSERT INTO dir_cadre"):
            upserts.append(len(parameters) if executemany else 1)

    event.listen(consumer.db.writer.sync_engine, "before_cursor_execute", count)
    producer = await harness.producer()

    first, second = new_id(), new_id()
    await harness.emit(producer, cadre_event(first, "Quiet"))
    await eventually(lambda: _applied(runner, 1), timeout=20)
    await harness.emit(producer, cadre_event(second, "Lingers"))
    await eventually(lambda: _applied(runner, 2), timeout=20)
    others = [new_id() for _ in range(2)]
    for cadre_id, name in [(others[0], "A"), (first, "Renamed"), (others[1], "B"), (first, "Renamed again")]:
        await harness.emit(producer, cadre_event(cadre_id, name, rank_v1.CadreUpdated))
        await asyncio.sleep(0.02)
    await eventually(lambda: _applied(runner, 6), timeout=20)
    assert upserts == [1, 1, 3], "the batch of four events, two of one cadre, is one statement of three rows"
    async with consumer.db.reader.connect() as conn:
        names = dict((await conn.execute(select(directory.cadre.c.cadre_id, directory.cadre.c.name))).all())
    assert names == {first: "Renamed again", second: "Lingers", others[0]: "A", others[1]: "B"}
