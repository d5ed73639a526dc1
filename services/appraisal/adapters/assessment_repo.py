"""Rows beside the annual assessments: the record of past grades and the regular assessments (平时考核)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from kernel.db import utcnow
from kernel.sql import one_of
from services.appraisal.adapters import orm
from services.appraisal.adapters.repository import RowRepository


class GradeRecordRepository(RowRepository):
    """The append-only record of past annual grades (assessment_grade_record)."""

    async def latest(self, assessment_id: str) -> str | None:
        """Returns the id of an assessment's latest grade record, if any."""
        r = orm.assessment_grade_record
        return (
            await self.conn.execute(
                select(r.c.id)
                .where(r.c.assessment_id == assessment_id)
                .order_by(r.c.recorded_at.desc(), r.c.id.desc())
                .limit(1)
            )
        ).scalar()

    async def latest_of(self, assessment_ids: list[str]) -> dict[str, str]:
        """Returns the latest grade record of each assessment (what an UNCHANGED answer names)."""
        if not assessment_ids:
            return {}
        r = orm.assessment_grade_record
        rows = (
            await self.conn.execute(
                select(r.c.assessment_id, r.c.id)
                .where(one_of(self.conn, r.c.assessment_id, assessment_ids))
                .order_by(r.c.assessment_id, r.c.recorded_at, r.c.id)
            )
        ).all()
        return {row[0]: row[1] for row in rows}  # ordered: the last one of each assessment wins

    async def add(self, **values: Any) -> None:
        """Appends one grade record."""
        await self.conn.execute(insert(orm.assessment_grade_record).values(**values))

    async def add_many(self, rows: list[dict[str, Any]]) -> None:
        """Appends several grade records in one statement (nothing for none)."""
        if rows:
            await self.conn.execute(insert(orm.assessment_grade_record), rows)


class RegularAssessmentRepository(RowRepository):
    """Regular assessments (平时考核) of a quarter or month, one per cadre and period."""

    async def exists(self, cadre_id: str, period_key: str) -> bool:
        """Tells whether a cadre's regular assessment of a period exists."""
        t = orm.regular_assessment
        return (
            await self.conn.execute(select(t.c.id).where(t.c.cadre_id == cadre_id, t.c.period_key == period_key))
        ).first() is not None

    async def add(self, **values: Any) -> None:
        """Inserts a regular assessment (created now)."""
        await self.conn.execute(insert(orm.regular_assessment).values(**values, created_at=utcnow()))
