"""The append-only record of past awards, talks and performance records (past_fact_record) and the provenance
it sets on the object itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from kernel.db import utcnow
from services.appraisal.adapters import orm
from services.appraisal.adapters.repository import RowRepository

RECORD = orm.past_fact_record
OBJECTS = {"AWARD": orm.award, "TALK": orm.talk, "PERFORMANCE_RECORD": orm.performance_record}


class PastFactRepository(RowRepository):
    """Recordings of past facts, by kind (AWARD, TALK, PERFORMANCE_RECORD) and natural key."""

    async def find(self, kind: str, key: str) -> tuple[str | None, str | None, dict[str, Any] | None]:
        """Returns (object id, latest record id, latest recorded values) of a fact's natural key; Nones if new."""
        table = OBJECTS[kind]
        object_id = (await self.conn.execute(select(table.c.id).where(table.c.history_key == key))).scalar()
        if object_id is None:
            return None, None, None
        row = (
            await self.conn.execute(
                select(RECORD.c.id, RECORD.c.fact)
                .where(RECORD.c.object_id == object_id)
                .order_by(RECORD.c.recorded_at.desc(), RECORD.c.id.desc())
                .limit(1)
            )
        ).first()
        return object_id, (row.id if row else None), (row.fact if row else None)

    async def append(
        self,
        record_id: str,
        *,
        kind: str,
        object_id: str,
        cadre_id: str,
        org_path: str,
        key: str,
        values: dict[str, Any],
        source: str,
        document_no: str | None,
        recorded_by: str,
        supersedes: str | None,
    ) -> None:
        """Appends the record of one recording and sets the provenance on the object."""
        now, table = utcnow(), OBJECTS[kind]
        await self.conn.execute(
            insert(RECORD).values(
                id=record_id,
                kind=kind,
                object_id=object_id,
                cadre_id=cadre_id,
                org_path=org_path,
                history_key=key,
                fact=values,
                source=source,
                document_no=document_no,
                recorded_by=recorded_by,
                recorded_at=now,
                supersedes=supersedes,
                created_at=now,
            )
        )
        await self.conn.execute(
            update(table)
            .where(table.c.id == object_id)
            .values(source=source, document_no=document_no, recorded_by=recorded_by, recorded_at=now, history_key=key)
        )
