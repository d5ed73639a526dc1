"""Contracts: term rules per kind, the outcome table over the term's grades, the state machine."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.rank.domain.contract import Contract, suggest_outcome
from services.rank.domain.rules.policies import ContractPolicy
from tests.rank.unit.factories import D

POLICY = ContractPolicy()


def signed(
    kind="ROLE_TERM",
    category="COMPREHENSIVE",
    starts=D(2023, 7, 1),
    ends=D(2026, 6, 30),
    probation=0,
    tier=None,
    first=True,
) -> Contract:
    return Contract.sign(
        contract_id="k-1",
        cadre_id="c-1",
        category=category,
        kind=kind,
        starts_on=starts,
        ends_on=ends,
        probation_months=probation,
        tier=tier,
        first=first,
        policy=POLICY,
    )


@pytest.mark.parametrize(
    ("grades", "kind", "outcome"),
    [
        (["EXCELLENT", "EXCELLENT", "COMPETENT"], "ROLE_TERM", "PROMOTE"),
        (["EXCELLENT", "COMPETENT", "COMPETENT"], "ROLE_TERM", "RENEW"),
        (["COMPETENT", "UNDETERMINED"], "ROLE_TERM", "KEEP"),
        (["EXCELLENT", "EXCELLENT", "BASIC"], "ROLE_TERM", "DEMOTE"),
        (["EXCELLENT", "INCOMPETENT"], "ROLE_TERM", "NOT_RENEW"),
        ([], "ROLE_TERM", "RENEW"),
        (["EXCELLENT", "EXCELLENT"], "APPOINTED_CS", "RENEW"),
        (["BASIC"], "APPOINTED_CS", "KEEP"),
        (["EXCELLENT", "EXCELLENT"], "GOV_EMPLOYEE", "PROMOTE"),
    ],
)
def test_the_outcome_follows_the_terms_grades(grades, kind, outcome):
    assert suggest_outcome(kind, grades, POLICY)[0] == outcome


def test_the_promotion_threshold_is_configurable():
    assert suggest_outcome("ROLE_TERM", ["EXCELLENT"], ContractPolicy(promote_min_excellent=1))[0] == "PROMOTE"


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        (
            {"kind": "APPOINTED_CS", "category": "APPOINTED", "starts": D(2026, 1, 1), "ends": D(2031, 1, 1)},
            "contract.term",
        ),
        (
            {"kind": "APPOINTED_CS", "category": "APPOINTED", "starts": D(2026, 1, 1), "ends": D(2026, 12, 30)},
            "contract.term",
        ),
        (
            {
                "kind": "APPOINTED_CS",
                "category": "APPOINTED",
                "starts": D(2026, 1, 1),
                "ends": D(2027, 12, 31),
                "probation": 7,
            },
            "contract.probation",
        ),
        (
            {"kind": "APPOINTED_CS", "category": "COMPREHENSIVE", "starts": D(2026, 1, 1), "ends": D(2027, 12, 31)},
            "contract.category",
        ),
        ({"kind": "GOV_EMPLOYEE", "category": "GOV_EMPLOYEE", "tier": "PLATINUM"}, "contract.tier"),
        ({"kind": "GOV_EMPLOYEE", "category": "GOV_EMPLOYEE", "tier": "GENERAL", "probation": 9}, "contract.probation"),
        ({"kind": "ROLE_TERM", "probation": 3}, "contract.probation"),
        ({"kind": "ROLE_TERM", "tier": "GENERAL"}, "contract.tier"),
        ({"kind": "ROLE_TERM", "ends": D(2023, 6, 30)}, "contract.term"),
    ],
)
def test_terms_against_the_rules_of_their_kind_are_refused(kwargs, rule):
    with pytest.raises(RuleViolation) as err:
        signed(**kwargs)
    assert err.value.rule == rule


def test_a_later_appointment_contract_may_have_a_longer_probation_than_the_first():
    signed(
        kind="APPOINTED_CS", category="APPOINTED", starts=D(2026, 1, 1), ends=D(2030, 12, 31), probation=12, first=False
    )
    with pytest.raises(RuleViolation):
        signed(kind="APPOINTED_CS", category="APPOINTED", starts=D(2026, 1, 1), ends=D(2030, 12, 31), probation=12)


def test_filing_starts_probation_and_time_opens_the_review_once():
    contract = signed(
        kind="APPOINTED_CS", category="APPOINTED", starts=D(2026, 1, 1), ends=D(2027, 12, 31), probation=3
    )
    contract.file(filed_on=D(2026, 1, 2), today=D(2026, 1, 2))
    assert contract.status == "PROBATION"
    assert not contract.advance(today=D(2026, 3, 31), policy=POLICY)
    assert contract.advance(today=D(2026, 4, 1), policy=POLICY) and contract.status == "ACTIVE"
    assert not contract.advance(today=D(2027, 10, 1), policy=POLICY)
    assert contract.advance(today=D(2027, 10, 2), policy=POLICY) and contract.status == "RENEWAL_REVIEW"
    assert not contract.advance(today=D(2027, 10, 3), policy=POLICY)
    assert [type(e).__name__ for e in contract.events] == ["ContractSigned", "ContractTermEnding"]


def test_renewal_creates_the_next_term_and_refuses_a_more_favourable_outcome():
    contract = signed()
    contract.file(filed_on=D(2023, 7, 1), today=D(2023, 7, 1))
    contract.advance(today=D(2026, 4, 1), policy=POLICY)
    with pytest.raises(RuleViolation) as err:
        contract.decide_renewal(
            outcome="PROMOTE",
            decided_on=D(2026, 5, 1),
            term_grades=["COMPETENT"],
            policy=POLICY,
            on_hold=False,
            new_contract_id="k-2",
        )
    assert err.value.rule == "contract.outcome_exceeds_rule"
    outcome, new = contract.decide_renewal(
        outcome="KEEP",
        decided_on=D(2026, 5, 1),
        term_grades=["COMPETENT"],
        policy=POLICY,
        on_hold=False,
        new_contract_id="k-2",
    )
    assert outcome == "KEEP" and contract.status == "KEPT"
    assert (new.starts_on, new.ends_on, new.renewed_from) == (D(2026, 7, 1), D(2029, 6, 30), "k-1")
    with pytest.raises(InvalidTransition) as err:
        contract.terminate(ground="MUTUAL_AGREEMENT", terminated_on=D(2026, 5, 2), today=D(2026, 5, 2))
    assert err.value.extra["allowed_actions"] == []  # KEPT ends the contract's machine


def test_a_refused_step_lists_the_actions_allowed_from_the_current_state():
    contract = signed()
    with pytest.raises(InvalidTransition) as err:
        contract.decide_renewal(
            outcome="KEEP",
            decided_on=D(2026, 5, 1),
            term_grades=["COMPETENT"],
            policy=POLICY,
            on_hold=False,
            new_contract_id="k-2",
        )
    assert err.value.extra["state"] == "SIGNED"
    assert err.value.extra["allowed_actions"] == ["be filed", "be terminated"]


def test_renewal_is_on_hold_during_an_investigation():
    contract = signed()
    contract.file(filed_on=D(2023, 7, 1), today=D(2023, 7, 1))
    contract.advance(today=D(2026, 4, 1), policy=POLICY)
    with pytest.raises(Conflict) as err:
        contract.decide_renewal(
            outcome=None, decided_on=D(2026, 5, 1), term_grades=[], policy=POLICY, on_hold=True, new_contract_id="k-2"
        )
    assert err.value.rule == "contract.renewal_on_hold"


def test_an_incompetent_year_requires_termination_of_an_appointment_contract_only():
    appointed = signed(kind="APPOINTED_CS", category="APPOINTED", starts=D(2026, 1, 1), ends=D(2027, 12, 31))
    appointed.file(filed_on=D(2026, 1, 1), today=D(2026, 1, 1))
    assert appointed.require_termination() and appointed.status == "TERMINATION_REQUIRED"
    assert appointed.lift_termination_requirement() and appointed.status == "ACTIVE"
    role = signed()
    role.file(filed_on=D(2023, 7, 1), today=D(2023, 7, 1))
    assert not role.require_termination()


def test_termination_grounds_and_dates_are_checked():
    contract = signed(kind="APPOINTED_CS", category="APPOINTED", starts=D(2026, 1, 1), ends=D(2027, 12, 31))
    with pytest.raises(RuleViolation):
        contract.terminate(ground="BORED", terminated_on=D(2026, 2, 1), today=D(2026, 2, 1))
    with pytest.raises(RuleViolation):
        contract.terminate(ground="MUTUAL_AGREEMENT", terminated_on=D(2026, 3, 1), today=D(2026, 2, 1))
    contract.terminate(ground="MUTUAL_AGREEMENT", terminated_on=D(2026, 2, 1), today=D(2026, 2, 1))
    assert contract.status == "TERMINATED"


def under_review(**kwargs) -> Contract:
    contract = signed(**kwargs)
    contract.file(filed_on=contract.starts_on, today=contract.starts_on)
    contract.advance(today=contract.ends_on - dt.timedelta(days=30), policy=POLICY)
    assert contract.status == "RENEWAL_REVIEW"
    return contract


def test_a_renewed_role_term_runs_the_configured_term_not_the_old_length():
    """A role term renewed after a 5-year term runs RANK_CONTRACT_ROLE_TERM_YEARS (3 by default, 6 here when so
    configured), not the renewed term's 5 years; a decision that names `ends_on` sets the next term instead."""
    five = under_review(starts=D(2021, 7, 1), ends=D(2026, 6, 30))
    _, new = five.decide_renewal(
        outcome=None,
        decided_on=D(2026, 6, 1),
        term_grades=["COMPETENT"],
        policy=POLICY,
        on_hold=False,
        new_contract_id="k-2",
    )
    assert (new.starts_on, new.ends_on) == (D(2026, 7, 1), D(2029, 6, 30))
    six = ContractPolicy(role_term_years=6)
    _, new = under_review(starts=D(2021, 7, 1), ends=D(2026, 6, 30)).decide_renewal(
        outcome=None, decided_on=D(2026, 6, 1), term_grades=[], policy=six, on_hold=False, new_contract_id="k-2"
    )
    assert new.ends_on == D(2032, 6, 30)
    _, new = under_review(starts=D(2021, 7, 1), ends=D(2026, 6, 30)).decide_renewal(
        outcome=None,
        decided_on=D(2026, 6, 1),
        term_grades=[],
        policy=POLICY,
        on_hold=False,
        new_contract_id="k-2",
        ends_on=D(2031, 6, 30),
    )
    assert new.ends_on == D(2031, 6, 30)


