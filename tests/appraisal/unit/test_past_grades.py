"""Past annual grades recorded as past facts: the rules of domain/past_grades.py and the aggregate's recording."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.calendar import WorkdayCalendar
from kernel.errors import InvalidTransition, RuleViolation
from services.appraisal.domain import events
from services.appraisal.domain.assessment import AnnualAssessment
from services.appraisal.domain.grades import Constraint, Effect
from services.appraisal.domain.past_grades import PastGrade

TODAY = dt.date(2026, 3, 2)
CAL = WorkdayCalendar.load()  # the bundled PRC table (weekends only for years it does not list)
AT = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def fact(**over) -> PastGrade:
    values = {
        "cadre_id": "c-1",
        "year": 2019,
        "grade": "COMPETENT",
        "decided_on": dt.date(2020, 1, 20),
        "notified_on": dt.date(2020, 1, 22),
        "source": "PAPER_RECORD",
        "document_no": "市考字〔2020〕3号",
    }
    values.update(over)
    return PastGrade(**values)


def excellent(**over) -> PastGrade:
    # Mon 2020-01-06 → Mon 2020-01-13: five working days after the first day, as the live publicity counts them.
    values = {
        "grade": "EXCELLENT",
        "publicity_from": dt.date(2020, 1, 6),
        "publicity_to": dt.date(2020, 1, 13),
        "decided_on": dt.date(2020, 1, 14),
    }
    values.update(over)
    return fact(**values)


def check(f: PastGrade) -> None:
    f.check(today=TODAY, calendar=CAL, publicity_working_days=5)


def refused(f: PastGrade) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        check(f)
    return info.value


def test_a_plain_past_grade_passes():
    check(fact())
    check(fact(year=1900, decided_on=dt.date(1901, 1, 10), notified_on=dt.date(1901, 1, 10), document_no=None))


@pytest.mark.parametrize(
    ("over", "field", "rule"),
    [
        (
            {"decided_on": TODAY + dt.timedelta(days=1), "notified_on": TODAY + dt.timedelta(days=1)},
            "decided_on",
            "assessment_history.decided_on",
        ),
        ({"notified_on": TODAY + dt.timedelta(days=1)}, "notified_on", "assessment_history.notified_on"),
        (
            {"year": 1899, "decided_on": dt.date(1900, 1, 5), "notified_on": dt.date(1900, 1, 5)},
            "year",
            "assessment_history.year",
        ),
        (
            {"year": 1899, "decided_on": dt.date(1899, 12, 20), "notified_on": dt.date(1899, 12, 20)},
            "year",
            "assessment_history.year",
        ),
        ({"year": 2021}, "year", "assessment_history.year"),  # decided in 2020: the year cannot come after it
        ({"notified_on": dt.date(2020, 1, 19)}, "notified_on", "assessment_history.notified_on"),
        ({"source": "GUESS"}, "source", "assessment_history.source"),
        ({"undetermined_reason": "LEAVE"}, "undetermined_reason", "assessment.undetermined_reason"),
    ],
)
def test_dates_and_values_that_cannot_be_a_past_fact_are_refused_naming_the_field(over, field, rule):
    error = refused(fact(**over))
    assert error.extra["field"] == field and error.rule == rule


def test_a_decision_before_1900_is_refused_even_for_a_year_before_it():
    # year 1900 decided in 1899 fails on year <= decided_on.year; a date before 1900 names its own field
    error = refused(fact(year=1900, decided_on=dt.date(1899, 12, 31), notified_on=dt.date(1900, 1, 2)))
    assert error.extra["field"] == "decided_on"


def test_notified_the_day_of_the_decision_and_decided_in_a_later_year_pass():
    check(fact(notified_on=dt.date(2020, 1, 20)))
    check(fact(year=2015, decided_on=dt.date(2019, 6, 1), notified_on=dt.date(2019, 6, 3)))


def test_an_excellent_grade_needs_a_publicity_of_the_statutory_length_before_its_decision():
    check(excellent())
    for name in ("publicity_from", "publicity_to"):
        error = refused(excellent(**{name: None}))
        assert error.extra["field"] == name and error.rule == "assessment_history.publicity"
    short = refused(excellent(publicity_to=dt.date(2020, 1, 10)))  # Mon → Fri: four working days after the first
    assert short.rule == "assessment_history.publicity_length" and short.extra["field"] == "publicity_to"
    assert refused(excellent(decided_on=dt.date(2020, 1, 13))).rule == "assessment.publicity_running"
    early = refused(excellent(publicity_from=dt.date(2018, 12, 20), publicity_to=dt.date(2019, 1, 2)))
    assert early.extra["field"] == "publicity_from"


def test_the_publicity_is_counted_in_working_days_of_the_real_dates():
    # From Mon 2025-01-27, Mon 2025-02-03 is five weekdays later, but 28 January – 4 February 2025 was the Spring
    # Festival holiday: the five working days end only on Mon 2025-02-10 (the 8th was a make-up workday).
    def spring(to: dt.date) -> PastGrade:
        return fact(
            year=2024,
            grade="EXCELLENT",
            publicity_from=dt.date(2025, 1, 27),
            publicity_to=to,
            decided_on=to + dt.timedelta(days=1),
            notified_on=to + dt.timedelta(days=1),
        )

    assert refused(spring(dt.date(2025, 2, 3))).rule == "assessment_history.publicity_length"
    assert refused(spring(dt.date(2025, 2, 8))).rule == "assessment_history.publicity_length"
    check(spring(dt.date(2025, 2, 10)))


def test_only_an_excellent_grade_names_a_publicity():
    error = refused(fact(publicity_from=dt.date(2020, 1, 6), publicity_to=dt.date(2020, 1, 13)))
    assert error.rule == "assessment.publicity_excellent_only"


NOT_EXCELLENT = Constraint(Effect.NOT_EXCELLENT, "warning_year", "组通字〔1998〕19号", "S", "sanction/s-1")
INVESTIGATION = Constraint(
    Effect.UNDETERMINED, "investigation_open", "§1.3", "S", "investigation/i-1", reason="PENDING_INVESTIGATION"
)


def test_constraints_known_for_the_year_apply_as_to_a_live_decision():
    with pytest.raises(RuleViolation) as info:
        excellent().checked_reason([NOT_EXCELLENT])
    assert info.value.rule == "grade.warning_year"
    assert fact().checked_reason([NOT_EXCELLENT]) is None
    with pytest.raises(RuleViolation):
        fact().checked_reason([INVESTIGATION])  # an investigation open at the decision date forces 不定等次
    assert fact(grade="UNDETERMINED").checked_reason([INVESTIGATION]) == "PENDING_INVESTIGATION"
    assert fact(grade="UNDETERMINED", undetermined_reason="LEAVE").checked_reason([]) == "LEAVE"
    with pytest.raises(RuleViolation) as missing:
        fact(grade="UNDETERMINED").checked_reason([])
    assert missing.value.extra["field"] == "undetermined_reason"


def test_a_recorded_grade_is_final_and_emits_the_live_event_dated_at_its_real_decision():
    f = excellent()
    a = AnnualAssessment.recorded(
        assessment_id="a-1", org_unit_id="u-1", fact=f, reason=None, constraints=[], by="admin-1", at=AT
    )
    assert a.status == "FINAL" and a.final_grade == "EXCELLENT" and a.decided_on == f.decided_on
    assert (a.notified_on, a.publicity_from, a.publicity_to) == (f.notified_on, f.publicity_from, f.publicity_to)
    assert (a.source, a.document_no, a.recorded_by, a.recorded_at, a.decided_by) == (
        "PAPER_RECORD",
        "市考字〔2020〕3号",
        "admin-1",
        AT,
        None,
    )
    assert a.events == [events.GradeFinalized("a-1", "c-1", "u-1", 2019, "EXCELLENT", dt.date(2020, 1, 14))]


def test_a_correction_replaces_the_values_and_emits_the_event_again_amended():
    a = AnnualAssessment.recorded(
        assessment_id="a-1", org_unit_id="u-1", fact=fact(), reason=None, constraints=[], by="admin-1", at=AT
    )
    a.events.clear()
    corrected = fact(grade="BASIC", decided_on=dt.date(2020, 2, 1), notified_on=dt.date(2020, 2, 3))
    a.correct_record(fact=corrected, reason=None, constraints=[], by="admin-2", at=AT)
    assert (a.final_grade, a.decided_on, a.recorded_by, a.amended) == ("BASIC", dt.date(2020, 2, 1), "admin-2", True)
    assert a.events == [events.GradeFinalized("a-1", "c-1", "u-1", 2019, "BASIC", dt.date(2020, 2, 1), amended=True)]


def test_a_live_assessment_is_not_corrected_as_a_recorded_one():
    live = AnnualAssessment.open(assessment_id="a-2", cadre_id="c-1", org_unit_id="u-1", year=2025, today=TODAY)
    with pytest.raises(InvalidTransition):
        live.correct_record(fact=fact(year=2025), reason=None, constraints=[], by="admin-1", at=AT)
