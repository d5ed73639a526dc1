"""Petitions' fake unit of work: reports, statements, deadlines, the vault and the directory in dicts, for use-case
tests without I/O (kernel.testing.fakes). A transaction sees its own writes; rows are stored at commit only."""

from __future__ import annotations

import copy
from typing import Any

from kernel.access import Access, resolve
from kernel.auth import Principal
from kernel.directory import DirCadre, path_of
from kernel.errors import ConcurrencyError
from kernel.testing.fakes import FakeUnitOfWork
from services.petitions.adapters.scope import OUTCOME_READERS, reads_open
from services.petitions.domain.vocab import OUTCOME_STATES
from services.petitions.service_layer.context import PetitionsContext
from services.petitions.service_layer.publishing import to_contracts
from services.petitions.settings import PetitionsSettings
from tests.petitions.support import vault_key


def _stored(obj: Any) -> Any:
    """A copy as the database would keep it: no pending events."""
    kept = copy.deepcopy(obj)
    if hasattr(kept, "events"):
        kept.events = []
    return kept


class FakeTable:
    """One table: committed rows in `rows`, this transaction's writes in the unit of work's `pending`."""

    kind = ""

    def __init__(self, uow: FakePetitionsUnitOfWork) -> None:
        self.uow = uow
        self.rows: dict[str, Any] = {}

    def now(self) -> dict[str, Any]:
        """The rows as this transaction sees them (its own writes included)."""
        return {**self.rows, **{k: v for (kind, k), v in self.uow.pending.items() if kind == self.kind}}

    def write(self, key: str, value: Any) -> None:
        self.uow.pending[(self.kind, key)] = value


class FakeAggregates(FakeTable):
    """An aggregate per row, versioned as FlatRepository does (get, add, save)."""

    rule = ""

    async def get(self, object_id: str) -> Any:
        found = self.now().get(object_id)
        if found is None:
            return None
        obj = _stored(found)
        self.uow.track(obj)
        return obj

    async def add(self, obj: Any, **_: Any) -> None:
        obj.version = 1
        self.write(obj.id, obj)
        self.uow.track(obj)

    async def save(self, obj: Any, **_: Any) -> None:
        stored = self.now().get(obj.id)
        if stored is None or stored.version != obj.version:
            raise ConcurrencyError("changed by someone else; reload and retry", rule=f"{self.rule}.version")
        obj.version += 1
        self.write(obj.id, obj)


class FakeReports(FakeAggregates):
    kind, rule = "report", "report"

    def __init__(self, uow: FakePetitionsUnitOfWork) -> None:
        super().__init__(uow)
        self.sealed_texts: dict[str, dict[str, bytes | None]] = {}  # committed, as the sealed columns

    async def add(self, report: Any, *, sealed: dict[str, bytes | None]) -> None:
        await super().add(report)
        self.uow.pending[("sealed", report.id)] = dict(sealed)

    async def save(self, report: Any, *, sealed: dict[str, bytes | None] | None = None) -> None:
        await super().save(report)
        if sealed:
            self.uow.pending[("sealed", report.id)] = {**await self.sealed(report.id), **sealed}

    async def sealed(self, report_id: str) -> dict[str, bytes | None]:
        return dict(self.uow.pending.get(("sealed", report_id)) or self.sealed_texts.get(report_id) or {})

    async def similar_candidates(self, report_id: str, cadre_ids: list[str], limit: int) -> list[tuple[str, bytes]]:
        return []

    async def link(self, report_id: str, links: list[tuple[str, float]], *, kind: str, on: Any) -> None:
        self.uow.pending[("link", f"{report_id}:{kind}")] = links

    async def handling_unit(self, report_id: str) -> str | None:
        report = self.now().get(report_id)
        return None if report is None else report.handling_org_unit_id


class FakeStatements(FakeAggregates):
    kind, rule = "statement", "statement_request"

    async def for_report(self, report_id: str) -> list[Any]:
        found = sorted(
            (r for r in self.now().values() if r.report_id == report_id), key=lambda r: (r.requested_on, r.id)
        )
        return [await self.get(r.id) for r in found]


