"""Import jobs: upload a workbook (.xlsx) or .csv, follow the job, read its report (docs/gateway.md, Import jobs).

Roles: org_admin imports every sheet; a discipline_officer without org_admin may import 处分 (sanctions) only.
Everyone else gets 403 on every route. A job is seen by its submitter and by org_admins whose unit subtree covers the
submitter's unit (rank decides, with `kernel.access.within` on the unit's path); to anyone else it is 404.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from gateway import params
from gateway.auth import authenticate, forbid_unless
from gateway.forwarding import upstream_headers
from gateway.imports import DONE, EXTENSIONS, FAILED, ImportJobs, Job, UnreadableFile, may_import, now_iso, probe
from gateway.limits import client_key
from kernel.access import within
from kernel.auth import Principal, Role
from kernel.pagination import decode_cursor, encode_cursor
from kernel.web import ProblemException

log = logging.getLogger("gateway.imports")
router = APIRouter(prefix="/api/v1", tags=["imports"])

IMPORT_ROLES = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER)
FORM_FIELDS = {"file", "dry_run", "kind"}
TRUE, FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COPY_CHUNK = 1024 * 1024
# Request examples of POST /imports, one per form field set: `file` is a file part (its bytes, sent with its file
# name, whose suffix decides how it is read), the other fields are text parts.
UPLOAD_EXAMPLES = {
    "workbook-dry-run": {
        "summary": "Check a workbook, write nothing",
        "description": "`file`: the bytes of register.xlsx (curl: `-F file=@register.xlsx -F dry_run=true`); every "
        "sheet named 单位, 干部, 考核 or 处分 is read and checked, the report lists every issue.",
        "value": {"file": "register.xlsx", "dry_run": True},
    },
    "csv-import": {
        "summary": "Import the cadres of a .csv",
        "description": "`file`: the bytes of cadres.csv in UTF-8 (curl: `-F file=@cadres.csv -F kind=cadres`); a "
        ".csv holds one kind of rows, named by `kind`.",
        "value": {"file": "cadres.csv", "kind": "cadres", "dry_run": False},
    },
}


class Progress(BaseModel):
    done: int = Field(description="rows carried out (this attempt's and those of chunks finished before)")
    total: int | None = Field(
        description="rows that passed every check and will be written (null until the job has read the file)"
    )


class Failure(BaseModel):
    rule: str = Field(description="import.token_expired (resume with a fresh token) or import.failed")
    detail: str = Field(description="what stopped the job and how to go on (POST /api/v1/imports/{id}/resume)")


class ImportRead(BaseModel):
    """An import job."""

    id: str = Field(description="id of the import job (the {import_id} of its routes)")
    status: str = Field(description="QUEUED, RUNNING, DONE or FAILED")
    file: str = Field(description="the uploaded file's name")
    kind: str | None = Field(description="what a .csv holds (org-units, cadres, grades, sanctions)")
    dry_run: bool = Field(description="true: every row is read and checked, nothing is written")
    progress: Progress = Field(description="how far the job is: rows carried out (done) of the rows to write (total)")
    counts: dict[str, int] = Field(description="as the CLI's report: '<kind>.<created|corrected|unchanged|failed>'")
    issue_count: int = Field(description="issues in the report (rows skipped and why); known once DONE")
    rows_ok: dict[str, int] = Field(description="rows per kind that passed every check")
    created_at: str = Field(
        description="when the job was submitted (UTC, ISO 8601 to the second, e.g. 2026-07-01T08:30:00Z)"
    )
    started_at: str | None = Field(description="start of the latest attempt")
    finished_at: str | None = Field(
        description="when the latest attempt ended, DONE or FAILED (UTC, ISO 8601); null while QUEUED or RUNNING"
    )
    failure: Failure | None = Field(description="why the job FAILED; null unless FAILED")
    attempts: int = Field(
        description="how many times the job has started running (1 plus the resumed runs); 0 while first QUEUED"
    )


class ImportPage(BaseModel):
    items: list[ImportRead] = Field(description="the caller's own import jobs of this page, newest first")
    next_cursor: str | None = Field(description="cursor of the next page (pass it as cursor); null on the last page")


def _jobs(request: Request) -> ImportJobs:
    return request.app.state.imports


async def _caller(request: Request) -> Principal:
    principal = await authenticate(request)
    forbid_unless(principal, *IMPORT_ROLES)
    await request.app.state.gateway.limits.check("general", client_key(request, principal))
    return principal


def _not_found() -> ProblemException:
    return ProblemException(404, "import job not found", type_="not-found", rule="scope.import", field="import_id")


def _invalid(status: int, detail: str, rule: str, field: str, type_: str = "validation") -> ProblemException:
    return ProblemException(status, detail, type_=type_, rule=rule, field=field)


async def _visible_job(request: Request, principal: Principal, raw_id: str) -> Job:
    """The job, if the caller may see it: its submitter, or an org_admin whose subtree holds the submitter's unit."""
    job = _jobs(request).get(params.identifier(raw_id, "import_id"))
    if job is None:
        raise _not_found()
    if job.submitter == principal.subject:
        return job
    if not principal.has(Role.ORG_ADMIN) or job.submitter_unit is None:
        raise _not_found()
    # The subtree rule is kernel.access's; rank answers the unit only within the caller's scope and gives its path.
    headers = upstream_headers(request.scope["headers"], request.client.host if request.client else None)
    answer = await request.app.state.gateway.clients["rank"].call(
        "GET", f"/api/v1/org-units/{quote(job.submitter_unit, safe='')}", headers=headers
    )
    if answer.status >= 500:
        raise ProblemException(
            503,
            "the rank service cannot tell who may see this job; retry later",
            type_="upstream-unavailable",
            headers={"Retry-After": "5"},
            service="rank",
        )
    if answer.status != 200:
        raise _not_found()
    path = answer.json().get("path") or []
    if not within(principal, [str(p) for p in path]):
        raise _not_found()
    return job


