"""Several replicas per upstream (issue 16): round robin over the healthy ones, failover, probes and recovery."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.clients import BalancedUpstream, build_clients
from gateway.clients.aiohttp_upstream import AiohttpUpstream
from gateway.clients.httpx_upstream import HttpxUpstream
from gateway.main import create_app
from gateway.testing import closed_port_url, serving
from kernel.testing.helpers import running


class Replicas:
    """Fake replicas of rank: each records what it receives and answers through handlers[i] (readiness: ready[i])."""

    def __init__(self, count: int) -> None:
        self.requests: list[list[httpx.Request]] = [[] for _ in range(count)]
        self.ready = [True] * count
        self.handlers: list[Callable[[httpx.Request], httpx.Response]] = [self.ok(i) for i in range(count)]

    @staticmethod
    def ok(index: int) -> Callable[[httpx.Request], httpx.Response]:
        return lambda request: httpx.Response(200, json={"replica": index})

    def upstream(self, probe_interval_s: float = 0) -> BalancedUpstream:
        def transport(index: int) -> httpx.MockTransport:
            def handle(request: httpx.Request) -> httpx.Response:
                if request.url.path == "/health/ready":
                    return httpx.Response(200 if self.ready[index] else 503, json={})
                self.requests[index].append(request)
                return self.handlers[index](request)

            return httpx.MockTransport(handle)

        replicas = [
            HttpxUpstream(
                "rank",
                f"http://rank-{i}.internal",
                connect_timeout=1,
                pool_size=4,
                max_response_bytes=1 << 20,
                transport=transport(i),
            )
            for i in range(len(self.requests))
        ]
        return BalancedUpstream("rank", replicas, probe_interval_s=probe_interval_s, probe_timeout_s=0.5)

    def counts(self) -> list[int]:
        return [len(r) for r in self.requests]


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused")


def dropped(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("connection reset")


@pytest.fixture
def admin(test_auth):
    return test_auth.headers("org_admin", unit="city")


@pytest.fixture
def gateway_over(gateway_settings):
    """`async with gateway_over(balanced) as gw`: the gateway app with rank behind the given balanced upstream."""

    def make(balanced: BalancedUpstream, **overrides: Any):
        return running(create_app(gateway_settings(**overrides), upstreams={"rank": balanced}))

    return make


async def test_calls_go_round_robin_over_the_replicas(gateway_over, admin):
    fakes = Replicas(3)
    async with gateway_over(fakes.upstream()) as gw:
        answers = [(await gw.get("/api/v1/cadres", headers=admin)).json()["replica"] for _ in range(9)]
    assert fakes.counts() == [3, 3, 3]
    assert answers[:3] == [0, 1, 2] and answers[3:6] == [0, 1, 2]


async def test_a_refused_write_moves_to_another_replica_and_the_replica_is_skipped_after(gateway_over, admin):
    fakes = Replicas(2)
    fakes.handlers[0] = refused
    async with gateway_over(fakes.upstream()) as gw:
        first = await gw.post("/api/v1/cadres", headers=admin, json={})  # no Idempotency-Key: it never left
        later = [await gw.get("/api/v1/cadres", headers=admin) for _ in range(4)]
    assert first.status_code == 200 and first.json()["replica"] == 1
    assert all(r.status_code == 200 and r.json()["replica"] == 1 for r in later)
    assert fakes.counts() == [1, 5]  # replica 0 was tried once, then marked down


@pytest.mark.parametrize(
    ("headers", "status", "counts"), [({}, 503, [1, 0]), ({"Idempotency-Key": "k-1234567"}, 200, [1, 1])]
)
async def test_a_dropped_write_is_sent_again_to_another_replica_only_with_an_idempotency_key(
    gateway_over, admin, headers, status, counts
):
    fakes = Replicas(2)
    fakes.handlers[0] = dropped
    async with gateway_over(fakes.upstream()) as gw:
        response = await gw.post("/api/v1/cadres", headers={**admin, **headers}, json={})
    assert response.status_code == status
    assert fakes.counts() == counts


@pytest.mark.parametrize(("method", "status", "counts"), [("GET", 200, [1, 1]), ("POST", 503, [1, 0])])
async def test_a_503_answer_moves_a_safe_call_once(gateway_over, admin, method, status, counts):
    fakes = Replicas(2)
    fakes.handlers[0] = lambda request: httpx.Response(
        503, json={"type": "about:blank", "title": "Unavailable", "status": 503}
    )
    async with gateway_over(fakes.upstream()) as gw:
        response = await gw.request(method, "/api/v1/cadres", headers=admin, json={} if method == "POST" else None)
    assert response.status_code == status
    assert fakes.counts() == counts


async def test_every_replica_down_is_still_tried_before_the_call_fails(gateway_over, admin):
    fakes = Replicas(2)
    fakes.handlers = [refused, refused]
    async with gateway_over(fakes.upstream()) as gw:
        response = await gw.get("/api/v1/cadres", headers=admin)
        fakes.handlers[1] = Replicas.ok(1)
        again = await gw.get("/api/v1/cadres", headers=admin)
    assert response.status_code == 503
    assert again.status_code == 200 and again.json()["replica"] == 1  # both marked down, yet tried


async def test_the_probe_marks_a_replica_down_and_up_again(gateway_over, admin):
    fakes = Replicas(2)
    balanced = fakes.upstream(probe_interval_s=0.05)
    async with gateway_over(balanced) as gw:
        fakes.ready[0] = False
        await _until(lambda: balanced.healthy() == [1])
        down = [(await gw.get("/api/v1/cadres", headers=admin)).json()["replica"] for _ in range(4)]
        fakes.ready[0] = True
        await _until(lambda: balanced.healthy() == [0, 1])
        before = fakes.counts()[0]
        [await gw.get("/api/v1/cadres", headers=admin) for _ in range(4)]
    assert down == [1, 1, 1, 1]
    assert fakes.counts()[0] - before == 2  # recovered: back in the rotation


async def test_a_refusing_replica_recovers_through_the_probe(gateway_over, admin):
    fakes = Replicas(2)
    fakes.handlers[0] = refused
    balanced = fakes.upstream()
    async with gateway_over(balanced) as gw:
        await gw.get("/api/v1/cadres", headers=admin)
        assert balanced.healthy() == [1]
        fakes.handlers[0] = Replicas.ok(0)
        await balanced.probe()
        answers = {(await gw.get("/api/v1/cadres", headers=admin)).json()["replica"] for _ in range(2)}
    assert balanced.healthy() == [0, 1] and answers == {0, 1}


async def _until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def test_an_upstream_setting_lists_replicas_comma_separated(gateway_settings):
    settings = gateway_settings(rank_url="http://10.0.0.1:8004/, http://10.0.0.2:8004", upstream_probe_interval_s=0)
    assert settings.upstream_replicas()["rank"] == ["http://10.0.0.1:8004", "http://10.0.0.2:8004"]
    clients = build_clients(settings)
    assert isinstance(clients["rank"].upstream, BalancedUpstream)
    assert [r.upstream.base_url for r in clients["rank"].upstream.replicas] == settings.upstream_replicas()["rank"]
    assert isinstance(clients["appraisal"].upstream, AiohttpUpstream)  # one URL: nothing to balance
    for bad in ("http://a:1,ftp://b:2", "http://a:1,http://a:1", " , "):
        with pytest.raises(ValueError):
            gateway_settings(rank_url=bad)


async def test_real_sockets_a_stopped_replica_is_passed_over(gateway_settings, admin):
    """aiohttp against a closed loopback port and a live server: the refusal moves the call (a write too)."""

    async def answer(request):
        return JSONResponse({"method": request.method})

    live_app = Starlette(routes=[Route("/api/v1/cadres", answer, methods=["GET", "POST"])])
    async with serving(live_app) as live:
        settings = gateway_settings(rank_url=f"{closed_port_url()},{live}", upstream_probe_interval_s=0)
        app = create_app(settings)
        async with running(app) as gw:
            answers = [await gw.post("/api/v1/cadres", headers=admin, json={}) for _ in range(3)]
            assert app.state.gateway.clients["rank"].upstream.healthy() == [1]
    assert [a.status_code for a in answers] == [200, 200, 200]
