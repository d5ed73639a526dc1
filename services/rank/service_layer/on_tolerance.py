"""What rank does with tolerance's events: restrictions and sanctions feed eligibility; 撤职/降职/降级 demote,
免职/撤职 end the post, 开除 ends the register entry, a revocation restores; investigations bar promotion; an approved
reinstatement records the post (and rank) of re-use.

Called by the consumers (messaging.handlers) in the runner's transaction: no commit. Safe against out-of-order
redelivery: full-state events are guarded by the per-subject watermark, the consequences by state (a demotion per
source decision, a candidate withdrawn only while open)."""

from __future__ import annotations

import datetime as dt

from kernel.contracts import tolerance_v1
from kernel.deps import china_today
from kernel.errors import PermanentEventError, RuleViolation
from kernel.ids import new_id
from services.rank.adapters import projections
from services.rank.domain.eligibility import RANK_BLOCKING_EFFECTS
from services.rank.domain.model import Demotion
from services.rank.domain.rules.ladders import POSTS
from services.rank.service_layer.handlers import known_cadre, ladder_of
from services.rank.service_layer.unit_of_work import RankUnitOfWork
from services.rank.service_layer.withdrawals import withdraw_candidacies


async def restriction(payload: tolerance_v1.RestrictionState, uow: RankUnitOfWork) -> None:
    """Stores the full state of a restriction; an active promotion bar withdraws open candidacies."""
    await projections.put_restriction(
        uow.conn,
        restriction_id=payload.restriction_id,
        cadre_id=payload.cadre_id,
        effect=payload.effect.value,
        source_type=payload.source_type.value,
        source_id=payload.source_id,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        status=payload.status.value,
        discretionary_extension=payload.discretionary_extension,
        reason=(payload.reason or "")[:2000] or None,
    )
    today = china_today()
    if (
        payload.status.value == "ACTIVE"
        and payload.effect.value in RANK_BLOCKING_EFFECTS
        and (payload.ends_on is None or payload.ends_on >= today)
    ):
        await withdraw_candidacies(
            uow,
            cadre_id=payload.cadre_id,
            today=today,
            reason=f"restriction {payload.restriction_id} ({payload.effect.value})",
        )
    await uow.mark_dirty([payload.cadre_id])


async def _demote_for_sanction(uow: RankUnitOfWork, payload: tolerance_v1.SanctionState) -> None:
    source = f"sanction/{payload.sanction_id}"
    if await uow.demotions.by_source(source) is not None:
        return
    cadre = await known_cadre(uow, payload.cadre_id, "sanction_effective")
    ladder = await ladder_of(uow, cadre, payload.effective_on)
    if ladder is None or cadre.rank_code is None:
        return  # no rank ladder (政府雇员, 聘任制) or no rank recorded: nothing to lower here
    reason = {"DISMISSAL_FROM_POST": "DISMISSAL_FROM_POST", "DEMOTION": "DEMOTION"}.get(
        payload.type.value, "DEMOTION" if payload.demotes_rank else "LEVEL_DEMOTION"
    )
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
    cadre = await known_cadre(uow, payload.cadre_id, "sanction_effective")
    if cadre.post_code is None or any(h.source_ref == source for h in cadre.post_holdings):
        return
    day = cadre.effective_after_current(payload.effective_on, posts=True)
    cadre.add_post(post_code=None, since=day, basis="REMOVAL", today=day, source_ref=source, system=True)
    await uow.cadres.save(cadre)


