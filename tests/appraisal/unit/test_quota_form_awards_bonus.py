"""The 优秀 quota, the assessment form, automatic award proposals and the bonus allocation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.errors import RuleViolation
from services.appraisal.domain.rules.awards import proposals_for
from services.appraisal.domain.rules.bonus import Member, allocate
from services.appraisal.domain.rules.form import form_score
from services.appraisal.domain.rules.quota import (
    check_quota,
    check_quota_pct,
    compute,
    counted_units,
    counting_unit,
    max_excellent,
)
from services.appraisal.settings import AppraisalSettings

COEF = {"EXCELLENT": 1.5, "COMPETENT": 1.0, "BASIC": 0.0, "INCOMPETENT": 0.0, "UNDETERMINED": 0.0}


@pytest.mark.parametrize(
    "headcount,pct,rounding,expected",
    [
        (10, 20, "FLOOR", 2),
        (7, 20, "FLOOR", 1),
        (4, 20, "FLOOR", 0),
        (8, 20, "HALF_UP", 2),
        (7, 20, "HALF_UP", 1),
        (7, 20, "CEIL", 2),
        (20, 25, "FLOOR", 5),
        (0, 20, "FLOOR", 0),
        (13, 15, "HALF_UP", 2),
    ],
)
def test_max_excellent(headcount, pct, rounding, expected):
    assert max_excellent(headcount, pct, rounding) == expected


def test_quota_refuses_one_more_excellent_and_names_the_rule():
    check_quota(headcount=10, excellent_so_far=1, pct=20, rounding="FLOOR")
    with pytest.raises(RuleViolation) as err:
        check_quota(headcount=10, excellent_so_far=2, pct=20, rounding="FLOOR")
    assert err.value.rule == "assessment.excellent_quota" and err.value.extra == {"limit": 2, "used": 2}


@pytest.mark.parametrize(
    "headcount,pct,rounding,min_one_from,limit,applied",
    [
        (3, 25, "FLOOR", 0, 0, False),  # the old answer: "0 of 0 at 25 %"
        (3, 25, "FLOOR", 3, 1, True),
        (3, 20, "FLOOR", 3, 1, True),
        (2, 20, "FLOOR", 3, 0, False),
        (4, 20, "FLOOR", 3, 1, True),
        (5, 20, "FLOOR", 3, 1, False),
        (10, 20, "FLOOR", 3, 2, False),
        (3, 20, "HALF_UP", 0, 1, False),
        (2, 20, "HALF_UP", 0, 0, False),
        (0, 20, "FLOOR", 1, 0, False),
    ],
)
def test_rounding_and_the_minimum_of_one_place(headcount, pct, rounding, min_one_from, limit, applied):
    q = compute(headcount=headcount, pct=pct, rounding=rounding, min_one_from=min_one_from)
    assert (q.limit, q.min_one_applied) == (limit, applied)
    assert [r.code for r in q.rules()] == [rounding, *(["MIN_ONE"] if applied else [])]
    assert all(r.source for r in q.rules())


@given(st.integers(0, 500), st.sampled_from([15.0, 20.0, 25.0]), st.integers(0, 10))
def test_floor_never_exceeds_the_percentage_except_by_the_stated_minimum(headcount, pct, min_one_from):
    q = compute(headcount=headcount, pct=pct, rounding="FLOOR", min_one_from=min_one_from)
    assert q.limit <= headcount * pct / 100 or (q.min_one_applied and q.limit == 1 and headcount >= min_one_from)


def test_the_counting_unit_is_the_nearest_agency_not_the_division():
    levels = {
        "city": "CITY_LEADERSHIP",
        "bureau": "MUNICIPAL_AGENCY",
        "div": "DIVISION",
        "sub": "DIVISION",
        "town": "TOWNSHIP",
    }
    assert counting_unit("div", ["city", "bureau", "div"], levels) == "bureau"
    assert counting_unit("sub", ["city", "bureau", "div", "sub"], levels) == "bureau"
    assert counting_unit("bureau", ["city", "bureau"], levels) == "bureau"
    assert counting_unit("unknown", ["city", "unknown"], levels) == "unknown"  # not yet in the directory
    units = [
        ("bureau", ["city", "bureau"]),
        ("div", ["city", "bureau", "div"]),
        ("sub", ["city", "bureau", "div", "sub"]),
        ("town", ["city", "bureau", "town"]),
    ]
    assert counted_units("bureau", units, levels) == {"bureau", "div", "sub"}  # a sub-agency counts on its own


def test_the_default_rounding_is_floor_with_one_place_from_three_staff():
    s = AppraisalSettings(_env_file=None)
    assert (s.excellent_quota_rounding, s.excellent_quota_min_one_from) == ("FLOOR", 3)


def test_quota_above_twenty_percent_needs_the_approved_raise_and_never_exceeds_the_maximum():
    check_quota_pct(20, raise_approved=False, default_pct=20, max_pct=25)
    check_quota_pct(25, raise_approved=True, default_pct=20, max_pct=25)
    for pct, approved in ((21, False), (25.5, True), (0, True)):
        with pytest.raises(RuleViolation) as err:
            check_quota_pct(pct, raise_approved=approved, default_pct=20, max_pct=25)
        assert err.value.rule == "assessment_year.quota_pct"


def test_the_form_weighs_taking_responsibility_heaviest():
    weights = AppraisalSettings(_env_file=None).form_weights
    assert max(weights, key=weights.get) == "DANDANG"
    scores = {k: 80.0 for k in weights}
    assert form_score(scores, weights) == 80.0
    better_dandang = {**scores, "DANDANG": 100.0}
    better_de = {**scores, "DE": 100.0}
    assert form_score(better_dandang, weights) > form_score(better_de, weights)
    with pytest.raises(RuleViolation):
        form_score({**scores, "DANDANG": 101}, weights)
    with pytest.raises(RuleViolation):
        form_score({k: v for k, v in scores.items() if k != "LIAN"}, weights)


def test_settings_refuse_a_form_where_dandang_is_not_heaviest():
    with pytest.raises(ValueError):
        AppraisalSettings(
            _env_file=None, form_weights={"DE": 0.3, "NENG": 0.1, "QIN": 0.1, "JI": 0.2, "LIAN": 0.1, "DANDANG": 0.2}
        )


def test_annual_excellent_proposes_a_commendation():
    assert proposals_for(2025, "EXCELLENT", {}) == [("COMMENDATION", "ANNUAL_EXCELLENT")]
    assert proposals_for(2025, "COMPETENT", {2024: "EXCELLENT", 2023: "EXCELLENT"}) == []


def test_three_consecutive_excellent_propose_a_third_class_merit():
    got = proposals_for(2025, "EXCELLENT", {2024: "EXCELLENT", 2023: "EXCELLENT"})
    assert ("MERIT_3", "THREE_YEARS_EXCELLENT") in got
    assert ("MERIT_3", "THREE_YEARS_EXCELLENT") not in proposals_for(
        2025, "EXCELLENT", {2024: "EXCELLENT", 2023: "COMPETENT"}
    )
    assert ("MERIT_3", "THREE_YEARS_EXCELLENT") not in proposals_for(
        2025, "EXCELLENT", {2024: "EXCELLENT", 2022: "EXCELLENT"}
    )


def test_a_fourth_excellent_in_a_row_does_not_earn_a_second_merit():
    grades = {2023: "EXCELLENT", 2024: "EXCELLENT", 2025: "EXCELLENT"}
    got = proposals_for(2026, "EXCELLENT", grades, merit_years=frozenset({2023, 2024, 2025}))
    assert got == [("COMMENDATION", "ANNUAL_EXCELLENT")]


def test_bonus_is_split_by_coefficient_and_explained():
    shares = allocate(
        100_000,
        [
            Member("a", "EXCELLENT"),
            Member("b", "COMPETENT"),
            Member("c", "BASIC"),
            Member("d", None),
            Member("e", "UNDETERMINED", "PENDING_INVESTIGATION", withheld="investigation open"),
        ],
        COEF,
    )
    by = {s.cadre_id: s for s in shares}
    assert by["a"].amount_cents == 60_000 and by["b"].amount_cents == 40_000
    assert by["c"].amount_cents == by["d"].amount_cents == by["e"].amount_cents == 0
    assert "coefficient 1.5" in by["a"].explanation and "withheld" in by["e"].explanation
    assert "no final grade" in by["d"].explanation


@given(
    st.integers(1, 10**9), st.lists(st.sampled_from(["EXCELLENT", "COMPETENT", "BASIC", None]), min_size=1, max_size=40)
)
def test_property_the_shares_add_up_to_the_pool(pool, grades):
    members = [Member(f"c{i}", g) for i, g in enumerate(grades)]
    if not any(g in ("EXCELLENT", "COMPETENT") for g in grades):
        with pytest.raises(RuleViolation):
            allocate(pool, members, COEF)
        return
    shares = allocate(pool, members, COEF)
    assert sum(s.amount_cents for s in shares) == pool
    assert all(s.amount_cents == 0 for s in shares if s.coefficient == 0)
