"""Request and response models of the appraisal API (requests forbid unknown fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from kernel.requests import RequestModel

GradeLit = Literal["EXCELLENT", "COMPETENT", "BASIC", "INCOMPETENT", "UNDETERMINED"]
Ref = Field(min_length=1, max_length=200)
Id = Field(min_length=1, max_length=64)
PeriodKey = Field(pattern=r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$")


class Request(RequestModel):
    """A request body: unknown fields refused, scalars of their JSON type (kernel.requests)."""


class Created(BaseModel):
    id: str


class StatusRead(BaseModel):
    status: str


class AssessmentCreate(Request):
    cadre_id: str = Id
    year: int = Field(ge=2000, le=2100)


class SelfSummary(Request):
    summary: str = Field(min_length=1, max_length=20000)


class Proposal(Request):
    grade: GradeLit
    comment: str = Field(min_length=1, max_length=5000)
    indicators: dict[Literal["DE", "NENG", "QIN", "JI", "LIAN", "DANDANG"], float] = Field(
        description="scores 0..100 of 德 能 勤 绩 廉 and 担当有为")
    undetermined_reason: Literal["PROBATION", "SANCTION", "PENDING_INVESTIGATION", "LEAVE", "OTHER"] | None = None


class Acknowledgement(Request):
    opinion: str | None = Field(default=None, max_length=5000)


class ReviewDecision(Request):
    grade: GradeLit | None = Field(default=None, description="the changed grade; omit to uphold")


class Supplement(Request):
    grade: GradeLit


class AssessmentRead(BaseModel):
    id: str
    cadre_id: str
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    org_unit_id: str
    year: int
    status: str
    self_summary: str | None
    leader_comment: str | None
    indicators: dict[str, float] | None
    form_score: float | None
    proposed_grade: str | None
    final_grade: str | None
    undetermined_reason: str | None
    constraints_applied: list[dict[str, Any]]
    held_grade: str | None
    publicity_from: dt.date | None
    publicity_to: dt.date | None
    decided_on: dt.date | None
    notified_on: dt.date | None
    acknowledged_on: dt.date | None
    signed_opinion: str | None
    review_requested_on: dt.date | None
    supplemented: bool
    amended: bool
    source: str | None = Field(default=None, description="a recorded past grade: IMPORT, PAPER_RECORD, PERSONNEL_FILE; null when decided live")
    document_no: str | None = Field(default=None, description="文号 of a recorded past grade")
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
    version: int


class PastGradeCreate(Request):
    """A past annual grade recorded as a past fact, with its real dates and provenance."""

    cadre_id: str = Id
    year: int = Field(ge=1900, le=2100)
    grade: GradeLit
    decided_on: dt.date
    notified_on: dt.date
    document_no: str | None = Field(default=None, min_length=1, max_length=100, description="文号")
    publicity_from: dt.date | None = Field(default=None, description="优秀 only: first day of its publicity")
    publicity_to: dt.date | None = Field(default=None, description="优秀 only: last day of its publicity")
    source: Literal["IMPORT", "PAPER_RECORD", "PERSONNEL_FILE"]
    undetermined_reason: Literal["PROBATION", "SANCTION", "PENDING_INVESTIGATION", "LEAVE", "OTHER"] | None = None


class PastGradeQuota(BaseModel):
    counting_unit_id: str
    limit: int
    used: int
    exceeded: bool


class PastGradeRecorded(BaseModel):
    id: str = Field(description="the record (one per recording that changed something)")
    assessment_id: str
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"]
    quota: PastGradeQuota = Field(description="the year's 优秀 quota of the agency: reported, not enforced")


HISTORY_BATCH_MAX = 500  # facts per batch request (the body is bounded as well: the service's max_body_bytes)


class PastGradeBatch(Request):
    """Past annual grades recorded in one transaction, each as POST /assessments/history would record it."""

    items: list[PastGradeCreate] = Field(min_length=1, max_length=HISTORY_BATCH_MAX)


class ItemProblem(BaseModel):
    """Why one item of a batch was refused: the problem the single route would have answered."""

    status: int
    type: str
    detail: str
    rule: str | None = None
    field: str | None = None
    source: str | None = None


class PastGradeItem(BaseModel):
    index: int = Field(description="the item's position in the request")
    id: str | None = None
    assessment_id: str | None = None
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"] | None = None
    quota: PastGradeQuota | None = None
    problem: ItemProblem | None = Field(default=None, description="set when this item was refused (nothing of it kept)")


class PastGradeBatchRecorded(BaseModel):
    items: list[PastGradeItem]


class AssessmentPage(BaseModel):
    items: list[AssessmentRead]
    next_cursor: str | None


class YearConfig(Request):
    excellent_quota_pct: float = Field(gt=0, le=100)
    quota_raise_approved: bool = False
    approval_ref: str | None = Field(default=None, max_length=200)


class YearRead(BaseModel):
    org_unit_id: str
    year: int
    excellent_quota_pct: float
    quota_raise_approved: bool
    approval_ref: str | None


class YearPage(BaseModel):
    items: list[YearRead]
    next_cursor: str | None


class QuotaRule(BaseModel):
    code: str
    text: str
    source: str
    confidence: str


class QuotaRead(BaseModel):
    """An agency's 优秀 quota for a year, as the decision-time check counts it."""

    org_unit_id: str
    year: int
    counting_unit_id: str = Field(description="the agency (机关) the quota is counted over: the unit itself or its "
                                              "nearest ancestor that is not an internal division")
    counting_unit_level: str | None
    staff_count: int = Field(description="assessed staff of the agency (annual assessments of the year)")
    pct: float
    raise_approved: bool
    pct_configured: bool = Field(description="the percentage was set for this agency and year (else the default)")
    exact_places: str = Field(description="staff_count × pct / 100 before rounding")
    rounding: str
    rounded_places: int = Field(description="exact_places rounded by `rounding`, before the at-least-one rule")
    min_one_from: int = Field(description="an agency of at least this many assessed staff has one place (0: off)")
    min_one_applied: bool
    limit: int
    used: int = Field(description="final 优秀 grades and 优秀 proposals awaiting publicity or decision")
    remaining: int
    rules: list[QuotaRule]
    source: str


