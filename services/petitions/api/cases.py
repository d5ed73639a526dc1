"""False-accusation and clarification routes."""

from __future__ import annotations

from fastapi import APIRouter

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
from services.petitions.service_layer import clarifications, commands, false_accusations
from services.petitions.service_layer.access import access_for

fa_router = APIRouter(prefix="/api/v1/false-accusations", tags=["false-accusations"], responses=s.PROBLEM_RESPONSES)
cl_router = APIRouter(prefix="/api/v1/clarifications", tags=["clarifications"], responses=s.PROBLEM_RESPONSES)
DO, OA = Role.DISCIPLINE_OFFICER, Role.ORG_ADMIN


# -- false accusations ----------------------------------------------------------------------------------------
@fa_router.post("", status_code=201, response_model=s.Created, dependencies=[require(DO)])
async def open_false_accusation(
    body: s.FalseAccusationCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Opens a case when fabrication of an unfounded accusation is suspected."""
    cmd = commands.OpenFalseAccusation(
        body.origin_report_id, body.grounds, body.accuser_is_cadre, body.accuser_cadre_id
    )
    return s.Created(
        **await idem.run(uow, lambda: false_accusations.open_case(cmd, uow, principal=principal, today=today))
    )


@fa_router.get("", response_model=s.FalseAccusationPage, dependencies=[require(DO, Role.AUDITOR)])
async def list_false_accusations(
    conn: ReaderDep, runtime: RuntimeDep, tools: ContextDep, principal: PrincipalDep, page: PageDep, purpose: PurposeDep
) -> s.FalseAccusationPage:
    """Lists false-accusation cases in scope."""
    access = await access_for(conn, tools.directory, principal)
    items, cursor = await views.list_false_accusations(conn, access, page)
    await runtime.audit_reads(principal, "false-accusation", [i["id"] for i in items], purpose, action="READ_LIST")
    return s.FalseAccusationPage(items=[s.FalseAccusationRead(**i) for i in items], next_cursor=cursor)


@fa_router.get("/{case_id}", response_model=s.FalseAccusationRead, dependencies=[require(DO, Role.AUDITOR)])
async def get_false_accusation(
    case_id: str, conn: ReaderDep, runtime: RuntimeDep, tools: ContextDep, principal: PrincipalDep, purpose: PurposeDep
) -> s.FalseAccusationRead:
    """Returns one false-accusation case."""
    access = await access_for(conn, tools.directory, principal)
    item = await views.get_false_accusation(conn, access, case_id)
    if item is None:
        raise NotFound("false-accusation case not found", field="case_id", rule="false_accusation.scope")
    await runtime.audit_reads(principal, "false-accusation", [case_id], purpose)
    return s.FalseAccusationRead(**item)


@fa_router.post("/{case_id}/investigate", response_model=s.StateRead, dependencies=[require(DO)])
async def investigate_false_accusation(
    case_id: str, body: s.FalseAccusationInvestigate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> s.StateRead:
    """Starts the investigation (recording who the accuser is, once known)."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: false_accusations.investigate(
                commands.InvestigateFalseAccusation(case_id, body.accuser_is_cadre, body.accuser_cadre_id),
                uow,
                principal=principal,
            ),
        )
    )


