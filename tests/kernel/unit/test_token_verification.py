"""JWT attack vectors of docs/reliability.md S5 against the shared verifier (the services and the gateway use it)."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from kernel import keys
from kernel.auth import AuthError, Role, TokenVerifier


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    directory = tmp_path_factory.mktemp("k")
    key = keys.generate(directory)
    other = keys.generate(tmp_path_factory.mktemp("other"))
    verifier = TokenVerifier(issuer="iss", audience="youwei", algorithms=["RS256"], jwks_file=keys.jwks_path(directory))
    return key, other, verifier, directory


def claims(**over):
    now = int(time.time())
    base = {
        "sub": "u1",
        "roles": ["org_admin"],
        "unit": "city",
        "iss": "iss",
        "aud": "youwei",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def sign(key, payload, **headers):
    return jwt.encode(payload, key.private_pem, algorithm="RS256", headers={"kid": key.kid, **headers})


async def test_a_valid_token_gives_its_principal(kit):
    key, _, verifier, _ = kit
    principal = await verifier.verify(sign(key, claims(cadre_id="c-1")))
    assert (
        principal.roles == frozenset({Role.ORG_ADMIN}) and principal.unit_id == "city" and principal.cadre_id == "c-1"
    )


def _unsigned(payload: dict, alg: str) -> str:
    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': alg, 'typ': 'JWT', 'kid': 'x'})}.{b64(payload)}."


@pytest.mark.parametrize(
    "case",
    [
        "alg_none",
        "hs256_with_public_pem",
        "hs256_with_jwk",
        "expired",
        "future_nbf",
        "wrong_aud",
        "wrong_iss",
        "unknown_kid",
        "other_key_same_kid",
        "tampered",
        "oversized",
        "missing_exp",
        "missing_nbf",
        "missing_aud",
        "missing_iss",
        "garbage",
    ],
)
async def test_attack_vectors_are_refused(kit, case):
    key, other, verifier, directory = kit
    public_pem = (
        serialization.load_pem_private_key(key.private_pem, None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    now = int(time.time())
    token = {
        "alg_none": lambda: _unsigned(claims(), "none"),
        "hs256_with_public_pem": lambda: _hmac(public_pem, key.kid),
        "hs256_with_jwk": lambda: _hmac((directory / "jwks.json").read_bytes(), key.kid),
        "expired": lambda: sign(key, claims(exp=now - 31, iat=now - 600, nbf=now - 600)),
        "future_nbf": lambda: sign(key, claims(nbf=now + 120)),
        "wrong_aud": lambda: sign(key, claims(aud="rank-internal")),
        "wrong_iss": lambda: sign(key, claims(iss="evil")),
        "unknown_kid": lambda: jwt.encode(claims(), key.private_pem, algorithm="RS256", headers={"kid": "nope"}),
        "other_key_same_kid": lambda: jwt.encode(
            claims(), other.private_pem, algorithm="RS256", headers={"kid": key.kid}
        ),
        "tampered": lambda: _tamper(sign(key, claims())),
        "oversized": lambda: sign(key, claims(pad="x" * 16384)),
        "missing_exp": lambda: sign(key, claims(exp=None)),
        "missing_nbf": lambda: sign(key, claims(nbf=None)),
        "missing_aud": lambda: sign(key, claims(aud=None)),
        "missing_iss": lambda: sign(key, claims(iss=None)),
        "garbage": lambda: "a.b.c",
    }[case]()
    with pytest.raises(AuthError):
        await verifier.verify(token)


def _hmac(secret: bytes, kid: str) -> str:
    import hashlib
    import hmac

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64(json.dumps(claims()).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def _tamper(token: str) -> str:
    header, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["roles"] = ["org_admin", "petitions_staff"]
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_symmetric_algorithms_cannot_be_configured(tmp_path):
    with pytest.raises(ValueError):
        TokenVerifier(issuer="i", audience="a", algorithms=["HS256"], jwks_file=tmp_path / "x.json")
