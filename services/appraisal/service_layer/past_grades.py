"""Recording past annual grades as past facts (docs/appraisal.md, "Recording past grades").

One assessment per (cadre, year) carries the current values (status FINAL, `source` set); every recording is also
appended to `assessment_grade_record`. Recording the same values again changes nothing; different values are a
correction: a new record superseding the previous one, and grade_finalized again (amended) with the corrected values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from kernel.access import Access, cadre_not_found
from kernel.auth import Principal
from kernel.db import utcnow
from kernel.directory import DirCadre
from kernel.errors import Conflict, DomainError, item_problem
from kernel.ids import new_id
from services.appraisal.adapters.quota import Standing, Units
from services.appraisal.domain.assessment import AnnualAssessment
from services.appraisal.domain.grades import Constraint
from services.appraisal.domain.past_grades import PastGrade
from services.appraisal.domain.rules import grade_rules, quota
from services.appraisal.service_layer import awards
from services.appraisal.service_layer.scope import visible_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

OBJECT = "annual_assessment"


def _same(a: AnnualAssessment, fact: PastGrade, reason: str | None) -> bool:
    return (
        a.final_grade,
        a.undetermined_reason,
        a.decided_on,
        a.notified_on,
        a.publicity_from,
        a.publicity_to,
        a.document_no,
        a.source,
    ) == (
        fact.grade,
        reason,
        fact.decided_on,
        fact.notified_on,
        fact.publicity_from,
        fact.publicity_to,
        fact.document_no,
        fact.source,
    )


async def record_past_grade(
    fact: PastGrade, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records (or corrects) a past annual grade with its real dates and provenance; answers the record's id, the
    assessment's, the outcome (RECORDED, CORRECTED, UNCHANGED) and the year's 优秀 quota (reported, not enforced)."""
    async with uow:
        return await uow.commit(await _record(fact, uow, principal=principal, today=today))


