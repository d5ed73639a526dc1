"""The HTTP import job: a workbook uploaded to POST /api/v1/imports, carried out in the background by the gateway.

A job is `suite.importing` run by the gateway instead of by `youwei import`: the same reading (`sheets.read`), the same
checked plan (`plan.build`), the same writer (`apply.Importer`) and the same report (`report`). The writer calls the
gateway's own API through the app itself (an in-process ASGI transport, so every call passes the gateway's
authentication, limits and routing, exactly as the CLI's calls do) with the submitter's bearer token.

Durable under `imports_dir` (docs/gateway.md, "Import jobs"), one folder per job, every file written atomically
(a temporary file in the same folder, fsync, rename):

    <id>/job.json      the job's public state (status, progress, counts, times, failure)
    <id>/upload.xlsx   the uploaded file (or upload.csv)
    <id>/token         the bearer token the job writes with (0600; removed when the job ends)
    <id>/outcome.json  counts and issues of the chunks already carried out (the resume point)
    <id>/report.json, <id>/report.xlsx   the report, once DONE

The plan is carried out in chunks (the org units, then at most `import_chunk_rows` rows of one kind at a time), each
with its own `Importer(...).run(Plan(records=chunk))`; after each chunk its counts and issues are saved. A stopped
gateway finishes the chunk in hand (up to `import_stop_grace_s`) and leaves the job RUNNING; on startup it carries on
from the next chunk, so the final counts are those of an uninterrupted run. A chunk cut short (a crash, or the grace
period over) is run again: the importer is idempotent, so nothing is written twice, but rows of that chunk written
before the cut may then count as unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from kernel.auth import Principal, Role

log = logging.getLogger("gateway.imports")

QUEUED, RUNNING, DONE, FAILED = "QUEUED", "RUNNING", "DONE", "FAILED"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
EXTENSIONS = (".xlsx", ".csv")
ID_RE = re.compile(r"^[0-9a-f]{32}$")
# How often a running job's progress is saved (in memory it is always current).
PROGRESS_SAVE_S = 1.0
INTERNAL_BASE = "http://gateway.internal"


class TokenExpired(Exception):
    """The job's bearer token expired (or was refused): the job stops and waits for a resume with a fresh token."""


class UnreadableFile(Exception):
    """The upload cannot be read as the workbook or .csv it claims to be."""

    def __init__(self, rule: str, field: str, detail: str) -> None:
        super().__init__(detail)
        self.rule, self.field, self.detail = rule, field, detail


