"""Deadline use cases: pause, resume and extend where the rules allow; the breach and reminder sweeps (safe with
several replicas: each row is claimed by a conditional UPDATE, so every deadline is breached or reminded once)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select, update

from kernel.auth import Principal
from kernel.db import utcnow
from kernel.errors import NotFound
from kernel.schemas import state_of
from services.petitions.adapters import orm
from services.petitions.domain import events
from services.petitions.domain.deadline import Deadline
from services.petitions.service_layer.publishing import to_contracts
from services.petitions.service_layer.support import access_for, in_prefix
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW

log = logging.getLogger("petitions.deadlines")


async def _load(uow: UOW, principal: Principal, deadline_id: str) -> Deadline:
    tools = uow.context
    access = await access_for(uow.conn, tools.directory, principal)
    d, u = orm.deadline, orm.directory.org_unit
    found = (await uow.conn.execute(select(d.c.id).join(u, u.c.org_unit_id == d.c.org_unit_id).where(
        d.c.id == deadline_id, in_prefix(u.c.path, access.prefix)))).first()
    deadline = await uow.deadlines.get(deadline_id) if found else None
    if deadline is None:
        raise NotFound("deadline not found", field="deadline_id", rule="deadline.scope")
    return deadline


async def step(deadline_id: str, uow: UOW, *, principal: Principal, action: str,
               apply: Any) -> dict[str, Any]:
    """Pauses, resumes or extends a deadline in the caller's subtree."""
    async with uow:
        deadline = await _load(uow, principal, deadline_id)
        apply(deadline)
        await uow.deadlines.save(deadline)
        await uow.audit(principal, action, "deadline", deadline.id)
        result = state_of(deadline)
        result["due_on"] = deadline.due_on
        return await uow.commit(result)


def _pending(limit: int, postgres: bool, *where: Any) -> Any:
    """The ids of one batch, claimed on their own; the UPDATE then goes by primary key only. The claim holds: rows
    are locked on PostgreSQL, and SQLite's single writer holds the transaction. With the conditions in the UPDATE
    (as an IN subquery, or beside the ids) PostgreSQL without fresh statistics, as after a bulk intake, scanned
    every pending row per batch: 46,037 breaches took 220 s."""
    d = orm.deadline
    # No ORDER BY: each row is swept once whatever the order, and a sort of every pending row per batch made a
    # catch-up sweep quadratic when the planner had no statistics; the index scan alone yields a batch.
    query = select(d.c.id).where(*where).limit(limit)
    # With several replicas on PostgreSQL, each claims rows the others have not locked.
    return query.with_for_update(skip_locked=True) if postgres else query


async def sweep_breaches(uow: UOW, *, today: dt.date, limit: int) -> int:
    """Marks one batch of overdue deadlines breached and emits deadline_breached once for each."""
    d = orm.deadline
    async with uow:
        postgres = uow.conn.dialect.name == "postgresql"
        due = [d.c.status == "OPEN", d.c.breached_on.is_(None), d.c.due_on < today]
        ids = (await uow.conn.execute(_pending(limit, postgres, *due))).scalars().all()
        claimed = [] if not ids else (await uow.conn.execute(
            update(d).where(d.c.id.in_(ids))
            # A breached deadline needs no reminder any more: it leaves the reminder sweep's index range.
            .values(breached_on=today, reminded_on=func.coalesce(d.c.reminded_on, today), version=d.c.version + 1,
                    updated_at=utcnow())
            .returning(d.c.id, d.c.kind, d.c.object_type, d.c.object_id, d.c.report_id, d.c.due_on, d.c.org_unit_id)
        )).all()
        for row in claimed:
            uow.emit(*to_contracts(events.DeadlineBreached(row.id, row.report_id, row.object_type, row.object_id,
                                                           row.kind, row.due_on, today, row.org_unit_id)))
        await uow.commit()
    if claimed:
        log.info("deadlines breached", extra={"count": len(claimed)})
    return len(claimed)


async def sweep_reminders(uow: UOW, *, today: dt.date, limit: int) -> int:
    """Sends one batch of reminders for deadlines falling due soon (once each)."""
    d = orm.deadline
    async with uow:
        postgres = uow.conn.dialect.name == "postgresql"
        due = [d.c.status == "OPEN", d.c.reminded_on.is_(None), d.c.remind_on <= today, d.c.due_on >= today]
        ids = (await uow.conn.execute(_pending(limit, postgres, *due))).scalars().all()
        claimed = [] if not ids else (await uow.conn.execute(
            update(d).where(d.c.id.in_(ids))
            .values(reminded_on=today, version=d.c.version + 1, updated_at=utcnow())
            .returning(d.c.id, d.c.kind, d.c.object_type, d.c.object_id, d.c.report_id, d.c.due_on, d.c.org_unit_id)
        )).all()
        for row in claimed:
            uow.emit(*to_contracts(events.DeadlineApproaching(row.id, row.report_id, row.object_type, row.object_id,
                                                              row.kind, row.due_on, row.org_unit_id)))
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
            if uow.conn.dialect.name == "sqlite":
                # Overwrite freed pages, so that purged identities do not linger in the file (GlobaLeaks A15).
                await uow.conn.exec_driver_sql("PRAGMA secure_delete=ON")
            ids = await uow.vault.purge(closed_before=cutoff, limit=batch)
            for report_id in ids:
                await uow.audit(None, "PURGE_REPORTER", "report", report_id)
            await uow.commit()
        total += len(ids)
        if len(ids) < batch:
            return total