def test_a_renewal_named_end_obeys_the_term_rules_of_its_kind():
    with pytest.raises(RuleViolation) as err:
        under_review().decide_renewal(
            outcome=None,
            decided_on=D(2026, 6, 1),
            term_grades=[],
            policy=POLICY,
            on_hold=False,
            new_contract_id="k-2",
            ends_on=D(2026, 6, 30),
        )
    assert err.value.rule == "contract.term"
    appointed = under_review(kind="APPOINTED_CS", category="APPOINTED", starts=D(2024, 1, 1), ends=D(2025, 12, 31))
    with pytest.raises(RuleViolation) as err:  # 公务员法 §102: 1–5 years
        appointed.decide_renewal(
            outcome=None,
            decided_on=D(2025, 12, 1),
            term_grades=[],
            policy=POLICY,
            on_hold=False,
            new_contract_id="k-2",
            ends_on=D(2031, 12, 31),
        )
    assert err.value.rule == "contract.term" and appointed.status == "RENEWAL_REVIEW"
    _, new = appointed.decide_renewal(
        outcome=None, decided_on=D(2025, 12, 1), term_grades=[], policy=POLICY, on_hold=False, new_contract_id="k-2"
    )
    assert new.ends_on == D(2027, 12, 31)  # no configured length for 聘任制: as long as the term renewed


