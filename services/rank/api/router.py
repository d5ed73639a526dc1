"""Rank HTTP routes: thin (parse, build a command, call a handler, return a schema)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.auth import Role
from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.rank import views
from services.rank.api.dependencies import UowDep
from services.rank.api.schemas import CadreCreate, CadrePage, CadreRead, Created, OrgUnitCreate, OrgUnitPage, OrgUnitRead
from services.rank.service_layer import commands, handlers

router = APIRouter(prefix="/api/v1")
READERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.PETITIONS_STAFF, Role.ASSESSOR, Role.AUDITOR, Role.CADRE)


@router.post("/org-units", status_code=201, response_model=Created, tags=["org-units"],
             dependencies=[require(Role.ORG_ADMIN)])
async def create_org_unit(body: OrgUnitCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired) -> Created:
    """Creates an org unit (the root once, then children within the caller's subtree)."""
    cmd = commands.CreateOrgUnit(code=body.code, name=body.name, agency_level=body.agency_level, parent_id=body.parent_id)
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
        raise NotFound(f"org unit {unit_id} not found")
    return OrgUnitRead(**unit)


@router.post("/cadres", status_code=201, response_model=Created, tags=["cadres"], dependencies=[require(Role.ORG_ADMIN)])
async def register_cadre(body: CadreCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired,
                         today: TodayDep) -> Created:
    """Registers a cadre; answers with the new cadre's id."""
    cmd = commands.RegisterCadre(**body.model_dump())
    cadre_id = await idem.run(uow, lambda: handlers.register_cadre(cmd, uow, principal=principal, today=today))
    return Created(id=cadre_id)


@router.get("/cadres", response_model=CadrePage, tags=["cadres"], dependencies=[require(*READERS)])
async def list_cadres(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=100, description="name prefix")] = None,
) -> CadrePage:
    """Lists the cadres the caller may see, by name."""
    items, cursor = await views.list_cadres(conn, principal, page, org_unit_id=org_unit_id, name=name)
    return CadrePage(items=[CadreRead(**i) for i in items], next_cursor=cursor)


@router.get("/cadres/{cadre_id}", response_model=CadreRead, tags=["cadres"], dependencies=[require(*READERS)])
async def get_cadre(cadre_id: str, conn: ReaderDep, principal: PrincipalDep) -> CadreRead:
    """Returns one cadre's register entry."""
    cadre = await views.get_cadre(conn, principal, cadre_id)
    if cadre is None:
        raise NotFound(f"cadre {cadre_id} not found")
    return CadreRead(**cadre)
