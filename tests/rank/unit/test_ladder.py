"""Ladders as data: the built-in series validate, and a malformed version is refused naming the rule."""

from __future__ import annotations

import copy

import pytest

from kernel.errors import RuleViolation
from services.rank.domain.ladder import ladder_from_dict
from services.rank.domain.rules.ladders import DEFAULT_LADDERS, LEVEL_RANGES

BASE = DEFAULT_LADDERS["COMPREHENSIVE"]


def test_the_built_in_ladders_follow_domain_4_1():
    ladder = ladder_from_dict(BASE)
    assert [r.name for r in ladder.ranks][:3] == ["一级巡视员", "二级巡视员", "一级调研员"]
    assert ladder.require("C10").level_low == 24 and ladder.require("C10").level_high == 18
    assert ladder.above("C12").code == "C11" and ladder.above("C01") is None and ladder.below("C12") is None
    assert sorted(p.code for p in ladder.require("C03").promote_from) == ["C04", "DIVISION_CHIEF"]
    assert [r.code for r in ladder.ranks if not r.raises_level_on_promotion] == ["C03", "C05", "C07", "C09"]
    enforcement = ladder_from_dict(DEFAULT_LADDERS["ENFORCEMENT"])
    assert enforcement.require("E01").scale == 2 and enforcement.require("E11").level_low == LEVEL_RANGES[12][0]


def mutate(change) -> dict:
    data = copy.deepcopy(BASE)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: d.update(series="MILITARY"), "ladder.series"),
        (lambda d: d["ranks"][1].update(code="C01"), "ladder.unique_codes"),
        (lambda d: d["ranks"][4].update(order=9), "ladder.orders"),
        (lambda d: d["ranks"][2].update(scale=1), "ladder.scales"),
        (lambda d: d["ranks"][0].update(level_high=20), "ladder.level_range"),
        (lambda d: d["ranks"][0].update(education_min="PHD"), "ladder.education"),
        (lambda d: d["ranks"][0].update(equivalent_post="KING"), "post.unknown_code"),
        (
            lambda d: d["ranks"][0]["promote_from"].append({"kind": "POST", "code": "KING", "min_years": 2}),
            "post.unknown_code",
        ),
        (
            lambda d: d["ranks"][0]["promote_from"].__setitem__(0, {"kind": "RANK", "code": "C04", "min_years": 4}),
            "ladder.step_by_step",
        ),
        (
            lambda d: d["ranks"][0]["promote_from"].__setitem__(0, {"kind": "RANK", "code": "C99", "min_years": 4}),
            "rank.unknown_code",
        ),
        (
            lambda d: d["ranks"][0]["promote_from"].append({"kind": "DEGREE", "code": "x", "min_years": 1}),
            "ladder.path_kind",
        ),
        (lambda d: d["ranks"][3]["promote_from"][0].update(min_years=40), "ladder.min_years"),
        (
            lambda d: d["ranks"][-1]["promote_from"].append(
                {"kind": "POST", "code": "TOWNSHIP_DEPUTY", "min_years": 1}
            ),
            "ladder.entry_rank",
        ),
        (lambda d: d.update(ranks=d["ranks"][:1]), "ladder.ranks"),
    ],
)
def test_malformed_versions_are_refused_naming_the_rule(change, rule):
    with pytest.raises(RuleViolation) as err:
        ladder_from_dict(mutate(change))
    assert err.value.rule == rule


def test_a_ladder_survives_its_own_round_trip():
    ladder = ladder_from_dict(BASE)
    assert ladder_from_dict(ladder.to_dict()) == ladder
