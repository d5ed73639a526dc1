"""Level (级别) adjustments on promotion and demotion (职务职级与级别管理办法 §13–14 [S]); pure.

Levels are numbered 1 (highest) to 27 (lowest); a rank's range runs from level_low (its minimum) up to
level_high (its maximum).
"""

from __future__ import annotations

from typing import Any

from services.rank.domain.ladder import RankDef

LEVEL_RULE_SOURCE = "公务员职务、职级与级别管理办法 (2020) §13–14"


def level_on_promotion(current: int | None, target: RankDef) -> int:
    """Returns the level after promotion into `target`.

    Below the new rank's minimum → raised to that minimum; otherwise one level up, except on promotion into
    一级/三级调研员 and 一级/三级主任科员 (the ladder's raises_level_on_promotion flag); never above the range.
    """
    if current is None or current > target.level_low:
        return target.level_low
    if target.raises_level_on_promotion:
        return max(target.level_high, current - 1)
    return max(target.level_high, current)


def level_on_demotion(current: int | None, target: RankDef, *, lower_one: bool) -> int | None:
    """Returns the level after demotion into `target`: one down when the sanction lowers it, kept in range."""
    if current is None:
        return None
    level = current + (1 if lower_one else 0)
    return min(max(level, target.level_high), target.level_low)


STEP_YEARS = 5  # 职务职级与级别管理办法 §14: +1 level after 5 cumulative years of 称职 or better [S]
COUNTED_FOR_LEVEL = frozenset({"EXCELLENT", "COMPETENT"})


def level_step(
    *, level: int | None, level_since: Any, rank: RankDef | None, grades: dict[int, str], blocked: bool
) -> dict[str, Any]:
    """Tells whether the periodic level step is due: 5 years 称职 or better since the level was last set."""
    if level is None or level_since is None or rank is None:
        return {"due": False, "reason": "no level or rank recorded", "source": LEVEL_RULE_SOURCE}
    years = sorted(
        y
        for y, g in grades.items()
        if y >= level_since.year + (0 if level_since.month == 1 else 1) and g in COUNTED_FOR_LEVEL
    )
    at_top = level <= rank.level_high
    due = len(years) >= STEP_YEARS and not at_top and not blocked
    reason = (
        f"{len(years)} of {STEP_YEARS} years 称职 or better since level {level} was set"
        + ("; already at the top of the rank's range" if at_top else "")
        + ("; a restriction bars level promotion" if blocked else "")
    )
    return {
        "due": due,
        "counted_years": years,
        "next_level": level - 1 if due else None,
        "reason": reason,
        "source": LEVEL_RULE_SOURCE,
    }