def test_a_government_employee_at_the_lowest_tier_is_kept_instead_of_demoted_and_the_keep_is_accepted():
    """rules/contracts.py TIER_EDGE_RULES["DEMOTE"] (contract.lowest_tier_fallback, [D], no statute): a 基本称职 year
    asks for one tier down; at GENERAL there is none, so the suggestion is KEEP (kept at GENERAL, with a warning)
    and a decision of KEEP, or of the default, goes through; DEMOTE itself stays refused (no tier below)."""
    assert suggest_outcome("GOV_EMPLOYEE", ["BASIC"], POLICY, "GENERAL")[0] == "KEEP"
    assert suggest_outcome("GOV_EMPLOYEE", ["BASIC"], POLICY, "INTERMEDIATE")[0] == "DEMOTE"
    gov = dict(kind="GOV_EMPLOYEE", category="GOV_EMPLOYEE", tier="GENERAL", starts=D(2024, 1, 1), ends=D(2026, 8, 31))
    with pytest.raises(RuleViolation) as err:
        under_review(**gov).decide_renewal(
            outcome="DEMOTE",
            decided_on=D(2026, 8, 1),
            term_grades=["BASIC"],
            policy=POLICY,
            on_hold=False,
            new_contract_id="k-2",
        )
    assert err.value.rule == "contract.tier"
    for outcome in (None, "KEEP"):
        contract = under_review(**gov)
        chosen, new = contract.decide_renewal(
            outcome=outcome,
            decided_on=D(2026, 8, 1),
            term_grades=["BASIC"],
            policy=POLICY,
            on_hold=False,
            new_contract_id="k-2",
        )
        assert (chosen, contract.status, new.tier) == ("KEEP", "KEPT", "GENERAL")
    with pytest.raises(RuleViolation) as err:  # the fallback is the ceiling: RENEW is still more than the grades allow
        under_review(**gov).decide_renewal(
            outcome="RENEW",
            decided_on=D(2026, 8, 1),
            term_grades=["BASIC"],
            policy=POLICY,
            on_hold=False,
            new_contract_id="k-2",
        )
    assert (err.value.rule, err.value.extra["allowed"]) == ("contract.outcome_exceeds_rule", "KEEP")


