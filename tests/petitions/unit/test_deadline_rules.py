"""The deadline table (docs/rules.md §2.2) as data, computed on the working-day calendar, and the Deadline aggregate."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.calendar import WorkdayCalendar
from kernel.errors import InvalidTransition, RuleViolation
from services.petitions.domain.deadline import Deadline, OpenDeadline, plan
from services.petitions.domain.rules import deadlines as table
from services.petitions.domain.rules.periods import Period, Unit, working_days_before

CAL = WorkdayCalendar.load()
D = dt.date


def test_every_row_names_its_source_a_confidence_tag_and_a_step():
    for rule in table.RULES.values():
        assert rule.source and rule.step and rule.anchor
        assert rule.confidence in {"V", "S", "S-", "R", "D"}


@pytest.mark.parametrize(
    ("kind", "period", "confidence"),
    [
        ("ROUTE_UP", "5WD", "S"),
        ("LOWER_REGISTER", "5WD", "S"),
        ("ACCEPT_NOTICE", "15WD", "S"),
        ("FEEDBACK", "15WD", "S"),
        ("INQUIRY_REPLY", "15WD", "R"),
        ("STATEMENT", "5WD", "D"),
        ("GENERAL_REGISTER", "15D", "V"),
        ("GENERAL_NOTICE", "15D", "V"),
        ("GENERAL_CLOSE", "60D", "V"),
    ],
)
def test_the_table_holds_the_figures_of_domain_2_2(kind, period, confidence):
    rule = table.RULES[kind]
    assert str(rule.period) == period and rule.confidence == confidence


def test_only_the_general_petition_close_may_be_extended_by_30_days():
    assert str(table.RULES["GENERAL_CLOSE"].max_extension) == "30D"
    assert [k for k, r in table.RULES.items() if r.max_extension] == ["GENERAL_CLOSE"]


@pytest.mark.parametrize(
    ("start", "period", "due"),
    [
        # 2026-09-25 Mid-Autumn and 10-01..07 National Day are holidays: five working days reach 10-09.
        (D(2026, 9, 24), "5WD", D(2026, 10, 9)),
        # 2026-02-14 (Saturday) is a make-up working day before the Spring Festival week.
        (D(2026, 2, 12), "5WD", D(2026, 2, 26)),
        (D(2026, 11, 27), "15WD", D(2026, 12, 18)),
        (D(2026, 11, 27), "15D", D(2026, 12, 12)),
        (D(2026, 1, 31), "1M", D(2026, 2, 28)),  # months clamp to the month's last day
        (D(2026, 9, 30), "60D", D(2026, 11, 29)),
    ],
)
def test_worked_examples_on_the_working_day_calendar(start, period, due):
    assert Period.parse(period).after(start, CAL) == due


@pytest.mark.parametrize("text", ["", "0D", "15", "15 WD", "1Y", "-3D", "1000D"])
def test_malformed_periods_are_refused(text):
    with pytest.raises(ValueError):
        Period.parse(text)


def test_statutory_rows_cannot_be_overridden_but_recalled_and_design_rows_can():
    assert str(table.resolve({"INQUIRY_REPLY": "10WD"})["INQUIRY_REPLY"].period) == "10WD"
    assert str(table.resolve({"STATEMENT": "7D"})["STATEMENT"].period) == "7D"
    for kind in ("ACCEPT_NOTICE", "GENERAL_CLOSE", "ROUTE_UP"):
        with pytest.raises(ValueError, match="not configurable"):
            table.resolve({kind: "99D"})
    with pytest.raises(ValueError, match="unknown"):
        table.resolve({"NO_SUCH": "5D"})


@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)), st.integers(min_value=1, max_value=30))
def test_working_days_before_inverts_adding_working_days(day, n):
    if not CAL.is_working_day(day):
        return
    earlier = working_days_before(day, n, CAL)
    assert CAL.is_working_day(earlier)
    assert CAL.add_working_days(earlier, n) == day


def _deadline(**kw) -> Deadline:
    rule = table.RULES[kw.pop("kind", "ACCEPT_NOTICE")]
    op = OpenDeadline(rule.kind, "report", "r-1", "r-1", kw.pop("anchor", D(2026, 11, 27)))
    return plan(op, deadline_id="d-1", rule=rule, org_unit_id="city", calendar=CAL, reminder_lead_days=3)


def test_a_planned_deadline_has_its_due_date_and_a_reminder_three_working_days_before():
    deadline = _deadline()
    assert deadline.due_on == D(2026, 12, 18) and deadline.remind_on == D(2026, 12, 15)
    assert deadline.unit == "WD" and not deadline.pausable


def test_deadlines_the_rules_do_not_let_pause_cannot_be_paused():
    deadline = _deadline()
    with pytest.raises(RuleViolation) as err:
        deadline.pause(today=D(2026, 12, 1))
    assert err.value.rule == "deadline.not_pausable"


def test_a_paused_working_day_deadline_moves_by_the_working_days_paused():
    deadline = _deadline()
    deadline.pausable = True
    deadline.pause(today=D(2026, 12, 1))
    assert not deadline.overdue(D(2027, 1, 30))
    deadline.resume(today=D(2026, 12, 8), calendar=CAL)  # five working days paused
    assert deadline.due_on == D(2026, 12, 25) and deadline.status == "OPEN"
    with pytest.raises(InvalidTransition) as err:
        deadline.resume(today=D(2026, 12, 9), calendar=CAL)
    assert err.value.extra["allowed_actions"] == ["extend", "pause"]  # from OPEN, sorted


def test_a_paused_calendar_day_deadline_moves_by_the_calendar_days_paused():
    deadline = _deadline(kind="GENERAL_CLOSE")
    deadline.pausable = True
    due = deadline.due_on
    deadline.pause(today=D(2026, 12, 1))
    deadline.resume(today=D(2026, 12, 11), calendar=CAL)
    assert deadline.due_on == due + dt.timedelta(days=10) and deadline.unit == Unit.DAYS.value


def test_extensions_stay_within_the_maximum_and_never_rescue_an_overdue_deadline():
    deadline = _deadline(kind="GENERAL_CLOSE")
    assert deadline.max_extension_days == 30
    due = deadline.due_on
    deadline.extend(days=20, today=D(2026, 12, 1))
    with pytest.raises(RuleViolation) as err:
        deadline.extend(days=11, today=D(2026, 12, 1))
    assert err.value.rule == "deadline.extension_limit"
    deadline.extend(days=10, today=D(2026, 12, 1))
    assert deadline.due_on == due + dt.timedelta(days=30)
    late = _deadline(kind="GENERAL_CLOSE")
    with pytest.raises(RuleViolation) as err:
        late.extend(days=5, today=late.due_on + dt.timedelta(days=1))
    assert err.value.rule == "deadline.breached"
    with pytest.raises(RuleViolation) as err:
        _deadline().extend(days=1, today=D(2026, 12, 1))
    assert err.value.rule == "deadline.not_extendable"


def test_overdue_means_open_and_past_its_due_date():
    deadline = _deadline()
    assert not deadline.overdue(deadline.due_on)
    assert deadline.overdue(deadline.due_on + dt.timedelta(days=1))
    deadline.status = "MET"
    assert not deadline.overdue(deadline.due_on + dt.timedelta(days=1))
