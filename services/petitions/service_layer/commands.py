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
    category: str
    substantive: bool
    jurisdiction: str
    accused_cadre_ids: list[str]
    accused_org_unit_ids: list[str]
    allegations: list[AllegationInput]
    real_name_verified: bool = False


@dataclass(frozen=True)
class RouteReport:
    jurisdiction: str
    target_org_unit_id: str | None


@dataclass(frozen=True)
class Decision:
    meeting_on: dt.date
    participants: int
    minutes_ref: str


@dataclass(frozen=True)
class DisposeReport:
    mode: str
    decision: Decision
    letter_text: str | None = None


@dataclass(frozen=True)
class OpenCase:
    cadre_ids: list[str]
    opened_on: dt.date
    decision: Decision


@dataclass(frozen=True)
class CloseReport:
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
    result: str
    reasons: str
    varied_to: str | None = None
