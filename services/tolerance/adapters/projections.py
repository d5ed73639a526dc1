"""Local projections of other services' facts: rank holdings, closed reports, 诫勉 tasks (upserts by natural key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.sql import insert_ignore, upsert
from services.tolerance.adapters import orm

# Built once: a consumer runs it for every grade event other than 基本称职.
_CANCEL_TASK = (
    update(orm.admonishment_task)
    .where(orm.admonishment_task.c.assessment_id == bindparam("assessment"), orm.admonishment_task.c.status == "OPEN")
    .values(status="CANCELLED", updated_at=bindparam("at"))
)


class Projections:
    """The projections as one transaction sees them (the unit of work's `projections`)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def original_levels(self, cadre_id: str, before: dt.date) -> tuple[int | None, str | None]:
        """Returns the post level and rank the cadre held just before `before` (None where rank never said)."""
        p, r = orm.rank_post_holding, orm.rank_rank_holding
        post = (
            await self.conn.execute(
                select(p.c.post_level)
                .where(p.c.cadre_id == cadre_id, p.c.effective_date < before)
                .order_by(p.c.effective_date.desc(), p.c.holding_id.desc())
                .limit(1)
            )
        ).scalar()
        rank = (
            await self.conn.execute(
                select(r.c.to_rank)
                .where(r.c.cadre_id == cadre_id, r.c.effective_date < before)
                .order_by(r.c.effective_date.desc(), r.c.holding_id.desc())
                .limit(1)
            )
        ).scalar()
        return post, rank

    async def put_rank_holding(self, **values: Any) -> None:
        """Keeps one rank holding of a cadre (by holding id)."""
        await upsert(self.conn, orm.rank_rank_holding, {**values, "updated_at": utcnow()}, ["holding_id"])

    async def put_post_holding(self, **values: Any) -> None:
        """Keeps one post holding of a cadre (by holding id)."""
        await upsert(self.conn, orm.rank_post_holding, {**values, "updated_at": utcnow()}, ["holding_id"])

    async def record_report_outcome(self, *, report_id: str, cadre_id: str, outcome: str, closed_on: dt.date) -> None:
        """Remembers how a report closed for a cadre."""
        await upsert(
            self.conn,
            orm.petitions_report_outcome,
            {
                "report_id": report_id,
                "cadre_id": cadre_id,
                "outcome": outcome,
                "closed_on": closed_on,
                "recorded_at": utcnow(),
            },
            ["report_id", "cadre_id"],
        )

    async def report_outcome(self, *, report_id: str, cadre_id: str) -> tuple[str, dt.date] | None:
        """Returns (outcome, closed_on) of a closed report for a cadre, or None while it is open."""
        t = orm.petitions_report_outcome
        row = (
            await self.conn.execute(
                select(t.c.outcome, t.c.closed_on).where(t.c.report_id == report_id, t.c.cadre_id == cadre_id)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def open_admonishment_task(self, *, assessment_id: str, cadre_id: str, year: int, opened_on: dt.date) -> None:
        """Opens (or reopens) the 诫勉 task of a 基本称职 grade."""
        t = orm.admonishment_task
        if not await insert_ignore(
            self.conn,
            t,
            {
                "assessment_id": assessment_id,
                "cadre_id": cadre_id,
                "year": year,
                "status": "OPEN",
                "opened_on": opened_on,
                "updated_at": utcnow(),
            },
            ["assessment_id"],
        ):
            await self.conn.execute(
                update(t)
                .where(t.c.assessment_id == assessment_id, t.c.status == "CANCELLED")
                .values(status="OPEN", opened_on=opened_on, updated_at=utcnow())
            )

    async def cancel_admonishment_task(self, *, assessment_id: str) -> None:
        """Cancels an open 诫勉 task whose grade was amended away from 基本称职."""
        await self.conn.execute(_CANCEL_TASK, {"assessment": assessment_id, "at": utcnow()})

    async def complete_admonishment_tasks(self, *, cadre_id: str, done_on: dt.date, sanction_id: str) -> None:
        """Marks the cadre's open 诫勉 tasks done by the admonishment that was held."""
        t = orm.admonishment_task
        await self.conn.execute(
            update(t)
            .where(t.c.cadre_id == cadre_id, t.c.status == "OPEN")
            .values(status="DONE", done_on=done_on, sanction_id=sanction_id, updated_at=utcnow())
        )
