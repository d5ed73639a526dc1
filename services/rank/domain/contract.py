"""Fixed-term appointments and contracts (docs/rules.md §4.6, §4.8): 聘任制 contracts, role terms, government employees.

Contract: SIGNED → (filed 备案) PROBATION | ACTIVE → RENEWAL_REVIEW (N days before the end, by the sweep)
          → RENEWED | ADJUSTED_UP | KEPT | ADJUSTED_DOWN | NOT_RENEWED;
          ACTIVE | PROBATION | RENEWAL_REVIEW → TERMINATION_REQUIRED (annual 不称职 of an appointed civil servant)
          → TERMINATED; any open state → TERMINATED with a ground.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kernel.calendar import add_months, months_between
from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.rank.domain import events
from services.rank.domain.rules.contracts import TierEdgeRule, tier_edge
from services.rank.domain.rules.policies import ContractPolicy

KINDS = ("APPOINTED_CS", "ROLE_TERM", "GOV_EMPLOYEE")
OPEN = ("SIGNED", "PROBATION", "ACTIVE", "RENEWAL_REVIEW", "TERMINATION_REQUIRED")
OUTCOMES = ("PROMOTE", "RENEW", "KEEP", "DEMOTE", "NOT_RENEW")  # most favourable first
OUTCOME_STATUS = {
    "PROMOTE": "ADJUSTED_UP",
    "RENEW": "RENEWED",
    "KEEP": "KEPT",
    "DEMOTE": "ADJUSTED_DOWN",
    "NOT_RENEW": "NOT_RENEWED",
}
GROUNDS = (
    "ANNUAL_INCOMPETENT",
    "UNFIT_IN_PROBATION",
    "BREACH_OF_DUTY",
    "UNABLE_TO_PERFORM",
    "ABSENCE",
    "SERIOUS_VIOLATION",
    "CONTRACT_GROUND",
    "MUTUAL_AGREEMENT",
    "APPOINTEE_RESIGNATION",
)
GROUND_SOURCE = "聘任制公务员管理规定 (试行, 2017) §17–19"
TERM_SOURCE = (
    "公务员法 §102 (1–5 years, probation 1–12 months) [V]; 聘任制公务员管理规定 §… (first probation ≤ 6 months) [S]"
)
OUTCOME_SOURCE = "docs/rules.md §4.6 [D]: the term's annual grades decide; configurable"


def category_for(kind: str) -> tuple[str, ...]:
    """Returns the register categories a contract kind applies to."""
    return {
        "APPOINTED_CS": ("APPOINTED",),
        "GOV_EMPLOYEE": ("GOV_EMPLOYEE",),
        "ROLE_TERM": ("COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT"),
    }[kind]


def suggest_outcome(
    kind: str, grades: Sequence[str], policy: ContractPolicy, tier: str | None = None
) -> tuple[str, str]:
    """Returns the most favourable outcome the term's annual grades allow, and why. Always one that can be carried
    out: a government employee's tier move off the end of the ladder falls back by rules/contracts.py."""
    outcome, why, _ = suggest(kind, grades, policy, tier)
    return outcome, why


def suggest(
    kind: str, grades: Sequence[str], policy: ContractPolicy, tier: str | None = None
) -> tuple[str, str, TierEdgeRule | None]:
    """`suggest_outcome` with the tier-edge rule that changed the outcome, if one did."""
    if "INCOMPETENT" in grades:
        outcome, why = "NOT_RENEW", "a 不称职 year in the term"
    elif "BASIC" in grades:
        outcome, why = "DEMOTE", "a 基本称职 year in the term"
    elif grades.count("EXCELLENT") >= policy.promote_min_excellent:
        outcome, why = "PROMOTE", f"{grades.count('EXCELLENT')} 优秀 years and none below 称职"
    elif "UNDETERMINED" in grades:
        outcome, why = "KEEP", "a year without a determined grade"
    else:
        outcome, why = "RENEW", "every year 称职 or better" if grades else "no grade finalized in the term yet"
    if kind == "APPOINTED_CS":
        # 聘任制 pay is negotiated per contract: there is no level to move up or down.
        outcome = {"PROMOTE": "RENEW", "DEMOTE": "KEEP"}.get(outcome, outcome)
    edge = tier_edge(outcome, tier, policy.gov_employee_tiers) if kind == "GOV_EMPLOYEE" else None
    if edge is not None:
        fallback = policy.lowest_tier_fallback if edge.edge == "lowest" else edge.fallbacks[0]
        outcome, why = fallback, f"{why}; {tier} is the {edge.edge} tier: {fallback} ({edge.code})"
    return outcome, why, edge


