"""Investigations mirrored from petitions: opened by case_opened, closed by report_closed or the handling."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.contracts.vocabulary import ReportOutcome, ToleranceDecision
from kernel.errors import Conflict, InvalidTransition, NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.tolerance.domain.events import SourceRef
from services.tolerance.domain.investigation import (
    INVESTIGATION_TRANSITIONS,
    SUBSTANTIATED,
    Investigation,
    InvestigationResult,
    InvestigationStatus,
    classify_result,
    result_for_outcome,
)
from services.tolerance.domain.sanction import DECIDED, PENDING, SanctionStatus
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import cadre_for_action
from services.tolerance.service_layer.incidents import ensure_incident
from services.tolerance.service_layer.sanctions import close_investigation_with, settle_investigations
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork


async def open_investigation(
    uow: ToleranceUnitOfWork, *, case_id: str, report_id: str, cadre_id: str, opened_on: dt.date
) -> None:
    """Mirrors a case opened by petitions (once per case); a report already closed settles it at once."""
    if await uow.investigations.by_case(case_id) is not None:
        return
    investigation, restrictions = Investigation.open(
        investigation_id=new_id(),
        case_id=case_id,
        report_id=report_id,
        cadre_id=cadre_id,
        opened_on=opened_on,
        new_id=lambda: new_id(),
    )
    await uow.investigations.add(investigation)
    await uow.restrictions.add_many(restrictions)
    closed = await uow.projections.report_outcome(report_id=report_id, cadre_id=cadre_id)
    if closed is not None:  # report_closed was applied before this case_opened (out-of-order delivery)
        outcome, closed_on = closed
        await _apply_outcome(
            uow, investigation, ReportOutcome(outcome), report_id=report_id, closed_on=max(closed_on, opened_on)
        )


async def close_for_report(
    uow: ToleranceUnitOfWork,
    *,
    report_id: str,
    case_ids: list[str],
    outcomes: list[tuple[str, ReportOutcome]],
    closed_on: dt.date,
) -> None:
    """Applies a closed report per accused cadre: closes, or waits for the handling of substantiated facts."""
    for cadre_id, outcome in outcomes:
        await uow.projections.record_report_outcome(
            report_id=report_id, cadre_id=cadre_id, outcome=outcome.value, closed_on=closed_on
        )
        if outcome in SUBSTANTIATED:
            await _report_incident(uow, report_id=report_id, cadre_id=cadre_id, closed_on=closed_on)
        for investigation in await uow.investigations.not_closed(
            cadre_id=cadre_id, report_id=report_id, case_ids=case_ids
        ):
            await _apply_outcome(
                uow, investigation, outcome, report_id=report_id, closed_on=max(closed_on, investigation.opened_on)
            )


async def _report_incident(uow: ToleranceUnitOfWork, *, report_id: str, cadre_id: str, closed_on: dt.date) -> str:
    return await ensure_incident(
        uow,
        ref=SourceRef("REPORT", report_id),
        cadre_id=cadre_id,
        occurred_on=closed_on,
        opened_on=closed_on,
        summary=f"substantiated report {report_id}",
    )


async def _apply_outcome(
    uow: ToleranceUnitOfWork,
    investigation: Investigation,
    outcome: ReportOutcome,
    *,
    report_id: str,
    closed_on: dt.date,
) -> None:
    result = result_for_outcome(outcome)
    if result is not None:
        await close_investigation_with(uow, investigation, result=result, on=closed_on)
        return
    incident_id = await _report_incident(uow, report_id=report_id, cadre_id=investigation.cadre_id, closed_on=closed_on)
    if investigation.status is InvestigationStatus.OPEN:
        investigation.conclude(incident_id=incident_id)
        await uow.investigations.save(investigation)
    cases = await uow.cases.for_incident(incident_id, investigation.cadre_id)
    if any(c.decision is ToleranceDecision.EXEMPT for c in cases):
        await close_investigation_with(uow, investigation, result=InvestigationResult.NO_SANCTION, on=closed_on)
    elif await uow.sanctions.for_incident(incident_id, investigation.cadre_id):
        await settle_investigations(uow, incident_id=incident_id, cadre_id=investigation.cadre_id, on=closed_on)


async def close_investigation(
    cmd: commands.CloseInvestigation, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Closes an investigation whose substantiated facts were handled (its result follows the decided measures)."""
    policy = uow.context.policy
    async with uow:
        investigation = await uow.investigations.get(cmd.investigation_id)
        if investigation is None:
            raise NotFound("investigation not found", field="investigation_id", rule="investigation.id")
        await cadre_for_action(uow, principal, investigation.cadre_id)
        if investigation.status is not InvestigationStatus.CONCLUDING:
            # The API closes only a CONCLUDING investigation (the domain also closes an OPEN one on events).
            raise InvalidTransition(
                "investigation",
                investigation.status,
                "close",
                allowed_actions=[
                    a
                    for a in InvalidTransition.allowed(INVESTIGATION_TRANSITIONS, investigation.status)
                    if a != "close"
                ],
            )
        if cmd.closed_on > today or cmd.closed_on < investigation.opened_on:
            raise RuleViolation("closed_on must be between the opening and today", rule="investigation.closed_on")
        sanctions = await uow.sanctions.for_incident(investigation.incident_id or "", investigation.cadre_id)
        if any(s.status in PENDING for s in sanctions):
            raise Conflict(
                "a sanction proposal on the incident is still pending", rule="investigation.pending_sanction"
            )
        decided = [s.type for s in sanctions if s.status in DECIDED and s.status is not SanctionStatus.REVOKED]
        await close_investigation_with(
            uow, investigation, result=classify_result(policy.catalogue, decided), on=cmd.closed_on
        )
        await uow.audit(principal, "CLOSE", "investigation", investigation.id)
        return await uow.commit(state_of(investigation))
