"""Pass-through against fake upstreams: routing, relayed answers, upstream failures, retries, no redirects."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def admin(test_auth):
    return test_auth.headers("org_admin", unit="city")


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/org-units/city", "rank"),
        ("/api/v1/assessments/a-1", "appraisal"),
        ("/api/v1/reports/r-1", "petitions"),
        ("/api/v1/sanctions/s-1", "tolerance"),
        ("/api/v1/incentive-coverage", "appraisal"),
    ],
)
async def test_each_segment_reaches_its_owner_with_path_and_query(mock_gateway, fakes, admin, path, service):
    fakes.handlers[service] = lambda request: httpx.Response(200, json={"ok": True})
    async with mock_gateway() as gw:
        response = await gw.get(path, params={"limit": "5", "cursor": "abc"}, headers=admin)
    assert response.status_code == 200 and response.json() == {"ok": True}
    (request,) = fakes.requests[service]
    assert request.url.path == path and request.url.params["limit"] == "5"
    assert sum(len(c) for c in fakes.requests.values()) == 1


async def test_the_upstream_answer_is_relayed_with_only_safe_headers(mock_gateway, fakes, admin):
    fakes.handlers["rank"] = lambda request: httpx.Response(
        201,
        content=b'{"id":"c-1"}',
        headers={
            "content-type": "application/json",
            "server": "uvicorn",
            "set-cookie": "s=1",
            "etag": '"1"',
            "location": "http://127.0.0.1:8004/api/v1/cadres/c-1",
        },
    )
    async with mock_gateway() as gw:
        response = await gw.post("/api/v1/cadres", headers={**admin, "Idempotency-Key": "k-123456789"}, json={})
    assert response.status_code == 201 and response.content == b'{"id":"c-1"}'
    assert response.headers["etag"] == '"1"'
    assert "set-cookie" not in response.headers and "location" not in response.headers
    assert response.headers.get("server") != "uvicorn"
    assert fakes.requests["rank"][0].headers["idempotency-key"] == "k-123456789"


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (httpx.ConnectError("refused"), 503),
        (httpx.ReadTimeout("slow"), 504),
    ],
)
async def test_upstream_failures_become_problems_without_addresses(mock_gateway, fakes, admin, failure, status):
    def broken(request):
        raise failure

    fakes.handlers["tolerance"] = broken
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/sanctions", headers=admin)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["service"] == "tolerance"
    assert "internal" not in response.text and "http://" not in response.json()["detail"]


async def test_a_non_json_upstream_error_becomes_502(mock_gateway, fakes, admin):
    fakes.handlers["rank"] = lambda request: httpx.Response(500, text="Traceback (most recent call last): ...")
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres", headers=admin)
    assert response.status_code == 502
    assert "Traceback" not in response.text


async def test_an_upstream_redirect_is_not_followed_nor_relayed(mock_gateway, fakes, admin):
    fakes.handlers["rank"] = lambda request: httpx.Response(307, headers={"location": "http://127.0.0.2:9/x"})
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres", headers=admin)
    assert response.status_code == 502
    assert "location" not in response.headers and "127.0.0.2" not in response.text
    assert len(fakes.requests["rank"]) == 1


async def test_reads_are_retried_once_after_a_connect_failure(mock_gateway, fakes, admin):
    attempts = []

    def flaky(request):
        attempts.append(request)
        if len(attempts) == 1:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json={"items": []})

    fakes.handlers["rank"] = flaky
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres", headers=admin)
    assert response.status_code == 200 and len(attempts) == 2


@pytest.mark.parametrize(("headers", "calls"), [({}, 1), ({"Idempotency-Key": "k-123456789"}, 2)])
async def test_writes_are_retried_only_with_an_idempotency_key(mock_gateway, fakes, admin, headers, calls):
    def down(request):
        raise httpx.ConnectError("refused")

    fakes.handlers["rank"] = down
    async with mock_gateway() as gw:
        response = await gw.post("/api/v1/cadres", headers={**admin, **headers}, json={})
    assert response.status_code == 503
    assert len(fakes.requests["rank"]) == calls


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/../admin",
        "/api/v1/cadres/%2e%2e/%2e%2e/admin",
        "/api/v1/cadres/%252e%252e/x",
        "/api/v1/cadres/a%2fb",
        "/api/v1/dossier-parts/rank/c-1",
        "/api/v1/nothing",
        "/admin",
        "/api/v1/cadres/",
    ],
)
async def test_traversal_and_unowned_paths_are_404_and_reach_no_service(mock_gateway, fakes, admin, path):
    async with mock_gateway() as gw:
        response = await gw.get(path, headers=admin)
    assert response.status_code == 404
    assert all(not calls for calls in fakes.requests.values())


async def test_public_intake_needs_no_token_but_is_rate_limited_per_address(mock_gateway, fakes):
    fakes.handlers["petitions"] = lambda request: httpx.Response(202, json={"receipt": "r"})
    async with mock_gateway(rate_limit_public_per_minute=2) as gw:
        answers = [await gw.post("/api/v1/public/reports", json={}) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert int(answers[2].headers["retry-after"]) >= 1
    assert "authorization" not in fakes.requests["petitions"][0].headers


async def test_clients_over_their_limit_get_429_with_retry_after(mock_gateway, fakes, test_auth):
    fakes.handlers["rank"] = lambda request: httpx.Response(200, json={})
    one, other = (
        test_auth.headers("org_admin", unit="city", subject="a"),
        test_auth.headers("auditor", unit="city", subject="b"),
    )
    async with mock_gateway(rate_limit_per_minute=3) as gw:
        statuses = [(await gw.get("/api/v1/cadres", headers=one)).status_code for _ in range(4)]
        limited = await gw.get("/api/v1/cadres", headers=one)
        unaffected = await gw.get("/api/v1/cadres", headers=other)
    assert statuses == [200, 200, 200, 429]
    assert limited.headers["content-type"] == "application/problem+json" and limited.headers["retry-after"]
    assert unaffected.status_code == 200


async def test_an_oversized_upstream_answer_is_refused(mock_gateway, fakes, admin):
    fakes.handlers["rank"] = lambda request: httpx.Response(200, content=b"x" * 2048)
    async with mock_gateway(upstream_max_response_bytes=1024) as gw:
        response = await gw.get("/api/v1/cadres", headers=admin)
    assert response.status_code == 502


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "DELETE", "POST"])
async def test_other_methods_on_the_gateways_own_routes_are_405_with_allow(mock_gateway, fakes, admin, method):
    async with mock_gateway() as gw:
        events = await gw.request(method, "/api/v1/events", headers=admin)
        dossier = await gw.request(method, "/api/v1/cadres/c-1/dossier", headers=admin)
    assert (events.status_code, events.headers["allow"]) == (405, "GET")
    assert (dossier.status_code, dossier.headers["allow"]) == (405, "GET")
    assert all(not calls for calls in fakes.requests.values())
