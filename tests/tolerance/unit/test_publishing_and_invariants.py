"""Contract mapping (inclusive last days outside) and the revocation invariant over every catalogue type."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.calendar import WorkdayCalendar
from kernel.contracts import tolerance_v1
from kernel.contracts.vocabulary import RestrictionEffect as E
from kernel.contracts.vocabulary import RestrictionSource as Src
from kernel.contracts.vocabulary import RestrictionStatus as RSt
from kernel.contracts.vocabulary import SanctionSystem as S
from kernel.contracts.vocabulary import SanctionType as T
from services.tolerance.domain import events
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.rules.catalogue import PeriodKind, build_catalogue
from services.tolerance.domain.sanction import Sanction, ToleranceGuard
from services.tolerance.service_layer.publishing import to_contracts

CAT = build_catalogue()
_ids = itertools.count()


def new_id():
    return f"r{next(_ids)}"


def restriction(end=dt.date(2026, 9, 1)):
    return Restriction.activate(
        restriction_id=new_id(),
        cadre_id="c",
        effect=E.NO_RANK_PROMOTION,
        source_type=Src.SANCTION,
        source_id="s",
        starts_on=dt.date(2026, 3, 1),
        ends_on=end,
    )


def test_events_carry_the_last_day_a_restriction_applies():
    r = restriction()
    [activated] = to_contracts(r.events[-1])
    assert isinstance(activated, tolerance_v1.RestrictionActivated) and activated.ends_on == dt.date(2026, 8, 31)
    r.lift(dt.date(2026, 5, 10), "APPEAL_REVOKED")
    [lifted] = to_contracts(r.events[-1])
    assert lifted.status is RSt.LIFTED and lifted.ends_on == dt.date(2026, 5, 9)
    open_ended = restriction(end=None)
    assert list(to_contracts(open_ended.events[-1]))[0].ends_on is None


def test_sanction_events_carry_the_last_day_of_the_period():
    s = Sanction.propose(
        CAT,
        sanction_id="s1",
        cadre_id="c",
        system=S.GOV,
        type_=T.WARNING,
        proposed_on=dt.date(2026, 3, 2),
        today=dt.date(2026, 3, 2),
        incident_id=None,
    )
    s.notify_facts(
        CAT, WorkdayCalendar(), notified_on=dt.date(2026, 3, 2), today=dt.date(2026, 3, 2), defence_working_days=1
    )
    s.decide(
        CAT,
        decided_on=dt.date(2026, 3, 10),
        today=dt.date(2026, 3, 10),
        decided_by="o",
        type_=None,
        months=None,
        effective_on=None,
        publication_scope="UNIT",
        guard=ToleranceGuard(),
        new_id=new_id,
    )
    [effective] = to_contracts(s.events[-1])
    assert effective.ends_on == dt.date(2026, 9, 9) and effective.period_months == 6


def _months(rule):
    if rule.period_kind is PeriodKind.PER_CASE:
        return CAT.suspension_months[0]
    if rule.period_kind is PeriodKind.PROBATION:
        return 12
    return None


@settings(max_examples=150, deadline=None)
@given(
    type_=st.sampled_from(sorted(CAT.rules, key=str)),
    decided=st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)),
    delay=st.integers(0, 2000),
)
def test_a_sanction_revoked_on_appeal_leaves_no_restriction_in_force(type_, decided, delay):
    rule = CAT.rule(type_)
    system = sorted(rule.systems, key=str)[0]
    s = Sanction.propose(
        CAT,
        sanction_id="s",
        cadre_id="c",
        system=system,
        type_=type_,
        proposed_on=decided,
        today=decided,
        incident_id=None,
        months=_months(rule),
    )
    s.notify_facts(CAT, WorkdayCalendar(), notified_on=decided, today=decided, defence_working_days=1)
    s.record_defence(on=decided, statement="d", today=decided)
    restrictions = s.decide(
        CAT,
        decided_on=decided,
        today=decided,
        decided_by="o",
        type_=None,
        months=None,
        effective_on=None,
        publication_scope="UNIT",
        guard=ToleranceGuard(),
        new_id=new_id,
    )
    revoked_on = decided + dt.timedelta(days=delay)
    for r in restrictions:
        if r.ends_on is not None and r.ends_on <= revoked_on:
            r.expire(revoked_on)
    s.revoke(CAT, appeal_id="ap", on=revoked_on, restrictions=restrictions)
    assert all(r.status is not RSt.ACTIVE for r in restrictions)
    for day in (revoked_on, revoked_on + dt.timedelta(days=400), revoked_on + dt.timedelta(days=5000)):
        assert not any(r.active_on(day) for r in restrictions)
    assert isinstance(s.events[-1], events.SanctionRevoked)


@given(type_=st.sampled_from(sorted(CAT.rules, key=str)))
def test_a_tolerated_incident_never_lets_a_sanction_be_decided(type_):
    rule = CAT.rule(type_)
    day = dt.date(2026, 3, 2)
    s = Sanction.propose(
        CAT,
        sanction_id="s",
        cadre_id="c",
        system=sorted(rule.systems, key=str)[0],
        type_=type_,
        proposed_on=day,
        today=day,
        incident_id="inc",
        months=_months(rule),
    )
    s.notify_facts(CAT, WorkdayCalendar(), notified_on=day, today=day, defence_working_days=1)
    s.record_defence(on=day, statement="d", today=day)
    try:
        s.decide(
            CAT,
            decided_on=day,
            today=day,
            decided_by="o",
            type_=None,
            months=None,
            effective_on=None,
            publication_scope="UNIT",
            guard=ToleranceGuard(exempted=True),
            new_id=new_id,
        )
    except Exception as exc:
        assert getattr(exc, "rule", None) == "sanction.incident_tolerated"
    else:
        raise AssertionError("a tolerated incident produced a decision")
    assert s.status.value == "DEFENCE_WINDOW" and not s.events
