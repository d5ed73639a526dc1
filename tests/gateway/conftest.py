"""Fixtures of the gateway tests: settings, and the real rank app on a free loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from gateway.settings import GatewaySettings
from gateway.testing import gateway_test_settings, serving
from kernel.testing.helpers import AuthKit, settings_for


@pytest.fixture
def gateway_settings(test_auth: AuthKit) -> Callable[..., GatewaySettings]:
    """Returns a factory of gateway settings for tests (every upstream stopped unless given)."""

    def make(**overrides: Any) -> GatewaySettings:
        return gateway_test_settings(test_auth, **overrides)

    return make


@pytest.fixture
async def rank_service(fresh_db, nats_url: str, events_ns: str, test_auth: AuthKit) -> AsyncIterator[str]:
    """The real rank app under uvicorn on a free loopback port (SQLite or PostgreSQL, real NATS); yields its URL."""
    from services.rank.main import create_app
    from services.rank.settings import RankSettings

    settings = settings_for(
        RankSettings, database_url=await fresh_db("rank"), nats_url=nats_url, namespace=events_ns, auth=test_auth
    )
    async with serving(create_app(settings)) as url:
        yield url
