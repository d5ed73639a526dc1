"""Handlers of the events rank consumes: `async def on_x(payload, event, uow)`, each handing its event to the use
case that applies it (service_layer.on_appraisal, on_tolerance, on_petitions); the runner commits.

Every handler is idempotent (the kernel inbox, natural keys) and safe against out-of-order redelivery: the
full-state events (grades per assessment, restrictions, sanctions, investigations, awards) are guarded by the
per-subject watermark, and the consequences are state-guarded (a demotion per source decision, a candidate
withdrawn only while open).
"""

from __future__ import annotations

from kernel.contracts import appraisal_v1, petitions_v1, tolerance_v1
from kernel.envelope import CloudEvent
from services.rank.service_layer import on_appraisal, on_petitions, on_tolerance
from services.rank.service_layer.unit_of_work import RankUnitOfWork


async def on_grade_finalized(payload: appraisal_v1.GradeFinalized, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Stores the grade (latest per assessment); 不称职 requires a demotion and ends an appointment contract."""
    await on_appraisal.grade_finalized(payload, uow)


async def on_award_granted(payload: appraisal_v1.AwardGranted, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Stores a granted award (points)."""
    await on_appraisal.award_granted(payload, uow)


async def on_award_revoked(payload: appraisal_v1.AwardRevoked, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Marks an award revoked (it stops counting from the revocation)."""
    await on_appraisal.award_revoked(payload, uow)


async def on_index_computed(payload: appraisal_v1.IndexComputed, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Stores the accountability index of a period; its percentile in the org unit feeds points.

    Every cadre of the unit with an index for that period moves in the ranking, so all of them are requeued.
    """
    await on_appraisal.index_computed(payload, uow)


async def on_restriction(payload: tolerance_v1.RestrictionState, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Stores the full state of a restriction; an active promotion bar withdraws open candidacies."""
    await on_tolerance.restriction(payload, uow)


async def on_sanction_effective(
    payload: tolerance_v1.SanctionEffective, event: CloudEvent, uow: RankUnitOfWork
) -> None:
    """Stores the sanction; 撤职 and 降职 demote one rank (降级 one level), not restored when the period ends."""
    await on_tolerance.sanction_effective(payload, uow)


async def on_sanction_expired(payload: tolerance_v1.SanctionExpired, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """Records the end of the influence period; a rank or level lowered by 撤职/降职/降级 is not restored."""
    await on_tolerance.sanction_expired(payload, uow)


async def on_sanction_revoked(payload: tolerance_v1.SanctionRevoked, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """A sanction revoked on appeal: the rank and level it lowered are restored (政务处分法 §60)."""
    await on_tolerance.sanction_revoked(payload, uow)


async def on_sanction_varied(payload: tolerance_v1.SanctionVaried, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """A sanction varied on appeal (never heavier): a demotion it no longer carries is restored."""
    await on_tolerance.sanction_varied(payload, uow)


async def on_investigation_opened(
    payload: tolerance_v1.InvestigationOpened, event: CloudEvent, uow: RankUnitOfWork
) -> None:
    """An investigation is open: promotion is barred and open candidacies are withdrawn."""
    await on_tolerance.investigation_opened(payload, uow)


async def on_investigation_closed(
    payload: tolerance_v1.InvestigationClosed, event: CloudEvent, uow: RankUnitOfWork
) -> None:
    """An investigation closed: the bar it put on promotion ends."""
    await on_tolerance.investigation_closed(payload, uow)


async def on_reinstatement_approved(
    payload: tolerance_v1.ReinstatementApproved, event: CloudEvent, uow: RankUnitOfWork
) -> None:
    """Re-use after a mistake (复出): the approved post (and rank, if named) is recorded once."""
    await on_tolerance.reinstatement_approved(payload, uow)


async def on_case_opened(payload: petitions_v1.CaseOpened, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """A formal case (立案审查调查) about a cadre: the same bar as an open investigation."""
    await on_petitions.case_opened(payload, uow)


async def on_report_closed(payload: petitions_v1.ReportClosed, event: CloudEvent, uow: RankUnitOfWork) -> None:
    """A report closed with its outcome: the cases it opened are concluded (the outcome itself bars nothing)."""
    await on_petitions.report_closed(payload, uow)


async def on_xinfang_about_cadre(
    payload: petitions_v1.XinfangAboutCadre, event: CloudEvent, uow: RankUnitOfWork
) -> None:
    """信访 about cadres (信访工作条例 §30): a review flag for selection supervision, shown with eligibility; never a bar."""
    await on_petitions.xinfang_about_cadre(payload, uow)


async def on_clarification_executed(
    payload: petitions_v1.ClarificationExecuted, event: CloudEvent, uow: RankUnitOfWork
) -> None:
    """澄清正名: recorded (never used against the cadre, e.g. in 期满影响使用 decisions); closes the reports' flags."""
    await on_petitions.clarification_executed(payload, uow)
