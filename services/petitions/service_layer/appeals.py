"""Appeals (申诉): filing with the statutory period checked, acceptance, review and decision by target type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from kernel.access import cadre_not_found
from kernel.auth import Principal, Role
from kernel.contracts.vocabulary import AppealTarget
from kernel.errors import Conflict, Forbidden, NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.petitions.domain.appeal import Appeal, stage_value
from services.petitions.domain.rules.appeals import DECIDERS, PROJECTED, TARGET_PREFIX, StageRule, next_stage, rule_for
from services.petitions.domain.vocab import OUTCOME_STATES, PetitionType
from services.petitions.service_layer import commands
from services.petitions.service_layer.access import require_report
from services.petitions.service_layer.context import PetitionsContext
from services.petitions.service_layer.deadlines import plan_deadlines
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW


def target_value(value: str) -> AppealTarget:
    """Parses a target type (a rule violation when unknown)."""
    try:
        return AppealTarget(value)
    except ValueError:
        raise RuleViolation("unknown target type", rule="appeal.target_type") from None


def _rule(tools: PetitionsContext, target: AppealTarget, stage: str) -> StageRule:
    rule = rule_for(tools.appeal_rules, target, stage_value(stage))
    if rule is None:
        raise RuleViolation(f"{target.value} has no {stage} stage", rule="appeal.stage")
    return rule


async def file(cmd: commands.FileAppeal, uow: UOW, *, principal: Principal, today: dt.date) -> dict[str, Any]:
    """Files an appeal by the cadre themself or, on their behalf, by petitions staff."""
    tools = uow.context
    target = target_value(cmd.target_type)
    rule = _rule(tools, target, cmd.stage)
    if (
        not cmd.target_ref.startswith(TARGET_PREFIX[target] + "/")
        or len(cmd.target_ref) <= len(TARGET_PREFIX[target]) + 1
    ):
        raise RuleViolation(f"target_ref names a {TARGET_PREFIX[target]}/<id>", rule="appeal.target_ref")
    staff = principal.has(Role.PETITIONS_STAFF)
    async with uow:
        access = await uow.scope.access(principal)
        original, decision_on = None, cmd.decision_on
        if target is AppealTarget.XINFANG:
            if not staff or cmd.appellant_cadre_id is not None:
                raise RuleViolation(
                    "a general petition's review is filed by petitions staff for its petitioner, without a cadre id",
                    rule="appeal.appellant",
                )
            report_id = cmd.target_ref.split("/", 1)[1]
            await require_report(uow, access, report_id)
            report = await uow.reports.get(report_id)
            assert report is not None
            if report.petition_type != PetitionType.GENERAL or report.status not in OUTCOME_STATES:
                raise RuleViolation("only a concluded general petition is reviewed", rule="appeal.target_ref")
            appellant, unit_id, decision_on = None, report.handling_org_unit_id, report.closed_on
        else:
            if staff:
                appellant = cmd.appellant_cadre_id
                if appellant is None:
                    raise RuleViolation("name the appellant cadre", rule="appeal.appellant")
                unit_id = await uow.scope.cadre_in_scope(access, appellant)
                if unit_id is None:
                    raise cadre_not_found("appellant_cadre_id")
            else:
                appellant = principal.cadre_id
                if appellant is None or cmd.appellant_cadre_id not in (None, appellant):
                    raise cadre_not_found("appellant_cadre_id")
                entry = await uow.directory.cadre(appellant)
                if entry is None:
                    raise cadre_not_found("appellant_cadre_id")
                unit_id = entry.org_unit_id
            if target in PROJECTED:
                original, decision_on = await _decision(uow, target, cmd.target_ref, appellant)
            elif decision_on is None:
                raise RuleViolation("give decision_on, the date of the decision appealed", rule="appeal.decision_on")
        if decision_on is None or decision_on > today:
            raise RuleViolation("the decision appealed cannot be in the future", rule="appeal.decision_on")
        previous = None
        if cmd.previous_appeal_id is not None:
            earlier = await uow.appeals.get(cmd.previous_appeal_id)
            if earlier is None or earlier.target_ref != cmd.target_ref or earlier.appellant_cadre_id != appellant:
                raise RuleViolation(
                    "the previous appeal is not an appeal against the same decision by the same appellant",
                    rule="appeal.previous",
                )
            if next_stage(tools.appeal_rules, target, stage_value(earlier.stage)) is not rule.stage:
                raise RuleViolation(f"{rule.stage.value} does not follow {earlier.stage}", rule="appeal.stage")
            previous = earlier.previous_view()
        if await uow.appeals.active_for(cmd.target_ref, rule.stage.value):
            raise Conflict("this decision is already appealed at this stage", rule="appeal.duplicate")
        filed_on = cmd.filed_on if (staff and cmd.filed_on) else today
        appeal = Appeal.file(
            appeal_id=new_id(),
            rule=rule,
            appellant_cadre_id=appellant,
            target_ref=cmd.target_ref,
            original_value=original,
            decision_on=decision_on,
            notified_on=cmd.notified_on,
            filed_on=filed_on,
            previous=previous,
            filed_by=principal.subject,
            org_unit_id=unit_id,
            grounds=cmd.grounds,
            calendar=tools.calendar,
            today=today,
        )
        await uow.appeals.add(appeal)
        await uow.audit(principal, "FILE", "appeal", appeal.id)
        return await uow.commit({"id": appeal.id, "status": appeal.status, "filing_deadline": appeal.filing_deadline})


async def _decision(uow: UOW, target: AppealTarget, ref: str, appellant: str) -> tuple[str, dt.date]:
    row = await uow.decisions.get(ref)
    if row is None or row.cadre_id != appellant:
        raise RuleViolation("no such decision about the appellant is known (yet)", rule="appeal.target_unknown")
    if row.target_type != target.value:
        raise RuleViolation(f"the decision is of type {row.target_type}", rule="appeal.target_type")
    if row.status == "REVOKED":
        raise Conflict("the decision was revoked", rule="appeal.target_revoked")
    return row.value, row.decided_on


async def _load(uow: UOW, principal: Principal, appeal_id: str) -> Appeal:
    access = await uow.scope.access(principal)
    found = await uow.scope.appeal_visible(access, appeal_id)
    appeal = await uow.appeals.get(appeal_id) if found else None
    if appeal is None:
        raise NotFound("appeal not found", field="appeal_id", rule="appeal.scope")
    if appeal.appellant_cadre_id is not None and appeal.appellant_cadre_id == principal.cadre_id:
        raise NotFound("appeal not found", field="appeal_id", rule="appeal.scope")
    deciders = DECIDERS[AppealTarget(appeal.target_type)]
    if not any(principal.has(Role(r)) for r in deciders):
        raise Forbidden(
            f"{appeal.target_type} appeals are decided by {', '.join(sorted(deciders))}", rule="appeal.decider"
        )
    return appeal


async def _step(
    appeal_id: str,
    uow: UOW,
    *,
    principal: Principal,
    action: str,
    apply: Callable[[Appeal, StageRule], None],
) -> dict[str, Any]:
    """Runs one step (accept, reject, start the review, decide) by a role that decides this target type."""
    tools = uow.context
    async with uow:
        appeal = await _load(uow, principal, appeal_id)
        rule = _rule(tools, AppealTarget(appeal.target_type), appeal.stage)
        apply(appeal, rule)
        await uow.appeals.save(appeal)
        await plan_deadlines(uow, appeal.events, org_unit_id=appeal.org_unit_id, appeal_rule=rule)
        await uow.audit(principal, action, "appeal", appeal.id)
        return await uow.commit(state_of(appeal))


async def accept_appeal(
    cmd: commands.AcceptAppeal, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Accepts an appeal; the decision period runs from today."""
    return await _step(
        cmd.appeal_id,
        uow,
        principal=principal,
        action="ACCEPT",
        apply=lambda a, rule: a.accept(rule=rule, calendar=uow.context.calendar, by=principal.subject, today=today),
    )


async def reject_appeal(
    cmd: commands.RejectAppeal, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Does not accept an appeal (不予受理), with the reasons."""
    return await _step(
        cmd.appeal_id,
        uow,
        principal=principal,
        action="REJECT",
        apply=lambda a, rule: a.reject(reasons=cmd.reasons, by=principal.subject, today=today),
    )


async def start_appeal_review(
    cmd: commands.StartAppealReview, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Starts the review of an accepted appeal."""
    return await _step(
        cmd.appeal_id, uow, principal=principal, action="REVIEW", apply=lambda a, rule: a.start_review(today=today)
    )


async def decide_appeal(
    cmd: commands.DecideAppeal, uow: UOW, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Decides: upheld, varied (never heavier) or revoked (emits appeal_decided for the decision's owner)."""
    return await _step(
        cmd.appeal_id,
        uow,
        principal=principal,
        action="DECIDE",
        apply=lambda a, rule: a.decide(
            result=cmd.result,
            varied_to=cmd.varied_to,
            reasons=cmd.reasons,
            final=rule.final,
            by=principal.subject,
            today=today,
        ),
    )
