"""Automatic award proposals from grades and the revocation trigger (公务员法 §52–56 [V]; 考核规定 §19 [S])."""

from __future__ import annotations

AWARD_TYPES = ("COMMENDATION", "MERIT_3", "MERIT_2", "MERIT_1", "TITLE", "POLITICAL_HONOUR", "NOTICE_OF_PRAISE")
BASES = ("ANNUAL_EXCELLENT", "THREE_YEARS_EXCELLENT", "DEED")
SOURCE = "公务员考核规定 §19: 优秀 → 嘉奖; 连续三年优秀 → 记三等功 [S]"
CONSECUTIVE_FOR_MERIT = 3


def proposals_for(
    year: int, grade: str, final_grades: dict[int, str], merit_years: frozenset[int] = frozenset()
) -> list[tuple[str, str]]:
    """Returns the (award type, basis) proposals a final grade of `year` earns.

    `final_grades` are the cadre's other final grades by year; `merit_years` are years already counted toward an
    earlier 记三等功, so a fourth 优秀 in a row does not earn a second merit (counting restarts) [D].
    """
    if grade != "EXCELLENT":
        return []
    out = [("COMMENDATION", "ANNUAL_EXCELLENT")]
    grades = {**final_grades, year: grade}
    window = [year - k for k in range(CONSECUTIVE_FOR_MERIT)]
    if all(grades.get(y) == "EXCELLENT" for y in window) and not merit_years.intersection(window):
        out.append(("MERIT_3", "THREE_YEARS_EXCELLENT"))
    return out


def is_serious(sanction_type: str, serious_types: list[str] | tuple[str, ...]) -> bool:
    """Tells whether a sanction is serious enough to open a revocation review (公务员法 §56(三))."""
    return sanction_type in serious_types
