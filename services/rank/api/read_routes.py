"""Rank HTTP routes of the read side: eligibility and points, standings, development track, dossier, dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.access import unit_not_found
from kernel.audit import PurposeDep
from kernel.auth import Principal
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.errors import NotFound
from kernel.pagination import PageDep
from kernel.requests import QueryDate
from kernel.security import PrincipalDep, require
from services.rank import process_views, views
from services.rank.api.dependencies import (
    DASHBOARD_READERS,
    DOSSIER_READERS,
    ELIGIBILITY_READERS,
    TRACK_READERS,
    PoliciesDep,
)
from services.rank.api.schemas import (
    RANK_CODE,
    CadreRead,
    DashboardPart,
    DemotionRead,
    DossierPart,
    EligibilityRead,
    HistoryRead,
    StandingPage,
    StandingRead,
    TrackPage,
    TrackRead,
)

router = APIRouter(prefix="/api/v1")
STAGE = r"^(NEW_ENTRANT|YOUNG|RESERVE|MATURE|ESTABLISHED)$"
STEP = r"^(TRAINING|GRASSROOTS_POSTING|ROTATION|LEADERSHIP_SELECTION|ON_HOLD|NONE)$"


@router.get(
    "/eligibility/{cadre_id}",
    response_model=EligibilityRead,
    tags=["eligibility"],
    dependencies=[require(*ELIGIBILITY_READERS)],
)
async def cadre_eligibility(
    cadre_id: str,
    conn: ReaderDep,
    principal: PrincipalDep,
    today: TodayDep,
    policies: PoliciesDep,
    as_of: Annotated[QueryDate | None, Query(description="default today")] = None,
    target_rank: Annotated[str | None, Query(pattern=RANK_CODE)] = None,
) -> EligibilityRead:
    """Explains whether a cadre may be promoted into the next rank, every reason with its rule and source,
    the earliest date if nothing changes, the points with their breakdown, and the development step."""
    if await views.visible_cadre(conn, principal, cadre_id) is None:
        raise NotFound("cadre not found", field="cadre_id")
    return EligibilityRead(
        **await process_views.live_eligibility(
            conn, cadre_id, as_of=as_of or today, target_rank=target_rank, policies=policies, principal=principal
        )
    )


@router.get(
    "/eligibility", response_model=StandingPage, tags=["eligibility"], dependencies=[require(*ELIGIBILITY_READERS)]
)
async def list_eligibility(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    today: TodayDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
    eligible_by: Annotated[QueryDate | None, Query(description="eligible on or before")] = None,
    target_rank: Annotated[str | None, Query(pattern=RANK_CODE)] = None,
) -> StandingPage:
    """Lists cadres by promotion standing (precomputed, refreshed incrementally), best points first."""
    items, cursor = await process_views.list_standings(
        conn, principal, page, org_unit_id=org_unit_id, eligible_by=eligible_by, target_rank=target_rank, today=today
    )
    return StandingPage(items=[StandingRead(**i) for i in items], next_cursor=cursor)


@router.get(
    "/development-track", response_model=TrackPage, tags=["development-track"], dependencies=[require(*TRACK_READERS)]
)
async def development_track(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
    stage: Annotated[str | None, Query(pattern=STAGE)] = None,
    step: Annotated[str | None, Query(pattern=STEP)] = None,
    include_none: bool = False,
) -> TrackPage:
    """Lists each cadre's suggested next step (递进式政治激励台阶) with the reasons, filterable by stage and step."""
    items, cursor = await process_views.list_track(
        conn, principal, page, org_unit_id=org_unit_id, stage=stage, step=step, include_none=include_none
    )
    return TrackPage(items=[TrackRead(**i) for i in items], next_cursor=cursor)


def _relative_of(principal: Principal, relative_ids: list[str]) -> bool:
    return principal.cadre_id is not None and principal.cadre_id in relative_ids


@router.get(
    "/dossier-parts/rank/{cadre_id}",
    response_model=DossierPart,
    tags=["dossier-parts"],
    dependencies=[require(*DOSSIER_READERS)],
)
async def dossier_part(
    cadre_id: str,
    conn: ReaderDep,
    principal: PrincipalDep,
    today: TodayDep,
    runtime: RuntimeDep,
    policies: PoliciesDep,
    purpose: PurposeDep,
    as_of: Annotated[QueryDate | None, Query(description="default today")] = None,
) -> DossierPart:
    """Returns rank's part of a cadre's dossier as of a date (audited; never a relative's dossier)."""
    cadre = await views.get_cadre(conn, principal, cadre_id)
    if cadre is None or _relative_of(principal, cadre["relative_ids"]):
        raise NotFound("cadre not found", field="cadre_id")
    day = as_of or today
    if day > today:
        day = today
    live = await process_views.live_dossier(conn, cadre, as_of=day, policies=policies, principal=principal)
    history = live["history"]
    register = {**cadre, "org_unit_id_on_date": history["org_unit_id"]}
    demotions = [
        DemotionRead(**d)
        for d in await views.demotions(conn, cadre_id)
        if d["effective_date"] is None or d["effective_date"] <= day
    ]
    contracts = [c for c in await process_views.contracts_of(conn, cadre_id, policies) if c["starts_on"] <= day]
    await runtime.audit_reads(principal, "dossier", [cadre_id], purpose)
    return DossierPart(
        cadre_id=cadre_id,
        as_of=day,
        register_entry=register,
        cadre=CadreRead(**cadre),
        history=HistoryRead(**history),
        eligibility=live["eligibility"],
        points=live["points"],
        development=live["development"],
        level_step=live["level_step"],
        demotions=demotions,
        contracts=contracts,
    )


@router.get(
    "/dashboard-parts/rank",
    response_model=DashboardPart,
    tags=["dashboard-parts"],
    dependencies=[require(*DASHBOARD_READERS)],
)
async def dashboard_part(
    conn: ReaderDep,
    principal: PrincipalDep,
    today: TodayDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> DashboardPart:
    """Returns rank's dashboard figures for an org subtree of the caller's scope."""
    access = await views.access_of(conn, principal)
    unit = org_unit_id or principal.unit_id
    prefix = (
        await views.unit_prefix_within(conn, access.prefix, unit)
        if access.prefix and unit and not access.self_only
        else None
    )
    if prefix is None or unit is None:
        raise unit_not_found()
    return DashboardPart(**await process_views.dashboard(conn, prefix, unit, today))
