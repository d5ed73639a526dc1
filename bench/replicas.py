"""Throughput with replicas (issue 16, item 5): `python -m bench replicas [--quick]`, on PostgreSQL only.

For 1 and then 2 replicas per service (and per gateway) the real `youwei up --replicas N --nats-cluster 3
--postgres URL` runs as a child process (bench/cluster.py, fresh databases each time). The NATS cluster has three
nodes in both runs, so the two differ only in the number of service and gateway processes. The register is seeded
as in `bench cpu --quick`: 500 cadres through rank's API (every 10th with holdings and performance records), grown
to 2,000 by cloning their rows (bench/gateway.py `_seed`, `clone_register`). Then, through the gateways (requests
spread round robin over both when there are two), a closed loop of 16 clients for 20 s each (5 s with --quick):

  dossier  GET /api/v1/cadres/{id}/dossier over the seeded cadres (those with a history first); an answer 200
           whose `degraded` list names a missing part (e.g. a part past the gateway's 2 s part timeout) is counted
  write    POST /api/v1/cadres with an Idempotency-Key (the default consistency: answered once the relay has
           published the event), then the time until every consumer (appraisal, petitions, tolerance) has the new
           cadres in its directory

Reported per run: answered requests per second, p50/p99 latency, failures, and the CPU seconds every process of
the suite burnt (launcher, replicas, nats nodes; idle pollers included, so per request it is an upper bound), the
load generator's own and the whole machine's (PostgreSQL's server processes are only in that one). The load
generator shares the machine: on 2 cores a second replica of everything adds processes competing for the same
cores, not capacity.

Found with it (2026-12-04): one process per service on PostgreSQL wedged under 16 concurrent dossier reads (every
dossier 503, then every registration 504, CPU idle); 8 clients did not. Each read held a connection of the
service's one pool while it waited for its audit row, and the audit group needed one more connection of that same
pool. The read audit now appends through a small pool of its own (kernel.db.make_audit_engine; test:
tests/kernel/integration/test_audit_group_commit.py). Measured again (2026-12-05, 16 clients, 2 cores, nothing else
running): 1 replica, 65.4 dossiers/s and 52.4 writes/s, 0 failed; 2 replicas, 65.8 and 53.8 (the second replica
adds processes on the same 2 cores, not capacity).

    python -m bench replicas            2,000 cadres, 20 s per load, at most 20,000 requests per load
    python -m bench replicas --quick    500 cadres, 5 s per load (BENCH_REPLICAS=2: the 2-replica run only)
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from bench.cluster import Cluster, start
from bench.common import count_rows, percentile, postgres_available
from bench.cpu import TICKS, _cpu_s
from bench.gateway import CONSUMERS, COUNTIES, _seed, clone_register, create_units

REPLICAS = tuple(int(n) for n in os.environ.get("BENCH_REPLICAS", "1,2").split(","))  # BENCH_REPLICAS=2: one run
NATS_NODES = 3
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
ENV = {
    # One client sends everything: the per-client limits of the gateways would answer 429 to the load itself.
    "GATEWAY_RATE_LIMIT_ENABLED": "false",
}


def _sizes(quick: bool) -> tuple[int, int, float, int]:
    """(cadres seeded through the API, cadres in all, seconds per load, at most this many requests per load)."""
    return (200, 500, 5.0, 2000) if quick else (500, 2000, 20.0, 20_000)


class Load:
    """A bounded closed loop: `concurrency` clients, each sending its next request when the last is answered."""

    def __init__(self, gateways: list[str], headers: dict[str, str], seconds: float, limit: int) -> None:
        self.gateways, self.headers, self.seconds, self.limit = gateways, headers, seconds, limit
        self.latencies: list[float] = []
        self.failed = 0
        self.degraded = 0  # a dossier answered 200 with a part missing (a part past GATEWAY_PART_TIMEOUT, 2 s)
        self.reasons: Counter[str] = Counter()
        self.sent = 0
        self.samples: list[str] = []

    async def run(self, make: Any, concurrency: int = CONCURRENCY) -> float:
        """Runs `make(n) -> (method, path, body)` until the time or the count is up; returns the seconds taken."""
        import aiohttp

        connector = aiohttp.TCPConnector(limit=concurrency * 2)
        timeout = aiohttp.ClientTimeout(total=30)
        started = time.perf_counter()
        deadline = started + self.seconds
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

            async def client(number: int) -> None:
                gateway = number
                while time.perf_counter() < deadline and self.sent < self.limit:
                    n = self.sent
                    self.sent += 1
                    method, path, body = make(n)
                    headers = dict(self.headers)
                    if method == "POST":
                        headers["Idempotency-Key"] = uuid.uuid4().hex
                    url = self.gateways[gateway % len(self.gateways)] + path
                    gateway += 1
                    t0 = time.perf_counter()
                    try:
                        async with session.request(method, url, json=body, headers=headers) as response:
                            payload = await response.read()
                            status = response.status
                    except (TimeoutError, aiohttp.ClientError) as exc:
                        status, payload = 0, repr(exc).encode()
                    if 200 <= status < 300:
                        self.latencies.append(time.perf_counter() - t0)
                        if method == "GET" and (missing := orjson.loads(payload).get("degraded")):
                            self.degraded += 1
                            self.reasons.update(f"{d.get('service')} {d.get('reason')}" for d in missing)
                    else:
                        self.failed += 1
                        if len(self.samples) < 3:
                            self.samples.append(f"{method} {path}: {status} {payload[:200].decode(errors='replace')}")

            await asyncio.gather(*(client(i) for i in range(concurrency)))
        return time.perf_counter() - started

    def figures(self, seconds: float) -> dict[str, Any]:
        ms = [v * 1000 for v in self.latencies]
        return {
            "answered": len(ms),
            "failed": self.failed,
            "degraded": self.degraded,
            "degraded_parts": dict(self.reasons),
            "seconds": round(seconds, 2),
            "rps": round(len(ms) / seconds, 1) if seconds else None,
            "p50_ms": round(percentile(ms, 50), 1) if ms else None,
            "p99_ms": round(percentile(ms, 99), 1) if ms else None,
            "failures": self.samples,
        }


class Cpu:
    """CPU seconds of every process of the suite (by the pids the launcher's banner named) and of this process."""

    def __init__(self, suite: Cluster) -> None:
        self.pids = {**suite.pids, "launcher": suite.proc.pid}

    def read(self) -> tuple[float, float, float]:
        """(the suite's CPU s, this process's CPU s, the whole machine's busy CPU s: PostgreSQL's is only in it)."""
        total = 0.0
        for pid in self.pids.values():
            try:
                total += _cpu_s(pid)
            except (FileNotFoundError, ProcessLookupError):
                pass
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
        busy = (sum(fields) - fields[3] - fields[4]) / TICKS  # all but idle and iowait
        return total, time.process_time(), busy


async def _applied(suite: Cluster, total: int, limit: float = 300.0) -> float | None:
    """Seconds until every consumer's directory holds `total` cadres, or None past `limit`."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        counts = [await count_rows(suite.database_urls[c], "dir_cadre") for c in CONSUMERS]
        if min(counts) >= total:
            return time.perf_counter() - started
        await asyncio.sleep(0.2)
    return None


async def _measure(suite: Cluster, replicas: int, quick: bool) -> dict[str, Any]:
    import httpx

    api, size, seconds, limit = _sizes(quick)
    headers = suite.headers()
    seeding = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as http:
        await create_units(http, suite.urls["rank"], headers)
    seeded = await _seed(suite.urls, suite.database_urls, headers, 0, api)
    templates = seeded["ids"]
    await clone_register(suite.database_urls, templates, len(templates), size)
    history = set(seeded["with_history"])
    clones = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:bench:cadre:{n}")) for n in range(len(templates), size)]
    everyone = templates + clones
    with_history = [t for t in templates if t in history] + [
        c for n, c in enumerate(clones, len(templates)) if templates[n % len(templates)] in history
    ]
    featured = set(with_history)
    ids = with_history + [c for c in everyone if c not in featured]
    out: dict[str, Any] = {
        "replicas": replicas,
        "nats_nodes": NATS_NODES,
        "gateways": len(suite.gateways),
        "cadres": size,
        "seed_s": round(time.perf_counter() - seeding, 1),
        "seed_errors": seeded["errors"] + seeded["history_errors"],
    }
    print(f"  {replicas} replica(s): seeded {size:,} cadres in {out['seed_s']} s", flush=True)
    cpu = Cpu(suite)

    # (a) the dossier, on the register as seeded (the same 2,000 cadres in both runs)
    await asyncio.sleep(2.0)  # the seeding's tail (relay, consumers) out of the figure
    load = Load(suite.gateways, headers, seconds, limit)
    before = cpu.read()
    answered_s = await load.run(lambda n: ("GET", f"/api/v1/cadres/{ids[n % len(ids)]}/dossier", None))
    after = cpu.read()
    dossier = load.figures(answered_s)
    dossier.update(_cpu(before, after, dossier["answered"]))
    out["dossier"] = dossier
    print(_line("dossier", dossier), flush=True)

    # (b) the write path: registrations, then until every consumer has applied them
    known = min([await count_rows(suite.database_urls[c], "dir_cadre") for c in CONSUMERS])
    await asyncio.sleep(2.0)
    load = Load(suite.gateways, headers, seconds, limit)

    def registration(n: int) -> tuple[str, str, dict]:
        body = {
            "name": f"Replica {replicas} {n:06d}",
            "gender": "MALE" if n % 2 else "FEMALE",
            "birth_date": f"{1970 + n % 25}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "entry_date": f"{1993 + n % 25}-07-01",
            "org_unit_id": f"county-{n % COUNTIES}",
        }
        return "POST", "/api/v1/cadres", body

    before = cpu.read()
    answered_s = await load.run(registration)
    tail = await _applied(suite, known + len(load.latencies))
    after = cpu.read()
    write = load.figures(answered_s)
    write["applied_after_s"] = round(tail, 2) if tail is not None else None
    write["applied_rps"] = round(len(load.latencies) / (answered_s + tail), 1) if tail is not None else None
    write.update(_cpu(before, after, write["answered"]))
    out["write"] = write
    print(_line("write", write), flush=True)
    return out


def _cpu(before: tuple[float, ...], after: tuple[float, ...], answered: int) -> dict[str, Any]:
    suite = after[0] - before[0]
    return {
        "suite_cpu_s": round(suite, 1),
        "suite_cpu_ms_per_request": round(suite * 1000 / answered, 1) if answered else None,
        "loader_cpu_s": round(after[1] - before[1], 1),
        "machine_busy_cpu_s": round(after[2] - before[2], 1),
    }


def _line(name: str, row: dict[str, Any]) -> str:
    applied = f", all consumers {row['applied_after_s']} s after the last answer" if "applied_after_s" in row else ""
    return (
        f"    {name:<8} {row['rps']} req/s, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, {row['failed']} failed"
        + (f", {row['degraded']} degraded {row['degraded_parts']}" if row["degraded"] else "")
        + f"{applied}; CPU suite {row['suite_cpu_s']} s ({row['suite_cpu_ms_per_request']} ms/request), "
        f"load generator {row['loader_cpu_s']} s, machine busy {row['machine_busy_cpu_s']} CPU s"
        + "".join(f"\n      e.g. {s}" for s in row["failures"])
    )


async def run(args: Any) -> dict[str, Any]:
    if not await postgres_available(args.postgres_url):
        raise SystemExit("bench replicas needs PostgreSQL (--postgres-url or BENCH_POSTGRES_URL)")
    api, size, seconds, limit = _sizes(args.quick)
    out: dict[str, Any] = {
        "cadres": size,
        "concurrency": CONCURRENCY,
        "seconds_per_load": seconds,
        "max_requests_per_load": limit,
        "nats_nodes": NATS_NODES,
        "runs": {},
    }
    work = Path(tempfile.mkdtemp(prefix="youwei-bench-replicas-", dir=os.environ.get("BENCH_WORK")))
    print(f"Replicas on PostgreSQL, {NATS_NODES} NATS nodes, {CONCURRENCY} clients, {seconds:.0f} s per load:")
    try:
        for replicas in REPLICAS:
            started = time.perf_counter()
            suite = await asyncio.to_thread(
                start, args.postgres_url, work / f"r{replicas}", replicas=replicas, nats_cluster=NATS_NODES,
                env=ENV, prefix="yrp",
            )  # fmt: skip
            print(f"  {replicas} replica(s): suite up in {time.perf_counter() - started:.0f} s", flush=True)
            try:
                out["runs"][str(replicas)] = await _measure(suite, replicas, args.quick)
            finally:
                await asyncio.to_thread(suite.stop)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def format(result: dict[str, Any]) -> str:  # noqa: A001 - the bench runner's hook name
    """The table (Markdown): one row per replica count."""
    lines = [
        f"Replicas, PostgreSQL, {result['cadres']:,} cadres, {result['nats_nodes']} NATS nodes, "
        f"{result['concurrency']} clients, {result['seconds_per_load']:.0f} s per load",
        "| replicas | write req/s | write p50 ms | write p99 ms | applied by all s | dossier req/s | dossier p50 ms "
        "| dossier p99 ms | dossiers degraded | CPU ms/write | CPU ms/dossier | failed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for replicas, run in result["runs"].items():
        w, d = run["write"], run["dossier"]
        lines.append(
            f"| {replicas} | {w['rps']} | {w['p50_ms']} | {w['p99_ms']} | {w['applied_after_s']} | {d['rps']} | "
            f"{d['p50_ms']} | {d['p99_ms']} | {d['degraded']} | {w['suite_cpu_ms_per_request']} | "
            f"{d['suite_cpu_ms_per_request']} | "
            f"{w['failed']} + {d['failed']} |"
        )
    return "\n".join(lines)
