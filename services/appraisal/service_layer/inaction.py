"""Inaction checklist use cases: the catalogue, self-checks, findings and their verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import Conflict, NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.appraisal.domain.inaction import GROUPS, InactionFinding
from services.appraisal.domain.periods import period_range, quarter_pair
from services.appraisal.service_layer import commands
from services.appraisal.service_layer.scope import visible_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

ITEM_FIELDS = (
    "group",
    "sector",
    "domain",
    "region",
    "post_level",
    "description",
    "severity",
    "default_points",
    "triggers_accountability",
    "active",
)


def _check_item(values: dict) -> None:
    if values.get("group") is not None and values["group"] not in GROUPS:
        raise RuleViolation("group must be one of " + ", ".join(GROUPS), rule="inaction_item.group")
    if values.get("severity") is not None and values["severity"] not in (1, 2, 3):
        raise RuleViolation("severity is 1, 2 or 3", rule="inaction_item.severity")
    if values.get("default_points") is not None and not 0 <= values["default_points"] <= 100:
        raise RuleViolation("default_points must be 0..100", rule="inaction_item.default_points")


async def create_item(cmd: commands.CreateInactionItem, uow: AppraisalUnitOfWork, *, principal: Principal) -> str:
    """Adds an item to the catalogue."""
    code, values = cmd.code, cmd.values
    async with uow:
        _check_item(values)
        if await uow.inaction_items.exists(code):
            raise Conflict("an inaction item with this code exists", rule="inaction_item.code_unique", field="code")
        await uow.inaction_items.add(code, {k: values.get(k) for k in ITEM_FIELDS if k != "active"})
        return await uow.commit(code)


async def change_item(cmd: commands.ChangeInactionItem, uow: AppraisalUnitOfWork, *, principal: Principal) -> str:
    """Changes an item of the catalogue (findings keep the severity and points they were reported with)."""
    code, changes = cmd.code, cmd.changes
    async with uow:
        _check_item(changes)
        values = {k: v for k, v in changes.items() if k in ITEM_FIELDS and v is not None}
        if not await uow.inaction_items.change(code, values):
            raise NotFound("inaction item not found", field="code", rule="inaction_item.code")
        return await uow.commit(code)


async def submit_self_check(
    cmd: commands.SubmitSelfCheck, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Records a cadre's own self-check against the active catalogue (one per period)."""
    cadre_id, period_key, answers = cmd.cadre_id, cmd.period_key, cmd.answers
    async with uow:
        cadre = await visible_cadre(uow, principal, cadre_id, self_only=True)
        first, _ = period_range(period_key)
        if first > today:
            raise RuleViolation("the period has not started", rule="self_check.period_key")
        active = await uow.inaction_items.active_codes()
        codes = [a["item_code"] for a in answers]
        unknown = sorted(set(codes) - active)
        if unknown or len(codes) != len(set(codes)):
            raise RuleViolation(
                "answers must name distinct active catalogue items", rule="self_check.items", unknown=unknown
            )
        if await uow.self_checks.exists(cadre_id, period_key):
            raise Conflict("a self-check of this period exists", rule="self_check.one_per_period")
        row_id = new_id()
        await uow.self_checks.add(
            id=row_id,
            cadre_id=cadre_id,
            org_path=cadre.org_path,
            period_key=period_key,
            answers=answers,
            flagged=sum(1 for a in answers if a["status"] == "FLAGGED"),
        )
        return await uow.commit(row_id)


async def report_finding(
    cmd: commands.ReportFinding, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Reports a finding against a catalogue item; it counts only once confirmed."""
    async with uow:
        cadre = await visible_cadre(uow, principal, cmd.cadre_id)
        item = await uow.inaction_items.get(cmd.item_code)
        if item is None:
            raise RuleViolation("unknown inaction item", rule="inaction_finding.item_code", field="item_code")
        finding = InactionFinding.report(
            finding_id=new_id(),
            cadre_id=cadre.cadre_id,
            org_unit_id=cadre.org_unit_id,
            item=item,
            source_type=cmd.source_type,
            source_ref=cmd.source_ref,
            incident_ref=cmd.incident_ref,
            occurred_on=cmd.occurred_on,
            today=today,
        )
        await uow.findings.add(finding, org_path=cadre.org_path)
        return await uow.commit(finding.id)


async def advance_finding(
    cmd: commands.AdvanceFinding, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Moves a finding: verify, confirm, dismiss or refer to tolerance; the index is requeued."""
    finding_id, action, reason = cmd.finding_id, cmd.action, cmd.reason
    async with uow:
        finding = await uow.findings.get(finding_id, lock=True)
        if finding is None:
            raise NotFound("inaction finding not found", field="finding_id", rule="scope.inaction_finding")
        await visible_cadre(uow, principal, finding.cadre_id)
        if action == "verify":
            finding.start_verification()
        elif action == "confirm":
            finding.confirm(today=today)
        elif action == "dismiss":
            finding.dismiss(reason=reason or "DISMISSED")
        elif action == "refer-tolerance":
            finding.refer_to_tolerance()
        else:  # pragma: no cover
            raise ValueError(action)
        await uow.findings.save(finding)
        await uow.mark_dirty(quarter_pair(finding.cadre_id, finding.occurred_on))
        return await uow.commit(state_of(finding))
