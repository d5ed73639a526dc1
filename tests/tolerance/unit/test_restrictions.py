"""Restrictions: activity on a date, lifting, extension with a reason, and the union across systems."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.contracts.vocabulary import RestrictionEffect as E
from kernel.contracts.vocabulary import RestrictionSource as Src
from kernel.contracts.vocabulary import RestrictionStatus as St
from kernel.errors import InvalidTransition, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.restrictions import (
    Restriction,
    barred_until,
    effective_bar,
    merged_intervals,
    post_bar,
    use_barred,
)

_ids = itertools.count()


def r(effect=E.NO_RANK_PROMOTION, start=(2026, 1, 1), end=(2026, 7, 1), source=Src.SANCTION):
    return Restriction.activate(
        restriction_id=f"r{next(_ids)}",
        cadre_id="c1",
        effect=effect,
        source_type=source,
        source_id="s1",
        starts_on=dt.date(*start),
        ends_on=dt.date(*end) if end else None,
    )


def test_active_from_the_start_until_the_day_before_the_end():
    x = r()
    assert not x.active_on(dt.date(2025, 12, 31))
    assert x.active_on(dt.date(2026, 1, 1)) and x.active_on(dt.date(2026, 6, 30))
    assert not x.active_on(dt.date(2026, 7, 1))
    assert isinstance(x.events[0], events.RestrictionActivated)


def test_an_end_before_the_start_is_refused():
    with pytest.raises(RuleViolation) as err:
        r(start=(2026, 5, 1), end=(2026, 5, 1))
    assert err.value.rule == "restriction.dates"


def test_expiry_only_on_or_after_the_end_date_and_only_once():
    x = r()
    with pytest.raises(RuleViolation):
        x.expire(dt.date(2026, 6, 30))
    x.expire(dt.date(2026, 7, 1))
    assert x.status is St.EXPIRED and isinstance(x.events[-1], events.RestrictionExpired)
    with pytest.raises(InvalidTransition):
        x.expire(dt.date(2026, 7, 2))


def test_lifting_ends_it_on_the_lifting_day_and_voids_one_that_had_not_started():
    x = r()
    assert x.lift(dt.date(2026, 3, 1), "APPEAL_REVOKED")
    assert x.status is St.LIFTED and x.until == dt.date(2026, 3, 1)
    assert x.active_on(dt.date(2026, 2, 28)) and not x.active_on(dt.date(2026, 3, 1))
    assert not x.lift(dt.date(2026, 3, 2), "again")
    future = r(start=(2027, 1, 1), end=(2028, 1, 1))
    future.lift(dt.date(2026, 3, 1), "APPEAL_REVOKED")
    assert future.status is St.VOID and not future.active_on(dt.date(2027, 6, 1))


def test_an_open_ended_restriction_runs_until_lifted():
    x = r(end=None, source=Src.INVESTIGATION)
    assert x.active_on(dt.date(2099, 1, 1))
    x.lift(dt.date(2026, 8, 1), "INVESTIGATION_NO_SANCTION")
    assert x.until == dt.date(2026, 8, 1)


def test_an_extension_needs_a_recorded_reason_and_a_later_end():
    x = r()
    with pytest.raises(RuleViolation) as err:
        x.extend(new_ends_on=dt.date(2027, 1, 1), reason="short", today=dt.date(2026, 6, 1), discretionary=True)
    assert err.value.rule == "restriction.extension_reason"
    with pytest.raises(RuleViolation) as err:
        x.extend(
            new_ends_on=dt.date(2026, 6, 1), reason="unit objects to use", today=dt.date(2026, 5, 1), discretionary=True
        )
    assert err.value.rule == "restriction.extension_dates"
    x.extend(
        new_ends_on=dt.date(2027, 1, 1), reason="unit objects to use", today=dt.date(2026, 6, 1), discretionary=True
    )
    assert x.ends_on == dt.date(2027, 1, 1) and x.discretionary_extension and x.reason == "unit objects to use"
    assert isinstance(x.events[-1], events.RestrictionExtended) and x.events[-1].state.status == "ACTIVE"


def test_the_organization_may_extend_an_expired_restriction_for_which_use_is_still_affected():
    x = r()
    x.expire(dt.date(2026, 7, 1))
    x.extend(
        new_ends_on=dt.date(2026, 12, 1),
        reason="期满影响使用: serious public complaints",
        today=dt.date(2026, 7, 2),
        discretionary=True,
    )
    assert x.status is St.ACTIVE and x.active_on(dt.date(2026, 11, 30))
    lifted = r()
    lifted.lift(dt.date(2026, 2, 1), "APPEAL_REVOKED")
    with pytest.raises(InvalidTransition):
        lifted.extend(
            new_ends_on=dt.date(2027, 1, 1),
            reason="not allowed after revocation",
            today=dt.date(2026, 3, 1),
            discretionary=True,
        )
    with pytest.raises(RuleViolation) as err:
        r(end=None).extend(
            new_ends_on=dt.date(2027, 1, 1),
            reason="open-ended cannot move",
            today=dt.date(2026, 3, 1),
            discretionary=True,
        )
    assert err.value.rule == "restriction.open_ended"


def test_the_effective_bar_is_the_union_across_systems():
    gov = r(E.NO_RANK_PROMOTION, (2026, 1, 1), (2026, 7, 1))
    party = r(E.NO_RANK_PROMOTION, (2026, 3, 1), (2027, 9, 1))
    admonition = r(E.GRADE_NOT_EXCELLENT, (2026, 3, 1), (2027, 1, 1), Src.ADMONISHMENT)
    every = [gov, party, admonition]
    assert effective_bar(every, dt.date(2026, 2, 1)) == {E.NO_RANK_PROMOTION}
    assert effective_bar(every, dt.date(2026, 12, 31)) == {E.NO_RANK_PROMOTION, E.GRADE_NOT_EXCELLENT}
    # The longer period wins where they overlap: barred until the party sanction ends.
    assert barred_until(every, E.NO_RANK_PROMOTION, dt.date(2026, 2, 1)) == dt.date(2027, 9, 1)
    assert barred_until(every, E.NO_RANK_PROMOTION, dt.date(2027, 9, 1)) is False
    assert merged_intervals(every, E.NO_RANK_PROMOTION) == [(dt.date(2026, 1, 1), dt.date(2027, 9, 1))]


def test_disjoint_periods_leave_a_gap_and_an_open_end_dominates():
    a = r(start=(2026, 1, 1), end=(2026, 3, 1))
    b = r(start=(2026, 5, 1), end=(2026, 6, 1))
    c = r(start=(2026, 5, 15), end=None, source=Src.INVESTIGATION)
    assert merged_intervals([a, b, c], E.NO_RANK_PROMOTION) == [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 1)),
        (dt.date(2026, 5, 1), None),
    ]
    assert barred_until([a, b, c], E.NO_RANK_PROMOTION, dt.date(2026, 4, 1)) is False
    assert barred_until([a, b, c], E.NO_RANK_PROMOTION, dt.date(2026, 5, 2)) is None


def test_post_bars_compare_the_target_with_the_original_level():
    equal = r(E.NO_POST_EQUAL_OR_ABOVE, end=(2028, 1, 1))
    above = r(E.NO_POST_ABOVE_ORIGINAL, end=(2028, 1, 1))
    day = dt.date(2026, 6, 1)
    assert post_bar([equal], day, target_level=3, original_level=3) is E.NO_POST_EQUAL_OR_ABOVE
    assert post_bar([equal], day, target_level=2, original_level=3) is None
    assert post_bar([above], day, target_level=3, original_level=3) is None
    assert post_bar([above], day, target_level=4, original_level=3) is E.NO_POST_ABOVE_ORIGINAL
    assert post_bar([above], day, target_level=2, original_level=None) is E.NO_POST_ABOVE_ORIGINAL
    assert use_barred([r()], day) and not use_barred([equal], day)


dates = st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 31))


@st.composite
def restriction_sets(draw):
    items = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(dates)
        length = draw(st.one_of(st.none(), st.integers(1, 900)))
        effect = draw(st.sampled_from([E.NO_RANK_PROMOTION, E.NO_POST_PROMOTION, E.GRADE_UNDETERMINED]))
        x = Restriction.activate(
            restriction_id=f"h{next(_ids)}",
            cadre_id="c",
            effect=effect,
            source_type=Src.SANCTION,
            source_id="s",
            starts_on=start,
            ends_on=None if length is None else start + dt.timedelta(days=length),
        )
        if draw(st.booleans()):
            x.lift(draw(dates), "LIFTED")
        items.append(x)
    return items


@given(items=restriction_sets(), day=dates)
def test_the_union_holds_exactly_the_effects_of_some_restriction_active_that_day(items, day):
    bar = effective_bar(items, day)
    for effect in (E.NO_RANK_PROMOTION, E.NO_POST_PROMOTION, E.GRADE_UNDETERMINED):
        active = any(x.effect is effect and x.active_on(day) for x in items)
        assert (effect in bar) == active
        until = barred_until(items, effect, day)
        assert (until is not False) == active
        if until:
            # Barred every day up to the merged end, and free on the end day itself.
            assert all(
                any(x.effect is effect and x.active_on(d) for x in items) for d in (day, until - dt.timedelta(days=1))
            )
            assert not any(x.effect is effect and x.active_on(until) for x in items)
