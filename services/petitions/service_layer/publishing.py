"""Maps petitions domain events to public contract events (what goes to the outbox).

Only ids, categories, dates and outcomes leave: never reporter identity, contact data or report text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from kernel.contracts import petitions_v1 as v1
from kernel.contracts.base import Contract
from kernel.contracts.vocabulary import AppealResult, AppealStage, AppealTarget, ReportOutcome
from services.petitions.domain import events
from services.petitions.domain.vocab import PetitionType


@singledispatch
def to_contracts(event: Any) -> Iterable[Contract]:
    """Returns the contract events for a domain event (none by default)."""
    return ()


@to_contracts.register
def _(event: events.ReportAccepted) -> Iterable[Contract]:
    out: list[Contract] = [
        v1.ReportAccepted(
            report_id=event.report_id,
            accused_cadre_ids=list(event.accused_cadre_ids),
            accused_org_unit_ids=list(event.accused_unit_ids),
            category=event.category,
            accepted_on=event.accepted_on,
        )
    ]
    if event.petition_type == PetitionType.GENERAL and event.accused_cadre_ids:
        # 信访工作条例 §30: petitions about cadres go to the organization department (selection supervision).
        out.append(
            v1.XinfangAboutCadre(
                report_id=event.report_id, cadre_ids=list(event.accused_cadre_ids), received_on=event.received_on
            )
        )
    return out


@to_contracts.register
def _(event: events.CaseOpened) -> Iterable[Contract]:
    return (
        v1.CaseOpened(
            case_id=event.case_id, report_id=event.report_id, cadre_id=event.cadre_id, opened_on=event.opened_on
        ),
    )


@to_contracts.register
def _(event: events.ReportClosed) -> Iterable[Contract]:
    return (
        v1.ReportClosed(
            report_id=event.report_id,
            outcome=ReportOutcome(event.outcome),
            cadre_outcomes=[v1.CadreOutcome(cadre_id=c, outcome=ReportOutcome(o)) for c, o in event.cadre_outcomes],
            case_ids=list(event.case_ids),
            adverse_effect=event.adverse_effect,
            closed_on=event.closed_on,
        ),
    )


@to_contracts.register
def _(event: events.ClarificationExecuted) -> Iterable[Contract]:
    return (
        v1.ClarificationExecuted(
            clarification_id=event.clarification_id,
            cadre_id=event.cadre_id,
            report_ids=list(event.report_ids),
            method=event.method,
            scope=event.scope,
            executed_on=event.executed_on,
        ),
    )


@to_contracts.register
def _(event: events.FalseAccusationConfirmed) -> Iterable[Contract]:
    return (
        v1.FalseAccusationConfirmed(
            case_id=event.case_id,
            origin_report_id=event.origin_report_id,
            victim_cadre_ids=list(event.victim_cadre_ids),
            accuser_is_cadre=event.accuser_is_cadre,
            accuser_cadre_id=event.accuser_cadre_id,
            confirmed_on=event.confirmed_on,
        ),
    )


@to_contracts.register
def _(event: events.AppealDecided) -> Iterable[Contract]:
    if event.appellant_cadre_id is None:
        # A general petition's 复查/复核 is decided here and concerns no cadre's decision: nothing to apply elsewhere.
        return ()
    return (
        v1.AppealDecided(
            appeal_id=event.appeal_id,
            appellant_cadre_id=event.appellant_cadre_id,
            target_type=AppealTarget(event.target_type),
            target_ref=event.target_ref,
            stage=AppealStage(event.stage),
            result=AppealResult(event.result),
            varied_to=event.varied_to,
            decided_on=event.decided_on,
        ),
    )


@to_contracts.register
def _(event: events.DeadlineBreached) -> Iterable[Contract]:
    if event.object_type == "appeal":
        return (
            v1.AppealDeadlineBreached(
                appeal_id=event.object_id,
                deadline_id=event.deadline_id,
                deadline_kind=event.kind,
                due_on=event.due_on,
                breached_on=event.breached_on,
                handling_org_unit_id=event.org_unit_id,
            ),
        )
    return (
        v1.DeadlineBreached(
            report_id=event.report_id or event.object_id,
            deadline_kind=event.kind,
            due_on=event.due_on,
            breached_on=event.breached_on,
            handling_org_unit_id=event.org_unit_id,
            deadline_id=event.deadline_id,
        ),
    )


@to_contracts.register
def _(event: events.DeadlineApproaching) -> Iterable[Contract]:
    return (
        v1.DeadlineApproaching(
            deadline_id=event.deadline_id,
            deadline_kind=event.kind,
            object_type=event.object_type,
            object_id=event.object_id,
            report_id=event.report_id,
            due_on=event.due_on,
            handling_org_unit_id=event.org_unit_id,
        ),
    )