def _read(job: Job) -> dict[str, Any]:
    return ImportRead(**job.public()).model_dump(mode="json")


def _accepted(job: Job) -> Response:
    return Response(
        orjson.dumps(_read(job)),
        status_code=202,
        media_type="application/json",
        headers={"Location": f"/api/v1/imports/{job.id}"},
    )


def _file_name(raw: str | None) -> str:
    """The upload's base name, without directories or control characters (kept for the report, as the CLI does)."""
    name = re.split(r"[/\\]", raw or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[-200:] or "upload"


def _bool(raw: Any, field: str) -> bool:
    if raw is None:
        return False
    if not isinstance(raw, str) or raw.strip().lower() not in TRUE | FALSE:
        raise _invalid(422, f"{field} must be true or false", "import.boolean", field)
    return raw.strip().lower() in TRUE


@router.post(
    "/imports",
    status_code=202,
    response_model=ImportRead,
    responses={
        403: {
            "description": "the caller's role may not import (or, as discipline_officer only, sheets other than 处分)"
        },
        413: {"description": "the file is larger than import_max_bytes"},
        415: {"description": "not multipart/form-data, or the file is neither .xlsx nor .csv"},
        422: {"description": "the file cannot be read, holds no known sheet, or a .csv has no kind"},
    },
    openapi_extra={
        "security": params.BEARER,
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": ".xlsx workbook or .csv (UTF-8)",
                            },
                            "dry_run": {
                                "type": "boolean",
                                "default": False,
                                "description": "check every row, write nothing",
                            },
                            "kind": {
                                "type": "string",
                                "enum": ["org-units", "cadres", "grades", "sanctions"],
                                "description": "what a .csv holds (required for .csv)",
                            },
                        },
                    },
                    "examples": UPLOAD_EXAMPLES,
                }
            },
        },
    },
)
async def submit_import(request: Request) -> Response:
    """Checks the upload at once and starts an import job in the background (202 with its Location)."""
    principal = await _caller(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise _invalid(
            415,
            "send the file as multipart/form-data",
            "import.media_type",
            "Content-Type",
            type_="unsupported-media-type",
        )
    settings = request.app.state.settings
    async with request.form(max_files=1, max_fields=len(FORM_FIELDS)) as form:
        for name in form:
            if name not in FORM_FIELDS:
                raise _invalid(422, f"unknown form field: {name[:40]}", "import.unknown_field", name[:40])
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _invalid(422, "a file is required", "import.file_required", "file")
        dry_run = _bool(form.get("dry_run"), "dry_run")
        kind = form.get("kind")
        if kind is not None and (
            not isinstance(kind, str) or kind not in ("org-units", "cadres", "grades", "sanctions")
        ):
            raise _invalid(422, "kind must be org-units, cadres, grades or sanctions", "import.kind_unknown", "kind")
        name = _file_name(upload.filename)
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in EXTENSIONS:
            raise _invalid(
                415,
                "the file must be an .xlsx workbook or a .csv file",
                "import.file_type",
                "file",
                type_="unsupported-media-type",
            )
        if suffix == ".csv" and not kind:
            raise _invalid(
                422, "a .csv file needs kind (org-units, cadres, grades or sanctions)", "import.kind_required", "kind"
            )
        jobs = _jobs(request)
        try:
            job_id, folder = jobs.new_folder()
        except OSError:
            # imports_dir missing its volume or not writable by the gateway's user: an operator's matter.
            log.error("imports_dir is not writable", extra={"imports_dir": str(jobs.root)})
            raise ProblemException(
                503,
                "the gateway cannot store uploads right now; retry later",
                type_="imports-unavailable",
                headers={"Retry-After": "60"},
            ) from None
        stored = folder / f"upload{suffix}"
        try:
            size = 0
            with stored.open("wb") as out:
                while chunk := await upload.read(COPY_CHUNK):
                    size += len(chunk)
                    if size > settings.import_max_bytes:
                        raise _invalid(
                            413,
                            f"the file exceeds {settings.import_max_bytes} bytes",
                            "import.too_large",
                            "file",
                            type_="payload-too-large",
                        )
                    out.write(chunk)
            if suffix == ".xlsx" and not stored.read_bytes()[:4] == b"PK\x03\x04":
                raise _invalid(422, "the file cannot be read as an .xlsx workbook", "import.unreadable", "file")
            try:
                kinds = await asyncio.to_thread(probe, stored, kind)
            except UnreadableFile as error:
                raise _invalid(422, error.detail, error.rule, error.field) from None
            if not may_import(principal, kinds):
                raise ProblemException(
                    403,
                    "a discipline_officer imports 处分 (sanctions) sheets only; units, cadres "
                    "and grades need org_admin",
                    type_="forbidden",
                    rule="import.role_sheets",
                    field="file",
                    required_roles=["org_admin"],
                )
        except BaseException:
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
            raise
    job = Job(
        id=job_id,
        file=name,
        upload=stored.name,
        kind=kind if isinstance(kind, str) else None,
        dry_run=dry_run,
        submitter=principal.subject,
        submitter_unit=principal.unit_id,
        created_at=now_iso(),
        issuer=settings.auth_issuer,
    )
    token = request.headers["authorization"].partition(" ")[2].strip()
    jobs.submit(job, token)
    return _accepted(job)


@router.get(
    "/imports",
    response_model=ImportPage,
    openapi_extra={
        "security": params.BEARER,
        "parameters": [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "page size (at most 100)",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "opaque cursor from next_cursor",
                "schema": {"type": "string", "maxLength": 512},
            },
        ],
    },
)
async def list_imports(request: Request) -> Response:
    """Lists the caller's own import jobs, newest first (limit ≤ 100, opaque cursor)."""
    principal = await _caller(request)
    raw_limit = request.query_params.get("limit", "20")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
        raise params.invalid("limit", "query", "Input should be an integer between 1 and 100", "limit")
    limit = int(raw_limit)
    jobs = _jobs(request).of_submitter(principal.subject)
    cursor = request.query_params.get("cursor")
    if cursor:
        after = decode_cursor(cursor, 2)
        jobs = [j for j in jobs if (j.created_at, j.id) < (str(after[0]), str(after[1]))]
    page = jobs[:limit]
    next_cursor = encode_cursor([page[-1].created_at, page[-1].id]) if len(jobs) > limit else None
    return Response(
        orjson.dumps({"items": [_read(j) for j in page], "next_cursor": next_cursor}), media_type="application/json"
    )


