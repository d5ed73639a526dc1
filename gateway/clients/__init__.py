"""Upstream clients: one pooled client per service, created in the gateway's lifespan."""

from __future__ import annotations

from collections.abc import Mapping

from gateway.clients.aiohttp_upstream import AiohttpUpstream
from gateway.clients.balanced import BalancedUpstream
from gateway.clients.base import Failure, Upstream, UpstreamError, UpstreamResponse
from gateway.clients.httpx_upstream import HttpxUpstream
from gateway.clients.service import ServiceClient
from gateway.settings import GatewaySettings

__all__ = [
    "BalancedUpstream",
    "Failure",
    "ServiceClient",
    "Upstream",
    "UpstreamError",
    "UpstreamResponse",
    "build_clients",
]


def build_clients(
    settings: GatewaySettings, injected: Mapping[str, Upstream] | None = None
) -> dict[str, ServiceClient]:
    """Builds one ServiceClient per upstream service (injected upstreams replace the configured ones in tests)."""
    clients: dict[str, ServiceClient] = {}
    kind = AiohttpUpstream if settings.upstream_client == "aiohttp" else HttpxUpstream
    for service, urls in settings.upstream_replicas().items():
        upstream: Upstream
        if injected and service in injected:
            upstream = injected[service]
        else:
            replicas: list[Upstream] = [
                kind(
                    service,
                    url,
                    connect_timeout=settings.upstream_connect_timeout,
                    pool_size=settings.upstream_pool_size,
                    max_response_bytes=settings.upstream_max_response_bytes,
                )
                for url in urls
            ]
            # One replica: the plain client (nothing to balance); several: round robin with probes and failover.
            upstream = (
                replicas[0]
                if len(replicas) == 1
                else BalancedUpstream(
                    service,
                    replicas,
                    probe_interval_s=settings.upstream_probe_interval_s,
                    probe_timeout_s=settings.upstream_probe_timeout_s,
                )
            )
        clients[service] = ServiceClient(upstream, timeout=settings.upstream_timeout, retries=settings.upstream_retries)
    return clients
