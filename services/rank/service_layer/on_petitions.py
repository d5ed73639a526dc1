"""What rank does with petitions' events: a formal case bars promotion like an investigation, a closed report
concludes its cases, 信访 about a cadre is a review flag (never a bar) and a clarification closes the flags.

Called by the consumers (messaging.handlers) in the runner's transaction: no commit; facts are idempotent by
natural key."""

from __future__ import annotations

from kernel.contracts import petitions_v1
from services.rank.adapters import projections
from services.rank.service_layer.on_tolerance import open_case_bar
from services.rank.service_layer.unit_of_work import RankUnitOfWork


async def case_opened(payload: petitions_v1.CaseOpened, uow: RankUnitOfWork) -> None:
    """A formal case (立案审查调查) about a cadre: the same bar as an open investigation."""
    await open_case_bar(
        uow, case_id=payload.case_id, cadre_id=payload.cadre_id, opened_on=payload.opened_on, investigation_id=None
    )


async def report_closed(payload: petitions_v1.ReportClosed, uow: RankUnitOfWork) -> None:
    """A report closed with its outcome: the cases it opened are concluded (the outcome itself bars nothing)."""
    sole = payload.cadre_outcomes[0].cadre_id if len(payload.cadre_outcomes) == 1 else None
    cadres = await projections.close_cases(
        uow.conn, case_ids=payload.case_ids, closed_on=payload.closed_on, result=payload.outcome.value, sole_cadre=sole
    )
    cadres += await projections.close_xinfang(
        uow.conn, report_ids=[payload.report_id], closed_on=payload.closed_on, closed_by=f"report/{payload.report_id}"
    )
    await uow.mark_dirty(sorted(set(cadres)))


async def xinfang_about_cadre(payload: petitions_v1.XinfangAboutCadre, uow: RankUnitOfWork) -> None:
    """信访 about cadres (信访工作条例 §30): a review flag for selection supervision, shown with eligibility; never a bar."""
    await projections.flag_xinfang(
        uow.conn, report_id=payload.report_id, cadre_ids=payload.cadre_ids, received_on=payload.received_on
    )
    await uow.mark_dirty(payload.cadre_ids)


async def clarification_executed(payload: petitions_v1.ClarificationExecuted, uow: RankUnitOfWork) -> None:
    """澄清正名: recorded (never used against the cadre, e.g. in 期满影响使用 decisions); closes the reports' flags."""
    await projections.put_clarification(
        uow.conn,
        clarification_id=payload.clarification_id,
        cadre_id=payload.cadre_id,
        report_ids=payload.report_ids,
        executed_on=payload.executed_on,
    )
    await projections.close_xinfang(
        uow.conn,
        report_ids=payload.report_ids,
        closed_on=payload.executed_on,
        closed_by=f"clarification/{payload.clarification_id}",
        cadre_id=payload.cadre_id,
    )
    await uow.mark_dirty([payload.cadre_id])
