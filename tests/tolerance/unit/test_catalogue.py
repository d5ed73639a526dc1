"""Every row of the period tables of docs/rules.md §3.2 A–C, and of the grade table of §1.3, as data."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.contracts.vocabulary import RestrictionEffect as E
from kernel.contracts.vocabulary import SanctionSystem as S
from kernel.contracts.vocabulary import SanctionType as T
from kernel.errors import RuleViolation
from services.tolerance.domain.periods import plan_restrictions, resolve_period
from services.tolerance.domain.rules.catalogue import BASE_RULES, PeriodKind, build_catalogue

NP = {E.NO_POST_PROMOTION, E.NO_RANK_PROMOTION, E.NO_LEVEL_PROMOTION}
NPS = NP | {E.NO_SALARY_STEP}

# (type, system, months, effects running for the whole period, grade effects by year offset) — docs/rules.md §3.2, §1.3
TABLE = [
    (T.WARNING, S.GOV, 6, NP, {0: E.GRADE_NOT_EXCELLENT}),
    (T.DEMERIT, S.GOV, 12, NPS, {0: E.GRADE_UNDETERMINED}),
    (T.MAJOR_DEMERIT, S.GOV, 18, NPS, {0: E.GRADE_UNDETERMINED, 1: E.GRADE_UNDETERMINED}),
    (T.LEVEL_DEMOTION, S.GOV, 24, NPS, {0: E.GRADE_UNDETERMINED, 1: E.GRADE_UNDETERMINED}),
    (T.DISMISSAL_FROM_POST, S.GOV, 24, NPS, {0: E.GRADE_UNDETERMINED, 1: E.GRADE_UNDETERMINED}),
    (T.WARNING, S.CIVIL_SERVICE, 6, NP, {0: E.GRADE_NOT_EXCELLENT}),
    (T.DISMISSAL_FROM_POST, S.CIVIL_SERVICE, 24, NPS, {0: E.GRADE_UNDETERMINED, 1: E.GRADE_UNDETERMINED}),
    (T.PARTY_WARNING, S.PARTY, 12, NP, {0: E.GRADE_NOT_EXCELLENT}),
    (T.PARTY_SERIOUS_WARNING, S.PARTY, 18, NP, {0: E.GRADE_UNDETERMINED}),
    (T.PARTY_POST_REMOVAL, S.PARTY, 24, NP | {E.NO_POST_EQUAL_OR_ABOVE}, {0: E.GRADE_INCOMPETENT}),
    (T.POST_ADJUSTMENT, S.ORG_HANDLING, 12, NP, {0: E.GRADE_NOT_EXCELLENT}),
    (T.TRANSFER_UNSUITABLE, S.ORG_HANDLING, 12, NP, {0: E.GRADE_NOT_EXCELLENT}),
    (T.RESIGNATION_FOR_FAULT, S.ACCOUNTABILITY, 12, NP | {E.NO_LEADERSHIP_POST}, {0: E.GRADE_UNDETERMINED}),
    (T.ORDERED_RESIGNATION, S.ACCOUNTABILITY, 12, NP | {E.NO_LEADERSHIP_POST}, {0: E.GRADE_UNDETERMINED}),
    (T.REMOVAL_FROM_POST, S.ORG_HANDLING, 12, NP | {E.NO_LEADERSHIP_POST}, {0: E.GRADE_UNDETERMINED}),
    (T.DEMOTION, S.ORG_HANDLING, 24, NP, {0: E.GRADE_UNDETERMINED}),
    (T.ADMONISHMENT, S.ADMONISHMENT, 6, NP, {0: E.GRADE_NOT_EXCELLENT}),
]
EFFECTIVE = dt.date(2026, 3, 10)


def _split(specs):
    grade = {E.GRADE_NOT_EXCELLENT, E.GRADE_UNDETERMINED, E.GRADE_INCOMPETENT}
    return [s for s in specs if s.effect not in grade], [s for s in specs if s.effect in grade]


def _id(value: object) -> str:
    """A stable test id (sets in sorted order): pytest-xdist workers must collect the same names."""
    if isinstance(value, (set, frozenset)):
        return "+".join(sorted(str(v) for v in value)) or "none"
    if isinstance(value, dict):
        return ",".join(f"{k}:{_id(v) if isinstance(v, (set, frozenset)) else v}" for k, v in sorted(value.items()))
    return str(value)


@pytest.mark.parametrize(("type_", "system", "months", "bars", "grades"), TABLE, ids=_id)
def test_each_row_gives_its_period_bars_and_grade_years(type_, system, months, bars, grades):
    catalogue = build_catalogue()
    rule = catalogue.check_system(type_, system)
    period = resolve_period(catalogue, rule, system=system, effective_on=EFFECTIVE)
    assert period.months == months
    end = dt.date(2026 + (3 + months - 1) // 12, (3 + months - 1) % 12 + 1, 10)
    assert period.ends_on == end
    plain, grade = _split(plan_restrictions(rule, effective_on=EFFECTIVE, period=period))
    assert {s.effect for s in plain if s.ends_on == end and s.starts_on == EFFECTIVE} == bars
    by_year = {s.starts_on.year - 2026: s.effect for s in grade}
    assert by_year == grades
    for spec in grade:
        assert spec.ends_on == dt.date(spec.starts_on.year + 1, 1, 1)
    assert grade[0].starts_on == EFFECTIVE


def test_every_sanction_type_of_the_vocabulary_has_a_row_with_a_source_and_a_confidence_tag():
    catalogue = build_catalogue()
    assert set(catalogue.rules) == set(T)
    for rule in catalogue.rules.values():
        assert rule.source and rule.confidence in {"V", "S", "S-", "R", "D"}
        assert rule.systems


def test_government_sanctions_are_verified_and_not_configurable():
    for rule in BASE_RULES:
        if rule.family == "GOV":
            assert rule.confidence == "V" and not rule.configurable
            assert rule.systems == {S.GOV, S.CIVIL_SERVICE}


def test_removal_types_add_two_years_without_a_post_above_the_original():
    catalogue = build_catalogue()
    for type_ in (T.RESIGNATION_FOR_FAULT, T.ORDERED_RESIGNATION, T.REMOVAL_FROM_POST):
        rule = catalogue.rule(type_)
        period = resolve_period(catalogue, rule, system=S.ORG_HANDLING, effective_on=EFFECTIVE)
        specs = plan_restrictions(rule, effective_on=EFFECTIVE, period=period)
        above = [s for s in specs if s.effect is E.NO_POST_ABOVE_ORIGINAL]
        assert [(s.starts_on, s.ends_on) for s in above] == [(EFFECTIVE, dt.date(2028, 3, 10))]
        assert rule.removes_from_post


def test_expulsion_is_permanent_and_ends_employment():
    catalogue = build_catalogue()
    rule = catalogue.rule(T.EXPULSION)
    period = resolve_period(catalogue, rule, system=S.GOV, effective_on=EFFECTIVE)
    assert period.ends_on is None and period.months is None
    specs = plan_restrictions(rule, effective_on=EFFECTIVE, period=period)
    assert {s.effect for s in specs} >= NPS and all(s.ends_on is None for s in specs)
    assert rule.ends_employment


def test_party_expulsion_grades_incompetent_then_two_undetermined_years():
    catalogue = build_catalogue()
    rule = catalogue.rule(T.PARTY_EXPULSION)
    period = resolve_period(catalogue, rule, system=S.PARTY, effective_on=EFFECTIVE)
    grades = [
        (s.starts_on.year, s.effect)
        for s in plan_restrictions(rule, effective_on=EFFECTIVE, period=period)
        if s.effect.value.startswith("GRADE")
    ]
    assert grades == [(2026, E.GRADE_INCOMPETENT), (2027, E.GRADE_UNDETERMINED), (2028, E.GRADE_UNDETERMINED)]


def test_accountability_criticism_affects_only_the_current_year():
    catalogue = build_catalogue()
    rule = catalogue.rule(T.ACCOUNTABILITY_CRITICISM)
    period = resolve_period(catalogue, rule, system=S.ACCOUNTABILITY, effective_on=EFFECTIVE)
    assert period.ends_on == dt.date(2027, 1, 1)
    specs = plan_restrictions(rule, effective_on=EFFECTIVE, period=period)
    assert [(s.effect, s.starts_on, s.ends_on) for s in specs] == [
        (E.GRADE_NOT_EXCELLENT, EFFECTIVE, dt.date(2027, 1, 1))
    ]


@pytest.mark.parametrize(
    ("type_", "system"),
    [(T.WARNING, S.PARTY), (T.PARTY_WARNING, S.GOV), (T.DEMOTION, S.GOV), (T.ADMONISHMENT, S.ORG_HANDLING)],
)
def test_a_type_outside_its_system_is_refused(type_, system):
    with pytest.raises(RuleViolation) as err:
        build_catalogue().check_system(type_, system)
    assert err.value.rule == "sanction.system"


def test_an_unknown_sanction_type_is_refused_naming_the_rule():
    with pytest.raises(RuleViolation) as err:
        build_catalogue().rule("FLOGGING")
    assert err.value.rule == "sanction.type"


def test_recalled_periods_are_configurable():
    catalogue = build_catalogue({"ADMONISHMENT": 12, "DEMOTION": 36, "POST_ADJUSTMENT": 6})
    assert catalogue.rule(T.ADMONISHMENT).period_months == 12
    assert catalogue.rule(T.DEMOTION).period_months == 36
    assert "configured" in catalogue.rule(T.POST_ADJUSTMENT).confidence
    rule = catalogue.rule(T.ADMONISHMENT)
    period = resolve_period(catalogue, rule, system=S.ADMONISHMENT, effective_on=EFFECTIVE)
    assert period.ends_on == dt.date(2027, 3, 10)


@pytest.mark.parametrize(
    "overrides", [{"WARNING": 3}, {"PARTY_WARNING": 6}, {"NOPE": 3}, {"ADMONISHMENT": 0}, {"ADMONISHMENT": 49}]
)
def test_verified_periods_and_nonsense_cannot_be_configured(overrides):
    with pytest.raises(ValueError):
        build_catalogue(overrides)


def test_suspension_bounds_are_configurable_and_enforced():
    catalogue = build_catalogue(suspension_months=(2, 4))
    rule = catalogue.rule(T.SUSPENSION_FOR_REVIEW)
    assert rule.period_kind is PeriodKind.PER_CASE
    assert resolve_period(catalogue, rule, system=S.ORG_HANDLING, effective_on=EFFECTIVE, months=4).months == 4
    for months in (None, 1, 5):
        with pytest.raises(RuleViolation):
            resolve_period(catalogue, rule, system=S.ORG_HANDLING, effective_on=EFFECTIVE, months=months)
    with pytest.raises(ValueError):
        build_catalogue(suspension_months=(5, 3))
