"""`youwei import` of awards (奖励), appeals (申诉) and ID numbers (身份证号) through the gateway, against the four real
services (real NATS, SQLite): an award is recorded with its real date and shows in the cadre's records, an appeal
against a sanction of the same workbook is recorded, a broken row is reported by sheet, row and column, and the
same workbook again changes nothing. The ID number never appears in the report or the output.
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
from openpyxl import Workbook, load_workbook

from gateway.main import create_app as create_gateway
from gateway.testing import gateway_test_settings, serving
from kernel.testing.helpers import settings_for

YOUWEI = str(Path(sys.executable).with_name("youwei"))
SERVICES = {
    s: (f"services.{s}.main", f"services.{s}.settings", f"{s.capitalize()}Settings")
    for s in ("rank", "appraisal", "petitions", "tolerance")
}
WHO = {"li": ["李四", "女", "1980.04"], "wang": ["王五", "男", "1982年5月"]}
ID_LI = "11010519491231002X"


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
    sheet.append(["姓名", "性别", "出生年月", "参加工作时间", "单位代码", "身份证号"])
    sheet.append([*WHO["li"], "2002.07", "finance", ID_LI])
    sheet.append([*WHO["wang"], "2004.07", "finance", None])
    sheet = workbook.create_sheet("处分")
    sheet.append(["姓名", "性别", "出生年月", "处分类别", "处分种类", "处分时间", "文号"])
    sheet.append([*WHO["wang"], "处分", "警告", "2024.03.01", "财纪〔2024〕7号"])
    sheet = workbook.create_sheet("奖励")
    sheet.append(
        ["姓名", "性别", "出生年月", "奖励种类", "奖励等级", "年度", "批准时间", "文号", "撤销时间", "撤销原因"]
    )
    sheet.append([*WHO["li"], "记功", "三等", None, "2021.03.05", "财奖〔2021〕3号", None, None])
    sheet.append([*WHO["li"], "嘉奖", None, None, "2019.02.01", "财奖〔2019〕1号", None, None])
    # Row 4: granted before 李四 started work (2002.07): the service refuses it, naming the grant date.
    sheet.append([*WHO["li"], "嘉奖", None, None, "2001.02.01", "财奖〔2001〕1号", None, None])
    # Row 5: a revocation without its reason: the dry run refuses it.
    sheet.append([*WHO["li"], "嘉奖", None, None, "2020.02.01", "财奖〔2020〕1号", "2020.06.01", None])
    sheet = workbook.create_sheet("申诉")
    sheet.append(
        [
            "姓名",
            "性别",
            "出生年月",
            "原处理决定",
            "申诉阶段",
            "原决定送达时间",
            "申诉时间",
            "受理时间",
            "决定时间",
            "申诉结果",
            "申诉理由",
            "文号",
        ]
    )
    sheet.append(
        [
            *WHO["wang"],
            "财纪〔2024〕7号",
            "复核",
            "2024.03.04",
            "2024.03.20",
            "2024.03.21",
            "2024.04.10",
            "维持",
            "事实不清",
            "财复〔2024〕2号",
        ]
    )
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


async def test_awards_and_an_appeal_come_in_and_again_change_nothing(
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
            "appeals.created": 1,
            "awards.created": 2,
            "awards.failed": 1,
            "cadres.created": 2,
            "org-units.created": 2,
            "sanctions.created": 1,
        }, out
        assert sorted((i["sheet"], i["row"], i["column"]) for i in report["issues"]) == [
            ("奖励", 4, "批准时间"),
            ("奖励", 5, "撤销原因"),
        ], out
        assert ID_LI not in out and ID_LI not in json.dumps(report, ensure_ascii=False)

        li = (await client.get("/api/v1/cadres", params={"name": "李四"})).json()["items"][0]["id"]
        wang = (await client.get("/api/v1/cadres", params={"name": "王五"})).json()["items"][0]["id"]
        found = (await client.post("/api/v1/cadres/search", json={"id_number": ID_LI})).json()["items"]
        assert [c["id"] for c in found] == [li]
        awards = (await client.get("/api/v1/awards", params={"cadre_id": li})).json()["items"]
        assert sorted((a["type"], a["status"], a["document_no"]) for a in awards) == [
            ("COMMENDATION", "GRANTED", "财奖〔2019〕1号"),
            ("MERIT_3", "GRANTED", "财奖〔2021〕3号"),
        ]
        merit = next(a for a in awards if a["type"] == "MERIT_3")
        assert (merit["granted_on"], merit["source"]) == ("2021-03-05", "IMPORT"), merit
        # The cadre's appraisal records show the award from its real grant date, not from the day of the import.
        # (the dossier part, as the gateway's dossier assembles it, read from appraisal itself)
        part = f"{urls['appraisal']}/api/v1/dossier-parts/appraisal/{li}"
        before = (await client.get(part, params={"as_of": "2021-03-04"})).json()
        after = (await client.get(part, params={"as_of": "2021-03-05"})).json()
        assert [a["type"] for a in before["awards"]] == ["COMMENDATION"], before
        assert sorted(a["type"] for a in after["awards"]) == ["COMMENDATION", "MERIT_3"], after
        appeals = (await client.get("/api/v1/appeals")).json()["items"]
        assert [(a["appellant_cadre_id"], a["stage"], a["result"], a["decided_on"]) for a in appeals] == [
            (wang, "REVIEW", "UPHELD", "2024-04-10")
        ]

        code, report, out = await _youwei(tmp_path, gateway, token, path)
        assert code == 1 and report["counts"] == {
            "appeals.unchanged": 1,
            "awards.failed": 1,
            "awards.unchanged": 2,
            "cadres.unchanged": 2,
            "org-units.unchanged": 2,
            "sanctions.unchanged": 1,
        }, out

        # Changed rows are corrections: the 2019 嘉奖's grant date, the appeal's acceptance date; 王五 given 李四's ID
        # number (no longer on 李四's row, so only the register can tell) is reported at its cell, never merged.
        workbook = load_workbook(path)
        workbook["干部"]["F2"] = None
        workbook["奖励"]["G3"] = "2019.02.11"
        workbook["申诉"]["H2"] = "2024.03.22"
        workbook["干部"]["F3"] = ID_LI
        workbook.save(path)
        code, report, out = await _youwei(tmp_path, gateway, token, path)
        assert code == 1 and report["counts"] == {
            "appeals.corrected": 1,
            "awards.corrected": 1,
            "awards.failed": 1,
            "awards.unchanged": 1,
            "cadres.unchanged": 2,
            "org-units.unchanged": 2,
            "sanctions.unchanged": 1,
        }, out
        assert sorted((i["sheet"], i["row"], i["column"]) for i in report["issues"]) == [
            ("奖励", 4, "批准时间"),
            ("奖励", 5, "撤销原因"),
            ("干部", 3, "身份证号"),
        ], out
        assert ID_LI not in out and ID_LI not in json.dumps(report, ensure_ascii=False)
        found = (await client.post("/api/v1/cadres/search", json={"id_number": ID_LI})).json()["items"]
        assert [c["id"] for c in found] == [li]
        awards = (await client.get("/api/v1/awards", params={"cadre_id": li})).json()["items"]
        assert sorted(a["granted_on"] for a in awards) == ["2019-02-11", "2021-03-05"]
        [appeal] = (await client.get("/api/v1/appeals")).json()["items"]
        assert appeal["accepted_on"] == "2024-03-22"

        # A new cadre with a number the register holds: rank refuses that row of the batch (409), reported at its cell.
        workbook = load_workbook(path)
        workbook["干部"]["F3"] = None
        workbook["干部"].append(["赵六", "男", "1983.06", "2005.07", "finance", ID_LI])
        workbook.save(path)
        code, report, out = await _youwei(tmp_path, gateway, token, path)
        assert code == 1 and report["counts"] == {
            "appeals.unchanged": 1,
            "awards.failed": 1,
            "awards.unchanged": 2,
            "cadres.failed": 1,
            "cadres.unchanged": 2,
            "org-units.unchanged": 2,
            "sanctions.unchanged": 1,
        }, out
        assert sorted((i["sheet"], i["row"], i["column"]) for i in report["issues"]) == [
            ("奖励", 4, "批准时间"),
            ("奖励", 5, "撤销原因"),
            ("干部", 4, "身份证号"),
        ], out
        assert ID_LI not in out and ID_LI not in json.dumps(report, ensure_ascii=False)
        assert (await client.get("/api/v1/cadres", params={"name": "赵六"})).json()["items"] == []
