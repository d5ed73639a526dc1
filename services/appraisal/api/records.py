"""Routes of performance records (业绩纪实)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.auth import Role
from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.appraisal import views
from services.appraisal.api import history_schemas as hs
from services.appraisal.api import schemas as s
from services.appraisal.api.dependencies import ASSESSORS, READERS, CadreFilter, UowDep
from services.appraisal.service_layer import commands, past_records
from services.appraisal.service_layer import records as h

router = APIRouter(prefix="/api/v1")
SUBMITTERS = (*ASSESSORS, Role.CADRE)


@router.post(
    "/performance-records",
    status_code=201,
    response_model=s.Created,
    tags=["performance-records"],
    dependencies=[require(*SUBMITTERS)],
)
async def submit_record(
    body: s.RecordCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Submits a performance record (a cadre only for themself)."""
    cmd = commands.SubmitRecord(**body.model_dump())
    return s.Created(id=await idem.run(uow, lambda: h.submit_record(cmd, uow, principal=principal, today=today)))


@router.post(
    "/performance-records/history",
    status_code=201,
    response_model=hs.PastRecordRecorded,
    tags=["performance-records"],
    dependencies=[require(*ASSESSORS)],
)
async def record_past_record(
    body: hs.PastRecordCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> hs.PastRecordRecorded:
    """Records a performance record verified in the past as a past fact (real occurrence and verification dates,
    source, 文号); the same values again change nothing, other values correct it (docs/appraisal.md)."""
    fact = past_records.PastRecord(**body.model_dump())
    return hs.PastRecordRecorded(
        **await idem.run(uow, lambda: past_records.record_past_record(fact, uow, principal=principal, today=today))
    )


@router.post(
    "/performance-records/{record_id}/corrections",
    status_code=201,
    response_model=s.Created,
    tags=["performance-records"],
    dependencies=[require(*SUBMITTERS)],
)
async def correct_record(
    record_id: str,
    body: s.RecordCorrection,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    conn: ReaderDep,
    today: TodayDep,
) -> s.Created:
    """Appends a correction of a verified record; once verified it supersedes the record."""
    old = await views.scoped_row(conn, principal, "performance_records", record_id)
    if old is None:
        raise NotFound("performance record not found", field="record_id")
    cmd = commands.SubmitRecord(cadre_id=old["cadre_id"], **body.model_dump(), corrects=record_id)
    return s.Created(id=await idem.run(uow, lambda: h.submit_record(cmd, uow, principal=principal, today=today)))


@router.post(
    "/performance-records/{record_id}/verification",
    response_model=s.StateRead,
    tags=["performance-records"],
    dependencies=[require(*ASSESSORS)],
)
async def verify_record(
    record_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Verifies a submitted record."""
    return s.StateRead(**await idem.run(uow, lambda: h.verify_record(record_id, uow, principal=principal, today=today)))


@router.post(
    "/performance-records/{record_id}/return",
    response_model=s.StateRead,
    tags=["performance-records"],
    dependencies=[require(*ASSESSORS)],
)
async def return_record(
    record_id: str, body: s.RecordReturn, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> s.StateRead:
    """Returns a submitted record to its submitter."""
    cmd = commands.ReturnRecord(record_id=record_id, reason=body.reason)
    return s.StateRead(**await idem.run(uow, lambda: h.return_record(cmd, uow, principal=principal)))


@router.post(
    "/performance-records/{record_id}/resubmission",
    response_model=s.StateRead,
    tags=["performance-records"],
    dependencies=[require(*SUBMITTERS)],
)
async def resubmit_record(
    record_id: str, body: s.RecordResubmission, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> s.StateRead:
    """Resubmits a returned record with its changes."""
    cmd = commands.ResubmitRecord(record_id=record_id, changes=body.model_dump(exclude_none=True))
    return s.StateRead(**await idem.run(uow, lambda: h.resubmit_record(cmd, uow, principal=principal)))


@router.get(
    "/performance-records", response_model=s.Page, tags=["performance-records"], dependencies=[require(*READERS)]
)
async def list_records(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.Page:
    """Lists performance records the caller may see (every version: the full history is kept)."""
    items, cursor = await views.scoped_page(
        conn, principal, "performance_records", page, org_unit_id=org_unit_id, cadre_id=cadre_id, status=status
    )
    return s.Page(items=items, next_cursor=cursor)


@router.get("/performance-records/{record_id}", tags=["performance-records"], dependencies=[require(*READERS)])
async def get_record(record_id: str, conn: ReaderDep, principal: PrincipalDep) -> dict:
    """Returns one performance record."""
    row = await views.scoped_row(conn, principal, "performance_records", record_id)
    if row is None:
        raise NotFound("performance record not found", field="record_id")
    return row


@router.get("/performance-records/{record_id}/history", tags=["performance-records"], dependencies=[require(*READERS)])
async def record_history(record_id: str, conn: ReaderDep, principal: PrincipalDep) -> dict:
    """Returns the chain of corrections a record belongs to, oldest first."""
    chain = await views.record_history(conn, principal, record_id)
    if not chain:
        raise NotFound("performance record not found", field="record_id")
    return {"items": chain}