def check_term(kind: str, starts_on: dt.date, ends_on: dt.date, policy: ContractPolicy) -> None:
    """Checks a term's length against the rules of its kind (a signed contract and a renewal's next term alike)."""
    if ends_on <= starts_on:
        raise RuleViolation("the term must end after it starts", rule="contract.term")
    after = ends_on + dt.timedelta(days=1)
    if kind == "APPOINTED_CS" and not add_months(starts_on, 12 * policy.appointed_min_years) <= after <= add_months(
        starts_on, 12 * policy.appointed_max_years
    ):
        raise RuleViolation(
            f"an appointment contract runs {policy.appointed_min_years}–{policy.appointed_max_years} years",
            rule="contract.term",
            source=TERM_SOURCE,
        )
    if kind == "GOV_EMPLOYEE" and after > add_months(starts_on, 12 * policy.gov_employee_max_years):
        raise RuleViolation(
            f"a government-employee contract runs at most {policy.gov_employee_max_years} years", rule="contract.term"
        )


def next_term_ends_on(contract: Contract, policy: ContractPolicy, ends_on: dt.date | None = None) -> dt.date:
    """The last day of the term a renewal opens: the decision's `ends_on` when it names one; else a role term runs
    the configured `role_term_years` (RANK_CONTRACT_ROLE_TERM_YEARS), whatever the last term's length; the other
    kinds have no configured length and run as long as the term they renew (their term is negotiated per contract)."""
    starts = contract.ends_on + dt.timedelta(days=1)
    if ends_on is None:
        if contract.kind == "ROLE_TERM":
            months = 12 * policy.role_term_years
        else:
            months = max(1, months_between(contract.starts_on, contract.ends_on + dt.timedelta(days=1)))
        ends_on = add_months(starts, months) - dt.timedelta(days=1)
    check_term(contract.kind, starts, ends_on, policy)
    return ends_on


# The contract state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
CONTRACT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "be filed": ("SIGNED",),
    "be terminated": OPEN,
    "be decided": ("RENEWAL_REVIEW",),
}


