"""Local projections of other services' events, and the fact loaders the rules need (set-based)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.ids import new_id
from kernel.sql import insert_ignore, upsert
from services.appraisal.adapters import orm
from services.appraisal.domain.rules.grade_rules import Facts, InvestigationFact, RestrictionFact, SanctionFact


async def grade_facts(conn: AsyncConnection, cadre_id: str) -> Facts:
    """Loads what tolerance told us about a cadre: sanctions, restrictions, investigations, tolerated incidents."""
    return (await grade_facts_of(conn, [cadre_id]))[cadre_id]


async def grade_facts_of(conn: AsyncConnection, cadre_ids: list[str]) -> dict[str, Facts]:
    """`grade_facts` of several cadres in four queries (a batch of past grades reads them once)."""
    s, r, i, t = orm.tol_sanction, orm.tol_restriction, orm.tol_investigation, orm.tol_tolerated
    ids = sorted(set(cadre_ids))
    found: dict[str, tuple[list, list, list, set]] = {c: ([], [], [], set()) for c in ids}
    for x in (await conn.execute(select(s).where(s.c.cadre_id.in_(ids)))).all():
        found[x.cadre_id][0].append(SanctionFact(x.sanction_id, x.type, x.effective_on, x.period_months, x.incident_id,
                                                 x.status))
    for x in (await conn.execute(select(r).where(r.c.cadre_id.in_(ids)))).all():
        found[x.cadre_id][1].append(RestrictionFact(x.restriction_id, x.effect, x.source_type, x.source_id,
                                                    x.starts_on, x.ends_on, x.status))
    for x in (await conn.execute(select(i).where(i.c.cadre_id.in_(ids)))).all():
        found[x.cadre_id][2].append(InvestigationFact(x.investigation_id, x.case_id, x.opened_on, x.closed_on,
                                                      x.result))
    for x in (await conn.execute(select(t.c.cadre_id, t.c.incident_id).where(t.c.cadre_id.in_(ids)))).all():
        found[x.cadre_id][3].add(x.incident_id)
    return {c: Facts(tuple(a), tuple(b), tuple(d), frozenset(e)) for c, (a, b, d, e) in found.items()}


async def add_note(conn: AsyncConnection, *, cadre_id: str, kind: str, source_ref: str, noted_on: dt.date,
                   detail: str, due_on: dt.date | None = None) -> bool:
    """Appends a note to a cadre's record once per (kind, source, cadre); True if it is new."""
    return await insert_ignore(conn, orm.cadre_note, {
        "id": new_id(), "cadre_id": cadre_id, "kind": kind, "source_ref": source_ref, "noted_on": noted_on,
        "due_on": due_on, "detail": detail[:200], "created_at": utcnow()}, ["kind", "source_ref", "cadre_id"])


async def mark_dirty(conn: AsyncConnection, pairs: set[tuple[str, str]]) -> None:
    """Queues (cadre, quarter) pairs for index recomputation (re-marking refreshes the time)."""
    if not pairs:
        return
    now = utcnow()
    rows = [{"cadre_id": c, "period_key": p, "marked_at": now} for c, p in sorted(pairs)]
    # executemany form: SQLAlchemy batches the rows within the driver's parameter limits.
    await upsert(conn, orm.index_dirty, rows, ["cadre_id", "period_key"])


def quarter_pair(cadre_id: str, day: dt.date | None) -> set[tuple[str, str]]:
    """Returns the (cadre, quarter) pair a dated fact touches (none for an undated one)."""
    from services.appraisal.domain.periods import quarter_key

    return {(cadre_id, quarter_key(day))} if day is not None else set()
