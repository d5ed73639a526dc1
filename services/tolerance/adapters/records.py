"""The records of past facts: every recorded version of a past sanction, tolerance decision and investigation
(one row per revision, the latest is the current one)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from services.tolerance.adapters import orm


class PastFactRecords:
    """Reads the current record of a past fact and appends new revisions, in the unit of work's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _latest(self, table: Table, column: Any, key: str) -> Any:
        query = select(table).where(column == key).order_by(table.c.revision.desc()).limit(1)
        return (await self.conn.execute(query)).mappings().first()

    async def _append(self, table: Table, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(table).values(**values, recorded_at=utcnow()))

    async def current_sanction(self, sanction_id: str) -> Any:
        """Returns the latest record of a past sanction (a row mapping), or None."""
        t = orm.sanction_record
        return await self._latest(t, t.c.sanction_id, sanction_id)

    async def add_sanction(self, **values: Any) -> None:
        """Appends a revision of a past sanction (`recorded_at` is now)."""
        await self._append(orm.sanction_record, values)

    async def count_sanction(self, sanction_id: str) -> int:
        """Returns how many versions of a past sanction were recorded."""
        t = orm.sanction_record
        query = select(func.count()).select_from(t).where(t.c.sanction_id == sanction_id)
        return int((await self.conn.execute(query)).scalar_one())

    async def current_case(self, case_key: str) -> Any:
        """Returns the latest record of a past tolerance decision by its natural key, or None."""
        t = orm.tolerance_case_record
        return await self._latest(t, t.c.case_key, case_key)

    async def add_case(self, **values: Any) -> None:
        """Appends a revision of a past tolerance decision (`recorded_at` is now)."""
        await self._append(orm.tolerance_case_record, values)

    async def current_investigation(self, case_ref: str) -> Any:
        """Returns the latest record of a past investigation by its natural key, or None."""
        t = orm.investigation_record
        return await self._latest(t, t.c.case_ref, case_ref)

    async def add_investigation(self, **values: Any) -> None:
        """Appends a revision of a past investigation (`recorded_at` is now)."""
        await self._append(orm.investigation_record, values)
