"""Routes of annual and regular assessments and the yearly 优秀 quota."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from kernel.audit import PurposeDep
from kernel.auth import Role
from kernel.deps import ReaderDep, RuntimeDep, TodayDep
from kernel.errors import NotFound
from kernel.idempotency import IdempotencyOptional, IdempotencyRequired
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.appraisal import views
from services.appraisal.api import schemas as s
from services.appraisal.api.dependencies import ASSESSORS, READERS, CadreFilter, UowDep
from services.appraisal.service_layer import assessments as h
from services.appraisal.service_layer import commands, past_grades

router = APIRouter(prefix="/api/v1")


@router.post(
    "/assessments", status_code=201, response_model=s.Created, tags=["assessments"], dependencies=[require(*ASSESSORS)]
)
async def open_assessment(
    body: s.AssessmentCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Opens a cadre's annual assessment for a year."""
    cmd = commands.OpenAssessment(cadre_id=body.cadre_id, year=body.year)
    return s.Created(id=await idem.run(uow, lambda: h.open_assessment(cmd, uow, principal=principal, today=today)))


@router.post(
    "/assessments/history",
    status_code=201,
    response_model=s.PastGradeRecorded,
    tags=["assessments"],
    dependencies=[require(Role.ORG_ADMIN)],
)
async def record_past_grade(
    body: s.PastGradeCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.PastGradeRecorded:
    """Records a past annual grade as a past fact (its real decision and notification dates, 优秀 publicity, source
    and 文号); the same values again change nothing, different values correct it (docs/appraisal.md)."""
    fact = _past_grade(body)
    return s.PastGradeRecorded(
        **await idem.run(uow, lambda: past_grades.record_past_grade(fact, uow, principal=principal, today=today))
    )


@router.post(
    "/assessments/history/batch",
    response_model=s.PastGradeBatchRecorded,
    tags=["assessments"],
    dependencies=[require(Role.ORG_ADMIN)],
    responses={207: {"description": "some items were refused"}},
)
async def record_past_grades(
    body: s.PastGradeBatch,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyRequired,
    today: TodayDep,
    response: Response,
) -> s.PastGradeBatchRecorded:
    """Records up to 500 past annual grades in one transaction, each exactly as POST /assessments/history does;
    answers one item per fact, in order: its outcome, or the problem (rule, field) that refused it alone
    (200 when every item was recorded, 207 when some were refused)."""
    facts = [_past_grade(item) for item in body.items]
    answer = s.PastGradeBatchRecorded(
        **await idem.run(uow, lambda: past_grades.record_past_grades(facts, uow, principal=principal, today=today))
    )
    response.status_code = 207 if any(i.problem for i in answer.items) else 200
    return answer


def _past_grade(body: s.PastGradeCreate) -> past_grades.PastGrade:
    return past_grades.PastGrade(
        cadre_id=body.cadre_id,
        year=body.year,
        grade=body.grade,
        decided_on=body.decided_on,
        notified_on=body.notified_on,
        source=body.source,
        document_no=body.document_no,
        publicity_from=body.publicity_from,
        publicity_to=body.publicity_to,
        undetermined_reason=body.undetermined_reason,
    )


@router.get("/assessments", response_model=s.AssessmentPage, tags=["assessments"], dependencies=[require(*READERS)])
async def list_assessments(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    status: Annotated[str | None, Query(max_length=24)] = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.AssessmentPage:
    """Lists the annual assessments the caller may see."""
    items, cursor = await views.scoped_page(
        conn, principal, "assessments", page, org_unit_id=org_unit_id, cadre_id=cadre_id, year=year, status=status
    )
    return s.AssessmentPage(items=[s.AssessmentRead(**i) for i in items], next_cursor=cursor)


@router.get(
    "/assessments/{assessment_id}",
    response_model=s.AssessmentRead,
    tags=["assessments"],
    dependencies=[require(*READERS)],
)
async def get_assessment(
    assessment_id: str, conn: ReaderDep, principal: PrincipalDep, runtime: RuntimeDep, purpose: PurposeDep
) -> s.AssessmentRead:
    """Returns one annual assessment (the read is audited)."""
    row = await views.scoped_row(conn, principal, "assessments", assessment_id)
    if row is None:
        raise NotFound("assessment not found", field="assessment_id")
    await runtime.audit_reads(principal, h.OBJECT, [assessment_id], purpose)
    return s.AssessmentRead(**row)


@router.post(
    "/assessments/{assessment_id}/self-summary",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(Role.CADRE)],
)
async def submit_self_summary(
    assessment_id: str, body: s.SelfSummary, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional
) -> s.StateRead:
    """Records the cadre's own self-summary."""
    cmd = commands.SubmitSelfSummary(assessment_id=assessment_id, summary=body.summary)
    return s.StateRead(**await idem.run(uow, lambda: h.submit_self_summary(cmd, uow, principal=principal)))


@router.post(
    "/assessments/{assessment_id}/proposal",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(*ASSESSORS)],
)
async def propose_grade(
    assessment_id: str,
    body: s.Proposal,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Takes the leader's proposal; the §1.3 rules and the 优秀 quota are applied at once."""
    cmd = commands.ProposeGrade(
        assessment_id=assessment_id,
        grade=body.grade,
        comment=body.comment,
        indicators=dict(body.indicators),
        undetermined_reason=body.undetermined_reason,
    )
    return s.StateRead(**await idem.run(uow, lambda: h.propose_grade(cmd, uow, principal=principal, today=today)))


@router.post(
    "/assessments/{assessment_id}/publicity",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(*ASSESSORS)],
)
async def start_publicity(
    assessment_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Publishes an 优秀 proposal inside the agency."""
    return s.StateRead(
        **await idem.run(uow, lambda: h.start_publicity(assessment_id, uow, principal=principal, today=today))
    )


@router.post(
    "/assessments/{assessment_id}/decision",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(*ASSESSORS)],
)
async def decide_grade(
    assessment_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Decides the grade; emits grade_finalized and proposes the awards it earns."""
    return s.StateRead(
        **await idem.run(uow, lambda: h.decide_grade(assessment_id, uow, principal=principal, today=today))
    )


@router.post(
    "/assessments/{assessment_id}/notification",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(*ASSESSORS)],
)
async def notify_grade(
    assessment_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Records the written notification of the grade."""
    return s.StateRead(
        **await idem.run(uow, lambda: h.notify_grade(assessment_id, uow, principal=principal, today=today))
    )


@router.post(
    "/assessments/{assessment_id}/acknowledgement",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(Role.CADRE)],
)
async def acknowledge_grade(
    assessment_id: str,
    body: s.Acknowledgement,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Records the cadre's signature and opinion."""
    cmd = commands.AcknowledgeGrade(assessment_id=assessment_id, opinion=body.opinion)
    return s.StateRead(**await idem.run(uow, lambda: h.acknowledge_grade(cmd, uow, principal=principal, today=today)))


@router.post(
    "/assessments/{assessment_id}/review-request",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(Role.CADRE)],
)
async def request_review(
    assessment_id: str, uow: UowDep, principal: PrincipalDep, idem: IdempotencyOptional, today: TodayDep
) -> s.StateRead:
    """Requests a 复核 of the cadre's own 不称职 grade."""
    return s.StateRead(
        **await idem.run(uow, lambda: h.request_review(assessment_id, uow, principal=principal, today=today))
    )


