"""What the expiry sweep claims: restrictions and sanctions due on a day, expired by a conditional UPDATE."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.contracts.vocabulary import RestrictionStatus
from kernel.db import utcnow
from services.tolerance.adapters import orm
from services.tolerance.adapters.repository import restriction_from_row, sanction_from_row
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.sanction import IN_FORCE, Sanction, SanctionStatus


class ExpiryClaims:
    """Claims due rows by a conditional UPDATE ... WHERE status = <expected> RETURNING (and FOR UPDATE SKIP LOCKED
    on PostgreSQL), so two replicas never expire, nor announce, the same row twice."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _postgres(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    async def restrictions(self, today: dt.date, batch: int) -> tuple[int, list[Restriction]]:
        """Expires up to `batch` ACTIVE restrictions ended by `today`; returns how many were due and those expired."""
        r = orm.restriction
        # The status is rendered inline: a bound parameter keeps PostgreSQL's generic plan off the partial index.
        active = bindparam("active", RestrictionStatus.ACTIVE.value, literal_execute=True)
        due = select(r.c.id).where(r.c.status == active, r.c.ends_on <= today).limit(batch)
        if self._postgres():
            due = due.with_for_update(skip_locked=True)
        ids = (await self.conn.execute(due)).scalars().all()
        if not ids:
            return 0, []
        rows = (
            (
                await self.conn.execute(
                    update(r)
                    .where(r.c.id.in_(ids), r.c.status == RestrictionStatus.ACTIVE.value)
                    .values(status=RestrictionStatus.EXPIRED.value, version=r.c.version + 1, updated_at=utcnow())
                    .returning(*r.c)
                )
            )
            .mappings()
            .all()
        )
        return len(ids), [restriction_from_row(row) for row in rows]

    async def sanctions(self, today: dt.date, batch: int) -> tuple[int, list[Sanction]]:
        """Expires up to `batch` sanctions in force ended by `today`; returns how many were due and those expired."""
        s = orm.sanction
        in_force = [st.value for st in IN_FORCE]
        due = select(s.c.id).where(s.c.status.in_(in_force), s.c.ends_on <= today).limit(batch)
        if self._postgres():
            due = due.with_for_update(skip_locked=True)
        ids = (await self.conn.execute(due)).scalars().all()
        if not ids:
            return 0, []
        rows = (
            (
                await self.conn.execute(
                    update(s)
                    .where(s.c.id.in_(ids), s.c.status.in_(in_force))
                    .values(status=SanctionStatus.EXPIRED.value, version=s.c.version + 1, updated_at=utcnow())
                    .returning(*s.c)
                )
            )
            .mappings()
            .all()
        )
        return len(ids), [sanction_from_row(row) for row in rows]
