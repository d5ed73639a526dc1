"""The recordings of past contracts and role terms: the contract holding a natural key, every recording of it
(`contract_record`, append-only) and the provenance kept on the contract itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from services.rank.adapters import orm


class ContractRecords:
    """Reads and appends recordings of past contracts in the unit of work's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def contract_for(self, history_key: str) -> str | None:
        """Returns the id of the contract recorded under a natural key, or None."""
        t = orm.contract
        return (await self.conn.execute(select(t.c.id).where(t.c.history_key == history_key))).scalar()

    async def last(self, contract_id: str) -> tuple[str, Any] | None:
        """Returns (record id, recorded fact) of a contract's latest recording, or None."""
        r = orm.contract_record
        row = (
            await self.conn.execute(
                select(r.c.id, r.c.fact)
                .where(r.c.contract_id == contract_id)
                .order_by(r.c.recorded_at.desc(), r.c.id.desc())
                .limit(1)
            )
        ).first()
        return (row.id, row.fact) if row else None

    async def others(self, cadre_id: str, kind: str, exclude: str | None) -> list[Any]:
        """Returns (id, starts_on, ends_on, terminated_on, status) of the cadre's other contracts of a kind."""
        t = orm.contract
        query = select(t.c.id, t.c.starts_on, t.c.ends_on, t.c.terminated_on, t.c.status).where(
            t.c.cadre_id == cadre_id, t.c.kind == kind
        )
        if exclude is not None:
            query = query.where(t.c.id != exclude)
        return list((await self.conn.execute(query)).all())

    async def append(
        self,
        *,
        record_id: str,
        contract_id: str,
        cadre_id: str,
        history_key: str,
        fact: Any,
        source: str,
        document_no: str | None,
        recorded_by: str,
        supersedes: str | None,
    ) -> None:
        """Appends a recording and keeps its provenance on the contract (recorded now)."""
        t, r = orm.contract, orm.contract_record
        now = utcnow()
        await self.conn.execute(
            insert(r).values(
                id=record_id,
                contract_id=contract_id,
                cadre_id=cadre_id,
                history_key=history_key,
                fact=fact,
                source=source,
                document_no=document_no,
                recorded_by=recorded_by,
                recorded_at=now,
                supersedes=supersedes,
                created_at=now,
            )
        )
        await self.conn.execute(
            update(t)
            .where(t.c.id == contract_id)
            .values(
                source=source,
                document_no=document_no,
                recorded_by=recorded_by,
                recorded_at=now,
                history_key=history_key,
            )
        )
