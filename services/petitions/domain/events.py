"""Internal domain events of the petitions service (past tense, no version; mapped to contracts in publishing.py).

None carries reporter identity, contact data or report text (docs/rules.md §2.5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportReceived:
    report_id: str
    petition_type: str
    identity: str
    received_on: dt.date


@dataclass(frozen=True)
class ReportRegistered:
    report_id: str
    jurisdiction: str
    from_status: str
    received_on: dt.date
    on: dt.date


@dataclass(frozen=True)
class ReportRouted:
    report_id: str
    jurisdiction: str
    target_unit_id: str | None  # None: sent to a body outside this deployment
    on: dt.date


@dataclass(frozen=True)
class ReportArchivedDuplicate:
    report_id: str
    original_id: str
    on: dt.date


@dataclass(frozen=True)
class ReportNotAccepted:
    report_id: str
    reason: str
    on: dt.date


@dataclass(frozen=True)
class ReportAccepted:
    report_id: str
    petition_type: str
    accused_cadre_ids: tuple[str, ...]
    accused_unit_ids: tuple[str, ...]
    category: str
    received_on: dt.date
    accepted_on: dt.date


@dataclass(frozen=True)
class AcceptanceNoticeSent:
    report_id: str
    on: dt.date


@dataclass(frozen=True)
class DisposalDecided:
    report_id: str
    mode: str
    on: dt.date


@dataclass(frozen=True)
class CaseOpened:
    case_id: str
    report_id: str
    cadre_id: str
    opened_on: dt.date


@dataclass(frozen=True)
class ReportClosed:
    report_id: str
    outcome: str
    cadre_outcomes: tuple[tuple[str, str], ...]
    case_ids: tuple[str, ...]
    adverse_effect: bool
    closed_on: dt.date
    real_name: bool
    revision: bool = False  # a later change of the outcome (tolerance), not a new closure


@dataclass(frozen=True)
class FeedbackSent:
    report_id: str
    on: dt.date


@dataclass(frozen=True)
class ObjectionRecorded:
    report_id: str
    new_evidence: bool
    on: dt.date


@dataclass(frozen=True)
class ReportReopened:
    report_id: str
    on: dt.date


@dataclass(frozen=True)
class ReportFinalized:
    report_id: str
    on: dt.date


@dataclass(frozen=True)
class StatementRequested:
    statement_id: str
    report_id: str
    cadre_id: str
    kind: str
    requested_on: dt.date
    due_on: dt.date


@dataclass(frozen=True)
class StatementSettled:
    statement_id: str
    report_id: str
    how: str  # SUBMITTED, WAIVED or LAPSED
    on: dt.date


@dataclass(frozen=True)
class FalseAccusationConfirmed:
    case_id: str
    origin_report_id: str
    victim_cadre_ids: tuple[str, ...]
    accuser_is_cadre: bool
    accuser_cadre_id: str | None
    confirmed_on: dt.date


@dataclass(frozen=True)
class ClarificationExecuted:
    clarification_id: str
    cadre_id: str
    report_ids: tuple[str, ...]
    method: str
    scope: str
    executed_on: dt.date


@dataclass(frozen=True)
class AppealAccepted:
    appeal_id: str
    decision_due_on: dt.date | None
    on: dt.date


@dataclass(frozen=True)
class AppealDecided:
    appeal_id: str
    appellant_cadre_id: str | None
    target_type: str
    target_ref: str
    stage: str
    result: str
    varied_to: str | None
    decided_on: dt.date


@dataclass(frozen=True)
class DeadlineBreached:
    deadline_id: str
    report_id: str | None
    object_type: str
    object_id: str
    kind: str
    due_on: dt.date
    breached_on: dt.date
    org_unit_id: str | None


@dataclass(frozen=True)
class DeadlineApproaching:
    deadline_id: str
    report_id: str | None
    object_type: str
    object_id: str
    kind: str
    due_on: dt.date
    org_unit_id: str | None
