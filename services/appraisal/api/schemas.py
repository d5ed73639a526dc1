"""Request and response models of the appraisal API (requests forbid unknown fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kernel.requests import RequestModel
from kernel.schemas import Created as Created  # the kernel's answers, re-exported for the routes
from kernel.schemas import StateRead as StateRead

GradeLit = Literal["EXCELLENT", "COMPETENT", "BASIC", "INCOMPETENT", "UNDETERMINED"]
CadreId = Field(min_length=1, max_length=64, description="id of the cadre (干部) concerned")
PeriodKey = Field(
    pattern=r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$",
    description="the period, one that has begun: a quarter (YYYY-Qn, e.g. 2026-Q3) or a month (YYYY-MM, e.g. 2026-07)",
)


class Request(RequestModel):
    """A request body: unknown fields refused, scalars of their JSON type (kernel.requests)."""


class AssessmentCreate(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"cadre_id": "c-4711", "year": 2026}]})
    cadre_id: str = CadreId
    year: int = Field(ge=2000, le=2100, description="assessment year (考核年度)")


class SelfSummary(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"summary": "2026年度认真履行岗位职责，牵头完成预算绩效管理改革。"}]}
    )
    summary: str = Field(min_length=1, max_length=20000, description="the cadre's self summary of the year (个人总结)")


class Proposal(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "grade": "COMPETENT",
                    "comment": "该同志履职尽责，完成年度目标任务。",
                    "indicators": {"DE": 18, "NENG": 17, "QIN": 18, "JI": 32, "LIAN": 9},
                }
            ]
        }
    )
    grade: GradeLit = Field(
        description="annual grade (年度考核等次): EXCELLENT, COMPETENT, BASICALLY_COMPETENT or INCOMPETENT"
    )
    comment: str = Field(min_length=1, max_length=5000, description="the leader's comment on the proposal (评语)")
    indicators: dict[Literal["DE", "NENG", "QIN", "JI", "LIAN", "DANDANG"], float] = Field(
        description="scores 0..100 of 德 能 勤 绩 廉 and 担当有为"
    )
    undetermined_reason: Literal["PROBATION", "SANCTION", "PENDING_INVESTIGATION", "LEAVE", "OTHER"] | None = Field(
        default=None, description="why no grade is determined (不定等次理由)"
    )


class Acknowledgement(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"opinion": "本人同意考核结果"}]})
    opinion: str | None = Field(default=None, max_length=5000, description="the opinion given (意见)")


class ReviewDecision(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"grade": "COMPETENT"}]})
    grade: GradeLit | None = Field(default=None, description="the changed grade; omit to uphold")


class Supplement(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"grade": "COMPETENT"}]})
    grade: GradeLit = Field(
        description="annual grade (年度考核等次): EXCELLENT, COMPETENT, BASICALLY_COMPETENT or INCOMPETENT"
    )


class AssessmentRead(BaseModel):
    id: str = Field(description="id of the assessment")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    year: int = Field(description="assessment year (考核年度)")
    status: str = Field(description="status of the assessment")
    self_summary: str | None = Field(description="the cadre's self summary (个人总结)")
    leader_comment: str | None = Field(description="the leader's comment (主管领导评语)")
    indicators: dict[str, float] | None = Field(description="indicator scores of the assessment (考核指标)")
    form_score: float | None = Field(description="score of the assessment form (考核表得分)")
    proposed_grade: str | None = Field(description="the grade proposed (拟定等次)")
    final_grade: str | None = Field(description="the final annual grade (年度考核等次)")
    undetermined_reason: str | None = Field(description="why no grade is determined (不定等次理由)")
    constraints_applied: list[dict[str, Any]] = Field(
        description="grade constraints applied to the proposal (等次限制)"
    )
    held_grade: str | None = Field(description="grade held for this year (暂缓确定等次)")
    publicity_from: dt.date | None = Field(description="first day of publicity (公示开始)")
    publicity_to: dt.date | None = Field(description="last day of publicity (公示结束)")
    decided_on: dt.date | None = Field(description="date the assessment was decided (决定日期)")
    notified_on: dt.date | None = Field(description="date the assessment was notified (告知日期)")
    acknowledged_on: dt.date | None = Field(description="date the cadre acknowledged the notified grade (本人确认日期)")
    signed_opinion: str | None = Field(description="the opinion the cadre signed")
    review_requested_on: dt.date | None = Field(description="date the cadre requested a review (复核申请日期)")
    supplemented: bool = Field(description="whether the assessment was supplemented")
    amended: bool = Field(description="whether the grade was amended after review (是否更正)")
    source: str | None = Field(
        default=None, description="a recorded past grade: IMPORT, PAPER_RECORD, PERSONNEL_FILE; null when decided live"
    )
    document_no: str | None = Field(default=None, description="文号 of a recorded past grade")
    recorded_by: str | None = Field(default=None, description="subject of the user who recorded it")
    recorded_at: dt.datetime | None = Field(default=None, description="when the assessment was recorded (UTC)")
    version: int = Field(
        description="version of the assessment; send it back with the next change (a stale one answers 409)"
    )


class PastGradeCreate(Request):
    """A past annual grade recorded as a past fact, with its real dates and provenance."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "year": 2025,
                    "grade": "COMPETENT",
                    "decided_on": "2026-01-20",
                    "notified_on": "2026-01-25",
                    "document_no": "财党〔2026〕3号",
                    "source": "PAPER_RECORD",
                }
            ]
        }
    )

    cadre_id: str = CadreId
    year: int = Field(ge=1900, le=2100, description="assessment year (考核年度)")
    grade: GradeLit = Field(
        description="annual grade (年度考核等次): EXCELLENT, COMPETENT, BASICALLY_COMPETENT or INCOMPETENT"
    )
    decided_on: dt.date = Field(description="date the past grade was decided (决定日期)")
    notified_on: dt.date = Field(description="date the past grade was notified (告知日期)")
    document_no: str | None = Field(default=None, min_length=1, max_length=100, description="文号")
    publicity_from: dt.date | None = Field(default=None, description="优秀 only: first day of its publicity")
    publicity_to: dt.date | None = Field(default=None, description="优秀 only: last day of its publicity")
    source: Literal["IMPORT", "PAPER_RECORD", "PERSONNEL_FILE"] = Field(
        description="provenance of the past record (来源), e.g. PAPER_RECORD"
    )
    undetermined_reason: Literal["PROBATION", "SANCTION", "PENDING_INVESTIGATION", "LEAVE", "OTHER"] | None = Field(
        default=None, description="why no grade is determined (不定等次理由)"
    )


