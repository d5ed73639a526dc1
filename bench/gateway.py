"""Gateway benchmark (issue 7 performance section, issue 2 gateway figures): `python -m bench gateway`.

Every server is a uvicorn child process on 127.0.0.1 (uvloop + httptools, one worker, no access log); the load
comes from wrk (-t2, 64 connections; 16 against the real services) in its own process, 8 s per run, each scenario
three times interleaved with the others (the median round is kept). In one run it measures:

  baselines   a bare FastAPI endpoint; a bare one-hop proxy on an aiohttp client; a bare four-way aiohttp fan-out
  transports  a bare one-hop proxy on httpx's default transport and on httpx-aiohttp (issue 2's comparison)
  gateway     pass-through and dossier against stub upstreams (the same bare endpoints the baselines call), with
              the httpx default transport and with the gateway's aiohttp client
  suite       the dossier against the four real services (SQLite) with 10,000 and 100,000 registered cadres

The child apps below are uvicorn factories (`--factory bench.gateway:<name>`), configured by BENCH_* variables.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response

DURATION_S = 8
QUICK_DURATION_S = 3
# Each scenario runs this many times, interleaved with the others; the median round is reported.
ROUNDS = 3
CONNECTIONS = 64
# The real services answer a dossier part in milliseconds, not microseconds: 16 connections keep them busy
# without measuring only queueing.
SUITE_CONNECTIONS = 16
WRK_THREADS = 2
UVICORN = [
    "-m",
    "uvicorn",
    "--factory",
    "--host",
    "127.0.0.1",
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--no-access-log",
    "--log-level",
    "warning",
]

# A register entry and a dossier part of realistic size (a few hundred bytes and about 1 KiB of JSON).
CADRE = {
    "id": "c-00001",
    "name": "Zhang San",
    "gender": "MALE",
    "birth_date": "1985-03-02",
    "entry_date": "2008-07-01",
    "org_unit_id": "u-finance",
    "category": "COMPREHENSIVE",
    "party_member": True,
    "education": "MASTER",
    "active": True,
    "version": 3,
}
PART = {
    "service": "stub",
    "cadre_id": "c-00001",
    "as_of": None,
    "items": [
        {
            "kind": "record",
            "id": f"r-{i}",
            "year": 2020 + i,
            "status": "FINAL",
            "grade": "EXCELLENT",
            "note_code": "N-17",
            "decided_on": f"202{i}-12-20",
        }
        for i in range(6)
    ],
    "summary": {"count": 6, "latest": "EXCELLENT", "open": 0},
}


# -- child apps -------------------------------------------------------------------------------------------
def bare_app() -> Any:
    """A bare FastAPI app answering a register entry and a dossier part."""
    app = FastAPI(openapi_url=None, docs_url=None)

    @app.get("/api/v1/cadres/{cadre_id}")
    async def cadre(cadre_id: str) -> dict:
        return {**CADRE, "id": cadre_id}

    @app.get("/api/v1/dossier-parts/{service}/{cadre_id}")
    async def dossier_part(service: str, cadre_id: str) -> dict:
        return {**PART, "service": service, "cadre_id": cadre_id}

    @app.get("/health/live")
    async def live() -> dict:
        return {"status": "ok"}

    return app


def _upstreams() -> list[str]:
    return [u.rstrip("/") for u in os.environ["BENCH_UPSTREAMS"].split(",")]


def one_hop_app() -> Any:
    """A bare one-hop proxy: GET /api/v1/cadres/{id} relayed through one pooled client (BENCH_CLIENT)."""
    upstream = _upstreams()[0]
    kind = os.environ.get("BENCH_CLIENT", "aiohttp")
    holder: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: Any):
        if kind == "aiohttp":
            import aiohttp

            holder["c"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        else:
            import httpx

            transport = None
            if kind == "httpx-aiohttp":
                from httpx_aiohttp import AiohttpTransport

                transport = AiohttpTransport()
            holder["c"] = httpx.AsyncClient(transport=transport, limits=httpx.Limits(max_connections=100))
        yield
        await (holder["c"].close() if kind == "aiohttp" else holder["c"].aclose())

    app = FastAPI(openapi_url=None, docs_url=None, lifespan=lifespan)

    @app.get("/health/live")
    async def live() -> dict:
        return {"status": "ok"}

    @app.get("/api/v1/cadres/{cadre_id}")
    async def relay(cadre_id: str, request: Request) -> Response:
        client = holder["c"]
        headers = {"Authorization": request.headers.get("authorization", "")}
        if kind == "aiohttp":
            async with client.get(f"{upstream}/api/v1/cadres/{cadre_id}", headers=headers) as r:
                return Response(await r.read(), status_code=r.status, media_type="application/json")
        r = await client.get(f"{upstream}/api/v1/cadres/{cadre_id}", headers=headers)
        return Response(r.content, status_code=r.status_code, media_type="application/json")

    return app


def fan_out_app() -> Any:
    """A bare four-way fan-out: four dossier parts fetched concurrently with aiohttp and merged."""
    import aiohttp

    upstreams = _upstreams()
    services = ["rank", "appraisal", "petitions", "tolerance"]
    holder: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: Any):
        holder["s"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        yield
        await holder["s"].close()

    app = FastAPI(openapi_url=None, docs_url=None, lifespan=lifespan)

    async def one(url: str, headers: dict[str, str]) -> Any:
        async with holder["s"].get(url, headers=headers) as r:
            return orjson.loads(await r.read())

    @app.get("/health/live")
    async def live() -> dict:
        return {"status": "ok"}

    @app.get("/api/v1/cadres/{cadre_id}/dossier")
    async def dossier(cadre_id: str, request: Request) -> Response:
        headers = {"Authorization": request.headers.get("authorization", "")}
        urls = [f"{upstreams[i % len(upstreams)]}/api/v1/dossier-parts/{s}/{cadre_id}" for i, s in enumerate(services)]
        parts = await asyncio.gather(*(one(u, headers) for u in urls))
        return Response(
            orjson.dumps({"cadre_id": cadre_id, "parts": dict(zip(services, parts))}), media_type="application/json"
        )

    return app


# -- load generation --------------------------------------------------------------------------------------
WRK_SCRIPT = """
local ids = {%(ids)s}
local headers = {%(headers)s}
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "%(prefix)s" .. id .. "%(suffix)s", headers)
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk(
    url_base: str,
    prefix: str,
    suffix: str,
    ids: list[str],
    headers: dict[str, str],
    duration: int,
    workdir: Path,
    connections: int = CONNECTIONS,
) -> dict[str, Any]:
    """Runs wrk against url_base with random ids; returns req/s, p50/p99 (ms) and error counts."""
    script = workdir / f"wrk-{time.monotonic_ns()}.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "ids": ",".join(_lua_string(i) for i in ids),
            "headers": ",".join(f"[{_lua_string(k)}]={_lua_string(v)}" for k, v in headers.items()),
            "prefix": prefix,
            "suffix": suffix,
        },
        encoding="utf-8",
    )
    cmd = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url_base,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    figures = parse_wrk(done.stdout)
    if not figures["requests"]:
        figures["error"] = (done.stderr or done.stdout)[-500:]
    return figures


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def parse_wrk(out: str) -> dict[str, Any]:
    """Extracts the figures of a wrk --latency report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "rps": round(float(rps.group(1)), 1) if rps else 0.0,
        "p50_ms": round(_ms(p50.group(1)), 2) if p50 else None,
        "p99_ms": round(_ms(p99.group(1)), 2) if p99 else None,
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }


# -- orchestration ----------------------------------------------------------------------------------------
def _serve(stack: Any, factory: str, env: dict[str, str], ready_path: str = "/health/live") -> str:
    """Starts a uvicorn child for `factory` on a free port; returns its base URL."""
    from bench.common import child, free_port, python

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stack.enter_context(
        child([python(), *UVICORN, "--port", str(port), factory], env=env, ready_url=base + ready_path, timeout=60)
    )
    return base


def service_env(service: str, work: Path, db_url: str, nats_url: str, namespace: str) -> dict[str, str]:
    """The environment of one service process in a benchmark (test mode, the bench's keys, quiet logs)."""
    p = service.upper()
    return {
        f"{p}_DATABASE_URL": db_url,
        f"{p}_NATS_URL": nats_url,
        f"{p}_EVENTS_NAMESPACE": namespace,
        f"{p}_ENVIRONMENT": "test",
        f"{p}_LOG_LEVEL": "WARNING",
        f"{p}_AUTH_JWKS_FILE": str(work / "keys" / "jwks.json"),
        f"{p}_AUTH_ISSUER": "youwei-bench",
        f"{p}_AUTH_AUDIENCE": "youwei",
    }


def _gateway_env(work: Path, upstreams: dict[str, str], client: str) -> dict[str, str]:
    env = {
        "GATEWAY_ENVIRONMENT": "test",
        "GATEWAY_LOG_LEVEL": "WARNING",
        "GATEWAY_UPSTREAM_CLIENT": client,
        "GATEWAY_AUTH_JWKS_FILE": str(work / "keys" / "jwks.json"),
        "GATEWAY_AUTH_ISSUER": "youwei-bench",
        "GATEWAY_AUTH_AUDIENCE": "youwei",
        "GATEWAY_FEED_ENABLED": "false",
        # One benchmark client sends thousands of requests per second with one token: no per-client limit here.
        "GATEWAY_RATE_LIMIT_ENABLED": "false",
    }
    for service, url in upstreams.items():
        env[f"GATEWAY_{service.upper()}_URL"] = url
    return env


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Keeps the round with the median throughput (its latencies too) and lists every round's req/s."""
    ordered = sorted(runs, key=lambda r: r["rps"])
    return {**ordered[len(ordered) // 2], "rounds_rps": [r["rps"] for r in runs]}


def _stub_ids(n: int = 1000) -> list[str]:
    return [f"c-{i:05d}" for i in range(n)]


def _machine_load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"load1": round(one, 2), "load5": round(five, 2), "load15": round(fifteen, 2)}


async def run_stubs(work: Path, duration: int, headers: dict[str, str]) -> dict[str, Any]:
    """Baselines and the gateway against stub upstreams, all measured in this run."""
    from contextlib import ExitStack

    ids = _stub_ids()
    out: dict[str, Any] = {}
    with ExitStack() as stack:
        bare = _serve(stack, "bench.gateway:bare_app", {})
        services = ["rank", "appraisal", "petitions", "tolerance"]
        one_hop = {
            kind: _serve(stack, "bench.gateway:one_hop_app", {"BENCH_UPSTREAMS": bare, "BENCH_CLIENT": kind})
            for kind in ("aiohttp", "httpx", "httpx-aiohttp")
        }
        fan_out = _serve(stack, "bench.gateway:fan_out_app", {"BENCH_UPSTREAMS": bare})
        gateways = {
            kind: _serve(
                stack,
                "gateway.main:create_app",
                _gateway_env(work, dict.fromkeys(services, bare), kind),
                "/health/ready",
            )
            for kind in ("aiohttp", "httpx")
        }
        await asyncio.sleep(1)
        plan = [
            ("bare_fastapi", bare, "/api/v1/cadres/", "", {}),
            ("one_hop_aiohttp", one_hop["aiohttp"], "/api/v1/cadres/", "", {}),
            ("one_hop_httpx_default", one_hop["httpx"], "/api/v1/cadres/", "", {}),
            ("one_hop_httpx_aiohttp", one_hop["httpx-aiohttp"], "/api/v1/cadres/", "", {}),
            ("fan_out_4_aiohttp", fan_out, "/api/v1/cadres/", "/dossier", {}),
            ("gateway_pass_through", gateways["aiohttp"], "/api/v1/cadres/", "", headers),
            ("gateway_pass_through_httpx_default", gateways["httpx"], "/api/v1/cadres/", "", headers),
            ("gateway_dossier_stubs", gateways["aiohttp"], "/api/v1/cadres/", "/dossier", headers),
            ("gateway_dossier_stubs_httpx_default", gateways["httpx"], "/api/v1/cadres/", "/dossier", headers),
        ]
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name, *_ in plan}
        for _ in range(ROUNDS):
            # Interleaved rounds: a burst of load from the rest of the machine hits every scenario alike.
            for name, base, prefix, suffix, hdrs in plan:
                # A short warm-up fills the connection pools before the measured run.
                await asyncio.to_thread(wrk, base, prefix, suffix, ids, hdrs, 1, work)
                load = _machine_load()
                figures = await asyncio.to_thread(wrk, base, prefix, suffix, ids, hdrs, duration, work)
                rounds[name].append({**figures, "load_before": load})
        out = {name: _median(runs) for name, runs in rounds.items()}
    return out


# -- the real suite -----------------------------------------------------------------------------------------
SERVICES = ("rank", "appraisal", "petitions", "tolerance")
CONSUMERS = ("appraisal", "petitions", "tolerance")
COUNTIES = 10
SEED_CONCURRENCY = 32
HISTORY_EVERY = 10  # every 10th cadre gets a rank and post history and two performance records


async def _post_all(session: Any, requests: list[tuple[str, dict]], headers: dict[str, str]) -> tuple[list, int]:
    """POSTs every (url, body) with bounded concurrency; returns the JSON answers (None on failure) and errors."""
    import uuid

    import aiohttp

    queue: asyncio.Queue = asyncio.Queue()
    for i, item in enumerate(requests):
        queue.put_nowait((i, item))
    answers: list[Any] = [None] * len(requests)
    errors = 0
    samples: list[str] = []

    async def worker() -> None:
        nonlocal errors
        while not queue.empty():
            i, (url, body) = queue.get_nowait()
            # One key per request, reused on a retry: a registration that did commit is answered, not repeated.
            request_headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            for attempt in range(3):
                try:
                    async with session.post(url, json=body, headers=request_headers) as r:
                        payload = await r.read()
                    if r.status in (200, 201):
                        answers[i] = orjson.loads(payload)
                    elif r.status == 409 and attempt < 2:
                        # Two holdings of one cadre posted at once: the second met the first's new version. A client
                        # retries (a new key: the refusal is stored under the old one).
                        request_headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
                        await asyncio.sleep(0.05)
                        continue
                    else:
                        errors += 1
                        if len(samples) < 3:
                            samples.append(f"{r.status} {url.split('/api/v1/', 1)[1]}: {payload[:200].decode()}")
                    break
                except (TimeoutError, aiohttp.ClientError):
                    await asyncio.sleep(0.2)
            else:
                errors += 1

    await asyncio.gather(*(worker() for _ in range(SEED_CONCURRENCY)))
    if samples:
        print("seeding errors, e.g.:", *samples, sep="\n  ", file=sys.stderr)
    return answers, errors


async def _seed(
    urls: dict[str, str], db_urls: dict[str, str], headers: dict[str, str], start: int, stop: int
) -> dict[str, Any]:
    """Registers cadres start..stop-1 through rank (spread over the counties) and gives every 10th a history."""
    import aiohttp

    started = time.perf_counter()
    rank = urls["rank"]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=SEED_CONCURRENCY * 2)) as session:
        bodies = [
            (
                f"{rank}/api/v1/cadres",
                {
                    "name": f"Cadre {n:06d}",
                    "gender": "MALE" if n % 2 else "FEMALE",
                    "birth_date": f"{1965 + n % 30}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    "entry_date": f"{1990 + n % 30}-07-01",
                    "org_unit_id": f"county-{n % COUNTIES}",
                },
            )
            for n in range(start, stop)
        ]
        answers, errors = await _post_all(session, bodies, headers)
        ids = [a["id"] for a in answers if a]
        # Appraisal accepts records only for cadres its directory knows: wait for the registrations to arrive.
        caught_up = await _applied(db_urls, start + len(ids))
        first: list[tuple[str, dict]] = []
        then: list[tuple[str, dict]] = []
        for n, cadre_id in enumerate(ids, start):
            if n % HISTORY_EVERY:
                continue
            entry = bodies[n - start][1]["entry_date"]
            first += [
                (
                    f"{rank}/api/v1/cadres/{cadre_id}/rank-holdings",
                    {"rank_code": "C10", "since": entry, "basis": "INITIAL", "level": 22},
                ),
                (
                    f"{rank}/api/v1/cadres/{cadre_id}/post-holdings",
                    {"post_code": "TOWNSHIP_DEPUTY", "since": "2022-06-01", "basis": "INITIAL"},
                ),
                *[
                    (
                        f"{urls['appraisal']}/api/v1/performance-records",
                        {
                            "cadre_id": cadre_id,
                            "occurred_on": f"2025-0{m}-15",
                            "category": "KEY_TASK",
                            "title": f"Key task {m}",
                            "quantity": 3,
                            "unit": "items",
                        },
                    )
                    for m in (3, 9)
                ],
            ]
            # Holdings of one cadre follow each other in time: the promotion is posted after the initial holding.
            then.append(
                (
                    f"{rank}/api/v1/cadres/{cadre_id}/rank-holdings",
                    {"rank_code": "C09", "since": "2021-01-01", "basis": "PROMOTION", "level": 20},
                )
            )
        _, first_errors = await _post_all(session, first, headers)
        _, then_errors = await _post_all(session, then, headers)
    return {
        "ids": ids,
        "with_history": [i for n, i in enumerate(ids, start) if n % HISTORY_EVERY == 0],
        "errors": errors,
        "consumers_caught_up_s": caught_up,
        "history_calls": len(first) + len(then),
        "history_errors": first_errors + then_errors,
        "seconds": round(time.perf_counter() - started, 1),
    }


