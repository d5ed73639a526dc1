"""Shared pieces of the benchmarks: databases, a nats-server, child processes, percentiles, memory."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import make_url

from kernel.embedded import NatsServerProcess
from kernel.migrations import upgrade


def percentile(values: list[float], pct: float) -> float:
    """Returns the pct-th percentile (nearest rank) of values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(pct / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def peak_rss_mib() -> float:
    """Returns this process's peak resident memory in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    """Returns a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def postgres_available(url: str) -> bool:
    """Tells whether the PostgreSQL server at url answers."""
    import asyncpg

    try:
        conn = await asyncpg.connect(
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False), timeout=3
        )
        await conn.close()
        return True
    except Exception:
        return False


def pg_dsn(url: str) -> str:
    """The asyncpg DSN of a SQLAlchemy PostgreSQL URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def count_rows(url: str, table: str) -> int:
    """Counts a table's rows in a service database (SQLite read-only, or PostgreSQL), outside the services."""
    if url.startswith("sqlite"):
        import sqlite3

        def count() -> int:
            path = url.split(":///", 1)[1]
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
                return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])

        return await asyncio.to_thread(count)
    import asyncpg

    conn = await asyncpg.connect(pg_dsn(url))
    try:
        return int(await conn.fetchval(f'SELECT count(*) FROM "{table}"'))
    finally:
        await conn.close()


async def backends(args) -> list[str]:
    """The database backends to run on, from --backend (default: both when PostgreSQL answers)."""
    if args.backend == "sqlite":
        return ["sqlite"]
    if args.backend == "postgres":
        return ["postgres"]
    return ["sqlite", "postgres"] if await postgres_available(args.postgres_url) else ["sqlite"]


class Databases:
    """Fresh migrated databases for one benchmark run; PostgreSQL ones are dropped at the end."""

    def __init__(self, postgres_url: str) -> None:
        self.postgres_url = postgres_url
        self.tmp = Path(tempfile.mkdtemp(prefix="youwei-bench-"))
        self.created: list[str] = []

    async def fresh(self, service: str, backend: str, *, migrate: bool = True) -> str:
        """Returns the URL of a new (migrated) database for a service."""
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{self.tmp / f'{service}-{uuid.uuid4().hex[:6]}.db'}"
        else:
            import asyncpg

            name = f"bench_{service}_{uuid.uuid4().hex[:8]}"
            admin = make_url(self.postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
            conn = await asyncpg.connect(admin)
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()
            self.created.append(name)
            url = make_url(self.postgres_url).set(database=name).render_as_string(hide_password=False)
        if migrate:
            await asyncio.to_thread(upgrade, service, url)
        return url

    async def close(self) -> None:
        """Drops the PostgreSQL databases and removes the SQLite files."""
        if self.created:
            import asyncpg

            admin = make_url(self.postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
            conn = await asyncpg.connect(admin)
            try:
                for name in self.created:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextmanager
def nats_server() -> Iterator[NatsServerProcess]:
    """A throwaway nats-server (JetStream, sync_interval always) on a free loopback port."""
    store = Path(tempfile.mkdtemp(prefix="youwei-bench-nats-"))
    server = NatsServerProcess(store_dir=store / "store").start()
    try:
        yield server
    finally:
        server.kill()
        shutil.rmtree(store, ignore_errors=True)


@contextmanager
def child(
    cmd: list[str], *, env: dict[str, str] | None = None, ready_url: str | None = None, timeout: float = 30.0
) -> Iterator[subprocess.Popen]:
    """Runs a child process, waiting until ready_url answers 200; at the end it is asked to stop (SIGTERM, so that
    a profiled child writes its profile) and killed if it has not within 10 s."""
    import httpx

    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        if ready_url:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{cmd[:3]} exited: {proc.stderr.read().decode()[-2000:]}")
                try:
                    if httpx.get(ready_url, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{ready_url} not ready")
                time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def python() -> str:
    """The interpreter running the benchmark."""
    return sys.executable


# -- seeding: rows as the services write them, inserted in bulk ------------------------------------------------
async def insert_chunks(conn: Any, table: Any, rows: list[dict], size: int = 5000) -> None:
    """Inserts rows in executemany chunks (one statement per chunk keeps the driver's buffers bounded)."""
    for i in range(0, len(rows), size):
        await conn.execute(insert(table), rows[i : i + size])


def directory_units(units: list[str], now: dt.datetime) -> list[dict[str, Any]]:
    """A consumer's directory of org units: the city and one municipal agency per name, as rank announces them."""
    city = {
        "org_unit_id": "city",
        "parent_id": None,
        "name": "city",
        "agency_level": "CITY_LEADERSHIP",
        "path": "/city/",
        "active": True,
        "updated_at": now,
    }
    return [city] + [
        {
            "org_unit_id": u,
            "parent_id": "city",
            "name": u,
            "agency_level": "MUNICIPAL_AGENCY",
            "path": f"/city/{u}/",
            "active": True,
            "updated_at": now,
        }
        for u in units
    ]


def directory_cadre(cadre_id: str, unit: str, now: dt.datetime, **fields: Any) -> dict[str, Any]:
    """A consumer's directory row of one cadre under the city; `fields` override the defaults."""
    row = {
        "cadre_id": cadre_id,
        "name": cadre_id,
        "gender": "MALE",
        "birth_date": dt.date(1980, 1, 1),
        "org_unit_id": unit,
        "org_path": f"/city/{unit}/",
        "category": "COMPREHENSIVE",
        "rank_code": None,
        "level": None,
        "post_code": None,
        "leadership": False,
        "relative_ids": "[]",
        "active": True,
        "updated_at": now,
    }
    row.update(fields)
    return row