async def _restore_post(uow: RankUnitOfWork, sanction_id: str, cadre_id: str, day: dt.date) -> None:
    """A post ended by a sanction that is revoked comes back (政务处分法 §60), unless a later change replaced it."""
    source = f"sanction/{sanction_id}"
    cadre = await known_cadre(uow, cadre_id, "sanction_revoked")
    holdings = sorted(cadre.post_holdings, key=lambda h: h.since)
    ended = next((i for i, h in enumerate(holdings) if h.source_ref == source), None)
    if ended is None or ended == 0 or holdings[-1] is not holdings[ended]:
        return  # never ended here, or the register moved on since (a reinstatement, a new appointment)
    before = holdings[ended - 1]
    restored_on = cadre.effective_after_current(day, posts=True)
    cadre.add_post(
        post_code=before.post_code,
        since=restored_on,
        basis="RESTORATION",
        today=restored_on,
        hardship=before.hardship,
        source_ref=f"{source}/revoked",
        system=True,
    )
    await uow.cadres.save(cadre)


async def _store_sanction(uow: RankUnitOfWork, payload: tolerance_v1.SanctionState, status: str) -> None:
    """Keeps the sanction's state in rank's projection (the same row for every event of its life)."""
    await projections.put_sanction(
        uow.conn,
        sanction_id=payload.sanction_id,
        cadre_id=payload.cadre_id,
        system=payload.system.value,
        type=payload.type.value,
        effective_on=payload.effective_on,
        ends_on=payload.ends_on,
        demotes_rank=payload.demotes_rank,
        demotes_level=payload.demotes_level,
        status=status,
    )


async def sanction_effective(payload: tolerance_v1.SanctionEffective, uow: RankUnitOfWork) -> None:
    """Stores the sanction; 撤职 and 降职 demote one rank (降级 one level), not restored when the period ends."""
    await _store_sanction(uow, payload, "EFFECTIVE")
    if not await projections.cadre_exists(uow.conn, payload.cadre_id):
        return
    if payload.demotes_rank or payload.demotes_level:
        await _demote_for_sanction(uow, payload)
    if payload.type.value in POST_ENDING:
        await _end_post_for_sanction(uow, payload)
    if payload.type.value == "EXPULSION":
        cadre = await known_cadre(uow, payload.cadre_id, "sanction_effective")
        if cadre.active:
            cadre.update(today=max(china_today(), payload.effective_on), active=False)
            await uow.cadres.save(cadre)
    await uow.mark_dirty([payload.cadre_id])


async def sanction_expired(payload: tolerance_v1.SanctionExpired, uow: RankUnitOfWork) -> None:
    """Records the end of the influence period; a rank or level lowered by 撤职/降职/降级 is not restored."""
    await _store_sanction(uow, payload, "EXPIRED")
    if (payload.demotes_rank or payload.demotes_level) and await projections.cadre_exists(uow.conn, payload.cadre_id):
        # The effective event may have been skipped as stale after a redelivery reordered them: the
        # demotion still stands (it is not restored at expiry), so apply it once now.
        await _demote_for_sanction(uow, payload)
    await uow.mark_dirty([payload.cadre_id])


async def _undo(uow: RankUnitOfWork, sanction_id: str, cadre_id: str, day: dt.date) -> None:
    demotion = await uow.demotions.by_source(f"sanction/{sanction_id}")
    if demotion is None:
        return
    cadre = await known_cadre(uow, cadre_id, "sanction change")
    if demotion.reverse(cadre, effective_date=day, ladder=await ladder_of(uow, cadre, day)):
        await uow.cadres.save(cadre)
        await uow.demotions.save(demotion)


async def sanction_revoked(payload: tolerance_v1.SanctionRevoked, uow: RankUnitOfWork) -> None:
    """A sanction revoked on appeal: the rank and level it lowered are restored (政务处分法 §60)."""
    await _store_sanction(uow, payload, "REVOKED")
    if await projections.cadre_exists(uow.conn, payload.cadre_id):
        await _undo(uow, payload.sanction_id, payload.cadre_id, payload.revoked_on)
        if payload.type.value in POST_ENDING:
            await _restore_post(uow, payload.sanction_id, payload.cadre_id, payload.revoked_on)
    await uow.mark_dirty([payload.cadre_id])


