"""Local projections of other services' events, and the fact loaders the rules need (set-based)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.contracts import petitions_v1 as pet
from kernel.contracts import rank_v1 as rank
from kernel.contracts import tolerance_v1 as tol
from kernel.db import utcnow
from kernel.ids import new_id
from kernel.sql import insert_ignore, one_of, upsert
from services.appraisal.adapters import orm
from services.appraisal.adapters.repository import RowRepository
from services.appraisal.domain.rules.grade_rules import Facts, InvestigationFact, RestrictionFact, SanctionFact


async def grade_facts(conn: AsyncConnection, cadre_id: str) -> Facts:
    """Loads what tolerance told us about a cadre: sanctions, restrictions, investigations, tolerated incidents."""
    return (await grade_facts_of(conn, [cadre_id]))[cadre_id]


async def grade_facts_of(conn: AsyncConnection, cadre_ids: list[str]) -> dict[str, Facts]:
    """`grade_facts` of several cadres in four queries (a batch of past grades reads them once)."""
    s, r, i, t = orm.tolerance_sanction, orm.tolerance_restriction, orm.tolerance_investigation, orm.tolerance_granted
    ids = sorted(set(cadre_ids))
    found: dict[str, tuple[list, list, list, set]] = {c: ([], [], [], set()) for c in ids}
    for x in (await conn.execute(select(s).where(one_of(conn, s.c.cadre_id, ids)))).all():
        found[x.cadre_id][0].append(
            SanctionFact(x.sanction_id, x.type, x.effective_on, x.period_months, x.incident_id, x.status)
        )
    for x in (await conn.execute(select(r).where(one_of(conn, r.c.cadre_id, ids)))).all():
        found[x.cadre_id][1].append(
            RestrictionFact(x.restriction_id, x.effect, x.source_type, x.source_id, x.starts_on, x.ends_on, x.status)
        )
    for x in (await conn.execute(select(i).where(one_of(conn, i.c.cadre_id, ids)))).all():
        found[x.cadre_id][2].append(
            InvestigationFact(x.investigation_id, x.case_id, x.opened_on, x.closed_on, x.result)
        )
    for x in (await conn.execute(select(t.c.cadre_id, t.c.incident_id).where(one_of(conn, t.c.cadre_id, ids)))).all():
        found[x.cadre_id][3].add(x.incident_id)
    return {c: Facts(tuple(a), tuple(b), tuple(d), frozenset(e)) for c, (a, b, d, e) in found.items()}


async def add_note(
    conn: AsyncConnection,
    *,
    cadre_id: str,
    kind: str,
    source_ref: str,
    noted_on: dt.date,
    detail: str,
    due_on: dt.date | None = None,
) -> bool:
    """Appends a note to a cadre's record once per (kind, source, cadre); True if it is new."""
    return await insert_ignore(
        conn,
        orm.cadre_note,
        {
            "id": new_id(),
            "cadre_id": cadre_id,
            "kind": kind,
            "source_ref": source_ref,
            "noted_on": noted_on,
            "due_on": due_on,
            "detail": detail[:200],
            "created_at": utcnow(),
        },
        ["kind", "source_ref", "cadre_id"],
    )


async def mark_dirty(conn: AsyncConnection, pairs: set[tuple[str, str]]) -> None:
    """Queues (cadre, quarter) pairs for index recomputation (re-marking refreshes the time)."""
    if not pairs:
        return
    now = utcnow()
    rows = [{"cadre_id": c, "period_key": p, "marked_at": now} for c, p in sorted(pairs)]
    # executemany form: SQLAlchemy batches the rows within the driver's parameter limits.
    await upsert(conn, orm.index_dirty, rows, ["cadre_id", "period_key"])


