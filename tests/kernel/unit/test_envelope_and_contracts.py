"""The envelope codec, naming rules and every registered contract (each example round-trips)."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from kernel.contracts.registry import EVENTS, events_of
from kernel.envelope import CloudEvent, EnvelopeError, decode, encode
from kernel.outbox import backoff_seconds, with_sequence
from kernel.subjects import PRODUCERS, EventName, durable_name, key_from_subject, stream_name


def test_every_cross_service_event_of_the_domain_is_registered():
    expected = {
        "appraisal.grade_finalized.v1",
        "appraisal.inaction_confirmed.v1",
        "appraisal.admonishment_issued.v1",
        "appraisal.award_granted.v1",
        "appraisal.award_revoked.v1",
        "appraisal.index_computed.v1",
        "petitions.report_accepted.v1",
        "petitions.case_opened.v1",
        "petitions.report_closed.v1",
        "petitions.clarification_executed.v1",
        "petitions.false_accusation_confirmed.v1",
        "petitions.appeal_decided.v1",
        "petitions.deadline_breached.v1",
        "petitions.xinfang_about_cadre.v1",
        "tolerance.sanction_effective.v1",
        "tolerance.sanction_expired.v1",
        "tolerance.sanction_varied.v1",
        "tolerance.sanction_revoked.v1",
        "tolerance.restriction_activated.v1",
        "tolerance.restriction_expired.v1",
        "tolerance.restriction_lifted.v1",
        "tolerance.restriction_extended.v1",
        "tolerance.tolerance_granted.v1",
        "tolerance.tolerance_rejected.v1",
        "tolerance.reinstatement_approved.v1",
        "tolerance.investigation_opened.v1",
        "tolerance.investigation_closed.v1",
        "rank.rank_changed.v1",
        "rank.cadre_registered.v1",
        "rank.cadre_updated.v1",
        "rank.org_unit_changed.v1",
        "rank.post_changed.v1",
        "rank.contract_term_ending.v1",
    }
    assert expected <= set(EVENTS)
    assert all(events_of(p) for p in PRODUCERS)


@pytest.mark.parametrize("key", sorted(EVENTS))
def test_each_example_round_trips_through_its_contract(key):
    spec = EVENTS[key]
    data = spec.example.to_data()
    assert all("_" not in k for k in data), "wire names are camelCase"
    assert spec.model.model_validate(data) == spec.example
    assert spec.example.entity_subject()
    assert spec.model.dataschema().startswith(f"urn:cadre:schema:{spec.name.producer}.{spec.name.event}:1.")


@pytest.mark.parametrize("key", sorted(EVENTS))
def test_each_subject_is_its_template_over_the_dumped_payload(key):
    # The subject reads the template's fields from the payload itself: the same as formatting the whole dump.
    example = EVENTS[key].example
    assert example.entity_subject() == example.subject_template.format(**example.model_dump())


@pytest.mark.parametrize("key", sorted(EVENTS))
def test_consumers_ignore_fields_added_later(key):
    spec = EVENTS[key]
    data = {**spec.example.to_data(), "fieldFromTheFuture": 1}
    assert spec.model.model_validate(data) == spec.example


def test_no_contract_can_carry_reporter_identity():
    forbidden = ("reporter", "contact", "phone", "idnumber", "idcard", "address", "content", "text")
    for spec in EVENTS.values():
        for field in spec.model.model_json_schema(by_alias=True).get("properties", {}):
            assert not any(word in field.lower() for word in forbidden), (spec.key, field)


def test_envelope_round_trip_and_sequence_splice():
    event = CloudEvent(
        id="e-1",
        source="/cadre/rank",
        type="cadre.rank.cadre_registered.v1",
        subject="cadre/1",
        time=dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC),
        data={"cadreId": "1"},
    )
    raw = with_sequence(encode(event).decode(), 42)
    back = decode(raw)
    assert back.sequence == "00000000000000000042" and back.sequence_number == 42
    assert back.data == {"cadreId": "1"} and back.id == "e-1"


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"specversion": "0.3"}',
        orjson.dumps({"specversion": "1.0"}),
        b"{" + b" " * (1024 * 1024) + b"}",
    ],
)
def test_malformed_envelopes_are_refused(raw):
    with pytest.raises(EnvelopeError):
        decode(raw)


def test_names_follow_the_conventions():
    name = EventName("appraisal", "grade_finalized")
    assert name.subject("cadre") == "cadre.appraisal.grade_finalized.v1"
    assert name.ce_type("org.example.cadre") == "org.example.cadre.appraisal.grade_finalized.v1"
    assert EventName.parse("rank.rank_changed.v2") == EventName("rank", "rank_changed", 2)
    assert stream_name("t3f9a1c2e", "appraisal") == "T3F9A1C2E_APPRAISAL"
    assert durable_name("rank", "appraisal") == "rank__appraisal"
    assert durable_name("rank", "tolerance", 2) == "rank__tolerance__v2"
    assert key_from_subject("cadre.rank.rank_changed.v1", "cadre") == "rank.rank_changed.v1"
    with pytest.raises(ValueError):
        key_from_subject("other.rank.rank_changed.v1", "cadre")
    with pytest.raises(ValueError):
        EventName("Rank", "x.y")


def test_publish_retries_back_off_exponentially_with_a_cap():
    assert [backoff_seconds(n) for n in range(1, 5)] == [2, 4, 8, 16]
    assert backoff_seconds(50) == 300
