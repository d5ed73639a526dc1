"""Request and response models of the tolerance API (requests forbid unknown fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kernel.contracts.vocabulary import SanctionSystem, ToleranceDecision
from kernel.requests import RequestModel
from kernel.schemas import Created as Created  # the kernel's answers, re-exported for the routes
from kernel.schemas import StateRead as StateRead
from services.tolerance.service_layer.commands import (
    Condition,
    EffectLevel,
    Exclusion,
    Ground,
    Initiator,
    Objection,
    Vote,
)

ID_PATTERN = r"^[A-Za-z0-9._:\-]+$"
CadreId = Field(min_length=1, max_length=64, pattern=ID_PATTERN, description="id of the cadre (干部)")
IncidentId = Field(min_length=1, max_length=64, pattern=ID_PATTERN, description="id of the incident (问题事项)")
TypeCode = Field(
    min_length=1,
    max_length=40,
    pattern=r"^[A-Z_]+$",
    description="a sanction type of the catalogue (GET /api/v1/sanction-catalogue)",
)
Scope = Field(min_length=1, max_length=64, description="where the decision is published (e.g. UNIT, SYSTEM)")


class Request(RequestModel):
    """A request body: unknown fields refused, scalars of their JSON type (kernel.requests)."""


# -- incidents -------------------------------------------------------------------------------------------------
class SourceRefIn(Request):
    type: Literal["REPORT", "INACTION_FINDING", "AUDIT", "ACCIDENT", "OTHER"] = Field(
        description="type of the source ref"
    )
    id: str = Field(
        min_length=1,
        max_length=64,
        pattern=ID_PATTERN,
        description="id of the source record of that type (e.g. a report's or an inaction finding's id)",
    )


class IncidentCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_ids": ["c-4711", "c-4712"],
                    "occurred_on": "2026-06-18",
                    "summary": "防汛抢险期间简化采购程序，未按规定履行招标手续",
                    "loss_amount": 0,
                }
            ]
        }
    )
    cadre_ids: list[str] = Field(min_length=1, max_length=50, description="ids of the cadres concerned (干部)")
    occurred_on: dt.date = Field(description="date the incident occurred (发生日期)")
    summary: str = Field(min_length=1, max_length=500, description="summary of the incident (摘要)")
    loss_amount: int | None = Field(default=None, ge=0, description="yuan")
    effect_level: EffectLevel | None = Field(default=None, description="level of the incident's effect (影响程度)")
    source_refs: list[SourceRefIn] = Field(
        default_factory=list, max_length=20, description="references of the source documents"
    )


class IncidentRead(BaseModel):
    id: str = Field(description="id of the incident")
    cadre_ids: list[str] = Field(description="ids of the cadres concerned (干部)")
    occurred_on: dt.date = Field(description="date the incident occurred (发生日期)")
    opened_on: dt.date = Field(description="date the incident was opened (立案日期)")
    summary: str = Field(description="summary of the incident (摘要)")
    loss_amount: int | None = Field(description="loss caused, in yuan (损失金额)")
    effect_level: str | None = Field(description="level of the incident's effect (影响程度)")
    tolerance_window_ends_on: dt.date | None = Field(description="last date a tolerance application may be made")
    source_refs: list[dict[str, str]] = Field(description="references of the source documents")
    version: int = Field(
        description="version of the incident; send it back with the next change (a stale one answers 409)"
    )


class IncidentPage(BaseModel):
    items: list[IncidentRead] = Field(description="the incident items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- sanctions -------------------------------------------------------------------------------------------------
class SanctionCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "incident_id": "i-2026-031",
                    "system": "GOV",
                    "type": "DEMERIT",
                    "proposed_on": "2026-08-01",
                    "period_months": 12,
                    "combined_count": 1,
                }
            ]
        }
    )
    cadre_id: str = CadreId
    incident_id: str = IncidentId
    system: SanctionSystem = Field(
        description="the sanction system (处分体系): GOV, CIVIL_SERVICE, PARTY or ORG_HANDLING"
    )
    type: str = TypeCode
    proposed_on: dt.date = Field(description="date the sanction was proposed (提出日期)")
    period_months: int | None = Field(
        default=None, ge=1, le=48, description="length of the sanction period in months (处分期)"
    )
    combined_count: int = Field(default=1, ge=1, le=10, description="identical sanctions for several violations")


class FactsNotice(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"notified_on": "2026-08-05", "type": "HEART_TO_HEART", "period_months": 12, "combined_count": 1}
            ]
        }
    )
    notified_on: dt.date = Field(description="date the facts notice was notified (告知日期)")
    type: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[A-Z_]+$", description="type of the facts notice"
    )
    period_months: int | None = Field(
        default=None, ge=1, le=48, description="length of the sanction period in months (处分期)"
    )
    combined_count: int | None = Field(
        default=None, ge=1, le=10, description="number of sanctions combined in the decision (合并处分数)"
    )


class Defence(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"defence_on": "2026-08-10", "statement": "在防汛抢险中为赶工期简化了审批程序，未谋取私利。"}]
        }
    )
    defence_on: dt.date = Field(description="date the defence was made (陈述申辩日期)")
    statement: str = Field(min_length=1, max_length=4000, description="the cadre's statement (陈述)")


class SanctionDecision(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decided_on": "2026-08-25",
                    "publication_scope": "UNIT",
                    "type": "HEART_TO_HEART",
                    "period_months": 12,
                    "effective_on": "2026-09-01",
                }
            ]
        }
    )
    decided_on: dt.date = Field(description="date the sanction decision was decided (决定日期)")
    publication_scope: str = Scope
    type: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[A-Z_]+$", description="type of the sanction decision"
    )
    period_months: int | None = Field(
        default=None, ge=1, le=48, description="length of the sanction period in months (处分期)"
    )
    effective_on: dt.date | None = Field(default=None, description="date the sanction takes effect (生效日期)")


class ProbationExtension(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "留党察看期间表现未达到恢复党员权利的要求"}]})
    reason: str = Field(min_length=10, max_length=2000, description="reason given (理由)")


class SanctionWithdrawal(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"withdrawn_on": "2026-09-15", "reason": "经复查，原处分事实不清"}]}
    )
    withdrawn_on: dt.date = Field(description="date the sanction was withdrawn (撤回日期)")
    reason: str = Field(min_length=1, max_length=200, description="reason given (理由)")


class PastSanctionIn(Request):
    """A sanction or organizational handling decided in the past (docs/tolerance.md "Recording past sanctions")."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "system": "GOV",
                    "type": "DEMERIT",
                    "decided_on": "2024-05-10",
                    "effective_from": "2024-05-10",
                    "document_number": "财党〔2026〕21号",
                    "source": "PAPER_RECORD",
                    "period_months": 12,
                    "combined_count": 1,
                    "publication_scope": "UNIT",
                }
            ]
        }
    )

    cadre_id: str = CadreId
    system: Literal["GOV", "CIVIL_SERVICE", "PARTY", "ORG_HANDLING"] = Field(
        description="the sanction system (处分体系): GOV, CIVIL_SERVICE, PARTY or ORG_HANDLING"
    )
    type: str = TypeCode
    decided_on: dt.date = Field(description="date the past sanction was decided (决定日期)")
    effective_from: dt.date = Field(description="政务处分 and 处分: the decision date")
    document_number: str = Field(min_length=1, max_length=100, description="the decision's 文号")
    source: Literal["IMPORT", "PAPER_RECORD", "DOSSIER"] = Field(description="where the record comes from")
    period_months: int | None = Field(
        default=None, ge=1, le=48, description="length of the sanction period in months (处分期)"
    )
    combined_count: int = Field(default=1, ge=1, le=10, description="identical sanctions for several violations")
    publication_scope: str | None = Field(
        default=None, min_length=1, max_length=64, description="where the decision is published (公开范围)"
    )
    probation_extended_on: dt.date | None = Field(default=None, description="留党察看 extended by 12 months on")
    probation_extension_reason: str | None = Field(
        default=None, min_length=10, max_length=2000, description="why the probation was extended"
    )


