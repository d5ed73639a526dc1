"""Report use cases: intake from every channel, screening, disposal, conclusion and what follows it."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import orjson

from kernel.access import Access, cadre_not_found, unit_not_found
from kernel.auth import Principal
from kernel.errors import NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.petitions.adapters import receipts
from services.petitions.adapters.vault import MAX_PREFIX_BUCKET
from services.petitions.domain.clarification import Clarification
from services.petitions.domain.false_accusation import FalseAccusationCase
from services.petitions.domain.report import Allegation, CollectiveDecision, Report
from services.petitions.domain.rules.similarity import shingles, similarity
from services.petitions.domain.statement import StatementRequest, hearing_by_cadre
from services.petitions.domain.vocab import DisposalMode, Identity, Jurisdiction, StatementKind
from services.petitions.service_layer import commands
from services.petitions.service_layer.access import require_report
from services.petitions.service_layer.context import PetitionsContext
from services.petitions.service_layer.deadlines import plan_deadlines
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork

log = logging.getLogger("petitions.reports")
UOW = PetitionsUnitOfWork


# -- intake ---------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Receipt:
    code: str
    salt: bytes
    digest: bytes
    n: int


async def _new_receipt(n: int) -> _Receipt:
    code, salt = receipts.new_code(), receipts.new_salt()
    # scrypt is deliberately slow: run it off the event loop and outside any transaction.
    return _Receipt(code, salt, await asyncio.to_thread(receipts.digest, code, salt, n), n)


def _sealed_texts(
    tools: PetitionsContext, report_id: str, content: str, accused_text: str | None
) -> dict[str, bytes | None]:
    return {
        "content_sealed": tools.sealer.seal_text(content, context="content", record_id=report_id),
        "accused_text_sealed": tools.sealer.seal_text(accused_text, context="accused", record_id=report_id),
    }


def _identity_fingerprint(tools: PetitionsContext, reporter: commands.Reporter) -> str:
    # The strongest identifier given links reports of one person; names alone are too ambiguous.
    if reporter.id_number:
        return tools.sealer.fingerprint("id:" + reporter.id_number.upper())
    if reporter.phone:
        return tools.sealer.fingerprint("phone:" + "".join(ch for ch in reporter.phone if ch.isdigit()))
    return tools.sealer.fingerprint("name:" + reporter.name.strip() + "|" + (reporter.email or "").lower())


async def intake(cmd: commands.IntakeReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Records a report from any channel; seals the reporter into the vault; returns a receipt code once."""
    tools = uow.context
    report_id = new_id()
    identity = Identity.REAL_NAME if cmd.reporter is not None else Identity.ANONYMOUS
    sealed = _sealed_texts(tools, report_id, cmd.content, cmd.accused_description)
    vault = None
    if cmd.reporter is not None:
        vault = (
            tools.sealer.seal(orjson.dumps(dataclasses.asdict(cmd.reporter)), context="reporter", record_id=report_id),
            _identity_fingerprint(tools, cmd.reporter),
        )
    receipt = await _new_receipt(tools.settings.receipt_scrypt_n) if cmd.issue_receipt else None
    public = principal.subject == "public" and not principal.roles
    async with uow:
        access = await uow.scope.access(principal)
        unit_id = cmd.handling_org_unit_id or principal.unit_id
        if unit_id is None:
            raise RuleViolation("name the handling org unit", rule="report.handling_org_unit")
        if public:
            if not await uow.directory.active_unit(unit_id):
                raise RuleViolation("unknown org unit", rule="report.org_unit")
        elif access.prefix is None or (
            unit_id != principal.unit_id and await uow.scope.unit_in_scope(access, unit_id) is None
        ):
            raise unit_not_found("handling_org_unit_id")
        await _check_accused(uow, access, cmd.accused_cadre_ids, cmd.accused_org_unit_ids)
        report = Report.receive(
            report_id=report_id,
            petition_type=cmd.petition_type,
            channel=cmd.channel,
            received_on=cmd.received_on,
            identity=identity,
            handling_org_unit_id=unit_id,
            accused_cadre_ids=cmd.accused_cadre_ids,
            accused_unit_ids=cmd.accused_org_unit_ids,
            category=cmd.category,
            transfer_ref=cmd.transfer_ref,
            today=today,
        )
        await uow.reports.add(report, sealed=sealed)
        if vault is not None:
            await uow.vault.put(report_id, *vault)
        if receipt is not None:
            while await uow.vault.bucket_size(receipts.prefix(receipt.code)) >= MAX_PREFIX_BUCKET:
                receipt = await _new_receipt(receipt.n)
            await uow.vault.put_receipt(
                report_id, receipts.prefix(receipt.code), receipt.salt, receipt.digest, receipt.n
            )
        await plan_deadlines(uow, report.events, org_unit_id=unit_id)
        await uow.audit(principal, "INTAKE", "report", report_id)
        # The stored (replayable) answer never holds the receipt code: only its hash is kept.
        await uow.commit({"id": report_id, "receipt_code": None})
    return {"id": report_id, "receipt_code": receipts.display(receipt.code) if receipt else None}


