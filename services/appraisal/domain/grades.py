"""Annual grades, their order of severity, and the grade constraints that restrictions impose (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kernel.contracts.vocabulary import Grade
from kernel.errors import RuleViolation

GRADES = tuple(g.value for g in Grade)
# Severity for "never heavier" (公务员法 §96): 不定等次 only stops the year counting; 基本称职 also brings 诫勉
# and no bonus, so it is the heavier of the two (decision recorded in docs/appraisal.md).
SEVERITY = {"EXCELLENT": 0, "COMPETENT": 1, "UNDETERMINED": 2, "BASIC": 3, "INCOMPETENT": 4}
UNDETERMINED_REASONS = ("PROBATION", "SANCTION", "PENDING_INVESTIGATION", "LEAVE", "OTHER")
REGULAR_RESULTS = ("GOOD", "FAIRLY_GOOD", "AVERAGE", "POOR")  # 好/较好/一般/较差 [R]


class Effect(StrEnum):
    """What a constraint does to the annual grade, lightest first."""

    NOT_EXCELLENT = "NOT_EXCELLENT"  # cannot be 优秀
    UNDETERMINED = "UNDETERMINED"  # must be 不定等次
    INCOMPETENT = "INCOMPETENT"  # must be 不称职


EFFECT_WEIGHT = {Effect.NOT_EXCELLENT: 1, Effect.UNDETERMINED: 2, Effect.INCOMPETENT: 3}


@dataclass(frozen=True)
class Constraint:
    """One rule that applies to one cadre's grade for one year, with what produced it."""

    effect: Effect
    rule_id: str
    source: str
    confidence: str
    ref: str  # e.g. "sanction/s-1", "restriction/rs-1", "investigation/inv-1"
    reason: str = "SANCTION"  # the 不定等次 reason it implies

    def as_dict(self) -> dict[str, str]:
        """Returns the constraint as stored with the assessment (constraintsApplied)."""
        return {
            "effect": self.effect.value,
            "rule_id": self.rule_id,
            "source": self.source,
            "confidence": self.confidence,
            "ref": self.ref,
            "reason": self.reason,
        }


def check_grade(grade: str) -> str:
    """Validates a grade against the scale of 公务员法 §38 plus 不定等次."""
    if grade not in GRADES:
        raise RuleViolation(f"grade must be one of {', '.join(GRADES)}", rule="grade.scale", source="公务员法 §38")
    return grade


def heaviest(constraints: list[Constraint]) -> Constraint | None:
    """Returns the heaviest constraint (several apply → the heaviest effect wins, §1.3 [S-])."""
    if not constraints:
        return None
    return max(constraints, key=lambda c: (EFFECT_WEIGHT[c.effect], c.rule_id, c.ref))


def forced_grade(constraints: list[Constraint]) -> tuple[str, str | None] | None:
    """Returns (grade, undetermined reason) a constraint forces, or None when the grade is free (or only capped)."""
    top = heaviest(constraints)
    if top is None or top.effect is Effect.NOT_EXCELLENT:
        return None
    if top.effect is Effect.INCOMPETENT:
        return "INCOMPETENT", None
    reasons = {c.reason for c in constraints if c.effect is Effect.UNDETERMINED}
    return "UNDETERMINED", "PENDING_INVESTIGATION" if "PENDING_INVESTIGATION" in reasons else "SANCTION"


def check_allowed(grade: str, constraints: list[Constraint]) -> None:
    """Refuses a grade that a constraint forbids, naming the rule and its source."""
    check_grade(grade)
    top = heaviest(constraints)
    if top is None:
        return
    if top.effect is Effect.NOT_EXCELLENT and grade == "EXCELLENT":
        raise RuleViolation(
            "a restriction forbids 优秀 for this year",
            rule=f"grade.{top.rule_id}",
            source=top.source,
            constraint=top.as_dict(),
        )
    forced = forced_grade(constraints)
    if forced is not None and grade != forced[0]:
        raise RuleViolation(
            f"a restriction requires the grade {forced[0]} for this year",
            rule=f"grade.{top.rule_id}",
            source=top.source,
            constraint=top.as_dict(),
        )


def highest_allowed(grade: str, constraints: list[Constraint]) -> tuple[str, str | None]:
    """Returns the grade closest to `grade` that the constraints allow (used when a late constraint arrives)."""
    forced = forced_grade(constraints)
    if forced is not None:
        return forced
    top = heaviest(constraints)
    if top is not None and grade == "EXCELLENT":
        return "COMPETENT", None
    return grade, None


def lighter(new: str, old: str) -> bool:
    """Tells whether `new` is strictly lighter than `old`."""
    return SEVERITY[new] < SEVERITY[old]


def not_heavier(new: str, old: str) -> bool:
    """Tells whether `new` is no heavier than `old` (an appeal or review never worsens a grade, 公务员法 §96)."""
    return SEVERITY[new] <= SEVERITY[old]
