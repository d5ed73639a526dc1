"""Issue 2's benchmark: the skeleton write path (POST /api/v1/cadres through the gateway → committed in rank →
cadre_registered applied by appraisal, petitions and tolerance) beside raw baselines measured in the same run.

Every server is a uvicorn child process on loopback; the load comes from `python -m bench.load` in its own process.
The raw write path and the skeleton's peak are measured in alternating phases (PHASES of each, both servers up), so
that the machine's speed, which drifts by tens of per cent within minutes here, weighs on both alike: measured one
after the other, the ratio of two runs of the same code differed by up to a fifth. Each phase starts from the same
state: the other path's events all published (and applied), and on PostgreSQL a CHECKPOINT, so that no phase pays
for the one before it. While one path is loaded the other idles (the suite's idle CPU, its long polls and 2 s jobs,
is about 2 % of one core).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import nats
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import Databases, backends, child, free_port, nats_server, percentile
from kernel import keys
from suite.composition import SERVICES

CONCURRENCY = 8
PHASES = 3  # alternating phases of the raw and the skeleton write path, each a third of the duration
CONSUMERS = ("appraisal", "petitions", "tolerance")


def _load(
    url: str,
    *,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    concurrency: int = CONCURRENCY,
    rate: float = 0.0,
    duration: float,
    idempotency: bool = False,
) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "bench.load",
        "--url",
        url,
        "--method",
        method,
        "--concurrency",
        str(concurrency),
        "--duration",
        str(duration),
    ]
    if body:
        cmd += ["--body", body]
    for key, value in (headers or {}).items():
        cmd += ["--header", f"{key}: {value}"]
    if rate:
        cmd += ["--rate", str(rate)]
    if idempotency:
        cmd.append("--idempotency")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _uvicorn(factory: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


async def _jetstream_publish(url: str, count: int) -> dict:
    """Bare JetStream publish with acks and Nats-Msg-Id: sequential, and 8 publishers at once."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await js.add_stream(name="BENCH_BARE", subjects=["bench.bare.>"])
        payload = b"x" * 256
        started = time.perf_counter()
        for i in range(count):
            await js.publish("bench.bare.seq", payload, headers={"Nats-Msg-Id": f"s-{i}"})
        sequential = count / (time.perf_counter() - started)

        async def publisher(p: int) -> None:
            for i in range(count // 8):
                await js.publish("bench.bare.par", payload, headers={"Nats-Msg-Id": f"p-{p}-{i}"})

        started = time.perf_counter()
        await asyncio.gather(*(publisher(p) for p in range(8)))
        parallel = (count // 8 * 8) / (time.perf_counter() - started)
        await js.delete_stream("BENCH_BARE")
        return {"sequential_msg_s": round(sequential), "eight_publishers_msg_s": round(parallel)}
    finally:
        await nc.close()


async def _count(url: str, table: str, column: str = "*", where: str = "") -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            sql = f"SELECT count({column}) FROM {table}" + (f" WHERE {where}" if where else "")
            return int((await conn.exec_driver_sql(sql)).scalar_one())
    finally:
        await engine.dispose()


async def _settled(url: str) -> None:
    """On PostgreSQL, writes the dirty pages out (CHECKPOINT) before a phase, so that no phase pays the checkpoint
    the one before it caused (the raw write path's 1,000 inserts a second fill the WAL quickly)."""
    if not url.startswith("postgresql"):
        return
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("CHECKPOINT")
    finally:
        await engine.dispose()


async def _published(url: str, table: str, timeout: float = 120.0) -> None:
    """Waits until an outbox has no unpublished row (a phase's work is over only once its events are out)."""
    started = time.perf_counter()
    while await _count(url, table, where="published_at IS NULL"):
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"{table} not published in {timeout} s")
        await asyncio.sleep(0.1)


async def _times(url: str, sql: str) -> dict[str, float]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.exec_driver_sql(sql)).all()
    finally:
        await engine.dispose()
    out = {}
    for key, value in rows:
        if isinstance(value, str):
            import datetime as dt

            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            import datetime as dt

            value = value.replace(tzinfo=dt.UTC)
        out[key] = value.timestamp()
    return out


async def _wait_applied(urls: dict[str, str], expected: int, timeout: float = 120.0) -> float:
    started = time.perf_counter()
    while True:
        counts = [await _count(urls[c], "dir_cadre") for c in CONSUMERS]
        if all(n >= expected for n in counts):
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"consumers applied {counts} of {expected}")
        await asyncio.sleep(0.25)


