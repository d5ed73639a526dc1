"""What every petitions use case needs: the service's tools, the caller's access, scope clauses, deadlines, audit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, in_subtree
from kernel.auth import Principal, Role
from kernel.directory import Directory
from kernel.errors import NotFound
from kernel.ids import new_id
from services.petitions.adapters import orm
from services.petitions.domain.deadline import OpenDeadline, SettleDeadlines, ops_for, plan
from services.petitions.domain.rules.appeals import StageRule
from services.petitions.domain.rules.deadlines import APPEAL_DECISION, DeadlineRule
from services.petitions.domain.vocab import OUTCOME_STATES

# Roles that read open reports (docs/permissions.md: petitions staff and discipline officers).
OPEN_READERS = frozenset({Role.PETITIONS_STAFF, Role.DISCIPLINE_OFFICER})
# Roles that read reports only once closed, with their outcomes (rule 5).
OUTCOME_READERS = frozenset({Role.ORG_ADMIN, Role.ASSESSOR, Role.AUDITOR})
PUBLIC = Principal(subject="public", roles=frozenset(), unit_id=None)


def reads_open(access: Access) -> bool:
    """Tells whether the caller reads open reports (petitions staff and discipline officers)."""
    return access.principal.has(*OPEN_READERS)


async def access_for(conn: AsyncConnection, directory: Directory, principal: Principal) -> Access:
    """Resolves the caller's access (kernel.access): subtree, self-service, relatives."""
    return await directory.access(conn, principal)


def in_prefix(column: Any, prefix: str | None) -> ColumnElement[bool]:
    """A path column inside the caller's subtree (LIKE with the prefix escaped: ids may hold '_')."""
    if prefix is None:
        return false()
    return in_subtree(column, prefix)


def not_about_me(access: Access, report_id: Any) -> list[ColumnElement[bool]]:
    """Clauses that hide reports naming the caller or a relative (kernel.access, sensitive).

    The subquery uses its own alias of the accused table, so it stays correct inside queries that join that
    table themselves (the dossier part's open reports).
    """
    excluded = access.excluded(sensitive=True)
    if not excluded:
        return []
    a = orm.report_accused.alias("about_me")
    return [~exists(select(a.c.cadre_id).where(a.c.report_id == report_id, a.c.cadre_id.in_(sorted(excluded))))]


def report_scope(access: Access, *, outcomes_only: bool | None = None) -> ColumnElement[bool]:
    """The reports a caller may see: handled in their subtree (open ones only for staff who handle them);
    closed ones also when an accused cadre belongs to their subtree; never about themselves or relatives."""
    r, u, c = orm.report, orm.directory.org_unit, orm.directory.cadre
    a = orm.report_accused.alias("accused_here")
    if outcomes_only is None:
        outcomes_only = not reads_open(access)
    if access.prefix is None or not (reads_open(access) or access.principal.has(*OUTCOME_READERS)):
        return false()
    handled_here = exists(select(u.c.org_unit_id).where(u.c.org_unit_id == r.c.handling_org_unit_id,
                                                        in_prefix(u.c.path, access.prefix)))
    if outcomes_only:
        accused_here = exists(select(a.c.cadre_id).select_from(a.join(c, c.c.cadre_id == a.c.cadre_id)).where(
            a.c.report_id == r.c.id, in_prefix(c.c.org_path, access.prefix)))
        clause = and_(r.c.status.in_(sorted(OUTCOME_STATES)), or_(handled_here, accused_here))
    else:
        clause = handled_here
    return and_(clause, *not_about_me(access, r.c.id))


async def visible_report(conn: AsyncConnection, access: Access, report_id: str, *, outcomes_only: bool | None = None,
                         ) -> bool:
    """Tells whether the caller may see a report (the caller answers 404 otherwise)."""
    r = orm.report
    row = (await conn.execute(select(r.c.id).where(r.c.id == report_id, report_scope(access, outcomes_only=outcomes_only))
                              )).first()
    return row is not None


async def require_report(conn: AsyncConnection, access: Access, report_id: str) -> None:
    """Raises NotFound unless the caller handles the report (open reports included)."""
    if not await visible_report(conn, access, report_id, outcomes_only=not reads_open(access)):
        raise NotFound("report not found", rule="report.scope", field="report_id")


async def unit_in_scope(conn: AsyncConnection, access: Access, unit_id: str) -> str | None:
    """Returns the path of an active unit inside the caller's subtree, or None."""
    t = orm.directory.org_unit
    return (await conn.execute(select(t.c.path).where(t.c.org_unit_id == unit_id, t.c.active.is_(True),
                                                      access.unit_clause(t.c.path)))).scalar()


async def cadre_in_scope(conn: AsyncConnection, access: Access, cadre_id: str) -> str | None:
    """Returns the org unit of a cadre the caller may deal with in a petitions matter (kernel.access, sensitive:
    never themself or a relative), or None."""
    c = orm.directory.cadre
    row = (await conn.execute(select(c.c.org_unit_id, c.c.org_path).where(c.c.cadre_id == cadre_id))).first()
    if row is None or not access.sees(cadre_id, row[1], sensitive=True):
        return None
    return row[0]


async def plan_deadlines(uow: Any, evts: Iterable[Any], *, org_unit_id: str | None,
                         appeal_rule: StageRule | None = None) -> None:
    """Opens and settles the deadlines the new domain events call for."""
    tools = uow.context
    for event in list(evts):
        for op in ops_for(event):
            if isinstance(op, SettleDeadlines):
                await uow.deadlines.settle(kinds=op.kinds, how=op.how, on=op.on, report_id=op.report_id,
                                           object_id=op.object_id)
                continue
            assert isinstance(op, OpenDeadline)
            if op.kind == APPEAL_DECISION:
                assert appeal_rule is not None and appeal_rule.decision is not None
                rule = DeadlineRule(APPEAL_DECISION, appeal_rule.decision, "acceptance", "decide the appeal",
                                    appeal_rule.source, appeal_rule.confidence, appeal_rule.decision_pausable,
                                    appeal_rule.max_extension)
            else:
                rule = tools.deadline_rules[op.kind]
            deadline = plan(op, deadline_id=new_id(), rule=rule, org_unit_id=org_unit_id, calendar=tools.calendar,
                            reminder_lead_days=tools.settings.deadline_reminder_working_days)
            await uow.deadlines.add(deadline)
