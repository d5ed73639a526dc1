"""What the use cases read of petitions' copy of rank's register (kernel.directory): units and cadres by id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.directory import DirCadre, Directory
from services.petitions.adapters import orm

DIRECTORY = Directory(orm.directory)


class DirectoryRepository:
    """Lookups in the directory tables, in the unit of work's transaction (scope checks are in adapters.scope)."""

    def __init__(self, conn: AsyncConnection, directory: Directory | None = None) -> None:
        self.conn = conn
        self.directory = directory or DIRECTORY

    async def cadre(self, cadre_id: str) -> DirCadre | None:
        """Returns a cadre's directory entry, or None."""
        return await self.directory.cadre(self.conn, cadre_id)

    async def has_cadre(self, cadre_id: str) -> bool:
        """Tells whether the directory knows a cadre."""
        c = orm.directory.cadre
        return (await self.conn.execute(select(c.c.cadre_id).where(c.c.cadre_id == cadre_id))).first() is not None

    async def cadre_paths(self, cadre_ids: list[str]) -> list[tuple[str, str]]:
        """Returns (cadre id, org path) of the known cadres among these."""
        c = orm.directory.cadre
        rows = (await self.conn.execute(select(c.c.cadre_id, c.c.org_path).where(c.c.cadre_id.in_(cadre_ids)))).all()
        return [(r[0], r[1]) for r in rows]

    async def unit_path(self, unit_id: str | None) -> str | None:
        """Returns the path of an org unit, or None if it is unknown."""
        return await self.directory.unit_path(self.conn, unit_id)

    async def active_unit(self, unit_id: str) -> bool:
        """Tells whether an org unit is known and active."""
        u = orm.directory.org_unit
        return (
            await self.conn.execute(select(u.c.org_unit_id).where(u.c.org_unit_id == unit_id, u.c.active.is_(True)))
        ).first() is not None

    async def known_units(self, unit_ids: list[str]) -> set[str]:
        """Returns the known org units among these."""
        u = orm.directory.org_unit
        return {r[0] for r in await self.conn.execute(select(u.c.org_unit_id).where(u.c.org_unit_id.in_(unit_ids)))}

    async def agency_levels(self, unit_ids: list[str]) -> dict[str, str]:
        """Returns the agency level of each known org unit among these."""
        u = orm.directory.org_unit
        return dict(
            (r[0], r[1])
            for r in await self.conn.execute(
                select(u.c.org_unit_id, u.c.agency_level).where(u.c.org_unit_id.in_(unit_ids))
            )
        )
