"""Request and response models of the petitions API (requests forbid unknown fields; no value is ever echoed).

Reporter fields exist only on intake requests and the reveal answer; no other model carries them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from kernel.requests import RequestModel
from kernel.schemas import Created as Created  # the kernel's answers, re-exported for the routes
from kernel.schemas import StateRead as StateRead

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Z][A-Z0-9_]{0,63}$")]
PetitionTypeLit = Literal["ACCUSATION", "GENERAL"]
ChannelLit = Literal[
    "LETTER", "VISIT", "PHONE_12388", "ONLINE", "TRANSFER_XINFANG", "TRANSFER_UPPER", "TRANSFER_LOWER", "INSPECTION"
]
CategoryLit = Literal["political", "organisational", "integrity", "mass", "work", "life", "job_crime", "other"]
ScopeLit = Literal["PERSON", "UNIT", "SYSTEM", "PUBLIC"]
FindingLit = Literal["SUBSTANTIATED", "PARTLY_SUBSTANTIATED", "UNFOUNDED", "UNVERIFIABLE"]
TargetLit = Literal[
    "ANNUAL_GRADE",
    "CS_SANCTION",
    "GOV_SANCTION",
    "PARTY_DISCIPLINE",
    "ACCOUNTABILITY",
    "ORG_HANDLING",
    "SUPERVISION_CONDUCT",
    "XINFANG",
    "CONTRACT",
]
StageLit = Literal["REVIEW", "APPEAL", "REAPPEAL"]
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class Request(RequestModel):
    """A request body: unknown fields refused, scalars of their JSON type (kernel.requests)."""


# -- intake ---------------------------------------------------------------------------------------------------
class ReporterIn(Request):
    """A real-name reporter: the name and at least one concrete contact (规则 §24). Sealed into the vault."""

    name: str = Field(min_length=1, max_length=100, description="name (名称/姓名) of the reporter")
    phone: str | None = Field(
        default=None,
        pattern=r"^\+?[0-9][0-9 \-]{5,19}$",
        description="the reporter's phone (kept encrypted in the reporter vault)",
    )
    id_number: str | None = Field(
        default=None,
        min_length=18,
        max_length=18,
        pattern=r"^[0-9]{17}[0-9Xx]$",
        description="resident identity card number (GB 11643, checksum verified)",
    )
    email: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="the reporter's e-mail (kept encrypted in the reporter vault)",
    )
    address: str | None = Field(
        default=None, max_length=300, description="the reporter's postal address (kept encrypted in the reporter vault)"
    )
    unit: str | None = Field(default=None, max_length=200, description="the reporter's own unit, if any")

    @field_validator("id_number")
    @classmethod
    def _checksum(cls, value: str | None) -> str | None:
        if value is None:
            return None
        total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
        if _ID_CHECK[total % 11] != value[17].upper():
            raise ValueError("the identity card number's check digit is wrong")
        return value.upper()

    @model_validator(mode="after")
    def _contact(self) -> ReporterIn:
        if not (self.phone or self.email or self.address):
            raise ValueError("a real-name reporter gives a concrete contact: phone, email or address")
        return self


class ReportCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "petition_type": "ACCUSATION",
                    "channel": "LETTER",
                    "received_on": "2026-05-06",
                    "content": "反映某局副局长张某在项目审批中违规收受礼金。",
                    "accused_description": "市财政局副局长张某",
                    "accused_cadre_ids": ["c-4711"],
                    "accused_org_unit_ids": ["u-finance"],
                    "category": "integrity",
                }
            ]
        }
    )
    petition_type: PetitionTypeLit = Field(default="ACCUSATION", description="type of petition (信访类型)")
    channel: ChannelLit = Field(description="the channel the report arrived by (来源渠道), e.g. LETTER or ONLINE")
    received_on: dt.date = Field(description="date the report was received (收件日期)")
    reporter: ReporterIn | None = Field(default=None, description="omit for an anonymous report")
    content: str = Field(min_length=1, max_length=20000, description="what the reporter says (stored sealed)")
    accused_description: str | None = Field(
        default=None, max_length=2000, description="who is accused, in the reporter's words (stored sealed)"
    )
    accused_cadre_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="ids of the accused cadres (被反映干部)"
    )
    accused_org_unit_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="ids of the accused organisation units (被反映单位)"
    )
    category: CategoryLit | None = Field(default=None, description="category of the report (类别)")
    handling_org_unit_id: Id | None = Field(default=None, description="defaults to the caller's unit")
    transfer_ref: str | None = Field(
        default=None,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:/\-]+$",
        description="the sending body's reference, for transferred reports",
    )
    issue_receipt: bool = Field(default=False, description="give an anonymous reporter a receipt code")

    @model_validator(mode="after")
    def _receipt_for_anonymous(self) -> ReportCreate:
        if self.issue_receipt and self.reporter is not None:
            raise ValueError("receipt codes are for anonymous reporters")
        return self


class PublicReportCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "org_unit_id": "u-finance",
                    "petition_type": "ACCUSATION",
                    "content": "反映某局副局长张某在项目审批中违规收受礼金。",
                    "accused_description": "市财政局副局长张某",
                    "category": "integrity",
                }
            ]
        }
    )
    org_unit_id: Id = Field(description="the body the report is addressed to")
    petition_type: PetitionTypeLit = Field(default="ACCUSATION", description="type of petition (信访类型)")
    content: str = Field(
        min_length=1, max_length=20000, description="the text of the report (反映内容); kept encrypted"
    )
    accused_description: str | None = Field(
        default=None,
        max_length=2000,
        description="free-text description of the accused person or unit as the reporter gave it",
    )
    category: CategoryLit | None = Field(default=None, description="category of the report (类别)")
    reporter: ReporterIn | None = Field(default=None, description="omit to stay anonymous")


class ReportCreated(BaseModel):
    id: str = Field(description="id of the report")
    receipt_code: str | None = Field(default=None, description="shown once; only a slow hash of it is kept")


class PublicReportCreated(BaseModel):
    receipt_code: str = Field(description="keep it: it is the only way to follow the report; it is shown once")


# -- screening and disposal -----------------------------------------------------------------------------------
class AllegationIn(Request):
    summary: ShortText = Field(description="summary of the allegation (摘要)")
    cadre_id: Id | None = Field(default=None, description="omit when it concerns every accused cadre")


class ReportRegister(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "integrity",
                    "substantive": True,
                    "jurisdiction": "OWN",
                    "accused_cadre_ids": ["c-4711"],
                    "accused_org_unit_ids": ["u-finance"],
                    "real_name_verified": True,
                }
            ]
        }
    )
    category: CategoryLit = Field(description="category of the report (类别)")
    substantive: bool = Field(description="whether the report states concrete, checkable facts (有实质内容)")
    jurisdiction: Literal["OWN", "UPPER", "LOWER", "OTHER_BODY"] = Field(
        description="the jurisdiction handling the report (管辖)"
    )
    accused_cadre_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="ids of the accused cadres (被反映干部)"
    )
    accused_org_unit_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="ids of the accused organisation units (被反映单位)"
    )
    allegations: list[AllegationIn] = Field(
        default_factory=list, max_length=50, description="the distinct allegations of the report (反映问题)"
    )
    real_name_verified: bool = Field(default=False, description="whether the reporter's real name was verified")


class ReportRoute(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"jurisdiction": "LOWER", "target_org_unit_id": "u-county-a"}]}
    )
    jurisdiction: Literal["UPPER", "LOWER", "OTHER_BODY"] = Field(
        description="the jurisdiction handling the report (管辖)"
    )
    target_org_unit_id: Id | None = Field(default=None, description="id of the unit the report is routed to")


class ReportDuplicate(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"duplicate_of": "r-2026-0412"}]})
    duplicate_of: Id = Field(description="id of the report this one duplicates (重复件)")


class ReportNotAccept(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "NO_SUBSTANCE"}]})
    reason: Literal["NO_SUBSTANCE", "OUT_OF_SCOPE", "LEGAL_PROCEDURE"] = Field(description="reason given (理由)")


class DatedStep(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"on": "2026-05-13"}]})
    on: dt.date = Field(description="date of the step")


class DecisionIn(Request):
    """The collective decision (集体研究); who recorded it comes from the token."""

    meeting_on: dt.date = Field(description="date of the meeting (会议日期)")
    participants: int = Field(ge=1, le=200, description="number of participants in the meeting")
    minutes_ref: str = Field(min_length=1, max_length=100, description="reference of the minutes (会议/谈话记录)")


class ReportDispose(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mode": "PRELIM_VERIFY",
                    "decision": {"meeting_on": "2026-06-01", "participants": 5, "minutes_ref": "minutes/2026-06-01"},
                }
            ]
        }
    )
    mode: Literal["TALK", "INQUIRY_LETTER", "PRELIM_VERIFY", "HOLD", "CLOSE"] = Field(
        description="how the report is disposed of (处置方式)"
    )
    decision: DecisionIn = Field(description="the decision taken (决定)")
    letter_text: str | None = Field(default=None, max_length=5000, description="the inquiry letter (函询) only")


class ReportVerify(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"decision": {"meeting_on": "2026-06-01", "participants": 5, "minutes_ref": "minutes/2026-06-01"}}
            ]
        }
    )
    decision: DecisionIn = Field(description="the decision taken (决定)")


class CaseOpen(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_ids": ["c-4711", "c-4712"],
                    "opened_on": "2026-06-01",
                    "decision": {"meeting_on": "2026-06-01", "participants": 5, "minutes_ref": "minutes/2026-06-01"},
                }
            ]
        }
    )
    cadre_ids: list[Id] = Field(min_length=1, max_length=50, description="ids of the cadres concerned (干部)")
    opened_on: dt.date = Field(description="date the case was opened (立案日期)")
    decision: DecisionIn = Field(description="the decision taken (决定)")


class FindingIn(Request):
    allegation_id: Id = Field(description="id of the allegation this finding answers (反映问题)")
    result: FindingLit = Field(description="result of the finding (结果)")


class ReportClose(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "findings": [{"allegation_id": "al-1", "result": "SUBSTANTIATED"}],
                    "conclusion": "经初步核实，反映问题部分属实。",
                    "adverse_effect": False,
                    "fabrication_suspected": False,
                }
            ]
        }
    )
    findings: list[FindingIn] = Field(
        min_length=1, max_length=50, description="the findings, one per allegation (查实情况)"
    )
    conclusion: Text = Field(description="the conclusion reached (结论)")
    adverse_effect: bool = Field(default=False, description="the adverse effect the false report had (不良影响)")
    accusation_spread: ScopeLit | None = Field(default=None, description="how widely the accusation spread (扩散范围)")
    fabrication_suspected: bool = Field(default=False, description="whether fabrication is suspected (涉嫌诬告)")

    @field_validator("findings")
    @classmethod
    def _unique(cls, value: list[FindingIn]) -> list[FindingIn]:
        if len({f.allegation_id for f in value}) != len(value):
            raise ValueError("one finding per allegation")
        return value


class ReportObjection(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"on": "2026-05-13", "new_evidence": True, "summary": "举报人认为核查未涉及其提供的新线索"}]
        }
    )
    on: dt.date = Field(description="date of the step")
    new_evidence: bool = Field(description="whether the objection brings new evidence")
    summary: str | None = Field(default=None, max_length=2000, description="stored sealed")


class QuestionCreate(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "请补充收受礼金的时间和地点。"}]})
    text: ShortText = Field(description="the question put to the reporter")


class RevealRequest(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"purpose": "FALSE_ACCUSATION_REVIEW"}]})
    purpose: Code = Field(description="why the identity is needed (recorded in the audit log), e.g. VERIFY_REAL_NAME")


class AccusedRead(BaseModel):
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(
        None,
        description="the cadre's name, from the register (null while the register "
        "has not sent it, or for a cadre outside the caller's scope)",
    )
    outcome: str | None = Field(description="outcome of the accused cadre (结果)")


class ReportSummary(BaseModel):
    id: str = Field(description="id of the report")
    petition_type: str = Field(description="type of petition (信访类型)")
    channel: str = Field(description="the channel the report arrived by (来源渠道), e.g. LETTER or ONLINE")
    received_on: dt.date = Field(description="date the report was received (收件日期)")
    status: str = Field(description="status of the report")
    category: str | None = Field(description="category of the report (类别)")
    handling_org_unit_id: str = Field(description="id of the unit handling the report (承办单位)")
    outcome: str | None = Field(description="outcome of the report (结果)")
    closed_on: dt.date | None = Field(description="date the report was closed (办结日期)")
    accused: list[AccusedRead] = Field(description="the accused cadres of the report with their outcome (被反映人)")
    identity: str | None = Field(
        default=None, description="the reporter's identity mode (署名方式): REAL_NAME or ANONYMOUS"
    )


class ReportPage(BaseModel):
    items: list[ReportSummary] = Field(description="the report items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class AllegationRead(BaseModel):
    id: str = Field(description="id of the allegation")
    summary: str = Field(description="summary of the allegation (摘要)")
    cadre_id: str | None = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    result: str | None = Field(description="result of the allegation (结果)")


class ReportRead(BaseModel):
    """A report. Texts, questions, deadlines and handling details only for those who handle open reports."""

    id: str = Field(description="id of the report")
    petition_type: str = Field(description="type of petition (信访类型)")
    status: str = Field(description="status of the report")
    category: str | None = Field(description="category of the report (类别)")
    received_on: dt.date = Field(description="date the report was received (收件日期)")
    handling_org_unit_id: str = Field(description="id of the unit handling the report (承办单位)")
    accused: list[AccusedRead] = Field(description="the accused cadres of the report with their outcome (被反映人)")
    accused_org_unit_ids: list[str] = Field(description="ids of the accused organisation units (被反映单位)")
    allegations: list[AllegationRead] = Field(description="the distinct allegations of the report (反映问题)")
    outcome: str | None = Field(description="outcome of the report (结果)")
    closed_on: dt.date | None = Field(description="date the report was closed (办结日期)")
    conclusion: str | None = Field(description="the conclusion reached (结论)")
    version: int = Field(
        description="version of the report; send it back with the next change (a stale one answers 409)"
    )
    channel: str | None = Field(
        default=None, description="the channel the report arrived by (来源渠道), e.g. LETTER or ONLINE"
    )
    identity: str | None = Field(
        default=None, description="the reporter's identity mode (署名方式): REAL_NAME or ANONYMOUS"
    )
    substantive: bool | None = Field(
        default=None, description="whether the report states concrete, checkable facts (有实质内容)"
    )
    jurisdiction: str | None = Field(default=None, description="the jurisdiction handling the report (管辖)")
    real_name_verified_on: dt.date | None = Field(default=None, description="date the real name was verified")
    transfer_ref: str | None = Field(default=None, description="reference of the transfer")
    duplicate_of: str | None = Field(default=None, description="id of the report this one duplicates (重复件)")
    not_accepted_reason: str | None = Field(default=None, description="why the report was not accepted (不予受理理由)")
    routed_to: str | None = Field(default=None, description="id of the unit the report was routed to (转办)")
    accepted_on: dt.date | None = Field(default=None, description="date the report was accepted (受理日期)")
    acceptance_notice_on: dt.date | None = Field(
        default=None, description="date the acceptance notice was sent to the reporter (受理告知日期)"
    )
    disposal_mode: str | None = Field(default=None, description="how the report was disposed of (处置方式)")
    adverse_effect: bool | None = Field(default=None, description="the adverse effect the false report had (不良影响)")
    accusation_spread: str | None = Field(default=None, description="how widely the accusation spread (扩散范围)")
    fabrication_suspected: bool | None = Field(default=None, description="whether fabrication is suspected (涉嫌诬告)")
    feedback_on: dt.date | None = Field(default=None, description="date feedback was given to the reporter (反馈日期)")
    objection_on: dt.date | None = Field(default=None, description="date of the reporter's objection (异议日期)")
    objection_new_evidence: bool | None = Field(
        default=None, description="whether the reporter's objection brought new evidence"
    )
    content: str | None = Field(default=None, description="the text of the report (反映内容); kept encrypted")
    accused_description: str | None = Field(
        default=None, description="free-text description of the accused person or unit as the reporter gave it"
    )
    objection_summary: str | None = Field(default=None, description="summary of the reporter's objection")
    cases: list[dict[str, Any]] | None = Field(
        default=None, description="the cases opened from the report (立案): id, cadre_id, cadre_name, opened_on"
    )
    disposals: list[dict[str, Any]] | None = Field(default=None, description="the disposals of the report (处置)")
    questions: list[dict[str, Any]] | None = Field(
        default=None, description="the questions to the reporter and their answers"
    )
    links: list[dict[str, Any]] | None = Field(default=None, description="reports linked to this one")
    deadlines: list[dict[str, Any]] | None = Field(default=None, description="the report's deadlines (办理时限)")


class RevealRead(BaseModel):
    report_id: str = Field(description="id of the petition report (信访举报件)")
    reporter: dict[str, str | None] = Field(description="the reporter's identity, decrypted from the vault")


class ReporterFlagRead(BaseModel):
    id: str = Field(description="id of the reporter flag")
    unfounded_count: int = Field(description="number of the reporter's unfounded reports")
    flagged_on: dt.date = Field(description="date the reporter was first flagged")
    updated_on: dt.date = Field(description="date the flag was last updated")
    report_ids: list[str] = Field(description="ids of the petition reports")


class ReporterFlagPage(BaseModel):
    items: list[ReporterFlagRead] = Field(description="the reporter flag items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- public follow-up -----------------------------------------------------------------------------------------
class ReceiptLookup(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"receipt_code": "RC-7Q2M-K9XD"}]})
    receipt_code: str | None = Field(default=None, max_length=64, description="or send it in X-Receipt-Code")


class ReceiptAnswer(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"receipt_code": "RC-7Q2M-K9XD", "question_id": "q-1", "answer": "2026年春节前，在其办公室。"}]
        }
    )
    receipt_code: str | None = Field(
        default=None, max_length=64, description="the receipt code the reporter was given (查询码)"
    )
    question_id: Id = Field(description="id of the question")
    answer: str = Field(min_length=1, max_length=5000, description="the answer given (答复内容)")


class PublicQuestion(BaseModel):
    id: str = Field(description="id of the public question")
    text: str = Field(description="the question put to the reporter")
    asked_on: dt.date = Field(description="date the question was asked")
    answered: bool = Field(description="whether the question has been answered")


class PublicStatus(BaseModel):
    status: str = Field(description="status of the public status")
    received_on: dt.date = Field(description="date the report was received (收件日期)")
    questions: list[PublicQuestion] = Field(description="the questions to the reporter and their answers")


class PublicAnswered(BaseModel):
    question_id: str = Field(description="id of the question")
    answered_on: dt.date = Field(description="date the question was answered")


# -- statements -----------------------------------------------------------------------------------------------
class StatementCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "report_id": "r-2026-0413",
                    "cadre_id": "c-4711",
                    "kind": "INQUIRY_REPLY",
                    "facts": "请就反映的礼金问题作出书面说明。",
                    "due_on": "2026-06-15",
                }
            ]
        }
    )
    report_id: Id = Field(description="id of the petition report (信访举报件)")
    cadre_id: Id = Field(description="id of the cadre (干部)")
    kind: Literal["INQUIRY_REPLY", "STATEMENT_DEFENCE"] = Field(description="kind of the statement")
    facts: Text = Field(description="the facts and basis as staff write them for the accused (nothing else is shown)")
    due_on: dt.date | None = Field(default=None, description="defaults to the rule's period")


class StatementAnswer(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"answer": "2026年春节前，在其办公室。"}]})
    answer: str = Field(min_length=1, max_length=20000, description="the answer given (答复内容)")


class StatementAssess(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"adopted": True, "assessment": "说明材料与初核情况基本一致，予以采纳"}]}
    )
    adopted: bool = Field(description="whether the statement was adopted (是否采纳)")
    assessment: ShortText = Field(description="the assessment of the statement (审查意见)")


class StatementWaive(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "被反映人已在谈话中作出说明"}]})
    reason: ShortText = Field(description="reason given (理由)")


class StatementRead(BaseModel):
    id: str = Field(description="id of the statement")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    kind: str = Field(description="kind of the statement")
    facts: str = Field(description="the facts the statement is requested about")
    requested_on: dt.date = Field(description="date the statement was requested")
    due_on: dt.date = Field(description="date the statement is due (期限)")
    status: str = Field(description="status of the statement")
    answer: str | None = Field(description="the answer given (答复内容)")
    submitted_on: dt.date | None = Field(description="date the statement was submitted")
    late: bool = Field(description="whether the statement was submitted late")
    adopted: bool | None = Field(description="whether the statement was adopted (是否采纳)")
    assessment: str | None = Field(description="the assessment of the statement (审查意见)")
    assessed_on: dt.date | None = Field(description="date the statement was assessed")
    waiver_reason: str | None = Field(description="why the statement was waived")
    version: int = Field(
        description="version of the statement; send it back with the next change (a stale one answers 409)"
    )
    report_id: str | None = Field(default=None, description="id of the petition report (信访举报件)")


class StatementPage(BaseModel):
    items: list[StatementRead] = Field(description="the statement items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- false accusations ----------------------------------------------------------------------------------------
class FalseAccusationCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"origin_report_id": "r-2026-0413", "grounds": "初核结论为反映不实，举报人涉嫌捏造事实"}]
        }
    )
    origin_report_id: Id = Field(description="id of the report the case arises from")
    grounds: Text = Field(description="the grounds given (理由)")
    accuser_is_cadre: bool = Field(default=False, description="whether the accuser is a cadre of the register")
    accuser_cadre_id: Id | None = Field(default=None, description="id of the accuser when the accuser is a cadre")


class FalseAccusationInvestigate(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"accuser_is_cadre": True, "accuser_cadre_id": "c-5002"}]}
    )
    accuser_is_cadre: bool | None = Field(default=None, description="whether the accuser is a cadre of the register")
    accuser_cadre_id: Id | None = Field(default=None, description="id of the accuser when the accuser is a cadre")


class FalseAccusationSubmit(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "findings": "经查，举报人反映的收受礼金问题无事实依据，举报人明知不实仍多次实名举报",
                    "proposed": "CONFIRMED_FALSE_ACCUSATION",
                }
            ]
        }
    )
    findings: Text = Field(description="the findings, one per allegation (查实情况)")
    proposed: Literal["CONFIRMED_FALSE_ACCUSATION", "MISTAKEN_REPORT", "DROPPED"] = Field(
        description="the proposed handling (处理建议)"
    )


class FalseAccusationDecide(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"classification": "CONFIRMED_FALSE_ACCUSATION"}]})
    classification: Literal["CONFIRMED_FALSE_ACCUSATION", "MISTAKEN_REPORT", "DROPPED"] = Field(
        description="classification of the false accusation (诬告/错告定性)"
    )


class FalseAccusationRefer(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"referral": "PARTY", "note": "移送纪检监察机关依规处理"}]}
    )
    referral: Literal["PARTY", "GOV_SANCTION", "POLICE", "COURT", "EDUCATION"] = Field(
        description="where the case was referred"
    )
    note: ShortText = Field(description="free-text note")


class CadreRef(BaseModel):
    id: str = Field(description="id of the cadre (干部)")
    name: str | None = Field(
        None,
        description="the cadre's name, from the register (null while the register has "
        "not sent it, or for a cadre outside the caller's scope)",
    )


class FalseAccusationRead(BaseModel):
    id: str = Field(description="id of the false accusation")
    origin_report_id: str = Field(description="id of the report the case arises from")
    victim_cadre_ids: list[str] = Field(description="ids of the cadres falsely accused (被诬告人)")
    victim_cadres: list[CadreRef] = Field(
        default_factory=list,
        description="the cadres falsely accused, in the order of victim_cadre_ids, with their names",
    )
    grounds: str = Field(description="the grounds given (理由)")
    opened_on: dt.date = Field(description="date the false accusation was opened (立案日期)")
    status: str = Field(description="status of the false accusation")
    findings: str | None = Field(description="the findings, one per allegation (查实情况)")
    proposed: str | None = Field(description="the proposed handling (处理建议)")
    approval_tier: str | None = Field(description="the level that must approve the decision (审批层级)")
    decided_on: dt.date | None = Field(description="date the false accusation was decided (决定日期)")
    referral: str | None = Field(description="where the case was referred")
    referred_on: dt.date | None = Field(description="date the case was referred (移送日期)")
    closed_on: dt.date | None = Field(description="date the false accusation was closed (办结日期)")
    accuser_is_cadre: bool = Field(description="whether the accuser is a cadre of the register")
    accuser_cadre_id: str | None = Field(description="id of the accuser when the accuser is a cadre")
    version: int = Field(
        description="version of the false accusation; send it back with the next change (a stale one answers 409)"
    )


class FalseAccusationPage(BaseModel):
    items: list[FalseAccusationRead] = Field(description="the false accusation items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- clarifications -------------------------------------------------------------------------------------------
class ClarificationCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"cadre_id": "c-4711", "report_ids": ["r-2026-0413"], "spread": "PERSON"}]}
    )
    cadre_id: Id = Field(description="id of the cadre (干部)")
    report_ids: list[Id] = Field(min_length=1, max_length=20, description="ids of the petition reports")
    spread: ScopeLit = Field(description="how far the accusation spread")


class ClarificationConsent(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"consent": True}]})
    consent: bool = Field(description="whether the cadre consents to the clarification (本人同意)")


class ClarificationApprove(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"method": "MEETING", "scope": "UNIT"}]})
    method: Literal["LETTER", "IN_PERSON", "MEETING", "NOTICE", "MEDIA"] = Field(
        description="how the clarification is made (澄清方式)"
    )
    scope: ScopeLit = Field(description="scope of the clarification (澄清范围)")


class ClarificationExecute(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"executed_on": "2026-09-10", "record_ref": "clarification/2026-09-10"}]}
    )
    executed_on: dt.date = Field(description="date the clarification was executed (实施日期)")
    record_ref: str = Field(min_length=1, max_length=100, description="reference of the record of the clarification")


class ClarificationReject(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "不良影响范围有限，不需要澄清"}]})
    reason: ShortText = Field(description="reason given (理由)")


class ClarificationRead(BaseModel):
    id: str = Field(description="id of the clarification")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    spread: str = Field(description="how widely the clarification spreads")
    reason: str = Field(description="reason given (理由)")
    proposed_on: dt.date = Field(description="date the clarification was proposed (提出日期)")
    status: str = Field(description="status of the clarification")
    consent_on: dt.date | None = Field(description="date the cadre consented")
    method: str | None = Field(description="how the clarification is made (澄清方式)")
    scope: str | None = Field(description="scope of the clarification (澄清范围)")
    approved_on: dt.date | None = Field(description="date the clarification was approved (批准日期)")
    executed_on: dt.date | None = Field(description="date the clarification was executed (实施日期)")
    record_ref: str | None = Field(description="reference of the record of the clarification")
    closed_on: dt.date | None = Field(description="date the clarification was closed (办结日期)")
    version: int = Field(
        description="version of the clarification; send it back with the next change (a stale one answers 409)"
    )
    report_ids: list[str] | None = Field(default=None, description="ids of the petition reports")


class ClarificationPage(BaseModel):
    items: list[ClarificationRead] = Field(description="the clarification items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- appeals --------------------------------------------------------------------------------------------------
class AppealCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_type": "ANNUAL_GRADE",
                    "target_ref": "assessment/a-2026-4711",
                    "stage": "REVIEW",
                    "grounds": "本人全年完成各项任务，考核等次评定依据不充分。",
                    "appellant_cadre_id": "c-4711",
                    "notified_on": "2027-01-25",
                    "filed_on": "2026-01-15",
                }
            ]
        }
    )
    target_type: TargetLit = Field(description="type of the decision appealed against")
    target_ref: str = Field(
        min_length=3,
        max_length=200,
        pattern=r"^[a-z][a-z\-]*/[A-Za-z0-9._:\-]{1,128}$",
        description='the decision appealed: "sanction/<id>", "annual-assessment/<id>", '
        '"contract/<id>", "report/<id>" or "measure/<id>"',
    )
    stage: StageLit = Field(description="stage of the appeal")
    grounds: Text = Field(description="the grounds given (理由)")
    appellant_cadre_id: Id | None = Field(default=None, description="petitions staff filing for a cadre")
    previous_appeal_id: Id | None = Field(
        default=None, description="id of the earlier appeal this one follows (复核/申诉)"
    )
    notified_on: dt.date | None = Field(default=None, description="when the appellant learned of the decision")
    filed_on: dt.date | None = Field(default=None, description="petitions staff recording an earlier filing")
    decision_on: dt.date | None = Field(default=None, description="for decisions no service here owns")


class AppealCreated(BaseModel):
    id: str = Field(description="id of the appeal")
    status: str = Field(description="status of the appeal")
    filing_deadline: dt.date | None = Field(description="last date an appeal may be filed (申诉期限)")


class PastAppealIn(Request):
    """A past appeal and its outcome with its real dates and provenance (docs/petitions.md, Recording past appeals)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "appellant_cadre_id": "c-4711",
                    "target_type": "ANNUAL_GRADE",
                    "target_ref": "assessment/a-2026-4711",
                    "stage": "REVIEW",
                    "notified_on": "2025-01-20",
                    "filed_on": "2025-02-10",
                    "outcome": "UPHELD",
                    "decided_on": "2025-03-01",
                    "reasons": "经复核，原考核结论事实清楚、程序合法。",
                    "grounds": "本人全年完成各项任务，考核等次评定依据不充分。",
                    "document_number": "财党〔2026〕21号",
                    "source": "PAPER_RECORD",
                    "previous_appeal_id": "ap-2026-007",
                }
            ]
        }
    )

    appellant_cadre_id: Id = Field(description="id of the cadre who appeals (申诉人)")
    target_type: TargetLit = Field(description="type of the decision appealed against")
    target_ref: str = Field(
        min_length=3,
        max_length=200,
        pattern=r"^[a-z][a-z\-]*/[A-Za-z0-9._:\-]{1,128}$",
        description='the decision appealed: "sanction/<id>", "annual-assessment/<id>", '
        '"contract/<id>" or "measure/<id>"',
    )
    stage: StageLit = Field(description="stage of the past appeal")
    decision_on: dt.date | None = Field(default=None, description="for decisions no service here owns")
    notified_on: dt.date = Field(
        description="when the appellant learned of the decision (the filing period runs from here)"
    )
    filed_on: dt.date = Field(description="date the past appeal was filed (备案/提出日期)")
    accepted_on: dt.date | None = Field(default=None, description="default: filed_on (UPHELD, VARIED, REVOKED)")
    outcome: Literal["UPHELD", "VARIED", "REVOKED", "REJECTED", "TIME_BARRED"] = Field(
        description="outcome of the past appeal (结果)"
    )
    decided_on: dt.date = Field(description="date the past appeal was decided (决定日期)")
    varied_to: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Z][A-Z0-9_]{0,63}$",
        description="outcome the decision was varied to (变更为)",
    )
    reasons: Text | None = Field(default=None, description="the reasons (理由)")
    grounds: Text = Field(description="the grounds given (理由)")
    document_number: str = Field(min_length=1, max_length=100, description="文号 of the appeal decision")
    source: Literal["IMPORT", "PAPER_RECORD", "DOSSIER"] = Field(
        description="provenance of the past record (来源), e.g. PAPER_RECORD"
    )
    previous_appeal_id: Id | None = Field(
        default=None, description="id of the earlier appeal this one follows (复核/申诉)"
    )


