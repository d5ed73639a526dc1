"""A running rank app for the foundation's HTTP tests."""

from __future__ import annotations

import pytest

from kernel.testing.helpers import running, settings_for
from services.rank.main import create_app
from services.rank.settings import RankSettings


@pytest.fixture
async def rank(fresh_db, nats_url, events_ns, test_auth):
    app = create_app(
        settings_for(
            RankSettings, database_url=await fresh_db("rank"), nats_url=nats_url, namespace=events_ns, auth=test_auth
        )
    )
    async with running(app) as client:
        client.app = app
        admin = test_auth.headers("org_admin", unit="city")
        response = await client.post(
            "/api/v1/org-units",
            headers={**admin, "Idempotency-Key": "root-city-unit"},
            json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
        )
        assert response.status_code == 201, response.text
        yield client
