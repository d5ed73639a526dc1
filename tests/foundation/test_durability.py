"""SQLite contention (R12), durability across kill -9 (R11), and the refusal of non-durable settings."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.db import SQLITE_MMAP_BYTES, Database, DurabilityError, make_database

pytestmark = pytest.mark.slow


def cadre(n: int, tag: str) -> dict:
    return {
        "name": f"Cadre {tag} {n:05d}",
        "gender": "FEMALE" if n % 2 else "MALE",
        "birth_date": "1985-05-05",
        "entry_date": "2008-07-01",
        "org_unit_id": "city",
    }


async def test_fifty_concurrent_writers_never_see_database_is_locked(rank, test_auth):
    admin = test_auth.headers("org_admin", unit="city")
    statuses: list[int] = []
    latencies: list[float] = []
    tag = uuid.uuid4().hex[:6]

    async def writer(w: int) -> None:
        for i in range(20):
            started = time.perf_counter()
            response = await rank.post(
                "/api/v1/cadres", json=cadre(w * 100 + i, tag), headers={**admin, "Idempotency-Key": uuid.uuid4().hex}
            )
            latencies.append(time.perf_counter() - started)
            statuses.append(response.status_code)

    await asyncio.gather(*(writer(w) for w in range(50)))
    assert statuses.count(201) == 1000, {s: statuses.count(s) for s in set(statuses)}
    latencies.sort()
    print(f"\n50 writers x 20: p50 {latencies[500] * 1000:.1f} ms, p99 {latencies[990] * 1000:.1f} ms")


async def test_startup_refuses_a_sqlite_database_that_is_not_durable(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'weak.db'}"
    engine = create_async_engine(url)

    @event.listens_for(engine.sync_engine, "connect")
    def weak(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    with pytest.raises(DurabilityError, match="synchronous"):
        await Database(url=url, writer=engine, reader=engine).verify_durability()
    await engine.dispose()
    good = make_database(url)
    await good.verify_durability()
    await good.dispose()


async def test_sqlite_connections_read_through_a_memory_map_and_stay_durable(tmp_path):
    db = make_database(f"sqlite+aiosqlite:///{tmp_path / 'mapped.db'}")
    for engine in (db.writer, db.reader):
        async with engine.connect() as conn:
            pragmas = [(await conn.exec_driver_sql(f"PRAGMA {name}")).scalar() for name in ("mmap_size", "synchronous")]
        assert pragmas == [SQLITE_MMAP_BYTES, 2]  # 2: FULL
    await db.verify_durability()
    await db.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_rank(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "services.rank.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise TimeoutError("rank did not start")


async def test_every_acknowledged_write_survives_kill_9_of_the_service(
    tmp_path, nats_url, events_ns, test_auth, sqlite_templates
):
    import shutil

    db_file = tmp_path / "rank.db"
    shutil.copyfile(sqlite_templates["rank"], db_file)
    port = _free_port()
    env = {
        "RANK_DATABASE_URL": f"sqlite+aiosqlite:///{db_file}",
        "RANK_NATS_URL": nats_url,
        "RANK_EVENTS_NAMESPACE": events_ns,
        "RANK_ENVIRONMENT": "test",
        "RANK_LOG_LEVEL": "WARNING",
        **{f"RANK_{k.upper()}": str(v) for k, v in test_auth.settings_overrides().items()},
    }
    admin = test_auth.headers("org_admin", unit="city")
    acknowledged: dict[str, str] = {}
    proc = _start_rank(env, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            r = await client.post(
                "/api/v1/org-units",
                headers={**admin, "Idempotency-Key": "root-unit-key"},
                json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
            )
            assert r.status_code == 201, r.text
            tag = uuid.uuid4().hex[:6]
            counter = iter(range(10_000))

            async def writer() -> None:
                while True:
                    n = next(counter)
                    try:
                        r = await client.post(
                            "/api/v1/cadres", json=cadre(n, tag), headers={**admin, "Idempotency-Key": f"k-{tag}-{n}"}
                        )
                    except httpx.HTTPError:
                        return  # the process was killed under us
                    if r.status_code == 201:
                        acknowledged[r.json()["id"]] = cadre(n, tag)["name"]

            writers = [asyncio.create_task(writer()) for _ in range(4)]
            while len(acknowledged) < 1000:
                await asyncio.sleep(0.01)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            await asyncio.gather(*writers)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert len(acknowledged) >= 1000

    with sqlite3.connect(db_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = dict(conn.execute("SELECT id, name FROM cadre").fetchall())
    missing = [cid for cid in acknowledged if cid not in stored]
    assert missing == [], f"{len(missing)} acknowledged writes lost"
    assert all(stored[cid] == name for cid, name in acknowledged.items())

    proc = _start_rank(env, port)  # and it starts again on the same file
    try:
        some = next(iter(acknowledged))
        r = httpx.get(f"http://127.0.0.1:{port}/api/v1/cadres/{some}", headers=admin, timeout=5)
        assert r.status_code == 200 and r.json()["name"] == acknowledged[some]
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
