"""Routes of reinstatement after a mistake (复出)."""

from __future__ import annotations

from fastapi import APIRouter

from kernel.auth import Role
from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.tolerance.api.dependencies import DECIDERS, REINSTATEMENT_READERS, CadreFilter, UowDep
from services.tolerance.api.schemas import (
    Announcement,
    DisciplineOpinion,
    FactFinding,
    OrgOpinion,
    ReinstatementDecision,
    ReinstatementPage,
    ReinstatementRead,
    ReinstatementReport,
    StateRead,
    UpperConsultation,
)
from services.tolerance.service_layer import commands, reinstatements
from services.tolerance.views import reads
from services.tolerance.views.reads import ReinstatementStatus

router = APIRouter(prefix="/api/v1/reinstatements", tags=["reinstatements"])


async def _run(
    uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep, cmd: commands.ReinstatementStep
) -> StateRead:
    return StateRead(
        **await idem.run(uow, lambda: reinstatements.advance_reinstatement(cmd, uow, principal=principal, today=today))
    )


@router.post(
    "/{reinstatement_id}/report",
    response_model=StateRead,
    dependencies=[require(Role.CADRE)],
    summary="Submit the cadre's reinstatement report",
)
async def submit_report(
    reinstatement_id: str,
    body: ReinstatementReport,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Records the cadre's own written report on their thinking and work."""
    return await _run(
        uow,
        principal,
        idem,
        today,
        commands.ReinstatementStep(reinstatement_id, "report", body.reported_on, text=body.summary),
    )


@router.post("/{reinstatement_id}/org-opinion", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def give_org_opinion(
    reinstatement_id: str,
    body: OrgOpinion,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Records the organization department's initial opinion and the proposed post."""
    return await _run(
        uow,
        principal,
        idem,
        today,
        commands.ReinstatementStep(
            reinstatement_id,
            "org-opinion",
            body.opinion_on,
            text=body.opinion,
            target_post=body.target_post,
            target_post_level=body.target_post_level,
        ),
    )


@router.post("/{reinstatement_id}/discipline-opinion", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def give_discipline_opinion(
    reinstatement_id: str,
    body: DisciplineOpinion,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Records the discipline inspection body's opinion."""
    return await _run(
        uow,
        principal,
        idem,
        today,
        commands.ReinstatementStep(
            reinstatement_id, "discipline-opinion", body.opinion_on, text=body.opinion, favourable=body.favourable
        ),
    )


@router.post("/{reinstatement_id}/fact-finding", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def find_facts(
    reinstatement_id: str,
    body: FactFinding,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Records fact finding (optional survey); a strong objection postpones the reinstatement."""
    return await _run(
        uow,
        principal,
        idem,
        today,
        commands.ReinstatementStep(
            reinstatement_id,
            "fact-finding",
            body.done_on,
            text=body.note,
            survey_done=body.survey_done,
            objection=body.objection_level,
        ),
    )


@router.post("/{reinstatement_id}/upper-consultation", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def consult_upper_level(
    reinstatement_id: str,
    body: UpperConsultation,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Records the written consultation of the next-level organization department."""
    return await _run(
        uow,
        principal,
        idem,
        today,
        commands.ReinstatementStep(
            reinstatement_id, "upper-consultation", body.consulted_on, reference=body.reference, agreed=body.agreed
        ),
    )


@router.post("/{reinstatement_id}/decision", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def decide_reinstatement(
    reinstatement_id: str,
    body: ReinstatementDecision,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Records the committee decision; an approval needs the upper level's agreement when required."""
    return await _run(
        uow,
        principal,
        idem,
        today,
        commands.ReinstatementStep(
            reinstatement_id,
            "decision",
            body.decided_on,
            text=body.note,
            approved=body.approved,
            body=body.body,
            target_post=body.target_post,
            target_post_level=body.target_post_level,
        ),
    )


@router.post("/{reinstatement_id}/announcement", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def announce(
    reinstatement_id: str,
    body: Announcement,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Records the announcement of the re-appointment."""
    return await _run(
        uow, principal, idem, today, commands.ReinstatementStep(reinstatement_id, "announcement", body.announced_on)
    )


@router.get("", response_model=ReinstatementPage, dependencies=[require(*REINSTATEMENT_READERS)])
async def list_reinstatements(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    status: ReinstatementStatus | None = None,
) -> ReinstatementPage:
    """Lists the reinstatements the caller may see."""
    items, cursor = await reads.list_reinstatements(
        conn, principal, page, cadre_id=cadre_id, status=status.value if status else None
    )
    return ReinstatementPage(items=[ReinstatementRead(**i) for i in items], next_cursor=cursor)


@router.get("/{reinstatement_id}", response_model=ReinstatementRead, dependencies=[require(*REINSTATEMENT_READERS)])
async def get_reinstatement(reinstatement_id: str, conn: ReaderDep, principal: PrincipalDep) -> ReinstatementRead:
    """Returns one reinstatement."""
    item = await reads.get_reinstatement(conn, principal, reinstatement_id)
    if item is None:
        raise NotFound("reinstatement not found", field="reinstatement_id")
    return ReinstatementRead(**item)