class PastSanctionRecorded(BaseModel):
    id: str = Field(description="the sanction")
    record_id: str = Field(description="this version of the recorded fact")
    revision: int = Field(description="revision number of the record")
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"] = Field(
        description="what the import did: RECORDED, CORRECTED or UNCHANGED"
    )


class SanctionRead(BaseModel):
    id: str = Field(description="id of the sanction")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    system: str = Field(description="the sanction system (处分体系): GOV, CIVIL_SERVICE, PARTY or ORG_HANDLING")
    type: str = Field(description="type of the sanction")
    proposed_type: str = Field(description="sanction type proposed")
    status: str = Field(description="status of the sanction")
    incident_id: str | None = Field(description="id of the incident (问题事项)")
    origin: str = Field(description="where the sanction comes from")
    proposed_on: dt.date = Field(description="date the sanction was proposed (提出日期)")
    proposed_months: int | None = Field(description="sanction period proposed in months")
    combined_count: int = Field(description="number of sanctions combined in the decision (合并处分数)")
    facts_notified_on: dt.date | None = Field(description="date the facts were notified to the cadre (告知日期)")
    defence_due_on: dt.date | None = Field(description="date the defence is due (陈述申辩期限)")
    defence_on: dt.date | None = Field(description="date the defence was made (陈述申辩日期)")
    defence_statement: str | None = Field(description="shown to deciders and the cadre only")
    decided_on: dt.date | None = Field(description="date the sanction was decided (决定日期)")
    effective_on: dt.date | None = Field(description="date the sanction takes effect (生效日期)")
    period_months: int | None = Field(description="length of the sanction period in months (处分期)")
    ends_on: dt.date | None = Field(description="the last day of the influence period (inclusive)")
    extension_reason: str | None = Field(description="why the probation was extended")
    publication_scope: str | None = Field(description="where the decision is published (公开范围)")
    original_post_level: int | None = Field(description="the cadre's post level before the sanction (原职务层次)")
    original_rank_code: str | None = Field(description="the cadre's rank code before the sanction (原职级)")
    mitigated_by_case_id: str | None = Field(description="id of the tolerance case that mitigated the sanction")
    previous_type: str | None = Field(description="sanction type before the variation")
    varied_on: dt.date | None = Field(description="date the sanction was varied")
    revoked_on: dt.date | None = Field(description="date the sanction was revoked (撤销日期)")
    withdrawn_on: dt.date | None = Field(description="date the sanction was withdrawn (撤回日期)")
    withdrawal_reason: str | None = Field(description="why the sanction was withdrawn")
    version: int = Field(
        description="version of the sanction; send it back with the next change (a stale one answers 409)"
    )


