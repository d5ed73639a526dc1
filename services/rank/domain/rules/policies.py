"""Configurable rule parameters with their defaults and sources; RankSettings builds them from the environment."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TenurePolicy:
    """How served time and annual grades count toward the next rank (docs/rules.md §4.2)."""

    # A calendar year counts as "a year in the current rank" (its grade shortens or excludes time) when the
    # rank was held for at least this many months of it. [D] Decision for the partial-year question of §4.2:
    # 6 = the majority of the year; 12 = whole years only; 1 = any part of the year.
    partial_year_min_months: int = 6
    # Each 优秀 year in the current rank shortens the requirement by this many months (考核规定 §19 [S]).
    excellent_reduction_months: int = 6
    # Extra bar after a 基本称职 grade, from its finalization (2007 wording "一年内不得晋升职务" [R]); 0 = off.
    basic_grade_bar_months: int = 0
    # Enforce the ladder's minimum education (the minimums themselves are [R]).
    enforce_education: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.partial_year_min_months <= 12:
            raise ValueError("partial_year_min_months must be within 1..12")
        if not 0 <= self.excellent_reduction_months <= 12:
            raise ValueError("excellent_reduction_months must be within 0..12")
        if not 0 <= self.basic_grade_bar_months <= 24:
            raise ValueError("basic_grade_bar_months must be within 0..24")


@dataclass(frozen=True)
class TrackPolicy:
    """Thresholds of the development track (递进式政治激励台阶); all [D], local practice."""

    new_entrant_years: int = 2
    young_max_age: int = 35
    reserve_max_age: int = 45
    reserve_excellent_years: int = 2  # 优秀 grades within the last `reserve_window_years` finalized years
    reserve_window_years: int = 3
    rotation_min_years_in_unit: int = 3
    mature_min_service_years: int = 10
    mature_excellent_years: int = 3  # 优秀 grades within the last `mature_window_years` finalized years
    mature_window_years: int = 5


@dataclass(frozen=True)
class ContractPolicy:
    """Terms of 聘任制 contracts, role terms and government-employee contracts (docs/rules.md §4.6)."""

    appointed_min_years: int = 1  # 公务员法 §102 [V]: 1–5 years
    appointed_max_years: int = 5
    appointed_max_probation_months: int = 12  # 公务员法 §102 [V]
    appointed_first_max_probation_months: int = 6  # 聘任制公务员管理规定 (2017) [S]
    role_term_years: int = 3  # [D]
    gov_employee_tiers: tuple[str, ...] = ("GENERAL", "INTERMEDIATE", "SENIOR")  # [D] local schemes
    gov_employee_max_years: int = 5  # [D]
    gov_employee_max_probation_months: int = 6  # [D]
    review_days_before_end: int = 90  # [D] the renewal review opens N days before the term ends
    # Outcome rules over the term's annual grades [D]: at least this many 优秀 and nothing below 称职 → PROMOTE.
    promote_min_excellent: int = 2
    # What a government employee at the lowest tier gets instead of DEMOTE (rules/contracts.py, TIER_EDGE_RULES) [D]:
    # KEEP (kept at the tier) or NOT_RENEW.
    lowest_tier_fallback: str = "KEEP"

    def __post_init__(self) -> None:
        if self.lowest_tier_fallback not in ("KEEP", "NOT_RENEW"):
            raise ValueError("lowest_tier_fallback must be KEEP or NOT_RENEW")


@dataclass(frozen=True)
class BatchPolicy:
    """Promotion-batch parameters."""

    publicity_min_working_days: int = 5  # 并行规定 §20 [S]: 公示 not less than 5 working days


@dataclass(frozen=True)
class RankPolicies:
    """Every configurable rule parameter of the rank service."""

    tenure: TenurePolicy = field(default_factory=TenurePolicy)
    track: TrackPolicy = field(default_factory=TrackPolicy)
    contract: ContractPolicy = field(default_factory=ContractPolicy)
    batch: BatchPolicy = field(default_factory=BatchPolicy)