SKIP_TABLES = frozenset({"outbox_message", "inbox_message", "dead_letter", "audit_log", "alembic_version"})


def _cloned(values: dict[str, Any], table: str, key: str, new_id: str, n: int, own_pk: list[str]) -> dict[str, Any]:
    """One template row made into cadre `n`'s: new id, name and county; fresh values for the row's own key."""
    import uuid

    values[key] = new_id
    for pk in own_pk:
        values[pk] = None if isinstance(values[pk], int) else str(uuid.uuid4())
    if "name" in values and table in ("cadre", "dir_cadre"):
        values["name"] = f"Cadre {n:06d}"
    if "org_unit_id" in values:
        values["org_unit_id"] = f"county-{n % COUNTIES}"
    if "org_path" in values and isinstance(values["org_path"], str):
        values["org_path"] = f"/city/county-{n % COUNTIES}/"
    return values


def _new_ids(start: int, stop: int) -> list[str]:
    import uuid

    return [str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:bench:cadre:{n}")) for n in range(start, stop)]


async def clone_register(db_urls: dict[str, str], templates: list[str], start: int, stop: int) -> dict[str, int]:
    """Grows the register to `stop` cadres by cloning API-made cadres row for row in every service's tables.

    Every row that belongs to a template cadre (rank's `cadre` row, and each table's rows with its `cadre_id`)
    is copied under a new id, name and county, so each service holds what its events would have given it.
    The history of the templates (holdings, performance records) is copied with them. On PostgreSQL the rows go
    in with COPY and every table is analysed afterwards, as after any bulk load.
    """
    if all(url.startswith("sqlite") for url in db_urls.values()):
        return await asyncio.to_thread(_clone_register_sqlite, db_urls, templates, start, stop)
    return await _clone_register_postgres(db_urls, templates, start, stop)


def _clone_register_sqlite(db_urls: dict[str, str], templates: list[str], start: int, stop: int) -> dict[str, int]:
    import sqlite3

    copied: dict[str, int] = {}
    new_ids = _new_ids(start, stop)
    for service, url in db_urls.items():
        path = url.split(":///", 1)[1]
        with sqlite3.connect(path, timeout=60) as conn:
            tables = [
                r[0]
                for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
                if r[0] not in SKIP_TABLES and not r[0].startswith("sqlite_")
            ]
            for table in tables:
                info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
                columns = [c[1] for c in info]
                key = "id" if (service, table) == ("rank", "cadre") else "cadre_id" if "cadre_id" in columns else None
                if key is None:
                    continue
                marks = ",".join("?" * len(templates))
                rows = conn.execute(f'SELECT * FROM "{table}" WHERE "{key}" IN ({marks})', templates).fetchall()
                by_cadre: dict[str, list[tuple]] = {}
                for row in rows:
                    by_cadre.setdefault(row[columns.index(key)], []).append(row)
                own_pk = [c[1] for c in info if c[5] and c[1] != key]
                batch = [
                    tuple(_cloned(dict(zip(columns, row)), table, key, new_id, n, own_pk)[c] for c in columns)
                    for n, new_id in enumerate(new_ids, start)
                    for row in by_cadre.get(templates[n % len(templates)], [])
                ]
                if batch:
                    conn.executemany(
                        f'INSERT INTO "{table}" ({",".join(chr(34) + c + chr(34) for c in columns)}) '
                        f"VALUES ({','.join('?' * len(columns))})",
                        batch,
                    )
                    copied[f"{service}.{table}"] = len(batch)
            conn.commit()
    return copied


async def _clone_register_postgres(
    db_urls: dict[str, str], templates: list[str], start: int, stop: int
) -> dict[str, int]:
    import asyncpg

    from bench.common import pg_dsn

    copied: dict[str, int] = {}
    new_ids = _new_ids(start, stop)
    for service, url in db_urls.items():
        conn = await asyncpg.connect(pg_dsn(url))
        try:
            tables = [
                r[0]
                for r in await conn.fetch(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                    "AND table_type = 'BASE TABLE'"
                )
                if r[0] not in SKIP_TABLES
            ]
            async with conn.transaction():
                # As on SQLite (foreign keys off on the bench's own connection): the clones are copied table by
                # table, parents not necessarily first, and the bench's superuser may skip the FK triggers.
                await conn.execute("SET LOCAL session_replication_role = replica")
                for table in tables:
                    described = await conn.fetch(
                        "SELECT column_name, coalesce(column_default LIKE 'nextval%', false) OR is_identity = 'YES' "
                        "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 "
                        "ORDER BY ordinal_position",
                        table,
                    )
                    columns = [r[0] for r in described]
                    key = (
                        "id" if (service, table) == ("rank", "cadre") else "cadre_id" if "cadre_id" in columns else None
                    )
                    if key is None:
                        continue
                    primary = [
                        r[0]
                        for r in await conn.fetch(
                            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary",
                            f'"{table}"',
                        )
                    ]
                    # A key that holds the cadre id is unique for the clone as it is; a row's own ids are renewed
                    # (a serial one drawn by the database), its other key parts (a kind, a year) kept.
                    serial = [r[0] for r in described if r[1] and r[0] in primary]
                    own_pk = (
                        [] if key in primary else [c for c in primary if c in serial or c == "id" or c.endswith("_id")]
                    )
                    rows = await conn.fetch(f'SELECT * FROM "{table}" WHERE "{key}" = ANY($1::text[])', templates)
                    by_cadre: dict[str, list[Any]] = {}
                    for row in rows:
                        by_cadre.setdefault(row[key], []).append(row)
                    kept = [c for c in columns if c not in serial or c not in own_pk]
                    batch = [
                        tuple(_cloned(dict(row), table, key, new_id, n, own_pk)[c] for c in kept)
                        for n, new_id in enumerate(new_ids, start)
                        for row in by_cadre.get(templates[n % len(templates)], [])
                    ]
                    if batch:
                        try:
                            await conn.copy_records_to_table(table, records=batch, columns=kept)
                        except Exception as exc:
                            raise RuntimeError(f"cloning {service}.{table} ({', '.join(kept)}) failed") from exc
                        copied[f"{service}.{table}"] = len(batch)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
    return copied


async def create_units(client: Any, rank: str, auth: dict[str, str]) -> None:
    """Creates the city and its COUNTIES counties through rank's API."""
    import uuid

    for unit, level, parent in [("city", "CITY_LEADERSHIP", None)] + [
        (f"county-{i}", "COUNTY_LEADERSHIP", "city") for i in range(COUNTIES)
    ]:
        r = await client.post(
            f"{rank}/api/v1/org-units",
            json={"code": unit, "name": unit, "agency_level": level, "parent_id": parent},
            headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 201, r.text


async def _applied(db_urls: dict[str, str], total: int, timeout: float = 1800) -> float:
    from bench.common import count_rows

    started = time.perf_counter()
    while True:
        counts = [await count_rows(db_urls[c], "dir_cadre") for c in CONSUMERS]
        if min(counts) >= total:
            return round(time.perf_counter() - started, 1)
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"consumers applied {counts} of {total} registrations")
        await asyncio.sleep(1)


async def run_suite(work: Path, duration: int, sizes: list[int], api_seed: int = 2000) -> dict[str, Any]:
    """The dossier against the four real services (SQLite, the embedded default) at each register size."""
    import random
    import uuid
    from contextlib import ExitStack

    import httpx

    from bench.common import Databases, nats_server
    from kernel import keys

    key = keys.load_or_generate(work / "keys")
    token = key.mint(
        subject="bench", roles=["org_admin"], unit="city", issuer="youwei-bench", audience="youwei", ttl_s=6 * 3600
    )
    auth = {"Authorization": f"Bearer {token}"}
    namespace = "g" + uuid.uuid4().hex[:8]
    dbs = Databases("postgresql+asyncpg://unused")
    out: dict[str, Any] = {"sizes": {}}
    try:
        db_urls = {s: await dbs.fresh(s, "sqlite") for s in SERVICES}
        with nats_server() as nats, ExitStack() as stack:
            urls = {}
            for service in SERVICES:
                env = service_env(service, work, db_urls[service], nats.url, namespace)
                urls[service] = _serve(stack, f"services.{service}.main:create_app", env, "/health/ready")
            gateway = _serve(stack, "gateway.main:create_app", _gateway_env(work, urls, "aiohttp"), "/health/ready")
            fan_out = _serve(
                stack, "bench.gateway:fan_out_app", {"BENCH_UPSTREAMS": ",".join(urls[s] for s in SERVICES)}
            )
            one_hop = _serve(
                stack, "bench.gateway:one_hop_app", {"BENCH_UPSTREAMS": urls["rank"], "BENCH_CLIENT": "aiohttp"}
            )
            async with httpx.AsyncClient(timeout=30) as client:
                await create_units(client, urls["rank"], auth)
            # A realistic base through the APIs (registrations, holdings, performance records, every event applied),
            # then the register grown to each size by cloning those cadres' rows in every service's tables.
            seeded = await _seed(urls, db_urls, auth, 0, min(api_seed, min(sizes)))
            templates = seeded.pop("ids")
            history = set(seeded.pop("with_history"))
            out["api_seeding"] = seeded
            registered = list(templates)
            with_history = [t for t in templates if t in history]
            for size in sizes:
                if size > len(registered):
                    start = len(registered)
                    copied = await clone_register(db_urls, templates, start, size)
                    new_ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:bench:cadre:{n}")) for n in range(start, size)]
                    with_history += [
                        i for n, i in enumerate(new_ids, start) if templates[n % len(templates)] in history
                    ]
                    registered += new_ids
                    out.setdefault("cloned_rows", {})[str(size)] = copied
                rng = random.Random(size)
                sample = rng.sample(with_history, min(1000, len(with_history)))
                figures: dict[str, Any] = {"registered": len(registered), "sample": len(sample)}
                plan = [
                    ("gateway_dossier", gateway, "/api/v1/cadres/", "/dossier"),
                    ("bare_fan_out_4_parts", fan_out, "/api/v1/cadres/", "/dossier"),
                    ("gateway_pass_through_cadre", gateway, "/api/v1/cadres/", ""),
                    ("bare_one_hop_cadre", one_hop, "/api/v1/cadres/", ""),
                ]
                rounds: dict[str, list[dict[str, Any]]] = {name: [] for name, *_ in plan}
                for _ in range(ROUNDS):
                    for name, base, prefix, suffix in plan:
                        await asyncio.to_thread(wrk, base, prefix, suffix, sample, auth, 1, work, SUITE_CONNECTIONS)
                        load = _machine_load()
                        run = await asyncio.to_thread(
                            wrk, base, prefix, suffix, sample, auth, duration, work, SUITE_CONNECTIONS
                        )
                        rounds[name].append({**run, "load_before": load})
                figures.update({name: _median(runs) for name, runs in rounds.items()})
                out["sizes"][str(size)] = figures
    finally:
        await dbs.close()
    return out


# -- entry points -------------------------------------------------------------------------------------------
def _ratio(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    return round(a["rps"] / b["rps"], 3) if a.get("rps") and b.get("rps") else None


async def run(args: Any) -> dict[str, Any]:
    """Runs the stub comparisons and the real-suite dossier at 10,000 and 100,000 cadres."""
    from kernel import keys

    if shutil.which("wrk") is None:
        raise SystemExit(
            "bench gateway needs wrk (the load generator runs in its own process): "
            "apt-get install wrk, or brew install wrk"
        )
    duration = QUICK_DURATION_S if args.quick else DURATION_S
    sizes = [1000, 5000] if args.quick else [10_000, 100_000]
    api_seed = 300 if args.quick else 2000
    work = Path(tempfile.mkdtemp(prefix="youwei-bench-gateway-"))
    try:
        key = keys.load_or_generate(work / "keys")
        token = key.mint(
            subject="bench", roles=["org_admin"], unit="city", issuer="youwei-bench", audience="youwei", ttl_s=6 * 3600
        )
        result: dict[str, Any] = {
            "connections": CONNECTIONS,
            "wrk_threads": WRK_THREADS,
            "duration_s": duration,
            "cpus": os.cpu_count(),
            "load_at_start": _machine_load(),
        }
        stubs = await run_stubs(work, duration, {"Authorization": f"Bearer {token}"})
        result["stubs"] = stubs
        result["suite"] = await run_suite(work, duration, sizes, api_seed)
        result["ratios"] = ratios(result)
        result["load_at_end"] = _machine_load()
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    """The targets of issue 7 and the transport comparison of issue 2, as ratios."""
    st = result["stubs"]
    out = {
        "dossier_vs_bare_fan_out_stubs (target >= 0.40)": _ratio(st["gateway_dossier_stubs"], st["fan_out_4_aiohttp"]),
        "pass_through_vs_bare_one_hop_stubs (target >= 0.50)": _ratio(
            st["gateway_pass_through"], st["one_hop_aiohttp"]
        ),
        "gateway_aiohttp_vs_gateway_httpx_default": _ratio(
            st["gateway_pass_through"], st["gateway_pass_through_httpx_default"]
        ),
        "one_hop_httpx_default_vs_aiohttp": _ratio(st["one_hop_httpx_default"], st["one_hop_aiohttp"]),
        "one_hop_httpx_aiohttp_vs_aiohttp": _ratio(st["one_hop_httpx_aiohttp"], st["one_hop_aiohttp"]),
    }
    sizes = result.get("suite", {}).get("sizes", {})
    for size, figures in sizes.items():
        out[f"suite_{size}_dossier_vs_bare_fan_out (target >= 0.40)"] = _ratio(
            figures["gateway_dossier"], figures["bare_fan_out_4_parts"]
        )
        out[f"suite_{size}_pass_through_vs_bare_one_hop (target >= 0.50)"] = _ratio(
            figures["gateway_pass_through_cadre"], figures["bare_one_hop_cadre"]
        )
    if len(sizes) == 2:
        small, large = (sizes[k] for k in sorted(sizes, key=int))
        out["suite_dossier_large_vs_small_register (target within 0.80..1.20)"] = _ratio(
            large["gateway_dossier"], small["gateway_dossier"]
        )
    return out


def format(result: dict[str, Any]) -> str:
    """Formats the figures and ratios as a table."""
    lines = [f"{'scenario':52s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'non-2xx':>8s}"]

    def row(name: str, f: dict[str, Any]) -> None:
        lines.append(
            f"{name:52s} {f['rps']:9.0f} {f['p50_ms'] or 0:8.1f} {f['p99_ms'] or 0:8.1f} "
            f"{f['non_2xx'] + f['socket_errors']:8d}"
        )

    for name, figures in result["stubs"].items():
        row(name, figures)
    for size, figures in result.get("suite", {}).get("sizes", {}).items():
        for name in ("gateway_dossier", "bare_fan_out_4_parts", "gateway_pass_through_cadre", "bare_one_hop_cadre"):
            row(f"{name} ({size} cadres)", figures[name])
    lines.append("")
    for name, value in result["ratios"].items():
        lines.append(f"{name:70s} {value}")
    lines.append(f"load average at start {result['load_at_start']}, at end {result['load_at_end']}")
    return "\n".join(lines)