class RegularCreate(Request):
    cadre_id: str = Id
    period_key: str = PeriodKey
    result: Literal["GOOD", "FAIRLY_GOOD", "AVERAGE", "POOR"]
    evidence_refs: list[str] = Field(default_factory=list, max_length=50)


class Page(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


CategoryLit = Literal["KEY_TASK", "URGENT_HARD", "REFORM_INNOVATION", "DAILY_DUTY", "PUBLIC_EVALUATION"]


class RecordCreate(Request):
    cadre_id: str = Id
    occurred_on: dt.date
    category: CategoryLit
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    quantity: float | None = Field(default=None, ge=0, le=1_000_000)
    unit: str | None = Field(default=None, max_length=32)
    evidence_refs: list[str] = Field(default_factory=list, max_length=50)


class RecordCorrection(Request):
    occurred_on: dt.date
    category: CategoryLit
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    quantity: float | None = Field(default=None, ge=0, le=1_000_000)
    unit: str | None = Field(default=None, max_length=32)
    evidence_refs: list[str] = Field(default_factory=list, max_length=50)


class RecordReturn(Request):
    reason: str = Field(min_length=1, max_length=500)


class RecordResubmission(Request):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    quantity: float | None = Field(default=None, ge=0, le=1_000_000)
    evidence_refs: list[str] | None = Field(default=None, max_length=50)


GroupLit = Literal["NOT_ACTING", "SLOW_ACTING", "NOT_TAKING_RESPONSIBILITY", "ACTING_WRONGLY", "WORK_STYLE"]


class ItemCreate(Request):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")
    group: GroupLit
    sector: str | None = Field(default=None, max_length=64)
    domain: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    post_level: str | None = Field(default=None, max_length=32)
    description: str = Field(min_length=1, max_length=500)
    severity: int = Field(ge=1, le=3)
    default_points: float = Field(ge=0, le=100)
    triggers_accountability: bool = False


class ItemUpdate(Request):
    group: GroupLit | None = None
    sector: str | None = Field(default=None, max_length=64)
    domain: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    post_level: str | None = Field(default=None, max_length=32)
    description: str | None = Field(default=None, min_length=1, max_length=500)
    severity: int | None = Field(default=None, ge=1, le=3)
    default_points: float | None = Field(default=None, ge=0, le=100)
    triggers_accountability: bool | None = None
    active: bool | None = None


class SelfCheckAnswer(Request):
    item_code: str = Field(min_length=1, max_length=32)
    status: Literal["CLEAR", "FLAGGED"]
    note: str | None = Field(default=None, max_length=1000)


class SelfCheckCreate(Request):
    period_key: str = PeriodKey
    answers: list[SelfCheckAnswer] = Field(min_length=1, max_length=500)


SourceLit = Literal["INSPECTION", "PETITION", "SUPERVISION", "MEDIA", "AUDIT", "APPOINTMENT_INSPECTION", "ANALYSIS",
                    "DAILY_ASSESSMENT"]


class FindingCreate(Request):
    cadre_id: str = Id
    item_code: str = Field(min_length=1, max_length=32)
    source_type: SourceLit
    source_ref: str | None = Field(default=None, max_length=128)
    incident_ref: str | None = Field(default=None, max_length=128)
    occurred_on: dt.date


class Reason(Request):
    reason: str | None = Field(default=None, max_length=200)


TalkTypeLit = Literal["HEART_TO_HEART", "REMINDER", "ORG_INTERVIEW", "INQUIRY_LETTER", "ADMONISHMENT"]


class TalkCreate(Request):
    type: TalkTypeLit
    cadre_id: str = Id
    scheduled_on: dt.date
    reason_ref: str | None = Field(default=None, max_length=200)


class TalkRecord(Request):
    held_on: dt.date
    minutes_ref: str | None = Field(default=None, max_length=200)
    outcome: str | None = Field(default=None, max_length=500)


class TalkRecorded(BaseModel):
    status: str
    reply_due_on: dt.date | None


class TalkReply(Request):
    reply_ref: str = Ref


class ScheduleCreate(Request):
    cadre_id: str = Id
    type: Literal["HEART_TO_HEART", "REMINDER", "ORG_INTERVIEW"]
    reason: Literal["TOP_LEADER", "FRONTLINE_TASK"]
    every_months: int = Field(ge=1, le=24)
    first_on: dt.date


class AwardCreate(Request):
    cadre_id: str = Id
    type: Literal["COMMENDATION", "MERIT_3", "MERIT_2", "MERIT_1", "TITLE", "POLITICAL_HONOUR", "NOTICE_OF_PRAISE"]
    basis_ref: str | None = Field(default=None, max_length=128)
    year: int | None = Field(default=None, ge=2000, le=2100)


class Revocation(Request):
    reason: str = Field(min_length=1, max_length=200)


class BonusCreate(Request):
    org_unit_id: str = Id
    year: int = Field(ge=2000, le=2100)
    pool_cents: int = Field(gt=0, le=10**13, description="the pool in fen (1/100 yuan)")


class IncentiveCreate(Request):
    cadre_id: str = Id
    kind: Literal["TRAINING", "ROTATION"]
    on_date: dt.date
    ref: str | None = Field(default=None, max_length=200)
