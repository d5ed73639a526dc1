"""Repositories of the rank service: rows ⇄ aggregates over the unit of work's connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.errors import ConcurrencyError
from services.rank.adapters import orm
from services.rank.domain.model import Cadre, OrgUnit


def _path_str(path: list[str]) -> str:
    return "/" + "/".join(path) + "/"


def _path_list(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


class OrgUnitRepository:
    """Loads and saves org units."""

    def __init__(self, conn: AsyncConnection, track: Callable[[Any], None]) -> None:
        self.conn = conn
        self.track = track

    async def get(self, unit_id: str) -> OrgUnit | None:
        """Returns a unit by id, or None."""
        t = orm.org_unit
        row = (await self.conn.execute(select(t).where(t.c.id == unit_id))).mappings().first()
        if row is None:
            return None
        unit = OrgUnit(id=row["id"], name=row["name"], parent_id=row["parent_id"], agency_level=row["agency_level"],
                       path=_path_list(row["path"]), active=row["active"], version=row["version"])
        self.track(unit)
        return unit

    async def has_root(self) -> bool:
        """Tells whether the tree already has a root."""
        t = orm.org_unit
        return (await self.conn.execute(select(t.c.id).where(t.c.parent_id.is_(None)).limit(1))).first() is not None

    async def add(self, unit: OrgUnit) -> None:
        """Inserts a new unit."""
        now = utcnow()
        await self.conn.execute(
            insert(orm.org_unit).values(id=unit.id, name=unit.name, parent_id=unit.parent_id,
                                        agency_level=unit.agency_level, path=_path_str(unit.path), active=unit.active,
                                        version=1, created_at=now, updated_at=now)
        )
        unit.version = 1
        self.track(unit)


class CadreRepository:
    """Loads and saves cadres."""

    def __init__(self, conn: AsyncConnection, track: Callable[[Any], None]) -> None:
        self.conn = conn
        self.track = track

    async def get(self, cadre_id: str) -> Cadre | None:
        """Returns a cadre by id, or None."""
        t = orm.cadre
        row = (await self.conn.execute(select(t).where(t.c.id == cadre_id))).mappings().first()
        if row is None:
            return None
        cadre = Cadre(id=row["id"], name=row["name"], gender=row["gender"], birth_date=row["birth_date"],
                      entry_date=row["entry_date"], org_unit_id=row["org_unit_id"], category=row["category"],
                      party_member=row["party_member"], education=row["education"], active=row["active"],
                      version=row["version"])
        self.track(cadre)
        return cadre

    async def find_duplicate(self, *, name: str, birth_date: Any, gender: str) -> str | None:
        """Returns the id of an active cadre with the same name, birth date and gender, if any."""
        t = orm.cadre
        return (
            await self.conn.execute(
                select(t.c.id).where(t.c.name == name, t.c.birth_date == birth_date, t.c.gender == gender,
                                     t.c.active.is_(True)).limit(1)
            )
        ).scalar()

    async def add(self, cadre: Cadre) -> None:
        """Inserts a new cadre."""
        now = utcnow()
        await self.conn.execute(
            insert(orm.cadre).values(id=cadre.id, name=cadre.name, gender=cadre.gender, birth_date=cadre.birth_date,
                                     entry_date=cadre.entry_date, org_unit_id=cadre.org_unit_id, category=cadre.category,
                                     party_member=cadre.party_member, education=cadre.education, active=cadre.active,
                                     version=1, created_at=now, updated_at=now)
        )
        cadre.version = 1
        self.track(cadre)

    async def save(self, cadre: Cadre) -> None:
        """Updates a cadre, checking that nobody changed it since it was read."""
        t = orm.cadre
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == cadre.id, t.c.version == cadre.version)
            .values(name=cadre.name, gender=cadre.gender, birth_date=cadre.birth_date, entry_date=cadre.entry_date,
                    org_unit_id=cadre.org_unit_id, category=cadre.category, party_member=cadre.party_member,
                    education=cadre.education, active=cadre.active, version=cadre.version + 1, updated_at=utcnow())
        )
        if result.rowcount != 1:
            raise ConcurrencyError("the cadre was changed by someone else; reload and retry", rule="cadre.version")
        cadre.version += 1