@router.get(
    "/imports/{import_id}",
    response_model=ImportRead,
    responses={404: {"description": "no such job in scope"}},
    openapi_extra={"parameters": [params.path_parameter("import_id", "the job's id")], "security": params.BEARER},
)
async def get_import(request: Request) -> Response:
    """A job's status, progress, counts, issue count and times."""
    principal = await _caller(request)
    job = await _visible_job(request, principal, request.path_params["import_id"])
    return Response(orjson.dumps(_read(job)), media_type="application/json")


def _done(job: Job) -> None:
    if job.status != DONE:
        raise ProblemException(
            409,
            f"the job is {job.status}: its report is written when it is DONE",
            type_="conflict",
            rule="import.report_not_ready",
            field="import_id",
        )


@router.get(
    "/imports/{import_id}/report",
    responses={404: {"description": "no such job in scope"}, 409: {"description": "the job is not DONE"}},
    openapi_extra={"parameters": [params.path_parameter("import_id", "the job's id")], "security": params.BEARER},
)
async def get_import_report(request: Request) -> Response:
    """The job's report, as `youwei import` writes it (rows ok per kind, counts, every issue by sheet, row, column)."""
    principal = await _caller(request)
    job = await _visible_job(request, principal, request.path_params["import_id"])
    _done(job)
    return FileResponse(_jobs(request).report_path(job, ".json"), media_type="application/json")


