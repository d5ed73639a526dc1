"""Incremental recomputation of the accountability index: only the (cadre, quarter) pairs marked dirty.

Facts are loaded set-based for a whole batch of pairs (one query per source), the formula runs in memory, the
snapshots are upserted in one statement, and index_computed is emitted only for snapshots that changed.
"""

from __future__ import annotations

from collections.abc import Callable

from kernel.contracts import appraisal_v1
from kernel.db import utcnow
from services.appraisal.adapters.index_repo import Pair
from services.appraisal.domain.rules.index_formula import compute, formula
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


async def recompute_batch(uow: AppraisalUnitOfWork, *, limit: int, after: Pair | None = None) -> list[Pair]:
    """Recomputes one batch of dirty pairs (those after the pair `after`, if given) in the open unit of work;
    returns the pairs it handled, in the queue's order."""
    claimed = await uow.index.claim(limit, after)
    if not claimed:
        return []
    pairs = {(c, p) for c, p, _ in claimed}
    inputs = await uow.index.inputs(pairs)
    orgs = await uow.index.places(sorted({c for c, _ in pairs}))
    before = await uow.index.snapshots(pairs)
    f = formula(uow.context.settings.index_formula_version)
    now = utcnow()
    rows, payloads = [], []
    for cadre, period in sorted(pairs):
        result = compute(f, inputs[(cadre, period)])
        components = [c.as_dict() for c in result.components]
        org_unit, path = orgs.get(cadre, ("", "/"))
        rows.append(
            {
                "cadre_id": cadre,
                "period_key": period,
                "org_unit_id": org_unit,
                "org_path": path,
                "formula_version": result.formula_version,
                "total": result.total,
                "components": components,
                "computed_at": now,
            }
        )
        if before.get((cadre, period)) != (result.total, result.formula_version, components):
            payloads.append(
                appraisal_v1.IndexComputed(
                    cadre_id=cadre,
                    org_unit_id=org_unit,
                    period_key=period,
                    formula_version=result.formula_version,
                    total=result.total,
                    computed_at=now,
                    components=[
                        appraisal_v1.IndexComponent(
                            source=c.source,
                            contribution=c.contribution,
                            ref_ids=list(c.ref_ids),
                            raw=c.raw,
                            weight=c.weight,
                        )
                        for c in result.components
                    ],
                )
            )
    await uow.index.store(rows)
    await uow.index.release(claimed)
    uow.emit(*payloads)
    return [(c, p) for c, p, _ in claimed]


async def recompute_dirty(
    uow_factory: Callable[[], AppraisalUnitOfWork], *, limit: int, max_batches: int = 10_000
) -> int:
    """Drains the dirty queue batch by batch (short transactions); returns how many pairs were recomputed.

    Each batch claims the pairs after the last one of the batch before; once the end is reached, one more pass
    from the start takes the pairs marked meanwhile behind that cursor."""
    total, after = 0, None
    for _ in range(max_batches):
        async with uow_factory() as uow:
            done = await recompute_batch(uow, limit=limit, after=after)
            await uow.commit()
        total += len(done)
        if len(done) == limit:
            after = done[-1]
        elif after is None:
            break
        else:
            after = None
    return total
