"""The rank unit of work: the kernel transaction plus rank's repositories and rule inputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from kernel.uow import UnitOfWork
from services.rank.adapters import config_repo, projections
from services.rank.adapters.contract_records import ContractRecords
from services.rank.adapters.facts import load_facts, load_tree
from services.rank.adapters.process_repo import BatchRepository, ContractRepository, DemotionRepository
from services.rank.adapters.repository import CadreRepository, OrgUnitRepository
from services.rank.adapters.rule_inputs import RuleInputs
from services.rank.adapters.standing_repo import Standings
from services.rank.domain.facts import CadreFacts
from services.rank.domain.ladder import Ladder
from services.rank.service_layer.context import RankContext


class RankUnitOfWork(UnitOfWork):
    """One transaction over the rank database."""

    context: RankContext
    org_units: OrgUnitRepository
    cadres: CadreRepository
    batches: BatchRepository
    contracts: ContractRepository
    demotions: DemotionRepository
    contract_records: ContractRecords
    rule_inputs: RuleInputs
    standings: Standings

    async def _open(self) -> None:
        self.org_units = OrgUnitRepository(self.conn, self.track)
        self.cadres = CadreRepository(self.conn, self.track, self.insert_with_events)
        self.batches = BatchRepository(self.conn, self.track)
        self.contracts = ContractRepository(self.conn, self.track)
        self.demotions = DemotionRepository(self.conn, self.track)
        self.contract_records = ContractRecords(self.conn)
        self.rule_inputs = RuleInputs(self.conn)
        self.standings = Standings(self.conn)
        self._dirty: set[str] = set()
        self._dirty_where: list[Any] = []

    async def ladders(self, day: dt.date) -> dict[str, Ladder]:
        """Returns the ladder of each series in force on `day`."""
        return await config_repo.ladders_in_force(self.conn, day)

    async def facts(self, cadre_ids: Sequence[str]) -> dict[str, CadreFacts]:
        """Returns what the rules need about some cadres, read in this transaction."""
        return await load_facts(self.conn, cadre_ids, await load_tree(self.conn))

    async def mark_dirty(self, cadre_ids: Sequence[str]) -> None:
        """Queues cadres for recomputation of their standing, written at commit: one statement per transaction
        however many changes (a consumer's batch of events, a batch of registrations) touch the same cadres, and
        every standing the transaction marks is locked in one go, in cadre_id order (projections.locked_update)."""
        self._dirty.update(cadre_ids)

    async def mark_dirty_subtree(self, path: Sequence[str]) -> None:
        """Queues every cadre of an org subtree (resolved at commit, with the marks of `mark_dirty`)."""
        self._dirty_where.append(projections.subtree_members(path))

    async def mark_dirty_index_peers(self, cadre_id: str, period_key: str) -> None:
        """Queues the cadres of `cadre_id`'s org unit holding an index for `period_key` (resolved at commit)."""
        self._dirty_where.append(projections.index_peers(cadre_id, period_key))

    async def mark_dirty_categories(self, categories: Sequence[str]) -> None:
        """Queues every cadre of some categories (resolved at commit)."""
        self._dirty_where.append(projections.of_categories(categories))

    async def commit(self, result: Any = None) -> Any:
        """Writes the queued dirty marks, then commits as every unit of work does."""
        if self._dirty or self._dirty_where:
            dirty, where = self._dirty, self._dirty_where
            self._dirty, self._dirty_where = set(), []
            if self.rows_queued:  # the marks may be for rows queued to go in with the events
                await self.flush_events()
            await projections.mark_dirty(self.conn, sorted(dirty), where)
        return await super().commit(result)