class PastAppealRecorded(BaseModel):
    id: str = Field(description="id of the past appeal")
    record_id: str = Field(description="id of the recorded entry")
    revision: int = Field(description="revision number of the record")
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"] = Field(
        description="what the import did: RECORDED, CORRECTED or UNCHANGED"
    )
    status: str = Field(description="status of the past appeal")


class AppealReject(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reasons": "经复核，原考核结论事实清楚、程序合法。"}]})
    reasons: Text = Field(description="the reasons (理由)")


class AppealDecide(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"result": "UPHELD", "reasons": "经复核，原考核结论事实清楚、程序合法。"}]}
    )
    result: Literal["UPHELD", "VARIED", "REVOKED"] = Field(description="result of the appeal decide (结果)")
    reasons: Text = Field(description="the reasons (理由)")
    varied_to: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Z][A-Z0-9_]{0,63}$",
        description="outcome the decision was varied to (变更为)",
    )


class AppealRead(BaseModel):
    id: str = Field(description="id of the appeal")
    appellant_cadre_id: str | None = Field(description="id of the cadre who appeals (申诉人)")
    cadre_name: str | None = Field(None, description="the appellant's name, from the register")
    target_type: str = Field(description="type of the decision appealed against")
    target_ref: str = Field(description="id of the decision appealed against")
    stage: str = Field(description="stage of the appeal")
    original_value: str | None = Field(description="the value appealed against")
    decision_on: dt.date = Field(description="date of the decision (决定日期)")
    notified_on: dt.date = Field(description="date the appeal was notified (告知日期)")
    filed_on: dt.date = Field(description="date the appeal was filed (备案/提出日期)")
    filing_deadline: dt.date | None = Field(description="last date an appeal may be filed (申诉期限)")
    previous_appeal_id: str | None = Field(description="id of the earlier appeal this one follows (复核/申诉)")
    status: str = Field(description="status of the appeal")
    accepted_on: dt.date | None = Field(description="date the appeal was accepted (受理日期)")
    decision_due_on: dt.date | None = Field(description="date the decision is due (决定期限)")
    result: str | None = Field(description="result of the appeal (结果)")
    varied_to: str | None = Field(description="outcome the decision was varied to (变更为)")
    reasons: str | None = Field(description="the reasons (理由)")
    decided_on: dt.date | None = Field(description="date the appeal was decided (决定日期)")
    grounds: str = Field(description="the grounds given (理由)")
    version: int = Field(
        description="version of the appeal; send it back with the next change (a stale one answers 409)"
    )


