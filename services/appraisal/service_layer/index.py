"""Incremental recomputation of the accountability index: only the (cadre, quarter) pairs marked dirty.

Facts are loaded set-based for a whole batch of pairs (one query per source), the formula runs in memory, the
snapshots are upserted in one statement, and index_computed is emitted only for snapshots that changed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, select

from kernel.contracts import appraisal_v1
from kernel.db import utcnow
from kernel.sql import one_of, upsert
from services.appraisal.adapters import orm
from services.appraisal.domain.periods import period_range, quarter_key, quarter_of_period
from services.appraisal.domain.rules.index_formula import Inputs, RecordFact, compute, formula
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

COUNTED_AWARD_STATUSES = ("GRANTED", "REVIEW_FOR_REVOCATION")
COUNTED_REPORT_OUTCOMES = ("SUBSTANTIATED", "PARTLY_SUBSTANTIATED")


async def _claim(uow: AppraisalUnitOfWork, limit: int) -> list[tuple[str, str, dt.datetime]]:
    t = orm.index_dirty
    # By cadre: a batch then holds all the dirty quarters of its cadres, so each fact is loaded once.
    query = select(t.c.cadre_id, t.c.period_key, t.c.marked_at).order_by(t.c.cadre_id, t.c.period_key).limit(limit)
    if uow.conn.dialect.name == "postgresql":
        # Several replicas may run the job: each takes rows the others have not locked.
        query = query.with_for_update(skip_locked=True)
    return [tuple(r) for r in (await uow.conn.execute(query)).all()]  # type: ignore[misc]


async def load_inputs(uow: AppraisalUnitOfWork, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Inputs]:
    """Loads every counted fact of the given (cadre, quarter) pairs with one query per source."""
    cadres = sorted({c for c, _ in pairs})
    ranges = [period_range(p) for _, p in pairs]
    lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
    conn = uow.conn
    bucket: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))

    def put(cadre: str, day: dt.date, kind: str, value: Any) -> None:
        key = (cadre, quarter_key(day))
        if key in pairs:
            bucket[key][kind].append(value)

    r = orm.performance_record
    for row in (await conn.execute(select(r.c.id, r.c.cadre_id, r.c.occurred_on, r.c.category, r.c.quantity).where(
            one_of(conn, r.c.cadre_id, cadres), r.c.status == "VERIFIED", r.c.occurred_on.between(lo, hi)))).all():
        put(row.cadre_id, row.occurred_on, "records", RecordFact(row.id, row.category, row.quantity))
    g = orm.regular_assessment
    for row in (await conn.execute(select(g.c.id, g.c.cadre_id, g.c.period_key, g.c.result).where(
            one_of(conn, g.c.cadre_id, cadres), g.c.period_end.between(lo, hi)))).all():
        key = (row.cadre_id, quarter_of_period(row.period_key))
        if key in pairs:
            bucket[key]["regular"].append((row.id, row.result))
    w = orm.award
    for row in (await conn.execute(select(w.c.id, w.c.cadre_id, w.c.type, w.c.granted_on).where(
            one_of(conn, w.c.cadre_id, cadres), w.c.status.in_(COUNTED_AWARD_STATUSES), w.c.granted_on.between(lo, hi)))).all():
        put(row.cadre_id, row.granted_on, "awards", (row.id, row.type))
    f = orm.inaction_finding
    for row in (await conn.execute(select(f.c.id, f.c.cadre_id, f.c.points, f.c.occurred_on).where(
            one_of(conn, f.c.cadre_id, cadres), f.c.status == "CONFIRMED", f.c.occurred_on.between(lo, hi)))).all():
        put(row.cadre_id, row.occurred_on, "findings", (row.id, row.points))
    p = orm.pet_report_outcome
    for row in (await conn.execute(select(p.c.report_id, p.c.cadre_id, p.c.outcome, p.c.closed_on).where(
            one_of(conn, p.c.cadre_id, cadres), p.c.outcome.in_(COUNTED_REPORT_OUTCOMES), p.c.closed_on.between(lo, hi)))).all():
        put(row.cadre_id, row.closed_on, "reports", (row.report_id, row.outcome))
    s, tol = orm.tol_sanction, orm.tol_tolerated
    tolerated = exists().where(and_(tol.c.incident_id == s.c.incident_id))
    for row in (await conn.execute(select(s.c.sanction_id, s.c.cadre_id, s.c.system, s.c.type, s.c.effective_on).where(
            one_of(conn, s.c.cadre_id, cadres), s.c.status != "REVOKED", s.c.effective_on.between(lo, hi), ~tolerated))).all():
        put(row.cadre_id, row.effective_on, "sanctions", (row.sanction_id, row.system, row.type))
    fa = orm.pet_false_accusation
    for row in (await conn.execute(select(fa.c.case_id, fa.c.accuser_cadre_id, fa.c.confirmed_on).where(
            one_of(conn, fa.c.accuser_cadre_id, cadres), fa.c.confirmed_on.between(lo, hi)))).all():
        put(row.accuser_cadre_id, row.confirmed_on, "false_accusations", row.case_id)
    out = {}
    for key in pairs:
        b = bucket.get(key, {})
        out[key] = Inputs(records=tuple(b.get("records", ())), regular=tuple(b.get("regular", ())),
                          awards=tuple(b.get("awards", ())), findings=tuple(b.get("findings", ())),
                          reports=tuple(b.get("reports", ())), sanctions=tuple(b.get("sanctions", ())),
                          false_accusations=tuple(b.get("false_accusations", ())))
    return out


async def recompute_batch(uow: AppraisalUnitOfWork, *, limit: int) -> int:
    """Recomputes one batch of dirty pairs in the open unit of work; returns how many pairs it handled."""
    claimed = await _claim(uow, limit)
    if not claimed:
        return 0
    pairs = {(c, p) for c, p, _ in claimed}
    inputs = await load_inputs(uow, pairs)
    cadres = sorted({c for c, _ in pairs})
    d = orm.directory.cadre
    orgs = {row.cadre_id: (row.org_unit_id, row.org_path) for row in (await uow.conn.execute(
        select(d.c.cadre_id, d.c.org_unit_id, d.c.org_path).where(one_of(uow.conn, d.c.cadre_id, cadres)))).all()}
    snap = orm.index_snapshot
    # Filter by cadre (the primary key's prefix, an index lookup) and pick the pairs in Python: a row-value IN
    # list is not hashed by PostgreSQL and would compare every snapshot with every pair.
    before = {(row.cadre_id, row.period_key): (row.total, row.formula_version, row.components) for row in (
        await uow.conn.execute(select(snap.c.cadre_id, snap.c.period_key, snap.c.total, snap.c.formula_version,
                                      snap.c.components).where(one_of(uow.conn, snap.c.cadre_id, cadres),
                                                               snap.c.period_key.in_(sorted({p for _, p in pairs}))))).all()
        if (row.cadre_id, row.period_key) in pairs}
    f = formula(uow.context.settings.index_formula_version)
    now = utcnow()
    rows, payloads = [], []
    for cadre, period in sorted(pairs):
        result = compute(f, inputs[(cadre, period)])
        components = [c.as_dict() for c in result.components]
        org_unit, path = orgs.get(cadre, ("", "/"))
        rows.append({"cadre_id": cadre, "period_key": period, "org_unit_id": org_unit, "org_path": path,
                     "formula_version": result.formula_version, "total": result.total, "components": components,
                     "computed_at": now})
        if before.get((cadre, period)) != (result.total, result.formula_version, components):
            payloads.append(appraisal_v1.IndexComputed(
                cadre_id=cadre, org_unit_id=org_unit, period_key=period, formula_version=result.formula_version,
                total=result.total, computed_at=now,
                components=[appraisal_v1.IndexComponent(source=c.source, contribution=c.contribution,
                                                        ref_ids=list(c.ref_ids), raw=c.raw, weight=c.weight)
                            for c in result.components]))
    await upsert(uow.conn, snap, rows, ["cadre_id", "period_key"])
    t = orm.index_dirty
    # A pair re-marked while we computed keeps its newer mark and is computed again by the next batch.
    await uow.conn.execute(
        delete(t).where(t.c.cadre_id == bindparam("c"), t.c.period_key == bindparam("p"), t.c.marked_at == bindparam("m")),
        [{"c": c, "p": p, "m": m} for c, p, m in claimed])
    uow.emit(*payloads)
    return len(claimed)


async def recompute_dirty(uow_factory: Callable[[], AppraisalUnitOfWork], *, limit: int, max_batches: int = 10_000) -> int:
    """Drains the dirty queue batch by batch (short transactions); returns how many pairs were recomputed."""
    total = 0
    for _ in range(max_batches):
        async with uow_factory() as uow:
            done = await recompute_batch(uow, limit=limit)
            await uow.commit()
        total += done
        if done < limit:
            break
    return total