class PastGradeQuota(BaseModel):
    counting_unit_id: str = Field(description="id of the unit the quota is counted in (计算单位)")
    limit: int = Field(description="the quota limit (名额上限)")
    used: int = Field(description="places used")
    exceeded: bool = Field(description="whether the quota was exceeded")


class PastGradeRecorded(BaseModel):
    id: str = Field(description="the record (one per recording that changed something)")
    assessment_id: str = Field(description="id of the annual assessment (年度考核)")
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"] = Field(
        description="what the import did: RECORDED, CORRECTED or UNCHANGED"
    )
    quota: PastGradeQuota = Field(description="the year's 优秀 quota of the agency: reported, not enforced")


HISTORY_BATCH_MAX = 500  # facts per batch request (the body is bounded as well: the service's max_body_bytes)


class PastGradeBatch(Request):
    """Past annual grades recorded in one transaction, each as POST /assessments/history would record it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "cadre_id": "c-4711",
                            "year": 2026,
                            "grade": "COMPETENT",
                            "decided_on": "2027-01-20",
                            "notified_on": "2027-01-25",
                            "document_no": "财党〔2027〕3号",
                            "source": "PAPER_RECORD",
                        }
                    ]
                }
            ]
        }
    )

    items: list[PastGradeCreate] = Field(
        min_length=1, max_length=HISTORY_BATCH_MAX, description="the past grade batch items of this page"
    )


class ItemProblem(BaseModel):
    """Why one item of a batch was refused: the problem the single route would have answered."""

    status: int = Field(description="status of the problem")
    type: str = Field(description="type of the problem")
    detail: str = Field(description="explanation of the problem")
    rule: str | None = Field(default=None, description="the rule the item breaks")
    field: str | None = Field(default=None, description="the invalid field, when one is named")
    source: str | None = Field(default=None, description="source of the problem")


class PastGradeItem(BaseModel):
    index: int = Field(description="the item's position in the request")
    id: str | None = Field(default=None, description="id of the past grade")
    assessment_id: str | None = Field(default=None, description="id of the annual assessment (年度考核)")
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"] | None = Field(
        default=None, description="what the import did: RECORDED, CORRECTED or UNCHANGED"
    )
    quota: PastGradeQuota | None = Field(default=None, description="the quota of the grade (名额)")
    problem: ItemProblem | None = Field(default=None, description="set when this item was refused (nothing of it kept)")


class PastGradeBatchRecorded(BaseModel):
    items: list[PastGradeItem] = Field(description="the past grade batch items of this page")


class AssessmentPage(BaseModel):
    items: list[AssessmentRead] = Field(description="the assessment items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class YearConfig(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"excellent_quota_pct": 20, "quota_raise_approved": False}]}
    )
    excellent_quota_pct: float = Field(
        gt=0, le=100, description="share of the excellent grade allowed, in percent (优秀比例)"
    )
    quota_raise_approved: bool = Field(
        default=False, description="whether a raised excellent quota was approved (提高优秀比例)"
    )
    approval_ref: str | None = Field(
        default=None, max_length=200, description="reference of the approval document (批准文号)"
    )


class YearRead(BaseModel):
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    year: int = Field(description="assessment year (考核年度)")
    excellent_quota_pct: float = Field(description="share of the excellent grade allowed, in percent (优秀比例)")
    quota_raise_approved: bool = Field(description="whether a raised excellent quota was approved (提高优秀比例)")
    approval_ref: str | None = Field(description="reference of the approval document (批准文号)")


class YearPage(BaseModel):
    items: list[YearRead] = Field(description="the year items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class QuotaRule(BaseModel):
    code: str = Field(description="the quota rule's code (编码)")
    text: str = Field(description="the rule's wording as quoted from its source")
    source: str = Field(description="source of the quota rule")
    confidence: str = Field(description="how sure the rule table is (confidence of the rule source)")


class QuotaRead(BaseModel):
    """An agency's 优秀 quota for a year, as the decision-time check counts it."""

    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    year: int = Field(description="assessment year (考核年度)")
    counting_unit_id: str = Field(
        description="the agency (机关) the quota is counted over: the unit itself or its "
        "nearest ancestor that is not an internal division"
    )
    counting_unit_level: str | None = Field(description="agency level of the counting unit")
    staff_count: int = Field(description="assessed staff of the agency (annual assessments of the year)")
    pct: float = Field(description="quota share in percent")
    raise_approved: bool = Field(description="whether a raised quota applies")
    pct_configured: bool = Field(description="the percentage was set for this agency and year (else the default)")
    exact_places: str = Field(description="staff_count × pct / 100 before rounding")
    rounding: str = Field(description="how the quota was rounded")
    rounded_places: int = Field(description="exact_places rounded by `rounding`, before the at-least-one rule")
    min_one_from: int = Field(description="an agency of at least this many assessed staff has one place (0: off)")
    min_one_applied: bool = Field(description="whether the at-least-one rule raised the quota")
    limit: int = Field(description="the quota limit (名额上限)")
    used: int = Field(description="final 优秀 grades and 优秀 proposals awaiting publicity or decision")
    remaining: int = Field(description="quota places left")
    rules: list[QuotaRule] = Field(description="the quota rules applied")
    source: str = Field(description="source of the quota")


class RegularCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "period_key": "2026-Q3",
                    "result": "GOOD",
                    "evidence_refs": ["docs/2026/q3-report.pdf"],
                }
            ]
        }
    )
    cadre_id: str = CadreId
    period_key: str = PeriodKey
    result: Literal["GOOD", "FAIRLY_GOOD", "AVERAGE", "POOR"] = Field(
        description="result of the regular assessment (平时考核结果)"
    )
    evidence_refs: list[str] = Field(
        default_factory=list, max_length=50, description="references to the evidence documents (佐证材料)"
    )


class Page(BaseModel):
    items: list[dict[str, Any]] = Field(description="the record items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


CategoryLit = Literal["KEY_TASK", "URGENT_HARD", "REFORM_INNOVATION", "DAILY_DUTY", "PUBLIC_EVALUATION"]


class RecordCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "occurred_on": "2026-06-18",
                    "category": "KEY_TASK",
                    "title": "全市预算一体化系统上线",
                    "description": "牵头完成系统建设与数据迁移，按期上线",
                    "quantity": 1,
                    "unit": "项",
                    "evidence_refs": ["docs/2026/q3-report.pdf"],
                }
            ]
        }
    )
    cadre_id: str = CadreId
    occurred_on: dt.date = Field(description="date the record occurred (发生日期)")
    category: CategoryLit = Field(description="category of the record (类别)")
    title: str = Field(min_length=1, max_length=200, description="title of the record")
    description: str | None = Field(default=None, max_length=5000, description="description of the record (说明)")
    quantity: float | None = Field(default=None, ge=0, le=1_000_000, description="quantity recorded (数量)")
    unit: str | None = Field(default=None, max_length=32, description="unit of the quantity (单位)")
    evidence_refs: list[str] = Field(
        default_factory=list, max_length=50, description="references to the evidence documents (佐证材料)"
    )