class SanctionPage(BaseModel):
    items: list[SanctionRead] = Field(description="the sanction items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- restrictions ----------------------------------------------------------------------------------------------
class RestrictionExtensionIn(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"new_ends_on": "2027-09-01", "reason": "影响期内再次受到组织处理，依规延长"}]}
    )
    new_ends_on: dt.date = Field(description="the new last day the restriction applies (inclusive)")
    reason: str = Field(min_length=10, max_length=2000, description="why use is still affected (期满影响使用)")


class RestrictionRead(BaseModel):
    id: str = Field(description="id of the restriction")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    effect: str = Field(description="the restriction's effect (影响)")
    source_type: str = Field(description="type of the source")
    source_id: str | None = Field(description="id of the source of the restriction")
    starts_on: dt.date = Field(description="date the restriction starts (开始日期)")
    ends_on: dt.date | None = Field(description="the last day it applies as planned (inclusive; null: no end)")
    applies_until: dt.date | None = Field(
        description="the last day it applies or applied, lifting included (inclusive; null: no end)"
    )
    status: str = Field(description="status of the restriction")
    discretionary_extension: bool = Field(description="whether the restriction was extended at discretion")
    reason: str | None = Field(description="reason given (理由)")
    original_post_level: int | None = Field(description="the cadre's post level before the sanction (原职务层次)")
    original_rank_code: str | None = Field(description="the cadre's rank code before the sanction (原职级)")
    lifted_on: dt.date | None = Field(description="date the restriction was lifted (解除日期)")
    version: int = Field(
        description="version of the restriction; send it back with the next change (a stale one answers 409)"
    )


