"""Appeal routes: filed by the cadre or by petitions staff; accepted and decided by role per target type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kernel.audit import PurposeDep
from kernel.auth import Role
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.petitions import views
from services.petitions.api import schemas as s
from services.petitions.api.dependencies import ContextDep, UowDep
from services.petitions.service_layer import appeal_history, appeals, commands
from services.petitions.service_layer.access import access_for

router = APIRouter(prefix="/api/v1/appeals", tags=["appeals"], responses=s.PROBLEM_RESPONSES)
DECIDERS = require(Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER)
READERS = require(Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.PETITIONS_STAFF, Role.AUDITOR, Role.CADRE)


@router.post(
    "", status_code=201, response_model=s.AppealCreated, dependencies=[require(Role.PETITIONS_STAFF, Role.CADRE)]
)
async def file_appeal(
    body: s.AppealCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.AppealCreated:
    """Files an appeal; one filed after the statutory period is recorded as rejected (time-barred)."""
    cmd = commands.FileAppeal(
        target_type=body.target_type,
        target_ref=body.target_ref,
        stage=body.stage,
        grounds=body.grounds,
        appellant_cadre_id=body.appellant_cadre_id,
        previous_appeal_id=body.previous_appeal_id,
        notified_on=body.notified_on,
        filed_on=body.filed_on,
        decision_on=body.decision_on,
    )
    return s.AppealCreated(**await idem.run(uow, lambda: appeals.file(cmd, uow, principal=principal, today=today)))


@router.post("/history", status_code=201, response_model=s.PastAppealRecorded, dependencies=[DECIDERS])
async def record_past_appeal(
    body: s.PastAppealIn,
    response: Response,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    today: TodayDep,
) -> s.PastAppealRecorded:
    """Records an appeal filed and decided in the past, with its real dates and provenance, by the role that
    decides that target type; the same appeal with other values corrects it (201), with the same values changes
    nothing (200)."""
    cmd = commands.RecordPastAppeal(
        appellant_cadre_id=body.appellant_cadre_id,
        target_type=body.target_type,
        target_ref=body.target_ref,
        stage=body.stage,
        notified_on=body.notified_on,
        filed_on=body.filed_on,
        outcome=body.outcome,
        decided_on=body.decided_on,
        document_number=body.document_number,
        source=body.source,
        grounds=body.grounds,
        decision_on=body.decision_on,
        accepted_on=body.accepted_on,
        varied_to=body.varied_to,
        reasons=body.reasons,
        previous_appeal_id=body.previous_appeal_id,
    )
    result = await idem.run(uow, lambda: appeal_history.record_past_appeal(cmd, uow, principal=principal, today=today))
    if result["outcome"] == "UNCHANGED":
        response.status_code = 200
    return s.PastAppealRecorded(**result)


@router.get("", response_model=s.AppealPage, dependencies=[READERS])
async def list_appeals(
    conn: ReaderDep,
    runtime: RuntimeDep,
    tools: ContextDep,
    principal: PrincipalDep,
    page: PageDep,
    purpose: PurposeDep,
    status: Annotated[str | None, Query(max_length=24, pattern=r"^[A-Z_]+$")] = None,
) -> s.AppealPage:
    """Lists appeals in scope (a cadre sees their own)."""
    access = await access_for(conn, tools.directory, principal)
    items, cursor = await views.list_appeals(conn, access, page, status=status)
    await runtime.audit_reads(principal, "appeal", [i["id"] for i in items], purpose, action="READ_LIST")
    return s.AppealPage(items=[s.AppealRead(**i) for i in items], next_cursor=cursor)


@router.get("/{appeal_id}", response_model=s.AppealRead, dependencies=[READERS])
async def get_appeal(
    appeal_id: str,
    conn: ReaderDep,
    runtime: RuntimeDep,
    tools: ContextDep,
    principal: PrincipalDep,
    purpose: PurposeDep,
) -> s.AppealRead:
    """Returns one appeal."""
    access = await access_for(conn, tools.directory, principal)
    item = await views.get_appeal(conn, access, appeal_id)
    if item is None:
        raise NotFound("appeal not found", field="appeal_id", rule="appeal.scope")
    await runtime.audit_reads(principal, "appeal", [appeal_id], purpose)
    return s.AppealRead(**item)


@router.post("/{appeal_id}/accept", response_model=s.StateRead, dependencies=[DECIDERS])
async def accept_appeal(
    appeal_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Accepts an appeal; the decision period runs from today."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: appeals.accept_appeal(commands.AcceptAppeal(appeal_id), uow, principal=principal, today=today),
        )
    )


@router.post("/{appeal_id}/reject", response_model=s.StateRead, dependencies=[DECIDERS])
async def reject_appeal(
    appeal_id: str,
    body: s.AppealReject,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Does not accept an appeal (不予受理), with the reasons."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: appeals.reject_appeal(
                commands.RejectAppeal(appeal_id, body.reasons), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{appeal_id}/start-review", response_model=s.StateRead, dependencies=[DECIDERS])
async def start_appeal_review(
    appeal_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Starts the review of an accepted appeal."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: appeals.start_appeal_review(
                commands.StartAppealReview(appeal_id), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{appeal_id}/decide", response_model=s.StateRead, dependencies=[DECIDERS])
async def decide_appeal(
    appeal_id: str,
    body: s.AppealDecide,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Decides: upheld, varied (never heavier) or revoked (emits appeal_decided for the decision's owner)."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: appeals.decide_appeal(
                commands.DecideAppeal(appeal_id, body.result, body.reasons, body.varied_to),
                uow,
                principal=principal,
                today=today,
            ),
        )
    )
