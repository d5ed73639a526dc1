"""Consistency tokens (kernel.consistency): encoding, bounds, parsing, and the bounded wait on a real SQLite inbox."""

from __future__ import annotations

import asyncio
import base64
import uuid
from types import SimpleNamespace

import orjson
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from httpx import ASGITransport, AsyncClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert

from kernel.consistency import (
    HEADER,
    MAX_EVENTS,
    ConsistencyGate,
    ConsistencyMiddleware,
    Emitted,
    TokenError,
    decode_token,
    encode_token,
    parse_header,
    record_commit,
)
from kernel.db import make_database, new_metadata, utcnow
from kernel.inbox import inbox_table
from kernel.outbox import outbox_table
from kernel.web import install_error_handlers

KEY = "rank.cadre-registered.v1"


def _event(key: str = KEY, aggregate: str = "cadre/c-1") -> Emitted:
    return Emitted(key, str(uuid.uuid4()), aggregate)


# -- encoding -------------------------------------------------------------------------------------------------------


def test_a_token_round_trips_producer_types_and_ids():
    events = [_event(), _event("rank.org-unit-changed.v1", "org-unit/u-1")]
    token = decode_token(encode_token("rank", events))
    assert token.producer == "rank" and not token.truncated
    assert sorted(token.events) == sorted((e.key, e.event_id) for e in events)
    assert token.ids_of([KEY]) == [events[0].event_id]


def test_a_token_is_base64url_json_without_padding():
    text = encode_token("rank", [_event()])
    assert "=" not in text and "+" not in text and "/" not in text
    body = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    assert body["v"] == 1 and body["p"] == "rank" and list(body["e"]) == [KEY]


def test_many_events_keep_the_last_of_each_aggregate_and_stay_bounded():
    first = [_event(aggregate=f"cadre/c-{i}") for i in range(10)]
    later = [_event(aggregate=f"cadre/c-{i}") for i in range(10)]
    token = decode_token(encode_token("rank", first + later))
    assert token.truncated and len(token.events) == 10
    assert {i for _, i in token.events} == {e.event_id for e in later}
    many = [_event(aggregate=f"cadre/c-{i}") for i in range(100)]
    text = encode_token("rank", many)
    token = decode_token(text)
    assert token.truncated and len(token.events) == MAX_EVENTS
    assert {i for _, i in token.events} == {e.event_id for e in many[-MAX_EVENTS:]}
    assert len(text) < 1200


@given(st.lists(st.tuples(st.sampled_from([KEY, "rank.cadre-updated.v1"]), st.integers(0, 30)), max_size=60))
def test_any_write_gives_a_readable_token_of_at_most_the_bound(spec):
    events = [_event(key, f"cadre/c-{n}") for key, n in spec]
    token = decode_token(encode_token("rank", events))
    assert len(token.events) <= MAX_EVENTS
    assert token.truncated == (len(events) > MAX_EVENTS)
    assert {i for _, i in token.events} <= {e.event_id for e in events}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a token!",
        "e30",
        base64.urlsafe_b64encode(b"[1]").decode(),
        base64.urlsafe_b64encode(b'{"v":2,"p":"rank","e":{}}').decode(),
        base64.urlsafe_b64encode(b'{"v":1,"p":"Rank!","e":{}}').decode(),
        base64.urlsafe_b64encode(b'{"v":1,"p":"rank","e":{"k":[1]}}').decode(),
        base64.urlsafe_b64encode(b'{"v":1,"p":"rank","e":{"k":["a b"]}}').decode(),
        base64.urlsafe_b64encode(orjson.dumps({"v": 1, "p": "rank", "e": {"k": [str(i) for i in range(40)]}})).decode(),
        "A" * 5000,
    ],
)
def test_anything_else_is_refused(text):
    with pytest.raises(TokenError):
        parse_header(text)


def test_several_tokens_in_one_header():
    a, b = encode_token("rank", [_event()]), encode_token("appraisal", [_event("appraisal.x.v1")])
    assert [t.producer for t in parse_header(f"{a}, {b}")] == ["rank", "appraisal"]
    with pytest.raises(TokenError):
        parse_header(",".join([a] * 5))


# -- the wait, on a real SQLite inbox -----------------------------------------------------------------------------


class _Runtime:
    """What the gate reads of a service runtime: settings, runners, tables, database (no broker)."""

    def __init__(self, db, inbox, outbox, runners, **settings) -> None:
        self.db = db
        self.tables = SimpleNamespace(inbox=inbox, outbox=outbox)
        self.runners = runners
        self.nats = None
        self.relay = None
        self.settings = SimpleNamespace(
            **{
                "consistency_wait_s": 2.0,
                "consistency_poll_s": 0.5,
                "consistency_retry_after_s": 1,
                "consistency_lag_check_timeout_s": 0.2,
                "consistency_publish_wait_s": 0.5,
                **settings,
            }
        )
        self.consistency = ConsistencyGate(self)