def now_iso() -> str:
    """UTC now to the millisecond: jobs are listed newest first by it, and two can start within one second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Writes `data` to `path` atomically: a temporary file beside it, fsync, then rename."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_json(path: Path, value: Any) -> None:
    write_atomic(path, json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"))


# -- reading the upload (suite.importing, unchanged) ------------------------------------------------------------
def load_plan(path: Path, kind: str | None, *, today: dt.date) -> tuple[Any, list[str]]:
    """Reads the upload and checks every row: (plan, the kinds of the sheets read). Raises UnreadableFile."""
    from suite.importing.plan import build
    from suite.importing.sheets import KINDS, read

    try:
        sheets, ignored = read(path, kind)
    except Exception as error:  # openpyxl and csv raise many kinds; none of them is the gateway's fault
        if kind is None and path.suffix == ".csv":
            raise UnreadableFile(
                "import.kind_required", "kind", f"a .csv file needs kind ({', '.join(KINDS)})"
            ) from None
        log.info("unreadable upload", extra={"error": type(error).__name__})
        what = "a .csv file (UTF-8)" if path.suffix == ".csv" else "an .xlsx workbook"
        raise UnreadableFile("import.unreadable", "file", f"the file cannot be read as {what}") from None
    if not sheets:
        names = ", ".join(k.sheet_names[0] for k in KINDS.values())
        raise UnreadableFile("import.no_sheet", "file", f"no sheet named {names}: nothing to import")
    plan = build(sheets, today=today, ignored=ignored)
    return plan, sorted({s.kind.name for s in sheets})


def probe(path: Path, kind: str | None) -> list[str]:
    """The quick check of an upload, before its 202: readable, with a known sheet; returns the kinds it holds.

    Only the workbook's directory (sheet names) is read, or a .csv decoded: reading and checking every row takes
    seconds per 10,000 rows, which the job does in the background (a row's problem is in the report, not a 422).
    """
    from suite.importing.sheets import KINDS

    if path.suffix == ".csv":
        if kind is None:
            raise UnreadableFile("import.kind_required", "kind", f"a .csv file needs kind ({', '.join(KINDS)})")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnreadableFile(
                "import.unreadable", "file", "the file cannot be read as a .csv file (UTF-8)"
            ) from None
        if not text.strip():
            raise UnreadableFile("import.no_sheet", "file", "the .csv file is empty: nothing to import")
        return [kind]
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a broken zip, a .xls renamed, a workbook openpyxl cannot open
        log.info("unreadable upload", extra={"error": type(error).__name__})
        raise UnreadableFile("import.unreadable", "file", "the file cannot be read as an .xlsx workbook") from None
    try:
        names = [ws.title.strip().lower() for ws in workbook.worksheets]
    finally:
        workbook.close()
    if kind is not None:
        return [kind] if names else []
    kinds = sorted({k.name for k in KINDS.values() for n in names if n in (s.lower() for s in k.sheet_names)})
    if not kinds:
        listed = ", ".join(k.sheet_names[0] for k in KINDS.values())
        raise UnreadableFile("import.no_sheet", "file", f"no sheet named {listed}: nothing to import")
    return kinds


def chunks_of(plan: Any, size: int) -> list[list[Any]]:
    """Splits a plan's records: every org unit in one chunk (parents before children), then `size` rows of a kind."""
    from suite.importing.sheets import ORDER

    out: list[list[Any]] = []
    for kind in ORDER:
        records = plan.of(kind)
        if not records:
            continue
        step = len(records) if kind == "org-units" else max(1, size)
        out.extend(records[i : i + step] for i in range(0, len(records), step))
    return out


def may_import(principal: Principal, kinds: list[str]) -> bool:
    """org_admin imports every sheet; a discipline_officer without org_admin imports 处分 (sanctions) only."""
    if principal.has(Role.ORG_ADMIN):
        return True
    return principal.has(Role.DISCIPLINE_OFFICER) and set(kinds) <= {"sanctions"}


# -- jobs -------------------------------------------------------------------------------------------------------
@dataclass
class Job:
    """One import job: what the API shows (`public()`) and what the runner needs."""

    id: str
    file: str
    upload: str  # the stored upload's file name inside the job folder
    kind: str | None
    dry_run: bool
    submitter: str
    submitter_unit: str | None
    created_at: str
    issuer: str | None = None  # the token issuer of the gateway that took the job (see ImportJobs.start)
    status: str = QUEUED
    started_at: str | None = None
    finished_at: str | None = None
    done: int = 0
    total: int | None = None  # known once the job has read the file
    counts: dict[str, int] = field(default_factory=dict)
    issue_count: int = 0
    rows_ok: dict[str, int] = field(default_factory=dict)
    failure: dict[str, str] | None = None
    attempts: int = 0
    resumed_by: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "file": self.file,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "progress": {"done": self.done, "total": self.total},
            "counts": self.counts,
            "issue_count": self.issue_count,
            "rows_ok": self.rows_ok,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "failure": self.failure,
            "attempts": self.attempts,
        }

    def stored(self) -> dict[str, Any]:
        return {**self.__dict__}

    @classmethod
    def load(cls, data: dict[str, Any]) -> Job:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class _Running:
    job: Job
    token: str
    expires_at: float
    auth_failed: str | None = None


