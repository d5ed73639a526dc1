"""Every service's migrations: empty → head → base → head, and the models match them (R13), on both databases."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.migrations import alembic_config, downgrade, upgrade
from kernel.testing.plugin import _pg_exec
from suite.composition import SERVICES


@pytest.fixture
def empty_db(db_backend, tmp_path, request):
    if db_backend == "sqlite":
        yield lambda service: f"sqlite+aiosqlite:///{tmp_path / (service + '.db')}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    created = []

    def make(service: str) -> str:
        name = f"t_mig_{service}_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_exec(admin, f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    yield make
    asyncio.run(_pg_exec(admin, *[f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in created]))


def _diff(url: str, service: str) -> list:
    metadata = __import__(f"services.{service}.adapters.orm", fromlist=["metadata"]).metadata

    async def run() -> list:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                    )
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.mark.parametrize("service", SERVICES)
def test_single_head(service):
    assert len(ScriptDirectory.from_config(alembic_config(service)).get_heads()) == 1


@pytest.mark.parametrize("service", SERVICES)
def test_up_down_up_leaves_models_and_schema_equal(service, empty_db):
    url = empty_db(service)
    upgrade(service, url)
    assert _diff(url, service) == [], "models and migrations differ: generate a revision"
    downgrade(service, url, "base")
    assert _tables(url) <= {"alembic_version"}, "downgrade left tables behind"
    upgrade(service, url)
    assert _diff(url, service) == []
