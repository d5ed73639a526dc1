"""`youwei import` of a register with history from one .xlsx (issue 12): time, rows/s, peak memory of every process
and the time until every consumer has applied everything.

The four services and the gateway run as uvicorn children on loopback (fresh databases); the importer runs as the
real `youwei import` command in its own process. The workbook: 10 units, N cadres (rank taken up on a past date)
and Y past annual grades per cadre (about 15 % 优秀 with a past publicity). Default (and `--quick`): 300 cadres.
The target (issue 12): 10,000 cadres with 10 years in under 5 minutes and under 500 MiB, on SQLite and PostgreSQL.

    python -m bench importer [--backend sqlite|postgres|both] [--quick]
    BENCH_IMPORT_CADRES=10000 BENCH_IMPORT_YEARS=10 python -m bench importer --backend both
    BENCH_IMPORT_PROFILE=1 python -m bench importer     adds where a row's time goes (single route vs batch,
                                                         through the gateway vs directly), after the import
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import nats
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import Databases, backends, free_port, nats_server
from bench.skeleton import _uvicorn
from kernel import keys
from kernel.subjects import stream_name

SERVICES = ("rank", "appraisal", "petitions", "tolerance")
YOUWEI = str(Path(sys.executable).with_name("youwei"))


def workbook(path: Path, cadres: int, years: int, seed: int = 7) -> dict[str, int]:
    """Writes the benchmark's workbook (write-only mode: constant memory) and returns its row counts."""
    rng = random.Random(seed)
    today = dt.date.today()
    book = Workbook(write_only=True)
    units = book.create_sheet("单位")
    units.append(["单位代码", "单位名称", "上级单位代码", "单位层级"])
    units.append(["city", "示例市", None, "市级领导班子"])
    for i in range(9):
        units.append([f"agency-{i}", f"市直机关{i}", "city", "市直机关"])
    people = book.create_sheet("干部")
    people.append(["姓名", "性别", "出生年月", "参加工作时间", "学历", "单位代码", "职级", "职级任职时间"])
    grades = book.create_sheet("考核")
    grades.append(
        ["姓名", "性别", "出生年月", "年度", "考核等次", "决定时间", "通知时间", "公示开始", "公示结束", "文号"]
    )
    grade_rows = 0
    for n in range(cadres):
        born = dt.date(1965 + n % 30, 1 + n % 12, 1)
        who = [f"干部{n:05d}", "女" if n % 2 else "男", f"{born.year}.{born.month:02d}"]
        entry = born.year + 22
        since = max(today.year - years, entry + 1)
        people.append([*who, f"{entry}.07", "大学本科", f"agency-{n % 9}", "一级主任科员", f"{since}.01"])
        for year in range(today.year - years, today.year):
            if year <= entry:
                continue
            excellent = rng.random() < 0.15
            decided = dt.date(year + 1, 1, 20)
            row = [*who, year, "优秀" if excellent else "称职", decided.isoformat(), decided.isoformat()]
            row += (
                [dt.date(year + 1, 1, 8).isoformat(), dt.date(year + 1, 1, 16).isoformat()]
                if excellent
                else [None, None]
            )
            grades.append([*row, f"考〔{year + 1}〕{n}号"])
            grade_rows += 1
    book.save(path)
    return {"units": 10, "cadres": cadres, "grades": grade_rows}


def _env(
    tmp: Path, backend_urls: dict[str, str], ports: dict[str, int], nats_url: str, namespace: str
) -> dict[str, str]:
    env = {"PYTHONUNBUFFERED": "1", "GATEWAY_RATE_LIMIT_ENABLED": "false"}
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
        env[f"{service.upper()}_DATABASE_URL"] = backend_urls[service]
        env[f"GATEWAY_{service.upper()}_URL"] = f"http://127.0.0.1:{ports[service]}"
    return env


@contextmanager
def _child(cmd: list[str], env: dict[str, str], ready_url: str, log: Path) -> Iterator[subprocess.Popen]:
    """A service child whose output goes to a file (a pipe nobody reads would stall a chatty child)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{cmd[:5]} exited: {log.read_text(errors='replace')[-2000:]}")
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
                proc.kill()
                proc.wait(10)


class RssSampler(threading.Thread):
    """Samples the resident memory of a set of processes (VmRSS, /proc) every 0.2 s: the peak of their sum and
    each one's own peak; and the CPU time each has used since it was watched (user + system, last sample)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.pids: dict[str, int] = {}
        self.peak_total_kib = 0
        self.peak_kib: dict[str, int] = {}
        self.cpu_start: dict[str, float] = {}
        self.cpu_s: dict[str, float] = {}
        self._halt = threading.Event()

    def watch(self, name: str, pid: int) -> None:
        self.pids[name] = pid
        if pid > 0:
            self.cpu_start[name] = _cpu_s(pid) or 0.0

    def run(self) -> None:
        while not self._halt.is_set():
            total = 0
            for name, pid in list(self.pids.items()):
                kib = _rss_kib(pid)
                total += kib
                self.peak_kib[name] = max(self.peak_kib.get(name, 0), kib)
                cpu = _cpu_s(pid)
                if cpu is not None:
                    self.cpu_s[name] = round(cpu - self.cpu_start.get(name, 0.0), 1)
            self.peak_total_kib = max(self.peak_total_kib, total)
            self._halt.wait(0.2)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a live process (/proc/<pid>/stat), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


