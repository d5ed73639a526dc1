"""Read side of the aggregate views: incentive coverage, dashboard part and dossier part (set-based SQL)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Date, bindparam, case, func, literal, select, union
from sqlalchemy.ext.asyncio import AsyncConnection

from services.appraisal.adapters import orm
from services.appraisal.domain.periods import quarter_key
from services.appraisal.domain.rules.coverage import band_labels, share
from services.appraisal.views import PETITION_NOTE_KINDS

D = orm.directory.cadre
INDEX_BANDS = ((90, "90+"), (80, "80-89"), (70, "70-79"), (60, "60-69"), (None, "<60"))


def _covered(year: int) -> Any:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    w, a, m, i = orm.award, orm.annual_assessment, orm.rank_move, orm.incentive_record
    return union(
        select(w.c.cadre_id.label("cadre_id"), literal("AWARD").label("kind")).where(
            w.c.status.in_(("GRANTED", "REVIEW_FOR_REVOCATION")), w.c.granted_on.between(first, last)
        ),
        select(a.c.cadre_id, literal("EXCELLENT")).where(a.c.year == year, a.c.final_grade == "EXCELLENT"),
        select(m.c.cadre_id, literal("PROMOTION")).where(
            m.c.basis == "PROMOTION", m.c.effective_date.between(first, last)
        ),
        select(m.c.cadre_id, literal("ROTATION")).where(
            m.c.kind == "POST", m.c.basis == "TRANSFER", m.c.effective_date.between(first, last)
        ),
        select(i.c.cadre_id, i.c.kind).where(i.c.on_date.between(first, last)),
    ).subquery("covered")


async def coverage(conn: AsyncConnection, *, path: str, year: int, age_bands: list[int]) -> dict[str, Any]:
    """Returns the share of a subtree's active cadres who received any incentive in a year, with breakdowns."""
    covered = _covered(year)
    ref = dt.date(year, 12, 31)
    labels = band_labels(age_bands)
    whens = []
    for bound, label in zip(age_bands, labels):
        # Younger than `bound` on the reference day ⇔ born after the same day `bound` years earlier.
        whens.append((D.c.birth_date > literal(dt.date(ref.year - bound, ref.month, ref.day), Date()), label))
    band = case(*whens, else_=labels[-1])
    is_covered = D.c.cadre_id.in_(select(covered.c.cadre_id))
    rows = (
        await conn.execute(
            select(
                band.label("band"),
                D.c.gender,
                D.c.rank_code,
                D.c.leadership,
                func.count().label("total"),
                func.sum(case((is_covered, 1), else_=0)).label("covered"),
            )
            .where(D.c.active.is_(True), D.c.org_path.startswith(path))
            # Grouped by the output label: PostgreSQL does not match the CASE's bound literals a second time.
            .group_by("band", D.c.gender, D.c.rank_code, D.c.leadership)
        )
    ).all()
    dims: dict[str, dict[str, list[int]]] = {
        d: defaultdict(lambda: [0, 0]) for d in ("age_band", "gender", "rank", "post_type")
    }
    total = hit = 0
    for row in rows:
        keys = {
            "age_band": row.band,
            "gender": row.gender,
            "rank": row.rank_code or "UNRANKED",
            "post_type": "LEADERSHIP" if row.leadership else "NON_LEADERSHIP",
        }
        for dim, key in keys.items():
            dims[dim][key][0] += row.total
            dims[dim][key][1] += int(row.covered or 0)
        total += row.total
        hit += int(row.covered or 0)
    kinds = (
        await conn.execute(
            select(covered.c.kind, func.count(func.distinct(covered.c.cadre_id)))
            .where(
                covered.c.cadre_id.in_(select(D.c.cadre_id).where(D.c.active.is_(True), D.c.org_path.startswith(path)))
            )
            .group_by(covered.c.kind)
        )
    ).all()
    return {
        "year": year,
        "total": total,
        "covered": hit,
        "share": share(hit, total),
        "left_out": total - hit,
        "by_kind": {k: n for k, n in kinds},
        "breakdown": {
            dim: [
                {"key": k, "total": v[0], "covered": v[1], "share": share(v[1], v[0])}
                for k, v in sorted(groups.items())
            ]
            for dim, groups in dims.items()
        },
    }


async def grade_distribution(conn: AsyncConnection, *, path: str, year: int) -> dict[str, int]:
    """Counts the final grades (and the assessments still open) of a subtree for a year."""
    a = orm.annual_assessment
    rows = (
        await conn.execute(
            select(func.coalesce(a.c.final_grade, literal("PENDING")).label("grade"), func.count())
            .where(a.c.year == year, a.c.cadre_id.in_(select(D.c.cadre_id).where(D.c.org_path.startswith(path))))
            .group_by("grade")
        )
    ).all()
    return {g: n for g, n in rows}


