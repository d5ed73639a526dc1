"""Repositories: rows ⇄ aggregates over the unit of work's connection (columns are named like the fields)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.errors import ConcurrencyError
from services.appraisal.adapters import orm
from services.appraisal.domain.assessment import AnnualAssessment
from services.appraisal.domain.award import Award
from services.appraisal.domain.inaction import InactionFinding
from services.appraisal.domain.records import PerformanceRecord
from services.appraisal.domain.talk import Talk

A = TypeVar("A")


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
        await self.conn.execute(insert(self.table).values(**self._values(obj), **extra, version=1, created_at=now,
                                                          updated_at=now))
        obj.version = 1  # type: ignore[attr-defined]
        self.track(obj)

    async def add_many(self, objs: list[A], extras: list[dict[str, Any]]) -> None:
        """Inserts new aggregates in one statement (`extras[i]`: the columns outside aggregate i)."""
        if not objs:
            return
        now = utcnow()
        await self.conn.execute(insert(self.table), [{**self._values(obj), **extra, "version": 1, "created_at": now,
                                                      "updated_at": now} for obj, extra in zip(objs, extras)])
        for obj in objs:
            obj.version = 1  # type: ignore[attr-defined]
            self.track(obj)

    async def save(self, obj: A) -> None:
        """Updates an aggregate, refusing if someone changed it since it was read."""
        t = self.table
        version = obj.version  # type: ignore[attr-defined]
        result = await self.conn.execute(
            update(t).where(t.c.id == obj.id, t.c.version == version)  # type: ignore[attr-defined]
            .values(**self._values(obj), version=version + 1, updated_at=utcnow()))
        if result.rowcount != 1:
            raise ConcurrencyError(f"the {t.name} was changed by someone else; reload and retry", rule=f"{t.name}.version")
        obj.version = version + 1  # type: ignore[attr-defined]


class AssessmentRepository(Repository[AnnualAssessment]):
    table, cls = orm.annual_assessment, AnnualAssessment


class RecordRepository(Repository[PerformanceRecord]):
    table, cls = orm.performance_record, PerformanceRecord


class FindingRepository(Repository[InactionFinding]):
    table, cls = orm.inaction_finding, InactionFinding


class TalkRepository(Repository[Talk]):
    table, cls = orm.talk, Talk


class AwardRepository(Repository[Award]):
    table, cls = orm.award, Award
