"""Builders of domain values for the rank unit tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.rank.domain.facts import CadreFacts, GradeFact, InvestigationFact, RestrictionFact, UnitFact
from services.rank.domain.holdings import Assignment, PostHolding, RankHolding
from services.rank.domain.ladder import ladder_from_dict
from services.rank.domain.rules.ladders import DEFAULT_LADDERS

D = dt.date
LADDERS = {series: ladder_from_dict(data) for series, data in DEFAULT_LADDERS.items()}
COMPREHENSIVE = LADDERS["COMPREHENSIVE"]


def grade(year: int, value: str, finalized: D | None = None) -> GradeFact:
    return GradeFact(year, value, finalized or D(year + 1, 1, 20), f"aa-{year}")


def warning(starts: D, ends: D | None, status: str = "ACTIVE", rid: str = "rs-1") -> RestrictionFact:
    return RestrictionFact(rid, "NO_RANK_PROMOTION", starts, ends, status)


def facts(
    *,
    rank: str = "C10",
    since: D = D(2020, 1, 1),
    grades: tuple = (),
    restrictions: tuple = (),
    investigations: tuple = (),
    category: str = "COMPREHENSIVE",
    agency: str = "MUNICIPAL_AGENCY",
    education: str | None = "BACHELOR",
    posts: tuple = (),
    birth: D = D(1985, 3, 2),
    entry: D = D(2008, 7, 1),
    earlier: tuple = (),
    **extra: Any,
) -> CadreFacts:
    holdings = [*earlier, RankHolding("rh-now", rank, "COMPREHENSIVE", since)] if rank else [*earlier]
    extra.setdefault("assignments", ((Assignment("as-1", "u-1", entry), agency),))
    return CadreFacts(
        cadre_id="c-1",
        name="Zhang San",
        category=category,
        birth_date=birth,
        entry_date=entry,
        education=education,
        org_unit=UnitFact("u-1", agency),
        rank_holdings=tuple(holdings),
        post_holdings=tuple(posts),
        grades=tuple(grades),
        restrictions=tuple(restrictions),
        investigations=tuple(investigations),
        **extra,
    )


def open_case(opened: D, closed: D | None = None, case: str = "case-7") -> InvestigationFact:
    return InvestigationFact(case, opened, closed)


def post(code: str | None, since: D, until: D | None = None, hardship: bool = False) -> PostHolding:
    return PostHolding(f"ph-{since.isoformat()}", code, since, until, "INITIAL", hardship)
