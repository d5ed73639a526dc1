"""Per-client rate limits (429 with Retry-After): by token subject, or by address for anonymous callers.

With `rate_limit_shared` (the default) the hits are counted in a JetStream key-value bucket that every gateway
replica uses, so a client gets its limit once, not once per replica: fixed windows of 60 s, one key per bucket,
client and window (`<bucket>.<sha256 of the client key>.<window index>`), its value the count, raised by a write
that expects the key's last revision (a conflict reads the key again, a bounded number of times). The bucket keeps
entries two windows, so old windows expire by themselves. While NATS is unreachable or slow, or with sharing off,
the process's own sliding-window limiter decides (fail open to the local limit: a request never fails because
the shared store is away); it counts every hit in any case, so it is warm when it takes over.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time

from fastapi import Request
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from gateway import metrics
from gateway.settings import GatewaySettings
from kernel.auth import Principal
from kernel.nats_client import NatsConnection
from kernel.ratelimit import RateLimiter
from kernel.subjects import rate_limit_bucket
from kernel.web import ProblemException

log = logging.getLogger("gateway.limits")

WINDOW_S = 60.0
# Attempts of one increment when other replicas write the same key at the same moment. Each failed attempt means
# another replica's hit was counted meanwhile, so the attempts are bounded by the other replicas' concurrent hits,
# and the whole hit by GATEWAY_RATE_LIMIT_SHARED_TIMEOUT_S. At 5, two replicas each sending 8 hits at once could
# exhaust them (CI, 2 cores); the hit then fell back to the local count and one request too many was allowed.
MAX_ATTEMPTS = 64


class SharedUnavailable(Exception):
    """The shared counters cannot answer now (no connection, timeout, too many conflicts)."""


class SharedCounters:
    """Fixed-window hit counters in one JetStream key-value bucket, shared by every gateway replica."""

    def __init__(
        self,
        conn: NatsConnection,
        bucket: str,
        *,
        window_s: float = WINDOW_S,
        timeout_s: float = 0.25,
        replicas: int = 1,
    ) -> None:
        self.conn = conn
        self.bucket = bucket
        self.window = window_s
        self.timeout = timeout_s
        self.replicas = replicas
        self._kv: KeyValue | None = None
        self._kv_js: JetStreamContext | None = None
        self._opening: asyncio.Lock | None = None
        # The last count and revision seen of each key: one round trip per hit while no other replica wrote it.
        self._seen: dict[str, tuple[int, int]] = {}
        self._seen_window = -1
        # One increment of a key at a time in this process: the conflicts left are those between replicas.
        self._locks: dict[str, asyncio.Lock] = {}

    async def _bucket(self, js: JetStreamContext) -> KeyValue:
        if self._kv is not None and self._kv_js is js:
            return self._kv
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._kv is None or self._kv_js is not js:
                config = KeyValueConfig(
                    bucket=self.bucket,
                    history=1,
                    ttl=2 * self.window,
                    storage=StorageType.MEMORY,
                    replicas=self.replicas,
                )
                try:
                    self._kv = await js.create_key_value(config)
                except Exception:  # exists with another configuration (an older replica): use it as it is
                    self._kv = await js.key_value(self.bucket)
                self._kv_js = js
        return self._kv

    async def hit(self, name: str, client: str, limit: int, now: float | None = None) -> tuple[bool, int]:
        """Counts a hit of `client` in `name`; returns (allowed, seconds until its window ends when refused)."""
        now = time.time() if now is None else now
        window = int(now // self.window)
        if window != self._seen_window:
            self._seen.clear()
            self._locks.clear()
            self._seen_window = window
        digest = hashlib.sha256(client.encode()).hexdigest()[:32]
        key = f"{name}.{digest}.{window}"
        js = self.conn.jetstream()
        if js is None:
            raise SharedUnavailable("not connected")
        try:
            async with asyncio.timeout(self.timeout):
                kv = await self._bucket(js)
                lock = self._locks.get(key)
                if lock is None:
                    lock = self._locks[key] = asyncio.Lock()
                async with lock:
                    count = await self._increment(kv, key)
        except SharedUnavailable:
            raise
        except Exception as exc:  # timeout, connection lost, bucket gone: never fail the request for it
            self._kv = None  # the bucket may be gone (a memory bucket after a broker restart): open it again
            raise SharedUnavailable(repr(exc)) from exc
        if count > limit:
            return False, max(1, math.ceil((window + 1) * self.window - now))
        return True, 0

    async def _increment(self, kv: KeyValue, key: str) -> int:
        count, revision = self._seen.get(key, (0, 0))
        for _ in range(MAX_ATTEMPTS):
            try:
                revision = await kv.update(key, str(count + 1).encode(), last=revision)
            except KeyWrongLastSequenceError:
                try:
                    entry = await kv.get(key)
                except KeyNotFoundError:
                    count, revision = 0, 0
                else:
                    count, revision = int(entry.value or b"0"), entry.revision or 0
                continue
            self._seen[key] = (count + 1, revision)
            return count + 1
        raise SharedUnavailable("too many conflicting writes")


class RateLimits:
    """The gateway's buckets: every request, dossier reads, and anonymous public calls."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.enabled = settings.rate_limit_enabled
        self.limits = {
            "general": settings.rate_limit_per_minute,
            "dossier": settings.rate_limit_dossier_per_minute,
            "public": settings.rate_limit_public_per_minute,
        }
        self.buckets = {name: RateLimiter(limit, WINDOW_S) for name, limit in self.limits.items()}
        self.shared: SharedCounters | None = None
        self._own_conn: NatsConnection | None = None
        self._connecting: asyncio.Task | None = None

    async def start(self, conn: NatsConnection | None = None) -> None:
        """Shares the counts through `conn` (the feed's), or through a connection of its own opened in the
        background; does nothing when the limits or sharing are off."""
        s = self.settings
        if not (self.enabled and s.rate_limit_shared):
            return
        if conn is None:
            conn = self._own_conn = NatsConnection(
                url=s.nats_url,
                name=f"{s.service_name}-limits",
                connect_timeout=s.nats_connect_timeout,
                user=s.nats_user,
                password=s.nats_password,
            )
            self._connecting = asyncio.create_task(self._connect(conn), name="gateway-limits-nats")
        bucket = rate_limit_bucket(s.events_namespace)
        self.shared = SharedCounters(conn, bucket, timeout_s=s.rate_limit_shared_timeout_s, replicas=s.stream_replicas)

    async def _connect(self, conn: NatsConnection) -> None:
        attempt = 0
        while True:
            try:
                await conn.connect()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                attempt += 1
                log.warning("nats not reachable yet", extra={"attempt": attempt, "error": repr(exc)})
                await asyncio.sleep(min(0.5 * attempt, 5.0))

    async def close(self) -> None:
        """Closes the connection of its own, if it opened one."""
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
        if self._own_conn is not None:
            await self._own_conn.close()

    async def check(self, bucket: str, key: str) -> None:
        """Counts a hit for `key` in `bucket`; raises 429 when the client is over its limit."""
        if not self.enabled:
            return
        allowed, wait = self.buckets[bucket].hit(key)
        if self.shared is not None:
            try:
                allowed, wait = await self.shared.hit(bucket, key, self.limits[bucket])
            except SharedUnavailable as exc:
                metrics.RATE_LIMIT_LOCAL.labels(bucket).inc()
                log.debug("shared rate limit unavailable, counted locally", extra={"error": str(exc)})
        if not allowed:
            metrics.RATE_LIMITED.labels(bucket).inc()
            raise ProblemException(
                429,
                "too many requests; retry later",
                type_="rate-limited",
                headers={"Retry-After": str(wait)},
                retry_after_s=wait,
            )


def client_key(request: Request, principal: Principal | None) -> str:
    """Returns the rate-limit key of a caller: the token subject, else the peer address."""
    if principal is not None:
        return "sub:" + principal.subject
    return "ip:" + (request.client.host if request.client else "unknown")
