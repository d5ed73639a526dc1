"""Rank HTTP routes of the processes: promotion batches (audited) and contracts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kernel.audit import PurposeDep
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.rank import process_views
from services.rank.api.contract_history import PastContractCreate, PastContractRecorded
from services.rank.api.dependencies import (
    BATCH_READERS,
    BATCH_VOTERS,
    CONTRACT_READERS,
    WRITERS,
    CadreFilter,
    PoliciesDep,
    UowDep,
)
from services.rank.api.schemas import (
    ApproveIn,
    BatchCreate,
    BatchPage,
    BatchRead,
    CancelIn,
    CandidatePage,
    CandidateRead,
    ComputeResult,
    ContractCreate,
    ContractFile,
    ContractPage,
    ContractRead,
    ContractState,
    ContractTerminate,
    Created,
    Empty,
    InvestigationIn,
    PublicizeIn,
    RecommendIn,
    RenewalDecision,
    ResolveIn,
    StateRead,
    VotesIn,
)
from services.rank.service_layer import batches, commands, contracts, past_contracts
from services.rank.service_layer.past_contracts import PastContract

router = APIRouter(prefix="/api/v1")
BATCH_STATUS = r"^[A-Z_]{1,24}$"


@router.post(
    "/promotion-batches",
    status_code=201,
    response_model=Created,
    tags=["promotion-batches"],
    dependencies=[require(*WRITERS)],
)
async def plan_batch(
    body: BatchCreate, uow: UowDep, principal: PrincipalDep, today: TodayDep, idem: IdempotencyRequired
) -> Created:
    """Plans a promotion batch for target ranks in an org unit's subtree."""
    cmd = commands.PlanBatch(org_unit_id=body.org_unit_id, title=body.title, target_ranks=body.target_ranks)
    return Created(id=await idem.run(uow, lambda: batches.plan_batch(cmd, uow, principal=principal, today=today)))


@router.get(
    "/promotion-batches", response_model=BatchPage, tags=["promotion-batches"], dependencies=[require(*BATCH_READERS)]
)
async def list_batches(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    runtime: RuntimeDep,
    purpose: PurposeDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(pattern=BATCH_STATUS)] = None,
) -> BatchPage:
    """Lists promotion batches of the caller's subtree, newest first (audited)."""
    items, cursor = await process_views.list_batches(conn, principal, page, org_unit_id=org_unit_id, status=status)
    await runtime.audit_reads(principal, "promotion_batch", [f"list:{org_unit_id or principal.unit_id}"], purpose)
    return BatchPage(items=[BatchRead(**i) for i in items], next_cursor=cursor)


@router.get(
    "/promotion-batches/{batch_id}",
    response_model=BatchRead,
    tags=["promotion-batches"],
    dependencies=[require(*BATCH_READERS)],
)
async def get_batch(
    batch_id: str, conn: ReaderDep, principal: PrincipalDep, runtime: RuntimeDep, purpose: PurposeDep
) -> BatchRead:
    """Returns a promotion batch with its candidate counts (audited)."""
    found = await process_views.get_batch(conn, principal, batch_id)
    if found is None:
        raise NotFound("promotion batch not found", field="batch_id")
    await runtime.audit_reads(principal, "promotion_batch", [batch_id], purpose)
    return BatchRead(**found)


@router.get(
    "/promotion-batches/{batch_id}/candidates",
    response_model=CandidatePage,
    tags=["promotion-batches"],
    dependencies=[require(*BATCH_READERS)],
)
async def list_candidates(
    batch_id: str,
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    runtime: RuntimeDep,
    purpose: PurposeDep,
    bucket: Annotated[str | None, Query(max_length=128)] = None,
    status: Annotated[str | None, Query(pattern=BATCH_STATUS)] = None,
) -> CandidatePage:
    """Lists the candidates ranked per quota bucket, each with the points breakdown and eligibility (audited)."""
    if await process_views.get_batch(conn, principal, batch_id) is None:
        raise NotFound("promotion batch not found", field="batch_id")
    items, cursor = await process_views.list_candidates(conn, batch_id, page, bucket=bucket, status=status)
    await runtime.audit_reads(principal, "promotion_batch", [batch_id], purpose)
    return CandidatePage(items=[CandidateRead(**i) for i in items], next_cursor=cursor)


