"""What petitions keeps of other services' facts: the decisions they own that a cadre may appeal (sanctions, annual
grades, contract decisions), so that an appeal can be checked (existence, appellant, date, what was decided).
Called by the consumers, in the runner's transaction (no commit); rank's directory is kept by kernel.directory."""

from __future__ import annotations

import datetime as dt

from kernel.contracts.vocabulary import AppealTarget
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork


async def keep_decision(
    uow: PetitionsUnitOfWork,
    *,
    ref: str,
    target: AppealTarget,
    cadre_id: str,
    value: str,
    decided_on: dt.date,
    status: str,
) -> None:
    """Keeps the current state of an appealable decision (by its reference, e.g. `sanction/<id>`)."""
    await uow.decisions.keep(
        ref=ref, target_type=target.value, cadre_id=cadre_id, value=value, decided_on=decided_on, status=status
    )
