"""Rows of the inaction checklist: the catalogue of items and the cadres' self-checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from kernel.db import utcnow
from services.appraisal.adapters import orm
from services.appraisal.adapters.repository import RowRepository


class InactionItemRepository(RowRepository):
    """The catalogue of inaction items, by code."""

    async def exists(self, code: str) -> bool:
        """Tells whether an item with this code exists."""
        t = orm.inaction_item
        return (await self.conn.execute(select(t.c.code).where(t.c.code == code))).first() is not None

    async def get(self, code: str) -> dict[str, Any] | None:
        """Returns an item's row, or None."""
        t = orm.inaction_item
        item = (await self.conn.execute(select(t).where(t.c.code == code))).mappings().first()
        return None if item is None else dict(item)

    async def active_codes(self) -> set[str]:
        """Returns the codes of the active items."""
        t = orm.inaction_item
        return set((await self.conn.execute(select(t.c.code).where(t.c.active.is_(True)))).scalars().all())

    async def add(self, code: str, values: dict[str, Any]) -> None:
        """Inserts an active item."""
        await self.conn.execute(
            insert(orm.inaction_item).values(code=code, **values, active=True, version=1, updated_at=utcnow())
        )

    async def change(self, code: str, values: dict[str, Any]) -> bool:
        """Updates an item; False if there is no such item."""
        t = orm.inaction_item
        result = await self.conn.execute(
            update(t).where(t.c.code == code).values(**values, version=t.c.version + 1, updated_at=utcnow())
        )
        return result.rowcount == 1


class SelfCheckRepository(RowRepository):
    """Cadres' self-checks against the catalogue, one per cadre and period."""

    async def exists(self, cadre_id: str, period_key: str) -> bool:
        """Tells whether a cadre's self-check of a period exists."""
        s = orm.self_check
        return (
            await self.conn.execute(select(s.c.id).where(s.c.cadre_id == cadre_id, s.c.period_key == period_key))
        ).first() is not None

    async def add(self, **values: Any) -> None:
        """Inserts a self-check (submitted now)."""
        await self.conn.execute(insert(orm.self_check).values(**values, submitted_at=utcnow()))
