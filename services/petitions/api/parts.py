"""The petitions parts of the cadre dossier and of the organization dashboards, for the gateway to fan out to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.access import unit_not_found
from kernel.audit import PurposeDep
from kernel.auth import Role
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.requests import QueryDate
from kernel.security import PrincipalDep, require
from services.petitions import views
from services.petitions.api import schemas as s
from services.petitions.api.dependencies import ContextDep
from services.petitions.service_layer.access import access_for

router = APIRouter(prefix="/api/v1", responses=s.PROBLEM_RESPONSES)


@router.get(
    "/dossier-parts/petitions/{cadre_id}",
    response_model=s.DossierPart,
    response_model_exclude_none=True,
    tags=["dossier-parts"],
    dependencies=[require(Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.AUDITOR)],
)
async def petitions_dossier_part(
    cadre_id: str,
    conn: ReaderDep,
    runtime: RuntimeDep,
    tools: ContextDep,
    principal: PrincipalDep,
    today: TodayDep,
    purpose: PurposeDep,
    as_of: QueryDate | None = None,
) -> s.DossierPart:
    """A cadre's concluded outcomes, clarifications and appeals. Never about oneself or a relative (kernel.access,
    sensitive); the cadre role reads no petitions part (its own dossier shows none: docs/permissions.md)."""
    as_of = as_of or today
    access, _ = await tools.directory.require_visible(conn, principal, cadre_id, sensitive=True)
    part = await views.dossier_part(conn, access, cadre_id, as_of)
    await runtime.audit_reads(principal, "dossier-part", [cadre_id], purpose)
    return s.DossierPart(**part)


@router.get(
    "/dashboard-parts/petitions",
    response_model=s.DashboardPart,
    tags=["dashboard-parts"],
    dependencies=[require(Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.AUDITOR)],
)
async def petitions_dashboard_part(
    conn: ReaderDep,
    tools: ContextDep,
    principal: PrincipalDep,
    today: TodayDep,
    org_unit_id: Annotated[str, Query(min_length=1, max_length=64)],
) -> s.DashboardPart:
    """Overdue and soon-due petition deadlines of an org unit's subtree (assessors: their own unit only)."""
    only_own = principal.has(Role.ASSESSOR) and not principal.has(Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.AUDITOR)
    access = await access_for(conn, tools.directory, principal)
    path = await views.unit_in_scope(conn, access, org_unit_id)
    if path is None or (only_own and org_unit_id != principal.unit_id):
        raise unit_not_found()
    return s.DashboardPart(org_unit_id=org_unit_id, as_of=today, **await views.dashboard_part(conn, path, today))
