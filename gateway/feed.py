"""The live event feed: one NATS connection, ephemeral pull consumers per SSE client, the org directory.

Each feed connection reads the producers' streams through its own ephemeral pull consumers (no ack, memory
storage, deleted when the client leaves or after 30 s of inactivity if the gateway dies). Consumers pull only as
fast as the client reads, through a bounded queue, so a slow client holds a few dozen events, never a backlog.
Each event's SSE id is the position in every stream read so far (`rank=12,appraisal=40`), so Last-Event-ID
resumes exactly where the client stopped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import nats.errors
import orjson
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from gateway import metrics
from gateway.directory import TREE_EVENTS, Directory
from gateway.feed_policy import format_position
from gateway.settings import GatewaySettings
from kernel.nats_client import NatsConnection, NotFoundError
from kernel.subjects import PRODUCERS, key_from_subject, stream_name
from kernel.web import ProblemException

log = logging.getLogger("gateway.feed")

INACTIVE_THRESHOLD_S = 30.0
FETCH_TIMEOUT_S = 2.0
Item = tuple[str, int, str, bytes, int]


class Reservation:
    """One feed connection counted against the limits; released exactly once."""

    def __init__(self, feed: Feed, subject: str) -> None:
        self._feed: Feed | None = feed
        self.subject = subject

    def release(self) -> None:
        """Gives the connection back (idempotent)."""
        if self._feed is not None:
            self._feed._release(self.subject)
            self._feed = None  # producer, stream sequence, subject, envelope, messages still pending


class Feed:
    """The gateway's NATS side: connection, org directory, and the bounded set of open feed connections."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.namespace = settings.events_namespace
        self.conn = NatsConnection(
            url=settings.nats_url,
            name=f"{settings.service_name}-feed",
            connect_timeout=settings.nats_connect_timeout,
            user=settings.nats_user,
            password=settings.nats_password,
        )
        self.directory = Directory()
        self.open = 0
        self.per_subject: Counter[str] = Counter()
        self._tasks: list[asyncio.Task] = []
        self._cleanups: set[asyncio.Task] = set()

    @property
    def connected(self) -> bool:
        return self.conn.connected

    async def start(self) -> None:
        """Connects in the background (the API serves while NATS is away) and starts following rank's tree."""
        self._tasks.append(asyncio.create_task(self._connect_and_follow(), name="gateway-feed"))

    async def close(self) -> None:
        """Stops the directory follower and closes the connection."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._cleanups:
            await asyncio.wait(self._cleanups, timeout=2)
        await self.conn.close()

    async def _connect_and_follow(self) -> None:
        attempt = 0
        while True:
            try:
                await self.conn.connect()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                attempt += 1
                log.warning("nats not reachable yet", extra={"attempt": attempt, "error": repr(exc)})
                await asyncio.sleep(min(0.5 * attempt, 5.0))
        await self._follow_directory()

    async def _follow_directory(self) -> None:
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=1000)
        subjects = [f"{self.namespace}.{key}" for key in TREE_EVENTS]
        target = await self._last_sequence("rank")
        if not target:
            self.directory.caught_up = True  # nothing to load (yet): rank has published no tree events
        pump = asyncio.create_task(self.pump("rank", subjects, after=0, out=queue, batch=256))
        try:
            while True:
                _, seq, subject, data, pending = await queue.get()
                try:
                    envelope = orjson.loads(data)
                    self.directory.apply(key_from_subject(subject, self.namespace), envelope.get("data") or {})
                except (orjson.JSONDecodeError, ValueError, AttributeError):
                    log.warning("undecodable event in rank's stream", extra={"subject": subject})
                if (pending == 0 and queue.empty()) or seq >= target:
                    self.directory.caught_up = True
        finally:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)

    async def _last_sequence(self, producer: str) -> int:
        """Returns the last sequence of a producer's stream now (0: empty, missing or unreachable)."""
        js = self.conn.jetstream()
        if js is None:
            return 0
        try:
            return (await js.stream_info(stream_name(self.namespace, producer))).state.last_seq
        except Exception:
            return 0

    # -- consumers --------------------------------------------------------------------------------------
    async def pump(
        self, producer: str, subjects: list[str], *, after: int | None, out: asyncio.Queue[Item], batch: int
    ) -> None:
        """Copies a stream's matching messages after sequence `after` (None: from now on) into `out`, forever.

        A lost consumer (broker restart, inactivity) is created again from the last sequence copied.
        """
        stream = stream_name(self.namespace, producer)
        last = after
        while True:
            js = self.conn.jetstream()
            if js is None:
                await asyncio.sleep(0.5)
                continue
            try:
                if last is None:
                    last = (await js.stream_info(stream)).state.last_seq
                config = ConsumerConfig(
                    ack_policy=AckPolicy.NONE,
                    deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                    opt_start_seq=last + 1,
                    inactive_threshold=INACTIVE_THRESHOLD_S,
                    mem_storage=True,
                    num_replicas=1,
                    filter_subjects=sorted(subjects),
                )
                info = await js.add_consumer(stream, config)
                sub = await js.pull_subscribe_bind(consumer=info.name, stream=stream)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The producer may not have declared its stream yet, or the broker is restarting.
                log.debug("feed consumer not created", extra={"stream": stream, "error": repr(exc)})
                await asyncio.sleep(1.0)
                continue
            try:
                while True:
                    try:
                        messages = await sub.fetch(batch, timeout=FETCH_TIMEOUT_S)
                    except nats.errors.TimeoutError:
                        continue
                    for message in messages:
                        meta = message.metadata
                        await out.put((producer, meta.sequence.stream, message.subject, message.data, meta.num_pending))
                        last = meta.sequence.stream
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("feed consumer lost; creating it again", extra={"stream": stream, "error": repr(exc)})
                await asyncio.sleep(0.5)
            finally:
                self._discard(sub, stream, info.name)

    def _discard(self, sub: Any, stream: str, name: str) -> None:
        async def cleanup() -> None:
            try:
                await sub.unsubscribe()
                js = self.conn.jetstream()
                if js is not None:
                    await asyncio.wait_for(js.delete_consumer(stream, name), timeout=2)
            except Exception:
                pass  # the server deletes it after INACTIVE_THRESHOLD_S anyway

        # Detached: the caller may be cancelled (client gone) and must not wait on the broker.
        task = asyncio.get_running_loop().create_task(cleanup())
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)

    # -- connections ------------------------------------------------------------------------------------
    def reserve(self, subject: str) -> Reservation:
        """Takes one of the bounded feed connections (503 when the gateway is full, 429 per subject)."""
        if not self.connected:
            raise ProblemException(
                503,
                "the event feed is unavailable; retry later",
                type_="feed-unavailable",
                headers={"Retry-After": "5"},
            )
        if self.open >= self.settings.feed_max_connections:
            raise ProblemException(
                503, "too many feed connections; retry later", type_="feed-full", headers={"Retry-After": "30"}
            )
        if self.per_subject[subject] >= self.settings.feed_max_per_subject:
            raise ProblemException(
                429,
                "too many open feed connections for this client",
                type_="rate-limited",
                headers={"Retry-After": "30"},
            )
        self.open += 1
        self.per_subject[subject] += 1
        metrics.FEED_CONNECTIONS.set(self.open)
        return Reservation(self, subject)

    def _release(self, subject: str) -> None:
        self.open -= 1
        self.per_subject[subject] -= 1
        if self.per_subject[subject] <= 0:
            del self.per_subject[subject]
        metrics.FEED_CONNECTIONS.set(self.open)

    async def start_positions(self, types: frozenset[str], positions: dict[str, int]) -> dict[str, int]:
        """Fixes where each stream starts for a new connection: after Last-Event-ID, else at its current end.

        Runs before the answer starts, so "from now on" means from the request, and a broker that cannot say
        where its streams end gives a 503 rather than a replay of their whole history.
        """
        js = self.conn.jetstream()
        if js is None:
            raise ProblemException(
                503,
                "the event feed is unavailable; retry later",
                type_="feed-unavailable",
                headers={"Retry-After": "5"},
            )
        starts: dict[str, int] = {}
        for producer in sorted({key.split(".", 1)[0] for key in types} & set(PRODUCERS)):
            if producer in positions:
                starts[producer] = positions[producer]
                continue
            try:
                starts[producer] = (await js.stream_info(stream_name(self.namespace, producer))).state.last_seq
            except NotFoundError:
                starts[producer] = 0  # the producer has not declared its stream yet: everything in it is new
            except Exception:
                raise ProblemException(
                    503,
                    "the event feed is unavailable; retry later",
                    type_="feed-unavailable",
                    headers={"Retry-After": "5"},
                ) from None
        return starts

    async def frames(
        self,
        *,
        types: frozenset[str],
        starts: dict[str, int],
        visible: Callable[[dict[str, Any]], bool],
        deadline: float,
    ) -> AsyncIterator[bytes]:
        """Yields SSE frames of the matching events after `starts` until `deadline`, with keepalive comments."""
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=self.settings.feed_batch * 2)
        by_producer: dict[str, list[str]] = {}
        for key in sorted(types):
            by_producer.setdefault(key.split(".", 1)[0], []).append(f"{self.namespace}.{key}")
        pumps = [
            asyncio.create_task(self.pump(p, by_producer[p], after=after, out=queue, batch=self.settings.feed_batch))
            for p, after in starts.items()
        ]
        # Each event's id carries every stream's position, including streams that sent nothing yet: a client
        # resuming with it misses nothing that arrived since it connected.
        position = dict(starts)
        heartbeat = self.settings.feed_heartbeat_s
        try:
            # The retry hint sets how soon a browser's EventSource reconnects; the comment flushes the headers.
            yield b"retry: 3000\n: connected\n\n"
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                try:
                    producer, seq, subject, data, _ = await asyncio.wait_for(queue.get(), min(heartbeat, remaining))
                except TimeoutError:
                    yield b": keepalive\n\n"
                    continue
                position[producer] = seq
                frame = self._frame(subject, data, visible, position)
                if frame is not None:
                    metrics.FEED_EVENTS.inc()
                    yield frame
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)

    def _frame(
        self, subject: str, data: bytes, visible: Callable[[dict[str, Any]], bool], position: dict[str, int]
    ) -> bytes | None:
        try:
            envelope = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(envelope, dict) or not visible(envelope.get("data") or {}):
            return None
        event_type = str(envelope.get("type", key_from_subject(subject, self.namespace)))
        # One line of JSON per data field: a newline inside would end the SSE event early.
        return (
            b"id: "
            + format_position(position).encode()
            + b"\nevent: "
            + event_type.encode()
            + b"\ndata: "
            + orjson.dumps(envelope)
            + b"\n\n"
        )
