"""What rank does with appraisal's events: grades, awards and accountability indexes feed eligibility and points;
an annual 不称职 requires a demotion and ends an appointment contract (and an amended grade undoes it).

Called by the consumers (messaging.handlers) in the runner's transaction: no commit. Idempotent by natural key,
the full-state events being guarded by the per-subject watermark."""

from __future__ import annotations

from kernel.contracts import appraisal_v1
from kernel.ids import new_id
from services.rank.adapters import projections
from services.rank.domain.model import Demotion
from services.rank.domain.rules.ladders import CATEGORY_SERIES
from services.rank.service_layer.handlers import known_cadre, ladder_of
from services.rank.service_layer.unit_of_work import RankUnitOfWork

INCOMPETENT = "INCOMPETENT"


async def grade_finalized(payload: appraisal_v1.GradeFinalized, uow: RankUnitOfWork) -> None:
    """Stores the grade (latest per assessment); 不称职 requires a demotion and ends an appointment contract."""
    source = f"annual-assessment/{payload.assessment_id}"
    registered, before, demotion_status = await projections.grade_context(
        uow.conn, assessment_id=payload.assessment_id, cadre_id=payload.cadre_id, source=source
    )
    await projections.put_grade(
        uow.conn,
        assessment_id=payload.assessment_id,
        cadre_id=payload.cadre_id,
        year=payload.year,
        grade=payload.grade.value,
        finalized_on=payload.finalized_on,
        supplemented=payload.supplemented,
        amended=payload.amended,
    )
    if not registered:
        return
    if payload.grade.value == INCOMPETENT:
        cadre = await known_cadre(uow, payload.cadre_id, "grade_finalized")
        if demotion_status is None and CATEGORY_SERIES.get(cadre.category) and cadre.rank_code:
            previous = await projections.grade_of_year(uow.conn, cadre.id, payload.year - 1)
            await uow.demotions.add(
                Demotion(
                    id=new_id(),
                    cadre_id=cadre.id,
                    source=source,
                    reason="ANNUAL_INCOMPETENT",
                    dismissal_review=previous == INCOMPETENT,
                )
            )
        elif demotion_status == "CANCELLED":
            demotion = await uow.demotions.by_source(source)
            assert demotion is not None
            demotion.status = "REQUIRED"
            await uow.demotions.save(demotion)
        for contract in await uow.contracts.open_for(cadre.id, "APPOINTED_CS"):
            if contract.require_termination():
                await uow.contracts.save_checked(contract)
    elif before == INCOMPETENT:
        # The grade was amended away from 不称职 (review or appeal): undo what it caused.
        if demotion_status is not None:
            demotion = await uow.demotions.by_source(source)
            cadre = await known_cadre(uow, payload.cadre_id, "grade_finalized")
            ladder = await ladder_of(uow, cadre, payload.finalized_on)
            if demotion is not None and demotion.reverse(cadre, effective_date=payload.finalized_on, ladder=ladder):
                await uow.cadres.save(cadre)
                await uow.demotions.save(demotion)
        for contract in await uow.contracts.open_for(payload.cadre_id, "APPOINTED_CS"):
            if contract.lift_termination_requirement():
                await uow.contracts.save_checked(contract)
    await uow.mark_dirty([payload.cadre_id])


async def award_granted(payload: appraisal_v1.AwardGranted, uow: RankUnitOfWork) -> None:
    """Stores a granted award (points)."""
    await projections.put_award(
        uow.conn,
        award_id=payload.award_id,
        cadre_id=payload.cadre_id,
        type=payload.type.value,
        basis=payload.basis,
        year=payload.year,
        granted_on=payload.granted_on,
        revoked_on=None,
    )
    await uow.mark_dirty([payload.cadre_id])


async def award_revoked(payload: appraisal_v1.AwardRevoked, uow: RankUnitOfWork) -> None:
    """Marks an award revoked (it stops counting from the revocation)."""
    await projections.revoke_award(
        uow.conn,
        award_id=payload.award_id,
        cadre_id=payload.cadre_id,
        type_=payload.type.value,
        revoked_on=payload.revoked_on,
    )
    await uow.mark_dirty([payload.cadre_id])


async def index_computed(payload: appraisal_v1.IndexComputed, uow: RankUnitOfWork) -> None:
    """Stores the accountability index of a period; its percentile in the org unit feeds points.

    Every cadre of the unit with an index for that period moves in the ranking, so all of them are requeued.
    """
    await projections.put_index(
        uow.conn,
        cadre_id=payload.cadre_id,
        period_key=payload.period_key,
        total=payload.total,
        percentile=payload.percentile,
        formula_version=payload.formula_version,
        computed_at=payload.computed_at,
    )
    await uow.mark_dirty([payload.cadre_id])
    if payload.percentile is None:
        await uow.mark_dirty_index_peers(payload.cadre_id, payload.period_key)
