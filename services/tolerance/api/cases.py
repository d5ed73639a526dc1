"""Routes of error-tolerance cases (容错纠错); every read and write is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kernel.audit import PurposeDep
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.tolerance.api.dependencies import (
    APPLICANTS,
    DECIDERS,
    READERS,
    CadreFilter,
    PolicyDep,
    UowDep,
    sanction_type,
)
from services.tolerance.api.schemas import (
    CaseAcceptance,
    CaseDecision,
    CaseFiling,
    Checklist,
    CorrectionDone,
    CorrectionPlan,
    Created,
    DatedStep,
    PastFactRecorded,
    PastToleranceCaseIn,
    StateRead,
    ToleranceCaseCreate,
    ToleranceCasePage,
    ToleranceCaseRead,
)
from services.tolerance.service_layer import commands, past_cases, tolerance_cases
from services.tolerance.service_layer.commands import Finding, Member
from services.tolerance.views import reads
from services.tolerance.views.reads import CaseStatus

router = APIRouter(prefix="/api/v1/tolerance-cases", tags=["tolerance-cases"])


@router.post("", status_code=201, response_model=Created, dependencies=[require(*APPLICANTS)])
async def apply_for_tolerance(
    body: ToleranceCaseCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> Created:
    """Applies for error tolerance about an incident (a cadre for themselves, or the unit or a department)."""
    cmd = commands.ApplyForTolerance(
        incident_id=body.incident_id,
        cadre_id=body.cadre_id,
        applied_on=body.applied_on,
        statement=body.statement,
        grounds=tuple(body.grounds),
        initiator=body.initiator,
    )
    case_id = await idem.run(
        uow, lambda: tolerance_cases.apply_for_tolerance(cmd, uow, principal=principal, today=today)
    )
    return Created(id=case_id)


@router.post("/history", status_code=201, response_model=PastFactRecorded, dependencies=[require(*DECIDERS)])
async def record_past_tolerance_decision(
    body: PastToleranceCaseIn,
    response: Response,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    today: TodayDep,
    policy: PolicyDep,
) -> PastFactRecorded:
    """Records an error-tolerance decision taken in the past, with its real dates and provenance; the same decision
    with other values corrects it (201), with the same values changes nothing (200)."""
    cmd = commands.RecordPastToleranceDecision(
        cadre_id=body.cadre_id,
        decision=body.decision,
        decided_on=body.decided_on,
        reasons=body.reasons,
        body=body.body,
        document_number=body.document_number,
        source=body.source,
        incident_id=body.incident_id,
        occurred_on=body.occurred_on,
        summary=body.summary,
        applied_on=body.applied_on,
        initiator=body.initiator,
        mitigated_to=sanction_type(policy, body.mitigated_to),
        publication_scope=body.publication_scope,
    )
    result = await idem.run(
        uow, lambda: past_cases.record_past_tolerance_decision(cmd, uow, principal=principal, today=today)
    )
    if result["outcome"] == "UNCHANGED":
        response.status_code = 200
    return PastFactRecorded(**result)


@router.post("/{case_id}/acceptance", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def accept_case(
    case_id: str, body: CaseAcceptance, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> StateRead:
    """Accepts the application for verification, or declines it with a reason."""
    cmd = commands.AcceptCase(case_id=case_id, accepted=body.accepted, on=body.on, note=body.note)
    return StateRead(
        **await idem.run(uow, lambda: tolerance_cases.accept_case(cmd, uow, principal=principal, today=today))
    )


@router.put("/{case_id}/checklist", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def record_checklist(
    case_id: str, body: Checklist, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> StateRead:
    """Records the verification checklist: each condition and exclusion with its evidence."""
    cmd = commands.RecordChecklist(
        case_id=case_id,
        conditions={k: Finding(v.holds, v.evidence) for k, v in body.conditions.items()},
        exclusions={k: Finding(v.holds, v.evidence) for k, v in body.exclusions.items()},
        verification_report_ref=body.verification_report_ref,
    )
    return StateRead(**await idem.run(uow, lambda: tolerance_cases.record_checklist(cmd, uow, principal=principal)))


@router.post("/{case_id}/decision", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def decide_case(
    case_id: str,
    body: CaseDecision,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
    policy: PolicyDep,
) -> StateRead:
    """Records the collective decision (quorum, recusals, majority): exempt, mitigate or reject."""
    cmd = commands.DecideCase(
        case_id=case_id,
        decision=body.decision,
        reasons=body.reasons,
        decided_on=body.decided_on,
        body=body.body,
        body_size=body.body_size,
        members=tuple(
            Member(
                member_id=m.member_id,
                vote=m.vote,
                recused=m.recused,
                recusal_reason=m.recusal_reason,
                cadre_id=m.cadre_id,
            )
            for m in body.members
        ),
        mitigated_to=sanction_type(policy, body.mitigated_to),
        publication_scope=body.publication_scope,
    )
    return StateRead(
        **await idem.run(uow, lambda: tolerance_cases.decide_case(cmd, uow, principal=principal, today=today))
    )


async def _step(
    uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep, cmd: commands.CaseStep
) -> StateRead:
    return StateRead(
        **await idem.run(uow, lambda: tolerance_cases.advance_case(cmd, uow, principal=principal, today=today))
    )


@router.post("/{case_id}/submission", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def submit_case(
    case_id: str, body: DatedStep, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> StateRead:
    """Closes verification and submits the case to the collective decision."""
    return await _step(uow, principal, idem, today, commands.CaseStep(case_id, "submit", body.on))


@router.post("/{case_id}/notification", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def notify_case(
    case_id: str, body: DatedStep, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> StateRead:
    """Records that the applicant and the unit were informed of the decision."""
    return await _step(uow, principal, idem, today, commands.CaseStep(case_id, "notify", body.on))


@router.post("/{case_id}/filing", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def file_case(
    case_id: str, body: CaseFiling, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> StateRead:
    """Records the filing with the next level and the publication scope."""
    return await _step(
        uow,
        principal,
        idem,
        today,
        commands.CaseStep(case_id, "file", body.filed_on, publication_scope=body.publication_scope),
    )


@router.post("/{case_id}/correction-plan", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def open_correction(
    case_id: str, body: CorrectionPlan, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> StateRead:
    """Records the correction plan (纠错) and its due date."""
    return await _step(
        uow,
        principal,
        idem,
        today,
        commands.CaseStep(case_id, "correction-plan", today, plan=body.plan, due_on=body.due_on),
    )


@router.post("/{case_id}/correction-completion", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def complete_correction(
    case_id: str, body: CorrectionDone, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> StateRead:
    """Records that the correction was done, with its follow-up."""
    return await _step(
        uow,
        principal,
        idem,
        today,
        commands.CaseStep(case_id, "correction-done", body.done_on, follow_up=body.follow_up),
    )


@router.post("/{case_id}/closure", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def close_case(
    case_id: str, body: DatedStep, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> StateRead:
    """Closes the case."""
    return await _step(uow, principal, idem, today, commands.CaseStep(case_id, "close", body.on))


@router.get("", response_model=ToleranceCasePage, dependencies=[require(*READERS)])
async def list_cases(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    runtime: RuntimeDep,
    purpose: PurposeDep,
    cadre_id: CadreFilter = None,
    status: CaseStatus | None = None,
    incident_id: Annotated[str | None, Query(max_length=64)] = None,
) -> ToleranceCasePage:
    """Lists the tolerance cases the caller may see (each one returned is audited as read)."""
    items, cursor = await reads.list_cases(
        conn, principal, page, cadre_id=cadre_id, status=status.value if status else None, incident_id=incident_id
    )
    await runtime.audit_reads(principal, "tolerance-case", [i["id"] for i in items], purpose)
    return ToleranceCasePage(items=[ToleranceCaseRead(**i) for i in items], next_cursor=cursor)


@router.get("/{case_id}", response_model=ToleranceCaseRead, dependencies=[require(*READERS)])
async def get_case(
    case_id: str, conn: ReaderDep, principal: PrincipalDep, runtime: RuntimeDep, purpose: PurposeDep
) -> ToleranceCaseRead:
    """Returns one tolerance case (the read is audited)."""
    item = await reads.get_case(conn, principal, case_id)
    if item is None:
        raise NotFound("tolerance case not found", field="case_id")
    await runtime.audit_reads(principal, "tolerance-case", [case_id], purpose)
    return ToleranceCaseRead(**item)
