from hypothesis import given
from hypothesis import strategies as st

from services.rank.domain.percentile import percentile_rank


def test_mid_rank_percentiles_of_distinct_totals():
    totals = [60.0, 70.0, 80.0, 90.0]
    assert [percentile_rank(t, totals) for t in totals] == [12.5, 37.5, 62.5, 87.5]


def test_a_lone_cadre_is_at_the_middle_and_ties_share_a_percentile():
    assert percentile_rank(70.0, [70.0]) == 50.0
    assert percentile_rank(80.0, [80.0, 80.0, 60.0]) == percentile_rank(80.0, [60.0, 80.0, 80.0]) == 66.67


def test_a_value_missing_from_the_population_is_counted_in_it():
    assert percentile_rank(100.0, [50.0]) == 75.0


@given(st.lists(st.floats(0, 100), min_size=1, max_size=50), st.data())
def test_percentiles_are_bounded_and_monotonic(totals, data):
    a, b = data.draw(st.sampled_from(totals)), data.draw(st.sampled_from(totals))
    pa, pb = percentile_rank(a, totals), percentile_rank(b, totals)
    assert 0 < pa < 100 and 0 < pb < 100
    assert (a < b) <= (pa < pb) and (a == b) <= (pa == pb)
