"""Tolerance case use cases: apply, accept, verify, the collective decision and its effects, follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal, Role
from kernel.contracts.vocabulary import ToleranceDecision
from kernel.errors import Conflict, Forbidden, NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.tolerance.domain.investigation import Incident, InvestigationResult
from services.tolerance.domain.rules.tolerance import Initiator
from services.tolerance.domain.sanction import DECIDED, PENDING
from services.tolerance.domain.tolerance_case import UNDECIDED, ToleranceCase
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import cadre_for_action, own_cadre
from services.tolerance.service_layer.sanctions import close_investigation_with
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork

INITIATOR_ROLES = {
    Initiator.ORG_DEPT: Role.ORG_ADMIN,
    Initiator.DISCIPLINE_COMMISSION: Role.DISCIPLINE_OFFICER,
    Initiator.UNIT: Role.ASSESSOR,
}


def _initiator(principal: Principal, cadre_id: str, requested: Initiator | None) -> Initiator:
    allowed = [i for i, role in INITIATOR_ROLES.items() if principal.has(role)]
    if principal.cadre_id == cadre_id:
        allowed.insert(0, Initiator.SELF)
    if not allowed and principal.has(Role.CADRE):
        raise NotFound("not found", rule="scope.self")  # a cadre applies for themself only
    if requested is None:
        if not allowed:
            raise Forbidden("your role may not apply for this cadre", rule="tolerance.initiator")
        return allowed[0]
    if requested not in allowed:
        raise Forbidden(
            f"your role cannot apply as {requested.value}",
            rule="tolerance.initiator",
            allowed=[i.value for i in allowed],
        )
    return requested


async def apply_for_tolerance(
    cmd: commands.ApplyForTolerance, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Files an application: by the cadre for themselves, or by the unit, discipline body or organization dept."""
    async with uow:
        initiator = _initiator(principal, cmd.cadre_id, cmd.initiator)
        if initiator is Initiator.SELF:
            await own_cadre(uow, principal, cmd.cadre_id)
        else:
            await cadre_for_action(uow, principal, cmd.cadre_id)
        incident = await uow.incidents.get(cmd.incident_id)
        if incident is None or cmd.cadre_id not in incident.cadre_ids:
            raise NotFound("incident not found for this cadre", field="incident_id", rule="incident.id")
        cases = await uow.cases.for_incident(incident.id, cmd.cadre_id)
        if any(c.status in UNDECIDED for c in cases):
            raise Conflict("an application for this incident is already being handled", rule="tolerance.duplicate")
        if any(c.decision in (ToleranceDecision.EXEMPT, ToleranceDecision.MITIGATE) for c in cases):
            raise Conflict("tolerance was already granted for this incident", rule="tolerance.already_granted")
        sanctions = await uow.sanctions.for_incident(incident.id, cmd.cadre_id)
        case = ToleranceCase.apply(
            case_id=new_id(),
            incident_id=incident.id,
            cadre_id=cmd.cadre_id,
            initiator=initiator,
            applied_on=cmd.applied_on,
            today=today,
            statement=cmd.statement,
            grounds=cmd.grounds,
            linked_sanction_decided=any(s.status in DECIDED for s in sanctions),
            incident_occurred_on=incident.occurred_on,
        )
        await uow.cases.add(case, created_by=principal.subject)
        await uow.audit(principal, "APPLY", "tolerance-case", case.id)
        return await uow.commit(case.id)


async def _case_for_action(uow: ToleranceUnitOfWork, principal: Principal, case_id: str) -> ToleranceCase:
    case = await uow.cases.get(case_id)
    if case is None:
        raise NotFound("tolerance case not found", field="case_id", rule="tolerance_case.id")
    await cadre_for_action(uow, principal, case.cadre_id)
    return case


