"""The live event feed over real NATS: filtered by type, scoped by role and org unit, resumable by Last-Event-ID."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import httpx
import nats
import orjson
import pytest

from gateway.main import create_app
from gateway.testing import serving
from kernel.contracts import appraisal_v1, petitions_v1, rank_v1
from kernel.db import utcnow
from kernel.envelope import encode
from kernel.nats_client import ensure_stream, stream_config
from kernel.outbox import OutboxWriter
from kernel.subjects import PRODUCERS
from kernel.testing.helpers import eventually

ORG = {"city": ["city"], "county-a": ["city", "county-a"], "county-b": ["city", "county-b"]}


class Broker:
    """Publishes contract payloads as the producers' relays would (structured CloudEvents, Nats-Msg-Id)."""

    def __init__(self, js: Any, namespace: str) -> None:
        self.js = js
        self.namespace = namespace

    async def publish(self, payload: Any) -> int:
        producer = payload.event_name.producer
        event = OutboxWriter(None, producer, "cadre").envelope(payload, now=utcnow())  # type: ignore[arg-type]
        ack = await self.js.publish(
            payload.event_name.subject(self.namespace),
            encode(event),
            headers={"Nats-Msg-Id": event.id},
            stream=f"{self.namespace}_{producer}".upper(),
        )
        return ack.seq


@pytest.fixture
async def broker(nats_url, events_ns) -> AsyncIterator[Broker]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    for producer in PRODUCERS:
        await ensure_stream(js, stream_config(events_ns, producer))
    try:
        yield Broker(js, events_ns)
    finally:
        await nc.close()


async def seed_tree(broker: Broker) -> None:
    for unit, path in ORG.items():
        await broker.publish(
            rank_v1.OrgUnitChanged(
                org_unit_id=unit,
                parent_id=path[-2] if len(path) > 1 else None,
                name=unit,
                agency_level="CITY_LEADERSHIP",
                path=path,
            )
        )
    base = rank_v1.EXAMPLES[1]
    for cadre, unit in (("c-a", "county-a"), ("c-b", "county-b")):
        await broker.publish(base.model_copy(update={"cadre_id": cadre, "org_unit_id": unit, "org_path": ORG[unit]}))


def grade(cadre: str, unit: str) -> Any:
    return appraisal_v1.EXAMPLES[0].model_copy(
        update={"cadre_id": cadre, "org_unit_id": unit, "assessment_id": f"aa-{cadre}"}
    )


async def seeded(broker: Broker, directory: Any) -> None:
    """Publishes the org tree and waits until the gateway's directory holds it."""
    await seed_tree(broker)

    def loaded() -> None:
        assert directory.unit_path("county-b") and "c-b" in directory.cadres

    await eventually(loaded, timeout=10)


@pytest.fixture
async def gateway(broker, gateway_settings, nats_url, events_ns) -> AsyncIterator[Any]:
    app = create_app(
        gateway_settings(
            feed_enabled=True,
            nats_url=nats_url,
            events_namespace=events_ns,
            feed_heartbeat_s=0.5,
            feed_max_per_subject=2,
        )
    )
    async with serving(app) as url:
        feed = app.state.gateway.feed

        def caught_up() -> None:
            assert feed.connected and feed.directory.caught_up

        await eventually(caught_up, timeout=15)
        yield SimpleNamespace(url=url, directory=feed.directory)


@pytest.fixture
def gateway_url(gateway) -> str:
    return gateway.url


@asynccontextmanager
async def feed(url: str, headers: dict[str, str], **params: str) -> AsyncIterator[tuple[httpx.Response, Any]]:
    """Opens the feed; yields the response and a reader of the next event (id, type, data)."""
    async with httpx.AsyncClient(base_url=url, timeout=20) as client:
        async with client.stream("GET", "/api/v1/events/feed", headers=headers, params=params) as response:
            lines = response.aiter_lines()
            if response.status_code == 200:
                # The feed's position is fixed once `: connected` arrives: publish only after it.
                async for line in lines:
                    if line == ": connected":
                        break

            async def next_event() -> dict[str, Any]:
                event: dict[str, Any] = {}
                async for line in lines:
                    if line == "" and "data" in event:
                        return event
                    if line.startswith(":") or line == "":
                        continue
                    name, _, value = line.partition(": ")
                    event[name] = value
                raise AssertionError("the feed ended")

            yield response, next_event


async def events(next_event: Any, count: int) -> list[dict[str, Any]]:
    return [await asyncio.wait_for(next_event(), 10) for _ in range(count)]


async def test_a_subscriber_receives_the_filtered_types_and_resumes_after_its_last_event(
    gateway_url, broker, test_auth
):
    headers = test_auth.headers("subscriber", subject="dept-hr")
    types = "appraisal.grade_finalized.v1"
    async with feed(gateway_url, headers, types=types) as (response, next_event):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        await broker.publish(rank_v1.EXAMPLES[3])  # a type the subscriber did not ask for
        for cadre in ("c-1", "c-2", "c-3"):
            await broker.publish(grade(cadre, "county-a"))
        received = await events(next_event, 2)
    assert [orjson.loads(e["data"])["data"]["cadreId"] for e in received] == ["c-1", "c-2"]
    assert received[0]["event"] == "cadre.appraisal.grade_finalized.v1"
    last_id = received[1]["id"]
    assert last_id.startswith("appraisal=")

    await broker.publish(grade("c-4", "county-a"))
    async with feed(gateway_url, {**headers, "Last-Event-ID": last_id}, types=types) as (_, next_event):
        resumed = await events(next_event, 2)
    assert [orjson.loads(e["data"])["data"]["cadreId"] for e in resumed] == ["c-3", "c-4"]


