"""What tolerance's facts change here: the mirrored restrictions, sanctions, investigations and exemptions, the
§1.3 grade rules re-applied, the index requeued, award reviews after a serious sanction (run by the consumers,
which commit)."""

from __future__ import annotations

import datetime as dt

from kernel.contracts import tolerance_v1 as tol
from services.appraisal.domain.assessment import DECIDED
from services.appraisal.domain.periods import quarter_pair
from services.appraisal.domain.rules import grade_rules
from services.appraisal.domain.rules.awards import is_serious
from services.appraisal.service_layer import awards
from services.appraisal.service_layer.assessments import constraints_for, reconcile_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

GRADE_EFFECTS = set(grade_rules.RESTRICTION_EFFECTS)


async def restriction_changed(p: tol.RestrictionState, uow: AppraisalUnitOfWork, *, today: dt.date) -> None:
    """Mirrors a restriction's full state; a grade effect re-applies the §1.3 rules to the cadre's assessments."""
    await uow.projections.keep_restriction(p)
    if p.effect.value in GRADE_EFFECTS:
        await reconcile_cadre(uow, p.cadre_id, today=today)


async def sanction_changed(p: tol.SanctionState, status: str, uow: AppraisalUnitOfWork, *, today: dt.date) -> None:
    """Mirrors a sanction; applies its grade rules, requeues the index and opens award reviews if serious."""
    previous = await uow.projections.sanction_effective_on(p.sanction_id)
    await uow.projections.keep_sanction(p, status)
    await uow.mark_dirty(quarter_pair(p.cadre_id, p.effective_on) | quarter_pair(p.cadre_id, previous))
    await reconcile_cadre(uow, p.cadre_id, today=today)
    if status == "EFFECTIVE" and is_serious(p.type.value, uow.context.settings.serious_sanction_types):
        tolerated = p.incident_id and await uow.projections.incident_tolerated(p.incident_id)
        if not tolerated:
            await awards.sanction_review(uow, p.cadre_id, p.sanction_id)


async def tolerance_granted(p: tol.ToleranceGranted, uow: AppraisalUnitOfWork, *, today: dt.date) -> None:
    """EXEMPT: the incident's findings become TOLERATED, its sanctions stop counting, nothing lowers a grade."""
    if p.decision.value != "EXEMPT":
        return  # MITIGATE: the lighter sanction's own restriction still applies (it arrives on its own)
    await uow.projections.keep_tolerated(p)
    touched: set[tuple[str, str]] = set()
    finding_ids = [r.id for r in p.source_refs if r.type == "INACTION_FINDING"]
    for finding in await uow.findings.linked(p.cadre_id, p.incident_id, finding_ids, lock=True):
        if finding.tolerate(case_id=p.case_id):
            await uow.findings.save(finding)
            touched |= quarter_pair(finding.cadre_id, finding.occurred_on)
    report_ids = [r.id for r in p.source_refs if r.type == "REPORT"]
    if report_ids:
        for day in await uow.projections.tolerate_reports(report_ids, p.cadre_id):
            touched |= quarter_pair(p.cadre_id, day)
    for day in await uow.projections.sanction_days(p.incident_id):
        touched |= quarter_pair(p.cadre_id, day)
    await uow.mark_dirty(touched)
    await reconcile_cadre(uow, p.cadre_id, today=today)


async def tolerance_rejected(p: tol.ToleranceRejected, uow: AppraisalUnitOfWork, *, today: dt.date) -> None:
    """A rejected application confirms the findings that waited for it."""
    ids = [r.id for r in p.source_refs if r.type == "INACTION_FINDING"]
    for finding in await uow.findings.linked(p.cadre_id, p.incident_id, ids, lock=True):
        if finding.tolerance_rejected(today=today):
            await uow.findings.save(finding)
            await uow.mark_dirty(quarter_pair(finding.cadre_id, finding.occurred_on))


async def investigation_opened(p: tol.InvestigationOpened, uow: AppraisalUnitOfWork, *, today: dt.date) -> None:
    """立案: open assessments of the cadre become 不定等次 (PENDING_INVESTIGATION), their proposal held."""
    await uow.projections.keep_investigation(p)
    await reconcile_cadre(uow, p.cadre_id, today=today)


async def investigation_closed(p: tol.InvestigationClosed, uow: AppraisalUnitOfWork, *, today: dt.date) -> None:
    """Closure: NO_SANCTION or WARNING_LEVEL → 补定等次 (grade_finalized, supplemented); otherwise by sanction type."""
    await uow.projections.keep_investigation(p)
    allowed = grade_rules.supplement_allowed(p.result)
    cap = grade_rules.supplement_cap(p.result) is not None
    for a in await uow.assessments.of_cadre(p.cadre_id, lock=True):
        if a.status in DECIDED and not allowed:
            continue
        constraints = await constraints_for(uow, a, as_of=today)
        if a.investigation_closed(result=p.result, cap_not_excellent=cap, today=today, constraints=constraints):
            await uow.assessments.save(a)
            if a.supplemented:
                await awards.propose_from_grade(uow, a, today=today)


async def reinstatement_approved(p: tol.ReinstatementApproved, uow: AppraisalUnitOfWork) -> None:
    """Re-use after a mistake (复出, §5.16): an observation note on the record; grades and index unchanged."""
    await uow.projections.add_note(
        cadre_id=p.cadre_id,
        kind="REINSTATEMENT",
        source_ref=f"reinstatement/{p.reinstatement_id}",
        noted_on=p.decided_on,
        detail=f"reinstated to post {p.target_post}: observation period",
    )
