"""Repositories of the register: org units and cadres with their holdings (rows ⇄ aggregates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.errors import ConcurrencyError
from kernel.sql import fetch_prebuilt, insert_all, one_of
from services.rank.adapters import orm
from services.rank.adapters.fact_union import load_holdings
from services.rank.adapters.sql import path_list, path_str
from services.rank.domain import events
from services.rank.domain.holdings import Assignment, LevelHolding, PostHolding, RankHolding
from services.rank.domain.model import Cadre, OrgUnit
from services.rank.domain.names import pinyin_keys


def _search_keys(name: str) -> dict[str, str]:
    full, initials = pinyin_keys(name)
    return {"name_pinyin": full, "name_initials": initials}


def _entry_values(cadre: Cadre) -> dict[str, Any]:
    """The register entry's own columns (inserted and updated alike)."""
    return dict(
        name=cadre.name,
        gender=cadre.gender,
        birth_date=cadre.birth_date,
        entry_date=cadre.entry_date,
        org_unit_id=cadre.org_unit_id,
        category=cadre.category,
        party_member=cadre.party_member,
        education=cadre.education,
        active=cadre.active,
        reserve_cadre=cadre.reserve_cadre,
        grassroots_experience=cadre.grassroots_experience,
        id_number_hash=cadre.id_number_hash,
        **_search_keys(cadre.name),
    )


def _unit(row: Any) -> OrgUnit:
    return OrgUnit(
        id=row["id"],
        name=row["name"],
        parent_id=row["parent_id"],
        agency_level=row["agency_level"],
        path=path_list(row["path"]),
        active=row["active"],
        version=row["version"],
    )


# The registration path's statements, built once: building a Core statement with its values per call (coercing each
# value into a bound parameter, then its cache key) cost more CPU than executing it (rank's profile under the
# registration load, issue 15). Values go in as parameters.
_UNIT_BY_ID = select(orm.org_unit).where(orm.org_unit.c.id == bindparam("unit_id"))
_DUPLICATE = (
    select(orm.cadre.c.id)
    .where(
        orm.cadre.c.name == bindparam("name"),
        orm.cadre.c.birth_date == bindparam("birth_date"),
        orm.cadre.c.gender == bindparam("gender"),
        orm.cadre.c.active.is_(True),
    )
    .limit(1)
)
_UNIT_WITH_DUPLICATE = select(*orm.org_unit.c, _DUPLICATE.scalar_subquery().label("duplicate")).where(
    orm.org_unit.c.id == bindparam("unit_id")
)
_UNIT_WITH_DUPLICATE_KEYS = [c.key for c in _UNIT_WITH_DUPLICATE.exported_columns]


