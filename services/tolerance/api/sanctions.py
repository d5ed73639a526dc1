"""Routes of sanctions, organizational handling, admonishments and accountability measures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kernel.auth import Role
from kernel.contracts.vocabulary import SanctionSystem
from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.tolerance.api.dependencies import (
    CATALOGUE_READERS,
    DECIDERS,
    READERS,
    CadreFilter,
    PolicyDep,
    UowDep,
    sanction_type,
)
from services.tolerance.api.schemas import (
    Catalogue,
    CatalogueRow,
    Created,
    Defence,
    FactsNotice,
    PastSanctionIn,
    PastSanctionRecorded,
    ProbationExtension,
    SanctionCreate,
    SanctionDecision,
    SanctionPage,
    SanctionRead,
    SanctionWithdrawal,
    StateRead,
)
from services.tolerance.service_layer import commands, history, sanctions
from services.tolerance.service_layer.context import MAX_COMBINED_MONTHS
from services.tolerance.views import reads
from services.tolerance.views.reads import SanctionStatus

router = APIRouter(prefix="/api/v1/sanctions", tags=["sanctions"])
catalogue_router = APIRouter(prefix="/api/v1/sanction-catalogue", tags=["sanction-catalogue"])


@router.post("", status_code=201, response_model=Created, dependencies=[require(*DECIDERS)])
async def propose_sanction(
    body: SanctionCreate,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    today: TodayDep,
    policy: PolicyDep,
) -> Created:
    """Proposes a sanction (discipline officers) or a handling/admonishment (also the organization department)."""
    cmd = commands.ProposeSanction(
        cadre_id=body.cadre_id,
        incident_id=body.incident_id,
        system=body.system,
        type=sanction_type(policy, body.type),
        proposed_on=body.proposed_on,
        period_months=body.period_months,
        combined_count=body.combined_count,
    )
    sanction_id = await idem.run(uow, lambda: sanctions.propose_sanction(cmd, uow, principal=principal, today=today))
    return Created(id=sanction_id)


@router.post("/history", status_code=201, response_model=PastSanctionRecorded, dependencies=[require(*DECIDERS)])
async def record_past_sanction(
    body: PastSanctionIn,
    response: Response,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    today: TodayDep,
    policy: PolicyDep,
) -> PastSanctionRecorded:
    """Records a sanction or organizational handling decided in the past, with its real dates and provenance;
    the same fact with other values corrects it (201), with the same values changes nothing (200)."""
    cmd = commands.RecordPastSanction(
        cadre_id=body.cadre_id,
        system=SanctionSystem(body.system),
        type=sanction_type(policy, body.type),
        decided_on=body.decided_on,
        effective_from=body.effective_from,
        document_number=body.document_number,
        source=body.source,
        period_months=body.period_months,
        combined_count=body.combined_count,
        publication_scope=body.publication_scope,
        probation_extended_on=body.probation_extended_on,
        probation_extension_reason=body.probation_extension_reason,
    )
    result = await idem.run(uow, lambda: history.record_past_sanction(cmd, uow, principal=principal, today=today))
    if result["outcome"] == "UNCHANGED":
        response.status_code = 200
    return PastSanctionRecorded(**result)


@router.post("/{sanction_id}/facts-notice", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def notify_facts(
    sanction_id: str,
    body: FactsNotice,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
    policy: PolicyDep,
) -> StateRead:
    """Serves the facts notice with the proposal; the defence window opens (a new notice reopens it)."""
    cmd = commands.NotifyFacts(
        sanction_id=sanction_id,
        notified_on=body.notified_on,
        type=sanction_type(policy, body.type),
        period_months=body.period_months,
        combined_count=body.combined_count,
    )
    done = await idem.run(uow, lambda: sanctions.notify_facts(cmd, uow, principal=principal, today=today))
    return StateRead(**done)


@router.post("/{sanction_id}/defence", response_model=StateRead, dependencies=[require(Role.CADRE)])
async def record_defence(
    sanction_id: str, body: Defence, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> StateRead:
    """Records the cadre's own statement and defence on their sanction."""
    cmd = commands.RecordDefence(sanction_id=sanction_id, defence_on=body.defence_on, statement=body.statement)
    done = await idem.run(uow, lambda: sanctions.record_defence(cmd, uow, principal=principal, today=today))
    return StateRead(**done)


