"""Sanction use cases: proposal, facts notice, defence, decision, probation extension, withdrawal, appeals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.contracts.vocabulary import (
    AppealResult,
    AppealStage,
    RestrictionSource,
    SanctionSystem,
    SanctionType,
    ToleranceDecision,
)
from kernel.errors import Conflict, DomainError, NotFound, PermanentEventError, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.tolerance.domain.events import SourceRef
from services.tolerance.domain.investigation import (
    Investigation,
    InvestigationResult,
    InvestigationStatus,
    classify_result,
)
from services.tolerance.domain.sanction import (
    DECIDED,
    PENDING,
    Origin,
    Sanction,
    SanctionStatus,
    ToleranceGuard,
    heavier,
    restriction_source,
)
from services.tolerance.domain.tolerance_case import UNDECIDED, CaseStatus
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import (
    cadre_for_action,
    own_cadre,
    require_system_role,
)
from services.tolerance.service_layer.incidents import ensure_incident
from services.tolerance.service_layer.restrictions import open_eligible_reinstatements
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork

SANCTION_SOURCES = (
    RestrictionSource.SANCTION,
    RestrictionSource.ORG_HANDLING,
    RestrictionSource.ADMONISHMENT,
    RestrictionSource.ACCOUNTABILITY,
)
STAGE_ORDER = {AppealStage.REVIEW: 1, AppealStage.APPEAL: 2, AppealStage.REAPPEAL: 3}


def _rst_id() -> str:
    return new_id()


async def load_sanction(uow: ToleranceUnitOfWork, sanction_id: str) -> Sanction:
    """Returns a sanction or raises NotFound."""
    sanction = await uow.sanctions.get(sanction_id)
    if sanction is None:
        raise NotFound("sanction not found", field="sanction_id", rule="sanction.id")
    return sanction


async def _for_action(uow: ToleranceUnitOfWork, principal: Principal, sanction_id: str) -> Sanction:
    sanction = await load_sanction(uow, sanction_id)
    await cadre_for_action(uow, principal, sanction.cadre_id)
    require_system_role(principal, sanction.system)
    return sanction


async def tolerance_guard(uow: ToleranceUnitOfWork, incident_id: str | None, cadre_id: str) -> ToleranceGuard:
    """Collects what the tolerance side says about an incident and cadre."""
    if incident_id is None:
        return ToleranceGuard()
    incident = await uow.incidents.get(incident_id)
    cases = await uow.cases.for_incident(incident_id, cadre_id)
    return ToleranceGuard(
        pending_case=any(c.status in UNDECIDED for c in cases),
        exempted=any(c.decision is ToleranceDecision.EXEMPT for c in cases),
        window_open_until=incident.tolerance_window_ends_on if incident else None,
        case_decided=any(
            c.decision is not None or c.status in (CaseStatus.NOT_ACCEPTED, CaseStatus.CLOSED) for c in cases
        ),
    )


async def _mitigation(
    uow: ToleranceUnitOfWork, incident_id: str, cadre_id: str
) -> tuple[str, SanctionType | None] | None:
    cases = await uow.cases.for_incident(incident_id, cadre_id)
    if any(c.decision is ToleranceDecision.EXEMPT for c in cases):
        raise Conflict(
            "the incident was tolerated (exempt) for this cadre: no sanction can follow",
            rule="sanction.incident_tolerated",
            source="docs/rules.md §3.1 result usage",
        )
    mitigated = [c for c in cases if c.decision is ToleranceDecision.MITIGATE]
    return (mitigated[-1].id, mitigated[-1].mitigated_to) if mitigated else None


async def propose_sanction(
    cmd: commands.ProposeSanction, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Proposes a sanction on an incident for a cadre in scope (never on a tolerated incident)."""
    policy = uow.context.policy
    require_system_role(principal, cmd.system)
    async with uow:
        await cadre_for_action(uow, principal, cmd.cadre_id)
        incident = await uow.incidents.get(cmd.incident_id)
        if incident is None:
            raise NotFound("incident not found", field="incident_id", rule="incident.id")
        if cmd.cadre_id not in incident.cadre_ids:
            raise RuleViolation("the cadre is not concerned by the incident", rule="sanction.incident_cadre")
        mitigation = await _mitigation(uow, incident.id, cmd.cadre_id)
        sanction = Sanction.propose(
            policy.catalogue,
            sanction_id=new_id(),
            cadre_id=cmd.cadre_id,
            system=cmd.system,
            type_=cmd.type,
            proposed_on=cmd.proposed_on,
            today=today,
            incident_id=incident.id,
            months=cmd.period_months,
            combined_count=cmd.combined_count,
        )
        if mitigation is not None:
            case_id, to_type = mitigation
            if to_type is not None and heavier(policy.catalogue, cmd.type, to_type):
                raise RuleViolation(
                    f"the incident was mitigated to {to_type.value}: no heavier proposal",
                    rule="sanction.mitigated",
                    source="docs/rules.md §3.1 (mitigation)",
                )
            sanction.mitigated_by_case_id = case_id
        await uow.sanctions.add(sanction)
        await uow.audit(principal, "PROPOSE", "sanction", sanction.id)
        return await uow.commit(sanction.id)


