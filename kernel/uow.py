"""Unit of Work base: one transaction; commit() turns collected domain events into outbox rows in that transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel import audit
from kernel.auth import Principal
from kernel.consistency import Emitted, encode_token, record_commit
from kernel.contracts.base import Contract
from kernel.db import Database, utcnow
from kernel.inbox import HTTP_CONSUMER
from kernel.outbox import OutboxWriter
from kernel.sql import insert_all


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
        self._queued: list[tuple[Table, list[dict[str, Any]]]] = []  # rows to insert with the events

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
        self._queued = []
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

    def insert_with_events(self, table: Table, row: dict[str, Any]) -> None:
        """Queues a row to insert with the transaction's events, at the next `flush_events` or `commit`: on
        PostgreSQL in the same statement as the outbox rows and the idempotency record (`kernel.sql.insert_all`).
        Only for a row that nothing reads before then (a registration's rows, just before its commit)."""
        self._queued.append((table, [row]))

    @property
    def rows_queued(self) -> bool:
        """Whether rows wait to be inserted with the events (a statement that may read them must flush first)."""
        return bool(self._queued)

    async def flush_events(self) -> int:
        """Writes the queued rows and the pending domain and contract events (to the outbox) in the open
        transaction."""
        payloads = self._pending()
        await self._insert_with_events(payloads)
        return len(payloads)

    async def _insert_with_events(
        self, payloads: list[Contract], idempotency: IdempotencyClaim | None = None, result: Any = None
    ) -> None:
        """Inserts the queued rows, the outbox rows of `payloads` and the idempotency record, if any, with its
        `result`: one statement on PostgreSQL (`kernel.sql.insert_all`)."""
        queued, self._queued = self._queued, []
        outbox_rows = self.outbox.rows(payloads, self.enqueued)
        parts = [*queued, (self.outbox.table, outbox_rows)]
        if idempotency is not None:
            record = {
                "consumer": HTTP_CONSUMER,
                "message_id": idempotency.key,
                "processed_at": utcnow(),
                "request_hash": idempotency.fingerprint,
                "response": orjson.dumps(to_jsonable(result)).decode(),
                # A retry whose first answer was lost needs the token as much as the first caller did: it names
                # every event of the transaction, those of these rows included (described as they were built).
                "consistency_token": (
                    encode_token(self.outbox.producer, [Emitted(k, i, a) for k, i, a in self.enqueued])
                    if self.enqueued
                    else None
                ),
            }
            parts.append((self.tables.inbox, [record]))
        await insert_all(self.conn, parts)
        if outbox_rows:
            self.outbox.counted(len(outbox_rows))
            self._enqueued = True

    def _pending(self) -> list[Contract]:
        """Takes the events not yet written: the contract events emitted, then those of the domain events."""
        payloads = list(self.emitted)
        self.emitted.clear()
        for domain_event in self.collect_new_events():
            payloads.extend(self._to_contracts(domain_event))
        return payloads

    def discard_events(self) -> None:
        """Drops events and queued rows not yet flushed (their changes were rolled back to a savepoint)."""
        self.emitted.clear()
        self._queued.clear()
        for aggregate in self.seen:
            aggregate.events.clear()

    async def commit(self, result: Any = None) -> Any:
        """Writes the queued rows, the outbox rows and the idempotency record (in one statement on PostgreSQL),
        then commits; returns `result` unchanged."""
        claim, self.idempotency = self.idempotency, None
        await self._insert_with_events(self._pending(), claim, result)
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
