"""Routes of the inaction checklist: catalogue, self-checks, findings."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from kernel.auth import Role
from kernel.deps import ReaderDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.appraisal import views
from services.appraisal.api import schemas as s
from services.appraisal.api.dependencies import READERS, CadreFilter, UowDep
from services.appraisal.service_layer import commands
from services.appraisal.service_layer import inaction as h

router = APIRouter(prefix="/api/v1")
REPORTERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR)
DECIDERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER)
CodePath = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")]


@router.post(
    "/inaction-items",
    status_code=201,
    response_model=s.Created,
    tags=["inaction-items"],
    dependencies=[require(Role.ORG_ADMIN)],
)
async def create_item(body: s.ItemCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired) -> s.Created:
    """Adds an item to the inaction catalogue."""
    cmd = commands.CreateInactionItem(code=body.code, values=body.model_dump(exclude={"code"}))
    return s.Created(id=await idem.run(uow, lambda: h.create_item(cmd, uow, principal=principal)))


@router.patch(
    "/inaction-items/{code}", response_model=s.Created, tags=["inaction-items"], dependencies=[require(Role.ORG_ADMIN)]
)
async def change_item(code: CodePath, body: s.ItemUpdate, uow: UowDep, principal: PrincipalDep) -> s.Created:
    """Changes an item of the catalogue (or deactivates it)."""
    cmd = commands.ChangeInactionItem(code=code, changes=body.model_dump(exclude_none=True))
    return s.Created(id=await h.change_item(cmd, uow, principal=principal))


@router.get("/inaction-items", response_model=s.Page, tags=["inaction-items"], dependencies=[require(*READERS)])
async def list_items(
    conn: ReaderDep,
    page: PageDep,
    group: Annotated[str | None, Query(max_length=32)] = None,
    sector: Annotated[str | None, Query(max_length=64)] = None,
    domain: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(max_length=64)] = None,
    post_level: Annotated[str | None, Query(max_length=32)] = None,
    active: bool | None = True,
) -> s.Page:
    """Lists the catalogue by sector, domain, region and post level (a cadre's own checklist)."""
    items, cursor = await views.inaction_items(
        conn,
        page,
        {
            "group": group,
            "sector": sector,
            "domain": domain,
            "region": region,
            "post_level": post_level,
            "active": active,
        },
    )
    return s.Page(items=items, next_cursor=cursor)


@router.post(
    "/self-checks", status_code=201, response_model=s.Created, tags=["self-checks"], dependencies=[require(Role.CADRE)]
)
async def submit_self_check(
    body: s.SelfCheckCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Records the caller's own self-check against the catalogue."""
    cmd = commands.SubmitSelfCheck(
        cadre_id=principal.cadre_id or "",
        period_key=body.period_key,
        answers=[a.model_dump() for a in body.answers],
    )
    return s.Created(id=await idem.run(uow, lambda: h.submit_self_check(cmd, uow, principal=principal, today=today)))


@router.get("/self-checks", response_model=s.Page, tags=["self-checks"], dependencies=[require(*READERS)])
async def list_self_checks(
    conn: ReaderDep, principal: PrincipalDep, page: PageDep, cadre_id: CadreFilter = None
) -> s.Page:
    """Lists self-checks (a cadre sees their own)."""
    items, cursor = await views.scoped_page(
        conn, principal, "self_checks", page, order="submitted_at", cadre_id=cadre_id
    )
    return s.Page(items=items, next_cursor=cursor)


@router.post(
    "/inaction-findings",
    status_code=201,
    response_model=s.Created,
    tags=["inaction-findings"],
    dependencies=[require(*REPORTERS)],
)
async def report_finding(
    body: s.FindingCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Reports an inaction finding about a cadre in scope."""
    cmd = commands.ReportFinding(**body.model_dump())
    return s.Created(id=await idem.run(uow, lambda: h.report_finding(cmd, uow, principal=principal, today=today)))


@router.post(
    "/inaction-findings/{finding_id}/{action}",
    response_model=s.StateRead,
    tags=["inaction-findings"],
    dependencies=[require(*DECIDERS)],
)
async def advance_finding(
    finding_id: str,
    action: Literal["verification", "confirmation", "dismissal", "tolerance-referral"],
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
    body: s.Reason | None = None,
) -> s.StateRead:
    """Verifies, confirms (emits inaction_confirmed), dismisses or refers a finding to tolerance."""
    verb = {
        "verification": "verify",
        "confirmation": "confirm",
        "dismissal": "dismiss",
        "tolerance-referral": "refer-tolerance",
    }[action]
    cmd = commands.AdvanceFinding(finding_id=finding_id, action=verb, reason=body.reason if body else None)
    return s.StateRead(**await idem.run(uow, lambda: h.advance_finding(cmd, uow, principal=principal, today=today)))


@router.get("/inaction-findings", response_model=s.Page, tags=["inaction-findings"], dependencies=[require(*READERS)])
async def list_findings(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    status: Annotated[str | None, Query(max_length=24)] = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.Page:
    """Lists inaction findings the caller may see."""
    items, cursor = await views.scoped_page(
        conn, principal, "inaction_findings", page, org_unit_id=org_unit_id, cadre_id=cadre_id, status=status
    )
    return s.Page(items=items, next_cursor=cursor)


@router.get("/inaction-findings/{finding_id}", tags=["inaction-findings"], dependencies=[require(*READERS)])
async def get_finding(finding_id: str, conn: ReaderDep, principal: PrincipalDep) -> dict:
    """Returns one finding."""
    row = await views.scoped_row(conn, principal, "inaction_findings", finding_id)
    if row is None:
        raise NotFound("inaction finding not found", field="finding_id")
    return row
