"""Report routes: intake, screening, disposal, conclusion, questions, reveal (thin: parse, call, answer)."""

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
from services.petitions.api.dependencies import CadreFilter, ContextDep, UowDep
from services.petitions.service_layer import commands, public, reports, reveal
from services.petitions.service_layer.access import access_for

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=s.PROBLEM_RESPONSES)
DO, PS = Role.DISCIPLINE_OFFICER, Role.PETITIONS_STAFF
SCREENERS = require(DO, PS)
HANDLERS = require(DO)
READERS = require(DO, PS, Role.ORG_ADMIN, Role.ASSESSOR, Role.AUDITOR)


def _reporter(body: s.ReporterIn | None) -> commands.Reporter | None:
    return None if body is None else commands.Reporter(**body.model_dump())


@router.post("", status_code=201, response_model=s.ReportCreated, dependencies=[SCREENERS])
async def intake_report(
    body: s.ReportCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.ReportCreated:
    """Records a report from any channel (real-name or anonymous); a receipt code is shown once."""
    cmd = commands.IntakeReport(
        petition_type=body.petition_type,
        channel=body.channel,
        received_on=body.received_on,
        content=body.content,
        reporter=_reporter(body.reporter),
        accused_description=body.accused_description,
        accused_cadre_ids=list(body.accused_cadre_ids),
        accused_org_unit_ids=list(body.accused_org_unit_ids),
        category=body.category,
        handling_org_unit_id=body.handling_org_unit_id,
        transfer_ref=body.transfer_ref,
        issue_receipt=body.issue_receipt,
    )
    return s.ReportCreated(**await idem.run(uow, lambda: reports.intake(cmd, uow, principal=principal, today=today)))


@router.get("", response_model=s.ReportPage, response_model_exclude_unset=True, dependencies=[READERS])
async def list_reports(
    conn: ReaderDep,
    runtime: RuntimeDep,
    tools: ContextDep,
    principal: PrincipalDep,
    page: PageDep,
    purpose: PurposeDep,
    status: Annotated[str | None, Query(max_length=24, pattern=r"^[A-Z_]+$")] = None,
    cadre_id: CadreFilter = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.ReportPage:
    """Lists the reports the caller may see (closed ones only for org_admin, assessor and auditor)."""
    access = await access_for(conn, tools.directory, principal)
    items, cursor = await views.list_reports(
        conn, access, page, status=status, cadre_id=cadre_id, org_unit_id=org_unit_id
    )
    await runtime.audit_reads(principal, "report", [i["id"] for i in items], purpose, action="READ_LIST")
    return s.ReportPage(items=[s.ReportSummary(**i) for i in items], next_cursor=cursor)


@router.get("/reporter-flags", response_model=s.ReporterFlagPage, dependencies=[require(PS)])
async def list_reporter_flags(
    conn: ReaderDep, runtime: RuntimeDep, principal: PrincipalDep, page: PageDep, purpose: PurposeDep
) -> s.ReporterFlagPage:
    """Lists reporters with a history of unfounded reports, by pseudonymous flag (for the malicious-report check)."""
    items, cursor = await views.reporter_flags(conn, page)
    await runtime.audit_reads(principal, "reporter-flag", [i["id"] for i in items], purpose)
    return s.ReporterFlagPage(items=[s.ReporterFlagRead(**i) for i in items], next_cursor=cursor)


@router.get("/{report_id}", response_model=s.ReportRead, response_model_exclude_unset=True, dependencies=[READERS])
async def get_report(
    report_id: str,
    conn: ReaderDep,
    runtime: RuntimeDep,
    tools: ContextDep,
    principal: PrincipalDep,
    purpose: PurposeDep,
) -> s.ReportRead:
    """Returns one report as the caller may see it (never the reporter's identity)."""
    access = await access_for(conn, tools.directory, principal)
    report = await views.get_report(conn, tools, access, report_id)
    if report is None:
        raise NotFound("report not found", field="report_id", rule="report.scope")
    await runtime.audit_reads(principal, "report", [report_id], purpose)
    return s.ReportRead(**report)


@router.post("/{report_id}/register", response_model=s.StateRead, dependencies=[SCREENERS])
async def register_report(
    report_id: str,
    body: s.ReportRegister,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Registers a report: category, accused, allegations, substance and jurisdiction; flags similar reports."""
    cmd = commands.RegisterReport(
        report_id=report_id,
        category=body.category,
        substantive=body.substantive,
        jurisdiction=body.jurisdiction,
        accused_cadre_ids=list(body.accused_cadre_ids),
        accused_org_unit_ids=list(body.accused_org_unit_ids),
        allegations=[commands.AllegationInput(a.summary, a.cadre_id) for a in body.allegations],
        real_name_verified=body.real_name_verified,
    )
    return s.StateRead(**await idem.run(uow, lambda: reports.register(cmd, uow, principal=principal, today=today)))


@router.post("/{report_id}/route", response_model=s.StateRead, dependencies=[SCREENERS])
async def route_report(
    report_id: str,
    body: s.ReportRoute,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Sends a report up, down or to another body."""
    cmd = commands.RouteReport(report_id, body.jurisdiction, body.target_org_unit_id)
    return s.StateRead(**await idem.run(uow, lambda: reports.route(cmd, uow, principal=principal, today=today)))


@router.post("/{report_id}/link-duplicate", response_model=s.StateRead, dependencies=[SCREENERS])
async def link_duplicate(
    report_id: str,
    body: s.ReportDuplicate,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Archives a repeated report, linked to the first one."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.archive_duplicate(
                commands.ArchiveDuplicate(report_id, body.duplicate_of), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{report_id}/not-accept", response_model=s.StateRead, dependencies=[SCREENERS])
async def not_accept_report(
    report_id: str,
    body: s.ReportNotAccept,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Does not accept a registered report, with the reason."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.not_accept(
                commands.NotAcceptReport(report_id, body.reason), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{report_id}/accept", response_model=s.StateRead, dependencies=[SCREENERS])
async def accept_report(
    report_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Accepts a registered report (emits report_accepted, which counts against nobody)."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.accept(commands.AcceptReport(report_id), uow, principal=principal, today=today),
        )
    )


@router.post("/{report_id}/acceptance-notice", response_model=s.StateRead, dependencies=[SCREENERS])
async def record_acceptance_notice(
    report_id: str, body: s.DatedStep, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Records that the real-name reporter was told whether the report was accepted."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.record_acceptance_notice(
                commands.RecordAcceptanceNotice(report_id, body.on), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{report_id}/hand-over", response_model=s.StateRead, dependencies=[HANDLERS])
async def hand_over_report(
    report_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Transfers an accepted report to disposal."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.hand_over(commands.HandOverReport(report_id), uow, principal=principal, today=today),
        )
    )


@router.post("/{report_id}/disposal", response_model=s.StateRead, dependencies=[HANDLERS])
async def dispose_report(
    report_id: str,
    body: s.ReportDispose,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Decides collectively on a disposal mode (talk, inquiry letter, verification, hold, close)."""
    cmd = commands.DisposeReport(
        report_id, body.mode, commands.Decision(**body.decision.model_dump()), body.letter_text
    )
    return s.StateRead(**await idem.run(uow, lambda: reports.dispose(cmd, uow, principal=principal, today=today)))


@router.post("/{report_id}/resume", response_model=s.StateRead, dependencies=[HANDLERS])
async def resume_report(
    report_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Takes a report on hold back into disposal."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.resume(commands.ResumeReport(report_id), uow, principal=principal, today=today),
        )
    )


@router.post("/{report_id}/verify", response_model=s.StateRead, dependencies=[HANDLERS])
async def verify_report(
    report_id: str,
    body: s.ReportVerify,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Starts preliminary verification after an insufficient explanation."""
    decision = commands.Decision(**body.decision.model_dump())
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.verify(commands.VerifyReport(report_id, decision), uow, principal=principal, today=today),
        )
    )


@router.post("/{report_id}/case", response_model=s.StateRead, dependencies=[HANDLERS])
async def open_case(
    report_id: str, body: s.CaseOpen, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Opens a formal case (立案) for accused cadres (emits case_opened per cadre)."""
    cmd = commands.OpenCase(
        report_id, list(body.cadre_ids), body.opened_on, commands.Decision(**body.decision.model_dump())
    )
    return s.StateRead(**await idem.run(uow, lambda: reports.open_case(cmd, uow, principal=principal, today=today)))


@router.post("/{report_id}/close", response_model=s.StateRead, dependencies=[HANDLERS])
async def close_report(
    report_id: str,
    body: s.ReportClose,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Concludes with a finding per allegation (emits report_closed with the outcome per cadre)."""
    cmd = commands.CloseReport(
        report_id,
        {f.allegation_id: f.result for f in body.findings},
        body.conclusion,
        body.adverse_effect,
        body.accusation_spread,
        body.fabrication_suspected,
    )
    return s.StateRead(**await idem.run(uow, lambda: reports.close(cmd, uow, principal=principal, today=today)))


@router.post("/{report_id}/feedback", response_model=s.StateRead, dependencies=[SCREENERS])
async def record_feedback(
    report_id: str, body: s.DatedStep, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Records that the real-name reporter was given the result."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.record_feedback(
                commands.RecordFeedback(report_id, body.on), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{report_id}/objection", response_model=s.StateRead, dependencies=[SCREENERS])
async def record_objection(
    report_id: str,
    body: s.ReportObjection,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Records the reporter's objection to the result."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.record_objection(
                commands.RecordObjection(report_id, body.new_evidence, body.summary, body.on),
                uow,
                principal=principal,
                today=today,
            ),
        )
    )


@router.post("/{report_id}/reopen", response_model=s.StateRead, dependencies=[HANDLERS])
async def reopen_report(
    report_id: str,
    body: s.ReportVerify,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Reopens a report whose reporter objected with new evidence."""
    decision = commands.Decision(**body.decision.model_dump())
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.reopen(commands.ReopenReport(report_id, decision), uow, principal=principal, today=today),
        )
    )


@router.post("/{report_id}/finalize", response_model=s.StateRead, dependencies=[HANDLERS])
async def finalize_report(
    report_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Closes an objection without new evidence: the result stands."""
    return s.StateRead(
        **await idem.run(
            uow,
            lambda: reports.finalize(commands.FinalizeReport(report_id), uow, principal=principal, today=today),
        )
    )


@router.post("/{report_id}/questions", status_code=201, response_model=s.Created, dependencies=[SCREENERS])
async def ask_reporter(
    report_id: str,
    body: s.QuestionCreate,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    today: TodayDep,
) -> s.Created:
    """Puts a question to the reporter (an anonymous reporter answers with the receipt code)."""
    return s.Created(
        **await idem.run(
            uow, lambda: public.ask(commands.AskReporter(report_id, body.text), uow, principal=principal, today=today)
        )
    )


@router.post("/{report_id}/receipt", status_code=201, response_model=s.ReportCreated, dependencies=[require(PS)])
async def reissue_receipt(report_id: str, uow: UowDep, principal: PrincipalDep) -> s.ReportCreated:
    """Issues a new receipt code for an anonymous report (the old code stops working; shown once)."""
    return s.ReportCreated(
        **await reports.reissue_receipt(commands.ReissueReceipt(report_id), uow, principal=principal)
    )


@router.post("/{report_id}/reveal", response_model=s.RevealRead, dependencies=[require(PS)])
async def reveal_reporter(report_id: str, body: s.RevealRequest, uow: UowDep, principal: PrincipalDep) -> s.RevealRead:
    """Reveals the reporter's identity to petitions staff, for a stated purpose; every reveal is audited."""
    return s.RevealRead(
        **await reveal.reveal(commands.RevealReporter(report_id, body.purpose), uow, principal=principal)
    )
