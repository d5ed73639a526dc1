"""Handlers of the events rank consumes: projections that feed eligibility and points, and their consequences.

Every handler is idempotent (the kernel inbox, natural keys) and safe against out-of-order redelivery: the
full-state events (grades per assessment, restrictions, sanctions, investigations, awards) are guarded by the
per-subject watermark, and the consequences are state-guarded (a demotion per source decision, a candidate
withdrawn only while open).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.contracts import appraisal_v1, petitions_v1, tolerance_v1
from kernel.deps import china_today
from kernel.envelope import CloudEvent
from kernel.errors import PermanentEventError, RuleViolation
from kernel.ids import new_id
from services.rank.adapters import projections
from services.rank.domain.eligibility import RANK_BLOCKING_EFFECTS
from services.rank.domain.model import Cadre, Demotion
from services.rank.domain.rules.ladders import CATEGORY_SERIES, POSTS
from services.rank.service_layer.unit_of_work import RankUnitOfWork
from services.rank.service_layer.withdrawals import withdraw_candidacies

INCOMPETENT = "INCOMPETENT"


async def _cadre(uow: RankUnitOfWork, cadre_id: str, what: str) -> Cadre:
    cadre = await uow.cadres.get(cadre_id)
    if cadre is None:
        raise PermanentEventError(f"{what} names cadre {cadre_id}, unknown to the register")
    return cadre


# -- appraisal ------------------------------------------------------------------------------------------
async def on_grade_finalized(payload: appraisal_v1.GradeFinalized, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Stores the grade (latest per assessment); 不称职 requires a demotion and ends an appointment contract."""
    source = f"annual-assessment/{payload.assessment_id}"
    registered, before, demotion_status = await projections.grade_context(
        uow.conn, assessment_id=payload.assessment_id, cadre_id=payload.cadre_id, source=source)
    await projections.put_grade(uow.conn, assessment_id=payload.assessment_id, cadre_id=payload.cadre_id,
                                year=payload.year, grade=payload.grade.value, finalized_on=payload.finalized_on,
                                supplemented=payload.supplemented, amended=payload.amended)
    if not registered:
        return
    if payload.grade.value == INCOMPETENT:
        cadre = await _cadre(uow, payload.cadre_id, "grade_finalized")
        if demotion_status is None and CATEGORY_SERIES.get(cadre.category) and cadre.rank_code:
            previous = await projections.grade_of_year(uow.conn, cadre.id, payload.year - 1)
            await uow.demotions.add(Demotion(id=new_id(), cadre_id=cadre.id, source=source,
                                             reason="ANNUAL_INCOMPETENT", dismissal_review=previous == INCOMPETENT))
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
            cadre = await _cadre(uow, payload.cadre_id, "grade_finalized")
            ladder = await _ladder(uow, cadre, payload.finalized_on)
            if demotion is not None and demotion.reverse(cadre, effective_date=payload.finalized_on, ladder=ladder):
                await uow.cadres.save(cadre)
                await uow.demotions.save(demotion)
        for contract in await uow.contracts.open_for(payload.cadre_id, "APPOINTED_CS"):
            if contract.lift_termination_requirement():
                await uow.contracts.save_checked(contract)
    await uow.mark_dirty([payload.cadre_id])