class RestrictionPage(BaseModel):
    items: list[RestrictionRead] = Field(description="the restriction items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- tolerance cases -------------------------------------------------------------------------------------------
class ToleranceCaseCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "incident_id": "i-2026-031",
                    "cadre_id": "c-4711",
                    "applied_on": "2026-07-01",
                    "statement": "在防汛抢险中为赶工期简化了审批程序，未谋取私利。",
                    "grounds": ["REFORM_INEXPERIENCE"],
                }
            ]
        }
    )
    incident_id: str = IncidentId
    cadre_id: str = CadreId
    applied_on: dt.date = Field(description="date the cadre applied for tolerance (申请日期)")
    statement: str = Field(min_length=1, max_length=4000, description="the cadre's statement (陈述)")
    grounds: list[Ground] = Field(default_factory=list, max_length=5, description="the grounds given (理由)")
    initiator: Initiator | None = Field(default=None, description="defaults from the caller's role")


class PastToleranceCaseIn(Request):
    """An error-tolerance decision taken in the past (docs/tolerance.md "Recording past tolerance decisions"): about
    a known incident (`incident_id`) or one described here (`occurred_on`, `summary`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "incident_id": "i-2026-031",
                    "occurred_on": "2026-06-18",
                    "summary": "防汛抢险期间简化采购程序，未按规定履行招标手续",
                    "applied_on": "2026-07-01",
                    "decision": "EXEMPT",
                    "reasons": "符合容错条件，予以免责",
                    "body": "市委组织部部务会",
                    "decided_on": "2025-09-01",
                    "publication_scope": "UNIT",
                    "document_number": "财党〔2026〕21号",
                    "source": "PAPER_RECORD",
                }
            ]
        }
    )

    cadre_id: str = CadreId
    incident_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="id of the incident (问题事项)",
    )
    occurred_on: dt.date | None = Field(default=None, description="the incident's real date")
    summary: str | None = Field(
        default=None, min_length=1, max_length=500, description="summary of the past tolerance case (摘要)"
    )
    applied_on: dt.date | None = Field(default=None, description="default: decided_on")
    initiator: Initiator = Field(default=Initiator.ORG_DEPT, description="who initiated the tolerance case (发起方)")
    decision: ToleranceDecision = Field(description="the decision taken (决定)")
    mitigated_to: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        pattern=r"^[A-Z_]+$",
        description="the lighter outcome decided (减轻为)",
    )
    reasons: str = Field(min_length=1, max_length=4000, description="the reasons (理由)")
    body: str = Field(min_length=1, max_length=200, description="the deciding body (party committee, ...)")
    decided_on: dt.date = Field(description="date the past tolerance case was decided (决定日期)")
    publication_scope: str | None = Field(
        default=None, min_length=1, max_length=64, description="where the decision is published (公开范围)"
    )
    document_number: str = Field(min_length=1, max_length=100, description="the decision's 文号")
    source: Literal["IMPORT", "PAPER_RECORD", "DOSSIER"] = Field(description="where the record comes from")


class PastInvestigationIn(Request):
    """An investigation (立案审查调查) opened in the past, closed or still open (docs/tolerance.md "Recording past
    investigations")."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "opened_on": "2024-02-01",
                    "closed_on": "2024-05-10",
                    "conclusion": "SANCTIONED",
                    "document_number": "财党〔2026〕21号",
                    "source": "PAPER_RECORD",
                }
            ]
        }
    )

    cadre_id: str = CadreId
    opened_on: dt.date = Field(description="date the past investigation was opened (立案日期)")
    closed_on: dt.date | None = Field(default=None, description="date the past investigation was closed (办结日期)")
    conclusion: Literal["NO_SANCTION", "WARNING_LEVEL", "SANCTIONED", "UNFOUNDED"] | None = Field(
        default=None, description="the conclusion reached (结论)"
    )
    document_number: str = Field(min_length=1, max_length=100, description="the 立案 decision's 文号")
    source: Literal["IMPORT", "PAPER_RECORD", "DOSSIER"] = Field(description="where the record comes from")


class PastFactRecorded(BaseModel):
    id: str = Field(description="the tolerance case or investigation")
    record_id: str = Field(description="this version of the recorded fact")
    revision: int = Field(description="revision number of the record")
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"] = Field(
        description="what the import did: RECORDED, CORRECTED or UNCHANGED"
    )