async def _commit_to_applied(urls: dict[str, str], since: float) -> dict:
    committed = await _times(urls["rank"], "SELECT id, created_at FROM cadre")
    applied = [await _times(urls[c], "SELECT cadre_id, updated_at FROM dir_cadre") for c in CONSUMERS]
    delays = []
    for cadre_id, t0 in committed.items():
        if t0 < since:
            continue
        delays.append(max(a[cadre_id] for a in applied) - t0)
    return {
        "events": len(delays),
        "p50_ms": round(percentile(delays, 50) * 1000, 1),
        "p99_ms": round(percentile(delays, 99) * 1000, 1),
        "max_ms": round(max(delays) * 1000, 1) if delays else None,
    }


def _combined(phases: list[dict]) -> dict:
    """One load result from consecutive phases: counts summed, the rate over their time, the median p50, the worst
    p99, and each phase's rate."""
    statuses: dict[str, int] = {}
    for phase in phases:
        for status, count in phase["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    seconds = sum(p["seconds"] for p in phases)
    ok = sum(p["ok"] for p in phases)
    return {
        "requests": sum(p["requests"] for p in phases),
        "ok": ok,
        "statuses": statuses,
        "errors": sum(p["errors"] for p in phases),
        "seconds": round(seconds, 3),
        "rps": round(ok / seconds, 1) if seconds else 0.0,
        "p50_ms": percentile([p["p50_ms"] for p in phases], 50),
        "p99_ms": max(p["p99_ms"] for p in phases),
        "started_at": phases[0]["started_at"],
        "phase_rps": [p["rps"] for p in phases],
    }


async def _suite(
    backend: str, dbs: Databases, nats_url: str, duration: float, raw: Callable[[float], Awaitable[dict]]
) -> tuple[dict, dict]:
    """Runs the suite; returns the raw write path's result (`raw` runs one phase of it) and the skeleton's."""
    tmp = Path(tempfile.mkdtemp(prefix="youwei-bench-suite-"))
    key = keys.generate(tmp / "keys")
    namespace = "b" + uuid.uuid4().hex[:8]
    urls = {s: await dbs.fresh(s, backend) for s in SERVICES}
    env = {"PYTHONUNBUFFERED": "1"}
    ports = {s: free_port() for s in [*SERVICES, "gateway"]}
    for name in [*SERVICES, "gateway"]:
        p = name.upper()
        env.update(
            {
                f"{p}_AUTH_JWKS_FILE": str(keys.jwks_path(tmp / "keys")),
                f"{p}_AUTH_ISSUER": "youwei-bench",
                f"{p}_NATS_URL": nats_url,
                f"{p}_EVENTS_NAMESPACE": namespace,
                f"{p}_LOG_LEVEL": "WARNING",
                f"{p}_ENVIRONMENT": "test",
            }
        )
    for service in SERVICES:
        env[f"{service.upper()}_DATABASE_URL"] = urls[service]
        env[f"GATEWAY_{service.upper()}_URL"] = f"http://127.0.0.1:{ports[service]}"
    env["GATEWAY_RATE_LIMIT_ENABLED"] = "false"
    token = key.mint(
        subject="bench", roles=["org_admin"], unit="city", issuer="youwei-bench", audience="youwei", ttl_s=3600
    )
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    from contextlib import ExitStack

    with ExitStack() as stack:
        for service in SERVICES:
            stack.enter_context(
                child(
                    _uvicorn(f"services.{service}.main:create_app", ports[service]),
                    env=env,
                    ready_url=f"http://127.0.0.1:{ports[service]}/health/ready",
                )
            )
        stack.enter_context(
            child(_uvicorn("gateway.main:create_app", ports["gateway"]), env=env, ready_url=f"{gateway}/health/ready")
        )
        import httpx

        r = httpx.post(
            f"{gateway}/api/v1/org-units",
            headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
            json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
            timeout=10,
        )
        assert r.status_code == 201, r.text
        body = (
            '{"name": "Bench {n} {uuid}", "gender": "MALE", "birth_date": "1985-01-01", '
            '"entry_date": "2008-01-01", "org_unit_id": "city"}'
        )
        url = f"{gateway}/api/v1/cadres"
        raws, peaks = [], []
        for _ in range(PHASES):
            # Each phase starts once the other's work is done: the raw relay's backlog published, the suite's
            # registrations applied by every consumer; neither drains on the other's time.
            await _settled(urls["rank"])
            raws.append(await raw(duration / PHASES))
            await _settled(urls["rank"])
            peaks.append(
                _load(url, method="POST", body=body, headers=auth, duration=duration / PHASES, idempotency=True)
            )
            drain_s = await _wait_applied(urls, await _count(urls["rank"], "cadre"))
        peak = _combined(peaks)
        half_rate = max(peak["rps"] / 2, 1.0)
        since = time.time()
        half = _load(url, method="POST", body=body, headers=auth, rate=half_rate, duration=duration, idempotency=True)
        total = await _count(urls["rank"], "cadre")
        await _wait_applied(urls, total)
        latency = await _commit_to_applied(urls, since)
        lost = total - min([await _count(urls[c], "dir_cadre") for c in CONSUMERS])
    return _combined(raws), {
        "peak": peak,
        "drain_after_peak_s": round(drain_s, 2),
        "half_rate": half,
        "half_rate_target_rps": half_rate,
        "commit_to_applied_at_half_rate": latency,
        "registered": total,
        "missing_in_consumers": lost,
    }


async def run(args) -> dict:
    """Runs the baselines and the skeleton write path on each backend."""
    duration = 4.0 if args.quick else 15.0
    result: dict = {"concurrency": CONCURRENCY, "duration_s": duration, "phases": PHASES, "backends": {}}
    with nats_server() as server:
        port = free_port()
        with child(_uvicorn("bench.raw_app:create_bare_app", port), ready_url=f"http://127.0.0.1:{port}/ping"):
            result["bare_fastapi_get"] = _load(f"http://127.0.0.1:{port}/ping", duration=duration)
        result["bare_jetstream_publish"] = await _jetstream_publish(server.url, 2000 if args.quick else 10000)
        for backend in await backends(args):
            dbs = Databases(args.postgres_url)
            try:
                raw_url = await dbs.fresh("raw", backend, migrate=False)
                port = free_port()
                env = {"RAW_DATABASE_URL": raw_url, "RAW_NATS_URL": server.url, "RAW_NS": "r" + uuid.uuid4().hex[:8]}
                items = f"http://127.0.0.1:{port}/items"

                async def raw_phase(seconds: float, items: str = items, raw_url: str = raw_url) -> dict:
                    result = _load(items, method="POST", body='{"n": {n}}', duration=seconds)
                    await _published(raw_url, "raw_outbox")
                    return result

                with child(
                    _uvicorn("bench.raw_app:create_raw_app", port), env=env, ready_url=f"http://127.0.0.1:{port}/docs"
                ):
                    raw, suite = await _suite(
                        backend,
                        dbs,
                        server.url,
                        duration,
                        raw_phase,
                    )
            finally:
                await dbs.close()
            result["backends"][backend] = {
                "raw_write_path": raw,
                "skeleton_write_path": suite,
                "ratio_skeleton_to_raw": round(suite["peak"]["rps"] / raw["rps"], 3) if raw["rps"] else None,
            }
    return result


def format(result: dict) -> str:  # noqa: A001 - the bench runner's hook name
    """Renders the result as a table."""
    lines = [
        f"concurrency {result['concurrency']}, {result['duration_s']} s per measurement; the raw and the skeleton "
        f"write path in {result.get('phases', 1)} alternating phases each",
        "",
        f"bare FastAPI GET            {result['bare_fastapi_get']['rps']:>8} req/s  "
        f"p50 {result['bare_fastapi_get']['p50_ms']} ms  p99 {result['bare_fastapi_get']['p99_ms']} ms",
        f"bare JetStream publish      {result['bare_jetstream_publish']['sequential_msg_s']:>8} msg/s sequential, "
        f"{result['bare_jetstream_publish']['eight_publishers_msg_s']} msg/s with 8 publishers",
        "",
    ]
    lines.append(f"{'':34}" + "".join(f"{b:>14}" for b in result["backends"]))
    rows = [
        ("raw write path (req/s)", lambda r: r["raw_write_path"]["rps"]),
        ("raw write path p99 (ms)", lambda r: r["raw_write_path"]["p99_ms"]),
        ("skeleton write path (req/s)", lambda r: r["skeleton_write_path"]["peak"]["rps"]),
        ("skeleton write path p99 (ms)", lambda r: r["skeleton_write_path"]["peak"]["p99_ms"]),
        ("skeleton / raw", lambda r: r["ratio_skeleton_to_raw"]),
        ("half rate (req/s)", lambda r: r["skeleton_write_path"]["half_rate"]["rps"]),
        ("commit→applied p50 (ms)", lambda r: r["skeleton_write_path"]["commit_to_applied_at_half_rate"]["p50_ms"]),
        ("commit→applied p99 (ms)", lambda r: r["skeleton_write_path"]["commit_to_applied_at_half_rate"]["p99_ms"]),
        ("events lost", lambda r: r["skeleton_write_path"]["missing_in_consumers"]),
    ]
    for label, getter in rows:
        lines.append(f"{label:<34}" + "".join(f"{getter(r):>14}" for r in result["backends"].values()))
    return "\n".join(lines)
