"""Scope checks of use cases: every object belongs to a cadre of the directory; outside scope is 404."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kernel.auth import Principal, Role
from kernel.directory import DirCadre
from kernel.errors import NotFound
from services.appraisal.adapters import orm
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


def cadre_only(principal: Principal) -> bool:
    """Tells whether the caller acts only as a cadre (self-service)."""
    return principal.has(Role.CADRE) and not principal.has(Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR,
                                                           Role.AUDITOR, Role.PETITIONS_STAFF)


async def visible_cadre(uow: AppraisalUnitOfWork, principal: Principal, cadre_id: str, *, self_only: bool = False) -> DirCadre:
    """Returns a cadre the caller may act on, or raises NotFound (unknown or outside the caller's scope)."""
    if self_only and principal.cadre_id != cadre_id:
        raise NotFound(f"cadre {cadre_id} not found", rule="scope.cadre")
    entry = await uow.directory.visible_cadre(uow.conn, principal, cadre_id)
    if entry is None or not entry.active:
        raise NotFound(f"cadre {cadre_id} not found", rule="scope.cadre")
    return entry


async def visible_unit(uow: AppraisalUnitOfWork, principal: Principal, org_unit_id: str) -> str:
    """Returns the path of an org unit inside the caller's subtree, or raises NotFound."""
    prefix = await uow.directory.scope_prefix(uow.conn, principal)
    path = await uow.directory.unit_path(uow.conn, org_unit_id)
    if prefix is None or path is None or not path.startswith(prefix):
        raise NotFound(f"org unit {org_unit_id} not found", rule="scope.org_unit")
    return path


async def org_path(uow: AppraisalUnitOfWork, cadre_id: str) -> str:
    """Returns a cadre's current org path from the directory."""
    t = orm.directory.cadre
    return (await uow.conn.execute(select(t.c.org_path).where(t.c.cadre_id == cadre_id))).scalar() or "/"


def today_cst() -> dt.date:
    """Returns today's date in China Standard Time (for event handlers, which have no request)."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
