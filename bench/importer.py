"""`youwei import` of a register with history from one .xlsx (issue 12): time, rows/s and the importer's peak memory.

The four services and the gateway run as uvicorn children on loopback (fresh databases); the importer runs as the
real `youwei import` command in its own process. The workbook: 10 units, N cadres (rank taken up on a past date)
and Y past annual grades per cadre (about 15 % 优秀 with a past publicity). `--quick`: 300 cadres.

    python -m bench importer [--backend sqlite|postgres|both] [--quick]
    BENCH_IMPORT_CADRES=10000 BENCH_IMPORT_YEARS=10 python -m bench importer
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook

from bench.common import Databases, backends, child, free_port, nats_server
from bench.skeleton import _uvicorn
from kernel import keys

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
    grades.append(["姓名", "性别", "出生年月", "年度", "考核等次", "决定时间", "通知时间", "公示开始", "公示结束", "文号"])
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
            row += [dt.date(year + 1, 1, 8).isoformat(), dt.date(year + 1, 1, 16).isoformat()] if excellent else [None, None]
            grades.append([*row, f"考〔{year + 1}〕{n}号"])
            grade_rows += 1
    book.save(path)
    return {"units": 10, "cadres": cadres, "grades": grade_rows}


def _env(tmp: Path, backend_urls: dict[str, str], ports: dict[str, int], nats_url: str) -> dict[str, str]:
    env = {"PYTHONUNBUFFERED": "1", "GATEWAY_RATE_LIMIT_ENABLED": "false"}
    namespace = "b" + uuid.uuid4().hex[:8]
    for name in [*SERVICES, "gateway"]:
        p = name.upper()
        env.update({f"{p}_AUTH_JWKS_FILE": str(keys.jwks_path(tmp / "keys")), f"{p}_AUTH_ISSUER": "youwei-bench",
                    f"{p}_NATS_URL": nats_url, f"{p}_EVENTS_NAMESPACE": namespace, f"{p}_LOG_LEVEL": "WARNING",
                    f"{p}_ENVIRONMENT": "test"})
    for service in SERVICES:
        env[f"{service.upper()}_DATABASE_URL"] = backend_urls[service]
        env[f"GATEWAY_{service.upper()}_URL"] = f"http://127.0.0.1:{ports[service]}"
    return env


async def _one(backend: str, dbs: Databases, nats_url: str, book: Path, rows: dict[str, int]) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="youwei-bench-import-"))
    key = keys.generate(tmp / "keys")
    urls = {s: await dbs.fresh(s, backend) for s in SERVICES}
    ports = {s: free_port() for s in [*SERVICES, "gateway"]}
    env = _env(tmp, urls, ports, nats_url)
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    token = key.mint(subject="bench", roles=["org_admin", "discipline_officer"], unit="city", issuer="youwei-bench",
                     audience="youwei", ttl_s=4 * 3600)
    with ExitStack() as stack:
        for service in SERVICES:
            stack.enter_context(child(_uvicorn(f"services.{service}.main:create_app", ports[service]), env=env,
                                      ready_url=f"http://127.0.0.1:{ports[service]}/health/ready"))
        stack.enter_context(child(_uvicorn("gateway.main:create_app", ports["gateway"]), env=env,
                                  ready_url=f"{gateway}/health/ready"))
        started = time.perf_counter()
        done = await asyncio.to_thread(subprocess.run, [YOUWEI, "import", str(book), "--gateway", gateway,
                                                        "--token", token, "--report", str(tmp / "report.json")],
                                       capture_output=True, text=True, timeout=3 * 3600)
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        async with httpx.AsyncClient(base_url=gateway, headers={"Authorization": f"Bearer {token}"}) as client:
            sample = (await client.get("/api/v1/cadres", params={"limit": 1})).json()["items"]
    total = sum(rows.values())
    return {"backend": backend, "exit_code": done.returncode, "seconds": round(seconds, 1),
            "rows": total, "rows_per_s": round(total / seconds, 1), "importer_peak_rss_mib": round(peak_kib / 1024, 1),
            "summary": done.stdout.strip().splitlines()[:8], "register_not_empty": bool(sample)}


async def run(args: Any) -> dict[str, Any]:
    cadres = int(os.environ.get("BENCH_IMPORT_CADRES", 300 if args.quick else 10_000))
    years = int(os.environ.get("BENCH_IMPORT_YEARS", 10))
    dbs = Databases(args.postgres_url)
    try:
        book = dbs.tmp / "register.xlsx"
        started = time.perf_counter()
        rows = workbook(book, cadres, years)
        written = time.perf_counter() - started
        results = []
        with nats_server() as nats:
            for backend in await backends(args):
                results.append(await _one(backend, dbs, nats.url, book, rows))
        return {"cadres": cadres, "years": years, "rows": rows, "workbook_mib": round(book.stat().st_size / 2**20, 1),
                "workbook_written_s": round(written, 1), "runs": results}
    finally:
        await dbs.close()


def format(result: dict[str, Any]) -> str:  # noqa: A001 - the bench runner's hook
    lines = [f"import of {result['cadres']} cadres with {result['years']} years of grades "
             f"({result['rows']['grades']} grade rows, workbook {result['workbook_mib']} MiB)"]
    for r in result["runs"]:
        lines.append(f"  {r['backend']:9} {r['seconds']:8.1f} s  {r['rows_per_s']:8.1f} rows/s  "
                     f"importer peak {r['importer_peak_rss_mib']} MiB  exit {r['exit_code']}")
    return "\n".join(lines)
