"""Repositories: rows ⇄ aggregates over the unit of work's connection (columns are named like the fields)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.errors import ConcurrencyError
from kernel.sql import analyze, one_of
from services.appraisal.adapters import orm
from services.appraisal.domain.assessment import AnnualAssessment
from services.appraisal.domain.award import Award
from services.appraisal.domain.inaction import InactionFinding
from services.appraisal.domain.records import PerformanceRecord
from services.appraisal.domain.talk import Talk

A = TypeVar("A")


class RowRepository:
    """Reads and writes plain rows (no aggregate) over the unit of work's connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn


class Repository(Generic[A]):
    """Loads, adds and saves one kind of aggregate; saves check the version (optimistic concurrency)."""

    table: Table
    cls: type

    def __init__(self, conn: AsyncConnection, track: Callable[[Any], None]) -> None:
        self.conn = conn
        self.track = track
        self.fields = [f.name for f in dataclasses.fields(self.cls) if f.name != "events"]

    def _from_row(self, row: Any) -> A:
        obj = self.cls(**{name: row[name] for name in self.fields})
        self.track(obj)
        return obj

    async def get(self, object_id: str, *, lock: bool = False) -> A | None:
        """Returns the aggregate with this id, or None (locked for update on PostgreSQL when asked)."""
        query = select(self.table).where(self.table.c.id == object_id)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self.conn.execute(query)).mappings().first()
        return None if row is None else self._from_row(row)

    async def find(self, *where: Any, lock: bool = False) -> list[A]:
        """Returns the aggregates matching the conditions."""
        query = select(self.table).where(*where).order_by(self.table.c.id)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return [self._from_row(r) for r in (await self.conn.execute(query)).mappings().all()]

    def _values(self, obj: A) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.fields if name != "version"}

    async def add(self, obj: A, **extra: Any) -> None:
        """Inserts a new aggregate (extra: columns outside the aggregate, such as org_path)."""
        now = utcnow()
        await self.conn.execute(
            insert(self.table).values(**self._values(obj), **extra, version=1, created_at=now, updated_at=now)
        )
        obj.version = 1  # type: ignore[attr-defined]
        self.track(obj)

    async def add_many(self, objs: list[A], extras: list[dict[str, Any]]) -> None:
        """Inserts new aggregates in one statement (`extras[i]`: the columns outside aggregate i)."""
        if not objs:
            return
        now = utcnow()
        await self.conn.execute(
            insert(self.table),
            [
                {**self._values(obj), **extra, "version": 1, "created_at": now, "updated_at": now}
                for obj, extra in zip(objs, extras)
            ],
        )
        for obj in objs:
            obj.version = 1  # type: ignore[attr-defined]
            self.track(obj)

    async def save(self, obj: A) -> None:
        """Updates an aggregate, refusing if someone changed it since it was read."""
        t = self.table
        version = obj.version  # type: ignore[attr-defined]
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == obj.id, t.c.version == version)  # type: ignore[attr-defined]
            .values(**self._values(obj), version=version + 1, updated_at=utcnow())
        )
        if result.rowcount != 1:
            raise ConcurrencyError(
                f"the {t.name} was changed by someone else; reload and retry", rule=f"{t.name}.version"
            )
        obj.version = version + 1  # type: ignore[attr-defined]


# A past-grade import loads assessments batch after batch: their statistics are refreshed at most this often.
ANALYZE_EVERY_S = 60.0
_analyzed_at: dict[str, float] = {}  # by database URL: when this process last analyzed them


