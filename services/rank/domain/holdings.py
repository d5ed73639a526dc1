"""Effective-dated holdings of rank (职级), leadership post, level (级别) and org unit; pure helpers over them.

A holding runs from `since` (inclusive) to `until` (exclusive; None while current), so "what was the rank on
2025-06-30?" is the holding with since <= day < until.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


@dataclass
class RankHolding:
    id: str
    rank_code: str
    series: str
    since: dt.date
    until: dt.date | None = None
    basis: str = "INITIAL"
    source_ref: str | None = None


@dataclass
class PostHolding:
    id: str
    post_code: str | None  # None: no leadership post from `since`
    since: dt.date
    until: dt.date | None = None
    basis: str = "INITIAL"
    hardship: bool = False  # 基层 / 艰苦边远 / 急难险重 posting
    source_ref: str | None = None


@dataclass
class LevelHolding:
    id: str
    level: int
    since: dt.date
    until: dt.date | None = None
    step: int | None = None
    basis: str = "INITIAL"
    source_ref: str | None = None


@dataclass
class Assignment:
    id: str
    org_unit_id: str
    since: dt.date
    until: dt.date | None = None


class Dated(Protocol):
    since: dt.date
    until: dt.date | None


H = TypeVar("H", bound=Dated)


def current(holdings: Sequence[H]) -> H | None:
    """Returns the open holding (the latest one), or None."""
    return max(holdings, key=lambda h: h.since) if holdings else None


def at(holdings: Sequence[H], day: dt.date) -> H | None:
    """Returns the holding in force on `day`, or None."""
    for holding in holdings:
        if holding.since <= day and (holding.until is None or day < holding.until):
            return holding
    return None


def until_day(holdings: Sequence[H], day: dt.date) -> list[H]:
    """Returns the holdings that began on or before `day`, oldest first."""
    return sorted((h for h in holdings if h.since <= day), key=lambda h: h.since)


def run_start(holdings: Sequence[H], same: str, value: object, day: dt.date) -> dt.date | None:
    """Returns when the uninterrupted run of holdings with attribute `same` == value in force on `day` began."""
    ordered = until_day(holdings, day)
    if not ordered or getattr(ordered[-1], same) != value:
        return None
    if ordered[-1].until is not None and ordered[-1].until <= day:
        return None
    start = ordered[-1].since
    for holding in reversed(ordered[:-1]):
        if getattr(holding, same) != value or holding.until != start:
            break
        start = holding.since
    return start
