"""Past contracts and role terms (domain/past_contracts.py, contract.recorded_contract): the checks of a past fact and
the state a term stands in today, built from its real dates."""

from __future__ import annotations

import dataclasses

import pytest

from kernel.errors import Conflict, RuleViolation
from services.rank.domain import events
from services.rank.domain.contract import recorded_contract
from services.rank.domain.past_contracts import PastContract
from tests.rank.unit.factories import D
from tests.rank.unit.test_contract_rules import POLICY

TODAY = D(2026, 6, 15)
ENDED = PastContract(
    cadre_id="c-1",
    kind="ROLE_TERM",
    starts_on=D(2017, 7, 1),
    ends_on=D(2020, 6, 30),
    source="PAPER_RECORD",
    outcome="RENEW",
    decided_on=D(2020, 5, 20),
)


def build(fact: PastContract, today=TODAY, category="COMPREHENSIVE"):
    fact.check(today=today)
    return recorded_contract(contract_id="k-1", fact=fact, category=category, first=True, policy=POLICY, today=today)


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        (
            {"starts_on": D(2026, 6, 16), "ends_on": D(2029, 6, 15), "outcome": None, "decided_on": None},
            "contract_history.starts_on",
            "starts_on",
        ),
        ({"decided_on": D(2026, 6, 16)}, "contract_history.decided_on", "decided_on"),
        ({"filed_on": D(2026, 6, 16)}, "contract_history.filed_on", "filed_on"),
        ({"starts_on": D(1899, 7, 1)}, "contract_history.starts_on", "starts_on"),
        ({"ends_on": D(2017, 7, 1)}, "contract.term", "ends_on"),
        ({"outcome": None, "decided_on": None}, "contract_history.outcome", "outcome"),
        ({"decided_on": None}, "contract_history.decided_on", "decided_on"),
        ({"decided_on": D(2017, 6, 30)}, "contract_history.decided_on", "decided_on"),
        ({"outcome": "TERMINATED"}, "contract.ground", "termination_ground"),
        (
            {"outcome": "TERMINATED", "termination_ground": "ABSENCE", "decided_on": D(2020, 7, 1)},
            "contract.terminated_on",
            "decided_on",
        ),
        ({"termination_ground": "ABSENCE"}, "contract_history.termination_ground", "termination_ground"),
        ({"kind": "APPOINTED_CS", "outcome": "PROMOTE"}, "contract.outcome", "outcome"),
        ({"source": "RUMOUR"}, "contract_history.source", "source"),
    ],
)
def test_a_past_term_that_cannot_be_a_past_fact_is_refused_naming_the_field(changes, rule, field):
    with pytest.raises(RuleViolation) as refused:
        dataclasses.replace(ENDED, **changes).check(today=TODAY)
    assert (refused.value.rule, refused.value.extra.get("field")) == (rule, field)


def test_an_ended_term_is_closed_with_the_events_of_its_decision_on_the_real_date():
    c = build(ENDED)
    assert (c.status, c.outcome, c.decided_on, c.filed_on) == ("RENEWED", "RENEW", D(2020, 5, 20), D(2017, 7, 1))
    assert [type(e) for e in c.events] == [events.ContractSigned, events.ContractRenewalDecided]
    assert not c.advance(today=TODAY, policy=POLICY)  # the sweep never reviews it


def test_a_terminated_term_is_terminated_on_its_real_date_and_in_probation_only_while_it_ran():
    appointed = dataclasses.replace(
        ENDED,
        kind="APPOINTED_CS",
        ends_on=D(2020, 6, 30),
        probation_months=6,
        outcome="TERMINATED",
        decided_on=D(2017, 10, 1),
        termination_ground="UNFIT_IN_PROBATION",
    )
    c = build(appointed, category="APPOINTED")
    assert (c.status, c.terminated_on, c.termination_ground) == ("TERMINATED", D(2017, 10, 1), "UNFIT_IN_PROBATION")
    assert [type(e) for e in c.events] == [events.ContractSigned, events.ContractTerminated]
    with pytest.raises(Conflict) as late:  # unfit in probation, after probation ended: refused as live
        build(dataclasses.replace(appointed, decided_on=D(2018, 2, 1)), category="APPOINTED")
    assert late.value.rule == "contract.ground"


def test_a_running_term_stands_by_its_real_dates():
    running = dataclasses.replace(
        ENDED, starts_on=D(2025, 1, 1), ends_on=D(2027, 12, 31), outcome=None, decided_on=None
    )
    c = build(running)
    assert c.status == "ACTIVE" and [type(e) for e in c.events] == [events.ContractSigned]
    due = build(dataclasses.replace(running, starts_on=D(2023, 7, 1), ends_on=D(2026, 6, 30)))
    assert due.status == "RENEWAL_REVIEW" and type(due.events[-1]) is events.ContractTermEnding


def test_the_rules_of_signing_apply():
    with pytest.raises(RuleViolation) as refused:
        build(dataclasses.replace(ENDED, probation_months=3))
    assert refused.value.rule == "contract.probation"
    with pytest.raises(RuleViolation) as wrong_category:
        build(ENDED, category="APPOINTED")
    assert wrong_category.value.rule == "contract.category"
