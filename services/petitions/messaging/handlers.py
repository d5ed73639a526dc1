"""Handlers of the events petitions consumes: tolerance exemptions close linked reports; decisions other services
own are kept so that appeals against them can be checked (existence, appellant, date, what was decided)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from kernel.contracts import appraisal_v1, rank_v1, tolerance_v1
from kernel.contracts.vocabulary import AppealTarget, SanctionSystem, ToleranceDecision
from kernel.directory import directory_handlers
from kernel.envelope import CloudEvent
from kernel.errors import DomainError, PermanentEventError
from services.petitions.service_layer import reports
from services.petitions.service_layer.access import DIRECTORY_TABLES
from services.petitions.service_layer.mirrors import keep_decision

log = logging.getLogger("petitions.messaging")

SYSTEM_TARGET = {
    SanctionSystem.GOV: AppealTarget.GOV_SANCTION,
    SanctionSystem.CIVIL_SERVICE: AppealTarget.CS_SANCTION,
    SanctionSystem.PARTY: AppealTarget.PARTY_DISCIPLINE,
    SanctionSystem.ORG_HANDLING: AppealTarget.ORG_HANDLING,
    SanctionSystem.ACCOUNTABILITY: AppealTarget.ACCOUNTABILITY,
    SanctionSystem.ADMONISHMENT: AppealTarget.ORG_HANDLING,
}
HandlerFn = Callable[[Any, CloudEvent, Any], Awaitable[None]]
# The cadre directory and org tree, kept from rank's register for scoping (kernel.directory).
DIRECTORY_HANDLERS = directory_handlers(DIRECTORY_TABLES)


def on_sanction(status: str) -> HandlerFn:
    """Keeps a sanction's current state (full-state events: the watermark guard drops stale ones)."""

    async def handle(payload: tolerance_v1.SanctionState, _event: CloudEvent, uow: Any) -> None:
        await keep_decision(
            uow,
            ref=f"sanction/{payload.sanction_id}",
            target=SYSTEM_TARGET[payload.system],
            cadre_id=payload.cadre_id,
            value=payload.type.value,
            decided_on=payload.effective_on,
            status=status,
        )

    return handle


async def on_grade_finalized(payload: appraisal_v1.GradeFinalized, _event: CloudEvent, uow: Any) -> None:
    """Keeps the latest annual grade of an assessment."""
    await keep_decision(
        uow,
        ref=f"annual-assessment/{payload.assessment_id}",
        target=AppealTarget.ANNUAL_GRADE,
        cadre_id=payload.cadre_id,
        value=payload.grade.value,
        decided_on=payload.finalized_on,
        status="AMENDED" if payload.amended else "EFFECTIVE",
    )


async def on_contract_terminated(payload: rank_v1.ContractTerminated, _event: CloudEvent, uow: Any) -> None:
    """Keeps a contract termination (a dispute may go to arbitration within 60 days)."""
    await keep_decision(
        uow,
        ref=f"contract/{payload.contract_id}",
        target=AppealTarget.CONTRACT,
        cadre_id=payload.cadre_id,
        value="TERMINATE",
        decided_on=payload.terminated_on,
        status="EFFECTIVE",
    )


async def on_contract_renewal(payload: rank_v1.ContractRenewalDecided, _event: CloudEvent, uow: Any) -> None:
    """Keeps a renewal decision (not renewed, or renewed one level down, may be disputed)."""
    await keep_decision(
        uow,
        ref=f"contract/{payload.contract_id}",
        target=AppealTarget.CONTRACT,
        cadre_id=payload.cadre_id,
        value=payload.outcome.value,
        decided_on=payload.decided_on,
        status="EFFECTIVE",
    )


async def on_tolerance_granted(payload: tolerance_v1.ToleranceGranted, _event: CloudEvent, uow: Any) -> None:
    """An exemption (EXEMPT) closes the linked report for that cadre with outcome TOLERATED (docs/rules.md §5.15)."""
    if payload.decision != ToleranceDecision.EXEMPT:
        return  # a mitigated sanction's own restriction still applies; the report keeps its outcome
    for ref in payload.source_refs:
        if ref.type != "REPORT":
            continue
        try:
            changed = await reports.tolerate(ref.id, payload.cadre_id, payload.decided_on, uow)
        except DomainError as exc:
            # Never retried: the report or cadre does not match; ids only in the dead letter.
            raise PermanentEventError(f"tolerance case {payload.case_id}: {exc.rule}") from None
        if not changed:
            log.info("tolerance already applied", extra={"report_id": ref.id, "case_id": payload.case_id})
