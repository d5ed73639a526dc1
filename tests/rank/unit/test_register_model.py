"""The cadre aggregate: holdings as history, one-step changes, levels by §4.3, demotions, relatives, org units."""

from __future__ import annotations

import pytest

from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.rank.domain import events
from services.rank.domain.levels import level_on_demotion, level_on_promotion
from services.rank.domain.model import Cadre, Demotion, OrgUnit
from tests.rank.unit.factories import COMPREHENSIVE, D

TODAY = D(2026, 6, 15)


def unit(code="finance", parent=None, level="MUNICIPAL_AGENCY") -> OrgUnit:
    return OrgUnit.create(code=code, name=code, agency_level=level, parent=parent)


def cadre(category="COMPREHENSIVE") -> Cadre:
    c = Cadre.register(
        cadre_id="c-1",
        name=" Zhang San ",
        gender="MALE",
        birth_date=D(1985, 3, 2),
        entry_date=D(2008, 7, 1),
        org_unit=unit(),
        category=category,
        party_member=True,
        education="BACHELOR",
        today=TODAY,
    )
    c.events.clear()
    c.added.clear()
    return c


def names(c: Cadre) -> list[str]:
    return [type(e).__name__ for e in c.events]


def test_level_on_promotion_follows_section_4_3():
    c05, c04, c03 = COMPREHENSIVE.require("C05"), COMPREHENSIVE.require("C04"), COMPREHENSIVE.require("C03")
    assert level_on_promotion(17, c04) == 16  # one level up
    assert level_on_promotion(20, c04) == 18  # below the new minimum: raised to it
    assert level_on_promotion(16, c03) == 16  # 一级调研员: no raise
    assert level_on_promotion(12, c04) == 12  # already at the top of the range
    assert level_on_promotion(None, c05) == 19
    assert level_on_demotion(15, c05, lower_one=True) == 16
    assert level_on_demotion(12, c05, lower_one=False) == 13  # kept within the new range
    assert level_on_demotion(None, c05, lower_one=True) is None


def test_holdings_form_a_history_and_each_change_is_an_event():
    c = cadre()
    c.add_rank(rank_code="C10", since=D(2018, 1, 1), basis="INITIAL", ladder=COMPREHENSIVE, today=TODAY, level=22)
    c.add_rank(rank_code="C09", since=D(2021, 1, 1), basis="PROMOTION", ladder=COMPREHENSIVE, today=TODAY)
    assert (c.rank_code, c.level) == ("C09", 22)
    assert c.rank_holdings[0].until == D(2021, 1, 1)
    assert names(c) == ["RankChanged", "LevelChanged", "CadreUpdated", "RankChanged", "CadreUpdated"]
    last = c.events[-1]
    assert isinstance(last, events.CadreUpdated) and last.state.rank_code == "C09"


def test_a_registration_with_its_first_holdings_is_announced_once_with_the_final_state():
    c = Cadre.register(
        cadre_id="c-1",
        name="Zhang San",
        gender="MALE",
        birth_date=D(1985, 3, 2),
        entry_date=D(2008, 7, 1),
        org_unit=unit(),
        category="COMPREHENSIVE",
        party_member=True,
        education="BACHELOR",
        today=TODAY,
    )
    c.add_rank(rank_code="C10", since=D(2018, 1, 1), basis="INITIAL", ladder=COMPREHENSIVE, today=TODAY, level=22)
    c.add_post(post_code="TOWNSHIP_DEPUTY", since=D(2020, 6, 1), basis="INITIAL", today=TODAY)
    assert names(c) == ["CadreRegistered", "RankChanged", "LevelChanged", "CadreUpdated", "PostChanged", "CadreUpdated"]
    c.announce_once()
    assert names(c) == ["CadreRegistered", "RankChanged", "LevelChanged", "PostChanged"]
    state = c.events[0].state
    assert (state.rank_code, state.level, state.post_code, state.leadership) == ("C10", 22, "TOWNSHIP_DEPUTY", True)
    assert state.org_path == ("finance",) and state.name == "Zhang San"


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"rank_code": "C10", "since": D(2007, 1, 1), "basis": "INITIAL"}, "holding.before_entry"),
        ({"rank_code": "C10", "since": D(2027, 1, 1), "basis": "INITIAL"}, "holding.future"),
        ({"rank_code": "X01", "since": D(2018, 1, 1), "basis": "INITIAL"}, "rank.unknown_code"),
        ({"rank_code": "C10", "since": D(2018, 1, 1), "basis": "PROMOTION"}, "holding.first_basis"),
        ({"rank_code": "C10", "since": D(2018, 1, 1), "basis": "RESTORATION"}, "holding.basis"),
        ({"rank_code": "C10", "since": D(2018, 1, 1), "basis": "INITIAL", "level": 9}, "level.out_of_range"),
    ],
)
def test_invalid_first_holdings_are_refused(kwargs, rule):
    c = cadre()
    with pytest.raises(RuleViolation) as err:
        c.add_rank(ladder=COMPREHENSIVE, today=TODAY, **kwargs)
    assert err.value.rule == rule and c.rank_holdings == [] and c.events == []