async def sanction_varied(payload: tolerance_v1.SanctionVaried, uow: RankUnitOfWork) -> None:
    """A sanction varied on appeal (never heavier): a demotion it no longer carries is restored."""
    await _store_sanction(uow, payload, "EFFECTIVE")
    if await projections.cadre_exists(uow.conn, payload.cadre_id):
        existing = await uow.demotions.by_source(f"sanction/{payload.sanction_id}")
        if existing is not None and not payload.demotes_rank and existing.reason != "LEVEL_DEMOTION":
            await _undo(uow, payload.sanction_id, payload.cadre_id, china_today())
        elif existing is None and (payload.demotes_rank or payload.demotes_level):
            await _demote_for_sanction(uow, payload)
    await uow.mark_dirty([payload.cadre_id])


async def investigation_opened(payload: tolerance_v1.InvestigationOpened, uow: RankUnitOfWork) -> None:
    """An investigation is open: promotion is barred and open candidacies are withdrawn."""
    await open_case_bar(
        uow,
        case_id=payload.case_id,
        cadre_id=payload.cadre_id,
        opened_on=payload.opened_on,
        investigation_id=payload.investigation_id,
    )


async def open_case_bar(
    uow: RankUnitOfWork, *, case_id: str, cadre_id: str, opened_on: dt.date, investigation_id: str | None
) -> None:
    """An open investigation or formal case bars promotion: open candidacies are withdrawn."""
    await projections.open_investigation(
        uow.conn, case_id=case_id, cadre_id=cadre_id, opened_on=opened_on, investigation_id=investigation_id
    )
    if await projections.is_open(uow.conn, case_id):
        await withdraw_candidacies(uow, cadre_id=cadre_id, today=china_today(), reason=f"investigation {case_id} open")
    await uow.mark_dirty([cadre_id])


async def investigation_closed(payload: tolerance_v1.InvestigationClosed, uow: RankUnitOfWork) -> None:
    """An investigation closed: the bar it put on promotion ends."""
    await projections.close_investigation(
        uow.conn,
        case_id=payload.case_id,
        cadre_id=payload.cadre_id,
        closed_on=payload.closed_on,
        result=payload.result,
        opened_on=payload.opened_on,
    )
    await uow.mark_dirty([payload.cadre_id])


async def reinstatement_approved(payload: tolerance_v1.ReinstatementApproved, uow: RankUnitOfWork) -> None:
    """Re-use after a mistake (复出): the approved post (and rank, if named) is recorded once."""
    source = f"reinstatement/{payload.reinstatement_id}"
    cadre = await known_cadre(uow, payload.cadre_id, "reinstatement_approved")
    if any(h.source_ref == source for h in (*cadre.post_holdings, *cadre.rank_holdings)):
        return
    if payload.target_post not in POSTS:
        raise PermanentEventError(f"reinstatement {payload.reinstatement_id}: unknown post {payload.target_post}")
    day = cadre.effective_after_current(payload.decided_on, posts=True)
    if cadre.post_code != payload.target_post:
        cadre.add_post(
            post_code=payload.target_post, since=day, basis="REINSTATEMENT", today=day, source_ref=source, system=True
        )
    if payload.target_rank and payload.target_rank != cadre.rank_code:
        ladder = await ladder_of(uow, cadre, payload.decided_on)
        if ladder is None or ladder.get(payload.target_rank) is None:
            raise PermanentEventError(
                f"reinstatement {payload.reinstatement_id}: rank {payload.target_rank} is not on the cadre's ladder"
            )
        when = cadre.effective_after_current(payload.decided_on)
        cadre.add_rank(
            rank_code=payload.target_rank,
            since=when,
            basis="REINSTATEMENT",
            ladder=ladder,
            today=when,
            source_ref=source,
            system=True,
        )
    await uow.cadres.save(cadre)
    await uow.mark_dirty([cadre.id])
