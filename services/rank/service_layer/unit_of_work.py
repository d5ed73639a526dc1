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
        self.cadres = CadreRepository(self.conn, self.track)
        self.batches = BatchRepository(self.conn, self.track)
        self.contracts = ContractRepository(self.conn, self.track)
        self.demotions = DemotionRepository(self.conn, self.track)
        self.contract_records = ContractRecords(self.conn)
        self.rule_inputs = RuleInputs(self.conn)
        self.standings = Standings(self.conn)
        self._dirty: set[str] = set()

    async def ladders(self, day: dt.date) -> dict[str, Ladder]:
        """Returns the ladder of each series in force on `day`."""
        return await config_repo.ladders_in_force(self.conn, day)

    async def facts(self, cadre_ids: Sequence[str]) -> dict[str, CadreFacts]:
        """Returns what the rules need about some cadres, read in this transaction."""
        return await load_facts(self.conn, cadre_ids, await load_tree(self.conn))

    async def mark_dirty(self, cadre_ids: Sequence[str]) -> None:
        """Queues cadres for recomputation of their standing, written at commit: one statement per transaction
        however many changes (a consumer's batch of events, a batch of registrations) touch the same cadres."""
        self._dirty.update(cadre_ids)

    async def commit(self, result: Any = None) -> Any:
        """Writes the queued dirty marks, then commits as every unit of work does."""
        if self._dirty:
            dirty, self._dirty = sorted(self._dirty), set()
            await projections.mark_dirty(self.conn, dirty)
        return await super().commit(result)

    async def mark_dirty_subtree(self, path: Sequence[str]) -> None:
        """Queues every cadre of an org subtree for recomputation."""
        await projections.mark_dirty_subtree(self.conn, path)
