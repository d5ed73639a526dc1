"""Recording past error-tolerance decisions (容错) and past investigations: facts with their real dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.contracts.vocabulary import RestrictionSource, ToleranceDecision
from kernel.errors import Conflict, NotFound, RuleViolation
from kernel.ids import new_id
from services.tolerance.domain.history import CORRECTED, HistorySource, Outcome, normalize_document_number
from services.tolerance.domain.investigation import InvestigationResult
from services.tolerance.domain.past_cases import PastInvestigation, PastToleranceDecision
from services.tolerance.domain.sanction import DECIDED, PENDING
from services.tolerance.domain.tolerance_case import UNDECIDED
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import cadre_for_action
from services.tolerance.service_layer.tolerance_cases import _close_investigations
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork


def _decision_fact(cmd: commands.RecordPastToleranceDecision) -> PastToleranceDecision:
    return PastToleranceDecision(
        cadre_id=cmd.cadre_id,
        decision=cmd.decision,
        decided_on=cmd.decided_on,
        reasons=cmd.reasons,
        body=cmd.body,
        document_number=cmd.document_number.strip(),
        source=HistorySource(cmd.source),
        incident_id=cmd.incident_id,
        occurred_on=cmd.occurred_on,
        summary=cmd.summary,
        applied_on=cmd.applied_on,
        initiator=cmd.initiator,
        mitigated_to=cmd.mitigated_to,
        publication_scope=cmd.publication_scope,
    )


def _recorded_case_values(row: Any) -> tuple[Any, ...]:
    return (
        None if row["incident_recorded"] else row["incident_id"],
        row["occurred_on"],
        row["summary"],
        row["applied_on"],
        row["initiator"],
        row["decision"],
        row["mitigated_to"],
        row["reasons"],
        row["decided_by_body"],
        row["publication_scope"],
    )


async def record_past_tolerance_decision(
    cmd: commands.RecordPastToleranceDecision, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records a tolerance decision taken in the past with its real dates: the live decision's guard and effects
    (pending proposals withdrawn or lowered, investigations about the incident closed on the real date) and its
    event. The same (cadre, decision date, 文号) with other values is a correction; with the same values nothing
    changes."""
    fact = _decision_fact(cmd)
    async with uow:
        cadre = await cadre_for_action(uow, principal, cmd.cadre_id)  # never oneself or a relative
        fact.check(today=today)
        if fact.occurred_on is not None:
            cadre.dated_fact(fact.occurred_on, field="occurred_on", rule="tolerance_history.before_entry")
        cadre.dated_fact(
            fact.applied, field="applied_on" if fact.applied_on else "decided_on", rule="tolerance_history.before_entry"
        )
        key = fact.natural_key()
        current = await uow.records.current_case(key)
        if current is not None and _recorded_case_values(current) == fact.values():
            return await uow.commit(
                {
                    "id": current["case_id"],
                    "record_id": current["id"],
                    "revision": current["revision"],
                    "outcome": Outcome.UNCHANGED.value,
                }
            )
        if current is None:
            case_id, incident_id = await _record_new_case(uow, fact, principal=principal, today=today)
            outcome = Outcome.RECORDED
        else:
            case_id, incident_id = await _correct_case(uow, current, fact)
            outcome = Outcome.CORRECTED
        revision = (current["revision"] + 1) if current is not None else 1
        record_id = new_id()
        await uow.records.add_case(
            id=record_id,
            case_id=case_id,
            revision=revision,
            case_key=key,
            cadre_id=fact.cadre_id,
            incident_id=incident_id,
            incident_recorded=fact.incident_id is None,
            occurred_on=fact.occurred_on,
            summary=fact.values()[2],
            applied_on=fact.applied,
            initiator=fact.initiator.value,
            decision=fact.decision.value,
            mitigated_to=fact.values()[6],
            decided_on=fact.decided_on,
            reasons=fact.reasons.strip(),
            decided_by_body=fact.body.strip(),
            publication_scope=fact.publication_scope,
            document_number=normalize_document_number(fact.document_number),
            source=fact.source.value,
            recorded_by=principal.subject,
        )
        await uow.audit(
            principal, "RECORD_PAST" if outcome is Outcome.RECORDED else "CORRECT_PAST", "tolerance-case", case_id
        )
        return await uow.commit({"id": case_id, "record_id": record_id, "revision": revision, "outcome": outcome.value})


async def _record_new_case(
    uow: ToleranceUnitOfWork, fact: PastToleranceDecision, *, principal: Principal, today: dt.date
) -> tuple[str, str]:
    policy = uow.context.policy
    if fact.incident_id is not None:
        incident = await uow.incidents.get(fact.incident_id)
        if incident is None or fact.cadre_id not in incident.cadre_ids:
            raise NotFound("incident not found for this cadre", field="incident_id", rule="incident.id")
    else:
        incident = fact.incident(incident_id=new_id(), today=today)
        await uow.incidents.add(incident, created_by=principal.subject)
    # The live application's and decision's guards, against what is known of the incident.
    cases = await uow.cases.for_incident(incident.id, fact.cadre_id)
    if any(c.status in UNDECIDED for c in cases):
        raise Conflict("an application for this incident is being handled live", rule="tolerance.duplicate")
    if any(c.decision in (ToleranceDecision.EXEMPT, ToleranceDecision.MITIGATE) for c in cases):
        raise Conflict("tolerance was already granted for this incident", rule="tolerance.already_granted")
    sanctions = await uow.sanctions.for_incident(incident.id, fact.cadre_id)
    case = fact.case(
        case_id=new_id(),
        incident=incident,
        today=today,
        linked_sanction_decided=any(s.status in DECIDED for s in sanctions),
    )
    await uow.cases.add(case, created_by=principal.subject)
    # The live decision's effects, on the real decision date.
    pending = [s for s in sanctions if s.status in PENDING]
    if fact.decision is ToleranceDecision.EXEMPT:
        for sanction in pending:
            sanction.withdraw(on=fact.decided_on, reason=f"TOLERATED:{case.id}")
            await uow.sanctions.save(sanction)
        await _close_investigations(uow, incident, fact.cadre_id, fact.decided_on)
    elif fact.decision is ToleranceDecision.MITIGATE:
        for sanction in pending:
            sanction.mitigate(policy.catalogue, case_id=case.id, to_type=fact.mitigated_to)
            await uow.sanctions.save(sanction)
    return case.id, incident.id


