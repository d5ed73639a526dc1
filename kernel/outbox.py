"""Transactional outbox: rows written with the state change, published by a relay after commit
(docs/architecture.md §6.4).

Ordering: the relay claims only the oldest unpublished row of each aggregate (head of line), so a failed row A
is never overtaken by a later row B of the same aggregate, even with several relays on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    exists,
    func,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kernel import context, metrics
from kernel.contracts.base import Contract
from kernel.db import UtcDateTime, utcnow
from kernel.envelope import CloudEvent, encode, format_sequence, new_event_id
from kernel.sql import execute_prebuilt, fetch_prebuilt, in_bound
from kernel.subjects import ce_source
from kernel.waits import event_or_timeout

log = logging.getLogger("kernel.outbox")

SeqType = BigInteger().with_variant(Integer(), "sqlite")


def outbox_table(metadata: MetaData) -> Table:
    """Creates the outbox_message table in a service's own MetaData."""
    return Table(
        "outbox_message",
        metadata,
        Column("seq", SeqType, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        Column("aggregate", String(200), nullable=False),
        Column("type", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("available_at", UtcDateTime, nullable=False),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("published_at", UtcDateTime, nullable=True),
        Column("last_error", Text, nullable=True),
        # The relay's claim walks this in seq order and stops after one batch, however many rows are published
        # (kept 7 days) or pending (a bulk import leaves 100,000): the cost of a claim is one batch, not the table.
        Index(
            "ix_outbox_message_pending_seq",
            "seq",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
        Index(
            "ix_outbox_message_pending_aggregate",
            "aggregate",
            "seq",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
        Index("ix_outbox_message_published_at", "published_at"),
    )


@dataclass(frozen=True)
class OutboxWriter:
    """Builds a producer's envelopes and their outbox rows, which the caller inserts in its transaction."""

    table: Table
    producer: str
    type_prefix: str

    def envelope(self, payload: Contract, *, now: dt.datetime) -> CloudEvent:
        """Wraps a contract payload in a CloudEvent with the current correlation and causation."""
        name = payload.event_name
        event_id = new_event_id()
        return CloudEvent(
            id=event_id,
            source=ce_source(self.producer),
            type=name.ce_type(self.type_prefix),
            subject=payload.entity_subject(),
            time=now,
            dataschema=payload.dataschema(),
            correlationid=context.correlation_id.get() or event_id,
            causationid=context.causation_id.get(),
            traceparent=context.traceparent.get(),
            data=payload.to_data(),
        )

    def rows(
        self, payloads: Sequence[Contract], described: list[tuple[str, str, str]] | None = None
    ) -> list[dict[str, Any]]:
        """The outbox rows of these payloads, one envelope each, for the caller to insert in its transaction (a unit
        of work, with its other rows). With `described`, appends (event key, event id, aggregate) of each row to it
        (the consistency token)."""
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for payload in payloads:
            if payload.event_name.producer != self.producer:
                raise ValueError(f"{self.producer} cannot emit {payload.event_name.key}")
            event = self.envelope(payload, now=now)
            rows.append(
                {
                    "event_id": event.id,
                    "subject": payload.event_name.key,
                    "aggregate": event.subject or "",
                    "type": event.type,
                    "payload": encode(event).decode(),
                    "created_at": now,
                    "available_at": now,
                    "attempts": 0,
                }
            )
        if described is not None:
            described.extend((r["subject"], r["event_id"], r["aggregate"]) for r in rows)
        return rows

    def counted(self, inserted: int) -> None:
        """Counts rows inserted into the outbox (the metric)."""
        metrics.OUTBOX_ENQUEUED.labels(self.producer).inc(inserted)


def with_sequence(payload: str, seq: int) -> bytes:
    """Adds the CE `sequence` extension (the outbox seq, known only after insert) to a stored envelope."""
    if not payload.startswith("{"):
        raise ValueError("stored envelope is not a JSON object")
    return ('{"sequence":"' + format_sequence(seq) + '",' + payload[1:]).encode()


def backoff_seconds(attempts: int, cap: float = 300.0) -> float:
    """Returns the delay before the next publish attempt: 2**attempts seconds, capped."""
    return float(min(2 ** min(attempts, 16), cap))


@dataclass
class _Row:
    seq: int
    event_id: str
    subject: str
    payload: str
    attempts: int


def _seq(row: _Row) -> int:
    return row.seq


class OutboxRelay:
    """Publishes outbox rows to JetStream, each aggregate's in seq order, marking each published only after its PubAck."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        table: Table,
        producer: str,
        namespace: str,
        stream: str,
        js_provider: Any,
        read_engine: AsyncEngine | None = None,
        write_lock: asyncio.Lock | None = None,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        lease_s: float = 30.0,
        publish_timeout: float = 5.0,
        retention_days: int = 7,
        on_published: Callable[[], None] | None = None,
        slow_claim_s: float = 0.1,
        analyze_every_s: float = 60.0,
    ) -> None:
        self.engine = engine
        self.on_published = on_published  # told after rows were marked published (kernel.consistency)
        # On SQLite the relay is the database's only relay: it reads pending rows on a reader connection
        # and writes once per batch. On PostgreSQL several relays may run, so rows are claimed with a lease.
        self.read_engine = read_engine or engine
        self.write_lock = write_lock
        self.table = table
        self.producer = producer
        self.namespace = namespace
        self.stream = stream
        self._js_provider = js_provider  # callable returning the current JetStreamContext (or None when disconnected)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.lease = dt.timedelta(seconds=lease_s)
        self.publish_timeout = publish_timeout
        self.retention = dt.timedelta(days=retention_days)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.leases = engine.dialect.name == "postgresql"
        # The claim and the common mark are single statements: without BEGIN and COMMIT round trips.
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        # A claim takes about a millisecond. One slower than this on PostgreSQL means the planner works from
        # statistics taken when the table was small (a bulk import enqueues 100,000 rows at once, faster than
        # autovacuum notices, or autovacuum is off): it then reads every pending row and sorts them on disk per batch.
        self.slow_claim_s = slow_claim_s
        self.analyze_every_s = analyze_every_s
        self._analyzed_at: float | None = None
        self.analyzed_total = 0
        self._statements()
        self.published_total = 0
        self.last_error: str | None = None
        # Event ids this relay published lately, oldest first (bounded): a write waiting for its events to be
        # published (kernel.consistency) asks here before it asks the database.
        self.recent: dict[str, None] = {}
        self.recent_limit = 10_000
        # Claims begun, and the number of the last one whose publishing is over: a write waiting for its events asks
        # the database only after a claim begun since its commit is over without them (another replica has them).
        self.claims_started = 0
        self.claims_finished = 0

    def _statements(self) -> None:
        # Built once: constructing Core statements per batch cost more than executing them.
        t = self.table
        earlier = t.alias("earlier")
        head_of_line = ~exists(
            select(earlier.c.seq).where(
                and_(earlier.c.aggregate == t.c.aggregate, earlier.c.published_at.is_(None), earlier.c.seq < t.c.seq)
            )
        )
        claim = (
            select(t.c.seq, t.c.event_id, t.c.subject, t.c.payload, t.c.attempts)
            .where(t.c.published_at.is_(None), t.c.available_at <= bindparam("now"), head_of_line)
            .order_by(t.c.seq)
            .limit(self.batch_size)
        )
        self._claim_stmt = claim
        if self.leases:
            # Picked once (a CTE with FOR UPDATE is never folded into the UPDATE), leased, and returned with the
            # attempts counted before this one.
            picked = (
                claim.with_only_columns(t.c.seq)
                .with_for_update(skip_locked=True, of=t)
                .cte("picked")
                .prefix_with("MATERIALIZED")
            )
            self._claim_stmt = (
                update(t)
                .where(t.c.seq.in_(select(picked.c.seq)))
                .values(available_at=bindparam("until"), attempts=t.c.attempts + 1)
                .returning(t.c.seq, t.c.event_id, t.c.subject, t.c.payload, t.c.attempts - 1)
            )
        # One array parameter on PostgreSQL (one SQL text, prepared once by asyncpg), not an IN list rendered and
        # prepared again for every batch size (kernel.sql.in_bound).
        # `published_at IS NULL` lets the plan walk the small pending index (ix_outbox_message_pending_seq) whatever
        # the statistics say: prepared while the table was new, `seq = ANY(...)` alone kept a sequential scan of the
        # whole table (7 days of published rows) for the life of the connection. Only leased rows are marked, and a
        # row another relay published meanwhile keeps its first stamp.
        seqs = and_(t.c.published_at.is_(None), in_bound(t.c.seq, self.engine.dialect.name, "seqs"))
        self._published_stmt = update(t).where(seqs).values(published_at=bindparam("now"), last_error=None)
        self._failed_stmt = (
            update(t)
            .where(t.c.seq == bindparam("failed_seq"))
            .values(
                available_at=bindparam("retry_at"), last_error=bindparam("error"), attempts=bindparam("new_attempts")
            )
        )
        self._release_stmt = update(t).where(seqs).values(available_at=bindparam("now"), attempts=t.c.attempts - 1)

    def wake(self) -> None:
        """Asks the relay to look for new rows now (called after every commit that enqueued events)."""
        self._wake.set()

    def start(self) -> None:
        """Starts the background loop."""
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.producer}")

    async def stop(self) -> None:
        """Stops the loop after the batch in flight."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        last_housekeeping = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            await event_or_timeout(self._wake, self.poll_interval)  # a cancellation always reaches it (kernel.waits)
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                while not self._stopping.is_set():
                    published, failed = await self.publish_batch()
                    if failed or published < self.batch_size:
                        break
                if loop.time() - last_housekeeping > 300:
                    last_housekeeping = loop.time()
                    await self.housekeeping()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let the relay die; the next round retries
                self.last_error = repr(exc)
                log.warning("outbox relay round failed", extra={"producer": self.producer, "error": repr(exc)})
                await asyncio.sleep(min(self.poll_interval, 1.0))

    async def _claim(self) -> list[_Row]:
        now = utcnow()
        if not self.leases:
            async with self.read_engine.connect() as conn:
                return [_Row(*r) for r in (await conn.execute(self._claim_stmt, {"now": now})).all()]
        # One statement, committed on its own: the rows are picked (skipping those another relay holds) and leased
        # together, one round trip instead of five (BEGIN, SET, SELECT … FOR UPDATE, UPDATE, COMMIT).
        async with self._autocommit.connect() as conn:
            started = time.perf_counter()
            params = {"now": now, "until": now + self.lease}
            rows = sorted((_Row(*r) for r in await fetch_prebuilt(conn, self._claim_stmt, params)), key=_seq)
            slow = time.perf_counter() - started > self.slow_claim_s
        if slow:
            await self.refresh_statistics()
        return rows

    async def refresh_statistics(self) -> bool:
        """ANALYZEs the outbox table on PostgreSQL, at most once per `analyze_every_s`; returns whether it ran.

        Called after a slow claim, so that the next claim walks the pending-seq index again: measured on 100,000
        pending rows never analyzed, a claim took 370-580 ms (minutes under load); after ANALYZE, 0.6 ms.
        """
        clock = time.monotonic()
        if not self.leases or (self._analyzed_at is not None and clock - self._analyzed_at < self.analyze_every_s):
            return False
        self._analyzed_at = clock
        try:
            async with self.engine.begin() as conn:
                name = conn.dialect.identifier_preparer.format_table(self.table)
                await conn.execute(text(f"ANALYZE {name}"))
        except Exception as exc:  # statistics are an optimisation: never fail a round for them
            log.warning("outbox ANALYZE failed", extra={"producer": self.producer, "error": repr(exc)})
            return False
        self.analyzed_total += 1
        log.info("outbox statistics refreshed after a slow claim", extra={"producer": self.producer})
        return True

    async def publish_batch(self) -> tuple[int, bool]:
        """Claims and publishes one batch; returns (rows published, whether a publish failed)."""
        js = self._js_provider()
        if js is None:
            return 0, True
        self.claims_started += 1
        claim = self.claims_started
        rows = await self._claim()
        if not rows:
            self.claims_finished = claim
            return 0, False
        # All at once, each awaiting its own PubAck: a claim holds at most one row per aggregate (head of line),
        # so no two of them need an order between them, and the batch takes one round trip to the broker instead
        # of one per row (each of which waited for a turn of a busy event loop).
        results = await asyncio.gather(*(self._publish(js, row) for row in rows), return_exceptions=True)
        for result in results:
            if isinstance(result, asyncio.CancelledError):
                raise result
        done = [row.seq for row, result in zip(rows, results, strict=True) if result is None]
        refused = [(row, result) for row, result in zip(rows, results, strict=True) if result is not None]
        # A timeout is not proof of failure (the message may be stored): retried with the same Nats-Msg-Id.
        failed: _Row | None = refused[0][0] if refused else None
        error = f"{type(refused[0][1]).__name__}: {refused[0][1]}" if refused else ""
        self.claims_finished = claim  # before waiters are told (kernel.consistency)
        if done:
            # In the stream once acknowledged: a write waiting for its events (kernel.consistency) may answer now,
            # before the rows are marked below.
            published = set(done)
            self._remember([r.event_id for r in rows if r.seq in published])
            if self.on_published is not None:
                try:
                    self.on_published()
                except Exception as exc:  # a waiter's bookkeeping never fails a published batch
                    log.warning("on_published failed", extra={"producer": self.producer, "error": repr(exc)})
        now = utcnow()
        if failed is None and self.leases:  # the common case: one statement, committed on its own
            async with self._autocommit.connect() as conn:
                await execute_prebuilt(conn, self._published_stmt, [{"seqs": done, "now": now}])
        else:
            await self._mark(done, failed, refused, error, now)
        if done:
            self.published_total += len(done)
            metrics.OUTBOX_PUBLISHED.labels(self.producer).inc(len(done))
        if failed is not None:
            self.last_error = error
            metrics.OUTBOX_PUBLISH_ERRORS.labels(self.producer).inc()
            log.warning(
                "outbox publish failed", extra={"producer": self.producer, "event_id": failed.event_id, "error": error}
            )
        return len(done), failed is not None

    async def _mark(
        self, done: list[int], failed: _Row | None, refused: list[tuple[_Row, Any]], error: str, now: dt.datetime
    ) -> None:
        """Marks the published rows and, after a refusal, the refused ones, in one transaction."""
        async with self._writing() as conn:
            if done:
                await conn.execute(self._published_stmt, {"seqs": done, "now": now})
            if failed is not None:
                attempts = failed.attempts + 1  # with leases the claim already counted this attempt
                await conn.execute(
                    self._failed_stmt,
                    {
                        "failed_seq": failed.seq,
                        "error": error[:2000],
                        "new_attempts": attempts,
                        "retry_at": now + dt.timedelta(seconds=backoff_seconds(attempts)),
                    },
                )
                # Release the other refused rows of the claim; rows of their aggregates stay behind them.
                rest = [row.seq for row, _ in refused[1:]]
                if rest and self.leases:
                    await conn.execute(self._release_stmt, {"seqs": rest, "now": now})

    async def _publish(self, js: Any, row: _Row) -> None:
        """Publishes one row and waits for its PubAck (a `duplicate` ack counts: the message is in the stream)."""
        await js.publish(
            f"{self.namespace}.{row.subject}",
            with_sequence(row.payload, row.seq),
            timeout=self.publish_timeout,
            stream=self.stream,
            headers={"Nats-Msg-Id": row.event_id, "Content-Type": "application/cloudevents+json; charset=utf-8"},
        )

    def _remember(self, event_ids: list[str]) -> None:
        recent = self.recent
        recent.update(dict.fromkeys(event_ids))
        for _ in range(len(recent) - self.recent_limit):
            del recent[next(iter(recent))]

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        if self.write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self.write_lock:
            async with self.engine.begin() as conn:
                yield conn

    async def drain(self, timeout: float = 30.0) -> None:
        """Publishes until nothing is pending (used by tools and tests)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while await self.pending_count() > 0:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"outbox of {self.producer} not drained in {timeout}s")
            published, failed = await self.publish_batch()
            if failed or not published:
                await asyncio.sleep(0.05)

    async def pending_count(self) -> int:
        """Counts rows not yet published."""
        async with self.engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).where(self.table.c.published_at.is_(None)))).scalar_one()
            )

    async def lag_seconds(self) -> float:
        """Returns the age of the oldest unpublished row (0 when none)."""
        async with self.engine.connect() as conn:
            oldest = (
                await conn.execute(select(func.min(self.table.c.created_at)).where(self.table.c.published_at.is_(None)))
            ).scalar()
        if oldest is None:
            return 0.0
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        return max(0.0, (utcnow() - oldest).total_seconds())

    async def housekeeping(self) -> int:
        """Deletes rows published longer ago than the retention (kept meanwhile for replay after broker loss)."""
        cutoff = utcnow() - self.retention
        async with self._writing() as conn:
            result = await conn.execute(delete(self.table).where(self.table.c.published_at < cutoff))
        return result.rowcount or 0


async def mark_for_replay(engine: AsyncEngine, table: Table, since: dt.datetime) -> int:
    """Marks rows published since `since` as pending again (recovery after the broker lost its store, R4)."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(table)
            .where(table.c.published_at.is_not(None), table.c.published_at >= since)
            .values(published_at=None, available_at=utcnow(), attempts=0)
        )
    return result.rowcount or 0