async def test_a_county_admin_sees_only_events_about_their_subtree(gateway, gateway_url, broker, test_auth):
    await seeded(broker, gateway.directory)
    county = test_auth.headers("org_admin", unit="county-a", subject="admin-a")
    city = test_auth.headers("auditor", unit="city", subject="auditor-city")
    types = "appraisal.grade_finalized.v1"
    async with (
        feed(gateway_url, county, types=types) as (_, county_next),
        feed(gateway_url, city, types=types) as (_, city_next),
    ):
        await broker.publish(grade("c-b", "county-b"))
        await broker.publish(grade("c-a", "county-a"))
        county_events = await events(county_next, 1)
        city_events = await events(city_next, 2)
    assert [orjson.loads(e["data"])["data"]["cadreId"] for e in county_events] == ["c-a"]
    assert [orjson.loads(e["data"])["data"]["cadreId"] for e in city_events] == ["c-b", "c-a"]


async def test_open_accusations_reach_discipline_inspection_only(gateway, gateway_url, broker, test_auth):
    await seeded(broker, gateway.directory)
    opened = petitions_v1.EXAMPLES[1].model_copy(update={"cadre_id": "c-a"})
    closed = petitions_v1.EXAMPLES[2].model_copy(
        update={"cadre_outcomes": [petitions_v1.CadreOutcome(cadre_id="c-a", outcome="UNFOUNDED")]}
    )
    officer = test_auth.headers("discipline_officer", unit="city", subject="officer")
    admin = test_auth.headers("org_admin", unit="city", subject="admin")
    async with feed(gateway_url, officer) as (_, officer_next), feed(gateway_url, admin) as (_, admin_next):
        await broker.publish(opened)
        await broker.publish(closed)
        officer_events = await events(officer_next, 2)
        admin_events = await events(admin_next, 1)
    assert [e["event"] for e in officer_events] == [
        "cadre.petitions.case_opened.v1",
        "cadre.petitions.report_closed.v1",
    ]
    assert [e["event"] for e in admin_events] == ["cadre.petitions.report_closed.v1"]


@pytest.mark.parametrize(
    ("role", "params", "headers", "status"),
    [
        ("petitions_staff", {}, {}, 403),
        ("assessor", {}, {}, 403),
        ("cadre", {}, {}, 403),
        ("org_admin", {"types": "petitions.case_opened.v1"}, {}, 403),
        ("subscriber", {"types": "rank.nothing.v1"}, {}, 422),
        ("subscriber", {}, {"Last-Event-ID": "rank=1,rank=2"}, 400),
        ("subscriber", {}, {"Last-Event-ID": "hr=5"}, 400),
        ("subscriber", {"access_token": "x"}, {}, 401),
    ],
)
async def test_bad_feed_requests_are_refused_with_problems(gateway_url, test_auth, role, params, headers, status):
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as client:
        response = await client.get(
            "/api/v1/events/feed",
            params=params,
            headers={**test_auth.headers(role, unit="city", cadre_id="c-1"), **headers},
        )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


async def test_connections_per_client_are_bounded(gateway_url, test_auth):
    headers = test_auth.headers("subscriber", subject="dept-greedy")
    async with feed(gateway_url, headers) as (first, _), feed(gateway_url, headers) as (second, _):
        async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as client:
            third = await client.get("/api/v1/events/feed", headers=headers)
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert third.headers["retry-after"]


async def test_the_stream_ends_when_the_token_expires(gateway_url, test_auth):
    token = test_auth.token("subscriber", subject="dept-short", ttl_s=2)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=20) as client:
        async with client.stream("GET", "/api/v1/events/feed", headers={"Authorization": f"Bearer {token}"}) as r:
            assert r.status_code == 200
            # The body ends by itself (well before the client's own timeout) once the token has expired.
            body = b"".join([chunk async for chunk in r.aiter_bytes()])
    assert body.startswith(b"retry: 3000")


async def test_a_resumed_feed_misses_nothing_from_streams_that_were_quiet(gateway_url, broker, test_auth):
    headers = test_auth.headers("subscriber", subject="dept-quiet")
    types = "appraisal.grade_finalized.v1,rank.rank_changed.v1"
    async with feed(gateway_url, headers, types=types) as (_, next_event):
        await broker.publish(grade("c-1", "county-a"))
        (first,) = await events(next_event, 1)
    # rank sent nothing on the first connection, yet its position at connect time is part of the id.
    assert "rank=" in first["id"] and "appraisal=" in first["id"]
    await broker.publish(rank_v1.EXAMPLES[3])  # published while the client is away
    async with feed(gateway_url, {**headers, "Last-Event-ID": first["id"]}, types=types) as (_, next_event):
        (missed,) = await events(next_event, 1)
    assert missed["event"] == "cadre.rank.rank_changed.v1"
