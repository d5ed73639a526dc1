"""The development track: each career stage, its step, the hold, and the reasons."""

from __future__ import annotations

from services.rank.domain.facts import AwardFact
from services.rank.domain.holdings import Assignment
from services.rank.domain.rules.policies import TrackPolicy
from services.rank.domain.track import suggest
from tests.rank.unit.factories import D, facts, grade, open_case, post, warning

AS_OF = D(2026, 6, 15)
POLICY = TrackPolicy()


def step(f, policy=POLICY):
    return suggest(f, as_of=AS_OF, policy=policy)


def test_new_entrants_are_trained():
    result = step(facts(entry=D(2025, 9, 1), birth=D(2001, 1, 1)))
    assert (result.stage, result.step) == ("NEW_ENTRANT", "TRAINING")
    assert result.valid_until == D(2027, 9, 1)


def test_young_cadres_without_grassroots_experience_are_posted_to_the_grassroots():
    young = facts(birth=D(1995, 1, 1), entry=D(2018, 7, 1))
    assert (step(young).stage, step(young).step) == ("YOUNG", "GRASSROOTS_POSTING")
    served = facts(birth=D(1995, 1, 1), entry=D(2018, 7, 1), grassroots_experience=True)
    assert step(served).step == "NONE"
    posted = facts(
        birth=D(1995, 1, 1),
        entry=D(2018, 7, 1),
        posts=(post("TOWNSHIP_DEPUTY", D(2019, 1, 1), D(2021, 1, 1), hardship=True),),
    )
    assert step(posted).step == "NONE"


def test_reserve_cadres_rotate_once_long_enough_in_one_unit():
    reserve = facts(birth=D(1988, 1, 1), entry=D(2010, 1, 1), reserve_cadre=True)
    result = step(reserve)
    assert (result.stage, result.step) == ("RESERVE", "ROTATION") and "same unit" in result.reasons[-1]
    moved = facts(
        birth=D(1988, 1, 1),
        entry=D(2010, 1, 1),
        reserve_cadre=True,
        assignments=(
            (Assignment("a1", "u-1", D(2010, 1, 1), D(2025, 1, 1)), "MUNICIPAL_AGENCY"),
            (Assignment("a2", "u-2", D(2025, 1, 1)), "MUNICIPAL_AGENCY"),
        ),
    )
    assert step(moved).step == "NONE"
    high_potential = facts(
        birth=D(1988, 1, 1), entry=D(2010, 1, 1), grades=(grade(2024, "EXCELLENT"), grade(2025, "EXCELLENT"))
    )
    assert step(high_potential).stage == "RESERVE"


def test_mature_outstanding_cadres_are_considered_for_leadership_unless_held():
    mature = facts(
        birth=D(1975, 1, 1), entry=D(2000, 1, 1), grades=tuple(grade(y, "EXCELLENT") for y in (2022, 2023, 2025))
    )
    assert (step(mature).stage, step(mature).step) == ("MATURE", "LEADERSHIP_SELECTION")
    merit = facts(birth=D(1975, 1, 1), entry=D(2000, 1, 1), awards=(AwardFact("a", "MERIT_2", D(2024, 1, 1)),))
    assert step(merit).step == "LEADERSHIP_SELECTION"
    held = facts(
        birth=D(1975, 1, 1), entry=D(2000, 1, 1), grades=mature.grades, investigations=(open_case(D(2026, 5, 1)),)
    )
    assert step(held).step == "ON_HOLD" and "open investigation case-7" in step(held).reasons
    restricted = facts(
        birth=D(1975, 1, 1),
        entry=D(2000, 1, 1),
        grades=mature.grades,
        restrictions=(warning(D(2026, 3, 1), D(2026, 9, 1)),),
    )
    assert step(restricted).step == "ON_HOLD" and step(restricted).valid_until == D(2026, 9, 2)


def test_everyone_else_has_no_step():
    result = step(facts(birth=D(1970, 1, 1), entry=D(1992, 1, 1)))
    assert (result.stage, result.step) == ("ESTABLISHED", "NONE")


def test_thresholds_are_configurable():
    young = facts(birth=D(1995, 1, 1), entry=D(2018, 7, 1))
    assert step(young, TrackPolicy(young_max_age=30)).step == "NONE"
