"""Points (积分) for ranking eligible candidates (docs/rules.md §4.5 [D]): a versioned, per-org-unit scheme.

Restrictions and open investigations exclude a cadre from the ranking instead of subtracting points.
Tolerated incidents (容错) contribute nothing: no item is derived from incidents; the accountability index
arrives from appraisal with tolerated incidents already removed (docs/rules.md §1.4, §5.15).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kernel.calendar import months_between
from kernel.errors import RuleViolation
from services.rank.domain.eligibility import Eligibility
from services.rank.domain.facts import CadreFacts

AWARD_TYPES = ("COMMENDATION", "MERIT_3", "MERIT_2", "MERIT_1", "TITLE", "POLITICAL_HONOUR", "NOTICE_OF_PRAISE")
EDUCATIONS = ("JUNIOR_COLLEGE", "BACHELOR", "MASTER", "DOCTORATE")
ITEM_KEYS = (
    "tenure_year",
    "excellent_year",
    "hardship_year",
    "index_percentile",
    "expired_sanction",
    *(f"award.{t}" for t in AWARD_TYPES),
    *(f"education.{e}" for e in EDUCATIONS),
)
TIE_BREAKERS = ("tenure_months", "excellent_years", "entry_date", "birth_date")
AWARD_SCOPES = ("CURRENT_RANK", "CAREER")
POINTS_SOURCE = "docs/rules.md §4.5 [D]: no national scheme; local practice, configured per org unit"

DEFAULT_SCHEME: dict[str, Any] = {
    "version": "default-1",
    "items": {
        "tenure_year": {"points": 2.0, "cap": 20.0},
        "excellent_year": {"points": 3.0, "cap": 15.0},
        "award.COMMENDATION": {"points": 1.0, "cap": 5.0},
        "award.MERIT_3": {"points": 3.0, "cap": 9.0},
        "award.MERIT_2": {"points": 5.0, "cap": 10.0},
        "award.MERIT_1": {"points": 8.0, "cap": 16.0},
        "award.TITLE": {"points": 10.0, "cap": 10.0},
        "hardship_year": {"points": 1.5, "cap": 9.0},
        "index_percentile": {"points": 10.0, "cap": None},
        "education.BACHELOR": {"points": 1.0, "cap": None},
        "education.MASTER": {"points": 2.0, "cap": None},
        "education.DOCTORATE": {"points": 3.0, "cap": None},
        "expired_sanction": {"points": 0.0, "cap": None},
    },
    "tie_breakers": ["tenure_months", "entry_date", "birth_date"],
    "award_scope": "CURRENT_RANK",
    "sanction_lookback_years": 5,
}


@dataclass(frozen=True)
class PointsItem:
    key: str
    points: float  # per unit of quantity
    cap: float | None  # bound on the item's absolute contribution


@dataclass(frozen=True)
class PointsScheme:
    """A scheme version of an org unit (or the built-in default)."""

    scheme_id: str
    version: str
    org_unit_id: str | None
    items: tuple[PointsItem, ...]
    tie_breakers: tuple[str, ...]
    award_scope: str = "CURRENT_RANK"
    sanction_lookback_years: int = 5
    source: str = POINTS_SOURCE


def scheme_from_dict(data: dict[str, Any], *, scheme_id: str, org_unit_id: str | None) -> PointsScheme:
    """Builds and validates a scheme: known item keys and tie-breakers, finite bounded points."""
    items = []
    for key, raw in data["items"].items():
        if key not in ITEM_KEYS:
            raise RuleViolation(f"unknown points item {key}", rule="points.unknown_item")
        points = float(raw["points"])
        cap = raw.get("cap")
        if not math.isfinite(points) or abs(points) > 100:
            raise RuleViolation(f"item {key}: points must be within -100..100", rule="points.range")
        if cap is not None and (not math.isfinite(float(cap)) or not 0 <= float(cap) <= 1000):
            raise RuleViolation(f"item {key}: cap must be within 0..1000", rule="points.cap")
        items.append(PointsItem(key, points, None if cap is None else float(cap)))
    ties = tuple(data.get("tie_breakers", ()))
    unknown = [t for t in ties if t not in TIE_BREAKERS]
    if unknown or len(set(ties)) != len(ties):
        raise RuleViolation(
            f"tie-breakers must be distinct values of {', '.join(TIE_BREAKERS)}", rule="points.tie_breakers"
        )
    scope = data.get("award_scope", "CURRENT_RANK")
    if scope not in AWARD_SCOPES:
        raise RuleViolation("award_scope must be CURRENT_RANK or CAREER", rule="points.award_scope")
    lookback = int(data.get("sanction_lookback_years", 5))
    if not 0 <= lookback <= 20:
        raise RuleViolation("sanction_lookback_years must be within 0..20", rule="points.lookback")
    return PointsScheme(
        scheme_id=scheme_id,
        version=str(data["version"]),
        org_unit_id=org_unit_id,
        items=tuple(items),
        tie_breakers=ties,
        award_scope=scope,
        sanction_lookback_years=lookback,
    )


def default_scheme() -> PointsScheme:
    """Returns the built-in illustrative scheme used where an org unit configured none."""
    return scheme_from_dict(DEFAULT_SCHEME, scheme_id="default", org_unit_id=None)


@dataclass(frozen=True)
class PointsLine:
    key: str
    quantity: float
    unit_points: float
    points: float
    capped: bool


@dataclass(frozen=True)
class Points:
    """A cadre's points with the breakdown, or the reason they are excluded from the ranking."""

    cadre_id: str
    scheme_id: str
    scheme_version: str
    total: float
    lines: tuple[PointsLine, ...]
    excluded: bool
    exclusion: tuple[str, ...]
    tenure_months: int
    excellent_years: int


