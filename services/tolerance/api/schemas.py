"""Request and response models of the tolerance API (requests forbid unknown fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from kernel.contracts.vocabulary import SanctionSystem, ToleranceDecision
from kernel.requests import RequestModel
from services.tolerance.domain.investigation import EffectLevel
from services.tolerance.domain.reinstatement import Objection
from services.tolerance.domain.rules.tolerance import Condition, Exclusion, Ground, Initiator
from services.tolerance.domain.tolerance_case import Vote

Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")
TypeCode = Field(min_length=1, max_length=40, pattern=r"^[A-Z_]+$",
                 description="a sanction type of the catalogue (GET /api/v1/sanction-catalogue)")
Scope = Field(min_length=1, max_length=64, description="where the decision is published (e.g. UNIT, SYSTEM)")


class Request(RequestModel):
    """A request body: unknown fields refused, scalars of their JSON type (kernel.requests)."""


class Created(BaseModel):
    id: str


class Done(BaseModel):
    id: str


# -- incidents -------------------------------------------------------------------------------------------------
class SourceRefIn(Request):
    type: Literal["REPORT", "INACTION_FINDING", "AUDIT", "ACCIDENT", "OTHER"]
    id: str = Id


class IncidentCreate(Request):
    cadre_ids: list[str] = Field(min_length=1, max_length=50)
    occurred_on: dt.date
    summary: str = Field(min_length=1, max_length=500)
    loss_amount: int | None = Field(default=None, ge=0, description="yuan")
    effect_level: EffectLevel | None = None
    source_refs: list[SourceRefIn] = Field(default_factory=list, max_length=20)


class IncidentRead(BaseModel):
    id: str
    cadre_ids: list[str]
    occurred_on: dt.date
    opened_on: dt.date
    summary: str
    loss_amount: int | None
    effect_level: str | None
    tolerance_window_ends_on: dt.date | None
    source_refs: list[dict[str, str]]
    version: int


class IncidentPage(BaseModel):
    items: list[IncidentRead]
    next_cursor: str | None


# -- sanctions -------------------------------------------------------------------------------------------------
class SanctionCreate(Request):
    cadre_id: str = Id
    incident_id: str = Id
    system: SanctionSystem
    type: str = TypeCode
    proposed_on: dt.date
    period_months: int | None = Field(default=None, ge=1, le=48)
    combined_count: int = Field(default=1, ge=1, le=10, description="identical sanctions for several violations")


class FactsNotice(Request):
    notified_on: dt.date
    type: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Z_]+$")
    period_months: int | None = Field(default=None, ge=1, le=48)
    combined_count: int | None = Field(default=None, ge=1, le=10)


class Defence(Request):
    defence_on: dt.date
    statement: str = Field(min_length=1, max_length=4000)


class SanctionDecision(Request):
    decided_on: dt.date
    publication_scope: str = Scope
    type: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Z_]+$")
    period_months: int | None = Field(default=None, ge=1, le=48)
    effective_on: dt.date | None = None


class ProbationExtension(Request):
    reason: str = Field(min_length=10, max_length=2000)


class SanctionWithdrawal(Request):
    withdrawn_on: dt.date
    reason: str = Field(min_length=1, max_length=200)


class PastSanctionIn(Request):
    """A sanction or organizational handling decided in the past (docs/tolerance.md "Recording past sanctions")."""

    cadre_id: str = Id
    system: Literal["GOV", "CIVIL_SERVICE", "PARTY", "ORG_HANDLING"]
    type: str = TypeCode
    decided_on: dt.date
    effective_from: dt.date = Field(description="政务处分 and 处分: the decision date")
    document_number: str = Field(min_length=1, max_length=100, description="the decision's 文号")
    source: Literal["IMPORT", "PAPER_RECORD", "DOSSIER"] = Field(description="where the record comes from")
    period_months: int | None = Field(default=None, ge=1, le=48)
    combined_count: int = Field(default=1, ge=1, le=10, description="identical sanctions for several violations")
    publication_scope: str | None = Field(default=None, min_length=1, max_length=64)
    probation_extended_on: dt.date | None = Field(default=None, description="留党察看 extended by 12 months on")
    probation_extension_reason: str | None = Field(default=None, min_length=10, max_length=2000)


class PastSanctionRecorded(BaseModel):
    id: str = Field(description="the sanction")
    record_id: str = Field(description="this version of the recorded fact")
    revision: int
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"]


class SanctionRead(BaseModel):
    id: str
    cadre_id: str
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    system: str
    type: str
    proposed_type: str
    status: str
    incident_id: str | None
    origin: str
    proposed_on: dt.date
    proposed_months: int | None
    combined_count: int
    facts_notified_on: dt.date | None
    defence_due_on: dt.date | None
    defence_on: dt.date | None
    defence_statement: str | None = Field(description="shown to deciders and the cadre only")
    decided_on: dt.date | None
    effective_on: dt.date | None
    period_months: int | None
    ends_on: dt.date | None = Field(description="the last day of the influence period (inclusive)")
    extension_reason: str | None
    publication_scope: str | None
    original_post_level: int | None
    original_rank_code: str | None
    mitigated_by_case_id: str | None
    previous_type: str | None
    varied_on: dt.date | None
    revoked_on: dt.date | None
    withdrawn_on: dt.date | None
    withdrawal_reason: str | None
    version: int


class SanctionPage(BaseModel):
    items: list[SanctionRead]
    next_cursor: str | None


# -- restrictions ----------------------------------------------------------------------------------------------
class RestrictionExtensionIn(Request):
    new_ends_on: dt.date = Field(description="the new last day the restriction applies (inclusive)")
    reason: str = Field(min_length=10, max_length=2000, description="why use is still affected (期满影响使用)")


class RestrictionRead(BaseModel):
    id: str
    cadre_id: str
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    effect: str
    source_type: str
    source_id: str | None
    starts_on: dt.date
    ends_on: dt.date | None = Field(description="the last day it applies as planned (inclusive; null: no end)")
    applies_until: dt.date | None = Field(description="the last day it applies or applied, lifting included "
                                                      "(inclusive; null: no end)")
    status: str
    discretionary_extension: bool
    reason: str | None
    original_post_level: int | None
    original_rank_code: str | None
    lifted_on: dt.date | None
    version: int


class RestrictionPage(BaseModel):
    items: list[RestrictionRead]
    next_cursor: str | None


# -- tolerance cases -------------------------------------------------------------------------------------------
class ToleranceCaseCreate(Request):
    incident_id: str = Id
    cadre_id: str = Id
    applied_on: dt.date
    statement: str = Field(min_length=1, max_length=4000)
    grounds: list[Ground] = Field(default_factory=list, max_length=5)
    initiator: Initiator | None = Field(default=None, description="defaults from the caller's role")


class PastToleranceCaseIn(Request):
    """An error-tolerance decision taken in the past (docs/tolerance.md "Recording past tolerance decisions"): about
    a known incident (`incident_id`) or one described here (`occurred_on`, `summary`)."""

    cadre_id: str = Id
    incident_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")
    occurred_on: dt.date | None = Field(default=None, description="the incident's real date")
    summary: str | None = Field(default=None, min_length=1, max_length=500)
    applied_on: dt.date | None = Field(default=None, description="default: decided_on")
    initiator: Initiator = Initiator.ORG_DEPT
    decision: ToleranceDecision
    mitigated_to: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Z_]+$")
    reasons: str = Field(min_length=1, max_length=4000)
    body: str = Field(min_length=1, max_length=200, description="the deciding body (party committee, ...)")
    decided_on: dt.date
    publication_scope: str | None = Field(default=None, min_length=1, max_length=64)
    document_number: str = Field(min_length=1, max_length=100, description="the decision's 文号")
    source: Literal["IMPORT", "PAPER_RECORD", "DOSSIER"] = Field(description="where the record comes from")


class PastInvestigationIn(Request):
    """An investigation (立案审查调查) opened in the past, closed or still open (docs/tolerance.md "Recording past
    investigations")."""

    cadre_id: str = Id
    opened_on: dt.date
    closed_on: dt.date | None = None
    conclusion: Literal["NO_SANCTION", "WARNING_LEVEL", "SANCTIONED", "UNFOUNDED"] | None = None
    document_number: str = Field(min_length=1, max_length=100, description="the 立案 decision's 文号")
    source: Literal["IMPORT", "PAPER_RECORD", "DOSSIER"] = Field(description="where the record comes from")


class PastFactRecorded(BaseModel):
    id: str = Field(description="the tolerance case or investigation")
    record_id: str = Field(description="this version of the recorded fact")
    revision: int
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"]


class CaseAcceptance(Request):
    accepted: bool
    on: dt.date
    note: str | None = Field(default=None, max_length=1000)


class FindingIn(Request):
    holds: bool
    evidence: str = Field(min_length=1, max_length=2000)


class Checklist(Request):
    conditions: dict[Condition, FindingIn] = Field(default_factory=dict)
    exclusions: dict[Exclusion, FindingIn] = Field(default_factory=dict)
    verification_report_ref: str | None = Field(default=None, min_length=1, max_length=128)


class MemberIn(Request):
    member_id: str = Id
    vote: Vote | None = None
    recused: bool = False
    recusal_reason: str | None = Field(default=None, max_length=200)
    cadre_id: str | None = Field(default=None, min_length=1, max_length=64)


class CaseDecision(Request):
    decision: ToleranceDecision
    reasons: str = Field(min_length=1, max_length=4000)
    decided_on: dt.date
    body: str = Field(min_length=1, max_length=200, description="the deciding body (party committee, ...)")
    body_size: int = Field(ge=1, le=100, description="members of the body")
    members: list[MemberIn] = Field(min_length=1, max_length=100, description="members present")
    mitigated_to: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Z_]+$")
    publication_scope: str | None = Field(default=None, min_length=1, max_length=64)


