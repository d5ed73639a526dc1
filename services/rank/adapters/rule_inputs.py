"""What the promotion rules read from the register: ladders, points schemes and quotas in force, the org tree, the
cadres of a subtree holding some ranks, quota occupancy and the facts of cadres. Read on the unit of work's
connection, or on a reader connection (no write lock held) for evaluations that stream a whole subtree."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.rank.adapters import config_repo, selection
from services.rank.adapters.facts import OrgTree, load_facts, load_tree
from services.rank.domain.facts import CadreFacts
from services.rank.domain.ladder import Ladder

ReaderEngine = AsyncEngine  # the reader engine that routes and jobs hand to the use cases that stream


class RuleInputs:
    """The rules' inputs over one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    @classmethod
    @asynccontextmanager
    async def reading(cls, reader: ReaderEngine) -> AsyncIterator[RuleInputs]:
        """Opens a reader connection for the time of the block."""
        async with reader.connect() as conn:
            yield cls(conn)

    async def ladders(self, day: dt.date) -> dict[str, Ladder]:
        """Returns the ladder of each series in force on `day`."""
        return await config_repo.ladders_in_force(self.conn, day)

    async def schemes(self, day: dt.date) -> config_repo.SchemeSet:
        """Returns the points schemes in force on `day`."""
        return await config_repo.schemes_in_force(self.conn, day)

    async def quotas(self, day: dt.date) -> list[config_repo.QuotaRow]:
        """Returns the quotas in force on `day`."""
        return await config_repo.quotas_in_force(self.conn, day)

    async def tree(self) -> OrgTree:
        """Returns the org tree."""
        return await load_tree(self.conn)

    async def facts(self, cadre_ids: Sequence[str], tree: OrgTree) -> dict[str, CadreFacts]:
        """Returns what the rules need about some cadres."""
        return await load_facts(self.conn, cadre_ids, tree)

    def holding_ranks(self, path: Sequence[str], rank_codes: Sequence[str]) -> AsyncIterator[list[str]]:
        """Yields, chunk by chunk, the active cadres of a subtree currently holding one of the ranks."""
        return selection.holding_ranks(self.conn, path, rank_codes)

    async def unit_path(self, unit_id: str) -> list[str] | None:
        """Returns an org unit's path (root first), or None."""
        return await selection.unit_path(self.conn, unit_id)

    async def paths_of_cadres(self, cadre_ids: Sequence[str]) -> dict[str, str]:
        """Returns the org path of each cadre's unit."""
        return await selection.paths_of_cadres(self.conn, cadre_ids)

    async def holders(self, path: Sequence[str] | str, rank_codes: Sequence[str]) -> int:
        """Counts the active cadres of a subtree holding one of the ranks (quota occupancy)."""
        return await selection.holders(self.conn, path, rank_codes)