def test_later_holdings_may_not_overlap_or_skip_a_step():
    c = cadre()
    c.add_rank(rank_code="C10", since=D(2018, 1, 1), basis="INITIAL", ladder=COMPREHENSIVE, today=TODAY)
    for kwargs, error, rule in (
        ({"rank_code": "C09", "since": D(2018, 1, 1), "basis": "PROMOTION"}, RuleViolation, "holding.overlap"),
        ({"rank_code": "C08", "since": D(2020, 1, 1), "basis": "PROMOTION"}, RuleViolation, "rank.step_by_step"),
        ({"rank_code": "C09", "since": D(2020, 1, 1), "basis": "DEMOTION"}, RuleViolation, "rank.step_by_step"),
        ({"rank_code": "C10", "since": D(2020, 1, 1), "basis": "CORRECTION"}, Conflict, "holding.no_change"),
        ({"rank_code": "C09", "since": D(2020, 1, 1), "basis": "INITIAL"}, Conflict, "holding.initial_exists"),
    ):
        with pytest.raises(error) as err:
            c.add_rank(ladder=COMPREHENSIVE, today=TODAY, **kwargs)
        assert err.value.rule == rule
    assert len(c.rank_holdings) == 1


def test_categories_outside_the_ladder_hold_no_rank():
    c = cadre(category="GOV_EMPLOYEE")
    with pytest.raises(RuleViolation) as err:
        c.add_rank(rank_code="C10", since=D(2018, 1, 1), basis="INITIAL", ladder=COMPREHENSIVE, today=TODAY)
    assert err.value.rule == "rank.category_outside_ladder"


def test_a_dismissal_demotes_one_rank_and_lowers_the_level_and_is_not_restored_at_expiry():
    c = cadre()
    c.add_rank(rank_code="C04", since=D(2020, 1, 1), basis="INITIAL", ladder=COMPREHENSIVE, today=TODAY, level=15)
    demotion = Demotion(id="d-1", cadre_id=c.id, source="sanction/s-1", reason="DISMISSAL_FROM_POST")
    demotion.execute(c, effective_date=D(2026, 2, 1), ladder=COMPREHENSIVE, lower_level=True)
    assert (c.rank_code, c.level, demotion.status) == ("C05", 16, "EXECUTED")
    assert (demotion.from_rank, demotion.to_rank, demotion.from_level, demotion.to_level) == ("C04", "C05", 15, 16)
    with pytest.raises(InvalidTransition):
        demotion.execute(c, effective_date=D(2026, 3, 1), ladder=COMPREHENSIVE)
    # Nothing in the model restores at expiry; only a revocation reverses it.
    assert demotion.reverse(c, effective_date=D(2026, 5, 1), ladder=COMPREHENSIVE)
    assert (c.rank_code, c.level, demotion.status) == ("C04", 15, "REVERSED")
    assert c.rank_holdings[-1].basis == "RESTORATION"


