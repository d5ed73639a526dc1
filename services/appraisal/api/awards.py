"""Routes of awards and honours."""

from __future__ import annotations

from typing import Annotated, Literal

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
from services.appraisal.service_layer import awards as h
from services.appraisal.service_layer import commands, past_awards

router = APIRouter(prefix="/api/v1")
ACTIONS = {
    "publicity": "publicity",
    "approval": "approve",
    "grant": "grant",
    "revocation-review": "review",
    "revocation": "revoke",
    "keep": "keep",
}


@router.post(
    "/awards", status_code=201, response_model=s.Created, tags=["awards"], dependencies=[require(Role.ORG_ADMIN)]
)
async def propose_award(
    body: s.AwardCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Proposes an award for a deed (grade-based proposals are made automatically)."""
    cmd = commands.ProposeAward(**body.model_dump())
    return s.Created(id=await idem.run(uow, lambda: h.propose_award(cmd, uow, principal=principal, today=today)))


@router.post(
    "/awards/history",
    status_code=201,
    response_model=hs.PastAwardRecorded,
    tags=["awards"],
    dependencies=[require(Role.ORG_ADMIN)],
)
async def record_past_award(
    body: hs.PastAwardCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> hs.PastAwardRecorded:
    """Records a past award (and its revocation) as a past fact with its real dates, source and 文号; the same
    values again change nothing, other values correct it (docs/appraisal.md, "Recording past awards")."""
    fact = past_awards.PastAward(**body.model_dump())
    return hs.PastAwardRecorded(
        **await idem.run(uow, lambda: past_awards.record_past_award(fact, uow, principal=principal, today=today))
    )


@router.post(
    "/awards/{award_id}/{action}", response_model=s.StateRead, tags=["awards"], dependencies=[require(Role.ORG_ADMIN)]
)
async def advance_award(
    award_id: str,
    action: Literal["publicity", "approval", "grant", "revocation-review", "revocation", "keep"],
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
    body: s.Revocation | None = None,
) -> s.StateRead:
    """Moves an award: publicity, approval, grant (award_granted), revocation review, revocation (award_revoked)."""
    cmd = commands.AdvanceAward(award_id=award_id, action=ACTIONS[action], reason=body.reason if body else None)
    return s.StateRead(**await idem.run(uow, lambda: h.advance_award(cmd, uow, principal=principal, today=today)))


@router.get("/awards", response_model=s.Page, tags=["awards"], dependencies=[require(*READERS)])
async def list_awards(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    status: Annotated[str | None, Query(max_length=24)] = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.Page:
    """Lists awards the caller may see."""
    items, cursor = await views.scoped_page(
        conn, principal, "awards", page, org_unit_id=org_unit_id, cadre_id=cadre_id, status=status
    )
    return s.Page(items=[{k: v for k, v in i.items() if k != "auto_key"} for i in items], next_cursor=cursor)


@router.get("/awards/{award_id}", tags=["awards"], dependencies=[require(*READERS)])
async def get_award(award_id: str, conn: ReaderDep, principal: PrincipalDep) -> dict:
    """Returns one award."""
    row = await views.scoped_row(conn, principal, "awards", award_id)
    if row is None:
        raise NotFound("award not found", field="award_id")
    return {k: v for k, v in row.items() if k != "auto_key"}