async def _correct_case(uow: ToleranceUnitOfWork, current: Any, fact: PastToleranceDecision) -> tuple[str, str]:
    if (current["decision"], current["mitigated_to"]) != fact.outcome():
        # Its effects were applied and sent (proposals withdrawn, investigations closed, petitions told).
        raise Conflict(
            "the decision of a recorded tolerance case was applied and sent; it is not corrected this way",
            rule="tolerance_history.decided",
        )
    if current["incident_recorded"] != (fact.incident_id is None) or (
        fact.incident_id is not None and fact.incident_id != current["incident_id"]
    ):
        raise Conflict(
            "the incident of a recorded tolerance case is not changed this way", rule="tolerance_history.incident"
        )
    case = await uow.cases.get(current["case_id"])
    assert case is not None
    incident = await uow.incidents.get(current["incident_id"])
    assert incident is not None
    if fact.occurred_on is not None and fact.summary is not None:
        fact.incident(incident_id=incident.id, today=fact.decided_on)  # the live incident's own checks
        await uow.incidents.rewrite(
            incident.id, occurred_on=fact.occurred_on, opened_on=fact.applied, summary=fact.summary.strip()
        )
    elif fact.applied < incident.occurred_on:
        raise RuleViolation("applied_on cannot be before the incident", rule="tolerance.applied_on", field="applied_on")
    case.applied_on = case.accepted_on = fact.applied
    case.initiator = fact.initiator
    case.decision_reasons, case.decided_by_body = fact.reasons.strip(), fact.body.strip()
    case.publication_scope = fact.publication_scope
    await uow.cases.save(case)  # the decision and its date are unchanged: nothing to send again
    return case.id, incident.id


# -- past investigations ---------------------------------------------------------------------------------------
async def record_past_investigation(
    cmd: commands.RecordPastInvestigation, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records an investigation opened (and possibly closed) in the past: its bars from the real opening date,
    lifted on the real closing date, with the live investigation's events. The same (cadre, opening date, 文号) with
    other values is a correction (the previous bars are voided and recomputed); with the same values nothing
    changes."""
    fact = PastInvestigation(
        cadre_id=cmd.cadre_id,
        opened_on=cmd.opened_on,
        document_number=cmd.document_number.strip(),
        source=HistorySource(cmd.source),
        closed_on=cmd.closed_on,
        conclusion=InvestigationResult(cmd.conclusion) if cmd.conclusion else None,
    )
    async with uow:
        cadre = await cadre_for_action(uow, principal, cmd.cadre_id)  # never oneself or a relative
        fact.check(today=today)
        cadre.dated_fact(fact.opened_on, field="opened_on", rule="investigation_history.before_entry")
        key = fact.natural_key()
        current = await uow.records.current_investigation(key)
        if current is not None and (current["closed_on"], current["conclusion"]) == fact.values():
            return await uow.commit(
                {
                    "id": current["investigation_id"],
                    "record_id": current["id"],
                    "revision": current["revision"],
                    "outcome": Outcome.UNCHANGED.value,
                }
            )
        existing = await uow.investigations.by_case(key)
        investigation, restrictions = fact.build(
            investigation_id=existing.id if existing else new_id(), today=today, new_id=lambda: new_id()
        )
        if existing is None:
            await uow.investigations.add(investigation)
            outcome = Outcome.RECORDED
        else:
            # The previous version's bars never applied as recorded: voided, and recomputed from the corrected dates.
            previous = await uow.restrictions.of_source([RestrictionSource.INVESTIGATION], existing.id)
            for restriction in previous:
                restriction.void(CORRECTED)
            await uow.restrictions.save_many([r for r in previous if r.events])
            investigation.version = existing.version
            await uow.investigations.save(investigation)
            uow.investigations.track(investigation)
            outcome = Outcome.CORRECTED
        await uow.restrictions.add_many(restrictions)
        revision = (current["revision"] + 1) if current is not None else 1
        record_id = new_id()
        await uow.records.add_investigation(
            id=record_id,
            investigation_id=investigation.id,
            revision=revision,
            case_ref=key,
            cadre_id=fact.cadre_id,
            opened_on=fact.opened_on,
            closed_on=fact.closed_on,
            conclusion=fact.values()[1],
            document_number=normalize_document_number(fact.document_number),
            source=fact.source.value,
            recorded_by=principal.subject,
        )
        await uow.audit(
            principal,
            "RECORD_PAST" if outcome is Outcome.RECORDED else "CORRECT_PAST",
            "investigation",
            investigation.id,
        )
        return await uow.commit(
            {"id": investigation.id, "record_id": record_id, "revision": revision, "outcome": outcome.value}
        )
