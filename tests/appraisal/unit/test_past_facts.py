"""Past awards, talks and performance records (domain/past_*.py): the checks of a past fact, the natural keys, and
the live aggregates built from them with the live events on the real dates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kernel.errors import RuleViolation
from services.appraisal.domain import events
from services.appraisal.domain.award import Award
from services.appraisal.domain.past_awards import PastAward
from services.appraisal.domain.past_records import PastRecord
from services.appraisal.domain.past_talks import PastTalk
from services.appraisal.domain.records import PerformanceRecord
from services.appraisal.domain.talk import Talk

D = dt.date
TODAY = D(2026, 1, 12)
AWARD = PastAward(
    cadre_id="c-1",
    type="COMMENDATION",
    granted_on=D(2018, 3, 5),
    document_no="财奖字〔2018〕5号",
    source="PAPER_RECORD",
    year=2017,
)
TALK = PastTalk(cadre_id="c-1", type="ADMONISHMENT", held_on=D(2019, 4, 10), source="IMPORT", reason="r")
RECORD = PastRecord(
    cadre_id="c-1",
    occurred_on=D(2018, 8, 20),
    category="KEY_TASK",
    title="防汛 抢险",
    verified_on=D(2018, 9, 3),
    source="PERSONNEL_FILE",
    quantity=2,
)


@pytest.mark.parametrize(
    ("fact", "rule", "field"),
    [
        (dataclasses.replace(AWARD, granted_on=D(2026, 1, 13)), "award_history.granted_on", "granted_on"),
        (dataclasses.replace(AWARD, granted_on=D(1899, 12, 31), year=None), "award_history.granted_on", "granted_on"),
        (
            dataclasses.replace(AWARD, revoked_on=D(2026, 1, 13), revoke_reason="x"),
            "award_history.revoked_on",
            "revoked_on",
        ),
        (
            dataclasses.replace(AWARD, revoked_on=D(2018, 3, 4), revoke_reason="x"),
            "award_history.revoked_on",
            "revoked_on",
        ),
        (dataclasses.replace(AWARD, revoked_on=D(2019, 1, 1)), "award.revoke_reason", "revoke_reason"),
        (dataclasses.replace(AWARD, revoke_reason="x"), "award.revoke_reason", "revoked_on"),
        (dataclasses.replace(AWARD, year=2019), "award_history.year", "year"),
        (dataclasses.replace(AWARD, type="MEDAL"), "award.type", "type"),
        (dataclasses.replace(AWARD, source="RUMOUR"), "award_history.source", "source"),
        (dataclasses.replace(AWARD, document_no=" "), "award_history.document_no", "document_no"),
        (dataclasses.replace(TALK, held_on=D(2026, 1, 13)), "talk_history.held_on", "held_on"),
        (dataclasses.replace(TALK, type="GOSSIP"), "talk.type", "type"),
        (
            dataclasses.replace(RECORD, occurred_on=D(2026, 1, 13), verified_on=D(2026, 1, 13)),
            "record_history.occurred_on",
            "occurred_on",
        ),
        (dataclasses.replace(RECORD, verified_on=D(2018, 8, 19)), "record_history.verified_on", "verified_on"),
        (dataclasses.replace(RECORD, category="GOSSIP"), "performance_record.category", "category"),
    ],
)
def test_a_fact_that_cannot_be_past_is_refused_naming_the_rule_and_field(fact, rule, field):
    with pytest.raises(RuleViolation) as refused:
        fact.check(today=TODAY)
    assert (refused.value.rule, refused.value.extra.get("field")) == (rule, field)


def test_keys_compare_the_key_as_a_clerk_would_and_nothing_else():
    assert AWARD.key == dataclasses.replace(AWARD, document_no=" 财奖字〔2018〕 5号").key
    assert AWARD.key == dataclasses.replace(AWARD, granted_on=D(2018, 3, 6)).key  # a value, not the key
    assert AWARD.key != dataclasses.replace(AWARD, type="MERIT_3").key
    assert AWARD.key != dataclasses.replace(AWARD, cadre_id="c-2").key
    assert TALK.key != dataclasses.replace(TALK, held_on=D(2019, 4, 11)).key
    assert RECORD.key == dataclasses.replace(RECORD, title="防汛抢险", quantity=3).key


def test_a_recorded_award_is_granted_then_revoked_on_its_real_dates():
    award = Award.recorded(
        award_id="a-1", org_unit_id="u", fact=dataclasses.replace(AWARD, revoked_on=D(2020, 6, 1), revoke_reason="记过")
    )
    assert (award.status, award.proposed_on, award.granted_on, award.revoked_on) == (
        "REVOKED",
        D(2018, 3, 5),
        D(2018, 3, 5),
        D(2020, 6, 1),
    )
    assert [(type(e), getattr(e, "granted_on", None) or e.revoked_on) for e in award.events] == [
        (events.AwardGranted, D(2018, 3, 5)),
        (events.AwardRevoked, D(2020, 6, 1)),
    ]
    award.events.clear()
    award.correct_record(fact=AWARD)  # the revocation corrected away: granted again, announced
    assert (award.status, award.revoked_on) == ("GRANTED", None)
    assert [type(e) for e in award.events] == [events.AwardGranted]


def test_a_correction_keeps_a_revocation_review_opened_since():
    award = Award.recorded(award_id="a-1", org_unit_id="u", fact=AWARD)
    assert award.open_revocation_review(reason="SERIOUS_SANCTION:sanction/s-1")
    award.correct_record(fact=dataclasses.replace(AWARD, year=2016))
    assert (award.status, award.year) == ("REVIEW_FOR_REVOCATION", 2016)


def test_a_recorded_admonishment_is_held_on_its_day_and_announced_and_awaits_no_reply():
    talk = Talk.recorded(talk_id="t-1", org_unit_id="u", fact=TALK, by="x", today=TODAY)
    assert (talk.status, talk.scheduled_on, talk.held_on, talk.reply_due_on) == (
        "HELD",
        D(2019, 4, 10),
        D(2019, 4, 10),
        None,
    )
    assert talk.events == [events.AdmonishmentIssued("t-1", "c-1", D(2019, 4, 10), "r")]
    reminder = Talk.recorded(
        talk_id="t-2", org_unit_id="u", fact=dataclasses.replace(TALK, type="REMINDER"), by="x", today=TODAY
    )
    assert reminder.events == []


def test_a_recorded_performance_record_is_verified_on_its_day_by_an_unknown_verifier():
    record = PerformanceRecord.recorded(record_id="r-1", org_unit_id="u", fact=RECORD, by="x", today=TODAY)
    assert (record.status, record.verified_on, record.verified_by) == ("VERIFIED", D(2018, 9, 3), None)
    with pytest.raises(RuleViolation) as refused:  # the live value rule
        PerformanceRecord.recorded(
            record_id="r-2",
            org_unit_id="u",
            fact=dataclasses.replace(RECORD, category="PUBLIC_EVALUATION", quantity=None),
            by="x",
            today=TODAY,
        )
    assert refused.value.rule == "performance_record.public_evaluation_score"
