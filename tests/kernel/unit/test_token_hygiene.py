"""Token hygiene (issue 11 item 10): NumericDate claims must be numbers, and a token may not live too long."""

from __future__ import annotations

import time

import jwt
import pytest

from kernel import keys
from kernel.auth import AuthError, TokenVerifier


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    directory = tmp_path_factory.mktemp("k")
    return keys.generate(directory), keys.jwks_path(directory)


def verifier(jwks, **kw) -> TokenVerifier:
    return TokenVerifier(issuer="iss", audience="youwei", algorithms=["RS256"], jwks_file=jwks, **kw)


def token(key, **over) -> str:
    now = int(time.time())
    claims = {
        "sub": "u1",
        "roles": ["org_admin"],
        "iss": "iss",
        "aud": "youwei",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    claims.update(over)
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("kind", ["string", "bool", "list"])
async def test_time_claims_must_be_numbers(key, claim, kind):
    signing, jwks = key
    now = int(time.time())
    value = {"exp": now + 300, "nbf": now, "iat": now}[claim]
    bad = {"string": str(value), "bool": True, "list": [value]}[kind]
    with pytest.raises(AuthError):
        await verifier(jwks).verify(token(signing, **{claim: bad}))


async def test_float_time_claims_are_numbers_too(key):
    signing, jwks = key
    now = time.time()
    principal = await verifier(jwks).verify(token(signing, iat=now, nbf=now, exp=now + 300.5))
    assert principal.subject == "u1"


async def test_a_token_for_a_century_is_refused(key):
    signing, jwks = key
    now = int(time.time())
    with pytest.raises(AuthError, match="lifetime"):
        await verifier(jwks).verify(token(signing, exp=now + 100 * 365 * 86400))


async def test_the_maximum_lifetime_is_a_setting_with_a_twelve_hour_default(key):
    signing, jwks = key
    now = int(time.time())
    twelve_hours = token(signing, exp=now + 12 * 3600)
    thirteen_hours = token(signing, exp=now + 13 * 3600)
    assert (await verifier(jwks).verify(twelve_hours)).subject == "u1"
    with pytest.raises(AuthError):
        await verifier(jwks).verify(thirteen_hours)
    assert (await verifier(jwks, max_lifetime_s=24 * 3600).verify(thirteen_hours)).subject == "u1"
    with pytest.raises(AuthError):
        await verifier(jwks, max_lifetime_s=3600).verify(token(signing, exp=now + 7200))


def test_services_and_the_gateway_pass_the_setting_to_their_verifier(tmp_path):
    from gateway.settings import GatewaySettings
    from gateway.state import GatewayState
    from kernel.runtime import ServiceRuntime
    from services.rank.settings import RankSettings

    jwks = tmp_path / "jwks.json"
    jwks.write_text('{"keys": []}')
    gateway = GatewaySettings(_env_file=None, auth_jwks_file=jwks, auth_max_token_lifetime_s=600)
    service = RankSettings(_env_file=None, auth_jwks_file=jwks, auth_max_token_lifetime_s=900)
    assert GatewayState(gateway).make_verifier().max_lifetime_s == 600
    runtime = ServiceRuntime.__new__(ServiceRuntime)
    runtime.settings = service
    assert runtime.make_verifier().max_lifetime_s == 900
    assert GatewaySettings(_env_file=None).auth_max_token_lifetime_s == 12 * 3600


def test_youwei_token_mints_within_the_default_maximum():
    from suite import cli

    args = cli.build_parser().parse_args(["token", "--role", "org_admin"])
    assert args.ttl <= 12 * 3600
