"""Past sanctions and organizational handling recorded as facts (domain/history.py): the rules of issue 12 item 1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.contracts.vocabulary import RestrictionStatus
from kernel.contracts.vocabulary import SanctionSystem as S
from kernel.contracts.vocabulary import SanctionType as T
from kernel.errors import Conflict, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.history import (
    HistorySource,
    PastFact,
    check_past_fact,
    correct_past,
    normalize_document_number,
    record_past,
    same_fact,
)
from services.tolerance.domain.rules.catalogue import build_catalogue
from services.tolerance.domain.sanction import Origin, Sanction, SanctionStatus, ToleranceGuard

CAT = build_catalogue()
TODAY = dt.date(2026, 6, 15)
_ids = itertools.count()
D = dt.date


def new_id() -> str:
    return f"r{next(_ids)}"


def fact(**kw) -> PastFact:
    base = dict(
        cadre_id="c1",
        system=S.GOV,
        type=T.DEMERIT,
        decided_on=D(2024, 3, 11),
        effective_from=D(2024, 3, 11),
        document_number="市监委〔2024〕7号",
        source=HistorySource.IMPORT,
    )
    return PastFact(**{**base, **kw})


def record(f: PastFact, today: dt.date = TODAY):
    return record_past(CAT, f, sanction_id="san-1", today=today, recorded_by="officer", new_id=new_id)


def live(f: PastFact, today: dt.date):
    """The live decision of the same sanction on its real date, then the sweep on `today`."""
    s = Sanction.propose(
        CAT,
        sanction_id="san-2",
        cadre_id=f.cadre_id,
        system=f.system,
        type_=f.type,
        proposed_on=f.decided_on - dt.timedelta(days=20),
        today=f.decided_on,
        incident_id="i",
        months=f.period_months,
        combined_count=f.combined_count,
    )
    from kernel.calendar import WorkdayCalendar

    s.notify_facts(
        CAT,
        WorkdayCalendar(),
        notified_on=f.decided_on - dt.timedelta(days=15),
        today=f.decided_on,
        defence_working_days=5,
    )
    effective = None if f.effective_from == f.decided_on else f.effective_from
    restrictions = s.decide(
        CAT,
        decided_on=f.decided_on,
        today=f.effective_from,
        decided_by="o",
        type_=None,
        months=None,
        effective_on=effective,
        publication_scope="UNIT",
        guard=ToleranceGuard(),
        new_id=new_id,
    )
    for r in restrictions:
        if r.ends_on is not None and r.ends_on <= today:
            r.expire(today)
    if s.ends_on is not None and s.ends_on <= today:
        s.expire(CAT, today)
    return s, restrictions


def shape(restrictions):
    return sorted((r.effect.value, r.starts_on, r.ends_on, r.status.value) for r in restrictions)


def test_a_past_demerit_has_the_live_period_and_restrictions_and_is_over_by_today():
    s, rs = record(fact())
    assert s.origin is Origin.HISTORY and s.status is SanctionStatus.EXPIRED
    assert (s.period_months, s.effective_on, s.ends_on) == (12, D(2024, 3, 11), D(2025, 3, 11))
    assert {r.status for r in rs} == {RestrictionStatus.EXPIRED}
    kinds = [type(e).__name__ for e in s.events]
    assert kinds == ["SanctionBecameEffective", "SanctionExpired"]
    assert all([type(e).__name__ for e in r.events] == ["RestrictionActivated", "RestrictionExpired"] for r in rs)


@pytest.mark.parametrize(
    "type_,system,months,effective",
    [
        (T.WARNING, S.GOV, None, None),
        (T.DEMERIT, S.CIVIL_SERVICE, None, None),
        (T.MAJOR_DEMERIT, S.GOV, None, None),
        (T.DISMISSAL_FROM_POST, S.GOV, None, None),
        (T.PARTY_SERIOUS_WARNING, S.PARTY, None, D(2025, 2, 1)),
        (T.PARTY_PROBATION, S.PARTY, 24, None),
        (T.PARTY_EXPULSION, S.PARTY, None, None),
        (T.SUSPENSION_FOR_REVIEW, S.ORG_HANDLING, 4, D(2025, 1, 20)),
        (T.REMOVAL_FROM_POST, S.ORG_HANDLING, None, None),
        (T.DEMOTION, S.ORG_HANDLING, None, None),
    ],
)
def test_every_kind_matches_the_live_decision_on_its_date(type_, system, months, effective):
    f = fact(
        type=type_,
        system=system,
        period_months=months,
        decided_on=D(2025, 1, 13),
        effective_from=effective or D(2025, 1, 13),
    )
    s, rs = record(f)
    ls, lrs = live(f, TODAY)
    assert shape(rs) == shape(lrs)
    assert (s.status, s.ends_on, s.period_months) == (ls.status, ls.ends_on, ls.period_months)
    assert s.snapshot(CAT).__dict__ | {"sanction_id": "", "incident_id": None} == ls.snapshot(CAT).__dict__ | {
        "sanction_id": "",
        "incident_id": None,
    }


@settings(max_examples=60, deadline=None)
@given(decided=st.dates(D(2000, 1, 1), D(2026, 6, 15)), as_of=st.integers(0, 4000))
def test_restrictions_by_real_dates_equal_the_live_ones_on_every_day(decided, as_of):
    f = fact(decided_on=decided, effective_from=decided, type=T.MAJOR_DEMERIT)
    _, rs = record(f)
    _, lrs = live(f, TODAY)
    day = decided + dt.timedelta(days=as_of - 200)
    assert sorted(r.effect.value for r in rs if r.active_on(day)) == sorted(
        r.effect.value for r in lrs if r.active_on(day)
    )


@pytest.mark.parametrize(
    "changes,field,rule",
    [
        (dict(decided_on=D(2026, 6, 16), effective_from=D(2026, 6, 16)), "decided_on", "sanction_history.future"),
        (dict(decided_on=D(1899, 12, 31), effective_from=D(1899, 12, 31)), "decided_on", "sanction_history.too_old"),
        (dict(effective_from=D(2024, 3, 10)), "effective_from", "sanction_history.effective_from"),
        (dict(effective_from=D(2024, 3, 12)), "effective_from", "sanction.effective_on"),  # 政务处分法 §8
        (
            dict(system=S.ORG_HANDLING, type=T.POST_ADJUSTMENT, effective_from=D(2026, 7, 1)),
            "effective_from",
            "sanction_history.future",
        ),
        (dict(system=S.ADMONISHMENT, type=T.ADMONISHMENT), "system", "sanction_history.system"),
        (dict(system=S.ACCOUNTABILITY, type=T.ACCOUNTABILITY_CRITICISM), "system", "sanction_history.system"),
        (dict(document_number="  "), "document_number", "sanction_history.document_number"),
        (dict(probation_extended_on=D(2024, 6, 1)), "probation_extended_on", "sanction_history.probation_extension"),
        (
            dict(probation_extended_on=D(2024, 6, 1), probation_extension_reason="reason long enough"),
            "probation_extended_on",
            "sanction.extension_type",
        ),
    ],
)
def test_impossible_past_facts_are_refused_naming_the_field(changes, field, rule):
    with pytest.raises(RuleViolation) as exc:
        check_past_fact(CAT, fact(**changes), today=TODAY)
    assert exc.value.rule == rule and exc.value.extra.get("field") == field


def test_organizational_handling_may_take_effect_after_its_decision():
    f = fact(system=S.ORG_HANDLING, type=T.POST_ADJUSTMENT, decided_on=D(2025, 12, 1), effective_from=D(2025, 12, 8))
    s, rs = record(f)
    assert s.status is SanctionStatus.EFFECTIVE and s.ends_on == D(2026, 12, 8)
    assert min(r.starts_on for r in rs) == D(2025, 12, 8)


def test_the_catalogue_period_rules_hold_for_past_facts():
    with pytest.raises(RuleViolation) as exc:
        check_past_fact(CAT, fact(type=T.WARNING, system=S.PARTY), today=TODAY)
    assert exc.value.rule == "sanction.system"
    with pytest.raises(RuleViolation):
        record(fact(type=T.PARTY_PROBATION, system=S.PARTY, period_months=18))
    with pytest.raises(RuleViolation):
        record(fact(period_months=24))  # 记过 is 12 months unless several violations combine (§15)
    s, _ = record(fact(combined_count=3, period_months=30))
    assert s.period_months == 30


def test_a_probation_extended_in_the_past_runs_24_months_with_its_reason():
    f = fact(
        type=T.PARTY_PROBATION,
        system=S.PARTY,
        period_months=12,
        decided_on=D(2025, 3, 3),
        effective_from=D(2025, 3, 3),
        probation_extended_on=D(2026, 2, 2),
        probation_extension_reason="did not show repentance during the term",
    )
    s, rs = record(f)
    assert s.status is SanctionStatus.EXTENDED and s.ends_on == D(2027, 3, 3)
    assert any(isinstance(e, events.RestrictionExtended) for r in rs for e in r.events)
    with pytest.raises(RuleViolation) as exc:  # extended after the term ended
        record(dataclasses.replace(f, probation_extended_on=D(2026, 3, 3)))
    assert exc.value.extra.get("field") == "probation_extended_on"


def test_a_correction_voids_the_previous_restrictions_and_recomputes():
    s, rs = record(fact())
    s.events.clear()
    for r in rs:
        r.events.clear()
    corrected, fresh = correct_past(
        CAT, s, fact(combined_count=3, period_months=36), previous=rs, today=TODAY, recorded_by="o", new_id=new_id
    )
    assert corrected.id == s.id and corrected.version == s.version
    assert corrected.status is SanctionStatus.EFFECTIVE and corrected.ends_on == D(2027, 3, 11)
    assert {r.status for r in rs} == {RestrictionStatus.VOID}
    assert not any(r.active_on(d) for r in rs for d in (D(2024, 3, 11), D(2024, 12, 1)))
    assert all(isinstance(r.events[-1], events.RestrictionLifted) for r in rs)
    assert isinstance(corrected.events[0], events.SanctionBecameEffective)
    assert {r.status for r in fresh} == {RestrictionStatus.ACTIVE, RestrictionStatus.EXPIRED}


def test_same_values_are_the_same_fact_and_provenance_is_not_a_value():
    f = fact()
    s, _ = record(f)
    assert same_fact(
        s, dataclasses.replace(f, source=HistorySource.DOSSIER, document_number="市监委〔2024〕 ７号"), f.values()
    )
    assert not same_fact(s, dataclasses.replace(f, period_months=12, combined_count=2), f.values())
    assert normalize_document_number(" 市监委〔２０２４〕 7号 ") == "市监委〔2024〕7号"


def test_a_revoked_or_varied_past_fact_is_not_corrected_by_recording_it_again():
    s, rs = record(fact(decided_on=D(2026, 1, 5), effective_from=D(2026, 1, 5)))
    s.revoke(CAT, appeal_id="ap", on=D(2026, 2, 1), restrictions=rs)
    with pytest.raises(Conflict):
        correct_past(
            CAT,
            s,
            fact(decided_on=D(2026, 1, 5), effective_from=D(2026, 1, 5), period_months=12),
            previous=rs,
            today=TODAY,
            recorded_by="o",
            new_id=new_id,
        )
