"""Deadline use cases: the deadlines that domain events open and settle; pause, resume and extend where the rules
allow; the breach and reminder sweeps (safe with
several replicas: each row is claimed by a conditional UPDATE, so every deadline is breached or reminded once)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from kernel.auth import Principal
from kernel.errors import NotFound
from kernel.ids import new_id
from kernel.schemas import state_of
from services.petitions.domain import events
from services.petitions.domain.deadline import Deadline, OpenDeadline, SettleDeadlines, ops_for, plan
from services.petitions.domain.rules.appeals import StageRule
from services.petitions.domain.rules.deadlines import APPEAL_DECISION, DeadlineRule
from services.petitions.service_layer import commands
from services.petitions.service_layer.publishing import to_contracts
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW

log = logging.getLogger("petitions.deadlines")


async def plan_deadlines(
    uow: UOW, evts: Iterable[Any], *, org_unit_id: str | None, appeal_rule: StageRule | None = None
) -> None:
    """Opens and settles the deadlines the new domain events call for."""
    tools = uow.context
    for event in list(evts):
        for op in ops_for(event):
            if isinstance(op, SettleDeadlines):
                await uow.deadlines.settle(
                    kinds=op.kinds, how=op.how, on=op.on, report_id=op.report_id, object_id=op.object_id
                )
                continue
            assert isinstance(op, OpenDeadline)
            if op.kind == APPEAL_DECISION:
                assert appeal_rule is not None and appeal_rule.decision is not None
                rule = DeadlineRule(
                    APPEAL_DECISION,
                    appeal_rule.decision,
                    "acceptance",
                    "decide the appeal",
                    appeal_rule.source,
                    appeal_rule.confidence,
                    appeal_rule.decision_pausable,
                    appeal_rule.max_extension,
                )
            else:
                rule = tools.deadline_rules[op.kind]
            deadline = plan(
                op,
                deadline_id=new_id(),
                rule=rule,
                org_unit_id=org_unit_id,
                calendar=tools.calendar,
                reminder_lead_days=tools.settings.deadline_reminder_working_days,
            )
            await uow.deadlines.add(deadline)


async def _load(uow: UOW, principal: Principal, deadline_id: str) -> Deadline:
    access = await uow.scope.access(principal)
    found = await uow.scope.deadline_visible(access, deadline_id)
    deadline = await uow.deadlines.get(deadline_id) if found else None
    if deadline is None:
        raise NotFound("deadline not found", field="deadline_id", rule="deadline.scope")
    return deadline


async def _step(
    deadline_id: str, uow: UOW, *, principal: Principal, action: str, apply: Callable[[Deadline], None]
) -> dict[str, Any]:
    """Pauses, resumes or extends a deadline in the caller's subtree."""
    async with uow:
        deadline = await _load(uow, principal, deadline_id)
        apply(deadline)
        await uow.deadlines.save(deadline)
        await uow.audit(principal, action, "deadline", deadline.id)
        result = state_of(deadline)
        result["due_on"] = deadline.due_on
        return await uow.commit(result)


async def pause_deadline(
    cmd: commands.PauseDeadline, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Stops the clock where the rules exclude time (e.g. a hearing in a 复核)."""
    return await _step(cmd.deadline_id, uow, principal=principal, action="PAUSE", apply=lambda d: d.pause(today=today))


async def resume_deadline(
    cmd: commands.ResumeDeadline, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Restarts the clock; the due date moves by the paused time."""
    return await _step(
        cmd.deadline_id,
        uow,
        principal=principal,
        action="RESUME",
        apply=lambda d: d.resume(today=today, calendar=uow.context.calendar),
    )


async def extend_deadline(
    cmd: commands.ExtendDeadline, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Extends a deadline within the limit the rules allow with approval (the caller's approval is recorded)."""
    return await _step(
        cmd.deadline_id, uow, principal=principal, action="EXTEND", apply=lambda d: d.extend(days=cmd.days, today=today)
    )


async def sweep_breaches(uow: UOW, *, today: dt.date, limit: int) -> int:
    """Marks one batch of overdue deadlines breached and emits deadline_breached once for each."""
    async with uow:
        claimed = await uow.deadlines.claim_breaches(today=today, limit=limit)
        for row in claimed:
            uow.emit(
                *to_contracts(
                    events.DeadlineBreached(
                        row.id,
                        row.report_id,
                        row.object_type,
                        row.object_id,
                        row.kind,
                        row.due_on,
                        today,
                        row.org_unit_id,
                    )
                )
            )
        await uow.commit()
    if claimed:
        log.info("deadlines breached", extra={"count": len(claimed)})
    return len(claimed)


async def sweep_reminders(uow: UOW, *, today: dt.date, limit: int) -> int:
    """Sends one batch of reminders for deadlines falling due soon (once each)."""
    async with uow:
        claimed = await uow.deadlines.claim_reminders(today=today, limit=limit)
        for row in claimed:
            uow.emit(
                *to_contracts(
                    events.DeadlineApproaching(
                        row.id, row.report_id, row.object_type, row.object_id, row.kind, row.due_on, row.org_unit_id
                    )
                )
            )
        await uow.commit()
    return len(claimed)


async def sweep(uow_factory: Any, *, today: dt.date, batch: int) -> dict[str, int]:
    """Runs both sweeps to the end, one short transaction per batch."""
    totals = {"breached": 0, "reminded": 0}
    for name, fn in (("breached", sweep_breaches), ("reminded", sweep_reminders)):
        while True:
            done = await fn(uow_factory(), today=today, limit=batch)
            totals[name] += done
            if done < batch:
                break
    return totals


async def purge_reporters(uow_factory: Any, *, today: dt.date, batch: int) -> int:
    """Purges reporter identity and receipt codes of reports closed longer ago than the retention (S11)."""
    cutoff: dt.date | None = None
    total = 0
    while True:
        uow = uow_factory()
        cutoff = cutoff or today - dt.timedelta(days=uow.context.settings.reporter_retention_days)
        async with uow:
            await uow.vault.erase_freed_pages()
            ids = await uow.vault.purge(closed_before=cutoff, limit=batch)
            for report_id in ids:
                await uow.audit(None, "PURGE_REPORTER", "report", report_id)
            await uow.commit()
        total += len(ids)
        if len(ids) < batch:
            return total