@fa_router.post("/{case_id}/submit", response_model=s.StateRead, dependencies=[require(DO)])
async def submit_false_accusation(
    case_id: str, body: s.FalseAccusationSubmit, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> s.StateRead:
    """Submits the findings and a proposed classification for approval."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: false_accusations.submit(
                commands.SubmitFalseAccusation(case_id, body.findings, body.proposed), uow, principal=principal
            ),
        )
    )


@fa_router.post("/{case_id}/decide", response_model=s.StateRead, dependencies=[require(DO)])
async def decide_false_accusation(
    case_id: str,
    body: s.FalseAccusationDecide,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Approves the classification at the configured level (emits false_accusation_confirmed when confirmed)."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: false_accusations.decide(
                commands.DecideFalseAccusation(case_id, body.classification), uow, principal=principal, today=today
            ),
        )
    )


@fa_router.post("/{case_id}/refer", response_model=s.StateRead, dependencies=[require(DO)])
async def refer_false_accusation(
    case_id: str,
    body: s.FalseAccusationRefer,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Records where a confirmed false accuser was referred."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: false_accusations.refer(
                commands.ReferFalseAccuser(case_id, body.referral, body.note), uow, principal=principal, today=today
            ),
        )
    )


@fa_router.post("/{case_id}/close", response_model=s.StateRead, dependencies=[require(DO)])
async def close_false_accusation(
    case_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Closes a referred case."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: false_accusations.close(
                commands.CloseFalseAccusation(case_id), uow, principal=principal, today=today
            ),
        )
    )


# -- clarifications -------------------------------------------------------------------------------------------
@cl_router.post("", status_code=201, response_model=s.Created, dependencies=[require(OA, DO)])
async def propose_clarification(
    body: s.ClarificationCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Proposes a clarification for a cadre found unfounded in concluded reports."""
    cmd = commands.ProposeClarification(body.cadre_id, list(body.report_ids), body.spread)
    return s.Created(**await idem.run(uow, lambda: clarifications.propose(cmd, uow, principal=principal, today=today)))


@cl_router.get(
    "",
    response_model=s.ClarificationPage,
    response_model_exclude_unset=True,
    dependencies=[require(OA, DO, Role.AUDITOR, Role.CADRE)],
)
async def list_clarifications(
    conn: ReaderDep, runtime: RuntimeDep, tools: ContextDep, principal: PrincipalDep, page: PageDep, purpose: PurposeDep
) -> s.ClarificationPage:
    """Lists clarifications in scope (a cadre sees their own)."""
    access = await access_for(conn, tools.directory, principal)
    items, cursor = await views.list_clarifications(conn, access, page)
    await runtime.audit_reads(principal, "clarification", [i["id"] for i in items], purpose, action="READ_LIST")
    return s.ClarificationPage(items=[s.ClarificationRead(**i) for i in items], next_cursor=cursor)


@cl_router.get(
    "/{clarification_id}",
    response_model=s.ClarificationRead,
    response_model_exclude_unset=True,
    dependencies=[require(OA, DO, Role.AUDITOR, Role.CADRE)],
)
async def get_clarification(
    clarification_id: str,
    conn: ReaderDep,
    runtime: RuntimeDep,
    tools: ContextDep,
    principal: PrincipalDep,
    purpose: PurposeDep,
) -> s.ClarificationRead:
    """Returns one clarification."""
    access = await access_for(conn, tools.directory, principal)
    item = await views.get_clarification(conn, access, clarification_id)
    if item is None:
        raise NotFound("clarification not found", field="clarification_id", rule="clarification.scope")
    await runtime.audit_reads(principal, "clarification", [clarification_id], purpose)
    return s.ClarificationRead(**item)


@cl_router.post("/{clarification_id}/request-consent", response_model=s.StateRead, dependencies=[require(OA, DO)])
async def request_consent(
    clarification_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> s.StateRead:
    """Asks the cadre for consent."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: clarifications.request_consent(commands.RequestConsent(clarification_id), uow, principal=principal),
        )
    )


@cl_router.post("/{clarification_id}/consent", response_model=s.StateRead, dependencies=[require(Role.CADRE)])
async def answer_consent(
    clarification_id: str,
    body: s.ClarificationConsent,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Gives or refuses my consent to my clarification."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: clarifications.answer_consent(
                commands.AnswerConsent(clarification_id, body.consent), uow, principal=principal, today=today
            ),
        )
    )


@cl_router.post("/{clarification_id}/approve", response_model=s.StateRead, dependencies=[require(OA, DO)])
async def approve_clarification(
    clarification_id: str,
    body: s.ClarificationApprove,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Approves the method and a scope at least as wide as the accusation spread."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: clarifications.approve_clarification(
                commands.ApproveClarification(clarification_id, body.method, body.scope),
                uow,
                principal=principal,
                today=today,
            ),
        )
    )


@cl_router.post("/{clarification_id}/execute", response_model=s.StateRead, dependencies=[require(OA, DO)])
async def execute_clarification(
    clarification_id: str,
    body: s.ClarificationExecute,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Records that the clarification was carried out (emits clarification_executed)."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: clarifications.execute_clarification(
                commands.ExecuteClarification(clarification_id, body.executed_on, body.record_ref),
                uow,
                principal=principal,
                today=today,
            ),
        )
    )


@cl_router.post("/{clarification_id}/close", response_model=s.StateRead, dependencies=[require(OA, DO)])
async def close_clarification(
    clarification_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Closes an executed clarification."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: clarifications.close_clarification(
                commands.CloseClarification(clarification_id), uow, principal=principal, today=today
            ),
        )
    )


@cl_router.post("/{clarification_id}/reject", response_model=s.StateRead, dependencies=[require(OA, DO)])
async def reject_clarification(
    clarification_id: str,
    body: s.ClarificationReject,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Rejects a proposal, with the reason."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: clarifications.reject_clarification(
                commands.RejectClarification(clarification_id, body.reason), uow, principal=principal, today=today
            ),
        )
    )
