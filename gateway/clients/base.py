"""What every upstream client shares: the response shape, the error kinds and the retry policy."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import orjson

# Methods that may be sent again after a connect failure or a timeout (RFC 9110 safe methods); other methods
# are retried only when they carry an Idempotency-Key, which the services honour.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Failure(StrEnum):
    UNAVAILABLE = "unavailable"  # could not connect, or the connection dropped: 503
    TIMEOUT = "timeout"  # no answer in time: 504
    BAD_RESPONSE = "bad-response"  # an answer the gateway will not relay (redirect, too large, broken): 502


class UpstreamError(Exception):
    """An upstream call that produced no usable answer; carries the service name, never its URL."""

    def __init__(self, service: str, failure: Failure, reason: str, *, not_sent: bool = False) -> None:
        super().__init__(f"{service}: {failure.value}: {reason}")
        self.service = service
        self.failure = failure
        self.reason = reason
        # The connection was never made (refused, unreachable, connect timeout): the request did not leave, so
        # another replica may take it whatever its method.
        self.not_sent = not_sent


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    """A buffered upstream answer."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """Returns the first value of a header (case-insensitive), or None."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def json(self) -> Any:
        """Decodes the body as JSON."""
        return orjson.loads(self.body)


class Upstream(Protocol):
    """One pooled HTTP client bound to one service's base URL."""

    service: str

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def send(
        self, method: str, target: str, *, headers: list[tuple[str, str]], body: bytes | None, timeout: float
    ) -> UpstreamResponse:
        """Sends one request (target = encoded path and query) and buffers the answer; one attempt."""
        ...


def may_retry(method: str, headers: list[tuple[str, str]]) -> bool:
    """Tells whether a call may be sent again after a failure (idempotent calls only)."""
    if method in SAFE_METHODS:
        return True
    return any(k.lower() == "idempotency-key" for k, _ in headers)


async def with_retries(
    attempt: Callable[[], Awaitable[UpstreamResponse]], *, method: str, headers: list[tuple[str, str]], retries: int
) -> UpstreamResponse:
    """Runs `attempt`, again up to `retries` times for idempotent calls that failed to connect or timed out."""
    tries = 1 + (retries if may_retry(method, headers) else 0)
    for number in range(tries):
        try:
            return await attempt()
        except UpstreamError as exc:
            if exc.failure is Failure.BAD_RESPONSE or number == tries - 1:
                raise
            # A short jittered pause: a restarting service gets a moment, and replicas do not retry in lockstep.
            await asyncio.sleep(0.05 + random.random() * 0.1)
    raise AssertionError("unreachable")
