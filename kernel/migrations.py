"""The shared body of every service's Alembic env.py (async engine, batch mode on SQLite, empty revisions dropped).

The kernel names no service: each `migrations/<service>/env.py` hands in its own metadata and settings class, and
the services that have migrations are the sections of alembic.ini (suite/composition.py composes the suite)."""

from __future__ import annotations

import asyncio
import configparser
from pathlib import Path
from typing import Any

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _project_root() -> Path:
    """Finds alembic.ini: $YOUWEI_ROOT, the working directory (the image's /app), then the source checkout."""
    import os

    for candidate in (os.environ.get("YOUWEI_ROOT"), Path.cwd(), Path(__file__).resolve().parent.parent):
        if candidate and (Path(candidate) / "alembic.ini").is_file():
            return Path(candidate)
    return Path(__file__).resolve().parent.parent


ROOT = _project_root()


def migrated_services() -> tuple[str, ...]:
    """The services with migrations: the sections of alembic.ini that name a script location, in file order."""
    parser = configparser.ConfigParser()
    parser.read(ROOT / "alembic.ini", encoding="utf-8")
    return tuple(s for s in parser.sections() if parser.has_option(s, "script_location") and s != "DEFAULT")


def database_url(settings_class: type) -> str:
    """Resolves the URL: `-x url=...` or config attribute first, then the service's settings (env/.env)."""
    config = context.config
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    return url or settings_class().database_url


def _drop_empty(ctx: Any, revision: Any, directives: list) -> None:
    # dispatch's trick: an autogenerate run that finds nothing writes no revision file.
    if getattr(context.config.cmd_opts, "autogenerate", False) and directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def _configure(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        process_revision_directives=_drop_empty,
    )


def _run_sync(connection: Connection, metadata: MetaData) -> None:
    _configure(connection, metadata)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str, metadata: MetaData) -> None:
    if url.startswith("sqlite"):
        db_file = url.split("///", 1)[-1]
        if db_file and db_file != ":memory:":
            Path(db_file).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, poolclass=pool.NullPool, hide_parameters=True)
    try:
        async with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                await connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            await connection.run_sync(_run_sync, metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def run(metadata: MetaData, settings_class: type) -> None:
    """Runs a service's migrations (its tables' `metadata`, its settings for the URL) offline or online."""
    connection = context.config.attributes.get("connection")
    if connection is not None:  # a caller (test) passes a sync connection
        _run_sync(connection, metadata)
        return
    url = database_url(settings_class)
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=metadata, literal_binds=True, render_as_batch=url.startswith("sqlite")
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    _run_coroutine(_run_async(url, metadata))


def _run_coroutine(coro: Any) -> None:
    """Runs a coroutine to completion, in a worker thread when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def alembic_config(service: str, url: str | None = None) -> Any:
    """Returns an Alembic Config for a service section of the project's alembic.ini."""
    from alembic.config import Config

    ini = ROOT / "alembic.ini"
    config = Config(str(ini), ini_section=service)
    config.set_main_option("script_location", str(ROOT / "migrations" / service))
    if url:
        config.attributes["url"] = url
    return config


def upgrade(service: str, url: str, revision: str = "head") -> None:
    """Upgrades a service's database (used by the launcher, the CLI and tests)."""
    from alembic import command

    command.upgrade(alembic_config(service, url), revision)


def downgrade(service: str, url: str, revision: str = "base") -> None:
    """Downgrades a service's database."""
    from alembic import command

    command.downgrade(alembic_config(service, url), revision)
