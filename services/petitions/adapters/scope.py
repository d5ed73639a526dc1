"""Who sees which petitions matter, as SQL: the suite's access rule (kernel.access) applied to reports, appeals,
deadlines, units and cadres of the directory.

The clauses are shared by the read side (views) and the use cases (`ScopeRepository`, on the unit of work), so that
a list and a single read or write answer the same question the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, in_subtree
from kernel.auth import Principal, Role
from kernel.directory import Directory
from services.petitions.adapters import orm
from services.petitions.adapters.directory import DIRECTORY
from services.petitions.domain.vocab import OUTCOME_STATES

# Roles that read open reports (docs/permissions.md: petitions staff and discipline officers).
OPEN_READERS = frozenset({Role.PETITIONS_STAFF, Role.DISCIPLINE_OFFICER})
# Roles that read reports only once closed, with their outcomes (rule 5).
OUTCOME_READERS = frozenset({Role.ORG_ADMIN, Role.ASSESSOR, Role.AUDITOR})


def reads_open(access: Access) -> bool:
    """Tells whether the caller reads open reports (petitions staff and discipline officers)."""
    return access.principal.has(*OPEN_READERS)


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
    handled_here = exists(
        select(u.c.org_unit_id).where(u.c.org_unit_id == r.c.handling_org_unit_id, in_prefix(u.c.path, access.prefix))
    )
    if outcomes_only:
        accused_here = exists(
            select(a.c.cadre_id)
            .select_from(a.join(c, c.c.cadre_id == a.c.cadre_id))
            .where(a.c.report_id == r.c.id, in_prefix(c.c.org_path, access.prefix))
        )
        clause = and_(r.c.status.in_(sorted(OUTCOME_STATES)), or_(handled_here, accused_here))
    else:
        clause = handled_here
    return and_(clause, *not_about_me(access, r.c.id))


def appeal_scope(access: Access) -> Any:
    """The appeals a staff caller may see: filed in their subtree, never by their relatives (kernel.access)."""
    ap, u = orm.appeal, orm.directory.org_unit
    clauses = [
        exists(select(u.c.org_unit_id).where(u.c.org_unit_id == ap.c.org_unit_id, in_prefix(u.c.path, access.prefix)))
    ]
    if access.relatives:
        clauses.append(ap.c.appellant_cadre_id.is_(None) | ap.c.appellant_cadre_id.not_in(sorted(access.relatives)))
    return and_(*clauses)


async def unit_in_scope(conn: AsyncConnection, access: Access, unit_id: str) -> str | None:
    """Returns the path of an active unit inside the caller's subtree, or None."""
    t = orm.directory.org_unit
    return (
        await conn.execute(
            select(t.c.path).where(t.c.org_unit_id == unit_id, t.c.active.is_(True), access.unit_clause(t.c.path))
        )
    ).scalar()


async def cadre_in_scope(conn: AsyncConnection, access: Access, cadre_id: str) -> str | None:
    """Returns the org unit of a cadre the caller may deal with in a petitions matter (kernel.access, sensitive:
    never themself or a relative), or None."""
    c = orm.directory.cadre
    row = (await conn.execute(select(c.c.org_unit_id, c.c.org_path).where(c.c.cadre_id == cadre_id))).first()
    if row is None or not access.sees(cadre_id, row[1], sensitive=True):
        return None
    return row[0]


class ScopeRepository:
    """The caller's access and what it reaches, read in the unit of work's transaction."""

    def __init__(self, conn: AsyncConnection, directory: Directory | None = None) -> None:
        self.conn = conn
        self.directory = directory or DIRECTORY

    async def access(self, principal: Principal) -> Access:
        """Resolves the caller's access (kernel.access): subtree, self-service, relatives."""
        return await self.directory.access(self.conn, principal)

    async def report_visible(self, access: Access, report_id: str, *, outcomes_only: bool | None = None) -> bool:
        """Tells whether the caller may see a report (the caller answers 404 otherwise)."""
        r = orm.report
        row = (
            await self.conn.execute(
                select(r.c.id).where(r.c.id == report_id, report_scope(access, outcomes_only=outcomes_only))
            )
        ).first()
        return row is not None

    async def appeal_visible(self, access: Access, appeal_id: str) -> bool:
        """Tells whether a staff caller may see an appeal (filed in their subtree, not by a relative)."""
        ap = orm.appeal
        found = (await self.conn.execute(select(ap.c.id).where(ap.c.id == appeal_id, appeal_scope(access)))).first()
        return found is not None

    async def deadline_visible(self, access: Access, deadline_id: str) -> bool:
        """Tells whether a deadline belongs to a unit of the caller's subtree."""
        d, u = orm.deadline, orm.directory.org_unit
        found = (
            await self.conn.execute(
                select(d.c.id)
                .join(u, u.c.org_unit_id == d.c.org_unit_id)
                .where(d.c.id == deadline_id, in_prefix(u.c.path, access.prefix))
            )
        ).first()
        return found is not None

    async def unit_in_scope(self, access: Access, unit_id: str) -> str | None:
        """Returns the path of an active unit inside the caller's subtree, or None."""
        return await unit_in_scope(self.conn, access, unit_id)

    async def cadre_in_scope(self, access: Access, cadre_id: str) -> str | None:
        """Returns the org unit of a cadre the caller may deal with in a petitions matter, or None."""
        return await cadre_in_scope(self.conn, access, cadre_id)