async def index_bands(conn: AsyncConnection, *, path: str, period_key: str) -> dict[str, Any]:
    """Counts a subtree's index totals of one quarter by band."""
    s = orm.index_snapshot
    band = case(*[(s.c.total >= low, label) for low, label in INDEX_BANDS if low is not None], else_="<60")
    rows = (
        await conn.execute(
            select(band.label("band"), func.count(), func.avg(s.c.total))
            .where(
                s.c.period_key == period_key,
                s.c.cadre_id.in_(select(D.c.cadre_id).where(D.c.org_path.startswith(path))),
            )
            .group_by("band")
        )
    ).all()
    return {
        "period_key": period_key,
        "bands": {b: n for b, n, _ in rows},
        "mean": round(sum(float(m) * n for _, n, m in rows) / max(sum(n for _, n, _ in rows), 1), 2),
    }


async def dashboard(
    conn: AsyncConnection, *, path: str, year: int, today: dt.date, age_bands: list[int]
) -> dict[str, Any]:
    """Returns a subtree's grade distribution of a year, index bands of the current quarter and incentive coverage
    of the year (the dashboard part)."""
    return {
        "grade_distribution": await grade_distribution(conn, path=path, year=year),
        "index": await index_bands(conn, path=path, period_key=quarter_key(today)),
        "incentive_coverage": await coverage(conn, path=path, year=year, age_bands=age_bands),
    }


_A, _S, _T, _W, _F, _N = (
    orm.annual_assessment,
    orm.index_snapshot,
    orm.talk,
    orm.award,
    orm.inaction_finding,
    orm.cadre_note,
)
_CADRE, _AS_OF = bindparam("cadre_id"), bindparam("as_of")
# The dossier part's statements, built once (a statement built per request costs SQLAlchemy's coercion and cache key
# on every request: docs/DEVELOPING.md, SQL).
_DOSSIER = {
    "grades": select(
        _A.c.id,
        _A.c.year,
        _A.c.final_grade,
        _A.c.undetermined_reason,
        _A.c.decided_on,
        _A.c.notified_on,
        _A.c.supplemented,
        _A.c.amended,
        _A.c.status,
        _A.c.source,
        _A.c.document_no,
        _A.c.recorded_by,
        _A.c.recorded_at,
    )
    .where(_A.c.cadre_id == _CADRE, _A.c.final_grade.is_not(None), _A.c.decided_on <= _AS_OF)
    .order_by(_A.c.year.desc())
    .limit(10),
    "index": select(_S.c.period_key, _S.c.total, _S.c.formula_version, _S.c.components, _S.c.computed_at)
    .where(_S.c.cadre_id == _CADRE, _S.c.period_key <= bindparam("quarter"))
    .order_by(_S.c.period_key.desc())
    .limit(4),
    "talks": select(
        _T.c.id, _T.c.type, _T.c.status, _T.c.scheduled_on, _T.c.held_on, _T.c.reply_due_on, _T.c.replied_on
    )
    .where(_T.c.cadre_id == _CADRE, _T.c.scheduled_on <= _AS_OF)
    .order_by(_T.c.scheduled_on.desc())
    .limit(20),
    "awards": select(_W.c.id, _W.c.type, _W.c.basis, _W.c.year, _W.c.status, _W.c.granted_on, _W.c.revoked_on)
    .where(_W.c.cadre_id == _CADRE, _W.c.proposed_on <= _AS_OF, _W.c.status != "WITHDRAWN")
    .order_by(_W.c.proposed_on.desc())
    .limit(20),
    "inaction_findings": select(
        _F.c.id, _F.c.item_code, _F.c.severity, _F.c.status, _F.c.occurred_on, _F.c.confirmed_on
    )
    .where(_F.c.cadre_id == _CADRE, _F.c.occurred_on <= _AS_OF, _F.c.status.in_(("CONFIRMED", "TOLERATED")))
    .order_by(_F.c.occurred_on.desc())
    .limit(20),
}
_NOTES = (
    select(_N.c.id, _N.c.kind, _N.c.source_ref, _N.c.noted_on, _N.c.due_on, _N.c.detail)
    .where(_N.c.cadre_id == _CADRE, _N.c.noted_on <= _AS_OF)
    .order_by(_N.c.noted_on.desc(), _N.c.id)
    .limit(20)
)
_NOTES_WITHOUT_PETITIONS = _NOTES.where(_N.c.kind.not_in(PETITION_NOTE_KINDS))


async def dossier(
    conn: AsyncConnection, *, cadre_id: str, as_of: dt.date, petition_notes: bool = True
) -> dict[str, Any]:
    """Returns the appraisal part of a cadre's dossier as it stood on `as_of` (`petition_notes`: whether the caller
    may read the notes that come from petitions, views.petition_notes_visible)."""
    params = {"cadre_id": cadre_id, "as_of": as_of, "quarter": quarter_key(as_of)}
    part: dict[str, Any] = {"cadre_id": cadre_id, "as_of": as_of}
    for name, statement in _DOSSIER.items():
        part[name] = [dict(r) for r in (await conn.execute(statement, params)).mappings()]
    notes = _NOTES if petition_notes else _NOTES_WITHOUT_PETITIONS
    part["notes"] = [dict(r) for r in (await conn.execute(notes, params)).mappings()]
    return part
