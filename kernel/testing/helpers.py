"""Helpers for tests: eventually(), running apps in-process with their lifespan, settings for a test run."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from kernel.keys import SigningKey

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T] | T], *, timeout: float = 10.0, interval: float = 0.05) -> T:
    """Retries `check` until it stops raising AssertionError (or returns), then returns its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            return result  # type: ignore[return-value]
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(interval)


@asynccontextmanager
async def running(app: FastAPI, base_url: str = "http://test") -> AsyncIterator[httpx.AsyncClient]:
    """Runs an app's lifespan (httpx's ASGITransport does not) and yields a client bound to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=30) as client:
            yield client


@dataclass(frozen=True)
class AuthKit:
    """A signing key for tests and the JWKS file services verify against."""

    key: SigningKey
    jwks_file: Path
    issuer: str = "youwei-test"
    audience: str = "youwei"

    def token(
        self,
        *roles: str,
        unit: str | None = None,
        cadre_id: str | None = None,
        subject: str = "tester",
        ttl_s: int = 3600,
        **extra: Any,
    ) -> str:
        """Mints a token for the given roles and org unit."""
        return self.key.mint(
            subject=subject,
            roles=list(roles),
            unit=unit,
            issuer=self.issuer,
            audience=self.audience,
            ttl_s=ttl_s,
            cadre_id=cadre_id,
            extra=extra or None,
        )

    def headers(
        self, *roles: str, unit: str | None = None, cadre_id: str | None = None, **extra: Any
    ) -> dict[str, str]:
        """Returns an Authorization header for the given roles and org unit."""
        return {"Authorization": f"Bearer {self.token(*roles, unit=unit, cadre_id=cadre_id, **extra)}"}

    def settings_overrides(self) -> dict[str, Any]:
        return {"auth_jwks_file": self.jwks_file, "auth_issuer": self.issuer, "auth_audience": self.audience}


def settings_for(
    settings_cls: type,
    *,
    database_url: str,
    nats_url: str,
    namespace: str,
    auth: AuthKit | None = None,
    **overrides: Any,
) -> Any:
    """Builds a service's settings for a test: fast polling and retries, isolated namespace, test keys."""
    values: dict[str, Any] = dict(
        environment="test",
        database_url=database_url,
        nats_url=nats_url,
        events_namespace=namespace,
        relay_poll_interval=0.2,
        consumer_fetch_timeout=0.5,
        consumer_backoff_base_s=0.05,
        consumer_backoff_max_s=0.5,
        nats_connect_timeout=5,
        log_level="WARNING",
    )
    if auth is not None:
        values.update(auth.settings_overrides())
    values.update(overrides)
    return settings_cls(_env_file=None, **values)
