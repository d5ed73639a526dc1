"""The figures of an agency's 优秀 quota from the tables: one function for the decision-time check and the read.

The counting unit and the rules are in `domain/rules/quota.py`; this module loads the directory levels, the
year's configuration and the counts of assessed staff and 优秀 grades.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import in_subtree
from kernel.db import utcnow
from kernel.sql import insert_ignore, one_of
from services.appraisal.adapters import orm
from services.appraisal.domain.rules import quota

# An 优秀 place is taken by a final 优秀 and by an 优秀 proposal waiting for publicity or decision.
HOLDING_STATUSES = ("RULE_CHECKED", "PUBLICITY")


@dataclass(frozen=True)
class Standing:
    """An agency's quota for a year: over which unit, its configuration, the places and those taken."""

    org_unit_id: str
    counting_unit_id: str
    counting_unit_level: str | None
    year: int
    pct: float
    raise_approved: bool
    configured: bool
    quota: quota.Quota
    used: int

    @property
    def remaining(self) -> int:
        return max(self.quota.limit - self.used, 0)


def _chain(path: str) -> list[str]:
    return [p for p in path.strip("/").split("/") if p]


Units = dict[str, tuple[str, str | None, set[str]]]  # counting units already read in this transaction, by unit


async def counting_unit(
    conn: AsyncConnection, org_unit_id: str, *, units: Units | None = None
) -> tuple[str, str | None, set[str]]:
    """Returns the unit the quota of `org_unit_id` is counted over, its level and the units counted with it.

    `units`: a cache for one transaction that records many grades (the tree does not change under it)."""
    if units is not None:
        if org_unit_id not in units:
            units[org_unit_id] = await counting_unit(conn, org_unit_id)
        return units[org_unit_id]
    u = orm.directory.org_unit
    path = (await conn.execute(select(u.c.path).where(u.c.org_unit_id == org_unit_id))).scalar()
    if path is None:
        return org_unit_id, None, {org_unit_id}
    chain = _chain(path)
    levels = {
        r[0]: r[1]
        for r in (await conn.execute(select(u.c.org_unit_id, u.c.agency_level).where(u.c.org_unit_id.in_(chain)))).all()
    }
    agency = quota.counting_unit(org_unit_id, chain, levels)
    agency_path = path[: path.index(f"/{agency}/") + len(agency) + 2] if agency != org_unit_id else path
    below = (
        await conn.execute(select(u.c.org_unit_id, u.c.path, u.c.agency_level).where(in_subtree(u.c.path, agency_path)))
    ).all()
    levels.update({r[0]: r[2] for r in below})
    members = quota.counted_units(agency, [(r[0], _chain(r[1])) for r in below], levels)
    return agency, levels.get(agency), members


async def _config(
    conn: AsyncConnection, settings: Any, unit_id: str, year: int, *, write: bool
) -> tuple[float, bool, bool]:
    t = orm.assessment_year
    if write:
        await insert_ignore(
            conn,
            t,
            {
                "org_unit_id": unit_id,
                "year": year,
                "excellent_quota_pct": settings.excellent_quota_pct,
                "quota_raise_approved": False,
                "version": 1,
                "updated_at": utcnow(),
            },
            ["org_unit_id", "year"],
        )
    query = select(t.c.excellent_quota_pct, t.c.quota_raise_approved, t.c.version).where(
        t.c.org_unit_id == unit_id, t.c.year == year
    )
    if write and conn.dialect.name == "postgresql":
        # Serializes concurrent 优秀 proposals of one agency (all its divisions) so that the quota cannot be overrun.
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        return settings.excellent_quota_pct, False, False
    return float(row[0]), bool(row[1]), int(row[2]) > 1


async def ensure_year(
    conn: AsyncConnection, settings: Any, org_unit_id: str, year: int, *, units: Units | None = None
) -> str:
    """Creates the year row of the agency `org_unit_id` counts in (default percentage), without locking it."""
    agency, _, _ = await counting_unit(conn, org_unit_id, units=units)
    await insert_ignore(
        conn,
        orm.assessment_year,
        {
            "org_unit_id": agency,
            "year": year,
            "excellent_quota_pct": settings.excellent_quota_pct,
            "quota_raise_approved": False,
            "version": 1,
            "updated_at": utcnow(),
        },
        ["org_unit_id", "year"],
    )
    return agency