async def _settled(urls: dict[str, str], nats_url: str, namespace: str, timeout: float) -> dict[str, Any]:
    """Waits until every outbox is published and every durable consumer of the namespace has nothing pending or
    unacknowledged (twice in a row, 0.5 s apart); answers when, and what was left at the first look."""
    engines = {s: create_async_engine(u) for s, u in urls.items()}
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    first: dict[str, Any] | None = None
    quiet = 0
    deadline = time.perf_counter() + timeout
    try:
        while time.perf_counter() < deadline:
            unpublished = {}
            for service, engine in engines.items():
                async with engine.connect() as conn:
                    unpublished[service] = (
                        await conn.execute(text("SELECT count(*) FROM outbox_message WHERE published_at IS NULL"))
                    ).scalar_one()
            pending = {}
            for producer in SERVICES:
                try:
                    consumers = await js.consumers_info(stream_name(namespace, producer))
                except Exception:  # noqa: BLE001 - a producer without a stream yet
                    continue
                for c in consumers:
                    pending[c.name] = (c.num_pending or 0) + (c.num_ack_pending or 0)
            if first is None:
                first = {"unpublished": unpublished, "pending": pending}
            quiet = quiet + 1 if not any(unpublished.values()) and not any(pending.values()) else 0
            if quiet >= 2:
                return {"settled": True, "at_import_end": first}
            await asyncio.sleep(0.5)
        return {"settled": False, "at_import_end": first}
    finally:
        await nc.close()
        for engine in engines.values():
            await engine.dispose()


