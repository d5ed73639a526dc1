"""docs/rules.md §1.3: every row of the rule table, the heaviest effect, tolerated incidents, investigations."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.errors import RuleViolation
from services.appraisal.domain.grades import Effect, check_allowed, forced_grade, heaviest, highest_allowed
from services.appraisal.domain.rules.grade_rules import (
    SANCTION_RULES,
    Facts,
    InvestigationFact,
    RestrictionFact,
    SanctionFact,
    evaluate,
)

D = dt.date
LATE = D(2030, 1, 1)


def sanction(
    type_: str,
    on: dt.date = D(2025, 5, 1),
    months: int | None = None,
    incident: str | None = None,
    status: str = "EFFECTIVE",
) -> SanctionFact:
    return SanctionFact(f"s-{type_}", type_, on, months, incident, status)


def effects(year: int, facts: Facts, as_of: dt.date = LATE) -> set[Effect]:
    return {c.effect for c in evaluate(year, facts, as_of=as_of)}


@pytest.mark.parametrize("rule", SANCTION_RULES, ids=lambda r: r.rule_id)
def test_every_row_of_the_table_applies_in_its_year(rule):
    facts = Facts(sanctions=(sanction(rule.sanction_type, months=rule.min_period_months or None),))
    constraints = evaluate(2025 + rule.year_offset, facts, as_of=LATE)
    assert any(c.effect is rule.effect and c.rule_id == rule.rule_id and c.source for c in constraints)


@pytest.mark.parametrize(
    "type_,expected",
    [
        ("PARTY_WARNING", {2025: {Effect.NOT_EXCELLENT}, 2026: set()}),
        ("PARTY_SERIOUS_WARNING", {2025: {Effect.UNDETERMINED}, 2026: set()}),
        ("PARTY_POST_REMOVAL", {2025: {Effect.INCOMPETENT}, 2026: set()}),
        ("WARNING", {2025: {Effect.NOT_EXCELLENT}, 2026: set()}),
        ("DEMERIT", {2025: {Effect.UNDETERMINED}, 2026: set()}),
        (
            "MAJOR_DEMERIT",
            {2025: {Effect.UNDETERMINED}, 2026: {Effect.UNDETERMINED}, 2027: set()},
        ),  # 记大过: this year and next
        ("LEVEL_DEMOTION", {2025: {Effect.UNDETERMINED}, 2026: {Effect.UNDETERMINED}, 2027: set()}),
        ("DISMISSAL_FROM_POST", {2025: {Effect.UNDETERMINED}, 2026: {Effect.UNDETERMINED}, 2027: set()}),
        (
            "PARTY_EXPULSION",
            {2025: {Effect.INCOMPETENT}, 2026: {Effect.UNDETERMINED}, 2027: {Effect.UNDETERMINED}, 2028: set()},
        ),
        ("ADMONISHMENT", {2025: {Effect.NOT_EXCELLENT}, 2026: set()}),
        ("POST_ADJUSTMENT", {2025: {Effect.NOT_EXCELLENT}}),
        ("ORDERED_RESIGNATION", {2025: {Effect.UNDETERMINED}}),
        ("REMOVAL_FROM_POST", {2025: {Effect.UNDETERMINED}}),
        ("DEMOTION", {2025: {Effect.UNDETERMINED}}),
        ("ACCOUNTABILITY_CRITICISM", {2025: {Effect.NOT_EXCELLENT}}),
        ("SUSPENSION_FOR_REVIEW", {2025: set()}),
    ],
)
def test_worked_examples_of_the_table(type_, expected):
    facts = Facts(sanctions=(sanction(type_),))
    for year, want in expected.items():
        assert effects(year, facts) == want, year
    assert effects(2024, facts) == set()  # never before the sanction's year


def test_one_year_party_probation_is_incompetent_then_undetermined_once():
    facts = Facts(sanctions=(sanction("PARTY_PROBATION", months=12),))
    assert effects(2025, facts) == {Effect.INCOMPETENT}
    assert effects(2026, facts) == {Effect.UNDETERMINED}
    assert effects(2027, facts) == set()


def test_two_year_party_probation_is_undetermined_for_two_more_years():
    facts = Facts(sanctions=(sanction("PARTY_PROBATION", months=24),))
    assert effects(2026, facts) == {Effect.UNDETERMINED}
    assert effects(2027, facts) == {Effect.UNDETERMINED}
    assert effects(2028, facts) == set()


def test_several_effects_the_heaviest_applies():
    facts = Facts(sanctions=(sanction("WARNING"), sanction("MAJOR_DEMERIT"), sanction("PARTY_POST_REMOVAL")))
    constraints = evaluate(2025, facts, as_of=LATE)
    assert heaviest(constraints).effect is Effect.INCOMPETENT
    assert forced_grade(constraints) == ("INCOMPETENT", None)
    assert forced_grade(evaluate(2026, facts, as_of=LATE)) == ("UNDETERMINED", "SANCTION")


def test_a_tolerated_incident_never_lowers_a_grade():
    facts = Facts(
        sanctions=(sanction("MAJOR_DEMERIT", incident="inc-1"),),
        restrictions=(
            RestrictionFact(
                "r1", "GRADE_UNDETERMINED", "SANCTION", "s-MAJOR_DEMERIT", D(2025, 5, 1), D(2026, 11, 1), "ACTIVE"
            ),
        ),
        tolerated_incidents=frozenset({"inc-1"}),
    )
    assert evaluate(2025, facts, as_of=LATE) == []
    assert evaluate(2026, facts, as_of=LATE) == []


@given(
    st.lists(st.sampled_from([r.sanction_type for r in SANCTION_RULES]), min_size=1, max_size=6),
    st.integers(2020, 2030),
    st.integers(0, 3),
)
def test_property_tolerated_sanctions_produce_no_constraint(types, year, offset):
    facts = Facts(
        sanctions=tuple(SanctionFact(f"s{i}", t, D(year, 3, 1), 24, "inc", "EFFECTIVE") for i, t in enumerate(types)),
        tolerated_incidents=frozenset({"inc"}),
    )
    assert evaluate(year + offset, facts, as_of=LATE) == []


def test_a_revoked_sanction_or_one_not_yet_effective_does_not_count():
    assert effects(2025, Facts(sanctions=(sanction("DEMERIT", status="REVOKED"),))) == set()
    assert effects(2025, Facts(sanctions=(sanction("DEMERIT"),)), as_of=D(2025, 4, 30)) == set()


@pytest.mark.parametrize(
    "effect,expected",
    [
        ("GRADE_NOT_EXCELLENT", Effect.NOT_EXCELLENT),
        ("GRADE_UNDETERMINED", Effect.UNDETERMINED),
        ("GRADE_INCOMPETENT", Effect.INCOMPETENT),
    ],
)
def test_restrictions_published_by_tolerance_apply_to_the_years_they_overlap(effect, expected):
    r = RestrictionFact("r1", effect, "ADMONISHMENT", "t-1", D(2025, 11, 1), D(2026, 5, 1), "ACTIVE")
    assert effects(2025, Facts(restrictions=(r,))) == {expected}
    assert effects(2026, Facts(restrictions=(r,))) == {expected}
    assert effects(2027, Facts(restrictions=(r,))) == set()
    expired = RestrictionFact("r1", effect, "ADMONISHMENT", "t-1", D(2025, 11, 1), D(2026, 5, 1), "EXPIRED")
    assert effects(2025, Facts(restrictions=(expired,))) == {expected}


def test_lifted_or_void_restrictions_and_promotion_only_effects_do_not_count():
    for status in ("LIFTED", "VOID"):
        r = RestrictionFact("r1", "GRADE_UNDETERMINED", "SANCTION", "s", D(2025, 1, 1), None, status)
        assert effects(2025, Facts(restrictions=(r,))) == set()
    r = RestrictionFact("r1", "NO_RANK_PROMOTION", "SANCTION", "s", D(2025, 1, 1), None, "ACTIVE")
    assert effects(2025, Facts(restrictions=(r,))) == set()


def test_an_open_investigation_forces_undetermined_pending_investigation_until_it_closes():
    inv = InvestigationFact("inv-1", "case-7", D(2025, 10, 1))
    constraints = evaluate(2025, Facts(investigations=(inv,)), as_of=D(2026, 1, 10))
    assert forced_grade(constraints) == ("UNDETERMINED", "PENDING_INVESTIGATION")
    assert evaluate(2025, Facts(investigations=(inv,)), as_of=D(2025, 9, 1)) == []
    closed = InvestigationFact("inv-1", "case-7", D(2025, 10, 1), D(2026, 2, 1), "NO_SANCTION")
    restriction = RestrictionFact("r9", "GRADE_UNDETERMINED", "INVESTIGATION", "inv-1", D(2025, 10, 1), None, "ACTIVE")
    assert evaluate(2025, Facts(investigations=(closed,), restrictions=(restriction,)), as_of=D(2026, 3, 1)) == []


def test_check_allowed_names_the_rule_and_its_source():
    facts = Facts(sanctions=(sanction("PARTY_WARNING"),))
    constraints = evaluate(2025, facts, as_of=LATE)
    with pytest.raises(RuleViolation) as err:
        check_allowed("EXCELLENT", constraints)
    assert err.value.rule == "grade.party_warning_y0" and "1998" in err.value.source
    check_allowed("COMPETENT", constraints)
    forced = evaluate(2025, Facts(sanctions=(sanction("MAJOR_DEMERIT"),)), as_of=LATE)
    with pytest.raises(RuleViolation):
        check_allowed("COMPETENT", forced)
    check_allowed("UNDETERMINED", forced)
    with pytest.raises(RuleViolation) as err:
        check_allowed("SUPERB", [])
    assert err.value.rule == "grade.scale"


def test_highest_allowed_caps_excellent_and_applies_forced_grades():
    ne = evaluate(2025, Facts(sanctions=(sanction("WARNING"),)), as_of=LATE)
    assert highest_allowed("EXCELLENT", ne) == ("COMPETENT", None)
    assert highest_allowed("BASIC", ne) == ("BASIC", None)
    ud = evaluate(2025, Facts(sanctions=(sanction("DEMERIT"),)), as_of=LATE)
    assert highest_allowed("EXCELLENT", ud) == ("UNDETERMINED", "SANCTION")