class CaseAcceptance(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"accepted": True, "on": "2026-05-13", "note": "材料齐全，予以受理"}]}
    )
    accepted: bool = Field(description="whether the application is accepted (是否受理)")
    on: dt.date = Field(description="date of the step")
    note: str | None = Field(default=None, max_length=1000, description="free-text note")


class FindingIn(Request):
    holds: bool = Field(description="whether the condition holds")
    evidence: str = Field(min_length=1, max_length=2000, description="evidence of the finding")


class Checklist(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "conditions": {
                        "PUBLIC_PURPOSE": {"holds": True, "evidence": "为保障防汛工程按期完工"},
                        "NO_PERSONAL_GAIN": {"holds": True, "evidence": "审计未发现谋取私利"},
                    },
                    "exclusions": {"PRIVATE_GAIN": {"holds": False, "evidence": "审计报告〔2026〕11号"}},
                    "verification_report_ref": "verification/2026-08-10",
                }
            ]
        }
    )
    conditions: dict[Condition, FindingIn] = Field(
        default_factory=dict, description="the tolerance conditions checked (容错条件), each with whether it holds"
    )
    exclusions: dict[Exclusion, FindingIn] = Field(
        default_factory=dict,
        description="the exclusion circumstances checked (不予容错情形), each with whether it applies",
    )
    verification_report_ref: str | None = Field(
        default=None, min_length=1, max_length=128, description="reference of the verification report (核查报告)"
    )


class MemberIn(Request):
    member_id: str = Field(
        min_length=1, max_length=64, pattern=ID_PATTERN, description="id of the member of the deciding body"
    )
    vote: Vote | None = Field(default=None, description="the member's vote")
    recused: bool = Field(default=False, description="whether the member recused (回避)")
    recusal_reason: str | None = Field(default=None, max_length=200, description="why the member recused")
    cadre_id: str | None = Field(default=None, min_length=1, max_length=64, description="id of the cadre (干部)")


class CaseDecision(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision": "EXEMPT",
                    "reasons": "六项条件均符合，不存在不予容错情形，予以免责",
                    "decided_on": "2026-08-20",
                    "body": "市委组织部部务会",
                    "body_size": 7,
                    "members": [{"member_id": "m-1", "vote": "FOR"}, {"member_id": "m-2", "vote": "FOR"}],
                    "publication_scope": "UNIT",
                }
            ]
        }
    )
    decision: ToleranceDecision = Field(description="the decision taken (决定)")
    reasons: str = Field(min_length=1, max_length=4000, description="the reasons (理由)")
    decided_on: dt.date = Field(description="date the case decision was decided (决定日期)")
    body: str = Field(min_length=1, max_length=200, description="the deciding body (party committee, ...)")
    body_size: int = Field(ge=1, le=100, description="members of the body")
    members: list[MemberIn] = Field(min_length=1, max_length=100, description="members present")
    mitigated_to: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        pattern=r"^[A-Z_]+$",
        description="the lighter outcome decided (减轻为)",
    )
    publication_scope: str | None = Field(
        default=None, min_length=1, max_length=64, description="where the decision is published (公开范围)"
    )


class DatedStep(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"on": "2026-05-13"}]})
    on: dt.date = Field(description="date of the step")


class CaseFiling(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"filed_on": "2026-09-05", "publication_scope": "UNIT"}]})
    filed_on: dt.date = Field(description="date the case was filed (备案/提出日期)")
    publication_scope: str = Scope


class CorrectionPlan(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"plan": "补办审批手续，完善内部控制流程。", "due_on": "2026-06-15"}]}
    )
    plan: str = Field(min_length=1, max_length=4000, description="the correction plan text (整改方案)")
    due_on: dt.date = Field(description="date the correction is due (期限)")


class CorrectionDone(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"done_on": "2026-10-30", "follow_up": "回访整改情况，制度已落实。"}]}
    )
    done_on: dt.date = Field(description="date the step was done")
    follow_up: str = Field(min_length=1, max_length=4000, description="follow-up after the correction (跟踪回访)")


