"""Rows of incentives: bonus allocations with their lines, and recorded trainings and rotations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from kernel.db import utcnow
from services.appraisal.adapters import orm
from services.appraisal.adapters.repository import RowRepository


class BonusRepository(RowRepository):
    """Bonus allocations and the grades they are computed from."""

    async def grades_in(self, path: str, year: int) -> list[Any]:
        """Returns each active cadre of a subtree with their assessment of the year, if any (by cadre id)."""
        a, d = orm.annual_assessment, orm.directory.cadre
        return list(
            (
                await self.conn.execute(
                    select(d.c.cadre_id, a.c.final_grade, a.c.undetermined_reason, a.c.status)
                    .select_from(d.outerjoin(a, (a.c.cadre_id == d.c.cadre_id) & (a.c.year == year)))
                    .where(d.c.org_path.startswith(path), d.c.active.is_(True))
                    .order_by(d.c.cadre_id)
                )
            ).all()
        )

    async def add(self, allocation: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        """Inserts an allocation (created now) and its lines."""
        await self.conn.execute(insert(orm.bonus_allocation).values(**allocation, created_at=utcnow()))
        await self.conn.execute(insert(orm.bonus_line), lines)


class IncentiveRepository(RowRepository):
    """Trainings and rotations recorded as incentives."""

    async def add(self, **values: Any) -> None:
        """Inserts an incentive record (created now)."""
        await self.conn.execute(insert(orm.incentive_record).values(**values, created_at=utcnow()))
