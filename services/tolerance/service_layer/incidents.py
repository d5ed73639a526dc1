"""Incident use cases: recorded by officers, or opened from another service's finding."""

from __future__ import annotations

import datetime as dt

from kernel.auth import Principal
from kernel.errors import Conflict
from kernel.ids import new_id
from services.tolerance.domain.events import SourceRef
from services.tolerance.domain.investigation import Incident
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import cadre_for_action
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork


async def record_incident(
    cmd: commands.RecordIncident, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Records an incident about cadres in the caller's scope; each source may belong to one incident only."""
    policy = uow.context.policy
    async with uow:
        for cadre_id in dict.fromkeys(cmd.cadre_ids):
            await cadre_for_action(uow, principal, cadre_id)
        for ref in cmd.source_refs:
            if await uow.incidents.by_source(ref.type, ref.id) is not None:
                raise Conflict(
                    f"source {ref.type} {ref.id} already belongs to an incident", rule="incident.source_taken"
                )
        incident = Incident.record(
            incident_id=new_id(),
            cadre_ids=cmd.cadre_ids,
            occurred_on=cmd.occurred_on,
            opened_on=today,
            today=today,
            summary=cmd.summary,
            source_refs=cmd.source_refs,
            loss_amount=cmd.loss_amount,
            effect_level=cmd.effect_level,
            window_days=policy.tolerance_window_days,
        )
        await uow.incidents.add(incident, created_by=principal.subject)
        return await uow.commit(incident.id)


async def ensure_incident(
    uow: ToleranceUnitOfWork,
    *,
    ref: SourceRef,
    cadre_id: str,
    occurred_on: dt.date,
    opened_on: dt.date,
    summary: str,
    incident_id: str | None = None,
) -> str:
    """Returns the incident of a source, recording it (with a tolerance window) the first time it is seen."""
    policy = uow.context.policy
    existing = await uow.incidents.by_source(ref.type, ref.id)
    if existing is None and incident_id is not None and await uow.incidents.get(incident_id) is not None:
        existing = incident_id
        await uow.incidents.add_source(existing, ref)
    if existing is not None:
        await uow.incidents.add_cadre(existing, cadre_id)
        return existing
    incident = Incident.record(
        incident_id=incident_id or new_id(),
        cadre_ids=[cadre_id],
        occurred_on=min(occurred_on, opened_on),
        opened_on=opened_on,
        today=max(opened_on, occurred_on),
        summary=summary,
        source_refs=[ref],
        window_days=policy.tolerance_window_days,
    )
    await uow.incidents.add(incident, created_by="system")
    return incident.id
