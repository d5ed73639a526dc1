"""Handlers of consumed events: keep the local projections, re-apply the grade rules, requeue the index.

Handlers never commit (the consumer runner commits inbox claim + changes together). Full-state events are
guarded by the per-subject watermark; fact events are idempotent by natural key.
"""

from __future__ import annotations

from sqlalchemy import select, update

from kernel.contracts import petitions_v1 as pet
from kernel.contracts import rank_v1 as rank
from kernel.contracts import tolerance_v1 as tol
from kernel.db import utcnow
from kernel.envelope import CloudEvent
from kernel.errors import DomainError, PermanentEventError
from kernel.sql import insert_ignore, upsert
from services.appraisal.adapters import orm
from services.appraisal.adapters.projections import add_note, mark_dirty, quarter_pair
from services.appraisal.domain.assessment import DECIDED
from services.appraisal.domain.rules import grade_rules
from services.appraisal.domain.rules.awards import is_serious
from services.appraisal.service_layer import awards
from services.appraisal.service_layer.assessments import constraints_for, reconcile_cadre
from services.appraisal.service_layer.scope import today_cst
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

GRADE_EFFECTS = set(grade_rules.RESTRICTION_EFFECTS)
CLARIFIED = "CLARIFIED"  # report outcome once the cadre was clarified (澄清正名): never counted again


