"""The reference data every live evaluation reads (org tree, ladders, points schemes), cached per process.

A read checks one fingerprint statement instead of reloading the three: the unit count and the sum of the unit
versions (every insert adds a unit, every update bumps a version) and the row counts of the append-only ladder and
scheme tables. Any committed change moves the fingerprint, on this replica or another, and the next read reloads.
Only reads use it: a write transaction may hold uncommitted changes that must never be cached.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rank.adapters import config_repo, orm
from services.rank.adapters.facts import OrgTree, load_tree
from services.rank.domain.ladder import Ladder

_DAYS_KEPT = 32  # as-of days cached per fingerprint; a read for an older day past this reloads


def _fingerprint_query() -> object:
    u, lv, ps = orm.org_unit, orm.ladder_version, orm.points_scheme
    return select(
        select(func.count()).select_from(u).scalar_subquery(),
        select(func.coalesce(func.sum(u.c.version), 0)).scalar_subquery(),
        select(func.count()).select_from(lv).scalar_subquery(),
        select(func.count()).select_from(ps).scalar_subquery(),
    )


FINGERPRINT = _fingerprint_query()


@dataclass
class _Cached:
    fingerprint: tuple
    tree: OrgTree
    ladders: dict[dt.date, dict[str, Ladder]] = field(default_factory=dict)
    schemes: dict[dt.date, config_repo.SchemeSet] = field(default_factory=dict)


@dataclass(frozen=True)
class Reference:
    """What a live evaluation on one day reads besides the cadre's own facts."""

    tree: OrgTree
    ladders: dict[str, Ladder]
    schemes: config_repo.SchemeSet


_by_database: dict[str, _Cached] = {}


async def reference_for_read(conn: AsyncConnection, day: dt.date) -> Reference:
    """Returns the tree, the ladders and the schemes in force on `day`, reloading what a committed change moved."""
    fingerprint = tuple((await conn.execute(FINGERPRINT)).one())  # type: ignore[call-overload]
    key = str(conn.engine.url)
    cached = _by_database.get(key)
    if cached is None or cached.fingerprint != fingerprint:
        cached = _by_database[key] = _Cached(fingerprint, await load_tree(conn))
    if len(cached.ladders) >= _DAYS_KEPT or len(cached.schemes) >= _DAYS_KEPT:
        cached.ladders.clear()
        cached.schemes.clear()
    ladders = cached.ladders.get(day)
    if ladders is None:
        ladders = cached.ladders[day] = await config_repo.ladders_in_force(conn, day)
    schemes = cached.schemes.get(day)
    if schemes is None:
        schemes = cached.schemes[day] = await config_repo.schemes_in_force(conn, day)
    return Reference(cached.tree, ladders, schemes)
