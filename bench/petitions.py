"""Petitions: intake of 100,000 reports through the HTTP API and the overdue-deadline queries over them.

The petitions service runs as a uvicorn child process on loopback (its whole stack: auth, validation, sealing into
the vault, deadlines, audit chain, Idempotency-Key, one transaction per report) with a real nats-server; this
process is the client (8 concurrent connections, aiohttp). Reports are received over the last 90 days, 60%
real-name, so tens of thousands of acceptance notices are overdue. Then: the overdue list (first page overall and
for one unit, and paged to the end), the dashboard count, and the sweep that breaches every overdue deadline (one
deadline_breached each, written to the outbox). Every phase is bounded in count and time; peak memory is the
service process's high-water mark during the phase (/proc/<pid>/status VmHWM after clear_refs).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.common import (
    Databases,
    backends,
    child,
    directory_cadre,
    directory_units,
    free_port,
    insert_chunks,
    nats_server,
    percentile,
)
from kernel import keys
from kernel.db import make_database, utcnow
from kernel.deps import china_today
from kernel.outbox import OutboxWriter
from services.petitions.adapters import orm
from services.petitions.service_layer import deadlines
from services.petitions.service_layer.publishing import to_contracts
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork

CONCURRENCY = 8
UNITS = 50
CADRES = 5000
PHASE_LIMIT_S = 5400.0
QUERY_RUNS = 200


def _status_mib(pid: int, field: str) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def reset_peak(pid: int) -> float | None:
    """Resets the peak-RSS mark of a process (Linux clear_refs 5); returns its current RSS in MiB."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass
    return _status_mib(pid, "VmRSS")


def phase_peak(pid: int) -> float | None:
    """Returns the peak RSS (MiB) of a process since the last reset."""
    return _status_mib(pid, "VmHWM")


def _stats(latencies: list[float], wall: float) -> dict[str, Any]:
    return {
        "count": len(latencies),
        "wall_s": round(wall, 2),
        "per_s": round(len(latencies) / wall, 1) if wall else 0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2) if latencies else None,
    }


async def _seed_directory(url: str) -> None:
    now = utcnow()
    units = [f"u{i:02d}" for i in range(UNITS)]
    cadres = [directory_cadre(f"c{i:05d}", units[i % UNITS], now) for i in range(CADRES)]
    db = make_database(url, pool_size=2)
    try:
        async with db.writer.begin() as conn:
            await insert_chunks(conn, orm.directory.org_unit, directory_units(units, now))
            await insert_chunks(conn, orm.directory.cadre, cadres)
    finally:
        await db.dispose()


def _body(rng: random.Random, i: int, today: dt.date) -> dict[str, Any]:
    cadre = rng.randrange(CADRES)
    body: dict[str, Any] = {
        "channel": rng.choice(["LETTER", "VISIT", "PHONE_12388", "ONLINE"]),
        "received_on": (today - dt.timedelta(days=rng.randrange(90))).isoformat(),
        "content": f"Report {i}: the accused accepted gifts from a contractor and approved its invoices " * 3,
        "accused_cadre_ids": [f"c{cadre:05d}"],
        "handling_org_unit_id": f"u{cadre % UNITS:02d}",
        "category": "integrity",
    }
    if rng.random() < 0.6:
        body["reporter"] = {"name": f"Reporter {i}", "phone": f"139{i:08d}", "address": f"{i} Bench Road"}
    return body


async def _intake(
    session: aiohttp.ClientSession, base: str, headers: dict[str, str], count: int, today: dt.date
) -> tuple[list[float], float, int]:
    rng = random.Random(11)
    bodies = iter(_body(rng, i, today) for i in range(count))
    latencies: list[float] = []
    failures = 0
    started = time.perf_counter()

    async def worker() -> None:
        nonlocal failures
        for body in bodies:
            if time.perf_counter() - started > PHASE_LIMIT_S:
                return
            t0 = time.perf_counter()
            async with session.post(
                base + "/api/v1/reports", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
            ) as response:
                await response.read()
                ok = response.status == 201
            latencies.append(time.perf_counter() - t0)
            failures += 0 if ok else 1

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return latencies, time.perf_counter() - started, failures