def _quantities(facts: CadreFacts, eligibility: Eligibility, scheme: PointsScheme, as_of: dt.date) -> dict[str, float]:
    tenure = eligibility.tenure
    rank_since = tenure.counted_from if tenure and tenure.path.startswith("RANK:") else None
    q: dict[str, float] = {
        "tenure_year": (tenure.served_months // 12) if tenure else 0,
        "excellent_year": len(tenure.excellent_years) if tenure else 0,
    }
    for award in facts.awards:
        if not award.held_on(as_of):
            continue
        if scheme.award_scope == "CURRENT_RANK" and (rank_since is None or award.granted_on < rank_since):
            continue
        q[f"award.{award.type}"] = q.get(f"award.{award.type}", 0) + 1
    hardship_months = 0
    for post in facts.post_holdings:
        if post.hardship and post.since <= as_of:
            end = min(post.until or as_of, as_of)
            hardship_months += months_between(post.since, end)
    q["hardship_year"] = hardship_months // 12
    q["index_percentile"] = (facts.index_percentile or 0.0) / 100.0
    if facts.education:
        q[f"education.{facts.education}"] = 1
    lookback_start = dt.date(as_of.year - scheme.sanction_lookback_years, as_of.month, min(as_of.day, 28))
    q["expired_sanction"] = sum(
        1
        for s in facts.sanctions
        if s.status == "EXPIRED" and s.ends_on is not None and lookback_start <= s.ends_on <= as_of
    )
    return q


def compute_points(facts: CadreFacts, eligibility: Eligibility, scheme: PointsScheme, *, as_of: dt.date) -> Points:
    """Computes a cadre's points line by line under a scheme."""
    quantities = _quantities(facts, eligibility, scheme, as_of)
    lines = []
    for item in scheme.items:
        quantity = quantities.get(item.key, 0)
        raw = quantity * item.points
        value = raw
        if item.cap is not None and abs(raw) > item.cap:
            value = math.copysign(item.cap, raw)
        lines.append(PointsLine(item.key, quantity, item.points, round(value, 4), value != raw))
    exclusion = tuple(
        r.rule for r in eligibility.reasons if r.blocking and r.rule in ("restriction.active", "investigation.open")
    )
    tenure = eligibility.tenure
    return Points(
        cadre_id=facts.cadre_id,
        scheme_id=scheme.scheme_id,
        scheme_version=scheme.version,
        total=round(sum(line.points for line in lines), 4),
        lines=tuple(lines),
        excluded=bool(exclusion),
        exclusion=exclusion,
        tenure_months=tenure.served_months if tenure else 0,
        excellent_years=len(tenure.excellent_years) if tenure else 0,
    )


@dataclass(frozen=True)
class RankEntry:
    """What ranking needs about one candidate."""

    cadre_id: str
    total: float
    tenure_months: int
    excellent_years: int
    entry_date: dt.date
    birth_date: dt.date


def _tie_key(entry: RankEntry, tie_breakers: Sequence[str]) -> tuple:
    key: list[Any] = [-entry.total]
    for name in tie_breakers:
        if name == "tenure_months":
            key.append(-entry.tenure_months)
        elif name == "excellent_years":
            key.append(-entry.excellent_years)
        elif name == "entry_date":
            key.append(entry.entry_date.toordinal())  # earlier entry first
        elif name == "birth_date":
            key.append(entry.birth_date.toordinal())  # older first
    key.append(entry.cadre_id)  # deterministic last resort
    return tuple(key)


def rank_entries(entries: Sequence[RankEntry], tie_breakers: Sequence[str]) -> list[RankEntry]:
    """Orders candidates by points, then by the scheme's tie-breakers, then by id."""
    return sorted(entries, key=lambda e: _tie_key(e, tie_breakers))