class FakeDeadlines(FakeAggregates):
    kind, rule = "deadline", "deadline"

    async def settle(
        self, *, kinds: Any, how: str, on: Any, report_id: str | None = None, object_id: str | None = None
    ) -> int:
        count = 0
        for deadline in list(self.now().values()):
            if (
                deadline.kind in set(kinds)
                and deadline.status in ("OPEN", "PAUSED")
                and report_id in (None, deadline.report_id)
                and object_id in (None, deadline.object_id)
            ):
                changed = _stored(deadline)
                changed.status, changed.version = how, deadline.version + 1
                if how == "MET":
                    changed.met_on = on
                self.write(changed.id, changed)
                count += 1
        return count


class FakeClarifications(FakeAggregates):
    kind, rule = "clarification", "clarification"

    async def open_for(self, cadre_id: str, report_id: str) -> bool:
        return any(
            c.cadre_id == cadre_id and report_id in c.report_ids and c.status not in ("REJECTED", "DECLINED")
            for c in self.now().values()
        )


class FakeFalseAccusations(FakeAggregates):
    kind, rule = "false_accusation", "false_accusation_case"


class FakeVault(FakeTable):
    """Sealed identities (`rows`: report id → (sealed, fingerprint)), receipts and reporter flags."""

    kind = "vault"

    async def put(self, report_id: str, sealed: bytes, fingerprint: str | None) -> None:
        self.write(report_id, (sealed, fingerprint))

    async def sealed(self, report_id: str) -> tuple[bool, bytes | None]:
        row = self.now().get(report_id)
        return (False, None) if row is None else (True, row[0])

    async def fingerprint(self, report_id: str) -> str | None:
        row = self.now().get(report_id)
        return None if row is None else row[1]

    async def bucket_size(self, lookup_prefix: str) -> int:
        live = {**self.uow.receipts, **{k: v for (kind, k), v in self.uow.pending.items() if kind == "receipt"}}
        return sum(1 for row in live.values() if row[0] == lookup_prefix)

    async def put_receipt(self, report_id: str, lookup_prefix: str, salt: bytes, digest: bytes, n: int) -> None:
        self.uow.pending[("receipt", report_id)] = (lookup_prefix, salt, digest, n)

    async def unfounded_count(self, fingerprint: str) -> int:
        reports = self.uow.reports.now()
        return sum(
            1
            for report_id, (_, mark) in self.now().items()
            if mark == fingerprint and getattr(reports.get(report_id), "outcome", None) == "UNFOUNDED"
        )

    async def flag(self, fingerprint: str, count: int, today: Any) -> None:
        self.uow.pending[("flag", fingerprint)] = (count, today)


class FakeDirectory:
    """The copy of rank's register: org units (id → path, active, agency level) and cadres (DirCadre)."""

    def __init__(self) -> None:
        self.units: dict[str, tuple[str, bool, str]] = {}
        self.cadres: dict[str, DirCadre] = {}

    def add_unit(self, unit_id: str, path: list[str], agency_level: str = "MUNICIPAL_AGENCY") -> None:
        self.units[unit_id] = (path_of(path), True, agency_level)

    def add_cadre(self, cadre_id: str, unit_id: str, relatives: tuple[str, ...] = ()) -> None:
        self.cadres[cadre_id] = DirCadre(
            cadre_id, f"Cadre {cadre_id}", unit_id, self.units[unit_id][0], frozenset(relatives), True
        )

    async def cadre(self, cadre_id: str) -> DirCadre | None:
        return self.cadres.get(cadre_id)

    async def has_cadre(self, cadre_id: str) -> bool:
        return cadre_id in self.cadres

    async def cadre_paths(self, cadre_ids: list[str]) -> list[tuple[str, str]]:
        return [(c, self.cadres[c].org_path) for c in cadre_ids if c in self.cadres]

    async def unit_path(self, unit_id: str | None) -> str | None:
        return self.units[unit_id][0] if unit_id in self.units else None

    async def active_unit(self, unit_id: str) -> bool:
        return unit_id in self.units and self.units[unit_id][1]

    async def known_units(self, unit_ids: list[str]) -> set[str]:
        return {u for u in unit_ids if u in self.units}

    async def agency_levels(self, unit_ids: list[str]) -> dict[str, str]:
        return {u: self.units[u][2] for u in unit_ids if u in self.units}


