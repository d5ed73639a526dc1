"""CPU per request over every process of the suite (issue 15): `python -m bench cpu [--quick]`.

The four services and the gateway run as uvicorn children on loopback, on SQLite and then on PostgreSQL when it
answers (`--backend sqlite|postgres|both`). The register is seeded through the
APIs and grown to 10,000 cadres by cloning those cadres' rows (bench/gateway.py `_seed`, `_clone_register`). Then,
for each scenario, a bounded number of requests is sent (8 at a time) and the benchmark reads, before and after:

  - every process's CPU time (utime + stime from /proc/<pid>/stat: the whole process, relay and consumers included);
  - every service's `youwei_sql_statements_total` from its /metrics (kernel.db.count_statements).

A write scenario ends only when every consumer has applied its events (the directories count the new rows), so
the consumers' CPU is in the figure; a refused request is counted in `failed` (and printed once). The CPU the processes burn when idle (pollers, sweeps), measured over the
same span before the scenario, is subtracted. Each run also records `calibration_ms`, the CPU of a fixed workload
before and after it: the machine's speed drifts, so runs compare fairly only with it (or back to back). The table: CPU ms per request per process and in total,
statements per request, requests per second.

    python -m bench cpu             10,000 cadres; 1,000 reads and 300 writes per scenario
    python -m bench cpu --quick     2,000 cadres; 300 reads and 100 writes
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from bench.chart import cpu_chart
from bench.common import Databases, backends, child, count_rows, free_port, nats_server, python
from bench.gateway import (
    COUNTIES,
    SERVICES,
    UVICORN,
    _gateway_env,
    _seed,
    clone_register,
    create_units,
    service_env,
)
from kernel import keys

RESULTS = Path(__file__).resolve().parent / "results"

CONCURRENCY = 8
PROCESSES = (*SERVICES, "gateway")
CONSUMERS = ("appraisal", "petitions", "tolerance")
TICKS = os.sysconf("SC_CLK_TCK")
STATEMENTS = re.compile(r'^youwei_sql_statements_total\{service="([a-z]+)"\} ([0-9.e+]+)$', re.M)


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Meter:
    """Reads the CPU of every process and the statements of every service."""

    def __init__(self, pids: dict[str, int], urls: dict[str, str]) -> None:
        self.pids = pids
        self.urls = urls

    async def read(self, client: httpx.AsyncClient) -> dict[str, tuple[float, float]]:
        out = {}
        for name, pid in self.pids.items():
            statements = 0.0
            if name in SERVICES:
                text = (await client.get(f"{self.urls[name]}/metrics")).text
                statements = sum(float(v) for _, v in STATEMENTS.findall(text))
            out[name] = (_cpu_s(pid), statements)
        return out


async def _send(
    client: httpx.AsyncClient, requests: list[tuple[str, str, dict | None]], headers: dict[str, str]
) -> int:
    """Sends every (method, url, body), CONCURRENCY at a time; returns how many failed."""
    queue = iter(requests)
    failed = 0

    async def worker() -> None:
        nonlocal failed
        for method, url, body in queue:
            extra = {"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else {}
            r = await client.request(method, url, json=body, headers={**headers, **extra})
            if r.status_code >= 300:
                failed += 1
                if failed == 1:
                    print(f"  e.g. {method} {url.split('/api/v1/', 1)[1]}: {r.status_code} {r.text[:300]}", flush=True)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return failed


async def _settled(check: Any, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the consumers did not apply the scenario's events in time")
        await asyncio.sleep(0.2)


async def _scenario(
    meter: Meter,
    client: httpx.AsyncClient,
    name: str,
    requests: list[tuple[str, str, dict | None]],
    headers: dict[str, str],
    settled: Any = None,
) -> dict[str, Any]:
    """Runs one scenario; answers CPU ms and statements per request (per process and in total) and req/s."""
    await asyncio.sleep(1.0)  # let the previous scenario's tail (relay, consumers) finish
    idle_start = await meter.read(client)
    t0 = time.perf_counter()
    await asyncio.sleep(2.0)
    idle_end = await meter.read(client)
    idle_rate = {p: (idle_end[p][0] - idle_start[p][0]) / (time.perf_counter() - t0) for p in meter.pids}
    before = await meter.read(client)
    started = time.perf_counter()
    failed = await _send(client, requests, headers)
    answered = time.perf_counter() - started
    if settled is not None and failed < len(requests):
        ok = len(requests) - failed
        await _settled(lambda: settled(ok))
    elapsed = time.perf_counter() - started
    after = await meter.read(client)
    n = len(requests)
    cpu = {p: max(0.0, (after[p][0] - before[p][0]) - idle_rate[p] * elapsed) * 1000 / n for p in meter.pids}
    statements = {p: (after[p][1] - before[p][1]) / n for p in SERVICES}
    row = {
        "requests": n,
        "failed": failed,
        "rps": round(n / answered, 1),
        "settled_s": round(elapsed, 2),
        "cpu_ms": {p: round(v, 2) for p, v in cpu.items()},
        "cpu_ms_total": round(sum(cpu.values()), 2),
        "statements": {p: round(v, 1) for p, v in statements.items()},
        "statements_total": round(sum(statements.values()), 1),
    }
    print(
        f"  {name:<28} {row['cpu_ms_total']:7.2f} ms CPU/request  {row['statements_total']:6.1f} statements  "
        f"{row['rps']:7.1f} req/s  ({failed} failed)",
        flush=True,
    )
    return row


def calibrate() -> float:
    """CPU ms of a fixed pure-Python workload (JSON and hashing, like a request's): this machine's speed changes
    over the day (a shared VM), so runs taken at different times compare through this figure."""
    import hashlib

    doc = {"id": "c" * 36, "grades": [{"year": 2000 + i, "grade": "COMPETENT"} for i in range(20)]}
    started = time.process_time()
    for _ in range(3000):
        hashlib.sha256(json.dumps(json.loads(json.dumps(doc))).encode()).hexdigest()
    return round((time.process_time() - started) * 1000, 1)


async def run(args: Any) -> dict[str, Any]:
    size, reads, writes = (2000, 300, 100) if args.quick else (10_000, 1000, 300)
    out: dict[str, Any] = {"cadres": size, "concurrency": CONCURRENCY, "runs": {}}
    for backend in await backends(args):
        before = calibrate()
        out["runs"][backend] = await _run_on(args, backend, size, reads, writes)
        out["runs"][backend]["calibration_ms"] = round((before + calibrate()) / 2, 1)
    baseline_file = RESULTS / "cpu_baseline.json"
    baseline = json.loads(baseline_file.read_text(encoding="utf-8")) if baseline_file.exists() else None
    if baseline is not None and baseline["cadres"] == size:
        for backend, before in _runs(baseline).items():
            if backend in out["runs"]:
                name = "cpu.png" if backend == "sqlite" else f"cpu-{backend}.png"
                chart = cpu_chart(
                    before,
                    out["runs"][backend],
                    RESULTS / name,
                    title=f"Total CPU ms per request, {size:,} cadres ({backend}): baseline vs this run",
                )
                print(f"  chart: {chart.relative_to(RESULTS.parent.parent)}", flush=True)
    return out


def _runs(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The runs of a result by backend (a result of one SQLite run, as the baseline is, counts as one)."""
    return result.get("runs") or {result["backend"]: result}


async def _run_on(args: Any, backend: str, size: int, reads: int, writes: int) -> dict[str, Any]:
    work = Path(os.environ.get("BENCH_WORK", "/tmp")) / f"youwei-bench-cpu-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    key = keys.load_or_generate(work / "keys")
    token = key.mint(
        subject="bench", roles=["org_admin"], unit="city", issuer="youwei-bench", audience="youwei", ttl_s=6 * 3600
    )
    auth = {"Authorization": f"Bearer {token}"}
    namespace = "c" + uuid.uuid4().hex[:8]
    dbs = Databases(args.postgres_url)
    out: dict[str, Any] = {"backend": backend, "cadres": size, "concurrency": CONCURRENCY, "scenarios": {}}
    try:
        db_urls = {s: await dbs.fresh(s, backend) for s in SERVICES}
        with nats_server() as nats, ExitStack() as stack:
            urls: dict[str, str] = {}
            pids: dict[str, int] = {}

            def serve(name: str, factory: str, env: dict[str, str]) -> None:
                port = free_port()
                urls[name] = f"http://127.0.0.1:{port}"
                profile = os.environ.get("BENCH_PROFILE")  # a directory: one cProfile file per process
                wrap = ["-m", "bench.profiled", str(Path(profile) / f"{name}.prof")] if profile else []
                proc = stack.enter_context(
                    child(
                        [python(), *wrap, *UVICORN, "--port", str(port), factory],
                        env=env,
                        ready_url=urls[name] + "/health/ready",
                        timeout=60,
                    )
                )
                pids[name] = proc.pid

            for service in SERVICES:
                serve(
                    service,
                    f"services.{service}.main:create_app",
                    service_env(service, work, db_urls[service], nats.url, namespace),
                )
            serve("gateway", "gateway.main:create_app", _gateway_env(work, dict(urls), "aiohttp"))
            gateway = urls["gateway"]
            async with httpx.AsyncClient(timeout=60) as client:
                await create_units(client, urls["rank"], auth)
                seeded = await _seed(urls, db_urls, auth, 0, min(size, 500 if args.quick else 2000))
                templates = seeded["ids"]
                history = set(seeded["with_history"])
                await clone_register(db_urls, templates, len(templates), size)
                clones = [
                    str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:bench:cadre:{n}")) for n in range(len(templates), size)
                ]
                with_history = [t for t in templates if t in history] + [
                    c for n, c in enumerate(clones, len(templates)) if templates[n % len(templates)] in history
                ]
                sample = (with_history * (reads // max(1, len(with_history)) + 1))[:reads]
                meter = Meter(pids, urls)
                scenarios = out["scenarios"]
                print(f"CPU per request, {size:,} cadres ({backend}), {CONCURRENCY} requests at a time:", flush=True)
                scenarios["dossier"] = await _scenario(
                    meter,
                    client,
                    "GET dossier (gateway)",
                    [("GET", f"{gateway}/api/v1/cadres/{c}/dossier", None) for c in sample],
                    auth,
                )
                scenarios["pass_through"] = await _scenario(
                    meter,
                    client,
                    "GET /cadres/{id} (gateway)",
                    [("GET", f"{gateway}/api/v1/cadres/{c}", None) for c in sample],
                    auth,
                )
                known = {s: await count_rows(db_urls[s], "dir_cadre") for s in CONSUMERS}
                bodies = [
                    (
                        "POST",
                        f"{gateway}/api/v1/cadres",
                        {
                            "name": f"新干部{n:05d}",
                            "gender": "MALE" if n % 2 else "FEMALE",
                            "birth_date": f"{1970 + n % 25}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                            "entry_date": f"{1993 + n % 25}-07-01",
                            "org_unit_id": f"county-{n % COUNTIES}",
                        },
                    )
                    for n in range(writes)
                ]

                async def registered(ok: int) -> bool:
                    return all([await count_rows(db_urls[s], "dir_cadre") >= known[s] + ok for s in CONSUMERS])

                scenarios["registration"] = await _scenario(
                    meter, client, "POST /cadres, all consumers", bodies, auth, settled=registered
                )
                records = await count_rows(db_urls["appraisal"], "performance_record")

                async def recorded(ok: int) -> bool:
                    return await count_rows(db_urls["appraisal"], "performance_record") >= records + ok

                scenarios["appraisal_write"] = await _scenario(
                    meter,
                    client,
                    "POST performance-records",
                    [
                        (
                            "POST",
                            f"{gateway}/api/v1/performance-records",
                            {
                                "cadre_id": c,
                                "occurred_on": "2026-03-15",
                                "category": "KEY_TASK",
                                "title": f"任务{i}",
                                "quantity": 2,
                                "unit": "items",
                            },
                        )
                        for i, c in enumerate(sample[:writes])
                    ],
                    auth,
                    settled=recorded,
                )
    finally:
        await dbs.close()
    return out


def format(result: dict[str, Any]) -> str:  # noqa: A001 - the bench runner's hook name
    """The CPU-per-request tables (Markdown), one per backend."""
    head = "| scenario | " + " | ".join(f"{p} ms" for p in PROCESSES) + " | total ms | statements | req/s |"
    lines = []
    for backend, run in _runs(result).items():
        speed = f" (calibration {run['calibration_ms']} ms)" if "calibration_ms" in run else ""
        lines += [
            "",
            f"CPU per request, {result['cadres']:,} cadres, {backend}{speed}",
            head,
            "|" + "---|" * (len(PROCESSES) + 4),
        ]
        for name, row in run["scenarios"].items():
            cells = " | ".join(f"{row['cpu_ms'][p]:.2f}" for p in PROCESSES)
            lines.append(
                f"| {name} | {cells} | {row['cpu_ms_total']:.2f} | {row['statements_total']:.1f} | {row['rps']} |"
            )
    return "\n".join(lines).lstrip("\n")