async def record_past_grades(
    facts: list[PastGrade], uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records many past grades in one transaction, each exactly as `record_past_grade` does (same rules, same
    events), each in its own savepoint: a fact a rule refuses is answered as a problem at its index and leaves the
    others recorded. Answers `{"items": [...]}`, one per fact, in order: the single route's answer, or `problem`.

    A plain batch (every fact new or unchanged, each (cadre, year) once: a first import or a re-import) is
    recorded set-based, with the same answers: see `_record_plain`."""
    async with uow:
        # Read once for the whole transaction (recording grades changes neither): the caller's access and the
        # counting unit of each org unit.
        batch = _Batch(
            access=await uow.directory.access(uow.conn, principal),
            units={},
            facts=await uow.grade_facts_of([f.cadre_id for f in facts]),
        )
        items = await _record_plain(facts, uow, principal=principal, today=today, batch=batch)
        if items is not None:
            await uow.assessments.after_bulk_load()
        else:
            items = []
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
    units: Units
    facts: dict[str, grade_rules.Facts]  # what tolerance told about each cadre of the batch


def _judge(
    fact: PastGrade,
    cadre: DirCadre,
    existing: AnnualAssessment | None,
    known: grade_rules.Facts,
    uow: AppraisalUnitOfWork,
    today: dt.date,
) -> tuple[list[Constraint], str | None]:
    """The rules a past grade must pass (no I/O): its own dates and values, the cadre's entry, a live assessment
    of the year, and the constraints the service knows for the year as of the real decision date (as a live
    decision). Answers the constraints and the 不定等次 reason to store."""
    fact.check(
        today=today, calendar=uow.context.calendar, publicity_working_days=uow.context.settings.publicity_working_days
    )
    for name in ("decided_on", "publicity_from"):
        day = getattr(fact, name)
        if day is not None:
            cadre.dated_fact(day, field=name, rule=f"assessment_history.{name}")
    if existing is not None and existing.source is None:
        raise Conflict(
            "this cadre's assessment for the year is run live: finish it through its workflow "
            "(review, appeal) instead of recording a past grade",
            rule="assessment_history.live_assessment",
            field="year",
        )
    constraints = grade_rules.evaluate(fact.year, known, as_of=fact.decided_on)
    return constraints, fact.checked_reason(constraints)


async def _record(
    fact: PastGrade, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date, batch: _Batch | None = None
) -> dict[str, Any]:
    """The recording itself, inside the caller's transaction (no commit)."""
    units = batch.units if batch is not None else None
    cadre = await visible_cadre(uow, principal, fact.cadre_id, access=batch.access if batch is not None else None)
    existing = await uow.assessments.of_year(fact.cadre_id, fact.year, lock=True)
    known = batch.facts[fact.cadre_id] if batch is not None else await uow.grade_facts(fact.cadre_id)
    constraints, reason = _judge(fact, cadre, existing, known, uow, today)
    previous = None
    if existing is not None:
        previous = await uow.grade_records.latest(existing.id)
        if _same(existing, fact, reason):
            standing = await uow.quota.standing(existing.org_unit_id, fact.year, units=units)
            return _answer(previous, existing, "UNCHANGED", standing)
    now = utcnow()
    if existing is None:
        a = AnnualAssessment.recorded(
            assessment_id=new_id(),
            org_unit_id=cadre.org_unit_id,
            fact=fact,
            reason=reason,
            constraints=constraints,
            by=principal.subject,
            at=now,
        )
        await uow.quota.ensure_year(a.org_unit_id, a.year, units=units)
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
    standing = await uow.quota.standing(a.org_unit_id, a.year, write=True, units=units)
    record_id = new_id()
    await uow.grade_records.add(
        id=record_id,
        assessment_id=a.id,
        cadre_id=a.cadre_id,
        org_unit_id=a.org_unit_id,
        org_path=cadre.org_path,
        year=a.year,
        grade=fact.grade,
        undetermined_reason=reason,
        decided_on=fact.decided_on,
        notified_on=fact.notified_on,
        publicity_from=fact.publicity_from,
        publicity_to=fact.publicity_to,
        document_no=fact.document_no,
        source=fact.source,
        recorded_by=principal.subject,
        recorded_at=now,
        supersedes=previous,
        quota_exceeded=_exceeded(fact.grade, standing),
        created_at=now,
    )
    await uow.audit(principal, f"HISTORY_{outcome}", OBJECT, a.id)
    return _answer(record_id, a, outcome, standing)


async def _record_plain(
    facts: list[PastGrade], uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date, batch: _Batch
) -> list[dict[str, Any]] | None:
    """Records a plain batch set-based: the same rules (`_judge`), answers, rows, audit rows and events as the
    fact-by-fact path, with each table read and written a few times per batch instead of per fact. Answers None,
    having written nothing, when the batch is not plain (a correction, or a (cadre, year) twice): those go fact by
    fact. A refused fact writes nothing, so no savepoint is needed."""
    keys = [(f.cadre_id, f.year) for f in facts]
    if len(set(keys)) != len(keys):
        return None
    cadre_ids = sorted({f.cadre_id for f in facts})
    found = {
        (a.cadre_id, a.year): a
        for a in await uow.assessments.of_cadres_years(cadre_ids, sorted({f.year for f in facts}), lock=True)
    }
    cadres = await uow.directory.cadres(uow.conn, cadre_ids)
    judged: list[tuple[int, Any]] = []
    for index, fact in enumerate(facts):
        existing = found.get((fact.cadre_id, fact.year))
        try:
            cadre = _visible(cadres.get(fact.cadre_id), batch.access)
            constraints, reason = _judge(fact, cadre, existing, batch.facts[fact.cadre_id], uow, today)
        except DomainError as error:
            judged.append((index, error))
            continue
        if existing is not None and not _same(existing, fact, reason):
            return None
        judged.append((index, (fact, cadre, existing, constraints, reason)))
    ok = [j for _, j in judged if not isinstance(j, DomainError)]
    counts = await _Counts.load(uow, batch, ok)
    previous = await uow.grade_records.latest_of([e.id for _, _, e, _, _ in ok if e is not None])
    now = utcnow()
    items: list[dict[str, Any]] = []
    added: list[tuple[AnnualAssessment, DirCadre]] = []
    records: list[dict[str, Any]] = []
    for index, judgement in judged:
        if isinstance(judgement, DomainError):
            items.append({"index": index, "problem": item_problem(judgement)})
            continue
        fact, cadre, existing, constraints, reason = judgement
        if existing is not None:
            items.append(
                {
                    "index": index,
                    **_answer(
                        previous.get(existing.id),
                        existing,
                        "UNCHANGED",
                        counts.standing(existing.org_unit_id, fact.year),
                    ),
                }
            )
            continue
        a = AnnualAssessment.recorded(
            assessment_id=new_id(),
            org_unit_id=cadre.org_unit_id,
            fact=fact,
            reason=reason,
            constraints=constraints,
            by=principal.subject,
            at=now,
        )
        standing = counts.add(a.org_unit_id, a.year, excellent=fact.grade == "EXCELLENT")
        record_id = new_id()
        records.append(
            dict(
                id=record_id,
                assessment_id=a.id,
                cadre_id=a.cadre_id,
                org_unit_id=a.org_unit_id,
                org_path=cadre.org_path,
                year=a.year,
                grade=fact.grade,
                undetermined_reason=reason,
                decided_on=fact.decided_on,
                notified_on=fact.notified_on,
                publicity_from=fact.publicity_from,
                publicity_to=fact.publicity_to,
                document_no=fact.document_no,
                source=fact.source,
                recorded_by=principal.subject,
                recorded_at=now,
                supersedes=None,
                quota_exceeded=_exceeded(fact.grade, standing),
                created_at=now,
            )
        )
        added.append((a, cadre))
        items.append({"index": index, **_answer(record_id, a, "RECORDED", standing)})
    await uow.assessments.add_many([a for a, _ in added], [{"org_path": c.org_path} for _, c in added])
    await uow.grade_records.add_many(records)
    await uow.audit_many(principal, [("HISTORY_RECORDED", OBJECT, a.id, "ROUTINE") for a, _ in added])
    return items


def _visible(cadre: DirCadre | None, access: Access) -> DirCadre:
    """The directory entry if the caller may act on this cadre (as `visible_cadre`), else the uniform 404."""
    if cadre is None or not cadre.active or not access.sees(cadre.cadre_id, cadre.org_path, sensitive=True):
        raise cadre_not_found()
    return cadre


@dataclass
class _Counts:
    """The 优秀 quota of each (counting unit, year) a plain batch touches: read (and locked) once before its
    writes, then counted forward in memory fact by fact, so each answer reports what the database would count
    after that fact, exactly as the fact-by-fact path reads it."""

    uow: AppraisalUnitOfWork
    base: dict[tuple[str, int], Standing]  # by (org unit, year): as read before the batch
    counted: dict[tuple[str, int], list[int]]  # by (counting unit, year): [headcount, used] so far

    @classmethod
    async def load(cls, uow: AppraisalUnitOfWork, batch: _Batch, judged: list[Any]) -> _Counts:
        new = {(c.org_unit_id, f.year) for f, c, e, _, _ in judged if e is None}
        pairs = sorted(new | {(e.org_unit_id, f.year) for f, _, e, _, _ in judged if e is not None})
        base: dict[tuple[str, int], Standing] = {}
        for unit, year in pairs:
            base[(unit, year)] = await uow.quota.standing(unit, year, write=(unit, year) in new, units=batch.units)
        counted = {(s.counting_unit_id, s.year): [s.quota.headcount, s.used] for s in base.values()}
        return cls(uow, base, counted)

    def standing(self, org_unit_id: str, year: int) -> Standing:
        """The standing of the unit's quota after the facts counted so far."""
        s = self.base[(org_unit_id, year)]
        headcount, used = self.counted[(s.counting_unit_id, year)]
        settings = self.uow.context.settings
        figures = quota.compute(
            headcount=headcount,
            pct=s.pct,
            rounding=settings.excellent_quota_rounding,
            min_one_from=settings.excellent_quota_min_one_from,
        )
        return replace(s, quota=figures, used=used)

    def add(self, org_unit_id: str, year: int, *, excellent: bool) -> Standing:
        """Counts one new final grade (and 优秀) and answers the standing after it."""
        s = self.base[(org_unit_id, year)]
        counted = self.counted[(s.counting_unit_id, year)]
        counted[0] += 1
        counted[1] += 1 if excellent else 0
        return self.standing(org_unit_id, year)


def _exceeded(grade: str, standing: Standing) -> bool:
    return grade == "EXCELLENT" and standing.used > standing.quota.limit


def _answer(record_id: str | None, a: AnnualAssessment, outcome: str, standing: Standing) -> dict[str, Any]:
    return {
        "id": record_id or a.id,
        "assessment_id": a.id,
        "outcome": outcome,
        "quota": {
            "counting_unit_id": standing.counting_unit_id,
            "limit": standing.quota.limit,
            "used": standing.used,
            "exceeded": _exceeded(a.final_grade or "", standing),
        },
    }