class DatedStep(Request):
    on: dt.date


class CaseFiling(Request):
    filed_on: dt.date
    publication_scope: str = Scope


class CorrectionPlan(Request):
    plan: str = Field(min_length=1, max_length=4000)
    due_on: dt.date


class CorrectionDone(Request):
    done_on: dt.date
    follow_up: str = Field(min_length=1, max_length=4000)


class ToleranceCaseRead(BaseModel):
    id: str
    incident_id: str
    cadre_id: str
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    initiator: str
    applied_on: dt.date
    statement: str
    grounds: list[str]
    status: str
    accepted_on: dt.date | None
    acceptance_note: str | None
    conditions: dict[str, Any]
    exclusions: dict[str, Any]
    verification_report_ref: str | None
    verified_on: dt.date | None
    decision: str | None
    decision_reasons: str | None
    mitigated_to: str | None
    decided_on: dt.date | None
    decided_by_body: str | None
    body_size: int | None
    members: list[dict[str, Any]]
    notified_on: dt.date | None
    filed_upward_on: dt.date | None
    publication_scope: str | None
    correction_plan: str | None
    correction_due_on: dt.date | None
    correction_done_on: dt.date | None
    correction_follow_up: str | None
    closed_on: dt.date | None
    version: int


class ToleranceCasePage(BaseModel):
    items: list[ToleranceCaseRead]
    next_cursor: str | None


