"""Questions to reporters and the anonymous follow-up with a receipt code (no login, uniform answers)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import Conflict, InvalidTransition, NotFound
from kernel.ids import new_id
from services.petitions.adapters import receipts
from services.petitions.adapters.vault import VaultRepository
from services.petitions.domain.report import REPORT_TRANSITIONS
from services.petitions.domain.vocab import ENDED_STATES, HANDLING_STATES, OUTCOME_STATES, ReportStatus
from services.petitions.service_layer import commands
from services.petitions.service_layer.access import PUBLIC, require_report
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW

NO_MATCH = "no report matches this receipt code"
MAX_OPEN_QUESTIONS = 20


def public_status(status: str) -> str:
    """Tells an anonymous reporter where the report stands, without any outcome (replies go to real names only)."""
    if status in (ReportStatus.RECEIVED, ReportStatus.REGISTERED, ReportStatus.TRANSFERRED_DOWN):
        return "RECEIVED"
    if status in HANDLING_STATES:
        return "IN_PROGRESS"
    if status in OUTCOME_STATES:
        return "CLOSED"
    if status == ReportStatus.ARCHIVED_DUPLICATE:
        return "MERGED"
    if status in ENDED_STATES:
        return "NOT_ACCEPTED" if status == ReportStatus.NOT_ACCEPTED else "TRANSFERRED"
    return "TRANSFERRED"


async def ask(cmd: commands.AskReporter, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Puts a question to the reporter of a report (answered through the receipt code)."""
    report_id, text = cmd.report_id, cmd.text
    async with uow:
        access = await uow.scope.access(principal)
        await require_report(uow, access, report_id)
        status = await uow.reports.status(report_id)
        if status in OUTCOME_STATES or status in ENDED_STATES:
            raise InvalidTransition(
                "report",
                str(status),
                "ask the reporter a question",
                allowed_actions=InvalidTransition.allowed(REPORT_TRANSITIONS, str(status)),
            )
        pending = len(await uow.questions.unanswered(report_id))
        if pending >= MAX_OPEN_QUESTIONS:
            raise Conflict(f"at most {MAX_OPEN_QUESTIONS} unanswered questions per report", rule="question.limit")
        question_id = new_id()
        await uow.questions.add(
            question_id=question_id, report_id=report_id, text=text, asked_by=principal.subject, asked_on=today
        )
        await uow.audit(principal, "QUESTION", "report", report_id)
        return await uow.commit({"id": question_id})


async def match_code(conn: Any, raw_code: str | None, n: int) -> str | None:
    """Finds the report of a receipt code on a (reader) connection: the slow hashes run outside any write lock."""
    code = receipts.normalize(raw_code)
    candidates = await VaultRepository(conn).receipt_candidates(receipts.prefix(code)) if code else []
    if code is None or not candidates:
        await asyncio.to_thread(receipts.burn, n)
        return None
    for report_id, salt, digest, cost in candidates:
        if await asyncio.to_thread(receipts.matches, code, salt, cost, digest):
            return report_id
    return None


async def follow_up(report_id: str | None, uow: UOW) -> dict[str, Any]:
    """Returns where an anonymous report stands and the questions put to its reporter."""
    if report_id is None:
        raise NotFound(NO_MATCH, rule="receipt.code")
    async with uow:
        row = await uow.reports.public_state(report_id)
        questions = [
            {"id": x.id, "text": x.text, "asked_on": x.asked_on, "answered": x.answered_on is not None}
            for x in await uow.questions.for_report(report_id)
        ]
        await uow.audit(PUBLIC, "FOLLOW_UP", "report", report_id)
        await uow.commit()
    return {"status": public_status(row.status), "received_on": row.received_on, "questions": questions}


async def answer(report_id: str | None, question_id: str, text: str, uow: UOW, *, today: dt.date) -> dict[str, Any]:
    """Records an anonymous reporter's answer (sealed like every reporter text)."""
    tools = uow.context
    if report_id is None:
        raise NotFound(NO_MATCH, rule="receipt.code")
    async with uow:
        exists, answered_on = await uow.questions.find(question_id, report_id)
        if not exists:
            raise NotFound("no such question for this report", rule="question.scope")
        if answered_on is not None:
            raise Conflict("this question is already answered", rule="question.answered")
        sealed = tools.sealer.seal(text.encode(), context="answer", record_id=question_id)
        await uow.questions.answer(question_id, sealed, today)
        await uow.audit(PUBLIC, "ANSWER", "report", report_id)
        await uow.commit()
    return {"question_id": question_id, "answered_on": today}