def test_the_entry_rank_cannot_be_lowered():
    c = cadre()
    c.add_rank(rank_code="C12", since=D(2020, 1, 1), basis="INITIAL", ladder=COMPREHENSIVE, today=TODAY, level=26)
    with pytest.raises(RuleViolation) as err:
        c.demote(effective_date=D(2026, 1, 1), ladder=COMPREHENSIVE, source_ref="x", lower_level=False)
    assert err.value.rule == "rank.bottom"
    c.demote(effective_date=D(2026, 1, 1), ladder=COMPREHENSIVE, source_ref="x", lower_level=True, demote_rank=False)
    assert c.level == 27


def test_an_event_dated_before_the_latest_holding_takes_effect_the_day_after_it():
    c = cadre()
    c.add_rank(rank_code="C06", since=D(2026, 3, 1), basis="INITIAL", ladder=COMPREHENSIVE, today=TODAY, level=18)
    c.demote(effective_date=D(2026, 2, 1), ladder=COMPREHENSIVE, source_ref="x", lower_level=False)
    assert c.rank_holdings[-1].since == D(2026, 3, 2)


def test_a_required_demotion_can_be_cancelled_before_execution_only():
    demotion = Demotion(id="d-1", cadre_id="c-1", source="annual-assessment/a", reason="ANNUAL_INCOMPETENT")
    assert demotion.cancel() and demotion.status == "CANCELLED"
    assert not demotion.cancel()


def test_relatives_change_the_snapshot_and_are_validated():
    c = cadre()
    c.set_relatives({"c-2": "SPOUSE"})
    assert names(c) == ["CadreUpdated"] and c.events[-1].state.relative_ids == ("c-2",)
    c.set_relatives({"c-2": "SPOUSE"})
    assert len(c.events) == 1  # unchanged: no event
    for bad, rule in (({"c-1": "SPOUSE"}, "cadre.relative_self"), ({"c-3": "FRIEND"}, "cadre.relation")):
        with pytest.raises(RuleViolation) as err:
            c.set_relatives(bad)
        assert err.value.rule == rule


def test_updates_emit_a_snapshot_only_when_the_contract_fields_change():
    c = cadre()
    c.update(today=TODAY, reserve_cadre=True)
    assert c.events == []
    c.update(today=TODAY, education="MASTER")
    assert names(c) == ["CadreUpdated"]
    with pytest.raises(RuleViolation) as err:
        c.update(today=TODAY, entry_date=D(1990, 1, 1))
    assert err.value.rule == "cadre.entry_age"
    with pytest.raises(RuleViolation):
        c.update(today=TODAY, rank_code="C01")


def test_org_units_move_without_cycles_and_close_only_when_empty():
    city = unit("city", level="CITY_LEADERSHIP")
    bureau = unit("bureau", city)
    division = unit("division", bureau, "DIVISION")
    with pytest.raises(RuleViolation) as err:
        bureau.move_under(division, subtree_depth=2)
    assert err.value.rule == "org_unit.cycle"
    with pytest.raises(RuleViolation):
        city.move_under(bureau, subtree_depth=3)
    other = unit("other", city)
    division.move_under(other, subtree_depth=1)
    assert division.path == ["city", "other", "division"]
    with pytest.raises(Conflict):
        bureau.close(active_children=1, active_cadres=0)
    bureau.close(active_children=0, active_cadres=0)
    assert not bureau.active
    with pytest.raises(Conflict):
        unit("late", bureau)


def test_the_level_step_is_due_after_five_years_competent_or_better():
    from services.rank.domain.levels import level_step

    c06 = COMPREHENSIVE.require("C06")
    grades = {
        2019: "COMPETENT",
        2020: "EXCELLENT",
        2021: "BASIC",
        2022: "COMPETENT",
        2023: "COMPETENT",
        2024: "COMPETENT",
    }
    due = level_step(level=18, level_since=D(2019, 1, 1), rank=c06, grades=grades, blocked=False)
    assert due["due"] and due["counted_years"] == [2019, 2020, 2022, 2023, 2024] and due["next_level"] == 17
    assert not level_step(level=18, level_since=D(2019, 3, 1), rank=c06, grades=grades, blocked=False)["due"]
    assert not level_step(level=14, level_since=D(2019, 1, 1), rank=c06, grades=grades, blocked=False)["due"]
    assert not level_step(level=18, level_since=D(2019, 1, 1), rank=c06, grades=grades, blocked=True)["due"]
