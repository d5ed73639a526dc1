"""Statement-request routes: issued by discipline officers, read and answered by the accused cadre only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.audit import PurposeDep
from kernel.auth import Role
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.petitions import views
from services.petitions.api import schemas as s
from services.petitions.api.dependencies import ContextDep, UowDep
from services.petitions.service_layer import commands, statements
from services.petitions.service_layer.access import access_for

router = APIRouter(prefix="/api/v1/statements", tags=["statements"], responses=s.PROBLEM_RESPONSES)
DO = Role.DISCIPLINE_OFFICER


@router.post("", status_code=201, response_model=s.Created, dependencies=[require(DO)])
async def issue_statement(
    body: s.StatementCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Asks an accused cadre to state and defend (or reply to an inquiry letter) by a due date."""
    cmd = commands.IssueStatement(body.report_id, body.cadre_id, body.kind, body.facts, body.due_on)
    return s.Created(**await idem.run(uow, lambda: statements.issue(cmd, uow, principal=principal, today=today)))


@router.get(
    "", response_model=s.StatementPage, response_model_exclude_unset=True, dependencies=[require(DO, Role.CADRE)]
)
async def list_statements(
    conn: ReaderDep,
    runtime: RuntimeDep,
    tools: ContextDep,
    principal: PrincipalDep,
    page: PageDep,
    purpose: PurposeDep,
    report_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.StatementPage:
    """Lists statement requests: addressed to me (cadre), or of reports I handle (discipline officer)."""
    access = await access_for(conn, tools.directory, principal)
    items, cursor = await views.list_statements(conn, access, page, report_id=report_id)
    await runtime.audit_reads(principal, "statement", [i["id"] for i in items], purpose, action="READ_LIST")
    return s.StatementPage(items=[s.StatementRead(**i) for i in items], next_cursor=cursor)


@router.get(
    "/{statement_id}",
    response_model=s.StatementRead,
    response_model_exclude_unset=True,
    dependencies=[require(DO, Role.CADRE)],
)
async def get_statement(
    statement_id: str,
    conn: ReaderDep,
    runtime: RuntimeDep,
    tools: ContextDep,
    principal: PrincipalDep,
    purpose: PurposeDep,
) -> s.StatementRead:
    """Returns one statement request (the accused sees only what staff wrote for them)."""
    access = await access_for(conn, tools.directory, principal)
    item = await views.get_statement(conn, access, statement_id)
    if item is None:
        raise NotFound("statement request not found", field="statement_id", rule="statement.scope")
    await runtime.audit_reads(principal, "statement", [statement_id], purpose)
    return s.StatementRead(**item)


@router.post("/{statement_id}/answer", response_model=s.StateRead, dependencies=[require(Role.CADRE)])
async def answer_statement(
    statement_id: str,
    body: s.StatementAnswer,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Submits my statement and defence."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: statements.answer(
                commands.AnswerStatement(statement_id, body.answer), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{statement_id}/assess", response_model=s.StateRead, dependencies=[require(DO)])
async def assess_statement(
    statement_id: str,
    body: s.StatementAssess,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Marks a statement adopted or not, with the reason."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: statements.assess(
                commands.AssessStatement(statement_id, body.adopted, body.assessment),
                uow,
                principal=principal,
                today=today,
            ),
        )
    )


@router.post("/{statement_id}/waive", response_model=s.StateRead, dependencies=[require(DO)])
async def waive_statement(
    statement_id: str,
    body: s.StatementWaive,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Records that the accused waived the statement, with the reason."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: statements.waive(
                commands.WaiveStatement(statement_id, body.reason), uow, principal=principal, today=today
            ),
        )
    )
