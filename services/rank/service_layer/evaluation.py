"""Applies the rules to one cadre's facts: eligibility, points and the development step, and their JSON forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kernel.calendar import add_months
from services.rank.domain.eligibility import Eligibility, evaluate
from services.rank.domain.facts import CadreFacts
from services.rank.domain.holdings import at
from services.rank.domain.ladder import Ladder
from services.rank.domain.levels import level_step
from services.rank.domain.points import Points, PointsScheme, compute_points
from services.rank.domain.rules.ladders import CATEGORY_SERIES
from services.rank.domain.rules.policies import RankPolicies
from services.rank.domain.track import TrackStep, suggest


@dataclass(frozen=True)
class Standing:
    eligibility: Eligibility
    points: Points | None
    track: TrackStep
    level: dict[str, Any]

    @property
    def valid_until(self) -> dt.date | None:
        """The next day the standing can change by time alone (tenure, restriction ends, anniversaries)."""
        days = [d for d in (self.eligibility.valid_until, self.track.valid_until) if d is not None]
        tenure = self.eligibility.tenure
        if tenure is not None:
            # Points count full years in the rank: the next anniversary changes them.
            years = (tenure.served_months // 12) + 1
            excluded = sum(m for _, m in tenure.excluded_years)
            days.append(add_months(tenure.counted_from, 12 * years + excluded))
        future = [d for d in days if d > self.eligibility.as_of]
        return min(future) if future else None


def standing_of(
    facts: CadreFacts,
    *,
    ladders: dict[str, Ladder],
    scheme: PointsScheme,
    policies: RankPolicies,
    as_of: dt.date,
    target_rank: str | None = None,
) -> Standing:
    """Evaluates a cadre on a date."""
    ladder = ladders.get(CATEGORY_SERIES.get(facts.category, ""))
    eligibility = evaluate(facts, ladder, as_of=as_of, policy=policies.tenure, target_rank=target_rank)
    points = compute_points(facts, eligibility, scheme, as_of=as_of) if eligibility.target_rank else None
    held = at(facts.level_holdings, as_of)
    rank = ladder.get(eligibility.current_rank) if ladder is not None and eligibility.current_rank else None
    level = level_step(
        level=held.level if held else None,
        level_since=held.since if held else None,
        rank=rank,
        grades={y: g.grade for y, g in facts.grades_known_on(as_of).items()},
        blocked=any(r.effect == "NO_LEVEL_PROMOTION" and r.applies_on(as_of) for r in facts.restrictions),
    )
    return Standing(eligibility, points, suggest(facts, as_of=as_of, policy=policies.track), level)


def eligibility_json(e: Eligibility) -> dict[str, Any]:
    """Serializes an eligibility answer (every reason with its rule and source)."""
    tenure = None
    if e.tenure is not None:
        t = e.tenure
        tenure = {
            "path": t.path,
            "since": t.since,
            "counted_from": t.counted_from,
            "required_months": t.required_months,
            "served_months": t.served_months,
            "excellent_years": list(t.excellent_years),
            "excluded_years": [{"year": y, "months": m} for y, m in t.excluded_years],
            "incompetent_years": list(t.incompetent_years),
            "met_on": t.met_on,
        }
    return {
        "cadre_id": e.cadre_id,
        "as_of": e.as_of,
        "series": e.series,
        "current_rank": e.current_rank,
        "target_rank": e.target_rank,
        "eligible": e.eligible,
        "earliest_date": e.earliest_date,
        "blocked": e.blocked,
        "ladder_version": e.ladder_version,
        "tenure": tenure,
        "reasons": [
            {
                "rule": r.rule,
                "met": r.met,
                "blocking": r.blocking,
                "detail": r.detail,
                "source": r.source,
                "confidence": r.confidence,
                "until": r.until,
                "ref": r.ref,
            }
            for r in e.reasons
        ],
    }


def points_json(p: Points | None) -> dict[str, Any] | None:
    """Serializes points with the per-item breakdown."""
    if p is None:
        return None
    return {
        "scheme_id": p.scheme_id,
        "scheme_version": p.scheme_version,
        "total": p.total,
        "excluded": p.excluded,
        "exclusion": list(p.exclusion),
        "tenure_months": p.tenure_months,
        "excellent_years": p.excellent_years,
        "breakdown": [
            {
                "item": line.key,
                "quantity": line.quantity,
                "unit_points": line.unit_points,
                "points": line.points,
                "capped": line.capped,
            }
            for line in p.lines
        ],
    }


def track_json(t: TrackStep) -> dict[str, Any]:
    return {"stage": t.stage, "step": t.step, "reasons": list(t.reasons)}
