"""The log of appeal decisions applied to sanctions: one row per (appeal, stage), with what was done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from services.tolerance.adapters import orm


class AppealLog:
    """Which appeal decisions reached a sanction, in the unit of work's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def stages_seen(self, sanction_id: str) -> list[str]:
        """Returns the stages of every appeal decision recorded for a sanction."""
        t = orm.sanction_appeal
        return list((await self.conn.execute(select(t.c.stage).where(t.c.sanction_id == sanction_id))).scalars().all())

    async def applied(self, appeal_id: str, stage: str) -> bool:
        """Tells whether this appeal's decision at this stage was recorded already."""
        t = orm.sanction_appeal
        query = select(t.c.outcome).where(t.c.appeal_id == appeal_id, t.c.stage == stage)
        return (await self.conn.execute(query)).first() is not None

    async def record(
        self,
        *,
        appeal_id: str,
        stage: str,
        sanction_id: str,
        result: str,
        varied_to: str | None,
        decided_on: dt.date,
        outcome: str,
    ) -> None:
        """Records an appeal decision and what it did to the sanction (`recorded_at` is now)."""
        t = orm.sanction_appeal
        await self.conn.execute(
            t.insert().values(
                appeal_id=appeal_id,
                stage=stage,
                sanction_id=sanction_id,
                result=result,
                varied_to=varied_to,
                decided_on=decided_on,
                outcome=outcome,
                recorded_at=utcnow(),
            )
        )
