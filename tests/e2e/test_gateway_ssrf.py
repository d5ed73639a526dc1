"""docs/reliability.md S8 against a gateway under uvicorn: traversal, absolute-URI request lines, Host injection,
redirects to a canary on 127.0.0.2, URLs in bodies. Raw sockets, so no client library normalizes the paths."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from gateway.main import create_app
from gateway.testing import gateway_test_settings, serving


class Canary:
    """A listener on 127.0.0.2 that records every connection (it must stay silent)."""

    def __init__(self) -> None:
        self.hits = 0
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.hits += 1
            writer.close()

        self.server = await asyncio.start_server(handle, "127.0.0.2", 0)
        self.port = self.server.sockets[0].getsockname()[1]


def fake_upstream(canary: Canary, seen: list[dict[str, Any]]) -> FastAPI:
    """An upstream that records what reaches it and redirects one path to the canary."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def anything(path: str, request: Request) -> Response:
        seen.append({"path": request.scope.get("raw_path", b"").decode(), "headers": dict(request.headers)})
        if path.endswith("redirect"):
            return Response(status_code=302, headers={"Location": f"http://127.0.0.2:{canary.port}/stolen"})
        return JSONResponse({"ok": True, "host": request.headers.get("host")})

    return app


@pytest.fixture
async def stack(test_auth) -> AsyncIterator[Any]:
    canary = Canary()
    await canary.start()
    seen: list[dict[str, Any]] = []
    try:
        async with serving(fake_upstream(canary, seen)) as upstream:
            settings = gateway_test_settings(
                test_auth, **{f"{s}_url": upstream for s in ("rank", "appraisal", "petitions", "tolerance")}
            )
            async with serving(create_app(settings)) as gateway:
                host, port = gateway.removeprefix("http://").split(":")
                yield SimpleNamespace(host=host, port=int(port), upstream=upstream, seen=seen, canary=canary)
    finally:
        assert canary.server is not None
        canary.server.close()


async def raw(stack: Any, request_line: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """Sends one raw HTTP/1.1 request; returns the status and the whole answer."""
    reader, writer = await asyncio.open_connection(stack.host, stack.port)
    lines = [request_line] + [
        f"{k}: {v}" for k, v in {"Host": f"{stack.host}:{stack.port}", **headers, "Connection": "close"}.items()
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return int(answer.split(b" ", 2)[1]), answer


@pytest.mark.parametrize(
    "target",
    [
        "/api/v1/../admin",
        "/api/v1/cadres/../../admin",
        "/api/v1/cadres/%2e%2e/%2e%2e/admin",
        "/api/v1/cadres/%2E%2E/health/live",
        "/api/v1/cadres/..%2f..%2fadmin",
        "/api/v1/cadres/%252e%252e/admin",
        "/api/v1/cadres/.%2e/x",
        "/api/v1/%2e%2e/%2e%2e/metrics",
        "/api/v1/cadres/..%5cadmin",
        "/api/v1/dossier-parts/rank/c-1",
    ],
)
async def test_traversal_answers_404_and_reaches_no_upstream(stack, test_auth, target):
    status, answer = await raw(stack, f"GET {target} HTTP/1.1", test_auth.headers("org_admin", unit="city"))
    assert status == 404, answer
    assert stack.seen == [] and stack.canary.hits == 0


async def test_an_absolute_uri_request_line_never_reaches_the_named_host(stack, test_auth):
    headers = test_auth.headers("org_admin", unit="city")
    status, _ = await raw(stack, f"GET http://127.0.0.2:{stack.canary.port}/api/v1/cadres HTTP/1.1", headers)
    other, _ = await raw(stack, f"GET http://127.0.0.2:{stack.canary.port}/admin HTTP/1.1", headers)
    assert stack.canary.hits == 0
    # Routed by its path only: to the configured upstream, or nowhere.
    assert (status, other) == (200, 404), (status, other)
    assert all(s["headers"]["host"] == stack.upstream.removeprefix("http://") for s in stack.seen)


async def test_host_and_forwarded_host_headers_are_not_relayed(stack, test_auth):
    status, answer = await raw(
        stack,
        "GET /api/v1/cadres HTTP/1.1",
        {
            **test_auth.headers("org_admin", unit="city"),
            "X-Forwarded-Host": "evil.example",
            "Forwarded": "host=evil.example",
            "X-Forwarded-Proto": "gopher",
            "X-Original-URL": "/admin",
        },
    )
    assert status == 200
    (seen,) = stack.seen
    assert seen["headers"]["host"] == stack.upstream.removeprefix("http://")
    assert not {"x-forwarded-host", "forwarded", "x-original-url", "x-forwarded-proto"} & set(seen["headers"])
    assert b"evil.example" not in answer


async def test_a_host_header_pointing_elsewhere_changes_nothing(stack, test_auth):
    status, answer = await raw(
        stack,
        "GET /api/v1/cadres HTTP/1.1",
        {**test_auth.headers("org_admin", unit="city"), "Host": f"127.0.0.2:{stack.canary.port}"},
    )
    assert status == 200 and stack.canary.hits == 0
    assert stack.seen[0]["headers"]["host"] == stack.upstream.removeprefix("http://")


async def test_an_upstream_redirect_to_the_canary_is_not_followed(stack, test_auth):
    status, answer = await raw(
        stack, "GET /api/v1/cadres/redirect HTTP/1.1", test_auth.headers("org_admin", unit="city")
    )
    assert status == 502
    assert stack.canary.hits == 0
    assert b"127.0.0.2" not in answer and b"location:" not in answer.lower()
    assert stack.upstream.removeprefix("http://").encode() not in answer


async def test_urls_in_bodies_are_relayed_as_data_never_fetched(stack, test_auth):
    import json

    body = json.dumps(
        {"photo_url": "http://169.254.169.254/latest/meta-data/", "callback": f"http://127.0.0.2:{stack.canary.port}/"}
    )
    status, _ = await raw(
        stack,
        "POST /api/v1/cadres HTTP/1.1",
        {
            **test_auth.headers("org_admin", unit="city"),
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "Idempotency-Key": "k-ssrf-00001",
        },
        body.encode(),
    )
    assert status == 200
    assert stack.canary.hits == 0
    (seen,) = stack.seen
    assert seen["path"] == "/api/v1/cadres"
