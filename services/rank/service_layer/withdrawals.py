"""Automatic withdrawal of candidacies when a bar appears (a restriction, an investigation, leaving the register)."""

from __future__ import annotations

import datetime as dt

from services.rank.service_layer.unit_of_work import RankUnitOfWork

OBJECT = "promotion_batch"


async def withdraw_candidacies(uow: RankUnitOfWork, *, cadre_id: str, reason: str, today: dt.date) -> list[str]:
    """Withdraws the cadre from every open batch (a restriction or an investigation arrived); audited as system."""
    changed = []
    for batch in await uow.batches.open_with_candidate(cadre_id):
        if batch.withdraw(cadre_id, reason=reason, today=today):
            await uow.batches.save(batch)
            await uow.audit(None, "WITHDRAW_CANDIDATE", OBJECT, batch.id)
            changed.append(batch.id)
    return changed
