"""Versioned configuration: ladders, points schemes and quotas (the newest version in force wins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from services.rank.adapters import orm
from services.rank.adapters.sql import dumps, loads
from services.rank.domain.ladder import Ladder, ladder_from_dict
from services.rank.domain.points import PointsScheme, default_scheme, scheme_from_dict
from services.rank.domain.rules.ladders import DEFAULT_LADDERS

_DEFAULTS = {series: ladder_from_dict(data) for series, data in DEFAULT_LADDERS.items()}


async def ladder_versions(conn: AsyncConnection, series: str) -> list[Ladder]:
    """Returns every version of a series: the built-in one first, then the stored ones by effective date."""
    t = orm.ladder_version
    rows = (
        await conn.execute(
            select(t.c.definition).where(t.c.series == series).order_by(t.c.effective_from, t.c.created_at)
        )
    ).scalars()
    return [_DEFAULTS[series], *(ladder_from_dict(loads(d)) for d in rows)]


async def ladders_in_force(conn: AsyncConnection, day: dt.date) -> dict[str, Ladder]:
    """Returns the ladder of each series in force on `day`."""
    t = orm.ladder_version
    stored = (
        await conn.execute(
            select(t.c.series, t.c.definition)
            .where(t.c.effective_from <= day)
            .order_by(t.c.effective_from, t.c.created_at)
        )
    ).all()
    ladders = dict(_DEFAULTS)
    for series, definition in stored:
        ladders[series] = ladder_from_dict(loads(definition))
    return ladders


async def add_ladder_version(conn: AsyncConnection, ladder: Ladder, *, created_by: str) -> None:
    """Stores a new ladder version."""
    await conn.execute(
        insert(orm.ladder_version).values(
            series=ladder.series,
            version=ladder.version,
            effective_from=ladder.effective_from,
            source=ladder.source,
            definition=dumps(ladder.to_dict()),
            created_by=created_by,
            created_at=utcnow(),
        )
    )


async def ladder_version_exists(conn: AsyncConnection, series: str, version: str) -> bool:
    t = orm.ladder_version
    builtin = DEFAULT_LADDERS[series]["version"] == version
    return (
        builtin
        or (await conn.execute(select(t.c.version).where(t.c.series == series, t.c.version == version))).first()
        is not None
    )


@dataclass(frozen=True)
class SchemeSet:
    """Every points scheme in force, resolved per org unit by the nearest ancestor that has one."""

    by_unit: dict[str, PointsScheme]
    fallback: PointsScheme

    def for_path(self, path: list[str]) -> PointsScheme:
        """Returns the scheme of the nearest unit on the path (root first) that configured one."""
        for unit_id in reversed(path):
            scheme = self.by_unit.get(unit_id)
            if scheme is not None:
                return scheme
        return self.fallback


async def schemes_in_force(conn: AsyncConnection, day: dt.date) -> SchemeSet:
    """Returns the newest scheme version in force on `day` for every org unit that configured one."""
    t = orm.points_scheme
    rows = (
        await conn.execute(
            select(t.c.id, t.c.org_unit_id, t.c.definition)
            .where(t.c.effective_from <= day)
            .order_by(t.c.effective_from, t.c.created_at)
        )
    ).all()
    by_unit = {
        unit: scheme_from_dict(loads(definition), scheme_id=scheme_id, org_unit_id=unit)
        for scheme_id, unit, definition in rows
    }
    return SchemeSet(by_unit, default_scheme())


@dataclass(frozen=True)
class QuotaRow:
    id: str
    org_unit_id: str
    org_path: str
    bucket: str
    rank_codes: frozenset[str]
    max_count: int
    effective_from: dt.date

    @property
    def key(self) -> str:
        return f"{self.org_unit_id}:{self.bucket}"


async def quotas_in_force(conn: AsyncConnection, day: dt.date, unit_ids: list[str] | None = None) -> list[QuotaRow]:
    """Returns the newest quota per (org unit, bucket) in force on `day`, optionally for some units only."""
    q, u = orm.quota, orm.org_unit
    query = (
        select(q.c.id, q.c.org_unit_id, u.c.path, q.c.bucket, q.c.rank_codes, q.c.max_count, q.c.effective_from)
        .join(u, u.c.id == q.c.org_unit_id)
        .where(q.c.effective_from <= day)
        .order_by(q.c.effective_from, q.c.created_at)
    )
    if unit_ids is not None:
        query = query.where(q.c.org_unit_id.in_(unit_ids))
    newest: dict[tuple[str, str], QuotaRow] = {}
    for row in (await conn.execute(query)).all():
        newest[(row[1], row[3])] = QuotaRow(row[0], row[1], row[2], row[3], frozenset(loads(row[4])), row[5], row[6])
    return list(newest.values())


async def codes_held(conn: AsyncConnection, categories: list[str]) -> set[str]:
    """Returns the rank codes currently held by active cadres of some categories."""
    c = orm.cadre
    return set(
        (
            await conn.execute(
                select(c.c.rank_code)
                .where(c.c.category.in_(categories), c.c.rank_code.is_not(None), c.c.active.is_(True))
                .distinct()
            )
        ).scalars()
    )


async def scheme_version_exists(conn: AsyncConnection, org_unit_id: str, version: str) -> bool:
    t = orm.points_scheme
    return (
        await conn.execute(select(t.c.id).where(t.c.org_unit_id == org_unit_id, t.c.version == version))
    ).first() is not None


async def add_scheme(
    conn: AsyncConnection,
    *,
    scheme_id: str,
    org_unit_id: str,
    version: str,
    effective_from: dt.date,
    definition: dict,
    created_by: str,
) -> None:
    """Stores a points-scheme version."""
    await conn.execute(
        insert(orm.points_scheme).values(
            id=scheme_id,
            org_unit_id=org_unit_id,
            version=version,
            effective_from=effective_from,
            definition=dumps(definition),
            created_by=created_by,
            created_at=utcnow(),
        )
    )


async def quota_version_exists(conn: AsyncConnection, org_unit_id: str, bucket: str, effective_from: dt.date) -> bool:
    q = orm.quota
    return (
        await conn.execute(
            select(q.c.id).where(
                q.c.org_unit_id == org_unit_id, q.c.bucket == bucket, q.c.effective_from == effective_from
            )
        )
    ).first() is not None


async def add_quota(
    conn: AsyncConnection,
    *,
    quota_id: str,
    org_unit_id: str,
    bucket: str,
    rank_codes: list[str],
    max_count: int,
    effective_from: dt.date,
    source: str | None,
    created_by: str,
) -> None:
    """Stores a quota version."""
    await conn.execute(
        insert(orm.quota).values(
            id=quota_id,
            org_unit_id=org_unit_id,
            bucket=bucket,
            rank_codes=dumps(sorted(rank_codes)),
            max_count=max_count,
            effective_from=effective_from,
            source=source,
            created_by=created_by,
            created_at=utcnow(),
        )
    )
