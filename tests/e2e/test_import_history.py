"""`youwei import` of a register with its history through the gateway, against the four real services (real NATS):
grades reach appraisal and sanctions reach tolerance with their real dates, for cadres registered a moment before
in the same run (the grade batches present the register's consistency token), a row the service refuses inside a
batch is reported by sheet, row and column while the others are recorded, and the same workbook again changes
nothing.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook

from gateway.main import create_app as create_gateway
from gateway.testing import gateway_test_settings, serving
from kernel.testing.helpers import settings_for

YOUWEI = str(Path(sys.executable).with_name("youwei"))
SERVICES = {
    s: (f"services.{s}.main", f"services.{s}.settings", f"{s.capitalize()}Settings")
    for s in ("rank", "appraisal", "petitions", "tolerance")
}
WHO = {"li": ["李四", "女", "1980.04"], "wang": ["王五", "男", "1982年5月"]}


def _workbook(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "单位"
    for row in (
        ["单位代码", "单位名称", "上级单位代码", "单位层级"],
        ["city", "示例市", None, "市级领导班子"],
        ["finance", "财政局", "city", "市直机关"],
    ):
        sheet.append(row)
    sheet = workbook.create_sheet("干部")
    sheet.append(["姓名", "性别", "出生年月", "参加工作时间", "单位代码", "职级", "职级任职时间"])
    sheet.append([*WHO["li"], "2002.07", "finance", "一级主任科员", "2018.01"])
    sheet.append([*WHO["wang"], "2004.07", "finance", "二级主任科员", "2019.01"])
    sheet = workbook.create_sheet("考核")
    sheet.append(
        ["姓名", "性别", "出生年月", "年度", "考核等次", "决定时间", "通知时间", "公示开始", "公示结束", "文号"]
    )
    sheet.append([*WHO["li"], 2019, "称职", "2020.01.20", "2020.01.22", None, None, "财考〔2020〕1号"])
    sheet.append([*WHO["li"], 2020, "优秀", "2021-01-20", "2021-01-21", "2021-01-11", "2021-01-18", "财考〔2021〕1号"])
    sheet.append([*WHO["li"], 2021, "基本称职", "2022年1月24日", None, None, None, None])
    # Row 5: a grade decided before 李四 started work (2002.07): the service refuses this row alone, in its batch.
    sheet.append([*WHO["li"], 2001, "称职", "2002.01.20", None, None, None, None])
    sheet = workbook.create_sheet("处分")
    sheet.append(["姓名", "性别", "出生年月", "处分类别", "处分种类", "处分时间", "文号"])
    sheet.append([*WHO["wang"], "政务处分", "记过", "2024.03.01", "纪发〔2024〕7号"])
    workbook.save(path)
    return path


async def _youwei(tmp: Path, url: str, token: str, path: Path) -> tuple[int, dict[str, Any], str]:
    report = tmp / "report.json"
    process = await asyncio.create_subprocess_exec(
        YOUWEI,
        "import",
        str(path),
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
    return process.returncode, json.loads(report.read_text(encoding="utf-8")), out.decode()


async def test_a_register_with_its_grades_and_sanctions_comes_in_through_the_gateway(
    fresh_db, nats_url, events_ns, test_auth, tmp_path
):
    async with AsyncExitStack() as stack:
        urls = {}
        for service, (main, settings_module, settings_cls) in SERVICES.items():
            settings = settings_for(
                getattr(importlib.import_module(settings_module), settings_cls),
                database_url=await fresh_db(service),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
            )
            urls[service] = await stack.enter_async_context(serving(importlib.import_module(main).create_app(settings)))
        gateway = await stack.enter_async_context(
            serving(
                create_gateway(
                    gateway_test_settings(test_auth, part_timeout=5.0, **{f"{s}_url": u for s, u in urls.items()})
                )
            )
        )
        token = test_auth.token("org_admin", "discipline_officer", unit="city", subject="importer")
        client = await stack.enter_async_context(
            httpx.AsyncClient(base_url=gateway, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        )
        path = _workbook(tmp_path / "register.xlsx")

        code, report, out = await _youwei(tmp_path, gateway, token, path)
        assert code == 1, out
        assert report["counts"] == {
            "cadres.created": 2,
            "grades.created": 3,
            "grades.failed": 1,
            "org-units.created": 2,
            "sanctions.created": 1,
        }, out
        assert [(i["sheet"], i["row"], i["column"]) for i in report["issues"]] == [("考核", 5, "决定时间")], out

        li = (await client.get("/api/v1/cadres", params={"name": "李四"})).json()["items"][0]["id"]
        wang = (await client.get("/api/v1/cadres", params={"name": "王五"})).json()["items"][0]["id"]
        grades = (await client.get("/api/v1/assessments", params={"cadre_id": li})).json()["items"]
        assert sorted((g["year"], g["final_grade"], g["decided_on"], g["notified_on"]) for g in grades) == [
            (2019, "COMPETENT", "2020-01-20", "2020-01-22"),
            (2020, "EXCELLENT", "2021-01-20", "2021-01-21"),
            (2021, "BASIC", "2022-01-24", "2022-01-24"),
        ]
        [sanction] = (await client.get("/api/v1/sanctions", params={"cadre_id": wang})).json()["items"]
        assert (sanction["type"], sanction["decided_on"]) == ("DEMERIT", "2024-03-01")
        during = (await client.get("/api/v1/restrictions", params={"cadre_id": wang, "active_on": "2024-06-01"})).json()
        after = (await client.get("/api/v1/restrictions", params={"cadre_id": wang, "active_on": "2026-06-01"})).json()
        assert during["items"] and not after["items"]  # 记过: 12 months from its real date

        code, report, out = await _youwei(tmp_path, gateway, token, path)
        assert code == 1 and report["counts"] == {
            "cadres.unchanged": 2,
            "grades.failed": 1,
            "grades.unchanged": 3,
            "org-units.unchanged": 2,
            "sanctions.unchanged": 1,
        }, out
