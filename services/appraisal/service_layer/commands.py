"""Inputs of the appraisal use cases (imperative names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OpenAssessment:
    cadre_id: str
    year: int


@dataclass(frozen=True)
class SubmitSelfSummary:
    assessment_id: str
    summary: str


@dataclass(frozen=True)
class ProposeGrade:
    assessment_id: str
    grade: str
    comment: str
    indicators: dict[str, float]
    undetermined_reason: str | None = None


@dataclass(frozen=True)
class AcknowledgeGrade:
    assessment_id: str
    opinion: str | None


@dataclass(frozen=True)
class DecideReview:
    assessment_id: str
    grade: str | None


@dataclass(frozen=True)
class SupplementGrade:
    assessment_id: str
    grade: str


@dataclass(frozen=True)
class ConfigureYear:
    org_unit_id: str
    year: int
    excellent_quota_pct: float
    quota_raise_approved: bool
    approval_ref: str | None


@dataclass(frozen=True)
class RecordRegularAssessment:
    cadre_id: str
    period_key: str
    result: str
    evidence_refs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SubmitRecord:
    cadre_id: str
    occurred_on: dt.date
    category: str
    title: str
    description: str | None
    quantity: float | None
    unit: str | None
    evidence_refs: list[str]
    corrects: str | None = None  # the verified record this one corrects


@dataclass(frozen=True)
class ReturnRecord:
    record_id: str
    reason: str


@dataclass(frozen=True)
class ResubmitRecord:
    record_id: str
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CreateInactionItem:
    code: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeInactionItem:
    code: str
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmitSelfCheck:
    cadre_id: str
    period_key: str
    answers: list[dict[str, Any]]


@dataclass(frozen=True)
class ReportFinding:
    cadre_id: str
    item_code: str
    source_type: str
    source_ref: str | None
    incident_ref: str | None
    occurred_on: dt.date


@dataclass(frozen=True)
class AdvanceFinding:
    finding_id: str
    action: str  # verify, confirm, dismiss or refer-tolerance
    reason: str | None = None


@dataclass(frozen=True)
class ScheduleTalk:
    type: str
    cadre_id: str
    scheduled_on: dt.date
    reason_ref: str | None


@dataclass(frozen=True)
class RecordTalk:
    talk_id: str
    held_on: dt.date
    minutes_ref: str | None
    outcome: str | None


@dataclass(frozen=True)
class ReplyTalk:
    talk_id: str
    reply_ref: str


@dataclass(frozen=True)
class CreateTalkSchedule:
    cadre_id: str
    type: str
    reason: str
    every_months: int
    first_on: dt.date


@dataclass(frozen=True)
class ProposeAward:
    cadre_id: str
    type: str
    basis_ref: str | None
    year: int | None


@dataclass(frozen=True)
class AdvanceAward:
    award_id: str
    action: str  # publicity, approve, grant, review, revoke or keep
    reason: str | None = None


@dataclass(frozen=True)
class AllocateBonus:
    org_unit_id: str
    year: int
    pool_cents: int


@dataclass(frozen=True)
class RecordIncentive:
    cadre_id: str
    kind: str
    on_date: dt.date
    ref: str | None