class Projections(RowRepository):
    """The rows other services' events leave here (rank moves, tolerance's facts, petitions' outcomes, notes)."""

    async def add_note(self, **note: Any) -> bool:
        """Appends a note to a cadre's record once per (kind, source, cadre); True if it is new."""
        return await add_note(self.conn, **note)

    async def cadre_org_path(self, cadre_id: str) -> str:
        """Returns a cadre's current org path from the directory ("/" if unknown)."""
        t = orm.directory.cadre
        return (await self.conn.execute(select(t.c.org_path).where(t.c.cadre_id == cadre_id))).scalar() or "/"

    async def keep_move(self, p: rank.RankChanged | rank.PostChanged, kind: str) -> None:
        """Keeps a rank or post move (promotions and rotations count as incentives)."""
        await upsert(
            self.conn,
            orm.rank_move,
            {
                "holding_id": p.holding_id,
                "kind": kind,
                "cadre_id": p.cadre_id,
                "basis": p.basis.value,
                "effective_date": p.effective_date,
            },
            ["holding_id", "kind"],
        )

    async def keep_restriction(self, p: tol.RestrictionState) -> None:
        """Mirrors a restriction's full state."""
        await upsert(
            self.conn,
            orm.tolerance_restriction,
            {
                "restriction_id": p.restriction_id,
                "cadre_id": p.cadre_id,
                "effect": p.effect.value,
                "source_type": p.source_type.value,
                "source_id": p.source_id,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "status": p.status.value,
                "updated_at": utcnow(),
            },
            ["restriction_id"],
        )

    async def sanction_effective_on(self, sanction_id: str) -> dt.date | None:
        """Returns the effective date a sanction had before this event (None if new)."""
        s = orm.tolerance_sanction
        return (await self.conn.execute(select(s.c.effective_on).where(s.c.sanction_id == sanction_id))).scalar()

    async def keep_sanction(self, p: tol.SanctionState, status: str) -> None:
        """Mirrors a sanction with its status."""
        await upsert(
            self.conn,
            orm.tolerance_sanction,
            {
                "sanction_id": p.sanction_id,
                "cadre_id": p.cadre_id,
                "system": p.system.value,
                "type": p.type.value,
                "effective_on": p.effective_on,
                "ends_on": p.ends_on,
                "period_months": p.period_months,
                "incident_id": p.incident_id,
                "status": status,
                "updated_at": utcnow(),
            },
            ["sanction_id"],
        )

    async def incident_tolerated(self, incident_id: str) -> bool:
        """Tells whether a tolerance case exempted this incident."""
        t = orm.tolerance_granted
        return (await self.conn.execute(select(t.c.case_id).where(t.c.incident_id == incident_id))).first() is not None

    async def keep_tolerated(self, p: tol.ToleranceGranted) -> None:
        """Keeps an exempting tolerance decision (once per case)."""
        await insert_ignore(
            self.conn,
            orm.tolerance_granted,
            {
                "case_id": p.case_id,
                "incident_id": p.incident_id,
                "cadre_id": p.cadre_id,
                "decided_on": p.decided_on,
                "source_refs": [r.model_dump() for r in p.source_refs],
            },
            ["case_id"],
        )

    async def tolerate_reports(self, report_ids: list[str], cadre_id: str) -> list[dt.date]:
        """Marks a cadre's outcomes of these reports TOLERATED; returns their closing dates (read before)."""
        r = orm.petitions_report_outcome
        days = (
            (
                await self.conn.execute(
                    select(r.c.closed_on).where(r.c.report_id.in_(report_ids), r.c.cadre_id == cadre_id)
                )
            )
            .scalars()
            .all()
        )
        await self.conn.execute(
            update(r).where(r.c.report_id.in_(report_ids), r.c.cadre_id == cadre_id).values(outcome="TOLERATED")
        )
        return list(days)

    async def sanction_days(self, incident_id: str) -> list[dt.date]:
        """Returns the effective dates of the sanctions of an incident."""
        s = orm.tolerance_sanction
        return list((await self.conn.execute(select(s.c.effective_on).where(s.c.incident_id == incident_id))).scalars())

    async def keep_investigation(self, p: tol.InvestigationOpened | tol.InvestigationClosed) -> None:
        """Mirrors an investigation (open, or closed with its result)."""
        closed = isinstance(p, tol.InvestigationClosed)
        await upsert(
            self.conn,
            orm.tolerance_investigation,
            {
                "investigation_id": p.investigation_id,
                "cadre_id": p.cadre_id,
                "case_id": p.case_id,
                "opened_on": p.opened_on,
                "closed_on": p.closed_on if closed else None,
                "result": p.result if closed else None,
            },
            ["investigation_id"],
        )

    async def report_outcome(self, report_id: str, cadre_id: str) -> tuple[dt.date | None, str] | None:
        """Returns (closed_on, outcome) of a report about a cadre, if known."""
        r = orm.petitions_report_outcome
        row = (
            await self.conn.execute(
                select(r.c.closed_on, r.c.outcome).where(r.c.report_id == report_id, r.c.cadre_id == cadre_id)
            )
        ).first()
        return None if row is None else (row.closed_on, row.outcome)

    async def report_closed_on(self, report_id: str, cadre_id: str) -> dt.date | None:
        """Returns the closing date of a report about a cadre, if known."""
        r = orm.petitions_report_outcome
        return (
            await self.conn.execute(select(r.c.closed_on).where(r.c.report_id == report_id, r.c.cadre_id == cadre_id))
        ).scalar()

    async def keep_report_outcome(self, report_id: str, cadre_id: str, outcome: str, closed_on: dt.date) -> None:
        """Keeps the outcome of a report about a cadre."""
        await upsert(
            self.conn,
            orm.petitions_report_outcome,
            {"report_id": report_id, "cadre_id": cadre_id, "outcome": outcome, "closed_on": closed_on},
            ["report_id", "cadre_id"],
        )

    async def keep_false_accusation(self, p: pet.FalseAccusationConfirmed) -> None:
        """Keeps a confirmed false accusation by a cadre (once per case)."""
        await insert_ignore(
            self.conn,
            orm.petitions_false_accusation,
            {"case_id": p.case_id, "accuser_cadre_id": p.accuser_cadre_id, "confirmed_on": p.confirmed_on},
            ["case_id"],
        )