# -- investigations --------------------------------------------------------------------------------------------
class InvestigationClosure(Request):
    closed_on: dt.date


class InvestigationRead(BaseModel):
    id: str
    case_id: str
    report_id: str
    cadre_id: str
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    opened_on: dt.date
    status: str
    incident_id: str | None
    closed_on: dt.date | None
    result: str | None
    version: int


class InvestigationPage(BaseModel):
    items: list[InvestigationRead]
    next_cursor: str | None


# -- reinstatements --------------------------------------------------------------------------------------------
class ReinstatementReport(Request):
    reported_on: dt.date
    summary: str = Field(min_length=1, max_length=4000)


class OrgOpinion(Request):
    opinion_on: dt.date
    opinion: str = Field(min_length=1, max_length=4000)
    target_post: str = Field(min_length=1, max_length=64)
    target_post_level: int | None = Field(default=None, ge=0, le=30)


class DisciplineOpinion(Request):
    opinion_on: dt.date
    opinion: str = Field(min_length=1, max_length=4000)
    favourable: bool


class FactFinding(Request):
    done_on: dt.date
    survey_done: bool = False
    objection_level: Objection = Objection.NONE
    note: str = Field(min_length=1, max_length=4000)


class UpperConsultation(Request):
    consulted_on: dt.date
    reference: str = Field(min_length=1, max_length=128)
    agreed: bool


