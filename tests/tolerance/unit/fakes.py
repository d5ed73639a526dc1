"""Tolerance's fake unit of work: incidents, cases, sanctions and restrictions in dicts, for use-case tests without
I/O (kernel.testing.fakes; the same use cases run against SQLite and PostgreSQL in tests/tolerance/integration).

A transaction sees its own writes; rows are stored at commit only, and a rollback leaves nothing. Aggregates are
handed out as copies without pending events, as rows read back from a database would be.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kernel.access import cadre_not_found, resolve
from kernel.auth import Principal
from kernel.calendar import WorkdayCalendar
from kernel.contracts.vocabulary import RestrictionSource, RestrictionStatus, SanctionSystem
from kernel.directory import DirCadre, path_of
from kernel.errors import ConcurrencyError
from kernel.testing.fakes import FakeUnitOfWork
from services.tolerance.domain.investigation import Incident, Investigation, InvestigationStatus
from services.tolerance.domain.policy import Policy
from services.tolerance.domain.reinstatement import OPEN_STATES, Reinstatement
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.sanction import Sanction, SanctionStatus
from services.tolerance.domain.tolerance_case import ToleranceCase
from services.tolerance.service_layer.context import ToleranceContext
from services.tolerance.service_layer.publishing import to_contracts


def _stored(obj: Any) -> Any:
    """A copy as the database would keep it: no pending events."""
    kept = copy.deepcopy(obj)
    if hasattr(kept, "events"):
        kept.events = []
    return kept


class _Table:
    """One table in memory: committed rows plus this transaction's writes (uow.pending[kind])."""

    kind = ""

    def __init__(self, uow: FakeToleranceUnitOfWork) -> None:
        self.uow = uow
        self.rows: dict[Any, Any] = {}

    def now(self) -> dict[Any, Any]:
        """The rows as this transaction sees them (its own writes included)."""
        return {**self.rows, **self.uow.pending.get(self.kind, {})}

    def _put(self, key: Any, row: Any) -> None:
        self.uow.pending.setdefault(self.kind, {})[key] = row


class _Aggregates(_Table):
    """Aggregates keyed by id, with the optimistic version check of the real repositories."""

    rule = ""

    def __init__(self, uow: FakeToleranceUnitOfWork) -> None:
        super().__init__(uow)
        self.track = uow.track  # as the real repositories: use cases track what they rebuilt themselves
        self.after_read: Callable[[], None] | None = None  # a test's hook: someone else writes meanwhile

    def _load(self, item: Any) -> Any:
        loaded = _stored(item)
        self.uow.track(loaded)
        if self.after_read is not None:
            self.after_read()
        return loaded

    def _where(self, test: Callable[[Any], bool], key: Callable[[Any], Any] = lambda a: a.id) -> list[Any]:
        return [self._load(a) for a in sorted((a for a in self.now().values() if test(a)), key=key)]

    async def get(self, item_id: str) -> Any:
        item = self.now().get(item_id)
        return None if item is None else self._load(item)

    async def add(self, item: Any, **_: Any) -> None:
        item.version = 1
        self._put(item.id, item)
        self.uow.track(item)

    async def save(self, item: Any) -> None:
        stored = self.now().get(item.id)
        if stored is None or stored.version != item.version:
            raise ConcurrencyError("the record was changed by someone else; reload and retry", rule=self.rule)
        item.version += 1
        self._put(item.id, item)


class FakeIncidents(_Aggregates):
    kind, rule = "incident", "incident.version"

    async def by_source(self, ref_type: str, ref_id: str) -> str | None:
        return next(
            (i.id for i in self.now().values() if any((r.type, r.id) == (ref_type, ref_id) for r in i.source_refs)),
            None,
        )

    async def add_cadre(self, incident_id: str, cadre_id: str) -> None:
        incident = _stored(self.now()[incident_id])
        incident.cadre_ids = tuple(sorted({*incident.cadre_ids, cadre_id}))
        self._put(incident_id, incident)


