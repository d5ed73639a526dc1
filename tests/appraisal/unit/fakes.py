"""Appraisal's fake unit of work: the directory, the aggregates and the index queue in dicts, for use-case tests
without I/O (kernel.testing.fakes). A transaction sees its own writes; rows are stored at commit only."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from kernel.access import Access, cadre_not_found, resolve
from kernel.auth import Principal
from kernel.directory import DirCadre
from kernel.errors import ConcurrencyError
from kernel.testing.fakes import FakeUnitOfWork
from services.appraisal.adapters.quota import HOLDING_STATUSES, Standing
from services.appraisal.domain.rules import quota
from services.appraisal.domain.rules.grade_rules import Facts
from services.appraisal.service_layer.context import AppraisalContext
from services.appraisal.service_layer.publishing import to_contracts
from services.appraisal.settings import AppraisalSettings

NO_FACTS = Facts((), (), (), frozenset())


def _stored(obj: Any) -> Any:
    """A copy as the database would keep it: no pending events."""
    kept = copy.deepcopy(obj)
    kept.events = []
    return kept


class FakeDirectory:
    """The directory projection: org unit paths and cadres, with the kernel's scope rule (kernel.access)."""

    def __init__(self) -> None:
        self.units: dict[str, str] = {}
        self.entries: dict[str, DirCadre] = {}

    def add_unit(self, unit_id: str, path: str) -> None:
        self.units[unit_id] = path

    def add_cadre(self, cadre_id: str, unit_id: str, **more: Any) -> DirCadre:
        entry = DirCadre(cadre_id, f"name of {cadre_id}", unit_id, self.units[unit_id], frozenset(), True, **more)
        self.entries[cadre_id] = entry
        return entry

    async def access(self, _conn: Any, principal: Principal) -> Access:
        relatives = self.entries[principal.cadre_id].relative_ids if principal.cadre_id in self.entries else ()
        return resolve(principal, unit_path=self.units.get(principal.unit_id or ""), relatives=relatives)

    async def require_cadre(
        self, _conn: Any, access: Access, cadre_id: str, *, sensitive: bool = False, active: bool = False
    ) -> DirCadre:
        entry = self.entries.get(cadre_id)
        if (
            entry is None
            or not access.sees(cadre_id, entry.org_path, sensitive=sensitive)
            or (active and not entry.active)
        ):
            raise cadre_not_found()
        return entry

    async def unit_in_scope(self, _conn: Any, access: Access, unit_id: str) -> str | None:
        path = self.units.get(unit_id)
        return path if access.sees_unit(path) else None


class FakeRepository:
    """One kind of aggregate by id. `rival`: a change another transaction commits right after the next load."""

    def __init__(self, uow: FakeAppraisalUnitOfWork, kind: str) -> None:
        self.uow, self.kind = uow, kind
        self.rows: dict[str, Any] = {}
        self.extras: dict[str, dict[str, Any]] = {}  # columns outside the aggregate (org_path, auto_key)
        self.rival: Callable[[Any], None] | None = None

    def now(self) -> dict[str, Any]:
        """The aggregates as this transaction sees them (its own writes included)."""
        return {**self.rows, **{k: v for (kind, k), v in self.uow.pending.items() if kind == self.kind}}

    def _load(self, obj: Any) -> Any:
        loaded = copy.deepcopy(obj)
        self.uow.track(loaded)
        if self.rival is not None:
            rival, self.rival = self.rival, None
            rival(self.rows[loaded.id])
            self.rows[loaded.id].version += 1
        return loaded

    async def get(self, object_id: str, *, lock: bool = False) -> Any:
        found = self.now().get(object_id)
        return None if found is None else self._load(found)

    async def _find(self, keep: Callable[[Any], bool]) -> list[Any]:
        return [self._load(obj) for _, obj in sorted(self.now().items()) if keep(obj)]

    async def add(self, obj: Any, **extra: Any) -> None:
        obj.version = 1
        self.uow.pending[(self.kind, obj.id)] = obj
        self.extras[obj.id] = extra
        self.uow.track(obj)

    async def add_many(self, objs: list[Any], extras: list[dict[str, Any]]) -> None:
        for obj, extra in zip(objs, extras):
            await self.add(obj, **extra)

    async def save(self, obj: Any) -> None:
        stored = self.uow.pending.get((self.kind, obj.id)) or self.rows.get(obj.id)
        if stored is None or stored.version != obj.version:
            raise ConcurrencyError(
                f"the {self.kind} was changed by someone else; reload and retry", rule=f"{self.kind}.version"
            )
        obj.version += 1
        self.uow.pending[(self.kind, obj.id)] = obj