class FakeScope:
    """adapters.scope's rule over the fake directory and reports (report_scope in Python)."""

    def __init__(self, uow: FakePetitionsUnitOfWork) -> None:
        self.uow = uow

    async def access(self, principal: Principal) -> Access:
        me = self.uow.directory.cadres.get(principal.cadre_id or "")
        return resolve(
            principal,
            unit_path=await self.uow.directory.unit_path(principal.unit_id),
            relatives=me.relative_ids if me else (),
        )

    async def report_visible(self, access: Access, report_id: str, *, outcomes_only: bool | None = None) -> bool:
        report = self.uow.reports.now().get(report_id)
        if outcomes_only is None:
            outcomes_only = not reads_open(access)
        if (
            report is None
            or access.prefix is None
            or not (reads_open(access) or access.principal.has(*OUTCOME_READERS))
        ):
            return False
        here = (await self.uow.directory.unit_path(report.handling_org_unit_id) or "").startswith(access.prefix)
        if outcomes_only:
            cadres = self.uow.directory.cadres
            accused_here = any(
                c in cadres and cadres[c].org_path.startswith(access.prefix) for c in report.accused_cadre_ids
            )
            here = report.status in OUTCOME_STATES and (here or accused_here)
        return here and not set(report.accused_cadre_ids) & access.excluded(sensitive=True)

    async def unit_in_scope(self, access: Access, unit_id: str) -> str | None:
        path = await self.uow.directory.unit_path(unit_id)
        return path if await self.uow.directory.active_unit(unit_id) and access.sees_unit(path) else None

    async def cadre_in_scope(self, access: Access, cadre_id: str) -> str | None:
        entry = self.uow.directory.cadres.get(cadre_id)
        if entry is None or not access.sees(cadre_id, entry.org_path, sensitive=True):
            return None
        return entry.org_unit_id


def petitions_context(**settings: Any) -> PetitionsContext:
    """The real context (sealer, rule tables, calendar) over a fresh vault key; cheap receipt hashes."""
    values: dict[str, Any] = dict(vault_key=vault_key(), receipt_scrypt_n=2**10, periodic_jobs=False)
    return PetitionsContext.build(PetitionsSettings(**{**values, **settings}))


class FakePetitionsUnitOfWork(FakeUnitOfWork):
    """Petitions in memory: rows are written at commit only, as a transaction would."""

    def __init__(self, context: PetitionsContext | None = None) -> None:
        super().__init__(to_contracts=to_contracts, context=context or petitions_context())
        self.pending: dict[tuple[str, str], Any] = {}
        self.reports = FakeReports(self)
        self.statements = FakeStatements(self)
        self.deadlines = FakeDeadlines(self)
        self.clarifications = FakeClarifications(self)
        self.false_accusations = FakeFalseAccusations(self)
        self.vault = FakeVault(self)
        self.directory = FakeDirectory()
        self.scope = FakeScope(self)
        self.receipts: dict[str, Any] = {}
        self.flags: dict[str, Any] = {}
        self.links: dict[str, Any] = {}
        self._tables = {
            t.kind: t
            for t in (
                self.reports,
                self.statements,
                self.deadlines,
                self.clarifications,
                self.false_accusations,
                self.vault,
            )
        }

    async def __aenter__(self) -> FakePetitionsUnitOfWork:
        await super().__aenter__()
        self.pending = {}
        return self

    async def commit(self, result: Any = None) -> Any:
        others = {"sealed": self.reports.sealed_texts, "receipt": self.receipts, "flag": self.flags, "link": self.links}
        for (kind, key), obj in self.pending.items():
            table = self._tables[kind].rows if kind in self._tables else others[kind]
            table[key] = _stored(obj)
        self.pending = {}
        return await super().commit(result)

    async def rollback(self) -> None:
        self.pending = {}
        await super().rollback()
