"""Recurring talk schedules and the talks they owe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update

from kernel.db import utcnow
from kernel.ids import new_id
from kernel.sql import insert_ignore
from services.appraisal.adapters import orm
from services.appraisal.adapters.repository import RowRepository


class TalkScheduleRepository(RowRepository):
    """Recurring schedules (一把手, front-line cadres); claims are conditional updates, so replicas never collide."""

    async def add(self, **values: Any) -> None:
        """Inserts a schedule (created now)."""
        await self.conn.execute(insert(orm.talk_schedule).values(**values, created_at=utcnow()))

    async def due(self, until: dt.date, limit: int) -> list[Mapping[str, Any]]:
        """Returns active schedules due by `until`, soonest first, with their cadre's unit and path."""
        s, d = orm.talk_schedule, orm.directory.cadre
        return list(
            (
                await self.conn.execute(
                    select(s, d.c.org_unit_id, d.c.org_path.label("cadre_path"))
                    .join(d, d.c.cadre_id == s.c.cadre_id)
                    .where(s.c.active.is_(True), s.c.next_on <= until)
                    .order_by(s.c.next_on)
                    .limit(limit)
                )
            )
            .mappings()
            .all()
        )

    async def claim(self, schedule_id: str, next_on: dt.date, following: dt.date) -> bool:
        """Moves a schedule from `next_on` to `following`; False if another replica moved it first."""
        s = orm.talk_schedule
        claimed = await self.conn.execute(
            update(s).where(s.c.id == schedule_id, s.c.next_on == next_on).values(next_on=following)
        )
        return claimed.rowcount == 1

    async def add_talk(self, row: Mapping[str, Any]) -> bool:
        """Creates the talk a due schedule row owes on its date (once per schedule and date); True if new."""
        now = utcnow()
        return await insert_ignore(
            self.conn,
            orm.talk,
            {
                "id": new_id(),
                "type": row["type"],
                "cadre_id": row["cadre_id"],
                "org_unit_id": row["org_unit_id"],
                "org_path": row["cadre_path"],
                "scheduled_on": row["next_on"],
                "reason_ref": f"schedule/{row['reason']}",
                "created_by": "system",
                "schedule_id": row["id"],
                "status": "SCHEDULED",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            },
            ["schedule_id", "scheduled_on"],
        )
