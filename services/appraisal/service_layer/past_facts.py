"""The append-only record of past awards, talks and performance records (docs/appraisal.md, "Recording past ...").

Each recording that changes something is a row of `past_fact_record` naming the row it supersedes; the current
values live on the object itself (award, talk, performance_record, with `source` set and `history_key` unique).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from kernel.auth import Principal
from kernel.db import utcnow
from kernel.ids import new_id
from kernel.uow import UnitOfWork
from services.appraisal.adapters import orm

RECORD = orm.past_fact_record


async def find(conn: Any, table: Any, key: str) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """Returns (object id, latest record id, latest recorded values) of a fact's natural key; Nones if new."""
    object_id = (await conn.execute(select(table.c.id).where(table.c.history_key == key))).scalar()
    if object_id is None:
        return None, None, None
    row = (await conn.execute(select(RECORD.c.id, RECORD.c.fact).where(RECORD.c.object_id == object_id)
                              .order_by(RECORD.c.recorded_at.desc(), RECORD.c.id.desc()).limit(1))).first()
    return object_id, (row.id if row else None), (row.fact if row else None)


def unchanged(recorded: dict[str, Any] | None, values: dict[str, Any], key_fields: tuple[str, ...]) -> bool:
    """The same values again: every value but the key's parts (those are compared through the key, normalized)."""
    if recorded is None:
        return False
    return all(recorded.get(k) == v for k, v in values.items() if k not in key_fields)


async def append(uow: UnitOfWork, *, kind: str, table: Any, object_id: str, cadre_id: str, org_path: str, key: str,
                 values: dict[str, Any], source: str, document_no: str | None, principal: Principal,
                 supersedes: str | None, outcome: str, object_type: str) -> str:
    """Appends the record of one recording, sets the provenance on the object and writes the audit row."""
    conn, now = uow.conn, utcnow()
    record_id = new_id()
    await conn.execute(insert(RECORD).values(
        id=record_id, kind=kind, object_id=object_id, cadre_id=cadre_id, org_path=org_path, history_key=key,
        fact=values, source=source, document_no=document_no, recorded_by=principal.subject, recorded_at=now,
        supersedes=supersedes, created_at=now))
    await conn.execute(update(table).where(table.c.id == object_id).values(
        source=source, document_no=document_no, recorded_by=principal.subject, recorded_at=now, history_key=key))
    await uow.audit(principal, f"HISTORY_{outcome}", object_type, object_id)
    return record_id
