"""The rank unit of work: the kernel transaction plus rank's repositories."""

from __future__ import annotations

from kernel.uow import UnitOfWork
from services.rank.adapters.repository import CadreRepository, OrgUnitRepository


class RankUnitOfWork(UnitOfWork):
    """One transaction over the rank database."""

    org_units: OrgUnitRepository
    cadres: CadreRepository

    async def _open(self) -> None:
        self.org_units = OrgUnitRepository(self.conn, self.track)
        self.cadres = CadreRepository(self.conn, self.track)
