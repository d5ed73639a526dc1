"""Read side of the aggregate views: incentive coverage, dashboard part and dossier part (set-based SQL)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    Integer,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import UtcDateTime
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
# The dossier part's six lists in one statement built once: each kind is a branch ordered and limited on its own,
# its columns put in typed slots shared by every branch (statements per request cost more than their SQL:
# docs/DEVELOPING.md, SQL). Each entry: kind → (columns as (name, slot), where, order, limit).
_SLOTS = {
    **{f"s{n}": String() for n in range(1, 9)},
    **{f"d{n}": Date() for n in range(1, 5)},
    "i1": Integer(),
    "b1": Boolean(),
    "b2": Boolean(),
    "f1": Float(),
    "t1": UtcDateTime(),
    "j1": JSON(),
}
_KINDS: dict[str, tuple[list[tuple[Any, str]], list[Any], list[Any], int]] = {
    "grades": (
        [
            (_A.c.id, "s1"),
            (_A.c.year, "i1"),
            (_A.c.final_grade, "s2"),
            (_A.c.undetermined_reason, "s3"),
            (_A.c.decided_on, "d1"),
            (_A.c.notified_on, "d2"),
            (_A.c.supplemented, "b1"),
            (_A.c.amended, "b2"),
            (_A.c.status, "s4"),
            (_A.c.source, "s5"),
            (_A.c.document_no, "s6"),
            (_A.c.recorded_by, "s7"),
            (_A.c.recorded_at, "t1"),
        ],
        [_A.c.cadre_id == _CADRE, _A.c.final_grade.is_not(None), _A.c.decided_on <= _AS_OF],
        [_A.c.year.desc()],
        10,
    ),
    "index": (
        [
            (_S.c.period_key, "s1"),
            (_S.c.total, "f1"),
            (_S.c.formula_version, "s2"),
            (_S.c.components, "j1"),
            (_S.c.computed_at, "t1"),
        ],
        [_S.c.cadre_id == _CADRE, _S.c.period_key <= bindparam("quarter")],
        [_S.c.period_key.desc()],
        4,
    ),
    "talks": (
        [
            (_T.c.id, "s1"),
            (_T.c.type, "s2"),
            (_T.c.status, "s3"),
            (_T.c.scheduled_on, "d1"),
            (_T.c.held_on, "d2"),
            (_T.c.reply_due_on, "d3"),
            (_T.c.replied_on, "d4"),
        ],
        [_T.c.cadre_id == _CADRE, _T.c.scheduled_on <= _AS_OF],
        [_T.c.scheduled_on.desc()],
        20,
    ),
    "awards": (
        [
            (_W.c.id, "s1"),
            (_W.c.type, "s2"),
            (_W.c.basis, "s3"),
            (_W.c.year, "i1"),
            (_W.c.status, "s4"),
            (_W.c.granted_on, "d1"),
            (_W.c.revoked_on, "d2"),
        ],
        [_W.c.cadre_id == _CADRE, _W.c.proposed_on <= _AS_OF, _W.c.status != "WITHDRAWN"],
        [_W.c.proposed_on.desc()],
        20,
    ),
    "inaction_findings": (
        [
            (_F.c.id, "s1"),
            (_F.c.item_code, "s2"),
            (_F.c.severity, "i1"),
            (_F.c.status, "s4"),
            (_F.c.occurred_on, "d1"),
            (_F.c.confirmed_on, "d2"),
        ],
        [_F.c.cadre_id == _CADRE, _F.c.occurred_on <= _AS_OF, _F.c.status.in_(("CONFIRMED", "TOLERATED"))],
        [_F.c.occurred_on.desc()],
        20,
    ),
    "notes": (
        [
            (_N.c.id, "s1"),
            (_N.c.kind, "s2"),
            (_N.c.source_ref, "s3"),
            (_N.c.noted_on, "d1"),
            (_N.c.due_on, "d2"),
            (_N.c.detail, "s8"),
        ],
        [_N.c.cadre_id == _CADRE, _N.c.noted_on <= _AS_OF],
        [_N.c.noted_on.desc(), _N.c.id],
        20,
    ),
}


def _branch(kind: str, petition_notes: bool) -> Any:
    columns, where, order, limit = _KINDS[kind]
    if kind == "notes" and not petition_notes:
        where = [*where, _N.c.kind.not_in(PETITION_NOTE_KINDS)]
    slot_of = {slot: column for column, slot in columns}
    inner = (
        select(
            literal_column(f"'{kind}'", String).label("kind"),
            func.row_number().over(order_by=order).label("ord"),
            *(
                type_coerce(slot_of[slot], type_).label(slot) if slot in slot_of else cast(null(), type_).label(slot)
                for slot, type_ in _SLOTS.items()
            ),
        )
        .where(*where)
        .order_by(*order)
        .limit(limit)
        .subquery(kind)
    )
    return select(inner)


_DOSSIER = {
    visible: union_all(*(_branch(kind, visible) for kind in _KINDS)) for visible in (True, False)
}  # with and without the notes that come from petitions


async def dossier(
    conn: AsyncConnection, *, cadre_id: str, as_of: dt.date, petition_notes: bool = True
) -> dict[str, Any]:
    """Returns the appraisal part of a cadre's dossier as it stood on `as_of` (`petition_notes`: whether the caller
    may read the notes that come from petitions, views.petition_notes_visible), in one statement."""
    params = {"cadre_id": cadre_id, "as_of": as_of, "quarter": quarter_key(as_of)}
    found: dict[str, list[tuple[int, dict[str, Any]]]] = {kind: [] for kind in _KINDS}
    for row in (await conn.execute(_DOSSIER[petition_notes], params)).mappings():
        kind = row["kind"]
        found[kind].append((row["ord"], {name: row[slot] for name, slot in _NAMES[kind]}))
    part: dict[str, Any] = {"cadre_id": cadre_id, "as_of": as_of}
    for kind, rows in found.items():
        part[kind] = [item for _, item in sorted(rows, key=lambda r: r[0])]
    return part


_NAMES = {kind: [(column.name, slot) for column, slot in spec[0]] for kind, spec in _KINDS.items()}
