"""Talk use cases: schedule, record (诫勉 → admonishment_issued), reply, recurring schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal, Role
from kernel.directory import DirCadre
from kernel.errors import Forbidden, NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.appraisal.domain.rules.talks import SCHEDULE_REASONS, TALK_TYPES, next_occurrence, reply_due
from services.appraisal.domain.talk import Talk
from services.appraisal.service_layer import commands
from services.appraisal.service_layer.scope import visible_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


def _may_admonish(principal: Principal) -> None:
    if not principal.has(Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER):
        raise Forbidden(
            "only the organization department or discipline inspection may hold 诫勉", rule="talk.admonishment_roles"
        )


async def schedule_talk(cmd: commands.ScheduleTalk, uow: AppraisalUnitOfWork, *, principal: Principal) -> str:
    """Schedules a talk with a cadre in scope."""
    if cmd.type == "ADMONISHMENT":
        _may_admonish(principal)
    async with uow:
        cadre = await visible_cadre(uow, principal, cmd.cadre_id)
        cadre.dated_fact(cmd.scheduled_on, field="scheduled_on", rule="talk.scheduled_on")
        talk = Talk.schedule(
            talk_id=new_id(),
            type=cmd.type,
            cadre_id=cadre.cadre_id,
            org_unit_id=cadre.org_unit_id,
            scheduled_on=cmd.scheduled_on,
            reason_ref=cmd.reason_ref,
            created_by=principal.subject,
        )
        await uow.talks.add(talk, org_path=cadre.org_path)
        return await uow.commit(talk.id)


async def _load(
    uow: AppraisalUnitOfWork, principal: Principal, talk_id: str, *, self_only: bool = False
) -> tuple[Talk, DirCadre]:
    talk = await uow.talks.get(talk_id, lock=True)
    if talk is None:
        raise NotFound("talk not found", field="talk_id", rule="scope.talk")
    return talk, await visible_cadre(uow, principal, talk.cadre_id, self_only=self_only)


async def record_talk(
    cmd: commands.RecordTalk, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict:
    """Records a held talk; sets the reply deadline in working days; a 诫勉 emits admonishment_issued."""
    async with uow:
        talk, cadre = await _load(uow, principal, cmd.talk_id)
        if talk.type == "ADMONISHMENT":
            _may_admonish(principal)
        cadre.dated_fact(cmd.held_on, field="held_on", rule="talk.held_on")
        due = reply_due(talk.type, cmd.held_on, uow.context.settings.talk_reply_working_days, uow.context.calendar)
        talk.record(
            held_on=cmd.held_on, minutes_ref=cmd.minutes_ref, outcome=cmd.outcome, reply_due_on=due, today=today
        )
        await uow.talks.save(talk)
        return await uow.commit({**state_of(talk), "reply_due_on": due})


async def reply_talk(
    cmd: commands.ReplyTalk, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records the cadre's own reply."""
    async with uow:
        talk, _ = await _load(uow, principal, cmd.talk_id, self_only=True)
        talk.reply(reply_ref=cmd.reply_ref, today=today)
        await uow.talks.save(talk)
        return await uow.commit(state_of(talk))


async def cancel_talk(talk_id: str, uow: AppraisalUnitOfWork, *, principal: Principal) -> dict[str, Any]:
    """Cancels a scheduled talk."""
    async with uow:
        talk, _ = await _load(uow, principal, talk_id)
        if talk.type == "ADMONISHMENT":
            _may_admonish(principal)
        talk.cancel()
        await uow.talks.save(talk)
        return await uow.commit(state_of(talk))


async def create_schedule(
    cmd: commands.CreateTalkSchedule, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Creates a recurring schedule (一把手, or cadres on urgent and hard front-line tasks)."""
    if cmd.type == "ADMONISHMENT" or cmd.type not in TALK_TYPES:
        raise RuleViolation("a recurring schedule holds routine talks, not 诫勉", rule="talk_schedule.type")
    if cmd.reason not in SCHEDULE_REASONS:
        raise RuleViolation("reason must be one of " + ", ".join(SCHEDULE_REASONS), rule="talk_schedule.reason")
    if not 1 <= cmd.every_months <= 24:
        raise RuleViolation("every_months must be 1..24", rule="talk_schedule.every_months")
    if cmd.first_on < today:
        raise RuleViolation("first_on cannot be in the past", rule="talk_schedule.first_on")
    async with uow:
        cadre = await visible_cadre(uow, principal, cmd.cadre_id)
        row_id = new_id()
        await uow.schedules.add(
            id=row_id,
            cadre_id=cadre.cadre_id,
            org_path=cadre.org_path,
            type=cmd.type,
            reason=cmd.reason,
            every_months=cmd.every_months,
            next_on=cmd.first_on,
            active=True,
            created_by=principal.subject,
        )
        return await uow.commit(row_id)


async def materialize_schedules(
    uow: AppraisalUnitOfWork, *, today: dt.date, horizon_days: int = 30, limit: int = 500
) -> int:
    """Creates the talks that recurring schedules owe within the horizon; replica-safe (claims by next_on)."""
    created = 0
    async with uow:
        for row in await uow.schedules.due(today + dt.timedelta(days=horizon_days), limit):
            following = next_occurrence(row["next_on"], row["every_months"])
            if not await uow.schedules.claim(row["id"], row["next_on"], following):
                continue  # another replica took it
            created += await uow.schedules.add_talk(row)
        await uow.commit()
    return created
