"""Routes of the accountability index, bonus allocation, incentive coverage and the gateway's dossier and dashboard
parts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.access import cadre_not_found, unit_not_found
from kernel.audit import PurposeDep
from kernel.auth import Role
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyRequired
from kernel.pagination import PageDep
from kernel.requests import QueryDate
from kernel.security import PrincipalDep, require
from services.appraisal import insight_views, views
from services.appraisal.api import schemas as s
from services.appraisal.api.dependencies import READERS, STAFF_READERS, UowDep
from services.appraisal.service_layer import commands, incentives

router = APIRouter(prefix="/api/v1")
COVERAGE_READERS = (Role.ORG_ADMIN, Role.ASSESSOR, Role.AUDITOR)
PeriodQuery = Annotated[str | None, Query(pattern=r"^\d{4}-Q[1-4]$")]


async def _unit_path(conn, principal, org_unit_id: str | None) -> str:
    access = await views.directory.access(conn, principal)
    path = await views.directory.unit_in_scope(conn, access, org_unit_id or principal.unit_id or "")
    if path is None:
        raise unit_not_found()
    return path


@router.get("/accountability-index/{cadre_id}", tags=["accountability-index"], dependencies=[require(*READERS)])
async def cadre_index(cadre_id: str, conn: ReaderDep, principal: PrincipalDep, period_key: PeriodQuery = None) -> dict:
    """Returns a cadre's index per quarter, each with the components and the record ids that produced them."""
    items = await views.index_of(conn, principal, cadre_id, period_key)
    if items is None:
        raise cadre_not_found()
    return {"cadre_id": cadre_id, "items": items}


@router.get(
    "/accountability-index", response_model=s.Page, tags=["accountability-index"], dependencies=[require(*READERS)]
)
async def list_index(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    period_key: PeriodQuery = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.Page:
    """Lists index snapshots in the caller's scope (a quarter, a unit)."""
    items, cursor = await views.index_page(conn, principal, page, period_key, org_unit_id)
    return s.Page(items=items, next_cursor=cursor)


@router.post(
    "/bonus-allocations",
    status_code=201,
    response_model=s.Created,
    tags=["bonus-allocations"],
    dependencies=[require(Role.ORG_ADMIN)],
)
async def allocate_bonus(
    body: s.BonusCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Allocates a bonus pool over a unit's final grades by coefficient, explained per person."""
    cmd = commands.AllocateBonus(**body.model_dump())
    return s.Created(
        id=await idem.run(uow, lambda: incentives.allocate_bonus(cmd, uow, principal=principal, today=today))
    )


@router.get(
    "/bonus-allocations/{allocation_id}",
    tags=["bonus-allocations"],
    dependencies=[require(Role.ORG_ADMIN, Role.ASSESSOR, Role.AUDITOR)],
)
async def get_bonus(allocation_id: str, conn: ReaderDep, principal: PrincipalDep) -> dict:
    """Returns an allocation with one explained line per cadre."""
    row = await views.bonus(conn, principal, allocation_id)
    if row is None:
        raise NotFound("bonus allocation not found", field="allocation_id")
    return row


@router.get("/incentive-coverage", tags=["incentive-coverage"], dependencies=[require(*COVERAGE_READERS)])
async def incentive_coverage(
    conn: ReaderDep,
    principal: PrincipalDep,
    today: TodayDep,
    uow: UowDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> dict:
    """Returns who received any incentive in a year, by age band, gender, rank and post type."""
    path = await _unit_path(conn, principal, org_unit_id)
    return await insight_views.coverage(
        conn, path=path, year=year or today.year, age_bands=uow.context.settings.coverage_age_bands
    )


@router.post(
    "/incentive-coverage/records",
    status_code=201,
    response_model=s.Created,
    tags=["incentive-coverage"],
    dependencies=[require(Role.ORG_ADMIN)],
)
async def record_incentive(
    body: s.IncentiveCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Records a training or rotation (awards, 优秀 and promotions are counted from their own sources)."""
    cmd = commands.RecordIncentive(**body.model_dump())
    return s.Created(
        id=await idem.run(uow, lambda: incentives.record_incentive(cmd, uow, principal=principal, today=today))
    )


@router.get("/dossier-parts/appraisal/{cadre_id}", tags=["dossier-parts"], dependencies=[require(*READERS)])
async def dossier_part(
    cadre_id: str,
    conn: ReaderDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    today: TodayDep,
    purpose: PurposeDep,
    as_of: QueryDate | None = None,
) -> dict:
    """Returns the appraisal part of a dossier (grades, index with breakdown, talks, awards, record notes);
    audited."""
    access, _ = await views.directory.require_visible(conn, principal, cadre_id)
    await runtime.audit_reads(principal, "dossier", [cadre_id], purpose)
    return await insight_views.dossier(
        conn, cadre_id=cadre_id, as_of=as_of or today, petition_notes=views.petition_notes_visible(access, cadre_id)
    )


@router.get("/dashboard-parts/appraisal", tags=["dashboard-parts"], dependencies=[require(*STAFF_READERS)])
async def dashboard_part(
    conn: ReaderDep,
    principal: PrincipalDep,
    today: TodayDep,
    uow: UowDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> dict:
    """Returns grade distribution, index bands and incentive coverage of a unit's subtree."""
    path = await _unit_path(conn, principal, org_unit_id)
    year = year or today.year - 1
    return {
        "org_unit_id": org_unit_id or principal.unit_id,
        "year": year,
        **await insight_views.dashboard(
            conn, path=path, year=year, today=today, age_bands=uow.context.settings.coverage_age_bands
        ),
    }
