"""Working days with statutory holidays and make-up workdays; month arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.calendar import WorkdayCalendar, add_months, months_between

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    return WorkdayCalendar.load()


def test_weekends_holidays_and_make_up_days(cal):
    assert cal.is_working_day(D(2025, 9, 26))  # Friday
    assert not cal.is_working_day(D(2025, 9, 27))  # Saturday
    assert cal.is_working_day(D(2025, 9, 28))  # Sunday, make-up workday before National Day
    assert not cal.is_working_day(D(2025, 10, 8))  # holiday on a Wednesday


def test_five_working_days_across_national_day(cal):
    # 9-28 (make-up Sunday), 9-29, 9-30, then 10-1..10-8 off, 10-9, 10-10
    assert cal.add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)
    assert cal.working_days_between(D(2025, 9, 26), D(2025, 10, 10)) == 5
    assert cal.working_days_between(D(2025, 10, 10), D(2025, 9, 26)) == -5


def test_years_without_data_fall_back_to_monday_to_friday(cal):
    assert cal.add_working_days(D(2030, 1, 4), 1) == D(2030, 1, 7)


def test_a_file_listing_a_day_as_both_is_refused():
    with pytest.raises(ValueError):
        WorkdayCalendar.from_dict({"years": {"2025": {"holidays": ["2025-01-01"], "workdays": ["2025-01-01"]}}})


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 3, 1), 6, D(2026, 9, 1)),
        (D(2026, 3, 1), 18, D(2027, 9, 1)),
        (D(2026, 11, 30), -11, D(2025, 12, 30)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_months_between_counts_whole_months():
    assert months_between(D(2024, 5, 15), D(2026, 5, 14)) == 23
    assert months_between(D(2024, 5, 15), D(2026, 5, 15)) == 24
    assert months_between(D(2026, 5, 15), D(2024, 5, 15)) == 0
