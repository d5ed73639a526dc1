"""The bulk as-of question answered in SQL: per cadre and effect, how many restrictions apply and until when."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from kernel.contracts.vocabulary import RestrictionEffect as E
from kernel.contracts.vocabulary import RestrictionSource
from kernel.db import make_database, utcnow
from services.tolerance.adapters import orm
from services.tolerance.adapters.repository import _restriction_values
from services.tolerance.domain.restrictions import Restriction, effective_bar, last_day
from services.tolerance.views.reads import Bar, bars_on

D = dt.date
ON = D(2026, 6, 15)
QUOTED = 'c-"引号\\ \u2028'


def bar(n: int, cadre: str, effect: E, starts: dt.date, ends: dt.date | None) -> Restriction:
    return Restriction.activate(
        restriction_id=f"r-{n}",
        cadre_id=cadre,
        effect=effect,
        source_type=RestrictionSource.SANCTION,
        source_id=f"s-{n}",
        starts_on=starts,
        ends_on=ends,
    )


def restrictions() -> list[Restriction]:
    made = [
        # c-a: two NO_POST_PROMOTION bars, the later ending 2027-06-09; one GRADE bar ending on ON itself.
        bar(1, "c-a", E.NO_POST_PROMOTION, D(2026, 1, 1), D(2026, 12, 1)),
        bar(2, "c-a", E.NO_POST_PROMOTION, D(2026, 6, 10), D(2027, 6, 10)),
        bar(3, "c-a", E.GRADE_UNDETERMINED, D(2026, 1, 1), D(2026, 6, 16)),  # last day 2026-06-15
        bar(4, "c-a", E.GRADE_NOT_EXCELLENT, D(2026, 1, 1), D(2026, 6, 15)),  # last day the day before ON
        bar(5, "c-a", E.NO_RANK_PROMOTION, D(2026, 6, 16), D(2027, 1, 1)),  # starts the day after ON
        # c-b: an open-ended bar (an investigation) makes the effect open-ended beside a dated one.
        bar(6, "c-b", E.NO_LEVEL_PROMOTION, D(2026, 5, 10), None),
        bar(7, "c-b", E.NO_LEVEL_PROMOTION, D(2026, 5, 1), D(2027, 5, 1)),
        # c-b: lifted after ON (applies until the lifting day, not its planned end), lifted on ON (over).
        bar(8, "c-b", E.NO_RANK_PROMOTION, D(2026, 5, 1), D(2027, 5, 1)),
        bar(9, "c-b", E.NO_SALARY_STEP, D(2026, 5, 1), D(2027, 5, 1)),
        # c-c: lifted before it started (VOID), and a bar voided by a correction: neither ever applied.
        bar(10, "c-c", E.NO_POST_PROMOTION, D(2026, 7, 1), D(2027, 7, 1)),
        bar(11, "c-c", E.NO_LEADERSHIP_POST, D(2026, 1, 1), D(2027, 1, 1)),
        # c-d: an open-ended bar lifted after ON ends on its lifting day.
        bar(12, "c-d", E.NO_LEADERSHIP_POST, D(2026, 1, 1), None),
        # c-e: an expired bar extended (期满影响使用) applies again until its new end.
        bar(13, "c-e", E.NO_POST_PROMOTION, D(2025, 1, 1), D(2026, 1, 1)),
        # An id that JSON must escape (SQLite's answer is one JSON document).
        bar(14, QUOTED, E.NO_SALARY_STEP, D(2026, 1, 1), D(2026, 12, 1)),
        # c-many: counts of two digits (SQLite's answer writes a bar as its last end, then its count).
        *(bar(100 + n, "c-many", E.NO_POST_PROMOTION, D(2026, 1, 1), D(2026, 12, 1)) for n in range(12)),
        *(bar(200 + n, "c-many", E.NO_LEVEL_PROMOTION, D(2026, 1, 1), None) for n in range(11)),
    ]
    by_id = {r.id: r for r in made}
    by_id["r-8"].lift(D(2026, 9, 1), "APPEAL_VARIED")
    by_id["r-9"].lift(ON, "APPEAL_REVOKED")
    by_id["r-10"].lift(D(2026, 6, 1), "APPEAL_REVOKED")
    by_id["r-11"].void("CORRECTED")
    by_id["r-12"].lift(D(2026, 8, 1), "INVESTIGATION_NO_SANCTION")
    by_id["r-13"].expire(D(2026, 1, 1))
    by_id["r-13"].extend(
        new_ends_on=D(2026, 12, 1), reason="期满影响使用 after review", today=D(2026, 3, 1), discretionary=True
    )
    return made


@pytest.fixture
async def conn(fresh_db):
    db = make_database(await fresh_db("tolerance"))
    rows = [dict(id=r.id, **_restriction_values(r), version=1, updated_at=utcnow()) for r in restrictions()]
    async with db.writer.begin() as c:
        await c.execute(insert(orm.restriction), rows)
    async with db.reader.connect() as c:
        yield c
    await db.dispose()


async def test_bars_are_counted_and_dated_per_cadre_and_effect(conn):
    found = await bars_on(conn, ["c-a", "c-b", "c-c", "c-d", "c-e", "c-z", "c-a"], ON)
    assert found == {
        "c-a": {E.NO_POST_PROMOTION: Bar(2, D(2027, 6, 9)), E.GRADE_UNDETERMINED: Bar(1, ON)},
        "c-b": {E.NO_LEVEL_PROMOTION: Bar(2, None), E.NO_RANK_PROMOTION: Bar(1, D(2026, 8, 31))},
        "c-d": {E.NO_LEADERSHIP_POST: Bar(1, D(2026, 7, 31))},
        "c-e": {E.NO_POST_PROMOTION: Bar(1, D(2026, 11, 30))},
    }
    assert await bars_on(conn, ["c-a"], ON + dt.timedelta(days=1)) == {
        "c-a": {E.NO_POST_PROMOTION: Bar(2, D(2027, 6, 9)), E.NO_RANK_PROMOTION: Bar(1, D(2026, 12, 31))}
    }
    assert await bars_on(conn, ["c-z"], ON) == {} and await bars_on(conn, [], ON) == {}


@pytest.mark.parametrize("day", [D(2026, 1, 1), D(2026, 5, 10), ON, D(2026, 9, 1), D(2027, 6, 9), D(2027, 6, 10)])
async def test_the_sql_answer_is_the_domain_answer(conn, day):
    made = restrictions()
    expected: dict[str, dict[str, Bar]] = {}
    for cadre in {r.cadre_id for r in made}:
        mine = [r for r in made if r.cadre_id == cadre]
        for effect in effective_bar(mine, day):
            applying = [r for r in mine if r.effect is effect and r.active_on(day)]
            ends = [r.until for r in applying]
            end = None if None in ends else last_day(max(ends))
            expected.setdefault(cadre, {})[effect] = Bar(len(applying), end)
    assert await bars_on(conn, sorted({r.cadre_id for r in made}), day) == expected


async def test_an_id_that_json_must_escape_comes_back_as_given(conn):
    assert await bars_on(conn, [QUOTED, "c-d"], ON) == {
        QUOTED: {E.NO_SALARY_STEP: Bar(1, D(2026, 11, 30))},
        "c-d": {E.NO_LEADERSHIP_POST: Bar(1, D(2026, 7, 31))},
    }


async def test_a_long_id_list_is_one_bound_value(conn):
    # 40,000 ids: over SQLite's limit of bound values (32,766), which an IN list of placeholders would hit.
    ids = [f"c-{n:05d}" for n in range(40_000)] + ["c-b", "c-a"]
    found = await bars_on(conn, ids, ON)
    assert set(found) == {"c-a", "c-b"} and found["c-b"][E.NO_LEVEL_PROMOTION] == Bar(2, None)


async def test_equal_bars_are_one_shared_bar_with_its_names(conn):
    found = await bars_on(conn, ["c-a", "c-e"], D(2026, 6, 1))
    assert found["c-a"][E.NO_POST_PROMOTION] == Bar(1, D(2026, 11, 30)) == found["c-e"][E.NO_POST_PROMOTION]
    assert found["c-a"][E.NO_POST_PROMOTION] is found["c-e"][E.NO_POST_PROMOTION]
    assert found["c-a"][E.NO_POST_PROMOTION].last_day == D(2026, 11, 30)
    assert type(found["c-a"][E.NO_POST_PROMOTION]) is Bar


async def test_counts_of_several_digits_come_back_whole(conn):
    assert await bars_on(conn, ["c-many"], ON) == {
        "c-many": {E.NO_POST_PROMOTION: Bar(12, D(2026, 11, 30)), E.NO_LEVEL_PROMOTION: Bar(11, None)}
    }
