"""The 优秀 quota of an agency's annual assessment (公务员考核规定 2020 [S-]; docs/appraisal.md "优秀 quota").

Three rules, each a table entry with its source:
* the counting unit: the share is of "本机关参加年度考核的公务员总人数", so it is counted over the agency (机关,
  单位) — the nearest ancestor-or-self org unit whose agency level is an agency or leadership level — never over
  an internal division (内设处室), whose staff count with their agency;
* the percentage: ≤ 20 % ("一般掌握在…20%以内"), ≤ 25 % with the approved raise ("最多不超过25%");
* the rounding of staff × percentage to whole places, with an optional minimum of one place for small agencies
  (several provinces' implementing rules give an agency below the size at which the percentage yields one place at
  least one 优秀 place) [D, configurable].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kernel.contracts.vocabulary import AgencyLevel
from kernel.errors import RuleViolation

SOURCE = (
    "公务员考核规定 (2020): 优秀 一般掌握在本机关参加年度考核的公务员总人数的20%以内，最多不超过25% "
    "(article number not verified here) [S-]"
)

# Agency levels that are a 机关/单位 of their own (the quota counts over them); a DIVISION (内设处室) counts within
# the nearest such ancestor. Source: the statute's "本机关" and kernel.contracts.vocabulary.AgencyLevel.
COUNTING_LEVELS: frozenset[str] = frozenset(
    {
        AgencyLevel.CITY_LEADERSHIP,
        AgencyLevel.MUNICIPAL_AGENCY,
        AgencyLevel.COUNTY_LEADERSHIP,
        AgencyLevel.COUNTY_AGENCY,
        AgencyLevel.TOWNSHIP,
    }
)
COUNTING_SOURCE = "公务员考核规定 (2020): the share is of 本机关参加年度考核的公务员总人数 [S-]"


@dataclass(frozen=True)
class RoundingRule:
    code: str
    text: str
    source: str
    confidence: str


ROUNDING_RULES: dict[str, RoundingRule] = {
    "FLOOR": RoundingRule(
        "FLOOR",
        "staff × percentage rounded down: the places never exceed the percentage",
        SOURCE + ": 以内 / 不超过 read as a ceiling",
        "S-",
    ),
    "HALF_UP": RoundingRule(
        "HALF_UP",
        "staff × percentage rounded half up (may exceed the percentage by < ½ place)",
        "configured deviation from the statute's ceiling [D]",
        "D",
    ),
    "CEIL": RoundingRule(
        "CEIL",
        "staff × percentage rounded up (may exceed the percentage by < 1 place)",
        "configured deviation from the statute's ceiling [D]",
        "D",
    ),
}
MIN_ONE_RULE = RoundingRule(
    "MIN_ONE",
    "an agency with at least {n} assessed staff has at least one 优秀 place, even where the rounding gives none",
    "provincial implementing rules of 公务员考核规定 (2020) give small agencies one 优秀 place; threshold [D]",
    "D",
)


@dataclass(frozen=True)
class Quota:
    """An agency's 优秀 places for a year and how they were counted."""

    headcount: int
    pct: float
    rounding: str
    min_one_from: int
    exact: Decimal
    rounded: int
    limit: int

    @property
    def min_one_applied(self) -> bool:
        return self.limit > self.rounded

    def rules(self) -> list[RoundingRule]:
        """The rounding rules that produced the limit (the rounding, and the minimum when it applied)."""
        applied = [ROUNDING_RULES[self.rounding]]
        if self.min_one_applied:
            applied.append(
                RoundingRule(
                    MIN_ONE_RULE.code,
                    MIN_ONE_RULE.text.format(n=self.min_one_from),
                    MIN_ONE_RULE.source,
                    MIN_ONE_RULE.confidence,
                )
            )
        return applied


def max_excellent(headcount: int, pct: float, rounding: str = "FLOOR") -> int:
    """Returns staff × percentage rounded to whole places (without the minimum of one)."""
    exact = Decimal(headcount) * Decimal(str(pct)) / Decimal(100)
    if rounding == "FLOOR":
        return int(math.floor(exact))
    if rounding == "CEIL":
        return int(math.ceil(exact))
    if rounding == "HALF_UP":
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    raise ValueError(f"unknown rounding {rounding}")


def compute(*, headcount: int, pct: float, rounding: str, min_one_from: int = 0) -> Quota:
    """Returns the agency's places: the rounded share, raised to one for an agency of at least `min_one_from`
    assessed staff (0 disables the minimum)."""
    rounded = max_excellent(headcount, pct, rounding)
    limit = rounded
    if min_one_from > 0 and headcount >= min_one_from and limit < 1:
        limit = 1
    exact = Decimal(headcount) * Decimal(str(pct)) / Decimal(100)
    return Quota(
        headcount=headcount,
        pct=pct,
        rounding=rounding,
        min_one_from=min_one_from,
        exact=exact,
        rounded=rounded,
        limit=limit,
    )


def check_quota(*, headcount: int, excellent_so_far: int, pct: float, rounding: str, min_one_from: int = 0) -> None:
    """Refuses one more 优秀 when the agency's quota is used up."""
    check(compute(headcount=headcount, pct=pct, rounding=rounding, min_one_from=min_one_from), excellent_so_far)


def check(quota: Quota, excellent_so_far: int) -> None:
    """Refuses one more 优秀 when `excellent_so_far` already fills the quota."""
    if excellent_so_far + 1 > quota.limit:
        raise RuleViolation(
            f"the 优秀 quota of this agency is used up ({excellent_so_far} of {quota.limit} "
            f"at {quota.pct:g} % of {quota.headcount} assessed, {quota.rounding})",
            rule="assessment.excellent_quota",
            source=SOURCE,
            limit=quota.limit,
            used=excellent_so_far,
        )


def counting_unit(unit_id: str, chain: Sequence[str], levels: dict[str, str]) -> str:
    """Returns the unit the quota of `unit_id` is counted over: the nearest ancestor-or-self in `chain` (its path,
    root first, ending with the unit) whose level is a counting level; the unit itself when its level is unknown
    (not yet in the directory) or no ancestor is an agency."""
    if unit_id not in levels:
        return unit_id
    for ancestor in reversed(chain):
        if levels.get(ancestor) in COUNTING_LEVELS:
            return ancestor
    return unit_id


def counted_units(agency_id: str, units: Iterable[tuple[str, Sequence[str]]], levels: dict[str, str]) -> set[str]:
    """Returns the units (among `units`: id and path, root first) whose quota is counted over `agency_id`."""
    members = {agency_id}
    for unit_id, chain in units:
        if counting_unit(unit_id, chain, levels) == agency_id:
            members.add(unit_id)
    return members


def check_quota_pct(pct: float, *, raise_approved: bool, default_pct: float, max_pct: float) -> None:
    """Allows a quota above the default only with the approved raise, and never above the maximum."""
    if pct <= 0:
        raise RuleViolation("the quota must be positive", rule="assessment_year.quota_pct")
    ceiling = max_pct if raise_approved else default_pct
    if pct > ceiling:
        raise RuleViolation(
            f"the 优秀 quota may not exceed {ceiling:g} %" + ("" if raise_approved else " without the approved raise"),
            rule="assessment_year.quota_pct",
            source=SOURCE,
        )
