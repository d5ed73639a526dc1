"""The annual assessment form: 德能勤绩廉 (公务员法 §35 [V]) plus 担当有为 with its own, heavier weight [D]."""

from __future__ import annotations

from kernel.errors import RuleViolation

INDICATORS = ("DE", "NENG", "QIN", "JI", "LIAN", "DANDANG")  # 德 能 勤 绩 廉 担当有为


def form_score(scores: dict[str, float], weights: dict[str, float]) -> float:
    """Returns the weighted score (0..100) of a filled-in form; every indicator needs a score in 0..100."""
    missing = [k for k in weights if k not in scores]
    unknown = [k for k in scores if k not in weights]
    if missing or unknown:
        raise RuleViolation(
            "the form needs a score for exactly these indicators: " + ", ".join(weights),
            rule="assessment.form_indicators",
        )
    for key, value in scores.items():
        if not 0 <= value <= 100:
            raise RuleViolation(f"indicator {key} must be scored 0..100", rule="assessment.form_indicators")
    return round(sum(scores[k] * w for k, w in weights.items()), 2)
