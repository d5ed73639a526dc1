"""The ToleranceCase aggregate: checklist with evidence, collective decision rules, guard and follow-up."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.contracts.vocabulary import SanctionType, ToleranceDecision
from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.rules.tolerance import Condition, DecisionRules, Exclusion, Initiator
from services.tolerance.domain.tolerance_case import CaseStatus, Finding, Member, ToleranceCase, Vote

TODAY = dt.date(2026, 6, 20)
RULES = DecisionRules()
REFS = (events.SourceRef("INACTION_FINDING", "if-9"),)


def applied():
    return ToleranceCase.apply(
        case_id="tc-1",
        incident_id="inc-31",
        cadre_id="c1",
        initiator=Initiator.SELF,
        applied_on=dt.date(2026, 6, 1),
        today=TODAY,
        statement="pilot reform",
    )


def verified(conditions=True, exclusions=False):
    case = applied()
    case.accept(accepted=True, on=dt.date(2026, 6, 2), today=TODAY, note=None)
    case.record_checklist(
        conditions={c: Finding(conditions, f"evidence {c}") for c in Condition},
        exclusions={e: Finding(exclusions, f"checked {e}") for e in Exclusion},
        verification_report_ref="vr-1",
    )
    case.submit(on=dt.date(2026, 6, 10), today=TODAY)
    return case


def members(votes=("FOR", "FOR", "FOR", "AGAINST", "ABSTAIN"), **extra):
    return tuple(Member(member_id=f"m{i}", vote=Vote(v) if v else None, **extra) for i, v in enumerate(votes))


def decide(
    case,
    decision=ToleranceDecision.EXEMPT,
    ms=None,
    body_size=5,
    relatives=frozenset(),
    decided=False,
    mitigated_to=None,
):
    case.decide(
        decision=decision,
        reasons="meets the six conditions",
        on=dt.date(2026, 6, 20),
        today=TODAY,
        body="party committee",
        body_size=body_size,
        members=ms if ms is not None else members(),
        rules=RULES,
        relative_ids=relatives,
        linked_sanction_decided=decided,
        mitigated_to=mitigated_to,
        publication_scope="UNIT",
        source_refs=REFS,
    )


def test_an_exempt_decision_with_every_condition_met_grants_tolerance_with_the_source_refs():
    case = verified()
    decide(case)
    assert case.status is CaseStatus.EXEMPTED
    evt = case.events[-1]
    assert isinstance(evt, events.ToleranceGranted) and evt.decision == "EXEMPT" and evt.source_refs == REFS


def test_exemption_needs_all_six_conditions():
    case = applied()
    case.accept(accepted=True, on=dt.date(2026, 6, 2), today=TODAY, note=None)
    findings = {c: Finding(True, "ok") for c in Condition}
    findings[Condition.REMEDIATED] = Finding(False, "loss not recovered")
    case.record_checklist(
        conditions=findings, exclusions={e: Finding(False, "none") for e in Exclusion}, verification_report_ref=None
    )
    case.submit(on=dt.date(2026, 6, 10), today=TODAY)
    with pytest.raises(RuleViolation) as err:
        decide(case)
    assert err.value.rule == "tolerance.conditions_unmet" and err.value.extra["unmet"] == ["REMEDIATED"]
    decide(case, ToleranceDecision.MITIGATE, mitigated_to=SanctionType.WARNING)
    assert case.status is CaseStatus.MITIGATED and case.mitigated_to is SanctionType.WARNING


def test_an_exclusion_bars_exemption_and_mitigation_but_not_rejection():
    for decision in (ToleranceDecision.EXEMPT, ToleranceDecision.MITIGATE):
        with pytest.raises(RuleViolation) as err:
            decide(verified(exclusions=True), decision)
        assert err.value.rule == "tolerance.exclusion_present"
    case = verified(exclusions=True)
    decide(case, ToleranceDecision.REJECT)
    assert case.status is CaseStatus.REJECTED and isinstance(case.events[-1], events.ToleranceRejected)


def test_submission_needs_every_item_assessed_with_evidence():
    case = applied()
    case.accept(accepted=True, on=dt.date(2026, 6, 2), today=TODAY, note=None)
    with pytest.raises(RuleViolation) as err:
        case.record_checklist(
            conditions={Condition.LAWFUL: Finding(True, "  ")}, exclusions={}, verification_report_ref=None
        )
    assert err.value.rule == "tolerance.evidence"
    case.record_checklist(
        conditions={Condition.LAWFUL: Finding(True, "audit report")}, exclusions={}, verification_report_ref=None
    )
    with pytest.raises(RuleViolation) as err:
        case.submit(on=dt.date(2026, 6, 10), today=TODAY)
    assert err.value.rule == "tolerance.checklist_incomplete" and "REMEDIATED" in err.value.extra["missing"]


def test_quorum_majority_and_recusal():
    with pytest.raises(RuleViolation) as err:
        decide(verified(), ms=members(("FOR", "FOR", "FOR")), body_size=5)  # 3 of 5 < 2/3
    assert err.value.rule == "tolerance.quorum"
    with pytest.raises(RuleViolation) as err:
        decide(verified(), ms=members(("FOR", "FOR", "AGAINST", "ABSTAIN")), body_size=5)
    assert err.value.rule == "tolerance.majority"
    with pytest.raises(RuleViolation) as err:
        decide(verified(), body_size=2, ms=members(("FOR", "FOR")))
    assert err.value.rule == "tolerance.body_size"
    with pytest.raises(RuleViolation) as err:
        decide(verified(), ms=(*members(("FOR", "FOR", "FOR", "FOR")), Member("m9", None)))
    assert err.value.rule == "tolerance.vote_missing"


def test_a_member_with_a_conflict_of_interest_must_recuse_and_then_does_not_vote():
    relative = Member("m-rel", Vote.FOR, cadre_id="c-spouse")
    with pytest.raises(RuleViolation) as err:
        decide(verified(), ms=(*members(("FOR", "FOR", "FOR", "AGAINST")), relative), relatives=frozenset({"c-spouse"}))
    assert err.value.rule == "tolerance.recusal_required"
    with pytest.raises(RuleViolation) as err:
        decide(
            verified(),
            ms=(
                *members(("FOR", "FOR", "FOR", "AGAINST")),
                Member("m-self", Vote.FOR, recused=True, recusal_reason="is the applicant", cadre_id="c1"),
            ),
        )
    assert err.value.rule == "tolerance.recused_vote"
    with pytest.raises(RuleViolation) as err:
        decide(verified(), ms=(*members(("FOR", "FOR", "FOR", "AGAINST")), Member("m5", None, recused=True)))
    assert err.value.rule == "tolerance.recusal_reason"
    # Recused: 3 FOR of 4 eligible is a majority.
    case = verified()
    decide(
        case,
        ms=(
            *members(("FOR", "FOR", "FOR", "AGAINST")),
            Member("m-self", None, recused=True, recusal_reason="applicant", cadre_id="c1"),
        ),
    )
    assert case.status is CaseStatus.EXEMPTED


def test_no_decision_after_the_linked_sanction_was_decided():
    with pytest.raises(Conflict) as err:
        decide(verified(), decided=True)
    assert err.value.rule == "tolerance.sanction_already_decided"
    with pytest.raises(Conflict):
        ToleranceCase.apply(
            case_id="x",
            incident_id="i",
            cadre_id="c",
            initiator=Initiator.UNIT,
            applied_on=TODAY,
            today=TODAY,
            statement="s",
            linked_sanction_decided=True,
        )


def test_follow_up_runs_in_order_to_closure():
    case = verified()
    decide(case)
    with pytest.raises(InvalidTransition):
        case.file_upward(on=TODAY, today=TODAY, publication_scope="UNIT")
    case.notify(on=TODAY, today=TODAY)
    case.file_upward(on=TODAY, today=TODAY, publication_scope="UNIT")
    with pytest.raises(RuleViolation):
        case.open_correction(plan="fix the process", due_on=TODAY, today=TODAY)
    case.open_correction(plan="fix the process", due_on=dt.date(2026, 9, 1), today=TODAY)
    with pytest.raises(InvalidTransition):
        case.close(on=TODAY, today=TODAY)
    case.complete_correction(on=TODAY, today=TODAY, follow_up="process fixed, audited")
    case.close(on=TODAY, today=TODAY)
    assert case.status is CaseStatus.CLOSED


def test_a_declined_application_needs_a_reason_and_can_be_closed():
    case = applied()
    with pytest.raises(RuleViolation):
        case.accept(accepted=False, on=dt.date(2026, 6, 2), today=TODAY, note="")
    case.accept(accepted=False, on=dt.date(2026, 6, 2), today=TODAY, note="not an accountability matter")
    assert case.status is CaseStatus.NOT_ACCEPTED
    with pytest.raises(InvalidTransition):
        case.record_checklist(conditions={}, exclusions={}, verification_report_ref=None)
    case.close(on=dt.date(2026, 6, 3), today=TODAY)


def test_dates_in_the_future_or_before_the_previous_step_are_refused():
    with pytest.raises(RuleViolation):
        ToleranceCase.apply(
            case_id="x",
            incident_id="i",
            cadre_id="c",
            initiator=Initiator.UNIT,
            applied_on=dt.date(2026, 7, 1),
            today=TODAY,
            statement="s",
        )
    case = applied()
    with pytest.raises(RuleViolation) as err:
        case.accept(accepted=True, on=dt.date(2026, 5, 1), today=TODAY, note=None)
    assert err.value.rule == "tolerance.accepted_on"
