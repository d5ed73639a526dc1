"""Inputs of the tolerance use cases (imperative names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kernel.contracts.vocabulary import SanctionSystem, SanctionType, ToleranceDecision
from services.tolerance.domain.events import SourceRef
from services.tolerance.domain.investigation import EffectLevel
from services.tolerance.domain.reinstatement import Objection
from services.tolerance.domain.rules.tolerance import Condition, Exclusion, Ground, Initiator
from services.tolerance.domain.tolerance_case import Finding, Member
from services.tolerance.domain.tolerance_case import Vote as Vote  # the schemas' member vote, with Member


@dataclass(frozen=True)
class RecordIncident:
    cadre_ids: tuple[str, ...]
    occurred_on: dt.date
    summary: str
    source_refs: tuple[SourceRef, ...] = ()
    loss_amount: int | None = None
    effect_level: EffectLevel | None = None


@dataclass(frozen=True)
class ProposeSanction:
    cadre_id: str
    incident_id: str
    system: SanctionSystem
    type: SanctionType
    proposed_on: dt.date
    period_months: int | None = None
    combined_count: int = 1


@dataclass(frozen=True)
class NotifyFacts:
    sanction_id: str
    notified_on: dt.date
    type: SanctionType | None = None
    period_months: int | None = None
    combined_count: int | None = None


@dataclass(frozen=True)
class RecordDefence:
    sanction_id: str
    defence_on: dt.date
    statement: str


@dataclass(frozen=True)
class DecideSanction:
    sanction_id: str
    decided_on: dt.date
    publication_scope: str
    type: SanctionType | None = None
    period_months: int | None = None
    effective_on: dt.date | None = None


@dataclass(frozen=True)
class ExtendProbation:
    sanction_id: str
    reason: str


@dataclass(frozen=True)
class WithdrawSanction:
    sanction_id: str
    withdrawn_on: dt.date
    reason: str


@dataclass(frozen=True)
class ExtendRestriction:
    restriction_id: str
    new_ends_on: dt.date
    reason: str


@dataclass(frozen=True)
class ApplyForTolerance:
    incident_id: str
    cadre_id: str
    applied_on: dt.date
    statement: str
    grounds: tuple[Ground, ...] = ()
    initiator: Initiator | None = None


@dataclass(frozen=True)
class AcceptCase:
    case_id: str
    accepted: bool
    on: dt.date
    note: str | None = None


@dataclass(frozen=True)
class RecordChecklist:
    case_id: str
    conditions: dict[Condition, Finding] = field(default_factory=dict)
    exclusions: dict[Exclusion, Finding] = field(default_factory=dict)
    verification_report_ref: str | None = None


@dataclass(frozen=True)
class DecideCase:
    case_id: str
    decision: ToleranceDecision
    reasons: str
    decided_on: dt.date
    body: str
    body_size: int
    members: tuple[Member, ...]
    mitigated_to: SanctionType | None = None
    publication_scope: str | None = None


@dataclass(frozen=True)
class CaseStep:
    """A dated follow-up step of a tolerance case (submit, notify, file, correct, close)."""

    case_id: str
    action: str
    on: dt.date
    publication_scope: str | None = None
    plan: str | None = None
    due_on: dt.date | None = None
    follow_up: str | None = None


@dataclass(frozen=True)
class CloseInvestigation:
    investigation_id: str
    closed_on: dt.date


@dataclass(frozen=True)
class ReinstatementStep:
    """One step of a reinstatement; which fields matter depends on `action`."""

    reinstatement_id: str
    action: str
    on: dt.date
    text: str = ""
    favourable: bool | None = None
    target_post: str | None = None
    target_post_level: int | None = None
    survey_done: bool = False
    objection: Objection | None = None
    reference: str | None = None
    agreed: bool | None = None
    approved: bool | None = None
    body: str | None = None


@dataclass(frozen=True)
class RecordPastSanction:
    cadre_id: str
    system: SanctionSystem
    type: SanctionType
    decided_on: dt.date
    effective_from: dt.date
    document_number: str
    source: str
    period_months: int | None = None
    combined_count: int = 1
    publication_scope: str | None = None
    probation_extended_on: dt.date | None = None
    probation_extension_reason: str | None = None


@dataclass(frozen=True)
class RecordPastToleranceDecision:
    cadre_id: str
    decision: ToleranceDecision
    decided_on: dt.date
    reasons: str
    body: str
    document_number: str
    source: str
    incident_id: str | None = None
    occurred_on: dt.date | None = None
    summary: str | None = None
    applied_on: dt.date | None = None
    initiator: Initiator = Initiator.ORG_DEPT
    mitigated_to: SanctionType | None = None
    publication_scope: str | None = None


@dataclass(frozen=True)
class RecordPastInvestigation:
    cadre_id: str
    opened_on: dt.date
    document_number: str
    source: str
    closed_on: dt.date | None = None
    conclusion: str | None = None