@router.post(
    "/assessments/{assessment_id}/review-decision",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(*ASSESSORS)],
)
async def decide_review(
    assessment_id: str,
    body: s.ReviewDecision,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Upholds or lightens a reviewed grade."""
    cmd = commands.DecideReview(assessment_id=assessment_id, grade=body.grade)
    return s.StateRead(**await idem.run(uow, lambda: h.decide_review(cmd, uow, principal=principal, today=today)))


@router.post(
    "/assessments/{assessment_id}/supplement",
    response_model=s.StateRead,
    tags=["assessments"],
    dependencies=[require(*ASSESSORS)],
)
async def supplement_grade(
    assessment_id: str,
    body: s.Supplement,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.StateRead:
    """Assigns the grade retroactively (补定等次) once the investigation closed without a heavier sanction."""
    cmd = commands.SupplementGrade(assessment_id=assessment_id, grade=body.grade)
    return s.StateRead(**await idem.run(uow, lambda: h.supplement_grade(cmd, uow, principal=principal, today=today)))


@router.put(
    "/assessment-years/{org_unit_id}/{year}",
    response_model=s.YearRead,
    tags=["assessment-years"],
    dependencies=[require(Role.ORG_ADMIN)],
)
async def configure_year(
    org_unit_id: str,
    year: Annotated[int, Path(ge=2000, le=2100)],
    body: s.YearConfig,
    uow: UowDep,
    principal: PrincipalDep,
) -> s.YearRead:
    """Sets a unit's 优秀 quota for a year (above 20 % only with the approved raise, never above 25 %)."""
    cmd = commands.ConfigureYear(
        org_unit_id=org_unit_id,
        year=year,
        excellent_quota_pct=body.excellent_quota_pct,
        quota_raise_approved=body.quota_raise_approved,
        approval_ref=body.approval_ref,
    )
    return s.YearRead(**await h.configure_year(cmd, uow, principal=principal))


@router.get(
    "/assessment-years/{org_unit_id}/{year}/quota",
    response_model=s.QuotaRead,
    tags=["assessment-years"],
    dependencies=[require(Role.ORG_ADMIN, Role.ASSESSOR, Role.AUDITOR)],
)
async def excellent_quota(
    org_unit_id: Annotated[str, Path(max_length=64)],
    year: Annotated[int, Path(ge=2000, le=2100)],
    conn: ReaderDep,
    principal: PrincipalDep,
    uow: UowDep,
) -> s.QuotaRead:
    """Returns the 优秀 quota a unit's staff count in for a year: the agency it is counted over, the staff count,
    percentage, rounding rule, limit, used and remaining (the figures the proposal and decision check)."""
    return s.QuotaRead(**await views.excellent_quota(conn, principal, uow.context.settings, org_unit_id, year))


@router.get(
    "/assessment-years",
    response_model=s.YearPage,
    tags=["assessment-years"],
    dependencies=[require(Role.ORG_ADMIN, Role.AUDITOR)],
)
async def list_assessment_years(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.YearPage:
    """Lists the quota configuration of the units in the caller's subtree."""
    items, cursor = await views.assessment_years(conn, principal, page, org_unit_id)
    return s.YearPage(items=[s.YearRead(**i) for i in items], next_cursor=cursor)


@router.post(
    "/regular-assessments",
    status_code=201,
    response_model=s.Created,
    tags=["regular-assessments"],
    dependencies=[require(*ASSESSORS)],
)
async def record_regular(
    body: s.RegularCreate, uow: UowDep, principal: PrincipalDep, idem: IdempotencyRequired, today: TodayDep
) -> s.Created:
    """Records a regular assessment (平时考核) of a quarter or month."""
    cmd = commands.RecordRegularAssessment(
        cadre_id=body.cadre_id, period_key=body.period_key, result=body.result, evidence_refs=body.evidence_refs
    )
    return s.Created(id=await idem.run(uow, lambda: h.record_regular(cmd, uow, principal=principal, today=today)))


@router.get(
    "/regular-assessments", response_model=s.Page, tags=["regular-assessments"], dependencies=[require(*READERS)]
)
async def list_regular(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.Page:
    """Lists regular assessments the caller may see."""
    items, cursor = await views.scoped_page(
        conn, principal, "regular_assessments", page, org_unit_id=org_unit_id, cadre_id=cadre_id
    )
    return s.Page(items=items, next_cursor=cursor)
