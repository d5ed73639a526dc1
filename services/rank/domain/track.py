"""The development track (递进式政治激励台阶): the suggested next step for a cadre by career stage [D].

Stages are checked in order; the first that applies gives the step:
NEW_ENTRANT → TRAINING; YOUNG (no grassroots experience) → GRASSROOTS_POSTING; RESERVE (high potential)
→ ROTATION; MATURE with outstanding results → LEADERSHIP_SELECTION; otherwise ESTABLISHED (no step).
A cadre under a restriction or an open investigation is ON_HOLD for rotation and selection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.calendar import add_months, months_between
from services.rank.domain.facts import CadreFacts
from services.rank.domain.holdings import at, run_start
from services.rank.domain.rules.policies import TrackPolicy

STAGES = ("NEW_ENTRANT", "YOUNG", "RESERVE", "MATURE", "ESTABLISHED")
STEPS = ("TRAINING", "GRASSROOTS_POSTING", "ROTATION", "LEADERSHIP_SELECTION", "ON_HOLD", "NONE")
HOLD_EFFECTS = frozenset({"NO_RANK_PROMOTION", "NO_POST_PROMOTION", "NO_LEADERSHIP_POST"})
TRACK_SOURCE = "docs/rules.md §4 seed (递进式政治激励台阶) [D]; thresholds configurable"
MERIT_AWARDS = frozenset({"MERIT_3", "MERIT_2", "MERIT_1", "TITLE"})


@dataclass(frozen=True)
class TrackStep:
    stage: str
    step: str
    reasons: tuple[str, ...]
    valid_until: dt.date | None


def _years(start: dt.date, end: dt.date) -> int:
    return months_between(start, end) // 12


def _excellent_in_window(facts: CadreFacts, as_of: dt.date, window: int) -> int:
    first = as_of.year - window
    return sum(1 for year, g in facts.grades_known_on(as_of).items() if year >= first and g.grade == "EXCELLENT")


def suggest(facts: CadreFacts, *, as_of: dt.date, policy: TrackPolicy) -> TrackStep:
    """Returns the stage, the suggested step and the reasons for it."""
    age = _years(facts.birth_date, as_of)
    service = _years(facts.entry_date, as_of)
    boundaries = [
        add_months(facts.entry_date, 12 * policy.new_entrant_years),
        add_months(facts.birth_date, 12 * policy.young_max_age),
        add_months(facts.birth_date, 12 * policy.reserve_max_age),
        add_months(facts.entry_date, 12 * policy.mature_min_service_years),
    ]
    held_back = [r for r in facts.restrictions if r.effect in HOLD_EFFECTS and r.applies_on(as_of)]
    under_investigation = [i for i in facts.investigations if i.open_on(as_of)]
    for r in facts.restrictions:
        if r.effect in HOLD_EFFECTS and r.ends_on is not None and r.ends_on >= as_of:
            boundaries.append(r.ends_on + dt.timedelta(days=1))
        if r.effect in HOLD_EFFECTS and r.starts_on > as_of:
            boundaries.append(r.starts_on)
    hold_reasons = tuple(
        [f"restriction {r.restriction_id} ({r.effect})" for r in held_back]
        + [f"open investigation {i.case_id}" for i in under_investigation]
    )

    def done(stage: str, step: str, *reasons: str) -> TrackStep:
        future = [b for b in boundaries if b > as_of]
        return TrackStep(stage, step, tuple(reasons), min(future) if future else None)

    if service < policy.new_entrant_years:
        return done(
            "NEW_ENTRANT",
            "TRAINING",
            f"entered service on {facts.entry_date.isoformat()} "
            f"({service} full years, under {policy.new_entrant_years}): initial training (初任培训)",
        )
    grassroots = (
        facts.grassroots_experience
        or any(level == "TOWNSHIP" for _, level in facts.assignments)
        or any(p.hardship for p in facts.post_holdings if p.since <= as_of)
    )
    if age < policy.young_max_age and not grassroots:
        return done(
            "YOUNG",
            "GRASSROOTS_POSTING",
            f"aged {age} (under {policy.young_max_age}) without grassroots "
            "experience (基层工作经历): a grassroots posting",
        )
    excellent_recent = _excellent_in_window(facts, as_of, policy.reserve_window_years)
    high_potential = facts.reserve_cadre or (
        excellent_recent >= policy.reserve_excellent_years and age < policy.reserve_max_age
    )
    if high_potential:
        why = (
            "registered reserve cadre (后备干部)"
            if facts.reserve_cadre
            else (f"{excellent_recent} 优秀 grades in the last {policy.reserve_window_years} years, aged {age}")
        )
        if hold_reasons:
            return done("RESERVE", "ON_HOLD", why, *hold_reasons)
        current = at(tuple(a for a, _ in facts.assignments), as_of)
        unit_since = (
            run_start(tuple(a for a, _ in facts.assignments), "org_unit_id", current.org_unit_id, as_of)
            if current
            else None
        )
        if unit_since is None:
            return done("RESERVE", "ROTATION", why, "no unit history recorded: rotation across posts (交流轮岗)")
        boundaries.append(add_months(unit_since, 12 * policy.rotation_min_years_in_unit))
        years_in_unit = _years(unit_since, as_of)
        if years_in_unit >= policy.rotation_min_years_in_unit:
            return done(
                "RESERVE", "ROTATION", why, f"{years_in_unit} years in the same unit: rotation across posts (交流轮岗)"
            )
        return done(
            "RESERVE",
            "NONE",
            why,
            f"moved units {years_in_unit} years ago (rotation after {policy.rotation_min_years_in_unit})",
        )
    excellent_mature = _excellent_in_window(facts, as_of, policy.mature_window_years)
    merit = [
        a
        for a in facts.awards
        if a.type in MERIT_AWARDS and a.held_on(as_of) and a.granted_on.year >= as_of.year - policy.mature_window_years
    ]
    if service >= policy.mature_min_service_years and (excellent_mature >= policy.mature_excellent_years or merit):
        why = (
            f"{service} years of service; {excellent_mature} 优秀 grades in the last {policy.mature_window_years} "
            f"years" + (f", {len(merit)} merit awards" if merit else "")
        )
        if hold_reasons:
            return done("MATURE", "ON_HOLD", why, *hold_reasons)
        post = at(facts.post_holdings, as_of)
        if post is not None and post.post_code == "BUREAU_CHIEF":
            return done("MATURE", "NONE", why, "already holds the highest leadership post")
        return done("MATURE", "LEADERSHIP_SELECTION", why, "outstanding results: consider for leadership selection")
    return done("ESTABLISHED", "NONE", f"{service} years of service, aged {age}: no step suggested")
