"""Performance-record use cases: submit, verify, return, resubmit, correct (append-only, superseding)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.access import self_service
from kernel.auth import Principal
from kernel.errors import NotFound
from kernel.ids import new_id
from kernel.schemas import state_of
from services.appraisal.domain.periods import quarter_pair
from services.appraisal.domain.records import PerformanceRecord
from services.appraisal.service_layer import commands
from services.appraisal.service_layer.scope import visible_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


async def submit_record(
    cmd: commands.SubmitRecord,
    uow: AppraisalUnitOfWork,
    *,
    principal: Principal,
    today: dt.date,
) -> str:
    """Submits a record for a cadre in scope (a cadre only for themself), or a correction of a verified one."""
    async with uow:
        cadre = await visible_cadre(uow, principal, cmd.cadre_id, self_only=self_service(principal))
        cadre.dated_fact(cmd.occurred_on, field="occurred_on", rule="performance_record.occurred_on")
        old = None
        if cmd.corrects is not None:
            old = await uow.records.get(cmd.corrects, lock=True)
            if old is None or old.cadre_id != cadre.cadre_id:
                raise NotFound("performance record not found", field="corrects", rule="scope.performance_record")
        record = PerformanceRecord.submit(
            record_id=new_id(),
            cadre_id=cadre.cadre_id,
            org_unit_id=cadre.org_unit_id,
            occurred_on=cmd.occurred_on,
            category=cmd.category,
            title=cmd.title,
            description=cmd.description,
            quantity=cmd.quantity,
            unit=cmd.unit,
            evidence_refs=cmd.evidence_refs,
            submitted_by=principal.subject,
            today=today,
            supersedes=old,
        )
        await uow.records.add(record, org_path=cadre.org_path)
        return await uow.commit(record.id)


async def _load(
    uow: AppraisalUnitOfWork, principal: Principal, record_id: str, *, self_only: bool = False
) -> PerformanceRecord:
    record = await uow.records.get(record_id, lock=True)
    if record is None:
        raise NotFound("performance record not found", field="record_id", rule="scope.performance_record")
    await visible_cadre(uow, principal, record.cadre_id, self_only=self_only)
    return record


async def verify_record(
    record_id: str, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Verifies a record; a verified correction supersedes the record it corrects; the index is requeued."""
    async with uow:
        record = await _load(uow, principal, record_id)
        record.verify(by=principal.subject, today=today)
        await uow.records.save(record)
        touched = quarter_pair(record.cadre_id, record.occurred_on)
        if record.supersedes:
            old = await uow.records.get(record.supersedes, lock=True)
            if old is not None and old.status == "VERIFIED":
                old.supersede(by=record.id)
                await uow.records.save(old)
                touched |= quarter_pair(old.cadre_id, old.occurred_on)
        await uow.mark_dirty(touched)
        return await uow.commit(state_of(record))


async def return_record(
    cmd: commands.ReturnRecord, uow: AppraisalUnitOfWork, *, principal: Principal
) -> dict[str, Any]:
    """Returns a submitted record to its submitter with a reason."""
    async with uow:
        record = await _load(uow, principal, cmd.record_id)
        record.return_for_change(reason=cmd.reason)
        await uow.records.save(record)
        return await uow.commit(state_of(record))


async def resubmit_record(
    cmd: commands.ResubmitRecord, uow: AppraisalUnitOfWork, *, principal: Principal
) -> dict[str, Any]:
    """Resubmits a returned record with its changes."""
    changes = cmd.changes
    async with uow:
        record = await _load(uow, principal, cmd.record_id, self_only=self_service(principal))
        record.resubmit(
            title=changes.get("title"),
            description=changes.get("description"),
            quantity=changes.get("quantity"),
            evidence_refs=changes.get("evidence_refs"),
        )
        await uow.records.save(record)
        return await uow.commit(state_of(record))
