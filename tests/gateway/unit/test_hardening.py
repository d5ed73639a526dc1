"""docs/reliability.md S13 and S7 at the gateway: headers, CORS allow-list, no stack traces, size limits, docs off."""

from __future__ import annotations

import pytest

SECURITY = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
}


@pytest.mark.parametrize(
    ("path", "auth"),
    [
        ("/api/v1/cadres/c-1/dossier", True),
        ("/api/v1/cadres/c-1/dossier", False),
        ("/api/v1/nothing", True),
        ("/api/v1/events", True),
        ("/health/live", False),
    ],
)
async def test_every_answer_carries_the_security_headers_and_a_request_id(mock_gateway, test_auth, path, auth):
    headers = test_auth.headers("org_admin", unit="city") if auth else {}
    async with mock_gateway() as gw:
        response = await gw.get(path, headers=headers)
    for name, value in SECURITY.items():
        assert response.headers[name] == value, name
    assert response.headers["x-request-id"]


async def test_cors_answers_only_allow_listed_origins(mock_gateway):
    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization,x-purpose"}
    async with mock_gateway(cors_origins=["https://portal.example.gov.cn"]) as gw:
        allowed = await gw.options("/api/v1/cadres", headers={"Origin": "https://portal.example.gov.cn", **preflight})
        refused = await gw.options("/api/v1/cadres", headers={"Origin": "https://evil.example", **preflight})
        simple = await gw.get("/health/live", headers={"Origin": "https://evil.example"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example.gov.cn"
    assert "x-purpose" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_without_an_allow_list_no_cross_origin_access_is_granted(mock_gateway):
    async with mock_gateway() as gw:
        response = await gw.options(
            "/api/v1/cadres",
            headers={"Origin": "https://portal.example.gov.cn", "Access-Control-Request-Method": "GET"},
        )
    assert "access-control-allow-origin" not in response.headers


async def test_an_internal_error_answers_500_without_a_stack_trace(gateway_settings, fakes, test_auth, monkeypatch):
    import httpx

    from gateway.main import create_app
    from gateway.routes import dossier

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals at /srv/youwei")

    monkeypatch.setattr(dossier, "merge_parts", explode)
    app = create_app(gateway_settings(), upstreams=fakes.upstreams(1024 * 1024))
    async with app.router.lifespan_context(app):
        # As uvicorn does: the app's error is logged and answered, not raised into the client.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as gw:
            response = await gw.get("/api/v1/cadres/c-1/dossier", headers=test_auth.headers("org_admin", unit="city"))
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text and "Traceback" not in response.text and "/srv" not in response.text


async def test_a_body_over_the_limit_is_413_before_any_upstream_call(mock_gateway, fakes, test_auth):
    async with mock_gateway(max_body_bytes=1024) as gw:
        declared = await gw.post(
            "/api/v1/cadres",
            content=b"x" * 2048,
            headers={**test_auth.headers("org_admin", unit="city"), "Content-Type": "application/json"},
        )

        async def chunks():
            for _ in range(4):
                yield b"x" * 512

        streamed = await gw.post(
            "/api/v1/cadres",
            content=chunks(),
            headers={**test_auth.headers("org_admin", unit="city"), "Content-Type": "application/json"},
        )
    assert declared.status_code == 413 and streamed.status_code == 413
    assert all(not calls for calls in fakes.requests.values())


async def test_a_token_over_the_size_limit_is_401(mock_gateway, test_auth):
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/events", headers={"Authorization": "Bearer " + "a" * 20000})
    assert response.status_code == 401


async def test_the_owning_service_decides_which_methods_a_path_supports(mock_gateway, fakes, test_auth):
    import httpx

    fakes.handlers["rank"] = lambda request: httpx.Response(
        405, json={"status": 405}, headers={"allow": "GET, POST", "content-type": "application/problem+json"}
    )
    async with mock_gateway() as gw:
        response = await gw.request("TRACE", "/api/v1/cadres", headers=test_auth.headers("org_admin", unit="city"))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"] == "application/problem+json"
    assert [r.method for r in fakes.requests["rank"]] == ["TRACE"]


async def test_without_keys_configured_authentication_answers_503_not_500(mock_gateway, test_auth):
    async with mock_gateway(auth_jwks_file=None) as gw:
        response = await gw.get("/api/v1/events", headers=test_auth.headers("subscriber"))
    assert response.status_code == 503


async def test_an_unreadable_jwks_answers_503(mock_gateway, test_auth, tmp_path):
    async with mock_gateway(auth_jwks_file=tmp_path / "missing.json") as gw:
        response = await gw.get("/api/v1/events", headers=test_auth.headers("subscriber"))
    assert response.status_code == 503
    assert "missing.json" not in response.text
