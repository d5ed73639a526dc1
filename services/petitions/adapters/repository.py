"""Repositories of the petitions service: rows ⇄ aggregates over the unit of work's connection."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import Table, and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.errors import ConcurrencyError
from services.petitions.adapters import orm
from services.petitions.domain.appeal import Appeal
from services.petitions.domain.clarification import Clarification
from services.petitions.domain.deadline import Deadline
from services.petitions.domain.false_accusation import FalseAccusationCase
from services.petitions.domain.report import Accused, Allegation, Case, CollectiveDecision, Disposal, Report
from services.petitions.domain.statement import StatementRequest

A = TypeVar("A")
Track = Callable[[Any], None]


class FlatRepository(Generic[A]):
    """Loads and saves an aggregate stored in one row whose columns carry the dataclass field names."""

    table: Table
    model: type
    json_fields: tuple[str, ...] = ()

    def __init__(self, conn: AsyncConnection, track: Track) -> None:
        self.conn = conn
        self.track = track
        self._fields = [f.name for f in dataclasses.fields(self.model) if f.name != "events"]

    def _values(self, obj: Any) -> dict[str, Any]:
        values = {name: getattr(obj, name) for name in self._fields if name in self.table.c}
        for name in self.json_fields:
            values[name] = orjson.dumps(values[name]).decode()
        return values

    def _load(self, row: Any) -> A:
        data = {name: row[name] for name in self._fields if name in row}
        for name in self.json_fields:
            data[name] = orjson.loads(data[name])
        obj = self.model(**data)
        self.track(obj)
        return obj

    async def get(self, object_id: str) -> A | None:
        """Returns the aggregate by id, or None."""
        row = (await self.conn.execute(select(self.table).where(self.table.c.id == object_id))).mappings().first()
        return None if row is None else self._load(row)

    async def add(self, obj: Any) -> None:
        """Inserts a new aggregate."""
        now = utcnow()
        obj.version = 1
        await self.conn.execute(insert(self.table).values(**{**self._values(obj), "created_at": now, "updated_at": now}))
        self.track(obj)

    async def save(self, obj: Any) -> None:
        """Updates an aggregate, checking that nobody changed it since it was read."""
        t = self.table
        values = self._values(obj)
        values.pop("id")
        values["version"] = obj.version + 1
        result = await self.conn.execute(
            update(t).where(t.c.id == obj.id, t.c.version == obj.version).values(**values, updated_at=utcnow()))
        if result.rowcount != 1:
            raise ConcurrencyError(f"the {t.name} was changed by someone else; reload and retry", rule=f"{t.name}.version")
        obj.version += 1


class StatementRepository(FlatRepository[StatementRequest]):
    table = orm.statement_request
    model = StatementRequest

    async def for_report(self, report_id: str) -> list[StatementRequest]:
        """Returns every statement request of a report."""
        t = self.table
        rows = (await self.conn.execute(select(t).where(t.c.report_id == report_id).order_by(t.c.requested_on, t.c.id)))
        return [self._load(r) for r in rows.mappings()]


class FalseAccusationRepository(FlatRepository[FalseAccusationCase]):
    table = orm.false_accusation_case
    model = FalseAccusationCase
    json_fields = ("victim_cadre_ids",)


class ClarificationRepository(FlatRepository[Clarification]):
    table = orm.clarification
    model = Clarification
    json_fields = ("report_ids",)

    async def open_for(self, cadre_id: str, report_id: str) -> bool:
        """Tells whether a clarification of this cadre about this report is already under way."""
        t = self.table
        rows = await self.conn.execute(select(t.c.report_ids).where(
            t.c.cadre_id == cadre_id, t.c.status.not_in(("REJECTED", "DECLINED"))))
        return any(report_id in orjson.loads(r[0]) for r in rows)


class AppealRepository(FlatRepository[Appeal]):
    table = orm.appeal
    model = Appeal

    async def active_for(self, target_ref: str, stage: str) -> bool:
        """Tells whether an appeal of this stage against the target is pending or was decided."""
        t = self.table
        row = (await self.conn.execute(select(t.c.id).where(
            t.c.target_ref == target_ref, t.c.stage == stage,
            t.c.status.not_in(("REJECTED_TIME_BARRED", "REJECTED"))).limit(1))).first()
        return row is not None


class DeadlineRepository(FlatRepository[Deadline]):
    table = orm.deadline
    model = Deadline

    async def settle(self, *, kinds: Iterable[str], how: str, on: Any, report_id: str | None = None,
                     object_id: str | None = None) -> int:
        """Marks open or paused deadlines of these kinds met or cancelled (set-based)."""
        t = self.table
        where = [t.c.kind.in_(list(kinds)), t.c.status.in_(("OPEN", "PAUSED"))]
        if report_id is not None:
            where.append(t.c.report_id == report_id)
        if object_id is not None:
            where.append(t.c.object_id == object_id)
        values: dict[str, Any] = {"status": how, "updated_at": utcnow(), "version": t.c.version + 1}
        if how == "MET":
            values["met_on"] = on
        result = await self.conn.execute(update(t).where(and_(*where)).values(**values))
        return result.rowcount or 0

    async def move_report(self, report_id: str, org_unit_id: str) -> None:
        """Hands a report's open deadlines to the unit that now handles it."""
        t = self.table
        await self.conn.execute(update(t).where(t.c.report_id == report_id, t.c.status.in_(("OPEN", "PAUSED")))
                                .values(org_unit_id=org_unit_id, updated_at=utcnow()))