@router.get(
    "/imports/{import_id}/report.xlsx",
    responses={404: {"description": "no such job in scope"}, 409: {"description": "the job is not DONE"}},
    openapi_extra={"parameters": [params.path_parameter("import_id", "the job's id")], "security": params.BEARER},
)
async def get_import_report_xlsx(request: Request) -> Response:
    """The report's issues as .xlsx (sheet 问题: 工作表, 行, 列, 原因), as `youwei import` writes it."""
    principal = await _caller(request)
    job = await _visible_job(request, principal, request.path_params["import_id"])
    _done(job)
    return FileResponse(
        _jobs(request).report_path(job, ".xlsx"), media_type=XLSX_TYPE, filename=f"import-{job.id}-report.xlsx"
    )


@router.post(
    "/imports/{import_id}/resume",
    status_code=202,
    response_model=ImportRead,
    responses={404: {"description": "no such job in scope"}, 409: {"description": "the job is not FAILED"}},
    openapi_extra={"parameters": [params.path_parameter("import_id", "the job's id")], "security": params.BEARER},
)
async def resume_import(request: Request) -> Response:
    """Runs a FAILED job again with the caller's (fresh) token; rows already written come out unchanged."""
    principal = await _caller(request)
    job = await _visible_job(request, principal, request.path_params["import_id"])
    if job.status != FAILED:
        raise ProblemException(
            409,
            f"the job is {job.status}: only a FAILED job is resumed",
            type_="conflict",
            rule="import.not_resumable",
            field="import_id",
        )
    jobs = _jobs(request)
    kinds = await asyncio.to_thread(probe, jobs.folder(job.id) / job.upload, job.kind)
    if not may_import(principal, kinds):
        raise ProblemException(
            403,
            "a discipline_officer imports 处分 (sanctions) sheets only",
            type_="forbidden",
            rule="import.role_sheets",
            field="file",
            required_roles=["org_admin"],
        )
    token = request.headers["authorization"].partition(" ")[2].strip()
    jobs.resume(job, token, principal.subject)
    return _accepted(job)
