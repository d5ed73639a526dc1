"""Request and response models of the petitions API (requests forbid unknown fields; no value is ever echoed).

Reporter fields exist only on intake requests and the reveal answer; no other model carries them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from kernel.requests import RequestModel

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Z][A-Z0-9_]{0,63}$")]
PetitionTypeLit = Literal["ACCUSATION", "GENERAL"]
ChannelLit = Literal["LETTER", "VISIT", "PHONE_12388", "ONLINE", "TRANSFER_XINFANG", "TRANSFER_UPPER",
                     "TRANSFER_LOWER", "INSPECTION"]
CategoryLit = Literal["political", "organisational", "integrity", "mass", "work", "life", "job_crime", "other"]
ScopeLit = Literal["PERSON", "UNIT", "SYSTEM", "PUBLIC"]
FindingLit = Literal["SUBSTANTIATED", "PARTLY_SUBSTANTIATED", "UNFOUNDED", "UNVERIFIABLE"]
TargetLit = Literal["ANNUAL_GRADE", "CS_SANCTION", "GOV_SANCTION", "PARTY_DISCIPLINE", "ACCOUNTABILITY",
                    "ORG_HANDLING", "SUPERVISION_CONDUCT", "XINFANG", "CONTRACT"]
StageLit = Literal["REVIEW", "APPEAL", "REAPPEAL"]
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class Request(RequestModel):
    """A request body: unknown fields refused, scalars of their JSON type (kernel.requests)."""


# -- intake ---------------------------------------------------------------------------------------------------
class ReporterIn(Request):
    """A real-name reporter: the name and at least one concrete contact (规则 §24). Sealed into the vault."""

    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 \-]{5,19}$")
    id_number: str | None = Field(default=None, min_length=18, max_length=18, pattern=r"^[0-9]{17}[0-9Xx]$",
                                  description="resident identity card number (GB 11643, checksum verified)")
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: str | None = Field(default=None, max_length=300)
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
    petition_type: PetitionTypeLit = "ACCUSATION"
    channel: ChannelLit
    received_on: dt.date
    reporter: ReporterIn | None = Field(default=None, description="omit for an anonymous report")
    content: str = Field(min_length=1, max_length=20000, description="what the reporter says (stored sealed)")
    accused_description: str | None = Field(default=None, max_length=2000,
                                            description="who is accused, in the reporter's words (stored sealed)")
    accused_cadre_ids: list[Id] = Field(default_factory=list, max_length=50)
    accused_org_unit_ids: list[Id] = Field(default_factory=list, max_length=50)
    category: CategoryLit | None = None
    handling_org_unit_id: Id | None = Field(default=None, description="defaults to the caller's unit")
    transfer_ref: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9._:/\-]+$",
                                     description="the sending body's reference, for transferred reports")
    issue_receipt: bool = Field(default=False, description="give an anonymous reporter a receipt code")

    @model_validator(mode="after")
    def _receipt_for_anonymous(self) -> ReportCreate:
        if self.issue_receipt and self.reporter is not None:
            raise ValueError("receipt codes are for anonymous reporters")
        return self


class PublicReportCreate(Request):
    org_unit_id: Id = Field(description="the body the report is addressed to")
    petition_type: PetitionTypeLit = "ACCUSATION"
    content: str = Field(min_length=1, max_length=20000)
    accused_description: str | None = Field(default=None, max_length=2000)
    category: CategoryLit | None = None
    reporter: ReporterIn | None = Field(default=None, description="omit to stay anonymous")


class ReportCreated(BaseModel):
    id: str
    receipt_code: str | None = Field(default=None, description="shown once; only a slow hash of it is kept")


class PublicReportCreated(BaseModel):
    receipt_code: str = Field(description="keep it: it is the only way to follow the report; it is shown once")


# -- screening and disposal -----------------------------------------------------------------------------------
class AllegationIn(Request):
    summary: ShortText
    cadre_id: Id | None = Field(default=None, description="omit when it concerns every accused cadre")


class ReportRegister(Request):
    category: CategoryLit
    substantive: bool
    jurisdiction: Literal["OWN", "UPPER", "LOWER", "OTHER_BODY"]
    accused_cadre_ids: list[Id] = Field(default_factory=list, max_length=50)
    accused_org_unit_ids: list[Id] = Field(default_factory=list, max_length=50)
    allegations: list[AllegationIn] = Field(default_factory=list, max_length=50)
    real_name_verified: bool = False


class ReportRoute(Request):
    jurisdiction: Literal["UPPER", "LOWER", "OTHER_BODY"]
    target_org_unit_id: Id | None = None


class ReportDuplicate(Request):
    duplicate_of: Id


class ReportNotAccept(Request):
    reason: Literal["NO_SUBSTANCE", "OUT_OF_SCOPE", "LEGAL_PROCEDURE"]


class DatedStep(Request):
    on: dt.date


class DecisionIn(Request):
    """The collective decision (集体研究); who recorded it comes from the token."""

    meeting_on: dt.date
    participants: int = Field(ge=1, le=200)
    minutes_ref: str = Field(min_length=1, max_length=100)


class ReportDispose(Request):
    mode: Literal["TALK", "INQUIRY_LETTER", "PRELIM_VERIFY", "HOLD", "CLOSE"]
    decision: DecisionIn
    letter_text: str | None = Field(default=None, max_length=5000, description="the inquiry letter (函询) only")


class ReportVerify(Request):
    decision: DecisionIn


class CaseOpen(Request):
    cadre_ids: list[Id] = Field(min_length=1, max_length=50)
    opened_on: dt.date
    decision: DecisionIn


class FindingIn(Request):
    allegation_id: Id
    result: FindingLit


class ReportClose(Request):
    findings: list[FindingIn] = Field(min_length=1, max_length=50)
    conclusion: Text
    adverse_effect: bool = False
    accusation_spread: ScopeLit | None = None
    fabrication_suspected: bool = False

    @field_validator("findings")
    @classmethod
    def _unique(cls, value: list[FindingIn]) -> list[FindingIn]:
        if len({f.allegation_id for f in value}) != len(value):
            raise ValueError("one finding per allegation")
        return value


class ReportObjection(Request):
    on: dt.date
    new_evidence: bool
    summary: str | None = Field(default=None, max_length=2000, description="stored sealed")


class QuestionCreate(Request):
    text: ShortText


class RevealRequest(Request):
    purpose: Code = Field(description="why the identity is needed (recorded in the audit log), e.g. VERIFY_REAL_NAME")


class Created(BaseModel):
    id: str


class StateRead(BaseModel):
    id: str
    status: str
    version: int


class AccusedRead(BaseModel):
    cadre_id: str
    outcome: str | None


class ReportSummary(BaseModel):
    id: str
    petition_type: str
    channel: str
    received_on: dt.date
    status: str
    category: str | None
    handling_org_unit_id: str
    outcome: str | None
    closed_on: dt.date | None
    accused: list[AccusedRead]
    identity: str | None = None


class ReportPage(BaseModel):
    items: list[ReportSummary]
    next_cursor: str | None


class AllegationRead(BaseModel):
    id: str
    summary: str
    cadre_id: str | None
    result: str | None


class ReportRead(BaseModel):
    """A report. Texts, questions, deadlines and handling details only for those who handle open reports."""

    id: str
    petition_type: str
    status: str
    category: str | None
    received_on: dt.date
    handling_org_unit_id: str
    accused: list[AccusedRead]
    accused_org_unit_ids: list[str]
    allegations: list[AllegationRead]
    outcome: str | None
    closed_on: dt.date | None
    conclusion: str | None
    version: int
    channel: str | None = None
    identity: str | None = None
    substantive: bool | None = None
    jurisdiction: str | None = None
    real_name_verified_on: dt.date | None = None
    transfer_ref: str | None = None
    duplicate_of: str | None = None
    not_accepted_reason: str | None = None
    routed_to: str | None = None
    accepted_on: dt.date | None = None
    acceptance_notice_on: dt.date | None = None
    disposal_mode: str | None = None
    adverse_effect: bool | None = None
    accusation_spread: str | None = None
    fabrication_suspected: bool | None = None
    feedback_on: dt.date | None = None
    objection_on: dt.date | None = None
    objection_new_evidence: bool | None = None
    content: str | None = None
    accused_description: str | None = None
    objection_summary: str | None = None
    cases: list[dict[str, Any]] | None = None
    disposals: list[dict[str, Any]] | None = None
    questions: list[dict[str, Any]] | None = None
    links: list[dict[str, Any]] | None = None
    deadlines: list[dict[str, Any]] | None = None


class RevealRead(BaseModel):
    report_id: str
    reporter: dict[str, str | None]


class ReporterFlagRead(BaseModel):
    id: str
    unfounded_count: int
    flagged_on: dt.date
    updated_on: dt.date
    report_ids: list[str]


class ReporterFlagPage(BaseModel):
    items: list[ReporterFlagRead]
    next_cursor: str | None


# -- public follow-up -----------------------------------------------------------------------------------------
class ReceiptLookup(Request):
    receipt_code: str | None = Field(default=None, max_length=64, description="or send it in X-Receipt-Code")


class ReceiptAnswer(Request):
    receipt_code: str | None = Field(default=None, max_length=64)
    question_id: Id
    answer: str = Field(min_length=1, max_length=5000)


class PublicQuestion(BaseModel):
    id: str
    text: str
    asked_on: dt.date
    answered: bool


class PublicStatus(BaseModel):
    status: str
    received_on: dt.date
    questions: list[PublicQuestion]


class PublicAnswered(BaseModel):
    question_id: str
    answered_on: dt.date


# -- statements -----------------------------------------------------------------------------------------------
class StatementCreate(Request):
    report_id: Id
    cadre_id: Id
    kind: Literal["INQUIRY_REPLY", "STATEMENT_DEFENCE"]
    facts: Text = Field(description="the facts and basis as staff write them for the accused (nothing else is shown)")
    due_on: dt.date | None = Field(default=None, description="defaults to the rule's period")


class StatementAnswer(Request):
    answer: str = Field(min_length=1, max_length=20000)


class StatementAssess(Request):
    adopted: bool
    assessment: ShortText


class StatementWaive(Request):
    reason: ShortText


class StatementRead(BaseModel):
    id: str
    cadre_id: str
    kind: str
    facts: str
    requested_on: dt.date
    due_on: dt.date
    status: str
    answer: str | None
    submitted_on: dt.date | None
    late: bool
    adopted: bool | None
    assessment: str | None
    assessed_on: dt.date | None
    waiver_reason: str | None
    version: int
    report_id: str | None = None


class StatementPage(BaseModel):
    items: list[StatementRead]
    next_cursor: str | None


# -- false accusations ----------------------------------------------------------------------------------------
class FalseAccusationCreate(Request):
    origin_report_id: Id
    grounds: Text
    accuser_is_cadre: bool = False
    accuser_cadre_id: Id | None = None


class FalseAccusationInvestigate(Request):
    accuser_is_cadre: bool | None = None
    accuser_cadre_id: Id | None = None


class FalseAccusationSubmit(Request):
    findings: Text
    proposed: Literal["CONFIRMED_FALSE_ACCUSATION", "MISTAKEN_REPORT", "DROPPED"]


class FalseAccusationDecide(Request):
    classification: Literal["CONFIRMED_FALSE_ACCUSATION", "MISTAKEN_REPORT", "DROPPED"]


class FalseAccusationRefer(Request):
    referral: Literal["PARTY", "GOV_SANCTION", "POLICE", "COURT", "EDUCATION"]
    note: ShortText


class FalseAccusationRead(BaseModel):
    id: str
    origin_report_id: str
    victim_cadre_ids: list[str]
    grounds: str
    opened_on: dt.date
    status: str
    findings: str | None
    proposed: str | None
    approval_tier: str | None
    decided_on: dt.date | None
    referral: str | None
    referred_on: dt.date | None
    closed_on: dt.date | None
    accuser_is_cadre: bool
    accuser_cadre_id: str | None
    version: int


class FalseAccusationPage(BaseModel):
    items: list[FalseAccusationRead]
    next_cursor: str | None


# -- clarifications -------------------------------------------------------------------------------------------
class ClarificationCreate(Request):
    cadre_id: Id
    report_ids: list[Id] = Field(min_length=1, max_length=20)
    spread: ScopeLit = Field(description="how far the accusation spread")


class ClarificationConsent(Request):
    consent: bool


class ClarificationApprove(Request):
    method: Literal["LETTER", "IN_PERSON", "MEETING", "NOTICE", "MEDIA"]
    scope: ScopeLit


class ClarificationExecute(Request):
    executed_on: dt.date
    record_ref: str = Field(min_length=1, max_length=100)


class ClarificationReject(Request):
    reason: ShortText


class ClarificationRead(BaseModel):
    id: str
    cadre_id: str
    spread: str
    reason: str
    proposed_on: dt.date
    status: str
    consent_on: dt.date | None
    method: str | None
    scope: str | None
    approved_on: dt.date | None
    executed_on: dt.date | None
    record_ref: str | None
    closed_on: dt.date | None
    version: int
    report_ids: list[str] | None = None


class ClarificationPage(BaseModel):
    items: list[ClarificationRead]
    next_cursor: str | None


# -- appeals --------------------------------------------------------------------------------------------------
class AppealCreate(Request):
    target_type: TargetLit
    target_ref: str = Field(min_length=3, max_length=200, pattern=r"^[a-z][a-z\-]*/[A-Za-z0-9._:\-]{1,128}$",
                            description='the decision appealed: "sanction/<id>", "annual-assessment/<id>", '
                                        '"contract/<id>", "report/<id>" or "measure/<id>"')
    stage: StageLit
    grounds: Text
    appellant_cadre_id: Id | None = Field(default=None, description="petitions staff filing for a cadre")
    previous_appeal_id: Id | None = None
    notified_on: dt.date | None = Field(default=None, description="when the appellant learned of the decision")
    filed_on: dt.date | None = Field(default=None, description="petitions staff recording an earlier filing")
    decision_on: dt.date | None = Field(default=None, description="for decisions no service here owns")


class AppealCreated(BaseModel):
    id: str
    status: str
    filing_deadline: dt.date | None


class PastAppealIn(Request):
    """A past appeal and its outcome with its real dates and provenance (docs/petitions.md, Recording past appeals)."""

    appellant_cadre_id: Id
    target_type: TargetLit
    target_ref: str = Field(min_length=3, max_length=200, pattern=r"^[a-z][a-z\-]*/[A-Za-z0-9._:\-]{1,128}$",
                            description='the decision appealed: "sanction/<id>", "annual-assessment/<id>", '
                                        '"contract/<id>" or "measure/<id>"')
    stage: StageLit
    decision_on: dt.date | None = Field(default=None, description="for decisions no service here owns")
    notified_on: dt.date = Field(description="when the appellant learned of the decision (the filing period runs "
                                             "from here)")
    filed_on: dt.date
    accepted_on: dt.date | None = Field(default=None, description="default: filed_on (UPHELD, VARIED, REVOKED)")
    outcome: Literal["UPHELD", "VARIED", "REVOKED", "REJECTED", "TIME_BARRED"]
    decided_on: dt.date
    varied_to: str | None = Field(default=None, max_length=64, pattern=r"^[A-Z][A-Z0-9_]{0,63}$")
    reasons: Text | None = None
    grounds: Text
    document_number: str = Field(min_length=1, max_length=100, description="文号 of the appeal decision")
    source: Literal["IMPORT", "PAPER_RECORD", "DOSSIER"]
    previous_appeal_id: Id | None = None


class PastAppealRecorded(BaseModel):
    id: str
    record_id: str
    revision: int
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"]
    status: str


class AppealReject(Request):
    reasons: Text


class AppealDecide(Request):
    result: Literal["UPHELD", "VARIED", "REVOKED"]
    reasons: Text
    varied_to: str | None = Field(default=None, max_length=64, pattern=r"^[A-Z][A-Z0-9_]{0,63}$")


class AppealRead(BaseModel):
    id: str
    appellant_cadre_id: str | None
    target_type: str
    target_ref: str
    stage: str
    original_value: str | None
    decision_on: dt.date
    notified_on: dt.date
    filed_on: dt.date
    filing_deadline: dt.date | None
    previous_appeal_id: str | None
    status: str
    accepted_on: dt.date | None
    decision_due_on: dt.date | None
    result: str | None
    varied_to: str | None
    reasons: str | None
    decided_on: dt.date | None
    grounds: str
    version: int


class AppealPage(BaseModel):
    items: list[AppealRead]
    next_cursor: str | None


# -- deadlines ------------------------------------------------------------------------------------------------
class DeadlinePause(Request):
    reason: ShortText


class DeadlineExtend(Request):
    days: int = Field(ge=1, le=90)
    reason: ShortText


class DeadlineState(BaseModel):
    id: str
    status: str
    version: int
    due_on: dt.date


class DeadlineRead(BaseModel):
    id: str
    kind: str
    object_type: str
    object_id: str
    report_id: str | None
    org_unit_id: str | None
    start_on: dt.date
    due_on: dt.date
    remind_on: dt.date
    status: str
    pausable: bool
    extended_days: int
    paused_on: dt.date | None
    met_on: dt.date | None
    breached_on: dt.date | None
    reminded_on: dt.date | None
    version: int


class DeadlinePage(BaseModel):
    items: list[DeadlineRead]
    next_cursor: str | None


class RuleRead(BaseModel):
    key: str
    period: str | None
    detail: dict[str, Any]
    source: str
    confidence: str


class RulesRead(BaseModel):
    deadlines: list[RuleRead]
    appeals: list[RuleRead]


# -- parts for the gateway ------------------------------------------------------------------------------------
class DossierPart(BaseModel):
    cadre_id: str
    as_of: dt.date
    outcomes: list[dict[str, Any]]
    clarifications: list[dict[str, Any]]
    appeals: list[dict[str, Any]]
    open_reports: list[dict[str, Any]] | None = None
    withheld: bool = Field(default=False, description="true for the cadre themself: petitions are not shown")


class DashboardPart(BaseModel):
    org_unit_id: str
    as_of: dt.date
    overdue_total: int
    overdue_by_kind: dict[str, int]
    oldest_overdue_on: dt.date | None
    due_soon: int


# -- errors ---------------------------------------------------------------------------------------------------
class Problem(BaseModel):
    """An RFC 9457 problem: the rule or field that refused the request (never the values sent)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    rule: str | None = None
    source: str | None = None
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


_PROBLEM = {"application/problem+json": {"schema": Problem.model_json_schema()}}
# Documented on every route, so that clients (and schemathesis) know each answer a request can get.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": _PROBLEM} for status, text in (
        (400, "malformed JSON or an invalid cursor"), (401, "no valid bearer token"),
        (403, "the role may not do this"), (404, "not found, or outside the caller's scope"),
        (409, "the state machine or a concurrent change refuses it"), (413, "the body is too large"),
        (422, "a field or a domain rule refuses the input"), (429, "too many requests; see Retry-After"))
}