class AppealPage(BaseModel):
    items: list[AppealRead] = Field(description="the appeal items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- deadlines ------------------------------------------------------------------------------------------------
class DeadlinePause(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "等待外单位协查回复"}]})
    reason: ShortText = Field(description="reason given (理由)")


class DeadlineExtend(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"days": 30, "reason": "情况复杂，经批准延长办理期限"}]})
    days: int = Field(ge=1, le=90, description="number of days to extend the deadline by")
    reason: ShortText = Field(description="reason given (理由)")


class DeadlineState(StateRead):
    due_on: dt.date = Field(description="date the deadline is due (期限)")


class DeadlineRead(BaseModel):
    id: str = Field(description="id of the deadline")
    kind: str = Field(description="kind of the deadline")
    object_type: str = Field(description="type of the object the deadline runs on")
    object_id: str = Field(description="id of the object the deadline runs on")
    report_id: str | None = Field(description="id of the petition report (信访举报件)")
    org_unit_id: str | None = Field(description="id of the organisation unit (单位)")
    start_on: dt.date = Field(description="date the deadline started")
    due_on: dt.date = Field(description="date the deadline is due (期限)")
    remind_on: dt.date = Field(description="date a reminder is due")
    status: str = Field(description="status of the deadline")
    pausable: bool = Field(description="whether the deadline may be paused")
    extended_days: int = Field(description="days the deadline was extended by")
    paused_on: dt.date | None = Field(description="date the deadline was paused")
    met_on: dt.date | None = Field(description="date the deadline was met")
    breached_on: dt.date | None = Field(description="date the deadline was breached (超期日期)")
    reminded_on: dt.date | None = Field(description="date the reminder was sent")
    version: int = Field(
        description="version of the deadline; send it back with the next change (a stale one answers 409)"
    )


