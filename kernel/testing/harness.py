"""One harness for a service under test: the app with its lifespan, a client, the test keys and the test's NATS.

Every service's integration fixture starts its app with `serve(...)` and hands the result to a subclass of
`ServiceHarness`, which adds only that service's scenario builders. What every service test does — speak as a role,
publish another producer's event as its relay would, wait for a consumer, read the outbox, the stream and the
database — is written here once (docs/DEVELOPING.md, "Tests").
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import nats
import orjson
from fastapi import FastAPI
from nats.js.errors import NotFoundError
from sqlalchemy import func, select

from kernel import deps
from kernel.contracts.base import Contract
from kernel.db import utcnow
from kernel.directory import directory_handlers
from kernel.envelope import CloudEvent, decode, encode
from kernel.nats_client import stream_config
from kernel.outbox import OutboxWriter, with_sequence
from kernel.subjects import stream_name
from kernel.testing.helpers import AuthKit, eventually, running


@dataclass
class Served:
    """What `serve` yields: the app, a client bound to it and the clock its `today` reads."""

    app: FastAPI
    client: httpx.AsyncClient
    clock: dict[str, dt.date]


@asynccontextmanager
async def serve(
    create_app: Callable[[Any], FastAPI], settings: Any, *, today: dt.date | None = None
) -> AsyncIterator[Served]:
    """Runs a service's app with its lifespan, `today` fixed (movable through the clock), until its runtime is ready."""
    app = create_app(settings)
    clock: dict[str, dt.date] = {}
    if today is not None:
        clock["today"] = today

        async def fixed_today() -> dt.date:
            return clock["today"]

        app.dependency_overrides[deps.today] = fixed_today
    async with running(app) as client:
        await app.state.runtime.wait_ready()
        yield Served(app=app, client=client, clock=clock)


async def apply_directory(runtime: Any, tables: Any, payloads: Iterable[Contract]) -> None:
    """Fills a consumer's directory through the handlers it runs on rank's events, in one transaction."""
    handlers = directory_handlers(tables)
    async with runtime.uow() as uow:
        for payload in payloads:
            await handlers[type(payload)].fn(payload, None, uow)
        await uow.commit()


async def _stream_exists(js: Any, namespace: str, producer: str) -> None:
    """Declares a producer's stream if no consumer has yet (its consumers declare it the same way)."""
    try:
        await js.stream_info(stream_name(namespace, producer))
    except NotFoundError:
        await js.add_stream(stream_config(namespace, producer))


