"""Past tolerance decisions and past investigations (docs/tolerance.md): the live aggregates on the real dates, the
checks of a record, and the natural keys that make a repeated record the same fact."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from kernel.contracts.vocabulary import RestrictionStatus, SanctionType, ToleranceDecision
from kernel.errors import Conflict, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.history import HistorySource
from services.tolerance.domain.investigation import InvestigationResult, InvestigationStatus
from services.tolerance.domain.past_cases import PastInvestigation, PastToleranceDecision
from services.tolerance.domain.tolerance_case import CaseStatus

D = dt.date
TODAY = D(2026, 6, 15)


def decision(**extra) -> PastToleranceDecision:
    values = dict(
        cadre_id="c-a",
        decision=ToleranceDecision.EXEMPT,
        decided_on=D(2024, 5, 20),
        reasons="met",
        body="committee",
        document_number="容〔2024〕2号",
        source=HistorySource.PAPER_RECORD,
        occurred_on=D(2024, 3, 1),
        summary="late permit",
        applied_on=D(2024, 4, 10),
    )
    values.update(extra)
    return PastToleranceDecision(**values)


def investigation(**extra) -> PastInvestigation:
    values = dict(
        cadre_id="c-a",
        opened_on=D(2025, 1, 10),
        document_number="纪立〔2025〕3号",
        source=HistorySource.PAPER_RECORD,
        closed_on=D(2025, 7, 1),
        conclusion=InvestigationResult.NO_SANCTION,
    )
    values.update(extra)
    return PastInvestigation(**values)


def test_a_past_decision_is_the_decided_case_with_the_live_event_on_its_real_date():
    fact = decision(decision=ToleranceDecision.MITIGATE, mitigated_to=SanctionType.WARNING)
    incident = fact.incident(incident_id="inc-1", today=TODAY)
    assert (incident.occurred_on, incident.opened_on, incident.tolerance_window_ends_on) == (
        D(2024, 3, 1),
        D(2024, 4, 10),
        None,
    )
    case = fact.case(case_id="tc-1", incident=incident, today=TODAY, linked_sanction_decided=False)
    assert (case.status, case.decision, case.applied_on, case.decided_on, case.mitigated_to) == (
        CaseStatus.CLOSED,
        ToleranceDecision.MITIGATE,
        D(2024, 4, 10),
        D(2024, 5, 20),
        SanctionType.WARNING,
    )
    [granted] = case.events
    assert isinstance(granted, events.ToleranceGranted) and granted.decided_on == D(2024, 5, 20)
    rejected = decision(decision=ToleranceDecision.REJECT).case(
        case_id="tc-2", incident=incident, today=TODAY, linked_sanction_decided=False
    )
    assert [type(e) for e in rejected.events] == [events.ToleranceRejected]


def test_the_live_guard_holds_for_a_past_decision():
    fact = decision()
    incident = fact.incident(incident_id="inc-1", today=TODAY)
    with pytest.raises(Conflict) as guard:
        fact.case(case_id="tc-1", incident=incident, today=TODAY, linked_sanction_decided=True)
    assert guard.value.rule == "tolerance.sanction_already_decided"


@pytest.mark.parametrize(
    ("extra", "rule", "field"),
    [
        ({"decided_on": D(2026, 6, 16)}, "tolerance_history.future", "decided_on"),
        ({"occurred_on": D(1899, 1, 1)}, "tolerance_history.too_old", "occurred_on"),
        ({"applied_on": D(2024, 2, 1)}, "tolerance.applied_on", "applied_on"),
        ({"decided_on": D(2024, 4, 9)}, "tolerance.decided_on", "decided_on"),
        ({"incident_id": "inc-1"}, "tolerance_history.incident", "incident_id"),
        ({"occurred_on": None, "summary": None}, "tolerance_history.incident", "incident_id"),
        ({"summary": " "}, "tolerance_history.incident", "summary"),
        ({"reasons": " "}, "tolerance.reasons", "reasons"),
        ({"mitigated_to": SanctionType.WARNING}, "tolerance.mitigated_to", "mitigated_to"),
        ({"document_number": " "}, "tolerance_history.document_number", "document_number"),
    ],
)
def test_the_checks_of_a_past_decision(extra, rule, field):
    with pytest.raises(RuleViolation) as refused:
        decision(**extra).check(today=TODAY)
    assert (refused.value.rule, refused.value.extra["field"]) == (rule, field)


def test_a_past_investigation_bars_from_its_real_opening_to_the_day_before_its_real_closing():
    ids = (f"r{i}" for i in itertools.count())
    inv, restrictions = investigation().build(investigation_id="inv-1", today=TODAY, new_id=lambda: next(ids))
    assert (inv.status, inv.closed_on, inv.result) == (
        InvestigationStatus.CLOSED,
        D(2025, 7, 1),
        InvestigationResult.NO_SANCTION,
    )
    assert inv.case_id == inv.report_id == investigation().natural_key()
    assert len(restrictions) == 4 and all(r.status is RestrictionStatus.LIFTED for r in restrictions)
    assert all(
        not r.active_on(D(2025, 1, 9))
        and r.active_on(D(2025, 1, 10))
        and r.active_on(D(2025, 6, 30))
        and not r.active_on(D(2025, 7, 1))
        for r in restrictions
    )
    assert [type(e) for e in inv.events] == [events.InvestigationOpened, events.InvestigationClosed]
    still_open, bars = investigation(closed_on=None, conclusion=None).build(
        investigation_id="inv-2", today=TODAY, new_id=lambda: next(ids)
    )
    assert still_open.status is InvestigationStatus.OPEN and all(r.active_on(TODAY) for r in bars)


@pytest.mark.parametrize(
    ("extra", "rule", "field"),
    [
        (
            {"opened_on": D(2026, 6, 16), "closed_on": None, "conclusion": None},
            "investigation_history.future",
            "opened_on",
        ),
        ({"closed_on": D(2026, 6, 16)}, "investigation_history.future", "closed_on"),
        ({"conclusion": None}, "investigation_history.conclusion", "conclusion"),
        ({"closed_on": None}, "investigation_history.conclusion", "conclusion"),
        ({"closed_on": D(2025, 1, 9)}, "investigation.closed_on", "closed_on"),
    ],
)
def test_the_checks_of_a_past_investigation(extra, rule, field):
    with pytest.raises(RuleViolation) as refused:
        investigation(**extra).check(today=TODAY)
    assert (refused.value.rule, refused.value.extra["field"]) == (rule, field)


def test_natural_keys_ignore_provenance_and_spacing():
    a, b = decision(), decision(source=HistorySource.IMPORT, document_number="容〔２０２４〕 2号")
    assert a.natural_key() == b.natural_key() and a.values() == b.values()
    assert a.natural_key() != decision(decided_on=D(2024, 5, 21)).natural_key()
    assert a.outcome() == decision(reasons="other").outcome() and a.values() != decision(reasons="other").values()
    i, j = investigation(), investigation(source=HistorySource.DOSSIER, document_number="纪立〔2025〕 3号")
    assert i.natural_key() == j.natural_key() and i.values() == j.values()
    assert i.natural_key() != dataclasses.replace(i, cadre_id="c-b").natural_key()
