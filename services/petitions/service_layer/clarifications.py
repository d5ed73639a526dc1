"""Clarification (澄清正名): proposal, the cadre's consent, approval of method and scope, execution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from kernel.access import cadre_not_found
from kernel.auth import Principal
from kernel.errors import NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.petitions.domain.clarification import Clarification
from services.petitions.service_layer import commands
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW


async def propose(
    cmd: commands.ProposeClarification, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Proposes a clarification for a cadre found unfounded in concluded reports."""
    async with uow:
        access = await uow.scope.access(principal)
        if await uow.scope.cadre_in_scope(access, cmd.cadre_id) is None:
            raise cadre_not_found()
        if not cmd.report_ids or len(set(cmd.report_ids)) != len(cmd.report_ids):
            raise RuleViolation("name each report once", rule="clarification.reports")
        rows = await uow.reports.concluded_unfounded(cmd.cadre_id, cmd.report_ids)
        if len(rows) != len(cmd.report_ids):
            raise RuleViolation(
                "a clarification follows concluded reports found unfounded for this cadre",
                rule="clarification.report_unfounded",
            )
        for report_id in cmd.report_ids:
            if await uow.clarifications.open_for(cmd.cadre_id, report_id):
                raise RuleViolation(
                    "a clarification of this cadre about this report is already under way",
                    rule="clarification.duplicate",
                )
        clarification = Clarification.propose(
            clarification_id=new_id(),
            cadre_id=cmd.cadre_id,
            report_ids=cmd.report_ids,
            spread=cmd.spread,
            reason="MANUAL",
            today=today,
        )
        await uow.clarifications.add(clarification)
        await uow.audit(principal, "PROPOSE", "clarification", clarification.id)
        return await uow.commit({"id": clarification.id})


async def _load(uow: UOW, principal: Principal, clarification_id: str, *, own: bool = False) -> Clarification:
    clarification = await uow.clarifications.get(clarification_id)
    missing = NotFound("clarification not found", field="clarification_id", rule="clarification.scope")
    if clarification is None:
        raise missing
    if own:
        if clarification.cadre_id != principal.cadre_id:
            raise missing
        return clarification
    access = await uow.scope.access(principal)
    if await uow.scope.cadre_in_scope(access, clarification.cadre_id) is None:
        raise missing
    return clarification


async def _step(
    clarification_id: str,
    uow: UOW,
    *,
    principal: Principal,
    action: str,
    apply: Callable[[Clarification], None],
    own: bool = False,
) -> dict[str, Any]:
    """Runs one step of a clarification (consent by the cadre themself, the others by staff in scope)."""
    async with uow:
        clarification = await _load(uow, principal, clarification_id, own=own)
        apply(clarification)
        await uow.clarifications.save(clarification)
        await uow.audit(principal, action, "clarification", clarification.id)
        return await uow.commit(state_of(clarification))


async def request_consent(cmd: commands.RequestConsent, uow: UOW, *, principal: Principal) -> dict[str, Any]:
    """Asks the cadre for consent."""
    return await _step(
        cmd.clarification_id, uow, principal=principal, action="REQUEST_CONSENT", apply=lambda c: c.request_consent()
    )


async def answer_consent(
    cmd: commands.AnswerConsent, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Gives or refuses the cadre's own consent to their clarification."""
    return await _step(
        cmd.clarification_id,
        uow,
        principal=principal,
        action="CONSENT",
        own=True,
        apply=lambda c: c.answer_consent(consent=cmd.consent, today=today),
    )


async def approve_clarification(
    cmd: commands.ApproveClarification, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Approves the method and a scope at least as wide as the accusation spread."""
    return await _step(
        cmd.clarification_id,
        uow,
        principal=principal,
        action="APPROVE",
        apply=lambda c: c.approve(method=cmd.method, scope=cmd.scope, approved_by=principal.subject, today=today),
    )


async def execute_clarification(
    cmd: commands.ExecuteClarification, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records that the clarification was carried out (emits clarification_executed)."""
    return await _step(
        cmd.clarification_id,
        uow,
        principal=principal,
        action="EXECUTE",
        apply=lambda c: c.execute(executed_on=cmd.executed_on, record_ref=cmd.record_ref, today=today),
    )


async def close_clarification(
    cmd: commands.CloseClarification, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Closes an executed clarification."""
    return await _step(
        cmd.clarification_id, uow, principal=principal, action="CLOSE", apply=lambda c: c.close(today=today)
    )


async def reject_clarification(
    cmd: commands.RejectClarification, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Rejects a proposal, with the reason."""
    return await _step(
        cmd.clarification_id,
        uow,
        principal=principal,
        action="REJECT",
        apply=lambda c: c.reject(reason=cmd.reason, today=today),
    )