@router.post("/{sanction_id}/decision", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def decide_sanction(
    sanction_id: str,
    body: SanctionDecision,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
    policy: PolicyDep,
) -> StateRead:
    """Decides the sanction (never heavier than the proposal); its restrictions start."""
    cmd = commands.DecideSanction(
        sanction_id=sanction_id,
        decided_on=body.decided_on,
        publication_scope=body.publication_scope,
        type=sanction_type(policy, body.type),
        period_months=body.period_months,
        effective_on=body.effective_on,
    )
    done = await idem.run(uow, lambda: sanctions.decide_sanction(cmd, uow, principal=principal, today=today))
    return StateRead(**done)


@router.post("/{sanction_id}/probation-extension", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def extend_probation(
    sanction_id: str,
    body: ProbationExtension,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Extends a 1-year 留党察看 by one year (the reason is recorded)."""
    cmd = commands.ExtendProbation(sanction_id=sanction_id, reason=body.reason)
    done = await idem.run(uow, lambda: sanctions.extend_probation(cmd, uow, principal=principal, today=today))
    return StateRead(**done)


@router.post("/{sanction_id}/withdrawal", response_model=StateRead, dependencies=[require(*DECIDERS)])
async def withdraw_sanction(
    sanction_id: str,
    body: SanctionWithdrawal,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> StateRead:
    """Withdraws a proposal that will not be decided."""
    cmd = commands.WithdrawSanction(sanction_id=sanction_id, withdrawn_on=body.withdrawn_on, reason=body.reason)
    done = await idem.run(uow, lambda: sanctions.withdraw_sanction(cmd, uow, principal=principal, today=today))
    return StateRead(**done)


@router.get("", response_model=SanctionPage, dependencies=[require(*READERS)])
async def list_sanctions(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    status: SanctionStatus | None = None,
    system: SanctionSystem | None = None,
    incident_id: Annotated[str | None, Query(max_length=64)] = None,
) -> SanctionPage:
    """Lists the sanctions the caller may see, newest proposal first."""
    items, cursor = await reads.list_sanctions(
        conn,
        principal,
        page,
        cadre_id=cadre_id,
        status=status.value if status else None,
        system=system.value if system else None,
        incident_id=incident_id,
    )
    return SanctionPage(items=[SanctionRead(**i) for i in items], next_cursor=cursor)


@router.get("/{sanction_id}", response_model=SanctionRead, dependencies=[require(*READERS)])
async def get_sanction(sanction_id: str, conn: ReaderDep, principal: PrincipalDep) -> SanctionRead:
    """Returns one sanction."""
    item = await reads.get_sanction(conn, principal, sanction_id)
    if item is None:
        raise NotFound("sanction not found", field="sanction_id")
    return SanctionRead(**item)


@catalogue_router.get("", response_model=Catalogue, dependencies=[require(*CATALOGUE_READERS)])
async def get_sanction_catalogue(policy: PolicyDep) -> Catalogue:
    """Returns the sanction catalogue in force: periods, bars, grade effects, sources and confidence tags."""
    rows = []
    for rule in policy.catalogue.rules.values():
        rows.append(
            CatalogueRow(
                type=rule.type.value,
                systems=sorted(s.value for s in rule.systems),
                family=rule.family,
                severity=rule.severity,
                period_kind=rule.period_kind.value,
                period_months=rule.period_months,
                bars=[e.value for e in rule.bars],
                spans=[
                    {"effect": s.effect.value, "months": s.months, "after_period": s.after_period} for s in rule.spans
                ],
                grade_effects=[{"year_offset": y, "effect": e.value} for y, e in rule.grade_effects],
                combinable=rule.combinable,
                demotes_rank=rule.demotes_rank,
                demotes_level=rule.demotes_level,
                removes_from_post=rule.removes_from_post,
                ends_employment=rule.ends_employment,
                source=rule.source,
                confidence=rule.confidence,
                grade_source=rule.grade_source,
                grade_confidence=rule.grade_confidence,
                configurable=rule.configurable,
                note=rule.note,
            )
        )
    return Catalogue(
        items=rows, max_combined_months=MAX_COMBINED_MONTHS, suspension_months=list(policy.catalogue.suspension_months)
    )
