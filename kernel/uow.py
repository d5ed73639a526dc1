"""Unit of Work base: one transaction; commit() turns collected domain events into outbox rows in that transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import orjson
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel import audit
from kernel.auth import Principal
from kernel.consistency import Emitted, encode_token, record_commit
from kernel.contracts.base import Contract
from kernel.db import Database, utcnow
from kernel.inbox import HTTP_CONSUMER
from kernel.outbox import OutboxWriter


class HasEvents(Protocol):
    events: list[Any]


@dataclass(frozen=True)
class KernelTables:
    """The kernel's tables inside one service's MetaData."""

    outbox: Table
    inbox: Table
    dead_letter: Table
    watermark: Table
    audit: Table | None = None

    @cached_property
    def inbox_insert(self) -> Any:
        """A prebuilt INSERT into the inbox (the HTTP idempotency record)."""
        return insert(self.inbox)


@dataclass
class IdempotencyClaim:
    """An HTTP Idempotency-Key to record, with the request fingerprint, in the same transaction as the change."""

    key: str
    fingerprint: str


def to_jsonable(value: Any) -> Any:
    """Converts a handler result into JSON types (dataclasses, pydantic models, dates, enums)."""
    return orjson.loads(orjson.dumps(value, default=_default, option=orjson.OPT_PASSTHROUGH_DATACLASS))


def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__ if k != "events"}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


class UnitOfWork:
    """Owns one write transaction. Work is rolled back unless commit() is called (cosmicpython).

    Subclasses build their repositories over `self.conn` in `_open()`. Message handlers do not commit:
    the consumer runner commits, so that the inbox claim and the handler's changes share the transaction.
    """

    def __init__(
        self,
        *,
        db: Database,
        tables: KernelTables,
        outbox: OutboxWriter,
        to_contracts: Callable[[Any], Iterable[Contract]],
        notify: Callable[[], None] = lambda: None,
        context: Any = None,
    ) -> None:
        self.db = db
        self.context = context  # the service's ServiceContext (kernel.service_context), given by the runtime
        self.tables = tables
        self.outbox = outbox
        self._to_contracts = to_contracts
        self._notify = notify
        self.conn: AsyncConnection
        self.seen: list[HasEvents] = []
        self.emitted: list[Contract] = []
        self.idempotency: IdempotencyClaim | None = None
        self.committed = False
        self._enqueued = False
        self.enqueued: list[tuple[str, str, str]] = []  # (key, event id, aggregate) flushed in this transaction

    async def __aenter__(self) -> UnitOfWork:
        lock = self.db.write_lock
        if lock is not None:
            await lock.acquire()
        try:
            self.conn = await self.db.writer.connect()
            try:
                await self.conn.begin()
            except BaseException:
                await self.conn.close()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        self.seen = []
        self.emitted = []
        self.committed = False
        self._enqueued = False
        self.enqueued = []
        await self._open()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            if self.conn.in_transaction():
                await self.conn.rollback()
        finally:
            try:
                await self.conn.close()
            finally:
                if self.db.write_lock is not None:
                    self.db.write_lock.release()

    async def _open(self) -> None:
        """Builds repositories over self.conn (overridden by services)."""

    def track(self, aggregate: HasEvents) -> None:
        """Remembers an aggregate so that its new domain events are published at commit."""
        if not any(a is aggregate for a in self.seen):
            self.seen.append(aggregate)

    def emit(self, *payloads: Contract) -> None:
        """Queues contract events directly (for projections and handlers without an aggregate)."""
        self.emitted.extend(payloads)

    def collect_new_events(self) -> Iterator[Any]:
        """Pops the domain events of every tracked aggregate, in order."""
        for aggregate in self.seen:
            while aggregate.events:
                yield aggregate.events.pop(0)

    async def flush_events(self) -> int:
        """Writes the pending domain and contract events to the outbox in the open transaction."""
        payloads = list(self.emitted)
        self.emitted.clear()
        for domain_event in self.collect_new_events():
            payloads.extend(self._to_contracts(domain_event))
        if payloads:
            await self.outbox.enqueue(self.conn, payloads, self.enqueued)
            self._enqueued = True
        return len(payloads)

    def discard_events(self) -> None:
        """Drops events not yet flushed (their changes were rolled back to a savepoint)."""
        self.emitted.clear()
        for aggregate in self.seen:
            aggregate.events.clear()

    async def commit(self, result: Any = None) -> Any:
        """Writes outbox rows (and the idempotency record) and commits; returns `result` unchanged."""
        await self.flush_events()
        if self.idempotency is not None:
            claim, self.idempotency = self.idempotency, None
            await self.conn.execute(
                self.tables.inbox_insert,
                {
                    "consumer": HTTP_CONSUMER,
                    "message_id": claim.key,
                    "processed_at": utcnow(),
                    "request_hash": claim.fingerprint,
                    "response": orjson.dumps(to_jsonable(result)).decode(),
                    # A retry whose first answer was lost needs the token as much as the first caller did.
                    "consistency_token": (
                        encode_token(self.outbox.producer, [Emitted(k, i, a) for k, i, a in self.enqueued])
                        if self.enqueued
                        else None
                    ),
                },
            )
        await self.conn.commit()
        self.committed = True
        if self._enqueued:
            self._enqueued = False
            self._notify()
            # After the commit only: the answer's consistency token names events that are surely stored.
            record_commit(self.outbox.producer, [Emitted(k, i, a) for k, i, a in self.enqueued])
            self.enqueued = []
        return result

    async def rollback(self) -> None:
        """Discards the work of the open transaction."""
        await self.conn.rollback()

    async def audit(
        self, principal: Principal | None, action: str, object_type: str, object_id: str, purpose: str = "ROUTINE"
    ) -> None:
        """Appends an audit row (ids and codes only) in this transaction: the write and its audit commit together
        (docs/reliability.md S9). Reads are audited by `ServiceRuntime.audit_reads` (group commit)."""
        await self.audit_many(principal, [(action, object_type, object_id, purpose)])

    async def audit_many(self, principal: Principal | None, entries: list[tuple[str, str, str, str]]) -> None:
        """Appends one audit row per (action, object type, object id, purpose), chained in order, in this
        transaction: the chain head is read once and the rows go in one statement (a batch of many facts)."""
        if self.tables.audit is None:
            raise RuntimeError("this service's KernelTables has no audit table")
        await audit.record_many(self.conn, self.tables.audit, principal=principal, entries=entries)
