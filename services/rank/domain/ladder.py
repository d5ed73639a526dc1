"""Ladders as validated values: ranks, promotion paths and level ranges of one series and version (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kernel.errors import RuleViolation
from services.rank.domain.rules.ladders import EDUCATION_ORDER, POSTS

SERIES = ("COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT")


@dataclass(frozen=True)
class PromotionPath:
    """Time in a rank or a leadership post that qualifies for promotion into a rank."""

    kind: str  # RANK | POST
    code: str
    min_years: int


@dataclass(frozen=True)
class RankDef:
    """One rank of a ladder."""

    code: str
    name: str
    series: str
    order: int  # 1 is the top of the series
    scale: int  # position on the 12-step comprehensive scale, for ceilings and equivalences
    level_low: int  # lowest level (largest number) of the rank's range
    level_high: int  # highest level (smallest number)
    equivalent_post: str | None
    promote_from: tuple[PromotionPath, ...]
    education_min: str | None
    raises_level_on_promotion: bool

    def level_in_range(self, level: int) -> bool:
        """Tells whether a level (级别) lies within this rank's range."""
        return self.level_high <= level <= self.level_low


@dataclass(frozen=True)
class Ladder:
    """A versioned ladder of one series."""

    series: str
    version: str
    effective_from: dt.date
    source: str
    confidence: str
    ranks: tuple[RankDef, ...]

    def get(self, code: str) -> RankDef | None:
        """Returns a rank by code, or None."""
        return next((r for r in self.ranks if r.code == code), None)

    def require(self, code: str) -> RankDef:
        """Returns a rank by code or refuses an unknown code."""
        rank = self.get(code)
        if rank is None:
            raise RuleViolation(f"unknown rank code {code} in the {self.series} ladder", rule="rank.unknown_code")
        return rank

    def above(self, code: str) -> RankDef | None:
        """Returns the next rank up (None at the top)."""
        rank = self.require(code)
        return next((r for r in self.ranks if r.order == rank.order - 1), None)

    def below(self, code: str) -> RankDef | None:
        """Returns the next rank down (None at the bottom)."""
        rank = self.require(code)
        return next((r for r in self.ranks if r.order == rank.order + 1), None)

    def to_dict(self) -> dict[str, Any]:
        """Serializes the ladder in the shape `ladder_from_dict` reads."""
        return {
            "series": self.series,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "source": self.source,
            "confidence": self.confidence,
            "ranks": [
                {
                    "code": r.code,
                    "name": r.name,
                    "order": r.order,
                    "scale": r.scale,
                    "level_low": r.level_low,
                    "level_high": r.level_high,
                    "equivalent_post": r.equivalent_post,
                    "promote_from": [
                        {"kind": p.kind, "code": p.code, "min_years": p.min_years} for p in r.promote_from
                    ],
                    "education_min": r.education_min,
                    "raises_level_on_promotion": r.raises_level_on_promotion,
                }
                for r in self.ranks
            ],
        }


def ladder_from_dict(data: dict[str, Any]) -> Ladder:
    """Builds and validates a ladder: contiguous orders, sane level ranges, paths to known ranks and posts."""
    series = data["series"]
    if series not in SERIES:
        raise RuleViolation(f"unknown series {series}", rule="ladder.series")
    ranks = []
    for raw in data["ranks"]:
        paths = tuple(PromotionPath(p["kind"], p["code"], int(p["min_years"])) for p in raw.get("promote_from", []))
        ranks.append(
            RankDef(
                code=raw["code"],
                name=raw["name"],
                series=series,
                order=int(raw["order"]),
                scale=int(raw["scale"]),
                level_low=int(raw["level_low"]),
                level_high=int(raw["level_high"]),
                equivalent_post=raw.get("equivalent_post"),
                promote_from=paths,
                education_min=raw.get("education_min"),
                raises_level_on_promotion=bool(raw.get("raises_level_on_promotion", True)),
            )
        )
    ranks.sort(key=lambda r: r.order)
    _validate(series, ranks)
    return Ladder(
        series=series,
        version=str(data["version"]),
        effective_from=_date(data["effective_from"]),
        source=str(data["source"]),
        confidence=str(data.get("confidence", "D")),
        ranks=tuple(ranks),
    )


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _validate(series: str, ranks: list[RankDef]) -> None:
    if len(ranks) < 2:
        raise RuleViolation("a ladder needs at least two ranks", rule="ladder.ranks")
    codes = [r.code for r in ranks]
    if len(set(codes)) != len(codes):
        raise RuleViolation("rank codes must be unique", rule="ladder.unique_codes")
    if [r.order for r in ranks] != list(range(1, len(ranks) + 1)):
        raise RuleViolation("rank orders must run 1..n without gaps", rule="ladder.orders")
    scales = [r.scale for r in ranks]
    if scales != sorted(scales) or len(set(scales)) != len(scales) or not all(1 <= s <= 12 for s in scales):
        raise RuleViolation("scale positions must be distinct, within 1..12 and follow the order", rule="ladder.scales")
    for rank in ranks:
        if not (1 <= rank.level_high <= rank.level_low <= 27):
            raise RuleViolation(
                f"rank {rank.code}: level range must satisfy 1 <= high <= low <= 27", rule="ladder.level_range"
            )
        if rank.education_min is not None and rank.education_min not in EDUCATION_ORDER:
            raise RuleViolation(f"rank {rank.code}: unknown education {rank.education_min}", rule="ladder.education")
        if rank.equivalent_post is not None and rank.equivalent_post not in POSTS:
            raise RuleViolation(f"rank {rank.code}: unknown post {rank.equivalent_post}", rule="post.unknown_code")
        for path in rank.promote_from:
            if path.kind == "RANK":
                if path.code not in codes:
                    raise RuleViolation(
                        f"rank {rank.code}: promotion path from unknown rank {path.code}", rule="rank.unknown_code"
                    )
                below = next(r for r in ranks if r.code == path.code)
                if below.order != rank.order + 1:
                    raise RuleViolation(
                        f"rank {rank.code}: promotion is step by step, from the rank just below",
                        rule="ladder.step_by_step",
                        source="公务员职务与职级并行规定 §20",
                    )
            elif path.kind == "POST":
                if path.code not in POSTS:
                    raise RuleViolation(f"rank {rank.code}: unknown post {path.code}", rule="post.unknown_code")
            else:
                raise RuleViolation(f"rank {rank.code}: path kind must be RANK or POST", rule="ladder.path_kind")
            if not 0 <= path.min_years <= 10:
                raise RuleViolation(f"rank {rank.code}: min_years must be within 0..10", rule="ladder.min_years")
    bottom = ranks[-1]
    if bottom.promote_from:
        raise RuleViolation("the entry rank has no promotion path into it", rule="ladder.entry_rank")
    for rank in ranks[:-1]:
        if not any(p.kind == "RANK" for p in rank.promote_from):
            raise RuleViolation(f"rank {rank.code} needs a path from the rank below", rule="ladder.step_by_step")
