"""Fixtures of the petitions tests: the petitions app on a fresh database with real NATS, a seeded directory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from kernel.testing.harness import serve
from kernel.testing.helpers import settings_for
from services.petitions.main import create_app
from services.petitions.settings import PetitionsSettings
from tests.petitions.support import TODAY, Api, seed_directory, vault_key


@pytest.fixture
def petitions_settings(fresh_db, nats_url, events_ns, test_auth) -> Callable[..., Any]:
    """Returns an async factory of petitions settings for a test (a fresh database each call)."""

    async def make(**overrides: Any) -> PetitionsSettings:
        # The periodic jobs are run explicitly (with a chosen day) except where a test is about the jobs.
        values: dict[str, Any] = dict(vault_key=vault_key(), receipt_scrypt_n=2**12, periodic_jobs=False)
        values.update(overrides)
        return settings_for(
            PetitionsSettings,
            database_url=await fresh_db("petitions"),
            nats_url=nats_url,
            namespace=events_ns,
            auth=test_auth,
            **values,
        )

    return make


@pytest.fixture
def petitions_api(petitions_settings, test_auth) -> Callable[..., Any]:
    """Returns a context manager that runs a petitions app (seeded directory, today fixed) and yields an Api."""

    @asynccontextmanager
    async def start(*, today: Any = TODAY, seed: bool = True, **overrides: Any) -> AsyncIterator[Api]:
        async with serve(create_app, await petitions_settings(**overrides), today=today) as served:
            if seed:
                await seed_directory(served.app)
            yield Api.of(served, test_auth)

    return start


@pytest.fixture
async def api(petitions_api) -> AsyncIterator[Api]:
    """A running petitions app with the test directory, today fixed to TODAY."""
    async with petitions_api() as client:
        yield client