async def standing(
    conn: AsyncConnection,
    settings: Any,
    org_unit_id: str,
    year: int,
    *,
    exclude_assessment_id: str | None = None,
    write: bool = False,
    units: Units | None = None,
) -> Standing:
    """Returns the quota of the agency `org_unit_id` counts in, for a year.

    `write`: inside a write transaction (the decision-time check): creates the agency's year row if missing and
    locks it. `exclude_assessment_id`: the assessment being decided, whose own 优秀 proposal does not count twice.
    """
    agency, level, members = await counting_unit(conn, org_unit_id, units=units)
    pct, raised, configured = await _config(conn, settings, agency, year, write=write)
    t = orm.annual_assessment
    same = and_(one_of(conn, t.c.org_unit_id, sorted(members)), t.c.year == year)
    headcount = (await conn.execute(select(func.count()).where(same))).scalar_one()
    taken = [
        same,
        or_(t.c.final_grade == "EXCELLENT", and_(t.c.status.in_(HOLDING_STATUSES), t.c.proposed_grade == "EXCELLENT")),
    ]
    if exclude_assessment_id is not None:
        taken.append(t.c.id != exclude_assessment_id)
    used = (await conn.execute(select(func.count()).where(*taken))).scalar_one()
    q = quota.compute(
        headcount=headcount,
        pct=pct,
        rounding=settings.excellent_quota_rounding,
        min_one_from=settings.excellent_quota_min_one_from,
    )
    return Standing(
        org_unit_id=org_unit_id,
        counting_unit_id=agency,
        counting_unit_level=level,
        year=year,
        pct=pct,
        raise_approved=raised,
        configured=configured,
        quota=q,
        used=used,
    )


async def configure(
    conn: AsyncConnection, org_unit_id: str, year: int, *, pct: float, raise_approved: bool, approval_ref: str | None
) -> None:
    """Sets the configuration of an agency's year row (which must exist)."""
    t = orm.assessment_year
    await conn.execute(
        update(t)
        .where(t.c.org_unit_id == org_unit_id, t.c.year == year)
        .values(
            excellent_quota_pct=pct,
            quota_raise_approved=raise_approved,
            approval_ref=approval_ref,
            version=t.c.version + 1,
            updated_at=utcnow(),
        )
    )


class QuotaRepository:
    """The quota figures over one transaction's connection, with the service's settings (the functions above)."""

    def __init__(self, conn: AsyncConnection, settings: Any) -> None:
        self.conn = conn
        self.settings = settings

    async def counting_unit(self, org_unit_id: str, *, units: Units | None = None) -> tuple[str, str | None, set[str]]:
        """The unit the quota of `org_unit_id` is counted over, its level and the units counted with it."""
        return await counting_unit(self.conn, org_unit_id, units=units)

    async def ensure_year(self, org_unit_id: str, year: int, *, units: Units | None = None) -> str:
        """Creates the year row of the agency `org_unit_id` counts in; returns the agency."""
        return await ensure_year(self.conn, self.settings, org_unit_id, year, units=units)

    async def standing(
        self,
        org_unit_id: str,
        year: int,
        *,
        exclude_assessment_id: str | None = None,
        write: bool = False,
        units: Units | None = None,
    ) -> Standing:
        """The quota of the agency `org_unit_id` counts in, for a year (`standing` above)."""
        return await standing(
            self.conn,
            self.settings,
            org_unit_id,
            year,
            exclude_assessment_id=exclude_assessment_id,
            write=write,
            units=units,
        )

    async def configure(
        self, org_unit_id: str, year: int, *, pct: float, raise_approved: bool, approval_ref: str | None
    ) -> None:
        """Sets an agency's quota configuration for a year."""
        await configure(self.conn, org_unit_id, year, pct=pct, raise_approved=raise_approved, approval_ref=approval_ref)