class FakeAssessments(FakeRepository):
    async def of_cadre(self, cadre_id: str, *, lock: bool = False) -> list[Any]:
        return await self._find(lambda a: a.cadre_id == cadre_id)

    async def of_year(self, cadre_id: str, year: int, *, lock: bool = False) -> Any:
        found = await self._find(lambda a: (a.cadre_id, a.year) == (cadre_id, year))
        return found[0] if found else None

    async def is_open(self, cadre_id: str, year: int) -> bool:
        return any((a.cadre_id, a.year) == (cadre_id, year) for a in self.now().values())

    async def final_grades(self, cadre_id: str, *, other_than: str) -> dict[int, str]:
        return {
            a.year: a.final_grade
            for a in self.now().values()
            if a.cadre_id == cadre_id and a.id != other_than and a.final_grade is not None
        }


class FakeAwards(FakeRepository):
    async def of_cadre(self, cadre_id: str, *, status: str | None = None, lock: bool = False) -> list[Any]:
        return await self._find(lambda w: w.cadre_id == cadre_id and status in (None, w.status))

    async def merit_years(self, cadre_id: str) -> list[int | None]:
        return [
            w.year
            for w in self.now().values()
            if w.cadre_id == cadre_id
            and w.basis == "THREE_YEARS_EXCELLENT"
            and w.status not in ("WITHDRAWN", "REVOKED")
        ]

    async def status_of_proposal(self, auto_key: str) -> str | None:
        return next(
            (w.status for i, w in self.now().items() if self.extras.get(i, {}).get("auto_key") == auto_key), None
        )


class FakeQuota:
    """The 优秀 quota counted over the assessments of the unit itself (every unit is its own agency here)."""

    def __init__(self, uow: FakeAppraisalUnitOfWork) -> None:
        self.uow = uow

    async def ensure_year(self, org_unit_id: str, year: int, *, units: Any = None) -> str:
        return org_unit_id

    async def standing(
        self,
        org_unit_id: str,
        year: int,
        *,
        exclude_assessment_id: str | None = None,
        write: bool = False,
        units: Any = None,
    ) -> Standing:
        settings = self.uow.context.settings
        same = [a for a in self.uow.assessments.now().values() if (a.org_unit_id, a.year) == (org_unit_id, year)]
        used = sum(
            1
            for a in same
            if a.id != exclude_assessment_id
            and (a.final_grade == "EXCELLENT" or (a.status in HOLDING_STATUSES and a.proposed_grade == "EXCELLENT"))
        )
        figures = quota.compute(
            headcount=len(same),
            pct=settings.excellent_quota_pct,
            rounding=settings.excellent_quota_rounding,
            min_one_from=settings.excellent_quota_min_one_from,
        )
        return Standing(org_unit_id, org_unit_id, None, year, settings.excellent_quota_pct, False, False, figures, used)


class FakeProjections:
    def __init__(self, uow: FakeAppraisalUnitOfWork) -> None:
        self.uow = uow

    async def cadre_org_path(self, cadre_id: str) -> str:
        entry = self.uow.directory.entries.get(cadre_id)
        return entry.org_path if entry else "/"


class FakeAppraisalUnitOfWork(FakeUnitOfWork):
    """Appraisal in memory: aggregates and index marks are written at commit only, as a transaction would."""

    def __init__(self, settings: AppraisalSettings | None = None) -> None:
        super().__init__(to_contracts=to_contracts, context=AppraisalContext.build(settings or AppraisalSettings()))
        self.conn = None
        self.directory = FakeDirectory()
        self.assessments = FakeAssessments(self, "annual_assessment")
        self.records = FakeRepository(self, "performance_record")
        self.talks = FakeRepository(self, "talk")
        self.awards = FakeAwards(self, "award")
        self.quota = FakeQuota(self)
        self.projections = FakeProjections(self)
        self.facts: dict[str, Facts] = {}  # what tolerance told about each cadre
        self.pending: dict[tuple[str, str], Any] = {}
        self.dirty: set[tuple[str, str]] = set()  # the (cadre, quarter) pairs queued for the index, committed
        self._dirty_pending: set[tuple[str, str]] = set()

    async def __aenter__(self) -> FakeAppraisalUnitOfWork:
        await super().__aenter__()
        self.pending, self._dirty_pending = {}, set()
        return self

    async def grade_facts(self, cadre_id: str) -> Facts:
        return self.facts.get(cadre_id, NO_FACTS)

    async def grade_facts_of(self, cadre_ids: list[str]) -> dict[str, Facts]:
        return {c: await self.grade_facts(c) for c in cadre_ids}

    async def mark_dirty(self, pairs: set[tuple[str, str]]) -> None:
        self._dirty_pending |= pairs

    async def commit(self, result: Any = None) -> Any:
        repositories = {r.kind: r for r in (self.assessments, self.records, self.talks, self.awards)}
        for (kind, key), obj in self.pending.items():
            repositories[kind].rows[key] = _stored(obj)
        self.dirty |= self._dirty_pending
        self.pending, self._dirty_pending = {}, set()
        return await super().commit(result)

    async def rollback(self) -> None:
        self.pending, self._dirty_pending = {}, set()
        await super().rollback()