# -- rank ----------------------------------------------------------------------------------------------------
async def on_rank_changed(p: rank.RankChanged, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Keeps promotions for incentive coverage."""
    await upsert(uow.conn, orm.rank_move, {
        "holding_id": p.holding_id, "kind": "RANK", "cadre_id": p.cadre_id, "basis": p.basis.value,
        "effective_date": p.effective_date}, ["holding_id", "kind"])


async def on_post_changed(p: rank.PostChanged, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Keeps post promotions and rotations (transfers) for incentive coverage."""
    await upsert(uow.conn, orm.rank_move, {
        "holding_id": p.holding_id, "kind": "POST", "cadre_id": p.cadre_id, "basis": p.basis.value,
        "effective_date": p.effective_date}, ["holding_id", "kind"])


async def on_contract_term_ending(p: rank.ContractTermEnding, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """A term ends soon (§5.19): a term evaluation task, due when the renewal review is, on the cadre's record."""
    await add_note(uow.conn, cadre_id=p.cadre_id, kind="TERM_EVALUATION", source_ref=f"contract/{p.contract_id}",
                   noted_on=today_cst(), due_on=p.review_due_on,
                   detail=f"{p.kind.value} contract term ends {p.ends_on.isoformat()}: term evaluation due")


# -- tolerance -----------------------------------------------------------------------------------------------
async def on_restriction(p: tol.RestrictionState, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Mirrors a restriction's full state; a grade effect re-applies the §1.3 rules to the cadre's assessments."""
    await upsert(uow.conn, orm.tol_restriction, {
        "restriction_id": p.restriction_id, "cadre_id": p.cadre_id, "effect": p.effect.value,
        "source_type": p.source_type.value, "source_id": p.source_id, "starts_on": p.starts_on, "ends_on": p.ends_on,
        "status": p.status.value, "updated_at": utcnow()}, ["restriction_id"])
    if p.effect.value in GRADE_EFFECTS:
        await reconcile_cadre(uow, p.cadre_id, today=today_cst())


SANCTION_STATUS = {tol.SanctionEffective: "EFFECTIVE", tol.SanctionExpired: "EXPIRED", tol.SanctionVaried: "VARIED",
                   tol.SanctionRevoked: "REVOKED"}


async def on_sanction(p: tol.SanctionState, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Mirrors a sanction; applies its grade rules, requeues the index and opens award reviews if serious."""
    s = orm.tol_sanction
    previous = (await uow.conn.execute(select(s.c.effective_on).where(s.c.sanction_id == p.sanction_id))).scalar()
    status = SANCTION_STATUS[type(p)]
    await upsert(uow.conn, s, {
        "sanction_id": p.sanction_id, "cadre_id": p.cadre_id, "system": p.system.value, "type": p.type.value,
        "effective_on": p.effective_on, "ends_on": p.ends_on, "period_months": p.period_months,
        "incident_id": p.incident_id, "status": status, "updated_at": utcnow()}, ["sanction_id"])
    await mark_dirty(uow.conn, quarter_pair(p.cadre_id, p.effective_on) | quarter_pair(p.cadre_id, previous))
    today = today_cst()
    await reconcile_cadre(uow, p.cadre_id, today=today)
    if status == "EFFECTIVE" and is_serious(p.type.value, uow.context.settings.serious_sanction_types):
        t = orm.tol_tolerated
        tolerated = p.incident_id and (await uow.conn.execute(
            select(t.c.case_id).where(t.c.incident_id == p.incident_id))).first()
        if not tolerated:
            await awards.sanction_review(uow, p.cadre_id, p.sanction_id)


async def on_tolerance_granted(p: tol.ToleranceGranted, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """EXEMPT: the incident's findings become TOLERATED, its sanctions stop counting, nothing lowers a grade."""
    if p.decision.value != "EXEMPT":
        return  # MITIGATE: the lighter sanction's own restriction still applies (it arrives on its own)
    await insert_ignore(uow.conn, orm.tol_tolerated, {
        "case_id": p.case_id, "incident_id": p.incident_id, "cadre_id": p.cadre_id, "decided_on": p.decided_on,
        "source_refs": [r.model_dump() for r in p.source_refs]}, ["case_id"])
    touched: set[tuple[str, str]] = set()
    f = orm.inaction_finding
    finding_ids = [r.id for r in p.source_refs if r.type == "INACTION_FINDING"]
    linked = f.c.incident_ref == p.incident_id
    if finding_ids:
        linked = linked | f.c.id.in_(finding_ids)
    for finding in await uow.findings.find(f.c.cadre_id == p.cadre_id, linked, lock=True):
        if finding.tolerate(case_id=p.case_id):
            await uow.findings.save(finding)
            touched |= quarter_pair(finding.cadre_id, finding.occurred_on)
    report_ids = [r.id for r in p.source_refs if r.type == "REPORT"]
    if report_ids:
        r = orm.pet_report_outcome
        rows = (await uow.conn.execute(select(r.c.closed_on).where(r.c.report_id.in_(report_ids),
                                                                   r.c.cadre_id == p.cadre_id))).scalars().all()
        await uow.conn.execute(update(r).where(r.c.report_id.in_(report_ids), r.c.cadre_id == p.cadre_id)
                               .values(outcome="TOLERATED"))
        for day in rows:
            touched |= quarter_pair(p.cadre_id, day)
    s = orm.tol_sanction
    for day in (await uow.conn.execute(select(s.c.effective_on).where(s.c.incident_id == p.incident_id))).scalars():
        touched |= quarter_pair(p.cadre_id, day)
    await mark_dirty(uow.conn, touched)
    await reconcile_cadre(uow, p.cadre_id, today=today_cst())


async def on_tolerance_rejected(p: tol.ToleranceRejected, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """A rejected application confirms the findings that waited for it."""
    f = orm.inaction_finding
    ids = [r.id for r in p.source_refs if r.type == "INACTION_FINDING"]
    linked = f.c.incident_ref == p.incident_id
    if ids:
        linked = linked | f.c.id.in_(ids)
    today = today_cst()
    for finding in await uow.findings.find(f.c.cadre_id == p.cadre_id, linked, lock=True):
        if finding.tolerance_rejected(today=today):
            await uow.findings.save(finding)
            await mark_dirty(uow.conn, quarter_pair(finding.cadre_id, finding.occurred_on))


async def on_investigation_opened(p: tol.InvestigationOpened, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """立案: open assessments of the cadre become 不定等次 (PENDING_INVESTIGATION), their proposal held."""
    await upsert(uow.conn, orm.tol_investigation, {
        "investigation_id": p.investigation_id, "cadre_id": p.cadre_id, "case_id": p.case_id,
        "opened_on": p.opened_on, "closed_on": None, "result": None}, ["investigation_id"])
    await reconcile_cadre(uow, p.cadre_id, today=today_cst())


async def on_investigation_closed(p: tol.InvestigationClosed, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Closure: NO_SANCTION or WARNING_LEVEL → 补定等次 (grade_finalized, supplemented); otherwise by sanction type."""
    await upsert(uow.conn, orm.tol_investigation, {
        "investigation_id": p.investigation_id, "cadre_id": p.cadre_id, "case_id": p.case_id,
        "opened_on": p.opened_on, "closed_on": p.closed_on, "result": p.result}, ["investigation_id"])
    today = today_cst()
    allowed = grade_rules.supplement_allowed(p.result)
    cap = grade_rules.supplement_cap(p.result) is not None
    for a in await uow.assessments.find(orm.annual_assessment.c.cadre_id == p.cadre_id, lock=True):
        if a.status in DECIDED and not allowed:
            continue
        constraints = await constraints_for(uow, a, as_of=today)
        if a.investigation_closed(result=p.result, cap_not_excellent=cap, today=today, constraints=constraints):
            await uow.assessments.save(a)
            if a.supplemented:
                await awards.propose_from_grade(uow, a, today=today)


async def on_reinstatement_approved(p: tol.ReinstatementApproved, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Re-use after a mistake (复出, §5.16): an observation note on the record; grades and index unchanged."""
    await add_note(uow.conn, cadre_id=p.cadre_id, kind="REINSTATEMENT", source_ref=f"reinstatement/{p.reinstatement_id}",
                   noted_on=p.decided_on, detail=f"reinstated to post {p.target_post}: observation period")


# -- petitions -----------------------------------------------------------------------------------------------
async def on_report_closed(p: pet.ReportClosed, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Substantiated outcomes count against the cadre; UNFOUNDED removes the report's negatives (index recomputed)."""
    r = orm.pet_report_outcome
    touched: set[tuple[str, str]] = set()
    for co in p.cadre_outcomes:
        before = (await uow.conn.execute(select(r.c.closed_on, r.c.outcome).where(
            r.c.report_id == p.report_id, r.c.cadre_id == co.cadre_id))).first()
        previous = before.closed_on if before else None
        # A clarification seen first (events out of order) keeps the report from ever counting against the cadre.
        outcome = CLARIFIED if before and before.outcome == CLARIFIED else co.outcome.value
        await upsert(uow.conn, r, {"report_id": p.report_id, "cadre_id": co.cadre_id,
                                                    "outcome": outcome, "closed_on": p.closed_on},
                                      ["report_id", "cadre_id"])
        touched |= quarter_pair(co.cadre_id, p.closed_on) | quarter_pair(co.cadre_id, previous)
        if co.outcome.value == "UNFOUNDED":
            f = orm.inaction_finding
            for finding in await uow.findings.find(f.c.cadre_id == co.cadre_id, f.c.source_type == "PETITION",
                                                   f.c.source_ref == p.report_id, lock=True):
                if finding.unfounded(report_id=p.report_id):
                    await uow.findings.save(finding)
                    touched |= quarter_pair(finding.cadre_id, finding.occurred_on)
    await mark_dirty(uow.conn, touched)


async def on_clarification_executed(p: pet.ClarificationExecuted, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """澄清正名 (§5.8): a note in the record; the clarified reports never count again (index recomputed)."""
    await add_note(uow.conn, cadre_id=p.cadre_id, kind="CLARIFICATION", source_ref=f"clarification/{p.clarification_id}",
                   noted_on=p.executed_on, detail=f"clarified ({p.method}, {p.scope}); reports "
                   + ", ".join(p.report_ids))
    r, f = orm.pet_report_outcome, orm.inaction_finding
    touched = quarter_pair(p.cadre_id, p.executed_on)
    for report_id in p.report_ids:
        closed_on = (await uow.conn.execute(select(r.c.closed_on).where(
            r.c.report_id == report_id, r.c.cadre_id == p.cadre_id))).scalar()
        await upsert(uow.conn, r, {"report_id": report_id, "cadre_id": p.cadre_id,
                                                    "outcome": CLARIFIED, "closed_on": closed_on or p.executed_on},
                                      ["report_id", "cadre_id"])
        touched |= quarter_pair(p.cadre_id, closed_on)
        for finding in await uow.findings.find(f.c.cadre_id == p.cadre_id, f.c.source_type == "PETITION",
                                               f.c.source_ref == report_id, lock=True):
            if finding.unfounded(report_id=report_id):
                await uow.findings.save(finding)
                touched |= quarter_pair(finding.cadre_id, finding.occurred_on)
    await mark_dirty(uow.conn, touched)


async def on_xinfang_about_cadre(p: pet.XinfangAboutCadre, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """信访工作条例 §30 (§5.11): a review flag for selection supervision; no automatic bar (grades, index untouched)."""
    for cadre_id in p.cadre_ids:
        await add_note(uow.conn, cadre_id=cadre_id, kind="XINFANG_REVIEW", source_ref=f"report/{p.report_id}",
                       noted_on=p.received_on, detail="petition received: review by selection supervision (选拔任用监督)")


async def on_false_accusation(p: pet.FalseAccusationConfirmed, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """A cadre who fabricated an accusation gets a negative index component."""
    if not p.accuser_cadre_id:
        return
    await insert_ignore(uow.conn, orm.pet_false_accusation, {
        "case_id": p.case_id, "accuser_cadre_id": p.accuser_cadre_id, "confirmed_on": p.confirmed_on}, ["case_id"])
    await mark_dirty(uow.conn, quarter_pair(p.accuser_cadre_id, p.confirmed_on))


async def on_appeal_decided(p: pet.AppealDecided, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """An appeal on an annual grade amends it (never heavier) and re-emits grade_finalized (amended)."""
    if p.target_type.value != "ANNUAL_GRADE":
        return
    prefix = "annual-assessment/"
    if not p.target_ref.startswith(prefix):
        raise PermanentEventError(f"target_ref {p.target_ref!r} does not name an annual assessment")
    a = await uow.assessments.get(p.target_ref[len(prefix):], lock=True)
    if a is None:
        raise PermanentEventError(f"unknown assessment {p.target_ref}")
    before = a.final_grade
    today = today_cst()
    try:
        changed = a.apply_appeal(result=p.result.value, varied_to=p.varied_to, today=today,
                                 constraints=await constraints_for(uow, a, as_of=a.decided_on or today))
    except DomainError as exc:
        raise PermanentEventError(f"appeal {p.appeal_id} cannot apply: {exc.message}") from None
    if not changed:
        raise PermanentEventError(f"assessment {a.id} has no decided grade to appeal (status {a.status})")
    await uow.assessments.save(a)
    if before == "EXCELLENT" and a.final_grade != "EXCELLENT" or a.status == "REOPENED":
        await awards.grade_withdrawn(uow, a, today=today)
    elif a.final_grade == "EXCELLENT" and before != "EXCELLENT":
        await awards.propose_from_grade(uow, a, today=today)
