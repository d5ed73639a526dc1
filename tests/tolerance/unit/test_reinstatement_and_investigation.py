"""Reinstatement eligibility and procedure (upper-level consultation), investigations and incidents."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from kernel.contracts.vocabulary import ReportOutcome
from kernel.contracts.vocabulary import RestrictionEffect as E
from kernel.contracts.vocabulary import RestrictionSource as Src
from kernel.contracts.vocabulary import RestrictionStatus as RSt
from kernel.contracts.vocabulary import SanctionType as T
from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.investigation import (
    Incident,
    Investigation,
    InvestigationResult,
    InvestigationStatus,
    classify_result,
    result_for_outcome,
)
from services.tolerance.domain.reinstatement import (
    Objection,
    Reinstatement,
    ReinstatementStatus,
    upper_consultation_required,
)
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.rules.catalogue import build_catalogue

TODAY = dt.date(2027, 6, 1)
_ids = itertools.count()


def new_id():
    return f"r{next(_ids)}"


@pytest.mark.parametrize(
    ("target", "original", "enabled", "required"),
    [
        (3, 3, True, True),
        (4, 3, True, True),
        (2, 3, True, False),
        (None, 3, True, True),
        (2, None, True, True),
        (4, 3, False, False),
    ],
)
def test_upper_consultation_is_required_when_the_target_is_equal_to_or_above_the_original(
    target, original, enabled, required
):
    assert upper_consultation_required(target, original, enabled=enabled) is required


def reinstatement(original=3):
    return Reinstatement.become_eligible(
        reinstatement_id="ri-1",
        cadre_id="c1",
        basis_sanction_ids=["s1"],
        eligible_from=dt.date(2027, 3, 1),
        original_post_level=original,
    )


def through_fact_finding(target=3, objection=Objection.NONE, favourable=True):
    ri = reinstatement()
    ri.report(on=dt.date(2027, 3, 5), today=TODAY, summary="reflection and work report")
    ri.give_org_opinion(
        on=dt.date(2027, 3, 20),
        today=TODAY,
        opinion="suitable",
        target_post="DIVISION_DEPUTY",
        target_post_level=target,
        upper_enabled=True,
    )
    ri.give_discipline_opinion(on=dt.date(2027, 4, 1), today=TODAY, opinion="no new issues", favourable=favourable)
    ri.find_facts(on=dt.date(2027, 4, 20), today=TODAY, survey_done=True, objection=objection, note="survey done")
    return ri


def decide(ri, restrictions=(), target_post=None, target_level=None, approved=True):
    ri.decide(
        on=dt.date(2027, 5, 10),
        today=TODAY,
        approved=approved,
        body="party committee",
        note="approved",
        target_post=target_post,
        target_post_level=target_level,
        restrictions=list(restrictions),
        upper_enabled=True,
    )


def test_a_post_equal_to_the_original_needs_the_upper_level_first():
    ri = through_fact_finding(target=3)
    assert ri.upper_consult_required
    with pytest.raises(Conflict) as err:
        decide(ri)
    assert err.value.rule == "reinstatement.upper_consultation_required"
    ri.consult_upper_level(on=dt.date(2027, 5, 1), today=TODAY, reference="upper letter 12", agreed=True)
    decide(ri)
    assert ri.status is ReinstatementStatus.COMMITTEE_DECIDED
    evt = ri.events[-1]
    assert isinstance(evt, events.ReinstatementApproved) and evt.upper_consulted and evt.target_post_level == 3
    ri.announce(on=dt.date(2027, 5, 20), today=TODAY)
    assert ri.status is ReinstatementStatus.ANNOUNCED


def test_a_lower_post_needs_no_consultation():
    ri = through_fact_finding(target=2)
    decide(ri)
    assert ri.status is ReinstatementStatus.COMMITTEE_DECIDED and not ri.events[-1].upper_consulted


def test_a_disagreeing_upper_level_or_an_unfavourable_discipline_opinion_blocks_approval():
    ri = through_fact_finding(target=4)
    ri.consult_upper_level(on=dt.date(2027, 5, 1), today=TODAY, reference="upper letter", agreed=False)
    with pytest.raises(Conflict):
        decide(ri)
    decide(ri, approved=False)
    assert ri.status is ReinstatementStatus.NOT_APPROVED and not ri.events
    with pytest.raises(Conflict) as err:
        decide(through_fact_finding(target=1, favourable=False))
    assert err.value.rule == "reinstatement.discipline_objection"


def test_strong_objection_postpones_and_new_fact_finding_resumes():
    ri = through_fact_finding(target=2, objection=Objection.STRONG)
    assert ri.status is ReinstatementStatus.POSTPONED
    with pytest.raises(InvalidTransition):
        decide(ri)
    ri.find_facts(on=dt.date(2027, 5, 1), today=TODAY, survey_done=False, objection=Objection.MINOR, note="calmer")
    decide(ri)
    assert ri.status is ReinstatementStatus.COMMITTEE_DECIDED


def test_no_reinstatement_while_another_bar_runs_or_into_a_barred_post():
    bar = Restriction.activate(
        restriction_id=new_id(),
        cadre_id="c1",
        effect=E.NO_RANK_PROMOTION,
        source_type=Src.SANCTION,
        source_id="s2",
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 12, 1),
    )
    with pytest.raises(Conflict) as err:
        decide(through_fact_finding(target=2), [bar])
    assert err.value.rule == "reinstatement.other_bar"
    above = Restriction.activate(
        restriction_id=new_id(),
        cadre_id="c1",
        effect=E.NO_POST_ABOVE_ORIGINAL,
        source_type=Src.ORG_HANDLING,
        source_id="s1",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2028, 1, 1),
    )
    ri = through_fact_finding(target=4)
    ri.consult_upper_level(on=dt.date(2027, 5, 1), today=TODAY, reference="letter", agreed=True)
    with pytest.raises(Conflict) as err:
        decide(ri, [above])
    assert err.value.rule == "reinstatement.post_bar"
    decide(through_fact_finding(target=2), [above])


def test_steps_run_in_order():
    ri = reinstatement()
    with pytest.raises(InvalidTransition) as err:
        ri.give_org_opinion(
            on=TODAY, today=TODAY, opinion="x", target_post="p", target_post_level=1, upper_enabled=True
        )
    assert err.value.extra["allowed_actions"] == ["report"]  # from ELIGIBLE, the table's only step
    with pytest.raises(RuleViolation):
        ri.report(on=dt.date(2027, 2, 1), today=TODAY, summary="before eligibility")
    with pytest.raises(RuleViolation):
        Reinstatement.become_eligible(
            reinstatement_id="x", cadre_id="c", basis_sanction_ids=[], eligible_from=TODAY, original_post_level=None
        )


def test_an_investigation_bars_promotion_and_grading_until_it_closes():
    inv, restrictions = Investigation.open(
        investigation_id="inv-1",
        case_id="case-7",
        report_id="r-1",
        cadre_id="c1",
        opened_on=dt.date(2026, 5, 10),
        new_id=new_id,
    )
    assert {r.effect for r in restrictions} == {
        E.NO_POST_PROMOTION,
        E.NO_RANK_PROMOTION,
        E.NO_LEVEL_PROMOTION,
        E.GRADE_UNDETERMINED,
    }
    assert all(r.ends_on is None and r.source_type is Src.INVESTIGATION for r in restrictions)
    inv.close(result=InvestigationResult.NO_SANCTION, on=dt.date(2026, 8, 1), restrictions=restrictions)
    assert inv.status is InvestigationStatus.CLOSED
    assert all(r.status is RSt.LIFTED and r.until == dt.date(2026, 8, 1) for r in restrictions)
    assert isinstance(inv.events[-1], events.InvestigationClosed) and inv.events[-1].result == "NO_SANCTION"
    with pytest.raises(InvalidTransition):
        inv.close(result=InvestigationResult.NO_SANCTION, on=dt.date(2026, 8, 2), restrictions=restrictions)


def test_closing_results_follow_the_outcome_and_the_handling():
    cat = build_catalogue()
    assert result_for_outcome(ReportOutcome.UNFOUNDED) is InvestigationResult.UNFOUNDED
    assert result_for_outcome(ReportOutcome.NO_ACTION) is InvestigationResult.NO_SANCTION
    assert result_for_outcome(ReportOutcome.SUBSTANTIATED) is None
    assert classify_result(cat, []) is InvestigationResult.NO_SANCTION
    assert classify_result(cat, [T.WARNING, T.ADMONISHMENT]) is InvestigationResult.WARNING_LEVEL
    assert classify_result(cat, [T.WARNING, T.DEMERIT]) is InvestigationResult.SANCTIONED


def test_an_incident_opens_a_tolerance_window_and_validates_its_dates():
    inc = Incident.record(
        incident_id="inc-1",
        cadre_ids=["c1", "c1", "c2"],
        occurred_on=dt.date(2026, 5, 1),
        opened_on=dt.date(2026, 6, 1),
        today=dt.date(2026, 6, 1),
        summary="late permit",
        window_days=15,
    )
    assert inc.cadre_ids == ("c1", "c2") and inc.tolerance_window_ends_on == dt.date(2026, 6, 16)
    for kw in ({"cadre_ids": []}, {"occurred_on": dt.date(2026, 7, 1)}, {"loss_amount": -1}):
        args = dict(
            incident_id="i",
            cadre_ids=["c"],
            occurred_on=dt.date(2026, 5, 1),
            opened_on=dt.date(2026, 6, 1),
            today=dt.date(2026, 6, 1),
            summary="s",
        )
        args.update(kw)
        with pytest.raises(RuleViolation):
            Incident.record(**args)
