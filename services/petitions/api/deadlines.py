"""Deadline routes: the overdue list and upcoming deadlines, the rule tables, pause/resume/extend."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from kernel.auth import Role
from kernel.deps import ReaderDep, TodayDep
from kernel.idempotency import IdempotencyOptional
from kernel.pagination import PageDep
from kernel.security import PrincipalDep, require
from services.petitions import views
from services.petitions.api import schemas as s
from services.petitions.api.dependencies import ContextDep, UowDep
from services.petitions.service_layer import commands, deadlines
from services.petitions.service_layer.access import access_for

router = APIRouter(prefix="/api/v1/deadlines", tags=["deadlines"], responses=s.PROBLEM_RESPONSES)
READERS = require(Role.DISCIPLINE_OFFICER, Role.PETITIONS_STAFF, Role.AUDITOR)
WRITERS = require(Role.DISCIPLINE_OFFICER, Role.PETITIONS_STAFF)


@router.get("", response_model=s.DeadlinePage, dependencies=[READERS])
async def list_deadlines(
    conn: ReaderDep,
    tools: ContextDep,
    principal: PrincipalDep,
    page: PageDep,
    today: TodayDep,
    state: Literal["OVERDUE", "DUE_SOON", "OPEN", "ALL"] = "OVERDUE",
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=24, pattern=r"^[A-Z_]+$")] = None,
) -> s.DeadlinePage:
    """Lists deadlines of the caller's subtree (by default the overdue list), earliest due first."""
    access = await access_for(conn, tools.directory, principal)
    items, cursor = await views.list_deadlines(
        conn, access, page, state=state, today=today, org_unit_id=org_unit_id, kind=kind
    )
    return s.DeadlinePage(items=[s.DeadlineRead(**i) for i in items], next_cursor=cursor)


@router.get("/rules", response_model=s.RulesRead, dependencies=[READERS])
async def deadline_rules(tools: ContextDep) -> s.RulesRead:
    """Returns the deadline table and the appeals matrix in force, with their sources and confidence."""
    return s.RulesRead(
        deadlines=[
            s.RuleRead(
                key=r.kind,
                period=str(r.period),
                source=r.source,
                confidence=r.confidence,
                detail={
                    "anchor": r.anchor,
                    "step": r.step,
                    "pausable": r.pausable,
                    "max_extension": str(r.max_extension) if r.max_extension else None,
                },
            )
            for r in tools.deadline_rules.values()
        ],
        appeals=[
            s.RuleRead(
                key=r.key,
                period=str(r.decision) if r.decision else None,
                source=r.source,
                confidence=r.confidence,
                detail={
                    "body": r.body,
                    "filing_first": str(r.filing_first) if r.filing_first else None,
                    "filing_after": str(r.filing_after) if r.filing_after else None,
                    "requires_previous": r.requires_previous,
                    "max_extension": str(r.max_extension) if r.max_extension else None,
                    "decision_pausable": r.decision_pausable,
                    "final": r.final,
                },
            )
            for r in tools.appeal_rules.values()
        ],
    )


@router.post("/{deadline_id}/pause", response_model=s.DeadlineState, dependencies=[WRITERS])
async def pause_deadline(
    deadline_id: str,
    body: s.DeadlinePause,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.DeadlineState:
    """Stops the clock where the rules exclude time (e.g. a hearing in a 复核)."""
    return s.DeadlineState(
        **await idem.run(
            uow,
            lambda: deadlines.pause_deadline(
                commands.PauseDeadline(deadline_id, body.reason), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{deadline_id}/resume", response_model=s.DeadlineState, dependencies=[WRITERS])
async def resume_deadline(
    deadline_id: str,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.DeadlineState:
    """Restarts the clock; the due date moves by the paused time."""
    return s.DeadlineState(
        **await idem.run(
            uow,
            lambda: deadlines.resume_deadline(
                commands.ResumeDeadline(deadline_id), uow, principal=principal, today=today
            ),
        )
    )


@router.post("/{deadline_id}/extend", response_model=s.DeadlineState, dependencies=[WRITERS])
async def extend_deadline(
    deadline_id: str,
    body: s.DeadlineExtend,
    uow: UowDep,
    principal: PrincipalDep,
    idem: IdempotencyOptional,
    today: TodayDep,
) -> s.DeadlineState:
    """Extends a deadline within the limit the rules allow with approval (the caller's approval is recorded)."""
    return s.DeadlineState(
        **await idem.run(
            uow,
            lambda: deadlines.extend_deadline(
                commands.ExtendDeadline(deadline_id, body.days, body.reason), uow, principal=principal, today=today
            ),
        )
    )