class ImportJobs:
    """The jobs of this gateway process: the store under imports_dir, the queue and the runners."""

    def __init__(self, settings: Any, app: Any, verify: Callable[[str], Awaitable[Principal]]) -> None:
        self.settings = settings
        self.app = app
        self.verify = verify
        self.root = Path(settings.imports_dir)
        self.jobs: dict[str, Job] = {}
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.workers: list[asyncio.Task] = []
        self.running: dict[str, _Running] = {}
        self.tasks: dict[str, asyncio.Task] = {}
        self.stopping = False
        self._saved_at: dict[str, float] = {}

    # -- lifecycle --------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Loads the jobs found under imports_dir and queues again those that were QUEUED or RUNNING."""
        self.stopping = False
        self.queue = asyncio.Queue()
        again: list[Job] = []
        if self.root.is_dir():
            for folder in sorted(self.root.iterdir()):
                state = folder / "job.json"
                if not (ID_RE.match(folder.name) and state.is_file()):
                    continue
                try:
                    job = Job.load(json.loads(state.read_text(encoding="utf-8")))
                except (ValueError, TypeError):
                    log.warning("unreadable import job state", extra={"job": folder.name})
                    continue
                if job.issuer is not None and job.issuer != self.settings.auth_issuer:
                    # Another deployment's job (a folder shared by mistake, a test gateway started in a folder
                    # holding real jobs): neither shown nor run here.
                    continue
                self.jobs[job.id] = job
                if job.status in (QUEUED, RUNNING):
                    again.append(job)
        # Those that were running first, then the queue in the order it was submitted.
        again.sort(key=lambda j: (j.status != RUNNING, j.created_at, j.id))
        for job in again:
            if job.status == RUNNING:
                log.info("import job resumed after a restart", extra={"job": job.id})
            job.status = QUEUED
            self.save(job)
            self.queue.put_nowait(job.id)
        self.workers = [
            asyncio.create_task(self._worker(), name=f"import-worker-{n}")
            for n in range(max(1, self.settings.import_max_running))
        ]

    async def close(self) -> None:
        """Stops taking jobs; a running job finishes its chunk (up to import_stop_grace_s) and stays RUNNING."""
        self.stopping = True
        tasks = [t for t in self.tasks.values() if not t.done()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self.settings.import_stop_grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for worker in self.workers:
            worker.cancel()
        await asyncio.gather(*self.workers, return_exceptions=True)
        self.workers = []

    # -- the store --------------------------------------------------------------------------------------------
    def folder(self, job_id: str) -> Path:
        return self.root / job_id

    def save(self, job: Job) -> None:
        write_json(self.folder(job.id) / "job.json", job.stored())
        self._saved_at[job.id] = time.monotonic()

    def get(self, job_id: str) -> Job | None:
        if not ID_RE.match(job_id):
            return None
        job = self.jobs.get(job_id)
        if job is None:
            # A job of another gateway process sharing the folder (read-only here).
            state = self.folder(job_id) / "job.json"
            if state.is_file():
                with contextlib.suppress(ValueError, TypeError, OSError):
                    job = Job.load(json.loads(state.read_text(encoding="utf-8")))
                    if job.issuer is not None and job.issuer != self.settings.auth_issuer:
                        return None
        return job

    def of_submitter(self, subject: str) -> list[Job]:
        return sorted(
            (j for j in self.jobs.values() if j.submitter == subject), key=lambda j: (j.created_at, j.id), reverse=True
        )

    def new_folder(self) -> tuple[str, Path]:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        job_id = uuid.uuid4().hex
        folder = self.folder(job_id)
        folder.mkdir(mode=0o700)
        return job_id, folder

    def report_path(self, job: Job, suffix: str) -> Path:
        return self.folder(job.id) / f"report{suffix}"

    # -- submitting and resuming ------------------------------------------------------------------------------
    def submit(self, job: Job, token: str) -> None:
        """Records a new job (its upload is already in its folder) and queues it."""
        write_atomic(self.folder(job.id) / "token", token.encode())
        self.jobs[job.id] = job
        self.save(job)
        self.queue.put_nowait(job.id)

    def resume(self, job: Job, token: str, by: str) -> None:
        """Queues a FAILED job again with a fresh token (the importer is idempotent: resuming is running again)."""
        write_atomic(self.folder(job.id) / "token", token.encode())
        job.status, job.failure, job.finished_at, job.resumed_by = QUEUED, None, None, by
        self.jobs[job.id] = job
        self.save(job)
        self.queue.put_nowait(job.id)

    # -- running ----------------------------------------------------------------------------------------------
    async def _worker(self) -> None:
        while not self.stopping:
            job_id = await self.queue.get()
            job = self.jobs.get(job_id)
            if self.stopping or job is None or job.status != QUEUED:
                continue
            task = asyncio.create_task(self._run(job), name=f"import-{job_id}")
            self.tasks[job_id] = task
            try:
                # Shielded: a stopping gateway lets the job finish its chunk (close() waits for the task itself).
                await asyncio.shield(task)
            except Exception:  # the task logs and records its own failure
                pass
            finally:
                if task.done():
                    self.tasks.pop(job_id, None)

    async def _run(self, job: Job) -> None:
        folder = self.folder(job.id)
        with open(folder / "lock", "a+b") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("import job held by another gateway process", extra={"job": job.id})
                return
            try:
                # Another process sharing imports_dir may have finished it meanwhile.
                stored = Job.load(json.loads((folder / "job.json").read_text(encoding="utf-8")))
                if stored.status not in (QUEUED, RUNNING):
                    self.jobs[job.id] = stored
                    return
                await self._attempt(job)
            except asyncio.CancelledError:
                log.warning("import job cut short by shutdown", extra={"job": job.id})
                raise
            except Exception:
                log.exception("import job failed", extra={"job": job.id})
                self._finish(
                    job,
                    FAILED,
                    failure={
                        "rule": "import.failed",
                        "detail": (
                            "the import stopped on an unexpected error; resume it with "
                            f"POST /api/v1/imports/{job.id}/resume"
                        ),
                    },
                )
            finally:
                self.running.pop(job.id, None)
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _finish(self, job: Job, status: str, *, failure: dict[str, str] | None = None) -> None:
        job.status, job.failure, job.finished_at = status, failure, now_iso()
        self.save(job)
        with contextlib.suppress(FileNotFoundError):
            (self.folder(job.id) / "token").unlink()
        log.info(
            "import job ended", extra={"job": job.id, "status": status, "rule": failure["rule"] if failure else None}
        )

    def _expired(self, job: Job) -> dict[str, str]:
        return {
            "rule": "import.token_expired",
            "detail": (
                "the bearer token the job writes with has expired (or was refused); nothing after that point was "
                f"written: resume with POST /api/v1/imports/{job.id}/resume and a fresh token"
            ),
        }

    async def _attempt(self, job: Job) -> None:
        from kernel.deps import china_today
        from suite.importing.plan import Plan

        folder = self.folder(job.id)
        job.status, job.started_at, job.finished_at, job.failure = RUNNING, now_iso(), None, None
        job.attempts += 1
        job.done = 0
        self.save(job)
        try:
            token = (folder / "token").read_text(encoding="utf-8").strip()
            principal = await self.verify(token)
        except Exception:
            self._finish(job, FAILED, failure=self._expired(job))
            return
        run = _Running(job, token, float(principal.claims.get("exp", 0)))
        self.running[job.id] = run

        try:
            plan, _ = await asyncio.to_thread(load_plan, folder / job.upload, job.kind, today=china_today())
        except UnreadableFile as error:  # the sheet names were fine at upload, the rows are not
            self._finish(job, FAILED, failure={"rule": error.rule, "detail": error.detail})
            return
        job.total, job.rows_ok = len(plan.records), plan.report()["rows_ok"]
        report: dict[str, Any] = {"file": job.file, "dry_run": job.dry_run, **plan.report()}
        if job.dry_run:
            job.done = job.total
            self._write_report(job, report)
            return

        from suite.importing.apply import Importer

        outcome_path = folder / "outcome.json"
        saved = json.loads(outcome_path.read_text(encoding="utf-8")) if outcome_path.is_file() else {}
        size = int(saved.get("chunk_rows") or self.settings.import_chunk_rows)
        chunks = chunks_of(plan, size)
        first = int(saved.get("chunks_done", 0))
        counts: Counter = Counter(saved.get("counts", {}))
        issues: list[dict[str, Any]] = list(saved.get("issues", []))
        job.done = sum(len(c) for c in chunks[:first])
        self.save(job)
        headers = {"Authorization": f"Bearer {token}", "X-Correlation-ID": f"import-{job.id}"}

        def tick() -> None:
            job.done += 1
            if time.monotonic() - self._saved_at.get(job.id, 0) >= PROGRESS_SAVE_S:
                self.save(job)

        async with self._client(run) as client:
            for number in range(first, len(chunks)):
                if self.stopping:
                    log.info("import job paused by shutdown", extra={"job": job.id, "chunk": number})
                    return  # stays RUNNING: the next start carries on from this chunk
                start_done = job.done
                try:
                    outcome = await Importer(client, headers, tick, parallel=self.settings.import_parallel).run(
                        Plan(records=chunks[number])
                    )
                    if run.auth_failed:
                        raise TokenExpired(run.auth_failed)
                except TokenExpired:
                    job.done = start_done
                    self._finish(job, FAILED, failure=self._expired(job))
                    return
                summary = outcome.summary()
                counts.update(summary["counts"])
                issues.extend(summary["issues"])
                write_json(
                    outcome_path,
                    {"chunk_rows": size, "chunks_done": number + 1, "counts": dict(counts), "issues": issues},
                )
                job.done = start_done + len(chunks[number])
                job.counts = dict(sorted(counts.items()))
                self.save(job)
        report["counts"] = dict(sorted(counts.items()))
        report["issues"] = report["issues"] + sorted(issues, key=lambda i: (i["sheet"], i["row"], i["column"]))
        self._write_report(job, report)

    def _write_report(self, job: Job, report: dict[str, Any]) -> None:
        from suite.importing import report as files

        write_atomic(self.report_path(job, ".json"), files.json_bytes(report))
        write_atomic(self.report_path(job, ".xlsx"), files.xlsx_bytes(report))
        job.counts = report.get("counts", {})
        job.issue_count = len(report["issues"])
        self._finish(job, DONE)

    @contextlib.asynccontextmanager
    async def _client(self, run: _Running):  # noqa: ANN202
        """A client of the gateway's own API (in process) that stops the job when its token has expired."""

        async def before(request: httpx.Request) -> None:
            if run.auth_failed or time.time() >= run.expires_at:
                run.auth_failed = run.auth_failed or "expired"
                raise TokenExpired(run.auth_failed)

        async def after(response: httpx.Response) -> None:
            if response.status_code == 401:
                run.auth_failed = "refused"
                raise TokenExpired("refused")

        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False, client=("127.0.0.1", 0))
        async with httpx.AsyncClient(
            transport=transport,
            base_url=INTERNAL_BASE,
            timeout=120,
            event_hooks={"request": [before], "response": [after]},
        ) as client:
            yield client
