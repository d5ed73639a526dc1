"""Exports in Chinese through the gateway against the four real services (real NATS, SQLite/PostgreSQL): the
roster (名册) of an org unit, a cadre's dossier as .xlsx and PDF, and the dashboard as .xlsx — rows, grades,
restrictions and Chinese headers as the caller may see them, the dossier's audit rows, scope (404) and roles (403).
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gateway.main import create_app
from gateway.testing import gateway_test_settings, serving
from kernel.testing.helpers import eventually, running, settings_for

SERVICES = {
    "rank": ("services.rank.main", "services.rank.settings", "RankSettings"),
    "appraisal": ("services.appraisal.main", "services.appraisal.settings", "AppraisalSettings"),
    "petitions": ("services.petitions.main", "services.petitions.settings", "PetitionsSettings"),
    "tolerance": ("services.tolerance.main", "services.tolerance.settings", "ToleranceSettings"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
YEARS = [TODAY.year - 1, TODAY.year - 2, TODAY.year - 3]
GRADES = {YEARS[0]: ("EXCELLENT", "优秀"), YEARS[1]: ("COMPETENT", "称职"), YEARS[2]: ("BASIC", "基本称职")}


def _idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
async def suite(fresh_db, nats_url, events_ns, test_auth) -> AsyncIterator[Any]:
    """Four services and the gateway; city → 县甲 (county-a); 钱二 in the city, 赵一 in county-a with a post, a
    rank, three past grades and an organizational handling (调整职务) whose restrictions are in force."""
    stops: dict[str, AsyncExitStack] = {}
    apps: dict[str, Any] = {}
    urls: dict[str, str] = {}
    async with AsyncExitStack() as outer:
        for service, (main, settings_module, settings_cls) in SERVICES.items():
            settings = settings_for(
                getattr(importlib.import_module(settings_module), settings_cls),
                database_url=await fresh_db(service),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
            )
            app = importlib.import_module(main).create_app(settings)
            stack = AsyncExitStack()
            urls[service] = await stack.enter_async_context(serving(app))
            outer.push_async_callback(stack.aclose)
            apps[service], stops[service] = app, stack
        settings = gateway_test_settings(
            test_auth,
            part_timeout=5.0,
            export_pdf_compress=False,
            export_pdf_invariant=True,
            **{f"{s}_url": u for s, u in urls.items()},
        )
        gateway_app = create_app(settings)
        gateway = await outer.enter_async_context(running(gateway_app))
        admin = test_auth.headers("org_admin", unit="city", subject="admin-city")
        for unit, name, level, parent in (
            ("city", "某市", "CITY_LEADERSHIP", None),
            ("county-a", "县甲", "COUNTY_LEADERSHIP", "city"),
        ):
            r = await gateway.post(
                "/api/v1/org-units",
                headers={**admin, **_idem()},
                json={"code": unit, "name": name, "agency_level": level, "parent_id": parent},
            )
            assert r.status_code == 201, r.text
        ids = {}
        for name, unit, gender in (("钱二", "city", "MALE"), ("赵一", "county-a", "FEMALE")):
            r = await gateway.post(
                "/api/v1/cadres",
                headers={**admin, **_idem()},
                json={
                    "name": name,
                    "gender": gender,
                    "birth_date": "1984-04-05",
                    "entry_date": "2006-07-01",
                    "org_unit_id": unit,
                },
            )
            assert r.status_code == 201, r.text
            ids[unit] = r.json()["id"]
        zhao = ids["county-a"]
        for path, body in (
            ("rank-holdings", {"rank_code": "C07", "since": "2019-03-01", "basis": "INITIAL", "level": 15}),
            ("post-holdings", {"post_code": "TOWNSHIP_CHIEF", "since": "2020-05-01", "basis": "INITIAL"}),
        ):
            r = await gateway.post(f"/api/v1/cadres/{zhao}/{path}", headers={**admin, **_idem()}, json=body)
            assert r.status_code == 201, r.text

        async def everyone_knows_the_cadres() -> None:
            for cadre_id in ids.values():
                body = (await gateway.get(f"/api/v1/cadres/{cadre_id}/dossier", headers=admin)).json()
                assert body["degraded"] == [], body["degraded"]

        await eventually(everyone_knows_the_cadres, timeout=90, interval=0.2)
        for year, (grade, _) in GRADES.items():
            extra = (
                {"publicity_from": f"{year + 1}-01-10", "publicity_to": f"{year + 1}-01-16"}
                if grade == "EXCELLENT"
                else {}
            )
            r = await gateway.post(
                "/api/v1/assessments/history",
                headers={**admin, **_idem()},
                json={
                    "cadre_id": zhao,
                    "year": year,
                    "grade": grade,
                    "decided_on": f"{year + 1}-01-20",
                    "notified_on": f"{year + 1}-01-22",
                    "source": "PAPER_RECORD",
                    **extra,
                },
            )
            assert r.status_code == 201, r.text
        past = (TODAY - dt.timedelta(days=30)).isoformat()
        r = await gateway.post(
            "/api/v1/sanctions/history",
            headers={**admin, **_idem()},
            json={
                "cadre_id": zhao,
                "system": "ORG_HANDLING",
                "type": "POST_ADJUSTMENT",
                "decided_on": past,
                "effective_from": past,
                "document_number": "组干〔2026〕1号",
                "source": "PAPER_RECORD",
            },
        )
        assert r.status_code == 201, r.text
        yield SimpleNamespace(gateway=gateway, gateway_app=gateway_app, apps=apps, stops=stops, ids=ids, admin=admin)


def _sheet(content: bytes, name: str) -> list[tuple]:
    """The rows of a sheet, each padded to the sheet's width (a written-empty row reads back as all None)."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    try:
        rows = [tuple(row) for row in workbook[name].iter_rows(values_only=True)]
    finally:
        workbook.close()
    width = max((len(r) for r in rows), default=0)
    return [r + (None,) * (width - len(r)) for r in rows]


