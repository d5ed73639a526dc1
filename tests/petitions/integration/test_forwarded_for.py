"""Per-address limits of the public endpoints under a real uvicorn (issue 11 item 7): X-Forwarded-For counts only
from a trusted proxy, so rotating it does not reset a limit, and the gateway gives each citizen their own bucket."""

from __future__ import annotations

import httpx
import pytest

from gateway.testing import serving
from kernel import deps
from services.petitions.main import create_app
from services.petitions.settings import PetitionsSettings
from tests.petitions.support import TODAY, seed_directory

BODY = {"org_unit_id": "city", "content": "facts"}


async def _answers(settings, forwarded_for: list[str]) -> list[int]:
    app = create_app(settings)
    app.dependency_overrides[deps.today] = lambda: TODAY
    async with serving(app) as url:
        await seed_directory(app)
        async with httpx.AsyncClient(base_url=url) as client:
            return [
                (
                    await client.post("/api/v1/public/reports", json=BODY, headers={"X-Forwarded-For": address})
                ).status_code
                for address in forwarded_for
            ]


async def test_rotating_x_forwarded_for_directly_at_the_service_does_not_reset_the_limit(petitions_settings):
    # Before: uvicorn trusted X-Forwarded-For from 127.0.0.1 and every rotated address got a fresh bucket.
    answers = await _answers(
        await petitions_settings(public_intake_per_hour=2), ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]
    )
    assert answers == [201, 201, 429, 429]


async def test_behind_a_trusted_gateway_each_client_address_has_its_own_bucket(petitions_settings):
    settings = await petitions_settings(public_intake_per_hour=2, trusted_proxies=["127.0.0.1"])
    answers = await _answers(settings, ["203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"])
    assert answers == [201, 201, 429, 201]


async def test_a_trusted_network_is_trusted_like_an_address_and_a_malformed_entry_is_refused(petitions_settings):
    # Kubernetes: the gateway's replicas have no fixed address; petitions trusts the pod network instead.
    settings = await petitions_settings(public_intake_per_hour=2, trusted_proxies=["127.0.0.0/8"])
    answers = await _answers(settings, ["203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"])
    assert answers == [201, 201, 429, 201]
    with pytest.raises(ValueError, match="trusted_proxies"):
        PetitionsSettings(environment="test", trusted_proxies=["gateway"])
