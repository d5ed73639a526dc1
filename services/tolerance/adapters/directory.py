"""Tolerance's binding of the cadre directory (rank's snapshots, kernel.directory) for the use cases: who the
caller may act on."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.auth import Principal
from kernel.directory import DirCadre, Directory
from services.tolerance.adapters import orm

DIRECTORY = Directory(orm.directory)


class CadreDirectory:
    """The directory as one transaction sees it."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def for_action(self, principal: Principal, cadre_id: str) -> DirCadre:
        """Returns the cadre if the principal may act on their records (sensitive: never oneself or a relative),
        else raises the uniform 404."""
        return await DIRECTORY.require_cadre(
            self.conn, await DIRECTORY.access(self.conn, principal), cadre_id, sensitive=True
        )

    async def entry(self, cadre_id: str) -> DirCadre | None:
        """Returns a cadre's directory entry, or None."""
        return await DIRECTORY.cadre(self.conn, cadre_id)
