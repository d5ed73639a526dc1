"""Fixtures of the gateway tests: settings, a closed port for a stopped service, the real rank app on loopback."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from gateway.settings import GatewaySettings
from gateway.testing import serving
from kernel.testing.helpers import AuthKit, settings_for


def closed_port_url() -> str:
    """Returns the URL of a loopback port nobody listens on (a stopped service)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def gateway_settings(test_auth: AuthKit) -> Callable[..., GatewaySettings]:
    """Returns a factory of gateway settings for tests (every upstream stopped unless given)."""

    def make(**overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = dict(
            environment="test", log_level="WARNING", auth_jwks_file=test_auth.jwks_file, auth_issuer=test_auth.issuer,
            auth_audience=test_auth.audience, upstream_timeout=3.0, part_timeout=1.0, feed_enabled=False,
        )
        for name in ("rank", "appraisal", "petitions", "tolerance"):
            values[f"{name}_url"] = closed_port_url()
        values.update(overrides)
        return GatewaySettings(_env_file=None, **values)

    return make


@pytest.fixture
async def rank_service(fresh_db, nats_url: str, events_ns: str, test_auth: AuthKit) -> AsyncIterator[str]:
    """The real rank app under uvicorn on a free loopback port (SQLite or PostgreSQL, real NATS); yields its URL."""
    from services.rank.main import create_app
    from services.rank.settings import RankSettings

    settings = settings_for(RankSettings, database_url=await fresh_db("rank"), nats_url=nats_url, namespace=events_ns,
                            auth=test_auth)
    async with serving(create_app(settings)) as url:
        yield url
