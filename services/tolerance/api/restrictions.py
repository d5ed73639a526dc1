"""Routes of restrictions (the only thing rank and appraisal consume) and investigations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kernel.auth import Role
from kernel.contracts.vocabulary import RestrictionEffect, RestrictionSource, RestrictionStatus
from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.requests import QueryDate
from kernel.security import PrincipalDep, require
from services.tolerance.api.dependencies import READERS, CadreFilter, UowDep
from services.tolerance.api.schemas import (
    InvestigationClosure,
    InvestigationPage,
    InvestigationRead,
    PastFactRecorded,
    PastInvestigationIn,
    RestrictionExtensionIn,
    RestrictionPage,
    RestrictionRead,
    StateRead,
)
from services.tolerance.service_layer import commands, investigations, past_cases, restrictions
from services.tolerance.views import reads
from services.tolerance.views.reads import InvestigationStatus

router = APIRouter(prefix="/api/v1/restrictions", tags=["restrictions"])
investigation_router = APIRouter(prefix="/api/v1/investigations", tags=["investigations"])


@router.get("", response_model=RestrictionPage, dependencies=[require(*READERS)])
async def list_restrictions(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    status: RestrictionStatus | None = None,
    effect: RestrictionEffect | None = None,
    source_type: RestrictionSource | None = None,
    active_on: Annotated[QueryDate | None, Query(description="only restrictions applying on this date")] = None,
) -> RestrictionPage:
    """Lists the restrictions the caller may see, latest start first."""
    items, cursor = await reads.list_restrictions(
        conn,
        principal,
        page,
        active_on=active_on,
        cadre_id=cadre_id,
        status=status.value if status else None,
        effect=effect.value if effect else None,
        source_type=source_type.value if source_type else None,
    )
    return RestrictionPage(items=[RestrictionRead(**i) for i in items], next_cursor=cursor)


@router.get("/{restriction_id}", response_model=RestrictionRead, dependencies=[require(*READERS)])
async def get_restriction(restriction_id: str, conn: ReaderDep, principal: PrincipalDep) -> RestrictionRead:
    """Returns one restriction."""
    item = await reads.get_restriction(conn, principal, restriction_id)
    if item is None:
        raise NotFound("restriction not found", field="restriction_id")
    return RestrictionRead(**item)


@router.post("/{restriction_id}/extension", response_model=StateRead, dependencies=[require(Role.ORG_ADMIN)])
async def extend_restriction(
    restriction_id: str,
    body: RestrictionExtensionIn,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Extends a restriction when use is still affected after its period (期满影响使用), with the reason kept."""
    cmd = commands.ExtendRestriction(restriction_id=restriction_id, new_ends_on=body.new_ends_on, reason=body.reason)
    return StateRead(
        **await idem.run(uow, lambda: restrictions.extend_restriction(cmd, uow, principal=principal, today=today))
    )


@investigation_router.get("", response_model=InvestigationPage, dependencies=[require(Role.DISCIPLINE_OFFICER)])
async def list_investigations(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    status: InvestigationStatus | None = None,
) -> InvestigationPage:
    """Lists the investigations mirrored from petitions (discipline inspection only)."""
    items, cursor = await reads.list_investigations(
        conn, principal, page, cadre_id=cadre_id, status=status.value if status else None
    )
    return InvestigationPage(items=[InvestigationRead(**i) for i in items], next_cursor=cursor)


@investigation_router.post(
    "/history", status_code=201, response_model=PastFactRecorded, dependencies=[require(Role.DISCIPLINE_OFFICER)]
)
async def record_past_investigation(
    body: PastInvestigationIn,
    response: Response,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    today: TodayDep,
) -> PastFactRecorded:
    """Records an investigation (立案审查调查) opened, and possibly closed, in the past with its real dates and
    provenance; the same investigation with other values corrects it (201), with the same values changes nothing
    (200)."""
    cmd = commands.RecordPastInvestigation(
        cadre_id=body.cadre_id,
        opened_on=body.opened_on,
        document_number=body.document_number,
        source=body.source,
        closed_on=body.closed_on,
        conclusion=body.conclusion,
    )
    result = await idem.run(
        uow, lambda: past_cases.record_past_investigation(cmd, uow, principal=principal, today=today)
    )
    if result["outcome"] == "UNCHANGED":
        response.status_code = 200
    return PastFactRecorded(**result)


@investigation_router.get(
    "/{investigation_id}", response_model=InvestigationRead, dependencies=[require(Role.DISCIPLINE_OFFICER)]
)
async def get_investigation(investigation_id: str, conn: ReaderDep, principal: PrincipalDep) -> InvestigationRead:
    """Returns one investigation."""
    item = await reads.get_investigation(conn, principal, investigation_id)
    if item is None:
        raise NotFound("investigation not found", field="investigation_id")
    return InvestigationRead(**item)


@investigation_router.post(
    "/{investigation_id}/closure", response_model=StateRead, dependencies=[require(Role.DISCIPLINE_OFFICER)]
)
async def close_investigation(
    investigation_id: str,
    body: InvestigationClosure,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Closes an investigation whose substantiated facts have been handled; its restrictions are lifted."""
    cmd = commands.CloseInvestigation(investigation_id=investigation_id, closed_on=body.closed_on)
    return StateRead(
        **await idem.run(uow, lambda: investigations.close_investigation(cmd, uow, principal=principal, today=today))
    )
