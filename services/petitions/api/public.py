"""Unauthenticated routes: online intake and the receipt-code follow-up (rate-limited, uniform answers).

The receipt code travels in the body or the X-Receipt-Code header, never in the URL (URLs end up in logs).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header

from kernel.deps import ReaderDep, TodayDep
from services.petitions.api import schemas as s
from services.petitions.api.dependencies import ContextDep, UowDep, followup_limit, intake_limit
from services.petitions.service_layer import commands, public, reports
from services.petitions.service_layer.access import PUBLIC

router = APIRouter(prefix="/api/v1/public", tags=["public"], responses=s.PROBLEM_RESPONSES)
ReceiptHeader = Annotated[str | None, Header(alias="X-Receipt-Code", max_length=64)]


@router.post(
    "/reports",
    status_code=201,
    response_model=s.PublicReportCreated,
    dependencies=[Depends(intake_limit)],
    summary="Submit a public petition report",
)
async def submit_report(body: s.PublicReportCreate, uow: UowDep, today: TodayDep) -> s.PublicReportCreated:
    """Files a report online, anonymously or with a name; answers with the receipt code, once."""
    cmd = commands.IntakeReport(
        petition_type=body.petition_type,
        channel="ONLINE",
        received_on=today,
        content=body.content,
        reporter=None if body.reporter is None else commands.Reporter(**body.reporter.model_dump()),
        accused_description=body.accused_description,
        category=body.category,
        handling_org_unit_id=body.org_unit_id,
        issue_receipt=True,
    )
    created = await reports.intake(cmd, uow, principal=PUBLIC, today=today)
    return s.PublicReportCreated(receipt_code=created["receipt_code"])


@router.post("/receipts/status", response_model=s.PublicStatus, dependencies=[Depends(followup_limit)])
async def follow_report(
    body: s.ReceiptLookup, conn: ReaderDep, uow: UowDep, tools: ContextDep, x_receipt_code: ReceiptHeader = None
) -> s.PublicStatus:
    """Tells the holder of a receipt code where the report stands and what they are asked."""
    report_id = await public.match_code(conn, body.receipt_code or x_receipt_code, tools.settings.receipt_scrypt_n)
    return s.PublicStatus(**await public.follow_up(report_id, uow))


@router.post("/receipts/answers", response_model=s.PublicAnswered, dependencies=[Depends(followup_limit)])
async def answer_question(
    body: s.ReceiptAnswer,
    conn: ReaderDep,
    uow: UowDep,
    tools: ContextDep,
    today: TodayDep,
    x_receipt_code: ReceiptHeader = None,
) -> s.PublicAnswered:
    """Answers a question put to the reporter, without identifying them."""
    report_id = await public.match_code(conn, body.receipt_code or x_receipt_code, tools.settings.receipt_scrypt_n)
    return s.PublicAnswered(**await public.answer(report_id, body.question_id, body.answer, uow, today=today))
