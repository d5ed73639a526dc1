"""Recording past appeals (申诉) and their outcomes: facts with their real dates and provenance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.access import cadre_not_found
from kernel.auth import Principal, Role
from kernel.contracts.vocabulary import AppealResult, AppealTarget
from kernel.errors import Conflict, Forbidden, RuleViolation
from kernel.ids import new_id
from services.petitions.domain.appeal import stage_value
from services.petitions.domain.appeal_history import (
    HistorySource,
    Outcome,
    PastAppeal,
    normalize_document_number,
    record,
)
from services.petitions.domain.rules.appeals import DECIDERS, PROJECTED, TARGET_PREFIX, next_stage
from services.petitions.domain.rules.deadlines import APPEAL_DECISION
from services.petitions.service_layer import commands
from services.petitions.service_layer.appeals import _decision, _rule, target_value
from services.petitions.service_layer.deadlines import plan_deadlines
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW


def _outcome(value: str) -> AppealResult:
    try:
        return AppealResult(value)
    except ValueError:
        raise RuleViolation("unknown outcome", rule="appeal_history.outcome", field="outcome") from None


def _recorded_values(row: Any) -> tuple[Any, ...]:
    return (
        row["decision_on"],
        row["notified_on"],
        row["filed_on"],
        row["accepted_on"],
        row["outcome"],
        row["decided_on"],
        row["varied_to"],
        row["document_number"],
        row["reasons"],
        row["previous_appeal_id"],
    )


async def record_past_appeal(
    cmd: commands.RecordPastAppeal, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records an appeal filed and decided in the past, by a role that decides that target type live: the same
    rules (filing period from the real notification, never heavier) and the same `appeal_decided` event on the
    real decision date. The same (appellant, decision, stage) with the same values changes nothing; with other
    values it is a correction (a new revision; the decision already sent cannot change)."""
    tools = uow.context
    target = target_value(cmd.target_type)
    if target is AppealTarget.XINFANG:
        # A general petition's 复查/复核 concerns its petitioner (a reporter), not a cadre's decision.
        raise RuleViolation(
            "a general petition's review is not recorded as a past appeal",
            rule="appeal_history.target_type",
            field="target_type",
        )
    rule = _rule(tools, target, cmd.stage)
    prefix = TARGET_PREFIX[target] + "/"
    if not cmd.target_ref.startswith(prefix) or len(cmd.target_ref) <= len(prefix):
        raise RuleViolation(
            f"target_ref names a {TARGET_PREFIX[target]}/<id>", rule="appeal.target_ref", field="target_ref"
        )
    deciders = DECIDERS[target]
    if not any(principal.has(Role(r)) for r in deciders):
        raise Forbidden(f"{target.value} appeals are decided by {', '.join(sorted(deciders))}", rule="appeal.decider")
    outcome = _outcome(cmd.outcome)
    try:
        source = HistorySource(cmd.source)
    except ValueError:
        raise RuleViolation("unknown source", rule="appeal_history.source", field="source") from None
    async with uow:
        access = await uow.scope.access(principal)
        appellant = cmd.appellant_cadre_id
        unit_id = await uow.scope.cadre_in_scope(access, appellant)  # never the caller or a relative
        entry = await uow.directory.cadre(appellant) if unit_id is not None else None
        if unit_id is None or entry is None:
            raise cadre_not_found("appellant_cadre_id")
        original: str | None = None
        if target in PROJECTED:
            original, decision_on = await _decision(uow, target, cmd.target_ref, appellant)
        elif cmd.decision_on is None:
            raise RuleViolation(
                "give decision_on, the date of the decision appealed", rule="appeal.decision_on", field="decision_on"
            )
        else:
            decision_on = cmd.decision_on
        fact = PastAppeal(
            appellant_cadre_id=appellant,
            target_type=target.value,
            target_ref=cmd.target_ref,
            stage=rule.stage.value,
            decision_on=decision_on,
            notified_on=cmd.notified_on,
            filed_on=cmd.filed_on,
            outcome=outcome,
            decided_on=cmd.decided_on,
            document_number=cmd.document_number.strip(),
            source=source,
            accepted_on=cmd.accepted_on,
            varied_to=cmd.varied_to,
            reasons=cmd.reasons,
            previous_appeal_id=cmd.previous_appeal_id,
        )
        fact.check(today=today)
        entry.dated_fact(decision_on, field="decision_on", rule="appeal_history.before_entry")
        entry.dated_fact(fact.filed_on, field="filed_on", rule="appeal_history.before_entry")
        previous = None
        if cmd.previous_appeal_id is not None:
            earlier = await uow.appeals.get(cmd.previous_appeal_id)
            if earlier is None or earlier.target_ref != cmd.target_ref or earlier.appellant_cadre_id != appellant:
                raise RuleViolation(
                    "the previous appeal is not an appeal against the same decision by the same appellant",
                    rule="appeal.previous",
                    field="previous_appeal_id",
                )
            if next_stage(tools.appeal_rules, target, stage_value(earlier.stage)) is not rule.stage:
                raise RuleViolation(f"{rule.stage.value} does not follow {earlier.stage}", rule="appeal.stage")
            previous = earlier.previous_view()
        current = await uow.appeal_records.latest(appellant, cmd.target_ref, rule.stage.value)
        if current is not None and _recorded_values(current) == fact.values():
            return await uow.commit(
                {
                    "id": current["appeal_id"],
                    "record_id": current["id"],
                    "revision": current["revision"],
                    "outcome": Outcome.UNCHANGED.value,
                    "status": (await uow.appeals.get(current["appeal_id"])).status,
                }
            )  # type: ignore
        common = dict(
            rule=rule,
            previous=previous,
            original_value=original,
            recorded_by=principal.subject,
            org_unit_id=unit_id,
            grounds=cmd.grounds,
            calendar=tools.calendar,
            today=today,
        )
        if current is None:
            if await uow.appeals.active_for(cmd.target_ref, rule.stage.value):
                raise Conflict("this decision is already appealed at this stage", rule="appeal.duplicate")
            appeal = record(fact, appeal_id=new_id(), **common)  # type: ignore[arg-type]
            await uow.appeals.add(appeal)
            await plan_deadlines(uow, appeal.events, org_unit_id=unit_id, appeal_rule=rule)
            result = Outcome.RECORDED
        else:
            existing = await uow.appeals.get(current["appeal_id"])
            assert existing is not None
            if (current["outcome"], current["varied_to"], current["decided_on"]) != fact.decision():
                # The owner applied the decision once per (appeal, stage) (a revocation is not undone).
                raise Conflict(
                    "the outcome of a recorded appeal was sent to the decision's owner and is not corrected this way",
                    rule="appeal_history.decided",
                )
            appeal = record(fact, appeal_id=existing.id, **common)  # type: ignore[arg-type]
            appeal.events.clear()  # the decision sent is unchanged: nothing to send again
            appeal.version = existing.version
            await uow.appeals.save(appeal)
            if appeal.accepted_on is not None and appeal.decision_due_on is not None:
                # The decision period follows the corrected acceptance (met on the same day).
                await uow.deadlines.reschedule(
                    appeal.id, APPEAL_DECISION, start_on=appeal.accepted_on, due_on=appeal.decision_due_on
                )
            result = Outcome.CORRECTED
        revision = (current["revision"] + 1) if current is not None else 1
        record_id = new_id()
        await uow.appeal_records.add(
            id=record_id,
            appeal_id=appeal.id,
            revision=revision,
            appellant_cadre_id=appellant,
            target_type=target.value,
            target_ref=cmd.target_ref,
            stage=rule.stage.value,
            previous_appeal_id=cmd.previous_appeal_id,
            decision_on=decision_on,
            notified_on=fact.notified_on,
            filed_on=fact.filed_on,
            accepted_on=fact.accepted_on,
            outcome=outcome.value,
            decided_on=fact.decided_on,
            varied_to=fact.varied_to,
            reasons=fact.values()[8],
            document_number=normalize_document_number(fact.document_number),
            source=source.value,
            recorded_by=principal.subject,
        )
        await uow.audit(principal, "RECORD_PAST" if result is Outcome.RECORDED else "CORRECT_PAST", "appeal", appeal.id)
        return await uow.commit(
            {
                "id": appeal.id,
                "record_id": record_id,
                "revision": revision,
                "outcome": result.value,
                "status": str(appeal.status),
            }
        )