def _runner(producer: str, keys: list[str]) -> SimpleNamespace:
    return SimpleNamespace(
        subscription=SimpleNamespace(producer=producer),
        table={k: None for k in keys},
        durable=f"appraisal__{producer}",
        busy=False,
    )


@pytest.fixture
async def world(tmp_path):
    metadata = new_metadata()
    inbox, outbox = inbox_table(metadata), outbox_table(metadata)
    db = make_database(f"sqlite+aiosqlite:///{tmp_path}/w.db")
    async with db.writer.begin() as conn:
        await conn.run_sync(metadata.create_all)
    runtime = _Runtime(db, inbox, outbox, [_runner("rank", [KEY])])

    async def apply(event_id: str, durable: str = "appraisal__rank") -> None:
        async with db.writer.begin() as conn:
            await conn.execute(insert(inbox).values(consumer=durable, message_id=event_id, processed_at=utcnow()))
        runtime.consistency.committed(runtime.runners[0])

    yield SimpleNamespace(runtime=runtime, gate=runtime.consistency, apply=apply, db=db)
    await db.dispose()


async def test_nothing_to_wait_for_when_no_consumer_takes_the_types(world):
    other = decode_token(encode_token("rank", [_event("rank.contract-signed.v1")]))
    foreign = decode_token(encode_token("petitions", [_event("petitions.report-accepted.v1")]))
    assert await world.gate.wait_for([other, foreign], timeout=0) is True
    assert world.gate.waits == 0


async def test_the_wait_ends_when_the_consumer_commits_not_at_the_poll(world):
    events = [_event(), _event("rank.contract-signed.v1")]  # the second type is not consumed: not waited for
    token = decode_token(encode_token("rank", events))
    loop = asyncio.get_running_loop()
    started = loop.time()
    waiter = asyncio.create_task(world.gate.wait_for([token]))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    await world.apply(events[0].event_id)
    assert await waiter is True
    # Woken by the commit: well before the 0.5 s poll interval would have re-checked.
    assert loop.time() - started < 0.4
    assert world.gate.timeouts == 0


async def test_the_wait_is_bounded_and_holds_no_connection(world):
    token = decode_token(encode_token("rank", [_event()]))
    waiter = asyncio.create_task(world.gate.wait_for([token], timeout=0.3))
    await asyncio.sleep(0.1)
    # While it sleeps, the single SQLite writer is free and no reader is checked out.
    async with world.db.writer.begin():
        pass
    assert world.db.reader.pool.checkedout() == 0
    assert await waiter is False
    assert world.gate.timeouts == 1


async def test_events_applied_by_another_replica_are_seen_at_the_poll(world):
    world.runtime.settings.consistency_poll_s = 0.05
    event = _event()
    token = decode_token(encode_token("rank", [event]))
    waiter = asyncio.create_task(world.gate.wait_for([token]))
    await asyncio.sleep(0.05)
    async with world.db.writer.begin() as conn:  # no committed() call: another process applied it
        await conn.execute(
            insert(world.runtime.tables.inbox).values(
                consumer="appraisal__rank", message_id=event.event_id, processed_at=utcnow()
            )
        )
    assert await waiter is True


# -- the middleware -------------------------------------------------------------------------------------------------


def _app(runtime) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(ConsistencyMiddleware, runtime=runtime)

    @app.post("/write")
    async def write() -> JSONResponse:
        record_commit("appraisal", [_event("appraisal.grade-finalized.v1", "assessment/a-1")])
        return JSONResponse({"ok": True}, status_code=201)

    @app.get("/read")
    async def read() -> dict:
        return {"ok": True}

    return app


async def test_a_write_answer_carries_the_token_of_its_commits(world):
    async with AsyncClient(transport=ASGITransport(app=_app(world.runtime)), base_url="http://t") as client:
        written = await client.post("/write")
        read = await client.get("/read")
    assert decode_token(written.headers[HEADER]).producer == "appraisal"
    assert HEADER not in read.headers


async def test_a_request_with_the_token_waits_then_proceeds_or_answers_503(world):
    world.runtime.settings.consistency_wait_s = 0.2
    event = _event()
    token = encode_token("rank", [event])
    async with AsyncClient(transport=ASGITransport(app=_app(world.runtime)), base_url="http://t") as client:
        late = await client.get("/read", headers={HEADER: token})
        assert late.status_code == 503 and late.headers["retry-after"] == "1"
        assert late.json()["rule"] == "consistency.propagating"
        await world.apply(event.event_id)
        assert (await client.get("/read", headers={HEADER: token})).status_code == 200
        bad = await client.get("/read", headers={HEADER: "x y"})
        assert bad.status_code == 400 and bad.json()["field"] == HEADER and "x y" not in bad.text