class AssessmentRepository(Repository[AnnualAssessment]):
    table, cls = orm.annual_assessment, AnnualAssessment

    async def after_bulk_load(self) -> bool:
        """ANALYZEs the assessments and their grade records after a batch of past grades, at most once per
        `ANALYZE_EVERY_S` in this process (PostgreSQL; SQLite: nothing): the batches of an import would otherwise
        be planned against the tables as they were before it. Returns whether it ran."""
        if self.conn.dialect.name != "postgresql":
            return False
        key, clock = str(self.conn.engine.url), time.monotonic()
        if key in _analyzed_at and clock - _analyzed_at[key] < ANALYZE_EVERY_S:
            return False
        _analyzed_at[key] = clock
        await analyze(self.conn, [self.table, orm.assessment_grade_record])
        return True

    async def of_cadre(self, cadre_id: str, *, lock: bool = False) -> list[AnnualAssessment]:
        """Returns every assessment of a cadre."""
        return await self.find(self.table.c.cadre_id == cadre_id, lock=lock)

    async def of_year(self, cadre_id: str, year: int, *, lock: bool = False) -> AnnualAssessment | None:
        """Returns a cadre's assessment of a year, or None."""
        t = self.table
        found = await self.find(t.c.cadre_id == cadre_id, t.c.year == year, lock=lock)
        return found[0] if found else None

    async def of_cadres_years(
        self, cadre_ids: list[str], years: list[int], *, lock: bool = False
    ) -> list[AnnualAssessment]:
        """Returns the assessments of any of these cadres in any of these years."""
        t = self.table
        return await self.find(
            one_of(self.conn, t.c.cadre_id, cadre_ids), one_of(self.conn, t.c.year, years), lock=lock
        )

    async def is_open(self, cadre_id: str, year: int) -> bool:
        """Tells whether a cadre's assessment of a year exists."""
        t = self.table
        return (
            await self.conn.execute(select(t.c.id).where(t.c.cadre_id == cadre_id, t.c.year == year))
        ).first() is not None

    async def final_grades(self, cadre_id: str, *, other_than: str) -> dict[int, str]:
        """Returns a cadre's final grades by year, leaving out one assessment."""
        t = self.table
        return {
            y: g
            for y, g in (
                await self.conn.execute(
                    select(t.c.year, t.c.final_grade).where(
                        t.c.cadre_id == cadre_id, t.c.id != other_than, t.c.final_grade.is_not(None)
                    )
                )
            ).all()
        }


class RecordRepository(Repository[PerformanceRecord]):
    table, cls = orm.performance_record, PerformanceRecord


class FindingRepository(Repository[InactionFinding]):
    table, cls = orm.inaction_finding, InactionFinding

    async def linked(
        self, cadre_id: str, incident_id: str, finding_ids: list[str], *, lock: bool = False
    ) -> list[InactionFinding]:
        """Returns a cadre's findings about an incident or among `finding_ids`."""
        f = self.table
        linked = f.c.incident_ref == incident_id
        if finding_ids:
            linked = linked | f.c.id.in_(finding_ids)
        return await self.find(f.c.cadre_id == cadre_id, linked, lock=lock)

    async def from_report(self, cadre_id: str, report_id: str, *, lock: bool = False) -> list[InactionFinding]:
        """Returns a cadre's findings drawn from a petition report."""
        f = self.table
        return await self.find(
            f.c.cadre_id == cadre_id, f.c.source_type == "PETITION", f.c.source_ref == report_id, lock=lock
        )


class TalkRepository(Repository[Talk]):
    table, cls = orm.talk, Talk


class AwardRepository(Repository[Award]):
    table, cls = orm.award, Award

    async def of_cadre(self, cadre_id: str, *, status: str | None = None, lock: bool = False) -> list[Award]:
        """Returns a cadre's awards (of one status if given)."""
        w = self.table
        return await self.find(w.c.cadre_id == cadre_id, *([w.c.status == status] if status else []), lock=lock)

    async def merit_years(self, cadre_id: str) -> list[int | None]:
        """Returns the years of a cadre's 记三等功 for three 优秀 in a row that still stand."""
        w = self.table
        return list(
            (
                await self.conn.execute(
                    select(w.c.year).where(
                        w.c.cadre_id == cadre_id,
                        w.c.basis == "THREE_YEARS_EXCELLENT",
                        w.c.status.not_in(("WITHDRAWN", "REVOKED")),
                    )
                )
            )
            .scalars()
            .all()
        )

    async def status_of_proposal(self, auto_key: str) -> str | None:
        """Returns the status of the automatic proposal with this natural key, or None if there is none."""
        w = self.table
        row = (await self.conn.execute(select(w.c.id, w.c.status).where(w.c.auto_key == auto_key))).first()
        return None if row is None else row.status