async def _one(
    backend: str, dbs: Databases, nats_url: str, book: Path, rows: dict[str, int], profile: bool
) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="youwei-bench-import-"))
    key = keys.generate(tmp / "keys")
    urls = {s: await dbs.fresh(s, backend) for s in SERVICES}
    ports = {s: free_port() for s in [*SERVICES, "gateway"]}
    namespace = "b" + uuid.uuid4().hex[:8]
    env = _env(tmp, urls, ports, nats_url, namespace)
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    token = key.mint(
        subject="bench",
        roles=["org_admin", "discipline_officer"],
        unit="city",
        issuer="youwei-bench",
        audience="youwei",
        ttl_s=4 * 3600,
    )
    sampler = RssSampler()
    with ExitStack() as stack:
        for name, factory in [
            *((s, f"services.{s}.main:create_app") for s in SERVICES),
            ("gateway", "gateway.main:create_app"),
        ]:
            proc = stack.enter_context(
                _child(
                    _uvicorn(factory, ports[name]),
                    env,
                    f"http://127.0.0.1:{ports[name]}/health/ready",
                    tmp / f"{name}.log",
                )
            )
            sampler.watch(name, proc.pid)
        sampler.start()
        started = time.perf_counter()
        importer = subprocess.Popen(
            [YOUWEI, "import", str(book), "--gateway", gateway, "--token", token, "--report", str(tmp / "report.json")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        sampler.watch("importer", importer.pid)
        out, _ = await asyncio.to_thread(importer.communicate, timeout=3 * 3600)
        seconds = time.perf_counter() - started
        (tmp / "importer.log").write_text(out, encoding="utf-8")
        sampler.watch("importer", -1)
        settled = await _settled(urls, nats_url, namespace, timeout=3600)
        settled_s = time.perf_counter() - started
        sampler.stop()
        async with httpx.AsyncClient(base_url=gateway, headers={"Authorization": f"Bearer {token}"}) as client:
            sample = (await client.get("/api/v1/cadres", params={"limit": 1})).json()["items"]
        result = {}
        if profile:
            result["profile"] = await _profile(gateway, f"http://127.0.0.1:{ports['appraisal']}", token)
    total = sum(rows.values())
    return {
        "backend": backend,
        "exit_code": importer.returncode,
        "seconds": round(seconds, 1),
        "rows": total,
        "rows_per_s": round(total / seconds, 1),
        "consumers_applied_all_s": round(settled_s, 1),
        "consumers": settled,
        "peak_rss_all_processes_mib": round(sampler.peak_total_kib / 1024, 1),
        "peak_rss_mib": {k: round(v / 1024, 1) for k, v in sampler.peak_kib.items()},
        "cpu_s_until_settled": dict(sampler.cpu_s),
        "summary": out.strip().splitlines()[:8] if importer.returncode in (0, 1) else out.strip().splitlines()[-12:],
        "register_not_empty": bool(sample),
        **result,
    }


async def _profile(gateway: str, appraisal: str, token: str, n: int = 40) -> dict[str, Any]:
    """Where a grade row's time goes, on the loaded register: n new past grades one request each through the
    gateway and directly to appraisal, then n more in one batch (ms per row; serial requests)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=60) as client:
        cadres = []
        cursor = None
        while len(cadres) < 4 * n:
            page = (
                await client.get("/api/v1/cadres", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
            ).json()
            cadres += [c for c in page["items"] if c["entry_date"] < "2000-01-01"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
    if len(cadres) < 3 * n:
        return {"skipped": "too few cadres for the profile"}

    def fact(cadre: dict[str, Any], year: int) -> dict[str, Any]:
        return {
            "cadre_id": cadre["id"],
            "year": year,
            "grade": "COMPETENT",
            "decided_on": f"{year + 1}-01-20",
            "notified_on": f"{year + 1}-01-20",
            "source": "IMPORT",
        }

    async def single(base: str, group: list[dict[str, Any]], year: int) -> float:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as c:
            t0 = time.perf_counter()
            for cadre in group:
                r = await c.post(
                    "/api/v1/assessments/history", json=fact(cadre, year), headers={"Idempotency-Key": uuid.uuid4().hex}
                )
                assert r.status_code == 201, r.text
            return round((time.perf_counter() - t0) / len(group) * 1000, 1)

    year = 2000
    figures = {
        "rows_each": n,
        "single_via_gateway_ms_per_row": await single(gateway, cadres[:n], year),
        "single_direct_ms_per_row": await single(appraisal, cadres[n : 2 * n], year),
        "single_direct_unchanged_ms_per_row": await single(appraisal, cadres[n : 2 * n], year),
    }
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=60) as c:
        t0 = time.perf_counter()
        r = await c.post(
            "/api/v1/assessments/history/batch",
            json={"items": [fact(x, year) for x in cadres[2 * n : 3 * n]]},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 200, r.text
        figures["batch_via_gateway_ms_per_row"] = round((time.perf_counter() - t0) / n * 1000, 1)
        t0 = time.perf_counter()
        for _ in range(n):
            await c.get("/api/v1/assessment-years", params={"limit": 1})
        figures["read_via_gateway_ms"] = round((time.perf_counter() - t0) / n * 1000, 1)
    return figures


async def run(args: Any) -> dict[str, Any]:
    cadres = int(os.environ.get("BENCH_IMPORT_CADRES", 300))
    years = int(os.environ.get("BENCH_IMPORT_YEARS", 10))
    profile = os.environ.get("BENCH_IMPORT_PROFILE") == "1"
    dbs = Databases(args.postgres_url)
    try:
        book = dbs.tmp / "register.xlsx"
        started = time.perf_counter()
        rows = workbook(book, cadres, years)
        written = time.perf_counter() - started
        results = []
        with nats_server() as server:
            for backend in await backends(args):
                results.append(await _one(backend, dbs, server.url, book, rows, profile))
        return {
            "cadres": cadres,
            "years": years,
            "rows": rows,
            "workbook_mib": round(book.stat().st_size / 2**20, 1),
            "workbook_written_s": round(written, 1),
            "target": {"seconds": 300, "peak_rss_mib": 500},
            "runs": results,
        }
    finally:
        await dbs.close()


def format(result: dict[str, Any]) -> str:  # noqa: A001 - the bench runner's hook
    lines = [
        f"import of {result['cadres']} cadres with {result['years']} years of grades "
        f"({result['rows']['grades']} grade rows, workbook {result['workbook_mib']} MiB)"
    ]
    for r in result["runs"]:
        lines.append(
            f"  {r['backend']:9} {r['seconds']:8.1f} s  {r['rows_per_s']:8.1f} rows/s  "
            f"consumers done at {r['consumers_applied_all_s']} s  "
            f"peak RSS {r['peak_rss_all_processes_mib']} MiB (all processes)  exit {r['exit_code']}"
        )
        if "profile" in r:
            lines.append(f"    profile: {r['profile']}")
    return "\n".join(lines)
