"""Assessment use cases: annual assessments, the year's quota, regular assessments; grade rules from projections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import Conflict, NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.appraisal.domain.assessment import DECIDED, AnnualAssessment
from services.appraisal.domain.grades import REGULAR_RESULTS, Constraint
from services.appraisal.domain.periods import period_range, quarter_of_period
from services.appraisal.domain.rules import grade_rules, quota
from services.appraisal.domain.rules.form import form_score
from services.appraisal.service_layer import awards, commands
from services.appraisal.service_layer.scope import visible_cadre, visible_unit
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

OBJECT = "annual_assessment"


async def constraints_for(uow: AppraisalUnitOfWork, a: AnnualAssessment, *, as_of: dt.date) -> list[Constraint]:
    """Evaluates the §1.3 rule table for an assessment against the local projection of tolerance's facts."""
    return grade_rules.evaluate(a.year, await uow.grade_facts(a.cadre_id), as_of=as_of)


async def _load(
    uow: AppraisalUnitOfWork, principal: Principal, assessment_id: str, *, self_only: bool = False, lock: bool = True
) -> AnnualAssessment:
    a = await uow.assessments.get(assessment_id, lock=lock)
    if a is None:
        raise NotFound("assessment not found", field="assessment_id", rule="scope.assessment")
    await visible_cadre(uow, principal, a.cadre_id, self_only=self_only)
    return a


async def _check_quota(uow: AppraisalUnitOfWork, a: AnnualAssessment) -> None:
    """Refuses an 优秀 beyond the agency's quota (the same figures GET …/quota answers)."""
    standing = await uow.quota.standing(a.org_unit_id, a.year, exclude_assessment_id=a.id, write=True)
    quota.check(standing.quota, standing.used)


