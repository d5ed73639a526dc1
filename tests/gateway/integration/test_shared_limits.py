"""Rate limits shared by gateway replicas through a NATS key-value bucket (real nats-server, no mocks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import nats
import pytest
from nats.js.errors import KeyNotFoundError

from gateway import metrics
from gateway.clients.httpx_upstream import HttpxUpstream
from gateway.limits import RateLimits, SharedCounters
from gateway.main import create_app
from gateway.settings import GatewaySettings
from kernel.embedded import NatsServerProcess
from kernel.nats_client import NatsConnection
from kernel.testing.helpers import running
from kernel.web import ProblemException
from suite import nats_users

# Tests of the shared count wait generously for it: on a loaded machine a hit slower than the default 0.25 s would
# be decided by the local limiter instead, which is the fallback's job (tested below), not what they count.
SHARED_BOUND_S = 10.0


async def fresh_window(window_s: float = 60.0, margin_s: float = 3.0) -> None:
    """Waits for the next fixed window when the current one ends within `margin_s` (the test must fit in one)."""
    left = window_s - time.time() % window_s
    if left < margin_s:
        await asyncio.sleep(left + 0.05)


async def wait_connected(limits: RateLimits, timeout: float = 10.0) -> None:
    assert limits.shared is not None
    deadline = time.monotonic() + timeout
    while not limits.shared.conn.connected:
        assert time.monotonic() < deadline, "the limits never connected to NATS"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def replicas(settings: GatewaySettings, count: int = 2) -> AsyncIterator[list[RateLimits]]:
    """`count` gateway replicas' limits, each with its own NATS connection, as separate processes would have."""
    limits = [RateLimits(settings) for _ in range(count)]
    try:
        for each in limits:
            await each.start()
            await wait_connected(each)
        yield limits
    finally:
        for each in limits:
            await each.close()


async def outcome(limits: RateLimits, bucket: str, key: str) -> int | str:
    """200 when allowed, else the Retry-After of the 429."""
    try:
        await limits.check(bucket, key)
    except ProblemException as exc:
        assert exc.status == 429
        return exc.headers["Retry-After"]
    return 200


def local_fallbacks(bucket: str) -> float:
    return metrics.RATE_LIMIT_LOCAL.labels(bucket)._value.get()


async def test_two_replicas_share_one_count(gateway_settings, nats_url, events_ns):
    settings = gateway_settings(
        nats_url=nats_url,
        events_namespace=events_ns,
        rate_limit_shared=True,
        rate_limit_per_minute=5,
        rate_limit_shared_timeout_s=SHARED_BOUND_S,
    )
    before = local_fallbacks("general")
    async with replicas(settings) as (one, two):
        await fresh_window()
        answers = [await outcome(one, "general", "sub:a") for _ in range(3)]
        answers += [await outcome(two, "general", "sub:a") for _ in range(2)]
        refused = await outcome(two, "general", "sub:a")
        others = [await outcome(one, "general", "sub:b"), await outcome(two, "public", "sub:a")]
    assert answers == [200] * 5
    assert isinstance(refused, str) and 1 <= int(refused) <= 60  # the rest of the fixed window
    assert others == [200, 200]  # another client, another bucket: counted apart
    assert local_fallbacks("general") == before  # every hit was counted in the shared bucket


async def test_concurrent_hits_on_several_replicas_are_all_counted(gateway_settings, nats_url, events_ns):
    settings = gateway_settings(
        nats_url=nats_url,
        events_namespace=events_ns,
        rate_limit_shared=True,
        rate_limit_per_minute=10,
        rate_limit_shared_timeout_s=SHARED_BOUND_S,
    )
    before = local_fallbacks("general")
    async with replicas(settings, count=4) as four:
        await fresh_window()
        answers = await asyncio.gather(*(outcome(r, "general", "ip:10.0.0.1") for r in four * 8))
    assert answers.count(200) == 10  # conflicting writes retried: no hit lost, none counted twice
    # Every hit was decided by the shared count: conflicts are retried, never handed to the local limiter (with 5
    # attempts, 4 replicas writing one key at once exhausted them and a hit fell back to the local count).
    assert local_fallbacks("general") == before


async def test_windows_end_and_their_keys_expire(nats_url, events_ns):
    conn = NatsConnection(url=nats_url, name="test-limits")
    await conn.connect()
    try:
        counters = SharedCounters(conn, f"{events_ns}_ratelimit", window_s=1.0)
        now = float(int(time.time()))
        assert [(await counters.hit("general", "sub:a", 2, now=now + 0.1))[0] for _ in range(3)] == [
            True,
            True,
            False,
        ]
        assert await counters.hit("general", "sub:a", 2, now=now + 1.1) == (True, 0)  # the next window
        kv = await conn.js.key_value(f"{events_ns}_ratelimit")
        assert len(await kv.keys()) == 2
        await asyncio.sleep(2.5)  # the bucket keeps entries two windows
        with pytest.raises(KeyNotFoundError):
            await kv.get(next(iter(counters._seen)))
    finally:
        await conn.close()


