"""Handlers of consumed events: each hands its payload to the use case that keeps the local projections,
re-applies the grade rules and requeues the index (service_layer/*_facts.py).

Handlers never commit (the consumer runner commits inbox claim + changes together). Full-state events are
guarded by the per-subject watermark; fact events are idempotent by natural key.
"""

from __future__ import annotations

from kernel.contracts import petitions_v1 as pet
from kernel.contracts import rank_v1 as rank
from kernel.contracts import tolerance_v1 as tol
from kernel.envelope import CloudEvent
from services.appraisal.service_layer import petition_facts, rank_facts, tolerance_facts
from services.appraisal.service_layer.scope import today_cst
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


# -- rank ----------------------------------------------------------------------------------------------------
async def on_rank_changed(p: rank.RankChanged, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Keeps promotions for incentive coverage."""
    await rank_facts.moved(p, "RANK", uow)


async def on_post_changed(p: rank.PostChanged, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Keeps post promotions and rotations (transfers) for incentive coverage."""
    await rank_facts.moved(p, "POST", uow)


async def on_contract_term_ending(p: rank.ContractTermEnding, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """A term ends soon (§5.19): a term evaluation task on the cadre's record."""
    await rank_facts.contract_term_ending(p, uow, today=today_cst())


# -- tolerance -----------------------------------------------------------------------------------------------
async def on_restriction(p: tol.RestrictionState, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Mirrors a restriction's full state; a grade effect re-applies the §1.3 rules to the cadre's assessments."""
    await tolerance_facts.restriction_changed(p, uow, today=today_cst())


SANCTION_STATUS = {
    tol.SanctionEffective: "EFFECTIVE",
    tol.SanctionExpired: "EXPIRED",
    tol.SanctionVaried: "VARIED",
    tol.SanctionRevoked: "REVOKED",
}


async def on_sanction(p: tol.SanctionState, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Mirrors a sanction; applies its grade rules, requeues the index and opens award reviews if serious."""
    await tolerance_facts.sanction_changed(p, SANCTION_STATUS[type(p)], uow, today=today_cst())


async def on_tolerance_granted(p: tol.ToleranceGranted, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """EXEMPT: the incident's findings become TOLERATED, its sanctions stop counting, nothing lowers a grade."""
    await tolerance_facts.tolerance_granted(p, uow, today=today_cst())


async def on_tolerance_rejected(p: tol.ToleranceRejected, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """A rejected application confirms the findings that waited for it."""
    await tolerance_facts.tolerance_rejected(p, uow, today=today_cst())


async def on_investigation_opened(p: tol.InvestigationOpened, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """立案: open assessments of the cadre become 不定等次 (PENDING_INVESTIGATION), their proposal held."""
    await tolerance_facts.investigation_opened(p, uow, today=today_cst())


async def on_investigation_closed(p: tol.InvestigationClosed, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Closure: NO_SANCTION or WARNING_LEVEL → 补定等次 (grade_finalized, supplemented); otherwise by sanction type."""
    await tolerance_facts.investigation_closed(p, uow, today=today_cst())


async def on_reinstatement_approved(p: tol.ReinstatementApproved, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Re-use after a mistake (复出, §5.16): an observation note on the record; grades and index unchanged."""
    await tolerance_facts.reinstatement_approved(p, uow)


# -- petitions -----------------------------------------------------------------------------------------------
async def on_report_closed(p: pet.ReportClosed, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """Substantiated outcomes count against the cadre; UNFOUNDED removes the report's negatives (index recomputed)."""
    await petition_facts.report_closed(p, uow)


async def on_clarification_executed(p: pet.ClarificationExecuted, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """澄清正名 (§5.8): a note in the record; the clarified reports never count again (index recomputed)."""
    await petition_facts.clarification_executed(p, uow)


async def on_xinfang_about_cadre(p: pet.XinfangAboutCadre, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """信访工作条例 §30 (§5.11): a review flag for selection supervision; no automatic bar (grades, index untouched)."""
    await petition_facts.xinfang_about_cadre(p, uow)


async def on_false_accusation(p: pet.FalseAccusationConfirmed, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """A cadre who fabricated an accusation gets a negative index component."""
    await petition_facts.false_accusation(p, uow)


async def on_appeal_decided(p: pet.AppealDecided, _e: CloudEvent, uow: AppraisalUnitOfWork) -> None:
    """An appeal on an annual grade amends it (never heavier) and re-emits grade_finalized (amended)."""
    await petition_facts.appeal_decided(p, uow, today=today_cst())
