"""Durable pull consumers: inbox claim + handler + commit in one transaction, then ack (docs/architecture.md §6.5).

A fetched batch shares one transaction (one commit): first all together (one inbox statement for the batch, no
savepoints); only when a handler fails is the batch applied again from scratch with each message in its own
savepoint, so that the failing one is retried or dead-lettered alone.

Failure policy: a malformed or unknown event, or a PermanentEventError, is dead-lettered and terminated at once;
any other error is redelivered with an exponential delay and dead-lettered on the last allowed delivery.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nats.aio.msg import Msg
from pydantic import ValidationError
from sqlalchemy import Table, insert

from kernel import context, metrics
from kernel.contracts.base import Contract
from kernel.db import utcnow
from kernel.envelope import CloudEvent, EnvelopeError, decode
from kernel.errors import PermanentEventError
from kernel.inbox import advance_watermark, advance_watermarks, claim, claim_many
from kernel.nats_client import NatsConnection, consumer_config, ensure_consumer, ensure_stream, stream_config
from kernel.sql import upsert
from kernel.subjects import durable_name, key_from_subject, stream_name
from kernel.uow import UnitOfWork
from kernel.waits import event_or_timeout

log = logging.getLogger("kernel.consumer")

HandlerFn = Callable[[Any, CloudEvent, Any], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    """An event handler. With `guard`, an event older than one already applied for the same entity is skipped.

    Use the guard for events that carry the full state of their CE subject (snapshots, restriction states);
    leave it off for events that each add a fact and must all be applied.
    """

    fn: HandlerFn
    guard: bool = True
    # A handler whose whole work is one upsert may also give that row for a payload: (table, values, key columns).
    # A batch then writes the rows of such events with one statement per table and column set (for a key, the
    # batch's last event's row, which is what applying them one by one leaves), instead of one per event. `fn` must
    # do the same upsert: it is what a batch applied message by message runs.
    row: Callable[[Any], tuple[Table, Mapping[str, Any], tuple[str, ...]]] | None = None


@dataclass(frozen=True)
class Subscription:
    """The events a service consumes from one producer, each with its handler."""

    producer: str
    handlers: Mapping[type[Contract], Handler | HandlerFn]
    version: int | None = None

    def handler_table(self) -> dict[str, tuple[type[Contract], Handler]]:
        """Maps each event key to (contract model, handler)."""
        table: dict[str, tuple[type[Contract], Handler]] = {}
        for model, handler in self.handlers.items():
            if model.event_name.producer != self.producer:
                raise ValueError(f"{model.event_name.key} is not produced by {self.producer}")
            table[model.event_name.key] = (model, handler if isinstance(handler, Handler) else Handler(handler))
        return table


@dataclass
class _Item:
    """A decoded message of a batch and what became of it."""

    msg: Msg
    event: CloudEvent
    payload: Any
    handler: Handler
    num_delivered: int
    stream_seq: int | None
    outcome: str = ""  # applied | duplicate | stale | retry | permanent
    error: BaseException | None = None


class _Rows:
    """The upserts of a batch's row handlers (`Handler.row`), by table, key and column set, each key's last."""

    def __init__(self) -> None:
        self.groups: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], dict[tuple, Mapping[str, Any]]] = {}

    def add(self, table: Table, values: Mapping[str, Any], keys: tuple[str, ...]) -> None:
        group = self.groups.setdefault((table, tuple(keys), tuple(values)), {})
        key = tuple(values[k] for k in keys)
        group.pop(key, None)  # a later event's row replaces the earlier one's and takes its place in the order
        group[key] = values

    async def write(self, conn: Any) -> None:
        for (table, keys, _columns), group in self.groups.items():
            await upsert(conn, table, list(group.values()), keys)
        self.groups.clear()


@dataclass
class RunnerStats:
    applied: int = 0
    duplicates: int = 0
    stale: int = 0
    retried: int = 0
    dead_lettered: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


class ConsumerRunner:
    """Fetches from one durable and applies each message exactly once to the service's database."""

    def __init__(
        self,
        *,
        consumer: str,
        subscription: Subscription,
        nats_conn: NatsConnection,
        namespace: str,
        uow_factory: Callable[[], UnitOfWork],
        fetch_batch: int = 20,
        fetch_timeout: float = 2.0,
        linger: float = 0.0,
        ack_wait: float = 30.0,
        max_deliver: int = 10,
        max_ack_pending: int = 256,
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        stream_options: dict[str, Any] | None = None,
        on_commit: Callable[[ConsumerRunner], None] | None = None,
    ) -> None:
        self.consumer = consumer
        self.subscription = subscription
        self.nats = nats_conn
        self.namespace = namespace
        self.uow_factory = uow_factory
        self.durable = durable_name(consumer, subscription.producer, subscription.version)
        self.stream = stream_name(namespace, subscription.producer)
        self.table = subscription.handler_table()
        self.fetch_batch = fetch_batch
        self.fetch_timeout = fetch_timeout
        self.linger = linger
        self.ack_wait = ack_wait
        self.max_deliver = max_deliver
        self.max_ack_pending = max_ack_pending
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.stream_options = stream_options or {}
        self.on_commit = on_commit  # told after each committed batch (kernel.consistency wakes its waiters)
        self.bound = False
        self.idle_fetches = 0
        self.rebinds = 0
        self.stats = RunnerStats()
        self._sub: Any = None
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        self._fetching = False  # waiting on an idle long-poll: no message in hand
        self._inflight: list[tuple[Msg, float]] = []

    @property
    def busy(self) -> bool:
        """Tells whether a fetched batch is being applied (not committed yet)."""
        return bool(self._inflight)

    @property
    def filter_subjects(self) -> list[str]:
        return [f"{self.namespace}.{key}" for key in self.table]

    async def declare(self) -> None:
        """Declares the source stream and the durable (idempotent; also run after every reconnect)."""
        js = self.nats.js
        if js is None:
            raise RuntimeError("not connected to NATS")
        await ensure_stream(js, stream_config(self.namespace, self.subscription.producer, **self.stream_options))
        await ensure_consumer(
            js,
            self.stream,
            consumer_config(
                self.durable,
                self.filter_subjects,
                ack_wait=self.ack_wait,
                max_deliver=self.max_deliver,
                max_ack_pending=self.max_ack_pending,
            ),
        )

    async def bind(self) -> None:
        """Declares the topology and binds a pull subscription to the durable."""
        await self.declare()
        if self._sub is None:
            assert self.nats.js is not None
            self._sub = await self.nats.js.pull_subscribe_bind(durable=self.durable, stream=self.stream)
        self.bound = True

    def start(self) -> None:
        """Starts the fetch loop in the background."""
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name=f"consumer-{self.durable}")

    async def stop(self) -> None:
        """Stops fetching; a batch in progress finishes first (applied, committed and acked).

        A consumer waiting on its long-poll fetch holds no message, so the wait is cancelled rather than left to
        run out (`fetch_timeout`): a replica leaves at once on a rolling restart. Should the broker deliver a
        batch at that very moment, its messages are unacked and come again after `ack_wait` (the inbox makes the
        second delivery harmless)."""
        self._stopping.set()
        if self._task is not None:
            if self._fetching:
                self._task.cancel()
            try:
                await asyncio.wait_for(self._task, timeout=self.fetch_timeout + 10)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None
        if self._sub is not None:
            try:
                await self._sub.unsubscribe()
            except Exception:
                pass
            self._sub = None
        self.bound = False

    async def _run(self) -> None:
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            while not self._stopping.is_set():
                if not self.bound:
                    try:
                        await self.bind()
                        log.info("consumer bound", extra={"consumer": self.durable, "stream": self.stream})
                    except Exception as exc:
                        log.info("consumer not bound yet", extra={"consumer": self.durable, "error": repr(exc)})
                        await self._sleep(0.5)
                        continue
                fetch_started = time.monotonic()
                try:
                    self._fetching = True
                    try:
                        msgs = await self._sub.fetch(self.fetch_batch, timeout=self.fetch_timeout)
                    finally:
                        self._fetching = False
                except TimeoutError:
                    # An idle fetch is normal (nats.py #418); nats-py raises asyncio's TimeoutError on the
                    # batch path and its own subclass elsewhere. Neither is a reason to rebind.
                    self.idle_fetches += 1
                    continue
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    # Connection lost, consumer deleted by a broker reset, ...: re-declare before fetching again.
                    log.warning("fetch failed", extra={"consumer": self.durable, "error": repr(exc)})
                    self.rebinds += 1
                    self.bound = False
                    await self._sleep(0.5)
                    continue
                await self.process_batch(msgs)
                # Linger (settings.consumer_linger_s): the next fetch begins no sooner than `linger` after this one
                # began. A long poll that waited longer for its message goes on at once; a backlog (full fetches)
                # never waits.
                if self.linger and len(msgs) < self.fetch_batch:
                    rest = fetch_started + self.linger - time.monotonic()
                    if rest > 0:
                        await self._sleep(rest)
        finally:
            heartbeat.cancel()

    async def _sleep(self, seconds: float) -> None:
        await event_or_timeout(self._stopping, seconds)  # a cancellation always reaches the loop (kernel.waits)

    async def _heartbeat(self) -> None:
        # Long handlers keep their message: +WPI restarts the ack_wait clock (docs/architecture.md §6.5).
        interval = max(self.ack_wait / 2, 0.5)
        while True:
            await asyncio.sleep(interval)
            for msg, started in list(self._inflight):
                if time.monotonic() - started >= interval:
                    try:
                        await msg.in_progress()
                    except Exception:
                        pass

    def _delay(self, num_delivered: int) -> float:
        return min(self.backoff_base * (2 ** max(num_delivered - 1, 0)), self.backoff_max)

    async def process(self, msg: Msg) -> None:
        """Applies one message (a batch of one)."""
        await self.process_batch([msg])

    async def process_batch(self, msgs: list[Msg]) -> None:
        """Applies a fetched batch in one transaction, one savepoint per message, then acks each after commit.

        One commit (one fsync) per batch instead of per message; a message whose handler fails rolls back to
        its own savepoint and is redelivered or dead-lettered alone, without its events.
        """
        started = time.monotonic()
        items = [item for item in [await self._decode(msg) for msg in msgs] if item is not None]
        if not items:
            return
        self._inflight = [(item.msg, started) for item in items]
        try:
            try:
                await self._apply_together(items)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Nothing of that attempt is stored: apply the batch again, each message in its own savepoint.
                log.debug("batch applied message by message", extra={"consumer": self.durable, "error": repr(exc)})
                for item in items:
                    item.outcome, item.error = "", None
                async with self.uow_factory() as uow:
                    for item in items:
                        await self._apply(uow, item)
                    await uow.commit()
            if self.on_commit is not None:
                try:
                    self.on_commit(self)
                except Exception as exc:  # a waiter's bookkeeping never fails a committed batch
                    log.warning("on_commit failed", extra={"consumer": self.durable, "error": repr(exc)})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The commit itself failed: nothing of the batch is stored, so everything applied is retried.
            for item in items:
                if item.outcome in ("applied", "duplicate", "stale"):
                    item.outcome, item.error = "retry", exc
        finally:
            self._inflight = []
        for item in items:
            await self._settle(item)
        metrics.EVENT_HANDLE_SECONDS.labels(self.durable).observe((time.monotonic() - started) / len(items))

    async def _decode(self, msg: Msg) -> _Item | None:
        meta = msg.metadata
        num_delivered = meta.num_delivered or 1
        stream_seq = meta.sequence.stream if meta.sequence else None
        event: CloudEvent | None = None
        try:
            key = key_from_subject(msg.subject, self.namespace)
            event = decode(msg.data)
            if key not in self.table:
                raise PermanentEventError(f"no handler for {key}")
            model, handler = self.table[key]
            if not event.type.endswith("." + key):
                raise PermanentEventError(f"type {event.type} does not match subject {key}")
            payload = model.model_validate(event.data)
        except (EnvelopeError, ValidationError, PermanentEventError, ValueError) as exc:
            await self._dead_letter(msg, event, stream_seq, num_delivered, f"unprocessable: {exc}")
            return None
        return _Item(msg, event, payload, handler, num_delivered, stream_seq)

    async def _apply_together(self, items: list[_Item]) -> None:
        """Applies a batch in one transaction without savepoints and commits it; raises (storing nothing) when any
        handler fails. The inbox claims of the whole batch are one statement; a copy of a message already in the
        batch is a duplicate, as it would be in the next batch."""
        async with self.uow_factory() as uow:
            fresh = await claim_many(
                uow.conn, uow.tables.inbox, consumer=self.durable, message_ids=[item.event.id for item in items]
            )
            claimed = []
            for item in items:
                if item.event.id in fresh:
                    fresh.discard(item.event.id)
                    claimed.append(item)
                else:
                    item.outcome = "duplicate"
            await self._mark_stale(uow, claimed)
            rows = _Rows()
            for item in claimed:
                if item.outcome == "stale":
                    continue
                if item.handler.row is not None:
                    rows.add(*item.handler.row(item.payload))
                    item.outcome = "applied"
                    continue
                await rows.write(uow.conn)  # a handler may read what the rows before it wrote
                event = item.event
                with context.event_context(
                    correlation=event.correlationid or event.id, causation=event.id, trace=event.traceparent
                ):
                    await item.handler.fn(item.payload, event, uow)
                    # Written while this message's correlation and causation are current.
                    await uow.flush_events()
                    item.outcome = "applied"
            await rows.write(uow.conn)
            await uow.commit()

    async def _mark_stale(self, uow: UnitOfWork, items: list[_Item]) -> None:
        """For the guarded handlers of a batch, advances every aggregate's watermark in two statements and marks
        stale the items a later snapshot of their aggregate (stored, or earlier in this batch) supersedes."""
        guarded = [
            item
            for item in items
            if item.handler.guard and item.event.subject and item.event.sequence_number is not None
        ]
        fresh = await advance_watermarks(
            uow.conn,
            uow.tables.watermark,
            consumer=self.durable,
            events=[(i.event.subject, i.event.sequence_number) for i in guarded],
        )
        for item, newer in zip(guarded, fresh, strict=True):
            if not newer:
                item.outcome = "stale"

    async def _stale(self, uow: UnitOfWork, item: _Item) -> bool:
        """For a guarded handler, advances the aggregate's watermark to this event's sequence; True (and the item
        marked stale) when a later snapshot of the aggregate was applied already."""
        event = item.event
        if not (item.handler.guard and event.subject and event.sequence_number is not None):
            return False
        if await advance_watermark(
            uow.conn,
            uow.tables.watermark,
            consumer=self.durable,
            aggregate=event.subject,
            sequence=event.sequence_number,
        ):
            return False
        item.outcome = "stale"
        return True

    async def _apply(self, uow: UnitOfWork, item: _Item) -> None:
        event = item.event
        with context.event_context(
            correlation=event.correlationid or event.id, causation=event.id, trace=event.traceparent
        ):
            try:
                async with uow.conn.begin_nested():
                    tables = uow.tables
                    if not await claim(uow.conn, tables.inbox, consumer=self.durable, message_id=event.id):
                        item.outcome = "duplicate"
                        return
                    if await self._stale(uow, item):
                        return
                    await item.handler.fn(item.payload, event, uow)
                    # Written inside the savepoint, while this message's correlation and causation are current.
                    await uow.flush_events()
                    item.outcome = "applied"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                uow.discard_events()
                item.outcome = "permanent" if isinstance(exc, PermanentEventError) else "retry"
                item.error = exc

    async def _settle(self, item: _Item) -> None:
        event, msg = item.event, item.msg
        if item.outcome == "permanent":
            await self._dead_letter(msg, event, item.stream_seq, item.num_delivered, f"permanent: {item.error}")
            return
        if item.outcome == "retry":
            if item.num_delivered >= self.max_deliver:
                await self._dead_letter(
                    msg,
                    event,
                    item.stream_seq,
                    item.num_delivered,
                    f"gave up after {item.num_delivered}: {item.error!r}",
                )
                return
            self.stats.retried += 1
            metrics.EVENTS_CONSUMED.labels(self.durable, event.type, "retry").inc()
            log.warning(
                "event handling failed; redelivering",
                extra={
                    "consumer": self.durable,
                    "event_id": event.id,
                    "type": event.type,
                    "num_delivered": item.num_delivered,
                    "error": repr(item.error),
                },
            )
            try:
                await msg.nak(delay=self._delay(item.num_delivered))
            except Exception:
                pass
            return
        try:
            await msg.ack()
        except Exception:
            pass  # the inbox absorbs the redelivery
        if item.outcome == "applied":
            self.stats.applied += 1
            self.stats.by_type[event.type] = self.stats.by_type.get(event.type, 0) + 1
        elif item.outcome == "duplicate":
            self.stats.duplicates += 1
        else:
            self.stats.stale += 1
        metrics.EVENTS_CONSUMED.labels(self.durable, event.type, item.outcome).inc()

    async def _dead_letter(
        self, msg: Msg, event: CloudEvent | None, stream_seq: int | None, num_delivered: int, error: str
    ) -> None:
        """Records a dead letter (ids and error only, never the payload) and terminates the message."""
        try:
            async with self.uow_factory() as uow:
                await uow.conn.execute(
                    insert(uow.tables.dead_letter).values(
                        consumer=self.durable,
                        message_id=event.id if event else None,
                        event_type=event.type if event else None,
                        subject=msg.subject[:200],
                        stream_seq=stream_seq,
                        num_delivered=num_delivered,
                        error=error[:4000],
                        failed_at=utcnow(),
                    )
                )
                await uow.commit()
        except Exception as exc:
            # Could not record it: let the server redeliver rather than lose track of the message.
            log.error("dead letter not recorded", extra={"consumer": self.durable, "error": repr(exc)})
            try:
                await msg.nak(delay=self._delay(num_delivered))
            except Exception:
                pass
            return
        self.stats.dead_lettered += 1
        metrics.DEAD_LETTERS.labels(self.durable).inc()
        log.error(
            "event dead-lettered",
            extra={
                "consumer": self.durable,
                "event_id": event.id if event else None,
                "stream_seq": stream_seq,
                "error": error[:500],
            },
        )
        try:
            await msg.term()
        except Exception:
            pass
