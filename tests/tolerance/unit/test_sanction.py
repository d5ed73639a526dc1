"""The Sanction aggregate: facts notice, defence window, decision limits, guards, extension and appeals."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from kernel.calendar import WorkdayCalendar
from kernel.contracts.vocabulary import RestrictionEffect as E
from kernel.contracts.vocabulary import RestrictionSource as Src
from kernel.contracts.vocabulary import RestrictionStatus as RSt
from kernel.contracts.vocabulary import SanctionSystem as S
from kernel.contracts.vocabulary import SanctionType as T
from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.rules.catalogue import build_catalogue
from services.tolerance.domain.sanction import Sanction, SanctionStatus, ToleranceGuard

CAT = build_catalogue()
CAL = WorkdayCalendar()  # Monday to Friday, no holidays: predictable windows
_ids = itertools.count()


def new_id():
    return f"r{next(_ids)}"


def proposed(type_=T.DEMERIT, system=S.GOV, **kw):
    return Sanction.propose(
        CAT,
        sanction_id="s1",
        cadre_id="c1",
        system=system,
        type_=type_,
        proposed_on=dt.date(2026, 3, 2),
        today=dt.date(2026, 3, 2),
        incident_id="inc-1",
        **kw,
    )


def in_window(type_=T.DEMERIT, system=S.GOV, **kw):
    s = proposed(type_, system, **kw)
    # Monday 2026-03-02 + 5 working days = Monday 2026-03-09.
    s.notify_facts(CAT, CAL, notified_on=dt.date(2026, 3, 2), today=dt.date(2026, 3, 2), defence_working_days=5)
    return s


def decide(s, on=dt.date(2026, 3, 10), type_=None, months=None, guard=ToleranceGuard(), **kw):
    return s.decide(
        CAT,
        decided_on=on,
        today=on,
        decided_by="officer",
        type_=type_,
        months=months,
        effective_on=kw.pop("effective_on", None),
        publication_scope="UNIT",
        guard=guard,
        new_id=new_id,
        **kw,
    )


def test_the_facts_notice_opens_a_defence_window_of_working_days():
    s = in_window()
    assert s.status is SanctionStatus.DEFENCE_WINDOW and s.defence_due_on == dt.date(2026, 3, 9)


def test_a_decision_inside_the_defence_window_is_refused():
    s = in_window()
    with pytest.raises(Conflict) as err:
        decide(s, on=dt.date(2026, 3, 9))
    assert err.value.rule == "sanction.defence_window_open"
    assert "§43" in err.value.source


def test_a_decision_before_the_facts_notice_is_refused():
    with pytest.raises(Conflict) as err:
        decide(proposed())
    assert err.value.rule == "sanction.facts_notice_required"


def test_a_recorded_defence_closes_the_window_early():
    s = in_window()
    s.record_defence(on=dt.date(2026, 3, 4), statement="I acted on the unit's instruction", today=dt.date(2026, 3, 4))
    restrictions = decide(s, on=dt.date(2026, 3, 5))
    assert s.status is SanctionStatus.EFFECTIVE and restrictions
    with pytest.raises(InvalidTransition):
        s.record_defence(on=dt.date(2026, 3, 5), statement="again", today=dt.date(2026, 3, 5))


def test_a_defence_after_the_window_is_refused():
    s = in_window()
    with pytest.raises(RuleViolation) as err:
        s.record_defence(on=dt.date(2026, 3, 10), statement="late", today=dt.date(2026, 3, 10))
    assert err.value.rule == "sanction.defence_on"


def test_the_decision_is_never_heavier_than_the_proposal():
    s = in_window()
    s.record_defence(on=dt.date(2026, 3, 3), statement="I object", today=dt.date(2026, 3, 3))
    with pytest.raises(RuleViolation) as err:
        decide(s, type_=T.MAJOR_DEMERIT)
    assert err.value.rule == "sanction.heavier_than_proposal"
    with pytest.raises(RuleViolation):
        decide(s, type_=T.PARTY_WARNING)  # another family is never comparable
    restrictions = decide(s, type_=T.WARNING)
    assert s.type is T.WARNING and s.ends_on == dt.date(2026, 9, 10)
    assert {r.effect for r in restrictions} == {
        E.NO_POST_PROMOTION,
        E.NO_RANK_PROMOTION,
        E.NO_LEVEL_PROMOTION,
        E.GRADE_NOT_EXCELLENT,
    }


def test_a_heavier_sanction_needs_a_new_facts_notice_which_reopens_the_window():
    s = in_window()
    s.notify_facts(
        CAT,
        CAL,
        notified_on=dt.date(2026, 3, 6),
        today=dt.date(2026, 3, 6),
        defence_working_days=5,
        type_=T.MAJOR_DEMERIT,
    )
    assert s.proposed_type is T.MAJOR_DEMERIT and s.defence_due_on == dt.date(2026, 3, 13)
    with pytest.raises(Conflict):
        decide(s, on=dt.date(2026, 3, 13))
    decide(s, on=dt.date(2026, 3, 16))
    assert s.type is T.MAJOR_DEMERIT and s.period_months == 18


def test_the_combined_period_may_not_exceed_the_proposed_one():
    s = in_window(combined_count=3, months=24)
    with pytest.raises(RuleViolation) as err:
        decide(s, months=30)
    assert err.value.rule == "sanction.heavier_than_proposal"
    decide(s, months=20)
    assert s.period_months == 20


def test_a_government_sanction_takes_effect_on_the_decision_date():
    s = in_window()
    with pytest.raises(RuleViolation) as err:
        decide(s, effective_on=dt.date(2026, 3, 11), on=dt.date(2026, 3, 10))
    assert err.value.rule == "sanction.effective_on"
    org = in_window(T.REMOVAL_FROM_POST, S.ORG_HANDLING)
    restrictions = org.decide(
        CAT,
        decided_on=dt.date(2026, 3, 10),
        today=dt.date(2026, 3, 12),
        decided_by="o",
        type_=None,
        months=None,
        effective_on=dt.date(2026, 3, 12),
        publication_scope="UNIT",
        guard=ToleranceGuard(),
        new_id=new_id,
    )
    assert org.effective_on == dt.date(2026, 3, 12)
    assert all(r.source_type is Src.ORG_HANDLING for r in restrictions)


@pytest.mark.parametrize(
    ("guard", "rule"),
    [
        (ToleranceGuard(pending_case=True), "sanction.tolerance_pending"),
        (ToleranceGuard(exempted=True), "sanction.incident_tolerated"),
        (ToleranceGuard(window_open_until=dt.date(2026, 3, 10)), "sanction.tolerance_window_open"),
    ],
)
def test_the_tolerance_decision_comes_first(guard, rule):
    with pytest.raises(Conflict) as err:
        decide(in_window(), guard=guard)
    assert err.value.rule == rule


def test_a_decided_tolerance_case_or_a_closed_window_lets_the_decision_through():
    decide(in_window(), guard=ToleranceGuard(window_open_until=dt.date(2026, 3, 20), case_decided=True))
    decide(in_window(), guard=ToleranceGuard(window_open_until=dt.date(2026, 3, 9)))


def test_decision_emits_sanction_effective_with_the_effects_and_demotion_flags():
    s = in_window(T.DISMISSAL_FROM_POST)
    decide(s)
    evt = s.events[-1]
    assert isinstance(evt, events.SanctionBecameEffective)
    assert evt.state.demotes_rank and evt.state.demotes_level and evt.state.period_months == 24
    assert "NO_SALARY_STEP" in evt.state.effects and evt.state.ends_on == dt.date(2028, 3, 10)


def test_a_civil_service_sanction_during_a_running_one_adds_the_rest_of_it():
    s = in_window(T.WARNING, S.CIVIL_SERVICE)
    decide(s, running_until=dt.date(2026, 5, 10))
    assert s.ends_on == dt.date(2026, 11, 10)


def test_party_probation_extension_moves_the_bars_and_adds_a_graded_year():
    s = in_window(T.PARTY_PROBATION, S.PARTY, months=12)
    restrictions = decide(s)
    added = s.extend_probation(
        CAT,
        reason="no sign of repentance during 察看",
        today=dt.date(2026, 9, 1),
        restrictions=restrictions,
        new_id=new_id,
    )
    assert s.status is SanctionStatus.EXTENDED and s.ends_on == dt.date(2028, 3, 10) and s.period_months == 24
    ends = {r.effect: r.ends_on for r in restrictions if not r.effect.value.startswith("GRADE")}
    assert ends == {
        E.NO_POST_PROMOTION: dt.date(2028, 3, 10),
        E.NO_RANK_PROMOTION: dt.date(2028, 3, 10),
        E.NO_LEVEL_PROMOTION: dt.date(2028, 3, 10),
        E.NO_POST_EQUAL_OR_ABOVE: dt.date(2030, 3, 10),
    }
    assert [(r.effect, r.starts_on.year) for r in added] == [(E.GRADE_UNDETERMINED, 2028)]
    extended = [r for r in restrictions if r.events and isinstance(r.events[-1], events.RestrictionExtended)]
    assert len(extended) == 4 and all(r.reason == "no sign of repentance during 察看" for r in extended)
    with pytest.raises(InvalidTransition):
        s.extend_probation(
            CAT,
            reason="second extension not allowed",
            today=dt.date(2026, 10, 1),
            restrictions=restrictions,
            new_id=new_id,
        )


def test_only_probation_is_extended_and_only_before_it_ends():
    s = in_window()
    restrictions = decide(s)
    with pytest.raises(RuleViolation) as err:
        s.extend_probation(
            CAT, reason="a reason long enough", today=dt.date(2026, 4, 1), restrictions=restrictions, new_id=new_id
        )
    assert err.value.rule == "sanction.extension_type"
    p = in_window(T.PARTY_PROBATION, S.PARTY, months=12)
    rs = decide(p)
    with pytest.raises(Conflict):
        p.extend_probation(
            CAT, reason="a reason long enough", today=dt.date(2027, 3, 10), restrictions=rs, new_id=new_id
        )
    with pytest.raises(RuleViolation):
        p.extend_probation(CAT, reason="short", today=dt.date(2026, 4, 1), restrictions=rs, new_id=new_id)


def test_expiry_at_the_end_of_the_period():
    s = in_window(T.WARNING)
    decide(s)
    with pytest.raises(RuleViolation):
        s.expire(CAT, dt.date(2026, 9, 9))
    s.expire(CAT, dt.date(2026, 9, 10))
    assert s.status is SanctionStatus.EXPIRED and isinstance(s.events[-1], events.SanctionExpired)


def test_an_appeal_varying_the_sanction_recomputes_period_and_restrictions_from_the_effective_date():
    s = in_window(T.MAJOR_DEMERIT)
    old = decide(s)
    fresh = s.vary(CAT, new_type=T.WARNING, appeal_id="ap-1", on=dt.date(2026, 5, 1), restrictions=old, new_id=new_id)
    assert all(r.status is RSt.LIFTED and r.reason == "APPEAL_VARIED" for r in old if r.starts_on < dt.date(2026, 5, 1))
    assert s.type is T.WARNING and s.previous_type is T.MAJOR_DEMERIT and s.ends_on == dt.date(2026, 9, 10)
    assert {r.effect for r in fresh} == {
        E.NO_POST_PROMOTION,
        E.NO_RANK_PROMOTION,
        E.NO_LEVEL_PROMOTION,
        E.GRADE_NOT_EXCELLENT,
    }
    assert all(r.starts_on == dt.date(2026, 3, 10) for r in fresh)
    evt = s.events[-1]
    assert isinstance(evt, events.SanctionVaried) and evt.previous_type == "MAJOR_DEMERIT" and evt.appeal_id == "ap-1"


def test_a_variation_never_makes_it_heavier():
    s = in_window(T.WARNING)
    rs = decide(s)
    with pytest.raises(RuleViolation) as err:
        s.vary(CAT, new_type=T.DEMERIT, appeal_id="ap", on=dt.date(2026, 4, 1), restrictions=rs, new_id=new_id)
    assert err.value.rule == "sanction.appeal_heavier"


def test_a_variation_whose_new_period_is_over_creates_no_running_restriction():
    s = in_window(T.MAJOR_DEMERIT)
    old = decide(s)
    fresh = s.vary(CAT, new_type=T.WARNING, appeal_id="ap", on=dt.date(2027, 6, 1), restrictions=old, new_id=new_id)
    assert fresh == []


def test_a_revoked_sanction_leaves_no_active_restriction():
    s = in_window(T.DISMISSAL_FROM_POST)
    restrictions = decide(s)
    s.revoke(CAT, appeal_id="ap-2", on=dt.date(2026, 6, 1), restrictions=restrictions)
    assert s.status is SanctionStatus.REVOKED
    assert not any(r.active_on(dt.date(2026, 6, 1)) or r.status is RSt.ACTIVE for r in restrictions)
    evt = s.events[-1]
    assert isinstance(evt, events.SanctionRevoked) and evt.publication_scope == "UNIT"
    assert evt.state.demotes_rank  # rank restores what the decision lowered


def test_withdraw_and_mitigate_only_before_the_decision():
    s = in_window(T.MAJOR_DEMERIT)
    s.mitigate(CAT, case_id="tc-1", to_type=T.WARNING)
    assert s.proposed_type is T.WARNING and s.mitigated_by_case_id == "tc-1"
    with pytest.raises(RuleViolation):
        s.notify_facts(
            CAT,
            CAL,
            notified_on=dt.date(2026, 3, 3),
            today=dt.date(2026, 3, 3),
            defence_working_days=5,
            type_=T.DEMERIT,
        )
    with pytest.raises(RuleViolation) as err:
        in_window(T.WARNING).mitigate(CAT, case_id="tc", to_type=T.DEMERIT)
    assert err.value.rule == "tolerance.mitigation_not_lighter"
    decide(s)
    # The lighter sanction's own period applies.
    assert s.period_months == 6
    with pytest.raises(InvalidTransition):
        s.withdraw(on=dt.date(2026, 4, 1), reason="too late")
    w = in_window()
    w.withdraw(on=dt.date(2026, 3, 3), reason="TOLERATED")
    assert w.status is SanctionStatus.WITHDRAWN


def test_an_admonishment_from_appraisal_is_in_force_from_the_talk():
    s, restrictions = Sanction.admonish(
        CAT, sanction_id="s9", cadre_id="c1", issued_on=dt.date(2026, 3, 1), external_ref="talk/t-12", new_id=new_id
    )
    assert s.status is SanctionStatus.EFFECTIVE and s.ends_on == dt.date(2026, 9, 1)
    assert {(r.effect, r.ends_on) for r in restrictions} == {
        (E.NO_POST_PROMOTION, dt.date(2026, 9, 1)),
        (E.NO_RANK_PROMOTION, dt.date(2026, 9, 1)),
        (E.NO_LEVEL_PROMOTION, dt.date(2026, 9, 1)),
        (E.GRADE_NOT_EXCELLENT, dt.date(2027, 1, 1)),
    }
    assert all(r.source_type is Src.ADMONISHMENT for r in restrictions)


def test_a_proposal_in_the_future_or_outside_its_system_is_refused():
    with pytest.raises(RuleViolation) as err:
        Sanction.propose(
            CAT,
            sanction_id="s",
            cadre_id="c",
            system=S.GOV,
            type_=T.WARNING,
            proposed_on=dt.date(2026, 3, 3),
            today=dt.date(2026, 3, 2),
            incident_id=None,
        )
    assert err.value.rule == "sanction.proposed_on"
    with pytest.raises(RuleViolation) as err:
        proposed(T.PARTY_WARNING, S.GOV)
    assert err.value.rule == "sanction.system"