async def _check_accused(uow: UOW, access: Access, cadre_ids: list[str], unit_ids: list[str]) -> None:
    if cadre_ids:
        rows = await uow.directory.cadre_paths(cadre_ids)
        # A cadre outside the caller's subtree gets exactly the answer of an unknown id (kernel.access): the
        # answer never tells whether an id exists elsewhere. Positions, not values: a problem never echoes what
        # the client sent (it may be personal data).
        # Public intake has no org scope: any registered cadre may be named. The caller's own relatives count as
        # known, so that the recusal below names the real reason.
        public = not access.principal.roles
        known = {r[0] for r in rows if public or access.sees(r[0], r[1]) or r[0] in access.excluded(sensitive=True)}
        if known != set(cadre_ids):
            raise RuleViolation(
                "unknown accused cadre",
                rule="report.accused_unknown",
                field="accused_cadre_ids",
                positions=[i for i, c in enumerate(cadre_ids) if c not in known],
            )
        if access.excluded(sensitive=True) & set(cadre_ids):
            raise RuleViolation(
                "you are, or are related to, an accused cadre: hand this report to a colleague (回避)",
                rule="report.recusal",
            )
    if unit_ids:
        found = await uow.directory.known_units(unit_ids)
        if found != set(unit_ids):
            raise RuleViolation(
                "unknown accused org unit",
                rule="report.accused_unknown",
                field="accused_org_unit_ids",
                positions=[i for i, u in enumerate(unit_ids) if u not in found],
            )


async def reissue_receipt(cmd: commands.ReissueReceipt, uow: UOW, *, principal: Principal) -> dict[str, Any]:
    """Gives an anonymous reporter a new receipt code (the old one stops working)."""
    tools = uow.context
    report_id = cmd.report_id
    receipt = await _new_receipt(tools.settings.receipt_scrypt_n)
    async with uow:
        access = await uow.scope.access(principal)
        await require_report(uow, access, report_id)
        report = await uow.reports.get(report_id)
        assert report is not None
        if report.real_name:
            raise RuleViolation("receipt codes are for anonymous reporters", rule="report.receipt_anonymous")
        while await uow.vault.bucket_size(receipts.prefix(receipt.code)) >= MAX_PREFIX_BUCKET:
            receipt = await _new_receipt(receipt.n)
        await uow.vault.put_receipt(report_id, receipts.prefix(receipt.code), receipt.salt, receipt.digest, receipt.n)
        await uow.audit(principal, "RECEIPT", "report", report_id)
        await uow.commit({"id": report_id, "receipt_code": None})
    return {"id": report_id, "receipt_code": receipts.display(receipt.code)}


# -- transitions ----------------------------------------------------------------------------------------------
async def _load(uow: UOW, access: Access, report_id: str) -> Report:
    await require_report(uow, access, report_id)
    report = await uow.reports.get(report_id)
    if report is None:
        raise NotFound("report not found", field="report_id", rule="report.scope")
    return report


async def _finish(
    uow: UOW, report: Report, principal: Principal, action: str, extra: list[Any] | None = None
) -> dict[str, Any]:
    await uow.reports.save(report)
    await plan_deadlines(uow, [*report.events, *(extra or [])], org_unit_id=report.handling_org_unit_id)
    await uow.audit(principal, action, "report", report.id)
    return await uow.commit(state_of(report))