class ToleranceCaseRead(BaseModel):
    id: str = Field(description="id of the tolerance case")
    incident_id: str = Field(description="id of the incident (问题事项)")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    initiator: str = Field(description="who initiated the tolerance case (发起方)")
    applied_on: dt.date = Field(description="date the cadre applied for tolerance (申请日期)")
    statement: str = Field(description="the cadre's statement (陈述)")
    grounds: list[str] = Field(description="the grounds given (理由)")
    status: str = Field(description="status of the tolerance case")
    accepted_on: dt.date | None = Field(description="date the tolerance case was accepted (受理日期)")
    acceptance_note: str | None = Field(description="note recorded when the case was accepted (受理意见)")
    conditions: dict[str, Any] = Field(
        description="the tolerance conditions checked (容错条件), each with whether it holds"
    )
    exclusions: dict[str, Any] = Field(
        description="the exclusion circumstances checked (不予容错情形), each with whether it applies"
    )
    verification_report_ref: str | None = Field(description="reference of the verification report (核查报告)")
    verified_on: dt.date | None = Field(description="date the tolerance case was verified (核实日期)")
    decision: str | None = Field(description="the decision taken (决定)")
    decision_reasons: str | None = Field(description="the reasons of the decision (理由)")
    mitigated_to: str | None = Field(description="the lighter outcome decided (减轻为)")
    decided_on: dt.date | None = Field(description="date the tolerance case was decided (决定日期)")
    decided_by_body: str | None = Field(description="the body that took the decision (决定机关)")
    body_size: int | None = Field(description="number of members of the deciding body (参会人数)")
    members: list[dict[str, Any]] = Field(description="members of the deciding body and their votes")
    notified_on: dt.date | None = Field(description="date the tolerance case was notified (告知日期)")
    filed_upward_on: dt.date | None = Field(description="date the case was filed with the upper level (报备日期)")
    publication_scope: str | None = Field(description="where the decision is published (公开范围)")
    correction_plan: str | None = Field(description="the correction plan (整改方案)")
    correction_due_on: dt.date | None = Field(description="date the correction is due (整改期限)")
    correction_done_on: dt.date | None = Field(description="date the correction was completed (整改完成日期)")
    correction_follow_up: str | None = Field(description="follow-up of the correction (整改跟踪)")
    closed_on: dt.date | None = Field(description="date the tolerance case was closed (办结日期)")
    version: int = Field(
        description="version of the tolerance case; send it back with the next change (a stale one answers 409)"
    )


class ToleranceCasePage(BaseModel):
    items: list[ToleranceCaseRead] = Field(description="the tolerance case items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- investigations --------------------------------------------------------------------------------------------
class InvestigationClosure(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"closed_on": "2026-11-30"}]})
    closed_on: dt.date = Field(description="date the investigation was closed (办结日期)")


class InvestigationRead(BaseModel):
    id: str = Field(description="id of the investigation")
    case_id: str = Field(description="id of the tolerance case (容错案件)")
    report_id: str = Field(description="id of the petition report (信访举报件)")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    opened_on: dt.date = Field(description="date the investigation was opened (立案日期)")
    status: str = Field(description="status of the investigation")
    incident_id: str | None = Field(description="id of the incident (问题事项)")
    closed_on: dt.date | None = Field(description="date the investigation was closed (办结日期)")
    result: str | None = Field(description="result of the investigation (结果)")
    version: int = Field(
        description="version of the investigation; send it back with the next change (a stale one answers 409)"
    )


class InvestigationPage(BaseModel):
    items: list[InvestigationRead] = Field(description="the investigation items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- reinstatements --------------------------------------------------------------------------------------------
class ReinstatementReport(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reported_on": "2027-03-01", "summary": "影响期内深刻反思，认真整改，工作表现良好"}]
        }
    )
    reported_on: dt.date = Field(description="date the cadre reported")
    summary: str = Field(min_length=1, max_length=4000, description="summary of the reinstatement report (摘要)")


class OrgOpinion(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "opinion_on": "2027-03-15",
                    "opinion": "该同志影响期满，表现良好，建议重新启用",
                    "target_post": "DIVISION_DEPUTY",
                    "target_post_level": 3,
                }
            ]
        }
    )
    opinion_on: dt.date = Field(description="date of the opinion")
    opinion: str = Field(min_length=1, max_length=4000, description="the opinion given (意见)")
    target_post: str = Field(min_length=1, max_length=64, description="post the cadre is reinstated to")
    target_post_level: int | None = Field(
        default=None, ge=0, le=30, description="post level the cadre is reinstated to"
    )


