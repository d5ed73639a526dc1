"""What rank's facts change here (beyond the directory): promotions and rotations kept for incentive coverage,
term evaluation tasks on the record (run by the consumers, which commit)."""

from __future__ import annotations

import datetime as dt

from kernel.contracts import rank_v1 as rank
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


async def moved(p: rank.RankChanged | rank.PostChanged, kind: str, uow: AppraisalUnitOfWork) -> None:
    """Keeps a rank (kind RANK) or post (kind POST) move: promotions and rotations count as incentives."""
    await uow.projections.keep_move(p, kind)


async def contract_term_ending(p: rank.ContractTermEnding, uow: AppraisalUnitOfWork, *, today: dt.date) -> None:
    """A term ends soon (§5.19): a term evaluation task, due when the renewal review is, on the cadre's record."""
    await uow.projections.add_note(
        cadre_id=p.cadre_id,
        kind="TERM_EVALUATION",
        source_ref=f"contract/{p.contract_id}",
        noted_on=today,
        due_on=p.review_due_on,
        detail=f"{p.kind.value} contract term ends {p.ends_on.isoformat()}: term evaluation due",
    )
