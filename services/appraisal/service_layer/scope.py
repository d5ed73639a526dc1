"""Scope checks of use cases (kernel.access): every object belongs to a cadre of the directory; outside scope is 404."""

from __future__ import annotations

import datetime as dt

from kernel.access import Access, cadre_not_found, unit_not_found
from kernel.auth import Principal
from kernel.directory import DirCadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


async def visible_cadre(
    uow: AppraisalUnitOfWork,
    principal: Principal,
    cadre_id: str,
    *,
    self_only: bool = False,
    access: Access | None = None,
) -> DirCadre:
    """Returns an active cadre the caller may act on (kernel.access), or raises the uniform 404.

    `self_only`: the step is the cadre's own (self-summary, acknowledgement, reply, a record they submit).
    Otherwise the caller acts on someone else's record: their subtree, never themself or a relative (回避,
    公务员法 §76), so an assessor never proposes their own grade nor an org admin approves their own award.
    """
    if self_only and principal.cadre_id != cadre_id:
        raise cadre_not_found()
    # `access`: the caller's, already resolved in this transaction (a batch of many facts resolves it once).
    access = access if access is not None else await uow.directory.access(uow.conn, principal)
    return await uow.directory.require_cadre(uow.conn, access, cadre_id, sensitive=not self_only, active=True)


async def visible_unit(uow: AppraisalUnitOfWork, principal: Principal, org_unit_id: str) -> str:
    """Returns the path of an org unit inside the caller's subtree, or raises the uniform 404."""
    path = await uow.directory.unit_in_scope(uow.conn, await uow.directory.access(uow.conn, principal), org_unit_id)
    if path is None:
        raise unit_not_found()
    return path


async def org_path(uow: AppraisalUnitOfWork, cadre_id: str) -> str:
    """Returns a cadre's current org path from the directory."""
    return await uow.projections.cadre_org_path(cadre_id)


def today_cst() -> dt.date:
    """Returns today's date in China Standard Time (for event handlers, which have no request)."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