async def _transition(
    report_id: str, uow: UOW, *, principal: Principal, action: str, apply: Callable[[Report], None]
) -> dict[str, Any]:
    """Runs a state-machine step that needs nothing but the report."""
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, report_id)
        apply(report)
        return await _finish(uow, report, principal, action)


async def not_accept(
    cmd: commands.NotAcceptReport, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Does not accept a registered report, with the reason."""
    return await _transition(
        cmd.report_id,
        uow,
        principal=principal,
        action="NOT_ACCEPT",
        apply=lambda r: r.not_accept(reason=cmd.reason, today=today),
    )


async def accept(cmd: commands.AcceptReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Accepts a registered report (emits report_accepted, which counts against nobody)."""
    return await _transition(
        cmd.report_id, uow, principal=principal, action="ACCEPT", apply=lambda r: r.accept(today=today)
    )


async def record_acceptance_notice(
    cmd: commands.RecordAcceptanceNotice, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records that the real-name reporter was told whether the report was accepted."""
    return await _transition(
        cmd.report_id,
        uow,
        principal=principal,
        action="ACCEPT_NOTICE",
        apply=lambda r: r.record_acceptance_notice(on=cmd.on, today=today),
    )


async def hand_over(cmd: commands.HandOverReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Transfers an accepted report to disposal."""
    return await _transition(
        cmd.report_id, uow, principal=principal, action="HAND_OVER", apply=lambda r: r.hand_over(today=today)
    )


async def resume(cmd: commands.ResumeReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Takes a report on hold back into disposal."""
    return await _transition(
        cmd.report_id, uow, principal=principal, action="RESUME", apply=lambda r: r.resume(today=today)
    )


async def record_feedback(
    cmd: commands.RecordFeedback, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records that the real-name reporter was given the result."""
    return await _transition(
        cmd.report_id,
        uow,
        principal=principal,
        action="FEEDBACK",
        apply=lambda r: r.record_feedback(on=cmd.on, today=today),
    )


async def finalize(cmd: commands.FinalizeReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Closes an objection without new evidence: the result stands."""
    return await _transition(
        cmd.report_id, uow, principal=principal, action="FINALIZE", apply=lambda r: r.finalize(today=today)
    )


async def register(cmd: commands.RegisterReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Registers a report; links reports about the same cadres with similar facts (repeat detection)."""
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, cmd.report_id)
        await _check_accused(uow, access, cmd.accused_cadre_ids, cmd.accused_org_unit_ids)
        allegations = [Allegation(new_id(), a.summary, a.cadre_id) for a in cmd.allegations]
        report.register(
            category=cmd.category,
            substantive=cmd.substantive,
            jurisdiction=cmd.jurisdiction,
            accused_cadre_ids=cmd.accused_cadre_ids,
            accused_unit_ids=cmd.accused_org_unit_ids,
            allegations=allegations,
            real_name_verified=cmd.real_name_verified,
            today=today,
        )
        await _link_similar(uow, report, today)
        return await _finish(uow, report, principal, "REGISTER")


async def _link_similar(uow: UOW, report: Report, today: dt.date) -> None:
    tools = uow.context
    sealed = (await uow.reports.sealed(report.id)).get("content_sealed")
    if sealed is None or not report.accused:
        return
    mine = shingles(tools.sealer.open_text(sealed, context="content", record_id=report.id) or "")
    links = []
    for other_id, other_sealed in await uow.reports.similar_candidates(
        report.id, report.accused_cadre_ids, tools.settings.repeat_candidates
    ):
        other = tools.sealer.open_text(other_sealed, context="content", record_id=other_id) or ""
        score = similarity(mine, shingles(other))
        if score >= tools.settings.repeat_similarity_threshold:
            links.append((other_id, score))
    await uow.reports.link(report.id, links, kind="SIMILAR", on=today)


async def route(cmd: commands.RouteReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Sends a report up (to an ancestor unit or outside), down (to a unit below) or to another body."""
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, cmd.report_id)
        target = cmd.target_org_unit_id
        if target is not None:
            here = await uow.directory.unit_path(report.handling_org_unit_id) or ""
            there = await uow.directory.unit_path(target)
            if there is None:
                raise RuleViolation("unknown target org unit", rule="report.route_target")
            if cmd.jurisdiction == Jurisdiction.UPPER and not (here.startswith(there) and there != here):
                raise RuleViolation("a report goes up to a unit above the handling unit", rule="report.route_target")
            if cmd.jurisdiction == Jurisdiction.LOWER and not (there.startswith(here) and there != here):
                raise RuleViolation("a report goes down to a unit below the handling unit", rule="report.route_target")
        report.route(jurisdiction=cmd.jurisdiction, target_unit_id=target, today=today)
        if target is not None:
            await uow.deadlines.move_report(report.id, target)
        return await _finish(uow, report, principal, "ROUTE")


async def archive_duplicate(
    cmd: commands.ArchiveDuplicate, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Archives a repeated report, linked to the first one."""
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, cmd.report_id)
        original = await _load(uow, access, cmd.original_id)
        report.archive_duplicate(original=original, today=today)
        await uow.reports.link(report.id, [(original.id, 1.0)], kind="DUPLICATE", on=today)
        return await _finish(uow, report, principal, "LINK_DUPLICATE")


def _decision(cmd: commands.Decision, principal: Principal) -> CollectiveDecision:
    return CollectiveDecision(cmd.meeting_on, cmd.participants, cmd.minutes_ref, principal.subject)


async def dispose(cmd: commands.DisposeReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Decides a disposal mode; an inquiry letter asks every accused cadre for a reply (函询, 15 working days)."""
    tools = uow.context
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, cmd.report_id)
        if cmd.mode == DisposalMode.INQUIRY_LETTER and not cmd.letter_text:
            raise RuleViolation("an inquiry letter needs the text sent to the accused", rule="disposal.letter_text")
        if cmd.mode != DisposalMode.INQUIRY_LETTER and cmd.letter_text is not None:
            raise RuleViolation("letter_text is only for an inquiry letter", rule="disposal.letter_text")
        if cmd.mode == DisposalMode.INQUIRY_LETTER and not report.accused:
            raise RuleViolation("an inquiry letter is addressed to accused cadres", rule="disposal.letter_text")
        report.dispose(disposal_id=new_id(), mode=cmd.mode, decision=_decision(cmd.decision, principal), today=today)
        extra: list[Any] = []
        if cmd.mode == DisposalMode.INQUIRY_LETTER:
            due = tools.deadline_rules["INQUIRY_REPLY"].period.after(today, tools.calendar)
            for cadre_id in report.accused_cadre_ids:
                request = StatementRequest.issue(
                    statement_id=new_id(),
                    report_id=report.id,
                    cadre_id=cadre_id,
                    kind=StatementKind.INQUIRY_REPLY,
                    facts=cmd.letter_text or "",
                    due_on=due,
                    requested_by=principal.subject,
                    today=today,
                )
                await uow.statements.add(request)
                extra.extend(request.events)
        return await _finish(uow, report, principal, "DISPOSE", extra)


async def verify(cmd: commands.VerifyReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Moves to preliminary verification after an insufficient explanation."""
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, cmd.report_id)
        report.verify(disposal_id=new_id(), decision=_decision(cmd.decision, principal), today=today)
        return await _finish(uow, report, principal, "VERIFY")


async def reopen(cmd: commands.ReopenReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Reopens a report whose reporter objected with new evidence (back to verification)."""
    return await _transition(
        cmd.report_id,
        uow,
        principal=principal,
        action="REOPEN",
        apply=lambda r: r.reopen(disposal_id=new_id(), decision=_decision(cmd.decision, principal), today=today),
    )


async def open_case(cmd: commands.OpenCase, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Opens a formal case (立案) per cadre; each one emits case_opened."""
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, cmd.report_id)
        if len(set(cmd.cadre_ids)) != len(cmd.cadre_ids):
            raise RuleViolation("a cadre is listed twice", rule="case.cadres")
        for cadre_id in cmd.cadre_ids:
            # A case is opened only against a cadre of the officer's subtree, never oneself or a relative
            # (kernel.access); an unknown id gets the same answer.
            if await uow.scope.cadre_in_scope(access, cadre_id) is None:
                raise cadre_not_found("cadre_ids")
        report.open_case(
            disposal_id=new_id(),
            case_ids={c: new_id() for c in cmd.cadre_ids},
            decision=_decision(cmd.decision, principal),
            opened_on=cmd.opened_on,
            today=today,
        )
        return await _finish(uow, report, principal, "OPEN_CASE")


async def close(cmd: commands.CloseReport, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Concludes a report: outcomes per allegation and cadre; the accused must have been heard."""
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, cmd.report_id)
        requests = await uow.statements.for_report(cmd.report_id)
        report.close(
            findings=cmd.findings,
            conclusion=cmd.conclusion,
            adverse_effect=cmd.adverse_effect,
            accusation_spread=cmd.accusation_spread,
            fabrication_suspected=cmd.fabrication_suspected,
            hearing=hearing_by_cadre(requests, today),
            today=today,
        )
        extra: list[Any] = []
        for request in requests:
            if request.status == "OPEN":
                request.lapse(today=today)
                await uow.statements.save(request)
                extra.extend(request.events)
        await _after_closure(uow, report, today)
        return await _finish(uow, report, principal, "CLOSE", extra)


async def _after_closure(uow: UOW, report: Report, today: dt.date) -> None:
    """Proposes clarifications, opens a false-accusation case, and flags repeat unfounded reporters."""
    tools = uow.context
    unfounded = [a.cadre_id for a in report.accused if a.outcome == "UNFOUNDED"]
    if report.adverse_effect:
        for cadre_id in unfounded:
            if not await uow.clarifications.open_for(cadre_id, report.id):
                await uow.clarifications.add(
                    Clarification.propose(
                        clarification_id=new_id(),
                        cadre_id=cadre_id,
                        report_ids=[report.id],
                        spread=report.accusation_spread or "UNIT",
                        reason="UNFOUNDED_ADVERSE",
                        today=today,
                    )
                )
    if report.fabrication_suspected and unfounded:
        await uow.false_accusations.add(
            FalseAccusationCase.open(
                case_id=new_id(),
                origin_report_id=report.id,
                victim_cadre_ids=unfounded,
                grounds="fabrication suspected at the conclusion of the report",
                accuser_is_cadre=False,
                accuser_cadre_id=None,
                opened_by="rule",
                today=today,
            )
        )
    if report.outcome == "UNFOUNDED" and report.real_name:
        fingerprint = await uow.vault.fingerprint(report.id)
        if fingerprint is not None:
            # The report's own new outcome is written with this transaction's save; count it in.
            count = await uow.vault.unfounded_count(fingerprint) + 1
            if count >= tools.settings.unfounded_reporter_threshold:
                await uow.vault.flag(fingerprint, count, today)


async def record_objection(
    cmd: commands.RecordObjection, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records a real-name reporter's objection to the result (the summary is sealed like report texts)."""
    tools = uow.context
    async with uow:
        access = await uow.scope.access(principal)
        report = await _load(uow, access, cmd.report_id)
        report.record_objection(new_evidence=cmd.new_evidence, on=cmd.on, today=today)
        sealed = tools.sealer.seal_text(cmd.summary, context="objection", record_id=report.id)
        await uow.reports.save(report, sealed={"objection_sealed": sealed})
        await plan_deadlines(uow, report.events, org_unit_id=report.handling_org_unit_id)
        await uow.audit(principal, "OBJECTION", "report", report.id)
        return await uow.commit(state_of(report))


async def tolerate(report_id: str, cadre_id: str, on: dt.date, uow: UOW) -> bool:
    """Closes the linked report with outcome TOLERATED for a cadre exempted by tolerance (no commit: consumer)."""
    report = await uow.reports.get(report_id)
    if report is None:
        raise NotFound("report not found", field="report_id", rule="report.tolerated")
    changed = report.tolerate(cadre_id=cadre_id, on=on)
    if changed:
        await uow.reports.save(report)
        await plan_deadlines(uow, report.events, org_unit_id=report.handling_org_unit_id)
        await uow.audit(None, "TOLERATED", "report", report.id)
    return changed
