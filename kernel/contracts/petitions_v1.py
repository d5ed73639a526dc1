"""Public events of the petitions service, major version 1.

No payload carries reporter identity, contact data or report text: only ids, categories and outcomes
(docs/rules.md §2.5, docs/reliability.md S10). An accusation alone counts against nobody; only a closed outcome does.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.contracts.base import Contract, Item
from kernel.contracts.vocabulary import AppealResult, AppealStage, AppealTarget, ReportOutcome
from kernel.subjects import EventName

P = "petitions"


class ReportAccepted(Contract):
    event_name: ClassVar = EventName(P, "report_accepted")
    subject_template: ClassVar = "report/{report_id}"
    summary: ClassVar = "A report was accepted for handling (no effect on the accused by itself)"

    report_id: str
    accused_cadre_ids: list[str]
    accused_org_unit_ids: list[str] = []
    category: str
    accepted_on: dt.date


class CaseOpened(Contract):
    event_name: ClassVar = EventName(P, "case_opened")
    subject_template: ClassVar = "case/{case_id}"
    summary: ClassVar = "A formal review/investigation (立案审查调查) was opened about a cadre"

    case_id: str
    report_id: str
    cadre_id: str
    opened_on: dt.date


class CadreOutcome(Item):
    cadre_id: str
    outcome: ReportOutcome


class ReportClosed(Contract):
    event_name: ClassVar = EventName(P, "report_closed")
    subject_template: ClassVar = "report/{report_id}"
    summary: ClassVar = "A report was closed with an outcome per accused cadre"

    report_id: str
    outcome: ReportOutcome
    cadre_outcomes: list[CadreOutcome]
    case_ids: list[str] = []
    adverse_effect: bool = False
    closed_on: dt.date


class ClarificationExecuted(Contract):
    event_name: ClassVar = EventName(P, "clarification_executed")
    subject_template: ClassVar = "clarification/{clarification_id}"
    summary: ClassVar = "A cadre's reputation was clarified (澄清正名)"

    clarification_id: str
    cadre_id: str
    report_ids: list[str]
    method: str
    scope: str
    executed_on: dt.date


class FalseAccusationConfirmed(Contract):
    """A false accusation (诬告陷害) was confirmed by the approving level.

    `accuser_cadre_id` is set only when the accuser is a cadre, so that tolerance can propose a sanction;
    a confirmed fabricator is no longer a protected reporter for this purpose (政务处分法 §32(四)).
    """

    event_name: ClassVar = EventName(P, "false_accusation_confirmed")
    subject_template: ClassVar = "false-accusation/{case_id}"
    summary: ClassVar = "A false accusation was confirmed; the victims are to be clarified"

    case_id: str
    origin_report_id: str
    victim_cadre_ids: list[str]
    accuser_is_cadre: bool
    accuser_cadre_id: str | None = None
    confirmed_on: dt.date


class AppealDecided(Contract):
    event_name: ClassVar = EventName(P, "appeal_decided")
    subject_template: ClassVar = "appeal/{appeal_id}"
    summary: ClassVar = "An appeal (申诉/复核) was decided; the owner of the decision applies it"

    appeal_id: str
    appellant_cadre_id: str
    target_type: AppealTarget
    target_ref: str  # e.g. "sanction/s-1", "annual-assessment/aa-2025-4711", "contract/k-1"
    stage: AppealStage
    result: AppealResult
    varied_to: str | None = None  # for VARIED: the new grade or sanction type (never heavier)
    decided_on: dt.date


class DeadlineBreached(Contract):
    event_name: ClassVar = EventName(P, "deadline_breached")
    minor: ClassVar = 1
    subject_template: ClassVar = "report/{report_id}/deadline/{deadline_kind}"
    summary: ClassVar = "A statutory deadline on a report passed without the step being done"

    report_id: str
    deadline_kind: str
    due_on: dt.date
    breached_on: dt.date
    handling_org_unit_id: str | None = None
    deadline_id: str | None = None  # 1.1: which deadline (one event per deadline)


class AppealDeadlineBreached(Contract):
    event_name: ClassVar = EventName(P, "appeal_deadline_breached")
    subject_template: ClassVar = "appeal/{appeal_id}/deadline/{deadline_kind}"
    summary: ClassVar = "An appeal was not decided within its statutory period"

    appeal_id: str
    deadline_id: str
    deadline_kind: str
    due_on: dt.date
    breached_on: dt.date
    handling_org_unit_id: str | None = None


class DeadlineApproaching(Contract):
    event_name: ClassVar = EventName(P, "deadline_approaching")
    subject_template: ClassVar = "deadline/{deadline_id}"
    summary: ClassVar = "A statutory deadline falls due soon (a reminder to the handling unit)"

    deadline_id: str
    deadline_kind: str
    object_type: str  # report | statement | appeal
    object_id: str
    report_id: str | None = None
    due_on: dt.date
    handling_org_unit_id: str | None = None


class XinfangAboutCadre(Contract):
    event_name: ClassVar = EventName(P, "xinfang_about_cadre")
    subject_template: ClassVar = "report/{report_id}/xinfang"
    summary: ClassVar = "A general petition concerns cadres (信访工作条例 §30): flag for selection supervision"

    report_id: str
    cadre_ids: list[str]
    received_on: dt.date


EXAMPLES: list[Contract] = [
    ReportAccepted(
        report_id="r-100", accused_cadre_ids=["c-4711"], category="integrity", accepted_on=dt.date(2026, 4, 2)
    ),
    CaseOpened(case_id="case-7", report_id="r-100", cadre_id="c-4711", opened_on=dt.date(2026, 5, 10)),
    ReportClosed(
        report_id="r-100",
        outcome=ReportOutcome.UNFOUNDED,
        cadre_outcomes=[CadreOutcome(cadre_id="c-4711", outcome=ReportOutcome.UNFOUNDED)],
        case_ids=["case-7"],
        adverse_effect=True,
        closed_on=dt.date(2026, 8, 1),
    ),
    ClarificationExecuted(
        clarification_id="cl-2",
        cadre_id="c-4711",
        report_ids=["r-100"],
        method="MEETING",
        scope="UNIT",
        executed_on=dt.date(2026, 9, 3),
    ),
    FalseAccusationConfirmed(
        case_id="fa-1",
        origin_report_id="r-100",
        victim_cadre_ids=["c-4711"],
        accuser_is_cadre=False,
        confirmed_on=dt.date(2026, 10, 1),
    ),
    AppealDecided(
        appeal_id="ap-5",
        appellant_cadre_id="c-4711",
        target_type=AppealTarget.GOV_SANCTION,
        target_ref="sanction/s-1",
        stage=AppealStage.REVIEW,
        result=AppealResult.REVOKED,
        decided_on=dt.date(2026, 10, 15),
    ),
    DeadlineBreached(
        report_id="r-100", deadline_kind="ACCEPT_NOTICE", due_on=dt.date(2026, 4, 23), breached_on=dt.date(2026, 4, 24)
    ),
    XinfangAboutCadre(report_id="r-101", cadre_ids=["c-4711"], received_on=dt.date(2026, 4, 2)),
    AppealDeadlineBreached(
        appeal_id="ap-5",
        deadline_id="dl-9",
        deadline_kind="APPEAL_DECISION",
        due_on=dt.date(2026, 11, 14),
        breached_on=dt.date(2026, 11, 15),
    ),
    DeadlineApproaching(
        deadline_id="dl-3",
        deadline_kind="ACCEPT_NOTICE",
        object_type="report",
        object_id="r-100",
        report_id="r-100",
        due_on=dt.date(2026, 4, 23),
    ),
]
