"""False-accusation cases (诬告陷害 vs 错告): opening, investigation, approval at the configured level, referral."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.petitions.domain.clarification import Clarification
from services.petitions.domain.false_accusation import FalseAccusationCase
from services.petitions.domain.rules.approval import tier_of
from services.petitions.domain.vocab import OUTCOME_STATES
from services.petitions.service_layer import commands
from services.petitions.service_layer.access import require_report
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW


async def _accuser_known(uow: UOW, cadre_id: str | None) -> None:
    if cadre_id is None:
        return
    if not await uow.directory.has_cadre(cadre_id):
        raise RuleViolation("unknown accuser cadre", rule="false_accusation.accuser")


async def open_case(
    cmd: commands.OpenFalseAccusation, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Opens a case about the reporter of a concluded report whose accusation proved unfounded."""
    async with uow:
        access = await uow.scope.access(principal)
        await require_report(uow, access, cmd.origin_report_id)
        report = await uow.reports.get(cmd.origin_report_id)
        assert report is not None
        victims = [a.cadre_id for a in report.accused if a.outcome == "UNFOUNDED"]
        if report.status not in OUTCOME_STATES or not victims:
            raise RuleViolation(
                "a false-accusation case follows a concluded report found unfounded",
                rule="false_accusation.origin_unfounded",
            )
        await _accuser_known(uow, cmd.accuser_cadre_id)
        case = FalseAccusationCase.open(
            case_id=new_id(),
            origin_report_id=report.id,
            victim_cadre_ids=victims,
            grounds=cmd.grounds,
            accuser_is_cadre=cmd.accuser_is_cadre,
            accuser_cadre_id=cmd.accuser_cadre_id,
            opened_by=principal.subject,
            today=today,
        )
        await uow.false_accusations.add(case)
        await uow.audit(principal, "OPEN", "false-accusation", case.id)
        return await uow.commit({"id": case.id})


async def _load(uow: UOW, principal: Principal, case_id: str) -> FalseAccusationCase:
    case = await uow.false_accusations.get(case_id)
    if case is None:
        raise NotFound("false-accusation case not found", field="case_id", rule="false_accusation.scope")
    access = await uow.scope.access(principal)
    try:
        await require_report(uow, access, case.origin_report_id)
    except NotFound:
        raise NotFound("false-accusation case not found", field="case_id", rule="false_accusation.scope") from None
    return case


async def _finish(uow: UOW, case: FalseAccusationCase, principal: Principal, action: str) -> dict[str, Any]:
    await uow.false_accusations.save(case)
    await uow.audit(principal, action, "false-accusation", case.id)
    return await uow.commit(state_of(case))


async def investigate(cmd: commands.InvestigateFalseAccusation, uow: UOW, *, principal: Principal) -> dict[str, Any]:
    """Starts the investigation."""
    async with uow:
        case = await _load(uow, principal, cmd.case_id)
        await _accuser_known(uow, cmd.accuser_cadre_id)
        case.investigate(accuser_is_cadre=cmd.accuser_is_cadre, accuser_cadre_id=cmd.accuser_cadre_id)
        return await _finish(uow, case, principal, "INVESTIGATE")


async def submit(cmd: commands.SubmitFalseAccusation, uow: UOW, *, principal: Principal) -> dict[str, Any]:
    """Submits the findings for approval."""
    async with uow:
        case = await _load(uow, principal, cmd.case_id)
        case.submit(findings=cmd.findings, proposed=cmd.proposed, submitted_by=principal.subject)
        return await _finish(uow, case, principal, "SUBMIT")


async def _tier(uow: UOW, unit_id: str | None) -> str | None:
    path = await uow.directory.unit_path(unit_id)
    if not path:
        return None
    ids = [p for p in path.split("/") if p]
    levels = await uow.directory.agency_levels(ids)
    return tier_of([levels[i] for i in reversed(ids) if i in levels])


async def decide(
    cmd: commands.DecideFalseAccusation, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Approves a classification; a confirmed false accusation proposes the victims' clarification."""
    tools = uow.context
    async with uow:
        case = await _load(uow, principal, cmd.case_id)
        case.decide(
            classification=cmd.classification,
            approver=principal.subject,
            approver_tier=await _tier(uow, principal.unit_id),
            required_tier=tools.settings.false_accusation_approval_tier,
            today=today,
        )
        if case.status == "CONFIRMED_FALSE_ACCUSATION":
            report = await uow.reports.get(case.origin_report_id)
            spread = (report.accusation_spread if report else None) or "UNIT"
            for cadre_id in case.victim_cadre_ids:
                if not await uow.clarifications.open_for(cadre_id, case.origin_report_id):
                    await uow.clarifications.add(
                        Clarification.propose(
                            clarification_id=new_id(),
                            cadre_id=cadre_id,
                            report_ids=[case.origin_report_id],
                            spread=spread,
                            reason="FALSE_ACCUSATION",
                            today=today,
                        )
                    )
        return await _finish(uow, case, principal, "DECIDE")


async def refer(cmd: commands.ReferFalseAccuser, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Records the referral of a confirmed false accuser."""
    async with uow:
        case = await _load(uow, principal, cmd.case_id)
        case.refer(referral=cmd.referral, note=cmd.note, today=today)
        return await _finish(uow, case, principal, "REFER")


async def close(
    cmd: commands.CloseFalseAccusation, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Closes a referred case."""
    async with uow:
        case = await _load(uow, principal, cmd.case_id)
        case.close(today=today)
        return await _finish(uow, case, principal, "CLOSE")
