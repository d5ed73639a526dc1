"""Repositories of the petitions service: rows ⇄ aggregates over the unit of work's connection."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.errors import ConcurrencyError
from kernel.sql import upsert
from services.petitions.adapters import orm
from services.petitions.domain.appeal import Appeal
from services.petitions.domain.clarification import Clarification
from services.petitions.domain.deadline import Deadline
from services.petitions.domain.false_accusation import FalseAccusationCase
from services.petitions.domain.report import Accused, Allegation, Case, CollectiveDecision, Disposal, Report
from services.petitions.domain.statement import StatementRequest
from services.petitions.domain.vocab import OUTCOME_STATES

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
        await self.conn.execute(
            insert(self.table).values(**{**self._values(obj), "created_at": now, "updated_at": now})
        )
        self.track(obj)

    async def save(self, obj: Any) -> None:
        """Updates an aggregate, checking that nobody changed it since it was read."""
        t = self.table
        values = self._values(obj)
        values.pop("id")
        values["version"] = obj.version + 1
        result = await self.conn.execute(
            update(t).where(t.c.id == obj.id, t.c.version == obj.version).values(**values, updated_at=utcnow())
        )
        if result.rowcount != 1:
            raise ConcurrencyError(
                f"the {t.name} was changed by someone else; reload and retry", rule=f"{t.name}.version"
            )
        obj.version += 1


class StatementRepository(FlatRepository[StatementRequest]):
    table = orm.statement_request
    model = StatementRequest

    async def for_report(self, report_id: str) -> list[StatementRequest]:
        """Returns every statement request of a report."""
        t = self.table
        rows = await self.conn.execute(select(t).where(t.c.report_id == report_id).order_by(t.c.requested_on, t.c.id))
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
        rows = await self.conn.execute(
            select(t.c.report_ids).where(t.c.cadre_id == cadre_id, t.c.status.not_in(("REJECTED", "DECLINED")))
        )
        return any(report_id in orjson.loads(r[0]) for r in rows)


class AppealRepository(FlatRepository[Appeal]):
    table = orm.appeal
    model = Appeal

    async def active_for(self, target_ref: str, stage: str) -> bool:
        """Tells whether an appeal of this stage against the target is pending or was decided."""
        t = self.table
        row = (
            await self.conn.execute(
                select(t.c.id)
                .where(
                    t.c.target_ref == target_ref,
                    t.c.stage == stage,
                    t.c.status.not_in(("REJECTED_TIME_BARRED", "REJECTED")),
                )
                .limit(1)
            )
        ).first()
        return row is not None


class DeadlineRepository(FlatRepository[Deadline]):
    table = orm.deadline
    model = Deadline

    async def settle(
        self, *, kinds: Iterable[str], how: str, on: Any, report_id: str | None = None, object_id: str | None = None
    ) -> int:
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
        await self.conn.execute(
            update(t)
            .where(t.c.report_id == report_id, t.c.status.in_(("OPEN", "PAUSED")))
            .values(org_unit_id=org_unit_id, updated_at=utcnow())
        )

    async def reschedule(self, object_id: str, kind: str, *, start_on: dt.date, due_on: dt.date) -> None:
        """Moves the start and due date of an object's deadlines of one kind (a corrected acceptance)."""
        d = self.table
        await self.conn.execute(
            update(d)
            .where(d.c.object_id == object_id, d.c.kind == kind)
            .values(start_on=start_on, due_on=due_on, updated_at=utcnow(), version=d.c.version + 1)
        )

    def _pending(self, limit: int, *where: Any) -> Any:
        """The ids of one batch, claimed on their own; the UPDATE then goes by primary key only. The claim holds:
        rows are locked on PostgreSQL, and SQLite's single writer holds the transaction. With the conditions in the
        UPDATE (as an IN subquery, or beside the ids) PostgreSQL without fresh statistics, as after a bulk intake,
        scanned every pending row per batch: 46,037 breaches took 220 s."""
        d = self.table
        # No ORDER BY: each row is swept once whatever the order, and a sort of every pending row per batch made a
        # catch-up sweep quadratic when the planner had no statistics; the index scan alone yields a batch.
        query = select(d.c.id).where(*where).limit(limit)
        # With several replicas on PostgreSQL, each claims rows the others have not locked.
        return query.with_for_update(skip_locked=True) if self.conn.dialect.name == "postgresql" else query

    async def _claim(self, due: list[Any], limit: int, **values: Any) -> list[Any]:
        """Claims one batch of the rows matching `due` by a conditional UPDATE; returns what the events need."""
        d = self.table
        ids = (await self.conn.execute(self._pending(limit, *due))).scalars().all()
        if not ids:
            return []
        return list(
            (
                await self.conn.execute(
                    update(d)
                    .where(d.c.id.in_(ids))
                    .values(**values, version=d.c.version + 1, updated_at=utcnow())
                    .returning(
                        d.c.id, d.c.kind, d.c.object_type, d.c.object_id, d.c.report_id, d.c.due_on, d.c.org_unit_id
                    )
                )
            ).all()
        )

    async def claim_breaches(self, *, today: dt.date, limit: int) -> list[Any]:
        """Marks one batch of overdue open deadlines breached (each once); returns the rows claimed."""
        d = self.table
        due = [d.c.status == "OPEN", d.c.breached_on.is_(None), d.c.due_on < today]
        # A breached deadline needs no reminder any more: it leaves the reminder sweep's index range.
        return await self._claim(due, limit, breached_on=today, reminded_on=func.coalesce(d.c.reminded_on, today))

    async def claim_reminders(self, *, today: dt.date, limit: int) -> list[Any]:
        """Marks one batch of deadlines falling due soon reminded (each once); returns the rows claimed."""
        d = self.table
        due = [d.c.status == "OPEN", d.c.reminded_on.is_(None), d.c.remind_on <= today, d.c.due_on >= today]
        return await self._claim(due, limit, reminded_on=today)


