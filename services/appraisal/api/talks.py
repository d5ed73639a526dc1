"""Routes of talks (约谈/谈心谈话/提醒/函询/诫勉) and their recurring schedules."""

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
from services.appraisal.api.dependencies import READERS, CadreFilter, UowDep
from services.appraisal.service_layer import commands, past_talks
from services.appraisal.service_layer import talks as h

router = APIRouter(prefix="/api/v1")
HOLDERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR)


@router.post("/talks", status_code=201, response_model=s.Created, tags=["talks"], dependencies=[require(*HOLDERS)])
async def schedule_talk(
    body: s.TalkCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired
) -> s.Created:
    """Schedules a talk (诫勉 only by the organization department or discipline inspection)."""
    cmd = commands.ScheduleTalk(**body.model_dump())
    return s.Created(id=await idem.run(uow, lambda: h.schedule_talk(cmd, uow, principal=principal)))


@router.post(
    "/talks/history",
    status_code=201,
    response_model=hs.PastTalkRecorded,
    tags=["talks"],
    dependencies=[require(*HOLDERS)],
)
async def record_past_talk(
    body: hs.PastTalkCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> hs.PastTalkRecorded:
    """Records a talk held in the past as a past fact (real date, reason, notes, source, 文号); 诫勉 only by the
    organization department or discipline inspection; the same values again change nothing (docs/appraisal.md)."""
    fact = past_talks.PastTalk(**body.model_dump())
    return hs.PastTalkRecorded(
        **await idem.run(uow, lambda: past_talks.record_past_talk(fact, uow, principal=principal, today=today))
    )


@router.get("/talks/overdue", response_model=s.Page, tags=["talks"], dependencies=[require(*READERS)])
async def overdue_talks(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    today: TodayDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.Page:
    """Lists held talks whose reply is overdue (deadlines in working days)."""
    items, cursor = await views.overdue_talks(conn, principal, page, today, org_unit_id)
    return s.Page(items=items, next_cursor=cursor)


@router.post(
    "/talks/schedules", status_code=201, response_model=s.Created, tags=["talks"], dependencies=[require(*HOLDERS)]
)
async def create_schedule(
    body: s.ScheduleCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Creates a recurring schedule of talks (一把手, front-line cadres)."""
    cmd = commands.CreateTalkSchedule(**body.model_dump())
    return s.Created(id=await idem.run(uow, lambda: h.create_schedule(cmd, uow, principal=principal, today=today)))


@router.get("/talks/schedules", response_model=s.Page, tags=["talks"], dependencies=[require(*READERS)])
async def list_schedules(conn: ReaderDep, principal: PrincipalDep, page: PageDep) -> s.Page:
    """Lists recurring schedules in the caller's scope."""
    items, cursor = await views.scoped_page(conn, principal, "talk_schedules", page)
    return s.Page(items=items, next_cursor=cursor)


@router.post("/talks/{talk_id}/record", response_model=s.TalkRecorded, tags=["talks"], dependencies=[require(*HOLDERS)])
async def record_talk(
    talk_id: str, body: s.TalkRecord, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.TalkRecorded:
    """Records a held talk; a 诫勉 emits admonishment_issued."""
    cmd = commands.RecordTalk(talk_id=talk_id, **body.model_dump())
    return s.TalkRecorded(**await idem.run(uow, lambda: h.record_talk(cmd, uow, principal=principal, today=today)))


@router.post("/talks/{talk_id}/cancel", response_model=s.StateRead, tags=["talks"], dependencies=[require(*HOLDERS)])
async def cancel_talk(talk_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional) -> s.StateRead:
    """Cancels a scheduled talk."""
    return s.StateRead(**await idem.run(uow, lambda: h.cancel_talk(talk_id, uow, principal=principal)))


@router.post("/talks/{talk_id}/reply", response_model=s.StateRead, tags=["talks"], dependencies=[require(Role.CADRE)])
async def reply_talk(
    talk_id: str, body: s.TalkReply, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Records the cadre's own reply."""
    cmd = commands.ReplyTalk(talk_id=talk_id, reply_ref=body.reply_ref)
    return s.StateRead(**await idem.run(uow, lambda: h.reply_talk(cmd, uow, principal=principal, today=today)))


@router.get("/talks", response_model=s.Page, tags=["talks"], dependencies=[require(*READERS)])
async def list_talks(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    type: Annotated[str | None, Query(max_length=24)] = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.Page:
    """Lists talks the caller may see."""
    items, cursor = await views.scoped_page(
        conn, principal, "talks", page, org_unit_id=org_unit_id, cadre_id=cadre_id, type=type
    )
    return s.Page(items=items, next_cursor=cursor)


@router.get("/talks/{talk_id}", tags=["talks"], dependencies=[require(*READERS)])
async def get_talk(talk_id: str, conn: ReaderDep, principal: PrincipalDep) -> dict:
    """Returns one talk."""
    row = await views.scoped_row(conn, principal, "talks", talk_id)
    if row is None:
        raise NotFound("talk not found", field="talk_id")
    return row
