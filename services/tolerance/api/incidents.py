"""Routes of incidents (what sanctions and tolerance cases are about)."""

from __future__ import annotations

from fastapi import APIRouter

from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.tolerance.api.dependencies import DECIDERS, READERS, CadreFilter, UowDep
from services.tolerance.api.schemas import Created, IncidentCreate, IncidentPage, IncidentRead
from services.tolerance.service_layer import commands, incidents
from services.tolerance.service_layer.commands import SourceRef
from services.tolerance.views import reads

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


@router.post("", status_code=201, response_model=Created, dependencies=[require(*DECIDERS)])
async def record_incident(
    body: IncidentCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> Created:
    """Records an incident about cadres in the caller's scope; a tolerance application window opens."""
    cmd = commands.RecordIncident(
        cadre_ids=tuple(body.cadre_ids),
        occurred_on=body.occurred_on,
        summary=body.summary,
        source_refs=tuple(SourceRef(r.type, r.id) for r in body.source_refs),
        loss_amount=body.loss_amount,
        effect_level=body.effect_level,
    )
    incident_id = await idem.run(uow, lambda: incidents.record_incident(cmd, uow, principal=principal, today=today))
    return Created(id=incident_id)


@router.get("", response_model=IncidentPage, dependencies=[require(*READERS)])
async def list_incidents(
    conn: ReaderDep, principal: PrincipalDep, page: PageDep, cadre_id: CadreFilter = None
) -> IncidentPage:
    """Lists incidents concerning cadres the caller may see."""
    items, cursor = await reads.list_incidents(conn, principal, page, cadre_id=cadre_id)
    return IncidentPage(items=[IncidentRead(**i) for i in items], next_cursor=cursor)


@router.get("/{incident_id}", response_model=IncidentRead, dependencies=[require(*READERS)])
async def get_incident(incident_id: str, conn: ReaderDep, principal: PrincipalDep) -> IncidentRead:
    """Returns one incident."""
    item = await reads.get_incident(conn, principal, incident_id)
    if item is None:
        raise NotFound("incident not found", field="incident_id")
    return IncidentRead(**item)