class DisciplineOpinion(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"opinion_on": "2027-03-15", "opinion": "未发现新的违纪违法问题", "favourable": True}]
        }
    )
    opinion_on: dt.date = Field(description="date of the opinion")
    opinion: str = Field(min_length=1, max_length=4000, description="the opinion given (意见)")
    favourable: bool = Field(description="whether the opinion is favourable")


class FactFinding(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"done_on": "2026-10-30", "survey_done": True, "note": "民主测评无明显反对意见"}]
        }
    )
    done_on: dt.date = Field(description="date the step was done")
    survey_done: bool = Field(default=False, description="whether the opinion survey was done (民意调查)")
    objection_level: Objection = Field(
        default=Objection.NONE, description="level of objection found in the survey (群众反映)"
    )
    note: str = Field(min_length=1, max_length=4000, description="free-text note")


class UpperConsultation(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"consulted_on": "2027-03-20", "reference": "省委组织部函〔2027〕5号", "agreed": True}]
        }
    )
    consulted_on: dt.date = Field(description="date the upper level was consulted (征求意见日期)")
    reference: str = Field(min_length=1, max_length=128, description="reference of the consultation document")
    agreed: bool = Field(description="whether the upper-level organisation agreed (上级是否同意)")


class ReinstatementDecision(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decided_on": "2027-03-25",
                    "approved": True,
                    "body": "市委组织部部务会",
                    "note": "考察组意见：政治素质好，工作实绩突出",
                    "target_post": "DIVISION_DEPUTY",
                    "target_post_level": 3,
                }
            ]
        }
    )
    decided_on: dt.date = Field(description="date the reinstatement decision was decided (决定日期)")
    approved: bool = Field(description="whether the reinstatement was approved (是否同意)")
    body: str = Field(min_length=1, max_length=200, description="the body that decided (决定机关)")
    note: str = Field(default="", max_length=4000, description="free-text note")
    target_post: str | None = Field(
        default=None, min_length=1, max_length=64, description="post the cadre is reinstated to"
    )
    target_post_level: int | None = Field(
        default=None, ge=0, le=30, description="post level the cadre is reinstated to"
    )


class Announcement(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"announced_on": "2027-04-01"}]})
    announced_on: dt.date = Field(description="date the reinstatement was announced (宣布日期)")


class ReinstatementRead(BaseModel):
    id: str = Field(description="id of the reinstatement")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name, from the register")
    basis_sanction_ids: list[str] = Field(description="ids of the sanctions the reinstatement follows (原处分)")
    eligible_from: dt.date = Field(description="date the cadre may be reinstated from")
    original_post_level: int | None = Field(description="the cadre's post level before the sanction (原职务层次)")
    status: str = Field(description="status of the reinstatement")
    cadre_report_on: dt.date | None = Field(description="date the cadre's report was received (本人报告日期)")
    cadre_report: str | None = Field(description="the cadre's own report (本人报告)")
    org_opinion_on: dt.date | None = Field(description="date of the organisation department's opinion")
    org_opinion: str | None = Field(description="the organisation department's opinion (组织部门意见)")
    target_post: str | None = Field(description="post the cadre is reinstated to")
    target_post_level: int | None = Field(description="post level the cadre is reinstated to")
    discipline_opinion_on: dt.date | None = Field(description="date of the discipline inspection opinion")
    discipline_opinion: str | None = Field(description="the discipline inspection opinion (纪检监察机关意见)")
    discipline_favourable: bool | None = Field(description="whether the discipline body's opinion is favourable")
    fact_finding_on: dt.date | None = Field(description="date of the fact finding")
    survey_done: bool = Field(description="whether the opinion survey was done (民意调查)")
    objection_level: str | None = Field(description="level of objection found in the survey (群众反映)")
    fact_finding_note: str | None = Field(description="note of the fact finding (调查核实)")
    postponed_on: dt.date | None = Field(description="date the reinstatement was postponed")
    upper_consult_required: bool = Field(description="whether the upper level must be consulted")
    upper_consulted_on: dt.date | None = Field(description="date the upper level was consulted")
    upper_consult_ref: str | None = Field(description="reference of the upper-level consultation")
    upper_agreed: bool | None = Field(description="whether the upper level agreed")
    decided_on: dt.date | None = Field(description="date the reinstatement was decided (决定日期)")
    decided_by_body: str | None = Field(description="the body that took the decision (决定机关)")
    approved: bool | None = Field(description="whether the reinstatement was approved (是否同意)")
    decision_note: str | None = Field(description="note of the decision")
    announced_on: dt.date | None = Field(description="date the reinstatement was announced (宣布日期)")
    version: int = Field(
        description="version of the reinstatement; send it back with the next change (a stale one answers 409)"
    )


