"""Contract outcome rules at the ends of the government-employee tier ladder (docs/rank.md, "Contracts").

The term's grades call for a tier move (基本称职 → DEMOTE, ≥ N 优秀 → PROMOTE); at the lowest or highest tier of the
configured ladder (`RANK_CONTRACT_GOV_EMPLOYEE_TIERS`) that move cannot be carried out, so the suggestion falls back
to the outcome this table names, and the fallback is accepted as the decision. Each entry states its reason and
source; the lowest-tier fallback is configurable (`RANK_CONTRACT_LOWEST_TIER_FALLBACK`: KEEP | NOT_RENEW).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TierEdgeRule:
    code: str  # named in the suggestion (`rule`) and in docs/rank.md
    moves: str  # the outcome the grades call for
    edge: str  # "lowest" | "highest": the tier where that move has no tier to go to
    fallbacks: tuple[str, ...]  # the outcomes the rule allows instead; the first is the default
    reason: str
    warning: str  # shown with the suggestion: the decision should know the grades asked for more
    source: str
    confidence: str = "D"


SOURCE = (
    "no statute: 政府雇员 tiers are set by local schemes (this suite's ladder is configured, "
    "RANK_CONTRACT_GOV_EMPLOYEE_TIERS); the outcome table over the term's grades is docs/rank.md [D]"
)

TIER_EDGE_RULES: dict[str, TierEdgeRule] = {
    "DEMOTE": TierEdgeRule(
        code="contract.lowest_tier_fallback",
        moves="DEMOTE",
        edge="lowest",
        fallbacks=("KEEP", "NOT_RENEW"),
        reason="a 基本称职 year asks for one tier down, and there is no tier below the lowest: the contract is kept "
        "at its tier (KEEP, the default) — 基本称职 is not 不称职, the only grade that ends the contract by "
        "the outcome table — or, where the scheme so configures, not renewed (NOT_RENEW)",
        warning="kept at the lowest tier instead of one tier down: the term had a 基本称职 year",
        source=SOURCE,
    ),
    "PROMOTE": TierEdgeRule(
        code="contract.highest_tier_fallback",
        moves="PROMOTE",
        edge="highest",
        fallbacks=("RENEW",),
        reason="the 优秀 years ask for one tier up, and there is no tier above the highest: the contract is renewed "
        "at its tier (RENEW)",
        warning="renewed at the highest tier: the grades would have moved it up",
        source=SOURCE,
    ),
}


def tier_edge(outcome: str, tier: str | None, tiers: tuple[str, ...]) -> TierEdgeRule | None:
    """The rule that applies when `outcome` would move `tier` off the end of the ladder `tiers`, else None."""
    rule = TIER_EDGE_RULES.get(outcome)
    if rule is None or tier not in tiers:
        return None
    at_edge = tier == (tiers[0] if rule.edge == "lowest" else tiers[-1])
    return rule if at_edge else None
