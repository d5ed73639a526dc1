"""Past appeals (docs/petitions.md, Recording past appeals): a past appeal is the live appeal on its real dates —
the filing period from the real notification, the decision period from the real acceptance, never heavier — and
the dates of a record are plausible."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kernel.calendar import WorkdayCalendar
from kernel.contracts.vocabulary import AppealResult
from kernel.contracts.vocabulary import AppealStage as S
from kernel.contracts.vocabulary import AppealTarget as T
from kernel.errors import RuleViolation
from services.petitions.domain import events
from services.petitions.domain.appeal_history import HistorySource, PastAppeal, record
from services.petitions.domain.rules import appeals as matrix

CAL = WorkdayCalendar.load()
TODAY = dt.date(2026, 11, 27)
D = dt.date


def fact(**extra) -> PastAppeal:
    values = dict(
        appellant_cadre_id="c-1",
        target_type="CS_SANCTION",
        target_ref="sanction/s-1",
        stage="REVIEW",
        decision_on=D(2019, 3, 1),
        notified_on=D(2019, 3, 5),
        filed_on=D(2019, 3, 20),
        outcome=AppealResult.VARIED,
        decided_on=D(2019, 4, 15),
        document_number="复〔2019〕3号",
        source=HistorySource.PAPER_RECORD,
        accepted_on=D(2019, 3, 22),
        varied_to="WARNING",
        reasons="facts",
    )
    values.update(extra)
    return PastAppeal(**values)


def build(f: PastAppeal, target: T = T.CS_SANCTION, stage: S = S.REVIEW):
    rule = matrix.rule_for(matrix.RULES, target, stage)
    assert rule is not None
    return record(
        f,
        appeal_id="a-1",
        rule=rule,
        previous=None,
        original_value="DEMERIT",
        recorded_by="u",
        org_unit_id="city",
        grounds="g",
        calendar=CAL,
        today=TODAY,
    )


def test_a_past_appeal_is_the_live_appeal_on_its_real_dates():
    appeal = build(fact())
    assert (appeal.status, appeal.filing_deadline, appeal.accepted_on, appeal.decision_due_on, appeal.decided_on) == (
        "DECIDED",
        D(2019, 4, 4),
        D(2019, 3, 22),
        D(2019, 4, 21),
        D(2019, 4, 15),
    )
    decided = [e for e in appeal.events if isinstance(e, events.AppealDecided)]
    assert [(e.result, e.varied_to, e.decided_on) for e in decided] == [("VARIED", "WARNING", D(2019, 4, 15))]


def test_the_filing_period_runs_from_the_real_notification():
    # Filed on the last day of the 30 days: in time; a day later: only time-barred, on the filing day.
    assert build(fact(filed_on=D(2019, 4, 4), accepted_on=None, decided_on=D(2019, 4, 30))).status == "DECIDED"
    with pytest.raises(RuleViolation) as late:
        build(fact(filed_on=D(2019, 4, 5), accepted_on=None, decided_on=D(2019, 4, 30)))
    assert (late.value.rule, late.value.extra["field"]) == ("appeal.time_barred", "filed_on") and late.value.source
    barred = build(
        fact(
            filed_on=D(2019, 4, 5),
            accepted_on=None,
            decided_on=D(2019, 4, 5),
            outcome=AppealResult.TIME_BARRED,
            varied_to=None,
        )
    )
    assert (barred.status, barred.result) == ("REJECTED_TIME_BARRED", "TIME_BARRED")
    with pytest.raises(RuleViolation) as in_time:
        build(fact(accepted_on=None, decided_on=D(2019, 3, 20), outcome=AppealResult.TIME_BARRED, varied_to=None))
    assert in_time.value.rule == "appeal_history.not_time_barred"
    # Learning of the decision later moves the period (as live).
    assert (
        build(
            fact(notified_on=D(2019, 4, 1), filed_on=D(2019, 4, 20), accepted_on=None, decided_on=D(2019, 5, 1))
        ).status
        == "DECIDED"
    )


def test_a_past_variation_is_never_heavier():
    with pytest.raises(RuleViolation) as heavier:
        build(fact(varied_to="MAJOR_DEMERIT"))
    assert heavier.value.rule == "appeal.never_heavier"


@pytest.mark.parametrize(
    ("extra", "rule", "field"),
    [
        ({"decided_on": D(2026, 11, 28)}, "appeal_history.future", "decided_on"),
        ({"decision_on": D(1899, 12, 31)}, "appeal_history.too_old", "decision_on"),
        ({"notified_on": D(2019, 2, 28)}, "appeal_history.order", "notified_on"),
        ({"accepted_on": D(2019, 3, 19)}, "appeal_history.order", "accepted_on"),
        ({"decided_on": D(2019, 3, 21)}, "appeal_history.order", "decided_on"),
        ({"document_number": " "}, "appeal_history.document_number", "document_number"),
        (
            {"outcome": AppealResult.REJECTED, "varied_to": None, "accepted_on": None, "reasons": None},
            "appeal_history.reasons",
            "reasons",
        ),
        ({"outcome": AppealResult.REJECTED, "varied_to": None}, "appeal_history.accepted_on", "accepted_on"),
    ],
)
def test_the_dates_and_fields_of_a_record_are_checked(extra, rule, field):
    with pytest.raises(RuleViolation) as refused:
        fact(**extra).check(today=TODAY)
    assert (refused.value.rule, refused.value.extra["field"]) == (rule, field)


def test_the_same_fact_has_the_same_values_whatever_its_provenance_or_spacing():
    a = fact()
    b = dataclasses.replace(a, source=HistorySource.IMPORT, document_number="复〔２０１９〕 3号")
    assert a.values() == b.values()
    assert a.values() != dataclasses.replace(a, accepted_on=D(2019, 3, 25)).values()
    assert a.decision() == dataclasses.replace(a, accepted_on=D(2019, 3, 25)).decision()
