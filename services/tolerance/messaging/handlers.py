"""Handlers of the events tolerance consumes; `async def on_x(payload, event, uow)`; the runner commits."""

from __future__ import annotations

from kernel.contracts import appraisal_v1, petitions_v1, rank_v1
from kernel.contracts.vocabulary import Grade, SanctionSystem, SanctionType
from kernel.deps import china_today as today
from kernel.envelope import CloudEvent
from services.tolerance.service_layer import investigations, mirrors, sanctions
from services.tolerance.service_layer.commands import SourceRef
from services.tolerance.service_layer.sanctions import Origin
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork


async def on_case_opened(payload: petitions_v1.CaseOpened, _e: CloudEvent, uow: ToleranceUnitOfWork) -> None:
    """Mirrors a formal case as an investigation with its bars."""
    await investigations.open_investigation(
        uow,
        case_id=payload.case_id,
        report_id=payload.report_id,
        cadre_id=payload.cadre_id,
        opened_on=payload.opened_on,
    )


async def on_report_closed(payload: petitions_v1.ReportClosed, _e: CloudEvent, uow: ToleranceUnitOfWork) -> None:
    """Closes, or lets the handling conclude, the investigations of a closed report."""
    await investigations.close_for_report(
        uow,
        report_id=payload.report_id,
        case_ids=list(payload.case_ids),
        outcomes=[(o.cadre_id, o.outcome) for o in payload.cadre_outcomes],
        closed_on=payload.closed_on,
    )


async def on_false_accusation(
    payload: petitions_v1.FalseAccusationConfirmed, _e: CloudEvent, uow: ToleranceUnitOfWork
) -> None:
    """Proposes a sanction against an accuser who is a cadre."""
    if not (payload.accuser_is_cadre and payload.accuser_cadre_id):
        return
    # 政务处分法 §32(四): 警告 to 开除; the lightest is proposed, the officer re-notifies a heavier one if due.
    await sanctions.propose_from_event(
        uow,
        cadre_id=payload.accuser_cadre_id,
        system=SanctionSystem.GOV,
        type_=SanctionType.WARNING,
        on=payload.confirmed_on,
        today=today(),
        origin=Origin.FALSE_ACCUSATION,
        external_ref=f"false-accusation/{payload.case_id}",
        ref=SourceRef("FALSE_ACCUSATION", payload.case_id),
        summary=f"false accusation confirmed in case {payload.case_id}",
    )


async def on_appeal_decided(payload: petitions_v1.AppealDecided, _e: CloudEvent, uow: ToleranceUnitOfWork) -> None:
    """Applies an appeal decision on a sanction (no change, varied or revoked)."""
    await sanctions.apply_appeal(
        uow,
        appeal_id=payload.appeal_id,
        stage=payload.stage,
        result=payload.result,
        target_ref=payload.target_ref,
        varied_to=payload.varied_to,
        decided_on=payload.decided_on,
        today=today(),
    )


async def on_inaction_confirmed(
    payload: appraisal_v1.InactionConfirmed, _e: CloudEvent, uow: ToleranceUnitOfWork
) -> None:
    """Proposes accountability for a finding that triggers it, with a tolerance window."""
    if not payload.triggers_accountability:
        return
    await sanctions.propose_from_event(
        uow,
        cadre_id=payload.cadre_id,
        system=SanctionSystem.ACCOUNTABILITY,
        type_=SanctionType.ACCOUNTABILITY_CRITICISM,
        on=payload.confirmed_on,
        today=today(),
        origin=Origin.INACTION,
        external_ref=f"inaction-finding/{payload.finding_id}",
        ref=SourceRef("INACTION_FINDING", payload.finding_id),
        summary=f"inaction {payload.item_code}",
        incident_id=payload.incident_ref,
        occurred_on=payload.occurred_on,
    )


async def on_admonishment_issued(
    payload: appraisal_v1.AdmonishmentIssued, _e: CloudEvent, uow: ToleranceUnitOfWork
) -> None:
    """Turns an admonishment talk into its restrictions."""
    await sanctions.record_admonishment(
        uow, talk_id=payload.talk_id, cadre_id=payload.cadre_id, issued_on=payload.issued_on
    )


async def on_grade_finalized(payload: appraisal_v1.GradeFinalized, _e: CloudEvent, uow: ToleranceUnitOfWork) -> None:
    """Opens a 诫勉 task for a 基本称职 grade, or cancels it when the grade is amended."""
    if payload.grade is Grade.BASIC:
        await mirrors.open_admonishment_task(
            uow,
            assessment_id=payload.assessment_id,
            cadre_id=payload.cadre_id,
            year=payload.year,
            opened_on=payload.finalized_on,
        )
    elif payload.amended:
        # Only an amended grade replaces an earlier one (the contract's `amended`), so only it can undo a task;
        # a first finalization has none to cancel (one statement fewer per imported grade).
        await mirrors.cancel_admonishment_task(uow, assessment_id=payload.assessment_id)


async def on_rank_changed(payload: rank_v1.RankChanged, _e: CloudEvent, uow: ToleranceUnitOfWork) -> None:
    """Keeps the cadre's rank history (the original rank before a removal)."""
    await mirrors.keep_rank_holding(
        uow,
        holding_id=payload.holding_id,
        cadre_id=payload.cadre_id,
        to_rank=payload.to_rank,
        level=payload.level,
        effective_date=payload.effective_date,
        basis=payload.basis.value,
    )


async def on_post_changed(payload: rank_v1.PostChanged, _e: CloudEvent, uow: ToleranceUnitOfWork) -> None:
    """Keeps the cadre's post history (the original post level for "no post ≥ original" and reinstatement)."""
    await mirrors.keep_post_holding(
        uow,
        holding_id=payload.holding_id,
        cadre_id=payload.cadre_id,
        to_post=payload.to_post,
        post_level=payload.post_level,
        effective_date=payload.effective_date,
        basis=payload.basis.value,
    )