class RecordCorrection(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "occurred_on": "2026-06-18",
                    "category": "KEY_TASK",
                    "title": "全市预算一体化系统上线",
                    "description": "牵头完成系统建设与数据迁移，按期上线",
                    "quantity": 1,
                    "unit": "项",
                    "evidence_refs": ["docs/2026/q3-report.pdf"],
                }
            ]
        }
    )
    occurred_on: dt.date = Field(description="date the record occurred (发生日期)")
    category: CategoryLit = Field(description="category of the record (类别)")
    title: str = Field(min_length=1, max_length=200, description="title of the record")
    description: str | None = Field(default=None, max_length=5000, description="description of the record (说明)")
    quantity: float | None = Field(default=None, ge=0, le=1_000_000, description="quantity recorded (数量)")
    unit: str | None = Field(default=None, max_length=32, description="unit of the quantity (单位)")
    evidence_refs: list[str] = Field(
        default_factory=list, max_length=50, description="references to the evidence documents (佐证材料)"
    )


class RecordReturn(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "请补充项目验收材料"}]})
    reason: str = Field(min_length=1, max_length=500, description="reason given (理由)")


class RecordResubmission(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "全市预算一体化系统上线",
                    "description": "补充项目验收报告",
                    "quantity": 1,
                    "evidence_refs": ["docs/2026/acceptance-report.pdf"],
                }
            ]
        }
    )
    title: str | None = Field(default=None, min_length=1, max_length=200, description="title of the record")
    description: str | None = Field(default=None, max_length=5000, description="description of the record (说明)")
    quantity: float | None = Field(default=None, ge=0, le=1_000_000, description="quantity recorded (数量)")
    evidence_refs: list[str] | None = Field(
        default=None, max_length=50, description="references to the evidence documents (佐证材料)"
    )


GroupLit = Literal["NOT_ACTING", "SLOW_ACTING", "NOT_TAKING_RESPONSIBILITY", "ACTING_WRONGLY", "WORK_STYLE"]


class ItemCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "SA-01",
                    "group": "SLOW_ACTING",
                    "description": "对群众诉求推诿拖延、久拖不办",
                    "severity": 2,
                    "default_points": 5,
                }
            ]
        }
    )
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$", description="the item's code (编码)")
    group: GroupLit = Field(description="group of the item (分组)")
    sector: str | None = Field(default=None, max_length=64, description="sector the item applies to (行业)")
    domain: str | None = Field(default=None, max_length=64, description="domain of the item (领域)")
    region: str | None = Field(default=None, max_length=64, description="region the item applies to")
    post_level: str | None = Field(default=None, max_length=32, description="post level the item applies to")
    description: str = Field(min_length=1, max_length=500, description="description of the item (说明)")
    severity: int = Field(ge=1, le=3, description="severity of the item (严重程度)")
    default_points: float = Field(ge=0, le=100, description="points the item gives by default (默认分值)")
    triggers_accountability: bool = Field(default=False, description="whether the item triggers accountability (问责)")


class ItemUpdate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "group": "SLOW_ACTING",
                    "description": "对群众诉求推诿拖延、久拖不办",
                    "severity": 2,
                    "default_points": 5,
                }
            ]
        }
    )
    group: GroupLit | None = Field(default=None, description="group of the item (分组)")
    sector: str | None = Field(default=None, max_length=64, description="sector the item applies to (行业)")
    domain: str | None = Field(default=None, max_length=64, description="domain of the item (领域)")
    region: str | None = Field(default=None, max_length=64, description="region the item applies to")
    post_level: str | None = Field(default=None, max_length=32, description="post level the item applies to")
    description: str | None = Field(
        default=None, min_length=1, max_length=500, description="description of the item (说明)"
    )
    severity: int | None = Field(default=None, ge=1, le=3, description="severity of the item (严重程度)")
    default_points: float | None = Field(
        default=None, ge=0, le=100, description="points the item gives by default (默认分值)"
    )
    triggers_accountability: bool | None = Field(
        default=None, description="whether the item triggers accountability (问责)"
    )
    active: bool | None = Field(default=None, description="whether the item is active (false once closed or retired)")


class SelfCheckAnswer(Request):
    item_code: str = Field(min_length=1, max_length=32, description="code of the item (条目编码)")
    status: Literal["CLEAR", "FLAGGED"] = Field(description="the self-check answer for the item (自查结果)")
    note: str | None = Field(default=None, max_length=1000, description="free-text note")


class SelfCheckCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "period_key": "2026-Q3",
                    "answers": [{"item_code": "SA-01", "status": "CLEAR", "note": "本季度无此类情形"}],
                }
            ]
        }
    )
    period_key: str = PeriodKey
    answers: list[SelfCheckAnswer] = Field(
        min_length=1, max_length=500, description="the self-check answers, one per item (自查结果)"
    )


SourceLit = Literal[
    "INSPECTION", "PETITION", "SUPERVISION", "MEDIA", "AUDIT", "APPOINTMENT_INSPECTION", "ANALYSIS", "DAILY_ASSESSMENT"
]


class FindingCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "item_code": "SA-01",
                    "source_type": "INSPECTION",
                    "source_ref": "inspection/2026-05",
                    "occurred_on": "2026-06-18",
                }
            ]
        }
    )
    cadre_id: str = CadreId
    item_code: str = Field(min_length=1, max_length=32, description="code of the item (条目编码)")
    source_type: SourceLit = Field(description="type of the source")
    source_ref: str | None = Field(
        default=None, max_length=128, description="reference of the source document (文件依据)"
    )
    incident_ref: str | None = Field(
        default=None, max_length=128, description="reference of the incident the finding comes from"
    )
    occurred_on: dt.date = Field(description="date the finding occurred (发生日期)")


class Reason(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "核实后不属于不作为情形"}]})
    reason: str | None = Field(default=None, max_length=200, description="reason given (理由)")