class ReportRepository:
    """Loads and saves reports with their accused, allegations, cases and disposals."""

    def __init__(self, conn: AsyncConnection, track: Track) -> None:
        self.conn = conn
        self.track = track
        self._children: dict[str, dict[str, set[str]]] = {}

    _SCALARS = [f.name for f in dataclasses.fields(Report)
                if f.name not in ("accused", "accused_unit_ids", "allegations", "cases", "disposals", "events")]

    async def get(self, report_id: str) -> Report | None:
        """Returns a report by id, or None."""
        row = (await self.conn.execute(select(*(orm.report.c[n] for n in self._SCALARS))
                                       .where(orm.report.c.id == report_id))).mappings().first()
        if row is None:
            return None
        report = Report(**dict(row))
        a, u, al, c, d = orm.report_accused, orm.report_accused_unit, orm.report_allegation, orm.report_case, orm.report_disposal
        report.accused = [Accused(r.cadre_id, r.outcome, r.tolerated) for r in await self.conn.execute(
            select(a.c.cadre_id, a.c.outcome, a.c.tolerated).where(a.c.report_id == report_id).order_by(a.c.position))]
        report.accused_unit_ids = [r[0] for r in await self.conn.execute(
            select(u.c.org_unit_id).where(u.c.report_id == report_id).order_by(u.c.org_unit_id))]
        report.allegations = [Allegation(r.id, r.summary, r.cadre_id, r.result) for r in await self.conn.execute(
            select(al.c.id, al.c.summary, al.c.cadre_id, al.c.result).where(al.c.report_id == report_id)
            .order_by(al.c.position))]
        report.cases = [Case(r.id, r.cadre_id, r.opened_on) for r in await self.conn.execute(
            select(c.c.id, c.c.cadre_id, c.c.opened_on).where(c.c.report_id == report_id).order_by(c.c.opened_on, c.c.id))]
        report.disposals = [
            Disposal(r.id, r.mode, CollectiveDecision(r.meeting_on, r.participants, r.minutes_ref, r.decided_by),
                     r.decided_on)
            for r in await self.conn.execute(select(d).where(d.c.report_id == report_id).order_by(d.c.decided_on, d.c.id))]
        self._children[report.id] = self._keys(report)
        self.track(report)
        return report

    @staticmethod
    def _keys(report: Report) -> dict[str, set[str]]:
        return {"accused": set(report.accused_cadre_ids), "units": set(report.accused_unit_ids),
                "allegations": {x.id for x in report.allegations}, "cases": {x.id for x in report.cases},
                "disposals": {x.id for x in report.disposals}}

    def _scalars(self, report: Report) -> dict[str, Any]:
        return {n: getattr(report, n) for n in self._SCALARS}

    async def add(self, report: Report, *, sealed: dict[str, bytes | None]) -> None:
        """Inserts a new report with its sealed texts."""
        now = utcnow()
        report.version = 1
        await self.conn.execute(insert(orm.report).values(**self._scalars(report), **sealed, created_at=now,
                                                          updated_at=now))
        self._children[report.id] = {k: set() for k in ("accused", "units", "allegations", "cases", "disposals")}
        await self._save_children(report)
        self.track(report)

    async def save(self, report: Report, *, sealed: dict[str, bytes | None] | None = None) -> None:
        """Updates a report (version checked) and its children."""
        t = orm.report
        values = self._scalars(report)
        values.pop("id")
        values["version"] = report.version + 1
        result = await self.conn.execute(update(t).where(t.c.id == report.id, t.c.version == report.version)
                                         .values(**values, **(sealed or {}), updated_at=utcnow()))
        if result.rowcount != 1:
            raise ConcurrencyError("the report was changed by someone else; reload and retry", rule="report.version")
        report.version += 1
        await self._save_children(report)

    async def _save_children(self, report: Report) -> None:
        known = self._children[report.id]
        a, u, al, c, d = orm.report_accused, orm.report_accused_unit, orm.report_allegation, orm.report_case, orm.report_disposal
        rid = report.id
        current = set(report.accused_cadre_ids)
        if known["accused"] - current:
            await self.conn.execute(delete(a).where(a.c.report_id == rid, a.c.cadre_id.in_(known["accused"] - current)))
        for position, accused in enumerate(report.accused):
            values = dict(position=position, outcome=accused.outcome, tolerated=accused.tolerated)
            if accused.cadre_id in known["accused"]:
                await self.conn.execute(update(a).where(a.c.report_id == rid, a.c.cadre_id == accused.cadre_id)
                                        .values(**values))
            else:
                await self.conn.execute(insert(a).values(report_id=rid, cadre_id=accused.cadre_id, **values))
        units = set(report.accused_unit_ids)
        if known["units"] - units:
            await self.conn.execute(delete(u).where(u.c.report_id == rid, u.c.org_unit_id.in_(known["units"] - units)))
        new_units = [{"report_id": rid, "org_unit_id": x} for x in report.accused_unit_ids if x not in known["units"]]
        if new_units:
            await self.conn.execute(insert(u), new_units)
        ids = {x.id for x in report.allegations}
        if known["allegations"] - ids:
            await self.conn.execute(delete(al).where(al.c.id.in_(known["allegations"] - ids)))
        for position, allegation in enumerate(report.allegations):
            values = dict(position=position, summary=allegation.summary, cadre_id=allegation.cadre_id,
                          result=allegation.result)
            if allegation.id in known["allegations"]:
                await self.conn.execute(update(al).where(al.c.id == allegation.id).values(**values))
            else:
                await self.conn.execute(insert(al).values(id=allegation.id, report_id=rid, **values))
        new_cases = [{"id": x.id, "report_id": rid, "cadre_id": x.cadre_id, "opened_on": x.opened_on}
                     for x in report.cases if x.id not in known["cases"]]
        if new_cases:
            await self.conn.execute(insert(c), new_cases)
        new_disposals = [{"id": x.id, "report_id": rid, "mode": x.mode, "meeting_on": x.decision.meeting_on,
                          "participants": x.decision.participants, "minutes_ref": x.decision.minutes_ref,
                          "decided_by": x.decision.decided_by, "decided_on": x.decided_on}
                         for x in report.disposals if x.id not in known["disposals"]]
        if new_disposals:
            await self.conn.execute(insert(d), new_disposals)
        self._children[rid] = self._keys(report)

    async def sealed(self, report_id: str) -> dict[str, bytes | None]:
        """Returns the sealed texts of a report."""
        t = orm.report
        row = (await self.conn.execute(select(t.c.content_sealed, t.c.accused_text_sealed, t.c.objection_sealed)
                                       .where(t.c.id == report_id))).mappings().first()
        return dict(row) if row else {}

    async def similar_candidates(self, report_id: str, cadre_ids: list[str], limit: int) -> list[tuple[str, bytes]]:
        """Returns the latest other reports naming any of these cadres, with their sealed content."""
        if not cadre_ids:
            return []
        a, t = orm.report_accused, orm.report
        ids = select(a.c.report_id).where(a.c.cadre_id.in_(cadre_ids), a.c.report_id != report_id).distinct()
        rows = await self.conn.execute(select(t.c.id, t.c.content_sealed).where(t.c.id.in_(ids),
                                                                                t.c.content_sealed.is_not(None))
                                       .order_by(t.c.received_on.desc(), t.c.id).limit(limit))
        return [(r[0], r[1]) for r in rows]

    async def link(self, report_id: str, links: list[tuple[str, float]], *, kind: str, on: Any) -> None:
        """Records links to other reports (similar facts about the same accused), replacing earlier ones."""
        t = orm.report_link
        await self.conn.execute(delete(t).where(t.c.report_id == report_id, t.c.kind == kind))
        if links:
            await self.conn.execute(insert(t), [{"report_id": report_id, "other_id": other, "kind": kind,
                                                 "score": round(score, 4), "found_on": on} for other, score in links])