class ReinstatementPage(BaseModel):
    items: list[ReinstatementRead] = Field(description="the reinstatement items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


# -- catalogue and parts ---------------------------------------------------------------------------------------
class CatalogueRow(BaseModel):
    type: str = Field(description="type of the catalogue")
    systems: list[str] = Field(description="the sanction systems the row applies to")
    family: str = Field(description="the sanction family (处分类别)")
    severity: int = Field(description="severity of the item (严重程度)")
    period_kind: str = Field(description="unit of the period (months or years)")
    period_months: int | None = Field(description="length of the sanction period in months (处分期)")
    bars: list[str] = Field(description="the bars the sanction imposes while in force (影响期限制)")
    spans: list[dict[str, Any]] = Field(description="the periods the bar spans")
    grade_effects: list[dict[str, Any]] = Field(description="effects on the annual grade (对年度考核的影响)")
    combinable: bool = Field(description="whether the sanction may be combined with another (可并处)")
    demotes_rank: bool = Field(description="whether the sanction lowers the rank (降职级)")
    demotes_level: bool = Field(description="whether the sanction lowers the level (降级)")
    removes_from_post: bool = Field(description="whether the sanction removes from post (撤职)")
    ends_employment: bool = Field(description="whether the sanction ends employment (开除)")
    source: str = Field(description="source of the catalogue")
    confidence: str = Field(description="how sure the rule table is (confidence of the rule source)")
    grade_source: str = Field(description="source of the grade effect rule")
    grade_confidence: str = Field(description="how sure the grade effect is")
    configurable: bool = Field(description="whether the row may be configured locally")
    note: str = Field(description="free-text note")


class Catalogue(BaseModel):
    items: list[CatalogueRow] = Field(description="the catalogue items of this page")
    max_combined_months: int = Field(description="maximum combined period in months (合并执行最长期限)")
    suspension_months: list[int] = Field(description="suspension period in months")


class DossierPart(BaseModel):
    cadre_id: str = Field(description="id of the cadre (干部)")
    as_of: dt.date = Field(description="date the figures were computed for (统计截止日期)")
    effective_bar: list[str] = Field(description="the bar in force now and until when (影响期)")
    restrictions: list[RestrictionRead] = Field(description="the cadre's restrictions (影响期限制)")
    sanctions: list[SanctionRead] = Field(description="the cadre's sanctions (处分)")
    tolerance_cases: list[ToleranceCaseRead] = Field(description="the cadre's tolerance cases (容错纠错)")
    reinstatements: list[dict[str, Any]] = Field(description="the cadre's reinstatement procedures (重新启用)")
    investigations: list[dict[str, Any]] | None = Field(description="discipline officers only")


class DashboardPart(BaseModel):
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    as_of: dt.date = Field(description="date the figures were computed for (统计截止日期)")
    horizon_days: int = Field(description="days ahead counted as ending soon")
    restrictions_ending: dict[str, Any] = Field(description="restrictions ending within the horizon")
    active_restrictions_by_effect: dict[str, int] = Field(
        description="number of restrictions in force, by their effect"
    )
    cadres_under_restriction: int = Field(description="number of cadres under at least one restriction (受影响干部)")
    sanctions_in_force_by_system: dict[str, int] = Field(description="number of sanctions in force by system")
    tolerance_cases_by_status: dict[str, int] = Field(description="number of tolerance cases by status")
    open_reinstatements_by_status: dict[str, int] = Field(
        description="number of open reinstatement procedures by status"
    )
    open_admonishment_tasks: int = Field(description="number of admonishment tasks open (诫勉)")
    open_investigations: int | None = Field(description="discipline officers only")
