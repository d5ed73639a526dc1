"""NATS connection with the reconnect policy of docs/architecture.md §3.6, and idempotent stream and consumer
declaration."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError

from kernel import metrics
from kernel.subjects import stream_name, stream_subjects

log = logging.getLogger("kernel.nats")

DAY_S = 86400


def server_urls(url: str) -> list[str]:
    """The servers of a NATS URL setting: one URL, or several separated by commas (the nodes of a cluster)."""
    servers = [part.strip() for part in url.split(",") if part.strip()]
    if not servers:
        raise ValueError("no NATS server URL given")
    return servers


def stream_config(
    namespace: str,
    producer: str,
    *,
    max_age_days: int = 30,
    duplicate_window_s: float = 120.0,
    max_msg_size: int = 1024 * 1024,
    replicas: int = 1,
) -> StreamConfig:
    """Returns the one configuration of a producer's stream (every service declares it the same way)."""
    return StreamConfig(
        name=stream_name(namespace, producer),
        subjects=stream_subjects(namespace, producer),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=float(max_age_days * DAY_S),
        duplicate_window=duplicate_window_s,
        discard=DiscardPolicy.OLD,
        num_replicas=replicas,
        max_msg_size=max_msg_size,
    )


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Creates a stream, or updates it when it exists with another configuration."""
    try:
        await js.add_stream(config)
    except BadRequestError:
        # NOTE: add_stream on an existing stream with a different config answers 10058; update instead.
        await js.update_stream(config)


def consumer_config(
    durable: str, filter_subjects: list[str], *, ack_wait: float, max_deliver: int, max_ack_pending: int
) -> ConsumerConfig:
    """Returns a durable pull consumer's config: explicit ack, bounded redelivery, replay from the start."""
    return ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ack_wait,
        max_deliver=max_deliver,
        max_ack_pending=max_ack_pending,
        deliver_policy=DeliverPolicy.ALL,
        filter_subjects=sorted(filter_subjects),
    )


async def ensure_consumer(js: JetStreamContext, stream: str, config: ConsumerConfig) -> None:
    """Creates or updates a durable consumer (add_consumer updates editable fields of an existing one)."""
    await js.add_consumer(stream, config)


class NatsConnection:
    """One client per process: reconnects forever, callbacks never raise, re-declares topology after a reset."""

    def __init__(
        self,
        *,
        url: str,
        name: str,
        connect_timeout: float = 10.0,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        self.url = url
        self.name = name
        self.connect_timeout = connect_timeout
        self.user = user
        self.password = password
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.closed = asyncio.Event()
        self._reconnect_hooks: list[Callable[[], Awaitable[None]]] = []
        self._hook_task: asyncio.Task | None = None

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    def jetstream(self) -> JetStreamContext | None:
        """Returns the JetStream context while connected, else None (the relay then waits)."""
        return self.js if self.connected else None

    def on_reconnect(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Registers a coroutine run after every reconnect (streams and consumers are declared again)."""
        self._reconnect_hooks.append(hook)

    async def connect(self) -> None:
        """Connects, bounded by connect_timeout; later disconnects are retried forever."""

        async def error_cb(exc: Exception) -> None:
            try:
                log.warning("nats error", extra={"service": self.name, "error": repr(exc)})
            except Exception:
                pass

        async def disconnected_cb() -> None:
            try:
                metrics.NATS_CONNECTED.labels(self.name).set(0)
                log.warning("nats disconnected", extra={"service": self.name})
            except Exception:
                pass

        async def reconnected_cb() -> None:
            try:
                metrics.NATS_CONNECTED.labels(self.name).set(1)
                log.info("nats reconnected", extra={"service": self.name})
                self._schedule_hooks()
            except Exception:
                pass

        async def closed_cb() -> None:
            try:
                metrics.NATS_CONNECTED.labels(self.name).set(0)
                self.closed.set()
            except Exception:
                pass

        options: dict[str, Any] = dict(
            servers=server_urls(self.url),
            name=self.name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=2,
            ping_interval=10,
            max_outstanding_pings=3,
            pending_size=16 * 1024 * 1024,
            allow_reconnect=True,
            error_cb=error_cb,
            disconnected_cb=disconnected_cb,
            reconnected_cb=reconnected_cb,
            closed_cb=closed_cb,
        )
        if self.user:
            options.update(user=self.user, password=self.password)
        async with asyncio.timeout(self.connect_timeout):
            self.nc = await nats.connect(**options)
        self.js = self.nc.jetstream(timeout=5)
        metrics.NATS_CONNECTED.labels(self.name).set(1)

    def _schedule_hooks(self) -> None:
        if self._hook_task is not None and not self._hook_task.done():
            return
        self._hook_task = asyncio.get_running_loop().create_task(self.run_reconnect_hooks())

    async def run_reconnect_hooks(self) -> None:
        """Runs the reconnect hooks, retrying each until it succeeds or the connection closes."""
        for hook in list(self._reconnect_hooks):
            for attempt in range(60):
                if self.closed.is_set():
                    return
                try:
                    await hook()
                    break
                except Exception as exc:
                    log.warning("topology re-declaration failed", extra={"service": self.name, "error": repr(exc)})
                    await asyncio.sleep(min(0.2 * (attempt + 1), 2.0))

    async def close(self) -> None:
        """Drains and closes the connection."""
        if self._hook_task is not None:
            self._hook_task.cancel()
        if self.nc is not None and not self.nc.is_closed:
            try:
                await asyncio.wait_for(self.nc.drain(), timeout=5)
            except Exception:
                try:
                    await self.nc.close()
                except Exception:
                    pass
        metrics.NATS_CONNECTED.labels(self.name).set(0)


__all__ = [
    "NatsConnection",
    "NotFoundError",
    "consumer_config",
    "ensure_consumer",
    "ensure_stream",
    "stream_config",
]
