"""The accountability index's rows: the queue of dirty (cadre, quarter) pairs (marked by
`projections.mark_dirty`), the counted facts of each pair (one query per source) and the snapshots."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, or_, select

from kernel.sql import one_of, upsert
from services.appraisal.adapters import orm
from services.appraisal.adapters.repository import RowRepository
from services.appraisal.domain.periods import period_range, quarter_key, quarter_of_period
from services.appraisal.domain.rules.index_formula import Inputs, RecordFact

COUNTED_AWARD_STATUSES = ("GRANTED", "REVIEW_FOR_REVOCATION")
COUNTED_REPORT_OUTCOMES = ("SUBSTANTIATED", "PARTLY_SUBSTANTIATED")
Pair = tuple[str, str]  # (cadre id, quarter key)
SOURCES = ("records", "regular", "awards", "findings", "reports", "sanctions", "false_accusations")


class IndexRepository(RowRepository):
    """The dirty queue, the facts the formula counts, and the snapshots it produced."""

    async def claim(self, limit: int, after: Pair | None = None) -> list[tuple[str, str, dt.datetime]]:
        """Takes up to `limit` dirty pairs with their mark time, by cadre then quarter, after the pair `after`."""
        t = orm.index_dirty
        # By cadre: a batch then holds all the dirty quarters of its cadres, so each fact is loaded once.
        query = select(t.c.cadre_id, t.c.period_key, t.c.marked_at).order_by(t.c.cadre_id, t.c.period_key).limit(limit)
        if after is not None:
            # Seek past the pairs already drained: their deleted rows stay in the key index until a vacuum, and a
            # claim from the start walked over all of them, so each batch cost more than the one before (issue 15).
            cadre, period = after
            query = query.where(t.c.cadre_id >= cadre, or_(t.c.cadre_id > cadre, t.c.period_key > period))
        if self.conn.dialect.name == "postgresql":
            # Several replicas may run the job: each takes rows the others have not locked.
            query = query.with_for_update(skip_locked=True)
        return [tuple(r) for r in (await self.conn.execute(query)).all()]  # type: ignore[misc]

    async def release(self, claimed: list[tuple[str, str, dt.datetime]]) -> None:
        """Removes the computed pairs from the queue, unless they were marked again meanwhile."""
        t = orm.index_dirty
        # A pair re-marked while we computed keeps its newer mark and is computed again by the next batch.
        await self.conn.execute(
            delete(t).where(
                t.c.cadre_id == bindparam("c"), t.c.period_key == bindparam("p"), t.c.marked_at == bindparam("m")
            ),
            [{"c": c, "p": p, "m": m} for c, p, m in claimed],
        )

    async def inputs(self, pairs: set[Pair]) -> dict[Pair, Inputs]:
        """Loads every counted fact of the given (cadre, quarter) pairs with one query per source."""
        cadres = sorted({c for c, _ in pairs})
        ranges = [period_range(p) for _, p in pairs]
        lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
        bucket: dict[Pair, dict[str, list]] = defaultdict(lambda: defaultdict(list))

        def put(cadre: str, day: dt.date, kind: str, value: Any) -> None:
            key = (cadre, quarter_key(day))
            if key in pairs:
                bucket[key][kind].append(value)

        for row in await self._records(cadres, lo, hi):
            put(row.cadre_id, row.occurred_on, "records", RecordFact(row.id, row.category, row.quantity))
        for row in await self._regular(cadres, lo, hi):
            key = (row.cadre_id, quarter_of_period(row.period_key))
            if key in pairs:
                bucket[key]["regular"].append((row.id, row.result))
        for row in await self._awards(cadres, lo, hi):
            put(row.cadre_id, row.granted_on, "awards", (row.id, row.type))
        for row in await self._findings(cadres, lo, hi):
            put(row.cadre_id, row.occurred_on, "findings", (row.id, row.points))
        for row in await self._reports(cadres, lo, hi):
            put(row.cadre_id, row.closed_on, "reports", (row.report_id, row.outcome))
        for row in await self._sanctions(cadres, lo, hi):
            put(row.cadre_id, row.effective_on, "sanctions", (row.sanction_id, row.system, row.type))
        for row in await self._false_accusations(cadres, lo, hi):
            put(row.accuser_cadre_id, row.confirmed_on, "false_accusations", row.case_id)
        return {key: Inputs(**{s: tuple(bucket.get(key, {}).get(s, ())) for s in SOURCES}) for key in pairs}

    async def _rows(self, query: Any) -> list[Any]:
        return list((await self.conn.execute(query)).all())

    async def _records(self, cadres: list[str], lo: dt.date, hi: dt.date) -> list[Any]:
        r = orm.performance_record
        return await self._rows(
            select(r.c.id, r.c.cadre_id, r.c.occurred_on, r.c.category, r.c.quantity).where(
                one_of(self.conn, r.c.cadre_id, cadres), r.c.status == "VERIFIED", r.c.occurred_on.between(lo, hi)
            )
        )

    async def _regular(self, cadres: list[str], lo: dt.date, hi: dt.date) -> list[Any]:
        g = orm.regular_assessment
        return await self._rows(
            select(g.c.id, g.c.cadre_id, g.c.period_key, g.c.result).where(
                one_of(self.conn, g.c.cadre_id, cadres), g.c.period_end.between(lo, hi)
            )
        )

    async def _awards(self, cadres: list[str], lo: dt.date, hi: dt.date) -> list[Any]:
        w = orm.award
        return await self._rows(
            select(w.c.id, w.c.cadre_id, w.c.type, w.c.granted_on).where(
                one_of(self.conn, w.c.cadre_id, cadres),
                w.c.status.in_(COUNTED_AWARD_STATUSES),
                w.c.granted_on.between(lo, hi),
            )
        )

    async def _findings(self, cadres: list[str], lo: dt.date, hi: dt.date) -> list[Any]:
        f = orm.inaction_finding
        return await self._rows(
            select(f.c.id, f.c.cadre_id, f.c.points, f.c.occurred_on).where(
                one_of(self.conn, f.c.cadre_id, cadres), f.c.status == "CONFIRMED", f.c.occurred_on.between(lo, hi)
            )
        )

    async def _reports(self, cadres: list[str], lo: dt.date, hi: dt.date) -> list[Any]:
        p = orm.petitions_report_outcome
        return await self._rows(
            select(p.c.report_id, p.c.cadre_id, p.c.outcome, p.c.closed_on).where(
                one_of(self.conn, p.c.cadre_id, cadres),
                p.c.outcome.in_(COUNTED_REPORT_OUTCOMES),
                p.c.closed_on.between(lo, hi),
            )
        )

    async def _sanctions(self, cadres: list[str], lo: dt.date, hi: dt.date) -> list[Any]:
        s, tol = orm.tolerance_sanction, orm.tolerance_granted
        tolerated = exists().where(and_(tol.c.incident_id == s.c.incident_id))
        return await self._rows(
            select(s.c.sanction_id, s.c.cadre_id, s.c.system, s.c.type, s.c.effective_on).where(
                one_of(self.conn, s.c.cadre_id, cadres),
                s.c.status != "REVOKED",
                s.c.effective_on.between(lo, hi),
                ~tolerated,
            )
        )

    async def _false_accusations(self, cadres: list[str], lo: dt.date, hi: dt.date) -> list[Any]:
        fa = orm.petitions_false_accusation
        return await self._rows(
            select(fa.c.case_id, fa.c.accuser_cadre_id, fa.c.confirmed_on).where(
                one_of(self.conn, fa.c.accuser_cadre_id, cadres), fa.c.confirmed_on.between(lo, hi)
            )
        )

    async def places(self, cadre_ids: list[str]) -> dict[str, tuple[str, str]]:
        """Returns each cadre's (org unit, org path) from the directory."""
        d = orm.directory.cadre
        return {
            row.cadre_id: (row.org_unit_id, row.org_path)
            for row in (
                await self.conn.execute(
                    select(d.c.cadre_id, d.c.org_unit_id, d.c.org_path).where(
                        one_of(self.conn, d.c.cadre_id, cadre_ids)
                    )
                )
            ).all()
        }

    async def snapshots(self, pairs: set[Pair]) -> dict[Pair, tuple[Any, Any, Any]]:
        """Returns (total, formula version, components) of the stored snapshot of each pair that has one."""
        snap = orm.index_snapshot
        cadres = sorted({c for c, _ in pairs})
        # Filter by cadre (the primary key's prefix, an index lookup) and pick the pairs in Python: a row-value IN
        # list is not hashed by PostgreSQL and would compare every snapshot with every pair.
        rows = (
            await self.conn.execute(
                select(
                    snap.c.cadre_id, snap.c.period_key, snap.c.total, snap.c.formula_version, snap.c.components
                ).where(
                    one_of(self.conn, snap.c.cadre_id, cadres), snap.c.period_key.in_(sorted({p for _, p in pairs}))
                )
            )
        ).all()
        return {
            (row.cadre_id, row.period_key): (row.total, row.formula_version, row.components)
            for row in rows
            if (row.cadre_id, row.period_key) in pairs
        }

    async def store(self, rows: list[dict[str, Any]]) -> None:
        """Upserts snapshots by (cadre, quarter)."""
        await upsert(self.conn, orm.index_snapshot, rows, ["cadre_id", "period_key"])
