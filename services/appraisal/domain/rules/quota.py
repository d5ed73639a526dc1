"""The 优秀 quota of an org unit's annual assessment (2020 公务员考核规定 [S-]; DOMAIN.md §1.1)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from kernel.errors import RuleViolation

SOURCE = "公务员考核规定 (2020): 优秀 ≤ 20 %, ≤ 25 % with approval [S-]"


def max_excellent(headcount: int, pct: float, rounding: str = "FLOOR") -> int:
    """Returns how many 优秀 grades a unit of `headcount` assessed cadres may give at `pct` percent."""
    exact = Decimal(headcount) * Decimal(str(pct)) / Decimal(100)
    if rounding == "FLOOR":
        return int(math.floor(exact))
    if rounding == "CEIL":
        return int(math.ceil(exact))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_quota(*, headcount: int, excellent_so_far: int, pct: float, rounding: str) -> None:
    """Refuses one more 优秀 when the unit's quota is used up."""
    limit = max_excellent(headcount, pct, rounding)
    if excellent_so_far + 1 > limit:
        raise RuleViolation(f"the 优秀 quota of this unit is used up ({excellent_so_far} of {limit} at {pct:g} %)",
                            rule="assessment.excellent_quota", source=SOURCE, limit=limit, used=excellent_so_far)


def check_quota_pct(pct: float, *, raise_approved: bool, default_pct: float, max_pct: float) -> None:
    """Allows a quota above the default only with the approved raise, and never above the maximum."""
    if pct <= 0:
        raise RuleViolation("the quota must be positive", rule="assessment_year.quota_pct")
    ceiling = max_pct if raise_approved else default_pct
    if pct > ceiling:
        raise RuleViolation(f"the 优秀 quota may not exceed {ceiling:g} %"
                            + ("" if raise_approved else " without the approved raise"),
                            rule="assessment_year.quota_pct", source=SOURCE)
