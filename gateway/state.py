"""What the gateway process holds between startup and shutdown: upstream clients, verifier, limits, feed."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from gateway.clients import ServiceClient, Upstream, build_clients
from gateway.feed import Feed
from gateway.limits import RateLimits
from gateway.openapi import MergedOpenApi
from gateway.settings import GatewaySettings
from kernel.auth import TokenVerifier


class GatewayState:
    """The gateway's runtime; nothing connects before start()."""

    def __init__(self, settings: GatewaySettings, *, upstreams: Mapping[str, Upstream] | None = None) -> None:
        self.settings = settings
        self._injected = upstreams
        self.clients: dict[str, ServiceClient] = {}
        self.limits = RateLimits(settings)
        self.verifier: TokenVerifier | None = None
        self.feed: Feed | None = None
        self.openapi = MergedOpenApi(ttl=settings.openapi_cache_s)
        # The gateway's own routes (filled by create_app): the pass-through declines their paths.
        self.own_routes: list[Any] = []

    def make_verifier(self) -> TokenVerifier | None:
        """Builds the token verifier from settings (None when no JWKS is configured)."""
        s = self.settings
        if not (s.auth_jwks_file or s.auth_jwks_url):
            return None
        return TokenVerifier(
            issuer=s.auth_issuer,
            audience=s.auth_audience,
            algorithms=s.auth_algorithms,
            jwks_file=s.auth_jwks_file,
            jwks_url=s.auth_jwks_url,
            leeway_s=s.auth_leeway_s,
            max_token_bytes=s.auth_max_token_bytes,
            max_lifetime_s=s.auth_max_token_lifetime_s,
        )

    async def start(self) -> None:
        """Creates the verifier and opens one pooled client per upstream."""
        self.verifier = self.make_verifier()
        self.clients = build_clients(self.settings, self._injected)
        for client in self.clients.values():
            await client.upstream.start()
        if self.settings.feed_enabled:
            self.feed = Feed(self.settings)
            await self.feed.start()
        await self.limits.start(self.feed.conn if self.feed is not None else None)

    async def close(self) -> None:
        """Closes the feed, the limits' connection and the upstream clients."""
        await self.limits.close()
        if self.feed is not None:
            await self.feed.close()
        for client in self.clients.values():
            await client.upstream.close()

    async def readiness(self) -> dict[str, Any]:
        """Checks that every upstream answers and that tokens can be verified."""
        names = list(self.clients)
        answers = await asyncio.gather(*(self.clients[n].live(timeout=1.0) for n in names))
        checks: dict[str, Any] = {f"upstream:{n}": ok for n, ok in zip(names, answers, strict=True)}
        checks["auth"] = self.verifier is not None
        return checks
