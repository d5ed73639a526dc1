"""The client address the gateway acts on and forwards (issue 11 item 7), under a real uvicorn: a client's own
X-Forwarded-For is ignored (it would pick its own rate-limit bucket and be trusted by petitions), unless the peer is
one of the gateway's own trusted proxies; upstream gets exactly one address, the one the gateway settled on."""

from __future__ import annotations

import httpx
import pytest

from gateway.main import create_app
from gateway.testing import serving

PUBLIC = "/api/v1/public/reports"


async def _forwarded(fakes, settings, spoofed: list[str]) -> tuple[list[int], list[str]]:
    fakes.handlers["petitions"] = lambda request: httpx.Response(201, json={"receipt_code": "x"})
    app = create_app(settings, upstreams=fakes.upstreams(settings.upstream_max_response_bytes))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        statuses = [
            (await client.post(PUBLIC, json={}, headers={"X-Forwarded-For": address})).status_code
            for address in spoofed
        ]
    return statuses, [r.headers["x-forwarded-for"] for r in fakes.requests["petitions"]]


async def test_a_clients_forwarded_for_is_ignored_and_does_not_dodge_the_public_limit(fakes, gateway_settings):
    # Before: uvicorn trusted X-Forwarded-For from 127.0.0.1, so the gateway forwarded (and limited) the spoofed ones.
    settings = gateway_settings(rate_limit_public_per_minute=2)
    statuses, seen = await _forwarded(fakes, settings, ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
    assert statuses == [201, 201, 429]
    assert seen == ["127.0.0.1", "127.0.0.1"]


@pytest.mark.parametrize("trusted", [["127.0.0.1"], ["127.0.0.0/8"]])
async def test_behind_its_own_trusted_proxy_the_gateway_forwards_the_client_that_proxy_named(
    fakes, gateway_settings, trusted
):
    settings = gateway_settings(rate_limit_public_per_minute=2, trusted_proxies=trusted)
    statuses, seen = await _forwarded(
        fakes, settings, ["198.51.100.7, 203.0.113.1", "203.0.113.2", "203.0.113.1", "203.0.113.1"]
    )
    # Two different citizens, two buckets; the chain collapses to the one address the trusted proxy appended.
    assert statuses == [201, 201, 201, 429]
    assert seen == ["203.0.113.1", "203.0.113.2", "203.0.113.1"]