@dataclass
class Contract:
    id: str
    cadre_id: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date  # the last day of the term
    probation_months: int = 0
    tier: str | None = None
    status: str = "SIGNED"
    filed_on: dt.date | None = None
    review_due_on: dt.date | None = None
    outcome: str | None = None
    decided_on: dt.date | None = None
    termination_ground: str | None = None
    terminated_on: dt.date | None = None
    renewed_from: str | None = None
    status_before_hold: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def sign(
        cls,
        *,
        contract_id: str,
        cadre_id: str,
        category: str,
        kind: str,
        starts_on: dt.date,
        ends_on: dt.date,
        probation_months: int,
        tier: str | None,
        first: bool,
        policy: ContractPolicy,
        renewed_from: str | None = None,
    ) -> Contract:
        """Signs a contract after checking its term, probation and tier against the rules of its kind."""
        if kind not in KINDS:
            raise RuleViolation(f"kind must be one of {', '.join(KINDS)}", rule="contract.kind")
        if category not in category_for(kind):
            raise RuleViolation(
                f"a {kind} contract is for cadres of category {', '.join(category_for(kind))}", rule="contract.category"
            )
        check_term(kind, starts_on, ends_on, policy)
        if probation_months < 0:
            raise RuleViolation("probation cannot be negative", rule="contract.probation")
        if kind == "APPOINTED_CS":
            limit = policy.appointed_first_max_probation_months if first else policy.appointed_max_probation_months
            if probation_months > limit:
                raise RuleViolation(
                    f"probation is at most {limit} months for this contract",
                    rule="contract.probation",
                    source=TERM_SOURCE,
                )
        elif kind == "GOV_EMPLOYEE":
            if tier not in policy.gov_employee_tiers:
                raise RuleViolation(f"tier must be one of {', '.join(policy.gov_employee_tiers)}", rule="contract.tier")
            if probation_months > policy.gov_employee_max_probation_months:
                raise RuleViolation(
                    f"probation is at most {policy.gov_employee_max_probation_months} months", rule="contract.probation"
                )
        else:
            if probation_months:
                raise RuleViolation("a role term has no probation", rule="contract.probation")
        if kind != "GOV_EMPLOYEE" and tier is not None:
            raise RuleViolation("only government-employee contracts have a tier", rule="contract.tier")
        contract = cls(
            id=contract_id,
            cadre_id=cadre_id,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            probation_months=probation_months,
            tier=tier,
            renewed_from=renewed_from,
        )
        contract.events.append(
            events.ContractSigned(contract.id, cadre_id, kind, tier, starts_on, ends_on, probation_months)
        )
        return contract

    @property
    def probation_ends_on(self) -> dt.date:
        """The first day after probation (the start when there is none)."""
        return add_months(self.starts_on, self.probation_months)

    def review_opens_on(self, policy: ContractPolicy) -> dt.date:
        """Returns the day the renewal review opens (N days before the term ends)."""
        return self.ends_on - dt.timedelta(days=policy.review_days_before_end)

    def file(self, *, filed_on: dt.date, today: dt.date) -> None:
        """Records the filing (备案) with the civil-service authority; the contract starts to run."""
        if self.status not in CONTRACT_TRANSITIONS["be filed"]:
            raise InvalidTransition(
                "contract",
                self.status,
                "be filed",
                allowed_actions=InvalidTransition.allowed(CONTRACT_TRANSITIONS, self.status),
            )
        if filed_on > today:
            raise RuleViolation("filing cannot be dated in the future", rule="contract.filed_on")
        self.filed_on = filed_on
        self.status = "PROBATION" if self.probation_months and today < self.probation_ends_on else "ACTIVE"

    def advance(self, *, today: dt.date, policy: ContractPolicy) -> bool:
        """Applies the passing of time: probation ends, the renewal review opens; True if the state changed."""
        changed = False
        if self.status == "PROBATION" and today >= self.probation_ends_on:
            self.status, changed = "ACTIVE", True
        if self.status in ("ACTIVE", "PROBATION") and today >= self.review_opens_on(policy):
            self.status = "RENEWAL_REVIEW"
            self.review_due_on = max(today, self.ends_on - dt.timedelta(days=1))
            self.events.append(
                events.ContractTermEnding(self.id, self.cadre_id, self.kind, self.ends_on, self.review_due_on)
            )
            changed = True
        return changed

    def require_termination(self) -> bool:
        """Marks an appointed civil servant's contract for termination after an annual 不称职."""
        if self.kind != "APPOINTED_CS" or self.status not in ("PROBATION", "ACTIVE", "RENEWAL_REVIEW"):
            return False
        self.status_before_hold = self.status
        self.status = "TERMINATION_REQUIRED"
        return True

    def lift_termination_requirement(self) -> bool:
        """Returns to the earlier state when the 不称职 grade was amended."""
        if self.status != "TERMINATION_REQUIRED" or self.status_before_hold is None:
            return False
        self.status, self.status_before_hold = self.status_before_hold, None
        return True

    def terminate(self, *, ground: str, terminated_on: dt.date, today: dt.date) -> None:
        """Terminates the contract on a ground (聘任制公务员管理规定 §17–19)."""
        if self.status not in CONTRACT_TRANSITIONS["be terminated"]:
            raise InvalidTransition(
                "contract",
                self.status,
                "be terminated",
                allowed_actions=InvalidTransition.allowed(CONTRACT_TRANSITIONS, self.status),
            )
        if ground not in GROUNDS:
            raise RuleViolation(
                f"ground must be one of {', '.join(GROUNDS)}", rule="contract.ground", source=GROUND_SOURCE
            )
        if ground == "UNFIT_IN_PROBATION" and self.status != "PROBATION":
            raise Conflict(
                "unfit in probation applies only during probation", rule="contract.ground", source=GROUND_SOURCE
            )
        if terminated_on > today or terminated_on < self.starts_on:
            raise RuleViolation(
                "termination is dated between the start of the contract and today", rule="contract.terminated_on"
            )
        self.status = "TERMINATED"
        self.termination_ground = ground
        self.terminated_on = terminated_on
        self.events.append(events.ContractTerminated(self.id, self.cadre_id, self.kind, ground, terminated_on))

    def decide_renewal(
        self,
        *,
        outcome: str | None,
        decided_on: dt.date,
        term_grades: Sequence[str],
        policy: ContractPolicy,
        on_hold: bool,
        new_contract_id: str,
        ends_on: dt.date | None = None,
    ) -> tuple[str, Contract | None]:
        """Decides the renewal review; the outcome may not be more favourable than the grades allow.

        Returns the outcome and, unless not renewed, the new contract for the next term (to be filed again), which
        ends on `ends_on` when the decision names it, else after the configured term (`next_term_ends_on`).
        """
        if self.status not in CONTRACT_TRANSITIONS["be decided"]:
            raise InvalidTransition(
                "contract",
                self.status,
                "be decided",
                allowed_actions=InvalidTransition.allowed(CONTRACT_TRANSITIONS, self.status),
            )
        if on_hold:
            raise Conflict(
                "the renewal is on hold while an investigation of the cadre is open",
                rule="contract.renewal_on_hold",
                source="docs/rules.md §5.6",
            )
        ceiling, why = suggest_outcome(self.kind, term_grades, policy, self.tier)
        chosen = outcome or ceiling
        if chosen not in OUTCOMES:
            raise RuleViolation(f"outcome must be one of {', '.join(OUTCOMES)}", rule="contract.outcome")
        if self.kind == "APPOINTED_CS" and chosen in ("PROMOTE", "DEMOTE"):
            raise RuleViolation("an appointment contract has no level to move", rule="contract.outcome")
        if OUTCOMES.index(chosen) < OUTCOMES.index(ceiling):
            raise RuleViolation(
                f"the term's grades allow at most {ceiling} ({why})",
                rule="contract.outcome_exceeds_rule",
                source=OUTCOME_SOURCE,
                allowed=ceiling,
            )
        if chosen == "NOT_RENEW" and ends_on is not None:
            raise RuleViolation("a contract not renewed has no next term to end", rule="contract.term")
        next_ends = next_term_ends_on(self, policy, ends_on) if chosen != "NOT_RENEW" else None
        tier = self.tier
        if self.kind == "GOV_EMPLOYEE" and chosen in ("PROMOTE", "DEMOTE"):
            tiers = list(policy.gov_employee_tiers)
            index = tiers.index(self.tier) + (1 if chosen == "PROMOTE" else -1)  # type: ignore[arg-type]
            if not 0 <= index < len(tiers):
                raise RuleViolation(
                    f"no tier {'above' if chosen == 'PROMOTE' else 'below'} {self.tier}", rule="contract.tier"
                )
            tier = tiers[index]
        self.status = OUTCOME_STATUS[chosen]
        self.outcome = chosen
        self.decided_on = decided_on
        new: Contract | None = None
        if next_ends is not None:
            starts, ends = self.ends_on + dt.timedelta(days=1), next_ends
            new = Contract(
                id=new_contract_id,
                cadre_id=self.cadre_id,
                kind=self.kind,
                starts_on=starts,
                ends_on=ends,
                probation_months=0,
                tier=tier,
                renewed_from=self.id,
            )
            new.events.append(events.ContractSigned(new.id, new.cadre_id, new.kind, new.tier, starts, ends, 0))
        self.events.append(
            events.ContractRenewalDecided(
                self.id,
                self.cadre_id,
                self.kind,
                chosen,
                decided_on,
                new.id if new else None,
                new.ends_on if new else None,
            )
        )
        return chosen, new