class OrgUnitRepository:
    """Loads and saves org units."""

    def __init__(self, conn: AsyncConnection, track: Callable[[Any], None]) -> None:
        self.conn = conn
        self.track = track

    async def get(self, unit_id: str) -> OrgUnit | None:
        """Returns a unit by id, or None."""
        row = (await self.conn.execute(_UNIT_BY_ID, {"unit_id": unit_id})).mappings().first()
        if row is None:
            return None
        unit = _unit(row)
        self.track(unit)
        return unit

    async def get_with_duplicate(
        self, unit_id: str, *, name: str, birth_date: Any, gender: str
    ) -> tuple[OrgUnit | None, str | None]:
        """Returns a unit by id (or None) and the id of an active cadre with this name, birth date and gender, if
        any: a registration's two lookups in one query (`CadreRepository.find_duplicate`)."""
        params = {"unit_id": unit_id, "name": name, "birth_date": birth_date, "gender": gender}
        rows = await fetch_prebuilt(self.conn, _UNIT_WITH_DUPLICATE, params)  # at the driver level (kernel.sql)
        if not rows:
            return None, None
        row = dict(zip(_UNIT_WITH_DUPLICATE_KEYS, rows[0], strict=True))
        unit = _unit(row)
        self.track(unit)
        return unit, row["duplicate"]

    async def has_root(self) -> bool:
        """Tells whether the tree already has a root."""
        t = orm.org_unit
        return (await self.conn.execute(select(t.c.id).where(t.c.parent_id.is_(None)).limit(1))).first() is not None

    async def root_id(self) -> str | None:
        """Returns the id of the root unit, if any."""
        t = orm.org_unit
        return (await self.conn.execute(select(t.c.id).where(t.c.parent_id.is_(None)).limit(1))).scalar()

    async def add(self, unit: OrgUnit) -> None:
        """Inserts a new unit."""
        now = utcnow()
        await self.conn.execute(
            insert(orm.org_unit).values(
                id=unit.id,
                name=unit.name,
                parent_id=unit.parent_id,
                agency_level=unit.agency_level,
                path=path_str(unit.path),
                active=unit.active,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        unit.version = 1
        self.track(unit)

    async def save(self, unit: OrgUnit, *, check_version: bool = True) -> None:
        """Updates a unit (checking its version unless it is a descendant rewritten with its ancestor)."""
        t = orm.org_unit
        where = [t.c.id == unit.id] + ([t.c.version == unit.version] if check_version else [])
        result = await self.conn.execute(
            update(t)
            .where(*where)
            .values(
                name=unit.name,
                parent_id=unit.parent_id,
                agency_level=unit.agency_level,
                path=path_str(unit.path),
                active=unit.active,
                version=t.c.version + 1,
                updated_at=utcnow(),
            )
        )
        if result.rowcount != 1:
            raise ConcurrencyError(
                "the org unit was changed by someone else; reload and retry", rule="org_unit.version"
            )
        unit.version += 1

    async def descendants(self, path: list[str]) -> list[OrgUnit]:
        """Returns the units strictly below the unit at `path` (as stored), tracked for saving."""
        t = orm.org_unit
        rows = (
            (
                await self.conn.execute(
                    select(t)
                    .where(t.c.path.startswith(path_str(path), autoescape=True), t.c.id != path[-1])
                    .order_by(t.c.path)
                )
            )
            .mappings()
            .all()
        )
        units = [_unit(r) for r in rows]
        for u in units:
            self.track(u)
        return units

    async def subtree_depth(self, unit: OrgUnit) -> int:
        """Returns the number of levels from `unit` down to its deepest descendant (1 for a leaf)."""
        t = orm.org_unit
        paths = (
            await self.conn.execute(select(t.c.path).where(t.c.path.startswith(path_str(unit.path), autoescape=True)))
        ).scalars()
        return max((len(path_list(p)) for p in paths), default=len(unit.path)) - len(unit.path) + 1

    async def count_open_children(self, unit_id: str) -> int:
        t = orm.org_unit
        return int(
            (
                await self.conn.execute(select(func.count()).where(t.c.parent_id == unit_id, t.c.active.is_(True)))
            ).scalar_one()
        )

    async def count_active_cadres(self, unit_id: str) -> int:
        c = orm.cadre
        return int(
            (
                await self.conn.execute(select(func.count()).where(c.c.org_unit_id == unit_id, c.c.active.is_(True)))
            ).scalar_one()
        )


HOLDING_TABLES = {
    RankHolding: orm.rank_holding,
    PostHolding: orm.post_holding,
    LevelHolding: orm.level_holding,
    Assignment: orm.org_assignment,
}


def _holding_values(holding: Any) -> dict[str, Any]:
    if isinstance(holding, RankHolding):
        return dict(
            rank_code=holding.rank_code, series=holding.series, basis=holding.basis, source_ref=holding.source_ref
        )
    if isinstance(holding, PostHolding):
        return dict(
            post_code=holding.post_code, hardship=holding.hardship, basis=holding.basis, source_ref=holding.source_ref
        )
    if isinstance(holding, LevelHolding):
        return dict(level=holding.level, step=holding.step, basis=holding.basis, source_ref=holding.source_ref)
    return dict(org_unit_id=holding.org_unit_id)


class CadreRepository:
    """Loads and saves cadres with their holdings and relations."""

    def __init__(
        self,
        conn: AsyncConnection,
        track: Callable[[Any], None],
        insert_with_events: Callable[[Table, dict[str, Any]], None] | None = None,
    ) -> None:
        self.conn = conn
        self.track = track
        self.insert_with_events = insert_with_events  # the unit of work's (kernel.uow)

    async def get(self, cadre_id: str) -> Cadre | None:
        """Returns a cadre with its histories, or None."""
        found = await self.get_many([cadre_id])
        return found.get(cadre_id)

    async def get_many(self, cadre_ids: Sequence[str]) -> dict[str, Cadre]:
        """Returns cadres by id (with histories), set-based."""
        if not cadre_ids:
            return {}
        c, u = orm.cadre, orm.org_unit
        rows = (
            (
                await self.conn.execute(
                    select(c, u.c.path.label("org_path"))
                    .join(u, u.c.id == c.c.org_unit_id)
                    .where(one_of(self.conn, c.c.id, cadre_ids))
                )
            )
            .mappings()
            .all()
        )
        cadres = {}
        for row in rows:
            cadres[row["id"]] = Cadre(
                id=row["id"],
                name=row["name"],
                gender=row["gender"],
                birth_date=row["birth_date"],
                entry_date=row["entry_date"],
                org_unit_id=row["org_unit_id"],
                category=row["category"],
                party_member=row["party_member"],
                education=row["education"],
                active=row["active"],
                version=row["version"],
                reserve_cadre=row["reserve_cadre"],
                grassroots_experience=row["grassroots_experience"],
                id_number_hash=row["id_number_hash"],
                org_path=path_list(row["org_path"]),
            )
        if not cadres:
            return {}
        ids = list(cadres)
        for holding in await load_holdings(self.conn, ids):
            cadre = cadres[holding[0]]
            item = holding[1]
            if isinstance(item, RankHolding):
                cadre.rank_holdings.append(item)
            elif isinstance(item, PostHolding):
                cadre.post_holdings.append(item)
            elif isinstance(item, LevelHolding):
                cadre.level_holdings.append(item)
            else:
                cadre.assignments.append(item)
        r = orm.cadre_relative
        for cadre_id, relative_id, relation in (
            await self.conn.execute(
                select(r.c.cadre_id, r.c.relative_id, r.c.relation).where(one_of(self.conn, r.c.cadre_id, ids))
            )
        ).all():
            cadres[cadre_id].relatives[relative_id] = relation
        for cadre in cadres.values():
            self.track(cadre)
        return cadres

    async def find_duplicate(self, *, name: str, birth_date: Any, gender: str) -> str | None:
        """Returns the id of an active cadre with the same name, birth date and gender, if any."""
        params = {"name": name, "birth_date": birth_date, "gender": gender}
        return (await self.conn.execute(_DUPLICATE, params)).scalar()

    async def holder_of_id_number(self, id_number_hash: str) -> str | None:
        """Returns the id of the cadre registered with this ID number (by its keyed hash), if any."""
        t = orm.cadre
        return (await self.conn.execute(select(t.c.id).where(t.c.id_number_hash == id_number_hash))).scalar()

    async def add(self, cadre: Cadre, *, with_events: bool = False) -> None:
        """Inserts a new cadre (and its first assignment), with a dirty standing row: in one statement on PostgreSQL
        (`kernel.sql.insert_all`). `with_events` (a registration about to commit, which reads none of them first):
        the rows go in at the commit, with its outbox rows and idempotency record (`insert_with_events`)."""
        now = utcnow()
        row = dict(id=cadre.id, **_entry_values(cadre), version=1, created_at=now, updated_at=now)
        standing = dict(cadre_id=cadre.id, dirty=True, dirty_gen=1, blocked=False)
        await self._close_holdings(cadre)
        parts = [(orm.cadre, row), (orm.cadre_standing, standing), *self._added_holdings(cadre, now)]
        if with_events and self.insert_with_events is not None:
            for table, values in parts:
                self.insert_with_events(table, values)
        else:
            await insert_all(self.conn, [(table, [values]) for table, values in parts])
        cadre.version = 1
        self.track(cadre)

    async def save(self, cadre: Cadre) -> None:
        """Updates a cadre, checking that nobody changed it since it was read."""
        t = orm.cadre
        now = utcnow()
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == cadre.id, t.c.version == cadre.version)
            .values(
                **_entry_values(cadre),
                version=cadre.version + 1,
                updated_at=now,
                rank_code=cadre.rank_code,
                level=cadre.level,
                post_code=cadre.post_code,
            )
        )
        if result.rowcount != 1:
            raise ConcurrencyError("the cadre was changed by someone else; reload and retry", rule="cadre.version")
        cadre.version += 1
        await self._write_holdings(cadre, now)
        if cadre.relatives_changed:
            r = orm.cadre_relative
            await self.conn.execute(delete(r).where(r.c.cadre_id == cadre.id))
            if cadre.relatives:
                await self.conn.execute(
                    insert(r),
                    [
                        dict(cadre_id=cadre.id, relative_id=rid, relation=rel, created_at=now)
                        for rid, rel in sorted(cadre.relatives.items())
                    ],
                )
            cadre.relatives_changed = False

    async def _write_holdings(self, cadre: Cadre, now: dt.datetime) -> None:
        """Closes and inserts the cadre's changed holdings (the new ones in one statement on PostgreSQL)."""
        await self._close_holdings(cadre)
        await insert_all(self.conn, [(table, [values]) for table, values in self._added_holdings(cadre, now)])

    async def _close_holdings(self, cadre: Cadre) -> None:
        for holding in cadre.closed:
            table = HOLDING_TABLES[type(holding)]
            await self.conn.execute(update(table).where(table.c.id == holding.id).values(until=holding.until))
        cadre.closed.clear()

    def _added_holdings(self, cadre: Cadre, now: dt.datetime) -> list[tuple[Table, dict[str, Any]]]:
        """The rows of the cadre's new holdings, taken from it."""
        added = list(cadre.added)
        cadre.added.clear()
        return [
            (
                HOLDING_TABLES[type(holding)],
                dict(
                    id=holding.id,
                    cadre_id=cadre.id,
                    since=holding.since,
                    until=holding.until,
                    created_at=now,
                    **_holding_values(holding),
                ),
            )
            for holding in added
        ]

    async def states(self, cadre_ids: Sequence[str]) -> list[events.CadreState]:
        """Returns the current snapshot of cadres (set-based; used after bulk changes such as a unit move)."""
        if not cadre_ids:
            return []
        c, u, r = orm.cadre, orm.org_unit, orm.cadre_relative
        relatives: dict[str, list[str]] = {}
        for cadre_id, relative_id in (
            await self.conn.execute(
                select(r.c.cadre_id, r.c.relative_id).where(one_of(self.conn, r.c.cadre_id, cadre_ids))
            )
        ).all():
            relatives.setdefault(cadre_id, []).append(relative_id)
        rows = (
            (
                await self.conn.execute(
                    select(c, u.c.path.label("org_path"))
                    .join(u, u.c.id == c.c.org_unit_id)
                    .where(one_of(self.conn, c.c.id, cadre_ids))
                    .order_by(c.c.id)
                )
            )
            .mappings()
            .all()
        )
        return [
            events.CadreState(
                row["id"],
                row["name"],
                row["gender"],
                row["birth_date"],
                row["entry_date"],
                row["org_unit_id"],
                tuple(path_list(row["org_path"])),
                row["category"],
                row["party_member"],
                row["education"],
                row["active"],
                row["rank_code"],
                row["level"],
                row["post_code"],
                row["post_code"] is not None,
                tuple(sorted(relatives.get(row["id"], []))),
            )
            for row in rows
        ]

    async def ids_in_subtree(self, path: Sequence[str]) -> list[str]:
        """Returns the ids of the cadres whose unit lies in a subtree."""
        c, u = orm.cadre, orm.org_unit
        return list(
            (
                await self.conn.execute(
                    select(c.c.id)
                    .join(u, u.c.id == c.c.org_unit_id)
                    .where(u.c.path.startswith(path_str(path), autoescape=True))
                    .order_by(c.c.id)
                )
            ).scalars()
        )