def _sheetnames(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return workbook.sheetnames
    finally:
        workbook.close()


def _utf8_filename(disposition: str) -> str:
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    assert match, disposition
    assert re.search(r'filename="[\x20-\x7e]+"', disposition), disposition  # the ASCII fallback
    return unquote(match.group(1))


def _pdf_text(content: bytes) -> str:
    """The text of an uncompressed reportlab PDF: its string literals shown with Tj (UTF-16BE for the CID font)."""
    out = []
    for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.S):
        raw = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: (
                bytes([int(m.group(1), 8)])
                if m.group(1)[:1].isdigit()
                else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1))
            ),
            literal,
        )
        try:
            out.append(raw.decode("utf-16-be"))
        except UnicodeDecodeError:
            out.append(raw.decode("latin-1"))
    return "\n".join(out)


async def _restrictions_of(suite: Any, cadre_id: str) -> list[dict[str, Any]]:
    r = await suite.gateway.get(
        "/api/v1/restrictions", params={"cadre_id": cadre_id, "active_on": TODAY.isoformat()}, headers=suite.admin
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_the_roster_lists_each_cadre_with_post_rank_grades_and_restrictions(suite, test_auth):
    async def restricted() -> None:
        assert await _restrictions_of(suite, suite.ids["county-a"])

    await eventually(restricted, timeout=30, interval=0.2)
    response = await suite.gateway.get("/api/v1/org-units/city/roster.xlsx", headers=suite.admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert _utf8_filename(response.headers["content-disposition"]) == f"干部名册-某市-{TODAY.isoformat()}.xlsx"
    rows = _sheet(response.content, "名册")
    headers = list(rows[0])
    assert headers == [
        "姓名",
        "性别",
        "出生年月",
        "单位",
        "职务",
        "职级",
        "级别",
        "任现职时间",
        "任现职级时间",
        *(f"{y}年度考核" for y in YEARS),
        "影响期内的限制",
    ]
    by_name = {row[0]: dict(zip(headers, row)) for row in rows[1:]}
    assert sorted(by_name) == ["赵一", "钱二"]
    zhao = by_name["赵一"]
    assert (zhao["性别"], zhao["出生年月"], zhao["单位"]) == ("女", "1984.04", "县甲")
    assert (zhao["职务"], zhao["职级"], zhao["级别"]) == ("乡科级正职", "一级主任科员", 15)
    assert (zhao["任现职时间"], zhao["任现职级时间"]) == ("2020-05-01", "2019-03-01")
    assert [zhao[f"{y}年度考核"] for y in YEARS] == [GRADES[y][1] for y in YEARS]
    rank_bar = next(
        r for r in await _restrictions_of(suite, suite.ids["county-a"]) if r["effect"] == "NO_RANK_PROMOTION"
    )
    assert f"不得晋升职级（组织处理，至{rank_bar['applies_until']}）" in zhao["影响期内的限制"]
    qian = by_name["钱二"]
    assert qian["性别"] == "男" and qian["单位"] == "某市" and qian["影响期内的限制"] in ("", None)
    assert all(qian[f"{y}年度考核"] in ("", None) for y in YEARS)
    about = dict((r[0], r[1]) for r in _sheet(response.content, "说明")[1:] if r and r[0])
    assert about["截至日期"] == TODAY.isoformat() and about["生成对象"].startswith("admin-city")

    only_city = await suite.gateway.get(
        "/api/v1/org-units/city/roster.xlsx", params={"include_subunits": "false"}, headers=suite.admin
    )
    assert [r[0] for r in _sheet(only_city.content, "名册")[1:]] == ["钱二"]
    earlier = await suite.gateway.get(
        "/api/v1/org-units/county-a/roster.xlsx", params={"as_of": "2019-06-30"}, headers=suite.admin
    )
    zhao_then = dict(zip(*_sheet(earlier.content, "名册")[:2]))
    assert zhao_then["职务"] in ("", None) and zhao_then["任现职级时间"] == "2019-03-01"
    assert zhao_then["影响期内的限制"] in ("", None)

    county = test_auth.headers("org_admin", unit="county-a", subject="admin-county")
    outside = await suite.gateway.get("/api/v1/org-units/city/roster.xlsx", headers=county)
    unknown = await suite.gateway.get("/api/v1/org-units/nowhere/roster.xlsx", headers=county)
    assert outside.status_code == unknown.status_code == 404
    assert outside.headers["content-type"].startswith("application/problem+json")
    assert outside.json()["detail"] == unknown.json()["detail"]
    own = await suite.gateway.get("/api/v1/org-units/county-a/roster.xlsx", headers=county)
    assert [r[0] for r in _sheet(own.content, "名册")[1:]] == ["赵一"]
    for role, status in (
        ("petitions_staff", 403),
        ("cadre", 403),
        ("subscriber", 403),
        ("auditor", 200),
        ("assessor", 200),
        ("discipline_officer", 200),
    ):
        headers = test_auth.headers(
            role, unit="city", subject=f"{role}-roster", cadre_id=suite.ids["city"] if role == "cadre" else None
        )
        r = await suite.gateway.get("/api/v1/org-units/city/roster.xlsx", headers=headers)
        assert r.status_code == status, (role, r.text[:200])
    bad = await suite.gateway.get(
        "/api/v1/org-units/city/roster.xlsx", params={"include_subunits": "maybe"}, headers=suite.admin
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "include_subunits"


async def test_a_roster_over_the_limit_answers_413(suite, test_auth):
    suite.gateway_app.state.gateway.settings.export_roster_max_cadres = 1
    response = await suite.gateway.get("/api/v1/org-units/city/roster.xlsx", headers=suite.admin)
    assert response.status_code == 413
    body = response.json()
    assert body["rule"] == "export.roster_too_large" and body["field"] == "unit_id" and body["limit"] == 1
    fits = await suite.gateway.get("/api/v1/org-units/county-a/roster.xlsx", headers=suite.admin)
    assert fits.status_code == 200


async def test_the_dossier_exports_as_xlsx_and_pdf_audited_like_the_json_dossier(suite, test_auth):
    zhao = suite.ids["county-a"]
    response = await suite.gateway.get(
        f"/api/v1/cadres/{zhao}/dossier.xlsx",
        headers={**suite.admin, "X-Purpose": "APPOINTMENT_REVIEW", "X-Request-ID": "dossier-export-1"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert _utf8_filename(response.headers["content-disposition"]) == f"干部档案-赵一-{TODAY.isoformat()}.xlsx"
    assert _sheetnames(response.content) == [
        "基本信息",
        "任职经历",
        "年度考核",
        "业绩纪实",
        "奖励",
        "信访",
        "容错与处分",
        "限制",
    ]
    basic = _sheet(response.content, "基本信息")
    assert basic[0][0] == "干部档案：赵一" and basic[1][0] == f"截至日期：{TODAY.isoformat()}"
    assert basic[2][0].startswith("生成对象：admin-city")
    assert {("性别", "女"), ("职级", "一级主任科员"), ("单位", "县甲")} <= {r[:2] for r in basic}
    grades = {r[0]: r[1] for r in _sheet(response.content, "年度考核") if isinstance(r[0], int)}
    assert grades == {y: GRADES[y][1] for y in YEARS}
    sanctions = [r for r in _sheet(response.content, "容错与处分") if r[:2] == ("组织处理", "调整职务")]
    assert len(sanctions) == 1
    assert any(r[0] == "不得晋升职级" and r[2] == "影响期内" for r in _sheet(response.content, "限制"))
    for service, app in suite.apps.items():
        table = importlib.import_module(f"services.{service}.adapters.orm").audit_log
        async with app.state.runtime.db.reader.connect() as conn:
            rows = (
                await conn.execute(
                    select(table.c.object_id, table.c.purpose, table.c.actor).where(
                        table.c.request_id == "dossier-export-1"
                    )
                )
            ).all()
        assert any(
            r.object_id == zhao and r.purpose == "APPOINTMENT_REVIEW" and r.actor == "admin-city" for r in rows
        ), (service, rows)

    pdf = await suite.gateway.get(
        f"/api/v1/cadres/{zhao}/dossier.pdf", params={"as_of": TODAY.isoformat()}, headers=suite.admin
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert _utf8_filename(pdf.headers["content-disposition"]) == f"干部档案-赵一-{TODAY.isoformat()}.pdf"
    content = _pdf_text(pdf.content)
    for expected in ("干部档案：赵一", "生成对象：admin-city", "年度考核", "优秀", "信访", "限制", "不得晋升职级"):
        assert expected in content, expected

    county = test_auth.headers("org_admin", unit="county-a", subject="admin-county")
    city_cadre = suite.ids["city"]
    for suffix in ("xlsx", "pdf"):
        outside = await suite.gateway.get(f"/api/v1/cadres/{city_cadre}/dossier.{suffix}", headers=county)
        assert outside.status_code == 404 and outside.headers["content-type"].startswith("application/problem+json")
        for role in ("petitions_staff", "subscriber"):
            r = await suite.gateway.get(
                f"/api/v1/cadres/{zhao}/dossier.{suffix}",
                headers=test_auth.headers(role, unit="city", subject=f"{role}-x"),
            )
            assert r.status_code == 403, role

    me = test_auth.headers("cadre", unit="county-a", cadre_id=zhao, subject=f"cadre-{zhao}")
    own = await suite.gateway.get(f"/api/v1/cadres/{zhao}/dossier.xlsx", headers=me)
    assert own.status_code == 200
    assert any(str(r[0]).startswith("无权查看") for r in _sheet(own.content, "信访"))
    assert (await suite.gateway.get(f"/api/v1/cadres/{city_cadre}/dossier.pdf", headers=me)).status_code == 404


async def test_the_dashboard_xlsx_matches_the_json_dashboard(suite, test_auth):
    json_view = (await suite.gateway.get("/api/v1/dashboards/city", headers=suite.admin)).json()
    response = await suite.gateway.get("/api/v1/dashboards/city.xlsx", headers=suite.admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert _utf8_filename(response.headers["content-disposition"]).startswith("组织工作看板-某市-")
    assert _sheetnames(response.content) == [
        "概览",
        "晋升资格",
        "考核等次分布",
        "担当作为指数",
        "激励覆盖",
        "逾期信访",
        "限制即将到期",
    ]
    appraisal = json_view["parts"]["appraisal"]
    labels = {"EXCELLENT": "优秀", "COMPETENT": "称职", "BASIC": "基本称职"}
    grade_rows = _sheet(response.content, "考核等次分布")
    at = grade_rows.index(("考核等次", "人数"))
    assert {r[0]: r[1] for r in grade_rows[at + 1 :] if r[0]} == {
        labels[k]: v for k, v in appraisal["grade_distribution"].items()
    }
    assert appraisal["grade_distribution"] == {"EXCELLENT": 1}
    tolerance = json_view["parts"]["tolerance"]
    ending = _sheet(response.content, "限制即将到期")
    listed = [r for r in ending if r[0] in {i["cadre_id"] for i in tolerance["restrictions_ending"]["items"]}]
    assert len(listed) == tolerance["restrictions_ending"]["count"] >= 1
    assert {(r[0], r[3]) for r in listed} == {
        (i["cadre_id"], i["ends_on"]) for i in tolerance["restrictions_ending"]["items"]
    }
    rank = json_view["parts"]["rank"]
    assert ("干部人数", rank["cadres"]) in [r[:2] for r in _sheet(response.content, "晋升资格")]

    assessor = test_auth.headers("assessor", unit="city", subject="assessor-1")
    assert (await suite.gateway.get("/api/v1/dashboards/county-a.xlsx", headers=assessor)).status_code == 404
    assert (await suite.gateway.get("/api/v1/dashboards/city.xlsx", headers=assessor)).status_code == 200
    for role in ("petitions_staff", "cadre", "subscriber"):
        r = await suite.gateway.get(
            "/api/v1/dashboards/city.xlsx", headers=test_auth.headers(role, unit="city", subject=f"{role}-d")
        )
        assert r.status_code == 403, role
    county = test_auth.headers("org_admin", unit="county-a", subject="admin-county")
    assert (await suite.gateway.get("/api/v1/dashboards/city.xlsx", headers=county)).status_code == 404


async def test_an_unavailable_part_is_shown_as_unavailable_not_dropped(suite):
    await suite.stops["tolerance"].aclose()
    zhao = suite.ids["county-a"]
    response = await suite.gateway.get(f"/api/v1/cadres/{zhao}/dossier.xlsx", headers=suite.admin)
    assert response.status_code == 200
    assert "限制" in _sheetnames(response.content) and "容错与处分" in _sheetnames(response.content)
    assert any(str(r[0]).startswith("暂不可用") for r in _sheet(response.content, "限制"))
    grades = {r[0]: r[1] for r in _sheet(response.content, "年度考核") if isinstance(r[0], int)}
    assert grades[YEARS[0]] == "优秀"
    roster = await suite.gateway.get("/api/v1/org-units/county-a/roster.xlsx", headers=suite.admin)
    assert roster.status_code == 200
    row = dict(zip(*_sheet(roster.content, "名册")[:2]))
    assert row["影响期内的限制"].startswith("暂不可用") and row[f"{YEARS[0]}年度考核"] == "优秀"
    dashboard = await suite.gateway.get("/api/v1/dashboards/city.xlsx", headers=suite.admin)
    assert any(str(r[0]).startswith("暂不可用") for r in _sheet(dashboard.content, "限制即将到期"))
