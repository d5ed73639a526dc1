"""Statement requests: the accused's right to explain and defend, and the questions put to anonymous reporters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import InvalidTransition, NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.petitions.domain.report import REPORT_TRANSITIONS
from services.petitions.domain.statement import StatementRequest
from services.petitions.domain.vocab import StatementKind
from services.petitions.service_layer import commands
from services.petitions.service_layer.access import require_report
from services.petitions.service_layer.deadlines import plan_deadlines
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW


async def issue(cmd: commands.IssueStatement, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Asks an accused cadre for a statement and defence (or an inquiry reply) by a due date."""
    tools = uow.context
    async with uow:
        access = await uow.scope.access(principal)
        await require_report(uow, access, cmd.report_id)
        report = await uow.reports.get(cmd.report_id)
        assert report is not None
        if report.status not in REPORT_TRANSITIONS["request a statement"]:
            raise InvalidTransition(
                "report",
                report.status,
                "request a statement",
                allowed_actions=InvalidTransition.allowed(REPORT_TRANSITIONS, report.status),
            )
        if cmd.cadre_id not in report.accused_cadre_ids:
            raise RuleViolation("statements are requested from a cadre accused in the report", rule="statement.cadre")
        kind = "INQUIRY_REPLY" if cmd.kind == StatementKind.INQUIRY_REPLY else "STATEMENT"
        due = cmd.due_on or tools.deadline_rules[kind].period.after(today, tools.calendar)
        request = StatementRequest.issue(
            statement_id=new_id(),
            report_id=report.id,
            cadre_id=cmd.cadre_id,
            kind=cmd.kind,
            facts=cmd.facts,
            due_on=due,
            requested_by=principal.subject,
            today=today,
        )
        await uow.statements.add(request)
        await plan_deadlines(uow, request.events, org_unit_id=report.handling_org_unit_id)
        await uow.audit(principal, "STATEMENT_REQUEST", "statement", request.id)
        return await uow.commit({"id": request.id})


async def _load(uow: UOW, principal: Principal, statement_id: str, *, addressee: bool) -> StatementRequest:
    request = await uow.statements.get(statement_id)
    if request is None:
        raise NotFound("statement request not found", field="statement_id", rule="statement.scope")
    if addressee:
        if request.cadre_id != principal.cadre_id:
            raise NotFound("statement request not found", field="statement_id", rule="statement.scope")
    else:
        access = await uow.scope.access(principal)
        try:
            await require_report(uow, access, request.report_id)
        except NotFound:
            raise NotFound("statement request not found", field="statement_id", rule="statement.scope") from None
    return request


async def _finish(uow: UOW, request: StatementRequest, principal: Principal, action: str) -> dict[str, Any]:
    await uow.statements.save(request)
    unit = await uow.reports.handling_unit(request.report_id)
    await plan_deadlines(uow, request.events, org_unit_id=unit)
    await uow.audit(principal, action, "statement", request.id)
    return await uow.commit(state_of(request))


async def answer(cmd: commands.AnswerStatement, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Records the accused cadre's own statement."""
    async with uow:
        request = await _load(uow, principal, cmd.statement_id, addressee=True)
        request.submit(answer=cmd.text, today=today)
        return await _finish(uow, request, principal, "STATEMENT_ANSWER")


async def assess(cmd: commands.AssessStatement, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Marks a statement adopted or not, with the reason."""
    async with uow:
        request = await _load(uow, principal, cmd.statement_id, addressee=False)
        request.assess(adopted=cmd.adopted, assessment=cmd.assessment, today=today)
        return await _finish(uow, request, principal, "STATEMENT_ASSESS")


async def waive(cmd: commands.WaiveStatement, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Records that the accused waived the statement, with the reason."""
    async with uow:
        request = await _load(uow, principal, cmd.statement_id, addressee=False)
        request.waive(reason=cmd.reason, today=today)
        return await _finish(uow, request, principal, "STATEMENT_WAIVE")
