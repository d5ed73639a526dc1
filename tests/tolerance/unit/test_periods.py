"""Period arithmetic: the 48-month cap, the 公务员法 running-period rule, 留党察看 terms and extension."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.calendar import add_months
from kernel.contracts.vocabulary import RestrictionEffect as E
from kernel.contracts.vocabulary import SanctionSystem as S
from kernel.contracts.vocabulary import SanctionType as T
from kernel.errors import RuleViolation
from services.tolerance.domain.periods import extend_probation, plan_restrictions, resolve_period
from services.tolerance.domain.rules.catalogue import build_catalogue

CAT = build_catalogue()
D = dt.date(2026, 1, 31)


def period(type_, system=S.GOV, **kw):
    return resolve_period(CAT, CAT.rule(type_), system=system, effective_on=kw.pop("on", D), **kw)


def test_periods_run_from_the_decision_date_and_clamp_month_ends():
    assert period(T.WARNING).ends_on == dt.date(2026, 7, 31)
    assert period(T.WARNING, on=dt.date(2026, 8, 31)).ends_on == dt.date(2027, 2, 28)
    assert period(T.MAJOR_DEMERIT, on=dt.date(2024, 8, 29)).ends_on == dt.date(2026, 2, 28)


def test_several_identical_sanctions_share_a_period_between_the_single_and_the_sum():
    # Three 记过 (12 months each) for three violations: 12..36 months (政务处分法 §15).
    assert period(T.DEMERIT, combined_count=3).months == 12
    assert period(T.DEMERIT, combined_count=3, months=30).ends_on == dt.date(2028, 7, 31)
    with pytest.raises(RuleViolation) as err:
        period(T.DEMERIT, combined_count=3, months=37)
    assert err.value.rule == "sanction.combined_period"
    with pytest.raises(RuleViolation):
        period(T.DEMERIT, combined_count=3, months=11)


def test_the_combined_period_is_capped_at_48_months():
    # Three 撤职 (24 months each) would sum to 72: at most 48.
    assert period(T.DISMISSAL_FROM_POST, combined_count=3, months=48).months == 48
    with pytest.raises(RuleViolation) as err:
        period(T.DISMISSAL_FROM_POST, combined_count=3, months=49)
    assert "48" in err.value.message
    assert err.value.source and "§15" in err.value.source


def test_expulsion_and_party_sanctions_cannot_be_combined():
    for type_, system in ((T.EXPULSION, S.GOV), (T.PARTY_WARNING, S.PARTY), (T.ADMONISHMENT, S.ADMONISHMENT)):
        with pytest.raises(RuleViolation) as err:
            period(type_, system, combined_count=2)
        assert err.value.rule == "sanction.combined_count"


def test_a_fixed_period_cannot_be_chosen_freely():
    with pytest.raises(RuleViolation) as err:
        period(T.WARNING, months=3)
    assert err.value.rule == "sanction.period_months"
    with pytest.raises(RuleViolation):
        period(T.EXPULSION, months=12)


def test_a_civil_service_sanction_during_a_running_one_adds_the_unexpired_rest():
    # 处分条例 §10: an earlier sanction runs until 2026-07-31; a new 记过 on 2026-01-31 → 6 months + 12 months.
    p = period(T.DEMERIT, S.CIVIL_SERVICE, running_until=dt.date(2026, 7, 31))
    assert p.ends_on == dt.date(2027, 7, 31)


def test_the_running_period_rule_is_capped_at_48_months():
    p = period(T.DISMISSAL_FROM_POST, S.CIVIL_SERVICE, running_until=dt.date(2028, 12, 31))
    assert p.ends_on == add_months(D, 48)


def test_the_running_period_rule_applies_only_to_civil_service_sanctions():
    p = period(T.DEMERIT, S.GOV, running_until=dt.date(2026, 7, 31))
    assert p.ends_on == dt.date(2027, 1, 31)


@given(
    count=st.integers(1, 6),
    base=st.sampled_from([T.WARNING, T.DEMERIT, T.MAJOR_DEMERIT, T.LEVEL_DEMOTION, T.DISMISSAL_FROM_POST]),
    data=st.data(),
)
def test_any_accepted_combined_period_lies_between_single_and_min_of_sum_and_48(count, base, data):
    single = CAT.rule(base).period_months
    months = data.draw(st.integers(1, 80))
    try:
        p = period(base, combined_count=count, months=months)
    except RuleViolation:
        assert count == 1 and months != single or not single <= months <= min(single * count, 48)
        return
    assert single <= p.months <= min(single * count, 48)
    assert p.ends_on == add_months(D, p.months)


def test_party_probation_is_one_or_two_years():
    rule = CAT.rule(T.PARTY_PROBATION)
    for months in (12, 24):
        assert period(T.PARTY_PROBATION, S.PARTY, months=months).months == months
    for months in (None, 6, 18, 36):
        with pytest.raises(RuleViolation) as err:
            period(T.PARTY_PROBATION, S.PARTY, months=months)
        assert err.value.rule == "sanction.probation_term"
    assert rule.period_kind.value == "PROBATION"


def test_party_probation_bars_posts_equal_or_above_for_two_more_years_after_rights_are_restored():
    rule = CAT.rule(T.PARTY_PROBATION)
    p = period(T.PARTY_PROBATION, S.PARTY, months=12, on=dt.date(2026, 3, 1))
    specs = plan_restrictions(rule, effective_on=dt.date(2026, 3, 1), period=p)
    equal = [s for s in specs if s.effect is E.NO_POST_EQUAL_OR_ABOVE]
    assert [(s.starts_on, s.ends_on) for s in equal] == [(dt.date(2026, 3, 1), dt.date(2029, 3, 1))]
    promotion = {
        s.effect: s.ends_on
        for s in specs
        if s.effect.value.startswith("NO_") and s.effect not in (E.NO_POST_EQUAL_OR_ABOVE,)
    }
    assert promotion == {
        E.NO_POST_PROMOTION: dt.date(2027, 3, 1),
        E.NO_RANK_PROMOTION: dt.date(2027, 3, 1),
        E.NO_LEVEL_PROMOTION: dt.date(2027, 3, 1),
    }
    grades = [(s.starts_on.year, s.effect) for s in specs if s.effect.value.startswith("GRADE")]
    assert grades == [(2026, E.GRADE_INCOMPETENT), (2027, E.GRADE_UNDETERMINED)]


def test_a_two_year_probation_leaves_two_undetermined_years_and_four_years_of_no_equal_post():
    rule = CAT.rule(T.PARTY_PROBATION)
    p = period(T.PARTY_PROBATION, S.PARTY, months=24, on=dt.date(2026, 3, 1))
    specs = plan_restrictions(rule, effective_on=dt.date(2026, 3, 1), period=p)
    grades = [(s.starts_on.year, s.effect) for s in specs if s.effect.value.startswith("GRADE")]
    assert grades == [(2026, E.GRADE_INCOMPETENT), (2027, E.GRADE_UNDETERMINED), (2028, E.GRADE_UNDETERMINED)]
    assert [s.ends_on for s in specs if s.effect is E.NO_POST_EQUAL_OR_ABOVE] == [dt.date(2030, 3, 1)]


def test_a_one_year_probation_extends_once_by_one_year_to_at_most_two():
    extended = extend_probation(effective_on=dt.date(2026, 3, 1), months=12)
    assert (extended.months, extended.ends_on) == (24, dt.date(2028, 3, 1))
    with pytest.raises(RuleViolation) as err:
        extend_probation(effective_on=dt.date(2026, 3, 1), months=24)
    assert err.value.rule == "sanction.probation_extension"
