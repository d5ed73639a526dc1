"""Award use cases: automatic proposals from grades, approval, grant, revocation review after serious sanctions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import InvalidTransition, NotFound
from kernel.ids import new_id
from kernel.schemas import state_of
from services.appraisal.domain.assessment import AnnualAssessment
from services.appraisal.domain.award import AWARD_TRANSITIONS, Award
from services.appraisal.domain.periods import quarter_pair
from services.appraisal.domain.rules.awards import proposals_for
from services.appraisal.service_layer import commands
from services.appraisal.service_layer.scope import org_path, visible_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


async def propose_from_grade(uow: AppraisalUnitOfWork, a: AnnualAssessment, *, today: dt.date) -> list[str]:
    """Proposes 嘉奖 for a final 优秀 and 记三等功 for a third 优秀 in a row (once each, by natural key)."""
    if a.final_grade != "EXCELLENT":
        return []
    grades = await uow.assessments.final_grades(a.cadre_id, other_than=a.id)
    merit_rows = await uow.awards.merit_years(a.cadre_id)
    merit_years = frozenset(y - k for y in merit_rows if y is not None for k in range(3))
    created = []
    path = await org_path(uow, a.cadre_id)
    for award_type, basis in proposals_for(a.year, "EXCELLENT", grades, merit_years):
        key = f"{basis}:{a.cadre_id}:{a.year}"
        earlier = await uow.awards.status_of_proposal(key)  # the status of an earlier proposal under this key
        if earlier is not None and earlier != "WITHDRAWN":
            continue
        award = Award.propose(
            award_id=new_id(),
            cadre_id=a.cadre_id,
            org_unit_id=a.org_unit_id,
            type=award_type,
            basis=basis,
            basis_ref=f"annual-assessment/{a.id}",
            year=a.year,
            today=today,
        )
        if earlier is not None:
            # A withdrawn proposal whose 优秀 came back (e.g. after an appeal) is proposed again under a fresh key.
            key = f"{key}:{award.id}"
        await uow.awards.add(award, org_path=path, auto_key=key)
        created.append(award.id)
    return created


async def grade_withdrawn(uow: AppraisalUnitOfWork, a: AnnualAssessment, *, today: dt.date) -> None:
    """An 优秀 was amended away: withdraw its pending proposals and review granted awards based on it."""
    ref = f"annual-assessment/{a.id}"
    for award in await uow.awards.of_cadre(a.cadre_id, lock=True):
        based_on_it = award.basis_ref == ref or (
            award.basis == "THREE_YEARS_EXCELLENT"
            and award.year is not None
            and a.year in range(award.year - 2, award.year + 1)
        )
        if not based_on_it:
            continue
        if award.withdraw(reason="GRADE_AMENDED") or award.open_revocation_review(reason="GRADE_AMENDED"):
            await uow.awards.save(award)


async def sanction_review(uow: AppraisalUnitOfWork, cadre_id: str, sanction_id: str) -> int:
    """Opens a revocation review of every granted award of a cadre after a serious sanction (公务员法 §56(三))."""
    count = 0
    for award in await uow.awards.of_cadre(cadre_id, status="GRANTED", lock=True):
        if award.open_revocation_review(reason=f"SERIOUS_SANCTION:sanction/{sanction_id}"):
            await uow.awards.save(award)
            count += 1
    return count


async def _load(uow: AppraisalUnitOfWork, principal: Principal, award_id: str) -> Award:
    award = await uow.awards.get(award_id, lock=True)
    if award is None:
        raise NotFound("award not found", field="award_id", rule="scope.award")
    await visible_cadre(uow, principal, award.cadre_id)
    return award


async def propose_award(
    cmd: commands.ProposeAward, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Proposes an award for a deed (titles, merits, political honours)."""
    async with uow:
        cadre = await visible_cadre(uow, principal, cmd.cadre_id)
        award = Award.propose(
            award_id=new_id(),
            cadre_id=cadre.cadre_id,
            org_unit_id=cadre.org_unit_id,
            type=cmd.type,
            basis="DEED",
            basis_ref=cmd.basis_ref,
            year=cmd.year,
            today=today,
        )
        await uow.awards.add(award, org_path=cadre.org_path, auto_key=None)
        return await uow.commit(award.id)


async def advance_award(
    cmd: commands.AdvanceAward, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Moves an award along: publicity, approve, grant, review, revoke or keep."""
    award_id, action, reason = cmd.award_id, cmd.action, cmd.reason
    async with uow:
        award = await _load(uow, principal, award_id)
        if action == "publicity":
            award.start_publicity(
                today=today,
                ends_on=uow.context.calendar.add_working_days(today, uow.context.settings.publicity_working_days),
            )
        elif action == "approve":
            award.approve(by=principal.subject, today=today)
        elif action == "grant":
            award.grant(today=today)
            await uow.mark_dirty(quarter_pair(award.cadre_id, today))
        elif action == "review":
            if not award.open_revocation_review(reason=reason or "MANUAL"):
                raise InvalidTransition(
                    "award",
                    award.status,
                    "be reviewed for revocation",
                    allowed_actions=InvalidTransition.allowed(AWARD_TRANSITIONS, award.status),
                )
        elif action == "revoke":
            award.revoke(reason=reason or "", today=today)
            await uow.mark_dirty(quarter_pair(award.cadre_id, award.granted_on))
        elif action == "keep":
            award.keep()
        else:  # pragma: no cover - routes only pass the actions above
            raise ValueError(action)
        await uow.awards.save(award)
        return await uow.commit(state_of(award))
