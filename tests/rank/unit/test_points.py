"""Points (积分): every item of the scheme, caps, exclusion by restrictions, tie-breakers, scheme validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.errors import RuleViolation
from services.rank.domain.eligibility import evaluate
from services.rank.domain.facts import AwardFact, SanctionFact
from services.rank.domain.points import (
    DEFAULT_SCHEME,
    RankEntry,
    compute_points,
    default_scheme,
    rank_entries,
    scheme_from_dict,
)
from services.rank.domain.rules.policies import TenurePolicy
from tests.rank.unit.factories import COMPREHENSIVE, D, facts, grade, open_case, post, warning

AS_OF = D(2026, 6, 15)


def points(f, scheme=None, as_of=AS_OF):
    e = evaluate(f, COMPREHENSIVE, as_of=as_of, policy=TenurePolicy())
    return compute_points(f, e, scheme or default_scheme(), as_of=as_of)


def lines(p) -> dict[str, float]:
    return {line.key: line.points for line in p.lines}


def test_each_full_year_in_the_current_rank_and_each_excellent_year_count():
    p = points(
        facts(since=D(2021, 1, 1), grades=(grade(2022, "EXCELLENT"), grade(2023, "EXCELLENT"), grade(2024, "BASIC")))
    )
    # 65 months minus the 12 of the 基本称职 year = 53 months: 4 full years.
    assert lines(p)["tenure_year"] == 8.0 and lines(p)["excellent_year"] == 6.0
    assert p.tenure_months == 53 and p.excellent_years == 2


def test_caps_bound_an_item():
    p = points(facts(since=D(2010, 1, 1)))
    line = next(x for x in p.lines if x.key == "tenure_year")
    assert line.points == 20.0 and line.capped and line.quantity == 16


def test_awards_count_in_the_current_rank_and_stop_when_revoked():
    awards = (
        AwardFact("a1", "MERIT_3", D(2022, 5, 1)),
        AwardFact("a2", "COMMENDATION", D(2019, 5, 1)),
        AwardFact("a3", "MERIT_2", D(2023, 5, 1), revoked_on=D(2024, 1, 1)),
    )
    p = points(facts(since=D(2021, 1, 1), awards=awards))
    assert lines(p)["award.MERIT_3"] == 3.0
    assert lines(p)["award.COMMENDATION"] == 0.0  # before the current rank
    assert lines(p)["award.MERIT_2"] == 0.0  # revoked
    career = scheme_from_dict({**DEFAULT_SCHEME, "award_scope": "CAREER"}, scheme_id="s", org_unit_id="u")
    assert lines(points(facts(since=D(2021, 1, 1), awards=awards), career))["award.COMMENDATION"] == 1.0


def test_hardship_posts_index_percentile_and_education():
    hardship = (post("TOWNSHIP_DEPUTY", D(2015, 1, 1), D(2018, 7, 1), hardship=True),)
    p = points(facts(posts=hardship, index_percentile=75.0, education="MASTER"))
    assert lines(p)["hardship_year"] == 4.5  # 3 full years
    assert lines(p)["index_percentile"] == 7.5
    assert lines(p)["education.MASTER"] == 2.0 and lines(p)["education.BACHELOR"] == 0.0


def test_expired_sanctions_subtract_only_where_the_scheme_says_so():
    sanctions = (
        SanctionFact("s1", "WARNING", D(2024, 1, 1), D(2024, 7, 1), "EXPIRED"),
        SanctionFact("s2", "WARNING", D(2015, 1, 1), D(2015, 7, 1), "EXPIRED"),
        SanctionFact("s3", "WARNING", D(2025, 1, 1), D(2025, 7, 1), "REVOKED"),
    )
    assert lines(points(facts(sanctions=sanctions)))["expired_sanction"] == 0.0
    local = {**DEFAULT_SCHEME, "items": {**DEFAULT_SCHEME["items"], "expired_sanction": {"points": -2.0, "cap": 6}}}
    scheme = scheme_from_dict(local, scheme_id="s", org_unit_id="u")
    assert lines(points(facts(sanctions=sanctions), scheme))["expired_sanction"] == -2.0  # within 5 years only


def test_restrictions_and_investigations_exclude_instead_of_subtracting():
    restricted = points(facts(restrictions=(warning(D(2026, 3, 1), D(2026, 9, 1)),)))
    clean = points(facts())
    assert restricted.excluded and restricted.exclusion == ("restriction.active",)
    assert restricted.total == clean.total
    investigated = points(facts(investigations=(open_case(D(2026, 5, 1)),)))
    assert investigated.excluded and investigated.exclusion == ("investigation.open",)


def test_ties_are_broken_by_tenure_then_entry_then_birth_then_id():
    entries = [
        RankEntry("c", 10, 30, 0, D(2010, 1, 1), D(1980, 1, 1)),
        RankEntry("a", 10, 40, 0, D(2011, 1, 1), D(1981, 1, 1)),
        RankEntry("b", 10, 30, 0, D(2009, 1, 1), D(1982, 1, 1)),
        RankEntry("d", 12, 10, 0, D(2015, 1, 1), D(1990, 1, 1)),
        RankEntry("e", 10, 30, 0, D(2009, 1, 1), D(1979, 1, 1)),
    ]
    ordered = rank_entries(entries, ("tenure_months", "entry_date", "birth_date"))
    assert [e.cadre_id for e in ordered] == ["d", "a", "e", "b", "c"]
    assert [e.cadre_id for e in rank_entries(entries, ())] == ["d", "a", "b", "c", "e"]


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"items": {"bribes": {"points": 1}}}, "points.unknown_item"),
        ({"items": {"tenure_year": {"points": 500}}}, "points.range"),
        ({"items": {"tenure_year": {"points": 1, "cap": -1}}}, "points.cap"),
        ({"tie_breakers": ["shoe_size"]}, "points.tie_breakers"),
        ({"tie_breakers": ["entry_date", "entry_date"]}, "points.tie_breakers"),
        ({"award_scope": "EVER"}, "points.award_scope"),
        ({"sanction_lookback_years": 50}, "points.lookback"),
    ],
)
def test_invalid_schemes_are_refused_naming_the_rule(change, rule):
    with pytest.raises(RuleViolation) as err:
        scheme_from_dict({**DEFAULT_SCHEME, **change}, scheme_id="s", org_unit_id="u")
    assert err.value.rule == rule


@given(percentile=st.floats(0, 100), years=st.integers(0, 30))
def test_points_are_bounded_by_the_caps(percentile, years):
    p = points(facts(since=D(2026 - years, 1, 1), index_percentile=percentile))
    caps = {i.key: i.cap for i in default_scheme().items}
    for line in p.lines:
        if caps[line.key] is not None:
            assert abs(line.points) <= caps[line.key]
    assert 0 <= lines(p)["index_percentile"] <= 10
