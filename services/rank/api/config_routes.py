"""Rank HTTP routes of the versioned configuration: ladders, points schemes, quotas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.rank import process_views
from services.rank.api.dependencies import CONFIG_READERS, WRITERS, UowDep
from services.rank.api.schemas import (
    Created,
    LadderList,
    LadderRead,
    LadderVersionCreate,
    PointsSchemeCreate,
    PointsSchemePage,
    PointsSchemeRead,
    QuotaCreate,
    QuotaPage,
    QuotaRead,
    SeriesLit,
)
from services.rank.service_layer import commands, config
from services.rank.service_layer.config import DEFAULT_SCHEME, POSTS

router = APIRouter(prefix="/api/v1")


@router.get("/ladders", response_model=LadderList, tags=["ladders"], dependencies=[require(*CONFIG_READERS)])
async def list_ladders(conn: ReaderDep, today: TodayDep) -> LadderList:
    """Lists the ladder of each series in force today, with the leadership posts they refer to."""
    items = [
        LadderRead(**ladder.to_dict(), in_force=True) for ladder in await process_views.ladders_in_force(conn, today)
    ]
    return LadderList(items=items, posts=POSTS)


@router.get(
    "/ladders/{series}", response_model=list[LadderRead], tags=["ladders"], dependencies=[require(*CONFIG_READERS)]
)
async def ladder_versions(
    series: SeriesLit, conn: ReaderDep, today: TodayDep, version: Annotated[str | None, Query(max_length=32)] = None
) -> list[LadderRead]:
    """Lists every version of a series' ladder (or one version), marking the one in force."""
    in_force = (await process_views.ladder_in_force(conn, series, today)).version
    found = [
        LadderRead(**lad.to_dict(), in_force=lad.version == in_force)
        for lad in await process_views.ladder_versions(conn, series)
        if version is None or lad.version == version
    ]
    if version is not None and not found:
        raise NotFound("ladder version not found", field="version", rule="ladder.version")
    return found


@router.post(
    "/ladders/{series}/versions",
    status_code=201,
    response_model=Created,
    tags=["ladders"],
    dependencies=[require(*WRITERS)],
)
async def publish_ladder(
    series: SeriesLit, body: LadderVersionCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired
) -> Created:
    """Publishes a new ladder version (a correction of the data needs no code change)."""
    definition = {"series": series, **body.model_dump(mode="json")}
    cmd = commands.PublishLadder(series=series, definition=definition)
    result = await idem.run(uow, lambda: config.publish_ladder(cmd, uow, principal=principal))
    return Created(id=f"{result['series']}/{result['version']}")


@router.get(
    "/points-schemes", response_model=PointsSchemePage, tags=["points-schemes"], dependencies=[require(*CONFIG_READERS)]
)
async def list_points_schemes(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> PointsSchemePage:
    """Lists the points schemes that apply to the caller's units (the built-in default applies elsewhere)."""
    items, cursor = await process_views.list_schemes(conn, principal, page, org_unit_id)
    return PointsSchemePage(items=[PointsSchemeRead(**i) for i in items], next_cursor=cursor)


@router.get(
    "/points-schemes/{scheme_id}",
    response_model=PointsSchemeRead,
    tags=["points-schemes"],
    dependencies=[require(*CONFIG_READERS)],
)
async def get_points_scheme(scheme_id: str, conn: ReaderDep, principal: PrincipalDep) -> PointsSchemeRead:
    """Returns one points scheme (`default` is the built-in illustrative scheme)."""
    if scheme_id == "default":
        return PointsSchemeRead(
            id="default",
            org_unit_id=None,
            version=DEFAULT_SCHEME["version"],
            effective_from=None,
            definition=DEFAULT_SCHEME,
        )
    found = await process_views.get_scheme(conn, principal, scheme_id)
    if found is None:
        raise NotFound("points scheme not found", field="scheme_id")
    return PointsSchemeRead(**found)


@router.post(
    "/points-schemes",
    status_code=201,
    response_model=Created,
    tags=["points-schemes"],
    dependencies=[require(*WRITERS)],
)
async def create_points_scheme(
    body: PointsSchemeCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired
) -> Created:
    """Stores a new points-scheme version for an org unit's subtree."""
    definition = body.model_dump(mode="json", exclude={"org_unit_id", "effective_from"})
    cmd = commands.CreatePointsScheme(
        org_unit_id=body.org_unit_id, definition=definition, effective_from=body.effective_from
    )
    return Created(id=await idem.run(uow, lambda: config.create_points_scheme(cmd, uow, principal=principal)))


@router.get("/quotas", response_model=QuotaPage, tags=["quotas"], dependencies=[require(*CONFIG_READERS)])
async def list_quotas(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    today: TodayDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> QuotaPage:
    """Lists the quotas (职数) in force with holders, reserved places and vacancies."""
    items, cursor = await process_views.list_quotas(conn, principal, page, org_unit_id, today)
    return QuotaPage(items=[QuotaRead(**i) for i in items], next_cursor=cursor)


@router.post("/quotas", status_code=201, response_model=Created, tags=["quotas"], dependencies=[require(*WRITERS)])
async def set_quota(
    body: QuotaCreate, uow: UowDep, principal: PrincipalDep, today: TodayDep, idem: IdempotencyRequired
) -> Created:
    """Stores a quota for a bucket of ranks in an org unit, from a date (a new version replaces the old)."""
    cmd = commands.SetQuota(**body.model_dump())
    return Created(id=await idem.run(uow, lambda: config.set_quota(cmd, uow, principal=principal, today=today)))