class ReportRepository:
    """Loads and saves reports with their accused, allegations, cases and disposals."""

    def __init__(self, conn: AsyncConnection, track: Track) -> None:
        self.conn = conn
        self.track = track
        self._children: dict[str, dict[str, set[str]]] = {}

    _SCALARS = [
        f.name
        for f in dataclasses.fields(Report)
        if f.name not in ("accused", "accused_unit_ids", "allegations", "cases", "disposals", "events")
    ]

    async def get(self, report_id: str) -> Report | None:
        """Returns a report by id, or None."""
        row = (
            (
                await self.conn.execute(
                    select(*(orm.report.c[n] for n in self._SCALARS)).where(orm.report.c.id == report_id)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        report = Report(**dict(row))
        a, u, al, c, d = (
            orm.report_accused,
            orm.report_accused_unit,
            orm.report_allegation,
            orm.report_case,
            orm.report_disposal,
        )
        report.accused = [
            Accused(r.cadre_id, r.outcome, r.tolerated)
            for r in await self.conn.execute(
                select(a.c.cadre_id, a.c.outcome, a.c.tolerated)
                .where(a.c.report_id == report_id)
                .order_by(a.c.position)
            )
        ]
        report.accused_unit_ids = [
            r[0]
            for r in await self.conn.execute(
                select(u.c.org_unit_id).where(u.c.report_id == report_id).order_by(u.c.org_unit_id)
            )
        ]
        report.allegations = [
            Allegation(r.id, r.summary, r.cadre_id, r.result)
            for r in await self.conn.execute(
                select(al.c.id, al.c.summary, al.c.cadre_id, al.c.result)
                .where(al.c.report_id == report_id)
                .order_by(al.c.position)
            )
        ]
        report.cases = [
            Case(r.id, r.cadre_id, r.opened_on)
            for r in await self.conn.execute(
                select(c.c.id, c.c.cadre_id, c.c.opened_on)
                .where(c.c.report_id == report_id)
                .order_by(c.c.opened_on, c.c.id)
            )
        ]
        report.disposals = [
            Disposal(
                r.id,
                r.mode,
                CollectiveDecision(r.meeting_on, r.participants, r.minutes_ref, r.decided_by),
                r.decided_on,
            )
            for r in await self.conn.execute(
                select(d).where(d.c.report_id == report_id).order_by(d.c.decided_on, d.c.id)
            )
        ]
        self._children[report.id] = self._keys(report)
        self.track(report)
        return report

    @staticmethod
    def _keys(report: Report) -> dict[str, set[str]]:
        return {
            "accused": set(report.accused_cadre_ids),
            "units": set(report.accused_unit_ids),
            "allegations": {x.id for x in report.allegations},
            "cases": {x.id for x in report.cases},
            "disposals": {x.id for x in report.disposals},
        }

    def _scalars(self, report: Report) -> dict[str, Any]:
        return {n: getattr(report, n) for n in self._SCALARS}

    async def add(self, report: Report, *, sealed: dict[str, bytes | None]) -> None:
        """Inserts a new report with its sealed texts."""
        now = utcnow()
        report.version = 1
        await self.conn.execute(
            insert(orm.report).values(**self._scalars(report), **sealed, created_at=now, updated_at=now)
        )
        self._children[report.id] = {k: set() for k in ("accused", "units", "allegations", "cases", "disposals")}
        await self._save_children(report)
        self.track(report)

    async def save(self, report: Report, *, sealed: dict[str, bytes | None] | None = None) -> None:
        """Updates a report (version checked) and its children."""
        t = orm.report
        values = self._scalars(report)
        values.pop("id")
        values["version"] = report.version + 1
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == report.id, t.c.version == report.version)
            .values(**values, **(sealed or {}), updated_at=utcnow())
        )
        if result.rowcount != 1:
            raise ConcurrencyError("the report was changed by someone else; reload and retry", rule="report.version")
        report.version += 1
        await self._save_children(report)

    async def _save_children(self, report: Report) -> None:
        known = self._children[report.id]
        a, u, al, c, d = (
            orm.report_accused,
            orm.report_accused_unit,
            orm.report_allegation,
            orm.report_case,
            orm.report_disposal,
        )
        rid = report.id
        current = set(report.accused_cadre_ids)
        if known["accused"] - current:
            await self.conn.execute(delete(a).where(a.c.report_id == rid, a.c.cadre_id.in_(known["accused"] - current)))
        for position, accused in enumerate(report.accused):
            values = dict(position=position, outcome=accused.outcome, tolerated=accused.tolerated)
            if accused.cadre_id in known["accused"]:
                await self.conn.execute(
                    update(a).where(a.c.report_id == rid, a.c.cadre_id == accused.cadre_id).values(**values)
                )
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
            values = dict(
                position=position, summary=allegation.summary, cadre_id=allegation.cadre_id, result=allegation.result
            )
            if allegation.id in known["allegations"]:
                await self.conn.execute(update(al).where(al.c.id == allegation.id).values(**values))
            else:
                await self.conn.execute(insert(al).values(id=allegation.id, report_id=rid, **values))
        new_cases = [
            {"id": x.id, "report_id": rid, "cadre_id": x.cadre_id, "opened_on": x.opened_on}
            for x in report.cases
            if x.id not in known["cases"]
        ]
        if new_cases:
            await self.conn.execute(insert(c), new_cases)
        new_disposals = [
            {
                "id": x.id,
                "report_id": rid,
                "mode": x.mode,
                "meeting_on": x.decision.meeting_on,
                "participants": x.decision.participants,
                "minutes_ref": x.decision.minutes_ref,
                "decided_by": x.decision.decided_by,
                "decided_on": x.decided_on,
            }
            for x in report.disposals
            if x.id not in known["disposals"]
        ]
        if new_disposals:
            await self.conn.execute(insert(d), new_disposals)
        self._children[rid] = self._keys(report)

    async def sealed(self, report_id: str) -> dict[str, bytes | None]:
        """Returns the sealed texts of a report."""
        t = orm.report
        row = (
            (
                await self.conn.execute(
                    select(t.c.content_sealed, t.c.accused_text_sealed, t.c.objection_sealed).where(t.c.id == report_id)
                )
            )
            .mappings()
            .first()
        )
        return dict(row) if row else {}

    async def status(self, report_id: str) -> str | None:
        """Returns the status of a report, or None."""
        return (await self.conn.execute(select(orm.report.c.status).where(orm.report.c.id == report_id))).scalar()

    async def handling_unit(self, report_id: str) -> str | None:
        """Returns the unit handling a report, or None."""
        return (
            await self.conn.execute(
                orm.report.select()
                .with_only_columns(orm.report.c.handling_org_unit_id)
                .where(orm.report.c.id == report_id)
            )
        ).scalar()

    async def public_state(self, report_id: str) -> Any:
        """Returns (status, received_on) of a report that exists (raises otherwise)."""
        r = orm.report
        return (await self.conn.execute(select(r.c.status, r.c.received_on).where(r.c.id == report_id))).one()

    async def concluded_unfounded(self, cadre_id: str, report_ids: list[str]) -> list[str]:
        """Returns those of the reports that are concluded and found a cadre's accusation unfounded."""
        r, a = orm.report, orm.report_accused
        rows = (
            await self.conn.execute(
                select(r.c.id)
                .join(a, a.c.report_id == r.c.id)
                .where(
                    r.c.id.in_(report_ids),
                    a.c.cadre_id == cadre_id,
                    a.c.outcome == "UNFOUNDED",
                    r.c.status.in_(sorted(OUTCOME_STATES)),
                )
            )
        ).all()
        return [r[0] for r in rows]

    async def similar_candidates(self, report_id: str, cadre_ids: list[str], limit: int) -> list[tuple[str, bytes]]:
        """Returns the latest other reports naming any of these cadres, with their sealed content."""
        if not cadre_ids:
            return []
        a, t = orm.report_accused, orm.report
        ids = select(a.c.report_id).where(a.c.cadre_id.in_(cadre_ids), a.c.report_id != report_id).distinct()
        rows = await self.conn.execute(
            select(t.c.id, t.c.content_sealed)
            .where(t.c.id.in_(ids), t.c.content_sealed.is_not(None))
            .order_by(t.c.received_on.desc(), t.c.id)
            .limit(limit)
        )
        return [(r[0], r[1]) for r in rows]

    async def link(self, report_id: str, links: list[tuple[str, float]], *, kind: str, on: Any) -> None:
        """Records links to other reports (similar facts about the same accused), replacing earlier ones."""
        t = orm.report_link
        await self.conn.execute(delete(t).where(t.c.report_id == report_id, t.c.kind == kind))
        if links:
            await self.conn.execute(
                insert(t),
                [
                    {"report_id": report_id, "other_id": other, "kind": kind, "score": round(score, 4), "found_on": on}
                    for other, score in links
                ],
            )


class QuestionRepository:
    """Questions put to a reporter through the receipt code, and their sealed answers."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def unanswered(self, report_id: str) -> list[str]:
        """Returns the ids of a report's unanswered questions."""
        q = orm.report_question
        return [
            r[0]
            for r in (
                await self.conn.execute(select(q.c.id).where(q.c.report_id == report_id, q.c.answered_on.is_(None)))
            ).all()
        ]

    async def add(self, *, question_id: str, report_id: str, text: str, asked_by: str, asked_on: dt.date) -> None:
        """Stores a new question."""
        await self.conn.execute(
            insert(orm.report_question).values(
                id=question_id, report_id=report_id, text=text, asked_by=asked_by, asked_on=asked_on
            )
        )

    async def for_report(self, report_id: str) -> list[Any]:
        """Returns (id, text, asked_on, answered_on) of a report's questions, oldest first."""
        q = orm.report_question
        return list(
            await self.conn.execute(
                select(q.c.id, q.c.text, q.c.asked_on, q.c.answered_on)
                .where(q.c.report_id == report_id)
                .order_by(q.c.asked_on, q.c.id)
            )
        )

    async def find(self, question_id: str, report_id: str) -> tuple[bool, dt.date | None]:
        """Returns (the question exists for this report, the day it was answered or None)."""
        q = orm.report_question
        row = (
            await self.conn.execute(select(q.c.answered_on).where(q.c.id == question_id, q.c.report_id == report_id))
        ).first()
        return (False, None) if row is None else (True, row[0])

    async def answer(self, question_id: str, sealed: bytes, on: dt.date) -> None:
        """Stores the sealed answer to a question."""
        q = orm.report_question
        await self.conn.execute(update(q).where(q.c.id == question_id).values(answer_sealed=sealed, answered_on=on))


class AppealRecordRepository:
    """The revisions of past appeals recorded with their provenance (one row per recording or correction)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def latest(self, appellant: str, target_ref: str, stage: str) -> Any:
        """Returns the latest revision recorded for (appellant, decision, stage) as a mapping, or None."""
        t = orm.appeal_record
        return (
            (
                await self.conn.execute(
                    select(t)
                    .where(t.c.appellant_cadre_id == appellant, t.c.target_ref == target_ref, t.c.stage == stage)
                    .order_by(t.c.revision.desc())
                    .limit(1)
                )
            )
            .mappings()
            .first()
        )

    async def add(self, **values: Any) -> None:
        """Stores one revision (the columns of appeal_record but recorded_at, set here)."""
        await self.conn.execute(insert(orm.appeal_record).values(**values, recorded_at=utcnow()))


class AppealableDecisionRepository:
    """Decisions other services own, kept from their events so that appeals against them can be checked."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, ref: str) -> Any:
        """Returns (target_type, cadre_id, value, decided_on, status) of a decision, or None."""
        t = orm.appealable_decision
        return (
            await self.conn.execute(
                select(t.c.target_type, t.c.cadre_id, t.c.value, t.c.decided_on, t.c.status).where(t.c.ref == ref)
            )
        ).first()

    async def keep(
        self, *, ref: str, target_type: str, cadre_id: str, value: str, decided_on: dt.date, status: str
    ) -> None:
        """Stores the current state of a decision (by its reference)."""
        await upsert(
            self.conn,
            orm.appealable_decision,
            dict(
                ref=ref,
                target_type=target_type,
                cadre_id=cadre_id,
                value=value,
                decided_on=decided_on,
                status=status,
                updated_at=utcnow(),
            ),
            ["ref"],
        )