TalkTypeLit = Literal["HEART_TO_HEART", "REMINDER", "ORG_INTERVIEW", "INQUIRY_LETTER", "ADMONISHMENT"]


class TalkCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "REMINDER",
                    "cadre_id": "c-4711",
                    "scheduled_on": "2026-04-08",
                    "reason_ref": "inaction-finding/f-12",
                }
            ]
        }
    )
    type: TalkTypeLit = Field(description="type of the talk")
    cadre_id: str = CadreId
    scheduled_on: dt.date = Field(description="date the talk is scheduled for (谈话日期)")
    reason_ref: str | None = Field(
        default=None, max_length=200, description="reference of the matter prompting the talk"
    )


class TalkRecord(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "held_on": "2026-04-08",
                    "minutes_ref": "minutes/2026-06-01",
                    "outcome": "谈话对象接受提醒，表示立即整改",
                }
            ]
        }
    )
    held_on: dt.date = Field(description="date the talk was held (谈话日期)")
    minutes_ref: str | None = Field(
        default=None, max_length=200, description="reference of the minutes (会议/谈话记录)"
    )
    outcome: str | None = Field(default=None, max_length=500, description="outcome of the talk record (结果)")


class TalkRecorded(StateRead):
    reply_due_on: dt.date | None = Field(description="date the cadre's reply is due")


class TalkReply(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reply_ref": "reply/2026-04-20-zw"}]})
    reply_ref: str = Field(
        min_length=1,
        max_length=200,
        description="reference of the cadre's written reply or self-examination (书面答复/检查)",
    )


class ScheduleCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "type": "HEART_TO_HEART",
                    "reason": "TOP_LEADER",
                    "every_months": 6,
                    "first_on": "2026-04-01",
                }
            ]
        }
    )
    cadre_id: str = CadreId
    type: Literal["HEART_TO_HEART", "REMINDER", "ORG_INTERVIEW"] = Field(description="type of the schedule")
    reason: Literal["TOP_LEADER", "FRONTLINE_TASK"] = Field(description="reason given (理由)")
    every_months: int = Field(ge=1, le=24, description="interval between scheduled talks in months")
    first_on: dt.date = Field(description="date of the first scheduled talk")


class AwardCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"cadre_id": "c-4711", "type": "COMMENDATION", "basis_ref": "市委〔2026〕12号", "year": 2026}]
        }
    )
    cadre_id: str = CadreId
    type: Literal["COMMENDATION", "MERIT_3", "MERIT_2", "MERIT_1", "TITLE", "POLITICAL_HONOUR", "NOTICE_OF_PRAISE"] = (
        Field(description="type of the award")
    )
    basis_ref: str | None = Field(
        default=None, max_length=128, description="reference of the document the award is based on (依据文件)"
    )
    year: int | None = Field(default=None, ge=2000, le=2100, description="assessment year (考核年度)")


class Revocation(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "获奖依据的事迹经核查不实"}]})
    reason: str = Field(min_length=1, max_length=200, description="reason given (理由)")


class BonusCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"org_unit_id": "u-finance", "year": 2026, "pool_cents": 120000000}]}
    )
    org_unit_id: str = Field(
        min_length=1,
        max_length=64,
        description="id of the organisation unit (单位) whose cadres' final grades share the pool",
    )
    year: int = Field(ge=2000, le=2100, description="assessment year (考核年度)")
    pool_cents: int = Field(gt=0, le=10**13, description="the pool in fen (1/100 yuan)")


class IncentiveCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"cadre_id": "c-4711", "kind": "TRAINING", "on_date": "2026-09-15", "ref": "培训班〔2026〕8号"}
            ]
        }
    )
    cadre_id: str = CadreId
    kind: Literal["TRAINING", "ROTATION"] = Field(description="kind of the incentive")
    on_date: dt.date = Field(description="date of the incentive")
    ref: str | None = Field(default=None, max_length=200, description="reference of the incentive document")