class ReinstatementDecision(Request):
    decided_on: dt.date
    approved: bool
    body: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=4000)
    target_post: str | None = Field(default=None, min_length=1, max_length=64)
    target_post_level: int | None = Field(default=None, ge=0, le=30)


class Announcement(Request):
    announced_on: dt.date


class ReinstatementRead(BaseModel):
    id: str
    cadre_id: str
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    basis_sanction_ids: list[str]
    eligible_from: dt.date
    original_post_level: int | None
    status: str
    cadre_report_on: dt.date | None
    cadre_report: str | None
    org_opinion_on: dt.date | None
    org_opinion: str | None
    target_post: str | None
    target_post_level: int | None
    discipline_opinion_on: dt.date | None
    discipline_opinion: str | None
    discipline_favourable: bool | None
    fact_finding_on: dt.date | None
    survey_done: bool
    objection_level: str | None
    fact_finding_note: str | None
    postponed_on: dt.date | None
    upper_consult_required: bool
    upper_consulted_on: dt.date | None
    upper_consult_ref: str | None
    upper_agreed: bool | None
    decided_on: dt.date | None
    decided_by_body: str | None
    approved: bool | None
    decision_note: str | None
    announced_on: dt.date | None
    version: int


class ReinstatementPage(BaseModel):
    items: list[ReinstatementRead]
    next_cursor: str | None


# -- catalogue and parts ---------------------------------------------------------------------------------------
class CatalogueRow(BaseModel):
    type: str
    systems: list[str]
    family: str
    severity: int
    period_kind: str
    period_months: int | None
    bars: list[str]
    spans: list[dict[str, Any]]
    grade_effects: list[dict[str, Any]]
    combinable: bool
    demotes_rank: bool
    demotes_level: bool
    removes_from_post: bool
    ends_employment: bool
    source: str
    confidence: str
    grade_source: str
    grade_confidence: str
    configurable: bool
    note: str


class Catalogue(BaseModel):
    items: list[CatalogueRow]
    max_combined_months: int
    suspension_months: list[int]


class DossierPart(BaseModel):
    cadre_id: str
    as_of: dt.date
    effective_bar: list[str]
    restrictions: list[RestrictionRead]
    sanctions: list[SanctionRead]
    tolerance_cases: list[ToleranceCaseRead]
    reinstatements: list[dict[str, Any]]
    investigations: list[dict[str, Any]] | None = Field(description="discipline officers only")


class DashboardPart(BaseModel):
    org_unit_id: str
    as_of: dt.date
    horizon_days: int
    restrictions_ending: dict[str, Any]
    active_restrictions_by_effect: dict[str, int]
    cadres_under_restriction: int
    sanctions_in_force_by_system: dict[str, int]
    tolerance_cases_by_status: dict[str, int]
    open_reinstatements_by_status: dict[str, int]
    open_admonishment_tasks: int
    open_investigations: int | None = Field(description="discipline officers only")
