"""The tolerance parts of the gateway's cadre dossier and organization dashboards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.access import unit_not_found
from kernel.audit import PurposeDep
from kernel.auth import Role
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.requests import QueryDate
from kernel.security import PrincipalDep, require
from services.tolerance.api.dependencies import DASHBOARD_READERS, READERS, PolicyDep
from services.tolerance.api.schemas import DashboardPart, DossierPart
from services.tolerance.views import parts
from services.tolerance.views.scope import DIRECTORY, unit_in_scope

router = APIRouter(prefix="/api/v1", tags=["parts"])
SUBTREE_DASHBOARD = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.AUDITOR)


@router.get("/dossier-parts/tolerance/{cadre_id}", response_model=DossierPart, dependencies=[require(*READERS)])
async def get_dossier_part(
    cadre_id: str,
    conn: ReaderDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    purpose: PurposeDep,
    today: TodayDep,
    as_of: Annotated[QueryDate | None, Query(description="YYYY-MM-DD; default today")] = None,
) -> DossierPart:
    """Returns the cadre's restrictions applying on `as_of`, their sanctions, tolerance cases and reinstatements."""
    await DIRECTORY.require_visible(conn, principal, cadre_id)
    part = await parts.dossier_part(conn, principal, cadre_id, as_of or today)
    cases = [c["id"] for c in part["tolerance_cases"]]
    await runtime.audit_read_groups(principal, purpose, [("dossier-part", [cadre_id]), ("tolerance-case", cases)])
    return DossierPart(**part)


@router.get("/dashboard-parts/tolerance", response_model=DashboardPart, dependencies=[require(*DASHBOARD_READERS)])
async def get_dashboard_part(
    conn: ReaderDep,
    principal: PrincipalDep,
    today: TodayDep,
    policy: PolicyDep,
    org_unit_id: Annotated[str | None, Query(max_length=64, description="default: the caller's unit")] = None,
) -> DashboardPart:
    """Returns restrictions ending within the horizon, bars in force, cases and reinstatements of a unit's subtree."""
    unit_id = org_unit_id or principal.unit_id
    if unit_id is None:
        raise unit_not_found()
    if not principal.has(*SUBTREE_DASHBOARD) and unit_id != principal.unit_id:
        raise unit_not_found()  # an assessor sees their own unit only
    path = await unit_in_scope(conn, principal, unit_id)
    if path is None:
        raise unit_not_found()
    return DashboardPart(
        **await parts.dashboard_part(conn, principal, path, unit_id, today, policy.dashboard_horizon_days)
    )
