"""Rank's fake unit of work: the register in dicts, for use-case tests without I/O (kernel.testing.fakes)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from kernel.errors import ConcurrencyError
from kernel.testing.fakes import FakeUnitOfWork
from services.rank.domain import events
from services.rank.domain.model import Cadre, OrgUnit
from services.rank.service_layer.publishing import to_contracts


def _stored(obj: Any) -> Any:
    """A copy as the database would keep it: no pending events."""
    kept = copy.deepcopy(obj)
    kept.events = []
    return kept


class FakeOrgUnits:
    def __init__(self, uow: FakeRankUnitOfWork) -> None:
        self.uow, self.rows = uow, {}

    def now(self) -> dict[str, OrgUnit]:
        """The units as this transaction sees them (its own writes included)."""
        return {**self.rows, **{k: v for (kind, k), v in self.uow.pending.items() if kind == "unit"}}

    async def get(self, unit_id: str) -> OrgUnit | None:
        unit = copy.deepcopy(self.now().get(unit_id))
        if unit is not None:
            self.uow.track(unit)
        return unit

    async def get_with_duplicate(
        self, unit_id: str, *, name: str, birth_date: Any, gender: str
    ) -> tuple[OrgUnit | None, str | None]:
        unit = await self.get(unit_id)
        if unit is None:
            return None, None
        return unit, await self.uow.cadres.find_duplicate(name=name, birth_date=birth_date, gender=gender)

    async def has_root(self) -> bool:
        return any(u.parent_id is None for u in self.now().values())

    async def root_id(self) -> str | None:
        return next((u.id for u in self.now().values() if u.parent_id is None), None)

    async def add(self, unit: OrgUnit) -> None:
        unit.version = 1
        self.uow.pending[("unit", unit.id)] = unit
        self.uow.track(unit)

    async def save(self, unit: OrgUnit, *, check_version: bool = True) -> None:
        stored = self.uow.pending.get(("unit", unit.id)) or self.rows.get(unit.id)
        if stored is None or (check_version and stored.version != unit.version):
            raise ConcurrencyError(
                "the org unit was changed by someone else; reload and retry", rule="org_unit.version"
            )
        unit.version = stored.version + 1
        self.uow.pending[("unit", unit.id)] = unit

    async def descendants(self, path: list[str]) -> list[OrgUnit]:
        units = [copy.deepcopy(u) for u in self.now().values() if u.path[: len(path)] == path and u.id != path[-1]]
        for unit in units:
            self.uow.track(unit)
        return sorted(units, key=lambda u: u.path)

    async def subtree_depth(self, unit: OrgUnit) -> int:
        depths = [len(u.path) for u in self.now().values() if u.path[: len(unit.path)] == unit.path]
        return max(depths, default=len(unit.path)) - len(unit.path) + 1

    async def count_open_children(self, unit_id: str) -> int:
        return sum(1 for u in self.now().values() if u.parent_id == unit_id and u.active)

    async def count_active_cadres(self, unit_id: str) -> int:
        return sum(1 for c in self.uow.cadres.now().values() if c.org_unit_id == unit_id and c.active)


class FakeCadres:
    def __init__(self, uow: FakeRankUnitOfWork) -> None:
        self.uow, self.rows = uow, {}

    def now(self) -> dict[str, Cadre]:
        """The cadres as this transaction sees them (its own writes included)."""
        return {**self.rows, **{k: v for (kind, k), v in self.uow.pending.items() if kind == "cadre"}}

    async def get(self, cadre_id: str) -> Cadre | None:
        cadre = copy.deepcopy(self.now().get(cadre_id))
        if cadre is not None:
            self.uow.track(cadre)
        return cadre

    async def find_duplicate(self, *, name: str, birth_date: Any, gender: str) -> str | None:
        return next(
            (c.id for c in self.now().values() if (c.name, c.birth_date, c.gender) == (name, birth_date, gender)), None
        )

    async def holder_of_id_number(self, id_number_hash: str) -> str | None:
        return next((c.id for c in self.now().values() if c.id_number_hash == id_number_hash), None)

    async def add(self, cadre: Cadre, *, with_events: bool = False) -> None:
        cadre.version = 1
        self.uow.pending[("cadre", cadre.id)] = cadre
        self.uow.track(cadre)

    async def save(self, cadre: Cadre) -> None:
        stored = self.uow.pending.get(("cadre", cadre.id)) or self.rows.get(cadre.id)
        if stored is None or stored.version != cadre.version:
            raise ConcurrencyError("the cadre was changed by someone else; reload and retry", rule="cadre.version")
        cadre.version = stored.version + 1
        self.uow.pending[("cadre", cadre.id)] = cadre

    async def ids_in_subtree(self, path: Sequence[str]) -> list[str]:
        units = self.uow.org_units.now()
        return sorted(c.id for c in self.now().values() if units[c.org_unit_id].path[: len(path)] == list(path))

    async def states(self, cadre_ids: Sequence[str]) -> list[events.CadreState]:
        units, cadres = self.uow.org_units.now(), self.now()
        return [cadres[i].state(units[cadres[i].org_unit_id].path) for i in cadre_ids]


class FakeRankUnitOfWork(FakeUnitOfWork):
    """The register in memory: rows are written at commit only, as a transaction would."""

    def __init__(self) -> None:
        super().__init__(to_contracts=to_contracts)
        self.org_units = FakeOrgUnits(self)
        self.cadres = FakeCadres(self)
        self.pending: dict[tuple[str, str], Any] = {}
        self.dirty: set[str] = set()
        self.dirty_subtrees: list[list[str]] = []
        self.dirty_peers: list[tuple[str, str]] = []
        self.dirty_categories: list[list[str]] = []

    async def __aenter__(self) -> FakeRankUnitOfWork:
        await super().__aenter__()
        self.pending = {}
        return self

    async def mark_dirty(self, cadre_ids: Sequence[str]) -> None:
        self.dirty.update(cadre_ids)

    async def mark_dirty_subtree(self, path: Sequence[str]) -> None:
        self.dirty_subtrees.append(list(path))

    async def mark_dirty_index_peers(self, cadre_id: str, period_key: str) -> None:
        self.dirty_peers.append((cadre_id, period_key))

    async def mark_dirty_categories(self, categories: Sequence[str]) -> None:
        self.dirty_categories.append(list(categories))

    async def commit(self, result: Any = None) -> Any:
        for (kind, key), obj in self.pending.items():
            (self.org_units.rows if kind == "unit" else self.cadres.rows)[key] = _stored(obj)
        self.pending = {}
        return await super().commit(result)

    async def rollback(self) -> None:
        self.pending = {}
        await super().rollback()