class DeadlinePage(BaseModel):
    items: list[DeadlineRead] = Field(description="the deadline items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class RuleRead(BaseModel):
    key: str = Field(description="key of the rule")
    period: str | None = Field(description="the period of the rule")
    detail: dict[str, Any] = Field(description="explanation of the rule")
    source: str = Field(description="source of the rule")
    confidence: str = Field(description="how sure the rule table is (confidence of the rule source)")


class RulesRead(BaseModel):
    deadlines: list[RuleRead] = Field(description="the petitions rules' deadlines (办理时限)")
    appeals: list[RuleRead] = Field(description="the petitions rules' appeals (申诉/复核)")


# -- parts for the gateway ------------------------------------------------------------------------------------
class DossierPart(BaseModel):
    cadre_id: str = Field(description="id of the cadre (干部)")
    as_of: dt.date = Field(description="date the figures were computed for (统计截止日期)")
    outcomes: list[dict[str, Any]] = Field(description="number of reports by outcome")
    clarifications: list[dict[str, Any]] = Field(description="the clarifications made for the cadre (澄清正名)")
    appeals: list[dict[str, Any]] = Field(description="the cadre's appeals (申诉/复核)")
    open_reports: list[dict[str, Any]] | None = Field(
        default=None, description="number of open reports naming the cadre"
    )
    withheld: bool = Field(default=False, description="true for the cadre themself: petitions are not shown")


class DashboardPart(BaseModel):
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    as_of: dt.date = Field(description="date the figures were computed for (统计截止日期)")
    overdue_total: int = Field(description="number of overdue deadlines (超期)")
    overdue_by_kind: dict[str, int] = Field(description="number of overdue deadlines by kind")
    oldest_overdue_on: dt.date | None = Field(description="due date of the oldest overdue deadline")
    due_soon: int = Field(description="number of deadlines due within the reminder window")


# -- errors ---------------------------------------------------------------------------------------------------
class Problem(BaseModel):
    """An RFC 9457 problem: the rule or field that refused the request (never the values sent)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="type of the problem")
    title: str = Field(description="title of the problem")
    status: int = Field(description="status of the problem")
    detail: str = Field(description="explanation of the problem")
    instance: str | None = Field(default=None, description="the request path the problem concerns")
    rule: str | None = Field(default=None, description="the rule the item breaks")
    source: str | None = Field(default=None, description="source of the problem")
    field: str | None = Field(default=None, description="the invalid field, when one is named")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="invalid fields, each with its location and message"
    )


_PROBLEM = {"application/problem+json": {"schema": Problem.model_json_schema()}}
# Documented on every route, so that clients (and schemathesis) know each answer a request can get.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": _PROBLEM}
    for status, text in (
        (400, "malformed JSON or an invalid cursor"),
        (401, "no valid bearer token"),
        (403, "the role may not do this"),
        (404, "not found, or outside the caller's scope"),
        (409, "the state machine or a concurrent change refuses it"),
        (413, "the body is too large"),
        (422, "a field or a domain rule refuses the input"),
        (429, "too many requests; see Retry-After"),
    )
}