@dataclass
class ServiceHarness:
    """A running service seen from a test: headers of any role, events in and out, its database."""

    app: FastAPI
    client: httpx.AsyncClient
    auth: AuthKit
    clock: dict[str, dt.date] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)
    _tokens: dict[tuple, dict[str, str]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, served: Served, auth: AuthKit, **extra: Any) -> Any:
        """Builds the harness of what `serve` yielded."""
        return cls(app=served.app, client=served.client, auth=auth, clock=served.clock, **extra)

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    @property
    def settings(self) -> Any:
        return self.app.state.settings

    @property
    def nats_url(self) -> str:
        return self.settings.nats_url

    @property
    def namespace(self) -> str:
        return self.settings.events_namespace

    def at(self, day: dt.date) -> None:
        """Moves the API's `today` to `day`."""
        self.clock["today"] = day

    # -- who is calling ----------------------------------------------------------------------------------
    def h(self, role: str, unit: str | None = "city", cadre_id: str | None = None, **extra: Any) -> dict[str, str]:
        """The Authorization header of a caller (`role` may join several with '+'), minted once per test."""
        claims = {k: v for k, v in extra.items() if k == "subject"}
        headers = {k: v for k, v in extra.items() if k != "subject"}
        key = (role, unit, cadre_id, tuple(sorted(claims.items())))
        if key not in self._tokens:  # minting parses the RSA key: tens of milliseconds
            self._tokens[key] = self.auth.headers(*role.split("+"), unit=unit, cadre_id=cadre_id, **claims)
        return {**self._tokens[key], **headers}

    def hk(self, role: str, unit: str | None = "city", cadre_id: str | None = None) -> dict[str, str]:
        """The caller's headers with a fresh Idempotency-Key."""
        return self.h(role, unit, cadre_id, **{"Idempotency-Key": uuid.uuid4().hex})

    # -- events in ---------------------------------------------------------------------------------------
    async def publish(
        self, *payloads: Contract, seq: int | None = None, copies: int = 1, msg_id: str | None = None
    ) -> CloudEvent:
        """Publishes other producers' contract events over NATS as their relays would (with outbox sequences).

        Returns the last event. `seq` overrides the producer's sequence (to deliver out of order); with `copies`,
        the same envelope is stored several times under different message ids (as after a dedup-window overrun).
        """
        if not payloads:
            raise ValueError("publish() needs at least one payload")
        nc = await nats.connect(self.nats_url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
        try:
            js = nc.jetstream()
            for payload in payloads:
                event = await self._publish_one(js, payload, seq=seq, copies=copies, msg_id=msg_id)
        finally:
            await nc.close()
        return event

    async def _publish_one(
        self, js: Any, payload: Contract, *, seq: int | None, copies: int, msg_id: str | None
    ) -> CloudEvent:
        producer = payload.event_name.producer
        self.seq[producer] = seq if seq is not None else self.seq.get(producer, 0) + 1
        writer = OutboxWriter(table=None, producer=producer, type_prefix=self.settings.type_prefix)  # type: ignore
        event = writer.envelope(payload, now=utcnow())
        body = with_sequence(encode(event).decode(), self.seq[producer])
        await _stream_exists(js, self.namespace, producer)
        for copy in range(copies):
            ids = msg_id or (event.id if copies == 1 else f"{event.id}-{copy}")
            await js.publish(f"{self.namespace}.{payload.event_name.key}", body, headers={"Nats-Msg-Id": ids})
        return event

    async def republish(self, event: CloudEvent, *, seq: int) -> None:
        """Publishes the same event again (same CE id) under another NATS message id: a duplicate delivery."""
        nc = await nats.connect(self.nats_url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
        try:
            await nc.jetstream().publish(
                f"{self.namespace}.{event.type.split('.', 1)[1]}",
                with_sequence(encode(event).decode(), seq),
                headers={"Nats-Msg-Id": uuid.uuid4().hex},
            )
        finally:
            await nc.close()

    async def applied(self, count: int, producer: str) -> None:
        """Waits until the consumer of a producer has handled `count` events (applied, stale, duplicate or dead)."""
        runner = next(r for r in self.runtime.runners if r.subscription.producer == producer)

        def check() -> None:
            s = runner.stats
            assert s.applied + s.stale + s.duplicates + s.dead_lettered >= count, s

        await eventually(check, timeout=20)

    # -- events out --------------------------------------------------------------------------------------
    async def outbox(self, event: str) -> list[dict]:
        """The data of this service's outbox rows of one event type (`"cadre_registered"`), oldest first."""
        table = self.runtime.tables.outbox
        subject = f"{self.settings.service_name}.{event}.v1"
        async with self.runtime.db.reader.connect() as conn:
            rows = (
                (await conn.execute(select(table.c.payload).where(table.c.subject == subject).order_by(table.c.seq)))
                .scalars()
                .all()
            )
        return [orjson.loads(r)["data"] for r in rows]

    async def drain(self) -> None:
        """Publishes everything in the outbox now."""
        await self.runtime.relay.drain()

    async def stream(self, producer: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """(event key, data) of every event in a producer's stream (this service's by default), in stream order."""
        name = stream_name(self.namespace, producer or self.settings.service_name)
        nc = await nats.connect(self.nats_url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
        try:
            js = nc.jetstream()
            try:
                info = await js.stream_info(name)
            except NotFoundError:
                return []
            events = []
            for number in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
                try:
                    msg = await js.get_msg(name, number)
                except NotFoundError:
                    continue
                event = decode(msg.data)
                events.append((event.type.split(".", 1)[1], event.data))
            return events
        finally:
            await nc.close()

    async def published(self, event: str) -> list[dict[str, Any]]:
        """The data of this service's events of one kind in its stream (`"case_opened"`), oldest first."""
        key = f"{self.settings.service_name}.{event}.v1"
        return [data for k, data in await self.stream() if k == key]

    # -- the database ------------------------------------------------------------------------------------
    async def rows(self, query: Any) -> list[Any]:
        async with self.runtime.db.reader.connect() as conn:
            return list((await conn.execute(query)).all())

    async def scalar(self, query: Any) -> Any:
        async with self.runtime.db.reader.connect() as conn:
            return (await conn.execute(query)).scalar()

    async def records(self, table: Any, *where: Any) -> list[Any]:
        """The rows of a table matching `where`, as mappings."""
        async with self.runtime.db.reader.connect() as conn:
            return list((await conn.execute(select(table).where(*where))).mappings().all())

    async def count(self, table: Any, *where: Any) -> int:
        return int(await self.scalar(select(func.count()).select_from(table).where(*where)))