async def notify_facts(
    cmd: commands.NotifyFacts, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Serves the facts notice (with a possibly revised proposal); the defence window opens."""
    calendar = uow.context.calendar
    policy = uow.context.policy
    async with uow:
        sanction = await _for_action(uow, principal, cmd.sanction_id)
        sanction.notify_facts(
            policy.catalogue,
            calendar,
            notified_on=cmd.notified_on,
            today=today,
            defence_working_days=policy.defence_working_days,
            type_=cmd.type,
            months=cmd.period_months,
            combined_count=cmd.combined_count,
        )
        await uow.sanctions.save(sanction)
        await uow.audit(principal, "NOTIFY_FACTS", "sanction", sanction.id)
        return await uow.commit(state_of(sanction))


async def record_defence(
    cmd: commands.RecordDefence, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records the cadre's own statement and defence."""
    async with uow:
        sanction = await load_sanction(uow, cmd.sanction_id)
        await own_cadre(uow, principal, sanction.cadre_id)
        sanction.record_defence(on=cmd.defence_on, statement=cmd.statement, today=today)
        await uow.sanctions.save(sanction)
        await uow.audit(principal, "DEFENCE", "sanction", sanction.id)
        return await uow.commit(state_of(sanction))


async def decide_sanction(
    cmd: commands.DecideSanction, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Decides a sanction after the defence and the tolerance decision; its restrictions start."""
    policy = uow.context.policy
    async with uow:
        sanction = await _for_action(uow, principal, cmd.sanction_id)
        guard = await tolerance_guard(uow, sanction.incident_id, sanction.cadre_id)
        running = None
        if sanction.system is SanctionSystem.CIVIL_SERVICE:
            running = await uow.sanctions.running_until(
                sanction.cadre_id, sanction.system, cmd.decided_on, exclude=sanction.id
            )
        post, rank = await uow.projections.original_levels(sanction.cadre_id, cmd.effective_on or cmd.decided_on)
        restrictions = sanction.decide(
            policy.catalogue,
            decided_on=cmd.decided_on,
            today=today,
            decided_by=principal.subject,
            type_=cmd.type,
            months=cmd.period_months,
            effective_on=cmd.effective_on,
            publication_scope=cmd.publication_scope,
            guard=guard,
            new_id=_rst_id,
            running_until=running,
            original_post_level=post,
            original_rank_code=rank,
        )
        await uow.sanctions.save(sanction)
        await uow.restrictions.add_many(restrictions)
        await settle_investigations(
            uow, incident_id=sanction.incident_id, cadre_id=sanction.cadre_id, on=cmd.decided_on
        )
        await uow.audit(principal, "DECIDE", "sanction", sanction.id)
        return await uow.commit(state_of(sanction))


async def extend_probation(
    cmd: commands.ExtendProbation, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Extends a 1-year 留党察看 by a year, with the reason recorded on every restriction it moves."""
    policy = uow.context.policy
    async with uow:
        sanction = await _for_action(uow, principal, cmd.sanction_id)
        restrictions = await uow.restrictions.of_source([restriction_source(sanction.system)], sanction.id)
        before = {r.id: r.ends_on for r in restrictions}
        added = sanction.extend_probation(
            policy.catalogue, reason=cmd.reason, today=today, restrictions=restrictions, new_id=_rst_id
        )
        changed = [r for r in restrictions if r.events]
        await uow.restrictions.save_many(changed)
        for r in changed:
            await uow.restrictions.record_extension(
                restriction_id=r.id,
                previous_ends_on=before[r.id],
                new_ends_on=r.ends_on,
                reason=cmd.reason.strip(),
                discretionary=False,
                decided_by=principal.subject,
                decided_on=today,
            )
        await uow.restrictions.add_many(added)
        await uow.sanctions.save(sanction)
        await uow.audit(principal, "EXTEND", "sanction", sanction.id)
        return await uow.commit(state_of(sanction))


async def withdraw_sanction(
    cmd: commands.WithdrawSanction, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Withdraws a proposal that will not be decided."""
    async with uow:
        sanction = await _for_action(uow, principal, cmd.sanction_id)
        if cmd.withdrawn_on > today or cmd.withdrawn_on < sanction.proposed_on:
            raise RuleViolation("withdrawn_on must be between the proposal and today", rule="sanction.withdrawn_on")
        sanction.withdraw(on=cmd.withdrawn_on, reason=cmd.reason.strip())
        await uow.sanctions.save(sanction)
        await settle_investigations(
            uow, incident_id=sanction.incident_id, cadre_id=sanction.cadre_id, on=cmd.withdrawn_on
        )
        await uow.audit(principal, "WITHDRAW", "sanction", sanction.id)
        return await uow.commit(state_of(sanction))


async def settle_investigations(
    uow: ToleranceUnitOfWork, *, incident_id: str | None, cadre_id: str, on: dt.date
) -> None:
    """Closes investigations waiting on an incident's handling once no proposal for the cadre is pending."""
    policy = uow.context.policy
    if incident_id is None:
        return
    sanctions = await uow.sanctions.for_incident(incident_id, cadre_id)
    if any(s.status in PENDING for s in sanctions):
        return
    investigations = [
        i
        for i in await uow.investigations.not_closed(cadre_id=cadre_id, incident_id=incident_id)
        if i.status is InvestigationStatus.CONCLUDING
    ]
    if not investigations:
        return
    decided = [s.type for s in sanctions if s.status in DECIDED and s.status is not SanctionStatus.REVOKED]
    result = classify_result(policy.catalogue, decided)
    for investigation in investigations:
        await close_investigation_with(uow, investigation, result=result, on=max(on, investigation.opened_on))


async def close_investigation_with(
    uow: ToleranceUnitOfWork, investigation: Investigation, *, result: InvestigationResult, on: dt.date
) -> None:
    """Closes an investigation and lifts its restrictions."""
    restrictions = await uow.restrictions.of_source([RestrictionSource.INVESTIGATION], investigation.id)
    investigation.close(result=result, on=on, restrictions=restrictions)
    await uow.investigations.save(investigation)
    await uow.restrictions.save_many([r for r in restrictions if r.events])


# -- from other services' events --------------------------------------------------------------------------------
async def propose_from_event(
    uow: ToleranceUnitOfWork,
    *,
    cadre_id: str,
    system: SanctionSystem,
    type_: SanctionType,
    on: dt.date,
    today: dt.date,
    origin: Origin,
    external_ref: str,
    ref: SourceRef,
    summary: str,
    incident_id: str | None = None,
    occurred_on: dt.date | None = None,
) -> Sanction | None:
    """Creates a proposal from another service's finding, once (by its external reference); none if tolerated.

    `on` is the day the finding was established (the proposal's date and the incident's opening); `occurred_on`, when
    the finding says when the conduct itself happened, dates the incident, so that influence periods and tolerance
    windows start from the conduct, not from its confirmation (docs/tolerance.md, "Events consumed").
    """
    policy = uow.context.policy
    if await uow.sanctions.by_external_ref(external_ref) is not None:
        return None
    incident = await ensure_incident(
        uow,
        ref=ref,
        cadre_id=cadre_id,
        occurred_on=min(occurred_on or on, on),
        opened_on=on,
        summary=summary,
        incident_id=incident_id,
    )
    cases = await uow.cases.for_incident(incident, cadre_id)
    if any(c.decision is ToleranceDecision.EXEMPT for c in cases):
        return None
    sanction = Sanction.propose(
        policy.catalogue,
        sanction_id=new_id(),
        cadre_id=cadre_id,
        system=system,
        type_=type_,
        proposed_on=on,
        today=max(today, on),
        incident_id=incident,
        origin=origin,
        external_ref=external_ref,
    )
    mitigated = [c for c in cases if c.decision is ToleranceDecision.MITIGATE]
    if mitigated:
        sanction.mitigate(policy.catalogue, case_id=mitigated[-1].id, to_type=None)
    await uow.sanctions.add(sanction)
    return sanction


async def record_admonishment(uow: ToleranceUnitOfWork, *, talk_id: str, cadre_id: str, issued_on: dt.date) -> None:
    """Turns an admonishment talk held by appraisal into its restrictions, once per talk."""
    policy = uow.context.policy
    external_ref = f"talk/{talk_id}"
    if await uow.sanctions.by_external_ref(external_ref) is not None:
        return
    post, rank = await uow.projections.original_levels(cadre_id, issued_on)
    sanction, restrictions = Sanction.admonish(
        policy.catalogue,
        sanction_id=new_id(),
        cadre_id=cadre_id,
        issued_on=issued_on,
        external_ref=external_ref,
        new_id=_rst_id,
        original_post_level=post,
        original_rank_code=rank,
    )
    await uow.sanctions.add(sanction)
    await uow.restrictions.add_many(restrictions)
    await uow.projections.complete_admonishment_tasks(cadre_id=cadre_id, done_on=issued_on, sanction_id=sanction.id)


async def apply_appeal(
    uow: ToleranceUnitOfWork,
    *,
    appeal_id: str,
    stage: AppealStage,
    result: AppealResult,
    target_ref: str,
    varied_to: str | None,
    decided_on: dt.date,
    today: dt.date,
) -> str:
    """Applies an appeal decision on a sanction once per (appeal, stage); returns what was done."""
    policy = uow.context.policy
    if not target_ref.startswith("sanction/"):
        return "NOT_A_SANCTION"
    sanction_id = target_ref.split("/", 1)[1]
    seen = await uow.appeals.stages_seen(sanction_id)
    if await uow.appeals.applied(appeal_id, stage.value):
        return "DUPLICATE"
    sanction = await uow.sanctions.get(sanction_id)
    if sanction is None:
        raise PermanentEventError(f"appeal {appeal_id} targets unknown sanction {sanction_id}")
    outcome = _appeal_outcome(sanction, result, stage, seen)
    varied = False
    if outcome == "APPLY":
        restrictions = await uow.restrictions.of_source([restriction_source(sanction.system)], sanction.id)
        try:
            if result is AppealResult.REVOKED:
                sanction.revoke(policy.catalogue, appeal_id=appeal_id, on=decided_on, restrictions=restrictions)
                outcome = "REVOKED"
            else:
                try:
                    new_type = SanctionType(varied_to or "")
                except ValueError:
                    raise PermanentEventError(f"appeal {appeal_id} varied to an unknown type") from None
                fresh = sanction.vary(
                    policy.catalogue,
                    new_type=new_type,
                    appeal_id=appeal_id,
                    on=decided_on,
                    restrictions=restrictions,
                    new_id=_rst_id,
                )
                await uow.restrictions.add_many(fresh)
                outcome = "VARIED"
                varied = True
        except DomainError as exc:
            raise PermanentEventError(f"appeal {appeal_id} cannot apply: {exc.message}") from None
        await uow.restrictions.save_many([r for r in restrictions if r.events])
        await uow.sanctions.save(sanction)
    await uow.appeals.record(
        appeal_id=appeal_id,
        stage=stage.value,
        sanction_id=sanction_id,
        result=result.value,
        varied_to=varied_to,
        decided_on=decided_on,
        outcome=outcome,
    )
    if varied:
        # A shorter period may already be over: a removed cadre can become eligible for reinstatement now.
        await open_eligible_reinstatements(uow, cadre_ids={sanction.cadre_id}, today=today)
    return outcome


def _appeal_outcome(sanction: Sanction, result: AppealResult, stage: AppealStage, seen_stages: list[str]) -> str:
    if result not in (AppealResult.VARIED, AppealResult.REVOKED):
        return "NO_CHANGE"
    if sanction.status is SanctionStatus.REVOKED:
        return "ALREADY_REVOKED"
    if sanction.status not in (SanctionStatus.EFFECTIVE, SanctionStatus.EXTENDED, SanctionStatus.EXPIRED):
        raise PermanentEventError(f"appeal on sanction {sanction.id} in state {sanction.status.value}")
    # A decision of a later stage was applied already: this earlier one arrived late and is superseded.
    if any(STAGE_ORDER.get(AppealStage(s), 0) > STAGE_ORDER[stage] for s in seen_stages):
        return "SUPERSEDED"
    return "APPLY"
