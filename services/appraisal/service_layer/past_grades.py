"""Recording past annual grades as past facts (docs/appraisal.md, "Recording past grades").

One assessment per (cadre, year) carries the current values (status FINAL, `source` set); every recording is also
appended to `assessment_grade_record`. Recording the same values again changes nothing; different values are a
correction: a new record superseding the previous one, and grade_finalized again (amended) with the corrected values.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from kernel import audit
from kernel.access import Access
from kernel.auth import Principal
from kernel.db import utcnow
from kernel.errors import Conflict, DomainError, item_problem
from services.appraisal.adapters import orm
from services.appraisal.adapters import quota as quota_figures
from services.appraisal.adapters.projections import grade_facts, grade_facts_of
from services.appraisal.domain.assessment import AnnualAssessment
from services.appraisal.domain.past_grades import PastGrade
from services.appraisal.domain.rules import grade_rules
from services.appraisal.service_layer import awards
from services.appraisal.service_layer.scope import visible_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

OBJECT = "annual_assessment"


def _same(a: AnnualAssessment, fact: PastGrade, reason: str | None) -> bool:
    return (a.final_grade, a.undetermined_reason, a.decided_on, a.notified_on, a.publicity_from, a.publicity_to,
            a.document_no, a.source) == (fact.grade, reason, fact.decided_on, fact.notified_on, fact.publicity_from,
                                         fact.publicity_to, fact.document_no, fact.source)


async def record_past_grade(fact: PastGrade, uow: AppraisalUnitOfWork, *, principal: Principal,
                            today: dt.date) -> dict[str, Any]:
    """Records (or corrects) a past annual grade with its real dates and provenance; answers the record's id, the
    assessment's, the outcome (RECORDED, CORRECTED, UNCHANGED) and the year's 优秀 quota (reported, not enforced)."""
    async with uow:
        return await uow.commit(await _record(fact, uow, principal=principal, today=today))


async def record_past_grades(facts: list[PastGrade], uow: AppraisalUnitOfWork, *, principal: Principal,
                             today: dt.date) -> dict[str, Any]:
    """Records many past grades in one transaction, each exactly as `record_past_grade` does (same rules, same
    events), each in its own savepoint: a fact a rule refuses is answered as a problem at its index and leaves the
    others recorded. Answers `{"items": [...]}`, one per fact, in order: the single route's answer, or `problem`."""
    items: list[dict[str, Any]] = []
    async with uow:
        # Read once for the whole transaction (recording grades changes neither): the caller's access and the
        # counting unit of each org unit.
        batch = _Batch(access=await uow.directory.access(uow.conn, principal), units={},
                       facts=await grade_facts_of(uow.conn, [f.cadre_id for f in facts]))
        for index, fact in enumerate(facts):
            try:
                async with uow.conn.begin_nested():
                    answer = await _record(fact, uow, principal=principal, today=today, batch=batch)
                    await uow.flush_events()  # inside the savepoint: a refused fact leaves no event behind
                items.append({"index": index, **answer})
            except DomainError as error:
                uow.discard_events()
                items.append({"index": index, "problem": item_problem(error)})
        return await uow.commit({"items": items})


@dataclass
class _Batch:
    access: Access
    units: quota_figures.Units
    facts: dict[str, grade_rules.Facts]  # what tolerance told about each cadre of the batch


async def _record(fact: PastGrade, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date,
                  batch: _Batch | None = None) -> dict[str, Any]:
    """The recording itself, inside the caller's transaction (no commit)."""
    units = batch.units if batch is not None else None
    cadre = await visible_cadre(uow, principal, fact.cadre_id, access=batch.access if batch is not None else None)
    fact.check(today=today, calendar=uow.calendar, publicity_working_days=uow.settings.publicity_working_days)
    for name in ("decided_on", "publicity_from"):
        day = getattr(fact, name)
        if day is not None:
            cadre.dated_fact(day, field=name, rule=f"assessment_history.{name}")
    t, r = orm.annual_assessment, orm.assessment_grade_record
    found = await uow.assessments.find(t.c.cadre_id == fact.cadre_id, t.c.year == fact.year, lock=True)
    existing = found[0] if found else None
    if existing is not None and existing.source is None:
        raise Conflict("this cadre's assessment for the year is run live: finish it through its workflow "
                       "(review, appeal) instead of recording a past grade", rule="assessment_history.live_assessment",
                       field="year")
    # The constraints the service knows for that year, judged on the real decision date (as a live decision).
    known = batch.facts[fact.cadre_id] if batch is not None else await grade_facts(uow.conn, fact.cadre_id)
    constraints = grade_rules.evaluate(fact.year, known, as_of=fact.decided_on)
    reason = fact.checked_reason(constraints)
    previous = None
    if existing is not None:
        previous = (await uow.conn.execute(select(r.c.id).where(r.c.assessment_id == existing.id)
                                           .order_by(r.c.recorded_at.desc(), r.c.id.desc()).limit(1))).scalar()
        if _same(existing, fact, reason):
            standing = await quota_figures.standing(uow.conn, uow.settings, existing.org_unit_id, fact.year,
                                                    units=units)
            return _answer(previous, existing, "UNCHANGED", standing)
    now = utcnow()
    if existing is None:
        a = AnnualAssessment.recorded(assessment_id=str(uuid.uuid4()), org_unit_id=cadre.org_unit_id, fact=fact,
                                      reason=reason, constraints=constraints, by=principal.subject, at=now)
        await quota_figures.ensure_year(uow.conn, uow.settings, a.org_unit_id, a.year, units=units)
        await uow.assessments.add(a, org_path=cadre.org_path)
        outcome = "RECORDED"
    else:
        a, before = existing, existing.final_grade
        a.correct_record(fact=fact, reason=reason, constraints=constraints, by=principal.subject, at=now)
        await uow.assessments.save(a)
        if before == "EXCELLENT" and a.final_grade != "EXCELLENT":
            await awards.grade_withdrawn(uow, a, today=today)
        outcome = "CORRECTED"
    # The quota of a past year is reported, not enforced: a department's paper history may exceed it.
    standing = await quota_figures.standing(uow.conn, uow.settings, a.org_unit_id, a.year, write=True, units=units)
    record_id = str(uuid.uuid4())
    await uow.conn.execute(insert(r).values(
        id=record_id, assessment_id=a.id, cadre_id=a.cadre_id, org_unit_id=a.org_unit_id, org_path=cadre.org_path,
        year=a.year, grade=fact.grade, undetermined_reason=reason, decided_on=fact.decided_on,
        notified_on=fact.notified_on, publicity_from=fact.publicity_from, publicity_to=fact.publicity_to,
        document_no=fact.document_no, source=fact.source, recorded_by=principal.subject, recorded_at=now,
        supersedes=previous, quota_exceeded=_exceeded(fact.grade, standing), created_at=now))
    await audit.record(uow.conn, orm.audit_log, principal=principal, action=f"HISTORY_{outcome}",
                       object_type=OBJECT, object_id=a.id, purpose="ROUTINE")
    return _answer(record_id, a, outcome, standing)


def _exceeded(grade: str, standing: quota_figures.Standing) -> bool:
    return grade == "EXCELLENT" and standing.used > standing.quota.limit


def _answer(record_id: str | None, a: AnnualAssessment, outcome: str, standing: quota_figures.Standing) -> dict[str, Any]:
    return {"id": record_id or a.id, "assessment_id": a.id, "outcome": outcome,
            "quota": {"counting_unit_id": standing.counting_unit_id, "limit": standing.quota.limit,
                      "used": standing.used, "exceeded": _exceeded(a.final_grade or "", standing)}}