async def open_assessment(
    cmd: commands.OpenAssessment, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Opens a cadre's annual assessment for a year (one per cadre and year)."""
    async with uow:
        cadre = await visible_cadre(uow, principal, cmd.cadre_id)
        if await uow.assessments.is_open(cmd.cadre_id, cmd.year):
            raise Conflict("this cadre's assessment for the year is already open", rule="assessment.one_per_year")
        a = AnnualAssessment.open(
            assessment_id=new_id(), cadre_id=cadre.cadre_id, org_unit_id=cadre.org_unit_id, year=cmd.year, today=today
        )
        await uow.quota.ensure_year(a.org_unit_id, a.year)
        await uow.assessments.add(a, org_path=cadre.org_path)
        await uow.audit(principal, "CREATE", OBJECT, a.id)
        return await uow.commit(a.id)


async def submit_self_summary(
    cmd: commands.SubmitSelfSummary, uow: AppraisalUnitOfWork, *, principal: Principal
) -> dict[str, Any]:
    """Records the cadre's own self-summary."""
    async with uow:
        a = await _load(uow, principal, cmd.assessment_id, self_only=True)
        a.submit_self_summary(cmd.summary)
        await uow.assessments.save(a)
        await uow.audit(principal, "SELF_SUMMARY", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def propose_grade(
    cmd: commands.ProposeGrade, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Takes the leader's proposal and applies the §1.3 rules and the 优秀 quota at once."""
    async with uow:
        a = await _load(uow, principal, cmd.assessment_id)
        score = form_score(cmd.indicators, uow.context.settings.form_weights)
        constraints = await constraints_for(uow, a, as_of=today)
        a.propose(
            grade=cmd.grade,
            comment=cmd.comment,
            indicators=cmd.indicators,
            score=score,
            undetermined_reason=cmd.undetermined_reason,
            constraints=constraints,
        )
        if a.proposed_grade == "EXCELLENT":
            await _check_quota(uow, a)
        await uow.assessments.save(a)
        await uow.audit(principal, "PROPOSE", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def start_publicity(
    assessment_id: str, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Publishes an 优秀 proposal for the configured number of working days."""
    async with uow:
        a = await _load(uow, principal, assessment_id)
        ctx = uow.context
        ends_on = ctx.calendar.add_working_days(today, ctx.settings.publicity_working_days)
        a.start_publicity(today=today, ends_on=ends_on)
        await uow.assessments.save(a)
        await uow.audit(principal, "PUBLICITY", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def decide_grade(
    assessment_id: str, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Decides the grade (re-checking rules and quota), finalizes it and proposes the awards it earns."""
    async with uow:
        a = await _load(uow, principal, assessment_id)
        constraints = await constraints_for(uow, a, as_of=today)
        a.decide(today=today, by=principal.subject, constraints=constraints)
        if a.final_grade == "EXCELLENT":
            await _check_quota(uow, a)
        await uow.assessments.save(a)
        await awards.propose_from_grade(uow, a, today=today)
        await uow.audit(principal, "DECIDE", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def notify_grade(
    assessment_id: str, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records the written notification of the grade."""
    async with uow:
        a = await _load(uow, principal, assessment_id)
        a.notify(today=today)
        await uow.assessments.save(a)
        await uow.audit(principal, "NOTIFY", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def acknowledge_grade(
    cmd: commands.AcknowledgeGrade, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records the cadre's signature and opinion."""
    async with uow:
        a = await _load(uow, principal, cmd.assessment_id, self_only=True)
        a.acknowledge(today=today, opinion=cmd.opinion)
        await uow.assessments.save(a)
        await uow.audit(principal, "ACKNOWLEDGE", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def request_review(
    assessment_id: str, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Opens a 复核 of the cadre's own 不称职 grade."""
    async with uow:
        a = await _load(uow, principal, assessment_id, self_only=True)
        a.request_review(today=today, window_days=uow.context.settings.review_request_days)
        await uow.assessments.save(a)
        await uow.audit(principal, "REQUEST_REVIEW", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def decide_review(
    cmd: commands.DecideReview, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Upholds or lightens a reviewed grade (a change re-emits grade_finalized, amended)."""
    async with uow:
        a = await _load(uow, principal, cmd.assessment_id)
        before = a.final_grade
        constraints = await constraints_for(uow, a, as_of=a.decided_on or today)
        a.decide_review(today=today, grade=cmd.grade, constraints=constraints)
        await uow.assessments.save(a)
        if before == "EXCELLENT" and a.final_grade != before:
            await awards.grade_withdrawn(uow, a, today=today)
        await uow.audit(principal, "DECIDE_REVIEW", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def supplement_grade(
    cmd: commands.SupplementGrade, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Assigns a grade retroactively (补定等次) after an investigation closed without a heavier sanction."""
    async with uow:
        a = await _load(uow, principal, cmd.assessment_id)
        open_investigation = any(
            c.reason == "PENDING_INVESTIGATION" for c in await constraints_for(uow, a, as_of=today)
        )
        if open_investigation or a.status != "SUPPLEMENT_PENDING":
            raise Conflict(
                "补定等次 waits for the investigation to close without a heavier sanction",
                rule="assessment.supplement_after_closure",
            )
        a.supplement(
            grade=cmd.grade,
            today=today,
            constraints=[c for c in await constraints_for(uow, a, as_of=today) if c.reason != "PENDING_INVESTIGATION"],
        )
        await uow.assessments.save(a)
        await awards.propose_from_grade(uow, a, today=today)
        await uow.audit(principal, "SUPPLEMENT", OBJECT, a.id)
        return await uow.commit(state_of(a))


async def configure_year(cmd: commands.ConfigureYear, uow: AppraisalUnitOfWork, *, principal: Principal) -> dict:
    """Sets a unit's 优秀 quota for a year (above the default only with the approved raise)."""
    async with uow:
        await visible_unit(uow, principal, cmd.org_unit_id)
        s = uow.context.settings
        quota.check_quota_pct(
            cmd.excellent_quota_pct,
            raise_approved=cmd.quota_raise_approved,
            default_pct=s.excellent_quota_pct,
            max_pct=s.excellent_quota_max_pct,
        )
        if cmd.quota_raise_approved and not cmd.approval_ref:
            raise RuleViolation("a raised quota names the approval", rule="assessment_year.approval_ref")
        agency, _, _ = await uow.quota.counting_unit(cmd.org_unit_id)
        if agency != cmd.org_unit_id:
            raise RuleViolation(
                "the 优秀 quota is counted over the agency (机关) this unit belongs to, not over an "
                "internal division: configure the agency",
                rule="assessment_year.counting_unit",
                source=quota.COUNTING_SOURCE,
                field="org_unit_id",
            )
        await uow.quota.standing(cmd.org_unit_id, cmd.year, write=True)
        await uow.quota.configure(
            cmd.org_unit_id,
            cmd.year,
            pct=cmd.excellent_quota_pct,
            raise_approved=cmd.quota_raise_approved,
            approval_ref=cmd.approval_ref,
        )
        return await uow.commit(
            {
                "org_unit_id": cmd.org_unit_id,
                "year": cmd.year,
                "excellent_quota_pct": cmd.excellent_quota_pct,
                "quota_raise_approved": cmd.quota_raise_approved,
                "approval_ref": cmd.approval_ref,
            }
        )


async def record_regular(
    cmd: commands.RecordRegularAssessment, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Records a regular assessment (平时考核) of a quarter or month."""
    async with uow:
        cadre = await visible_cadre(uow, principal, cmd.cadre_id)
        if cmd.result not in REGULAR_RESULTS:
            raise RuleViolation("result must be one of " + ", ".join(REGULAR_RESULTS), rule="regular_assessment.result")
        first, last = period_range(cmd.period_key)
        if first > today:
            raise RuleViolation("the period has not started", rule="regular_assessment.period_key")
        if await uow.regular.exists(cmd.cadre_id, cmd.period_key):
            raise Conflict("a regular assessment of this period exists", rule="regular_assessment.one_per_period")
        row_id = new_id()
        await uow.regular.add(
            id=row_id,
            cadre_id=cadre.cadre_id,
            org_unit_id=cadre.org_unit_id,
            org_path=cadre.org_path,
            period_key=cmd.period_key,
            period_end=last,
            result=cmd.result,
            evaluator=principal.subject,
            evidence_refs=list(cmd.evidence_refs),
        )
        await uow.mark_dirty({(cadre.cadre_id, quarter_of_period(cmd.period_key))})
        return await uow.commit(row_id)


async def reconcile_cadre(uow: AppraisalUnitOfWork, cadre_id: str, *, today: dt.date) -> int:
    """Re-applies the grade rules to every assessment of a cadre after a new fact; returns how many changed."""
    changed = 0
    facts = await uow.grade_facts(cadre_id)
    for a in await uow.assessments.of_cadre(cadre_id, lock=True):
        decided = a.status in DECIDED
        before = a.final_grade
        constraints = grade_rules.evaluate(a.year, facts, as_of=(a.decided_on if decided and a.decided_on else today))
        if a.reconcile(constraints, today=today):
            await uow.assessments.save(a)
            await uow.audit(None, "RECONCILE", OBJECT, a.id)
            if before == "EXCELLENT" and a.final_grade != "EXCELLENT":
                await awards.grade_withdrawn(uow, a, today=today)
            changed += 1
    return changed
