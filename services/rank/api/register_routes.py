"""Rank HTTP routes of the register (org units, cadres, relations, holdings): thin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kernel.auth import Role
from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound, RuleViolation
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.requests import QueryDate
from kernel.security import PrincipalDep, require
from services.rank import views
from services.rank.api.dependencies import REGISTER_READERS, UowDep
from services.rank.api.schemas import (
    CadreBatch,
    CadreBatchRead,
    CadreCreate,
    CadreExit,
    CadrePage,
    CadreRead,
    CadreSearchBody,
    CadreTransfer,
    CadreUpdate,
    Created,
    DemotionExecute,
    DemotionRead,
    HistoryRead,
    LevelHoldingCreate,
    OrgUnitClose,
    OrgUnitCreate,
    OrgUnitMove,
    OrgUnitPage,
    OrgUnitRead,
    OrgUnitUpdate,
    PostHoldingCreate,
    RankHoldingCreate,
    RelativesPut,
    RelativesRead,
    StateRead,
    Versioned,
)
from services.rank.service_layer import commands, handlers

router = APIRouter(prefix="/api/v1")
READERS = REGISTER_READERS
ADMIN = require(Role.ORG_ADMIN)


@router.post("/org-units", status_code=201, response_model=Created, tags=["org-units"], dependencies=[ADMIN])
async def create_org_unit(
    body: OrgUnitCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired
) -> Created:
    """Creates an org unit (the root once, then children within the caller's subtree)."""
    cmd = commands.CreateOrgUnit(
        code=body.code, name=body.name, agency_level=body.agency_level, parent_id=body.parent_id
    )
    unit_id = await idem.run(uow, lambda: handlers.create_org_unit(cmd, uow, principal=principal))
    return Created(id=unit_id)


@router.get("/org-units", response_model=OrgUnitPage, tags=["org-units"], dependencies=[require(*READERS)])
async def list_org_units(conn: ReaderDep, principal: PrincipalDep, page: PageDep) -> OrgUnitPage:
    """Lists the org units of the caller's subtree."""
    items, cursor = await views.list_org_units(conn, principal, page)
    return OrgUnitPage(items=[OrgUnitRead(**i) for i in items], next_cursor=cursor)


@router.get("/org-units/{unit_id}", response_model=OrgUnitRead, tags=["org-units"], dependencies=[require(*READERS)])
async def get_org_unit(unit_id: str, conn: ReaderDep, principal: PrincipalDep) -> OrgUnitRead:
    """Returns one org unit of the caller's subtree."""
    unit = await views.get_org_unit(conn, principal, unit_id)
    if unit is None:
        raise NotFound("org unit not found", field="unit_id")
    return OrgUnitRead(**unit)


@router.patch("/org-units/{unit_id}", response_model=Versioned, tags=["org-units"], dependencies=[ADMIN])
async def change_org_unit(
    unit_id: str, body: OrgUnitUpdate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> Versioned:
    """Renames a unit or changes its agency level (the unit and its descendants are re-announced)."""
    cmd = commands.ChangeOrgUnit(unit_id=unit_id, version=body.version, name=body.name, agency_level=body.agency_level)
    return Versioned(**await idem.run(uow, lambda: handlers.change_org_unit(cmd, uow, principal=principal)))


@router.post("/org-units/{unit_id}/move", response_model=Versioned, tags=["org-units"], dependencies=[ADMIN])
async def move_org_unit(
    unit_id: str, body: OrgUnitMove, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> Versioned:
    """Moves a unit and its subtree under another parent (paths of units and cadres are re-announced)."""
    cmd = commands.ChangeOrgUnit(unit_id=unit_id, version=body.version, parent_id=body.new_parent_id)
    return Versioned(**await idem.run(uow, lambda: handlers.change_org_unit(cmd, uow, principal=principal)))


@router.post("/org-units/{unit_id}/close", response_model=Versioned, tags=["org-units"], dependencies=[ADMIN])
async def close_org_unit(
    unit_id: str, body: OrgUnitClose, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> Versioned:
    """Closes an empty unit."""
    cmd = commands.ChangeOrgUnit(unit_id=unit_id, version=body.version, active=False)
    return Versioned(**await idem.run(uow, lambda: handlers.change_org_unit(cmd, uow, principal=principal)))


@router.post("/cadres", status_code=201, response_model=Created, tags=["cadres"], dependencies=[ADMIN])
async def register_cadre(
    body: CadreCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> Created:
    """Registers a cadre; answers with the new cadre's id."""
    cmd = commands.RegisterCadre(**body.model_dump())
    cadre_id = await idem.run(uow, lambda: handlers.register_cadre(cmd, uow, principal=principal, today=today))
    return Created(id=cadre_id)


@router.post(
    "/cadres/batch",
    response_model=CadreBatchRead,
    tags=["cadres"],
    dependencies=[ADMIN],
    responses={207: {"description": "some items were refused"}},
)
async def register_cadres(
    body: CadreBatch,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    today: TodayDep,
    response: Response,
) -> CadreBatchRead:
    """Registers up to 500 cadres in one transaction, each with the rank and post it holds from a date, each exactly
    as POST /cadres and the holding routes do; answers one item per cadre, in order: its id, or the problem (rule,
    field) that refused it alone (200 when every item was registered, 207 when some were refused)."""
    items = [
        commands.RegisterCadreWithHoldings(
            cadre=commands.RegisterCadre(**item.model_dump(exclude={"rank", "post"})),
            rank=commands.AddRankHolding(cadre_id="", **item.rank.model_dump()) if item.rank else None,
            post=commands.AddPostHolding(cadre_id="", **item.post.model_dump()) if item.post else None,
        )
        for item in body.items
    ]
    answers = await idem.run(uow, lambda: handlers.register_cadres(items, uow, principal=principal, today=today))
    response.status_code = 207 if any(a.get("problem") for a in answers) else 200
    return CadreBatchRead(items=answers)


@router.get("/cadres", response_model=CadrePage, tags=["cadres"], dependencies=[require(*READERS)])
async def list_cadres(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    org_unit_id: Annotated[str | None, Query(max_length=64, description="only this unit and its subunits")] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=100, description="name prefix")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description=(
                "a fragment of the name (张三 finds 张三丰), or latin letters matched against the name's pinyin, full or "
                "initials (zhangsan, zsf)"
            ),
        ),
    ] = None,
    rank_code: Annotated[str | None, Query(max_length=16, description="current rank (职级) code")] = None,
    post_code: Annotated[str | None, Query(max_length=32, description="current leadership post code")] = None,
    category: Annotated[str | None, Query(max_length=32, description="cadre category")] = None,
) -> CadrePage:
    """Lists the cadres the caller may see, in pinyin order of their names, narrowed by unit, name or pinyin, rank,
    post and category."""
    search = views.CadreSearch(
        org_unit_id=org_unit_id, name=name, q=q, rank_code=rank_code, post_code=post_code, category=category
    )
    items, cursor = await views.list_cadres(conn, principal, page, search)
    return CadrePage(items=[CadreRead(**i) for i in items], next_cursor=cursor)


@router.post("/cadres/search", response_model=CadrePage, tags=["cadres"], dependencies=[require(*READERS)])
async def search_cadres(body: CadreSearchBody, conn: ReaderDep, principal: PrincipalDep, page: PageDep) -> CadrePage:
    """Finds the cadre registered with an ID number (kept only as a keyed hash), within the caller's subtree; an
    unknown number and one registered outside the subtree both give an empty list."""
    search = views.CadreSearch(
        org_unit_id=body.org_unit_id, q=body.q, id_number_hash=views.id_number_hash(body.id_number)
    )
    items, cursor = await views.list_cadres(conn, principal, page, search)
    return CadrePage(items=[CadreRead(**i) for i in items], next_cursor=cursor)


@router.get("/cadres/{cadre_id}", response_model=CadreRead, tags=["cadres"], dependencies=[require(*READERS)])
async def get_cadre(cadre_id: str, conn: ReaderDep, principal: PrincipalDep) -> CadreRead:
    """Returns one cadre's register entry."""
    cadre = await views.get_cadre(conn, principal, cadre_id)
    if cadre is None:
        raise NotFound("cadre not found", field="cadre_id")
    return CadreRead(**cadre)


@router.patch("/cadres/{cadre_id}", response_model=Versioned, tags=["cadres"], dependencies=[ADMIN])
async def update_cadre(
    cadre_id: str, body: CadreUpdate, uow: UowDep, principal: PrincipalDep, today: TodayDep, idem: IdempotencyOptional
) -> Versioned:
    """Changes register fields (a full snapshot goes out when what other services keep changes)."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    cmd = commands.UpdateCadre(cadre_id=cadre_id, version=body.version, changes=changes)
    version = await idem.run(uow, lambda: handlers.update_cadre(cmd, uow, principal=principal, today=today))
    return Versioned(id=cadre_id, version=version)


@router.post("/cadres/{cadre_id}/transfer", response_model=Versioned, tags=["cadres"], dependencies=[ADMIN])
async def transfer_cadre(
    cadre_id: str, body: CadreTransfer, uow: UowDep, principal: PrincipalDep, today: TodayDep, idem: IdempotencyOptional
) -> Versioned:
    """Moves a cadre to another unit of the caller's subtree from a date."""
    cmd = commands.UpdateCadre(
        cadre_id=cadre_id, version=body.version, org_unit_id=body.to_org_unit_id, moved_on=body.moved_on
    )
    version = await idem.run(uow, lambda: handlers.update_cadre(cmd, uow, principal=principal, today=today))
    return Versioned(id=cadre_id, version=version)


@router.post("/cadres/{cadre_id}/exit", response_model=Versioned, tags=["cadres"], dependencies=[ADMIN])
async def exit_cadre(
    cadre_id: str, body: CadreExit, uow: UowDep, principal: PrincipalDep, today: TodayDep, idem: IdempotencyOptional
) -> Versioned:
    """Records that a cadre left the register; open candidacies are withdrawn."""
    version = await idem.run(
        uow,
        lambda: handlers.exit_cadre(
            commands.ExitCadre(cadre_id, body.version, body.reason), uow, principal=principal, today=today
        ),
    )
    return Versioned(id=cadre_id, version=version)


@router.put("/cadres/{cadre_id}/relatives", response_model=RelativesRead, tags=["cadres"], dependencies=[ADMIN])
async def set_relatives(
    cadre_id: str, body: RelativesPut, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> RelativesRead:
    """Replaces a cadre's relatives (mirrored on each relative); they drive the own-and-relatives rule."""
    relations = {r.cadre_id: r.relation for r in body.relatives}
    if len(relations) != len(body.relatives):
        raise RuleViolation("a relative is listed twice", rule="cadre.relative_duplicate")
    cmd = commands.SetRelatives(cadre_id=cadre_id, relatives=relations)
    ids = await idem.run(uow, lambda: handlers.set_relatives(cmd, uow, principal=principal))
    return RelativesRead(relative_ids=ids)


@router.post(
    "/cadres/{cadre_id}/rank-holdings", status_code=201, response_model=Created, tags=["cadres"], dependencies=[ADMIN]
)
async def add_rank_holding(
    cadre_id: str,
    body: RankHoldingCreate,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyRequired,
) -> Created:
    """Records a rank (职级) holding from a date; promotions and demotions move one step."""
    cmd = commands.AddRankHolding(cadre_id=cadre_id, **body.model_dump())
    return Created(
        id=await idem.run(uow, lambda: handlers.add_rank_holding(cmd, uow, principal=principal, today=today))
    )


@router.post(
    "/cadres/{cadre_id}/post-holdings", status_code=201, response_model=Created, tags=["cadres"], dependencies=[ADMIN]
)
async def add_post_holding(
    cadre_id: str,
    body: PostHoldingCreate,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyRequired,
) -> Created:
    """Records a leadership-post holding from a date (null post: none from then)."""
    cmd = commands.AddPostHolding(cadre_id=cadre_id, **body.model_dump())
    return Created(
        id=await idem.run(uow, lambda: handlers.add_post_holding(cmd, uow, principal=principal, today=today))
    )


@router.post(
    "/cadres/{cadre_id}/level-holdings", status_code=201, response_model=Created, tags=["cadres"], dependencies=[ADMIN]
)
async def add_level_holding(
    cadre_id: str,
    body: LevelHoldingCreate,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyRequired,
) -> Created:
    """Records a level (级别) holding from a date, within the held rank's range."""
    cmd = commands.AddLevelHolding(cadre_id=cadre_id, **body.model_dump())
    return Created(
        id=await idem.run(uow, lambda: handlers.add_level_holding(cmd, uow, principal=principal, today=today))
    )


@router.get("/cadres/{cadre_id}/history", response_model=HistoryRead, tags=["cadres"], dependencies=[require(*READERS)])
async def cadre_history(
    cadre_id: str,
    conn: ReaderDep,
    principal: PrincipalDep,
    today: TodayDep,
    as_of: Annotated[QueryDate | None, Query(description="default today")] = None,
) -> HistoryRead:
    """Returns the rank, post, level and unit histories, and what was held on `as_of`."""
    if await views.visible_cadre(conn, principal, cadre_id) is None:
        raise NotFound("cadre not found", field="cadre_id")
    return HistoryRead(**await views.history(conn, cadre_id, as_of or today))


@router.get(
    "/cadres/{cadre_id}/demotions", response_model=list[DemotionRead], tags=["cadres"], dependencies=[require(*READERS)]
)
async def cadre_demotions(cadre_id: str, conn: ReaderDep, principal: PrincipalDep) -> list[DemotionRead]:
    """Lists a cadre's demotions (required, executed, reversed)."""
    if await views.visible_cadre(conn, principal, cadre_id) is None:
        raise NotFound("cadre not found", field="cadre_id")
    return [DemotionRead(**d) for d in await views.demotions(conn, cadre_id)]


@router.post(
    "/cadres/{cadre_id}/demotions/{demotion_id}/execute",
    response_model=StateRead,
    tags=["cadres"],
    dependencies=[ADMIN],
)
async def execute_demotion(
    cadre_id: str,
    demotion_id: str,
    body: DemotionExecute,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> StateRead:
    """Carries out a required demotion (annual 不称职): one rank down."""
    cmd = commands.ExecuteDemotion(cadre_id=cadre_id, demotion_id=demotion_id, effective_date=body.effective_date)
    answer = await idem.run(uow, lambda: handlers.execute_demotion(cmd, uow, principal=principal, today=today))
    return StateRead(**answer)
