"""The HTTP import job end to end: the four real services (real NATS, SQLite; PostgreSQL with TEST_POSTGRES_URL) and
the gateway, whose job writes through its own API with the submitter's token.

Upload -> 202 -> DONE and the register holds the cadres; a dry run writes nothing and its report names the broken
row; the same file again changes nothing; who sees a job (403 by role, 404 out of scope); 413/415/422 problems; an
expired token stops the job (resumed with a fresh one); a gateway stopped mid-job resumes it on startup with the
same final counts as an uninterrupted run.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from gateway.main import create_app as create_gateway
from gateway.testing import gateway_test_settings, serving
from kernel.testing.helpers import settings_for

YOUWEI = str(Path(sys.executable).with_name("youwei"))
SERVICES = {
    s: (f"services.{s}.main", f"services.{s}.settings", f"{s.capitalize()}Settings")
    for s in ("rank", "appraisal", "petitions", "tolerance")
}
UNITS = [
    ("city", "示例市", None, "市级领导班子"),
    ("finance", "财政局", "city", "市直机关"),
    ("budget", "预算处", "finance", "内设处室"),
]
MAX_BYTES = 200_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
sqlite_only = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


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


def _workbook(cadres: list[list[Any]]) -> bytes:
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@asynccontextmanager
async def _suite(fresh_db, nats_url, events_ns, test_auth, imports_dir: Path, **gateway: Any) -> AsyncIterator[Any]:
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

        def gateway_settings() -> Any:
            return gateway_test_settings(
                test_auth,
                part_timeout=5.0,
                upstream_timeout=30.0,
                imports_dir=imports_dir,
                import_max_bytes=MAX_BYTES,
                **{f"{s}_url": u for s, u in urls.items()},
                **gateway,
            )

        token = test_auth.token("org_admin", unit="city", subject="importer")
        rank = await stack.enter_async_context(
            httpx.AsyncClient(base_url=urls["rank"], headers={"Authorization": f"Bearer {token}"}, timeout=30)
        )
        yield SimpleNamespace(token=token, rank=rank, gateway_settings=gateway_settings)


@asynccontextmanager
async def _gateway(suite: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(create_gateway(suite.gateway_settings())) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            yield client


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _upload(
    gw: httpx.AsyncClient,
    token: str,
    content: bytes,
    *,
    name: str = "register.xlsx",
    dry_run: bool | None = None,
    kind: str | None = None,
    mime: str = XLSX,
) -> httpx.Response:
    data = {k: v for k, v in (("dry_run", None if dry_run is None else str(dry_run).lower()), ("kind", kind)) if v}
    return await gw.post("/api/v1/imports", headers=_auth(token), files={"file": (name, content, mime)}, data=data)


async def _until(
    gw: httpx.AsyncClient, token: str, location: str, *statuses: str, done_at_least: int | None = None
) -> dict[str, Any]:
    """Polls a job until it reaches one of `statuses` (or makes `done_at_least` progress); bounded, not timed."""
    deadline = asyncio.get_running_loop().time() + 240
    while True:
        job = (await gw.get(location, headers=_auth(token))).json()
        if job["status"] in statuses:
            return job
        if done_at_least is not None and job["status"] == "RUNNING" and job["progress"]["done"] >= done_at_least:
            return job
        assert asyncio.get_running_loop().time() < deadline, job
        await asyncio.sleep(0.05)


async def _count(rank: httpx.AsyncClient) -> int:
    total, cursor = 0, None
    while True:
        query = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await rank.get("/api/v1/cadres", params=query)).json()
        total += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return total


def _problem(response: httpx.Response, status: int, rule: str | None, field: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status and body["type"] and body["detail"]
    assert (body.get("rule"), body.get("field")) == (rule, field), body
    return body


async def test_upload_dry_run_import_and_the_same_file_again_with_reports_and_scope(
    fresh_db, nats_url, events_ns, test_auth, tmp_path
):
    async with _suite(fresh_db, nats_url, events_ns, test_auth, tmp_path / "imports") as suite, _gateway(suite) as gw:
        token = suite.token
        broken = [["坏行", "男", 1985.1, "2008.07", "大学本科", "budget", None, None]]  # 1985.01 or 1985.10?
        content = _workbook(_cadres(12) + broken)

        # A dry run: the job checks every row, writes nothing, and its report names the broken row.
        answer = await _upload(gw, token, content, dry_run=True)
        assert answer.status_code == 202, answer.text
        assert answer.headers["location"] == f"/api/v1/imports/{answer.json()['id']}"
        assert answer.json()["status"] in ("QUEUED", "RUNNING") and answer.json()["progress"]["total"] is None
        dry = await _until(gw, token, answer.headers["location"], "DONE", "FAILED")
        assert dry["status"] == "DONE" and dry["issue_count"] == 1 and dry["counts"] == {}, dry
        assert dry["progress"] == {"done": 15, "total": 15}
        report = (await gw.get(f"{answer.headers['location']}/report", headers=_auth(token))).json()
        assert report["dry_run"] is True and report["file"] == "register.xlsx"
        assert report["rows_ok"] == {
            "org-units": 3,
            "cadres": 12,
            "grades": 0,
            "sanctions": 0,
            "awards": 0,
            "appeals": 0,
        }
        assert [(i["sheet"], i["row"], i["column"]) for i in report["issues"]] == [("干部", 14, "出生年月")]
        xlsx = await gw.get(f"{answer.headers['location']}/report.xlsx", headers=_auth(token))
        assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert rows[0] == ("工作表", "行", "列", "原因") and rows[1][:3] == ("干部", 14, "出生年月")
        assert await _count(suite.rank) == 0  # nothing written
        # The same report as `youwei import --dry-run` writes for the same file (suite/importing/report.py).
        (tmp_path / "register.xlsx").write_bytes(content)
        process = await asyncio.create_subprocess_exec(
            YOUWEI,
            "import",
            str(tmp_path / "register.xlsx"),
            "--dry-run",
            "--report",
            str(tmp_path / "cli.json"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert await asyncio.wait_for(process.wait(), timeout=120) == 1  # 1: a row was skipped
        assert json.loads((tmp_path / "cli.json").read_text(encoding="utf-8")) == report
        cli_rows = list(load_workbook(tmp_path / "cli.xlsx").active.iter_rows(values_only=True))
        assert cli_rows == rows

        # The real run: the register holds the cadres; the report is the CLI's.
        answer = await _upload(gw, token, content)
        job = await _until(gw, token, answer.headers["location"], "DONE", "FAILED")
        assert job["status"] == "DONE" and job["counts"] == {"cadres.created": 12, "org-units.created": 3}, job
        assert job["progress"] == {"done": 15, "total": 15} and job["started_at"] and job["finished_at"]
        assert await _count(suite.rank) == 12
        first = (await suite.rank.get("/api/v1/cadres", params={"name": "干部001"})).json()["items"][0]
        assert first["birth_date"] == "1971-02-01" and first["org_unit_id"] == "budget"
        report = (await gw.get(f"{answer.headers['location']}/report", headers=_auth(token))).json()
        assert report["dry_run"] is False and report["counts"] == job["counts"]

        # The same file again: no change at all.
        answer = await _upload(gw, token, content)
        again = await _until(gw, token, answer.headers["location"], "DONE", "FAILED")
        assert again["counts"] == {"cadres.unchanged": 12, "org-units.unchanged": 3}, again
        assert await _count(suite.rank) == 12

        # The caller's jobs, newest first, one page at a time.
        page = (await gw.get("/api/v1/imports", params={"limit": 2}, headers=_auth(token))).json()
        rest = (await gw.get("/api/v1/imports", params={"cursor": page["next_cursor"]}, headers=_auth(token))).json()
        assert [j["id"] for j in page["items"] + rest["items"]] == [again["id"], job["id"], dry["id"]] and rest[
            "next_cursor"
        ] is None

        # Who sees a job: another org_admin covering the submitter's unit does; one of another unit gets 404 (as
        # for an unknown id), and has no job in their list; an assessor gets 403 on every route.
        location = answer.headers["location"]
        covering = test_auth.token("org_admin", unit="city", subject="another-admin")
        assert (await gw.get(location, headers=_auth(covering))).status_code == 200
        elsewhere = test_auth.token("org_admin", unit="finance", subject="finance-admin")
        refused = await gw.get(location, headers=_auth(elsewhere))
        unknown = await gw.get("/api/v1/imports/" + "0" * 32, headers=_auth(elsewhere))
        assert _problem(refused, 404, "scope.import", "import_id") == {
            **_problem(unknown, 404, "scope.import", "import_id"),
            "instance": refused.json()["instance"],
        }
        assert (await gw.get(f"{location}/report", headers=_auth(elsewhere))).status_code == 404
        assert (await gw.get("/api/v1/imports", headers=_auth(elsewhere))).json()["items"] == []
        assessor = test_auth.token("assessor", unit="city", subject="importer")
        _problem(await _upload(gw, assessor, content), 403, None, None)
        for path in ("/api/v1/imports", location, f"{location}/report", f"{location}/report.xlsx"):
            _problem(await gw.get(path, headers=_auth(assessor)), 403, None, None)
        # A discipline_officer alone imports 处分 sheets only.
        officer = test_auth.token("discipline_officer", unit="city", subject="officer")
        _problem(await _upload(gw, officer, content), 403, "import.role_sheets", "file")
        sanctions = Workbook()
        sanctions.active.title = "处分"
        sanctions.active.append(["姓名", "性别", "出生年月", "处分类别", "处分种类", "处分时间", "文号"])
        sanctions.active.append(["干部001", "女", "1971.02", "政务处分", "记过", "2024.03.01", "纪发〔2024〕7号"])
        buffer = io.BytesIO()
        sanctions.save(buffer)
        answer = await _upload(gw, officer, buffer.getvalue(), name="处分.xlsx")
        assert answer.status_code == 202, answer.text
        recorded = await _until(gw, officer, answer.headers["location"], "DONE", "FAILED")
        assert recorded["counts"] == {"sanctions.created": 1} and recorded["file"] == "处分.xlsx", recorded

        # Durable state: job, upload and report under imports_dir; the token is gone once the job ended.
        folder = tmp_path / "imports" / job["id"]
        assert json.loads((folder / "job.json").read_text(encoding="utf-8"))["status"] == "DONE"
        assert {p.name for p in folder.iterdir()} >= {"job.json", "upload.xlsx", "report.json", "report.xlsx"}
        assert not (folder / "token").exists()


@sqlite_only
async def test_bad_uploads_answer_problems_naming_the_rule_and_field(
    fresh_db, nats_url, events_ns, test_auth, tmp_path
):
    async with _suite(fresh_db, nats_url, events_ns, test_auth, tmp_path / "imports") as suite, _gateway(suite) as gw:
        token = suite.token
        _problem(await _upload(gw, token, b"PK\x03\x04" + b"x" * (MAX_BYTES + 10)), 413, "import.too_large", "file")
        _problem(
            await _upload(gw, token, b"%PDF-1.4", name="register.pdf", mime="application/pdf"),
            415,
            "import.file_type",
            "file",
        )
        as_json = await gw.post("/api/v1/imports", headers=_auth(token), json={"file": "register.xlsx"})
        _problem(as_json, 415, "import.media_type", "Content-Type")
        _problem(await _upload(gw, token, b"not a workbook at all"), 422, "import.unreadable", "file")
        _problem(await _upload(gw, token, b"PK\x03\x04 broken zip"), 422, "import.unreadable", "file")
        other = Workbook()
        other.active.title = "工资"
        other.active.append(["姓名", "工资"])
        buffer = io.BytesIO()
        other.save(buffer)
        _problem(await _upload(gw, token, buffer.getvalue()), 422, "import.no_sheet", "file")
        csv = "姓名,性别\n张三,男\n".encode()
        _problem(await _upload(gw, token, csv, name="people.csv", mime="text/csv"), 422, "import.kind_required", "kind")
        _problem(
            await _upload(gw, token, csv, name="people.csv", mime="text/csv", kind="people"),
            422,
            "import.kind_unknown",
            "kind",
        )
        _problem(
            await _upload(gw, token, b"\xff\xfe\x00bad", name="people.csv", mime="text/csv", kind="cadres"),
            422,
            "import.unreadable",
            "file",
        )
        bad_bool = await gw.post(
            "/api/v1/imports",
            headers=_auth(token),
            data={"dry_run": "maybe"},
            files={"file": ("r.xlsx", _workbook([]), XLSX)},
        )
        _problem(bad_bool, 422, "import.boolean", "dry_run")
        assert not [p for p in (tmp_path / "imports").iterdir()]  # nothing kept of a refused upload
        # The general body limit still holds on every other route.
        big = await gw.post("/api/v1/cadres", headers=_auth(token), content=b"{" + b" " * (1024 * 1024 + 1) + b"}")
        _problem(big, 413, None, None)
        # A .csv with its kind is read as that sheet (a dry run).
        rows = "单位代码,单位名称,上级单位代码,单位层级\ncity,示例市,,市级领导班子\n"
        answer = await _upload(
            gw, token, rows.encode(), name="units.csv", mime="text/csv", kind="org-units", dry_run=True
        )
        assert answer.status_code == 202, answer.text
        job = await _until(gw, token, answer.headers["location"], "DONE", "FAILED")
        assert (job["status"], job["rows_ok"]["org-units"], job["kind"]) == ("DONE", 1, "org-units")
        # A job's report before it is done, and a resume of a job that did not fail: 409.
        _problem(
            await gw.post(f"{answer.headers['location']}/resume", headers=_auth(token)),
            409,
            "import.not_resumable",
            "import_id",
        )


@sqlite_only
async def test_an_expired_token_stops_the_job_and_a_fresh_one_resumes_it(
    fresh_db, nats_url, events_ns, test_auth, tmp_path
):
    async with _suite(fresh_db, nats_url, events_ns, test_auth, tmp_path / "imports") as suite, _gateway(suite) as gw:
        # Expired a second ago: still within the verifier's leeway for the upload, past it for the job's writes.
        stale = test_auth.token("org_admin", unit="city", subject="importer", ttl_s=-1)
        answer = await _upload(gw, stale, _workbook(_cadres(6)))
        assert answer.status_code == 202, answer.text
        location = answer.headers["location"]
        failed = await _until(gw, suite.token, location, "DONE", "FAILED")
        assert failed["status"] == "FAILED" and failed["failure"]["rule"] == "import.token_expired", failed
        assert "resume" in failed["failure"]["detail"]
        _problem(
            await gw.get(f"{location}/report", headers=_auth(suite.token)), 409, "import.report_not_ready", "import_id"
        )
        assert await _count(suite.rank) == 0

        resumed = await gw.post(f"{location}/resume", headers=_auth(suite.token))
        assert resumed.status_code == 202 and resumed.headers["location"] == location, resumed.text
        job = await _until(gw, suite.token, location, "DONE", "FAILED")
        assert job["status"] == "DONE" and job["attempts"] == 2 and job["failure"] is None, job
        assert job["counts"] == {"cadres.created": 6, "org-units.created": 3}
        assert await _count(suite.rank) == 6


@sqlite_only
async def test_a_gateway_stopped_mid_job_resumes_it_on_startup_with_the_same_counts(
    fresh_db, nats_url, events_ns, test_auth, tmp_path
):
    imports = tmp_path / "imports"
    n = 150
    async with _suite(
        fresh_db, nats_url, events_ns, test_auth, imports, import_chunk_rows=5, import_parallel=1
    ) as suite:
        token = suite.token
        async with _gateway(suite) as gw:
            answer = await _upload(gw, token, _workbook(_cadres(n)))
            assert answer.status_code == 202, answer.text
            location = answer.headers["location"]
            mid = await _until(gw, token, location, "DONE", "FAILED", done_at_least=13)
            assert mid["status"] == "RUNNING", mid
            # One job at a time per gateway (import_max_running=1): another upload waits its turn.
            waiting = await _upload(gw, token, _workbook(_cadres(3)), dry_run=True)
            assert waiting.status_code == 202 and waiting.json()["status"] == "QUEUED", waiting.text
        # The gateway stopped: the job finished the chunk in hand and is left RUNNING, part done.
        stored = json.loads((imports / mid["id"] / "job.json").read_text(encoding="utf-8"))
        assert stored["status"] == "RUNNING" and 13 <= stored["done"] < n + 3, stored
        written = await _count(suite.rank)
        assert 10 <= written < n
        outcome = json.loads((imports / mid["id"] / "outcome.json").read_text(encoding="utf-8"))
        assert outcome["chunks_done"] >= 3

        async with _gateway(suite) as gw:  # a new gateway on the same imports_dir
            job = await _until(gw, token, location, "DONE", "FAILED")
            after = await _until(gw, token, waiting.headers["location"], "DONE", "FAILED")
        assert after["status"] == "DONE" and after["rows_ok"]["cadres"] == 3, after
        assert job["status"] == "DONE", job
        # As an uninterrupted run: every unit and cadre created once, nothing counted twice.
        assert job["counts"] == {"cadres.created": n, "org-units.created": 3}, job
        assert job["progress"] == {"done": n + 3, "total": n + 3} and job["issue_count"] == 0
        assert await _count(suite.rank) == n