async def test_a_writer_that_prefers_eventual_consistency_is_answered_at_commit(world):
    """`Prefer: consistency=eventual` (a bulk import): the token still comes, the publish wait is skipped."""
    # A relay and a connected broker: without the preference, the answer waits.
    world.runtime.relay = SimpleNamespace(recent={}, leases=False, claims_started=0, claims_finished=0)
    world.runtime._js_if_ready = lambda: object()
    world.runtime.settings.consistency_publish_wait_s = 0.05
    async with AsyncClient(transport=ASGITransport(app=_app(world.runtime)), base_url="http://t") as client:
        waited = await client.post("/write")
        assert world.gate.publish_waits == 1 and "preference-applied" not in waited.headers
        eventual = await client.post("/write", headers={"Prefer": "respond-async, consistency=eventual"})
    assert world.gate.publish_waits == 1  # not waited
    assert eventual.headers["preference-applied"] == "consistency=eventual"
    assert decode_token(eventual.headers[HEADER]).producer == "appraisal"


async def _pending_row(world, event_id: str, *, published: bool = False) -> None:
    now = utcnow()
    async with world.db.writer.begin() as conn:
        await conn.execute(
            insert(world.runtime.tables.outbox).values(
                event_id=event_id,
                subject="s",
                aggregate="a",
                type="t",
                payload="{}",
                created_at=now,
                available_at=now,
                published_at=now if published else None,
            )
        )


async def test_events_this_process_published_are_known_without_asking_the_database(world):
    """SQLite: only this process's relay publishes, so what it remembers settles the wait; the database (where
    the row still reads unpublished here) is not asked."""
    world.runtime.relay = SimpleNamespace(recent={}, leases=False, claims_started=0, claims_finished=0)
    world.runtime._js_if_ready = lambda: object()
    await _pending_row(world, "e-1")

    async def publish_later() -> None:
        await asyncio.sleep(0.05)
        world.runtime.relay.recent["e-1"] = None
        world.gate.published.notify()

    task = asyncio.create_task(publish_later())
    assert await world.gate.wait_published([Emitted("e-1", "e-1", "a")]) is True
    await task
    assert world.gate.publish_timeouts == 0


async def test_events_another_replica_published_are_found_in_the_database(world):
    """PostgreSQL: another replica's relay may publish the rows; after one round the database is asked."""
    world.runtime.relay = SimpleNamespace(recent={}, leases=True, claims_started=0, claims_finished=0)
    world.runtime._js_if_ready = lambda: object()
    world.runtime.settings.consistency_poll_s = 0.05
    await _pending_row(world, "e-2", published=True)
    assert await world.gate.wait_published([Emitted("e-2", "e-2", "a")]) is True
    # Without leases (SQLite) the database is never asked: the same row waits out the bound.
    world.runtime.relay = SimpleNamespace(recent={}, leases=False, claims_started=0, claims_finished=0)
    world.runtime.settings.consistency_publish_wait_s = 0.15
    assert await world.gate.wait_published([Emitted("e-2", "e-2", "a")]) is False


async def test_a_wait_asks_the_database_only_once_a_later_claim_of_this_relay_is_over(world):
    """PostgreSQL: while this process's relay publishes batches it had claimed before the write committed, the
    database is not asked; once a claim begun after the commit is over without the write's events (another replica
    took them), it is."""
    relay = world.runtime.relay = SimpleNamespace(recent={}, leases=True, claims_started=3, claims_finished=2)
    world.runtime._js_if_ready = lambda: object()
    world.runtime.settings.consistency_poll_s = 5.0  # no round ends by the clock here
    world.runtime.settings.consistency_publish_wait_s = 3.0
    await _pending_row(world, "e-3", published=True)  # published by another replica's relay
    asked_early: list[int] = []

    async def relay_rounds() -> None:
        await asyncio.sleep(0.05)
        relay.claims_finished = 3  # the claim begun before the commit is over
        world.gate.published.notify()
        await asyncio.sleep(0.1)
        asked_early.append(world.gate.publish_queries)
        relay.claims_started = relay.claims_finished = 4  # a claim begun after the commit, without e-3
        world.gate.published.notify()

    task = asyncio.create_task(relay_rounds())
    assert await world.gate.wait_published([Emitted("e-3", "e-3", "a")]) is True
    await task
    assert asked_early == [0] and world.gate.publish_queries == 1