async def _public(session: aiohttp.ClientSession, base: str, count: int) -> tuple[list[float], float]:
    latencies = []
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        async with session.post(
            base + "/api/v1/public/reports", json={"org_unit_id": "city", "content": f"public {i}"}
        ) as response:
            await response.read()
            assert response.status == 201
        latencies.append(time.perf_counter() - t0)
    return latencies, time.perf_counter() - started


async def _timed(session: aiohttp.ClientSession, url: str, headers: dict[str, str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        async with session.get(url, headers=headers) as response:
            await response.read()
            assert response.status == 200
        out.append(time.perf_counter() - t0)
    return out


async def _sweep(url: str, today: dt.date) -> dict[str, Any]:
    """Runs the breach sweep as the periodic job does (one transaction per batch of 500)."""
    db = make_database(url, pool_size=2)
    outbox = OutboxWriter(orm.kernel_tables.outbox, "petitions", "cadre")
    try:

        def uow() -> PetitionsUnitOfWork:
            return PetitionsUnitOfWork(db=db, tables=orm.kernel_tables, outbox=outbox, to_contracts=to_contracts)

        started = time.perf_counter()
        swept = await deadlines.sweep(uow, today=today, batch=500)
        wall = time.perf_counter() - started
        async with db.reader.connect() as conn:
            events = (
                await conn.execute(
                    select(func.count())
                    .select_from(orm.kernel_tables.outbox)
                    .where(orm.kernel_tables.outbox.c.subject == "petitions.deadline_breached.v1")
                )
            ).scalar_one()
        return {
            **swept,
            "wall_s": round(wall, 2),
            "breaches_per_s": round(swept["breached"] / wall, 1) if wall else 0,
            "deadline_breached_in_outbox": events,
        }
    finally:
        await db.dispose()


async def _counts(url: str, today: dt.date) -> dict[str, int]:
    db = make_database(url, pool_size=2)
    try:
        async with db.reader.connect() as conn:
            d = orm.deadline
            return {
                "reports": (await conn.execute(select(func.count()).select_from(orm.report))).scalar_one(),
                "vault": (await conn.execute(select(func.count()).select_from(orm.reporter_vault))).scalar_one(),
                "deadlines": (await conn.execute(select(func.count()).select_from(d))).scalar_one(),
                "overdue": (
                    await conn.execute(select(func.count()).where(d.c.status == "OPEN", d.c.due_on < today))
                ).scalar_one(),
                "audit_rows": (await conn.execute(select(func.count()).select_from(orm.audit_log))).scalar_one(),
            }
    finally:
        await db.dispose()


async def run_backend(
    backend: str, url: str, nats_url: str, auth: keys.SigningKey, jwks: Path, count: int, public: int
) -> dict[str, Any]:
    """Runs every phase on one backend against a uvicorn child process."""
    await _seed_directory(url)
    port = free_port()
    env = {
        "PETITIONS_ENVIRONMENT": "test",
        "PETITIONS_DATABASE_URL": url,
        "PETITIONS_NATS_URL": nats_url,
        "PETITIONS_EVENTS_NAMESPACE": f"bench{backend}",
        "PETITIONS_AUTH_JWKS_FILE": str(jwks),
        "PETITIONS_AUTH_ISSUER": "bench",
        "PETITIONS_LOG_LEVEL": "WARNING",
        "PETITIONS_VAULT_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "PETITIONS_PUBLIC_INTAKE_PER_HOUR": "1000000",
        "PETITIONS_PERIODIC_JOBS": "false",
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "services.petitions.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    base = f"http://127.0.0.1:{port}"
    today = china_today()

    def token(role: str) -> dict[str, str]:
        return {
            "Authorization": "Bearer "
            + auth.mint(
                subject=f"bench-{role}", roles=[role], unit="city", issuer="bench", audience="youwei", ttl_s=4 * 3600
            )
        }

    result: dict[str, Any] = {"backend": backend}
    with child(cmd, env=env, ready_url=base + "/health/ready", timeout=60) as proc:
        pid = proc.pid
        connector = aiohttp.TCPConnector(limit=CONCURRENCY * 2)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
            result["rss_at_start_mib"] = reset_peak(pid)
            latencies, wall, failures = await _intake(session, base, token("petitions_staff"), count, today)
            result["intake"] = {
                **_stats(latencies, wall),
                "failures": failures,
                "concurrency": CONCURRENCY,
                "peak_rss_mib": phase_peak(pid),
            }
            reset_peak(pid)
            latencies, wall = await _public(session, base, public)
            result["public_intake_scrypt_2^14"] = {**_stats(latencies, wall), "peak_rss_mib": phase_peak(pid)}
            result["rows"] = await _counts(url, today)
            reader = token("auditor")
            reset_peak(pid)
            first = await _timed(session, base + "/api/v1/deadlines?state=OVERDUE&limit=100", reader, QUERY_RUNS)
            unit = await _timed(
                session, base + "/api/v1/deadlines?state=OVERDUE&limit=100&org_unit_id=u07", reader, QUERY_RUNS
            )
            dashboard = await _timed(session, base + "/api/v1/dashboard-parts/petitions?org_unit_id=city", reader, 50)
            pages, cursor, page_times, started = 0, None, [], time.perf_counter()
            while pages < 10_000:
                t0 = time.perf_counter()
                query = "/api/v1/deadlines?state=OVERDUE&limit=100" + (f"&cursor={cursor}" if cursor else "")
                async with session.get(base + query, headers=reader) as response:
                    page = await response.json()
                page_times.append(time.perf_counter() - t0)
                pages += 1
                cursor = page["next_cursor"]
                if not cursor:
                    break
            result["overdue_query"] = {
                "first_page_root": _stats(first, sum(first)),
                "first_page_one_unit": _stats(unit, sum(unit)),
                "dashboard_count": _stats(dashboard, sum(dashboard)),
                "all_pages": {**_stats(page_times, time.perf_counter() - started), "pages": pages},
                "peak_rss_mib": phase_peak(pid),
            }
    result["breach_sweep"] = await _sweep(url, today)
    return result


async def run(args: Any) -> dict[str, Any]:
    """Runs the benchmark on SQLite and PostgreSQL (--quick: 2,000 reports)."""
    count = 2_000 if args.quick else 100_000
    public = 20 if args.quick else 200
    results: dict[str, Any] = {
        "reports": count,
        "public_reports": public,
        "concurrency": CONCURRENCY,
        "units": UNITS,
        "cadres": CADRES,
        "phase_limit_s": PHASE_LIMIT_S,
        "results": {},
    }
    key_dir = Path(tempfile.mkdtemp(prefix="youwei-bench-keys-"))
    key = keys.generate(key_dir)
    databases = Databases(args.postgres_url)
    try:
        with nats_server() as server:
            for backend in await backends(args):
                url = await databases.fresh("petitions", backend)
                results["results"][backend] = await run_backend(
                    backend, url, server.url, key, keys.jwks_path(key_dir), count, public
                )
    finally:
        await databases.close()
        shutil.rmtree(key_dir, ignore_errors=True)
    return results


def format(result: dict[str, Any]) -> str:  # noqa: A001 - the name bench/__main__.py looks for
    """Renders the result as a short table."""
    lines = [f"petitions: {result['reports']} reports, concurrency {result['concurrency']}"]
    for backend, r in result["results"].items():
        i, q, s = r["intake"], r["overdue_query"], r["breach_sweep"]
        lines += [
            f"  {backend}: intake {i['count']} in {i['wall_s']} s = {i['per_s']}/s, p50 {i['p50_ms']} ms,"
            f" p99 {i['p99_ms']} ms, service peak {i['peak_rss_mib']} MiB, failures {i['failures']}",
            f"    rows {r['rows']}",
            f"    public intake (scrypt) p50 {r['public_intake_scrypt_2^14']['p50_ms']} ms"
            f" p99 {r['public_intake_scrypt_2^14']['p99_ms']} ms",
            f"    overdue first page p50 {q['first_page_root']['p50_ms']} ms p99 {q['first_page_root']['p99_ms']} ms;"
            f" one unit p50 {q['first_page_one_unit']['p50_ms']} p99 {q['first_page_one_unit']['p99_ms']} ms;"
            f" dashboard p99 {q['dashboard_count']['p99_ms']} ms; all {q['all_pages']['pages']} pages in"
            f" {q['all_pages']['wall_s']} s; service peak {q['peak_rss_mib']} MiB",
            f"    sweep: {s['breached']} breached in {s['wall_s']} s ({s['breaches_per_s']}/s)",
        ]
    return "\n".join(lines)
