"""`youwei import` end to end: a real rank service (uvicorn, real NATS, SQLite and PostgreSQL) and the real command in
a subprocess. Dry run, real run, the same file again (0 changes), a changed row (a correction), broken rows named
in the report, and a run killed half way then run again (nothing twice, nothing lost).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from gateway.testing import serving
from kernel.testing.helpers import settings_for
from services.rank.main import create_app
from services.rank.settings import RankSettings

YOUWEI = str(Path(sys.executable).with_name("youwei"))
UNITS = [
    ("city", "示例市", None, "市级领导班子"),
    ("finance", "财政局", "city", "市直机关"),
    ("budget", "预算处", "finance", "内设处室"),
]


def _cadres(n: int) -> list[list[Any]]:
    return [
        [
            f"干部{i:03d}",
            "女" if i % 2 else "男",
            f"{1970 + i % 25}.{1 + i % 12:02d}",
            f"{1992 + i % 25}.07",
            "大学本科",
            "budget" if i % 3 else "finance",
            "一级主任科员",
            "2020.01",
        ]
        for i in range(n)
    ]


def _workbook(path: Path, cadres: list[list[Any]]) -> Path:
    workbook = Workbook()
    units = workbook.active
    units.title = "单位"
    units.append(["单位代码", "单位名称", "上级单位代码", "单位层级"])
    for row in UNITS:
        units.append(list(row))
    people = workbook.create_sheet("干部")
    people.append(["姓名", "性别", "出生年月", "参加工作时间", "学历", "单位代码", "职级", "职级任职时间"])
    for row in cadres:
        people.append(row)
    workbook.save(path)
    return path


@pytest.fixture
async def rank(fresh_db, nats_url, events_ns, test_auth):
    settings = settings_for(
        RankSettings, database_url=await fresh_db("rank"), nats_url=nats_url, namespace=events_ns, auth=test_auth
    )
    async with serving(create_app(settings)) as url:
        token = test_auth.token("org_admin", unit="city", subject="importer")
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
            yield url, token, client


async def _youwei(tmp: Path, url: str, token: str, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp / "report.json"
    process = await asyncio.create_subprocess_exec(
        YOUWEI,
        "import",
        *args,
        "--gateway",
        url,
        "--token",
        token,
        "--report",
        str(report),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=300)
    assert report.exists(), out.decode()
    return process.returncode, json.loads(report.read_text(encoding="utf-8"))


async def _count(client: httpx.AsyncClient) -> int:
    total, cursor = 0, None
    while True:
        page = (
            await client.get("/api/v1/cadres", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        ).json()
        total += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return total


async def test_dry_run_then_import_then_the_same_file_again_then_a_correction(rank, tmp_path):
    url, token, client = rank
    cadres = _cadres(12)
    broken = [
        ["坏行", "男", 1985.1, "2008.07", "大学本科", "budget", None, None],  # a number cell: 1985.01 or 1985.10?
        ["无单位", "男", "1985.03", "2008.07", "大学本科", "nowhere", None, None],
    ]  # unit in no file, no register
    path = _workbook(tmp_path / "register.xlsx", cadres + broken)

    code, report = await _youwei(tmp_path, url, token, str(path), "--dry-run")
    assert code == 1 and report["dry_run"] is True
    assert report["rows_ok"] == {"org-units": 3, "cadres": 13, "grades": 0, "sanctions": 0, "awards": 0, "appeals": 0}
    assert [(i["row"], i["column"]) for i in report["issues"]] == [(14, "出生年月")]
    assert (tmp_path / "report.xlsx").exists()
    assert await _count(client) == 0  # a dry run writes nothing

    code, report = await _youwei(tmp_path, url, token, str(path))
    assert report["counts"] == {"cadres.created": 12, "cadres.failed": 1, "org-units.created": 3}, report
    assert {(i["row"], i["column"]) for i in report["issues"]} == {(14, "出生年月"), (15, "单位代码")}
    assert await _count(client) == 12
    first = (await client.get("/api/v1/cadres", params={"name": "干部001"})).json()["items"][0]
    history = (await client.get(f"/api/v1/cadres/{first['id']}/history")).json()
    assert [(h["rank_code"], h["since"]) for h in history["rank_holdings"]] == [("C07", "2020-01-01")]
    assert first["birth_date"] == "1971-02-01" and first["org_unit_id"] == "budget"

    code, report = await _youwei(tmp_path, url, token, str(path))
    assert report["counts"] == {"cadres.failed": 1, "cadres.unchanged": 12, "org-units.unchanged": 3}, report
    assert await _count(client) == 12

    cadres[1][4] = "硕士"  # a changed row becomes a correction
    _workbook(path, cadres)
    code, report = await _youwei(tmp_path, url, token, str(path))
    assert code == 0 and report["counts"] == {
        "cadres.corrected": 1,
        "cadres.unchanged": 11,
        "org-units.unchanged": 3,
    }, report
    corrected = (await client.get("/api/v1/cadres", params={"name": "干部001"})).json()["items"][0]
    assert corrected["education"] == "MASTER" and corrected["version"] == first["version"] + 1


async def test_a_run_killed_half_way_is_run_again_and_nothing_is_lost_or_doubled(rank, tmp_path):
    url, token, client = rank
    path = _workbook(tmp_path / "big.xlsx", _cadres(80))
    # Batches of 10 cadres (one transaction each): the run is killed between two of them.
    process = await asyncio.create_subprocess_exec(
        YOUWEI,
        "import",
        str(path),
        "--gateway",
        url,
        "--token",
        token,
        "--report",
        str(tmp_path / "r.json"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "YOUWEI_IMPORT_BATCH": "10"},
    )
    deadline = asyncio.get_running_loop().time() + 120
    while await _count(client) < 10:
        assert asyncio.get_running_loop().time() < deadline and process.returncode is None
        await asyncio.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    await process.wait()
    killed_at = await _count(client)
    assert 10 <= killed_at < 80

    code, report = await _youwei(tmp_path, url, token, str(path))
    assert code == 0, (report["counts"], report["issues"][:5])
    assert (
        report["counts"].get("cadres.created", 0)
        + report["counts"].get("cadres.unchanged", 0)
        + report["counts"].get("cadres.corrected", 0)
        == 80
    )
    assert await _count(client) == 80
    names = set()
    cursor = None
    while True:
        page = (
            await client.get("/api/v1/cadres", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        ).json()
        names |= {c["name"] for c in page["items"]}
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert len(names) == 80