def test_the_lowest_tier_fallback_may_be_configured_to_not_renewed():
    strict = ContractPolicy(lowest_tier_fallback="NOT_RENEW")
    assert suggest_outcome("GOV_EMPLOYEE", ["BASIC"], strict, "GENERAL")[0] == "NOT_RENEW"
    contract = under_review(
        kind="GOV_EMPLOYEE", category="GOV_EMPLOYEE", tier="GENERAL", starts=D(2024, 1, 1), ends=D(2026, 8, 31)
    )
    assert contract.decide_renewal(
        outcome=None,
        decided_on=D(2026, 8, 1),
        term_grades=["BASIC"],
        policy=strict,
        on_hold=False,
        new_contract_id="k-2",
    ) == ("NOT_RENEW", None)
    with pytest.raises(ValueError):
        ContractPolicy(lowest_tier_fallback="DEMOTE")


def test_a_government_employee_at_the_highest_tier_is_renewed_instead_of_promoted():
    """TIER_EDGE_RULES["PROMOTE"] (contract.highest_tier_fallback): no tier above SENIOR, so RENEW."""
    assert suggest_outcome("GOV_EMPLOYEE", ["EXCELLENT", "EXCELLENT"], POLICY, "SENIOR")[0] == "RENEW"
    contract = under_review(
        kind="GOV_EMPLOYEE", category="GOV_EMPLOYEE", tier="SENIOR", starts=D(2024, 1, 1), ends=D(2026, 8, 31)
    )
    chosen, new = contract.decide_renewal(
        outcome=None,
        decided_on=D(2026, 8, 1),
        term_grades=["EXCELLENT", "EXCELLENT"],
        policy=POLICY,
        on_hold=False,
        new_contract_id="k-2",
    )
    assert (chosen, new.tier) == ("RENEW", "SENIOR")


@pytest.mark.parametrize("tier", ["GENERAL", "INTERMEDIATE", "SENIOR"])
@pytest.mark.parametrize(
    "grades",
    [
        [],
        ["BASIC"],
        ["INCOMPETENT"],
        ["EXCELLENT", "EXCELLENT"],
        ["UNDETERMINED"],
        ["COMPETENT", "BASIC", "EXCELLENT"],
        ["EXCELLENT", "EXCELLENT", "EXCELLENT"],
    ],
)
def test_the_suggested_outcome_is_always_accepted_as_the_decision(tier, grades):
    """The suggestion is always an outcome a decision can carry out, and deciding it is accepted."""
    contract = under_review(
        kind="GOV_EMPLOYEE", category="GOV_EMPLOYEE", tier=tier, starts=D(2024, 1, 1), ends=D(2026, 8, 31)
    )
    suggested, _ = suggest_outcome("GOV_EMPLOYEE", grades, POLICY, tier)
    chosen, _ = contract.decide_renewal(
        outcome=suggested,
        decided_on=D(2026, 8, 1),
        term_grades=grades,
        policy=POLICY,
        on_hold=False,
        new_contract_id="k-2",
    )
    assert chosen == suggested
