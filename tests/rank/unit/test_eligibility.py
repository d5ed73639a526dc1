"""The eligibility engine against the worked examples of the issue and docs/rules.md §4.2, and its edge rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.errors import RuleViolation
from services.rank.domain.eligibility import evaluate
from services.rank.domain.facts import ClarificationFact, XinfangFact
from services.rank.domain.holdings import RankHolding
from services.rank.domain.rules.policies import TenurePolicy
from tests.rank.unit.factories import COMPREHENSIVE, D, facts, grade, open_case, post, warning

POLICY = TenurePolicy()


def check(f, as_of, policy=POLICY, **kw):
    return evaluate(f, COMPREHENSIVE, as_of=as_of, policy=policy, **kw)


def rules(result, *, blocking=None):
    return [r.rule for r in result.reasons if blocking is None or r.blocking == blocking]


class TestWorkedExamples:
    def test_two_excellent_years_make_a_cadre_eligible_twelve_months_earlier(self):
        plain = check(facts(rank="C04", grades=(grade(2020, "COMPETENT"), grade(2021, "COMPETENT"))), D(2022, 3, 1))
        excellent = check(facts(rank="C04", grades=(grade(2020, "EXCELLENT"), grade(2021, "EXCELLENT"))), D(2022, 3, 1))
        assert plain.target_rank == excellent.target_rank == "C03"
        assert plain.tenure.required_months == 36 and excellent.tenure.required_months == 24
        assert plain.tenure.met_on == D(2023, 1, 1)
        assert excellent.tenure.met_on == D(2022, 1, 1)
        assert excellent.eligible and not plain.eligible
        assert plain.earliest_date == D(2023, 1, 1)
        assert rules(excellent).count("tenure.excellent_reduction") == 2

    def test_a_basic_year_pushes_eligibility_back_twelve_months(self):
        competent = check(facts(grades=(grade(2020, "COMPETENT"), grade(2021, "COMPETENT"))), D(2022, 2, 1))
        basic = check(facts(grades=(grade(2020, "BASIC"), grade(2021, "COMPETENT"))), D(2022, 2, 1))
        assert competent.eligible and competent.tenure.met_on == D(2022, 1, 1)
        assert not basic.eligible
        assert basic.tenure.met_on == D(2023, 1, 1)
        assert basic.earliest_date == D(2023, 1, 1)
        assert basic.tenure.excluded_years == ((2020, 12),)
        assert basic.tenure.served_months == 13 and basic.tenure.required_months == 24

    def test_an_undetermined_year_does_not_count_either(self):
        result = check(facts(grades=(grade(2020, "UNDETERMINED"),)), D(2022, 2, 1))
        assert result.tenure.met_on == D(2023, 1, 1)

    def test_a_warning_blocks_for_six_months_and_the_cadre_is_eligible_the_day_after_it_ends(self):
        restriction = warning(D(2026, 3, 1), D(2026, 9, 1))
        f = facts(since=D(2020, 1, 1), restrictions=(restriction,))
        during = check(f, D(2026, 5, 1))
        assert not during.eligible and during.blocked
        assert "restriction.active" in rules(during, blocking=True)
        assert during.earliest_date == D(2026, 9, 2)
        assert not check(f, D(2026, 9, 1)).eligible
        assert check(f, D(2026, 9, 2)).eligible
        assert check(f, D(2026, 2, 28)).eligible  # before it took effect

    def test_an_open_investigation_blocks_with_no_earliest_date(self):
        result = check(facts(investigations=(open_case(D(2026, 5, 10)),)), D(2026, 6, 1))
        assert not result.eligible and result.blocked and result.earliest_date is None
        assert "investigation.open" in rules(result, blocking=True)

    def test_a_closed_investigation_no_longer_blocks(self):
        result = check(facts(investigations=(open_case(D(2026, 5, 10), D(2026, 8, 1)),)), D(2026, 8, 1))
        assert result.eligible


class TestTenureRules:
    def test_tenure_counts_from_the_month_of_appointment(self):
        result = check(facts(since=D(2020, 5, 20)), D(2022, 5, 1))
        assert result.tenure.counted_from == D(2020, 5, 1)
        assert result.tenure.met_on == D(2022, 5, 1) and result.eligible

    def test_excellent_before_the_current_rank_does_not_shorten_the_new_requirement(self):
        result = check(facts(since=D(2021, 1, 1), grades=(grade(2020, "EXCELLENT"),)), D(2022, 2, 1))
        assert result.tenure.excellent_years == ()
        assert result.tenure.required_months == 24

    def test_partial_year_policy_majority_counts_a_year_held_six_months(self):
        f = facts(since=D(2020, 7, 1), grades=(grade(2020, "EXCELLENT"), grade(2021, "COMPETENT")))
        assert check(f, D(2022, 2, 1)).tenure.excellent_years == (2020,)
        later = facts(since=D(2020, 8, 1), grades=(grade(2020, "EXCELLENT"),))
        assert check(later, D(2022, 2, 1)).tenure.excellent_years == ()

    def test_partial_year_policy_is_configurable(self):
        f = facts(since=D(2020, 7, 1), grades=(grade(2020, "EXCELLENT"),))
        whole_years = TenurePolicy(partial_year_min_months=12)
        any_part = TenurePolicy(partial_year_min_months=1)
        assert check(f, D(2022, 2, 1), whole_years).tenure.excellent_years == ()
        assert check(
            facts(since=D(2020, 12, 1), grades=(grade(2020, "EXCELLENT"),)), D(2022, 2, 1), any_part
        ).tenure.excellent_years == (2020,)

    def test_a_partial_basic_year_removes_only_the_months_held_in_it(self):
        result = check(facts(since=D(2020, 5, 1), grades=(grade(2020, "BASIC"),)), D(2022, 2, 1))
        assert result.tenure.excluded_years == ((2020, 8),)
        assert result.tenure.met_on == D(2023, 1, 1)

    def test_grades_not_yet_finalized_on_the_date_are_not_known(self):
        f = facts(grades=(grade(2021, "BASIC", finalized=D(2022, 1, 25)),))
        assert check(f, D(2022, 1, 10)).tenure.excluded_years == ()
        assert check(f, D(2022, 1, 25)).tenure.excluded_years == ((2021, 12),)

    def test_an_amended_grade_replaces_the_earlier_one(self):
        f = facts(grades=(grade(2020, "BASIC", D(2021, 1, 20)), grade(2020, "COMPETENT", D(2021, 6, 1))))
        assert check(f, D(2022, 2, 1)).eligible

    def test_the_post_path_counts_time_in_the_equivalent_leadership_post(self):
        f = facts(rank="C04", since=D(2022, 1, 1), posts=(post("DIVISION_CHIEF", D(2019, 1, 1)),))
        result = check(f, D(2022, 3, 1))
        assert result.target_rank == "C03"
        assert result.tenure.path == "POST:DIVISION_CHIEF" and result.eligible

    def test_an_earlier_run_of_the_same_rank_continues_through_a_correction(self):
        earlier = (RankHolding("rh-0", "C10", "COMPREHENSIVE", D(2019, 1, 1), D(2020, 1, 1), "INITIAL"),)
        result = check(facts(since=D(2020, 1, 1), earlier=earlier), D(2021, 1, 1))
        assert result.tenure.since == D(2019, 1, 1) and result.eligible

    def test_tenure_restarts_after_a_demotion(self):
        earlier = (
            RankHolding("rh-0", "C10", "COMPREHENSIVE", D(2015, 1, 1), D(2018, 1, 1), "INITIAL"),
            RankHolding("rh-1", "C09", "COMPREHENSIVE", D(2018, 1, 1), D(2021, 1, 1), "PROMOTION"),
        )
        result = check(facts(since=D(2021, 1, 1), earlier=earlier), D(2022, 1, 1))
        assert result.tenure.since == D(2021, 1, 1) and not result.eligible

    def test_an_incompetent_year_requires_demotion_and_blocks(self):
        result = check(facts(grades=(grade(2020, "INCOMPETENT"),)), D(2023, 1, 1))
        assert "grade.incompetent" in rules(result, blocking=True)
        assert result.earliest_date is None

    def test_the_basic_grade_bar_is_off_by_default_and_configurable(self):
        f = facts(since=D(2018, 1, 1), grades=(grade(2021, "BASIC", D(2022, 1, 20)),))
        assert check(f, D(2022, 3, 1)).eligible
        barred = check(f, D(2022, 3, 1), TenurePolicy(basic_grade_bar_months=12))
        assert not barred.eligible and barred.earliest_date == D(2023, 1, 20)


class TestBars:
    def test_categories_outside_the_ladder_are_never_eligible(self):
        for category in ("GOV_EMPLOYEE", "APPOINTED"):
            result = check(facts(category=category), D(2024, 1, 1))
            assert not result.eligible and rules(result) == ["category.outside_ladder"]

    def test_the_agency_level_ceiling(self):
        result = check(facts(rank="C05", since=D(2015, 1, 1), agency="COUNTY_AGENCY"), D(2024, 1, 1))
        assert result.target_rank == "C04" and result.eligible
        capped = check(facts(rank="C04", since=D(2015, 1, 1), agency="COUNTY_AGENCY"), D(2024, 1, 1))
        assert "ceiling.agency_level" in rules(capped, blocking=True) and capped.earliest_date is None
        city = check(facts(rank="C02", since=D(2015, 1, 1), agency="CITY_LEADERSHIP"), D(2024, 1, 1))
        assert city.eligible

    def test_the_top_rank_has_nothing_above(self):
        result = check(facts(rank="C01", agency="CITY_LEADERSHIP"), D(2024, 1, 1))
        assert rules(result) == ["ladder.top"]

    def test_promotion_is_one_step(self):
        result = check(facts(), D(2024, 1, 1), target_rank="C08")
        assert rules(result) == ["ladder.step_by_step"]
        with pytest.raises(RuleViolation) as err:
            check(facts(), D(2024, 1, 1), target_rank="X99")
        assert err.value.rule == "rank.unknown_code"

    def test_no_rank_held_on_the_date(self):
        assert rules(check(facts(since=D(2023, 1, 1)), D(2022, 1, 1))) == ["rank.no_holding"]

    def test_education_below_the_minimum_blocks_and_unknown_education_is_only_noted(self):
        low = check(
            facts(rank="C03", since=D(2010, 1, 1), education="JUNIOR_COLLEGE", agency="CITY_LEADERSHIP"), D(2024, 1, 1)
        )
        assert "education.minimum" in rules(low, blocking=True)
        unknown = check(facts(education=None), D(2024, 1, 1))
        assert unknown.eligible and any(r.rule == "education.minimum" and r.met is None for r in unknown.reasons)

    def test_restrictions_of_other_effects_or_void_do_not_block(self):
        other = warning(D(2023, 1, 1), D(2025, 1, 1))
        other = type(other)(other.restriction_id, "GRADE_NOT_EXCELLENT", other.starts_on, other.ends_on, "ACTIVE")
        void = warning(D(2023, 1, 1), D(2025, 1, 1), status="VOID")
        assert check(facts(restrictions=(other, void)), D(2024, 1, 1)).eligible

    def test_an_open_ended_restriction_leaves_no_earliest_date(self):
        result = check(facts(restrictions=(warning(D(2023, 1, 1), None),)), D(2024, 1, 1))
        assert not result.eligible and result.earliest_date is None

    def test_a_lifted_restriction_stops_blocking_on_its_new_end(self):
        lifted = warning(D(2024, 1, 1), D(2024, 2, 1), status="LIFTED")
        assert check(facts(restrictions=(lifted,)), D(2024, 2, 2)).eligible
        assert not check(facts(restrictions=(lifted,)), D(2024, 1, 15)).eligible

    def test_chained_restrictions_push_the_earliest_date_past_all_of_them(self):
        chain = (warning(D(2024, 1, 1), D(2024, 6, 30), rid="a"), warning(D(2024, 7, 1), D(2024, 12, 31), rid="b"))
        result = check(facts(restrictions=chain), D(2024, 2, 1))
        assert result.earliest_date == D(2025, 1, 1)

    def test_a_scheduled_restriction_delays_an_earliest_date_inside_it(self):
        f = facts(since=D(2023, 1, 1), restrictions=(warning(D(2024, 12, 1), D(2025, 5, 31)),))
        result = check(f, D(2024, 6, 1))
        assert result.tenure.met_on == D(2025, 1, 1)
        assert result.earliest_date == D(2025, 6, 1)
        assert result.valid_until == D(2024, 12, 1)


@settings(max_examples=200, deadline=None)
@given(
    since=st.dates(D(2005, 1, 1), D(2022, 12, 31)),
    as_of=st.dates(D(2006, 1, 1), D(2030, 12, 31)),
    grades=st.lists(st.sampled_from(["EXCELLENT", "COMPETENT", "BASIC", "UNDETERMINED"]), max_size=10),
)
def test_the_earliest_date_is_itself_eligible_and_the_day_before_is_not(since, as_of, grades):
    f = facts(since=since, grades=tuple(grade(since.year + i, g) for i, g in enumerate(grades)), entry=D(2004, 1, 1))
    if as_of < since:
        return
    result = check(f, as_of)
    assert result.earliest_date is not None
    if result.eligible:
        assert result.earliest_date == as_of
    else:
        # With no new facts, the answer on the earliest date is "eligible", and the day before it is not.
        known = tuple(g for g in f.grades if g.finalized_on <= as_of)
        later = facts(since=since, grades=known, entry=D(2004, 1, 1))
        assert check(later, result.earliest_date).eligible
        assert not check(later, result.earliest_date - dt.timedelta(days=1)).eligible


class TestReviewNotes:
    """信访 flags (信访工作条例 §30) and clarifications are notes, never bars (docs/rules.md §5.8, §5.11)."""

    def test_an_open_xinfang_flag_is_listed_without_blocking_and_changes_no_answer(self):
        flag = XinfangFact("r-101", D(2026, 4, 2), closed_on=D(2026, 5, 1))
        plain = check(facts(since=D(2020, 1, 1)), D(2026, 4, 10))
        flagged = check(facts(since=D(2020, 1, 1), xinfang_flags=(flag,)), D(2026, 4, 10))
        [note] = [r for r in flagged.reasons if r.rule == "review.xinfang"]
        assert (note.met, note.blocking, note.ref) == (None, False, "report/r-101")
        assert (flagged.eligible, flagged.earliest_date, flagged.blocked) == (
            plain.eligible,
            plain.earliest_date,
            False,
        )
        assert "review.xinfang" not in rules(check(facts(since=D(2020, 1, 1), xinfang_flags=(flag,)), D(2026, 5, 1)))
        assert "review.xinfang" not in rules(check(facts(since=D(2020, 1, 1), xinfang_flags=(flag,)), D(2026, 4, 1)))

    def test_a_flag_is_noted_even_when_the_cadre_is_ineligible_for_another_reason(self):
        f = facts(since=D(2025, 1, 1), xinfang_flags=(XinfangFact("r-1", D(2026, 1, 5)),))
        result = check(f, D(2026, 2, 1))
        assert not result.eligible and "review.xinfang" in rules(result, blocking=False)
        assert "review.xinfang" not in rules(result, blocking=True)

    def test_a_clarification_is_recorded_as_met_and_never_blocks(self):
        c = ClarificationFact("cl-2", D(2026, 5, 3), ("r-7",))
        result = check(facts(since=D(2020, 1, 1), clarifications=(c,)), D(2026, 6, 1))
        [note] = [r for r in result.reasons if r.rule == "clarification.recorded"]
        assert (note.met, note.blocking, note.ref) == (True, False, "clarification/cl-2") and result.eligible
        assert "clarification.recorded" not in rules(
            check(facts(since=D(2020, 1, 1), clarifications=(c,)), D(2026, 5, 2))
        )
