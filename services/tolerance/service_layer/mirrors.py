"""What tolerance keeps of other services' facts: rank's holdings (the original post and rank before a removal)
and the 诫勉 tasks of 基本称职 grades. Called by the consumers, in the runner's transaction (no commit)."""

from __future__ import annotations

import datetime as dt

from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork


async def keep_rank_holding(
    uow: ToleranceUnitOfWork,
    *,
    holding_id: str,
    cadre_id: str,
    to_rank: str,
    level: int | None,
    effective_date: dt.date,
    basis: str,
) -> None:
    """Keeps one rank holding of a cadre's history (by holding id)."""
    await uow.projections.put_rank_holding(
        holding_id=holding_id,
        cadre_id=cadre_id,
        to_rank=to_rank,
        level=level,
        effective_date=effective_date,
        basis=basis,
    )


async def keep_post_holding(
    uow: ToleranceUnitOfWork,
    *,
    holding_id: str,
    cadre_id: str,
    to_post: str | None,
    post_level: int | None,
    effective_date: dt.date,
    basis: str,
) -> None:
    """Keeps one post holding of a cadre's history (by holding id)."""
    await uow.projections.put_post_holding(
        holding_id=holding_id,
        cadre_id=cadre_id,
        to_post=to_post,
        post_level=post_level,
        effective_date=effective_date,
        basis=basis,
    )


async def open_admonishment_task(
    uow: ToleranceUnitOfWork, *, assessment_id: str, cadre_id: str, year: int, opened_on: dt.date
) -> None:
    """Opens (or reopens) the 诫勉 task of a 基本称职 grade."""
    await uow.projections.open_admonishment_task(
        assessment_id=assessment_id, cadre_id=cadre_id, year=year, opened_on=opened_on
    )


async def cancel_admonishment_task(uow: ToleranceUnitOfWork, *, assessment_id: str) -> None:
    """Cancels an open 诫勉 task whose grade was amended away from 基本称职."""
    await uow.projections.cancel_admonishment_task(assessment_id=assessment_id)