class FakeSanctions(_Aggregates):
    kind, rule = "sanction", "sanction.version"

    async def by_external_ref(self, ref: str) -> Sanction | None:
        found = self._where(lambda s: s.external_ref == ref)
        return found[0] if found else None

    async def for_incident(self, incident_id: str, cadre_id: str | None = None) -> list[Sanction]:
        return self._where(lambda s: s.incident_id == incident_id and cadre_id in (None, s.cadre_id))

    async def running_until(self, cadre_id: str, system: SanctionSystem, on: dt.date, exclude: str) -> dt.date | None:
        ends = [
            s.ends_on
            for s in self.now().values()
            if s.cadre_id == cadre_id
            and s.system is system
            and s.id != exclude
            and s.status in (SanctionStatus.EFFECTIVE, SanctionStatus.EXTENDED)
            and s.ends_on is not None
            and s.ends_on > on
        ]
        return max(ends, default=None)

    async def removals_without_reinstatement(self, cadre_ids: Sequence[str], removal_types: Sequence[str]) -> list:
        based = {s for r in self.uow.reinstatements.now().values() for s in r.basis_sanction_ids}
        return [
            s
            for s in self.now().values()
            if s.cadre_id in cadre_ids and s.type.value in removal_types and s.id not in based
        ]


class FakeRestrictions(_Aggregates):
    kind, rule = "restriction", "restriction.version"

    @property
    def extensions(self) -> list[dict[str, Any]]:
        """The extensions recorded and committed, in order."""
        return [row for _, row in sorted(self.uow.extensions.rows.items())]

    async def of_source(self, source_types: Sequence[RestrictionSource], source_id: str) -> list[Restriction]:
        return self._where(
            lambda r: r.source_type in source_types and r.source_id == source_id, key=lambda r: (r.starts_on, r.id)
        )

    async def of_cadre(self, cadre_id: str, *, active_only: bool = True) -> list[Restriction]:
        return self._where(
            lambda r: r.cadre_id == cadre_id and (not active_only or r.status is RestrictionStatus.ACTIVE)
        )

    async def add_many(self, restrictions: Iterable[Restriction]) -> None:
        for r in restrictions:
            await self.add(r)

    async def save_many(self, restrictions: Iterable[Restriction]) -> None:
        for r in restrictions:
            await self.save(r)

    async def record_extension(self, **values: Any) -> None:
        self.uow.extensions._put(next(self.uow.serial), values)

    async def barred_cadres(self, cadre_ids: Sequence[str], effects: Sequence[str], on: dt.date) -> set[str]:
        return {
            r.cadre_id
            for r in self.now().values()
            if r.cadre_id in cadre_ids
            and r.effect.value in effects
            and r.status is RestrictionStatus.ACTIVE
            and r.starts_on <= on
        }


class FakeInvestigations(_Aggregates):
    kind, rule = "investigation", "investigation.version"

    async def by_case(self, case_id: str) -> Investigation | None:
        found = self._where(lambda i: i.case_id == case_id)
        return found[0] if found else None

    async def not_closed(
        self,
        *,
        cadre_id: str,
        report_id: str | None = None,
        case_ids: Sequence[str] = (),
        incident_id: str | None = None,
    ) -> list[Investigation]:
        def linked(i: Investigation) -> bool:
            return (
                (report_id is not None and i.report_id == report_id)
                or i.case_id in case_ids
                or (incident_id is not None and i.incident_id == incident_id)
            )

        return self._where(
            lambda i: i.cadre_id == cadre_id and i.status is not InvestigationStatus.CLOSED and linked(i)
        )


class FakeCases(_Aggregates):
    kind, rule = "case", "tolerance_case.version"

    async def for_incident(self, incident_id: str, cadre_id: str) -> list[ToleranceCase]:
        return self._where(
            lambda c: (c.incident_id, c.cadre_id) == (incident_id, cadre_id), key=lambda c: (c.applied_on, c.id)
        )


class FakeReinstatements(_Aggregates):
    kind, rule = "reinstatement", "reinstatement.version"

    async def has_open(self, cadre_id: str) -> bool:
        return any(r.cadre_id == cadre_id and r.status in OPEN_STATES for r in self.now().values())


class FakeRecords(_Table):
    """The records of past facts: rows (dicts) keyed by (kind of fact, key, revision)."""

    kind = "record"

    def _latest(self, what: str, key: str) -> dict[str, Any] | None:
        found = [(k[2], row) for k, row in self.now().items() if k[:2] == (what, key)]
        return max(found, key=lambda pair: pair[0])[1] if found else None

    def _append(self, what: str, key: str, values: dict[str, Any]) -> None:
        self._put((what, key, values["revision"]), dict(values))

    async def current_sanction(self, sanction_id: str) -> dict[str, Any] | None:
        return self._latest("sanction", sanction_id)

    async def add_sanction(self, **values: Any) -> None:
        self._append("sanction", values["sanction_id"], values)

    async def count_sanction(self, sanction_id: str) -> int:
        return sum(1 for k in self.now() if k[:2] == ("sanction", sanction_id))

    async def current_case(self, case_key: str) -> dict[str, Any] | None:
        return self._latest("case", case_key)

    async def add_case(self, **values: Any) -> None:
        self._append("case", values["case_key"], values)

    async def current_investigation(self, case_ref: str) -> dict[str, Any] | None:
        return self._latest("investigation", case_ref)

    async def add_investigation(self, **values: Any) -> None:
        self._append("investigation", values["case_ref"], values)


