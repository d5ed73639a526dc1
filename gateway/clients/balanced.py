"""Several replicas of one service behind one upstream: round robin over the healthy ones, failover, probes.

A replica is marked down when a call cannot connect to it, when its connection drops, when it answers 502, 503 or
504, or when its periodic `/health/ready` probe fails; a probe that succeeds marks it up again. Calls go round
robin over the replicas that are up; the ones marked down come last, so a call is never refused without trying
them.

A call moves to another replica
- when its connection was never made (refused, unreachable, connect timeout: the request did not leave, whatever
  its method), trying each replica at most once;
- once, when it was answered 502/503/504 and is safe to repeat (GET/HEAD/OPTIONS, or it carries an
  Idempotency-Key: `may_retry`).
A dropped connection or a timeout is raised to ServiceClient, whose retries (`with_retries`: idempotent calls only)
send the call again: a replica whose connection dropped is marked down and comes last, and after a timeout (a slow
answer does not make a replica down) round robin starts the retry at the next replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

from gateway.clients.base import Failure, Upstream, UpstreamError, UpstreamResponse, may_retry

log = logging.getLogger("gateway.clients")

# Answers that say "this replica cannot serve now" rather than "this request is wrong".
REPLICA_DOWN_STATUSES = frozenset({502, 503, 504})
PROBE_PATH = "/health/ready"


class Replica:
    """One replica's client and whether calls should prefer it."""

    __slots__ = ("down_since", "index", "up", "upstream")

    def __init__(self, index: int, upstream: Upstream) -> None:
        self.index = index
        self.upstream = upstream
        self.up = True
        self.down_since: float | None = None


class BalancedUpstream:
    """An Upstream over several replicas of one service (each its own pooled Upstream)."""

    def __init__(
        self,
        service: str,
        replicas: Sequence[Upstream],
        *,
        probe_interval_s: float = 2.0,
        probe_timeout_s: float = 1.0,
    ) -> None:
        if not replicas:
            raise ValueError("a balanced upstream needs at least one replica")
        self.service = service
        self.replicas = [Replica(i, upstream) for i, upstream in enumerate(replicas)]
        self.probe_interval_s = probe_interval_s
        self.probe_timeout_s = probe_timeout_s
        self.enforces_timeouts = all(getattr(r.upstream, "enforces_timeouts", False) for r in self.replicas)
        self._next = 0
        self._probe_task: asyncio.Task | None = None

    async def start(self) -> None:
        """Opens every replica's client and starts the probes."""
        for replica in self.replicas:
            await replica.upstream.start()
        if self.probe_interval_s > 0:
            self._probe_task = asyncio.create_task(self._probe_loop(), name=f"probe-{self.service}")

    async def close(self) -> None:
        """Stops the probes and closes every replica's client."""
        if self._probe_task is not None:
            self._probe_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe_task
            self._probe_task = None
        for replica in self.replicas:
            await replica.upstream.close()

    def healthy(self) -> list[int]:
        """The indexes of the replicas marked up."""
        return [r.index for r in self.replicas if r.up]

    def order(self) -> list[Replica]:
        """The replicas in the order a call tries them: the next ones up in round robin, then those marked down."""
        count = len(self.replicas)
        start = self._next
        self._next = (start + 1) % count
        rotated = self.replicas[start:] + self.replicas[:start]
        return [r for r in rotated if r.up] + [r for r in rotated if not r.up]

    def mark_down(self, replica: Replica, reason: str) -> None:
        if replica.up:
            replica.up = False
            replica.down_since = time.monotonic()
            log.warning(
                "upstream replica marked down", extra={"service": self.service, "replica": replica.index, "why": reason}
            )

    def mark_up(self, replica: Replica) -> None:
        if not replica.up:
            replica.up = True
            down_for = time.monotonic() - (replica.down_since or time.monotonic())
            replica.down_since = None
            log.warning(
                "upstream replica up again",
                extra={"service": self.service, "replica": replica.index, "down_s": round(down_for, 3)},
            )

    async def send(
        self, method: str, target: str, *, headers: list[tuple[str, str]], body: bytes | None, timeout: float
    ) -> UpstreamResponse:
        """Sends the call to the next replica up, moving to another one as the module docstring says."""
        order = self.order()
        repeatable = may_retry(method, headers)
        moved_once = False
        last = len(order) - 1
        for position, replica in enumerate(order):
            try:
                response = await replica.upstream.send(method, target, headers=headers, body=body, timeout=timeout)
            except UpstreamError as exc:
                if exc.failure is Failure.UNAVAILABLE or exc.not_sent:
                    self.mark_down(replica, exc.reason)
                if exc.not_sent and position < last:
                    continue
                raise
            if response.status in REPLICA_DOWN_STATUSES:
                self.mark_down(replica, f"answered {response.status}")
                if position < last and repeatable and not moved_once:
                    moved_once = True
                    continue
            return response
        raise AssertionError("unreachable")

    async def probe(self) -> None:
        """Probes every replica's readiness once and marks each up or down."""
        await asyncio.gather(*(self._probe(replica) for replica in self.replicas))

    async def _probe(self, replica: Replica) -> None:
        try:
            response = await asyncio.wait_for(
                replica.upstream.send(
                    "GET", PROBE_PATH, headers=[("accept", "application/json")], body=None, timeout=self.probe_timeout_s
                ),
                self.probe_timeout_s + 0.5,
            )
        except (UpstreamError, TimeoutError) as exc:
            self.mark_down(replica, f"probe: {getattr(exc, 'reason', 'timeout')}")
            return
        except Exception as exc:  # a probe must never stop the loop
            self.mark_down(replica, f"probe: {type(exc).__name__}")
            return
        if response.status == 200:
            self.mark_up(replica)
        else:
            self.mark_down(replica, f"probe answered {response.status}")

    async def _probe_loop(self) -> None:
        while True:
            await asyncio.sleep(self.probe_interval_s)
            await self.probe()