@router.post(
    "/promotion-batches/{batch_id}/compute-candidates",
    response_model=ComputeResult,
    tags=["promotion-batches"],
    dependencies=[require(*WRITERS)],
)
async def compute_candidates(
    batch_id: str,
    body: Empty,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> ComputeResult:
    """Evaluates the subtree and stores the eligible candidates with points, ranked per quota bucket."""
    cmd = commands.BatchAction(batch_id=batch_id, action="compute-candidates")
    return ComputeResult(
        **await idem.run(
            uow,
            lambda: batches.compute_candidates(cmd, uow, principal=principal, today=today),
        )
    )


async def _advance(
    batch_id: str,
    action: str,
    uow: Any,
    principal: Any,
    today: Any,
    idem: Any,
    *,
    cadre_id: str | None = None,
    **params: Any,
) -> StateRead:
    cmd = commands.BatchAction(batch_id=batch_id, action=action, cadre_id=cadre_id, params=params)
    return StateRead(**await idem.run(uow, lambda: batches.advance_batch(cmd, uow, principal=principal, today=today)))


def _transition(action: str, doc: str, body_model: type = Empty, roles: tuple = WRITERS) -> None:
    async def route(
        batch_id: str,
        body: body_model,
        uow: UowDep,
        principal: PrincipalDep,  # type: ignore[valid-type]
        today: TodayDep,
        idem: IdempotencyOptional,
    ) -> StateRead:
        return await _advance(batch_id, action, uow, principal, today, idem, **body.model_dump(exclude_none=False))

    route.__annotations__["body"] = body_model  # a local class: resolved here, not from the module's globals
    route.__name__ = action.replace("-", "_")
    route.__doc__ = doc
    router.add_api_route(
        f"/promotion-batches/{{batch_id}}/{action}",
        route,
        methods=["POST"],
        response_model=StateRead,
        tags=["promotion-batches"],
        dependencies=[require(*roles)],
    )


_transition("open-recommendation", "Opens democratic recommendation among the eligible candidates.")
_transition(
    "recommend", "Closes recommendation: the named candidates go to investigation (quota checked).", RecommendIn
)
_transition("shortlist", "Ends the investigation; the candidates who passed are shortlisted.")
_transition("publicize", "Publishes the shortlist for at least 5 working days on the shared calendar.", PublicizeIn)
_transition("submit-for-approval", "Submits the batch once publicity is over and no objection is open.")
_transition(
    "approve", "Re-checks eligibility, checks quotas and appoints (new rank holdings, level per §4.3).", ApproveIn
)
_transition("close", "Closes an appointed batch.")
_transition("cancel", "Cancels a batch not yet appointed; open candidacies are withdrawn.", CancelIn)


@router.post(
    "/promotion-batches/{batch_id}/candidates/{cadre_id}/votes",
    response_model=StateRead,
    tags=["promotion-batches"],
    dependencies=[require(*BATCH_VOTERS)],
)
async def record_votes(
    batch_id: str,
    cadre_id: str,
    body: VotesIn,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> StateRead:
    """Records the democratic-recommendation vote tally of a candidate."""
    return await _advance(batch_id, "votes", uow, principal, today, idem, cadre_id=cadre_id, **body.model_dump())


@router.post(
    "/promotion-batches/{batch_id}/candidates/{cadre_id}/investigation",
    response_model=StateRead,
    tags=["promotion-batches"],
    dependencies=[require(*WRITERS)],
)
async def record_investigation(
    batch_id: str,
    cadre_id: str,
    body: InvestigationIn,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> StateRead:
    """Records the investigation (考察) result of a recommended candidate."""
    return await _advance(
        batch_id, "investigation", uow, principal, today, idem, cadre_id=cadre_id, **body.model_dump()
    )


@router.post(
    "/promotion-batches/{batch_id}/candidates/{cadre_id}/objection",
    response_model=StateRead,
    tags=["promotion-batches"],
    dependencies=[require(*WRITERS)],
)
async def register_objection(
    batch_id: str,
    cadre_id: str,
    body: Empty,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> StateRead:
    """Registers an objection raised during publicity; the batch verifies it."""
    return await _advance(batch_id, "objections", uow, principal, today, idem, cadre_id=cadre_id)


@router.post(
    "/promotion-batches/{batch_id}/candidates/{cadre_id}/objection/resolve",
    response_model=StateRead,
    tags=["promotion-batches"],
    dependencies=[require(*WRITERS)],
)
async def resolve_objection(
    batch_id: str,
    cadre_id: str,
    body: ResolveIn,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> StateRead:
    """Closes the verification of an objection (upheld: the candidate is not selected)."""
    return await _advance(
        batch_id, "resolve-objection", uow, principal, today, idem, cadre_id=cadre_id, **body.model_dump()
    )


@router.post(
    "/contracts", status_code=201, response_model=Created, tags=["contracts"], dependencies=[require(*WRITERS)]
)
async def sign_contract(
    body: ContractCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired
) -> Created:
    """Signs an appointment contract, a role term or a government-employee contract."""
    cmd = commands.SignContract(**body.model_dump())
    return Created(id=await idem.run(uow, lambda: contracts.sign_contract(cmd, uow, principal=principal)))


@router.post(
    "/contracts/history",
    status_code=201,
    response_model=PastContractRecorded,
    tags=["contracts"],
    dependencies=[require(*WRITERS)],
)
async def record_past_contract(
    body: PastContractCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> PastContractRecorded:
    """Records a past contract or role term as a past fact (real dates, how it ended, source and 文号); the same
    values again change nothing, other values correct it (docs/rank.md)."""
    fact = PastContract(**body.model_dump())
    return PastContractRecorded(
        **await idem.run(uow, lambda: past_contracts.record_past_contract(fact, uow, principal=principal, today=today))
    )


@router.get("/contracts", response_model=ContractPage, tags=["contracts"], dependencies=[require(*CONTRACT_READERS)])
async def list_contracts(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    policies: PoliciesDep,
    cadre_id: CadreFilter = None,
    status: Annotated[str | None, Query(pattern=BATCH_STATUS)] = None,
) -> ContractPage:
    """Lists contracts the caller may see (own for the cadre role)."""
    items, cursor = await process_views.list_contracts(
        conn, principal, page, cadre_id=cadre_id, status=status, policies=policies
    )
    return ContractPage(items=[ContractRead(**i) for i in items], next_cursor=cursor)


@router.get(
    "/contracts/{contract_id}",
    response_model=ContractRead,
    tags=["contracts"],
    dependencies=[require(*CONTRACT_READERS)],
)
async def get_contract(
    contract_id: str, conn: ReaderDep, principal: PrincipalDep, policies: PoliciesDep
) -> ContractRead:
    """Returns a contract; under renewal review it carries the outcome the term's grades allow."""
    found = await process_views.get_contract(conn, principal, contract_id, policies)
    if found is None:
        raise NotFound("contract not found", field="contract_id")
    return ContractRead(**found)


async def _contract(
    contract_id: str, action: str, params: dict, uow: Any, principal: Any, today: Any, idem: Any
) -> ContractState:
    cmd = commands.ContractAction(contract_id=contract_id, action=action, params=params)
    return ContractState(
        **await idem.run(uow, lambda: contracts.act_on_contract(cmd, uow, principal=principal, today=today))
    )


@router.post(
    "/contracts/{contract_id}/file", response_model=ContractState, tags=["contracts"], dependencies=[require(*WRITERS)]
)
async def file_contract(
    contract_id: str,
    body: ContractFile,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> ContractState:
    """Records the filing (备案) of a signed contract; it starts to run (probation first, if any)."""
    return await _contract(contract_id, "file", body.model_dump(), uow, principal, today, idem)


@router.post(
    "/contracts/{contract_id}/renewal-decision",
    response_model=ContractState,
    tags=["contracts"],
    dependencies=[require(*WRITERS)],
)
async def decide_renewal(
    contract_id: str,
    body: RenewalDecision,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> ContractState:
    """Decides a renewal review: renew, one level up, keep, one level down or not renewed (by the grades)."""
    return await _contract(contract_id, "renewal-decision", body.model_dump(), uow, principal, today, idem)


@router.post(
    "/contracts/{contract_id}/terminate",
    response_model=ContractState,
    tags=["contracts"],
    dependencies=[require(*WRITERS)],
)
async def terminate_contract(
    contract_id: str,
    body: ContractTerminate,
    uow: UowDep,
    principal: PrincipalDep,
    today: TodayDep,
    idem: IdempotencyOptional,
) -> ContractState:
    """Terminates a contract on a ground (e.g. annual 不称职 of an appointed civil servant)."""
    return await _contract(contract_id, "terminate", body.model_dump(), uow, principal, today, idem)