class FakeExtensions(_Table):
    kind = "extension"


class FakeProjections:
    """Rank's holdings as tolerance mirrors them: the original post level and rank of a cadre (none by default)."""

    def __init__(self) -> None:
        self.levels: dict[str, tuple[int | None, str | None]] = {}

    async def original_levels(self, cadre_id: str, before: dt.date) -> tuple[int | None, str | None]:
        return self.levels.get(cadre_id, (None, None))


class FakeDirectory:
    """The cadre directory: org units by path and cadres with their unit and relatives (kernel.directory)."""

    def __init__(self) -> None:
        self.units: dict[str, str] = {}
        self.cadres: dict[str, DirCadre] = {}

    def unit(self, *path: str) -> None:
        """Adds an org unit by its path of ids, root first."""
        self.units[path[-1]] = path_of(list(path))

    def cadre(
        self, cadre_id: str, unit_id: str, *, relatives: Iterable[str] = (), entry_date: dt.date = dt.date(2005, 7, 1)
    ) -> None:
        """Adds a cadre in an org unit."""
        self.cadres[cadre_id] = DirCadre(
            cadre_id, cadre_id, unit_id, self.units[unit_id], frozenset(relatives), True, entry_date=entry_date
        )

    async def for_action(self, principal: Principal, cadre_id: str) -> DirCadre:
        mine = self.cadres.get(principal.cadre_id or "")
        access = resolve(
            principal, unit_path=self.units.get(principal.unit_id or ""), relatives=mine.relative_ids if mine else ()
        )
        entry = self.cadres.get(cadre_id)
        if entry is None or not access.sees(entry.cadre_id, entry.org_path, sensitive=True):
            raise cadre_not_found()
        return entry

    async def entry(self, cadre_id: str) -> DirCadre | None:
        return self.cadres.get(cadre_id)


class FakeToleranceUnitOfWork(FakeUnitOfWork):
    """The tolerance records in memory: rows are written at commit only, as a transaction would."""

    def __init__(self, policy: Policy | None = None) -> None:
        super().__init__(
            to_contracts=to_contracts,
            context=ToleranceContext(settings=None, calendar=WorkdayCalendar(), policy=policy or Policy()),
        )  # type: ignore[arg-type]
        self.pending: dict[str, dict[Any, Any]] = {}
        self.serial = itertools.count(1)
        self.incidents = FakeIncidents(self)
        self.sanctions = FakeSanctions(self)
        self.restrictions = FakeRestrictions(self)
        self.investigations = FakeInvestigations(self)
        self.cases = FakeCases(self)
        self.reinstatements = FakeReinstatements(self)
        self.records = FakeRecords(self)
        self.extensions = FakeExtensions(self)
        self.projections = FakeProjections()
        self.directory = FakeDirectory()

    def _tables(self) -> list[_Table]:
        return [
            self.incidents,
            self.sanctions,
            self.restrictions,
            self.investigations,
            self.cases,
            self.reinstatements,
            self.records,
            self.extensions,
        ]

    async def __aenter__(self) -> FakeToleranceUnitOfWork:
        await super().__aenter__()
        self.pending = {}
        return self

    async def commit(self, result: Any = None) -> Any:
        for table in self._tables():
            for key, row in self.pending.get(table.kind, {}).items():
                table.rows[key] = _stored(row)
        self.pending = {}
        return await super().commit(result)

    async def rollback(self) -> None:
        self.pending = {}
        await super().rollback()

    def seed(self, *items: Incident | ToleranceCase | Sanction | Restriction | Reinstatement) -> None:
        """Stores aggregates as committed rows (version 1 unless set), as an earlier transaction would have."""
        tables = {
            Incident: self.incidents,
            ToleranceCase: self.cases,
            Sanction: self.sanctions,
            Restriction: self.restrictions,
            Reinstatement: self.reinstatements,
            Investigation: self.investigations,
        }
        for item in items:
            item.version = item.version or 1
            tables[type(item)].rows[item.id] = _stored(item)
