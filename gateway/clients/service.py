"""A typed client per service over one pooled upstream: retries, metrics and the calls the gateway makes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any
from urllib.parse import quote, urlencode

from gateway import metrics
from gateway.clients.base import Failure, Upstream, UpstreamError, UpstreamResponse, with_retries

log = logging.getLogger("gateway.clients")


class ServiceClient:
    """Calls one service; every method answers an UpstreamResponse or raises UpstreamError."""

    def __init__(self, upstream: Upstream, *, timeout: float, retries: int) -> None:
        self.upstream = upstream
        self.service = upstream.service
        self.timeout = timeout
        self.retries = retries
        # aiohttp enforces the deadline itself; an injected transport (httpx.MockTransport) may not.
        self._backstop = not getattr(upstream, "enforces_timeouts", False)
        # Labelled metric children are looked up once: labels() takes a lock and hashes on every call.
        self._seconds = metrics.UPSTREAM_SECONDS.labels(self.service)
        self._outcomes: dict[str, Any] = {}

    def _count(self, outcome: str) -> None:
        counter = self._outcomes.get(outcome)
        if counter is None:
            counter = self._outcomes[outcome] = metrics.UPSTREAM_CALLS.labels(self.service, outcome)
        counter.inc()

    async def call(
        self,
        method: str,
        target: str,
        *,
        headers: list[tuple[str, str]],
        body: bytes | None = None,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> UpstreamResponse:
        """Sends a request (with retries for idempotent calls) and records the outcome."""
        limit = self.timeout if timeout is None else timeout
        started = time.perf_counter()
        outcome = "error"
        try:
            response = await with_retries(
                lambda: self._attempt(method, target, headers, body, limit),
                method=method,
                headers=headers,
                retries=self.retries if retries is None else retries,
            )
            outcome = str(response.status // 100) + "xx"
            return response
        except UpstreamError as exc:
            outcome = exc.failure.value
            raise
        finally:
            self._count(outcome)
            self._seconds.observe(time.perf_counter() - started)

    async def _attempt(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None, limit: float
    ) -> UpstreamResponse:
        try:
            if not self._backstop:
                return await self.upstream.send(method, target, headers=headers, body=body, timeout=limit)
            async with asyncio.timeout(limit):
                return await self.upstream.send(method, target, headers=headers, body=body, timeout=limit)
        except TimeoutError:
            raise UpstreamError(self.service, Failure.TIMEOUT, "no answer in time") from None
        except (UpstreamError, asyncio.CancelledError):
            raise
        except Exception as exc:
            # A client library failing in an unforeseen way is a bad upstream answer, never a gateway 500.
            log.warning(
                "upstream call failed unexpectedly", extra={"service": self.service, "error": type(exc).__name__}
            )
            raise UpstreamError(self.service, Failure.BAD_RESPONSE, type(exc).__name__) from None

    async def get_cadre(self, cadre_id: str, *, headers: list[tuple[str, str]], timeout: float) -> UpstreamResponse:
        """Reads a cadre's register entry (rank)."""
        return await self.call(
            "GET", f"/api/v1/cadres/{quote(cadre_id, safe='')}", headers=headers, timeout=timeout, retries=0
        )

    async def dossier_part(
        self, cadre_id: str, *, as_of: dt.date | None, headers: list[tuple[str, str]], timeout: float
    ) -> UpstreamResponse:
        """Reads this service's part of a cadre's dossier."""
        target = f"/api/v1/dossier-parts/{self.service}/{quote(cadre_id, safe='')}"
        if as_of is not None:
            target += "?" + urlencode({"as_of": as_of.isoformat()})
        # No retry: a part has one short deadline, and a missed part is reported as degraded instead.
        return await self.call("GET", target, headers=headers, timeout=timeout, retries=0)

    async def dashboard_part(
        self, org_unit_id: str, *, headers: list[tuple[str, str]], timeout: float
    ) -> UpstreamResponse:
        """Reads this service's part of an org unit's dashboard."""
        target = f"/api/v1/dashboard-parts/{self.service}?" + urlencode({"org_unit_id": org_unit_id})
        return await self.call("GET", target, headers=headers, timeout=timeout, retries=0)

    async def openapi(self, *, timeout: float) -> dict:
        """Fetches the service's OpenAPI document (served outside production only)."""
        response = await self.call("GET", "/openapi.json", headers=[("accept", "application/json")], timeout=timeout)
        if response.status != 200:
            raise UpstreamError(self.service, Failure.BAD_RESPONSE, f"openapi answered {response.status}")
        try:
            document = response.json()
        except ValueError:
            raise UpstreamError(self.service, Failure.BAD_RESPONSE, "openapi is not JSON") from None
        if not isinstance(document, dict):
            raise UpstreamError(self.service, Failure.BAD_RESPONSE, "openapi is not an object")
        return document

    async def live(self, *, timeout: float) -> bool:
        """Tells whether the service answers its liveness probe."""
        try:
            response = await self.call("GET", "/health/live", headers=[], timeout=timeout, retries=0)
        except UpstreamError:
            return False
        return response.status == 200