async def accept_case(
    cmd: commands.AcceptCase, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Accepts an application for verification, or declines it with a reason."""
    async with uow:
        case = await _case_for_action(uow, principal, cmd.case_id)
        case.accept(accepted=cmd.accepted, on=cmd.on, today=today, note=cmd.note)
        await uow.cases.save(case)
        await uow.audit(principal, "ACCEPT" if cmd.accepted else "DECLINE", "tolerance-case", case.id)
        return await uow.commit(state_of(case))


async def record_checklist(
    cmd: commands.RecordChecklist, uow: ToleranceUnitOfWork, *, principal: Principal
) -> dict[str, Any]:
    """Records the verification checklist with evidence per condition and exclusion."""
    async with uow:
        case = await _case_for_action(uow, principal, cmd.case_id)
        case.record_checklist(
            conditions=dict(cmd.conditions),
            exclusions=dict(cmd.exclusions),
            verification_report_ref=cmd.verification_report_ref,
        )
        await uow.cases.save(case)
        await uow.audit(principal, "VERIFY", "tolerance-case", case.id)
        return await uow.commit(state_of(case))


async def decide_case(
    cmd: commands.DecideCase, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records the collective decision; EXEMPT withdraws pending sanctions, MITIGATE lowers them."""
    policy = uow.context.policy
    async with uow:
        case = await _case_for_action(uow, principal, cmd.case_id)
        entry = await cadre_for_action(uow, principal, case.cadre_id)  # its relatives must recuse
        incident = await uow.incidents.get(case.incident_id)
        assert incident is not None
        sanctions = await uow.sanctions.for_incident(case.incident_id, case.cadre_id)
        pending = [s for s in sanctions if s.status in PENDING]
        case.decide(
            decision=cmd.decision,
            reasons=cmd.reasons,
            on=cmd.decided_on,
            today=today,
            body=cmd.body,
            body_size=cmd.body_size,
            members=cmd.members,
            rules=policy.decision_rules,
            relative_ids=entry.relative_ids,
            linked_sanction_decided=any(s.status in DECIDED for s in sanctions),
            mitigated_to=cmd.mitigated_to,
            publication_scope=cmd.publication_scope,
            source_refs=incident.source_refs,
        )
        if cmd.decision is ToleranceDecision.EXEMPT:
            for sanction in pending:
                sanction.withdraw(on=cmd.decided_on, reason=f"TOLERATED:{case.id}")
                await uow.sanctions.save(sanction)
            await _close_investigations(uow, incident, case.cadre_id, cmd.decided_on)
        elif cmd.decision is ToleranceDecision.MITIGATE:
            for sanction in pending:
                sanction.mitigate(policy.catalogue, case_id=case.id, to_type=cmd.mitigated_to)
                await uow.sanctions.save(sanction)
        await uow.cases.save(case)
        await uow.audit(principal, "DECIDE", "tolerance-case", case.id)
        return await uow.commit(state_of(case))


async def _close_investigations(uow: ToleranceUnitOfWork, incident: Incident, cadre_id: str, on: dt.date) -> None:
    # A tolerated incident leaves no bar: investigations about it (by incident or by its report) close.
    reports = [r.id for r in incident.source_refs if r.type == "REPORT"]
    seen = set()
    for report_id in [None, *reports]:
        for investigation in await uow.investigations.not_closed(
            cadre_id=cadre_id, incident_id=incident.id, report_id=report_id
        ):
            if investigation.id in seen:
                continue
            seen.add(investigation.id)
            await close_investigation_with(
                uow, investigation, result=InvestigationResult.NO_SANCTION, on=max(on, investigation.opened_on)
            )


STEP_ACTIONS = ("submit", "notify", "file", "correction-plan", "correction-done", "close")


async def advance_case(
    cmd: commands.CaseStep, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Runs one dated step: submit for decision, notify, file upward, correction plan and its completion, close."""
    async with uow:
        case = await _case_for_action(uow, principal, cmd.case_id)
        if cmd.action == "submit":
            case.submit(on=cmd.on, today=today)
        elif cmd.action == "notify":
            case.notify(on=cmd.on, today=today)
        elif cmd.action == "file":
            case.file_upward(on=cmd.on, today=today, publication_scope=cmd.publication_scope or "")
        elif cmd.action == "correction-plan":
            assert cmd.plan is not None and cmd.due_on is not None
            case.open_correction(plan=cmd.plan, due_on=cmd.due_on, today=today)
        elif cmd.action == "correction-done":
            case.complete_correction(on=cmd.on, today=today, follow_up=cmd.follow_up or "")
        elif cmd.action == "close":
            case.close(on=cmd.on, today=today)
        else:
            raise RuleViolation(f"unknown step {cmd.action}", rule="tolerance_case.step")
        await uow.cases.save(case)
        await uow.audit(principal, cmd.action.upper().replace("-", "_"), "tolerance-case", case.id)
        return await uow.commit(state_of(case))