def recorded_contract(
    *, contract_id: str, fact: Any, category: str, first: bool, policy: ContractPolicy, today: dt.date
) -> Contract:
    """A past term recorded as a past fact (domain/past_contracts.PastContract, checked), built as it would stand
    today had it been run live on its real dates: signed (the same rules, contract_signed), filed; then terminated
    (contract_terminated) or decided (contract_renewal_decided) on its real date, or, still running, in probation
    or active and its renewal review opened if it is due (contract_term_ending), as the sweep would."""
    c = Contract.sign(
        contract_id=contract_id,
        cadre_id=fact.cadre_id,
        category=category,
        kind=fact.kind,
        starts_on=fact.starts_on,
        ends_on=fact.ends_on,
        probation_months=fact.probation_months,
        tier=fact.tier,
        first=first,
        policy=policy,
    )
    c.filed_on = fact.filed_on or fact.starts_on
    if fact.outcome is None:
        c.status = "PROBATION" if c.probation_months and today < c.probation_ends_on else "ACTIVE"
        c.advance(today=today, policy=policy)
    elif fact.outcome == "TERMINATED":
        c.status = "PROBATION" if c.probation_months and fact.decided_on < c.probation_ends_on else "ACTIVE"
        c.terminate(ground=fact.termination_ground, terminated_on=fact.decided_on, today=today)
    else:
        # The next term, if any, is a fact of its own; a level moved by the outcome is in the level history.
        c.status, c.outcome, c.decided_on = OUTCOME_STATUS[fact.outcome], fact.outcome, fact.decided_on
        c.events.append(
            events.ContractRenewalDecided(c.id, c.cadre_id, c.kind, fact.outcome, fact.decided_on, None, None)
        )
    return c
