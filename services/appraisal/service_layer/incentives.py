"""Bonus allocation and incentive records (training, rotation) for coverage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import RuleViolation
from kernel.ids import new_id
from services.appraisal.domain.rules import grade_rules
from services.appraisal.domain.rules.bonus import Member, allocate
from services.appraisal.service_layer import commands
from services.appraisal.service_layer.scope import visible_cadre, visible_unit
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

FINAL_STATES = ("DECIDED", "SUPPLEMENTED", "NOTIFIED", "ACKNOWLEDGED", "UNDER_REVIEW", "REVIEWED", "FINAL")
INCENTIVE_RECORD_KINDS = ("TRAINING", "ROTATION")


async def allocate_bonus(
    cmd: commands.AllocateBonus, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Allocates a pool over a unit subtree's final grades by coefficient; each share is explained."""
    async with uow:
        path = await visible_unit(uow, principal, cmd.org_unit_id)
        if cmd.year > today.year:
            raise RuleViolation("the year has not started", rule="bonus.year")
        members = [await _member(uow, row, cmd.year, today) for row in await uow.bonuses.grades_in(path, cmd.year)]
        if not members:
            raise RuleViolation("the unit has no active cadres", rule="bonus.no_member")
        shares = allocate(cmd.pool_cents, members, uow.context.settings.bonus_coefficients)
        row_id = new_id()
        await uow.bonuses.add(
            {
                "id": row_id,
                "org_unit_id": cmd.org_unit_id,
                "org_path": path,
                "year": cmd.year,
                "pool_cents": cmd.pool_cents,
                "coefficients": dict(uow.context.settings.bonus_coefficients),
                "created_by": principal.subject,
            },
            [
                {
                    "allocation_id": row_id,
                    "cadre_id": s.cadre_id,
                    "grade": s.grade,
                    "coefficient": s.coefficient,
                    "amount_cents": s.amount_cents,
                    "explanation": s.explanation[:500],
                }
                for s in shares
            ],
        )
        return await uow.commit(row_id)


async def _member(uow: AppraisalUnitOfWork, row: Any, year: int, today: dt.date) -> Member:
    """A cadre's share basis: the final grade, unless an investigation still open withholds it (补定等次 pending)."""
    final = row.final_grade if row.status in FINAL_STATES else None
    withheld = None
    if final is not None:
        # An investigation still open withholds the bonus until the grade is supplemented (补定等次).
        facts = await uow.grade_facts(row.cadre_id) if row.undetermined_reason == "PENDING_INVESTIGATION" else None
        if facts is not None and any(
            c.reason == "PENDING_INVESTIGATION" for c in grade_rules.evaluate(year, facts, as_of=today)
        ):
            withheld = "investigation open (不定等次 pending 补定等次)"
    return Member(row.cadre_id, final, row.undetermined_reason, withheld)


async def record_incentive(
    cmd: commands.RecordIncentive, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Records a training or rotation that counts as an incentive (promotions and awards come from events)."""
    if cmd.kind not in INCENTIVE_RECORD_KINDS:
        raise RuleViolation("kind must be one of " + ", ".join(INCENTIVE_RECORD_KINDS), rule="incentive.kind")
    if cmd.on_date > today:
        raise RuleViolation("on_date cannot be in the future", rule="incentive.on_date")
    async with uow:
        cadre = await visible_cadre(uow, principal, cmd.cadre_id)
        row_id = new_id()
        await uow.incentives.add(
            id=row_id,
            cadre_id=cadre.cadre_id,
            org_path=cadre.org_path,
            kind=cmd.kind,
            on_date=cmd.on_date,
            ref=cmd.ref,
            created_by=principal.subject,
        )
        return await uow.commit(row_id)