async def test_nats_down_falls_back_to_the_local_limit(gateway_settings, tmp_path):
    server = NatsServerProcess(store_dir=tmp_path / "nats")
    server.start()
    settings = gateway_settings(
        nats_url=server.url, rate_limit_shared=True, rate_limit_per_minute=4, rate_limit_shared_timeout_s=0.2
    )
    try:
        async with replicas(settings, count=1) as (limits,):
            assert [await outcome(limits, "general", "sub:a") for _ in range(2)] == [200, 200]
            before = local_fallbacks("general")
            server.kill()
            started = time.monotonic()
            answers = [await outcome(limits, "general", "sub:a") for _ in range(3)]
            elapsed = time.monotonic() - started
    finally:
        server.kill()
    # The local limiter saw the two shared hits too: two more are allowed, then 429; no request failed.
    assert answers[:2] == [200, 200] and isinstance(answers[2], str)
    assert local_fallbacks("general") == before + 3
    assert elapsed < 3 * 0.2 + 1.0  # never longer than the timeout per hit


async def test_never_connected_counts_locally(gateway_settings, tmp_path):
    settings = gateway_settings(nats_url="nats://127.0.0.1:1", rate_limit_shared=True, rate_limit_per_minute=2)
    limits = RateLimits(settings)
    await limits.start()
    try:
        assert [await outcome(limits, "general", "sub:a") for _ in range(3)][:2] == [200, 200]
        assert isinstance(await outcome(limits, "general", "sub:a"), str)
    finally:
        await limits.close()


def upstreams(settings: GatewaySettings) -> dict[str, HttpxUpstream]:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    return {
        s: HttpxUpstream(
            s,
            f"http://{s}.internal:80",
            connect_timeout=1,
            pool_size=10,
            max_response_bytes=settings.upstream_max_response_bytes,
            transport=transport,
        )
        for s in ("rank", "appraisal", "petitions", "tolerance")
    }


async def test_two_gateway_apps_refuse_the_sixth_call(
    gateway_settings: Callable[..., GatewaySettings], nats_url, events_ns, test_auth
):
    settings = gateway_settings(
        nats_url=nats_url,
        events_namespace=events_ns,
        rate_limit_shared=True,
        rate_limit_per_minute=5,
        rate_limit_shared_timeout_s=SHARED_BOUND_S,
    )
    headers = test_auth.headers("org_admin", unit="city", subject="shared")
    one, two = create_app(settings, upstreams=upstreams(settings)), create_app(settings, upstreams=upstreams(settings))
    async with running(one) as a, running(two) as b:
        for app in (one, two):
            await wait_connected(app.state.gateway.limits)
        await fresh_window()
        statuses = [(await a.get("/api/v1/cadres", headers=headers)).status_code for _ in range(3)]
        statuses += [(await b.get("/api/v1/cadres", headers=headers)).status_code for _ in range(2)]
        refused = await b.get("/api/v1/cadres", headers=headers)
        nc = await nats.connect(nats_url)
        try:
            keys = await (await nc.jetstream().key_value(f"{events_ns}_ratelimit")).keys()
        finally:
            await nc.close()
    assert statuses == [200] * 5
    assert refused.status_code == 429 and refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert all(k.startswith("general.") and "shared" not in k for k in keys)  # the subject is hashed


async def test_the_gateway_nats_user_may_count(gateway_settings, tmp_path):
    """deploy/nats.conf's gateway user (suite/nats_users.py) may create the bucket and write its counters."""
    password = "pw-" + "x" * 20
    users = nats_users.users({name: password for name in (*nats_users.SERVICE_USERS, nats_users.SUBSCRIBER)})
    server = NatsServerProcess(store_dir=tmp_path / "nats", users=users)
    server.start()
    settings = gateway_settings(
        nats_url=server.url,
        nats_user="gateway",
        nats_password=password,
        rate_limit_shared=True,
        rate_limit_per_minute=2,
        rate_limit_shared_timeout_s=SHARED_BOUND_S,
    )
    before = local_fallbacks("general")
    try:
        async with replicas(settings) as (one, two):
            await fresh_window()
            answers = [await outcome(one, "general", "sub:a"), await outcome(two, "general", "sub:a")]
            refused = await outcome(one, "general", "sub:a")
    finally:
        server.kill()
    assert answers == [200, 200] and isinstance(refused, str)
    assert local_fallbacks("general") == before
