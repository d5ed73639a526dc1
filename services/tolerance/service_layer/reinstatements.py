"""Reinstatement use cases: the cadre's report, opinions, fact finding, upper consultation, decision, announcement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal, Role
from kernel.errors import Forbidden, NotFound, RuleViolation
from kernel.schemas import state_of
from services.tolerance.domain.reinstatement import Objection, Reinstatement
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import cadre_for_action, own_cadre
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork

# Who takes each step: the organization department leads; the discipline body gives its own opinion.
STEP_ROLES = {
    "org-opinion": (Role.ORG_ADMIN,),
    "discipline-opinion": (Role.DISCIPLINE_OFFICER,),
    "fact-finding": (Role.ORG_ADMIN,),
    "upper-consultation": (Role.ORG_ADMIN,),
    "decision": (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER),
    "announcement": (Role.ORG_ADMIN,),
}


async def _load(uow: ToleranceUnitOfWork, reinstatement_id: str) -> Reinstatement:
    item = await uow.reinstatements.get(reinstatement_id)
    if item is None:
        raise NotFound("reinstatement not found", field="reinstatement_id", rule="reinstatement.id")
    return item


async def advance_reinstatement(
    cmd: commands.ReinstatementStep, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Runs one step of the reinstatement procedure."""
    async with uow:
        item = await _load(uow, cmd.reinstatement_id)
        if cmd.action == "report":
            await own_cadre(uow, principal, item.cadre_id)
            item.report(on=cmd.on, today=today, summary=cmd.text)
        else:
            roles = STEP_ROLES.get(cmd.action)
            if roles is None:
                raise RuleViolation(f"unknown step {cmd.action}", rule="reinstatement.step")
            await cadre_for_action(uow, principal, item.cadre_id)
            if not principal.has(*roles):
                raise Forbidden(
                    f"your role may not take the step {cmd.action}",
                    rule="reinstatement.role",
                    required_roles=sorted(r.value for r in roles),
                )
            await _step(uow, item, cmd, today=today)
        await uow.reinstatements.save(item)
        await uow.audit(principal, cmd.action.upper().replace("-", "_"), "reinstatement", item.id)
        return await uow.commit(state_of(item))


async def _step(
    uow: ToleranceUnitOfWork, item: Reinstatement, cmd: commands.ReinstatementStep, *, today: dt.date
) -> None:
    policy = uow.context.policy
    enabled = policy.upper_consultation_enabled
    if cmd.action == "org-opinion":
        assert cmd.target_post is not None
        item.give_org_opinion(
            on=cmd.on,
            today=today,
            opinion=cmd.text,
            target_post=cmd.target_post,
            target_post_level=cmd.target_post_level,
            upper_enabled=enabled,
        )
    elif cmd.action == "discipline-opinion":
        assert cmd.favourable is not None
        item.give_discipline_opinion(on=cmd.on, today=today, opinion=cmd.text, favourable=cmd.favourable)
    elif cmd.action == "fact-finding":
        item.find_facts(
            on=cmd.on,
            today=today,
            survey_done=cmd.survey_done,
            objection=cmd.objection or Objection.NONE,
            note=cmd.text,
        )
    elif cmd.action == "upper-consultation":
        assert cmd.reference is not None and cmd.agreed is not None
        item.consult_upper_level(on=cmd.on, today=today, reference=cmd.reference, agreed=cmd.agreed)
    elif cmd.action == "decision":
        assert cmd.approved is not None and cmd.body is not None
        restrictions = await uow.restrictions.of_cadre(item.cadre_id)
        item.decide(
            on=cmd.on,
            today=today,
            approved=cmd.approved,
            body=cmd.body,
            note=cmd.text,
            target_post=cmd.target_post,
            target_post_level=cmd.target_post_level,
            restrictions=restrictions,
            upper_enabled=enabled,
        )
    elif cmd.action == "announcement":
        item.announce(on=cmd.on, today=today)