async def on_award_granted(payload: appraisal_v1.AwardGranted, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Stores a granted award (points)."""
    await projections.put_award(uow.conn, award_id=payload.award_id, cadre_id=payload.cadre_id, type=payload.type.value,
                                basis=payload.basis, year=payload.year, granted_on=payload.granted_on, revoked_on=None)
    await uow.mark_dirty([payload.cadre_id])


async def on_award_revoked(payload: appraisal_v1.AwardRevoked, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Marks an award revoked (it stops counting from the revocation)."""
    await projections.revoke_award(uow.conn, award_id=payload.award_id, cadre_id=payload.cadre_id,
                                   type_=payload.type.value, revoked_on=payload.revoked_on)
    await uow.mark_dirty([payload.cadre_id])


async def on_index_computed(payload: appraisal_v1.IndexComputed, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Stores the accountability index of a period; its percentile in the org unit feeds points.

    Every cadre of the unit with an index for that period moves in the ranking, so all of them are requeued.
    """
    await projections.put_index(uow.conn, cadre_id=payload.cadre_id, period_key=payload.period_key, total=payload.total,
                                percentile=payload.percentile, formula_version=payload.formula_version,
                                computed_at=payload.computed_at)
    await uow.mark_dirty([payload.cadre_id])
    if payload.percentile is None:
        await projections.mark_dirty_index_peers(uow.conn, payload.cadre_id, payload.period_key)


# -- tolerance ------------------------------------------------------------------------------------------
async def on_restriction(payload: tolerance_v1.RestrictionState, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Stores the full state of a restriction; an active promotion bar withdraws open candidacies."""
    await projections.put_restriction(
        uow.conn, restriction_id=payload.restriction_id, cadre_id=payload.cadre_id, effect=payload.effect.value,
        source_type=payload.source_type.value, source_id=payload.source_id, starts_on=payload.starts_on,
        ends_on=payload.ends_on, status=payload.status.value, discretionary_extension=payload.discretionary_extension,
        reason=(payload.reason or "")[:2000] or None)
    today = china_today()
    if (payload.status.value == "ACTIVE" and payload.effect.value in RANK_BLOCKING_EFFECTS
            and (payload.ends_on is None or payload.ends_on >= today)):
        await withdraw_candidacies(uow, cadre_id=payload.cadre_id, today=today,
                                   reason=f"restriction {payload.restriction_id} ({payload.effect.value})")
    await uow.mark_dirty([payload.cadre_id])


async def _ladder(uow: RankUnitOfWork, cadre: Cadre, day: dt.date) -> Any:
    series = CATEGORY_SERIES.get(cadre.category)
    return (await uow.ladders(day))[series] if series else None


async def _demote_for_sanction(uow: RankUnitOfWork, payload: tolerance_v1.SanctionState) -> None:
    source = f"sanction/{payload.sanction_id}"
    if await uow.demotions.by_source(source) is not None:
        return
    cadre = await _cadre(uow, payload.cadre_id, "sanction_effective")
    ladder = await _ladder(uow, cadre, payload.effective_on)
    if ladder is None or cadre.rank_code is None:
        return  # no rank ladder (政府雇员, 聘任制) or no rank recorded: nothing to lower here
    reason = {"DISMISSAL_FROM_POST": "DISMISSAL_FROM_POST", "DEMOTION": "DEMOTION"}.get(
        payload.type.value, "DEMOTION" if payload.demotes_rank else "LEVEL_DEMOTION")
    if not payload.demotes_rank:
        reason = "LEVEL_DEMOTION"
    demotion = Demotion(id=new_id(), cadre_id=cadre.id, source=source, reason=reason)
    try:
        demotion.execute(cadre, effective_date=payload.effective_on, ladder=ladder, lower_level=payload.demotes_level)
    except RuleViolation as exc:
        if exc.rule != "rank.bottom" or cadre.level is None:
            raise PermanentEventError(f"sanction {payload.sanction_id}: {exc.message}") from None
        demotion.reason = "LEVEL_DEMOTION"  # the entry rank cannot go lower: the level is lowered instead
        demotion.execute(cadre, effective_date=payload.effective_on, ladder=ladder)
    await uow.demotions.add(demotion)
    await uow.cadres.save(cadre)


# 免职 (organizational handling) and 撤职 (政务处分法 §19; 《中国共产党纪律处分条例》 撤销党内职务) end the leadership post.
POST_ENDING = frozenset({"REMOVAL_FROM_POST", "DISMISSAL_FROM_POST"})


async def _end_post_for_sanction(uow: RankUnitOfWork, payload: tolerance_v1.SanctionState) -> None:
    """Ends the cadre's leadership post on the sanction's effective date, once (by the sanction as source)."""
    source = f"sanction/{payload.sanction_id}"
    cadre = await _cadre(uow, payload.cadre_id, "sanction_effective")
    if cadre.post_code is None or any(h.source_ref == source for h in cadre.post_holdings):
        return
    day = cadre.effective_after_current(payload.effective_on, posts=True)
    cadre.add_post(post_code=None, since=day, basis="REMOVAL", today=day, source_ref=source, system=True)
    await uow.cadres.save(cadre)


async def _restore_post(uow: RankUnitOfWork, sanction_id: str, cadre_id: str, day: dt.date) -> None:
    """A post ended by a sanction that is revoked comes back (政务处分法 §60), unless a later change replaced it."""
    source = f"sanction/{sanction_id}"
    cadre = await _cadre(uow, cadre_id, "sanction_revoked")
    holdings = sorted(cadre.post_holdings, key=lambda h: h.since)
    ended = next((i for i, h in enumerate(holdings) if h.source_ref == source), None)
    if ended is None or ended == 0 or holdings[-1] is not holdings[ended]:
        return  # never ended here, or the register moved on since (a reinstatement, a new appointment)
    before = holdings[ended - 1]
    restored_on = cadre.effective_after_current(day, posts=True)
    cadre.add_post(post_code=before.post_code, since=restored_on, basis="RESTORATION", today=restored_on,
                   hardship=before.hardship, source_ref=f"{source}/revoked", system=True)
    await uow.cadres.save(cadre)


async def on_sanction_effective(payload: tolerance_v1.SanctionEffective, event: CloudEvent,
                                uow: RankUnitOfWork) -> None:
    """Stores the sanction; 撤职 and 降职 demote one rank (降级 one level), not restored when the period ends."""
    await projections.put_sanction(uow.conn, sanction_id=payload.sanction_id, cadre_id=payload.cadre_id,
                                   system=payload.system.value, type=payload.type.value,
                                   effective_on=payload.effective_on, ends_on=payload.ends_on,
                                   demotes_rank=payload.demotes_rank, demotes_level=payload.demotes_level,
                                   status="EFFECTIVE")
    if not await projections.cadre_exists(uow.conn, payload.cadre_id):
        return
    if payload.demotes_rank or payload.demotes_level:
        await _demote_for_sanction(uow, payload)
    if payload.type.value in POST_ENDING:
        await _end_post_for_sanction(uow, payload)
    if payload.type.value == "EXPULSION":
        cadre = await _cadre(uow, payload.cadre_id, "sanction_effective")
        if cadre.active:
            cadre.update(today=max(china_today(), payload.effective_on), active=False)
            await uow.cadres.save(cadre)
    await uow.mark_dirty([payload.cadre_id])


async def on_sanction_expired(payload: tolerance_v1.SanctionExpired, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Records the end of the influence period; a rank or level lowered by 撤职/降职/降级 is not restored."""
    await projections.put_sanction(uow.conn, sanction_id=payload.sanction_id, cadre_id=payload.cadre_id,
                                   system=payload.system.value, type=payload.type.value,
                                   effective_on=payload.effective_on, ends_on=payload.ends_on,
                                   demotes_rank=payload.demotes_rank, demotes_level=payload.demotes_level,
                                   status="EXPIRED")
    if (payload.demotes_rank or payload.demotes_level) and await projections.cadre_exists(uow.conn, payload.cadre_id):
        # The effective event may have been skipped as stale after a redelivery reordered them: the
        # demotion still stands (it is not restored at expiry), so apply it once now.
        await _demote_for_sanction(uow, payload)
    await uow.mark_dirty([payload.cadre_id])


async def _undo(uow: RankUnitOfWork, sanction_id: str, cadre_id: str, day: dt.date) -> None:
    demotion = await uow.demotions.by_source(f"sanction/{sanction_id}")
    if demotion is None:
        return
    cadre = await _cadre(uow, cadre_id, "sanction change")
    if demotion.reverse(cadre, effective_date=day, ladder=await _ladder(uow, cadre, day)):
        await uow.cadres.save(cadre)
        await uow.demotions.save(demotion)


async def on_sanction_revoked(payload: tolerance_v1.SanctionRevoked, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """A sanction revoked on appeal: the rank and level it lowered are restored (政务处分法 §60)."""
    await projections.put_sanction(uow.conn, sanction_id=payload.sanction_id, cadre_id=payload.cadre_id,
                                   system=payload.system.value, type=payload.type.value,
                                   effective_on=payload.effective_on, ends_on=payload.ends_on,
                                   demotes_rank=payload.demotes_rank, demotes_level=payload.demotes_level,
                                   status="REVOKED")
    if await projections.cadre_exists(uow.conn, payload.cadre_id):
        await _undo(uow, payload.sanction_id, payload.cadre_id, payload.revoked_on)
        if payload.type.value in POST_ENDING:
            await _restore_post(uow, payload.sanction_id, payload.cadre_id, payload.revoked_on)
    await uow.mark_dirty([payload.cadre_id])


async def on_sanction_varied(payload: tolerance_v1.SanctionVaried, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """A sanction varied on appeal (never heavier): a demotion it no longer carries is restored."""
    await projections.put_sanction(uow.conn, sanction_id=payload.sanction_id, cadre_id=payload.cadre_id,
                                   system=payload.system.value, type=payload.type.value,
                                   effective_on=payload.effective_on, ends_on=payload.ends_on,
                                   demotes_rank=payload.demotes_rank, demotes_level=payload.demotes_level,
                                   status="EFFECTIVE")
    if await projections.cadre_exists(uow.conn, payload.cadre_id):
        existing = await uow.demotions.by_source(f"sanction/{payload.sanction_id}")
        if existing is not None and not payload.demotes_rank and existing.reason != "LEVEL_DEMOTION":
            await _undo(uow, payload.sanction_id, payload.cadre_id, china_today())
        elif existing is None and (payload.demotes_rank or payload.demotes_level):
            await _demote_for_sanction(uow, payload)
    await uow.mark_dirty([payload.cadre_id])


async def on_investigation_opened(payload: tolerance_v1.InvestigationOpened, event: CloudEvent,
                                  uow: RankUnitOfWork) -> None:
    """An investigation is open: promotion is barred and open candidacies are withdrawn."""
    await _opened(uow, case_id=payload.case_id, cadre_id=payload.cadre_id, opened_on=payload.opened_on,
                  investigation_id=payload.investigation_id)


async def _opened(uow: RankUnitOfWork, *, case_id: str, cadre_id: str, opened_on: dt.date,
                  investigation_id: str | None) -> None:
    await projections.open_investigation(uow.conn, case_id=case_id, cadre_id=cadre_id, opened_on=opened_on,
                                         investigation_id=investigation_id)
    if await projections.is_open(uow.conn, case_id):
        await withdraw_candidacies(uow, cadre_id=cadre_id, today=china_today(), reason=f"investigation {case_id} open")
    await uow.mark_dirty([cadre_id])


async def on_investigation_closed(payload: tolerance_v1.InvestigationClosed, event: CloudEvent,
                                  uow: RankUnitOfWork) -> None:
    """An investigation closed: the bar it put on promotion ends."""
    await projections.close_investigation(uow.conn, case_id=payload.case_id, cadre_id=payload.cadre_id,
                                          closed_on=payload.closed_on, result=payload.result,
                                          opened_on=payload.opened_on)
    await uow.mark_dirty([payload.cadre_id])


async def on_reinstatement_approved(payload: tolerance_v1.ReinstatementApproved, event: CloudEvent,
                                    uow: RankUnitOfWork) -> None:
    """Re-use after a mistake (复出): the approved post (and rank, if named) is recorded once."""
    source = f"reinstatement/{payload.reinstatement_id}"
    cadre = await _cadre(uow, payload.cadre_id, "reinstatement_approved")
    if any(h.source_ref == source for h in (*cadre.post_holdings, *cadre.rank_holdings)):
        return
    if payload.target_post not in POSTS:
        raise PermanentEventError(f"reinstatement {payload.reinstatement_id}: unknown post {payload.target_post}")
    day = cadre.effective_after_current(payload.decided_on, posts=True)
    if cadre.post_code != payload.target_post:
        cadre.add_post(post_code=payload.target_post, since=day, basis="REINSTATEMENT", today=day, source_ref=source,
                       system=True)
    if payload.target_rank and payload.target_rank != cadre.rank_code:
        ladder = await _ladder(uow, cadre, payload.decided_on)
        if ladder is None or ladder.get(payload.target_rank) is None:
            raise PermanentEventError(f"reinstatement {payload.reinstatement_id}: rank {payload.target_rank} is not "
                                      "on the cadre's ladder")
        when = cadre.effective_after_current(payload.decided_on)
        cadre.add_rank(rank_code=payload.target_rank, since=when, basis="REINSTATEMENT", ladder=ladder, today=when,
                       source_ref=source, system=True)
    await uow.cadres.save(cadre)
    await uow.mark_dirty([cadre.id])


# -- petitions ------------------------------------------------------------------------------------------
async def on_case_opened(payload: petitions_v1.CaseOpened, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """A formal case (立案审查调查) about a cadre: the same bar as an open investigation."""
    await _opened(uow, case_id=payload.case_id, cadre_id=payload.cadre_id, opened_on=payload.opened_on,
                  investigation_id=None)


async def on_report_closed(payload: petitions_v1.ReportClosed, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """A report closed with its outcome: the cases it opened are concluded (the outcome itself bars nothing)."""
    sole = payload.cadre_outcomes[0].cadre_id if len(payload.cadre_outcomes) == 1 else None
    cadres = await projections.close_cases(uow.conn, case_ids=payload.case_ids, closed_on=payload.closed_on,
                                           result=payload.outcome.value, sole_cadre=sole)
    cadres += await projections.close_xinfang(uow.conn, report_ids=[payload.report_id], closed_on=payload.closed_on,
                                              closed_by=f"report/{payload.report_id}")
    await uow.mark_dirty(sorted(set(cadres)))


async def on_xinfang_about_cadre(payload: petitions_v1.XinfangAboutCadre, event: CloudEvent,
                                 uow: RankUnitOfWork) -> None:
    """信访 about cadres (信访工作条例 §30): a review flag for selection supervision, shown with eligibility; never a bar."""
    await projections.flag_xinfang(uow.conn, report_id=payload.report_id, cadre_ids=payload.cadre_ids,
                                   received_on=payload.received_on)
    await uow.mark_dirty(payload.cadre_ids)


async def on_clarification_executed(payload: petitions_v1.ClarificationExecuted, event: CloudEvent,
                                    uow: RankUnitOfWork) -> None:
    """澄清正名: recorded (never used against the cadre, e.g. in 期满影响使用 decisions); closes the reports' flags."""
    await projections.put_clarification(uow.conn, clarification_id=payload.clarification_id, cadre_id=payload.cadre_id,
                                        report_ids=payload.report_ids, executed_on=payload.executed_on)
    await projections.close_xinfang(uow.conn, report_ids=payload.report_ids, closed_on=payload.executed_on,
                                    closed_by=f"clarification/{payload.clarification_id}", cadre_id=payload.cadre_id)
    await uow.mark_dirty([payload.cadre_id])
