"""Inputs of the petitions use cases (imperative names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reporter:
    """Who reported and how to reach them: sealed into the vault, never stored or sent in the clear."""

    name: str
    phone: str | None = None
    id_number: str | None = None
    email: str | None = None
    address: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class IntakeReport:
    petition_type: str
    channel: str
    received_on: dt.date
    content: str
    reporter: Reporter | None
    accused_description: str | None = None
    accused_cadre_ids: list[str] = field(default_factory=list)
    accused_org_unit_ids: list[str] = field(default_factory=list)
    category: str | None = None
    handling_org_unit_id: str | None = None
    transfer_ref: str | None = None
    issue_receipt: bool = False


@dataclass(frozen=True)
class AllegationInput:
    summary: str
    cadre_id: str | None = None


@dataclass(frozen=True)
class RegisterReport:
    report_id: str
    category: str
    substantive: bool
    jurisdiction: str
    accused_cadre_ids: list[str]
    accused_org_unit_ids: list[str]
    allegations: list[AllegationInput]
    real_name_verified: bool = False


@dataclass(frozen=True)
class RouteReport:
    report_id: str
    jurisdiction: str
    target_org_unit_id: str | None


@dataclass(frozen=True)
class Decision:
    meeting_on: dt.date
    participants: int
    minutes_ref: str


@dataclass(frozen=True)
class DisposeReport:
    report_id: str
    mode: str
    decision: Decision
    letter_text: str | None = None


@dataclass(frozen=True)
class OpenCase:
    report_id: str
    cadre_ids: list[str]
    opened_on: dt.date
    decision: Decision


@dataclass(frozen=True)
class CloseReport:
    report_id: str
    findings: dict[str, str]
    conclusion: str
    adverse_effect: bool
    accusation_spread: str | None
    fabrication_suspected: bool


@dataclass(frozen=True)
class IssueStatement:
    report_id: str
    cadre_id: str
    kind: str
    facts: str
    due_on: dt.date | None


@dataclass(frozen=True)
class OpenFalseAccusation:
    origin_report_id: str
    grounds: str
    accuser_is_cadre: bool = False
    accuser_cadre_id: str | None = None


@dataclass(frozen=True)
class ProposeClarification:
    cadre_id: str
    report_ids: list[str]
    spread: str


@dataclass(frozen=True)
class FileAppeal:
    target_type: str
    target_ref: str
    stage: str
    grounds: str
    appellant_cadre_id: str | None = None
    previous_appeal_id: str | None = None
    notified_on: dt.date | None = None
    filed_on: dt.date | None = None
    decision_on: dt.date | None = None  # only for decisions this suite does not own (measures of a commission)


@dataclass(frozen=True)
class RecordPastAppeal:
    """A past appeal and its outcome, with its real dates and provenance (docs/petitions.md, Recording past
    appeals)."""

    appellant_cadre_id: str
    target_type: str
    target_ref: str
    stage: str
    notified_on: dt.date
    filed_on: dt.date
    outcome: str
    decided_on: dt.date
    document_number: str
    source: str
    grounds: str
    decision_on: dt.date | None = None  # only for decisions this suite does not own
    accepted_on: dt.date | None = None
    varied_to: str | None = None
    reasons: str | None = None
    previous_appeal_id: str | None = None


@dataclass(frozen=True)
class DecideAppeal:
    appeal_id: str
    result: str
    reasons: str
    varied_to: str | None = None


# -- report transitions ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NotAcceptReport:
    report_id: str
    reason: str


@dataclass(frozen=True)
class AcceptReport:
    report_id: str


@dataclass(frozen=True)
class RecordAcceptanceNotice:
    report_id: str
    on: dt.date


@dataclass(frozen=True)
class HandOverReport:
    report_id: str


@dataclass(frozen=True)
class ResumeReport:
    report_id: str


@dataclass(frozen=True)
class RecordFeedback:
    report_id: str
    on: dt.date


@dataclass(frozen=True)
class FinalizeReport:
    report_id: str


@dataclass(frozen=True)
class VerifyReport:
    report_id: str
    decision: Decision


@dataclass(frozen=True)
class ReopenReport:
    report_id: str
    decision: Decision


@dataclass(frozen=True)
class RecordObjection:
    report_id: str
    new_evidence: bool
    summary: str | None
    on: dt.date


@dataclass(frozen=True)
class ReissueReceipt:
    report_id: str


@dataclass(frozen=True)
class ArchiveDuplicate:
    report_id: str
    original_id: str


@dataclass(frozen=True)
class AskReporter:
    report_id: str
    text: str


@dataclass(frozen=True)
class RevealReporter:
    report_id: str
    purpose: str


# -- statements -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerStatement:
    statement_id: str
    text: str


@dataclass(frozen=True)
class AssessStatement:
    statement_id: str
    adopted: bool
    assessment: str


@dataclass(frozen=True)
class WaiveStatement:
    statement_id: str
    reason: str


# -- false accusations ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvestigateFalseAccusation:
    case_id: str
    accuser_is_cadre: bool | None
    accuser_cadre_id: str | None


@dataclass(frozen=True)
class SubmitFalseAccusation:
    case_id: str
    findings: str
    proposed: str


@dataclass(frozen=True)
class DecideFalseAccusation:
    case_id: str
    classification: str


@dataclass(frozen=True)
class ReferFalseAccuser:
    case_id: str
    referral: str
    note: str


@dataclass(frozen=True)
class CloseFalseAccusation:
    case_id: str


# -- deadlines ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PauseDeadline:
    deadline_id: str
    reason: str


@dataclass(frozen=True)
class ResumeDeadline:
    deadline_id: str


@dataclass(frozen=True)
class ExtendDeadline:
    deadline_id: str
    days: int
    reason: str


# -- appeals --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AcceptAppeal:
    appeal_id: str


@dataclass(frozen=True)
class RejectAppeal:
    appeal_id: str
    reasons: str


@dataclass(frozen=True)
class StartAppealReview:
    appeal_id: str


# -- clarifications -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestConsent:
    clarification_id: str


@dataclass(frozen=True)
class AnswerConsent:
    clarification_id: str
    consent: bool


@dataclass(frozen=True)
class ApproveClarification:
    clarification_id: str
    method: str
    scope: str


@dataclass(frozen=True)
class ExecuteClarification:
    clarification_id: str
    executed_on: dt.date
    record_ref: str


@dataclass(frozen=True)
class CloseClarification:
    clarification_id: str


@dataclass(frozen=True)
class RejectClarification:
    clarification_id: str
    reason: str
