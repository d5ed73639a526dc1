"""What petitions' facts change here: report outcomes and clarifications for the index, review notes, false
accusations, and appeals on annual grades (run by the consumers, which commit)."""

from __future__ import annotations

import datetime as dt

from kernel.contracts import petitions_v1 as pet
from kernel.errors import DomainError, PermanentEventError
from services.appraisal.domain.periods import quarter_pair
from services.appraisal.service_layer import awards
from services.appraisal.service_layer.assessments import constraints_for
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

CLARIFIED = "CLARIFIED"  # report outcome once the cadre was clarified (澄清正名): never counted again
ANNUAL_ASSESSMENT = "annual-assessment/"


async def _unfounded(uow: AppraisalUnitOfWork, cadre_id: str, report_id: str) -> set[tuple[str, str]]:
    """Drops the findings a report that proved unfounded raised; returns the quarters they touched."""
    touched: set[tuple[str, str]] = set()
    for finding in await uow.findings.from_report(cadre_id, report_id, lock=True):
        if finding.unfounded(report_id=report_id):
            await uow.findings.save(finding)
            touched |= quarter_pair(finding.cadre_id, finding.occurred_on)
    return touched


async def report_closed(p: pet.ReportClosed, uow: AppraisalUnitOfWork) -> None:
    """Substantiated outcomes count against the cadre; UNFOUNDED removes the report's negatives (index recomputed)."""
    touched: set[tuple[str, str]] = set()
    for co in p.cadre_outcomes:
        before = await uow.projections.report_outcome(p.report_id, co.cadre_id)
        previous = before[0] if before else None
        # A clarification seen first (events out of order) keeps the report from ever counting against the cadre.
        outcome = CLARIFIED if before and before[1] == CLARIFIED else co.outcome.value
        await uow.projections.keep_report_outcome(p.report_id, co.cadre_id, outcome, p.closed_on)
        touched |= quarter_pair(co.cadre_id, p.closed_on) | quarter_pair(co.cadre_id, previous)
        if co.outcome.value == "UNFOUNDED":
            touched |= await _unfounded(uow, co.cadre_id, p.report_id)
    await uow.mark_dirty(touched)


async def clarification_executed(p: pet.ClarificationExecuted, uow: AppraisalUnitOfWork) -> None:
    """澄清正名 (§5.8): a note in the record; the clarified reports never count again (index recomputed)."""
    await uow.projections.add_note(
        cadre_id=p.cadre_id,
        kind="CLARIFICATION",
        source_ref=f"clarification/{p.clarification_id}",
        noted_on=p.executed_on,
        detail=f"clarified ({p.method}, {p.scope}); reports " + ", ".join(p.report_ids),
    )
    touched = quarter_pair(p.cadre_id, p.executed_on)
    for report_id in p.report_ids:
        closed_on = await uow.projections.report_closed_on(report_id, p.cadre_id)
        await uow.projections.keep_report_outcome(report_id, p.cadre_id, CLARIFIED, closed_on or p.executed_on)
        touched |= quarter_pair(p.cadre_id, closed_on)
        touched |= await _unfounded(uow, p.cadre_id, report_id)
    await uow.mark_dirty(touched)


async def xinfang_about_cadre(p: pet.XinfangAboutCadre, uow: AppraisalUnitOfWork) -> None:
    """信访工作条例 §30 (§5.11): a review flag for selection supervision; no automatic bar (grades, index untouched)."""
    for cadre_id in p.cadre_ids:
        await uow.projections.add_note(
            cadre_id=cadre_id,
            kind="XINFANG_REVIEW",
            source_ref=f"report/{p.report_id}",
            noted_on=p.received_on,
            detail="petition received: review by selection supervision (选拔任用监督)",
        )


async def false_accusation(p: pet.FalseAccusationConfirmed, uow: AppraisalUnitOfWork) -> None:
    """A cadre who fabricated an accusation gets a negative index component."""
    if not p.accuser_cadre_id:
        return
    await uow.projections.keep_false_accusation(p)
    await uow.mark_dirty(quarter_pair(p.accuser_cadre_id, p.confirmed_on))


async def appeal_decided(p: pet.AppealDecided, uow: AppraisalUnitOfWork, *, today: dt.date) -> None:
    """An appeal on an annual grade amends it (never heavier) and re-emits grade_finalized (amended)."""
    if p.target_type.value != "ANNUAL_GRADE":
        return
    if not p.target_ref.startswith(ANNUAL_ASSESSMENT):
        raise PermanentEventError(f"target_ref {p.target_ref!r} does not name an annual assessment")
    a = await uow.assessments.get(p.target_ref[len(ANNUAL_ASSESSMENT) :], lock=True)
    if a is None:
        raise PermanentEventError(f"unknown assessment {p.target_ref}")
    before = a.final_grade
    try:
        changed = a.apply_appeal(
            result=p.result.value,
            varied_to=p.varied_to,
            today=today,
            constraints=await constraints_for(uow, a, as_of=a.decided_on or today),
        )
    except DomainError as exc:
        raise PermanentEventError(f"appeal {p.appeal_id} cannot apply: {exc.message}") from None
    if not changed:
        raise PermanentEventError(f"assessment {a.id} has no decided grade to appeal (status {a.status})")
    await uow.assessments.save(a)
    if before == "EXCELLENT" and a.final_grade != "EXCELLENT" or a.status == "REOPENED":
        await awards.grade_withdrawn(uow, a, today=today)
    elif a.final_grade == "EXCELLENT" and before != "EXCELLENT":
        await awards.propose_from_grade(uow, a, today=today)
