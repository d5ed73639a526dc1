"""docs/reliability.md S5 at the gateway and at a service directly: every forged or unusable token answers 401.

The gateway refuses them before calling anything; the rank service, called directly (bypassing the gateway),
refuses the same tokens, and neither trusts identity headers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from gateway.main import create_app
from kernel import keys
from kernel.testing.helpers import AuthKit, running, settings_for

VECTORS = [
    "alg_none",
    "alg_none_upper",
    "hs256_public_pem",
    "hs256_public_der",
    "hs256_jwk",
    "expired_beyond_leeway",
    "missing_exp",
    "future_nbf",
    "wrong_aud",
    "wrong_iss",
    "unknown_kid",
    "other_key_same_kid",
    "tampered",
    "oversized_16k",
    "garbage",
    "empty",
]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(kit: AuthKit, **over) -> dict:
    now = int(time.time())
    base = {
        "sub": "mallory",
        "roles": ["org_admin"],
        "unit": "city",
        "iss": kit.issuer,
        "aud": kit.audience,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def _hmac(kit: AuthKit, secret: bytes) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kit.key.kid}).encode())
    body = _b64(json.dumps(_claims(kit)).encode())
    return f"{header}.{body}.{_b64(hmac.new(secret, f'{header}.{body}'.encode(), hashlib.sha256).digest())}"


def _unsigned(kit: AuthKit, alg: str) -> str:
    return f"{_b64(json.dumps({'alg': alg, 'kid': kit.key.kid}).encode())}.{_b64(json.dumps(_claims(kit)).encode())}."


def forge(kit: AuthKit, case: str, other: keys.SigningKey) -> str:
    """Builds the token of one attack vector."""
    public = serialization.load_pem_private_key(kit.key.private_pem, None).public_key()
    now = int(time.time())

    def sign(payload: dict, key: keys.SigningKey = kit.key, kid: str | None = None) -> str:
        return jwt.encode(payload, key.private_pem, algorithm="RS256", headers={"kid": kid or key.kid})

    def tampered() -> str:
        header, body, signature = sign(_claims(kit, roles=["auditor"])).split(".")
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        payload["roles"] = ["org_admin", "petitions_staff"]
        return f"{header}.{_b64(json.dumps(payload).encode())}.{signature}"

    builders: dict[str, Callable[[], str]] = {
        "alg_none": lambda: _unsigned(kit, "none"),
        "alg_none_upper": lambda: _unsigned(kit, "NONE"),
        "hs256_public_pem": lambda: _hmac(
            kit, public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        ),
        "hs256_public_der": lambda: _hmac(
            kit, public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        ),
        "hs256_jwk": lambda: _hmac(kit, kit.jwks_file.read_bytes()),
        "expired_beyond_leeway": lambda: sign(_claims(kit, exp=now - 31, iat=now - 600, nbf=now - 600)),
        "missing_exp": lambda: sign(_claims(kit, exp=None)),
        "future_nbf": lambda: sign(_claims(kit, nbf=now + 120)),
        "wrong_aud": lambda: sign(_claims(kit, aud="rank-internal")),
        "wrong_iss": lambda: sign(_claims(kit, iss="https://evil.example")),
        "unknown_kid": lambda: sign(_claims(kit), kid="unknown-kid"),
        "other_key_same_kid": lambda: sign(_claims(kit), key=other, kid=kit.key.kid),
        "tampered": tampered,
        "oversized_16k": lambda: sign(_claims(kit, pad="x" * 16384)),
        "garbage": lambda: "not.a.jwt",
        "empty": lambda: "",
    }
    return builders[case]()


@pytest.fixture(scope="module")
def other_key(tmp_path_factory) -> keys.SigningKey:
    return keys.generate(tmp_path_factory.mktemp("other-key"))


def _no_upstream(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the gateway called {request.url.path} with a bad token")


@pytest.fixture
async def gateway(gateway_settings):
    from gateway.clients.httpx_upstream import HttpxUpstream

    upstreams = {
        s: HttpxUpstream(
            s,
            f"http://{s}.internal",
            connect_timeout=1,
            pool_size=2,
            max_response_bytes=1024,
            transport=httpx.MockTransport(_no_upstream),
        )
        for s in ("rank", "appraisal", "petitions", "tolerance")
    }
    async with running(create_app(gateway_settings(), upstreams=upstreams)) as client:
        yield client


@pytest.mark.parametrize(
    "path", ["/api/v1/cadres", "/api/v1/cadres/c-1/dossier", "/api/v1/events", "/api/v1/dashboards/city"]
)
@pytest.mark.parametrize("case", VECTORS)
async def test_the_gateway_refuses_every_vector_without_calling_a_service(gateway, test_auth, other_key, case, path):
    response = await gateway.get(path, headers={"Authorization": f"Bearer {forge(test_auth, case, other_key)}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"access_token": "T"}, {}),
        ({"token": "T"}, {}),
        ({"jwt": "T"}, {}),
        ({}, {"Authorization": "Basic dXNlcjpwYXNz"}),
        ({}, {"Authorization": "T"}),
        ({}, {"X-User-Id": "admin", "X-User-Roles": "org_admin", "X-Org-Unit": "city"}),
    ],
)
async def test_tokens_in_the_query_other_schemes_and_identity_headers_are_refused(gateway, test_auth, params, headers):
    token = test_auth.token("org_admin", unit="city")
    params = {k: (token if v == "T" else v) for k, v in params.items()}
    headers = {k: (token if v == "T" else v) for k, v in headers.items()}
    response = await gateway.get("/api/v1/cadres", params=params, headers=headers)
    assert response.status_code == 401


async def test_a_valid_token_passes_the_gateway(gateway_settings, test_auth):
    def ok(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Bearer ")
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    from gateway.clients.httpx_upstream import HttpxUpstream

    upstreams = {
        "rank": HttpxUpstream(
            "rank",
            "http://rank.internal",
            connect_timeout=1,
            pool_size=2,
            max_response_bytes=1024,
            transport=httpx.MockTransport(ok),
        )
    }
    async with running(create_app(gateway_settings(), upstreams=upstreams)) as gateway:
        response = await gateway.get("/api/v1/cadres", headers=test_auth.headers("org_admin", unit="city"))
    assert response.status_code == 200


@pytest.fixture
async def rank_direct(fresh_db, nats_url, events_ns, test_auth):
    from services.rank.main import create_app as rank_app
    from services.rank.settings import RankSettings

    settings = settings_for(
        RankSettings, database_url=await fresh_db("rank"), nats_url=nats_url, namespace=events_ns, auth=test_auth
    )
    async with running(rank_app(settings)) as client:
        yield client


@pytest.mark.parametrize("case", VECTORS)
async def test_a_service_called_directly_refuses_every_vector(rank_direct, test_auth, other_key, case):
    response = await rank_direct.get(
        "/api/v1/cadres", headers={"Authorization": f"Bearer {forge(test_auth, case, other_key)}"}
    )
    assert response.status_code == 401, response.text


async def test_a_service_called_directly_trusts_no_identity_header_nor_query_token(rank_direct, test_auth):
    forged = await rank_direct.get(
        "/api/v1/cadres",
        headers={"X-User-Id": "admin", "X-User-Roles": "org_admin", "X-Forwarded-User": "admin", "X-Org-Unit": "city"},
    )
    query = await rank_direct.get("/api/v1/cadres", params={"access_token": test_auth.token("org_admin", unit="city")})
    assert forged.status_code == 401 and query.status_code == 401


async def test_keys_from_a_jwks_url_as_an_oidc_provider_publishes_them(gateway_settings, test_auth):
    from fastapi import FastAPI
    from fastapi.responses import Response

    from gateway.testing import closed_port_url, serving

    provider = FastAPI()

    @provider.get("/realms/youwei/protocol/openid-connect/certs")
    async def certs() -> Response:
        return Response(test_auth.jwks_file.read_bytes(), media_type="application/json")

    async with serving(provider) as idp:
        settings = gateway_settings(
            auth_jwks_file=None, auth_jwks_url=f"{idp}/realms/youwei/protocol/openid-connect/certs"
        )
        async with running(create_app(settings)) as gateway:
            ok = await gateway.get("/api/v1/events", headers=test_auth.headers("subscriber"))
            forged = await gateway.get(
                "/api/v1/events", headers={"Authorization": "Bearer " + forge(test_auth, "unknown_kid", test_auth.key)}
            )
    assert ok.status_code == 200 and forged.status_code == 401

    down = gateway_settings(auth_jwks_file=None, auth_jwks_url=f"{closed_port_url()}/certs")
    async with running(create_app(down)) as gateway:
        unavailable = await gateway.get("/api/v1/events", headers=test_auth.headers("subscriber"))
    assert unavailable.status_code == 503 and "127.0.0.1" not in unavailable.text
